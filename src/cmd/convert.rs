//! `xxgk convert INPUT [-o OUTPUT] [--to FORMAT]`, pandoc-style.

use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::edition::Editions;
use xxgk::read::{read_path, ReadOptions};
use xxgk::write::{render, write_file, Format};
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 输入文件（.json）。
    pub input: PathBuf,
    /// 输出文件；省略时输出到屏幕（标准输出）。
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 输出格式（json、csv）；省略时按输出文件扩展名决定，默认 json。
    #[arg(long, value_name = "FORMAT")]
    pub to: Option<String>,
    /// 指定格式版本（如 2019、2021），不按年度自动选择。
    #[arg(long, value_name = "ID")]
    pub edition: Option<String>,
    /// 输出文件已存在时覆盖（从不覆盖输入文件）。
    #[arg(long)]
    pub force: bool,
}

pub fn run(a: Args, editions: &Editions) -> Result<ExitCode> {
    let format = Format::choose(a.to.as_deref(), a.output.as_deref())?;
    let (report, ed) = read_path(&a.input, ReadOptions { editions, edition: a.edition.as_deref() })?;
    let bytes = render(format, &report, &ed, a.output.is_some())?;
    match &a.output {
        Some(o) => write_file(o, &bytes, a.force, std::slice::from_ref(&a.input))?,
        None => super::stdout(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
