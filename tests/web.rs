//! Web pages as sites publish them (tests/fixtures/web/README.md): the
//! 信息公开目录 box and meta tags read as metadata, Word's empty cells, GBK
//! pages, pages saved as .mhtml; every cell compared in full with the
//! expected JSON.

mod common;

#[path = "support/expected.rs"]
mod expected;

use common::{read_report, root};
use expected::assert_as_expected;
use xxgk::check::check;
use xxgk::edition::{Editions, Severity};

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/web").join(name)
}

/// The county page: title without 工作, the box, …整改措施, 75 empty
/// Word cells, GBK.
#[test]
fn a_county_page_reads_its_box_title_heading_and_empty_cells() {
    let r =
        assert_as_expected(&fixture("2021-tongxin-county.gbk.html"), &fixture("2021-tongxin-county.gbk.expected.json"));
    assert_eq!(r.cells.values().filter(|v| v.is_some()).count(), 125);
    assert_eq!(r.parts.len(), 6);
    assert_eq!(r.parts["p5"].heading, "五、存在的主要问题及整改措施");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let eds = Editions::builtin().unwrap();
    let found = check(&r, eds.get(&r.edition).unwrap(), None);
    // The table findings: one BLANK-PUBLISHED, no imbalance (TEXT-* speak
    // of the page's hard line breaks, as the site printed them).
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).filter(|c| !c.starts_with("TEXT-")).collect();
    assert_eq!(codes, ["BLANK-PUBLISHED"], "{found:#?}");
    assert_eq!(found[0].cells.len(), 75);
    assert_eq!(found[0].severity, Severity::Warning);
    assert_eq!(found[0].table.as_deref(), Some("表三"));
}

/// The same page saved by a browser as one file, its article without a
/// title line: the title comes from the page's ArticleTitle.
#[test]
fn a_saved_mhtml_page_reads_like_the_page() {
    let r =
        assert_as_expected(&fixture("2021-tongxin-county.mhtml"), &fixture("2021-tongxin-county.mhtml.expected.json"));
    assert_eq!(r.cells.values().filter(|v| v.is_some()).count(), 200);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// GBK without a declared charset is detected; a page that declares gb2312
/// but is UTF-8 is read as UTF-8: never mojibake.
#[test]
fn charsets_are_declared_or_detected() {
    let dir = tempfile::tempdir().unwrap();
    let page = "<html><head><title>某县民政局2023年政府信息公开年度报告</title></head><body>\
                <p>某县民政局2023年政府信息公开年度报告</p><p>一、总体情况</p><p>本局全年主动公开政府信息一百二十条，依申请公开办理及时。</p></body></html>";
    let cases: [(&str, Vec<u8>); 3] = [
        ("undeclared-gbk.html", encoding_rs::GBK.encode(page).0.into_owned()),
        ("declared-gb2312-but-utf8.html", page.replace("<head>", "<head><meta charset=\"gb2312\">").into_bytes()),
        (
            "declared-gb18030.html",
            encoding_rs::GB18030.encode(&page.replace("<head>", "<head><meta charset=gb18030>")).0.into_owned(),
        ),
    ];
    for (name, bytes) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let r = read_report(&p);
        assert_eq!(r.organ, "某县民政局", "{name}");
        assert_eq!(r.year, Some(2023), "{name}");
        assert!(r.parts["p1"].text.contains("主动公开政府信息一百二十条"), "{name}: {:?}", r.parts);
        assert!(r.warnings.iter().all(|w| w.code != "READ-ENCODING"), "{name}: {:?}", r.warnings);
    }
}

/// 表二 rows merged otherwise than their header: three numbers under three
/// columns are read in order (READ-RECOVERED); a row with a number missing
/// is still left blank and reported.
#[test]
fn rows_merged_otherwise_than_the_header_are_read_in_order() {
    let r = assert_as_expected(&fixture("2019-merged-rows.html"), &fixture("2019-merged-rows.expected.json"));
    assert_eq!(r.cells.values().filter(|v| v.is_some()).count(), 193);
    let recovered: Vec<&str> =
        r.warnings.iter().filter(|w| w.code == "READ-RECOVERED").map(|w| w.message.as_str()).collect();
    assert_eq!(recovered.len(), 4, "{:?}", r.warnings);
    assert!(recovered[0].contains("按顺序逐列读取"), "{}", recovered[0]);
    assert!(r.warnings.iter().all(|w| w.code == "READ-RECOVERED"), "{:?}", r.warnings);

    let page = std::fs::read_to_string(fixture("2019-merged-rows.html")).unwrap();
    let missing = page.replacen(">48</td>", "></td>", 1);
    assert_ne!(missing, page);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.html");
    std::fs::write(&p, missing).unwrap();
    let r = read_report(&p);
    for c in ["prev_items", "change", "decisions"] {
        assert_eq!(r.value(&format!("t2.s5.other_services.{c}")), None, "{c}");
    }
    assert!(r.warnings.iter().any(|w| w.code == "READ-ROW-COUNT"), "{:?}", r.warnings);
    assert_eq!(r.value("t2.s5.license.prev_items").map(|n| n.to_string()).as_deref(), Some("5"));
}
