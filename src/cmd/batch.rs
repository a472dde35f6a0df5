//! `xxgk batch INPUT... -o OUTDIR [--previous-dir DIR]`: a whole county
//! ([`xxgk::batch`]).

use super::progress::Progress;
use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::batch::{discover, Options, NOTHING_FOUND};
use xxgk::error::Audience;
use xxgk::pipeline::{Session, Status};
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// 报告文件或文件夹（.docx、.xlsx、.json、.pdf、.txt、.html，装有报告的 .zip，及经 LibreOffice 转换的旧版格式），文件夹会逐层查找。
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 输出文件夹：reports/（每份报告的 JSON）、summary.xlsx 等。
    #[arg(short, long, value_name = "OUTDIR")]
    pub output: PathBuf,
    /// 上一年度报告所在的文件夹：按机关名称配对，做跨年度检查。
    #[arg(long, value_name = "DIR")]
    pub previous_dir: Option<PathBuf>,
    /// 输出文件夹中已有汇总结果时覆盖。
    #[arg(long)]
    pub force: bool,
    /// 全部单元格的长表（供研究者用 pandas、R、DuckDB 分析）写成 cells.parquet，而不是 cells.csv。
    #[arg(long)]
    pub parquet: bool,
    /// 并行处理的线程数（默认：CPU 核数）。
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

pub fn run(a: Args, session: &Session) -> Result<ExitCode> {
    if a.output.join("summary.xlsx").exists() && !a.force {
        // Checked again, race-free, when summary.xlsx is moved into place.
        return Err(Error::OutputExists { path: a.output.join("summary.xlsx") });
    }
    std::fs::create_dir_all(&a.output).map_err(|e| Error::io(&a.output, e))?;
    if let Some(n) = a.jobs {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let inputs = discover(&a.inputs, Some(&a.output), session.limits())?;
    if inputs.jobs().next().is_none() {
        return Err(Error::Usage(format!("输入中{NOTHING_FOUND}")));
    }
    let previous = match &a.previous_dir {
        Some(d) => {
            let found = discover(std::slice::from_ref(d), Some(&a.output), session.limits())?;
            let jobs: Vec<_> = found.jobs().cloned().collect();
            let bar = Progress::new(jobs.len(), "读取上年报告");
            let index = session.index_previous(&jobs, &|| bar.tick());
            bar.clear();
            Some(index)
        }
        None => None,
    };
    let cells = if a.parquet { xxgk::write::corpus::Format::Parquet } else { xxgk::write::corpus::Format::Csv };
    let opts = Options {
        outdir: &a.output,
        force: a.force,
        previous: previous.as_ref(),
        audience: Audience::Cli,
        cells,
        keep_rows: false,
    };
    let bar = Progress::new(inputs.list.len(), "批量处理");
    let outcome = xxgk::batch::run(session, &inputs, &opts, &|| bar.tick(), &mut |_| {});
    bar.clear();
    let outcome = outcome?;
    let msg = format!("{}结果见 {}\n", outcome.describe(), a.output.join("summary.xlsx").display());
    super::stdout(msg.as_bytes())?;
    let failed = outcome.count(Status::Errors) + outcome.count(Status::Unreadable) + outcome.count(Status::NotReport);
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
