//! Editions as data: the built-in files compile to the layouts of
//! formats.md, and a new edition is a file, not code.

mod common;

use common::{root, run, stdout};
use xxgk::edition::{Edition, Editions, Kind};

#[test]
fn builtin_editions_have_the_official_cell_counts() {
    let eds = Editions::builtin().unwrap();
    let e19 = eds.get("2019").unwrap();
    let e21 = eds.get("2021").unwrap();
    let count = |e: &Edition, t: &str| e.cells.iter().filter(|c| c.table_name == t).count();
    // formats.md §3–§5: E2019 表二 22 values, 表三 23 × 7, 表四 15.
    assert_eq!((count(e19, "表二"), count(e19, "表三"), count(e19, "表四")), (22, 161, 15));
    // E2021: 表二 10 values, 表三 25 × 7, 表四 15.
    assert_eq!((count(e21, "表二"), count(e21, "表三"), count(e21, "表四")), (10, 175, 15));
}

#[test]
fn editions_are_chosen_by_year() {
    let eds = Editions::builtin().unwrap();
    assert_eq!(eds.for_year(2019).unwrap().id, "2019");
    assert_eq!(eds.for_year(2020).unwrap().id, "2019");
    assert_eq!(eds.for_year(2021).unwrap().id, "2021");
    assert_eq!(eds.for_year(2025).unwrap().id, "2021");
    assert!(eds.for_year(2018).is_none());
}

#[test]
fn labels_and_kinds_come_from_the_edition() {
    let eds = Editions::builtin().unwrap();
    let e19 = eds.get("2019").unwrap();
    let c = e19.cell("t2.s5.license.change").unwrap();
    assert_eq!(c.kind, Kind::Signed);
    assert_eq!(c.row_path, "第二十条第（五）项 / 行政许可");
    assert_eq!(c.col_path, "本年增/减");
    let a = e19.cell("t2.s9.procurement.amount").unwrap();
    assert_eq!((a.kind, a.unit.as_deref()), (Kind::Amount, Some("元")));
    let e21 = eds.get("2021").unwrap();
    let c = e21.cell("t3.r3_1.commercial").unwrap();
    assert_eq!(c.row_path, "三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密");
    assert_eq!(c.col_path, "申请人情况 / 法人或其他组织 / 商业企业");
    assert_eq!(c.location, "表三（三）不予公开 1.属于国家秘密·商业企业");
    let c = e21.cell("t4.after_review.upheld").unwrap();
    assert_eq!(c.col_path, "行政诉讼 / 复议后起诉 / 结果维持");
    assert_eq!(c.row_path, "");
    let a = e21.cell("t2.s8.fees.amount").unwrap();
    assert_eq!((a.kind, a.unit.as_deref()), (Kind::Amount, Some("万元")));
    // No signed values remain in E2021 (formats.md §3).
    assert!(e21.cells.iter().all(|c| c.kind != Kind::Signed));
    // The layout widths add up to each table's grid.
    for e in [e19, e21] {
        for t in &e.tables {
            for b in &t.blocks {
                let w: u32 = b.row_header_columns + b.columns.iter().map(|n| n.grid_span()).sum::<u32>();
                assert_eq!(w, t.grid, "{} {}", e.id, t.name);
            }
        }
    }
}

#[test]
fn rules_expand_their_foreach() {
    let eds = Editions::builtin().unwrap();
    let e21 = eds.get("2021").unwrap();
    let n = |code: &str| e21.rules.iter().filter(|r| r.code == code).count();
    assert_eq!(n("T3-BALANCE"), 7);
    assert_eq!(n("T3-ROW-TOTAL"), 25);
    assert_eq!(n("T4-GROUP-TOTAL"), 3);
    let e19 = eds.get("2019").unwrap();
    assert_eq!(e19.rules.iter().filter(|r| r.code == "T3-ROW-TOTAL").count(), 23);
}

#[test]
fn broken_edition_files_are_refused_with_a_clear_message() {
    let base = std::fs::read_to_string(root().join("tests/editions/2099.toml")).unwrap();
    let cases = [
        (base.replace("right = [\"t9.a.{r}.n\"]", "right = [\"t9.a.{r}.nope\"]"), "t9.a.x.nope 不存在"),
        (base.replace("grid = 5", "grid = 6"), "grid = 6"),
        (base.replace("kind = \"signed\"", "kind = \"money\""), "kind “money” 无效"),
        (
            base.replace("op = \"eq\"\nright = [\"t9.a.{r}.n\"]", "op = \"approx\"\nright = [\"t9.a.{r}.n\"]"),
            "op “approx”",
        ),
        (base.replace("{r}.sum\"]", "{q}.sum\"]"), "未定义的变量"),
        (base.replace("years = { from = 2099 }", "years = { from = 2099, to = 2098 }"), "years.to"),
        ("id = \"x\"\n".to_string(), "missing field"),
        (base.replace("grid = 5", "grid = 5\nwidths = [1, 2]"), "widths 须为 5 个正数"),
        (base.replace("grid = 5", "grid = 5\nwidths = [1, 2, 3, 0, 1]"), "widths 须为 5 个正数"),
    ];
    for (text, expected) in cases {
        let e = Edition::compile("test.toml", &text).expect_err(expected);
        let msg = e.to_string();
        assert!(msg.contains("test.toml") && msg.contains(expected), "{msg} should mention {expected}");
    }
}

/// A fictional edition, from a file alone: read, listed, converted and
/// checked by the unchanged binary.
#[test]
fn a_fictional_edition_works_from_a_file_alone() {
    let ed = "tests/editions/2099.toml";
    let out = run(&["--editions", ed, "editions", "--cells"]);
    assert!(out.status.success());
    let s = stdout(&out);
    assert!(s.contains("fict2099") && s.contains("t9.a.y.m\t表九\t第一类 / 虚构指标乙\t变化 / 金额（万元）"), "{s}");

    let out = run(&["--editions", ed, "convert", "tests/editions/2099-report.json", "--to", "csv"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(
        stdout(&out),
        "table,row,column,value,source\n\
         表九,第一类 / 虚构指标甲,件数,3,\n表九,第一类 / 虚构指标甲,变化 / 增减,-1,\n\
         表九,第一类 / 虚构指标甲,变化 / 金额（万元）,12.5,\n表九,第一类 / 虚构指标甲,合计,4,\n\
         表九,第一类 / 虚构指标乙,件数,2,\n表九,第一类 / 虚构指标乙,变化 / 增减,2,\n\
         表九,第一类 / 虚构指标乙,变化 / 金额（万元）,0.25,\n表九,第一类 / 虚构指标乙,合计,2,\n"
    );

    let out = run(&["--editions", ed, "check", "tests/editions/2099-report.json", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let codes = common::finding_codes(&out);
    // The most-likely-wrong-cell search uses the fictional edition's rules too.
    assert_eq!(codes, ["F9-SUM", "CHECK-SUSPECT"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["findings"][0]["message"], "表九第一类 虚构指标甲·合计：4 ≠ 件数 3，相差 1");
    assert_eq!(
        v[0]["findings"][1]["message"],
        "有两种改法（各改一格）都能解释 F9-SUM 一处不符，无法确定是哪一种，请逐一核对：表九第一类 虚构指标甲·件数 写作 3 应为 4；表九第一类 虚构指标甲·合计 写作 4 应为 3"
    );

    // Without the file the edition is unknown: exit 2 and a Chinese message.
    let out = run(&["check", "tests/editions/2099-report.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("没有 “fict2099” 这个格式版本"));
}

/// The fictional edition also gets a workbook: generated, read back and
/// checked, with no code for it anywhere.
#[test]
fn a_fictional_edition_gets_a_workbook_from_its_file_alone() {
    let ed = "tests/editions/2099.toml";
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.xlsx");
    let o = run(&["--editions", ed, "template", "--year", "2099", "--organ", "测试机关", "-o", t.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = run(&["--editions", ed, "check", t.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let codes = common::finding_codes(&o);
    assert!(codes.iter().any(|c| c == "BLANK"), "{codes:?}");
    assert_eq!(common::blank_cells(&o), 8, "{codes:?}");

    let x = dir.path().join("r.xlsx");
    let o = run(&["--editions", ed, "convert", "tests/editions/2099-report.json", "-o", x.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let back = run(&["--editions", ed, "convert", x.to_str().unwrap()]);
    assert!(back.status.success(), "{}", common::stderr(&back));
    let v: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
    let orig = common::read_json(&root().join("tests/editions/2099-report.json"));
    assert_eq!(v["cells"], orig["cells"]);
    assert_eq!(v["edition"], "fict2099");
    let o = run(&["--editions", ed, "check", x.to_str().unwrap(), "--format", "json"]);
    assert_eq!(common::finding_codes(&o), ["F9-SUM", "CHECK-SUSPECT"]);
}

/// The 勾稽 note in 表三's corner is recognised in the spellings real files use
/// (edition data: `corner_variants`), not by a fragment written in Rust.
#[test]
fn corner_note_spellings_come_from_the_edition() {
    use xxgk::labels::{key, keys_match};
    let eds = Editions::builtin().unwrap();
    for id in ["2019", "2021"] {
        let b = &eds.get(id).unwrap().tables[1].blocks[0];
        for seen in [
            "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
            "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
            "（本列数据的勾稽关系为：第一项加第二项之和等于第三项加第四项之和）",
        ] {
            assert!(keys_match(&key(seen), &b.corner_keys), "{id}: {seen}");
        }
        assert!(!keys_match(&key("勾稽关系"), &b.corner_keys));
    }
}

/// Messages are built from the edition: a fictional-edition report without
/// tables is told that its own tables (表九) are missing, not 表二、表三、表四.
#[test]
fn messages_name_the_editions_own_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.txt");
    // The fictional edition's own title shape (title.format / title.words).
    std::fs::write(&p, "测试机关2099年虚构测试年报\n这是测试机关2099年的测试报告。\n").unwrap();
    let o = run(&["--editions", "tests/editions/2099.toml", "convert", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["edition"], "fict2099");
    assert_eq!((v["organ"].as_str(), v["year"].as_u64()), (Some("测试机关"), Some(2099)));
    let w: Vec<&str> = v["warnings"].as_array().unwrap().iter().map(|w| w["message"].as_str().unwrap()).collect();
    assert!(w.iter().any(|m| m.contains("表九") && m.contains("没有表格")), "{w:?}");
    assert!(!w.iter().any(|m| m.contains("表二") || m.contains("表三")), "{w:?}");
}
