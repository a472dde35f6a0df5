//! Command-line interface: one file per subcommand, each with a clap `Args`
//! struct (its doc comments are the help text) and a `run`.

pub mod batch;
pub mod check;
pub mod convert;
pub mod editions;
pub mod schema;
pub mod template;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::edition::Editions;
use xxgk::Result;

/// 政府信息公开工作年度报告工具：格式转换、勾稽检查。
///
/// Exit status: 0 = no errors; 1 = the check found errors; 2 = an input
/// could not be used (or a usage error).
#[derive(Parser)]
#[command(name = "xxgk", version, about, long_about = None)]
pub struct Cli {
    /// 额外的年报格式文件或文件夹（*.toml），同 id 时替换内置格式。
    /// Extra edition file(s) to load; a file with a built-in id replaces it.
    #[arg(long, global = true, env = "XXGK_EDITIONS", value_name = "PATH")]
    pub editions: Vec<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// 转换格式（json/xlsx/docx → json/csv/xlsx/docx），按输出扩展名或 --to 决定格式。
    Convert(convert::Args),
    /// 检查报告：勾稽关系、空白格、数值类型、六个部分、跨年度对比。
    Check(check::Args),
    /// 批量转换和检查一个县（区）的全部报告，生成汇总表。
    Batch(batch::Args),
    /// 生成某年度的空白年报模板（.xlsx 或 .docx），可按上年报告预填结转数。
    Template(template::Args),
    /// 输出 canonical JSON 的 JSON Schema。
    Schema(schema::Args),
    /// 列出已知的年报格式版本（--cells 列出每个单元格）。
    Editions(editions::Args),
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    let mut editions = Editions::builtin()?;
    for p in &cli.editions {
        editions.load_path(p)?;
    }
    match cli.command {
        Command::Convert(a) => convert::run(a, &editions),
        Command::Check(a) => check::run(a, &editions),
        Command::Template(a) => template::run(a, &editions),
        Command::Batch(a) => batch::run(a, &editions),
        Command::Schema(a) => schema::run(a),
        Command::Editions(a) => editions::run(a, &editions),
    }
}

/// Output options shared by the commands that write a report file.
#[derive(clap::Args)]
pub struct OutputOpts {
    /// 输出格式（json、csv、xlsx、docx）；省略时按输出文件扩展名决定，默认 json。
    #[arg(long, value_name = "FORMAT")]
    pub to: Option<String>,
    /// 输出文件已存在时覆盖（从不覆盖输入文件）。
    #[arg(long)]
    pub force: bool,
}

/// The edition option shared by the commands that read or make reports.
#[derive(clap::Args)]
pub struct EditionOpt {
    /// 指定格式版本（如 2019、2021），不按年度或文件自动选择。
    #[arg(long, value_name = "ID")]
    pub edition: Option<String>,
}

/// Write to stdout; a closed pipe (`xxgk … | head`) is not an error.
pub fn stdout(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(xxgk::Error::io(std::path::Path::new("<标准输出>"), e))
        }
        _ => Ok(()),
    }
}
