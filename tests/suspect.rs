//! CHECK-SUSPECT: the most likely wrong cell, on the rule fixtures, the
//! samples, and on generated reports with one planted error (property test).

mod common;

use common::{patched, read_json, root};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use xxgk::check::{check, Finding};
use xxgk::edition::{Edition, Editions, Op, Term};
use xxgk::model::{Number, Report};
use xxgk::read::conform;

fn fixture(name: &str) -> Vec<Finding> {
    let eds = Editions::builtin().unwrap();
    let doc = read_json(&root().join("tests/rules/CHECK-SUSPECT").join(name));
    let r: Report = serde_json::from_value(patched(&doc)).unwrap();
    let ed = eds.resolve(&r, None).unwrap().clone();
    check(&conform(r, &ed), &ed, None)
}

fn suspects(found: &[Finding]) -> Vec<&Finding> {
    found.iter().filter(|f| f.code == "CHECK-SUSPECT").collect()
}

#[test]
fn one_wrong_total_is_named_with_the_value_the_others_imply() {
    let found = fixture("fail.json");
    let s = suspects(&found);
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].message,
        "最可能出错的格：表三（一）予以公开·总计，写作 13，按其余数字应为 12（解释 T3-OUTCOME-TOTAL、T3-ROW-TOTAL 两处不符）"
    );
    assert_eq!(s[0].cells, ["t3.r1.total"]);
    assert_eq!(s[0].fixes.len(), 1);
    assert_eq!(s[0].fixes[0][0].expected, Number::from_i64(12));
}

#[test]
fn two_wrong_cells_are_named_when_no_single_cell_explains() {
    let found = fixture("fail-two-cells.json");
    let s = suspects(&found);
    assert_eq!(s.len(), 1);
    assert!(s[0].message.starts_with("最可能出错的两格：表三（一）予以公开·自然人，写作 13，按其余数字应为 12；表三（一）予以公开·商业企业，写作 1，按其余数字应为 0"), "{}", s[0].message);
}

#[test]
fn several_equal_explanations_are_listed_not_chosen() {
    let found = fixture("fail-several.json");
    let s = suspects(&found);
    assert_eq!(s.len(), 1);
    assert!(s[0].message.starts_with("有两种改法（各改一格）都能解释 T4-GROUP-TOTAL 一处不符"), "{}", s[0].message);
    assert_eq!(s[0].fixes.len(), 2);
    assert_eq!(s[0].cells, ["t4.review.upheld", "t4.review.total"]);
}

#[test]
fn a_number_split_over_two_cells_of_a_pdf_is_recognised() {
    let found = fixture("fail-split.json");
    let s = suspects(&found);
    assert_eq!(s.len(), 1, "{s:?}");
    assert!(
        s[0].message.starts_with("可能是拆格：表三（一）予以公开一行读到的“1”“2”两格可能原是一个数 12"),
        "{}",
        s[0].message
    );
    assert!(s[0].message.contains("按此读法该行为 12、0、0、0、0、0、12"), "{}", s[0].message);
    // The same numbers read from a workbook are not a split.
    assert!(suspects(&fixture("pass-split-not-from-text.json")).is_empty());
}

#[test]
fn arithmetic_findings_say_whether_cells_were_read_as_written() {
    let found = fixture("fail-split.json");
    let row = found.iter().find(|f| f.code == "T3-ROW-TOTAL").unwrap();
    assert_eq!(row.as_written, Some(true));
    assert_eq!(row.as_written_note(), Some("各数均按原文读取，不符出在报告本身"));
    // A cell read from “1件” is as written; one read from “减1” or a converted unit is not.
    let eds = Editions::builtin().unwrap();
    let doc = read_json(&root().join("tests/rules/CHECK-SUSPECT/fail-split.json"));
    let mut v = patched(&doc);
    v["provenance"]["t3.r1.natural"]["text"] = "1件".into();
    v["provenance"]["t3.r1.commercial"]["text"] = " ２ ".into();
    let r: Report = serde_json::from_value(v.clone()).unwrap();
    let ed = eds.resolve(&r, None).unwrap().clone();
    let found = check(&conform(r, &ed), &ed, None);
    assert_eq!(found.iter().find(|f| f.code == "T3-ROW-TOTAL").unwrap().as_written, Some(true));
    v["provenance"]["t3.r1.commercial"]["text"] = "二".into();
    let r: Report = serde_json::from_value(v).unwrap();
    let found = check(&conform(r, &ed), &ed, None);
    let row = found.iter().find(|f| f.code == "T3-ROW-TOTAL").unwrap();
    assert_eq!(row.as_written, Some(false));
    // Reports without source texts (JSON) say nothing.
    let found = fixture("fail.json");
    assert!(found.iter().filter(|f| f.code.starts_with("T3")).all(|f| f.as_written.is_none()));
}

#[test]
fn clean_samples_have_no_suspect_and_broken_ones_name_the_cell() {
    let eds = Editions::builtin().unwrap();
    let load = |name: &str| {
        let r: Report = serde_json::from_value(read_json(&root().join("samples").join(name))).unwrap();
        let ed = eds.resolve(&r, None).unwrap().clone();
        (conform(r, &ed), ed)
    };
    for name in ["2021-tongxin-county.json", "2020-enhe-town.json", "2020-zhongning-civil-affairs.json"] {
        let (r, ed) = load(name);
        assert!(suspects(&check(&r, &ed, None)).is_empty(), "{name}");
    }
    let (r, ed) = load("broken-2019.json");
    let found = check(&r, &ed, None);
    let s: Vec<&str> = suspects(&found).iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        s,
        [
            "最可能出错的格：表三（七）总计·自然人，写作 30，按其余数字应为 0（解释 T3-BALANCE、T3-OUTCOME-TOTAL、T3-ROW-TOTAL 三处不符）",
            "有两种改法（各改一格）都能解释 T4-GROUP-TOTAL 一处不符，无法确定是哪一种，请逐一核对：表四·未经复议直接起诉 结果维持 写作 1 应为 0；表四·未经复议直接起诉 总计 写作 0 应为 1",
        ]
    );
}

// ---------------------------------------------------------------- property test

/// A report of `ed` satisfying every identity: random counts for the cells
/// no rule derives, the balance closed through 一、本年新收, then every
/// derived cell computed from its inputs.
fn consistent(ed: &Edition, seed: &[u32]) -> Report {
    let mut r = ed.blank_report("测试机关", Some(ed.year_from));
    let derivations = ed.derivations();
    let mut k = 0usize;
    let mut next = |m: u32| {
        k += 1;
        let mut x = (u64::from(seed[k % seed.len()]) << 20 ^ k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        x ^= x >> 29;
        (x % u64::from(m)) as u32
    };
    for c in &ed.cells {
        if !derivations.contains_key(c.id.as_str()) {
            // Mostly small numbers and zeros, as real reports have.
            let v = if next(3) == 0 { 0 } else { next(40) };
            r.cells.insert(c.id.clone(), Some(Number::from_i64(v as i64)));
        }
    }
    let derive_all = |r: &mut Report| {
        for _ in 0..4 {
            for (id, (_, inputs)) in &derivations {
                let v = inputs.iter().try_fold(Number::ZERO, |acc, (i, neg)| {
                    r.value(i).map(|v| acc.checked_add(if *neg { -v } else { v }).unwrap())
                });
                r.cells.insert((*id).to_string(), v);
            }
        }
    };
    derive_all(&mut r);
    // Close every equality that is not a derivation by its first left cell
    // (一、本年新收 = （七）总计 + 四 − 二), keeping counts non-negative.
    for rule in ed.rules.iter().filter(|r| r.op == Op::Eq && !r.derive && !r.needs_previous()) {
        let Some(Term::Cell { id, .. }) = rule.left.first() else { continue };
        if derivations.contains_key(id.as_str()) {
            continue;
        }
        let side = |ts: &[Term]| {
            ts.iter().fold(Number::ZERO, |acc, t| match t {
                Term::Cell { id: i, negative, .. } if i != id => {
                    let v = r.value(i).unwrap();
                    acc.checked_add(if *negative { -v } else { v }).unwrap()
                }
                Term::Const(n) => acc.checked_add(*n).unwrap(),
                _ => acc,
            })
        };
        let need = side(&rule.right).checked_sub(side(&rule.left)).unwrap();
        if need.is_negative() {
            // Raise the subtracted side: 四、结转下年度 takes the difference.
            let Some(Term::Cell { id: last, .. }) = rule.right.last() else { continue };
            let v = r.value(last).unwrap().checked_sub(need).unwrap();
            r.cells.insert(last.clone(), Some(v));
            r.cells.insert(id.clone(), Some(Number::ZERO));
        } else {
            r.cells.insert(id.clone(), Some(need));
        }
    }
    derive_all(&mut r);
    // Plausibility and non-negativity rules: make them hold by raising the
    // right side of ≤ and the first term of ≥ where needed.
    for rule in ed.rules.iter().filter(|r| r.op != Op::Eq && !r.needs_previous()) {
        let sum = |r: &Report, ts: &[Term]| {
            ts.iter().fold(Number::ZERO, |acc, t| match t {
                Term::Cell { id, negative, .. } => {
                    let v = r.value(id).unwrap();
                    acc.checked_add(if *negative { -v } else { v }).unwrap()
                }
                Term::Const(n) => acc.checked_add(*n).unwrap(),
            })
        };
        let (l, rr) = (sum(&r, &rule.left), sum(&r, &rule.right));
        if rule.op.holds(l, rr) {
            continue;
        }
        let (terms, by) = match rule.op {
            Op::Le => (&rule.right, l.checked_sub(rr).unwrap()),
            _ => (&rule.left, rr.checked_sub(l).unwrap()),
        };
        if let Some(Term::Cell { id, .. }) = terms.first() {
            let v = r.value(id).unwrap().checked_add(by).unwrap();
            r.cells.insert(id.clone(), Some(v));
        }
    }
    r
}

fn arithmetic_failures(found: &[Finding], ed: &Edition) -> usize {
    let codes = ed.rule_codes();
    found.iter().filter(|f| codes.contains(&f.code.as_str()) && f.severity == xxgk::edition::Severity::Error).count()
}

/// Every single cell whose change (to the value one failing equality implies)
/// makes the checker report no arithmetic error and no new finding: found by
/// trying, independently of the search.
fn explaining_cells(r: &Report, ed: &Edition, failing: &[&xxgk::edition::Rule], before: &[Finding]) -> Vec<String> {
    let mut out = Vec::new();
    for c in &ed.cells {
        let Some(v) = r.value(&c.id) else { continue };
        let Some(rule) = failing.iter().find(|rule| {
            rule.left.iter().chain(&rule.right).any(|t| matches!(t, Term::Cell { id, .. } if *id == c.id))
        }) else {
            continue;
        };
        // Solve the rule for this cell.
        let mut rest = Number::ZERO;
        let mut coef = 0i64;
        for (sign, terms) in [(1i64, &rule.left), (-1, &rule.right)] {
            for t in terms {
                match t {
                    Term::Cell { id, negative, .. } => {
                        let s = if *negative { -sign } else { sign };
                        if *id == c.id {
                            coef += s;
                        } else {
                            let x = r.value(id).unwrap();
                            rest = rest.checked_add(if s > 0 { x } else { -x }).unwrap();
                        }
                    }
                    Term::Const(n) => rest = rest.checked_add(if sign > 0 { *n } else { -*n }).unwrap(),
                }
            }
        }
        if coef == 0 {
            continue;
        }
        let new = if coef > 0 { -rest } else { rest };
        if new == v || new.is_negative() {
            continue;
        }
        let mut fixed = r.clone();
        fixed.cells.insert(c.id.clone(), Some(new));
        let after = check(&fixed, ed, None);
        let no_new =
            after.iter().filter(|f| f.code != "CHECK-SUSPECT").all(|f| before.iter().any(|b| b.message == f.message));
        if arithmetic_failures(&after, ed) == 0 && no_new {
            out.push(c.id.clone());
        }
    }
    out
}

fn planted(ed_id: &str, seed: Vec<u32>, pick: usize, delta: i64) -> Result<(), TestCaseError> {
    let eds = Editions::builtin().unwrap();
    let ed = eds.get(ed_id).unwrap();
    let clean = consistent(ed, &seed);
    let found = check(&clean, ed, None);
    prop_assert_eq!(arithmetic_failures(&found, ed), 0, "generator must satisfy every identity: {:?}", found);
    prop_assert!(suspects(&found).is_empty());
    // Plant one error in a cell that some equality names.
    let named: Vec<&str> = ed
        .cells
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| {
            ed.rules.iter().any(|r| {
                r.op == Op::Eq
                    && !r.needs_previous()
                    && r.left.iter().chain(&r.right).any(|t| matches!(t, Term::Cell { id: i, .. } if i == id))
            })
        })
        .collect();
    let cell = named[pick % named.len()];
    let was = clean.value(cell).unwrap();
    let now = match was.checked_add(Number::from_i64(delta)) {
        Some(n) if !n.is_negative() => n,
        _ => was.checked_add(Number::from_i64(delta.abs())).unwrap(),
    };
    let mut broken = clean.clone();
    broken.cells.insert(cell.to_string(), Some(now));
    let found = check(&broken, ed, None);
    let s = suspects(&found);
    prop_assert_eq!(s.len(), 1, "one planted error, one suspect finding: {:?}", found);
    let s = s[0];
    let failing: Vec<&xxgk::edition::Rule> = ed
        .rules
        .iter()
        .filter(|r| r.op == Op::Eq && !r.needs_previous())
        .filter(|r| {
            let sum = |ts: &[Term]| {
                ts.iter().fold(Number::ZERO, |acc, t| match t {
                    Term::Cell { id, negative, .. } => {
                        let v = broken.value(id).unwrap();
                        acc.checked_add(if *negative { -v } else { v }).unwrap()
                    }
                    Term::Const(n) => acc.checked_add(*n).unwrap(),
                })
            };
            sum(&r.left) != sum(&r.right)
        })
        .collect();
    let truth = explaining_cells(&broken, ed, &failing, &found);
    prop_assert!(truth.iter().any(|c| c == cell), "the planted cell {} must explain: {:?}", cell, truth);
    let listed: Vec<&str> = s.fixes.iter().map(|c| c[0].cell.as_str()).collect();
    prop_assert!(s.fixes.iter().all(|c| c.len() == 1));
    if truth.len() == 1 {
        // Unique: named, with its true value.
        prop_assert_eq!(&listed, &[cell]);
        prop_assert_eq!(s.fixes[0][0].expected, was);
        prop_assert!(s.message.starts_with("最可能出错的格："), "{}", s.message);
    } else {
        // Not unique: every explanation found by trying is listed (at most five), the planted one among them.
        prop_assert!(listed.contains(&cell), "planted {} not among {:?}", cell, listed);
        let mut t: Vec<&str> = truth.iter().map(String::as_str).collect();
        t.sort();
        let mut l = listed.clone();
        l.sort();
        prop_assert_eq!(t, l);
    }
    Ok(())
}

/// A number of a text/PDF row printed across two columns (`26` as `2` `6`),
/// the rest of the row shifted and its last number lost, as a reader keeping
/// the first numbers would read it: the 拆格 reading names it.
fn split(seed: Vec<u32>, row: usize, col: usize, cut: usize) -> Result<(), TestCaseError> {
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    let clean = consistent(ed, &seed);
    let t3 = ed.tables.iter().position(|t| t.id == "t3").unwrap();
    let b = &ed.tables[t3].blocks[0];
    let n = b.col_leaves.len();
    let ri = row % b.row_leaves.len();
    let ci = col % (n - 1);
    let ids: Vec<&str> = (0..n).map(|c| ed.cells[b.cell_index(ri, c)].id.as_str()).collect();
    let truth: Vec<Number> = ids.iter().map(|id| clean.value(id).unwrap()).collect();
    let digits = truth[ci].to_string();
    prop_assume!(digits.len() >= 2);
    let k = 1 + cut % (digits.len() - 1);
    let (a, rest) = digits.split_at(k);
    prop_assume!(!rest.starts_with('0'));
    let mut tokens: Vec<String> = truth.iter().map(Number::to_string).collect();
    tokens.splice(ci..=ci, [a.to_string(), rest.to_string()]);
    let mut broken = clean.clone();
    for (c, id) in ids.iter().enumerate() {
        broken.cells.insert(id.to_string(), Some(tokens[c].parse().unwrap()));
        let src = xxgk::model::Source { file: "报告.pdf".into(), text: tokens[c].clone(), ..Default::default() };
        broken.provenance.insert(id.to_string(), src);
    }
    let found = check(&broken, ed, None);
    let failing = found
        .iter()
        .filter(|f| f.severity == xxgk::edition::Severity::Error && f.cells.iter().any(|c| ids.contains(&c.as_str())))
        .count();
    prop_assume!(failing >= 2);
    let want = format!("读到的“{a}”“{rest}”两格可能原是一个数 {digits}");
    let hit = suspects(&found).into_iter().find(|f| f.message.contains(&want));
    prop_assert!(hit.is_some(), "{} not found in {:?}", want, suspects(&found));
    // Its fixes give back the true row.
    let mut fixed = broken.clone();
    for f in &hit.unwrap().fixes[0] {
        fixed.cells.insert(f.cell.clone(), Some(f.expected));
    }
    let back: Vec<Number> = ids.iter().map(|id| fixed.value(id).unwrap()).collect();
    prop_assert_eq!(back, truth);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn planted_error_2021(seed in proptest::collection::vec(any::<u32>(), 8), pick in any::<usize>(), delta in prop_oneof![1i64..5, -5i64..-1, 5i64..500]) {
        planted("2021", seed, pick, delta)?;
    }

    #[test]
    fn split_number_in_a_pdf_row(seed in proptest::collection::vec(any::<u32>(), 8), row in any::<usize>(), col in any::<usize>(), cut in any::<usize>()) {
        split(seed, row, col, cut)?;
    }

    #[test]
    fn planted_error_2019(seed in proptest::collection::vec(any::<u32>(), 8), pick in any::<usize>(), delta in prop_oneof![1i64..5, -5i64..-1, 5i64..500]) {
        planted("2019", seed, pick, delta)?;
    }
}

// ------------------------------------------------ several mistakes at once

/// Left minus right of every rule that needs no previous report; `None`
/// when a term is blank.
fn differences(r: &Report, ed: &Edition) -> Vec<Option<Number>> {
    ed.rules
        .iter()
        .map(|rule| {
            if rule.needs_previous() {
                return None;
            }
            let side = |ts: &[Term]| {
                ts.iter().try_fold(Number::ZERO, |acc, t| match t {
                    Term::Cell { id, negative, .. } => {
                        let v = r.value(id)?;
                        acc.checked_add(if *negative { -v } else { v })
                    }
                    Term::Const(n) => acc.checked_add(*n),
                })
            };
            side(&rule.left)?.checked_sub(side(&rule.right)?)
        })
        .collect()
}

fn holds(op: Op, d: Number) -> bool {
    match op {
        Op::Eq => d == Number::ZERO,
        Op::Le => d <= Number::ZERO,
        Op::Ge => d >= Number::ZERO,
    }
}

/// The net coefficient of cell `id` in a rule (left minus right).
fn coefficient(rule: &xxgk::edition::Rule, id: &str) -> i64 {
    let mut k = 0;
    for (sign, terms) in [(1i64, &rule.left), (-1, &rule.right)] {
        for t in terms {
            if let Term::Cell { id: i, negative, previous: false } = t {
                if i == id {
                    k += if *negative { -sign } else { sign };
                }
            }
        }
    }
    k
}

/// A change found by trying: cells with new values, and the failing rules
/// (indices) it makes hold.
#[derive(Debug, Clone, PartialEq)]
struct Tried {
    cells: BTreeMap<String, Number>,
    fixed: BTreeSet<usize>,
}

/// The reference, by trying: every one- or two-cell change whose new values
/// each make one failing equality hold (the value it implies), kept when,
/// evaluated on the whole report, it breaks no rule that held, leaves every
/// other failing rule as it was, and makes at least one hold. Then every
/// smallest set of such changes (distinct cells, distinct rules) after
/// which the checker reports no arithmetic error and nothing new.
struct Reference {
    changes: Vec<Tried>,
    /// All smallest explanations, as cell → value.
    smallest: Vec<BTreeMap<String, Number>>,
}

fn reference(r: &Report, ed: &Edition, before: &[Finding]) -> Reference {
    let d0 = differences(r, ed);
    let failing: BTreeSet<usize> =
        (0..ed.rules.len()).filter(|&i| ed.rules[i].op == Op::Eq && d0[i].is_some_and(|d| d != Number::ZERO)).collect();
    // Values implied by a failing equality, for each of its cells.
    let mut implied: Vec<(String, Number)> = Vec::new();
    for &f in &failing {
        let rule = &ed.rules[f];
        for t in rule.left.iter().chain(&rule.right) {
            let Term::Cell { id, previous: false, .. } = t else { continue };
            let k = coefficient(rule, id);
            let Some(old) = r.value(id) else { continue };
            let v = match k {
                1 => old.checked_sub(d0[f].unwrap()).unwrap(),
                -1 => old.checked_add(d0[f].unwrap()).unwrap(),
                _ => continue,
            };
            let def = ed.cell(id).unwrap();
            if v != old
                && xxgk::number::kind_problem(v, def.kind, def.decimals).is_none()
                && !implied.contains(&(id.clone(), v))
            {
                implied.push((id.clone(), v));
            }
        }
    }
    let try_change = |cells: &[(String, Number)]| -> Option<Tried> {
        let mut x = r.clone();
        for (id, v) in cells {
            x.cells.insert(id.clone(), Some(*v));
        }
        let d1 = differences(&x, ed);
        let mut fixed = BTreeSet::new();
        for (i, rule) in ed.rules.iter().enumerate() {
            let (Some(a), Some(b)) = (d0[i], d1[i]) else { continue };
            if failing.contains(&i) {
                if b == Number::ZERO {
                    fixed.insert(i);
                } else if a != b {
                    return None;
                }
            } else if holds(rule.op, a) && !holds(rule.op, b) {
                return None;
            }
        }
        (!fixed.is_empty()).then(|| Tried { cells: cells.iter().cloned().collect(), fixed })
    };
    let shares_rule =
        |a: &str, b: &str| ed.rules.iter().any(|rule| coefficient(rule, a) != 0 && coefficient(rule, b) != 0);
    let mut changes: Vec<Tried> = Vec::new();
    for (i, a) in implied.iter().enumerate() {
        changes.extend(try_change(std::slice::from_ref(a)));
        for b in &implied[i + 1..] {
            if a.0 != b.0 && shares_rule(&a.0, &b.0) {
                if let Some(t) = try_change(&[a.clone(), b.clone()]) {
                    // Two changes each valid alone make no new explanation.
                    let alone = |c: &(String, Number)| try_change(std::slice::from_ref(c)).is_some();
                    let both_alone = alone(a) && alone(b);
                    if !both_alone && !changes.contains(&t) {
                        changes.push(t);
                    }
                }
            }
        }
    }
    // Every set of changes explaining every failure, smallest first.
    let mut smallest: Vec<BTreeMap<String, Number>> = Vec::new();
    let mut best = usize::MAX;
    let mut stack: Vec<(Vec<usize>, BTreeSet<usize>, usize)> = vec![(Vec::new(), BTreeSet::new(), 0)];
    while let Some((chosen, covered, size)) = stack.pop() {
        if size > best {
            continue;
        }
        let Some(&next) = failing.iter().find(|f| !covered.contains(f)) else {
            let mut x = r.clone();
            let mut map = BTreeMap::new();
            for &c in &chosen {
                for (id, v) in &changes[c].cells {
                    x.cells.insert(id.clone(), Some(*v));
                    map.insert(id.clone(), *v);
                }
            }
            let after = check(&x, ed, None);
            let no_new = after
                .iter()
                .filter(|f| f.code != "CHECK-SUSPECT")
                .all(|f| before.iter().any(|b| b.message == f.message));
            if arithmetic_failures(&after, ed) == 0 && no_new && !smallest.contains(&map) {
                if size < best {
                    best = size;
                    smallest.clear();
                }
                smallest.push(map);
            }
            continue;
        };
        for (ci, c) in changes.iter().enumerate() {
            let used = |id: &String| chosen.iter().any(|&o| changes[o].cells.contains_key(id));
            if !c.fixed.contains(&next) || c.fixed.iter().any(|f| covered.contains(f)) || c.cells.keys().any(used) {
                continue;
            }
            let mut ch = chosen.clone();
            ch.push(ci);
            let cov: BTreeSet<usize> = covered.union(&c.fixed).copied().collect();
            stack.push((ch, cov, size + c.cells.len()));
        }
    }
    Reference { changes, smallest }
}

impl Reference {
    /// The changes the checker must name: in every smallest explanation,
    /// and the only smallest explanation of the failures they fix.
    fn certain(&self) -> Vec<&Tried> {
        let in_all = |t: &Tried| self.smallest.iter().all(|m| t.cells.iter().all(|(id, v)| m.get(id) == Some(v)));
        self.changes
            .iter()
            .filter(|t| !self.smallest.is_empty() && in_all(t))
            .filter(|t| {
                // No other change, or pair of one-cell changes, of the same size fixes exactly these failures.
                let rivals =
                    self.changes.iter().filter(|o| o != t && o.fixed == t.fixed && o.cells.len() <= t.cells.len());
                let split = t.cells.len() == 2
                    && self.changes.iter().any(|a| {
                        a.cells.len() == 1
                            && self.changes.iter().any(|b| {
                                b.cells.len() == 1
                                    && a.cells.keys().next() != b.cells.keys().next()
                                    && a.fixed.is_disjoint(&b.fixed)
                                    && a.fixed.union(&b.fixed).copied().collect::<BTreeSet<_>>() == t.fixed
                            })
                    });
                rivals.count() == 0 && !split
            })
            .collect()
    }
}

/// What the several-mistakes test saw, over all its cases.
#[derive(Debug, Default)]
struct Tally {
    cases: usize,
    mistakes: usize,
    /// Planted mistakes named, with their true values.
    named: usize,
    /// Planted mistakes among the candidates of a listing.
    listed: usize,
    /// Planted mistakes explained otherwise: a smaller explanation exists,
    /// or a listing of more than five left them out.
    otherwise: usize,
    /// Reports with a named mistake beside a listed one.
    named_beside_listed: usize,
    /// Named changes the reference does not find certain.
    wrong_names: usize,
    /// Changes the reference finds certain, not named.
    missed: usize,
    /// Listed candidates that are part of no smallest explanation.
    bad_candidates: usize,
}

/// Plant 2 or 3 mistakes in cells no rule names together (different rows and
/// columns): a cell changed alone, or (`carried`) changed with the total it
/// feeds, as when a total is a formula. Compare the findings with the
/// reference.
fn several(ed: &Edition, seed: &[u32], picks: &[usize], deltas: &[i64], carried: u8, tally: &mut Tally) {
    let clean = consistent(ed, seed);
    let derivations = ed.derivations();
    let rules_of = |id: &str| -> BTreeSet<usize> {
        (0..ed.rules.len())
            .filter(|&i| {
                let r = &ed.rules[i];
                r.op == Op::Eq && !r.needs_previous() && coefficient(r, id) != 0
            })
            .collect()
    };
    let named: Vec<&str> = ed.cells.iter().map(|c| c.id.as_str()).filter(|id| !rules_of(id).is_empty()).collect();
    let mut broken = clean.clone();
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut planted: Vec<Vec<(String, Number)>> = Vec::new(); // each mistake's cells and true values
    for (k, (&p, &delta)) in picks.iter().zip(deltas).enumerate() {
        let cell = named[p % named.len()];
        // With `carried`, the total this cell feeds changes with it.
        let total = derivations
            .iter()
            .filter(|(_, (_, inputs))| inputs.iter().any(|(i, neg)| *i == cell && !neg))
            .map(|(id, _)| *id)
            .min()
            .filter(|_| carried & (1 << k) != 0);
        let cells: Vec<&str> = std::iter::once(cell).chain(total).collect();
        let rules: BTreeSet<usize> = cells.iter().flat_map(|c| rules_of(c)).collect();
        if !rules.is_disjoint(&taken) {
            continue;
        }
        let mut ok = true;
        let mut new = Vec::new();
        for c in &cells {
            let was = clean.value(c).unwrap();
            match was.checked_add(Number::from_i64(delta)).filter(|n| !n.is_negative()) {
                Some(n) => new.push((c.to_string(), n)),
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        taken.extend(rules);
        planted.push(new.iter().map(|(c, _)| (c.clone(), clean.value(c).unwrap())).collect());
        for (c, n) in new {
            broken.cells.insert(c, Some(n));
        }
    }
    if planted.len() < 2 {
        return;
    }
    let found = check(&broken, ed, None);
    let reference = reference(&broken, ed, &found);
    let certain = reference.certain();
    tally.cases += 1;
    let s = suspects(&found);
    let mut named_fixes: Vec<BTreeMap<String, Number>> = Vec::new();
    for f in &s {
        if f.message.starts_with("可能是拆格") {
            continue;
        }
        let as_map = |c: &Vec<xxgk::check::Fix>| -> BTreeMap<String, Number> {
            c.iter().map(|x| (x.cell.clone(), x.expected)).collect()
        };
        if f.message.starts_with("最可能出错的") {
            assert_eq!(f.fixes.len(), 1, "{}", f.message);
            let m = as_map(&f.fixes[0]);
            if !certain.iter().any(|t| t.cells == m) {
                tally.wrong_names += 1;
                eprintln!("WRONG NAME {} in {:?}; reference {:?}", f.message, planted, reference.smallest);
            }
            named_fixes.push(m);
        } else {
            for c in &f.fixes {
                let m = as_map(c);
                if !reference.smallest.iter().any(|e| m.iter().all(|(id, v)| e.get(id) == Some(v))) {
                    tally.bad_candidates += 1;
                    eprintln!("BAD CANDIDATE {m:?} in {}; reference {:?}", f.message, reference.smallest);
                }
            }
        }
    }
    for t in &certain {
        if !named_fixes.contains(&t.cells) {
            tally.missed += 1;
            eprintln!(
                "MISSED {:?}; planted {:?}; found {:?}",
                t.cells,
                planted,
                s.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
        }
    }
    // Each planted mistake (its cells together): named, listed, or explained otherwise.
    let listings: Vec<&&Finding> = s.iter().filter(|f| f.message.starts_with("有")).collect();
    if !named_fixes.is_empty() && !listings.is_empty() {
        tally.named_beside_listed += 1;
    }
    for mistake in &planted {
        tally.mistakes += 1;
        let is =
            |c: &[xxgk::check::Fix]| mistake.iter().all(|(id, v)| c.iter().any(|x| x.cell == *id && x.expected == *v));
        let in_named = named_fixes.iter().any(|m| mistake.iter().all(|(id, v)| m.get(id) == Some(v)));
        let in_listed = listings.iter().any(|f| f.fixes.iter().any(|c| is(c)));
        if in_named {
            tally.named += 1;
        } else if in_listed {
            tally.listed += 1;
        } else {
            tally.otherwise += 1;
        }
    }
}

fn several_mistakes(ed_id: &str, cases: u32) -> Tally {
    use proptest::test_runner::{Config, TestRunner};
    let eds = Editions::builtin().unwrap();
    let ed = eds.get(ed_id).unwrap();
    let mut runner = TestRunner::new_with_rng(
        Config { cases, failure_persistence: None, ..Config::default() },
        proptest::test_runner::TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    let tally = std::cell::RefCell::new(Tally::default());
    let strategy = (
        proptest::collection::vec(any::<u32>(), 8),
        proptest::collection::vec(any::<usize>(), 2..=3),
        proptest::collection::vec(prop_oneof![1i64..5, -5i64..-1, 5i64..500], 3),
        any::<u8>(),
    );
    runner
        .run(&strategy, |(seed, picks, deltas, carried)| {
            several(ed, &seed, &picks, &deltas, carried, &mut tally.borrow_mut());
            Ok(())
        })
        .unwrap();
    let t = tally.into_inner();
    eprintln!("{ed_id}: {t:?}");
    t
}

/// Several independent mistakes in one report: a mistake one cell explains
/// is named even beside an ambiguous one; nothing is named that the
/// reference does not find certain; every listed candidate is part of a
/// smallest explanation.
#[test]
fn several_planted_mistakes_are_named_or_listed() {
    for ed in ["2021", "2019"] {
        let t = several_mistakes(ed, 200);
        assert_eq!((t.wrong_names, t.missed, t.bad_candidates), (0, 0, 0), "{ed}: {t:?}");
        assert!(t.cases >= 100 && t.named > 0 && t.listed > 0 && t.named_beside_listed > 0, "{ed}: {t:?}");
    }
}
