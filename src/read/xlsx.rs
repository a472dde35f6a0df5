//! Reader for filled workbooks: xxgk's own templates (also after Excel, WPS
//! or LibreOffice re-saved them, with sheets renamed or styles rewritten),
//! and workbooks that offices laid out by hand in the official layout.
//!
//! Parse stage: calamine's streaming cell reader (never `worksheet_range` on
//! untrusted files, crates-notes.md §4), bounded by the
//! [`crate::limits::Limits`] (rows and columns of a sheet, cells of a workbook), plus merges, into [`Grid`]s. Mapping stage: the report
//! information by its labels, and the tables by their official labels
//! ([`super::grid::map_tables`]), so the stamp is a hint, not a requirement.

// Indexing is bounded here: cell indices come from ranges over the same grid (right_of, enumerate).
#![allow(clippy::indexing_slicing)]

use super::container::{check_package, read_file, Expect};
use super::grid::{detect_edition, map_tables, unmapped, Grid, GridCell, Used};
use super::ReadOptions;
use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::labels::{key, keys_match, parse_title, strip_ordinal};
use crate::model::{Number, Part, Report, Warning};
use crate::workbook::*;
use calamine::{DataRef, Reader, Xlsx, XlsxError};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// Merged ranges read from a sheet.
pub const MAX_MERGES: usize = 20_000;

fn calamine_error(path: &Path, e: XlsxError) -> Error {
    match e {
        XlsxError::Password => {
            Error::invalid(path, "工作簿设置了密码，无法读取。请在 Excel/WPS 中取消密码后另存为 .xlsx")
        }
        e => Error::invalid(path, format!("无法读取工作簿（{e}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再转换")),
    }
}

fn text_of(v: &DataRef<'_>) -> (String, Option<f64>) {
    match v {
        DataRef::Int(i) => (i.to_string(), Some(*i as f64)),
        DataRef::Float(f) => (Number::from_f64(*f).map(|n| n.to_string()).unwrap_or_else(|| f.to_string()), Some(*f)),
        DataRef::String(s) => (s.clone(), None),
        DataRef::SharedString(s) => (s.to_string(), None),
        DataRef::Bool(b) => (if *b { "TRUE" } else { "FALSE" }.to_string(), None),
        DataRef::DateTime(d) => (d.to_string(), None),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => (s.clone(), None),
        DataRef::Error(e) => (format!("#{e:?}"), None),
        DataRef::Empty => (String::new(), None),
    }
}

/// Read a filled workbook into a report (not yet conformed).
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Report> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, bytes, opts)
}

/// Read a workbook from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<Report> {
    let limits = opts.limits;
    check_package(path, &bytes, Expect::Xlsx, &limits)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| calamine_error(path, e))?;
    let file = path.display().to_string();
    let props: HashMap<String, String> = wb.workbook_properties().map(|p| p.custom_properties).unwrap_or_default();
    let mut warnings = Vec::new();
    let mut grids = Vec::new();
    let mut total = 0usize;
    for name in wb.sheet_names() {
        let merges = wb.merge_cells_by_sheet_name(&name).map_err(|e| calamine_error(path, e))?;
        let mut spans: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
        for d in merges.iter().take(MAX_MERGES) {
            spans.insert(d.start, (d.end.0.saturating_sub(d.start.0) + 1, d.end.1.saturating_sub(d.start.1) + 1));
        }
        let mut cells = Vec::new();
        let mut outside = 0usize;
        let mut reader = wb.worksheet_cells_reader(&name).map_err(|e| calamine_error(path, e))?;
        while let Some(c) = reader.next_cell_with_formula().map_err(|e| calamine_error(path, e))? {
            let (row, col) = c.pos;
            let (text, number) = text_of(&c.value);
            if text.trim().is_empty() {
                continue;
            }
            if total >= limits.sheet_cells {
                return Err(Error::invalid(
                    path,
                    format!("工作簿中的非空单元格超过 {} 个，文件可能已损坏或被篡改（如确需处理，可用 --max-sheet-cells 放宽）", limits.sheet_cells),
                ));
            }
            if row as usize >= limits.table_rows || col as usize >= limits.table_cols {
                outside += 1;
                continue;
            }
            total += 1;
            let (rowspan, colspan) = spans.get(&(row, col)).copied().unwrap_or((1, 1));
            cells.push(GridCell {
                row,
                col,
                rowspan,
                colspan,
                text,
                number,
                formula: c.formula.is_some(),
                origin: None,
            });
        }
        drop(reader);
        if outside > 0 {
            warnings.push(Warning {
                code: "READ-OUT-OF-RANGE".into(),
                message: format!(
                    "工作表“{name}”中有 {outside} 个非空单元格在前 {} 行、{} 列之外，超出年报表格的范围，未读取",
                    limits.table_rows, limits.table_cols
                ),
                source: None,
            });
        }
        grids.push(Grid::new(name, cells));
    }

    let ed = choose_edition(path, &grids, &props, opts)?;
    let mut report = ed.blank_report("", None);
    report.warnings = warnings;
    let mut used = Used::new(&grids);
    let decorations = decorations(ed);
    let has_info = read_info(&grids, ed, &decorations, &mut report, &mut used);
    if !has_info {
        report.organ = props.get(PROP_ORGAN).cloned().unwrap_or_default();
        report.year = props.get(PROP_YEAR).and_then(|y| y.trim().parse().ok());
        if report.organ.is_empty() || report.year.is_none() {
            title_fallback(&grids, &mut report, &mut used);
        }
    }
    let located = map_tables(&file, &grids, ed, &mut report, &mut used);
    if located == 0 {
        return Err(Error::invalid(
            path,
            "工作簿中没有找到年报表格（表二、表三、表四）。请使用 xxgk 生成的模板，或按官方格式填写表格",
        ));
    }
    if props.contains_key(PROP_EDITION) {
        unfilled_formulas(&grids, ed, &mut report);
    }
    let ignore = |k: &str| {
        k.starts_with('✓')
            || k.starts_with(CHECK_BAD_PREFIX)
            || k.starts_with(&key(CHECK_ROW_PREFIX))
            || decorations.contains(k)
    };
    unmapped(&file, &grids, &used, &ignore, &mut report);
    Ok(report)
}

fn choose_edition<'a>(
    path: &Path,
    grids: &[Grid],
    props: &HashMap<String, String>,
    opts: ReadOptions<'a>,
) -> Result<&'a Edition> {
    let eds = opts.editions;
    if let Some(id) = opts.edition {
        return eds.get(id).ok_or_else(|| Error::NoEdition { what: format!("没有 “{id}” 这个格式版本") });
    }
    if let Some(ed) = props.get(PROP_EDITION).and_then(|id| eds.get(id)) {
        return Ok(ed);
    }
    if let Some(ed) = detect_edition(grids, eds.all()) {
        return Ok(ed);
    }
    Err(Error::invalid(
        path,
        "工作簿中没有找到年报表格（表二、表三、表四）。请使用 xxgk 生成的模板，或按官方格式填写表格",
    ))
}

/// Texts xxgk writes around the tables; not data.
fn decorations(ed: &Edition) -> std::collections::HashSet<String> {
    let mut s = std::collections::HashSet::new();
    for t in &ed.tables {
        s.insert(key(&format!("{} {}", t.name, t.title)));
        s.insert(key(&t.name));
        s.insert(key(&t.title));
        if let Some(n) = &t.note {
            s.insert(key(n));
        }
    }
    for p in &ed.parts {
        s.insert(key(&p.guidance));
    }
    for x in [INFO_TITLE, INFO_HELP_LABEL, INFO_HELP, CHECK_HEADER] {
        s.insert(key(x));
    }
    s.insert(key(&ed.name));
    s
}

/// The value cell right of a label cell: the nearest non-empty cell in the row.
fn right_of(g: &Grid, i: usize) -> Option<usize> {
    let c = &g.cells[i];
    (0..g.cells.len()).filter(|&j| g.cells[j].row == c.row && g.cells[j].col > c.col).min_by_key(|&j| g.cells[j].col)
}

/// Read the report-information labels and the parts; false if there is no
/// 机关名称 label anywhere (not one of xxgk's workbooks).
fn read_info(
    grids: &[Grid],
    ed: &Edition,
    decorations: &std::collections::HashSet<String>,
    report: &mut Report,
    used: &mut Used,
) -> bool {
    let mut found_organ_label = false;
    let mut texts: HashMap<&str, String> = HashMap::new();
    let continued = key(CONTINUED);
    // Keys computed once: the info labels (and their continuations), and per
    // part its full heading, its heading forms and its guidance.
    let labels: Vec<(&str, String, String)> =
        [LABEL_ORGAN, LABEL_YEAR, LABEL_EDITION, LABEL_TITLE, LABEL_CONTACT, LABEL_PUBLISHED, LABEL_PREAMBLE]
            .into_iter()
            .map(|l| (l, key(l), key(&format!("{l}{CONTINUED}"))))
            .collect();
    let parts: Vec<(Vec<String>, Vec<String>, String)> = ed
        .parts
        .iter()
        .map(|p| {
            let full = crate::labels::label_keys(&p.full_heading(), &[]);
            let forms = std::iter::once(&p.heading).chain(&p.variants).map(|h| key(h)).collect();
            (full, forms, key(&p.guidance))
        })
        .collect();
    for (gi, g) in grids.iter().enumerate() {
        for i in 0..g.cells.len() {
            let k = g.key(i);
            let Some((label, _, _)) = labels.iter().find(|(_, a, b)| k == a || k == b) else {
                continue;
            };
            found_organ_label |= *label == LABEL_ORGAN;
            used.mark(gi, i);
            if let Some(j) = right_of(g, i) {
                used.mark(gi, j);
                texts.entry(label).or_default().push_str(&g.cells[j].text);
            }
        }
        for (p, (full, forms, guidance)) in ed.parts.iter().zip(&parts) {
            let mut heading: Option<String> = None;
            let mut text = String::new();
            for i in 0..g.cells.len() {
                let k = g.key(i);
                if g.cells[i].col > 2 || decorations.contains(k) {
                    continue;
                }
                let base = k.strip_suffix(continued.as_str()).unwrap_or(k);
                let is_heading = keys_match(base, full) || forms.iter().any(|h| strip_ordinal(base) == h);
                if !is_heading {
                    continue;
                }
                used.mark(gi, i);
                if heading.is_none() {
                    heading = Some(g.cells[i].text.trim().to_string());
                }
                if let Some(j) = right_of(g, i) {
                    used.mark(gi, j);
                    if g.key(j) == guidance {
                        continue;
                    }
                    text.push_str(&g.cells[j].text);
                    if let Some(k2) = right_of(g, j).filter(|&k2| g.key(k2) == guidance) {
                        used.mark(gi, k2);
                    }
                }
            }
            if let Some(h) = heading {
                report.parts.entry(p.id.clone()).or_insert(Part { heading: h, text });
            }
        }
    }
    report.organ = texts.get(LABEL_ORGAN).map(|s| s.trim().to_string()).unwrap_or_default();
    report.year = texts.get(LABEL_YEAR).and_then(|s| s.trim().trim_end_matches('年').parse().ok());
    report.title = texts.get(LABEL_TITLE).cloned().unwrap_or_default();
    report.contact = texts.get(LABEL_CONTACT).cloned().unwrap_or_default();
    report.published = texts.get(LABEL_PUBLISHED).cloned().unwrap_or_default();
    report.preamble = texts.get(LABEL_PREAMBLE).cloned().unwrap_or_default();
    found_organ_label
}

/// Organ and year from a title cell, for workbooks without the info sheet.
fn title_fallback(grids: &[Grid], report: &mut Report, used: &mut Used) {
    let candidates = std::iter::once((None, report.title.clone())).chain(
        grids
            .iter()
            .enumerate()
            .flat_map(|(gi, g)| g.cells.iter().enumerate().map(move |(i, c)| (Some((gi, i)), c.text.clone()))),
    );
    for (at, text) in candidates {
        if let Some((organ, year)) = parse_title(&text) {
            if let Some((gi, i)) = at {
                used.mark(gi, i);
                if report.title.is_empty() {
                    report.title = text.trim().to_string();
                }
            }
            if report.organ.is_empty() {
                report.organ = organ;
            }
            if report.year.is_none() {
                report.year = year;
            }
            return;
        }
    }
}

/// In xxgk's own workbooks, a derived cell is a formula; when all its inputs
/// are blank its cached 0 is the total of nothing, not data: it stays blank.
fn unfilled_formulas(grids: &[Grid], ed: &Edition, report: &mut Report) {
    let derivations = ed.derivations();
    // Totals of totals: repeat until nothing changes.
    let mut changed = true;
    while changed {
        changed = false;
        for (id, (_, inputs)) in &derivations {
            changed |= unfill(grids, id, inputs, report);
        }
    }
}

fn unfill(grids: &[Grid], id: &str, inputs: &[(&str, bool)], report: &mut Report) -> bool {
    {
        let all_blank = inputs.iter().all(|(i, _)| report.value(i).is_none());
        if !all_blank || report.value(id) != Some(Number::ZERO) {
            return false;
        }
        let is_formula = report.provenance.get(id).is_some_and(|src| {
            let (Some(row), Some(col)) = (src.row, src.column) else { return false };
            grids
                .iter()
                .filter(|g| Some(&g.name) == src.sheet.as_ref())
                .filter_map(|g| g.at(row.saturating_sub(1), col.saturating_sub(1)).and_then(|i| g.cells.get(i)))
                .any(|c| c.formula)
        });
        if is_formula {
            report.cells.insert(id.to_string(), None);
            report.provenance.shift_remove(id);
            return true;
        }
    }
    false
}
