//! A whole county in one command: every report under the inputs is read,
//! checked (against last year's where one is found), written as canonical
//! JSON, and summarised.
//!
//! Reports are processed in parallel and streamed: each worker reads one
//! file, writes its JSON and keeps only its summary row and its part of the
//! totals, so memory does not grow with the number of reports. One unusable
//! file never stops the batch; it gets its row with the reason. Output names
//! come from the input paths, sanitised, so none can escape the output
//! folder, and they are made unique before any work starts.

// Indexing is bounded here: row indices come from enumerating the same rows; totals vectors are sized to the edition's cells before use.
#![allow(clippy::indexing_slicing)]

use crate::check::{check, tally, Finding, Previous};
use crate::edition::{Edition, Editions, Severity};
use crate::error::{Error, Result};
use crate::labels::key;
use crate::model::{Number, Report};

use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// File extensions a batch picks up: the kinds xxgk reads, and the legacy
/// office kinds people send instead, which get a row saying what to do.
pub const EXTENSIONS: &[&str] = &[
    "docx", "docm", "xlsx", "xlsm", "json", "txt", "html", "htm", "shtml", "doc", "wps", "rtf", "odt", "xls", "et",
    "ods", "pdf",
];

/// One input file and the output name chosen for it.
#[derive(Debug, Clone)]
pub struct Job {
    pub path: PathBuf,
    /// The path as shown to users (relative to the input it was found under).
    pub shown: String,
    /// File name of its JSON under `reports/`.
    pub output: String,
}

/// What to tell the clerk when inputs hold no report file.
pub const NOTHING_FOUND: &str = "没有找到报告文件（.docx、.xlsx、.json、.pdf、.txt、.html 等）";

/// Find the report files under the inputs (files are taken as given;
/// folders are walked, skipping hidden entries, symbolic links and
/// `outdir`). `batch` and `check FOLDER` both find their files here.
pub fn discover(inputs: &[PathBuf], outdir: Option<&Path>) -> Result<Vec<Job>> {
    let out_canon = outdir.and_then(|o| o.canonicalize().ok());
    let mut found: Vec<(PathBuf, String)> = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|e| Error::io(input, e))?;
        if meta.is_file() {
            found.push((input.clone(), input.display().to_string()));
            continue;
        }
        let mut stack = vec![input.clone()];
        while let Some(dir) = stack.pop() {
            if out_canon.is_some() && dir.canonicalize().ok() == out_canon {
                continue;
            }
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map_err(|e| Error::io(&dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for p in entries {
                let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                if name.starts_with('.') || name.starts_with("~$") {
                    continue;
                }
                let ft = std::fs::symlink_metadata(&p).map(|m| m.file_type());
                match ft {
                    Ok(t) if t.is_dir() => stack.push(p),
                    Ok(t) if t.is_file() => {
                        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
                        if EXTENSIONS.contains(&ext.as_str()) {
                            let rel = p
                                .strip_prefix(input)
                                .map(|r| r.display().to_string())
                                .unwrap_or_else(|_| p.display().to_string());
                            let shown = format!("{}/{}", input.display().to_string().trim_end_matches('/'), rel);
                            found.push((p, shown));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    found.dedup_by(|a, b| a.0 == b.0);
    let mut used = HashSet::new();
    Ok(found.into_iter().map(|(path, shown)| Job { output: unique_name(&shown, &mut used), path, shown }).collect())
}

/// A file name made from a path: separators and characters file systems
/// refuse become `_`, no leading dot, at most 120 characters, unique
/// (case-insensitively) among `used`.
pub fn unique_name(shown: &str, used: &mut HashSet<String>) -> String {
    let stem = match shown.rfind('.') {
        Some(i) if !shown[i..].contains(['/', '\\']) => &shown[..i],
        _ => shown,
    };
    let mut base: String = stem
        .trim_start_matches("./")
        .chars()
        .map(|c| match c {
            '/' | '\\' => '_',
            c if c.is_control() || "<>:\"|?*".contains(c) => '_',
            c => c,
        })
        .collect();
    while base.starts_with(['.', '_', ' ']) {
        base.remove(0);
    }
    if base.is_empty() {
        base = "report".into();
    }
    let base: String = base.chars().take(120).collect();
    let mut name = format!("{base}.json");
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{base}-{n}.json");
        n += 1;
    }
    name
}

/// One row of the submission overview.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Row {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub organ: String,
    pub year: Option<u32>,
    pub edition: String,
    pub errors: usize,
    pub warnings: usize,
    /// `通过`, `有错误`, `有警告` or `无法读取：…`.
    pub status: String,
    /// Last year's report it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// The annotated workbook written for a report with errors
    /// (`annotated/<name>.问题标注.xlsx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotated: Option<String>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

/// Sums of every cell over the reports of one edition.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Totals {
    pub reports: usize,
    /// Written as decimal text where serialized (a worker's answer), so
    /// that a sum beyond what a JSON number holds exactly comes back exact.
    #[serde(with = "exact")]
    pub sums: Vec<Number>,
    /// How many reports had each cell filled.
    pub filled: Vec<usize>,
}

/// Numbers as decimal text (`"12345678901234567890"`, `"1340.5117"`).
mod exact {
    use crate::model::Number;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[Number], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|n| n.to_string()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Number>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| t.parse::<Number>().map_err(|e| serde::de::Error::custom(format!("数值 {t} 无法识别（{e}）"))))
            .collect()
    }
}

impl Totals {
    fn add(&mut self, ed: &Edition, r: &Report) {
        if self.sums.is_empty() {
            self.sums = vec![Number::ZERO; ed.cells.len()];
            self.filled = vec![0; ed.cells.len()];
        }
        self.reports += 1;
        for (i, c) in ed.cells.iter().enumerate() {
            if let Some(v) = r.value(&c.id) {
                self.sums[i] = self.sums[i].checked_add(v).unwrap_or(self.sums[i]);
                self.filled[i] += 1;
            }
        }
    }
    fn merge(&mut self, other: Totals) {
        if self.sums.is_empty() {
            *self = other;
            return;
        }
        self.reports += other.reports;
        for (i, v) in other.sums.into_iter().enumerate() {
            self.sums[i] = self.sums[i].checked_add(v).unwrap_or(self.sums[i]);
            self.filled[i] += other.filled[i];
        }
    }
    /// The totals as a report of the edition (a cell nobody filled is blank).
    pub fn report(&self, ed: &Edition, organ: &str) -> Report {
        let mut r = ed.blank_report(organ, None);
        for (i, c) in ed.cells.iter().enumerate() {
            if self.filled.get(i).copied().unwrap_or(0) > 0 {
                r.cells.insert(c.id.clone(), self.sums.get(i).copied());
            }
        }
        r
    }
}

/// The result of a batch.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One row per report, in input order (findings already handed out).
    pub rows: Vec<Row>,
    /// Findings known only once all reports are read: (row index, finding).
    pub late: Vec<(usize, Finding)>,
    /// Totals by edition id.
    pub totals: BTreeMap<String, Totals>,
}

/// How a batch reads one file: in process ([`crate::read::read_report`]) or
/// through isolated worker processes ([`crate::isolate`]).
pub type ReadFn<'a> = dyn Fn(&Path) -> Result<Report> + Sync + 'a;

/// Last year's reports, by organ key: (year, path, shown).
pub type PreviousIndex = HashMap<String, Vec<(Option<u32>, PathBuf, String)>>;

/// Called once for every file done, from any thread (a progress bar).
pub type TickFn<'a> = dyn Fn() + Sync + 'a;

/// Index last year's reports by organ (read in parallel, then dropped).
pub fn index_previous(jobs: &[Job], read: &ReadFn<'_>, tick: &TickFn<'_>) -> PreviousIndex {
    let entries: Vec<(String, Option<u32>, PathBuf, String)> = jobs
        .par_iter()
        .filter_map(|j| {
            let r = read(&j.path);
            tick();
            let r = r.ok()?;
            Some((key(&r.organ), r.year, j.path.clone(), j.shown.clone()))
        })
        .collect();
    let mut m: PreviousIndex = HashMap::new();
    for (k, y, p, s) in entries {
        if !k.is_empty() {
            m.entry(k).or_default().push((y, p, s));
        }
    }
    m
}

/// Write the index of last year's reports to `path`, for the isolated
/// workers of a batch ([`crate::isolate::Request::Batch`]): JSON lines of
/// `[organ key, year, path in hex, path as shown]`, so that any file name
/// survives.
///
/// # Errors
/// The file cannot be written.
pub fn save_index(index: &PreviousIndex, path: &Path) -> Result<()> {
    // Organs in order (the same bytes every run), each one's reports in
    // the index's order (the first of a year is the one taken).
    let mut organs: Vec<_> = index.iter().collect();
    organs.sort_by_key(|(k, _)| *k);
    let mut text = Vec::new();
    for (k, (year, p, shown)) in organs.into_iter().flat_map(|(k, list)| list.iter().map(move |e| (k, e))) {
        let line = (k, year, crate::isolate::path_hex(p), shown);
        serde_json::to_writer(&mut text, &line)
            .map_err(|e| Error::invalid(path, format!("无法写出上年报告索引（{e}）")))?;
        text.push(b'\n');
    }
    crate::write::write_file(path, &text, true, &[])
}

/// Read an index written by [`save_index`].
///
/// # Errors
/// The file cannot be read or is not such an index.
pub fn load_index(path: &Path) -> Result<PreviousIndex> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut m: PreviousIndex = HashMap::new();
    for line in text.lines() {
        let (k, year, hex, shown): (String, Option<u32>, String, String) = serde_json::from_str(line)
            .map_err(|e| Error::invalid(path, format!("上年报告索引无法识别（{e}），请重新运行")))?;
        let p = crate::isolate::unhex(&hex).ok_or_else(|| Error::invalid(path, "上年报告索引中的路径无法识别"))?;
        m.entry(k).or_default().push((year, p, shown));
    }
    Ok(m)
}

fn find_previous<'a>(index: &'a PreviousIndex, r: &Report) -> Option<&'a (Option<u32>, PathBuf, String)> {
    let list = index.get(&key(&r.organ))?;
    let want = r.year.map(|y| y.saturating_sub(1));
    list.iter()
        .find(|(y, _, _)| want.is_some() && *y == want)
        .or_else(|| list.iter().filter(|(y, _, _)| *y < r.year).max_by_key(|(y, _, _)| *y))
}

/// Last year's report of the same organ from the index (the year before,
/// else the latest earlier one), read, with its edition and its path as
/// shown; `None` if there is none or it cannot be read.
pub fn previous_for<'e>(
    index: &PreviousIndex,
    report: &Report,
    editions: &'e Editions,
    read: &ReadFn<'_>,
) -> Option<(Report, &'e Edition, String)> {
    let (_, path, shown) = find_previous(index, report)?;
    let r = read(path).ok()?;
    let ed = editions.get(&r.edition)?;
    Some((r, ed, shown.clone()))
}

/// Jobs processed per step: results are handed to the sink in input order
/// and their findings dropped, so memory stays flat however many reports.
pub const CHUNK: usize = 256;

/// Folder of the reports' JSON in the output folder.
pub const REPORTS_DIR: &str = "reports";

/// What processing one job gives: its row with its findings, and its part
/// of the totals (`None` if it could not be read). It is what an isolated
/// worker answers for a job ([`crate::isolate::Request::Batch`]), so it is
/// serializable.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Done {
    pub row: Row,
    /// The row's findings (kept apart: [`Row::findings`] is not serialized).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<(String, Totals)>,
}

impl Done {
    /// A job whose file could not be used, and why.
    pub fn unusable(job: &Job, why: String) -> Done {
        Done {
            row: Row {
                source: job.shown.clone(),
                output: None,
                organ: String::new(),
                year: None,
                edition: String::new(),
                errors: 0,
                warnings: 0,
                status: format!("无法读取：{why}"),
                previous: None,
                annotated: None,
                findings: Vec::new(),
            },
            findings: Vec::new(),
            totals: None,
        }
    }
}

/// How a batch processes one job: [`process`] in this process, or the same
/// in an isolated worker ([`crate::isolate::Pool::batch`]).
pub type ProcessFn<'a> = dyn Fn(&Job) -> Done + Sync + 'a;

/// Process every job with `process` (which writes `reports/<output>`), and
/// summarise. `tick` is called as each job is done. After each chunk,
/// `sink` gets its rows (with their findings, in input order); the rows are
/// kept without their findings. Findings about the batch as a whole
/// (duplicates) are in [`Outcome::late`].
pub fn run(
    jobs: &[Job],
    process: &ProcessFn<'_>,
    outdir: &Path,
    tick: &TickFn<'_>,
    sink: &mut dyn FnMut(&[Row]) -> Result<()>,
) -> Result<Outcome> {
    let reports_dir = outdir.join(REPORTS_DIR);
    std::fs::create_dir_all(&reports_dir).map_err(|e| Error::io(&reports_dir, e))?;
    let flush = crate::write::SyncLater::open(&reports_dir)?;
    let mut outcome = Outcome::default();
    for chunk in jobs.chunks(CHUNK) {
        let results: Vec<Done> = chunk
            .par_iter()
            .map(|job| {
                let done = process(job);
                tick();
                done
            })
            .collect();
        let mut rows = Vec::with_capacity(results.len());
        for Done { mut row, findings, totals } in results {
            if let Some((id, t)) = totals {
                outcome.totals.entry(id).or_default().merge(t);
            }
            row.findings = findings;
            rows.push(row);
        }
        sink(&rows)?;
        for mut r in rows {
            r.findings = Vec::new();
            outcome.rows.push(r);
        }
    }
    outcome.late = mark_duplicates(&mut outcome.rows);
    // Every job is done, so no worker is writing: a temporary file still
    // here is one a worker killed mid-write (time-out, memory) left.
    for dir in [reports_dir.clone(), outdir.join(ANNOTATED_DIR)] {
        remove_temporaries(&dir);
    }
    // The reports were written without waiting for the disk one by one;
    // one flush of the file system now, before the summary says they are
    // there (see [`crate::write::write_file_unsynced`]).
    flush.sync(&reports_dir)?;
    Ok(outcome)
}

/// Remove the temporary files [`crate::write::create_beside`] makes
/// (`.xxgk-*.tmp`) from `dir`; nothing else is touched.
fn remove_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(crate::write::TEMP_PREFIX) && name.ends_with(crate::write::TEMP_SUFFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Process one job: read it with `read`, check it (against last year's
/// report of the same organ from `previous`, if any), write its JSON to
/// `reports_dir` and, when it has errors, its annotated workbook beside.
pub fn process(
    job: &Job,
    editions: &Editions,
    read: &ReadFn<'_>,
    reports_dir: &Path,
    previous: Option<&PreviousIndex>,
) -> Done {
    let report = match read(&job.path) {
        Ok(r) => r,
        Err(e) => return Done::unusable(job, e.to_string()),
    };
    let Some(ed) = editions.get(&report.edition) else {
        return Done::unusable(job, format!("没有 “{}” 这个格式版本", report.edition));
    };
    // The JSON first: once it is there, this year's file has been read
    // (see [`crate::isolate::Pool::batch`], which retries a job whose worker
    // died later on, without last year's report).
    let out = reports_dir.join(&job.output);
    let written = crate::write::json::render(&report)
        .and_then(|bytes| crate::write::write_file_unsynced(&out, &bytes, true, std::slice::from_ref(&job.path)));
    if let Err(e) = written {
        return Done::unusable(job, e.to_string());
    }
    let prev = previous.and_then(|idx| previous_for(idx, &report, editions, read));
    let findings = check(&report, ed, prev.as_ref().map(|(r, e, _)| Previous { report: r, edition: e }));
    let (errors, warnings) = tally(&findings);
    let annotated = if errors > 0 {
        match annotate(job, &report, ed, &findings, reports_dir) {
            Ok(name) => Some(name),
            Err(e) => {
                remove_outputs(job, reports_dir);
                return Done::unusable(job, e.to_string());
            }
        }
    } else {
        None
    };
    let mut totals = Totals::default();
    totals.add(ed, &report);
    let row = Row {
        source: job.shown.clone(),
        output: Some(format!("{REPORTS_DIR}/{}", job.output)),
        organ: report.organ.clone(),
        year: report.year,
        edition: ed.name.clone(),
        errors,
        warnings,
        status: if errors > 0 {
            "有错误".into()
        } else if warnings > 0 {
            "有警告".into()
        } else {
            "通过".into()
        },
        previous: prev.map(|(_, _, s)| s),
        annotated,
        findings: Vec::new(),
    };
    Done { row, findings, totals: Some((ed.id.clone(), totals)) }
}

/// Folder of the annotated workbooks, beside `reports/`.
pub const ANNOTATED_DIR: &str = "annotated";

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
fn annotate(job: &Job, report: &Report, ed: &Edition, findings: &[Finding], reports_dir: &Path) -> Result<String> {
    let dir = reports_dir.with_file_name(ANNOTATED_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let name = annotated_name(job);
    let bytes = crate::write::xlsx::render_annotated(report, ed, findings)?;
    crate::write::write_file_unsynced(&dir.join(&name), &bytes, true, std::slice::from_ref(&job.path))?;
    Ok(format!("{ANNOTATED_DIR}/{name}"))
}

/// Two reports of the same organ and year: both get a warning.
fn mark_duplicates(rows: &mut [Row]) -> Vec<(usize, Finding)> {
    let mut groups: HashMap<(String, Option<u32>), Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.output.is_some() && !r.organ.trim().is_empty() {
            groups.entry((key(&r.organ), r.year)).or_default().push(i);
        }
    }
    let mut groups: Vec<_> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort();
    let mut out = Vec::new();
    for g in groups {
        let files: Vec<String> = g.iter().map(|&i| rows[i].source.clone()).collect();
        for &i in &g {
            let r = &mut rows[i];
            let year = r.year.map(|y| format!("{y}年")).unwrap_or_default();
            out.push((
                i,
                Finding::new(
                    "BATCH-DUPLICATE",
                    Severity::Warning,
                    "同一机关同一年度只应有一份报告",
                    format!("{}{year}有 {} 份报告：{}，请确认哪一份是正式报告", r.organ, g.len(), files.join("、")),
                ),
            ));
            r.warnings += 1;
            if r.errors == 0 {
                r.status = "有警告".into();
            }
        }
    }
    out.sort_by_key(|(i, _)| *i);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_of_last_years_reports_survives_any_file_name() {
        let mut index: PreviousIndex = HashMap::new();
        #[cfg(unix)]
        let odd = {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(b"/tmp/\xff\xfe-\xe5\x8e\xbf.docx".to_vec()))
        };
        #[cfg(not(unix))]
        let odd = PathBuf::from("C:/上年/县.docx");
        index.entry("同心县".into()).or_default().push((Some(2020), odd, "上年/县.docx".into()));
        index.entry("同心县".into()).or_default().push((None, PathBuf::from("/a b/c.json"), "c.json".into()));
        index.entry("恩和镇".into()).or_default().push((Some(2019), PathBuf::from("x.xlsx"), "x.xlsx".into()));
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
    fn temporaries_left_by_a_killed_worker_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let keep = ["a.json", ".xxgk-notes.txt", "x.tmp", ".hidden"];
        for f in keep.iter().chain(&[".xxgk-AbC123.tmp", ".xxgk-z.tmp"]) {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        // What create_beside makes is what is removed.
        let made = crate::write::create_beside(&dir.path().join("b.json")).unwrap().into_temp_path().keep().unwrap();
        remove_temporaries(dir.path());
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        left.sort();
        let mut want: Vec<String> = keep.iter().map(|s| s.to_string()).collect();
        want.sort();
        assert_eq!(left, want);
        assert!(!made.exists());
    }
}
