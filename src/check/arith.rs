//! Evaluation of the arithmetic rules declared in edition files.

// Indexing is bounded here: indices come from the compiled edition (table, block, row and column of a CellDef), which compile() checked.
#![allow(clippy::indexing_slicing)]

use super::{Finding, Previous};
use crate::edition::{CellDef, Edition, Op, Rule, Term};
use crate::model::{Number, Report};

/// A term with its value and the label it is shown with.
struct Valued<'a> {
    term: &'a Term,
    def: Option<&'a CellDef>,
    /// The edition `def` belongs to: last year's report may be of another.
    ed: &'a Edition,
    value: Number,
}

/// Evaluate one rule instance. `None` when it holds, or cannot be evaluated
/// (a blank term, reported by the blank rule; or no usable previous
/// report). A blank a published report printed counts as 0.
pub(super) fn evaluate(rule: &Rule, report: &Report, ed: &Edition, prev: Option<&Previous<'_>>) -> Option<Finding> {
    if rule.needs_previous() && prev.is_none() {
        return None;
    }
    let value = |t: &'_ Term| -> Option<(Option<&CellDef>, &Edition, Number)> {
        match t {
            Term::Const(n) => Some((None, ed, *n)),
            Term::Cell { id, negative, previous } => {
                let (r, e) = if *previous {
                    let p = prev?;
                    (p.report, p.edition)
                } else {
                    (report, ed)
                };
                let (def, v) = super::cell(r, e, id)?;
                // A blank of a published report counts as 0 (BLANK-PUBLISHED
                // says so once); a form's blank is reported by BLANK.
                let v = match v {
                    Some(v) => v,
                    None if r.printed_blank(id) => Number::ZERO,
                    None => return None,
                };
                Some((Some(def), e, if *negative { -v } else { v }))
            }
        }
    };
    let mut left = Vec::with_capacity(rule.left.len());
    for t in &rule.left {
        let (def, ed, value) = value(t)?;
        left.push(Valued { term: t, def, ed, value });
    }
    let mut right = Vec::with_capacity(rule.right.len());
    for t in &rule.right {
        let (def, ed, value) = value(t)?;
        right.push(Valued { term: t, def, ed, value });
    }
    let sum = |v: &[Valued]| v.iter().try_fold(Number::ZERO, |acc, x| acc.checked_add(x.value));
    let (l, r) = (sum(&left)?, sum(&right)?);
    if rule.op.holds(l, r) {
        return None;
    }
    Some(finding(rule, report, ed, &left, &right, l, r))
}

/// How the terms of a failed identity lie: all in one column, all in one
/// row, or one cell of this report on the left.
#[derive(Clone, Copy)]
struct Shape {
    same_col: bool,
    same_row: bool,
    single_anchor: bool,
}

fn finding(
    rule: &Rule,
    report: &Report,
    ed: &Edition,
    left: &[Valued],
    right: &[Valued],
    l: Number,
    r: Number,
) -> Finding {
    let current: Vec<&CellDef> = left
        .iter()
        .chain(right)
        .filter(|v| matches!(v.term, Term::Cell { previous: false, .. }))
        .filter_map(|v| v.def)
        .collect();
    // Rows and columns compared by their labels: a term of last year's
    // report may come from another edition, whose indices differ.
    let all: Vec<(&CellDef, &Edition)> = left.iter().chain(right).filter_map(|v| v.def.map(|d| (d, v.ed))).collect();
    let same = |w: &[(&CellDef, &Edition)], col: bool| -> bool {
        let [(a, ea), (b, eb)] = w else { return true };
        if std::ptr::eq(*ea, *eb) {
            a.table == b.table && a.block == b.block && if col { a.col == b.col } else { a.row == b.row }
        } else {
            a.table_name == b.table_name && if col { a.col_path == b.col_path } else { a.row_path == b.row_path }
        }
    };
    let anchor = current.first().copied();
    let shape = Shape {
        same_col: all.windows(2).all(|w| same(w, true)),
        same_row: all.windows(2).all(|w| same(w, false)),
        single_anchor: left.len() == 1 && anchor.is_some(),
    };
    let formula =
        format!("{} {} {}", side(left, l, true, shape), rule.op.failed_symbol(), side(right, r, false, shape));
    let diff = l.checked_sub(r);
    let location = anchor.map(|a| location(a, ed, shape)).unwrap_or_default();
    let diff_text = match (rule.op, diff) {
        (Op::Eq, Some(d)) => format!("，相差 {d}"),
        _ => String::new(),
    };
    let mut f = Finding::new(&rule.code, rule.severity, &rule.title, format!("{location}：{formula}{diff_text}"));
    if let Some(a) = anchor {
        f.table = Some(a.table_name.clone());
        if shape.single_anchor || shape.same_row {
            f.row = Some(a.row_path.clone()).filter(|s| !s.is_empty());
        }
        if shape.single_anchor || shape.same_col {
            f.column = Some(a.col_path.clone());
        }
        f.source = report.provenance.get(&a.id).cloned();
    }
    f.cells = current.iter().map(|c| c.id.clone()).collect();
    f.formula = Some(formula);
    f.difference = diff;
    f
}

/// A term as the formula names it: the row's short label when the terms
/// share a column, the column's when they share a row, else the place;
/// 上年 before a cell of last year's report.
fn term_label(v: &Valued, shape: Shape) -> String {
    let prefix = if matches!(v.term, Term::Cell { previous: true, .. }) { "上年" } else { "" };
    let Some(d) = v.def else { return String::new() };
    let block = &v.ed.tables[d.table].blocks[d.block];
    let body = if shape.same_col && !shape.same_row {
        block.row_leaves[d.row].short.clone()
    } else if shape.same_row && !shape.same_col {
        block.col_leaves[d.col].short.clone()
    } else {
        d.location.trim_start_matches(d.table_name.as_str()).to_string()
    };
    format!("{prefix}{body}")
}

/// One side of the formula: its total, and its terms when there are
/// several (`14（一 12 + 二 2）`).
fn side(vals: &[Valued], total: Number, is_left: bool, shape: Shape) -> String {
    let terms: Vec<String> = vals
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let neg = matches!(v.term, Term::Cell { negative: true, .. });
            let shown = if neg { -v.value } else { v.value };
            let sign = match (i, neg) {
                (0, true) => "-",
                (0, false) => "",
                (_, true) => " - ",
                (_, false) => " + ",
            };
            let l = term_label(v, shape);
            if l.is_empty() {
                format!("{sign}{shown}")
            } else {
                format!("{sign}{l} {shown}")
            }
        })
        .collect();
    match (vals, terms.first()) {
        ([only], Some(term)) => {
            if is_left && shape.single_anchor || only.def.is_none() {
                total.to_string()
            } else {
                term.clone()
            }
        }
        _ => format!("{total}（{}）", terms.join("")),
    }
}

/// Where the finding points: the anchor cell, or its column or row.
fn location(a: &CellDef, ed: &Edition, shape: Shape) -> String {
    if shape.single_anchor {
        return a.location.clone();
    }
    let block = &ed.tables[a.table].blocks[a.block];
    if shape.same_col {
        format!("{}·{}", a.table_name, block.col_leaves[a.col].display)
    } else if shape.same_row {
        let row = &block.row_leaves[a.row];
        let h = block.heading.as_deref().map(|h| format!("{h} ")).unwrap_or_default();
        format!("{}{}{}", a.table_name, h, row.display)
    } else {
        a.table_name.clone()
    }
}
