//! `xxgk batch INPUT... -o OUTDIR [--previous-dir DIR]`: a whole county.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use xxgk::batch::{discover, index_previous, run as run_batch};
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// 报告文件或文件夹（.docx、.xlsx、.json、.txt、.html），文件夹会逐层查找。
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
        return Err(Error::OutputExists { path: a.output.join("summary.xlsx") });
    }
    std::fs::create_dir_all(&a.output).map_err(|e| Error::io(&a.output, e))?;
    if let Some(n) = a.jobs {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let jobs = discover(&a.inputs, &a.output)?;
    if jobs.is_empty() {
        return Err(Error::Usage("输入中没有找到报告文件（.docx、.xlsx、.json、.txt、.html）".into()));
    }
    let previous = match &a.previous_dir {
        Some(d) => {
            let prev_jobs = discover(std::slice::from_ref(d), &a.output)?;
            Some(index_previous(&prev_jobs, &read))
        }
        None => None,
    };
    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let bar = std::io::stderr().is_terminal().then(|| {
        let (done, stop, total) = (done.clone(), stop.clone(), jobs.len());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let n = done.load(Ordering::Relaxed);
                let width = 30;
                let filled = n * width / total.max(1);
                eprint!("\r[{}{}] {n}/{total}", "#".repeat(filled), " ".repeat(width - filled));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprintln!("\r[{}] {total}/{total}", "#".repeat(30));
        })
    });
    let mut summary = xxgk::write::summary::SummaryWriter::new(&a.output, a.force)?;
    let outcome =
        run_batch(&jobs, editions, &read, &a.output, previous.as_ref(), &done, &mut |rows| summary.chunk(rows));
    stop.store(true, Ordering::Relaxed);
    if let Some(b) = bar {
        let _ = b.join();
    }
    let outcome = outcome?;
    summary.finish(&outcome, editions)?;
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
