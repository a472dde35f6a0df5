//! Rules written in Rust but driven by the edition data: they apply to every
//! edition, and take cells, kinds, parts and years from the edition file.

// Indexing is bounded here: windows of the same slice; table indices from the compiled edition.
#![allow(clippy::indexing_slicing)]

use super::{Finding, Previous};
use crate::edition::{Edition, Severity};
use crate::model::Report;
use crate::number::kind_problem;
use std::collections::HashMap;

/// A generic rule: code, severity, what it requires, and its check.
pub struct GenericRule {
    pub code: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub run: fn(&GenericRule, &Report, &Edition, Option<&Previous<'_>>, &mut Vec<Finding>),
}

impl GenericRule {
    fn finding(&self, message: String) -> Finding {
        Finding::new(self.code, self.severity, self.title, message)
    }
}

/// All generic rules, in the order their findings are listed.
pub static GENERIC_RULES: &[GenericRule] = &[
    GenericRule { code: "META-YEAR", severity: Severity::Error, title: "报告应注明年度", run: meta_year },
    GenericRule {
        code: "META-ORGAN", severity: Severity::Warning, title: "报告应注明机关名称", run: meta_organ
    },
    GenericRule {
        code: "EDITION-YEAR",
        severity: Severity::Error,
        title: "报告应使用该年度适用的格式版本",
        run: edition_year,
    },
    GenericRule {
        code: "PART-MISSING",
        severity: Severity::Error,
        title: "年报应包含格式规定的全部部分",
        run: part_missing,
    },
    GenericRule { code: "PART-EMPTY", severity: Severity::Error, title: "该部分不能为空", run: part_empty },
    GenericRule {
        code: "BLANK",
        severity: Severity::Error,
        title: "表格中每一格都应填写数字（没有的填0）",
        run: blank,
    },
    GenericRule {
        code: "BLANK-PUBLISHED",
        severity: Severity::Warning,
        title: "已发布的报告中有空白格（原文为空，按 0 计）",
        run: blank_published,
    },
    GenericRule { code: "KIND", severity: Severity::Error, title: "数值应符合该格的类型", run: kind },
    GenericRule {
        code: "X-PREV-YEAR", severity: Severity::Warning, title: "对比的应是上一年度的报告", run: prev_year
    },
    GenericRule {
        code: "X-SAME-TABLE",
        severity: Severity::Warning,
        title: "表格数据与上年完全相同，请核实（内容雷同）",
        run: same_table,
    },
    GenericRule {
        code: "X-SAME-TEXT",
        severity: Severity::Warning,
        title: "文字内容与上年几乎相同，请核实（内容雷同）",
        run: same_text,
    },
];

fn meta_year(this: &GenericRule, report: &Report, _: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if report.year.is_none() {
        out.push(this.finding("没有找到报告年度，请在标题或报告信息中注明（如“2021年”）".into()));
    }
}

fn meta_organ(this: &GenericRule, report: &Report, _: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if report.organ.trim().is_empty() {
        out.push(this.finding("没有找到机关名称，请在标题或报告信息中注明".into()));
    }
}

fn edition_year(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if let Some(y) = report.year {
        if !ed.covers(y) {
            out.push(this.finding(format!(
                "{y}年的报告使用了{}（适用于{}的报告），应使用该年度适用的格式",
                ed.name,
                ed.years_text()
            )));
        }
    }
}

fn part_missing(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for p in ed.parts.iter().filter(|p| p.required) {
        if !report.parts.contains_key(&p.id) {
            let mut f = this.finding(format!("缺少第{}部分“{}”", p.number, p.full_heading()));
            f.row = Some(p.full_heading());
            out.push(f);
        }
    }
}

fn part_empty(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for p in ed.parts.iter().filter(|p| p.nonempty) {
        if let Some(part) = report.parts.get(&p.id) {
            if part.text.trim().is_empty() {
                let mut f = this.finding(format!("第{}部分“{}”没有内容。{}", p.number, p.full_heading(), p.guidance));
                f.row = Some(p.full_heading());
                out.push(f);
            }
        }
    }
}

/// `BLANK`: every table cell must hold a number. Blank cells are reported
/// in groups a clerk can see at a glance, taken from the compiled edition
/// (its tables, blocks and header trees; no label is named here):
///
/// - a whole table (`表二 全表空白（10 格）`), else a whole block of a table
///   with several blocks (`表二第二十条第（一）项 整块空白（6 格）`);
/// - a row (`表三（六）其他处理 整行空白（7 格）`) or a column
///   (`表三·商业企业 整列空白（25 格）`) of a block, or the rows or columns
///   under one header (`表三（三）不予公开 各行空白（56 格）`,
///   `表四·行政复议 各列空白（5 格）`), when all their cells are blank and
///   there are at least two;
/// - every other blank cell on its own (`表三（六）其他处理·商业企业：空白，…`).
///
/// A cell is listed once. Groups overlap (a blank cell in a blank row and a
/// blank column): the largest group takes its cells first (on equal size:
/// table, block, rows, then columns, in edition order); a smaller group
/// still entirely blank is reported with the cells left, and says how many
/// of its cells were listed with which group. A group that has no cell
/// left is not reported. Every blank cell is in [`Finding::cells`] of
/// exactly one finding, which the annotated workbook and the page mark;
/// findings come in the order of their first cell in the edition.
///
/// A cell holding text that is no number (`-`, `无`) is null too: in a group
/// the message says so (`都填的是“-”` when every cell holds the same text,
/// `未填数字` when the group mixes blanks and texts).
fn blank(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    // A published report's printed blanks are BLANK-PUBLISHED; a cell the
    // reader could not read is still blank here.
    let is_blank: Vec<bool> = ed
        .cells
        .iter()
        .enumerate()
        .map(|(i, c)| report.cell_at(i, &c.id).is_none_or(Option::is_none) && !report.printed_blank(&c.id))
        .collect();
    if !is_blank.contains(&true) {
        return;
    }
    let text =
        |i: usize| report.provenance.get(&ed.cells[i].id).map(|s| crate::number::squeeze(&s.text)).unwrap_or_default();
    let mut groups = blank_groups(ed, &is_blank);
    // Largest first; the sort is stable, so equal sizes keep their order.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| std::cmp::Reverse(groups[g].cells.len()));
    let mut taken: Vec<Option<usize>> = vec![None; ed.cells.len()];
    for g in order {
        let left: Vec<usize> = groups[g].cells.iter().copied().filter(|&i| taken[i].is_none()).collect();
        for &i in &left {
            taken[i] = Some(g);
        }
        groups[g].left = left;
    }
    // One finding per group with cells left, and per blank cell no group took,
    // in the order of their first cell.
    let mut items: Vec<(usize, Finding)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let Some(&first) = g.left.first() else { continue };
        let texts: Vec<String> = g.cells.iter().map(|&i| text(i)).collect();
        let state = match texts.first() {
            Some(t) if texts.iter().all(|x| x == t) && !t.is_empty() => format!("都填的是“{t}”"),
            _ if texts.iter().all(String::is_empty) => "空白".to_string(),
            _ => "未填数字".to_string(),
        };
        // The groups that took some of its cells, in the order met.
        let mut others: Vec<usize> = Vec::new();
        for o in g.cells.iter().filter_map(|&i| taken[i]) {
            if o != gi && !others.contains(&o) {
                others.push(o);
            }
        }
        let elsewhere = g.cells.len() - g.left.len();
        let with = match others.as_slice() {
            [] => String::new(),
            [o] => format!("，其中 {elsewhere} 格已随“{}”列出", groups[*o].name()),
            [o, ..] => format!("，其中 {elsewhere} 格已随“{}”等列出", groups[*o].name()),
        };
        let msg =
            format!("{} {}{}（{} 格{with}）{}", g.label, g.scope.word(), state, g.cells.len(), what_to_do(&texts));
        let mut f = this.finding(msg);
        f.table = Some(ed.tables[g.table].name.clone());
        f.row = g.row.clone();
        f.column = g.column.clone();
        f.cells = g.left.iter().map(|&i| ed.cells[i].id.clone()).collect();
        f.source = report.provenance.get(&ed.cells[first].id).cloned();
        items.push((first, f));
    }
    for (i, c) in ed.cells.iter().enumerate() {
        if is_blank[i] && taken[i].is_none() {
            let t = text(i);
            let how = if t.is_empty() {
                "空白".to_string()
            } else if is_formula(&t) {
                format!("公式“{t}”没有计算结果，也无法计算（见 READ-FORMULA）")
            } else {
                format!("填的是“{t}”，不是数字")
            };
            let msg = format!("{}：{}{}", c.location, how, what_to_do(std::slice::from_ref(&t)));
            items.push((i, this.finding(msg).at_cell(report, ed, &c.id)));
        }
    }
    items.sort_by_key(|(first, _)| *first);
    out.extend(items.into_iter().map(|(_, f)| f));
}

/// How many blank cells a `BLANK-PUBLISHED` message names before “等”.
const BLANK_NAMED: usize = 6;

/// `BLANK-PUBLISHED`: in a report read from a published document (a PDF, a
/// web page, text, Markdown) a cell printed empty (or as a dash) is what was
/// published, not a cell left to fill ([`Report::printed_blank`]): the model
/// keeps it null, and one warning per table names those cells (all of them
/// in [`Finding::cells`]) and says, once, that the identities count them as
/// 0, so a real imbalance among the printed numbers still shows. A form a
/// clerk fills in gets `BLANK` instead, and so does a cell of a published
/// report that the reader could not find or read.
fn blank_published(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    if !report.is_published() {
        return;
    }
    for (ti, t) in ed.tables.iter().enumerate() {
        let blank: Vec<&crate::edition::CellDef> = ed
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.table == ti && report.printed_blank(&c.id))
            .map(|(_, c)| c)
            .collect();
        let Some(first) = blank.first() else { continue };
        let total = ed.cells.iter().filter(|c| c.table == ti).count();
        let mut named: Vec<&str> = blank.iter().take(BLANK_NAMED).map(|c| c.location.as_str()).collect();
        if blank.len() > BLANK_NAMED {
            named.push("等");
        }
        let scope = if blank.len() == total { "全表".to_string() } else { format!("{total} 格中") };
        let msg = format!(
            "{} {scope}有 {} 格原文为空（{}）。原文为空，按 0 计：勾稽关系按 0 计算，如原文确有数字请补上",
            t.name,
            blank.len(),
            named.join("、")
        );
        let mut f = this.finding(msg);
        f.table = Some(t.name.clone());
        f.cells = blank.iter().map(|c| c.id.clone()).collect();
        f.source = report.provenance.get(&first.id).cloned();
        out.push(f);
    }
}

/// A cell's text that is a formula a spreadsheet did not compute (the
/// reader could not either: `READ-FORMULA`).
fn is_formula(text: &str) -> bool {
    text.starts_with('=')
}

/// What the clerk should do about blank cells with these texts: type a
/// number, or — for formulas left without their values — open and save the
/// workbook in Excel or WPS (typing into a formula cell is not the fix).
fn what_to_do(texts: &[String]) -> &'static str {
    if texts.iter().any(|t| is_formula(t)) {
        "，请用 Excel 或 WPS 打开此工作簿并保存（存下公式的结果）后再读取；如确是应填写的格，请填写数字"
    } else {
        "，应填写数字（没有的填 0）"
    }
}

/// What a group of blank cells is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Table,
    Block,
    /// One row leaf.
    Row,
    /// The row leaves under one header.
    Rows,
    Column,
    Columns,
}

impl Scope {
    fn word(self) -> &'static str {
        match self {
            Scope::Table => "全表",
            Scope::Block => "整块",
            Scope::Row => "整行",
            Scope::Rows => "各行",
            Scope::Column => "整列",
            Scope::Columns => "各列",
        }
    }
}

/// A group of cells, all blank: a table, a block, or rows or columns of a block.
struct BlankGroup {
    scope: Scope,
    table: usize,
    /// How the group is named in a message, e.g. `表三·商业企业`.
    label: String,
    /// Row and column label paths, for the finding's fields.
    row: Option<String>,
    column: Option<String>,
    /// The group's cells (edition indices, in order).
    cells: Vec<usize>,
    /// The cells it reports: those no larger group took.
    left: Vec<usize>,
}

impl BlankGroup {
    fn name(&self) -> String {
        format!("{} {}空白", self.label, self.scope.word())
    }
}

/// Every table, block, row or column group of at least two cells, all
/// blank, in the order table, blocks, rows, columns; a header's group is
/// left out when it covers its whole block (the block's or table's group
/// names it) or the same cells as the header below it.
fn blank_groups(ed: &Edition, is_blank: &[bool]) -> Vec<BlankGroup> {
    let all_blank = |cells: &[usize]| cells.len() >= 2 && cells.iter().all(|&i| is_blank[i]);
    let mut out = Vec::new();
    for (ti, t) in ed.tables.iter().enumerate() {
        let block_cells = |b: &crate::edition::Block| -> Vec<usize> {
            (0..b.row_leaves.len() * b.col_leaves.len()).map(|k| b.first_cell + k).collect()
        };
        if !t.blocks.iter().any(|b| block_cells(b).iter().any(|&i| is_blank[i])) {
            continue;
        }
        let cells: Vec<usize> = t.blocks.iter().flat_map(block_cells).collect();
        let group = |scope, label: String, row, column, cells| BlankGroup {
            scope,
            table: ti,
            label,
            row,
            column,
            cells,
            left: Vec::new(),
        };
        if all_blank(&cells) {
            out.push(group(Scope::Table, t.name.clone(), None, None, cells));
            continue;
        }
        for (bi, b) in t.blocks.iter().enumerate() {
            let cells = block_cells(b);
            if !cells.iter().any(|&i| is_blank[i]) {
                continue;
            }
            let heading = b.heading.clone().unwrap_or_default();
            if all_blank(&cells) {
                if t.blocks.len() > 1 {
                    let label = match &b.heading {
                        Some(h) => format!("{}{h}", t.name),
                        None => format!("{}第{}块", t.name, bi + 1),
                    };
                    out.push(group(Scope::Block, label, Some(heading).filter(|h| !h.is_empty()), None, cells));
                }
                continue;
            }
            let (nr, nc) = (b.row_leaves.len(), b.col_leaves.len());
            let sep = if heading.is_empty() { String::new() } else { format!("{heading} ") };
            for (lo, hi, leaf, path) in header_spans(&b.row_leaves) {
                let cells: Vec<usize> = (lo..hi).flat_map(|r| (0..nc).map(move |c| b.cell_index(r, c))).collect();
                if hi - lo == nr || !all_blank(&cells) {
                    continue;
                }
                let name =
                    if leaf { b.row_leaves[lo].display.clone() } else { path.last().cloned().unwrap_or_default() };
                let label = format!("{}{sep}{name}", t.name);
                let row_path: Vec<String> = b.heading.iter().cloned().chain(path).collect();
                let scope = if leaf { Scope::Row } else { Scope::Rows };
                out.push(group(scope, label, Some(row_path.join(" / ")), None, cells));
            }
            for (lo, hi, leaf, path) in header_spans(&b.col_leaves) {
                let cells: Vec<usize> = (0..nr).flat_map(|r| (lo..hi).map(move |c| b.cell_index(r, c))).collect();
                if hi - lo == nc || !all_blank(&cells) {
                    continue;
                }
                let name =
                    if leaf { b.col_leaves[lo].display.clone() } else { path.last().cloned().unwrap_or_default() };
                let label = format!("{}{heading}·{name}", t.name);
                let scope = if leaf { Scope::Column } else { Scope::Columns };
                out.push(group(scope, label, None, Some(path.join(" / ")), cells));
            }
        }
    }
    out
}

/// The headers of a list of leaves: for every leaf and every label on its
/// path, the range of leaves under that label (`lo..hi`), whether it is the
/// leaf itself, and the label path. A header with one leaf below is the
/// leaf; a label path that is empty (表四's unnamed row) names nothing.
fn header_spans(leaves: &[crate::edition::Leaf]) -> Vec<(usize, usize, bool, Vec<String>)> {
    let mut out = Vec::new();
    for (i, l) in leaves.iter().enumerate() {
        for k in 1..=l.path.len() {
            let prefix = &l.path[..k];
            // Each header once: at its first leaf.
            if i > 0 && leaves[i - 1].path.get(..k) == Some(prefix) {
                continue;
            }
            let hi = i + leaves[i..].iter().take_while(|x| x.path.get(..k) == Some(prefix)).count();
            let leaf = k == l.path.len() && hi == i + 1;
            if hi == i + 1 && !leaf {
                continue; // the leaf below names the same cell range
            }
            out.push((i, hi, leaf, prefix.to_vec()));
        }
    }
    out
}

fn kind(this: &GenericRule, report: &Report, ed: &Edition, _: Option<&Previous>, out: &mut Vec<Finding>) {
    for (i, c) in ed.cells.iter().enumerate() {
        if let Some(&Some(v)) = report.cell_at(i, &c.id) {
            if let Some(problem) = kind_problem(v, c.kind, c.decimals) {
                let msg = format!("{}：{}", c.location, problem);
                out.push(this.finding(msg).at_cell(report, ed, &c.id));
            }
        }
    }
}

fn prev_year(this: &GenericRule, report: &Report, _: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    if let (Some(y), Some(py)) = (report.year, p.report.year) {
        if py + 1 != y {
            out.push(this.finding(format!("本报告是{y}年的，对比的上年报告却是{py}年的")));
        }
    }
}

fn same_table(this: &GenericRule, report: &Report, ed: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    for (ti, t) in ed.tables.iter().enumerate() {
        let cells: Vec<_> = ed.cells.iter().filter(|c| c.table == ti).collect();
        let mut any_nonzero = false;
        let identical = cells.iter().all(|c| {
            let (a, b) = (report.value(&c.id), p.report.value(&c.id));
            any_nonzero |= a.is_some_and(|v| !v.0.is_zero());
            a.is_some() && a == b && p.edition.has_cell(&c.id)
        });
        if identical && any_nonzero {
            let mut f = this
                .finding(format!("{}（{}）的每一个数字都与上年报告相同，请核实是否照搬了上年数据", t.name, t.title));
            f.table = Some(t.name.clone());
            out.push(f);
        }
    }
}

/// Texts shorter than this (in characters, spaces removed) are not compared:
/// “无。” is the same every year and rightly so.
const SAME_TEXT_MIN_CHARS: usize = 50;
/// Similarity (Dice coefficient of character bigrams) from which a part
/// counts as nearly identical.
const SAME_TEXT_THRESHOLD: f64 = 0.9;

fn same_text(this: &GenericRule, report: &Report, ed: &Edition, prev: Option<&Previous>, out: &mut Vec<Finding>) {
    let Some(p) = prev else { return };
    for r in repetition(report, ed, p.report) {
        if r.chars < SAME_TEXT_MIN_CHARS || r.previous_chars < SAME_TEXT_MIN_CHARS {
            continue;
        }
        if r.similarity >= SAME_TEXT_THRESHOLD {
            let Some(part) = ed.part(&r.part) else { continue };
            let mut f = this.finding(format!(
                "第{}部分“{}”与上年报告的相似度为 {}%，请核实是否照搬了上年内容",
                part.number,
                part.full_heading(),
                r.percent
            ));
            f.row = Some(part.full_heading());
            f.repetition = Some(r.percent);
            out.push(f);
        }
    }
}

/// How much of one part repeats last year's report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Repetition {
    /// Part id (`p1` …).
    pub part: String,
    /// Character-bigram Dice similarity of the two texts (white space aside), 0 to 1.
    pub similarity: f64,
    /// The same, in whole percent (rounded): what findings and summaries show.
    pub percent: u32,
    /// Characters of this year's and last year's part (white space aside).
    pub chars: usize,
    pub previous_chars: usize,
}

/// The repetition rate of every part both reports have, in edition order:
/// evaluators rank reports by it, so it is given for every part, not only
/// above `X-SAME-TEXT`'s threshold.
pub fn repetition(report: &Report, ed: &Edition, previous: &Report) -> Vec<Repetition> {
    let mut out = Vec::new();
    for part in &ed.parts {
        let (Some(a), Some(b)) = (report.parts.get(&part.id), previous.parts.get(&part.id)) else {
            continue;
        };
        let (a, b) = (crate::number::squeeze(&a.text), crate::number::squeeze(&b.text));
        let sim = similarity(&a, &b);
        out.push(Repetition {
            part: part.id.clone(),
            similarity: sim,
            percent: (sim * 100.0).round() as u32,
            chars: a.chars().count(),
            previous_chars: b.chars().count(),
        });
    }
    out
}

/// Dice coefficient of the multisets of character bigrams.
pub fn similarity(a: &str, b: &str) -> f64 {
    fn bigrams(s: &str) -> HashMap<(char, char), usize> {
        let chars: Vec<char> = s.chars().collect();
        let mut m = HashMap::new();
        for w in chars.windows(2) {
            *m.entry((w[0], w[1])).or_insert(0) += 1;
        }
        m
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let total: usize = x.values().sum::<usize>() + y.values().sum::<usize>();
    if total == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    let common: usize = x.iter().map(|(k, n)| (*n).min(*y.get(k).unwrap_or(&0))).sum();
    2.0 * common as f64 / total as f64
}
