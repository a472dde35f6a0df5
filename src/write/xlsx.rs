//! Writer for xxgk workbooks: the yearly blank template and filled reports
//! share one layout.
//!
//! - 报告信息: organ, year, edition, title, contact, publication date,
//!   preamble and the six parts' text (wrapped; long texts continue on
//!   following rows).
//! - 表二/表三/表四: drawn from the edition's layout ([`crate::edition::layout`])
//!   with the official labels and merged header cells. Input cells are
//!   unlocked and validated by kind; everything else is protected (no
//!   password). Cells an edition rule derives are formulas with their cached
//!   value, and live check cells show whether each 勾稽关系 holds.
//! - The edition, template version, organ and year are stamped in custom
//!   document properties.
//!
//! A derived cell whose reported value disagrees with its inputs is written as
//! the reported value, not as a formula: nothing is silently recomputed, and
//! the check cell beside it shows the difference.
//!
//! [`render_annotated`] adds an annotation layer for the file a 政务公开办
//! sends back for correction (`xxgk check FILE -o 问题标注.xlsx`): the same
//! layout, every cell a finding names filled red (errors) or amber
//! (warnings) with the findings as its cell note, the cell CHECK-SUSPECT
//! names outlined, and a sheet listing every finding.

// Indexing is bounded here: cell indices come from the layout of the compiled edition.
#![allow(clippy::indexing_slicing)]

use crate::check::Finding;
use crate::edition::layout::display_width;
use crate::edition::layout::{layout, Content, Placed, TableLayout};
use crate::edition::Severity;
use crate::edition::{Derivations, Edition, Kind, Op, Rule, Term};
use crate::error::{Error, Result};
use crate::model::{Number, Report};
use crate::workbook::*;
use rust_xlsxwriter::{
    utility::row_col_to_cell, Color, ConditionalFormatText, ConditionalFormatTextRule, DataValidation,
    DataValidationRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::HashMap;

const FONT: &str = "宋体";
const INPUT_FILL: u32 = 0xFFF2CC;
const LABEL_FILL: u32 = 0xEDEDED;
const DERIVED_FILL: u32 = 0xDDEBF7;

fn xerr(e: XlsxError) -> Error {
    Error::render(" Excel 文件", e)
}

struct Formats {
    title: Format,
    label: Format,
    label_left: Format,
    input: Format,
    input_text: Format,
    derived: Format,
    check: Format,
    bad: Format,
    good: Format,
}

impl Formats {
    fn new() -> Formats {
        let base = Format::new().set_font_name(FONT).set_font_size(10.5).set_align(FormatAlign::VerticalCenter);
        let boxed = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
        Formats {
            title: base.clone().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            label: boxed.clone().set_background_color(Color::RGB(LABEL_FILL)).set_align(FormatAlign::Center),
            label_left: boxed.clone().set_background_color(Color::RGB(LABEL_FILL)),
            input: boxed
                .clone()
                .set_unlocked()
                .set_background_color(Color::RGB(INPUT_FILL))
                .set_align(FormatAlign::Center),
            input_text: base
                .clone()
                .set_border(FormatBorder::Thin)
                .set_text_wrap()
                .set_unlocked()
                .set_background_color(Color::RGB(INPUT_FILL))
                .set_align(FormatAlign::Top),
            derived: boxed.clone().set_background_color(Color::RGB(DERIVED_FILL)).set_align(FormatAlign::Center),
            check: boxed.set_align(FormatAlign::Center),
            bad: Format::new().set_font_color(Color::RGB(0x9C0006)).set_background_color(Color::RGB(0xFFC7CE)),
            good: Format::new().set_font_color(Color::RGB(0x006100)),
        }
    }
}

/// Render a report (blank or filled) as an xlsx workbook.
///
/// # Errors
/// Only if rust_xlsxwriter rejects the content (it should not).
pub fn render(report: &Report, ed: &Edition) -> Result<Vec<u8>> {
    render_with(report, ed, None)
}

/// Render a report with its findings marked: the workbook of [`render`],
/// each cell a finding names filled (red for errors, amber for warnings)
/// with the findings as its note, the cell `CHECK-SUSPECT` names uniquely
/// outlined, and a sheet listing every finding (opened first).
///
/// # Errors
/// Only if rust_xlsxwriter rejects the content (it should not).
pub fn render_annotated(report: &Report, ed: &Edition, findings: &[Finding]) -> Result<Vec<u8>> {
    render_with(report, ed, Some(findings))
}

fn render_with(report: &Report, ed: &Edition, findings: Option<&[Finding]>) -> Result<Vec<u8>> {
    let marks = findings.map(|f| Marks::new(f, ed));
    let mut wb = Workbook::new();
    let f = Formats::new();
    let props = DocProperties::new()
        .set_title(&report.title)
        .set_creation_datetime(&ExcelDateTime::from_ymd(2019, 1, 1).map_err(xerr)?)
        .set_custom_property(PROP_EDITION, ed.id.as_str())
        .set_custom_property(PROP_TEMPLATE_VERSION, TEMPLATE_VERSION)
        .set_custom_property(PROP_ORGAN, report.organ.as_str())
        .set_custom_property(PROP_YEAR, report.year.map(|y| y.to_string()).unwrap_or_default().as_str());
    wb.set_properties(&props);
    // The annotated workbook is for reading and printing: every sheet wide.
    let wide = findings.is_some();
    info_sheet(wb.add_worksheet(), report, ed, &f, wide).map_err(xerr)?;
    table_sheets_marked(&mut wb, report, ed, "", marks.as_ref(), wide).map_err(xerr)?;
    if let Some(findings) = findings {
        findings_sheet(wb.add_worksheet(), findings, &f).map_err(xerr)?;
    }
    let mut bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::ooxml::made_on_unix(&mut bytes);
    Ok(bytes)
}

/// Add one sheet per table of the edition, named `{prefix}{表二}`, printed
/// landscape (summary.xlsx's 汇总).
pub(crate) fn table_sheets(wb: &mut Workbook, report: &Report, ed: &Edition, prefix: &str) -> Result<(), XlsxError> {
    table_sheets_marked(wb, report, ed, prefix, None, true)
}

fn table_sheets_marked(
    wb: &mut Workbook,
    report: &Report,
    ed: &Edition,
    prefix: &str,
    marks: Option<&Marks>,
    wide: bool,
) -> Result<(), XlsxError> {
    let f = Formats::new();
    let derivations = ed.derivations();
    for (ti, t) in ed.tables.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(format!("{prefix}{}", t.name))?;
        table_sheet(ws, report, ed, ti, &derivations, &f, marks, wide)?;
    }
    Ok(())
}

/// The annotation layer: for each cell id, how it is marked and its note.
struct Marks {
    cells: HashMap<String, Mark>,
}

#[derive(Default)]
struct Mark {
    error: bool,
    outlined: bool,
    note: Vec<String>,
}

const ERROR_FILL: u32 = 0xFFC7CE;
const WARNING_FILL: u32 = 0xFFEB9C;
const OUTLINE: u32 = 0xC00000;

impl Marks {
    fn new(findings: &[Finding], ed: &Edition) -> Marks {
        let mut cells: HashMap<String, Mark> = HashMap::new();
        for f in findings {
            let unique = f.code == crate::check::suspect::CODE && f.fixes.len() == 1;
            for id in f.cells.iter().filter(|id| ed.has_cell(id)) {
                let m = cells.entry(id.clone()).or_default();
                m.error |= f.severity == Severity::Error;
                m.outlined |= unique;
                m.note.push(format!("【{} {}】{}", f.severity.chinese(), f.code, f.message));
            }
        }
        Marks { cells }
    }

    /// The format of a marked cell: `base` filled, and outlined if suspect.
    fn format(&self, id: &str, base: &Format) -> Option<Format> {
        let m = self.cells.get(id)?;
        let fill = if m.error { ERROR_FILL } else { WARNING_FILL };
        let fmt = base.clone().set_background_color(Color::RGB(fill)).set_font_color(Color::RGB(0x9C0006));
        Some(if m.outlined { fmt.set_border(FormatBorder::Thick).set_border_color(Color::RGB(OUTLINE)) } else { fmt })
    }

    fn note(&self, id: &str) -> Option<Note> {
        let m = self.cells.get(id)?;
        let text = m.note.join("\n");
        let lines: f64 = m.note.iter().map(|l| (display_width(l) / 52.0).ceil().max(1.0)).sum();
        Some(Note::new(text).set_author("xxgk").set_width(360).set_height((lines * 16.0 + 12.0).min(600.0) as u32))
    }
}

/// The sheet listing every finding.
fn findings_sheet(ws: &mut Worksheet, findings: &[Finding], f: &Formats) -> Result<(), XlsxError> {
    ws.set_name(FINDINGS_SHEET)?;
    let heads = ["代码", "严重程度", "表", "行", "列", "问题", "出处"];
    let widths = [22.0, 10.0, 8.0, 28.0, 20.0, 80.0, 40.0];
    for (c, (h, w)) in heads.iter().zip(widths).enumerate() {
        ws.write_with_format(0, c as u16, *h, &f.label)?;
        ws.set_column_width(c as u16, w)?;
    }
    let text = Format::new().set_font_name(FONT).set_font_size(10.5).set_text_wrap().set_align(FormatAlign::Top);
    if findings.is_empty() {
        ws.write_with_format(1, 0, "未发现问题", &text)?;
    }
    for (i, fd) in findings.iter().enumerate() {
        let r = 1 + i as u32;
        let mut source = fd.source.as_ref().map(|s| s.describe()).unwrap_or_default();
        if let Some(note) = fd.as_written_note() {
            if !source.is_empty() {
                source.push('；');
            }
            source.push_str(note);
        }
        let row = [
            fd.code.as_str(),
            fd.severity.chinese(),
            fd.table.as_deref().unwrap_or(""),
            fd.row.as_deref().unwrap_or(""),
            fd.column.as_deref().unwrap_or(""),
            fd.message.as_str(),
            source.as_str(),
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_with_format(r, c as u16, *v, &text)?;
        }
        let cells: Vec<(&str, f64)> = row.iter().copied().zip(widths).collect();
        ws.set_row_height(r, wrapped_height(&cells, 10.5))?;
    }
    ws.set_freeze_panes(1, 0)?;
    print_wide(ws, 0)?;
    ws.set_active(true);
    Ok(())
}

fn protect(ws: &mut Worksheet) {
    let opts = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        select_locked_cells: true,
        select_unlocked_cells: true,
        ..Default::default()
    };
    ws.protect_with_options(&opts);
}

/// Excel's tallest row, in points.
const MAX_ROW_HEIGHT: f64 = 409.0;
/// Lines of a long text shown in one row of the information sheet (the rest
/// continues on rows labelled （续）).
const INFO_LINES: f64 = 24.0;
/// The width of the information sheet's text column.
const INFO_TEXT_WIDTH: f64 = 90.0;

/// The height of a line of wrapped text at a font size, in points: generous
/// enough for the CJK fonts LibreOffice and WPS substitute (Noto CJK's
/// lines are 1.45 em).
fn line_height(font_pt: f64) -> f64 {
    font_pt * 1.45
}

/// Lines a text takes in a column `width` characters wide (CJK counts 2,
/// `\n` breaks a line); at least one.
fn text_lines(text: &str, width: f64) -> f64 {
    let usable = (width - 1.5).max(1.0);
    text.split('\n').map(|l| (display_width(l) / usable).ceil().max(1.0)).sum()
}

/// The height a row needs to show each cell's wrapped text in full:
/// (text, column width) per cell, the tallest; rust_xlsxwriter does not fit
/// heights, and a row cannot be taller than Excel's 409 points.
pub(crate) fn wrapped_height(cells: &[(&str, f64)], font_pt: f64) -> f64 {
    let lines = cells.iter().map(|(t, w)| text_lines(t, *w)).fold(1.0, f64::max);
    (lines * line_height(font_pt) + 4.0).clamp(18.0, MAX_ROW_HEIGHT)
}

/// Print set-up of xxgk's list sheets (summary.xlsx, the annotated
/// workbook): A4 landscape, one page wide and as many tall as needed, rows
/// `0..=header_last` repeated on every page.
pub(crate) fn print_wide(ws: &mut Worksheet, header_last: u32) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, header_last)?;
    Ok(())
}

/// A long text in pieces that each show in full in one row of a column
/// `width` wide (at most `lines` lines, and Excel's cell limit): broken
/// after a line break where one falls within the piece, else between
/// characters. Read back, the pieces join to the text again.
fn row_chunks(text: &str, width: f64, lines: f64) -> Vec<String> {
    let usable = (width - 1.5).max(1.0);
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let (mut chars, mut done_lines, mut line_w) = (0usize, 0.0f64, 0.0f64);
    for ch in text.chars() {
        let w = display_width(ch.encode_utf8(&mut [0u8; 4]));
        let full = done_lines + ((line_w + w) / usable).ceil().max(1.0);
        if !cur.is_empty() && (full > lines || chars >= MAX_CELL_TEXT) {
            // Break after the piece's last line break, if it has one.
            let tail = match cur.rfind('\n') {
                Some(i) if i + 1 < cur.len() => cur.split_off(i + 1),
                _ => String::new(),
            };
            out.push(std::mem::replace(&mut cur, tail));
            chars = cur.chars().count();
            done_lines = 0.0;
            line_w = display_width(&cur);
        }
        cur.push(ch);
        chars += 1;
        if ch == '\n' {
            done_lines += (line_w / usable).ceil().max(1.0);
            line_w = 0.0;
        } else {
            line_w += w;
        }
    }
    out.push(cur);
    // A piece of white space alone would read as an empty cell: keep it with
    // the piece before.
    let mut merged: Vec<String> = Vec::new();
    for piece in out {
        match merged.last_mut() {
            Some(last) if piece.trim().is_empty() => last.push_str(&piece),
            _ => merged.push(piece),
        }
    }
    merged
}

/// The report-information sheet; `wide`: printed landscape (the annotated
/// workbook), else portrait; one page wide either way.
fn info_sheet(ws: &mut Worksheet, report: &Report, ed: &Edition, f: &Formats, wide: bool) -> Result<(), XlsxError> {
    ws.set_name(INFO_SHEET)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, INFO_TEXT_WIDTH)?;
    ws.set_column_width(2, 50)?;
    ws.merge_range(0, 0, 0, 2, INFO_TITLE, &f.title)?;
    ws.set_row_height(0, 24)?;
    let mut row = 1u32;
    ws.write_with_format(row, 0, INFO_HELP_LABEL, &f.label_left)?;
    ws.merge_range(row, 1, row, 2, INFO_HELP, &f.label_left)?;
    ws.set_row_height(row, wrapped_height(&[(INFO_HELP, INFO_TEXT_WIDTH + 50.0)], 10.5))?;
    row += 1;
    let year = report.year.map(|y| y.to_string()).unwrap_or_default();
    let fields: [(&str, &str, bool); 7] = [
        (LABEL_ORGAN, &report.organ, true),
        (LABEL_YEAR, &year, true),
        (LABEL_EDITION, &ed.name, false),
        (LABEL_TITLE, &report.title, true),
        (LABEL_CONTACT, &report.contact, true),
        (LABEL_PUBLISHED, &report.published, true),
        (LABEL_PREAMBLE, &report.preamble, true),
    ];
    for (label, value, editable) in fields {
        for (k, chunk) in row_chunks(value, INFO_TEXT_WIDTH, INFO_LINES).iter().enumerate() {
            let l = if k == 0 { label.to_string() } else { format!("{label}{CONTINUED}") };
            ws.write_with_format(row, 0, l.as_str(), &f.label_left)?;
            let fmt = if editable { &f.input_text } else { &f.label_left };
            if label == LABEL_YEAR && !value.is_empty() {
                let y: f64 = value.parse().unwrap_or(0.0);
                ws.write_number_with_format(row, 1, y, &f.input)?;
            } else {
                ws.write_with_format(row, 1, chunk.as_str(), fmt)?;
            }
            if label == LABEL_YEAR {
                let v = DataValidation::new()
                    .allow_whole_number(DataValidationRule::Between(1990, 2200))
                    .set_error_title("年度有误")?
                    .set_error_message("请填写四位数的年度，如 2021。")?;
                ws.add_data_validation(row, 1, row, 1, &v)?;
            }
            ws.set_row_height(row, wrapped_height(&[(chunk, INFO_TEXT_WIDTH), (&l, 24.0)], 10.5))?;
            row += 1;
        }
    }
    for p in &ed.parts {
        let Some(part) = report.parts.get(&p.id) else { continue };
        for (k, chunk) in row_chunks(&part.text, INFO_TEXT_WIDTH, INFO_LINES).iter().enumerate() {
            let l = if k == 0 { part.heading.clone() } else { format!("{}{CONTINUED}", part.heading) };
            ws.write_with_format(row, 0, l.as_str(), &f.label_left)?;
            ws.write_with_format(row, 1, chunk.as_str(), &f.input_text)?;
            if k == 0 {
                ws.write_with_format(row, 2, p.guidance.as_str(), &f.label_left)?;
            }
            let guidance = if k == 0 { p.guidance.as_str() } else { "" };
            let h = wrapped_height(&[(chunk, INFO_TEXT_WIDTH), (guidance, 50.0), (&l, 24.0)], 10.5);
            ws.set_row_height(row, h)?;
            row += 1;
        }
    }
    if wide {
        print_wide(ws, 0)?;
    } else {
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
    }
    protect(ws);
    Ok(())
}

/// Where a rule instance's live check cell goes.
enum CheckPlace {
    /// In a check row below the table, in this grid column.
    Row(u32),
    /// In a check column right of the table, on this grid row.
    Column(u32),
}

#[allow(clippy::too_many_arguments)]
fn table_sheet(
    ws: &mut Worksheet,
    report: &Report,
    ed: &Edition,
    ti: usize,
    derivations: &Derivations<'_>,
    f: &Formats,
    marks: Option<&Marks>,
    wide: bool,
) -> Result<(), XlsxError> {
    let t = &ed.tables[ti];
    let lay = layout(ed, ti);
    let top = 1u32; // row 0 is the title
    let pos: HashMap<&str, &Placed> = lay
        .cells
        .iter()
        .filter_map(|p| match p.content {
            Content::Value(i) => Some((ed.cells[i].id.as_str(), p)),
            _ => None,
        })
        .collect();
    let cell_at = |id: &str| pos.get(id).map(|p| (top + p.row, p.col as u16));
    let cell_ref = |id: &str| cell_at(id).map(|(r, c)| row_col_to_cell(r, c));

    // Live checks: every rule of this table that needs no previous report
    // and derives nothing, placed by the shape of its cells.
    let mut check_rows: Vec<(&str, &str)> = Vec::new(); // (code, title)
    let mut check_cols: Vec<std::collections::BTreeSet<u32>> = Vec::new(); // grid rows used, per column
    let mut checks: Vec<(&Rule, CheckPlace, usize)> = Vec::new();
    for r in ed.rules.iter().filter(|r| !r.derive && !r.needs_previous()) {
        let places: Option<Vec<&Placed>> = r
            .left
            .iter()
            .chain(&r.right)
            .filter_map(|t| match t {
                Term::Cell { id, .. } => Some(pos.get(id.as_str()).copied()),
                Term::Const(_) => None,
            })
            .collect();
        let Some(places) = places else { continue };
        let Some(first) = places.first() else { continue };
        let same_col = places.iter().all(|p| p.col == first.col);
        let same_row = places.iter().all(|p| p.row == first.row);
        if same_col && !same_row {
            let k = check_rows.iter().position(|(c, _)| *c == r.code).unwrap_or_else(|| {
                check_rows.push((&r.code, &r.title));
                check_rows.len() - 1
            });
            checks.push((r, CheckPlace::Row(first.col), k));
        } else if same_row {
            // The first check column still free on this row.
            let k = match check_cols.iter().position(|used| !used.contains(&first.row)) {
                Some(k) => k,
                None => {
                    check_cols.push(Default::default());
                    check_cols.len() - 1
                }
            };
            check_cols[k].insert(first.row);
            checks.push((r, CheckPlace::Column(first.row), k));
        }
    }
    let width = lay.cols + check_cols.len() as u32;

    let title = format!("{} {}", t.name, t.title);
    ws.merge_range(0, 0, 0, (width - 1) as u16, &title, &f.title)?;
    ws.set_row_height(0, 24)?;

    for p in &lay.cells {
        let (r, c) = (top + p.row, p.col as u16);
        match &p.content {
            Content::Value(i) => {
                let def = &ed.cells[*i];
                let id = def.id.as_str();
                let marked = marks.map(|m| (m.format(id, &f.input), m.format(id, &f.derived), m.note(id)));
                let formats = match &marked {
                    Some((Some(input), Some(derived), _)) => (input, derived),
                    _ => (&f.input, &f.derived),
                };
                value_cell(ws, report, id, def.kind, def.decimals, r, c, p, derivations, &cell_ref, formats)?;
                if let Some((_, _, Some(note))) = marked {
                    ws.insert_note(r, c, &note)?;
                }
            }
            Content::Heading(s) | Content::Corner(s) | Content::ColumnLabel(s) | Content::RowLabel(s) => {
                let fmt = if matches!(p.content, Content::RowLabel(_) | Content::Heading(_)) {
                    &f.label_left
                } else {
                    &f.label
                };
                if p.rowspan > 1 || p.colspan > 1 {
                    ws.merge_range(r, c, r + p.rowspan - 1, c + p.colspan as u16 - 1, s, fmt)?;
                } else {
                    ws.write_with_format(r, c, s.as_str(), fmt)?;
                }
            }
        }
    }

    // Check column headers: on the header rows of each block with a check in
    // that column (the nearest corner cell above the checked row).
    for (k, used) in check_cols.iter().enumerate() {
        let c = (lay.cols + k as u32) as u16;
        let mut headed = std::collections::BTreeSet::new();
        for row in used {
            let corner = lay
                .cells
                .iter()
                .filter(|p| matches!(p.content, Content::Corner(_)) && p.row <= *row)
                .max_by_key(|p| p.row);
            if let Some(p) = corner {
                if headed.insert(p.row) {
                    let r = top + p.row;
                    if p.rowspan > 1 {
                        ws.merge_range(r, c, r + p.rowspan - 1, c, CHECK_HEADER, &f.label)?;
                    } else {
                        ws.write_with_format(r, c, CHECK_HEADER, &f.label)?;
                    }
                }
            }
        }
        ws.set_column_width(c, 14)?;
    }
    for (k, (_, rule_title)) in check_rows.iter().enumerate() {
        let r = top + lay.rows + k as u32;
        let first_value_col = lay.cells.iter().filter(|p| matches!(p.content, Content::Value(_))).map(|p| p.col).min();
        let label_cols = first_value_col.unwrap_or(1).max(1);
        let label = format!("{CHECK_ROW_PREFIX}{rule_title}");
        if label_cols > 1 {
            ws.merge_range(r, 0, r, (label_cols - 1) as u16, &label, &f.label_left)?;
        } else {
            ws.write_with_format(r, 0, label.as_str(), &f.label_left)?;
        }
        ws.set_row_height(r, 30)?;
    }
    for (rule, place, k) in &checks {
        let (r, c) = match place {
            CheckPlace::Row(col) => (top + lay.rows + *k as u32, *col as u16),
            CheckPlace::Column(row) => (top + *row, (lay.cols + *k as u32) as u16),
        };
        let (formula, cached) = check_formula(rule, report, derivations, &cell_at);
        ws.write_formula_with_format(r, c, Formula::new(formula).set_result(cached), &f.check)?;
        let bad = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith(CHECK_BAD_PREFIX.to_string()))
            .set_format(&f.bad);
        let good = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith("✓".to_string()))
            .set_format(&f.good);
        ws.add_conditional_format(r, c, r, c, &bad)?;
        ws.add_conditional_format(r, c, r, c, &good)?;
    }

    column_widths(ws, &lay)?;
    ws.set_paper_size(9);
    if wide || lay.cols > 6 {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    if let Some(last) = lay.header_rows.last() {
        ws.set_repeat_rows(0, top + last)?;
    }
    protect(ws);
    Ok(())
}

/// The formula of a derived cell and its cached value, when it is written
/// as one: its value agrees with its inputs, or it and they are all blank
/// (cached 0). Otherwise (a reported total that disagrees) it is written as
/// the value reported.
fn derived_formula(
    report: &Report,
    id: &str,
    derivations: &Derivations<'_>,
    cell_ref: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, Number)> {
    let (_, inputs) = derivations.get(id)?;
    let value = report.value(id);
    let vals: Vec<Option<Number>> = inputs.iter().map(|(i, _)| report.value(i)).collect();
    let all_blank = vals.iter().all(Option::is_none) && value.is_none();
    let computed = inputs
        .iter()
        .zip(&vals)
        .try_fold(Number::ZERO, |acc, ((_, neg), v)| v.and_then(|v| acc.checked_add(if *neg { -v } else { v })));
    let consistent = value.is_some() && computed == value;
    if !(consistent || all_blank) {
        return None;
    }
    let refs: Vec<String> = inputs
        .iter()
        .map(|(i, neg)| cell_ref(i).map(|a| format!("{}{a}", if *neg { "-" } else { "+" })))
        .collect::<Option<_>>()?;
    let expr = refs.concat();
    let expr = expr.strip_prefix('+').unwrap_or(&expr).to_string();
    Some((expr, value.unwrap_or(Number::ZERO)))
}

#[allow(clippy::too_many_arguments)]
fn value_cell(
    ws: &mut Worksheet,
    report: &Report,
    id: &str,
    kind: Kind,
    decimals: Option<u32>,
    r: u32,
    c: u16,
    p: &Placed,
    derivations: &Derivations<'_>,
    cell_ref: &dyn Fn(&str) -> Option<String>,
    (input, derived): (&Format, &Format),
) -> Result<(), XlsxError> {
    let value = report.value(id);
    let merge_extra = |ws: &mut Worksheet, fmt: &Format| -> Result<(), XlsxError> {
        if p.colspan > 1 || p.rowspan > 1 {
            ws.merge_range(r, c, r + p.rowspan - 1, c + p.colspan as u16 - 1, "", fmt)?;
        }
        Ok(())
    };
    if let Some((expr, cached)) = derived_formula(report, id, derivations, cell_ref) {
        merge_extra(ws, derived)?;
        ws.write_formula_with_format(r, c, Formula::new(format!("={expr}")).set_result(cached.to_string()), derived)?;
        return Ok(());
    }
    merge_extra(ws, input)?;
    match value {
        Some(v) => {
            ws.write_number_with_format(r, c, v.to_f64(), input)?;
        }
        None => {
            ws.write_blank(r, c, input)?;
        }
    }
    let v = match kind {
        Kind::Count => DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_title("请填写数字")?
            .set_error_message("此格应填不小于 0 的整数，没有的填 0。")?,
        Kind::Signed => DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(-1_000_000_000, 1_000_000_000))
            .set_error_title("请填写整数")?
            .set_error_message("此格应填整数：增加填正数，减少填负数（如 -8），没有变化填 0。")?,
        Kind::Amount => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_title("请填写金额")?
            .set_error_message(format!(
                "此格应填不小于 0 的金额{}，没有的填 0。",
                decimals.map(|d| format!("（最多 {d} 位小数）")).unwrap_or_default()
            ))?,
    };
    ws.add_data_validation(r, c, r + p.rowspan - 1, c + p.colspan as u16 - 1, &v)?;
    Ok(())
}

fn side(terms: &[Term], report: &Report, cell_ref: &dyn Fn(&str) -> Option<String>) -> (String, Number) {
    let mut expr = String::new();
    let mut total = Number::ZERO;
    for t in terms {
        match t {
            Term::Const(n) => {
                expr.push_str(&format!("+{n}"));
                total = total.checked_add(*n).unwrap_or(total);
            }
            Term::Cell { id, negative, .. } => {
                let a = cell_ref(id).unwrap_or_else(|| "0".into());
                expr.push_str(&format!("{}{a}", if *negative { "-" } else { "+" }));
                let v = report.value(id).unwrap_or(Number::ZERO);
                total = total.checked_add(if *negative { -v } else { v }).unwrap_or(total);
            }
        }
    }
    let expr = expr.strip_prefix('+').map(str::to_string).unwrap_or(expr);
    (expr, total)
}

/// The cells a check depends on: the cells of the rule and, for each
/// derived one, its inputs, down to the cells typed in.
fn check_cells<'a>(rule: &'a Rule, derivations: &Derivations<'a>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let mut todo: Vec<&str> = rule
        .left
        .iter()
        .chain(&rule.right)
        .filter_map(|t| match t {
            Term::Cell { id, .. } => Some(id.as_str()),
            Term::Const(_) => None,
        })
        .collect();
    while let Some(id) = todo.pop() {
        if out.contains(&id) {
            continue;
        }
        out.push(id);
        if let Some((_, inputs)) = derivations.get(id) {
            todo.extend(inputs.iter().map(|(i, _)| *i));
        }
    }
    out
}

/// `COUNT` arguments for cells at (row, col): runs of a column as ranges.
fn count_args(mut cells: Vec<(u32, u16)>) -> Vec<String> {
    cells.sort_by_key(|&(r, c)| (c, r));
    cells.dedup();
    let mut args = Vec::new();
    let mut i = 0;
    while let Some(&(r0, c)) = cells.get(i) {
        let mut j = i;
        while cells.get(j + 1).is_some_and(|&(r, c2)| c2 == c && r == r0 + (j + 1 - i) as u32) {
            j += 1;
        }
        let first = row_col_to_cell(r0, c);
        args.push(if j > i { format!("{first}:{}", row_col_to_cell(r0 + (j - i) as u32, c)) } else { first });
        i = j + 1;
    }
    args
}

/// The live check formula of a rule instance and its cached result:
/// [`CHECK_PENDING`] until every cell it depends on holds a number (a
/// formula always does), then whether it holds (blank cells count as 0,
/// as in Excel).
fn check_formula(
    rule: &Rule,
    report: &Report,
    derivations: &Derivations<'_>,
    cell_at: &dyn Fn(&str) -> Option<(u32, u16)>,
) -> (String, String) {
    let cell_ref = |id: &str| cell_at(id).map(|(r, c)| row_col_to_cell(r, c));
    let (l, lv) = side(&rule.left, report, &cell_ref);
    let (r, rv) = side(&rule.right, report, &cell_ref);
    let holds = rule.op.holds(lv, rv);
    let (test, cached) = match rule.op {
        Op::Eq => {
            let cached = if holds {
                CHECK_OK.to_string()
            } else {
                format!("{CHECK_BAD_PREFIX} 相差 {}", lv.checked_sub(rv).unwrap_or(Number::ZERO))
            };
            (format!("IF(({l})=({r}),\"{CHECK_OK}\",\"{CHECK_BAD_PREFIX} 相差 \"&(({l})-({r})))"), cached)
        }
        Op::Le | Op::Ge => {
            let sym = if rule.op == Op::Le { "<=" } else { ">=" };
            let bad = format!("{CHECK_BAD_PREFIX} 不符");
            let cached = if holds { CHECK_OK.to_string() } else { bad.clone() };
            (format!("IF(({l}){sym}({r}),\"{CHECK_OK}\",\"{bad}\")"), cached)
        }
    };
    let cells: Vec<(&str, (u32, u16))> =
        check_cells(rule, derivations).into_iter().filter_map(|id| Some((id, cell_at(id)?))).collect();
    if cells.is_empty() {
        return (format!("={test}"), cached);
    }
    let filled = |id: &str| report.value(id).is_some() || derived_formula(report, id, derivations, &cell_ref).is_some();
    let cached = if cells.iter().all(|(id, _)| filled(id)) { cached } else { CHECK_PENDING.to_string() };
    let args = count_args(cells.iter().map(|(_, at)| *at).collect()).join(",");
    (format!("=IF(COUNT({args})<{},\"{CHECK_PENDING}\",{test})", cells.len()), cached)
}

/// Column widths set by hand: CJK counts 2 units (autofit is wrong for CJK).
fn column_widths(ws: &mut Worksheet, lay: &TableLayout) -> Result<(), XlsxError> {
    let mut widths = vec![8.0f64; lay.cols as usize];
    for p in &lay.cells {
        let text = match &p.content {
            Content::RowLabel(s) => s,
            Content::ColumnLabel(s) if p.colspan == 1 => s,
            _ => continue,
        };
        let w = (display_width(text) / p.colspan as f64 + 2.0).min(if matches!(p.content, Content::RowLabel(_)) {
            36.0
        } else {
            14.0
        });
        for c in p.col..p.col + p.colspan {
            if let Some(x) = widths.get_mut(c as usize) {
                *x = x.max(w);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let mut heights: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
    for p in &lay.cells {
        let text = match &p.content {
            Content::RowLabel(s) | Content::ColumnLabel(s) | Content::Corner(s) => s,
            _ => continue,
        };
        if p.rowspan == 1 {
            let w: f64 = (p.col..p.col + p.colspan).map(|c| widths.get(c as usize).copied().unwrap_or(8.0)).sum();
            let lines = (display_width(text) / (w - 1.0).max(1.0)).ceil().max(1.0);
            let h = (lines * 14.0 + 4.0).clamp(18.0, 120.0);
            let e = heights.entry(1 + p.row).or_insert(18.0);
            *e = e.max(h);
        }
    }
    for (r, h) in heights {
        ws.set_row_height(r, h)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn row_heights_follow_the_wrapped_lines() {
        let one = wrapped_height(&[("短", 10.0)], 10.5);
        assert_eq!(one, 10.5 * 1.45 + 4.0);
        // 60 CJK characters in a column 31.5 units wide: 120 / 30 = 4 lines.
        let four = wrapped_height(&[("字".repeat(60).as_str(), 31.5), ("x", 5.0)], 10.0);
        assert_eq!(four, 4.0 * 14.5 + 4.0);
        // A line break starts a line; the tallest cell decides.
        assert_eq!(wrapped_height(&[("a\nb\nc", 40.0), ("d", 4.0)], 10.0), 3.0 * 14.5 + 4.0);
        assert_eq!(wrapped_height(&[("字".repeat(100_000).as_str(), 20.0)], 10.5), MAX_ROW_HEIGHT);
    }

    proptest! {
        /// The pieces of a long text join to the text again, none is white
        /// space alone (it would read as an empty cell), and each shows in
        /// full in its row (unless it is one unbreakable character).
        #[test]
        fn row_chunks_join_back_and_fit(text in "[a 字\n。]{0,3000}", width in 10.0f64..100.0) {
            let pieces = row_chunks(&text, width, INFO_LINES);
            prop_assert_eq!(pieces.concat(), text.clone());
            if !text.trim().is_empty() {
                prop_assert!(pieces.iter().all(|p| !p.trim().is_empty()));
            }
            for p in &pieces {
                let trailing_blank = p.trim_end().len() < p.len();
                prop_assert!(text_lines(p, width) <= INFO_LINES || trailing_blank, "{:?}", p);
            }
        }
    }
}
