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
use super::map::{PROP_CONTACT, PROP_PREAMBLE, PROP_PUBLISHED, PROP_TITLE};
use super::ReadOptions;
use crate::edition::Edition;
use crate::error::{Error, Problem, Result};
use crate::labels::{key, keys_match, strip_ordinal};
use crate::model::{Number, Warning};
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
        DataRef::Error(e) => (format!("#{e:?}"), None),
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
            if text.trim().is_empty() {
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
            cells.push(Cell { number, formula: c.formula.is_some(), ..Cell::new(row, col, rowspan, colspan, text) });
        }
        drop(reader);
        if outside > 0 {
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

/// xxgk's live check cells and the texts of its information sheet: not data.
fn drop_decorations(sheets: &mut [(String, Vec<Cell>)]) {
    let fixed: Vec<String> = [INFO_TITLE, INFO_HELP_LABEL, INFO_HELP, CHECK_HEADER].iter().map(|x| key(x)).collect();
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
