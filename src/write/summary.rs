//! The outputs of a batch besides the reports' JSON, written as the batch
//! goes so that memory stays flat: `summary.xlsx` (报送情况, 问题清单 in
//! constant-memory mode, and the 汇总 of all units' tables in the official
//! layout), and the same data for machines: `summary.json`,
//! `submissions.csv`, `findings.csv`, `totals-<edition>.csv`.

// Indexing is bounded here: fixed-size header arrays indexed by their own enumerate().
#![allow(clippy::indexing_slicing)]

use crate::batch::{Outcome, Row};
use crate::check::Finding;
use crate::edition::Editions;
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

fn xerr(e: XlsxError) -> Error {
    Error::Usage(format!("生成汇总表失败：{e}"))
}

const SUBMISSION_HEADER: [&str; 9] =
    ["机关", "年度", "格式版本", "源文件", "输出文件", "错误数", "警告数", "状态", "对比的上年报告"];
const FINDING_HEADER: [&str; 11] =
    ["机关", "源文件", "规则代码", "级别", "说明", "表", "行", "列", "公式", "差额", "位置"];

fn submission_fields(r: &Row) -> [String; 9] {
    [
        r.organ.clone(),
        r.year.map(|y| y.to_string()).unwrap_or_default(),
        r.edition.clone(),
        r.source.clone(),
        r.output.clone().unwrap_or_default(),
        r.errors.to_string(),
        r.warnings.to_string(),
        r.status.clone(),
        r.previous.clone().unwrap_or_default(),
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

fn csv_line(fields: &[String]) -> String {
    let q: Vec<String> = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
        .collect();
    format!("{}\n", q.join(","))
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// Writes the summary files as the batch goes.
pub struct SummaryWriter {
    outdir: PathBuf,
    wb: Workbook,
    head: Format,
    cell: Format,
    findings_row: u32,
    findings_csv: BufWriter<std::fs::File>,
    findings_csv_path: PathBuf,
    findings_json: BufWriter<std::fs::File>,
    findings_json_path: PathBuf,
    rows_seen: usize,
}

impl SummaryWriter {
    pub fn new(outdir: &Path) -> Result<SummaryWriter> {
        let tmp = |n: &str| outdir.join(format!(".{n}.{}.xxgk-tmp", std::process::id()));
        let findings_csv_path = tmp("findings.csv");
        let findings_json_path = tmp("findings.jsonl");
        let mut findings_csv =
            BufWriter::new(std::fs::File::create(&findings_csv_path).map_err(io(&findings_csv_path))?);
        let findings_json =
            BufWriter::new(std::fs::File::create(&findings_json_path).map_err(io(&findings_json_path))?);
        findings_csv
            .write_all(format!("\u{feff}{}", csv_line(&FINDING_HEADER.map(String::from))).as_bytes())
            .map_err(io(&findings_csv_path))?;
        let mut wb = Workbook::new();
        wb.set_tempdir(outdir).map_err(xerr)?;
        let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_font_name("宋体").set_text_wrap();
        let cell = Format::new().set_border(FormatBorder::Thin).set_font_name("宋体").set_text_wrap();
        {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
            ws.set_name("报送情况").map_err(xerr)?;
        }
        {
            let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
            ws.set_name("问题清单").map_err(xerr)?;
            for (c, w) in [24.0, 30.0, 20.0, 6.0, 60.0, 6.0, 30.0, 24.0, 40.0, 8.0, 30.0].iter().enumerate() {
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
            rows_seen: 0,
        })
    }

    fn finding(&mut self, index: usize, r: &Row, f: &Finding) -> Result<()> {
        let fields = finding_fields(r, f);
        let ws = self.wb.worksheet_from_index(1).map_err(xerr)?;
        for (c, v) in fields.iter().enumerate() {
            ws.write_with_format(self.findings_row, c as u16, v.as_str(), &self.cell).map_err(xerr)?;
        }
        self.findings_row += 1;
        self.findings_csv.write_all(csv_line(&fields).as_bytes()).map_err(io(&self.findings_csv_path))?;
        let mut v = serde_json::to_value(f).unwrap_or_default();
        v["report"] = index.into();
        v["source_file"] = r.source.clone().into();
        v["organ"] = r.organ.clone().into();
        let mut line = serde_json::to_string(&v).unwrap_or_default();
        line.push('\n');
        self.findings_json.write_all(line.as_bytes()).map_err(io(&self.findings_json_path))?;
        Ok(())
    }

    /// The rows of one chunk, in input order.
    pub fn chunk(&mut self, rows: &[Row]) -> Result<()> {
        for r in rows {
            let index = self.rows_seen;
            self.rows_seen += 1;
            for f in &r.findings {
                self.finding(index, r, f)?;
            }
        }
        Ok(())
    }

    /// Write everything that needs all rows, and move the files into place.
    pub fn finish(mut self, o: &Outcome, editions: &Editions) -> Result<()> {
        for (i, f) in &o.late {
            if let Some(r) = o.rows.get(*i) {
                self.finding(*i, r, f)?;
            }
        }
        let outdir = self.outdir.clone();
        // 报送情况.
        {
            let (head, cell) = (self.head.clone(), self.cell.clone());
            let ws = self.wb.worksheet_from_index(0).map_err(xerr)?;
            for (c, w) in [24.0, 8.0, 28.0, 40.0, 40.0, 8.0, 8.0, 30.0, 40.0].iter().enumerate() {
                ws.set_column_width(c as u16, *w).map_err(xerr)?;
            }
            for (c, h) in SUBMISSION_HEADER.iter().enumerate() {
                ws.write_with_format(0, c as u16, *h, &head).map_err(xerr)?;
            }
            for (i, r) in o.rows.iter().enumerate() {
                let row = i as u32 + 1;
                for (c, v) in submission_fields(r).iter().enumerate() {
                    if (c == 1 || c == 5 || c == 6) && !v.is_empty() {
                        ws.write_number_with_format(row, c as u16, v.parse::<f64>().unwrap_or(0.0), &cell)
                            .map_err(xerr)?;
                    } else {
                        ws.write_with_format(row, c as u16, v.as_str(), &cell).map_err(xerr)?;
                    }
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            ws.autofilter(0, 0, o.rows.len() as u32, SUBMISSION_HEADER.len() as u16 - 1).map_err(xerr)?;
        }
        {
            let last = self.findings_row.saturating_sub(1);
            let ws = self.wb.worksheet_from_index(1).map_err(xerr)?;
            ws.set_freeze_panes(1, 0).map_err(xerr)?;
            ws.autofilter(0, 0, last, FINDING_HEADER.len() as u16 - 1).map_err(xerr)?;
        }
        for (id, t) in &o.totals {
            let Some(ed) = editions.get(id) else { continue };
            let report = t.report(ed, &format!("汇总（{} 份报告）", t.reports));
            let prefix = if o.totals.len() > 1 { format!("汇总{id}") } else { "汇总".to_string() };
            crate::write::xlsx::table_sheets(&mut self.wb, &report, ed, &prefix).map_err(xerr)?;
        }
        let xlsx_tmp = outdir.join(format!(".summary.xlsx.{}.xxgk-tmp", std::process::id()));
        self.wb.save(&xlsx_tmp).map_err(xerr)?;
        let xlsx = outdir.join("summary.xlsx");
        std::fs::rename(&xlsx_tmp, &xlsx).map_err(io(&xlsx))?;

        self.findings_csv.flush().map_err(io(&self.findings_csv_path))?;
        self.findings_json.flush().map_err(io(&self.findings_json_path))?;
        let findings_csv = outdir.join("findings.csv");
        std::fs::rename(&self.findings_csv_path, &findings_csv).map_err(io(&findings_csv))?;

        let w = |name: &str, bytes: &[u8]| crate::write::write_file(&outdir.join(name), bytes, true, &[]);
        let mut s = String::from("\u{feff}");
        s.push_str(&csv_line(&SUBMISSION_HEADER.map(String::from)));
        for r in &o.rows {
            s.push_str(&csv_line(&submission_fields(r)));
        }
        w("submissions.csv", s.as_bytes())?;
        for (id, t) in &o.totals {
            if let Some(ed) = editions.get(id) {
                let report = t.report(ed, "汇总");
                w(&format!("totals-{id}.csv"), &crate::write::csv::render(&report, ed, true))?;
            }
        }
        // summary.json: reports, totals, then the findings streamed back.
        let json_path = outdir.join("summary.json");
        let json_tmp = outdir.join(format!(".summary.json.{}.xxgk-tmp", std::process::id()));
        {
            let mut out = BufWriter::new(std::fs::File::create(&json_tmp).map_err(io(&json_tmp))?);
            let reports = serde_json::to_string_pretty(&o.rows).unwrap_or_default();
            let mut totals = serde_json::Map::new();
            for (id, t) in &o.totals {
                if let Some(ed) = editions.get(id) {
                    let r = t.report(ed, "汇总");
                    totals.insert(id.clone(), serde_json::json!({ "reports": t.reports, "cells": r.cells }));
                }
            }
            let totals = serde_json::to_string_pretty(&totals).unwrap_or_default();
            write!(out, "{{\n\"reports\": {reports},\n\"totals\": {totals},\n\"findings\": [\n")
                .map_err(io(&json_tmp))?;
            let spool = std::fs::File::open(&self.findings_json_path).map_err(io(&self.findings_json_path))?;
            for (n, line) in std::io::BufReader::new(spool).lines().enumerate() {
                let line = line.map_err(io(&self.findings_json_path))?;
                if n > 0 {
                    out.write_all(b",\n").map_err(io(&json_tmp))?;
                }
                out.write_all(line.as_bytes()).map_err(io(&json_tmp))?;
            }
            out.write_all(b"\n]\n}\n").map_err(io(&json_tmp))?;
            out.flush().map_err(io(&json_tmp))?;
        }
        std::fs::rename(&json_tmp, &json_path).map_err(io(&json_path))?;
        let _ = std::fs::remove_file(&self.findings_json_path);
        Ok(())
    }
}
