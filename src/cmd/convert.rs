//! `xxgk convert INPUT [-o OUTPUT] [--to FORMAT] [--allow-errors]`, pandoc-style.
//! A publication (docx, html, pdf) of a report with errors is refused
//! unless `--allow-errors` ([`xxgk::pipeline::Session::publish`]).

use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::output::write_file;
use xxgk::pipeline::Session;
use xxgk::write::{render, Format, Options};
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 输入文件（.json、.xlsx、.docx、.pdf、.txt、.html；有 LibreOffice 时还有 .doc、.wps、.rtf、.odt、.xls、.et、.ods）。
    pub input: PathBuf,
    /// 输出文件；省略时输出到屏幕（标准输出）。
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// 报告有错误时仍生成公开版（docx、html、pdf），并在文档属性中注明错误数。默认拒绝。
    #[arg(long)]
    pub allow_errors: bool,
    #[command(flatten)]
    pub out: super::OutputOpts,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

pub fn run(a: Args, session: &Session) -> Result<ExitCode> {
    let format = Format::choose(a.out.to.as_deref(), a.output.as_deref())?;
    let read = session.read(&a.input, a.edition.edition.as_deref())?;
    if let Some(line) = what_was_read(&a.input, &read) {
        eprintln!("xxgk：{line}");
    }
    let bytes = if format.is_publication() {
        session.publish(&read, format, a.allow_errors)?
    } else {
        render(format, &read.report, read.edition, &Options::to(a.output.is_some()), session.limits())?
    };
    match &a.output {
        Some(o) => write_file(o, &bytes, a.out.force, std::slice::from_ref(&a.input))?,
        None => super::stdout(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// One line on what was read, when something is missing: blank cells or
/// the reader's warnings (a garbled file must not convert in silence).
fn what_was_read(input: &std::path::Path, read: &xxgk::pipeline::Read<'_>) -> Option<String> {
    let r = &read.report;
    let cells = r.cells.len();
    let blank = r.cells.values().filter(|v| v.is_none()).count();
    let warnings = r.warnings.len();
    if blank == 0 && warnings == 0 {
        return None;
    }
    let who = format!(
        "{} {}",
        if r.organ.trim().is_empty() { "机关不明" } else { r.organ.as_str() },
        r.year.map_or("年度不明".to_string(), |y| format!("{y}年"))
    );
    let what = if blank == cells {
        format!("没有读到任何表格数字（{cells} 格全部空白）")
    } else if blank > 0 {
        format!("{cells} 格中 {blank} 格空白")
    } else {
        format!("{cells} 格均已读到")
    };
    let notes = if warnings > 0 { format!("，读取时有 {warnings} 条提示") } else { String::new() };
    Some(format!(
        "{}（{who}，{}）：{what}{notes}。逐条查看：xxgk check {}",
        input.display(),
        read.edition.name,
        input.display()
    ))
}
