//! Reader for published reports as plain text, as copied from government
//! websites or extracted from PDFs (`pdftotext -layout`; the seeds in
//! tests/fixtures/seeds are such files).
//!
//! Text has no grid, only lines; this reader lays them out into the neutral
//! [`Document`] and leaves the mapping to the one mapper. A line is split
//! into fields at tabs, else at runs of two or more spaces (as
//! `pdftotext -layout` aligns columns), else at single spaces when every
//! field after the label is a number. A line whose fields end in numbers is
//! a table row; short label lines between and just before such rows (labels
//! wrapped over lines, header lines, characters of a label set vertically)
//! belong to the table; page numbers (`-3-`, `— 3 —`) are dropped; a label
//! line followed by one value per line (a table copied from a web page) is
//! one row. The tables are *unaligned*: their values are taken in order
//! within each row, so a row with a missing number is reported and left
//! blank, never shifted. Everything else is a paragraph.

// Indexing is bounded here: line indices come from ranges over the same lines.
#![allow(clippy::indexing_slicing)]

use super::container::read_file;
use super::doc::{Cell, Document, Item, SourceKind, Table};
use super::grid::is_value;
use super::ReadOptions;
use crate::error::{Error, Result};
use crate::labels::{key, strip_ordinal};
use crate::model::Warning;
use crate::number::Suffixes;
use std::path::Path;

/// Decode a text file: UTF-8 (with or without BOM), else the charset
/// detected (GBK and GB18030 mostly; see [`super::container::decode`]).
pub fn decode(bytes: &[u8]) -> (String, bool) {
    super::container::decode(bytes, None)
}

/// Read a plain-text report into a document.
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Document> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read a plain-text report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Document> {
    let (text, warning) = text_of(path, bytes)?;
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut doc = layout(&lines, SourceKind::Text, opts);
    doc.warnings.extend(warning);
    Ok(doc)
}

/// The text of a text file (plain or Markdown), refusing binary content,
/// and READ-ENCODING when characters had to be replaced.
pub(crate) fn text_of(path: &Path, bytes: &[u8]) -> Result<(String, Option<Warning>)> {
    let utf16 = encoding_rs::Encoding::for_bom(bytes).is_some_and(|(e, _)| e != encoding_rs::UTF_8);
    if bytes.contains(&0) && !utf16 {
        return Err(Error::invalid(path, "这不是文本文件（含有二进制内容）。请检查文件扩展名"));
    }
    let (text, lossy) = decode(bytes);
    let warning = lossy.then(|| Warning {
        code: "READ-ENCODING".into(),
        message: "文件的编码既不是 UTF-8 也不是完整的 GBK，部分字符可能显示不正确".into(),
        source: None,
    });
    Ok((text, warning))
}

/// What a line of text is.
#[derive(Debug, Clone, PartialEq)]
enum Line {
    Blank,
    /// A page number between dashes: not content.
    Footer,
    /// Fields ending in numbers (or any line with tabs).
    Row(Vec<String>),
    /// A short label: part of a table when next to its rows.
    Label(String),
    /// Running text.
    Text(String),
}

/// Split at runs of two or more white-space characters (leading white
/// space is indentation, not a field).
fn split_wide(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut spaces = 0usize;
    for ch in line.chars() {
        if ch.is_whitespace() {
            spaces += 1;
            continue;
        }
        if !cur.is_empty() {
            if spaces >= 2 {
                out.push(std::mem::take(&mut cur));
            } else if spaces == 1 {
                cur.push(' ');
            }
        }
        spaces = 0;
        cur.push(ch);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Fields `[labels…, values…]`: is every field from the first value on a
/// value (or empty)? Returns the number of values.
fn row_values(fields: &[String], sfx: &Suffixes) -> Option<usize> {
    let first = fields.iter().position(|f| is_value(f, sfx))?;
    let rest = &fields[first..];
    rest.iter()
        .all(|f| f.trim().is_empty() || is_value(f, sfx))
        .then(|| rest.iter().filter(|f| !f.trim().is_empty()).count())
}

/// A page number between dashes (`-3-`, `— 3 —`).
pub(crate) fn is_page_number(t: &str) -> bool {
    let t = t.trim();
    let dashes = |c: char| matches!(c, '-' | '—' | '–' | '－' | '‐' | '−');
    let inner = t.trim_matches(|c: char| dashes(c) || c.is_whitespace());
    t.chars().any(dashes) && !inner.is_empty() && inner.len() <= 4 && inner.chars().all(|c| c.is_ascii_digit())
}

/// The keys of the part headings of every edition known (and their
/// variants): a line starting with one (`三、收到和处理政府信息公开申请情况`)
/// is a heading, which ends a table.
fn heading_keys(opts: ReadOptions<'_>) -> Vec<String> {
    let mut keys: Vec<String> = opts
        .editions
        .all()
        .iter()
        .flat_map(|ed| ed.parts.iter())
        .flat_map(|p| std::iter::once(&p.heading).chain(&p.variants))
        .map(|h| key(h))
        .filter(|k| k.chars().count() >= 4)
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn is_heading(t: &str, headings: &[String]) -> bool {
    let k = key(t);
    let body = strip_ordinal(&k);
    body.len() < k.len() && headings.iter().any(|h| body.starts_with(h.as_str()))
}

/// What the layout needs from the editions: the part headings, and the units
/// a number may be written with.
struct Known {
    headings: Vec<String>,
    suffixes: Vec<(String, rust_decimal::Decimal)>,
}

impl Known {
    fn of(opts: ReadOptions<'_>) -> Known {
        let mut suffixes: Vec<(String, rust_decimal::Decimal)> =
            opts.editions.all().iter().flat_map(|e| e.suffixes(None).iter().cloned()).collect();
        suffixes.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        suffixes.dedup_by(|a, b| a.0 == b.0);
        Known { headings: heading_keys(opts), suffixes }
    }
}

fn classify(line: &str, known: &Known) -> Line {
    let headings = &known.headings;
    let sfx = &known.suffixes;
    let t = line.trim();
    if t.is_empty() {
        return Line::Blank;
    }
    if is_page_number(t) {
        return Line::Footer;
    }
    if line.contains('\t') {
        return Line::Row(line.split('\t').map(|f| f.trim().to_string()).collect());
    }
    let wide = split_wide(line);
    if row_values(&wide, sfx).is_some() {
        return Line::Row(wide);
    }
    let narrow: Vec<String> = t.split_whitespace().map(str::to_string).collect();
    if row_values(&narrow, sfx).is_some_and(|n| n >= 2) {
        return Line::Row(narrow);
    }
    let chars = t.chars().filter(|c| !c.is_whitespace()).count();
    if chars <= 40 && !t.contains(['。', '；', ';']) && !is_heading(t, headings) {
        Line::Label(t.to_string())
    } else {
        Line::Text(t.to_string())
    }
}

/// Label lines before a table's first row that still belong to it.
const HEADER_LINES: usize = 24;

/// Lay out lines of text as paragraphs and unaligned tables.
pub(crate) fn layout(lines: &[&str], kind: SourceKind, opts: ReadOptions<'_>) -> Document {
    let known = Known::of(opts);
    let kinds: Vec<Line> = lines.iter().map(|l| classify(l, &known)).collect();
    // Which lines belong to a table: rows, the labels between them, and up
    // to HEADER_LINES label lines right before the first row.
    let mut in_table = vec![false; lines.len()];
    let mut i = 0;
    while i < kinds.len() {
        if !matches!(kinds[i], Line::Row(_)) {
            i += 1;
            continue;
        }
        // Extend back over labels (and blanks) to the header.
        let mut from = i;
        let mut labels = 0;
        while from > 0 && labels < HEADER_LINES {
            match &kinds[from - 1] {
                Line::Label(_) => labels += 1,
                Line::Blank | Line::Footer => {}
                _ => break,
            }
            from -= 1;
        }
        // Forward over rows, and labels followed by more rows.
        let mut to = i;
        let mut j = i;
        while j < kinds.len() {
            match &kinds[j] {
                Line::Row(_) => to = j,
                Line::Label(_) | Line::Blank | Line::Footer => {}
                Line::Text(_) => break,
            }
            j += 1;
        }
        for flag in in_table.iter_mut().take(to + 1).skip(from) {
            *flag = true;
        }
        i = to + 1;
    }
    let mut doc = Document::new(kind);
    let mut i = 0;
    while i < kinds.len() {
        if !in_table[i] {
            if let Line::Text(t) | Line::Label(t) = &kinds[i] {
                doc.body.push(Item::Para(t.clone()));
            } else if let Line::Row(f) = &kinds[i] {
                doc.body.push(Item::Para(f.join(" ").trim().to_string()));
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < kinds.len() && in_table[i] {
            i += 1;
        }
        doc.body.push(Item::Table(table(&kinds, start, i, &known)));
    }
    doc
}

/// The table of lines `from..to`: one row per line, except that a label
/// line followed by one value per line is one row.
fn table(kinds: &[Line], from: usize, to: usize, known: &Known) -> Table {
    let mut t = Table { aligned: false, ..Table::default() };
    let mut row = 0u32;
    // The row a value-per-line sequence is appended to: (row, next column).
    let mut open: Option<(u32, u32)> = None;
    for (n, k) in kinds.iter().enumerate().take(to).skip(from) {
        let line_no = n as u32 + 1;
        match k {
            Line::Blank => open = None,
            Line::Footer => {}
            Line::Label(text) => {
                let fields = if text.contains('\t') { vec![text.clone()] } else { split_wide(text) };
                for (c, f) in fields.iter().enumerate() {
                    let at = Some((None, line_no, c as u32 + 1));
                    t.cells.push(Cell { at, ..Cell::new(row, c as u32, 1, 1, f.clone()) });
                }
                open = Some((row, fields.len() as u32));
                row += 1;
            }
            Line::Row(fields) => {
                let single = fields.iter().filter(|f| !f.is_empty()).count() <= 1
                    && row_values(fields, &known.suffixes) == Some(1);
                if let (true, Some((r, col))) = (single, open) {
                    let text = fields.iter().find(|f| !f.is_empty()).cloned().unwrap_or_default();
                    t.cells.push(Cell { at: Some((None, line_no, 1)), ..Cell::new(r, col, 1, 1, text) });
                    open = Some((r, col + 1));
                    continue;
                }
                // A run of lines of one value each is one row.
                open = single.then_some((row, fields.len() as u32));
                for (c, f) in fields.iter().enumerate() {
                    let at = Some((None, line_no, c as u32 + 1));
                    t.cells.push(Cell { at, ..Cell::new(row, c as u32, 1, 1, f.clone()) });
                }
                row += 1;
            }
            Line::Text(text) => {
                t.cells.push(Cell { at: Some((None, line_no, 1)), ..Cell::new(row, 0, 1, 1, text.clone()) });
                row += 1;
            }
        }
    }
    t.rows = row;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_kinds() {
        let eds = crate::edition::Editions::builtin().unwrap();
        let known = Known::of(ReadOptions::new(&eds));
        let classify = |l: &str| classify(l, &known);
        assert_eq!(split_wide("一、本年新收  3001        53   0"), vec!["一、本年新收", "3001", "53", "0"]);
        assert_eq!(split_wide("(一) 予以公开    12"), vec!["(一) 予以公开", "12"]);
        assert!(matches!(classify("          447   7   0"), Line::Row(_)));
        assert!(matches!(classify("规章 0 0 0"), Line::Row(_)));
        assert!(matches!(classify("全县共受理依申请公开事项 14 件"), Line::Label(_) | Line::Text(_)));
        assert_eq!(classify("-3-"), Line::Footer);
        assert_eq!(classify("— 3 —"), Line::Footer);
        assert!(matches!(classify("三、收到和处理政府信息公开申请情况"), Line::Text(_)));
        assert!(matches!(classify("三、"), Line::Label(_)));
    }
}
