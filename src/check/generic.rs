//! Rules written in Rust but driven by the edition data: they apply to every
//! edition, and take cells, kinds, parts and years from the edition file.

// Indexing is bounded here: windows of the same slice; table indices from the compiled edition.
#![allow(clippy::indexing_slicing)]

use super::{Finding, Previous};
use crate::edition::{Edition, Severity};
use crate::model::Report;
use crate::number::kind_problem;
use std::collections::HashMap;

/// A generic rule: code, severity, what it requires, and its check.
pub struct GenericRule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub run: fn(&GenericRule, &Report, &Edition, Option<&Previous<'_>>, &mut Vec<Finding>),
}

impl GenericRule {
    fn finding(&self, message: String) -> Finding {
        Finding::new(self.code, self.severity, self.title, message)
    }
}

/// All generic rules, in the order their findings are listed.
pub static GENERIC_RULES: &[GenericRule] = &[
    GenericRule { code: "META-YEAR", severity: Severity::Error, title: "报告应注明年度", run: meta_year },
    GenericRule {
        code: "META-ORGAN", severity: Severity::Warning, title: "报告应注明机关名称", run: meta_organ
    },
    GenericRule {
        code: "EDITION-YEAR",
        severity: Severity::Error,
        title: "报告应使用该年度适用的格式版本",
        run: edition_year,
    },
    GenericRule {
        code: "PART-MISSING",
        severity: Severity::Error,
        title: "年报应包含格式规定的全部部分",
        run: part_missing,
    },
    GenericRule { code: "PART-EMPTY", severity: Severity::Error, title: "该部分不能为空", run: part_empty },
    GenericRule {
        code: "BLANK",
        severity: Severity::Error,
        title: "表格中每一格都应填写数字（没有的填0）",
        run: blank,
    },
    GenericRule { code: "KIND", severity: Severity::Error, title: "数值应符合该格的类型", run: kind },
    GenericRule {
        code: "X-PREV-YEAR", severity: Severity::Warning, title: "对比的应是上一年度的报告", run: prev_year
    },
    GenericRule {
        code: "X-SAME-TABLE",
        severity: Severity::Warning,
        title: "表格数据与上年完全相同，请核实（内容雷同）",
        run: same_table,
    },
    GenericRule {
        code: "X-SAME-TEXT",
        severity: Severity::Warning,
        title: "文字内容与上年几乎相同，请核实（内容雷同）",
        run: same_text,
    },
];

fn meta_year(this: &GenericRule, report: &Report, _: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if report.year.is_none() {
        out.push(this.finding("没有找到报告年度，请在标题或报告信息中注明（如“2021年”）".into()));
    }
}

fn meta_organ(this: &GenericRule, report: &Report, _: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if report.organ.trim().is_empty() {
        out.push(this.finding("没有找到机关名称，请在标题或报告信息中注明".into()));
    }
}

fn edition_year(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if let Some(y) = report.year {
        if !ed.covers(y) {
            out.push(this.finding(format!(
                "{y}年的报告使用了{}（适用于{}的报告），应使用该年度适用的格式",
                ed.name,
                ed.years_text()
            )));
        }
    }
}

fn part_missing(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for p in ed.parts.iter().filter(|p| p.required) {
        if !report.parts.contains_key(&p.id) {
            let mut f = this.finding(format!("缺少第{}部分“{}”", p.number, p.full_heading()));
            f.row = Some(p.full_heading());
            out.push(f);
        }
    }
}

fn part_empty(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for p in ed.parts.iter().filter(|p| p.nonempty) {
        if let Some(part) = report.parts.get(&p.id) {
            if part.text.trim().is_empty() {
                let mut f = this.finding(format!("第{}部分“{}”没有内容。{}", p.number, p.full_heading(), p.guidance));
                f.row = Some(p.full_heading());
                out.push(f);
            }
        }
    }
}

fn blank(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for (i, c) in ed.cells.iter().enumerate() {
        if report.cell_at(i, &c.id).is_none_or(Option::is_none) {
            let how = match report.provenance.get(&c.id).map(|s| crate::number::squeeze(&s.text)) {
                Some(t) if !t.is_empty() => format!("填的是“{t}”，不是数字"),
                _ => "空白".to_string(),
            };
            let msg = format!("{}：{}，应填写数字（没有的填 0）", c.location, how);
            out.push(this.finding(msg).at_cell(report, ed, &c.id));
        }
    }
}

fn kind(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for (i, c) in ed.cells.iter().enumerate() {
        if let Some(&Some(v)) = report.cell_at(i, &c.id) {
            if let Some(problem) = kind_problem(v, c.kind, c.decimals) {
                let msg = format!("{}：{}", c.location, problem);
                out.push(this.finding(msg).at_cell(report, ed, &c.id));
            }
        }
    }
}

fn prev_year(this: &GenericRule, report: &Report, _: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    if let (Some(y), Some(py)) = (report.year, p.report.year) {
        if py + 1 != y {
            out.push(this.finding(format!("本报告是{y}年的，对比的上年报告却是{py}年的")));
        }
    }
}

fn same_table(this: &GenericRule, report: &Report, ed: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    for (ti, t) in ed.tables.iter().enumerate() {
        let cells: Vec<_> = ed.cells.iter().filter(|c| c.table == ti).collect();
        let mut any_nonzero = false;
        let identical = cells.iter().all(|c| {
            let (a, b) = (report.value(&c.id), p.report.value(&c.id));
            any_nonzero |= a.is_some_and(|v| !v.0.is_zero());
            a.is_some() && a == b && p.edition.has_cell(&c.id)
        });
        if identical && any_nonzero {
            let mut f = this
                .finding(format!("{}（{}）的每一个数字都与上年报告相同，请核实是否照搬了上年数据", t.name, t.title));
            f.table = Some(t.name.clone());
            out.push(f);
        }
    }
}

/// Texts shorter than this (in characters, spaces removed) are not compared:
/// “无。” is the same every year and rightly so.
const SAME_TEXT_MIN_CHARS: usize = 50;
/// Similarity (Dice coefficient of character bigrams) from which a part
/// counts as nearly identical.
const SAME_TEXT_THRESHOLD: f64 = 0.9;

fn same_text(this: &GenericRule, report: &Report, ed: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    for part in &ed.parts {
        let (Some(a), Some(b)) = (report.parts.get(&part.id), p.report.parts.get(&part.id)) else {
            continue;
        };
        let (a, b) = (crate::number::squeeze(&a.text), crate::number::squeeze(&b.text));
        if a.chars().count() < SAME_TEXT_MIN_CHARS || b.chars().count() < SAME_TEXT_MIN_CHARS {
            continue;
        }
        let sim = similarity(&a, &b);
        if sim >= SAME_TEXT_THRESHOLD {
            let mut f = this.finding(format!(
                "第{}部分“{}”与上年报告的相似度为 {:.0}%，请核实是否照搬了上年内容",
                part.number,
                part.full_heading(),
                sim * 100.0
            ));
            f.row = Some(part.full_heading());
            out.push(f);
        }
    }
}

/// Dice coefficient of the multisets of character bigrams.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> HashMap<(char, char), usize> {
        let chars: Vec<char> = s.chars().collect();
        let mut m = HashMap::new();
        for w in chars.windows(2) {
            *m.entry((w[0], w[1])).or_insert(0) += 1;
        }
        m
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let total: usize = x.values().sum::<usize>() + y.values().sum::<usize>();
    if total == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let common: usize = x.iter().map(|(k, n)| (*n).min(*y.get(k).unwrap_or(&0))).sum();
    2.0 * common as f64 / total as f64
}
