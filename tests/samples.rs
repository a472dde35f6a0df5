//! The bundled samples: what `check` truly finds in each is kept as a golden
//! file under tests/expected/ (regenerate with UPDATE_GOLDEN=1 and review).

mod common;

use common::{golden, root, run, stdout};

#[test]
fn sample_findings_match_the_expected_results() {
    let cases: &[(&str, &[&str])] = &[
        ("2020-enhe-town", &["check", "samples/2020-enhe-town.json"]),
        ("2020-zhongning-civil-affairs", &["check", "samples/2020-zhongning-civil-affairs.json"]),
        ("2021-tongxin-county", &["check", "samples/2021-tongxin-county.json"]),
        // The same organ the year before, in the other edition
        // (tests/fixtures/cross-year/README.md says what was changed).
        (
            "2021-tongxin-county-vs-2020-tongxin-county",
            &[
                "check",
                "samples/2021-tongxin-county.json",
                "--previous",
                "tests/fixtures/cross-year/2020-tongxin-county.json",
            ],
        ),
        ("broken-2019", &["check", "samples/broken-2019.json", "--previous", "samples/broken-2019-previous.json"]),
        ("broken-2021", &["check", "samples/broken-2021.json", "--previous", "samples/broken-2021-previous.json"]),
    ];
    for (name, args) in cases {
        let out = run(args);
        golden(&root().join(format!("tests/expected/{name}.check.txt")), &stdout(&out));
        let mut json_args = args.to_vec();
        json_args.extend(["--format", "json"]);
        golden(&root().join(format!("tests/expected/{name}.check.json")), &stdout(&run(&json_args)));
    }
}

#[test]
fn the_seed_narratives_are_in_the_samples() {
    // Spot checks against the seeds (tests/fixtures/seeds), transcribed by hand.
    let v = common::read_json(&root().join("samples/2021-tongxin-county.json"));
    assert_eq!(
        v["parts"]["p6"]["text"],
        "2021年，我县共受理14件政府信息公开申请，全部按时答复，未收取政府信息公开申请处理费用。"
    );
    assert_eq!(v["cells"]["t2.s8.fees.amount"], 1340.5117);
    let v = common::read_json(&root().join("samples/2020-zhongning-civil-affairs.json"));
    assert_eq!(v["cells"]["t2.s9.procurement.amount"], 6165711);
    assert_eq!(v["cells"]["t2.s6.penalty.change"], -50);
    assert!(v["cells"]["t4.review.total"].is_null());
    let v = common::read_json(&root().join("samples/2020-enhe-town.json"));
    assert_eq!(v["parts"]["p6"]["text"], "无。");
    assert_eq!(v["cells"]["t2.s5.other_services.decisions"], 5238);
}

/// Every golden file is listed in tests/expected/REVIEWED.md with the hash
/// of its current content and what was checked in it: regenerating a
/// golden file fails this test until its review line is updated.
#[test]
fn every_golden_file_is_listed_with_its_review() {
    let fnv =
        |b: &[u8]| b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| (h ^ u64::from(*x)).wrapping_mul(0x0100_0000_01b3));
    let dir = common::root().join("tests/expected");
    let list = std::fs::read_to_string(dir.join("REVIEWED.md")).unwrap();
    let mut missing = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name == "REVIEWED.md" {
            continue;
        }
        let hash = format!("{:016x}", fnv(&std::fs::read(e.path()).unwrap()));
        let line = list.lines().find(|l| l.starts_with(&format!("| `{name}` |")));
        match line {
            Some(l) if l.contains(&format!("`{hash}`")) && l.trim_end().ends_with('|') && l.len() > 60 => {}
            Some(_) => {
                missing.push(format!("{name}: content changed (now {hash}); review the diff and update its line"))
            }
            None => missing.push(format!("{name}: not listed")),
        }
    }
    assert!(missing.is_empty(), "tests/expected/REVIEWED.md:\n{}", missing.join("\n"));
}
