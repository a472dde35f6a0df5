//! The one path from a file to a checked report, for the command line, the
//! batch, the web page and the worker process alike.
//!
//! A [`Session`] holds what every step needs: the editions, the reading
//! limits, and how files are read — in isolated worker processes
//! ([`crate::isolate`]) or in this process. Its steps:
//!
//! - [`Session::read`]: a file to its report together with its edition
//!   (JSON in process, every other kind in a worker when isolated);
//! - [`Session::prior`] / [`Session::prior_from`]: last year's report, given
//!   or matched by organ, or why it could not be read;
//! - [`Session::check`]: the one function that checks a report against last
//!   year's;
//! - [`Session::publish`]: the publication, refused for a report with errors
//!   unless allowed;
//! - [`Session::template_previous`]: last year's report for a template,
//!   refused when it is not the same organ's report of the year before;
//! - [`Session::process`]: one job of a batch (read, check, write its JSON
//!   and annotated workbook), done whole in a worker when isolated, so
//!   that the report never crosses the pipe.
//!
//! The batch itself (discovery, duplicates, totals by year, the summary)
//! is [`crate::batch`]; it calls only these steps.

use crate::check::{check, tally, Finding, Previous};
use crate::edition::{Edition, Editions, Severity};
use crate::error::{path_bytes, Audience, Error, Mismatch, Result, WorkerFailure};
use crate::isolate::{Config, Pool};
use crate::labels::key;
use crate::limits::Limits;
use crate::model::Report;
use crate::read::{kind_of, InputKind, ReadOptions};
pub use crate::tally::{Row, Status, Tally, Totals};
use crate::write::Format;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The codes of the findings this module and the batch give, each with
/// what it means (rule fixtures under tests/rules/<CODE>/, as for the
/// reader's codes).
pub const CODES: &[(&str, &str)] = &[
    ("BATCH-DUPLICATE", "two reports of a batch are the same organ's, year and numbers: counted once"),
    ("BATCH-CONFLICT", "two reports of a batch are the same organ's and year with different numbers: neither counted"),
    ("X-PREV-UNREADABLE", "last year's report could not be read: checked without it"),
];

/// The environment variable a worker finds its set-up in ([`WorkerSetup`], JSON).
pub const WORKER_ENV: &str = "XXGK_WORKER_SETUP";

/// What a worker is set up with: the same limits and editions as the
/// session that starts it.
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerSetup {
    pub limits: Limits,
    /// The memory a worker may hold ([`crate::alloc`]; 0: no cap).
    #[serde(default)]
    pub memory_bytes: u64,
    /// Edition files loaded besides the built-in ones (paths in hex).
    pub edition_files: Vec<String>,
}

/// How a session isolates reading.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The `xxgk` executable (started as `xxgk __worker`).
    pub exe: PathBuf,
    /// Time allowed for one file.
    pub timeout: Duration,
    /// Address-space limit of a worker (bytes); 0 for none.
    pub memory_bytes: u64,
    /// Edition files the workers load besides the built-in ones.
    pub edition_files: Vec<PathBuf>,
}

/// The editions, limits and reading policy of a run.
pub struct Session {
    editions: Editions,
    limits: Limits,
    pool: Option<Pool>,
}

/// A report read, with its edition.
#[derive(Debug, Clone)]
pub struct Read<'s> {
    pub report: Report,
    pub edition: &'s Edition,
}

/// Last year's report for a check.
pub enum Prior<'s> {
    /// None was given or found.
    None,
    /// Found and read (`shown`: its name as shown).
    Found { read: Box<Read<'s>>, shown: String },
    /// Given or found, but it could not be read: the check goes on
    /// without it and says so.
    Unreadable { shown: String, error: Error },
}

impl Prior<'_> {
    /// The report, for the cross-year rules.
    pub fn previous(&self) -> Option<Previous<'_>> {
        match self {
            Prior::Found { read, .. } => Some(Previous { report: &read.report, edition: read.edition }),
            _ => None,
        }
    }
    /// Its name as shown, if it was read.
    pub fn shown(&self) -> Option<&str> {
        match self {
            Prior::Found { shown, .. } => Some(shown),
            _ => None,
        }
    }
}

/// One input file and the output name chosen for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    #[serde(with = "path_bytes")]
    pub path: PathBuf,
    /// The file as shown to users (relative to the input it was found
    /// under; for an upload, its name in the browser).
    pub shown: String,
    /// File name of its JSON under `reports/`.
    pub output: String,
}

/// What processing one job gives: its row with its findings, and what it
/// adds to the totals (`None` if it gave no report). It is what a worker
/// answers for a job, so it is serializable; the error of a file that could
/// not be used travels typed and is worded where it is shown.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {
    pub row: Row,
    /// The row's findings (kept apart: [`Row::findings`] is not serialized).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

impl Done {
    /// A job whose file could not be used, and why.
    pub fn unusable(job: &Job, error: Error) -> Done {
        let status = if error.is_not_a_report() { Status::NotReport } else { Status::Unreadable };
        Done {
            row: Row::without_report(&job.shown, status, String::new()),
            findings: Vec::new(),
            tally: None,
            error: Some(error),
        }
    }

    /// Word the error of an unusable job for `audience`, its paths shown
    /// as the job's name.
    pub fn word(&mut self, job: &Job, audience: Audience) {
        if let Some(e) = self.error.as_mut() {
            let shown = PathBuf::from(&job.shown);
            e.relabel(&|p| (p == job.path).then(|| shown.clone()));
            self.row.reason = Some(e.message(audience));
        }
    }
}

/// Last year's reports, by organ key: (year, path, shown); and the files
/// that could not be read (shown, why).
#[derive(Debug, Default, PartialEq)]
pub struct PreviousIndex {
    pub by_organ: HashMap<String, Vec<(Option<u32>, PathBuf, String)>>,
    pub unreadable: Vec<(String, String)>,
}

/// Folder of the reports' JSON in a batch's output folder.
pub const REPORTS_DIR: &str = "reports";
/// Folder of the annotated workbooks, beside `reports/`.
pub const ANNOTATED_DIR: &str = "annotated";

/// Where a batch's jobs write, and last year's reports for them.
pub struct JobPlace<'a> {
    pub reports_dir: PathBuf,
    pub previous: Option<&'a PreviousIndex>,
    /// `previous` saved for the workers (a temporary folder).
    index: Option<(tempfile::TempDir, crate::cleanup::Listed)>,
}

impl JobPlace<'_> {
    fn index_file(&self) -> Option<PathBuf> {
        self.index.as_ref().map(|(d, _)| d.path().join(INDEX_FILE))
    }
}

const INDEX_FILE: &str = "previous.jsonl";

/// A request to a worker (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Read the report at this path, optionally as the given edition.
    Read {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        edition: Option<String>,
    },
    /// Read the list of organ names in this file (templates).
    Organs {
        #[serde(with = "path_bytes")]
        path: PathBuf,
    },
    /// Do one job of a batch ([`Session::process`]), writing into
    /// `reports`; last year's reports are looked up in the index file
    /// `previous`, if any.
    Job {
        job: Job,
        #[serde(with = "path_bytes")]
        reports: PathBuf,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous: Option<String>,
    },
}

/// A worker's answer (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Report(Box<Report>),
    Organs(Vec<String>),
    Done(Box<Done>),
    Failed(Error),
}

impl Session {
    /// A session reading in this process.
    pub fn new(editions: Editions, limits: Limits) -> Session {
        Session { editions, limits, pool: None }
    }

    /// The same session reading untrusted files in worker processes.
    ///
    /// # Errors
    /// The set-up cannot be written for the workers.
    pub fn isolated(mut self, iso: Isolation) -> Result<Session> {
        let setup = WorkerSetup {
            limits: self.limits,
            memory_bytes: iso.memory_bytes,
            edition_files: iso.edition_files.iter().map(|p| path_bytes::hex(p)).collect(),
        };
        let setup = serde_json::to_string(&setup).map_err(|e| Error::render("读取进程的设置", e))?;
        self.pool = Some(Pool::new(Config {
            exe: iso.exe,
            args: vec!["__worker".into()],
            env: vec![(WORKER_ENV.to_string(), setup)],
            timeout: iso.timeout,
            memory_bytes: iso.memory_bytes,
        }));
        Ok(self)
    }

    /// The session of a worker, from its set-up ([`WORKER_ENV`]).
    ///
    /// # Errors
    /// The set-up is missing or wrong, or an edition file cannot be loaded.
    pub fn for_worker() -> Result<Session> {
        let text = std::env::var(WORKER_ENV).unwrap_or_default();
        let setup: WorkerSetup = serde_json::from_str(&text)
            .map_err(|e| Error::Usage(format!("读取进程的设置无法识别（{e}）；__worker 只由 xxgk 自己启动")))?;
        crate::alloc::set_cap(setup.memory_bytes);
        let mut editions = Editions::builtin()?;
        for hex in &setup.edition_files {
            let p = path_bytes::unhex(hex).ok_or_else(|| Error::Usage("读取进程的设置无法识别（路径）".into()))?;
            editions.load_path(&p)?;
        }
        Ok(Session::new(editions, setup.limits))
    }

    pub fn editions(&self) -> &Editions {
        &self.editions
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether files are read in worker processes.
    pub fn is_isolated(&self) -> bool {
        self.pool.is_some()
    }

    /// The workers that read `path`: none for JSON (xxgk's own form, read
    /// in process), for what is not a file, or without isolation.
    fn pool_for(&self, path: &Path) -> Option<&Pool> {
        let kind = kind_of(path).ok()?;
        self.pool.as_ref().filter(|_| kind != InputKind::Json && path.is_file())
    }

    /// Read a report (as edition `forced` when given), conformed to its edition.
    ///
    /// # Errors
    /// The file cannot be used: a typed [`Error`] naming it.
    pub fn read(&self, path: &Path, forced: Option<&str>) -> Result<Read<'_>> {
        let report = match self.pool_for(path) {
            Some(pool) => {
                let request = Request::Read { path: path.to_path_buf(), edition: forced.map(str::to_string) };
                match pool.ask(path, &request)? {
                    Response::Report(r) => *r,
                    Response::Failed(e) => return Err(about(path, e)),
                    _ => return Err(garbled(path)),
                }
            }
            None => self.read_here(path, forced)?,
        };
        let edition = self.editions.lookup(&report.edition)?;
        Ok(Read { report, edition })
    }

    /// Read in this process.
    ///
    /// Hidden, for tests only: with `XXGK_DEBUG_PANIC_ON=TEXT` in the
    /// environment, reading a file whose name contains TEXT panics, so that
    /// the tests can show that their no-panic assertions do trip. It is
    /// harmless: a panic reaches the user as a Chinese sentence like any other.
    fn read_here(&self, path: &Path, forced: Option<&str>) -> Result<Report> {
        if let Some(text) = std::env::var_os("XXGK_DEBUG_PANIC_ON").filter(|t| !t.is_empty()) {
            let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            #[allow(clippy::panic)]
            if name.contains(&*text.to_string_lossy()) {
                panic!("XXGK_DEBUG_PANIC_ON: {name}");
            }
        }
        crate::read::read_report(path, self.options(forced))
    }

    fn options<'s>(&'s self, forced: Option<&'s str>) -> ReadOptions<'s> {
        ReadOptions { editions: &self.editions, edition: forced, limits: self.limits }
    }

    /// The organ names listed in a file (templates), read like a report.
    ///
    /// # Errors
    /// As [`Session::read`].
    pub fn organs(&self, path: &Path) -> Result<Vec<String>> {
        match self.pool.as_ref().filter(|_| path.is_file()) {
            Some(pool) => match pool.ask(path, &Request::Organs { path: path.to_path_buf() })? {
                Response::Organs(list) => Ok(list),
                Response::Failed(e) => Err(about(path, e)),
                _ => Err(garbled(path)),
            },
            None => crate::template::organs(path, self.options(None)),
        }
    }

    /// Last year's report given as a file (`shown`: its name as shown).
    pub fn prior(&self, path: &Path, shown: &str) -> Prior<'_> {
        match self.read(path, None) {
            Ok(read) => Prior::Found { read: Box::new(read), shown: shown.to_string() },
            Err(error) => Prior::Unreadable { shown: shown.to_string(), error },
        }
    }

    /// Last year's report of the same organ from `index` (the year before,
    /// else the latest earlier one).
    pub fn prior_from(&self, index: &PreviousIndex, report: &Report) -> Prior<'_> {
        match find_previous(index, report) {
            Some((_, path, shown)) => self.prior(path, shown),
            None => Prior::None,
        }
    }

    /// Check a report against last year's: the one check of the command
    /// line, the batch and the page. An unreadable last-year report is said
    /// (`X-PREV-UNREADABLE`, worded for `audience`), never an abort.
    pub fn check(&self, read: &Read<'_>, prior: &Prior<'_>, audience: Audience) -> Vec<Finding> {
        let mut findings = check(&read.report, read.edition, prior.previous());
        if let Prior::Unreadable { shown, error } = prior {
            findings.push(Finding::new(
                "X-PREV-UNREADABLE",
                Severity::Warning,
                "上年报告无法读取，未做跨年度检查",
                format!("上年报告 {shown} 无法读取，未做跨年度检查：{}", error.message(audience)),
            ));
        }
        findings
    }

    /// The publication (docx, html or pdf) of a report: refused when the
    /// report has errors unless `allow_errors`, in which case the output
    /// records how many ([`crate::write::Stamp`]).
    ///
    /// # Errors
    /// [`Error::Unpublishable`]; the writer's errors.
    pub fn publish(&self, read: &Read<'_>, format: Format, allow_errors: bool) -> Result<Vec<u8>> {
        let findings = check(&read.report, read.edition, None);
        let (errors, _) = tally(&findings);
        if errors > 0 && !allow_errors {
            let first = findings.iter().find(|f| f.severity == Severity::Error).map(|f| f.message.clone());
            return Err(Error::Unpublishable { errors, first: first.unwrap_or_default() });
        }
        crate::write::render(
            format,
            &read.report,
            read.edition,
            &crate::write::Options::publication(errors),
            &self.limits,
        )
    }

    /// Last year's report for the template of `organ` and `year`: it must
    /// be the same organ's (names compared as keys) and of the year before,
    /// unless `any`.
    ///
    /// # Errors
    /// The file cannot be read; [`Error::PreviousMismatch`].
    pub fn template_previous(&self, path: &Path, shown: &str, organ: &str, year: u32, any: bool) -> Result<Read<'_>> {
        let read = self.read(path, None)?;
        let fits = key(&read.report.organ) == key(organ) && read.report.year == Some(year.saturating_sub(1));
        if !fits && !any {
            return Err(Error::PreviousMismatch(Mismatch {
                organ: organ.to_string(),
                year,
                given_organ: read.report.organ.clone(),
                given_year: read.report.year,
                file: shown.to_string(),
            }));
        }
        Ok(read)
    }

    /// Last year's report for the template of `organ` and `year`, matched
    /// in `index` by organ: only the year before, unless `any` (then the
    /// latest earlier one). Returns it, if used, and what to tell the clerk.
    pub fn template_prior(
        &self,
        index: &PreviousIndex,
        organ: &str,
        year: u32,
        any: bool,
    ) -> (Option<Read<'_>>, String) {
        let before = year.saturating_sub(1);
        let Some(list) = index.by_organ.get(&key(organ)) else {
            return (None, "没有找到本机关的上一年度报告，未预填".to_string());
        };
        let exact = list.iter().find(|(y, _, _)| *y == Some(before));
        let chosen = match exact {
            Some(e) => e,
            None => {
                let latest = list.iter().filter(|(y, _, _)| y.is_some_and(|y| y < year)).max_by_key(|(y, _, _)| *y);
                match latest {
                    Some(e) if any => e,
                    Some((y, _, shown)) => {
                        let y = y.map_or("年度不明".to_string(), |y| format!("{y}年"));
                        return (None, format!("找到的 {shown} 是{y}的报告，不是{before}年的，未预填（确需使用时请选择“允许用其他年度的报告预填”）"));
                    }
                    None => return (None, format!("没有找到本机关{before}年的报告，未预填")),
                }
            }
        };
        let (_, path, shown) = chosen;
        match self.read(path, None) {
            Ok(read) => {
                let y = read.report.year.map_or("年度不明".to_string(), |y| format!("{y}年"));
                (Some(read), format!("按 {shown}（{y}）预填上年结转等数字"))
            }
            Err(mut e) => {
                let shown_path = PathBuf::from(shown);
                e.relabel(&|p| (p == path).then(|| shown_path.clone()));
                (None, format!("{shown} 无法读取，未预填：{}", e.message(Audience::Page)))
            }
        }
    }

    /// Index last year's reports by organ (read in parallel, then dropped).
    pub fn index_previous(&self, jobs: &[Job], tick: &(dyn Fn() + Sync)) -> PreviousIndex {
        use rayon::prelude::*;
        type Found = Result<(String, Option<u32>)>;
        let read: Vec<(usize, Found)> = jobs
            .par_iter()
            .enumerate()
            .map(|(i, j)| {
                let r = self.read(&j.path, None).map(|r| (key(&r.report.organ), r.report.year));
                tick();
                (i, r)
            })
            .collect();
        let mut index = PreviousIndex::default();
        for (i, r) in read {
            let Some(j) = jobs.get(i) else { continue };
            match r {
                Ok((k, y)) if !k.is_empty() => {
                    index.by_organ.entry(k).or_default().push((y, j.path.clone(), j.shown.clone()))
                }
                Ok(_) => index.unreadable.push((j.shown.clone(), "没有找到机关名称，无法配对".into())),
                Err(mut e) => {
                    let shown = PathBuf::from(&j.shown);
                    e.relabel(&|p| (p == j.path).then(|| shown.clone()));
                    index.unreadable.push((j.shown.clone(), e.message(Audience::Page)));
                }
            }
        }
        index
    }

    /// Where the jobs of a batch write, with last year's reports saved for
    /// the workers when isolated.
    ///
    /// # Errors
    /// The folders cannot be made.
    pub fn job_place<'a>(&self, outdir: &Path, previous: Option<&'a PreviousIndex>) -> Result<JobPlace<'a>> {
        let reports_dir = outdir.join(REPORTS_DIR);
        std::fs::create_dir_all(&reports_dir).map_err(|e| Error::io(&reports_dir, e))?;
        let index = match previous {
            Some(index) if self.is_isolated() => {
                let dir = tempfile::Builder::new()
                    .prefix("xxgk-index-")
                    .tempdir()
                    .map_err(|e| Error::io(&std::env::temp_dir(), e))?;
                let listed = crate::cleanup::list(dir.path());
                save_index(index, &dir.path().join(INDEX_FILE))?;
                Some((dir, listed))
            }
            _ => None,
        };
        Ok(JobPlace { reports_dir, previous, index })
    }

    /// Do one job of a batch: read the file, check it (against last year's
    /// report of the same organ, if any), write its JSON under `reports/`
    /// and, when it has errors, its annotated workbook beside. Isolated, a
    /// worker does the whole job; a file the worker could not use, or a
    /// worker that died or overran, gives the job's row saying why, and
    /// nothing of the job is left written. A job whose worker failed after
    /// writing this year's JSON — so this year's file was read — is done
    /// once more without last year's report, which must not cost this
    /// year's (it then gets no cross-year check).
    pub fn process(&self, job: &Job, place: &JobPlace<'_>) -> Done {
        let Some(pool) = self.pool_for(&job.path) else {
            return self.process_here(job, &place.reports_dir, place.previous);
        };
        // Outputs of this job from an earlier run go first, so that a JSON
        // found after a failure is this attempt's.
        remove_outputs(job, &place.reports_dir);
        let ask = |previous: Option<PathBuf>| -> Result<Done> {
            let request = Request::Job {
                job: job.clone(),
                reports: place.reports_dir.clone(),
                previous: previous.as_deref().map(path_bytes::hex),
            };
            match pool.ask(&job.path, &request)? {
                Response::Done(done) => Ok(*done),
                Response::Failed(e) => Err(about(&job.path, e)),
                _ => Err(garbled(&job.path)),
            }
        };
        let index = place.index_file();
        let done = match ask(index.clone()) {
            Err(_) if index.is_some() && place.reports_dir.join(&job.output).exists() => ask(None),
            other => other,
        };
        done.unwrap_or_else(|e| {
            remove_outputs(job, &place.reports_dir);
            Done::unusable(job, e)
        })
    }

    /// [`Session::process`] in this process.
    fn process_here(&self, job: &Job, reports_dir: &Path, previous: Option<&PreviousIndex>) -> Done {
        let mut read = match self.read(&job.path, None) {
            Ok(r) => r,
            Err(e) => return Done::unusable(job, e),
        };
        read.report.relabel_file(&job.path.to_string_lossy(), &job.shown);
        // The JSON first: once it is there, this year's file has been read
        // (see [`Session::process`]).
        let out = reports_dir.join(&job.output);
        let written = crate::write::json::render(&read.report)
            .and_then(|bytes| crate::output::write_file_unsynced(&out, &bytes, true, std::slice::from_ref(&job.path)));
        if let Err(e) = written {
            return Done::unusable(job, e);
        }
        let prior = previous.map_or(Prior::None, |idx| self.prior_from(idx, &read.report));
        let findings = self.check(&read, &prior, Audience::Page);
        let (errors, warnings) = tally(&findings);
        let annotated = if errors > 0 {
            match annotate(job, &read, &findings, reports_dir) {
                Ok(name) => Some(name),
                Err(e) => {
                    remove_outputs(job, reports_dir);
                    return Done::unusable(job, e);
                }
            }
        } else {
            None
        };
        let row = Row {
            source: job.shown.clone(),
            output: Some(format!("{REPORTS_DIR}/{}", job.output)),
            organ: read.report.organ.clone(),
            year: read.report.year,
            edition: read.edition.name.clone(),
            errors,
            warnings,
            status: Status::of(errors, warnings),
            reason: None,
            summed: String::new(),
            previous: prior.shown().map(str::to_string),
            repetition: prior.previous().map(|p| repetition(&read.report, read.edition, p.report)).unwrap_or_default(),
            annotated,
            findings: Vec::new(),
        };
        Done { row, findings, tally: Some(Tally::of(read.edition, &read.report)), error: None }
    }

    /// Answer one worker request, in this process.
    pub fn answer(&self, request: Request, indexes: &IndexCache) -> Response {
        let result = match request {
            Request::Read { path, edition } => {
                self.read_here(&path, edition.as_deref()).map(|r| Response::Report(Box::new(r)))
            }
            Request::Organs { path } => crate::template::organs(&path, self.options(None)).map(Response::Organs),
            Request::Job { job, reports, previous } => {
                let index = match previous.as_deref().map(|h| indexes.get(h)) {
                    Some(Ok(idx)) => Some(idx),
                    Some(Err(e)) => return Response::Failed(e),
                    None => None,
                };
                Ok(Response::Done(Box::new(self.process_here(&job, &reports, index.as_deref()))))
            }
        };
        result.unwrap_or_else(Response::Failed)
    }

    /// The worker's loop: answer requests on standard input until it closes.
    ///
    /// # Errors
    /// Standard input or output failed (the parent is gone).
    pub fn serve_worker(&self) -> std::io::Result<()> {
        let indexes = IndexCache::default();
        crate::isolate::serve(
            |request: Request| self.answer(request, &indexes),
            |failure| Response::Failed(Error::Worker { path: PathBuf::new(), failure }),
        )
    }
}

/// The index of last year's reports a batch names, read once per worker.
#[derive(Default)]
pub struct IndexCache(Mutex<Option<(String, Arc<PreviousIndex>)>>);

impl IndexCache {
    fn get(&self, hex: &str) -> Result<Arc<PreviousIndex>> {
        let bad = || Error::Worker {
            path: PathBuf::new(),
            failure: WorkerFailure::Garbled { detail: "上年报告索引的路径无法识别".into() },
        };
        let mut cached = self.0.lock().map_err(|_| bad())?;
        match cached.as_ref() {
            Some((h, idx)) if h == hex => Ok(idx.clone()),
            _ => {
                let file = path_bytes::unhex(hex).ok_or_else(bad)?;
                let idx = Arc::new(load_index(&file)?);
                *cached = Some((hex.to_string(), idx.clone()));
                Ok(idx)
            }
        }
    }
}

/// A worker's failure names the file it was asked about (the worker's
/// own answer to a panic does not know it).
fn about(path: &Path, mut e: Error) -> Error {
    if let Error::Worker { path: p, .. } = &mut e {
        if p.as_os_str().is_empty() {
            *p = path.to_path_buf();
        }
    }
    e
}

fn garbled(path: &Path) -> Error {
    Error::Worker {
        path: path.to_path_buf(), failure: WorkerFailure::Garbled { detail: "回答的种类不对".into() }
    }
}

fn find_previous<'a>(index: &'a PreviousIndex, r: &Report) -> Option<&'a (Option<u32>, PathBuf, String)> {
    let list = index.by_organ.get(&key(&r.organ))?;
    let want = r.year.map(|y| y.saturating_sub(1));
    list.iter()
        .find(|(y, _, _)| want.is_some() && *y == want)
        .or_else(|| list.iter().filter(|(y, _, _)| *y < r.year).max_by_key(|(y, _, _)| *y))
}

/// Write the index of last year's reports to `path`, for the workers:
/// JSON lines of `[organ key, year, path in hex, path as shown]`, so that
/// any file name survives.
///
/// # Errors
/// The file cannot be written.
pub fn save_index(index: &PreviousIndex, path: &Path) -> Result<()> {
    // Organs in order (the same bytes every run), each one's reports in
    // the index's order (the first of a year is the one taken).
    let mut organs: Vec<_> = index.by_organ.iter().collect();
    organs.sort_by_key(|(k, _)| *k);
    let mut text = Vec::new();
    for (k, (year, p, shown)) in organs.into_iter().flat_map(|(k, list)| list.iter().map(move |e| (k, e))) {
        let line = (k, year, path_bytes::hex(p), shown);
        serde_json::to_writer(&mut text, &line).map_err(|e| Error::render("上年报告索引", e))?;
        text.push(b'\n');
    }
    crate::output::write_file(path, &text, true, &[])
}

/// Read an index written by [`save_index`].
///
/// # Errors
/// The file cannot be read or is not such an index.
pub fn load_index(path: &Path) -> Result<PreviousIndex> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut m = PreviousIndex::default();
    for line in text.lines() {
        let (k, year, hex, shown): (String, Option<u32>, String, String) =
            serde_json::from_str(line).map_err(|_| Error::invalid(path, "上年报告索引无法识别，请重新运行"))?;
        let p = path_bytes::unhex(&hex).ok_or_else(|| Error::invalid(path, "上年报告索引中的路径无法识别"))?;
        m.by_organ.entry(k).or_default().push((year, p, shown));
    }
    Ok(m)
}

/// Remove what a job may have written (its JSON and annotated workbook),
/// for a job that ended unusable after writing them.
pub fn remove_outputs(job: &Job, reports_dir: &Path) {
    let _ = std::fs::remove_file(reports_dir.join(&job.output));
    let _ = std::fs::remove_file(reports_dir.with_file_name(ANNOTATED_DIR).join(annotated_name(job)));
}

fn annotated_name(job: &Job) -> String {
    let stem = job.output.strip_suffix(".json").unwrap_or(&job.output);
    format!("{stem}.问题标注.xlsx")
}

/// Write the annotated workbook of a report with errors beside `reports/`;
/// returns its path relative to the output folder.
fn annotate(job: &Job, read: &Read<'_>, findings: &[Finding], reports_dir: &Path) -> Result<String> {
    let dir = reports_dir.with_file_name(ANNOTATED_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = annotated_name(job);
    let bytes = crate::write::xlsx::render_annotated(&read.report, read.edition, findings)?;
    crate::output::write_file_unsynced(&dir.join(&name), &bytes, true, std::slice::from_ref(&job.path))?;
    Ok(format!("{ANNOTATED_DIR}/{name}"))
}

/// The repetition rate of each part with text this year and last
/// ([`crate::check::repetition`]), as one line: `一 35%；五 99%`.
fn repetition(report: &Report, ed: &Edition, previous: &Report) -> String {
    crate::check::repetition(report, ed, previous)
        .iter()
        .filter(|r| r.chars > 0 && r.previous_chars > 0)
        .filter_map(|r| ed.parts.iter().find(|p| p.id == r.part).map(|p| format!("{} {}%", p.number, r.percent)))
        .collect::<Vec<_>>()
        .join("；")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Number;

    #[test]
    fn the_index_of_last_years_reports_survives_any_file_name() {
        let mut index = PreviousIndex::default();
        #[cfg(unix)]
        let odd = {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(b"/tmp/\xff\xfe-\xe5\x8e\xbf.docx".to_vec()))
        };
        #[cfg(not(unix))]
        let odd = PathBuf::from("C:/上年/县.docx");
        index.by_organ.entry("同心县".into()).or_default().push((Some(2020), odd, "上年/县.docx".into()));
        index.by_organ.entry("同心县".into()).or_default().push((None, PathBuf::from("/a b/c.json"), "c.json".into()));
        index.by_organ.entry("恩和镇".into()).or_default().push((Some(2019), PathBuf::from("x.xlsx"), "x.xlsx".into()));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("previous.jsonl");
        save_index(&index, &file).unwrap();
        assert_eq!(load_index(&file).unwrap(), index);
        std::fs::write(&file, "not an index\n").unwrap();
        assert!(load_index(&file).is_err());
    }

    #[test]
    fn totals_cross_the_worker_pipe_exactly() {
        use std::str::FromStr;
        let sums: Vec<Number> = ["12345678901234567890", "79228162514264337593543950335", "1340.5117", "-0.25", "0"]
            .iter()
            .map(|t| Number::from_str(t).unwrap())
            .collect();
        let t = Totals { reports: 2, sums: sums.clone(), filled: vec![2, 1, 1, 1, 0] };
        let line = serde_json::to_string(&t).unwrap();
        let back: Totals = serde_json::from_str(&line).unwrap();
        assert_eq!(back.sums, sums, "{line}");
        assert_eq!((back.reports, back.filled), (2, vec![2, 1, 1, 1, 0]));
    }

    #[test]
    fn a_workers_failure_keeps_its_kind() {
        let e = Error::read(Path::new("/x/a.docx"), crate::error::Problem::Scan);
        let line = serde_json::to_string(&Response::Failed(e)).unwrap();
        let Response::Failed(back) = serde_json::from_str(&line).unwrap() else { panic!("{line}") };
        assert_eq!(back.problem(), Some(&crate::error::Problem::Scan));
    }

    #[test]
    fn the_same_numbers_have_the_same_fingerprint() {
        let eds = Editions::builtin().unwrap();
        let ed = eds.for_year(2021).unwrap();
        let mut a = ed.blank_report("某县", Some(2021));
        let b = a.clone();
        assert_eq!(Tally::of(ed, &a).fingerprint, Tally::of(ed, &b).fingerprint);
        let first = ed.cells[0].id.clone();
        a.cells.insert(first, Some(Number::from_i64(0)));
        assert_ne!(Tally::of(ed, &a).fingerprint, Tally::of(ed, &b).fingerprint, "blank is not 0");
    }
}
