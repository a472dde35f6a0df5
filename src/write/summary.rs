//! The outputs of a batch besides the reports' JSON, written as the batch
//! goes so that memory stays flat: `summary.xlsx` (报送情况, 问题清单 in
//! constant-memory mode, and the 汇总 of all units' tables in the official
//! layout), and the same data for machines: `summary.json`,
//! `submissions.csv`, `findings.csv`, `totals-<year>.csv` (one per report year:
//! a batch never adds up reports of different years), and the corpus
//! table ([`crate::write::corpus`]). Findings and cells are written as each
//! chunk finishes; rows are spooled to a temporary file and replayed once
//! the duplicates are known ([`SummaryWriter::replay`]); `summary.xlsx`
//! is written straight to its file.

// Indexing is bounded here: fixed-size header arrays indexed by their own enumerate().
#![allow(clippy::indexing_slicing)]

use crate::check::Finding;
use crate::edition::Edition;
use crate::edition::Editions;
use crate::error::{Error, Result};
use crate::output::{create_beside, persist, write_file};
use crate::tally::{Outcome, Row, Tally, Update, YearTotals};
use crate::write::corpus::{self, CorpusWriter};
use crate::write::csv::{self as csvw, record};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, XlsxError};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

fn xerr(e: XlsxError) -> Error {
    Error::render("汇总表", e)
}

const SUBMISSION_HEADER: [&str; 11] = [
    "机关",
    "年度",
    "格式版本",
    "源文件",
    "输出文件",
    "错误数",
    "警告数",
    "状态",
    "汇总",
    "对比的上年报告",
    "与上年重复率",
];
const FINDING_HEADER: [&str; 11] =
    ["机关", "源文件", "规则代码", "级别", "说明", "表", "行", "列", "公式", "差额", "位置"];
const SUBMISSION_WIDTHS: [f64; 11] = [24.0, 8.0, 28.0, 40.0, 40.0, 8.0, 8.0, 30.0, 24.0, 40.0, 24.0];
const FINDING_WIDTHS: [f64; 11] = [24.0, 30.0, 20.0, 6.0, 60.0, 6.0, 30.0, 24.0, 40.0, 8.0, 30.0];

/// The height that shows every field of a row in full (default font, 11 pt).
fn row_height<const N: usize>(fields: &[String; N], widths: &[f64; N]) -> f64 {
    let cells: Vec<(&str, f64)> = fields.iter().map(String::as_str).zip(widths.iter().copied()).collect();
    crate::write::xlsx::wrapped_height(&cells, 11.0)
}

fn submission_fields(r: &Row) -> [String; 11] {
    [
        r.organ.clone(),
        r.year.map(|y| y.to_string()).unwrap_or_default(),
        r.edition.clone(),
        r.source.clone(),
        r.output.clone().unwrap_or_default(),
        r.errors.to_string(),
        r.warnings.to_string(),
        r.status_text(),
        r.summed.clone(),
        r.previous.clone().unwrap_or_default(),
        r.repetition.clone(),
    ]
}

fn finding_fields(r: &Row, f: &Finding) -> [String; 11] {
    [
        r.organ.clone(),
        r.source.clone(),
        f.code.clone(),
        f.severity.chinese().to_string(),
        f.message.clone(),
        f.table.clone().unwrap_or_default(),
        f.row.clone().unwrap_or_default(),
        f.column.clone().unwrap_or_default(),
        f.formula.clone().unwrap_or_default(),
        f.difference.map(|d| d.to_string()).unwrap_or_default(),
        f.source.as_ref().map(|s| s.describe()).unwrap_or_default(),
    ]
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

fn json_error(path: &Path) -> impl Fn(serde_json::Error) -> Error + '_ {
    move |e| match e.io_error_kind() {
        Some(kind) => Error::io(path, kind.into()),
        None => Error::render(&format!(" {}", path.display()), e),
    }
}

/// The name of a year's totals: the year, and the edition when the same
/// year has totals of two editions (a report in the wrong edition).
fn tag(o: &Outcome, t: &YearTotals) -> String {
    if o.totals.iter().filter(|x| x.year == t.year).count() > 1 {
        format!("{}-{}", t.year, t.edition)
    } else {
        t.year.to_string()
    }
}

/// One line of the findings spool (and of `summary.json`'s `findings`).
#[derive(serde::Serialize)]
struct FindingLine<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    report: usize,
    source_file: &'a str,
    organ: &'a str,
}

/// Writes the summary files as the batch goes.
pub struct SummaryWriter {
    outdir: PathBuf,
    wb: Workbook,
    head: Format,
    cell: Format,
    findings_row: u32,
    /// `findings.csv`, written beside its final place and moved there at the end.
    findings_csv: csv::Writer<NamedTempFile>,
    findings_csv_path: PathBuf,
    /// The findings as JSON lines, for `summary.json` (an unnamed temporary file).
    findings_json: BufWriter<std::fs::File>,
    findings_json_path: PathBuf,
    /// The corpus table (`cells.csv` or `cells.parquet`).
    corpus: CorpusWriter,
    /// Every row as a JSON line, as it came (an unnamed temporary file):
    /// the rows are not kept in memory, and are read back at the end.
    rows_spool: BufWriter<std::fs::File>,
    /// What [`SummaryWriter::replay`] writes for the end: `submissions.csv`
    /// beside its place, and the rows and the uncounted ones as JSON lines
    /// for `summary.json`.
    replayed: Option<Replayed>,
    rows_seen: usize,
    force: bool,
}

impl SummaryWriter {
    /// Start the summary in `outdir`; `summary.xlsx` replaces an existing
    /// one only with `force`.
    ///
    /// # Errors
    /// [`Error::Io`] if the folder cannot be written.
    pub fn new(outdir: &Path, force: bool, cells: corpus::Format) -> Result<SummaryWriter> {
        let findings_csv_path = outdir.join("findings.csv");
        let findings_json_path = outdir.join("findings.jsonl");
        let mut findings_csv = csvw::writer(create_beside(&findings_csv_path)?, true, &findings_csv_path)?;
        record(&mut findings_csv, &FINDING_HEADER, &findings_csv_path)?;
        let findings_json = BufWriter::new(tempfile::tempfile_in(outdir).map_err(io(&findings_json_path))?);
        let corpus = CorpusWriter::new(outdir, cells)?;
        let rows_spool = BufWriter::new(tempfile::tempfile_in(outdir).map_err(io(outdir))?);
        let mut wb = Workbook::new();
        wb.set_tempdir(outdir).map_err(xerr)?;
        // A fixed date rather than now, so that the same reports give the
        // same bytes (as the report workbooks do).
        let created = ExcelDateTime::from_ymd(2019, 1, 1).map_err(xerr)?;
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_font_name("宋体").set_text_wrap();
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_name("宋体")
            .set_text_wrap()
            .set_align(rust_xlsxwriter::FormatAlign::Top);
        {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
            ws.set_name("报送情况").map_err(xerr)?;
            crate::write::xlsx::print_wide(ws, 0).map_err(xerr)?;
        }
        {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
            ws.set_name("问题清单").map_err(xerr)?;
            crate::write::xlsx::print_wide(ws, 0).map_err(xerr)?;
            for (c, w) in FINDING_WIDTHS.iter().enumerate() {
                ws.set_column_width(c as u16, *w).map_err(xerr)?;
            }
            for (c, h) in FINDING_HEADER.iter().enumerate() {
                ws.write_with_format(0, c as u16, *h, &head).map_err(xerr)?;
            }
        }
        Ok(SummaryWriter {
            outdir: outdir.to_path_buf(),
            wb,
            head,
            cell,
            findings_row: 1,
            findings_csv,
            findings_csv_path,
            findings_json,
            findings_json_path,
            corpus,
            rows_spool,
            replayed: None,
            rows_seen: 0,
            force,
        })
    }

    fn finding(&mut self, index: usize, r: &Row, f: &Finding) -> Result<()> {
        let fields = finding_fields(r, f);
        let ws = self.wb.worksheet_from_index(1).map_err(xerr)?;
        for (c, v) in fields.iter().enumerate() {
            ws.write_with_format(self.findings_row, c as u16, v.as_str(), &self.cell).map_err(xerr)?;
        }
        ws.set_row_height(self.findings_row, row_height(&fields, &FINDING_WIDTHS)).map_err(xerr)?;
        self.findings_row += 1;
        record(&mut self.findings_csv, &fields, &self.findings_csv_path)?;
        let line = FindingLine { finding: f, report: index, source_file: &r.source, organ: &r.organ };
        serde_json::to_writer(&mut self.findings_json, &line).map_err(json_error(&self.findings_json_path))?;
        self.findings_json.write_all(b"\n").map_err(io(&self.findings_json_path))?;
        Ok(())
    }

    /// One report's cells in the corpus table ([`CorpusWriter::report`]).
    pub fn cells(&mut self, r: &Row, t: &Tally, ed: &Edition) -> Result<()> {
        self.corpus.report(r, t, ed)
    }

    /// The rows of one chunk, in input order.
    pub fn chunk(&mut self, rows: &[Row]) -> Result<()> {
        for r in rows {
            let index = self.rows_seen;
            self.rows_seen += 1;
            for f in &r.findings {
                self.finding(index, r, f)?;
            }
            json_line(&mut self.rows_spool, r, &self.outdir)?;
        }
        Ok(())
    }

    /// The rows spooled so far, read back in order with their indices.
    fn spooled(&mut self) -> Result<impl Iterator<Item = Result<(usize, Row)>> + use<>> {
        let outdir = self.outdir.clone();
        self.rows_spool.flush().map_err(io(&outdir))?;
        let mut file = self.rows_spool.get_ref().try_clone().map_err(io(&outdir))?;
        file.rewind().map_err(io(&outdir))?;
        Ok(std::io::BufReader::new(file).lines().enumerate().map(move |(i, line)| {
            let line = line.map_err(io(&outdir))?;
            let row: Row = serde_json::from_str(&line).map_err(json_error(&outdir))?;
            Ok((i, row))
        }))
    }

    /// The spooled rows of the indices `wanted`.
    ///
    /// # Errors
    /// [`Error::Io`] if the spool cannot be read back.
    pub fn rows_at(&mut self, wanted: &BTreeSet<usize>) -> Result<HashMap<usize, Row>> {
        let mut out = HashMap::with_capacity(wanted.len());
        if wanted.is_empty() {
            return Ok(out);
        }
        for item in self.spooled()? {
            let (i, row) = item?;
            if wanted.contains(&i) {
                out.insert(i, row);
            }
        }
        Ok(out)
    }

    /// Every row once more, in order, as it is at the end (`updates`
    /// applied): into 报送情况, `submissions.csv` and `summary.json`, with
    /// the findings known only at the end (`late`, by row index, in
    /// order) into 问题清单. `seen` gets each row in its final state.
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be written or the spool read back.
    pub fn replay(
        &mut self,
        updates: &HashMap<usize, Update>,
        late: &[(usize, Finding)],
        seen: &mut dyn FnMut(usize, &Row),
    ) -> Result<()> {
        let submissions_path = self.outdir.join("submissions.csv");
        let mut submissions = csvw::writer(BufWriter::new(create_beside(&submissions_path)?), true, &submissions_path)?;
        record(&mut submissions, &SUBMISSION_HEADER, &submissions_path)?;
        let mut reports = BufWriter::new(tempfile::tempfile_in(&self.outdir).map_err(io(&self.outdir))?);
        let mut not_counted = BufWriter::new(tempfile::tempfile_in(&self.outdir).map_err(io(&self.outdir))?);
        self.submissions_head()?;
        let mut late = late.iter().peekable();
        for item in self.spooled()? {
            let (i, mut row) = item?;
            if let Some(u) = updates.get(&i) {
                u.apply(&mut row);
            }
            seen(i, &row);
            let fields = submission_fields(&row);
            self.submission(i, &fields)?;
            record(&mut submissions, &fields, &submissions_path)?;
            json_line(&mut reports, &row, &self.outdir)?;
            if !row.summed.starts_with("计入") {
                let why = serde_json::json!({ "source": row.source, "why": row.summed });
                json_line(&mut not_counted, &why, &self.outdir)?;
            }
            while let Some((_, f)) = late.next_if(|(at, _)| *at == i) {
                self.finding(i, &row, f)?;
            }
        }
        self.replayed = Some(Replayed { submissions, submissions_path, reports, not_counted });
        Ok(())
    }

    /// 报送情况's widths and header.
    fn submissions_head(&mut self) -> Result<()> {
        let head = self.head.clone();
        let ws = self.wb.worksheet_from_index(0).map_err(xerr)?;
        for (c, w) in SUBMISSION_WIDTHS.iter().enumerate() {
            ws.set_column_width(c as u16, *w).map_err(xerr)?;
        }
        for (c, h) in SUBMISSION_HEADER.iter().enumerate() {
            ws.write_with_format(0, c as u16, *h, &head).map_err(xerr)?;
        }
        Ok(())
    }

    /// One row of 报送情况 (the `i`-th, 0-based).
    fn submission(&mut self, i: usize, fields: &[String; 11]) -> Result<()> {
        let cell = self.cell.clone();
        let ws = self.wb.worksheet_from_index(0).map_err(xerr)?;
        let row = i as u32 + 1;
        for (c, v) in fields.iter().enumerate() {
            if (c == 1 || c == 5 || c == 6) && !v.is_empty() {
                ws.write_number_with_format(row, c as u16, v.parse::<f64>().unwrap_or(0.0), &cell).map_err(xerr)?;
            } else {
                ws.write_with_format(row, c as u16, v.as_str(), &cell).map_err(xerr)?;
            }
        }
        ws.set_row_height(row, row_height(fields, &SUBMISSION_WIDTHS)).map_err(xerr)?;
        Ok(())
    }

    /// Write what needs the whole batch, and move the files into place;
    /// after [`SummaryWriter::replay`].
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be written; [`Error::OutputExists`]
    /// if `summary.xlsx` appeared meanwhile (without `force`).
    pub fn finish(mut self, o: &Outcome, editions: &Editions) -> Result<()> {
        let outdir = self.outdir.clone();
        let Some(replayed) = self.replayed.take() else {
            return Err(Error::render("汇总表", "the rows were not replayed before the summary was finished"));
        };
        {
            let ws = self.wb.worksheet_from_index(0).map_err(xerr)?;
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            ws.autofilter(0, 0, o.counts.files as u32, SUBMISSION_HEADER.len() as u16 - 1).map_err(xerr)?;
        }
        {
            let last = self.findings_row.saturating_sub(1);
            let ws = self.wb.worksheet_from_index(1).map_err(xerr)?;
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            ws.autofilter(0, 0, last, FINDING_HEADER.len() as u16 - 1).map_err(xerr)?;
        }
        for t in &o.totals {
            let Some(ed) = editions.get(&t.edition) else { continue };
            let report = t.totals.report(ed, &format!("{}年汇总（{} 份报告）", t.year, t.sources.len()));
            crate::write::xlsx::table_sheets(&mut self.wb, &report, ed, &format!("汇总{}", tag(o, t))).map_err(xerr)?;
        }
        // summary.xlsx first: without --force it must not replace one that
        // appeared since the batch started. Written straight to its file
        // (the sheets of rows and findings come from temporary files).
        let xlsx = outdir.join("summary.xlsx");
        let mut tmp = create_beside(&xlsx)?;
        {
            // Flushed here, not on drop: a full disk must fail the batch,
            // never leave a cut summary.xlsx.
            let mut out = BufWriter::new(tmp.as_file_mut());
            self.wb.save_to_writer(&mut out).map_err(xerr)?;
            out.flush().map_err(io(&xlsx))?;
        }
        crate::ooxml::made_on_unix_file(tmp.as_file_mut()).map_err(io(&xlsx))?;
        persist(tmp, &xlsx, self.force)?;

        let findings_csv = csvw::finish(self.findings_csv, &self.findings_csv_path)?;
        persist(findings_csv, &self.findings_csv_path, true)?;
        self.corpus.finish()?;
        let Replayed { submissions, submissions_path, reports, not_counted } = replayed;
        let submissions = csvw::finish(submissions, &submissions_path)?
            .into_inner()
            .map_err(|e| Error::io(&submissions_path, e.into_error()))?;
        persist(submissions, &submissions_path, true)?;
        for t in &o.totals {
            if let Some(ed) = editions.get(&t.edition) {
                let report = t.totals.report(ed, &format!("{}年汇总", t.year));
                write_file(
                    &outdir.join(format!("totals-{}.csv", tag(o, t))),
                    &csvw::render(&report, ed, true)?,
                    true,
                    &[],
                )?;
            }
        }
        summary_json(&outdir, o, editions, [reports, not_counted, self.findings_json])
    }
}

/// `summary.json`: the rows, the totals, the uncounted ones, last year's
/// unreadable files and the findings, the long lists (`spools`: rows,
/// uncounted, findings) copied one JSON object per line.
fn summary_json(outdir: &Path, o: &Outcome, editions: &Editions, spools: [BufWriter<std::fs::File>; 3]) -> Result<()> {
    let json_path = outdir.join("summary.json");
    let mut totals = Vec::new();
    for t in &o.totals {
        if let Some(ed) = editions.get(&t.edition) {
            let r = t.totals.report(ed, "汇总");
            totals.push(serde_json::json!({
                "year": t.year, "edition": t.edition, "sources": t.sources, "cells": r.cells
            }));
        }
    }
    let previous: Vec<serde_json::Value> =
        o.previous_unreadable.iter().map(|(source, why)| serde_json::json!({ "source": source, "why": why })).collect();
    let totals = crate::write::json::to_vec_pretty(&totals)?;
    let previous = crate::write::json::to_vec_pretty(&previous)?;
    let mut lists = Vec::with_capacity(3);
    for spool in spools {
        let mut file = spool.into_inner().map_err(|e| Error::io(&json_path, e.into_error()))?;
        file.rewind().map_err(io(&json_path))?;
        lists.push(file);
    }
    let mut out = BufWriter::new(create_beside(&json_path)?);
    let list = |out: &mut BufWriter<NamedTempFile>, file: std::fs::File| -> std::io::Result<()> {
        out.write_all(b"[\n")?;
        for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
            if n > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(line?.as_bytes())?;
        }
        out.write_all(b"\n]")
    };
    (|| {
        let mut lists = lists.into_iter();
        let mut next = || lists.next().ok_or_else(|| std::io::Error::other("spool"));
        out.write_all(b"{\n\"reports\": ")?;
        list(&mut out, next()?)?;
        out.write_all(b",\n\"totals\": ")?;
        out.write_all(&totals)?;
        out.write_all(b",\n\"not_counted\": ")?;
        list(&mut out, next()?)?;
        out.write_all(b",\n\"previous_unreadable\": ")?;
        out.write_all(&previous)?;
        out.write_all(b",\n\"findings\": ")?;
        list(&mut out, next()?)?;
        out.write_all(b"\n}\n")?;
        out.flush()
    })()
    .map_err(io(&json_path))?;
    let tmp = out.into_inner().map_err(|e| Error::io(&json_path, e.into_error()))?;
    persist(tmp, &json_path, true)
}

/// What the replay of the rows leaves for the end.
struct Replayed {
    submissions: csv::Writer<BufWriter<NamedTempFile>>,
    submissions_path: PathBuf,
    reports: BufWriter<std::fs::File>,
    not_counted: BufWriter<std::fs::File>,
}

/// Write `v` as one line of JSON.
fn json_line<T: serde::Serialize>(out: &mut BufWriter<std::fs::File>, v: &T, dir: &Path) -> Result<()> {
    serde_json::to_writer(&mut *out, v).map_err(json_error(dir))?;
    out.write_all(b"\n").map_err(io(dir))
}
