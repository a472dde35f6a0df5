//! CHECK-SUSPECT: the most likely wrong cell, on the rule fixtures, the
//! samples, and on generated reports with one planted error (property test).

mod common;

use common::{patched, read_json, root};
use proptest::prelude::*;
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
