//! Reader for filled workbooks: xxgk's own templates (also after Excel, WPS
//! or LibreOffice re-saved them, with sheets renamed or styles rewritten),
//! and workbooks that offices laid out by hand in the official layout.
//!
//! Parse stage: calamine's streaming cell reader (never `worksheet_range` on
//! untrusted files, crates-notes.md §4), bounded by the
//! [`crate::limits::Limits`] (rows and columns of a sheet, cells of a
//! workbook), plus merges, into the neutral [`Document`]: one aligned table
//! per sheet, the stamp and the information sheet's fields as properties,
//! the parts as paragraphs. The one mapper ([`super::map`]) finds the
//! tables by their official labels, so the stamp is a hint, not a
//! requirement.

// Indexing is bounded here: cell indices come from ranges over the same grid (right_of, enumerate).
#![allow(clippy::indexing_slicing)]

use super::container::{check_package, read_file, Expect};
use super::doc::{Cell, Document, Item, SourceKind, Table};
use super::formula::{self, Book, Failure, Value};
use super::map::{PROP_CONTACT, PROP_PREAMBLE, PROP_PUBLISHED, PROP_TITLE};
use super::ReadOptions;
use crate::edition::Edition;
use crate::error::{Error, Problem, Result};
use crate::labels::{key, keys_match, strip_ordinal};
use crate::model::{Number, Source, Warning};
use crate::workbook::*;
use calamine::{DataRef, Reader, Xlsx, XlsxError};
use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

/// Merged ranges read from a sheet.
pub const MAX_MERGES: usize = 20_000;
/// Cells the evaluation of a workbook's uncached formulas may visit in all.
pub const FORMULA_BUDGET: usize = 2_000_000;
/// `READ-FORMULA` warnings given one by one; beyond them, one names the rest.
const MAX_FORMULA_WARNINGS: usize = 20;

fn calamine_error(path: &Path, e: XlsxError) -> Error {
    match e {
        XlsxError::Password => {
            Error::read(path, Problem::Encrypted { app: "Excel 或 WPS 表格".into(), ext: ".xlsx".into() })
        }
        e => Error::read(path, Problem::BrokenWorkbook(e.to_string())),
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
        DataRef::Error(e) => (e.to_string(), None),
        DataRef::Empty => (String::new(), None),
    }
}

/// Read a filled workbook into a document.
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Document> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, bytes, opts)
}

/// Read a workbook from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<Document> {
    let limits = opts.limits;
    check_package(path, &bytes, Expect::Xlsx, &limits)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| calamine_error(path, e))?;
    let props: HashMap<String, String> = wb.workbook_properties().map(|p| p.custom_properties).unwrap_or_default();
    let mut doc = Document::new(SourceKind::Workbook);
    let mut sheets: Vec<(String, Vec<Cell>)> = Vec::new();
    // Formulas without a cached value (a file a script saved), computed
    // once every sheet is read: (sheet, row, column); and the sheets with
    // cells beyond the rows and columns read.
    let mut uncached: Vec<(usize, u32, u32)> = Vec::new();
    let mut incomplete: Vec<usize> = Vec::new();
    let mut total = 0usize;
    for name in wb.sheet_names() {
        if name == FINDINGS_SHEET && props.contains_key(PROP_EDITION) {
            // The findings listed in an annotated workbook xxgk wrote.
            continue;
        }
        let merges = wb.merge_cells_by_sheet_name(&name).map_err(|e| calamine_error(path, e))?;
        let mut spans: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
        for d in merges.iter().take(MAX_MERGES) {
            // Spans within the rows and columns read: a crafted merge over a
            // whole sheet costs nothing.
            let rows = (d.end.0.saturating_sub(d.start.0) + 1).min(limits.table_rows as u32);
            let cols = (d.end.1.saturating_sub(d.start.1) + 1).min(limits.table_cols as u32);
            spans.insert(d.start, (rows, cols));
        }
        let mut cells = Vec::new();
        let mut outside = 0usize;
        let mut reader = wb.worksheet_cells_reader(&name).map_err(|e| calamine_error(path, e))?;
        while let Some(c) = reader.next_cell_with_formula().map_err(|e| calamine_error(path, e))? {
            let (row, col) = c.pos;
            let (text, number) = text_of(&c.value);
            // A formula without a cached value is computed below.
            let uncached_formula =
                c.formula.as_deref().map(str::trim).filter(|f| !f.is_empty() && matches!(c.value, DataRef::Empty));
            if text.trim().is_empty() && uncached_formula.is_none() {
                continue;
            }
            if total >= limits.sheet_cells {
                let problem = Problem::TooManyCells { limit: limits.sheet_cells, option: "--max-sheet-cells".into() };
                return Err(Error::read(path, problem));
            }
            if row as usize >= limits.table_rows || col as usize >= limits.table_cols {
                outside += 1;
                continue;
            }
            total += 1;
            let (rowspan, colspan) = spans.get(&(row, col)).copied().unwrap_or((1, 1));
            let mut cell = Cell { number, formula: c.formula.is_some(), ..Cell::new(row, col, rowspan, colspan, text) };
            if let Some(f) = uncached_formula {
                uncached.push((sheets.len(), row, col));
                cell.computed = Some(if f.starts_with('=') { f.to_string() } else { format!("={f}") });
            }
            cells.push(cell);
        }
        drop(reader);
        if outside > 0 {
            incomplete.push(sheets.len());
            doc.warnings.push(Warning {
                code: "READ-OUT-OF-RANGE".into(),
                message: format!(
                    "工作表“{name}”中有 {outside} 个非空单元格在前 {} 行、{} 列之外，超出年报表格的范围，未读取",
                    limits.table_rows, limits.table_cols
                ),
                source: None,
            });
        }
        cells.sort_by_key(|c| (c.row, c.col));
        sheets.push((name, cells));
    }
    if !uncached.is_empty() {
        compute(path, &limits, &uncached, &incomplete, &mut sheets, &mut doc.warnings);
    }
    // The stamp: edition, organ, year.
    for name in [PROP_EDITION, PROP_ORGAN, PROP_YEAR] {
        if let Some(v) = props.get(name) {
            doc.properties.push((name.to_string(), v.clone()));
        }
    }
    // The parts' headings are needed to find them on the information sheet;
    // they are the same in every edition xxgk knows, so the stamped or
    // first edition's headings serve.
    let ed = props.get(PROP_EDITION).and_then(|id| opts.editions.get(id)).or_else(|| opts.editions.all().first());
    if let Some(ed) = ed {
        read_info(&mut sheets, ed, &mut doc);
    }
    drop_decorations(&mut sheets);
    for (name, cells) in sheets {
        let rows = cells.iter().map(|c| c.row + c.rowspan).max().unwrap_or(0);
        doc.body.push(Item::Table(Table { name: Some(name), cells, rows, aligned: true }));
    }
    Ok(doc)
}

/// Evaluate the formulas that had no cached value: each cell gets its
/// value (its text and number; provenance keeps the formula), or stays
/// without one with a `READ-FORMULA` warning saying why.
fn compute(
    path: &Path,
    limits: &crate::limits::Limits,
    uncached: &[(usize, u32, u32)],
    incomplete: &[usize],
    sheets: &mut [(String, Vec<Cell>)],
    warnings: &mut Vec<Warning>,
) {
    let mut book = Book::new(limits.table_rows as u32, limits.table_cols as u32, FORMULA_BUDGET);
    for (si, (name, cells)) in sheets.iter().enumerate() {
        book.add_sheet(name);
        if incomplete.contains(&si) {
            book.set_incomplete(si);
        }
        for c in cells {
            match (&c.computed, c.number.and_then(Number::from_f64)) {
                (Some(f), _) => book.set_formula(si, c.row, c.col, f),
                (None, Some(n)) => book.set_value(si, c.row, c.col, Value::Number(n)),
                (None, None) if formula::error_code(&c.text).is_some() => book.set_error(si, c.row, c.col, &c.text),
                (None, None) => {
                    let v = match c.text.as_str() {
                        "TRUE" => Value::Bool(true),
                        "FALSE" => Value::Bool(false),
                        t => Value::Text(t.to_string()),
                    };
                    book.set_value(si, c.row, c.col, v)
                }
            }
        }
    }
    let mut failed: Vec<(String, u32, u32, String, Failure)> = Vec::new();
    for &(si, row, col) in uncached {
        let Some((name, cells)) = sheets.get_mut(si) else { continue };
        let Ok(i) = cells.binary_search_by_key(&(row, col), |c| (c.row, c.col)) else { continue };
        let Some(cell) = cells.get_mut(i) else { continue };
        match book.evaluate(si, row, col) {
            Ok(Value::Number(n)) => {
                cell.text = n.to_string();
                cell.number = Some(n.to_f64());
            }
            Ok(v) => cell.text = v.shown(),
            Err(e) => failed.push((name.clone(), row, col, cell.computed.clone().unwrap_or_default(), e)),
        }
    }
    let file = path.display().to_string();
    for (k, (sheet, row, col, text, why)) in failed.iter().enumerate() {
        if k == MAX_FORMULA_WARNINGS {
            let rest: Vec<String> =
                failed.iter().skip(k).take(10).map(|(s, r, c, _, _)| format!("“{s}”{}", formula::a1(*r, *c))).collect();
            let more = if failed.len() - k > rest.len() { "等" } else { "" };
            warnings.push(Warning {
                code: "READ-FORMULA".into(),
                message: format!(
                    "另有 {} 个公式没有保存计算结果，也无法计算：{}{more}，均按空白处理",
                    failed.len() - k,
                    rest.join("、")
                ),
                source: None,
            });
            break;
        }
        warnings.push(Warning {
            code: "READ-FORMULA".into(),
            message: format!(
                "工作表“{sheet}”{} 的公式 {text} 没有保存计算结果，也无法计算（{why}），此格按空白处理。\
请用 Excel 或 WPS 打开此文件并保存（会存下公式的结果）后再读取",
                formula::a1(*row, *col)
            ),
            source: Some(Source {
                file: file.clone(),
                sheet: Some(sheet.clone()),
                row: Some(row + 1),
                column: Some(col + 1),
                a1: Some(formula::a1(*row, *col)),
                page: None,
                text: text.clone(),
            }),
        });
    }
}

/// xxgk's live check cells and the texts of its information sheet: not data.
fn drop_decorations(sheets: &mut [(String, Vec<Cell>)]) {
    let fixed: Vec<String> =
        [INFO_TITLE, INFO_HELP_LABEL, INFO_HELP, CHECK_HEADER, CHECK_PENDING].iter().map(|x| key(x)).collect();
    let check_row = key(CHECK_ROW_PREFIX);
    for (_, cells) in sheets.iter_mut() {
        cells.retain(|c| {
            let k = key(&c.text);
            !(k.starts_with('✓') || k.starts_with(CHECK_BAD_PREFIX) || k.starts_with(&check_row) || fixed.contains(&k))
        });
    }
}

/// The value cell right of a label cell: the nearest non-empty cell in the row.
fn right_of(cells: &[Cell], i: usize) -> Option<usize> {
    let c = &cells[i];
    (0..cells.len()).filter(|&j| cells[j].row == c.row && cells[j].col > c.col).min_by_key(|&j| cells[j].col)
}

/// The report-information labels (as properties) and the parts (as
/// paragraphs: heading, then text) of xxgk's workbooks; the cells read are
/// taken out of the sheets.
fn read_info(sheets: &mut [(String, Vec<Cell>)], ed: &Edition, doc: &mut Document) {
    let continued = key(CONTINUED);
    let fields = [
        (LABEL_ORGAN, PROP_ORGAN),
        (LABEL_YEAR, PROP_YEAR),
        (LABEL_TITLE, PROP_TITLE),
        (LABEL_CONTACT, PROP_CONTACT),
        (LABEL_PUBLISHED, PROP_PUBLISHED),
        (LABEL_PREAMBLE, PROP_PREAMBLE),
        (LABEL_EDITION, ""),
    ];
    let labels: Vec<(&str, String, String)> =
        fields.iter().map(|(l, p)| (*p, key(l), key(&format!("{l}{CONTINUED}")))).collect();
    let parts: Vec<(Vec<String>, Vec<String>, String)> = ed
        .parts
        .iter()
        .map(|p| {
            let full = crate::labels::label_keys(&p.full_heading(), &[]);
            let forms = std::iter::once(&p.heading).chain(&p.variants).map(|h| key(h)).collect();
            (full, forms, key(&p.guidance))
        })
        .collect();
    let mut texts: Vec<(&str, String)> = Vec::new();
    let mut found_organ = false;
    let mut part_paragraphs: Vec<(usize, String, String)> = Vec::new();
    for (_, cells) in sheets.iter_mut() {
        let keys: Vec<String> = cells.iter().map(|c| key(&c.text)).collect();
        let mut taken = vec![false; cells.len()];
        for i in 0..cells.len() {
            let k = &keys[i];
            let Some((prop, _, _)) = labels.iter().find(|(_, a, b)| k == a || k == b) else { continue };
            found_organ |= *prop == PROP_ORGAN;
            taken[i] = true;
            if let Some(j) = right_of(cells, i) {
                taken[j] = true;
                match texts.iter_mut().find(|(p, _)| p == prop) {
                    Some((_, t)) => t.push_str(&cells[j].text),
                    None => texts.push((prop, cells[j].text.clone())),
                }
            } else if !texts.iter().any(|(p, _)| p == prop) {
                texts.push((prop, String::new()));
            }
        }
        for (pi, (full, forms, guidance)) in parts.iter().enumerate() {
            let mut heading: Option<String> = None;
            let mut text = String::new();
            for i in 0..cells.len() {
                let k = &keys[i];
                if cells[i].col > 2 || taken[i] {
                    continue;
                }
                let base = k.strip_suffix(continued.as_str()).unwrap_or(k);
                let is_heading = keys_match(base, full) || forms.iter().any(|h| strip_ordinal(base) == h);
                if !is_heading {
                    continue;
                }
                taken[i] = true;
                if heading.is_none() {
                    heading = Some(cells[i].text.trim().to_string());
                }
                if let Some(j) = right_of(cells, i) {
                    taken[j] = true;
                    if keys[j] == *guidance {
                        continue;
                    }
                    text.push_str(&cells[j].text);
                    if let Some(k2) = right_of(cells, j).filter(|&k2| keys[k2] == *guidance) {
                        taken[k2] = true;
                    }
                }
            }
            if let Some(h) = heading {
                part_paragraphs.push((pi, h, text));
            }
        }
        let mut it = taken.iter();
        cells.retain(|_| !it.next().copied().unwrap_or(false));
    }
    if found_organ {
        for (prop, text) in texts {
            if !prop.is_empty() {
                doc.properties.retain(|(k, _)| k != prop);
                doc.properties.push((prop.to_string(), text.trim().to_string()));
            }
        }
        // Fields the sheet leaves out are blank, not taken from elsewhere.
        for (_, prop) in fields {
            if !prop.is_empty() && doc.property(prop).is_none() {
                doc.properties.push((prop.to_string(), String::new()));
            }
        }
    }
    part_paragraphs.sort_by_key(|(pi, _, _)| *pi);
    for (_, heading, text) in part_paragraphs {
        doc.body.push(Item::Para(heading));
        if !text.is_empty() {
            doc.body.push(Item::Para(text));
        }
    }
}
