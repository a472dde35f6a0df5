//! The blank report of a year: what `xxgk template` writes.
//!
//! Every cell is blank except the carry-overs, which are prefilled from last
//! year's report by the edition's cross-year rules that determine a cell from
//! last year's cells alone (表三 上年结转 = last year's 结转下年度继续办理;
//! 2019 edition: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减).

use crate::edition::{Edition, Term};
use crate::model::{Number, Part, Report};

/// The blank report of edition `ed` for `organ` and `year`, prefilled from
/// `previous` (last year's report and its edition) where possible.
pub fn blank(ed: &Edition, organ: &str, year: u32, previous: Option<(&Report, &Edition)>) -> Report {
    let mut r = ed.blank_report(organ, Some(year));
    r.preamble = ed.preamble_for(organ, Some(year));
    for p in &ed.parts {
        r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: String::new() });
    }
    if let Some((prev, prev_ed)) = previous {
        for (id, v) in carry_overs(ed, prev, prev_ed) {
            r.cells.insert(id, Some(v));
        }
    }
    r
}

/// Values this year's report can take from last year's: for every rule whose
/// left side is one cell of this year and whose right side only names cells
/// of last year (all present there).
pub fn carry_overs(ed: &Edition, prev: &Report, prev_ed: &Edition) -> Vec<(String, Number)> {
    let mut out = Vec::new();
    for rule in ed.rules.iter().filter(|r| r.op == crate::edition::Op::Eq) {
        let [Term::Cell { id, negative: false, previous: false }] = rule.left.as_slice() else { continue };
        let mut sum = Some(Number::ZERO);
        for t in &rule.right {
            sum = match (sum, t) {
                (Some(s), Term::Cell { id, negative, previous: true }) if prev_ed.has_cell(id) => {
                    prev.value(id).and_then(|v| s.checked_add(if *negative { -v } else { v }))
                }
                _ => None,
            };
        }
        if let Some(v) = sum {
            if !out.iter().any(|(x, _): &(String, Number)| x == id) {
                out.push((id.clone(), v));
            }
        }
    }
    out
}
