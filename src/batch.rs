//! A whole county in one command: every report under the inputs is read,
//! checked (against last year's where one is found), written as canonical
//! JSON, and summed up by report year.
//!
//! **Which files.** One rule for the command line and the web page
//! ([`classify`]): report kinds are read; a `.zip` (a township sends its
//! folder zipped) is opened and its reports read under the same caps as
//! any file, shown as `乡镇.zip/报告.docx`; Office lock files (`~$x.docx`,
//! `.~lock.x#`), system files (`Thumbs.db`, `desktop.ini`, `.DS_Store`,
//! `__MACOSX/`), zips inside zips and files of other kinds are listed as
//! 跳过 with the reason. Nothing is dropped without a row.
//!
//! **Totals by year, each report once.** A report counts in the total of
//! its year only; one of unknown year or organ counts nowhere (said on its
//! row). Reports of the same organ and year with the same numbers (one
//! report saved twice, or as Word and as PDF) count once, the others are
//! listed as 重复 (`BATCH-DUPLICATE`); reports of the same organ and year
//! with different numbers count not at all until one is removed, each
//! listed as 冲突 naming the others (`BATCH-CONFLICT`).
//!
//! Reports are processed in parallel and streamed: each job reads one
//! file and writes its JSON; its row, findings and cells go to their files
//! (the rows to a spool read back at the end) as each chunk finishes, and
//! only what it adds to the totals stays in memory; the reports a
//! duplicate or conflict takes out again are read back from their JSON. One unusable file never stops the batch. Output names come
//! from the input paths, sanitised, so none can escape the output folder,
//! and they are made unique before any work starts.

// Indexing is bounded here: row indices come from enumerating the same rows.
#![allow(clippy::indexing_slicing)]

use crate::check::Finding;
use crate::edition::Severity;
use crate::error::{Audience, Error, Problem, Result};
use crate::limits::Limits;
use crate::pipeline::{Done, Job, JobPlace, PreviousIndex, Session, ANNOTATED_DIR};
pub use crate::tally::{Outcome, YearTotals};
use crate::tally::{Row, Status, Tally, Totals, Update};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// File extensions read as reports: the kinds xxgk reads, and the legacy
/// office kinds people send instead (read through LibreOffice, or a row
/// saying what to do).
pub const EXTENSIONS: &[&str] = &[
    "docx", "docm", "xlsx", "xlsm", "json", "txt", "md", "markdown", "html", "htm", "shtml", "mhtml", "mht", "doc",
    "wps", "rtf", "odt", "xls", "et", "ods", "pdf",
];

/// What to tell the clerk when inputs hold no report file.
pub const NOTHING_FOUND: &str =
    "没有找到报告文件（.docx、.xlsx、.json、.pdf、.txt、.html、.md 等，或装有这些文件的 .zip）";

/// Why a file is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// An Office or LibreOffice lock file, made while a document is open.
    LockFile,
    /// A file the system makes (thumbnails, folder settings, macOS extras).
    SystemFile,
    /// A hidden file.
    Hidden,
    /// A zip inside a zip.
    NestedZip,
    /// Another kind of file (its extension).
    OtherKind(String),
}

impl Skip {
    pub fn chinese(&self) -> String {
        match self {
            Skip::LockFile => "这是 Word、Excel 或 WPS 打开文件时产生的临时锁定文件，不是报告".into(),
            Skip::SystemFile => "这是系统自动生成的文件，不是报告".into(),
            Skip::Hidden => "隐藏文件，不是报告".into(),
            Skip::NestedZip => "压缩包中的压缩包不再展开，请先解压后再放入".into(),
            Skip::OtherKind(ext) if ext.is_empty() => "没有扩展名，不是 xxgk 能读取的报告文件".into(),
            Skip::OtherKind(ext) => format!("不是 xxgk 能读取的报告文件（.{ext}）"),
        }
    }
}

/// How a file is taken, by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Class {
    Report,
    Zip,
    Skip(Skip),
}

/// The one rule for which files are taken (command line and web page).
pub fn classify(name: &str) -> Class {
    let lower = name.to_lowercase();
    if lower.starts_with("~$") || lower.starts_with(".~lock.") || (lower.starts_with("~wr") && lower.ends_with(".tmp"))
    {
        return Class::Skip(Skip::LockFile);
    }
    if ["thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"].contains(&lower.as_str()) || lower.starts_with("._") {
        return Class::Skip(Skip::SystemFile);
    }
    if lower.starts_with('.') {
        return Class::Skip(Skip::Hidden);
    }
    let ext = match lower.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_string(),
        _ => String::new(),
    };
    if ext == "zip" {
        Class::Zip
    } else if EXTENSIONS.contains(&ext.as_str()) {
        Class::Report
    } else {
        Class::Skip(Skip::OtherKind(ext))
    }
}

/// One input of a batch.
#[derive(Debug)]
pub enum Input {
    /// A report file to process.
    File(Job),
    /// A file not read, and why.
    Skipped { shown: String, why: Skip },
    /// A file that could not be used before any reading (a broken zip, a
    /// zip member over the caps, an upload over the size cap).
    Broken { shown: String, error: Error },
}

impl Input {
    pub fn shown(&self) -> &str {
        match self {
            Input::File(j) => &j.shown,
            Input::Skipped { shown, .. } | Input::Broken { shown, .. } => shown,
        }
    }
}

/// The inputs of a batch, with the folder zips were unpacked into (removed
/// when this is dropped).
#[derive(Debug, Default)]
pub struct Inputs {
    pub list: Vec<Input>,
    unpacked: Option<(tempfile::TempDir, crate::cleanup::Listed)>,
}

impl Inputs {
    /// The report files.
    pub fn jobs(&self) -> impl Iterator<Item = &Job> {
        self.list.iter().filter_map(|i| match i {
            Input::File(j) => Some(j),
            _ => None,
        })
    }

    /// Add a file by its name as shown: a report, a zip opened, or a row
    /// saying why not.
    fn add(&mut self, path: &Path, shown: String, limits: &Limits) {
        let name = shown.rsplit(['/', '\\']).next().unwrap_or(&shown).to_string();
        match classify(&name) {
            Class::Report => {
                self.list.push(Input::File(Job { path: path.to_path_buf(), shown, output: String::new() }))
            }
            Class::Skip(why) => self.list.push(Input::Skipped { shown, why }),
            Class::Zip => {
                if let Err(error) = self.unzip(path, &shown, limits) {
                    self.list.push(Input::Broken { shown, error });
                }
            }
        }
    }

    /// An upload over the size cap, listed with its size.
    pub fn add_oversize(&mut self, shown: String, size: u64, limit: u64) {
        let error = Error::read(Path::new(&shown), Problem::TooLarge { size, limit });
        self.list.push(Input::Broken { shown, error });
    }

    /// Open a zip and add its members (under the same caps as any file).
    fn unzip(&mut self, path: &Path, shown: &str, limits: &Limits) -> Result<()> {
        let bad = |detail: Option<String>| {
            Error::read(path, Problem::NotPackage { app: "压缩软件".into(), ext: ".zip".into(), detail })
        };
        let size = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
        if size > limits.file_bytes {
            return Err(Error::read(path, Problem::TooLarge { size, limit: limits.file_bytes }));
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| bad(Some(crate::read::container::zip_words(&e))))?;
        if zip.len() > limits.zip_entries {
            return Err(Error::read(path, Problem::TooManyEntries { count: zip.len(), limit: limits.zip_entries }));
        }
        let dir = match &self.unpacked {
            Some((d, _)) => d.path().to_path_buf(),
            None => {
                let d = tempfile::Builder::new()
                    .prefix("xxgk-zip-")
                    .tempdir()
                    .map_err(|e| Error::io(&std::env::temp_dir(), e))?;
                let p = d.path().to_path_buf();
                self.unpacked = Some((d, crate::cleanup::list(&p)));
                p
            }
        };
        let mut total = 0u64;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(Some(crate::read::container::zip_words(&e))))?;
            if entry.is_dir() {
                continue;
            }
            let name = member_name(entry.name_raw());
            let member = format!("{shown}/{name}");
            let last = name.rsplit('/').next().unwrap_or(&name);
            if name.split('/').any(|part| part == "__MACOSX") {
                self.list.push(Input::Skipped { shown: member, why: Skip::SystemFile });
                continue;
            }
            let ext = match classify(last) {
                Class::Report => last.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default(),
                Class::Zip => {
                    self.list.push(Input::Skipped { shown: member, why: Skip::NestedZip });
                    continue;
                }
                Class::Skip(why) => {
                    self.list.push(Input::Skipped { shown: member, why });
                    continue;
                }
            };
            let member_path = PathBuf::from(&member);
            if entry.encrypted() {
                let error = bad(Some("压缩包设置了密码".into()));
                self.list.push(Input::Broken { shown: member, error });
                continue;
            }
            if entry.size() > limits.file_bytes {
                let error =
                    Error::read(&member_path, Problem::TooLarge { size: entry.size(), limit: limits.file_bytes });
                self.list.push(Input::Broken { shown: member, error });
                continue;
            }
            total = total.saturating_add(entry.size());
            if total > limits.total_bytes {
                let error = Error::read(path, Problem::TooLargeUnpacked { total, limit: limits.total_bytes });
                self.list.push(Input::Broken { shown: member, error });
                continue;
            }
            let out = dir.join(format!("{:05}.{ext}", self.list.len()));
            let mut bytes = Vec::new();
            let read = (&mut entry).take(limits.file_bytes + 1).read_to_end(&mut bytes);
            let written = read.and_then(|_| std::fs::write(&out, &bytes));
            match written {
                Ok(()) => self.list.push(Input::File(Job { path: out, shown: member, output: String::new() })),
                Err(e) => {
                    let error = bad(Some(format!("{} 无法解压（{e}）", name)));
                    self.list.push(Input::Broken { shown: member, error });
                }
            }
        }
        Ok(())
    }

    /// Sort by name as shown and give each report its output name.
    fn settle(&mut self) {
        self.list.sort_by(|a, b| a.shown().cmp(b.shown()));
        self.name();
    }

    /// Give each report its output name, in the order of the list.
    fn name(&mut self) {
        let mut used = HashSet::new();
        for i in &mut self.list {
            if let Input::File(j) = i {
                j.output = unique_name(&j.shown, &mut used);
            }
        }
    }

    /// Uploaded files: (stored path, name shown, size when over the cap),
    /// in the order given.
    pub fn uploaded(files: &[(Option<PathBuf>, String, Option<u64>)], limits: &Limits) -> Inputs {
        let mut inputs = Inputs::default();
        for (stored, shown, oversize) in files {
            match (stored, oversize) {
                (_, Some(size)) => inputs.add_oversize(shown.clone(), *size, limits.file_bytes),
                (Some(path), None) => inputs.add(path, shown.clone(), limits),
                (None, None) => {
                    let name = shown.rsplit(['/', '\\']).next().unwrap_or(shown);
                    let why = match classify(name) {
                        Class::Skip(why) => why,
                        _ => Skip::OtherKind(String::new()),
                    };
                    inputs.list.push(Input::Skipped { shown: shown.clone(), why });
                }
            }
        }
        inputs.name();
        inputs
    }
}

/// A zip member's name: UTF-8, else GB18030 (the zips Windows makes in
/// China), `\` as `/`, empty and `.`/`..` parts dropped.
fn member_name(raw: &[u8]) -> String {
    let text = match std::str::from_utf8(raw) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::GB18030.decode(raw).0.into_owned(),
    };
    text.replace('\\', "/")
        .split('/')
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .map(|p| p.chars().filter(|c| !c.is_control()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/")
}

/// Find the inputs of a batch (files taken as given; folders walked,
/// skipping hidden folders, symbolic links and `outdir`). `batch` and
/// `check FOLDER` both find their files here.
///
/// An input that does not exist is listed as unusable.
///
/// # Errors
/// A folder cannot be read.
pub fn discover(inputs: &[PathBuf], outdir: Option<&Path>, limits: &Limits) -> Result<Inputs> {
    let out_canon = outdir.and_then(|o| o.canonicalize().ok());
    let mut found = Inputs::default();
    let mut seen = HashSet::new();
    for input in inputs {
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                found.list.push(Input::Broken { shown: input.display().to_string(), error: Error::io(input, e) });
                continue;
            }
        };
        if meta.is_file() {
            if seen.insert(input.clone()) {
                let shown = input.display().to_string();
                let name = input.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                match classify(&name) {
                    // A file named explicitly is read whatever its kind:
                    // the reader says why it cannot be.
                    Class::Skip(Skip::OtherKind(_)) => {
                        found.list.push(Input::File(Job { path: input.clone(), shown, output: String::new() }))
                    }
                    _ => found.add(input, shown, limits),
                }
            }
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
                match std::fs::symlink_metadata(&p).map(|m| m.file_type()) {
                    Ok(t) if t.is_dir() && !name.starts_with('.') => stack.push(p),
                    Ok(t) if t.is_file() && seen.insert(p.clone()) => {
                        let rel = p.strip_prefix(input).map(|r| r.display().to_string()).unwrap_or_default();
                        let shown = format!("{}/{}", input.display().to_string().trim_end_matches(['/', '\\']), rel);
                        found.add(&p, shown, limits);
                    }
                    _ => {}
                }
            }
        }
    }
    found.settle();
    Ok(found)
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

/// Jobs processed per step: results are handed to the sink in input order
/// and their findings dropped, so memory stays flat however many reports.
pub const CHUNK: usize = 256;

/// How a batch runs.
pub struct Options<'a> {
    /// The output folder: `reports/`, `annotated/`, the summary files.
    pub outdir: &'a Path,
    /// Replace an existing summary.
    pub force: bool,
    /// Last year's reports, by organ.
    pub previous: Option<&'a PreviousIndex>,
    /// Who reads the reasons on the rows.
    pub audience: Audience,
    /// The corpus table's file: `cells.csv` or `cells.parquet`.
    pub cells: crate::write::corpus::Format,
    /// Keep every row in [`Outcome::rows`] (the page shows them); without
    /// it the rows are only in the summary files and memory stays flat
    /// however many reports.
    pub keep_rows: bool,
}

/// Called once for every file done, from any thread (a progress bar).
pub type TickFn<'a> = dyn Fn() + Sync + 'a;

/// Process every input and write the summary as the batch goes
/// ([`crate::write::summary`]): `summary.xlsx` replaces an existing one
/// only with `force`. After each chunk, `sink` gets its rows (with their
/// findings, in input order); `tick` is called as each file is done.
///
/// # Errors
/// The output folder cannot be written.
pub fn run(
    session: &Session,
    inputs: &Inputs,
    opts: &Options<'_>,
    tick: &TickFn<'_>,
    sink: &mut dyn FnMut(&[Row]),
) -> Result<Outcome> {
    let place = session.job_place(opts.outdir, opts.previous)?;
    let flush = crate::output::SyncLater::open(&place.reports_dir)?;
    let mut summary = crate::write::summary::SummaryWriter::new(opts.outdir, opts.force, opts.cells)?;
    let mut sums = Sums::default();
    let mut index = 0;
    for chunk in inputs.list.chunks(CHUNK) {
        let results: Vec<Done> = chunk
            .par_iter()
            .map(|input| {
                let done = process(session, input, &place, opts.audience);
                tick();
                done
            })
            .collect();
        let mut rows = Vec::with_capacity(results.len());
        for Done { mut row, findings, tally, .. } in results {
            if let Some(t) = tally {
                if let Some(ed) = session.editions().get(&t.edition) {
                    summary.cells(&row, &t, ed)?;
                }
                row.summed = sums.add(index, t);
            }
            row.findings = findings;
            rows.push(row);
            index += 1;
        }
        sink(&rows);
        summary.chunk(&rows)?;
    }
    // Duplicates and conflicts are known only now: the rows of their
    // reports are read back from the spool, the others never held.
    let members = summary.rows_at(&sums.members())?;
    let Settled { updates, late, into } = sums.settle(&members, opts.outdir, session)?;
    drop(members);
    let mut outcome = Outcome::default();
    let mut years = std::mem::take(&mut sums.years);
    let mut into = into.iter().peekable();
    summary.replay(&updates, &late, &mut |i, row| {
        outcome.counts.add(row);
        while let Some((_, y)) = into.next_if(|(r, _)| *r == i) {
            if let Some(t) = years.get_mut(*y) {
                t.sources.push(row.source.clone());
            }
        }
        if opts.keep_rows {
            outcome.rows.push(row.clone());
        }
    })?;
    outcome.late = late;
    outcome.totals = years;
    outcome.previous_unreadable = opts.previous.map(|p| p.unreadable.clone()).unwrap_or_default();
    // Every job is done, so no worker is writing: a temporary file still
    // here is one a worker killed mid-write (time-out, memory) left.
    for dir in [place.reports_dir.clone(), opts.outdir.join(ANNOTATED_DIR)] {
        remove_temporaries(&dir);
    }
    summary.finish(&outcome, session.editions())?;
    // The reports were written without waiting for the disk one by one;
    // one flush of the file system now, before the summary says they are
    // there (see [`crate::output::write_file_unsynced`]).
    flush.sync(&place.reports_dir)?;
    Ok(outcome)
}

/// One input of the batch, done: read, checked and written, or the row
/// of a file that was skipped or could not be opened.
fn process(session: &Session, input: &Input, place: &JobPlace<'_>, audience: Audience) -> Done {
    match input {
        Input::File(job) => {
            let mut d = session.process(job, place);
            d.word(job, audience);
            d
        }
        Input::Skipped { shown, why } => Done {
            row: Row::without_report(shown, Status::Skipped, why.chinese()),
            findings: Vec::new(),
            tally: None,
            error: None,
        },
        Input::Broken { shown, error } => {
            let status = if error.is_not_a_report() { Status::NotReport } else { Status::Unreadable };
            Done {
                row: Row::without_report(shown, status, error.message(audience)),
                findings: Vec::new(),
                tally: None,
                error: None,
            }
        }
    }
}

/// What settling the totals decides: how rows change, the findings about
/// duplicates and conflicts, and which year each counted row counts in.
struct Settled {
    updates: HashMap<usize, Update>,
    late: Vec<(usize, Finding)>,
    /// (row, index into the years), by row.
    into: Vec<(usize, usize)>,
}

/// How many other files a duplicate or conflict finding names.
const NAMED: usize = 3;

/// The totals as the batch goes: by year, and who was counted.
#[derive(Default)]
struct Sums {
    years: Vec<YearTotals>,
    /// Counted reports: (row, organ key, year, edition id, fingerprint).
    counted: Vec<(usize, String, u32, String, u64)>,
}

impl Sums {
    /// Count a report's tally; returns what its row says of it.
    fn add(&mut self, row: usize, t: Tally) -> String {
        let Some(year) = t.year else { return "年度不明，未计入汇总".into() };
        if t.organ_key.is_empty() {
            return "机关不明，未计入汇总（无法判断是否重复）".into();
        }
        let at = match self.years.iter().position(|y| y.year == year && y.edition == t.edition) {
            Some(i) => i,
            None => {
                self.years.push(YearTotals {
                    year,
                    edition: t.edition.clone(),
                    sources: Vec::new(),
                    totals: Totals::default(),
                });
                self.years.len() - 1
            }
        };
        self.years[at].totals.merge(&t.totals, 1);
        self.counted.push((row, t.organ_key, year, t.edition, t.fingerprint));
        format!("计入{year}年汇总")
    }

    /// The rows that share organ and year with another counted one.
    fn members(&self) -> BTreeSet<usize> {
        let mut seen: HashMap<(&str, u32), usize> = HashMap::new();
        for (_, k, year, _, _) in &self.counted {
            *seen.entry((k.as_str(), *year)).or_default() += 1;
        }
        self.counted
            .iter()
            .filter(|(_, k, year, _, _)| seen.get(&(k.as_str(), *year)).is_some_and(|n| *n > 1))
            .map(|(row, ..)| *row)
            .collect()
    }

    /// Take duplicates and conflicts out again (their rows, read back, in
    /// `rows`), name the sources, and give the findings about them.
    fn settle(&mut self, rows: &HashMap<usize, Row>, outdir: &Path, session: &Session) -> Result<Settled> {
        let mut groups: BTreeMap<(String, u32), Vec<(usize, u64)>> = BTreeMap::new();
        for (row, k, year, _, fp) in &self.counted {
            groups.entry((k.clone(), *year)).or_default().push((*row, *fp));
        }
        let mut late = Vec::new();
        let mut updates = HashMap::new();
        let mut out: HashSet<usize> = HashSet::new();
        let source = |r: usize| rows.get(&r).map_or("", |x| x.source.as_str());
        for ((_, year), members) in groups.into_iter().filter(|(_, m)| m.len() > 1) {
            // The other files, named up to a few: a crawl may hold thousands
            // of copies of one report, and each copy's finding must not list
            // them all (memory would grow with their square).
            let names = |skip: usize| -> String {
                let others = members.iter().filter(|(r, _)| *r != skip);
                let shown: Vec<&str> = others.clone().take(NAMED).map(|(r, _)| source(*r)).collect();
                match others.count() {
                    n if n > NAMED => format!("{} 等 {n} 份", shown.join("、")),
                    _ => shown.join("、"),
                }
            };
            let same = members.iter().all(|(_, fp)| *fp == members[0].1);
            let first = members[0].0;
            for &(r, _) in &members {
                let organ = rows.get(&r).map_or("", |x| x.organ.as_str());
                let others = names(r);
                let (finding, summed, take_out) = if same {
                    let f = Finding::new(
                        "BATCH-DUPLICATE",
                        Severity::Warning,
                        "同一机关同一年度只应有一份报告",
                        format!("{organ}{year}年的报告与 {others} 数字完全相同，汇总时只计入一次（{}）", source(first)),
                    );
                    let summed = if r == first {
                        format!("计入{year}年汇总（{} 与之重复，只计一次）", others)
                    } else {
                        format!("重复（与 {} 相同），未重复计入", source(first))
                    };
                    (f, summed, r != first)
                } else {
                    let f = Finding::new(
                        "BATCH-CONFLICT",
                        Severity::Error,
                        "同一机关同一年度只应有一份报告",
                        format!(
                            "{organ}{year}年还有另一份报告 {others}，数字不同。两份都未计入汇总，请确认哪一份是正式报告并删除其他的后重新运行"
                        ),
                    );
                    (f, format!("冲突（与 {others} 数字不同），未计入汇总"), true)
                };
                late.push((r, finding));
                updates.insert(r, Update { summed, error: !same });
                if take_out {
                    out.insert(r);
                    if let Some(row) = rows.get(&r) {
                        self.take_out(row, year, outdir, session)?;
                    }
                }
            }
        }
        self.years.sort_by(|a, b| (a.year, &a.edition).cmp(&(b.year, &b.edition)));
        let counted: Vec<(usize, usize)> = self
            .counted
            .iter()
            .filter(|(row, ..)| !out.contains(row))
            .filter_map(|(row, _, year, edition, _)| {
                self.years.iter().position(|y| y.year == *year && y.edition == *edition).map(|y| (*row, y))
            })
            .collect();
        // Years left with no report (all taken out) are dropped, the
        // indices of the others renumbered.
        let mut kept = vec![false; self.years.len()];
        for (_, y) in &counted {
            kept[*y] = true;
        }
        let mut renumber = Vec::with_capacity(kept.len());
        let mut next = 0;
        for k in &kept {
            renumber.push(next);
            next += usize::from(*k);
        }
        let mut k = kept.iter();
        self.years.retain(|_| k.next().copied().unwrap_or(false));
        let into = counted.into_iter().map(|(row, y)| (row, renumber[y])).collect();
        late.sort_by_key(|(i, _)| *i);
        Ok(Settled { updates, late, into })
    }

    /// Take a counted report out of its year's totals, reading its numbers
    /// back from the JSON it wrote.
    fn take_out(&mut self, row: &Row, year: u32, outdir: &Path, session: &Session) -> Result<()> {
        let Some(output) = &row.output else { return Ok(()) };
        let file = outdir.join(output);
        let report = crate::read::json::read(&file, session.limits())?;
        let ed = session.editions().lookup(&report.edition)?;
        if let Some(y) = self.years.iter_mut().find(|y| y.year == year && y.edition == ed.id) {
            y.totals.merge(&Totals::of(ed, &report), -1);
        }
        Ok(())
    }
}

/// Remove the temporary files [`crate::output::create_beside`] makes
/// (`.xxgk-*.tmp`) from `dir`; nothing else is touched.
fn remove_temporaries(dir: &Path) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(crate::output::TEMP_PREFIX) && name.ends_with(crate::output::TEMP_SUFFIX) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_which_files_are_taken() {
        for (name, want) in [
            ("报告.docx", Class::Report),
            ("A.PDF", Class::Report),
            ("OCR结果.md", Class::Report),
            ("网页.mhtml", Class::Report),
            ("乡镇.zip", Class::Zip),
            ("~$报告.docx", Class::Skip(Skip::LockFile)),
            (".~lock.报告.docx#", Class::Skip(Skip::LockFile)),
            ("Thumbs.db", Class::Skip(Skip::SystemFile)),
            ("desktop.ini", Class::Skip(Skip::SystemFile)),
            ("._报告.docx", Class::Skip(Skip::SystemFile)),
            (".hidden.docx", Class::Skip(Skip::Hidden)),
            ("照片.jpg", Class::Skip(Skip::OtherKind("jpg".into()))),
            ("README", Class::Skip(Skip::OtherKind(String::new()))),
        ] {
            assert_eq!(classify(name), want, "{name}");
        }
    }

    #[test]
    fn a_zip_members_name_is_utf8_or_gbk_and_stays_inside() {
        assert_eq!(member_name("乡镇/报告.docx".as_bytes()), "乡镇/报告.docx");
        let gbk = encoding_rs::GB18030.encode("乡镇\\报告.docx").0.into_owned();
        assert_eq!(member_name(&gbk), "乡镇/报告.docx");
        assert_eq!(member_name(b"../../etc/passwd"), "etc/passwd");
    }

    #[test]
    fn temporaries_left_by_a_killed_worker_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let keep = ["a.json", ".xxgk-notes.txt", "x.tmp", ".hidden"];
        for f in keep.iter().chain(&[".xxgk-AbC123.tmp", ".xxgk-z.tmp"]) {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        // What create_beside makes is what is removed.
        let made = crate::output::create_beside(&dir.path().join("b.json")).unwrap().into_temp_path().keep().unwrap();
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
