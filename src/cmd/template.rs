//! `xxgk template --year Y --organ NAME [--previous LAST] -o FILE.xlsx`: the
//! blank report of the edition for the year, prefilled from last year.

use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::template::{blank, edition_for, render};
use xxgk::write::{write_file, Format};
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 报告年度，如 2025（按年度选择格式版本）。
    #[arg(long)]
    pub year: u32,
    /// 机关名称，如 “某某县人民政府办公室”。
    #[arg(long)]
    pub organ: String,
    /// 上一年度的报告（任何可读格式），用于预填上年结转等数字。
    #[arg(long, value_name = "LAST")]
    pub previous: Option<PathBuf>,
    /// 输出文件（.xlsx 或 .docx）。
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: super::OutputOpts,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let editions = &ctx.editions;
    let format = Format::choose(a.out.to.as_deref(), Some(&a.output))?;
    let ed = edition_for(editions, a.edition.edition.as_deref(), a.year)?;
    let previous = match &a.previous {
        Some(p) => Some(ctx.reader(None)?.read_with_edition(p)?),
        None => None,
    };
    let report = blank(ed, &a.organ, a.year, previous.as_ref().map(|(r, e)| (r, *e)));
    let bytes = render(&report, ed, format)?;
    let inputs: Vec<PathBuf> = a.previous.iter().cloned().collect();
    write_file(&a.output, &bytes, a.out.force, &inputs)?;
    Ok(ExitCode::SUCCESS)
}
