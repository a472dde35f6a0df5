//! Command-line interface: one file per subcommand, each with a clap `Args`
//! struct (its doc comments are the help text) and a `run`.

pub mod batch;
pub mod check;
pub mod convert;
pub mod editions;
pub mod progress;
pub mod schema;
pub mod serve;
pub mod template;
pub mod worker;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use xxgk::edition::Editions;
use xxgk::limits::{parse_size, Limits};
use xxgk::pipeline::{Isolation, Session};
use xxgk::{Error, Result};

/// 政府信息公开工作年度报告工具：格式转换、勾稽检查、模板生成、批量处理。
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

    #[command(flatten)]
    pub safety: SafetyArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// 读取文件时的安全上限（默认值足以处理真实年报）。
#[derive(clap::Args, Clone)]
pub struct SafetyArgs {
    /// 单个输入文件的最大大小（如 100M、512K）。
    #[arg(long, global = true, value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    pub max_file_size: u64,
    /// .docx/.xlsx 压缩包中最多的文件数。
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().zip_entries)]
    pub max_zip_entries: usize,
    /// 压缩包中单个文件解压后的最大大小。
    #[arg(long, global = true, value_name = "SIZE", default_value = "256M", value_parser = parse_size)]
    pub max_entry_size: u64,
    /// 压缩包解压后的总大小上限。
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_total_size: u64,
    /// XML 的最大嵌套层数。
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().xml_depth)]
    pub max_xml_depth: usize,
    /// 表格（及工作表读取范围）的最大行数。
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().table_rows)]
    pub max_table_rows: usize,
    /// 表格（及工作表读取范围）的最大列数。
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().table_cols)]
    pub max_table_cols: usize,
    /// 一个工作簿中最多读取的非空单元格数。
    #[arg(long, global = true, value_name = "N", default_value_t = Limits::default().sheet_cells)]
    pub max_sheet_cells: usize,
    /// 读取单个文件的时间上限（秒）。
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 60.0)]
    pub timeout: f64,
    /// 读取进程的内存上限（如 1G）。
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub max_memory: u64,
    /// 在本进程内读取文件，不使用隔离的读取进程（仅供排查问题）。
    #[arg(long, global = true)]
    pub no_isolation: bool,
}

impl SafetyArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            file_bytes: self.max_file_size,
            zip_entries: self.max_zip_entries,
            entry_bytes: self.max_entry_size,
            total_bytes: self.max_total_size,
            xml_depth: self.max_xml_depth,
            table_nesting: Limits::default().table_nesting,
            table_rows: self.max_table_rows,
            table_cols: self.max_table_cols,
            sheet_cells: self.max_sheet_cells,
            convert_time: Limits::convert_time_within(self.timeout),
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// 转换格式（json/xlsx/docx/txt/html → json/csv/xlsx/docx/html/pdf），按输出扩展名或 --to 决定格式。
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
    /// 在本机启动网页（检查、批量、模板、发布），用浏览器操作。
    Serve(serve::Args),
    /// Internal: an isolated reading process (see src/isolate.rs).
    #[command(name = "__worker", hide = true)]
    Worker(worker::Args),
}

/// The session of a run: the editions (built-in and `--editions`), the
/// limits, and reading in isolated workers unless `--no-isolation`.
fn session(cli: &Cli) -> Result<Session> {
    let mut editions = Editions::builtin()?;
    for p in &cli.editions {
        editions.load_path(p)?;
    }
    let session = Session::new(editions, cli.safety.limits());
    if cli.safety.no_isolation {
        return Ok(session);
    }
    let exe = std::env::current_exe().map_err(|e| Error::io(Path::new("xxgk"), e))?;
    session.isolated(Isolation {
        exe,
        timeout: Duration::from_secs_f64(cli.safety.timeout.clamp(0.01, 86_400.0)),
        memory_bytes: cli.safety.max_memory,
        edition_files: cli.editions.clone(),
    })
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Worker(_) = cli.command {
        return worker::run();
    }
    let session = session(&cli)?;
    match cli.command {
        Command::Convert(a) => convert::run(a, &session),
        Command::Check(a) => check::run(a, &session),
        Command::Batch(a) => batch::run(a, &session),
        Command::Template(a) => template::run(a, &session),
        Command::Schema(a) => schema::run(a),
        Command::Editions(a) => editions::run(a, session.editions()),
        Command::Serve(a) => serve::run(a, session),
        Command::Worker(_) => worker::run(),
    }
}

/// Output options shared by the commands that write a report file.
#[derive(clap::Args)]
pub struct OutputOpts {
    /// 输出格式（json、csv、xlsx、docx、html、pdf）；省略时按输出文件扩展名决定，默认 json。pdf 需要 LibreOffice。
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
