//! `xxgk template --year Y --organ NAME [--previous LAST [--previous-any]] -o FILE.xlsx`:
//! the blank report of the edition for the year, prefilled from last year's
//! report of the same organ ([`xxgk::pipeline::Session::template_previous`]).

use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::output::write_file;
use xxgk::pipeline::Session;
use xxgk::template::{blank, edition_for, render};
use xxgk::write::Format;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 报告年度，如 2025（按年度选择格式版本）。
    #[arg(long)]
    pub year: u32,
    /// 机关名称，如 “某某县人民政府办公室”。
    #[arg(long)]
    pub organ: String,
    /// 本机关上一年度的报告（任何可读格式），用于预填上年结转等数字。
    #[arg(long, value_name = "LAST")]
    pub previous: Option<PathBuf>,
    /// 允许 --previous 是其他机关或其他年度的报告（默认拒绝，以免预填错的数字）。
    #[arg(long, requires = "previous")]
    pub previous_any: bool,
    /// 输出文件（.xlsx 或 .docx）。
    #[arg(short, long)]
    pub output: PathBuf,
    #[command(flatten)]
    pub out: super::OutputOpts,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

pub fn run(a: Args, session: &Session) -> Result<ExitCode> {
    let format = Format::choose(a.out.to.as_deref(), Some(&a.output))?;
    let ed = edition_for(session.editions(), a.edition.edition.as_deref(), a.year)?;
    let previous = match &a.previous {
        Some(p) => Some(session.template_previous(p, &p.display().to_string(), &a.organ, a.year, a.previous_any)?),
        None => None,
    };
    let report = blank(ed, &a.organ, a.year, previous.as_ref().map(|r| (&r.report, r.edition)));
    let bytes = render(&report, ed, format)?;
    let inputs: Vec<PathBuf> = a.previous.iter().cloned().collect();
    write_file(&a.output, &bytes, a.out.force, &inputs)?;
    Ok(ExitCode::SUCCESS)
}
