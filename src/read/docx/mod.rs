//! Reader for filled Word reports: the official blank form filled in by
//! hand, xxgk's template filled in, and reports that offices laid out
//! themselves.
//!
//! Two stages (as pandoc's docx reader): [`parse`] turns zip + XML into body
//! paragraphs and tables with resolved merges; this module maps them to the
//! model. All tables are stacked into one grid (a blank row between tables),
//! so a table split across pages, or 表二 drawn as one table per block, reads
//! as one; the edition's tables are then found by their official labels
//! ([`super::grid::map_tables`]). The parts come from the body paragraphs by
//! their headings ([`super::parts`]).

// Indexing is bounded here: indices into the single grid built just before.
#![allow(clippy::indexing_slicing)]

pub mod parse;

use super::container::{check_package, read_file, Expect};
use super::grid::{detect_edition, map_tables, unmapped, Grid, GridCell, Used};
use super::ReadOptions;
use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::labels::{key, parse_title};
use crate::model::{Report, Warning};
use crate::workbook::{PROP_EDITION, PROP_ORGAN, PROP_YEAR};
use parse::{Doc, Item};
use std::path::Path;

/// Custom properties beyond the workbook stamp that the Word writer adds.
pub const PROP_CONTACT: &str = "xxgk_contact";
pub const PROP_PUBLISHED: &str = "xxgk_published";

/// Read a Word report into a report (not yet conformed).
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Report> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read a Word report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Report> {
    check_package(path, bytes, Expect::Docx, &opts.limits)?;
    let doc = parse::parse(bytes, &opts.limits)
        .map_err(|what| Error::invalid(path, format!("{what}。请用 Word 或 WPS 打开后另存为 .docx 再转换")))?;
    from_doc(path, doc, opts)
}

/// The grid of all tables, stacked, and the body paragraphs.
fn grid_and_paragraphs(body: Vec<Item>) -> (Grid, Vec<String>) {
    let mut cells = Vec::new();
    let mut paragraphs = Vec::new();
    let mut offset = 0u32;
    let mut n = 0u32;
    for item in body {
        match item {
            Item::Para(p) => paragraphs.push(p),
            Item::Table(t) => {
                n += 1;
                for c in t.cells {
                    if c.text.trim().is_empty() {
                        continue;
                    }
                    cells.push(GridCell {
                        row: offset + c.row,
                        col: c.col,
                        rowspan: c.rowspan,
                        colspan: c.colspan,
                        text: c.text,
                        number: None,
                        formula: false,
                        origin: Some((format!("表格{n}"), c.row, c.col)),
                    });
                }
                offset += t.rows + 1;
            }
        }
    }
    (Grid::new("表格".into(), cells), paragraphs)
}

pub(crate) fn from_doc(path: &Path, doc: Doc, opts: ReadOptions<'_>) -> Result<Report> {
    let file = path.display().to_string();
    let prop = |name: &str| doc.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let revisions = doc.revisions;
    let (grid, paragraphs) = grid_and_paragraphs(doc.body);
    let grids = vec![grid];
    let eds = opts.editions;
    // The edition: forced, stamped, recognised from the tables' labels, or by
    // the year in the title.
    let title_guess = paragraphs.iter().find(|p| crate::labels::looks_like_title(p)).and_then(|p| parse_title(p));
    let ed: &Edition = match opts.edition {
        Some(id) => {
            eds.get(id).ok_or_else(|| Error::NoEdition { what: format!("没有 “{id}” 这个格式版本") })?
        }
        None => match prop(PROP_EDITION).and_then(|id| eds.get(&id)).or_else(|| detect_edition(&grids, eds.all())) {
            Some(e) => e,
            None => match title_guess.as_ref().and_then(|(_, y)| *y).and_then(|y| eds.for_year(y)) {
                Some(e) => e,
                None => {
                    return Err(Error::invalid(
                        path,
                        "文档中既没有找到年报表格，也无法从标题判断年度，不能确定格式版本。请用 --edition 指定",
                    ))
                }
            },
        },
    };
    let found = super::parts::split(paragraphs, ed);
    let mut report = ed.blank_report("", None);
    report.title = found.title;
    report.preamble = found.preamble;
    report.parts = found.parts;
    report.organ = prop(PROP_ORGAN).unwrap_or_default();
    report.year = prop(PROP_YEAR).and_then(|y| y.trim().parse().ok());
    report.contact = prop(PROP_CONTACT).unwrap_or_default();
    report.published = prop(PROP_PUBLISHED).unwrap_or_default();
    if prop(PROP_ORGAN).is_none() {
        if let Some((organ, year)) = parse_title(&report.title) {
            report.organ = organ;
            report.year = report.year.or(year);
        }
    }
    if revisions {
        report.warnings.push(Warning {
            code: "READ-REVISIONS".into(),
            message:
                "文档中有尚未接受或拒绝的修订（修订痕迹），已按“接受全部修订”后的内容读取。请在 Word 中确认修订后再报送"
                    .into(),
            source: None,
        });
    }
    let mut used = Used::new(&grids);
    let located = map_tables(&file, &grids, ed, &mut report, &mut used);
    if located == 0 && grids[0].cells.is_empty() {
        // No tables at all: the text is still extracted; one warning instead
        // of one per table.
        report.warnings.retain(|w| w.code != "READ-TABLE-NOT-FOUND");
        report.warnings.push(Warning {
            code: "READ-TABLE-NOT-FOUND".into(),
            message: "文档中没有表格：表二、表三、表四均未找到，其中的数字均按空白处理。年报应按规定格式附上三张统计表"
                .into(),
            source: None,
        });
    }
    let decorations: std::collections::HashSet<String> =
        ed.tables.iter().flat_map(|t| [key(&t.name), key(&format!("{}{}", t.name, t.title)), key(&t.title)]).collect();
    unmapped(&file, &grids, &used, &|k: &str| decorations.contains(k), &mut report);
    Ok(report)
}
