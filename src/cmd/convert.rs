//! `xxgk convert INPUT [-o OUTPUT] [--to FORMAT]`, pandoc-style.

use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::write::{render, write_file, Format};
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 输入文件（.json、.xlsx、.docx、.pdf、.txt、.html；有 LibreOffice 时还有 .doc、.wps、.rtf、.odt、.xls、.et、.ods）。
    pub input: PathBuf,
    /// 输出文件；省略时输出到屏幕（标准输出）。
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub out: super::OutputOpts,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let format = Format::choose(a.out.to.as_deref(), a.output.as_deref())?;
    let reader = ctx.reader(a.edition.edition.as_deref())?;
    let (report, ed) = reader.read_with_edition(&a.input)?;
    let bytes = render(format, &report, ed, a.output.is_some(), &ctx.limits)?;
    match &a.output {
        Some(o) => write_file(o, &bytes, a.out.force, std::slice::from_ref(&a.input))?,
        None => super::stdout(&bytes)?,
    }
    Ok(ExitCode::SUCCESS)
}
