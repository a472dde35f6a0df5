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
    value: Number,
}

/// Evaluate one rule instance. `None` when it holds, or cannot be evaluated
/// (a blank term, reported by the blank rule; or no usable previous
/// report). A blank a published report printed counts as 0.
pub(super) fn evaluate(rule: &Rule, report: &Report, ed: &Edition, prev: Option<&Previous<'_>>) -> Option<Finding> {
    if rule.needs_previous() && prev.is_none() {
        return None;
    }
    let value = |t: &'_ Term| -> Option<(Option<&CellDef>, Number)> {
        match t {
            Term::Const(n) => Some((None, *n)),
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
                Some((Some(def), if *negative { -v } else { v }))
            }
        }
    };
    let mut left = Vec::with_capacity(rule.left.len());
    for t in &rule.left {
        let (def, value) = value(t)?;
        left.push(Valued { term: t, def, value });
    }
    let mut right = Vec::with_capacity(rule.right.len());
    for t in &rule.right {
        let (def, value) = value(t)?;
        right.push(Valued { term: t, def, value });
    }
    let sum = |v: &[Valued]| v.iter().try_fold(Number::ZERO, |acc, x| acc.checked_add(x.value));
    let (l, r) = (sum(&left)?, sum(&right)?);
    if rule.op.holds(l, r) {
        return None;
    }
    Some(finding(rule, report, ed, &left, &right, l, r))
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
    let all: Vec<&CellDef> = left.iter().chain(right).filter_map(|v| v.def).collect();
    let same_col = all.windows(2).all(|w| w[0].table == w[1].table && w[0].block == w[1].block && w[0].col == w[1].col);
    let same_row = all.windows(2).all(|w| w[0].table == w[1].table && w[0].block == w[1].block && w[0].row == w[1].row);
    let anchor = current.first().copied();
    let single_anchor = left.len() == 1 && anchor.is_some();

    let label = |v: &Valued| -> String {
        let prefix = if matches!(v.term, Term::Cell { previous: true, .. }) { "上年" } else { "" };
        let Some(d) = v.def else { return String::new() };
        let ti = d.table;
        let block = &ed.tables[ti].blocks[d.block];
        let row = &block.row_leaves[d.row];
        let col = &block.col_leaves[d.col];
        let body = if same_col && !same_row {
            row.short.clone()
        } else if same_row && !same_col {
            col.short.clone()
        } else {
            d.location.trim_start_matches(d.table_name.as_str()).to_string()
        };
        format!("{prefix}{body}")
    };
    let render = |vals: &[Valued], total: Number, is_left: bool| -> String {
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
                let l = label(v);
                if l.is_empty() {
                    format!("{sign}{shown}")
                } else {
                    format!("{sign}{l} {shown}")
                }
            })
            .collect();
        if vals.len() == 1 {
            if is_left && single_anchor || vals[0].def.is_none() {
                total.to_string()
            } else {
                terms[0].clone()
            }
        } else {
            format!("{total}（{}）", terms.join(""))
        }
    };
    let formula = format!("{} {} {}", render(left, l, true), rule.op.failed_symbol(), render(right, r, false));
    let diff = l.checked_sub(r);
    let location = match anchor {
        Some(a) if single_anchor => a.location.clone(),
        Some(a) => {
            let block = &ed.tables[a.table].blocks[a.block];
            if same_col {
                format!("{}·{}", a.table_name, block.col_leaves[a.col].display)
            } else if same_row {
                let row = &block.row_leaves[a.row];
                let h = block.heading.as_deref().map(|h| format!("{h} ")).unwrap_or_default();
                format!("{}{}{}", a.table_name, h, row.display)
            } else {
                a.table_name.clone()
            }
        }
        None => String::new(),
    };
    let diff_text = match (rule.op, diff) {
        (Op::Eq, Some(d)) => format!("，相差 {d}"),
        _ => String::new(),
    };
    let mut f = Finding::new(&rule.code, rule.severity, &rule.title, format!("{location}：{formula}{diff_text}"));
    if let Some(a) = anchor {
        f.table = Some(a.table_name.clone());
        if single_anchor || same_row {
            f.row = Some(a.row_path.clone()).filter(|s| !s.is_empty());
        }
        if single_anchor || same_col {
            f.column = Some(a.col_path.clone());
        }
        f.source = report.provenance.get(&a.id).cloned();
    }
    f.cells = current.iter().map(|c| c.id.clone()).collect();
    f.formula = Some(formula);
    f.difference = diff;
    f
}
