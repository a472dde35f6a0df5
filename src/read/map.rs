//! The one mapper: a [`Document`] from any reader becomes a [`Report`] of an
//! edition. Here, and only here, the edition is chosen (forced, stamped,
//! recognised from labels only one edition has, or by the title's year),
//! the title, preamble and six parts are found in the paragraphs, the
//! tables by their labels ([`super::grid::map_tables`]), and every
//! non-empty cell that maps to nothing is reported.

use super::doc::{Cell, Document, Item, SourceKind, PAGE_DATE, PAGE_DOC_NUMBER, PAGE_INDEX, PAGE_ORGAN, PAGE_TITLE};
use super::grid::{detect_edition, map_tables, unmapped, Grid, Used};
use super::ReadOptions;
use crate::edition::Edition;
use crate::error::{Error, Problem, Result};
use crate::labels::{looks_like_title, parse_title, TitleWords};
use crate::model::{Number, Report, Warning};
pub use crate::stamp::{PROP_CONTACT, PROP_PREAMBLE, PROP_PUBLISHED, PROP_TITLE};
use crate::stamp::{PROP_EDITION, PROP_ORGAN, PROP_YEAR};
use std::path::Path;

/// Map a document to a report of its edition (not yet conformed).
///
/// # Errors
/// No edition can be chosen, or a workbook holds none of the tables.
pub fn map(path: &Path, doc: Document, opts: ReadOptions<'_>) -> Result<Report> {
    let file = path.display().to_string();
    let Document { kind, body, revisions, properties, warnings } = doc;
    let prop = |name: &str| properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (grids, paragraphs) = grids_and_paragraphs(body, kind.is_published());
    let ed = choose_edition(path, kind, prop(PROP_EDITION).as_deref(), &grids, &paragraphs, opts)?;
    let found = super::parts::split(paragraphs, ed);
    let mut report = ed.blank_report("", None);
    // Most cells get a source: room for all of them at once.
    report.provenance.reserve(ed.cells.len());
    report.warnings = warnings;
    report.title = prop(PROP_TITLE).unwrap_or(found.title);
    // A printed title is spaced and wrapped at will (`同心县 2021 年…`); one
    // that xxgk stamped (its own HTML) is as it was written.
    if kind.is_published() && prop(PROP_EDITION).is_none() {
        report.title = report.title.split_whitespace().collect();
    }
    report.preamble = prop(PROP_PREAMBLE).unwrap_or(found.preamble);
    report.parts = found.parts;
    report.organ = prop(PROP_ORGAN).unwrap_or_default();
    report.year = prop(PROP_YEAR).and_then(|y| y.trim().trim_end_matches('年').parse().ok());
    report.contact = prop(PROP_CONTACT).unwrap_or_default();
    report.published = prop(PROP_PUBLISHED).unwrap_or_default();
    report.origin = kind.origin().to_string();
    let mut used = Used::new(&grids);
    // A web page's own title (ArticleTitle, 名称, <h1>, <title>) when the
    // text has none.
    if let Some(t) = prop(PAGE_TITLE)
        .filter(|t| !looks_like_title(&report.title, &ed.title_words) && looks_like_title(t, &ed.title_words))
    {
        report.title = t.split_whitespace().collect();
    }
    if prop(PROP_ORGAN).is_none() {
        organ_from_title(&grids, &ed.title_words, &mut report, &mut used);
    }
    if report.organ.is_empty() {
        report.organ = prop(PAGE_ORGAN).unwrap_or_default();
    }
    if report.published.is_empty() {
        report.published = prop(PAGE_DATE).unwrap_or_default();
    }
    report.index_number = prop(PAGE_INDEX).unwrap_or_default();
    report.document_number = prop(PAGE_DOC_NUMBER).unwrap_or_default();
    if revisions {
        report.warnings.push(Warning {
            code: "READ-REVISIONS".into(),
            message:
                "文档中有尚未接受或拒绝的修订（修订痕迹），已按“接受全部修订”后的内容读取。请在 Word 中确认修订后再报送"
                    .into(),
            source: None,
        });
    }
    let located = map_tables(&file, &grids, ed, &mut report, &mut used);
    if located == 0 {
        let names = table_names(ed);
        if kind == SourceKind::Workbook {
            return Err(Error::read(path, Problem::NoTables { tables: names }));
        }
        if grids.iter().all(|g| g.cells.iter().all(|c| c.text.trim().is_empty())) {
            // No tables at all: the text is still extracted; one warning
            // instead of one per table.
            report.warnings.retain(|w| w.code != "READ-TABLE-NOT-FOUND");
            report.warnings.push(Warning {
                code: "READ-TABLE-NOT-FOUND".into(),
                message: format!(
                    "{}中没有表格：{names}均未找到，其中的数字均按空白处理。年报应按规定格式附上这些统计表",
                    kind.noun()
                ),
                source: None,
            });
        }
    }
    if prop(PROP_EDITION).is_some() {
        unfilled_formulas(&grids, ed, &mut report);
    }
    unmapped(&file, &grids, &used, &|k: &str| ed.decoration_keys.contains(k), &mut report);
    Ok(report)
}

/// The edition's table names for messages: `表二、表三、表四`.
fn table_names(ed: &Edition) -> String {
    ed.tables.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join("、")
}

/// The tables as grids and the paragraphs (`keep_empty`: the empty cells of
/// aligned tables too, as a published document printed them). Consecutive tables of a document
/// (unnamed, equally aligned) are stacked into one grid with a blank row
/// between them, so a table split across pages, or 表二 drawn as one table
/// per block, reads as one; a workbook's sheets stay apart.
fn grids_and_paragraphs(body: Vec<Item>, keep_empty: bool) -> (Vec<Grid>, Vec<String>) {
    let mut grids = Vec::new();
    let mut paragraphs = Vec::new();
    let mut stack: Option<(bool, Vec<Cell>, u32)> = None; // (aligned, cells, next row)
    let mut n = 0u32;
    let flush = |stack: &mut Option<(bool, Vec<Cell>, u32)>, grids: &mut Vec<Grid>| {
        if let Some((aligned, cells, _)) = stack.take() {
            grids.push(Grid::new("表格".into(), cells, aligned));
        }
    };
    for item in body {
        match item {
            Item::Para(p) => paragraphs.push(p),
            Item::Table(t) => {
                n += 1;
                let sheet: std::sync::Arc<str> = format!("第{n}张表格").into();
                if let Some(name) = t.name {
                    flush(&mut stack, &mut grids);
                    grids.push(Grid::new(name, t.cells, t.aligned));
                    continue;
                }
                if stack.as_ref().is_some_and(|(a, _, _)| *a != t.aligned) {
                    flush(&mut stack, &mut grids);
                }
                let (_, cells, offset) = stack.get_or_insert_with(|| (t.aligned, Vec::new(), 0));
                cells.reserve(t.cells.len());
                for mut c in t.cells {
                    // An aligned grid places blanks by position; an unaligned
                    // one needs its empty fields to keep values in order.
                    // A published document's empty cell is kept: it is what was
                    // printed, and its cell gets a source (BLANK-PUBLISHED).
                    if t.aligned && !keep_empty && c.text.trim().is_empty() {
                        continue;
                    }
                    if c.at.is_none() {
                        c.at = Some((Some(sheet.clone()), c.row + 1, c.col + 1));
                    }
                    c.row += *offset;
                    cells.push(c);
                }
                *offset += t.rows + 1;
            }
        }
    }
    flush(&mut stack, &mut grids);
    (grids, paragraphs)
}

fn choose_edition<'a>(
    path: &Path,
    kind: SourceKind,
    stamped: Option<&str>,
    grids: &[Grid],
    paragraphs: &[String],
    opts: ReadOptions<'a>,
) -> Result<&'a Edition> {
    let eds = opts.editions;
    if let Some(id) = opts.edition {
        return eds.lookup(id);
    }
    if let Some(ed) = stamped.and_then(|id| eds.get(id)) {
        return Ok(ed);
    }
    if let Some(ed) = detect_edition(grids, paragraphs, eds.all()) {
        return Ok(ed);
    }
    // A title of any edition's shape, and its year.
    let year = paragraphs
        .iter()
        .find_map(|p| eds.all().iter().find(|e| looks_like_title(p, &e.title_words)).map(|e| (p, e)))
        .and_then(|(p, e)| parse_title(p, &e.title_words))
        .and_then(|(_, y)| y);
    if let Some(ed) = year.and_then(|y| eds.for_year(y)) {
        return Ok(ed);
    }
    Err(Error::read(path, Problem::NotAReport { noun: kind.noun().into() }))
}

/// Organ and year from the title: the title paragraph, else a cell that
/// reads like a title (a workbook's heading), which is then accounted for.
fn organ_from_title(grids: &[Grid], words: &TitleWords, report: &mut Report, used: &mut Used) {
    if let Some((organ, year)) = parse_title(&report.title, words) {
        report.organ = organ;
        report.year = report.year.or(year);
        return;
    }
    for (gi, g) in grids.iter().enumerate() {
        for (i, c) in g.cells.iter().enumerate() {
            if !looks_like_title(&c.text, words) {
                continue;
            }
            if let Some((organ, year)) = parse_title(&c.text, words) {
                used.mark(gi, i);
                if report.title.is_empty() {
                    report.title = c.text.trim().to_string();
                }
                report.organ = organ;
                report.year = report.year.or(year);
                return;
            }
        }
    }
}

/// In xxgk's own workbooks, a derived cell is a formula; when all its inputs
/// are blank its cached 0 is the total of nothing, not data: it stays blank.
fn unfilled_formulas(grids: &[Grid], ed: &Edition, report: &mut Report) {
    // Only a workbook has formulas (a Word document never does).
    if !grids.iter().any(|g| g.cells.iter().any(|c| c.formula)) {
        return;
    }
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
    }
    is_formula
}
