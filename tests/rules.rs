//! Rule fixtures: every rule code has a passing and a failing fixture under
//! tests/rules/<CODE>/ (pass*.json, fail*.json), and a meta-test fails if
//! one is missing or a fixture directory names no rule.
//!
//! A fixture is a JSON merge patch over a sample:
//! `{"base": "samples/…json", "patch": {…}, "previous": {"base": …, "patch": …}}`.

mod common;

use common::{patched, read_json, root};
use std::collections::BTreeSet;
use xxgk::check::{all_codes, check, Finding, Previous};
use xxgk::edition::Editions;
use xxgk::model::Report;
use xxgk::read::conform;

fn report(v: serde_json::Value, eds: &Editions) -> (Report, xxgk::edition::Edition) {
    let r: Report = serde_json::from_value(v).expect("fixture is a valid report");
    let ed = eds.resolve(&r, None).expect("edition").clone();
    (conform(r, &ed), ed)
}

fn run_fixture(path: &std::path::Path, eds: &Editions) -> Vec<Finding> {
    let doc = read_json(path);
    let (r, ed) = report(patched(&doc), eds);
    let prev = doc.get("previous").map(|p| report(patched(p), eds));
    check(&r, &ed, prev.as_ref().map(|(report, edition)| Previous { report, edition }))
}

fn fixtures(code: &str) -> (Vec<std::path::PathBuf>, Vec<std::path::PathBuf>) {
    let dir = root().join("tests/rules").join(code);
    let mut pass = vec![];
    let mut fail = vec![];
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.starts_with("pass") && name.ends_with(".json") {
                pass.push(e.path());
            } else if name.starts_with("fail") && name.ends_with(".json") {
                fail.push(e.path());
            }
        }
    }
    pass.sort();
    fail.sort();
    (pass, fail)
}

#[test]
fn every_rule_has_a_passing_and_a_failing_fixture() {
    let eds = Editions::builtin().unwrap();
    let codes = all_codes(&eds);
    let mut missing = vec![];
    for code in &codes {
        let (pass, fail) = fixtures(code);
        if pass.is_empty() {
            missing.push(format!("{code}: no pass*.json"));
        }
        if fail.is_empty() {
            missing.push(format!("{code}: no fail*.json"));
        }
    }
    assert!(missing.is_empty(), "rules without fixtures:\n{}", missing.join("\n"));
    // Reader warnings have their fixtures too (tests/read_codes.rs).
    let known: BTreeSet<_> = codes
        .iter()
        .cloned()
        .chain(xxgk::read::READ_CODES.iter().chain(xxgk::pipeline::CODES).map(|(c, _)| c.to_string()))
        .collect();
    for e in std::fs::read_dir(root().join("tests/rules")).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        assert!(known.contains(&name), "tests/rules/{name} names no rule");
    }
}

#[test]
fn failing_fixtures_trigger_their_rule_and_passing_ones_do_not() {
    let eds = Editions::builtin().unwrap();
    for code in all_codes(&eds) {
        let (pass, fail) = fixtures(&code);
        for f in &fail {
            let found = run_fixture(f, &eds);
            assert!(
                found.iter().any(|x| x.code == code),
                "{} should trigger {code}; got {:?}",
                f.display(),
                found.iter().map(|x| &x.code).collect::<Vec<_>>()
            );
        }
        for p in &pass {
            let found = run_fixture(p, &eds);
            let hits: Vec<_> = found.iter().filter(|x| x.code == code).map(|x| &x.message).collect();
            assert!(hits.is_empty(), "{} should not trigger {code}; got {hits:?}", p.display());
        }
    }
}

#[test]
fn the_broken_samples_exercise_every_rule() {
    let eds = Editions::builtin().unwrap();
    let mut seen = BTreeSet::new();
    // The 2019 one again as if read from a PDF that printed its blank cell
    // empty: BLANK-PUBLISHED.
    let published = serde_json::json!({
        "origin": "pdf",
        "provenance": {"t3.r6.commercial": {"file": "broken-2019.pdf", "page": 3, "text": ""}}
    });
    for (this, last, patch) in [
        ("broken-2019", "broken-2019-previous", serde_json::json!({})),
        ("broken-2021", "broken-2021-previous", serde_json::json!({})),
        ("broken-2019", "broken-2019-previous", published),
        // Part 五 in one sentence, and no word on last year's problems.
        ("broken-2021", "broken-2021-previous", serde_json::json!({"parts": {"p5": {"text": "本年度未发现问题。"}}})),
    ] {
        let doc = serde_json::json!({
            "base": format!("samples/{this}.json"),
            "patch": patch,
            "previous": {"base": format!("samples/{last}.json")}
        });
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.json");
        std::fs::write(&p, doc.to_string()).unwrap();
        seen.extend(run_fixture(&p, &eds).into_iter().map(|f| f.code));
    }
    let missing: Vec<_> = all_codes(&eds).into_iter().filter(|c| !seen.contains(c)).collect();
    assert!(missing.is_empty(), "rules the broken samples do not exercise: {missing:?}");
}
