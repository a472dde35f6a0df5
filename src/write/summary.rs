//! The outputs of a batch besides the reports' JSON: `summary.xlsx` (报送情况,
//! 问题清单, and the 汇总 of all units' tables in the official layout), and the
//! same data for machines: `summary.json`, `submissions.csv`,
//! `findings.csv`, `totals-<edition>.csv`.

use crate::batch::Outcome;
use crate::edition::Editions;
use crate::error::{Error, Result};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use std::path::Path;

fn xerr(e: XlsxError) -> Error {
    Error::Usage(format!("生成汇总表失败：{e}"))
}

const SUBMISSION_HEADER: [&str; 9] =
    ["机关", "年度", "格式版本", "源文件", "输出文件", "错误数", "警告数", "状态", "对比的上年报告"];
const FINDING_HEADER: [&str; 11] =
    ["机关", "源文件", "规则代码", "级别", "说明", "表", "行", "列", "公式", "差额", "位置"];

fn submission_fields(r: &crate::batch::Row) -> [String; 9] {
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

fn finding_rows(o: &Outcome) -> Vec<[String; 11]> {
    let mut out = Vec::new();
    for r in &o.rows {
        for f in &r.findings {
            out.push([
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
            ]);
        }
    }
    out
}

fn csv_line(fields: &[String]) -> String {
    let q: Vec<String> = fields
        .iter()
        .map(|f| if f.contains([',', '"', '\n', '\r']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
        .collect();
    format!("{}\n", q.join(","))
}

/// Write every summary file into `outdir`.
pub fn write_all(outdir: &Path, o: &Outcome, editions: &Editions) -> Result<()> {
    let w = |name: &str, bytes: &[u8]| crate::write::write_file(&outdir.join(name), bytes, true, &[]);
    w("summary.xlsx", &workbook(o, editions).map_err(xerr)?)?;
    let findings = finding_rows(o);
    let mut s = String::from("\u{feff}");
    s.push_str(&csv_line(&SUBMISSION_HEADER.map(String::from)));
    for r in &o.rows {
        s.push_str(&csv_line(&submission_fields(r)));
    }
    w("submissions.csv", s.as_bytes())?;
    let mut s = String::from("\u{feff}");
    s.push_str(&csv_line(&FINDING_HEADER.map(String::from)));
    for f in &findings {
        s.push_str(&csv_line(f));
    }
    w("findings.csv", s.as_bytes())?;
    for (id, t) in &o.totals {
        if let Some(ed) = editions.get(id) {
            let report = t.report(ed, "汇总");
            w(&format!("totals-{id}.csv"), &crate::write::csv::render(&report, ed, true))?;
        }
    }
    #[derive(serde::Serialize)]
    struct Json<'a> {
        reports: Vec<serde_json::Value>,
        totals: serde_json::Map<String, serde_json::Value>,
        #[serde(skip)]
        _o: std::marker::PhantomData<&'a ()>,
    }
    let reports = o
        .rows
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["findings"] = serde_json::to_value(&r.findings).unwrap_or_default();
            v
        })
        .collect();
    let mut totals = serde_json::Map::new();
    for (id, t) in &o.totals {
        if let Some(ed) = editions.get(id) {
            let r = t.report(ed, "汇总");
            totals.insert(id.clone(), serde_json::json!({ "reports": t.reports, "cells": r.cells }));
        }
    }
    let mut text =
        serde_json::to_vec_pretty(&Json { reports, totals, _o: std::marker::PhantomData }).unwrap_or_default();
    text.push(b'\n');
    w("summary.json", &text)?;
    Ok(())
}

fn workbook(o: &Outcome, editions: &Editions) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_border(FormatBorder::Thin).set_font_name("宋体").set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_font_name("宋体").set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("报送情况")?;
    for (c, h) in SUBMISSION_HEADER.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &head)?;
    }
    for (i, r) in o.rows.iter().enumerate() {
        for (c, v) in submission_fields(r).iter().enumerate() {
            let row = i as u32 + 1;
            if (c == 1 || c == 5 || c == 6) && !v.is_empty() {
                ws.write_number_with_format(row, c as u16, v.parse::<f64>().unwrap_or(0.0), &cell)?;
            } else {
                ws.write_with_format(row, c as u16, v.as_str(), &cell)?;
            }
        }
    }
    for (c, w) in [24.0, 8.0, 28.0, 40.0, 40.0, 8.0, 8.0, 30.0, 40.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, o.rows.len() as u32, SUBMISSION_HEADER.len() as u16 - 1)?;

    let ws = wb.add_worksheet();
    ws.set_name("问题清单")?;
    for (c, h) in FINDING_HEADER.iter().enumerate() {
        ws.write_with_format(0, c as u16, *h, &head)?;
    }
    let rows = finding_rows(o);
    for (i, f) in rows.iter().enumerate() {
        for (c, v) in f.iter().enumerate() {
            ws.write_with_format(i as u32 + 1, c as u16, v.as_str(), &cell)?;
        }
    }
    for (c, w) in [24.0, 30.0, 20.0, 6.0, 60.0, 6.0, 30.0, 24.0, 40.0, 8.0, 30.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, FINDING_HEADER.len() as u16 - 1)?;

    for (id, t) in &o.totals {
        let Some(ed) = editions.get(id) else { continue };
        let report = t.report(ed, &format!("汇总（{} 份报告）", t.reports));
        let prefix = if o.totals.len() > 1 { format!("汇总{id}") } else { "汇总".to_string() };
        crate::write::xlsx::table_sheets(&mut wb, &report, ed, &prefix)?;
    }
    wb.save_to_buffer()
}
