//! The blank report of a year: what `xxgk template` writes.
//!
//! Every cell is blank except the carry-overs, which are prefilled from last
//! year's report by the edition's cross-year rules that determine a cell from
//! last year's cells alone (表三 上年结转 = last year's 结转下年度继续办理;
//! 2019 edition: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减).

use crate::edition::{Edition, Editions, Term};
use crate::error::{Error, Result};
use crate::model::{Number, Part, Report};
use crate::read::doc::Item;
use crate::read::{kind_of, ReadOptions};
use crate::write::Format;
use std::path::Path;

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
        Some(id) => editions.lookup(id),
        None => editions.for_year_or_err(year),
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
        Format::Xlsx => crate::write::xlsx::render(report, ed),
        Format::Json => crate::write::json::render(report),
        _ => Err(Error::Usage("template 只能生成 .xlsx、.docx（或 .json）文件".into())),
    }
}

/// Most organs of one set of templates (`xxgk serve`).
pub const MAX_ORGANS: usize = 2000;

/// The organ names listed in a file, for templates: the first column of the
/// first table of a workbook or document (one organ per row; a header cell
/// naming the column, such as 机关名称 or 单位, is skipped), else the lines
/// of its text; blanks and repeats dropped ([`organ_list`]).
///
/// # Errors
/// The reader's error for a file that cannot be read (JSON is no list).
pub fn organs(path: &Path, opts: ReadOptions<'_>) -> Result<Vec<String>> {
    let kind = kind_of(path)?;
    let bytes = crate::read::container::read_file(path, &opts.limits)?;
    let doc = crate::read::document(kind, path, bytes, opts)?;
    let table = doc.body.iter().find_map(|i| match i {
        Item::Table(t) if !t.cells.is_empty() => Some(t),
        _ => None,
    });
    let names: Vec<String> = match table {
        Some(t) => {
            let first = t.cells.iter().map(|c| c.col).min().unwrap_or(0);
            let mut cells: Vec<_> = t.cells.iter().filter(|c| c.col == first).collect();
            cells.sort_by_key(|c| c.row);
            cells.into_iter().map(|c| c.text.clone()).collect()
        }
        None => doc
            .body
            .iter()
            .filter_map(|i| match i {
                Item::Para(p) => Some(p.lines().map(str::to_string).collect::<Vec<_>>()),
                Item::Table(_) => None,
            })
            .flatten()
            .collect(),
    };
    Ok(organ_list(names.iter().map(String::as_str)))
}

/// Organ names from lines: trimmed, control characters dropped, blanks,
/// header cells (机关名称, 单位名称, 单位, 名称, 序号) and repeats dropped, each
/// at most 100 characters.
pub fn organ_list<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    lines
        .map(|l| l.trim().chars().filter(|c| !c.is_control()).take(100).collect::<String>())
        .filter(|l| !l.is_empty() && !["机关名称", "单位名称", "机关", "单位", "名称", "序号"].contains(&l.as_str()))
        .filter(|l| seen.insert(l.clone()))
        .collect()
}
