//! What a batch keeps of each report and of the whole: the rows of the
//! submission overview, the totals by report year, and the outcome. Plain
//! data: the pipeline makes rows ([`crate::pipeline`]), the batch sums them
//! ([`crate::batch`]), the summary writer prints them
//! ([`crate::write::summary`]).

// Indexing is bounded here: totals vectors are sized to the edition's cells.
#![allow(clippy::indexing_slicing)]

use crate::check::Finding;
use crate::edition::Edition;
use crate::labels::key;
use crate::model::{Number, Report};
use serde::{Deserialize, Serialize};

/// What a batch row says of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    #[serde(rename = "通过")]
    Passed,
    #[serde(rename = "有警告")]
    Warnings,
    #[serde(rename = "有错误")]
    Errors,
    #[serde(rename = "无法读取")]
    Unreadable,
    #[serde(rename = "不是年报")]
    NotReport,
    #[serde(rename = "跳过")]
    Skipped,
}

impl Status {
    pub fn chinese(self) -> &'static str {
        match self {
            Status::Passed => "通过",
            Status::Warnings => "有警告",
            Status::Errors => "有错误",
            Status::Unreadable => "无法读取",
            Status::NotReport => "不是年报",
            Status::Skipped => "跳过",
        }
    }
    /// A report was read (it may still have errors).
    pub fn read(self) -> bool {
        matches!(self, Status::Passed | Status::Warnings | Status::Errors)
    }
    /// The status of a report with these counts.
    pub fn of(errors: usize, warnings: usize) -> Status {
        match (errors, warnings) {
            (0, 0) => Status::Passed,
            (0, _) => Status::Warnings,
            _ => Status::Errors,
        }
    }
}

/// One row of the submission overview.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    pub organ: String,
    pub year: Option<u32>,
    pub edition: String,
    pub errors: usize,
    pub warnings: usize,
    pub status: Status,
    /// Why a file could not be read, is no report, or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether and where it counts in the totals (汇总), in Chinese.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summed: String,
    /// Last year's report it was compared with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// How much of each part repeats last year's text, for the parts both
    /// reports have text in (`一 35%；五 99%`): evaluators rank by it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repetition: String,
    /// The annotated workbook written for a report with errors
    /// (`annotated/<name>.问题标注.xlsx`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotated: Option<String>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

impl Row {
    /// The row of a file that gave no report.
    pub fn without_report(source: &str, status: Status, reason: String) -> Row {
        Row {
            source: source.to_string(),
            output: None,
            organ: String::new(),
            year: None,
            edition: String::new(),
            errors: 0,
            warnings: 0,
            status,
            reason: Some(reason),
            summed: "未计入".into(),
            previous: None,
            repetition: String::new(),
            annotated: None,
            findings: Vec::new(),
        }
    }
    /// The status as one text: `无法读取：…`.
    pub fn status_text(&self) -> String {
        match &self.reason {
            Some(r) => format!("{}：{r}", self.status.chinese()),
            None => self.status.chinese().to_string(),
        }
    }
}

/// Sums of every cell over reports of one edition.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// Totals of one report.
    pub fn of(ed: &Edition, r: &Report) -> Totals {
        let mut t = Totals { reports: 1, sums: vec![Number::ZERO; ed.cells.len()], filled: vec![0; ed.cells.len()] };
        for (i, c) in ed.cells.iter().enumerate() {
            if let (Some(v), Some(s), Some(f)) =
                (r.cell_at(i, &c.id).copied().flatten(), t.sums.get_mut(i), t.filled.get_mut(i))
            {
                *s = v;
                *f = 1;
            }
        }
        t
    }
    /// Add `other` (`sign` 1) or take it away (`sign` -1).
    pub fn merge(&mut self, other: &Totals, sign: i8) {
        if self.sums.is_empty() {
            self.sums = vec![Number::ZERO; other.sums.len()];
            self.filled = vec![0; other.filled.len()];
        }
        if sign >= 0 {
            self.reports += other.reports;
        } else {
            self.reports = self.reports.saturating_sub(other.reports);
        }
        for (s, v) in self.sums.iter_mut().zip(&other.sums) {
            let v = if sign >= 0 { *v } else { -*v };
            *s = s.checked_add(v).unwrap_or(*s);
        }
        for (f, n) in self.filled.iter_mut().zip(&other.filled) {
            *f = if sign >= 0 { *f + n } else { f.saturating_sub(*n) };
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

/// What a report adds to the totals: whose report of which year it is,
/// its numbers' fingerprint (to tell the same report saved twice from two
/// versions), and its cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tally {
    /// The organ's name as a key ([`crate::labels::key`]); empty if unknown.
    pub organ_key: String,
    pub year: Option<u32>,
    pub edition: String,
    /// A hash of the edition and every cell's value, in order.
    pub fingerprint: u64,
    pub totals: Totals,
    /// Where each cell of the edition was read, in the edition's order
    /// ([`crate::model::Source::place`]; empty where unknown), and the
    /// text as found there: for the corpus table (`cells.csv`).
    #[serde(default)]
    pub printed: Vec<Printed>,
}

/// Where one cell was read and what it said there.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Printed {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Tally {
    pub fn of(ed: &Edition, r: &Report) -> Tally {
        // FNV-1a over the values as text: the same in every process.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |b: &[u8]| {
            for x in b {
                h = (h ^ u64::from(*x)).wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(ed.id.as_bytes());
        for c in &ed.cells {
            feed(&[0]);
            match r.value(&c.id) {
                Some(v) => feed(v.to_string().as_bytes()),
                None => feed(b"-"),
            }
        }
        Tally {
            organ_key: key(&r.organ),
            year: r.year,
            edition: ed.id.clone(),
            fingerprint: h,
            totals: Totals::of(ed, r),
            printed: ed
                .cells
                .iter()
                .map(|c| {
                    r.provenance
                        .get(&c.id)
                        .map(|s| Printed { place: s.place(), text: s.text.clone() })
                        .unwrap_or_default()
                })
                .collect(),
        }
    }
}

/// The totals of one report year.
#[derive(Debug, Clone)]
pub struct YearTotals {
    pub year: u32,
    /// The edition id.
    pub edition: String,
    /// The reports counted, as shown.
    pub sources: Vec<String>,
    pub totals: Totals,
}

/// How a row changes once all reports are read: a report that turned
/// out to be a duplicate or a conflict.
#[derive(Debug, Clone)]
pub struct Update {
    /// What the 汇总 column says now.
    pub summed: String,
    /// The finding it got is an error (a conflict), else a warning.
    pub error: bool,
}

impl Update {
    pub fn apply(&self, r: &mut Row) {
        r.summed.clone_from(&self.summed);
        if self.error {
            r.errors += 1;
        } else {
            r.warnings += 1;
        }
        r.status = Status::of(r.errors, r.warnings);
    }
}

/// How many rows of each kind a batch had.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub files: usize,
    pub passed: usize,
    pub warnings: usize,
    pub errors: usize,
    pub unreadable: usize,
    pub not_report: usize,
    pub skipped: usize,
    /// Reports read but not counted in the totals (duplicate, conflict,
    /// year or organ unknown).
    pub not_counted: usize,
}

impl RowCounts {
    /// Count one row, in its final state.
    pub fn add(&mut self, r: &Row) {
        self.files += 1;
        *match r.status {
            Status::Passed => &mut self.passed,
            Status::Warnings => &mut self.warnings,
            Status::Errors => &mut self.errors,
            Status::Unreadable => &mut self.unreadable,
            Status::NotReport => &mut self.not_report,
            Status::Skipped => &mut self.skipped,
        } += 1;
        if r.status.read() && !r.summed.starts_with("计入") {
            self.not_counted += 1;
        }
    }

    /// Rows of a status.
    pub fn of(&self, status: Status) -> usize {
        match status {
            Status::Passed => self.passed,
            Status::Warnings => self.warnings,
            Status::Errors => self.errors,
            Status::Unreadable => self.unreadable,
            Status::NotReport => self.not_report,
            Status::Skipped => self.skipped,
        }
    }

    /// Reports read.
    pub fn read(&self) -> usize {
        self.passed + self.warnings + self.errors
    }
}

/// The result of a batch.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One row per input, in input order (findings already handed out),
    /// only when the caller asked to keep them
    /// ([`crate::batch::Options::keep_rows`]): a batch of 10⁵ reports
    /// keeps none in memory, its rows are in the summary files.
    pub rows: Vec<Row>,
    /// The rows counted by kind (always).
    pub counts: RowCounts,
    /// Findings known only once all reports are read: (row index, finding).
    pub late: Vec<(usize, Finding)>,
    /// Totals by report year, in year order.
    pub totals: Vec<YearTotals>,
    /// Last year's files that could not be read or matched: (shown, why).
    pub previous_unreadable: Vec<(String, String)>,
}

impl Outcome {
    /// Rows of a status.
    pub fn count(&self, status: Status) -> usize {
        self.counts.of(status)
    }

    /// What was done, in one Chinese paragraph (the command line's last
    /// line, the page's heading of the results).
    pub fn describe(&self) -> String {
        let read = self.counts.read();
        let mut s = format!(
            "共 {} 个文件：{read} 份报告已读取（{} 份通过，{} 份有警告，{} 份有错误），{} 份无法读取，{} 份不是年报，{} 个跳过。",
            self.counts.files,
            self.count(Status::Passed),
            self.count(Status::Warnings),
            self.count(Status::Errors),
            self.count(Status::Unreadable),
            self.count(Status::NotReport),
            self.count(Status::Skipped),
        );
        let years: Vec<String> = self.totals.iter().map(|t| format!("{}年 {} 份", t.year, t.sources.len())).collect();
        if years.is_empty() {
            s.push_str("没有可汇总的报告。");
        } else {
            s.push_str(&format!("汇总（按报告年度分别汇总）：{}。", years.join("，")));
        }
        let not_counted = self.counts.not_counted;
        if not_counted > 0 {
            s.push_str(&format!(
                "另有 {not_counted} 份已读取的报告未计入汇总（重复、冲突、年度或机关不明，见“汇总”一栏）。"
            ));
        }
        if !self.previous_unreadable.is_empty() {
            s.push_str(&format!(
                "上年报告中有 {} 份无法读取或无法配对，相应机关未做跨年度检查。",
                self.previous_unreadable.len()
            ));
        }
        s
    }
}
