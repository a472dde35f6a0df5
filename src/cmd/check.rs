//! `xxgk check INPUT... [--previous LAST | --previous-dir DIR] [--format text|json] [-o 问题标注.xlsx]`:
//! files, and folders searched for reports as `batch` does; with `-o`, one
//! file's annotated workbook ([`xxgk::write::xlsx::render_annotated`]).

use super::progress::Progress;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::batch::{discover, Input, CHUNK, NOTHING_FOUND};
use xxgk::check::{tally, Finding};
use xxgk::error::Audience;
use xxgk::pipeline::{Prior, Session};
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// 要检查的报告文件或文件夹，可以有多个；文件夹会逐层查找其中的报告（与 batch 相同）。
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 上一年度的报告，用于跨年度对比（只能配合一个输入文件）。
    #[arg(long, value_name = "LAST")]
    pub previous: Option<PathBuf>,
    /// 上一年度报告所在的文件夹：按机关名称为每份报告配对上年报告，做跨年度检查（与 batch 相同）。
    #[arg(long, value_name = "DIR")]
    pub previous_dir: Option<PathBuf>,
    /// 输出格式：text（给人看）或 json（给程序用）。
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// 另存一份问题标注工作簿（.xlsx）：按官方格式排列的报告，出错的格标红并附批注，最可能出错的格加框，另有问题清单（只能配合一个输入文件）。
    #[arg(short, long, value_name = "问题标注.xlsx")]
    pub output: Option<PathBuf>,
    /// 问题标注工作簿已存在时覆盖。
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organ: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edition: Option<String>,
    /// Last year's report matched by --previous-dir.
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
    errors: usize,
    warnings: usize,
    /// Set when the file could not be used at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    unusable: Option<String>,
    /// Set when the file was not read (a lock file, another kind of file): why.
    #[serde(skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
    findings: Vec<Finding>,
    /// The annotated workbook asked for with `-o`.
    #[serde(skip)]
    annotated: Option<Result<Vec<u8>>>,
}

pub fn run(a: Args, session: &Session) -> Result<ExitCode> {
    let folders = a.inputs.iter().any(|p| p.is_dir());
    usage(&a, folders)?;
    let inputs = expand(&a.inputs, session)?;
    let given = a.previous.as_ref().map(|p| session.prior(p, &p.display().to_string()));
    let index = match &a.previous_dir {
        Some(d) => {
            let found = discover(std::slice::from_ref(d), None, session.limits())?;
            let jobs: Vec<_> = found.jobs().cloned().collect();
            let bar = Progress::new(jobs.len(), "读取上年报告");
            let index = session.index_previous(&jobs, &|| bar.tick());
            bar.clear();
            Some(index)
        }
        None => None,
    };
    let one = |input: &Input| check_one(input, session, &a, given.as_ref(), index.as_ref());
    let bar = Progress::new(inputs.list.len(), "检查");
    let mut results: Vec<FileResult> = Vec::with_capacity(inputs.list.len());
    for chunk in inputs.list.chunks(CHUNK) {
        let mut done: Vec<FileResult> = chunk
            .par_iter()
            .map(|f| {
                let r = one(f);
                bar.tick();
                r
            })
            .collect();
        if let OutputFormat::Text = a.format {
            // Findings are printed as each chunk is done, then dropped.
            bar.suspend(|| super::stdout(text_report(&done).as_bytes()))?;
            done.iter_mut().for_each(|r| r.findings = Vec::new());
        }
        results.append(&mut done);
    }
    bar.clear();
    if let (Some(out), Some(Input::File(job))) = (&a.output, inputs.list.first()) {
        if let Some(bytes) = results.iter_mut().find_map(|r| r.annotated.take()) {
            xxgk::output::write_file(out, &bytes?, a.force, std::slice::from_ref(&job.path))?;
            eprintln!("问题标注工作簿已保存：{}", out.display());
        }
    }
    conclude(&results, &a.format, folders)
}

/// The options that go together, or a usage error saying what to do.
fn usage(a: &Args, folders: bool) -> Result<()> {
    if a.previous.is_some() && a.previous_dir.is_some() {
        return Err(Error::Usage("--previous 和 --previous-dir 只能用其中一个".into()));
    }
    if a.previous.is_some() && (a.inputs.len() > 1 || folders) {
        return Err(Error::Usage(
            "--previous 只能配合一个输入文件使用。检查文件夹或多个文件时，请用 --previous-dir 指定上一年度报告所在的文件夹，按机关名称自动配对".into(),
        ));
    }
    if let Some(o) = &a.output {
        if a.inputs.len() > 1 || folders {
            return Err(Error::Usage(
                "-o（问题标注工作簿）只能配合一个输入文件使用；批量检查时，batch 会为每份有错误的报告生成一份".into(),
            ));
        }
        if !o.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
            return Err(Error::Usage(format!(
                "问题标注工作簿是 Excel 文件，输出文件名应以 .xlsx 结尾：{}",
                o.display()
            )));
        }
    }
    Ok(())
}

/// Read and check one input: against the report given with `--previous`,
/// else the one matched in `--previous-dir`'s index.
fn check_one(
    input: &Input,
    session: &Session,
    a: &Args,
    given: Option<&Prior>,
    index: Option<&xxgk::pipeline::PreviousIndex>,
) -> FileResult {
    let job = match input {
        Input::File(job) => job,
        Input::Skipped { shown, why } => return FileResult::skipped(shown.clone(), why.chinese()),
        Input::Broken { shown, error } => return FileResult::unusable(shown.clone(), error.to_string()),
    };
    let read = match session.read(&job.path, a.edition.edition.as_deref()) {
        Ok(r) => r,
        Err(e) => return FileResult::unusable(job.shown.clone(), e.to_string()),
    };
    let matched = index.map(|i| session.prior_from(i, &read.report));
    let prior = given.or(matched.as_ref()).unwrap_or(&Prior::None);
    let findings = session.check(&read, prior, Audience::Cli);
    let (errors, warnings) = tally(&findings);
    let annotated =
        a.output.as_ref().map(|_| xxgk::write::xlsx::render_annotated(&read.report, read.edition, &findings));
    FileResult {
        file: job.shown.clone(),
        organ: Some(read.report.organ.clone()),
        year: read.report.year,
        edition: Some(read.edition.name.clone()),
        previous: prior.shown().map(str::to_string),
        errors,
        warnings,
        unusable: None,
        skipped: None,
        findings,
        annotated,
    }
}

/// Print the JSON, or the one-line summary of several files, and the
/// messages of the files that could not be used; the exit status.
fn conclude(results: &[FileResult], format: &OutputFormat, folders: bool) -> Result<ExitCode> {
    let unusable = results.iter().filter(|r| r.unusable.is_some()).count();
    let skipped = results.iter().filter(|r| r.skipped.is_some()).count();
    let with_errors = results.iter().filter(|r| r.errors > 0).count();
    match format {
        OutputFormat::Json => {
            let mut text = xxgk::write::json::to_vec_pretty(results)?;
            text.push(b'\n');
            super::stdout(&text)?;
        }
        OutputFormat::Text if results.len() > 1 || folders => {
            let line = format!(
                "共 {} 个文件：{with_errors} 个有错误，{unusable} 个无法读取，{skipped} 个跳过，{} 个未发现错误。\n",
                results.len(),
                results.len() - with_errors - unusable - skipped
            );
            super::stdout(line.as_bytes())?;
        }
        OutputFormat::Text => {}
    }
    for r in results.iter().filter_map(|r| r.unusable.as_ref()) {
        eprintln!("xxgk：{r}");
    }
    Ok(if unusable > 0 {
        ExitCode::from(2)
    } else if with_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The files to check: files as given, folders searched as `batch` does
/// ([`discover`]); a folder without reports is an error.
fn expand(inputs: &[PathBuf], session: &Session) -> Result<xxgk::batch::Inputs> {
    for input in inputs.iter().filter(|p| p.is_dir()) {
        let found = discover(std::slice::from_ref(input), None, session.limits())?;
        if found.jobs().next().is_none() {
            return Err(Error::Usage(format!("文件夹 {} 中{NOTHING_FOUND}", input.display())));
        }
    }
    discover(inputs, None, session.limits())
}

impl FileResult {
    fn unusable(file: String, why: String) -> FileResult {
        FileResult {
            file,
            organ: None,
            year: None,
            edition: None,
            previous: None,
            errors: 0,
            warnings: 0,
            unusable: Some(why),
            skipped: None,
            findings: Vec::new(),
            annotated: None,
        }
    }
    fn skipped(file: String, why: String) -> FileResult {
        FileResult { unusable: None, skipped: Some(why), ..FileResult::unusable(file, String::new()) }
    }
}

fn text_report(results: &[FileResult]) -> String {
    let mut s = String::new();
    for r in results {
        if r.unusable.is_some() {
            let _ = writeln!(s, "== {}：无法读取（见下方说明）\n", r.file);
            continue;
        }
        if let Some(why) = &r.skipped {
            let _ = writeln!(s, "== {}：跳过（{why}）\n", r.file);
            continue;
        }
        let year = r.year.map(|y| format!("{y}年")).unwrap_or_else(|| "年度不明".into());
        let _ = writeln!(
            s,
            "== {}（{} {}，{}）",
            r.file,
            r.organ.as_deref().filter(|o| !o.trim().is_empty()).unwrap_or("机关不明"),
            year,
            r.edition.as_deref().unwrap_or("")
        );
        if let Some(p) = &r.previous {
            let _ = writeln!(s, "  对比的上年报告：{p}");
        }
        for f in &r.findings {
            let _ = writeln!(s, "  {} {}  {}", f.severity.chinese(), f.code, f.message);
            if let Some(src) = &f.source {
                let _ = writeln!(s, "      位置：{}", src.describe());
            }
            if let Some(note) = f.as_written_note() {
                let _ = writeln!(s, "      原文：{note}");
            }
        }
        let verdict = if r.errors == 0 && r.warnings == 0 { "未发现问题" } else { "" };
        let _ = writeln!(s, "  共 {} 个错误，{} 个警告。{}\n", r.errors, r.warnings, verdict);
    }
    s
}
