//! Findings a clerk can scan: blank cells grouped by table, block, header,
//! row or column (each blank cell named by exactly one finding); errors
//! before warnings, the named suspect first with the failures it explains;
//! positions as the file shows them (sheet and A1 reference, table, row
//! and column).

mod common;

use common::{patched, read_json, root, run};
use proptest::prelude::*;
use std::collections::BTreeSet;
use xxgk::check::{check, Finding, Previous};
use xxgk::edition::{Edition, Editions, Severity};
use xxgk::model::Report;
use xxgk::read::conform;

fn report(v: serde_json::Value, eds: &Editions) -> (Report, Edition) {
    let r: Report = serde_json::from_value(v).unwrap();
    let ed = eds.resolve(&r, None).unwrap().clone();
    (conform(r, &ed), ed)
}

/// The findings of a rule fixture (tests/rules/<code>/<name>).
fn fixture(code: &str, name: &str) -> Vec<Finding> {
    let eds = Editions::builtin().unwrap();
    let doc = read_json(&root().join("tests/rules").join(code).join(name));
    let (r, ed) = report(patched(&doc), &eds);
    let prev = doc.get("previous").map(|p| report(patched(p), &eds));
    check(&r, &ed, prev.as_ref().map(|(report, edition)| Previous { report, edition }))
}

fn blanks(found: &[Finding]) -> Vec<&Finding> {
    found.iter().filter(|f| f.code == "BLANK").collect()
}

fn messages<'a>(found: &[&'a Finding]) -> Vec<&'a str> {
    found.iter().map(|f| f.message.as_str()).collect()
}

#[test]
fn a_blank_row_column_header_or_table_is_one_finding() {
    let found = fixture("BLANK", "fail-row-and-column.json");
    let b = blanks(&found);
    assert_eq!(
        messages(&b),
        [
            "表三·商业企业 整列空白（25 格），应填写数字（没有的填 0）",
            "表三（六）其他处理 3.其他 整行空白（7 格，其中 1 格已随“表三·商业企业 整列空白”列出），应填写数字（没有的填 0）",
        ]
    );
    // The cell in both is named once, by the larger group.
    assert_eq!((b[0].cells.len(), b[1].cells.len()), (25, 6));
    assert!(b[0].cells.contains(&"t3.r6_3.commercial".to_string()));
    assert!(!b[1].cells.contains(&"t3.r6_3.commercial".to_string()));
    assert_eq!(b[0].column.as_deref(), Some("申请人情况 / 法人或其他组织 / 商业企业"));
    assert_eq!(b[1].row.as_deref(), Some("三、本年度办理结果 / （六）其他处理 / 3.其他"));

    let b = fixture("BLANK", "fail-table.json");
    assert_eq!(messages(&blanks(&b)), ["表二 全表空白（10 格），应填写数字（没有的填 0）"]);
    assert_eq!(blanks(&b)[0].cells.len(), 10);

    let b = fixture("BLANK", "fail-header.json");
    assert_eq!(
        messages(&blanks(&b)),
        [
            "表三（三）不予公开 各行空白（56 格），应填写数字（没有的填 0）",
            "表四·行政复议 各列空白（5 格），应填写数字（没有的填 0）",
        ]
    );

    // Dashes are not numbers: said as such, with where they were read.
    let b = fixture("BLANK", "fail-dashes.json");
    let b = blanks(&b);
    assert_eq!(
        messages(&b),
        ["表三（五）不予处理 4.无正当理由大量反复申请 整行都填的是“-”（7 格），应填写数字（没有的填 0）"]
    );
    assert_eq!(b[0].source.as_ref().map(|s| s.describe()).as_deref(), Some("报告.docx 第3张表格 第20行第4列"));

    // A lone blank cell keeps its own message.
    let b = fixture("BLANK", "fail.json");
    assert_eq!(
        messages(&blanks(&b)),
        ["表三（三）不予公开 2.其他法律行政法规禁止公开·法律服务机构：空白，应填写数字（没有的填 0）"]
    );
}

/// Blank some whole tables, rows and columns and some single cells: every
/// blank cell is named by exactly one BLANK finding, and what a grouped
/// finding says of its row, column, header or table is true.
fn blank_groups_hold(sample: &str, tables: u8, rows: Vec<usize>, cols: Vec<usize>, singles: Vec<usize>) {
    let eds = Editions::builtin().unwrap();
    let mut r = common::sample(sample);
    let ed = eds.resolve(&r, None).unwrap().clone();
    let n = ed.cells.len();
    // Cells blank in the sample too.
    let mut blank: BTreeSet<usize> = (0..n).filter(|&i| r.value(&ed.cells[i].id).is_none()).collect();
    for (i, c) in ed.cells.iter().enumerate() {
        let b = &ed.tables[c.table].blocks[c.block];
        let row = rows.iter().any(|&k| k % n == b.cell_index(c.row, 0));
        let col = cols.iter().any(|&k| k % n == b.cell_index(0, c.col));
        if tables & (1 << c.table) != 0 || row || col || singles.iter().any(|&k| k % n == i) {
            blank.insert(i);
        }
    }
    for &i in &blank {
        r.cells.insert(ed.cells[i].id.clone(), None);
    }
    let found = check(&r, &ed, None);
    let mut named: Vec<&str> = blanks(&found).iter().flat_map(|f| f.cells.iter().map(String::as_str)).collect();
    named.sort_unstable();
    let mut want: Vec<&str> = blank.iter().map(|&i| ed.cells[i].id.as_str()).collect();
    want.sort_unstable();
    assert_eq!(named, want, "every blank cell once");
    let is_blank = |pred: &dyn Fn(&xxgk::edition::CellDef) -> bool| {
        let cells: Vec<usize> = (0..n).filter(|&i| pred(&ed.cells[i])).collect();
        assert!(cells.iter().all(|i| blank.contains(i)), "not all blank: {cells:?}");
        cells.len()
    };
    for f in blanks(&found) {
        let table = f.table.clone().unwrap_or_default();
        // Rows and columns are those of the block of the group's cells.
        let block = f.cells.first().and_then(|c| ed.cell(c)).map(|c| c.block);
        let is_blank = |pred: &dyn Fn(&xxgk::edition::CellDef) -> bool| {
            is_blank(&|c| pred(c) && (f.message.contains(" 全表") || Some(c.block) == block))
        };
        let size = if f.message.contains(" 全表") {
            Some(is_blank(&|c| c.table_name == table))
        } else if f.message.contains(" 整行") {
            Some(is_blank(&|c| Some(&c.row_path) == f.row.as_ref() && c.table_name == table))
        } else if f.message.contains(" 各行") {
            let p = format!("{} / ", f.row.clone().unwrap_or_default());
            Some(is_blank(&|c| c.row_path.starts_with(&p) && c.table_name == table))
        } else if f.message.contains(" 整列") {
            Some(is_blank(&|c| Some(&c.col_path) == f.column.as_ref() && c.table_name == table))
        } else if f.message.contains(" 各列") {
            let p = format!("{} / ", f.column.clone().unwrap_or_default());
            Some(is_blank(&|c| c.col_path.starts_with(&p) && c.table_name == table))
        } else {
            assert!(f.message.contains("：空白") || f.message.contains(" 整块"), "{}", f.message);
            None
        };
        if let Some(k) = size {
            assert!(f.message.contains(&format!("（{k} 格")), "{}", f.message);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_blank_cell_is_named_once(
        sample in prop_oneof![Just("2021-tongxin-county"), Just("2020-zhongning-civil-affairs")],
        tables in 0u8..8,
        rows in proptest::collection::vec(any::<usize>(), 0..4),
        cols in proptest::collection::vec(any::<usize>(), 0..3),
        singles in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        blank_groups_hold(sample, tables & 0b101, rows, cols, singles);
    }
}

#[test]
fn errors_come_first_and_the_named_suspect_leads_them() {
    let eds = Editions::builtin().unwrap();
    let load = |name: &str| report(read_json(&root().join("samples").join(name)), &eds);
    let (r, ed) = load("broken-2019.json");
    let (p, ped) = load("broken-2019-previous.json");
    let found = check(&r, &ed, Some(Previous { report: &p, edition: &ped }));
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes[..4], ["CHECK-SUSPECT", "T3-BALANCE", "T3-OUTCOME-TOTAL", "T3-ROW-TOTAL"]);
    assert!(found[0].message.starts_with("最可能出错的格：表三（七）总计·自然人"), "{}", found[0].message);
    let first_warning = found.iter().skip(1).position(|f| f.severity == Severity::Warning).unwrap() + 1;
    assert!(found[first_warning..].iter().all(|f| f.severity == Severity::Warning), "{codes:?}");
    // The listed suspect stays among the warnings.
    assert_eq!(codes.last(), Some(&"CHECK-SUSPECT"));
    // The CLI shows the same order.
    let o = run(&[
        "check",
        "samples/broken-2019.json",
        "--previous",
        "samples/broken-2019-previous.json",
        "--format",
        "json",
    ]);
    assert_eq!(common::finding_codes(&o), codes);

    // Several mistakes: the one named comes first with its two failures,
    // though an ambiguous imbalance shares its column.
    let found = fixture("CHECK-SUSPECT", "fail-several-mistakes.json");
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes[..3], ["CHECK-SUSPECT", "T3-OUTCOME-TOTAL", "T3-ROW-TOTAL"], "{codes:?}");
    assert!(found[0].message.starts_with("最可能出错的格：表三（一）予以公开·总计，写作 17，按其余数字应为 12"));
    assert_eq!(found[1].cells.first().map(String::as_str), Some("t3.r7.total"));
    assert_eq!(found[2].cells.first().map(String::as_str), Some("t3.r1.total"));
}

#[test]
fn positions_are_given_as_the_file_shows_them() {
    let eds = Editions::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let broken = common::sample("broken-2021");
    let ed = eds.resolve(&broken, None).unwrap().clone();
    let mut r = broken.clone();
    r.cells.insert("t3.r1.total".into(), Some(xxgk::model::Number::from_i64(99)));
    let where_of = |path: &std::path::Path| {
        let got = common::read_report(path);
        let found = check(&got, &ed, None);
        let f = found.iter().find(|f| f.code == "T3-ROW-TOTAL").expect("T3-ROW-TOTAL");
        f.source.as_ref().map(|s| s.describe()).unwrap_or_default()
    };
    // A workbook: the sheet and the cell as Excel names them.
    let x = dir.path().join("a.xlsx");
    std::fs::write(&x, xxgk::write::xlsx::render(&r, &ed).unwrap()).unwrap();
    let w = where_of(&x);
    assert!(w.ends_with("a.xlsx 工作表“表三” J7"), "{w}");
    // A Word document: the table, its row and column.
    let d = dir.path().join("a.docx");
    std::fs::write(&d, xxgk::write::docx::render(&r, &ed, xxgk::write::docx::Purpose::Publish).unwrap()).unwrap();
    let w = where_of(&d);
    assert!(w.ends_with("a.docx 第2张表格 第6行第10列"), "{w}");
}
