//! The blank report of a year: what `xxgk template` writes.
//!
//! Every cell is blank except the carry-overs, which are prefilled from last
//! year's report by the edition's cross-year rules that determine a cell from
//! last year's cells alone (表三 上年结转 = last year's 结转下年度继续办理;
//! 2019 edition: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减).

use crate::edition::{Edition, Editions, Term};
use crate::error::{Error, Result};
use crate::model::{Number, Part, Report};
use crate::write::Format;

/// The blank report of edition `ed` for `organ` and `year`, prefilled from
/// `previous` (last year's report and its edition) where possible.
pub fn blank(ed: &Edition, organ: &str, year: u32, previous: Option<(&Report, &Edition)>) -> Report {
    let mut r = ed.blank_report(organ, Some(year));
    r.preamble = ed.preamble_for(organ, Some(year));
    for p in &ed.parts {
        r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: String::new() });
    }
    if let Some((prev, prev_ed)) = previous {
        for (id, v) in carry_overs(ed, prev, prev_ed) {
            r.cells.insert(id, Some(v));
        }
    }
    r
}

/// Values this year's report can take from last year's: for every rule whose
/// left side is one cell of this year and whose right side only names cells
/// of last year (all present there).
pub fn carry_overs(ed: &Edition, prev: &Report, prev_ed: &Edition) -> Vec<(String, Number)> {
    let mut out = Vec::new();
    for rule in ed.rules.iter().filter(|r| r.op == crate::edition::Op::Eq) {
        let [Term::Cell { id, negative: false, previous: false }] = rule.left.as_slice() else { continue };
        let mut sum = Some(Number::ZERO);
        for t in &rule.right {
            sum = match (sum, t) {
                (Some(s), Term::Cell { id, negative, previous: true }) if prev_ed.has_cell(id) => {
                    prev.value(id).and_then(|v| s.checked_add(if *negative { -v } else { v }))
                }
                _ => None,
            };
        }
        if let Some(v) = sum {
            if !out.iter().any(|(x, _): &(String, Number)| x == id) {
                out.push((id.clone(), v));
            }
        }
    }
    out
}

/// The edition of a template: `id` when given, else the one for `year`.
///
/// # Errors
/// [`Error::NoEdition`] when there is no such edition.
pub fn edition_for<'e>(editions: &'e Editions, id: Option<&str>, year: u32) -> Result<&'e Edition> {
    match id {
        Some(id) => {
            editions.get(id).ok_or_else(|| Error::NoEdition { what: format!("没有 “{id}” 这个格式版本") })
        }
        None => editions.for_year(year).ok_or_else(|| Error::NoEdition {
            what: format!("没有适用于 {year} 年报告的格式版本，请用 --edition 指定"),
        }),
    }
}

/// The template file of a blank report: the Word template (with its
/// guidance) for docx, else the writer of the format.
///
/// # Errors
/// [`Error::Usage`] for a format other than xlsx, docx or json; the
/// writer's errors.
pub fn render(report: &Report, ed: &Edition, format: Format) -> Result<Vec<u8>> {
    match format {
        Format::Docx => crate::write::docx::render(report, ed, crate::write::docx::Purpose::Template),
        Format::Xlsx | Format::Json => crate::write::render(format, report, ed, true),
        _ => Err(Error::Usage("template 只能生成 .xlsx、.docx（或 .json）文件".into())),
    }
}
