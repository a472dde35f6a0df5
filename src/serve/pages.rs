//! The endpoints behind the four pages. Each reads uploads through the
//! configured reader and calls the library as the CLI does.

use super::guard::guard;
use super::jobs::{temp_dir, valid_id, BatchJob, BatchState, Checked, Job, Shared};
use super::upload::{receive, request_cap, Form, Upload};
use super::{assets, Fail};
use crate::batch::{index_previous, previous_for, unique_name, Job as BatchInput, PreviousIndex};
use crate::check::{check, tally, Finding, Previous};
use crate::edition::Edition;
use crate::model::Report;
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
    let cap = usize::try_from(request_cap(&app.cfg.limits)).unwrap_or(usize::MAX);
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
    let mp =
        mp.map_err(|e| Fail::bad(format!("请求不是文件上传表单（{}）。请在页面上选择文件后提交。", e.body_text())))?;
    receive(mp, dir, &app.cfg.limits).await
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

/// Read an upload; its stored path is replaced by its shown name in the
/// report's sources and in any message.
fn read_upload(app: &Shared, u: &Upload) -> Result<Report, String> {
    let Some(path) = &u.stored else {
        return Err(format!(
            "{}：不是 xxgk 能读取的文件类型（支持 .docx、.xlsx、.json、.pdf、.txt、.html 及旧版 .doc、.xls、.wps 等）",
            u.shown
        ));
    };
    let stored = path.display().to_string();
    match (app.cfg.read)(path) {
        Ok(mut r) => {
            for s in r.provenance.values_mut() {
                if s.file == stored {
                    s.file = u.shown.clone();
                }
            }
            for w in &mut r.warnings {
                w.message = w.message.replace(&stored, &u.shown);
                if let Some(s) = w.source.as_mut().filter(|s| s.file == stored) {
                    s.file = u.shown.clone();
                }
            }
            Ok(r)
        }
        Err(e) => Err(e.to_string().replace(&stored, &u.shown)),
    }
}

/// One report as the 检查 and 发布 pages show it.
#[derive(Serialize)]
struct ReportView {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    unusable: Option<String>,
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
    /// The tables as drawn, value cells carrying `data-cell`.
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
    let (views, kept) = blocking(&app, move || check_all(&a, &form)).await?.map_err(Fail::bad)?;
    drop(dir);
    let job = app.add(Job::Reports { created: Instant::now(), reports: Arc::new(kept) })?;
    Ok(Json(CheckView { job, reports: views }))
}

/// Read and check every `file`; an unreadable single `previous` report is
/// an error (as `check --previous`), said in Chinese.
fn check_all(app: &Shared, form: &Form) -> Result<(Vec<ReportView>, Vec<Checked>), String> {
    let editions = &app.cfg.editions;
    let files = form.files("file");
    let prevs = form.files("previous");
    let read = |p: &Path| (app.cfg.read)(p);
    let single = match (files.len(), prevs.as_slice()) {
        (1, [p]) => {
            let r = read_upload(app, p).map_err(|why| format!("上一年度报告无法读取：{why}"))?;
            let ed = editions.get(&r.edition).cloned().ok_or_else(|| format!("没有 “{}” 这个格式版本", r.edition))?;
            Some((r, ed))
        }
        _ => None,
    };
    let index: Option<PreviousIndex> = (single.is_none() && !prevs.is_empty()).then(|| {
        let jobs = inputs(&prevs);
        index_previous(&jobs, &read, &|| {})
    });
    let done: Vec<(ReportView, Checked)> = files
        .par_iter()
        .map(|u| {
            let report = match read_upload(app, u) {
                Ok(r) => r,
                Err(why) => return (unusable(&u.shown, why), (u.shown.clone(), None)),
            };
            let Some(ed) = editions.get(&report.edition) else {
                let why = format!("{}：没有 “{}” 这个格式版本", u.shown, report.edition);
                return (unusable(&u.shown, why), (u.shown.clone(), None));
            };
            let matched = index.as_ref().and_then(|i| previous_for(i, &report, editions, &read));
            let (prev, prev_shown) = match (&single, &matched) {
                (Some((r, e)), _) => (Some(Previous { report: r, edition: e }), prevs.first().map(|p| p.shown.clone())),
                (None, Some((r, e, shown))) => (Some(Previous { report: r, edition: e }), Some(shown.clone())),
                (None, None) => (None, None),
            };
            let findings = check(&report, ed, prev);
            let view = view(&u.shown, &report, ed, findings.clone(), prev_shown);
            (view, (u.shown.clone(), Some((report, findings))))
        })
        .collect();
    Ok(done.into_iter().unzip())
}

/// Uploads as batch inputs (shown by their names).
fn inputs(uploads: &[&Upload]) -> Vec<BatchInput> {
    let mut used = HashSet::new();
    uploads
        .iter()
        .filter_map(|u| {
            let path = u.stored.clone()?;
            Some(BatchInput { output: unique_name(&u.shown, &mut used), shown: u.shown.clone(), path })
        })
        .collect()
}

fn unusable(file: &str, why: String) -> ReportView {
    ReportView {
        file: file.to_string(),
        unusable: Some(why),
        organ: String::new(),
        year: None,
        edition: String::new(),
        title: String::new(),
        errors: 0,
        warnings: 0,
        previous: None,
        findings: Vec::new(),
        notes: Vec::new(),
        tables: String::new(),
        preamble: String::new(),
        parts: Vec::new(),
    }
}

fn view(file: &str, r: &Report, ed: &Edition, findings: Vec<Finding>, previous: Option<String>) -> ReportView {
    let (errors, warnings) = tally(&findings);
    ReportView {
        file: file.to_string(),
        unusable: None,
        organ: r.organ.clone(),
        year: r.year,
        edition: ed.name.clone(),
        title: r.title.clone(),
        errors,
        warnings,
        previous,
        notes: findings.iter().map(Finding::as_written_note).collect(),
        findings,
        tables: crate::write::html::tables(r, ed),
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
    let inline = query.is_some_and(|q| q.split('&').any(|p| p == "inline=1"));
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
    let editions = app.cfg.editions.clone();
    let limits = app.cfg.limits;
    let bytes = blocking(&app, move || {
        let ed = editions.get(&report.edition).ok_or_else(|| format!("没有 “{}” 这个格式版本", report.edition))?;
        if annotated {
            crate::write::xlsx::render_annotated(&report, ed, &findings)
        } else {
            render(format, &report, ed, true, &limits)
        }
        .map_err(|e| e.to_string())
    })
    .await?
    .map_err(Fail::internal)?;
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
    let files = form.files("file");
    let jobs = inputs(&files);
    if jobs.is_empty() {
        return Err(Fail::bad(format!("所选文件中{}", crate::batch::NOTHING_FOUND)));
    }
    let ignored = files.iter().filter(|u| u.stored.is_none()).map(|u| u.shown.clone()).collect();
    let prev_jobs = inputs(&form.files("previous"));
    let total = jobs.len();
    let state = BatchState { phase: "排队等待".into(), ignored, ..BatchState::default() };
    let job =
        Arc::new(BatchJob { created: Instant::now(), dir, total, done: AtomicUsize::new(0), state: Mutex::new(state) });
    let id = app.add(Job::Batch(job.clone()))?;
    let a = app.clone();
    tokio::spawn(async move {
        let b = job.clone();
        let a2 = a.clone();
        let r = blocking(&a, move || run_batch(&a2, &b, &jobs, &prev_jobs)).await;
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

fn run_batch(app: &Shared, job: &BatchJob, jobs: &[BatchInput], prev_jobs: &[BatchInput]) -> Result<(), String> {
    let editions = &app.cfg.editions;
    let read = |p: &Path| (app.cfg.read)(p);
    let rename = |s: &str| {
        jobs.iter().chain(prev_jobs).fold(s.to_string(), |s, j| s.replace(&j.path.display().to_string(), &j.shown))
    };
    let previous = (!prev_jobs.is_empty()).then(|| {
        set_phase(job, "读取上年报告");
        index_previous(prev_jobs, &read, &|| {})
    });
    set_phase(job, "检查报告");
    let out = job.dir.path().join("out");
    let reports_dir = out.join(crate::batch::REPORTS_DIR);
    let process = |j: &crate::batch::Job| crate::batch::process(j, editions, &read, &reports_dir, previous.as_ref());
    let outcome = crate::write::summary::batch(
        jobs,
        editions,
        &process,
        &out,
        false,
        &|| {
            job.done.fetch_add(1, Ordering::Relaxed);
        },
        &mut |rows| {
            if let Ok(mut s) = job.state.lock() {
                let base = s.rows.len();
                for (i, r) in rows.iter().enumerate() {
                    let mut shown = r.clone();
                    shown.findings = Vec::new();
                    shown.status = rename(&shown.status);
                    s.rows.push(shown);
                    s.findings.extend(r.findings.iter().map(|f| (base + i, f.clone())));
                }
            }
        },
    )
    .map_err(|e| rename(&e.to_string()))?;
    set_phase(job, "生成汇总");
    let mut totals = Vec::new();
    for (id, t) in &outcome.totals {
        if let Some(ed) = editions.get(id) {
            totals.push((ed.name.clone(), t.reports, crate::write::html::tables(&t.report(ed, "汇总"), ed)));
        }
    }
    if let Ok(mut s) = job.state.lock() {
        s.rows = outcome.rows.clone();
        for r in &mut s.rows {
            r.status = rename(&r.status);
        }
        s.findings.extend(outcome.late.iter().cloned());
        s.findings.sort_by_key(|(i, _)| *i);
        s.totals = totals;
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
        Job::Reports { .. } => Err(Fail::bad("地址有误。")),
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
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| e.to_string())?.flatten() {
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
        .map(|(n, p)| std::fs::read(&p).map(|b| (n, b)).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    zip(entries)
}

/// The entries zipped, in order, with a fixed timestamp (the same zip
/// writer as the Office packages).
fn zip(entries: Vec<(String, Vec<u8>)>) -> Result<Vec<u8>, String> {
    let (names, bytes): (Vec<String>, Vec<Vec<u8>>) = entries.into_iter().unzip();
    let parts: Vec<(&str, Vec<u8>)> = names.iter().map(String::as_str).zip(bytes).collect();
    crate::ooxml::package(&parts).map_err(|e| format!("无法生成压缩包（{e}）"))
}

/// 模板: `year`, `organs` (one per line), optionally `previous` (last
/// year's reports, matched by organ) → a zip of each organ's xlsx and docx.
async fn templates(State(app): State<Shared>, mp: Result<Multipart, MultipartRejection>) -> Result<Response, Fail> {
    let dir = temp_dir()?;
    let form = form(&app, mp, dir.path()).await?;
    let year: u32 = form
        .text("year")
        .and_then(|y| y.trim().parse().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| Fail::bad("请填写报告年度，如 2025。"))?;
    let a = app.clone();
    let bytes = blocking(&app, move || {
        let mut listed = form.text("organs").unwrap_or("").lines().map(str::to_string).collect::<Vec<_>>();
        for u in form.files("organs_file") {
            let path =
                u.stored.as_ref().ok_or_else(|| format!("{}：机关名单请用 .xlsx、.docx 或 .txt 文件", u.shown))?;
            let stored = path.display().to_string();
            listed.extend((a.cfg.organs)(path).map_err(|e| e.to_string().replace(&stored, &u.shown))?);
        }
        let organs = crate::template::organ_list(listed.iter().map(String::as_str));
        if organs.is_empty() {
            return Err("请填写机关名称，每行一个（或选择机关名单文件）。".to_string());
        }
        if organs.len() > crate::template::MAX_ORGANS {
            return Err(format!("一次最多生成 {} 个机关的模板，请分批生成。", crate::template::MAX_ORGANS));
        }
        template_zip(&a, &form, year, &organs)
    })
    .await?
    .map_err(Fail::bad)?;
    drop(dir);
    Ok(file_response(bytes, &format!("{year}年报模板.zip"), false))
}
fn template_zip(app: &Shared, form: &Form, year: u32, organs: &[String]) -> Result<Vec<u8>, String> {
    let editions = &app.cfg.editions;
    let ed = crate::template::edition_for(editions, None, year).map_err(|e| e.to_string())?;
    let read = |p: &Path| (app.cfg.read)(p);
    let prev = inputs(&form.files("previous"));
    let index = (!prev.is_empty()).then(|| index_previous(&prev, &read, &|| {}));
    let mut used = HashSet::new();
    let mut entries = Vec::new();
    for organ in organs {
        let probe = crate::template::blank(ed, organ, year, None);
        let last = index.as_ref().and_then(|i| previous_for(i, &probe, editions, &read));
        let report = crate::template::blank(ed, organ, year, last.as_ref().map(|(r, e, _)| (r, *e)));
        let base = unique_name(organ, &mut used);
        let base = base.trim_end_matches(".json");
        for format in [Format::Xlsx, Format::Docx] {
            let bytes = crate::template::render(&report, ed, format).map_err(|e| e.to_string())?;
            let ext = if format == Format::Xlsx { "xlsx" } else { "docx" };
            entries.push((format!("{base}.{ext}"), bytes));
        }
    }
    zip(entries)
}
