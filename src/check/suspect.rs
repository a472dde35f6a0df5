//! `CHECK-SUSPECT`: the cell most likely wrong when identities fail.
//!
//! One wrong total fires two or three arithmetic findings (row total,
//! （七）总计, balance). This module looks for the smallest set of cells —
//! one, else two — whose change makes every failing identity hold while every
//! rule that holds still holds, using every arithmetic rule of the edition as
//! a linear relation between cells (no table is named here):
//!
//! - The failing *equalities* of this report are the failures to explain,
//!   grouped into independent clusters (failures sharing a cell). Each
//!   cluster is explained on its own.
//! - One cell: each failing equality of the cluster implies the value the
//!   cell must have (solve the identity for it); they must all agree, the
//!   value must be valid for the cell's kind, and every rule holding now that
//!   names the cell must still hold.
//! - Two cells: only when no single cell explains the cluster. One of the
//!   two is a cell of the cluster's first failing rule; the other must cover
//!   the failing rules the first misses (or, when the first is in all of
//!   them, is named by a rule naming the first). The pair
//!   must solve a determined 2×2 system made of the failing rules and the
//!   holding equalities naming either cell.
//! - A candidate is named only when it is the only one of the smallest size;
//!   otherwise up to five are listed and none is chosen.
//!
//! Decisions: a blank cell is never a candidate and a rule with a blank term
//! is left out (the BLANK rule reports it; a blank is not 0). Rules comparing
//! with last year's report are never failures to explain (a difference from
//! last year may be a correction), but when they hold they must keep holding.
//! Failing inequalities (plausibility, 不能小于0) are left to their own
//! findings: they neither need explaining nor constrain the search.
//!
//! 拆格: in published text and PDF (the cell's provenance names a `.pdf` or
//! `.txt` file), one number can be split over two columns (`26` printed as
//! `2` `6`), and the numbers after it shift by one. For each pair of
//! adjacent cells of a row, the row re-read as one number and the rest
//! shifted back (the last cell, now unknown, taken from the rule that derives
//! it) is reported when it makes every rule naming the row's cells hold and
//! explains at least two failures.

// Indexing is bounded here: cell indices come from the compiled edition (cells, blocks, leaves).
#![allow(clippy::indexing_slicing)]

use super::{Finding, Previous};
use crate::edition::{Edition, Op, Term};
use crate::model::{Number, Report};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

/// The rule code.
pub const CODE: &str = "CHECK-SUSPECT";
/// What the rule says.
pub const TITLE: &str = "最可能出错的格：改动它即可使不符的勾稽关系全部相符";
/// Candidates listed when none is unique.
const LISTED: usize = 5;

/// One cell change of a candidate explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Fix {
    /// The cell id.
    pub cell: String,
    /// The value as reported.
    pub written: Number,
    /// The value the other numbers imply.
    pub expected: Number,
}

/// A rule instance as a linear form: `Σ coef·cell + constant  op  0`.
struct Lin {
    rule: usize,
    /// Current-report cells (index into `Edition::cells`) with their
    /// coefficients, none zero, sorted by cell.
    coefs: Vec<(usize, Decimal)>,
    op: Op,
    /// The value of the form now (left minus right).
    now: Decimal,
    previous: bool,
}

impl Lin {
    fn coef(&self, cell: usize) -> Option<Decimal> {
        self.coefs.iter().find(|(c, _)| *c == cell).map(|(_, a)| *a)
    }
    fn holds_at(&self, v: Decimal) -> bool {
        self.op.holds(Number(v), Number::ZERO)
    }
    /// Does the form hold after the given changes (cell → delta)?
    fn holds_with(&self, deltas: &[(usize, Decimal)]) -> bool {
        let mut v = self.now;
        for (c, d) in deltas {
            if let Some(a) = self.coef(*c) {
                match a.checked_mul(*d).and_then(|x| v.checked_add(x)) {
                    Some(x) => v = x,
                    None => return false,
                }
            }
        }
        self.holds_at(v)
    }
}

/// Every rule that can be evaluated, as a linear form.
fn linear_forms(report: &Report, ed: &Edition, prev: Option<&Previous<'_>>) -> Vec<Lin> {
    let mut out = Vec::new();
    'rules: for (ri, rule) in ed.rules.iter().enumerate() {
        let mut coefs: BTreeMap<usize, Decimal> = BTreeMap::new();
        let mut now = Decimal::ZERO;
        for (side, terms) in [(Decimal::ONE, &rule.left), (Decimal::NEGATIVE_ONE, &rule.right)] {
            for t in terms {
                let (v, sign, cell) = match t {
                    Term::Const(n) => (n.0, side, None),
                    Term::Cell { id, negative, previous } => {
                        let sign = if *negative { -side } else { side };
                        if *previous {
                            let Some(p) = prev else { continue 'rules };
                            if p.edition.cell(id).is_none() {
                                continue 'rules;
                            }
                            let Some(v) = p.report.value(id) else { continue 'rules };
                            (v.0, sign, None)
                        } else {
                            let Some(d) = ed.cell(id) else { continue 'rules };
                            let i = ed.tables[d.table].blocks[d.block].cell_index(d.row, d.col);
                            let Some(v) = report.value(id) else { continue 'rules };
                            (v.0, sign, Some(i))
                        }
                    }
                };
                let Some(n) = v.checked_mul(sign).and_then(|x| now.checked_add(x)) else { continue 'rules };
                now = n;
                if let Some(i) = cell {
                    let e = coefs.entry(i).or_insert(Decimal::ZERO);
                    *e += sign;
                }
            }
        }
        let coefs = coefs.into_iter().filter(|(_, a)| !a.is_zero()).collect();
        out.push(Lin { rule: ri, coefs, op: rule.op, now, previous: rule.needs_previous() });
    }
    out
}

/// The search over one report: forms, and for each cell the forms naming it.
struct Search<'a> {
    report: &'a Report,
    ed: &'a Edition,
    forms: Vec<Lin>,
    by_cell: BTreeMap<usize, Vec<usize>>,
}

impl<'a> Search<'a> {
    fn new(report: &'a Report, ed: &'a Edition, prev: Option<&Previous<'_>>) -> Search<'a> {
        let forms = linear_forms(report, ed, prev);
        let mut by_cell: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (fi, f) in forms.iter().enumerate() {
            for (c, _) in &f.coefs {
                by_cell.entry(*c).or_default().push(fi);
            }
        }
        Search { report, ed, forms, by_cell }
    }

    fn value(&self, cell: usize) -> Option<Decimal> {
        self.report.value(&self.ed.cells[cell].id).map(|n| n.0)
    }

    /// Is `v` a valid value of the cell's kind?
    fn valid(&self, cell: usize, v: Decimal) -> bool {
        let def = &self.ed.cells[cell];
        crate::number::kind_problem(Number(v), def.kind, def.decimals).is_none()
    }

    /// The failing equalities to explain, grouped by shared cells, each
    /// group in rule order, groups by their first rule.
    fn clusters(&self) -> Vec<Vec<usize>> {
        let targets: Vec<usize> = (0..self.forms.len())
            .filter(|&i| {
                let f = &self.forms[i];
                f.op == Op::Eq && !f.previous && !f.holds_at(f.now) && !f.coefs.is_empty()
            })
            .collect();
        let mut group: Vec<usize> = (0..targets.len()).collect();
        fn root(g: &mut [usize], mut i: usize) -> usize {
            while g[i] != i {
                g[i] = g[g[i]];
                i = g[i];
            }
            i
        }
        for a in 0..targets.len() {
            for b in a + 1..targets.len() {
                let (fa, fb) = (&self.forms[targets[a]], &self.forms[targets[b]]);
                if fa.coefs.iter().any(|(c, _)| fb.coef(*c).is_some()) {
                    let (ra, rb) = (root(&mut group, a), root(&mut group, b));
                    group[ra.max(rb)] = ra.min(rb);
                }
            }
        }
        let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (i, t) in targets.iter().enumerate() {
            let r = root(&mut group, i);
            out.entry(r).or_default().push(*t);
        }
        out.into_values().collect()
    }

    /// Do all forms naming one of `cells`, other than `targets`, that hold
    /// now still hold after the changes?
    fn others_hold(&self, targets: &[usize], deltas: &[(usize, Decimal)]) -> bool {
        let touched: BTreeSet<usize> =
            deltas.iter().flat_map(|(c, _)| self.by_cell.get(c).into_iter().flatten().copied()).collect();
        touched
            .into_iter()
            .filter(|fi| !targets.contains(fi))
            .map(|fi| &self.forms[fi])
            .filter(|f| f.holds_at(f.now))
            .all(|f| f.holds_with(deltas))
    }

    fn fix(&self, cell: usize, delta: Decimal) -> Option<Fix> {
        let v = self.value(cell)?;
        let new = v.checked_add(delta)?;
        self.valid(cell, new).then(|| Fix {
            cell: self.ed.cells[cell].id.clone(),
            written: Number(v),
            expected: Number(new.normalize()),
        })
    }

    /// Single cells explaining every failure of the cluster.
    fn singles(&self, targets: &[usize]) -> Vec<Vec<Fix>> {
        let Some(first) = targets.first() else { return Vec::new() };
        let mut out = Vec::new();
        for (cell, _) in &self.forms[*first].coefs {
            let mut delta: Option<Decimal> = None;
            let agree = targets.iter().all(|&t| {
                let f = &self.forms[t];
                let Some(a) = f.coef(*cell) else { return false };
                let Some(d) = (-f.now).checked_div(a) else { return false };
                *delta.get_or_insert(d) == d
            });
            let Some(d) = delta.filter(|_| agree) else { continue };
            if d.is_zero() || !self.others_hold(targets, &[(*cell, d)]) {
                continue;
            }
            if let Some(f) = self.fix(*cell, d) {
                out.push(vec![f]);
            }
        }
        out
    }

    /// Pairs of cells explaining every failure of the cluster.
    fn pairs(&self, targets: &[usize]) -> Vec<Vec<Fix>> {
        let Some(first) = targets.first() else { return Vec::new() };
        let cells_of = |fi: usize| -> BTreeSet<usize> { self.forms[fi].coefs.iter().map(|(c, _)| *c).collect() };
        let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut out = Vec::new();
        for (x, _) in &self.forms[*first].coefs {
            let missed: Vec<usize> = targets.iter().copied().filter(|&t| self.forms[t].coef(*x).is_none()).collect();
            let ys: BTreeSet<usize> = match missed.split_first() {
                Some((m, more)) => {
                    more.iter().fold(cells_of(*m), |acc, &t| acc.intersection(&cells_of(t)).copied().collect())
                }
                None => self.by_cell.get(x).into_iter().flatten().flat_map(|&fi| cells_of(fi)).collect(),
            };
            for y in ys {
                if y == *x || !seen.insert(((*x).min(y), (*x).max(y))) {
                    continue;
                }
                let (a, b) = ((*x).min(y), (*x).max(y));
                if let Some(fixes) = self.pair(targets, a, b) {
                    out.push(fixes);
                }
            }
        }
        out
    }

    /// Solve for the changes of cells `a` and `b`: the failing rules must
    /// hold, the holding equalities naming either must keep holding.
    fn pair(&self, targets: &[usize], a: usize, b: usize) -> Option<Vec<Fix>> {
        // Equations p·da + q·db = r.
        let mut eqs: Vec<(Decimal, Decimal, Decimal)> = Vec::new();
        for &t in targets {
            let f = &self.forms[t];
            eqs.push((f.coef(a).unwrap_or_default(), f.coef(b).unwrap_or_default(), -f.now));
        }
        let touched: BTreeSet<usize> =
            [a, b].iter().flat_map(|c| self.by_cell.get(c).into_iter().flatten().copied()).collect();
        for fi in touched {
            let f = &self.forms[fi];
            if f.op == Op::Eq && !targets.contains(&fi) && f.holds_at(f.now) {
                eqs.push((f.coef(a).unwrap_or_default(), f.coef(b).unwrap_or_default(), Decimal::ZERO));
            }
        }
        // Two independent equations determine the solution.
        let mut solution = None;
        'outer: for (i, e1) in eqs.iter().enumerate() {
            for e2 in eqs.iter().skip(i + 1) {
                let det = e1.0.checked_mul(e2.1)?.checked_sub(e1.1.checked_mul(e2.0)?)?;
                if det.is_zero() {
                    continue;
                }
                let da = e1.2.checked_mul(e2.1)?.checked_sub(e1.1.checked_mul(e2.2)?)?.checked_div(det)?;
                let db = e1.0.checked_mul(e2.2)?.checked_sub(e1.2.checked_mul(e2.0)?)?.checked_div(det)?;
                solution = Some((da, db));
                break 'outer;
            }
        }
        let (da, db) = solution?;
        if da.is_zero() || db.is_zero() {
            return None;
        }
        let satisfied = eqs
            .iter()
            .all(|(p, q, r)| p.checked_mul(da).zip(q.checked_mul(db)).and_then(|(x, y)| x.checked_add(y)) == Some(*r));
        if !satisfied || !self.others_hold(targets, &[(a, da), (b, db)]) {
            return None;
        }
        Some(vec![self.fix(a, da)?, self.fix(b, db)?])
    }
}

/// The `CHECK-SUSPECT` findings of a report: one per cluster of failing
/// identities that one or two cells explain, and the 拆格 readings.
pub(super) fn suspects(report: &Report, ed: &Edition, prev: Option<&Previous<'_>>) -> Vec<Finding> {
    let s = Search::new(report, ed, prev);
    let mut out = Vec::new();
    for targets in s.clusters() {
        let mut candidates = s.singles(&targets);
        if candidates.is_empty() {
            candidates = s.pairs(&targets);
        }
        if candidates.is_empty() {
            continue;
        }
        let codes: Vec<&str> = targets.iter().map(|&t| ed.rules[s.forms[t].rule].code.as_str()).collect();
        out.push(finding(report, ed, candidates, &codes));
    }
    out.extend(split_cells(&s));
    out
}

/// `T3-ROW-TOTAL、T3-OUTCOME-TOTAL 两处不符`; `T3-ROW-TOTAL 等 共三处不符`
/// when a code fails more than once.
fn explained(codes: &[&str]) -> String {
    let mut distinct: Vec<&str> = Vec::new();
    for c in codes {
        if !distinct.contains(c) {
            distinct.push(c);
        }
    }
    let total = if distinct.len() < codes.len() { "共" } else { "" };
    format!("{} {total}{}处不符", distinct.join("、"), count(codes.len()))
}

/// 一, 两, … 十, then digits.
fn count(n: usize) -> String {
    const NUMERALS: [&str; 11] = ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十"];
    NUMERALS.get(n).map_or_else(|| format!("{n} "), |d| (*d).to_string())
}

fn location(ed: &Edition, id: &str) -> String {
    ed.cell(id).map_or_else(|| id.to_string(), |c| c.location.clone())
}

fn finding(report: &Report, ed: &Edition, candidates: Vec<Vec<Fix>>, codes: &[&str]) -> Finding {
    let why = explained(codes);
    let message = match candidates.as_slice() {
        [one] => match one.as_slice() {
            [f] => format!(
                "最可能出错的格：{}，写作 {}，按其余数字应为 {}（解释 {why}）",
                location(ed, &f.cell),
                f.written,
                f.expected
            ),
            fixes => {
                let parts: Vec<String> = fixes
                    .iter()
                    .map(|f| format!("{}，写作 {}，按其余数字应为 {}", location(ed, &f.cell), f.written, f.expected))
                    .collect();
                format!("最可能出错的两格：{}（解释 {why}）", parts.join("；"))
            }
        },
        many => {
            let size = if many.first().is_some_and(|c| c.len() > 1) { "两格" } else { "一格" };
            let n = if many.len() > LISTED { format!("{} ", many.len()) } else { count(many.len()) };
            let listed: Vec<String> = many
                .iter()
                .take(LISTED)
                .map(|c| {
                    c.iter()
                        .map(|f| format!("{} 写作 {} 应为 {}", location(ed, &f.cell), f.written, f.expected))
                        .collect::<Vec<_>>()
                        .join("且")
                })
                .collect();
            let more = if many.len() > LISTED { format!("（只列出前 {LISTED} 种）") } else { String::new() };
            format!(
                "有{n}种改法（各改{size}）都能解释 {why}，无法确定是哪一种，请逐一核对：{}{more}",
                listed.join("；")
            )
        }
    };
    let mut f = Finding::new(CODE, crate::edition::Severity::Warning, TITLE, message);
    let unique = candidates.len() == 1;
    let listed: Vec<Vec<Fix>> = candidates.into_iter().take(LISTED).collect();
    if let (true, Some([one])) = (unique, listed.first().map(Vec::as_slice)) {
        f = f.at_cell(report, ed, &one.cell);
    } else {
        for c in listed.iter().flatten() {
            if !f.cells.contains(&c.cell) {
                f.cells.push(c.cell.clone());
            }
        }
        f.source = f.cells.first().and_then(|c| report.provenance.get(c).cloned());
        let tables: BTreeSet<&str> = f.cells.iter().filter_map(|c| ed.cell(c)).map(|c| c.table_name.as_str()).collect();
        if let [one] = tables.into_iter().collect::<Vec<_>>().as_slice() {
            f.table = Some((*one).to_string());
        }
    }
    f.fixes = listed;
    f
}

/// Is the cell read from published text or PDF?
fn from_text(report: &Report, id: &str) -> bool {
    report.provenance.get(id).is_some_and(|s| {
        let f = s.file.to_lowercase();
        f.ends_with(".pdf") || f.ends_with(".txt")
    })
}

/// 拆格 readings: adjacent cells of a row of a text or PDF source that, read
/// as one number with the rest of the row shifted back, make the row hold.
fn split_cells(s: &Search<'_>) -> Vec<Finding> {
    let (report, ed) = (s.report, s.ed);
    if s.forms.iter().all(|f| f.holds_at(f.now)) {
        return Vec::new();
    }
    let derivations = ed.derivations();
    let mut out = Vec::new();
    for t in &ed.tables {
        for b in &t.blocks {
            for (ri, row) in b.row_leaves.iter().enumerate() {
                let cells: Vec<usize> = (0..b.col_leaves.len()).map(|ci| b.cell_index(ri, ci)).collect();
                let Some(&last) = cells.last() else { continue };
                if cells.len() < 3 || !cells.iter().all(|&c| from_text(report, &ed.cells[c].id)) {
                    continue;
                }
                let Some(values) = cells.iter().map(|&c| s.value(c)).collect::<Option<Vec<Decimal>>>() else {
                    continue;
                };
                let Some((_, inputs)) = derivations.get(ed.cells[last].id.as_str()) else { continue };
                for i in 0..cells.len() - 1 {
                    let (a, b2) = (values[i], values[i + 1]);
                    if a.is_zero()
                        || !a.fract().is_zero()
                        || !b2.fract().is_zero()
                        || a.is_sign_negative()
                        || b2.is_sign_negative()
                    {
                        continue;
                    }
                    let Ok(merged) = Decimal::from_str(&format!("{}{}", a.normalize(), b2.normalize())) else {
                        continue;
                    };
                    let mut new = values.clone();
                    new[i] = merged;
                    let n = cells.len();
                    new[i + 1..n - 1].copy_from_slice(&values[i + 2..n]);
                    // The last cell: from the rule deriving it, with the new row.
                    let derived = inputs.iter().try_fold(Decimal::ZERO, |acc, (id, neg)| {
                        let c = cells.iter().position(|&c| ed.cells[c].id == *id);
                        let v = match c {
                            Some(k) => Some(new[k]),
                            None => report.value(id).map(|n| n.0),
                        }?;
                        acc.checked_add(if *neg { -v } else { v })
                    });
                    let Some(derived) = derived else { continue };
                    if let Some(l) = new.last_mut() {
                        *l = derived;
                    }
                    let deltas: Vec<(usize, Decimal)> = cells
                        .iter()
                        .zip(new.iter().zip(&values))
                        .filter(|(_, (n, o))| n != o)
                        .filter_map(|(&c, (n, o))| n.checked_sub(*o).map(|d| (c, d)))
                        .collect();
                    if deltas.iter().any(|(c, d)| !s.valid(*c, s.value(*c).unwrap_or_default() + d)) {
                        continue;
                    }
                    let touched: BTreeSet<usize> =
                        deltas.iter().flat_map(|(c, _)| s.by_cell.get(c).into_iter().flatten().copied()).collect();
                    let forms: Vec<&Lin> = touched.iter().map(|&fi| &s.forms[fi]).collect();
                    let fixed: Vec<&Lin> = forms.iter().copied().filter(|f| !f.holds_at(f.now)).collect();
                    if fixed.len() < 2 || !forms.iter().all(|f| f.holds_with(&deltas)) {
                        continue;
                    }
                    let codes: Vec<&str> = fixed.iter().map(|f| ed.rules[f.rule].code.as_str()).collect();
                    let h = b.heading.as_deref().map(|h| format!("{h} ")).unwrap_or_default();
                    let shown: Vec<String> = new.iter().map(|v| v.normalize().to_string()).collect();
                    let message = format!(
                        "可能是拆格：{}{}{}一行读到的“{}”“{}”两格可能原是一个数 {}（从 PDF 或文本读取时数字被拆开，其后各数错了一格）；按此读法该行为 {}，可解释 {}",
                        t.name,
                        h,
                        row.display,
                        a.normalize(),
                        b2.normalize(),
                        merged,
                        shown.join("、"),
                        explained(&codes)
                    );
                    let mut f = Finding::new(CODE, crate::edition::Severity::Warning, TITLE, message);
                    f.table = Some(t.name.clone());
                    f.row = Some(ed.cells[cells[i]].row_path.clone()).filter(|p| !p.is_empty());
                    f.cells = deltas.iter().map(|(c, _)| ed.cells[*c].id.clone()).collect();
                    f.source = report.provenance.get(&ed.cells[cells[i]].id).cloned();
                    f.fixes = vec![deltas.iter().filter_map(|(c, d)| s.fix(*c, *d)).collect()];
                    out.push(f);
                }
            }
        }
    }
    out
}
