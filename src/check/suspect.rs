//! `CHECK-SUSPECT`: the cell most likely wrong when identities fail.
//!
//! One wrong total fires two or three arithmetic findings (row total,
//! （七）总计, balance), and a report can hold several mistakes at once. This
//! module uses every arithmetic rule of the edition as a linear relation
//! between cells (no table is named here) and looks for the smallest sets of
//! cell changes that make the failing equalities hold:
//!
//! 1. **Changes.** A change is one cell, or two cells named by a common rule,
//!    with new values such that every failing equality naming a changed cell
//!    holds, every rule holding now that names a changed cell still holds,
//!    and each new value is valid for its cell's kind. It *explains* the
//!    failing equalities it names. One cell: each failing equality naming it
//!    implies its value (the identity solved for it), and they must agree.
//!    Two cells: the failing equalities and the holding equalities naming
//!    either must determine both values (a 2×2 system) and all hold with
//!    them.
//! 2. **Explanations.** An explanation of a set of failures is a set of
//!    changes on distinct cells explaining distinct failures, together all of
//!    them; its size is the number of cells changed. Changes that each keep a
//!    holding equality holding keep it holding together (the rules are
//!    linear); the holding inequalities are checked on the whole.
//! 3. **Independent groups.** Two failures belong together when one change
//!    explains both, or changes explaining them share a cell or a holding
//!    inequality (the explanations of different components then combine
//!    freely). The components of that relation are searched apart for every
//!    smallest explanation. Failures that share a cell but are never
//!    explained by one change — a wrong row total beside an imbalance of its
//!    column that other cells explain — are apart.
//! 4. **Naming.** A change is named (`最可能出错的格：…`, `最可能出错的两格：…`)
//!    when it is part of every smallest explanation of its component and is
//!    the only smallest explanation of the failures it explains: no other
//!    explanation of the same size exists for them, so naming it is sound
//!    whatever the rest of the report holds; it is named even when another
//!    part of the report is ambiguous. The failures left over are grouped
//!    again (failures one change of some smallest explanation explains
//!    together) and each group gets one finding listing its explanations
//!    (at most five shown), none chosen. When the groups' explanations do
//!    not combine freely (choosing one limits another), the left-over
//!    failures of the component are one group.
//! 5. **Limits.** A component whose search takes more than [`STEPS`] steps or
//!    has more than [`KEPT`] smallest explanations names nothing: the first
//!    explanations found are listed. A mistake that needs three or more
//!    cells depending on each other is beyond the search: its failures are
//!    explained by nothing, or by a listing.
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

// Indexing is bounded here: cell indices come from the compiled edition (cells, blocks, leaves), form and change indices from vectors built here.
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
/// Steps of one search for explanations before it gives up.
pub const STEPS: usize = 20_000;
/// Smallest explanations kept per search; more make a component ambiguous.
pub const KEPT: usize = 64;

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

/// A `CHECK-SUSPECT` finding with what the order of findings needs.
pub(super) struct Suspect {
    pub finding: Finding,
    /// Indices into `Edition::rules` of the failures it explains.
    pub explains: Vec<usize>,
    /// It names one explanation (the others list several, or are 拆格
    /// readings).
    pub named: bool,
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

/// A change of one or two cells: each cell with its delta (sorted by cell),
/// and the failures it explains (positions in [`Search::targets`], sorted).
#[derive(Debug, Clone)]
struct Change {
    deltas: Vec<(usize, Decimal)>,
    explains: Vec<usize>,
}

/// The smallest explanations of a set of failures: each a list of indices
/// into the changes, sorted.
struct Covers {
    found: Vec<Vec<usize>>,
    /// Every smallest explanation is in `found`.
    complete: bool,
}

/// The search over one report: forms, and for each cell the forms naming it.
struct Search<'a> {
    report: &'a Report,
    ed: &'a Edition,
    forms: Vec<Lin>,
    by_cell: BTreeMap<usize, Vec<usize>>,
    /// The failing equalities to explain (indices into `forms`), in rule order.
    targets: Vec<usize>,
    /// For each form, its position in `targets`.
    target_of: Vec<Option<usize>>,
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
        let targets: Vec<usize> = (0..forms.len())
            .filter(|&i| {
                let f = &forms[i];
                f.op == Op::Eq && !f.previous && !f.holds_at(f.now) && !f.coefs.is_empty()
            })
            .collect();
        let mut target_of = vec![None; forms.len()];
        for (t, &fi) in targets.iter().enumerate() {
            target_of[fi] = Some(t);
        }
        Search { report, ed, forms, by_cell, targets, target_of }
    }

    fn value(&self, cell: usize) -> Option<Decimal> {
        self.report.value(&self.ed.cells[cell].id).map(|n| n.0)
    }

    /// Is `v` a valid value of the cell's kind?
    fn valid(&self, cell: usize, v: Decimal) -> bool {
        let def = &self.ed.cells[cell];
        crate::number::kind_problem(Number(v), def.kind, def.decimals).is_none()
    }

    /// Do all forms naming a changed cell that are not failures to explain,
    /// and hold now, still hold after the changes?
    fn others_hold(&self, deltas: &[(usize, Decimal)]) -> bool {
        let touched: BTreeSet<usize> =
            deltas.iter().flat_map(|(c, _)| self.by_cell.get(c).into_iter().flatten().copied()).collect();
        touched
            .into_iter()
            .filter(|&fi| self.target_of[fi].is_none())
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

    /// Every change of one cell, then of two cells, in cell order.
    fn changes(&self) -> Vec<Change> {
        let cells: BTreeSet<usize> =
            self.targets.iter().flat_map(|&t| self.forms[t].coefs.iter().map(|(c, _)| *c)).collect();
        let mut out: Vec<Change> = cells.iter().filter_map(|&c| self.single(c)).collect();
        let singles = out.len();
        let mut seen: BTreeSet<(usize, usize)> = BTreeSet::new();
        for &x in &cells {
            for &fi in self.by_cell.get(&x).into_iter().flatten() {
                for &(y, _) in &self.forms[fi].coefs {
                    let (a, b) = (x.min(y), x.max(y));
                    if a != b && seen.insert((a, b)) {
                        // Two one-cell changes side by side are no new change.
                        let alone = |d: &(usize, Decimal)| out[..singles].iter().any(|c| c.deltas == [*d]);
                        let pairs: Vec<Change> =
                            self.pair(a, b).into_iter().filter(|c| !c.deltas.iter().all(alone)).collect();
                        out.extend(pairs);
                    }
                }
            }
        }
        out
    }

    /// The change of `cell` alone: every failing equality naming it implies
    /// the same value.
    fn single(&self, cell: usize) -> Option<Change> {
        let mut delta: Option<Decimal> = None;
        let mut explains = Vec::new();
        for &fi in self.by_cell.get(&cell)? {
            let Some(t) = self.target_of[fi] else { continue };
            let f = &self.forms[fi];
            let d = (-f.now).checked_div(f.coef(cell)?)?;
            if *delta.get_or_insert(d) != d {
                return None;
            }
            explains.push(t);
        }
        let d = delta.filter(|d| !d.is_zero())?;
        if !self.others_hold(&[(cell, d)]) {
            return None;
        }
        self.fix(cell, d)?;
        Some(Change { deltas: vec![(cell, d)], explains })
    }

    /// The changes of cells `a` and `b` together: every failing equality
    /// naming either holds after, or keeps its value (the two changes cancel
    /// in it: another change may explain it); at least one holds; the
    /// holding equalities naming either keep holding; and two of these
    /// equations determine both values. Different choices of the equations
    /// that hold can give different changes.
    fn pair(&self, a: usize, b: usize) -> Vec<Change> {
        // Equations p·da + q·db = r; a failing one twice: r = −now (holds
        // after) and r = 0 (keeps its value).
        let mut holding: Vec<(Decimal, Decimal)> = Vec::new();
        let mut failing: Vec<(usize, Decimal, Decimal, Decimal)> = Vec::new();
        let touched: BTreeSet<usize> =
            [a, b].iter().flat_map(|c| self.by_cell.get(c).into_iter().flatten().copied()).collect();
        for fi in touched {
            let f = &self.forms[fi];
            let (p, q) = (f.coef(a).unwrap_or_default(), f.coef(b).unwrap_or_default());
            if let Some(t) = self.target_of[fi] {
                failing.push((t, p, q, -f.now));
            } else if f.op == Op::Eq && f.holds_at(f.now) {
                holding.push((p, q));
            }
        }
        let eqs: Vec<(Decimal, Decimal, Decimal)> = holding
            .iter()
            .map(|&(p, q)| (p, q, Decimal::ZERO))
            .chain(failing.iter().flat_map(|&(_, p, q, r)| [(p, q, r), (p, q, Decimal::ZERO)]))
            .collect();
        let solve =
            |e1: &(Decimal, Decimal, Decimal), e2: &(Decimal, Decimal, Decimal)| -> Option<(Decimal, Decimal)> {
                let det = e1.0.checked_mul(e2.1)?.checked_sub(e1.1.checked_mul(e2.0)?)?;
                if det.is_zero() {
                    return None;
                }
                let da = e1.2.checked_mul(e2.1)?.checked_sub(e1.1.checked_mul(e2.2)?)?.checked_div(det)?;
                let db = e1.0.checked_mul(e2.2)?.checked_sub(e1.2.checked_mul(e2.0)?)?.checked_div(det)?;
                Some((da.normalize(), db.normalize()))
            };
        let at = |p: Decimal, q: Decimal, da: Decimal, db: Decimal| {
            p.checked_mul(da).zip(q.checked_mul(db)).and_then(|(x, y)| x.checked_add(y))
        };
        let mut solutions: Vec<(Decimal, Decimal)> = Vec::new();
        for (i, e1) in eqs.iter().enumerate() {
            for e2 in &eqs[i + 1..] {
                if let Some(sol) = solve(e1, e2).filter(|s| !solutions.contains(s)) {
                    solutions.push(sol);
                }
            }
        }
        let mut out = Vec::new();
        'solutions: for (da, db) in solutions {
            if da.is_zero() || db.is_zero() || holding.iter().any(|&(p, q)| at(p, q, da, db) != Some(Decimal::ZERO)) {
                continue;
            }
            let mut explains = Vec::new();
            for &(t, p, q, r) in &failing {
                match at(p, q, da, db) {
                    Some(v) if v == r => explains.push(t),
                    Some(v) if v.is_zero() => {}
                    _ => continue 'solutions,
                }
            }
            let deltas = vec![(a, da), (b, db)];
            if explains.is_empty()
                || !self.others_hold(&deltas)
                || self.fix(a, da).is_none()
                || self.fix(b, db).is_none()
            {
                continue;
            }
            explains.sort_unstable();
            out.push(Change { deltas, explains });
        }
        out
    }

    /// The smallest explanations of `failures` (sorted positions in
    /// `targets`) by the changes explaining only failures among them.
    fn covers(&self, changes: &[Change], failures: &[usize]) -> Covers {
        let mut by_failure: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (ci, c) in changes.iter().enumerate() {
            if c.explains.iter().all(|t| failures.binary_search(t).is_ok()) {
                for &t in &c.explains {
                    by_failure.entry(t).or_default().push(ci);
                }
            }
        }
        let mut dfs = Dfs {
            search: self,
            changes,
            by_failure,
            failures,
            best: usize::MAX,
            found: Vec::new(),
            overflow: false,
            steps: 0,
        };
        let mut state = DfsState { covered: BTreeSet::new(), used: BTreeSet::new(), chosen: Vec::new(), size: 0 };
        dfs.run(&mut state);
        let complete = !dfs.overflow && dfs.steps <= STEPS;
        Covers { found: dfs.found, complete }
    }
}

/// Depth-first search for the smallest explanations: the first failure not
/// yet explained is explained by each change naming it in turn, so every
/// explanation is met once.
struct Dfs<'s> {
    search: &'s Search<'s>,
    changes: &'s [Change],
    by_failure: BTreeMap<usize, Vec<usize>>,
    failures: &'s [usize],
    best: usize,
    found: Vec<Vec<usize>>,
    /// More than [`KEPT`] explanations of the best size were met.
    overflow: bool,
    steps: usize,
}

struct DfsState {
    covered: BTreeSet<usize>,
    used: BTreeSet<usize>,
    chosen: Vec<usize>,
    size: usize,
}

impl Dfs<'_> {
    fn run(&mut self, st: &mut DfsState) {
        self.steps += 1;
        if self.steps > STEPS {
            return;
        }
        let Some(&next) = self.failures.iter().find(|t| !st.covered.contains(t)) else {
            self.leaf(st);
            return;
        };
        if st.size >= self.best {
            return;
        }
        let options = self.by_failure.get(&next).cloned().unwrap_or_default();
        for ci in options {
            let c = &self.changes[ci];
            if st.size + c.deltas.len() > self.best
                || c.explains.iter().any(|t| st.covered.contains(t))
                || c.deltas.iter().any(|(cell, _)| st.used.contains(cell))
            {
                continue;
            }
            st.covered.extend(c.explains.iter().copied());
            st.used.extend(c.deltas.iter().map(|(cell, _)| *cell));
            st.chosen.push(ci);
            st.size += c.deltas.len();
            self.run(st);
            st.size -= c.deltas.len();
            st.chosen.pop();
            for (cell, _) in &c.deltas {
                st.used.remove(cell);
            }
            for t in &c.explains {
                st.covered.remove(t);
            }
        }
    }

    /// Every failure explained: keep the explanation if the holding rules
    /// hold with all its changes at once, and it is among the smallest.
    fn leaf(&mut self, st: &DfsState) {
        if st.size > self.best {
            return;
        }
        let deltas: Vec<(usize, Decimal)> =
            st.chosen.iter().flat_map(|&ci| self.changes[ci].deltas.iter().copied()).collect();
        if st.chosen.len() > 1 && !self.search.others_hold(&deltas) {
            return;
        }
        if st.size < self.best {
            self.best = st.size;
            self.found.clear();
            self.overflow = false;
        }
        let mut c = st.chosen.clone();
        c.sort_unstable();
        if self.found.len() < KEPT {
            self.found.push(c);
        } else {
            self.overflow = true;
        }
    }
}

/// Components of the failures (positions in `targets`): two are joined when
/// one of `changes` explains both, when two changes of the same cell explain
/// them (a cell changes once), or when two changes explaining them name the
/// same holding inequality (each may keep it, both together not).
fn components(s: &Search<'_>, changes: &[Change]) -> Vec<Vec<usize>> {
    let n = s.targets.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut join = |x: usize, y: usize| {
        let (a, b) = (root(&mut parent, x), root(&mut parent, y));
        parent[a.max(b)] = a.min(b);
    };
    // A failure explained by a change of each cell, and of each inequality.
    let mut of_cell: BTreeMap<usize, usize> = BTreeMap::new();
    let mut of_inequality: BTreeMap<usize, usize> = BTreeMap::new();
    for c in changes {
        let Some(&first) = c.explains.first() else { continue };
        for &t in &c.explains {
            join(first, t);
        }
        for (cell, _) in &c.deltas {
            join(*of_cell.entry(*cell).or_insert(first), first);
            for &fi in s.by_cell.get(cell).into_iter().flatten() {
                let f = &s.forms[fi];
                if f.op != Op::Eq && f.holds_at(f.now) {
                    join(*of_inequality.entry(fi).or_insert(first), first);
                }
            }
        }
    }
    let mut out: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for t in 0..n {
        let r = root(&mut parent, t);
        out.entry(r).or_default().push(t);
    }
    out.into_values().collect()
}

/// One group of failures with its explanations (as indices into the
/// changes), `named` when the one explanation is certain; `total` counts
/// the explanations when known.
struct Group {
    failures: Vec<usize>,
    explanations: Vec<Vec<usize>>,
    total: Option<usize>,
    named: bool,
}

/// The groups of one component (see the module docs, 4 and 5).
fn groups(s: &Search<'_>, changes: &[Change], component: &[usize]) -> Vec<Group> {
    let all = s.covers(changes, component);
    if all.found.is_empty() {
        return Vec::new();
    }
    if !all.complete {
        return vec![Group { failures: component.to_vec(), explanations: all.found, total: None, named: false }];
    }
    let mut out = Vec::new();
    // Changes in every smallest explanation.
    let common: Vec<usize> =
        all.found[0].iter().copied().filter(|ci| all.found.iter().all(|m| m.contains(ci))).collect();
    for &ci in &common {
        let failures = changes[ci].explains.clone();
        // Named only when it is also the one smallest explanation of its own
        // failures; else those failures are listed with every explanation.
        let own = s.covers(changes, &failures);
        if own.complete && own.found == [vec![ci]] {
            out.push(Group { failures, explanations: vec![vec![ci]], total: Some(1), named: true });
            continue;
        }
        let mut explanations = own.found;
        if !explanations.contains(&vec![ci]) {
            explanations.push(vec![ci]);
        }
        let total = own.complete.then_some(explanations.len());
        out.push(Group { failures, explanations, total, named: false });
    }
    let done: BTreeSet<usize> = common.iter().flat_map(|&ci| changes[ci].explains.iter().copied()).collect();
    let rest: Vec<usize> = component.iter().copied().filter(|t| !done.contains(t)).collect();
    if rest.is_empty() {
        return out;
    }
    // What is left of each smallest explanation, distinct.
    let mut left: Vec<Vec<usize>> = Vec::new();
    for m in &all.found {
        let l: Vec<usize> = m.iter().copied().filter(|ci| !common.contains(ci)).collect();
        if !left.contains(&l) {
            left.push(l);
        }
    }
    // The left-over failures split by the changes of those explanations.
    let used: Vec<Change> = left.iter().flatten().map(|&ci| changes[ci].clone()).collect::<Vec<_>>();
    let mut parts: Vec<Vec<usize>> = components(s, &used)
        .into_iter()
        .map(|c| c.into_iter().filter(|t| rest.contains(t)).collect::<Vec<_>>())
        .filter(|c: &Vec<usize>| !c.is_empty())
        .collect();
    let mut per_part: Vec<Vec<Vec<usize>>> = Vec::new();
    for p in &parts {
        let mut alts: Vec<Vec<usize>> = Vec::new();
        for l in &left {
            let a: Vec<usize> =
                l.iter().copied().filter(|ci| changes[*ci].explains.iter().all(|t| p.contains(t))).collect();
            if !alts.contains(&a) {
                alts.push(a);
            }
        }
        per_part.push(alts);
    }
    let product = per_part.iter().try_fold(1usize, |acc, a| acc.checked_mul(a.len()));
    if product != Some(left.len()) {
        parts = vec![rest];
        per_part = vec![left];
    }
    for (p, alts) in parts.into_iter().zip(per_part) {
        let total = Some(alts.len());
        out.push(Group { failures: p, explanations: alts, total, named: false });
    }
    out
}

/// The `CHECK-SUSPECT` findings of a report: one per group of failing
/// identities (named or listed), in the order of their first failure, then
/// the 拆格 readings.
pub(super) fn suspects(report: &Report, ed: &Edition, prev: Option<&Previous<'_>>) -> Vec<Suspect> {
    let s = Search::new(report, ed, prev);
    let mut out: Vec<(usize, Suspect)> = Vec::new();
    if !s.targets.is_empty() {
        let changes = s.changes();
        for component in components(&s, &changes) {
            for g in groups(&s, &changes, &component) {
                let candidates: Vec<Vec<Fix>> = g
                    .explanations
                    .iter()
                    .map(|e| {
                        let mut d: Vec<(usize, Decimal)> =
                            e.iter().flat_map(|&ci| changes[ci].deltas.iter().copied()).collect();
                        d.sort_by_key(|(c, _)| *c);
                        d.into_iter().filter_map(|(c, d)| s.fix(c, d)).collect()
                    })
                    .collect();
                let rules: Vec<usize> = g.failures.iter().map(|&t| s.forms[s.targets[t]].rule).collect();
                let codes: Vec<&str> = rules.iter().map(|&r| ed.rules[r].code.as_str()).collect();
                let finding = finding(report, ed, candidates, g.total, &codes);
                let first = g.failures.first().copied().unwrap_or(usize::MAX);
                out.push((first, Suspect { finding, explains: rules, named: g.named }));
            }
        }
    }
    out.sort_by_key(|(first, _)| *first);
    let mut out: Vec<Suspect> = out.into_iter().map(|(_, s)| s).collect();
    out.extend(split_cells(&s).into_iter().map(|finding| Suspect { finding, explains: Vec::new(), named: false }));
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

/// The finding of one group: `candidates` are its explanations (one when
/// named), `total` how many there are when known.
fn finding(report: &Report, ed: &Edition, candidates: Vec<Vec<Fix>>, total: Option<usize>, codes: &[&str]) -> Finding {
    let why = explained(codes);
    let message = match candidates.as_slice() {
        [one] if total == Some(1) => match one.as_slice() {
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
                format!("最可能出错的{}格：{}（解释 {why}）", count(fixes.len()), parts.join("；"))
            }
        },
        many => {
            let size = format!("{}格", count(many.first().map_or(1, Vec::len)));
            let n = match total {
                Some(n) if n > LISTED => format!("{n} "),
                Some(n) => count(n),
                None => "多".to_string(),
            };
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
            let more = if many.len() > LISTED || total.is_none() {
                format!("（只列出前 {} 种）", many.len().min(LISTED))
            } else {
                String::new()
            };
            format!(
                "有{n}种改法（各改{size}）都能解释 {why}，无法确定是哪一种，请逐一核对：{}{more}",
                listed.join("；")
            )
        }
    };
    let mut f = Finding::new(CODE, crate::edition::Severity::Warning, TITLE, message);
    let unique = candidates.len() == 1 && total == Some(1);
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
