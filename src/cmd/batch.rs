//! `xxgk batch INPUT... -o OUTDIR [--previous-dir DIR]`: a whole county.

use super::progress::Progress;
use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::batch::{discover, index_previous, save_index, Job, NOTHING_FOUND, REPORTS_DIR};
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// 报告文件或文件夹（.docx、.xlsx、.json、.pdf、.txt、.html，及经 LibreOffice 转换的旧版格式），文件夹会逐层查找。
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
    /// 并行处理的线程数（默认：CPU 核数）。
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let editions = &ctx.editions;
    let reader = ctx.reader(None)?;
    let read = |p: &std::path::Path| reader.read(p);
    if a.output.join("summary.xlsx").exists() && !a.force {
        // Checked again, race-free, when summary.xlsx is moved into place.
        return Err(Error::OutputExists { path: a.output.join("summary.xlsx") });
    }
    std::fs::create_dir_all(&a.output).map_err(|e| Error::io(&a.output, e))?;
    if let Some(n) = a.jobs {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let jobs = discover(&a.inputs, Some(&a.output))?;
    if jobs.is_empty() {
        return Err(Error::Usage(format!("输入中{NOTHING_FOUND}")));
    }
    let previous = match &a.previous_dir {
        Some(d) => {
            let prev_jobs = discover(std::slice::from_ref(d), Some(&a.output))?;
            let bar = Progress::new(prev_jobs.len(), "读取上年报告");
            let index = index_previous(&prev_jobs, &read, &|| bar.tick());
            bar.clear();
            Some(index)
        }
        None => None,
    };
    // The workers find last year's reports in a copy of the index on disk.
    let index_dir = match &previous {
        Some(index) if reader.isolated() => {
            let dir = tempfile::tempdir().map_err(|e| Error::io(&std::env::temp_dir(), e))?;
            save_index(index, &dir.path().join("previous.jsonl"))?;
            Some(dir)
        }
        _ => None,
    };
    let index_file = index_dir.as_ref().map(|d| d.path().join("previous.jsonl"));
    let reports_dir = a.output.join(REPORTS_DIR);
    let process = |job: &Job| reader.process(job, &reports_dir, previous.as_ref(), index_file.as_deref());
    let bar = Progress::new(jobs.len(), "批量处理");
    let outcome =
        xxgk::write::summary::batch(&jobs, editions, &process, &a.output, a.force, &|| bar.tick(), &mut |_| {});
    bar.clear();
    let outcome = outcome?;
    let total = outcome.rows.len();
    let unreadable = outcome.rows.iter().filter(|r| r.output.is_none()).count();
    let with_errors = outcome.rows.iter().filter(|r| r.errors > 0).count();
    let with_warnings = outcome.rows.iter().filter(|r| r.errors == 0 && r.warnings > 0).count();
    let msg = format!(
        "共 {total} 份报告：{} 份通过，{with_warnings} 份有警告，{with_errors} 份有错误，{unreadable} 份无法读取。结果见 {}\n",
        total - unreadable - with_errors - with_warnings,
        a.output.join("summary.xlsx").display()
    );
    super::stdout(msg.as_bytes())?;
    Ok(if with_errors > 0 || unreadable > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
