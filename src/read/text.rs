//! Reader for published reports as plain text, as copied from government
//! websites or extracted from PDFs (the seeds in shared/seeds are such files).
//!
//! Tables have no grid here, only lines. Each table line is split at tabs;
//! a row is its label fields followed by its value fields. Rows are matched
//! to the edition's row labels in order (labels broken by spaces or across
//! lines, bare ordinals, half-width punctuation and small typos are
//! tolerated), and the values are taken by position: empty fields between
//! tabs are blank cells. A row with fewer values than the edition has columns
//! (a column lost when a PDF was turned into text) is reported and left
//! blank: numbers are never shifted into the wrong columns. Everything that
//! is not a table line is a paragraph for the title, preamble and parts.

// Indexing is bounded here: line indices come from ranges over the same lines, field slices from positions found in them, leaf and cell indices from the compiled edition.
#![allow(clippy::indexing_slicing)]

use super::container::read_file;
use super::grid::detect_edition;
use super::parts::split;
use super::ReadOptions;
use crate::edition::{Block, Edition, Kind};
use crate::error::{Error, Result};
use crate::labels::{key, label_matches, parse_title, strip_ordinal};
use crate::model::{Report, Source, Warning};
use crate::number::{parse_cell, Parsed};
use std::collections::HashSet;
use std::path::Path;

/// Decode a text file: UTF-8 (with or without BOM), else GB18030 (GBK).
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(b) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let (s, _, had_errors) = encoding_rs::GB18030.decode(b);
            (s.into_owned(), had_errors)
        }
    }
}

/// Read a plain-text report.
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Report> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read a plain-text report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Report> {
    if bytes.contains(&0) {
        return Err(Error::invalid(path, "这不是文本文件（含有二进制内容）。请检查文件扩展名"));
    }
    let (text, lossy) = decode(bytes);
    let lines: Vec<String> = text.lines().map(|l| l.trim_end_matches('\r').to_string()).collect();
    let mut r = from_lines(&path.display().to_string(), &lines, opts).map_err(|what| Error::invalid(path, what))?;
    if lossy {
        r.warnings.push(Warning {
            code: "READ-ENCODING".into(),
            message: "文件的编码既不是 UTF-8 也不是完整的 GBK，部分字符可能显示不正确".into(),
            source: None,
        });
    }
    Ok(r)
}

/// A field is a value if it reads as a number, a signed change, an amount
/// with its unit, or a dash.
fn is_value(field: &str) -> bool {
    matches!(parse_cell(field, Kind::Signed, None), Parsed::Value(_) | Parsed::Dash)
}

/// A table line: label fields, then value fields (positions kept).
struct Row {
    labels: Vec<String>,
    values: Vec<String>,
}

fn row_of(line: &str) -> Row {
    let fields: Vec<&str> =
        if line.contains('\t') { line.split('\t').collect() } else { line.split_whitespace().collect() };
    let first_value = fields.iter().position(|f| is_value(f));
    match first_value {
        None => Row {
            labels: fields.iter().filter(|f| !f.trim().is_empty()).map(|f| f.to_string()).collect(),
            values: vec![],
        },
        Some(i) => {
            let last_label = fields[..i].iter().rposition(|f| !f.trim().is_empty());
            let start = last_label.map(|l| l + 1).unwrap_or(0);
            let mut values: Vec<String> = fields[start..].iter().map(|f| f.to_string()).collect();
            while values.last().is_some_and(|v| v.trim().is_empty()) {
                values.pop();
            }
            Row { labels: fields[..i].iter().filter(|f| !f.trim().is_empty()).map(|f| f.to_string()).collect(), values }
        }
    }
}

/// Does a row's label (with text carried over from label-only lines before
/// it) name the row leaf?
fn names_leaf(labels: &[String], carried: &str, label: &str, variants: &[String]) -> bool {
    if labels.iter().any(|f| label_matches(&key(f), label, variants)) {
        return true;
    }
    let joined = format!("{carried}{}", labels.iter().map(|f| key(f)).collect::<String>());
    std::iter::once(label).chain(variants.iter().map(String::as_str)).any(|l| {
        let lk = key(l);
        let ls = strip_ordinal(&lk);
        if joined.ends_with(&lk) || (ls.chars().count() >= 2 && joined.ends_with(ls)) {
            return true;
        }
        // A label broken over lines, its values after the first part.
        let last = labels.last().map(|f| key(f)).unwrap_or_default();
        let last = strip_ordinal(&last).to_string();
        last.chars().count() >= 4 && strip_ordinal(&lk).starts_with(last.as_str())
    })
}

struct State<'a> {
    file: &'a str,
    lines: &'a [String],
    report: Report,
    table_lines: HashSet<usize>,
}

impl State<'_> {
    fn src(&self, i: usize) -> Source {
        Source {
            file: self.file.to_string(),
            sheet: None,
            row: Some(i as u32 + 1),
            column: None,
            text: self.lines[i].clone(),
        }
    }

    fn warn(&mut self, code: &str, message: String, line: Option<usize>) {
        let source = line.map(|i| self.src(i));
        self.report.warnings.push(Warning { code: code.into(), message, source });
    }

    /// Put a row's values into the cells of row leaf `ri` of block `b`.
    fn assign(&mut self, ed: &Edition, b: &Block, ri: usize, values: &[String], line: usize) {
        let n = b.col_leaves.len();
        let mut v: Vec<&String> = values.iter().collect();
        while v.len() > n && v.first().is_some_and(|x| x.trim().is_empty()) {
            v.remove(0);
        }
        let leaf = &b.row_leaves[ri];
        let what = if leaf.path.is_empty() {
            ed.tables[ed.cells[b.first_cell].table].name.clone()
        } else {
            leaf.path.join(" / ")
        };
        if v.len() != n {
            let got = v.iter().filter(|x| !x.trim().is_empty()).count();
            self.warn(
                "READ-ROW-COUNT",
                format!("“{what}”一行应有 {n} 个数字，找到 {got} 个，无法确定各数字属于哪一列，该行按空白处理（可能是从 PDF 复制时丢失了列）"),
                Some(line),
            );
            return;
        }
        for (ci, text) in v.iter().enumerate() {
            let def = &ed.cells[b.cell_index(ri, ci)];
            let mut src = self.src(line);
            src.column = Some(ci as u32 + 1);
            src.text = text.to_string();
            match parse_cell(text, def.kind, def.unit.as_deref()) {
                Parsed::Value(x) => {
                    self.report.cells.insert(def.id.clone(), Some(x));
                }
                Parsed::Blank => continue,
                Parsed::Dash => {
                    self.report.cells.insert(def.id.clone(), None);
                }
                Parsed::Invalid(why) => {
                    self.report.cells.insert(def.id.clone(), None);
                    self.warn("READ-VALUE", format!("{}：{}，按空白处理", def.location, why), Some(line));
                }
            }
            self.report.provenance.insert(def.id.clone(), src);
        }
    }
}

fn find_line(lines: &[String], from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
    (from..lines.len()).find(|&i| pred(&lines[i])).or_else(|| (0..from.min(lines.len())).find(|&i| pred(&lines[i])))
}

fn line_has_label(line: &str, label: &str) -> bool {
    line.split('\t').any(|f| label_matches(&key(f), label, &[]))
}

/// Read a report from lines of text.
pub fn from_lines(file: &str, lines: &[String], opts: ReadOptions<'_>) -> std::result::Result<Report, String> {
    let eds = opts.editions;
    let title_line = lines.iter().find(|l| crate::labels::looks_like_title(l));
    let from_title = title_line.and_then(|t| parse_title(t));
    let ed: &Edition = match opts.edition {
        Some(id) => eds.get(id).ok_or_else(|| format!("没有 “{id}” 这个格式版本"))?,
        None => {
            let grid = crate::read::grid::Grid::new(
                "text".into(),
                lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| crate::read::grid::GridCell {
                        row: i as u32,
                        col: 0,
                        rowspan: 1,
                        colspan: 1,
                        text: l.clone(),
                        number: None,
                        formula: false,
                        origin: None,
                    })
                    .collect(),
            );
            detect_edition(std::slice::from_ref(&grid), eds.all())
                .or_else(|| from_title.as_ref().and_then(|(_, y)| *y).and_then(|y| eds.for_year(y)))
                .ok_or("文本中既没有找到年报表格，也无法从标题判断年度，不能确定格式版本。请用 --edition 指定")?
        }
    };
    let mut st = State { file, lines, report: ed.blank_report("", None), table_lines: HashSet::new() };
    let mut cursor = 0usize;
    for t in &ed.tables {
        for b in &t.blocks {
            let labelled = !(b.row_leaves.len() == 1 && b.row_leaves[0].label.is_empty());
            let start = if let Some(h) = &b.heading {
                find_line(lines, cursor, |l| line_has_label(l, h)).map(|i| {
                    st.table_lines.insert(i);
                    i + 1
                })
            } else if labelled {
                let first = &b.row_leaves[0];
                find_line(lines, cursor, |l| names_leaf(&row_of(l).labels, "", &first.label, &first.variants))
                    .map(|i| i.saturating_sub(4).max(cursor.min(i)))
            } else {
                b.columns.first().and_then(|c| find_line(lines, cursor, |l| line_has_label(l, &c.label)))
            };
            let Some(start) = start else {
                let what = b.heading.as_deref().map(|h| format!("{}{}", t.name, h)).unwrap_or_else(|| t.name.clone());
                st.warn("READ-TABLE-NOT-FOUND", format!("没有找到{what}（{}），其中的数字均按空白处理", t.title), None);
                continue;
            };
            let limit = (start + 4 * b.row_leaves.len() + 12).min(lines.len());
            if !labelled {
                // 表四: the first line of values only, below the header.
                let found = (start..limit).find(|&i| {
                    let r = row_of(&lines[i]);
                    r.labels.is_empty() && r.values.iter().any(|v| is_value(v))
                });
                for i in start..found.map(|f| f + 1).unwrap_or(start) {
                    st.table_lines.insert(i);
                }
                match found {
                    Some(i) => {
                        let values = row_of(&lines[i]).values;
                        st.assign(ed, b, 0, &values, i);
                        cursor = i + 1;
                    }
                    None => st.warn(
                        "READ-TABLE-NOT-FOUND",
                        format!("没有找到{}的数字行，其中的数字均按空白处理", t.name),
                        Some(start),
                    ),
                }
                continue;
            }
            let mut k = 0usize;
            let mut carried = String::new();
            let mut last = start;
            let other_headings: Vec<&str> = t
                .blocks
                .iter()
                .filter_map(|x| x.heading.as_deref())
                .filter(|h| Some(*h) != b.heading.as_deref())
                .collect();
            for (i, line) in lines.iter().enumerate().take(limit).skip(start) {
                if k >= b.row_leaves.len() {
                    break;
                }
                if other_headings.iter().any(|h| line_has_label(line, h))
                    || ed.parts.iter().any(|p| key(line).starts_with(&key(&p.full_heading())))
                {
                    break;
                }
                let r = row_of(line);
                if r.values.is_empty() {
                    if line.contains('\t') || k > 0 {
                        st.table_lines.insert(i);
                    }
                    carried.push_str(&r.labels.iter().map(|f| key(f)).collect::<String>());
                    continue;
                }
                st.table_lines.insert(i);
                let hit = (k..(k + 4).min(b.row_leaves.len())).find(|&j| {
                    let leaf = &b.row_leaves[j];
                    names_leaf(&r.labels, &carried, &leaf.label, &leaf.variants)
                });
                carried.clear();
                match hit {
                    Some(j) => {
                        for skipped in k..j {
                            let leaf = &b.row_leaves[skipped];
                            st.warn(
                                "READ-ROW-NOT-FOUND",
                                format!("没有找到“{}”这一行，该行数字均按空白处理", leaf.path.join(" / ")),
                                None,
                            );
                        }
                        st.assign(ed, b, j, &r.values, i);
                        k = j + 1;
                        last = i;
                    }
                    None => {
                        st.warn("READ-UNMAPPED", format!("“{}”不属于年报表格的任何一行，未采用", line.trim()), Some(i))
                    }
                }
            }
            for leaf in &b.row_leaves[k.min(b.row_leaves.len())..] {
                st.warn(
                    "READ-ROW-NOT-FOUND",
                    format!("没有找到“{}”这一行，该行数字均按空白处理", leaf.path.join(" / ")),
                    None,
                );
            }
            cursor = last + 1;
        }
    }
    // Everything else is text.
    let paragraphs: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !st.table_lines.contains(i) && !l.contains('\t') && !l.trim().is_empty())
        .map(|(_, l)| l.trim().to_string())
        .collect();
    let found = split(paragraphs, ed);
    let mut report = st.report;
    report.title = found.title.split_whitespace().collect();
    report.preamble = found.preamble;
    report.parts = found.parts;
    if let Some((organ, year)) = parse_title(&report.title) {
        report.organ = organ;
        report.year = year;
    }
    Ok(report)
}
