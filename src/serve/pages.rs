//! The endpoints behind the four pages. Each reads uploads through the
//! configured reader and calls the library as the CLI does.

use super::guard::guard;
use super::jobs::{temp_dir, valid_id, BatchJob, BatchState, Checked, Counts, Job, Shared};
use super::upload::{receive, request_cap, Form, Upload};
use super::{assets, Fail};
use crate::batch::{Input, Inputs, Options};
use crate::check::{tally, Finding};
use crate::error::{Audience, Error};
use crate::pipeline::{Job as BatchInput, Prior, Read, Status};
use crate::write::{render, Format};
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub fn router(app: Shared) -> Router {
    let cap = usize::try_from(request_cap(app.cfg.session.limits())).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/app.css", get(assets::style))
        .route("/api/check", post(check_files))
        .route("/api/job/{job}/{n}/{kind}", get(download))
        .route("/api/batch", post(start_batch))
        .route("/api/batch/{job}", get(batch_state))
        .route("/api/batch/{job}/{file}", get(batch_file))
        .route("/api/batch/{job}/annotated/{n}", get(batch_annotated))
        .route("/api/template", post(templates))
        .route("/api/template/{job}", get(template_zip_download))
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(cap))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

async fn wrong_method() -> Fail {
    Fail(StatusCode::METHOD_NOT_ALLOWED, "请求方式不对。请从首页开始操作。".into())
}

async fn not_found() -> Fail {
    Fail(StatusCode::NOT_FOUND, "没有这个页面。请从首页开始：检查、批量、模板、发布。".into())
}

/// The form of a request, received into `dir`.
async fn form(app: &Shared, mp: Result<Multipart, MultipartRejection>, dir: &Path) -> Result<Form, Fail> {
    let mp = mp.map_err(|_| Fail::bad("请求不是文件上传表单。请在页面上选择文件后提交。"))?;
    receive(mp, dir, app.cfg.session.limits()).await
}

/// Run blocking work (reading, checking, writing) when a worker slot is free.
async fn blocking<T: Send + 'static>(app: &Shared, f: impl FnOnce() -> T + Send + 'static) -> Result<T, Fail> {
    let _permit = app.work.clone().acquire_owned().await.map_err(|_| Fail::internal("服务正在关闭"))?;
    let pool = app.pool.clone();
    tokio::task::spawn_blocking(move || match pool {
        Some(p) => p.install(f),
        None => f(),
    })
    .await
    .map_err(|_| Fail::internal("处理这个文件时程序内部出错。请把文件报告给开发者。"))
}

/// The uploads of a field as batch inputs (the one rule of
/// [`crate::batch::classify`]: reports, zips opened, the rest listed).
fn inputs_of(app: &Shared, uploads: &[&Upload]) -> Inputs {
    let files: Vec<(Option<PathBuf>, String, Option<u64>)> =
        uploads.iter().map(|u| (u.stored.clone(), u.shown.clone(), u.oversize)).collect();
    Inputs::uploaded(&files, app.cfg.session.limits())
}

/// An error about an upload, its stored path shown by the upload's name.
fn shown_error(mut e: Error, job: &BatchInput) -> String {
    let shown = PathBuf::from(&job.shown);
    e.relabel(&|p| (p == job.path).then(|| shown.clone()));
    e.message(Audience::Page)
}

/// Last year's report of an upload, its error (if any) worded for the page.
fn shown_prior<'s>(prior: Prior<'s>, job: &BatchInput) -> Prior<'s> {
    match prior {
        Prior::Unreadable { shown, mut error } => {
            let name = PathBuf::from(&job.shown);
            error.relabel(&|p| (p == job.path).then(|| name.clone()));
            Prior::Unreadable { shown, error }
        }
        other => other,
    }
}

/// What became of an upload on 检查/发布.
#[derive(Serialize, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    #[serde(rename = "已读取")]
    Read,
    #[serde(rename = "无法读取")]
    Unreadable,
    #[serde(rename = "不是年报")]
    NotReport,
    #[serde(rename = "跳过")]
    Skipped,
}

/// One report as the 检查 and 发布 pages show it.
#[derive(Serialize)]
struct ReportView {
    file: String,
    outcome: Outcome,
    /// Why it could not be read, is no report, or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    organ: String,
    year: Option<u32>,
    edition: String,
    title: String,
    errors: usize,
    warnings: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<String>,
    findings: Vec<Finding>,
    /// For each finding, its note on whether its numbers were read as
    /// written ([`Finding::as_written_note`]).
    notes: Vec<Option<&'static str>>,
    /// For each finding, where it is in the file, as the file shows it.
    places: Vec<Option<String>>,
    /// The tables as drawn, value cells carrying `data-cell` and `data-label`.
    tables: String,
    preamble: String,
    parts: Vec<(String, String)>,
}

#[derive(Serialize)]
struct CheckView {
    job: String,
    reports: Vec<ReportView>,
}

/// 检查 and 发布: `file` (one or more), optionally `previous` (last year's
/// reports, matched by organ as `check --previous-dir` does; with one file
/// and one previous report they are compared as `check --previous`).
async fn check_files(
    State(app): State<Shared>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Json<CheckView>, Fail> {
    let dir = temp_dir()?;
    let form = form(&app, mp, dir.path()).await?;
    if form.files("file").is_empty() {
        return Err(Fail::bad("请先选择要检查的报告文件。"));
    }
    let a = app.clone();
    let (views, kept) = blocking(&app, move || check_all(&a, &form)).await?;
    drop(dir);
    let job = app.add(Job::Reports { created: Instant::now(), reports: Arc::new(kept) })?;
    Ok(Json(CheckView { job, reports: views }))
}

/// Read and check every `file` through the session; a last-year report
/// that cannot be read is said on the report it was for, never an abort.
fn check_all(app: &Shared, form: &Form) -> (Vec<ReportView>, Vec<Checked>) {
    let session = &app.cfg.session;
    let inputs = inputs_of(app, &form.files("file"));
    let previous = inputs_of(app, &form.files("previous"));
    let prev_jobs: Vec<BatchInput> = previous.jobs().cloned().collect();
    let single = match (inputs.jobs().count(), prev_jobs.as_slice()) {
        (1, [p]) => Some(shown_prior(session.prior(&p.path, &p.shown), p)),
        _ => None,
    };
    let index = (single.is_none() && !prev_jobs.is_empty()).then(|| session.index_previous(&prev_jobs, &|| {}));
    let done: Vec<(ReportView, Checked)> = inputs
        .list
        .par_iter()
        .map(|input| {
            let job = match input {
                Input::File(job) => job,
                Input::Skipped { shown, why } => return without(shown, Outcome::Skipped, why.chinese()),
                Input::Broken { shown, error } => {
                    let outcome = if error.is_not_a_report() { Outcome::NotReport } else { Outcome::Unreadable };
                    return without(shown, outcome, error.message(Audience::Page));
                }
            };
            let mut read = match session.read(&job.path, None) {
                Ok(r) => r,
                Err(e) => {
                    let outcome = if e.is_not_a_report() { Outcome::NotReport } else { Outcome::Unreadable };
                    return without(&job.shown, outcome, shown_error(e, job));
                }
            };
            read.report.relabel_file(&job.path.to_string_lossy(), &job.shown);
            let matched = index.as_ref().map(|i| session.prior_from(i, &read.report));
            let prior = single.as_ref().or(matched.as_ref()).unwrap_or(&Prior::None);
            let findings = session.check(&read, prior, Audience::Page);
            let view = view(&job.shown, &read, findings.clone(), prior.shown().map(str::to_string));
            (view, (job.shown.clone(), Some((read.report, findings))))
        })
        .collect();
    done.into_iter().unzip()
}

fn without(file: &str, outcome: Outcome, reason: String) -> (ReportView, Checked) {
    let view = ReportView {
        file: file.to_string(),
        outcome,
        reason: Some(reason),
        organ: String::new(),
        year: None,
        edition: String::new(),
        title: String::new(),
        errors: 0,
        warnings: 0,
        previous: None,
        findings: Vec::new(),
        notes: Vec::new(),
        places: Vec::new(),
        tables: String::new(),
        preamble: String::new(),
        parts: Vec::new(),
    };
    (view, (file.to_string(), None))
}

fn view(file: &str, read: &Read<'_>, findings: Vec<Finding>, previous: Option<String>) -> ReportView {
    let (errors, warnings) = tally(&findings);
    let r = &read.report;
    ReportView {
        file: file.to_string(),
        outcome: Outcome::Read,
        reason: None,
        organ: r.organ.clone(),
        year: r.year,
        edition: read.edition.name.clone(),
        title: r.title.clone(),
        errors,
        warnings,
        previous,
        notes: findings.iter().map(Finding::as_written_note).collect(),
        places: findings.iter().map(|f| f.source.as_ref().map(|s| s.describe())).collect(),
        findings,
        tables: crate::write::html::tables(r, read.edition),
        preamble: r.preamble.clone(),
        parts: r.parts.values().map(|p| (p.heading.clone(), p.text.clone())).collect(),
    }
}

/// A report of a 检查/发布 job in a format: `json`, `xlsx` (the filled
/// workbook), `docx` (the publication), `html`, `pdf`.
async fn download(
    State(app): State<Shared>,
    UrlPath((job, n, kind)): UrlPath<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, Fail> {
    let n: usize = n.parse().map_err(|_| Fail::bad("下载地址有误。"))?;
    if !valid_id(&job) {
        return Err(Fail::bad("下载地址有误。"));
    }
    let flag = |name: &str| query.as_deref().is_some_and(|q| q.split('&').any(|p| p == format!("{name}=1")));
    let (inline, allow_errors) = (flag("inline"), flag("allow_errors"));
    let Job::Reports { reports, .. } = app.get(&job)? else {
        return Err(Fail::bad("下载地址有误。"));
    };
    let (shown, checked) = reports.get(n).cloned().ok_or_else(|| Fail::bad("下载地址有误。"))?;
    let (report, findings) = checked.ok_or_else(|| Fail::bad(format!("{shown} 无法读取，没有可下载的结果。")))?;
    let stem = shown.rsplit('/').next().unwrap_or(&shown);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s).to_string();
    // The annotated workbook, as `check -o` and `batch` write it.
    let annotated = kind == "annotated";
    let format = match Format::from_name(&kind) {
        Some(f) => f,
        None if annotated => Format::Xlsx,
        None => return Err(Fail::bad(format!("不支持的下载格式 “{}”", shown_kind(&kind)))),
    };
    let session = app.cfg.session.clone();
    let bytes = blocking(&app, move || {
        let edition = session.editions().lookup(&report.edition)?;
        let read = Read { report, edition };
        if annotated {
            crate::write::xlsx::render_annotated(&read.report, edition, &findings)
        } else if format.is_publication() {
            session.publish(&read, format, allow_errors)
        } else {
            render(format, &read.report, edition, &crate::write::Options::to(true), session.limits())
        }
    })
    .await?
    .map_err(Fail::from_error)?;
    let ext = Format::ALL.iter().find(|(_, f)| *f == format).map_or("bin", |(n, _)| n);
    let name = match format {
        _ if annotated => format!("{stem}.问题标注.xlsx"),
        Format::Docx => format!("{stem}-公开版.docx"),
        Format::Xlsx => format!("{stem}-填报表.xlsx"),
        _ => format!("{stem}.{ext}"),
    };
    Ok(file_response(bytes, &name, inline && format == Format::Html))
}

fn shown_kind(kind: &str) -> String {
    kind.chars().filter(|c| c.is_ascii_alphanumeric()).take(10).collect()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "html" => "text/html; charset=utf-8",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// A download named `name` (a shown name: made safe for the header here).
fn file_response(bytes: Vec<u8>, name: &str, inline: bool) -> Response {
    let safe: String =
        name.chars().map(|c| if c.is_control() || "/\\\"<>:|?*".contains(c) { '_' } else { c }).collect();
    let ascii: String = safe.chars().map(|c| if c.is_ascii() && c != '%' { c } else { '_' }).collect();
    let encoded: String = safe
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition =
        format!("{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}", if inline { "inline" } else { "attachment" });
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(&safe)));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[derive(Serialize)]
struct Started {
    job: String,
    total: usize,
}

/// 批量: `file` (many, a folder's), optionally `previous` (last year's).
/// Starts the batch and answers at once; the page polls [`batch_state`].
async fn start_batch(
    State(app): State<Shared>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Json<Started>, Fail> {
    let dir = temp_dir()?;
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    for d in [&input, &out] {
        std::fs::create_dir_all(d).map_err(|e| Fail::internal(format!("无法创建临时文件夹（{e}）")))?;
    }
    let form = form(&app, mp, &input).await?;
    let inputs = inputs_of(&app, &form.files("file"));
    if inputs.list.is_empty() {
        return Err(Fail::bad(format!("所选文件中{}", crate::batch::NOTHING_FOUND)));
    }
    let previous = inputs_of(&app, &form.files("previous"));
    let total = inputs.list.len();
    let state = BatchState { phase: "排队等待".into(), ..BatchState::default() };
    let job =
        Arc::new(BatchJob { created: Instant::now(), dir, total, done: AtomicUsize::new(0), state: Mutex::new(state) });
    let id = app.add(Job::Batch(job.clone()))?;
    let a = app.clone();
    tokio::spawn(async move {
        let b = job.clone();
        let a2 = a.clone();
        let r = blocking(&a, move || run_batch(&a2, &b, &inputs, &previous)).await;
        let error = match r {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(Fail(_, e)) => Some(e),
        };
        let _ = std::fs::remove_dir_all(job.dir.path().join("in"));
        if let Ok(mut s) = job.state.lock() {
            s.error = error;
            s.finished = true;
            s.phase = "完成".into();
        }
    });
    Ok(Json(Started { job: id, total }))
}

fn set_phase(job: &BatchJob, phase: &str) {
    if let Ok(mut s) = job.state.lock() {
        s.phase = phase.into();
    }
}

/// The batch of the CLI ([`crate::batch::run`]), its rows worded for the page.
fn run_batch(app: &Shared, job: &BatchJob, inputs: &Inputs, previous: &Inputs) -> Result<(), String> {
    let session = &app.cfg.session;
    let prev_jobs: Vec<BatchInput> = previous.jobs().cloned().collect();
    let index = (!prev_jobs.is_empty()).then(|| {
        set_phase(job, "读取上年报告");
        session.index_previous(&prev_jobs, &|| {})
    });
    set_phase(job, "检查报告");
    let out = job.dir.path().join("out");
    let opts = Options {
        outdir: &out,
        force: false,
        previous: index.as_ref(),
        audience: Audience::Page,
        cells: Default::default(),
        keep_rows: true,
    };
    let tick = || {
        job.done.fetch_add(1, Ordering::Relaxed);
    };
    let mut sink = |rows: &[crate::pipeline::Row]| {
        if let Ok(mut s) = job.state.lock() {
            let base = s.rows.len();
            for (i, r) in rows.iter().enumerate() {
                let mut shown = r.clone();
                shown.findings = Vec::new();
                s.rows.push(shown);
                s.findings.extend(r.findings.iter().map(|f| (base + i, f.clone())));
            }
        }
    };
    let outcome = crate::batch::run(session, inputs, &opts, &tick, &mut sink).map_err(|e| e.message(Audience::Page))?;
    set_phase(job, "生成汇总");
    let mut totals = Vec::new();
    for t in &outcome.totals {
        if let Some(ed) = session.editions().get(&t.edition) {
            let html = crate::write::html::tables(&t.totals.report(ed, "汇总"), ed);
            totals.push((t.year, ed.name.clone(), t.sources.len(), html));
        }
    }
    if let Ok(mut s) = job.state.lock() {
        s.rows = outcome.rows.clone();
        s.findings.extend(outcome.late.iter().cloned());
        s.findings.sort_by_key(|(i, _)| *i);
        s.totals = totals;
        s.summary = outcome.describe();
        s.previous_unreadable = outcome.previous_unreadable.clone();
        s.counts = Counts {
            read: outcome.counts.read(),
            unreadable: outcome.count(Status::Unreadable),
            not_report: outcome.count(Status::NotReport),
            skipped: outcome.count(Status::Skipped),
            with_errors: outcome.count(Status::Errors),
        };
    }
    Ok(())
}

#[derive(Serialize)]
struct BatchView {
    total: usize,
    done: usize,
    #[serde(flatten)]
    state: BatchState,
}

async fn batch_job(app: &Shared, id: &str) -> Result<Arc<BatchJob>, Fail> {
    if !valid_id(id) {
        return Err(Fail::bad("地址有误。"));
    }
    match app.get(id)? {
        Job::Batch(b) => Ok(b),
        _ => Err(Fail::bad("地址有误。")),
    }
}

async fn batch_state(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Result<Json<BatchView>, Fail> {
    let b = batch_job(&app, &id).await?;
    let state = {
        let s = b.state.lock().map_err(|_| Fail::internal("内部状态出错"))?;
        if s.finished {
            s.clone()
        } else {
            // While it runs, only the progress: the page polls every 400 ms,
            // and resending every row each time would grow with the batch.
            BatchState { phase: s.phase.clone(), ..BatchState::default() }
        }
    };
    Ok(Json(BatchView { total: b.total, done: b.done.load(Ordering::Relaxed), state }))
}

/// `summary.xlsx` or `outputs.zip` (every output of the batch).
async fn batch_file(
    State(app): State<Shared>,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Result<Response, Fail> {
    let b = batch_job(&app, &id).await?;
    if !b.state.lock().map_err(|_| Fail::internal("内部状态出错"))?.finished {
        return Err(Fail::bad("批量处理尚未完成，请稍候。"));
    }
    let out = b.dir.path().join("out");
    match file.as_str() {
        "summary.xlsx" => {
            let bytes =
                std::fs::read(out.join("summary.xlsx")).map_err(|e| Fail::internal(format!("汇总表不存在（{e}）")))?;
            Ok(file_response(bytes, "summary.xlsx", false))
        }
        "outputs.zip" => {
            let bytes = blocking(&app, move || zip_folder(&out)).await?.map_err(Fail::internal)?;
            Ok(file_response(bytes, "批量处理结果.zip", false))
        }
        _ => Err(Fail(StatusCode::NOT_FOUND, "没有这个文件。".into())),
    }
}

/// The annotated workbook of row `n` of a finished batch (a path the batch
/// chose, under its output folder).
async fn batch_annotated(
    State(app): State<Shared>,
    UrlPath((id, n)): UrlPath<(String, String)>,
) -> Result<Response, Fail> {
    let b = batch_job(&app, &id).await?;
    let n: usize = n.parse().map_err(|_| Fail::bad("地址有误。"))?;
    let (source, rel) = {
        let s = b.state.lock().map_err(|_| Fail::internal("内部状态出错"))?;
        let row = s.rows.get(n).filter(|_| s.finished).ok_or_else(|| Fail::bad("地址有误。"))?;
        (row.source.clone(), row.annotated.clone())
    };
    let rel = rel.ok_or_else(|| Fail(StatusCode::NOT_FOUND, format!("{source} 没有问题标注工作簿（没有错误）。")))?;
    let bytes = std::fs::read(b.dir.path().join("out").join(&rel))
        .map_err(|e| Fail::internal(format!("问题标注工作簿不存在（{e}）")))?;
    let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
    Ok(file_response(bytes, &name, false))
}

/// Every file under `dir`, zipped (names relative to `dir`, sorted).
fn zip_folder(dir: &Path) -> Result<Vec<u8>, String> {
    let page = |e: Error| e.message(Audience::Page);
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| page(Error::io(&d, e)))?.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                files.push((rel.to_string_lossy().replace('\\', "/"), p.clone()));
            }
        }
    }
    files.sort();
    let entries: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|(n, p)| std::fs::read(&p).map(|b| (n, b)).map_err(|e| page(Error::io(&p, e))))
        .collect::<Result<_, _>>()?;
    zip(entries)
}

/// The entries zipped, in order, with a fixed timestamp (the same zip
/// writer as the Office packages).
fn zip(entries: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, String> {
    let (names, bytes): (Vec<String>, Vec<Vec<u8>>) = entries.into_iter().unzip();
    let parts: Vec<(&str, Vec<u8>)> = names.iter().map(String::as_str).zip(bytes).collect();
    crate::ooxml::package(&parts).map_err(|e| Error::render("压缩包", e).message(Audience::Page))
}

#[derive(Serialize)]
struct TemplateRow {
    organ: String,
    /// Last year's report used, or why none was.
    note: String,
    prefilled: bool,
}

#[derive(Serialize)]
struct TemplateView {
    job: String,
    name: String,
    rows: Vec<TemplateRow>,
}

/// 模板: `year`, `organs` (one per line), optionally `organs_file`,
/// `previous` (last year's reports, matched by organ: only the same
/// organ's report of the year before prefills, unless `previous_any`) →
/// a zip of each organ's xlsx and docx, kept for download, and what was
/// prefilled from what.
async fn templates(
    State(app): State<Shared>,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Json<TemplateView>, Fail> {
    let dir = temp_dir()?;
    let form = form(&app, mp, dir.path()).await?;
    let year: u32 = form
        .text("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Fail::bad("请填写报告年度，如 2025。"))?;
    let a = app.clone();
    let (zip, rows) = blocking(&app, move || {
        let session = &a.cfg.session;
        let mut listed = form.text("organs").unwrap_or("").lines().map(str::to_string).collect::<Vec<_>>();
        for u in form.files("organs_file") {
            let path =
                u.stored.as_ref().ok_or_else(|| format!("{}：机关名单请用 .xlsx、.docx 或 .txt 文件", u.shown))?;
            let job = BatchInput { path: path.clone(), shown: u.shown.clone(), output: String::new() };
            listed.extend(session.organs(path).map_err(|e| shown_error(e, &job))?);
        }
        let organs = crate::template::organ_list(listed.iter().map(String::as_str));
        if organs.is_empty() {
            return Err("请填写机关名称，每行一个（或选择机关名单文件）。".to_string());
        }
        if organs.len() > crate::template::MAX_ORGANS {
            return Err(format!("一次最多生成 {} 个机关的模板，请分批生成。", crate::template::MAX_ORGANS));
        }
        let any = matches!(form.text("previous_any"), Some("1" | "on" | "true"));
        template_zip(&a, &form, year, &organs, any)
    })
    .await?
    .map_err(Fail::bad)?;
    drop(dir);
    let name = format!("{year}年报模板.zip");
    let job = app.add(Job::Templates { created: Instant::now(), zip: Arc::new(zip), name: name.clone() })?;
    Ok(Json(TemplateView { job, name, rows }))
}

/// The zip of templates made by [`templates`].
async fn template_zip_download(State(app): State<Shared>, UrlPath(id): UrlPath<String>) -> Result<Response, Fail> {
    if !valid_id(&id) {
        return Err(Fail::bad("下载地址有误。"));
    }
    match app.get(&id)? {
        Job::Templates { zip, name, .. } => Ok(file_response(zip.to_vec(), &name, false)),
        _ => Err(Fail::bad("下载地址有误。")),
    }
}

fn template_zip(
    app: &Shared,
    form: &Form,
    year: u32,
    organs: &[String],
    any: bool,
) -> Result<(Vec<u8>, Vec<TemplateRow>), String> {
    let session = &app.cfg.session;
    let ed = crate::template::edition_for(session.editions(), None, year).map_err(|e| e.message(Audience::Page))?;
    let previous = inputs_of(app, &form.files("previous"));
    let prev_jobs: Vec<BatchInput> = previous.jobs().cloned().collect();
    let index = (!prev_jobs.is_empty()).then(|| session.index_previous(&prev_jobs, &|| {}));
    let mut used = HashSet::new();
    let mut entries = Vec::new();
    let mut rows = Vec::new();
    for organ in organs {
        let (last, note) = match &index {
            Some(i) => session.template_prior(i, organ, year, any),
            None => (None, "未选择上一年度报告，未预填".to_string()),
        };
        let report = crate::template::blank(ed, organ, year, last.as_ref().map(|r| (&r.report, r.edition)));
        rows.push(TemplateRow { organ: organ.clone(), note, prefilled: last.is_some() });
        let base = crate::batch::unique_name(organ, &mut used);
        let base = base.trim_end_matches(".json");
        for format in [Format::Xlsx, Format::Docx] {
            let bytes = crate::template::render(&report, ed, format).map_err(|e| e.message(Audience::Page))?;
            let ext = if format == Format::Xlsx { "xlsx" } else { "docx" };
            entries.push((format!("{base}.{ext}"), bytes));
        }
    }
    Ok((zip(entries)?, rows))
}
