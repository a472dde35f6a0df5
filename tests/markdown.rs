//! Reports as Markdown, as OCR and LLM converters write them
//! (tests/fixtures/markdown/README.md): every cell of each fixture is read
//! exactly as its expected JSON says, so no number lands in another cell.

mod common;
#[path = "support/expected.rs"]
mod expected;

use common::{root, run, stderr};
use expected::assert_as_expected;
use serde_json::Value;
use xxgk::check::check;
use xxgk::edition::Editions;
use xxgk::model::Report;

fn fixture(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/markdown").join(name)
}

fn read_count(r: &Report) -> usize {
    r.cells.values().filter(|v| v.is_some()).count()
}

#[test]
fn mineru_markdown_with_html_tables_reads_every_cell() {
    let r = assert_as_expected(
        &fixture("2021-tongxin-county.mineru.md"),
        &fixture("2021-tongxin-county.mineru.expected.json"),
    );
    assert_eq!(read_count(&r), 200);
    let sample = common::sample("2021-tongxin-county");
    assert_eq!(r.parts.keys().collect::<Vec<_>>(), sample.parts.keys().collect::<Vec<_>>());
    // The fixture was made from the sample as published (with its markup
    // and hard line breaks); the sample now holds the tidied text.
    assert_eq!(xxgk::write::outline::published(&r).parts, sample.parts);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// A .txt whose content is Markdown is read as Markdown; a space inside a
/// number and full-width digits (OCR noise) are read as the number, and
/// their source text is kept as printed.
#[test]
fn pipe_tables_in_a_txt_read_every_cell_through_ocr_noise() {
    let r = assert_as_expected(
        &fixture("2021-tongxin-county.pipe.txt"),
        &fixture("2021-tongxin-county.pipe.expected.json"),
    );
    assert_eq!(read_count(&r), 200);
    assert_eq!(r.provenance["t2.s5.license.decisions"].text, "29 102");
    assert_eq!(r.provenance["t2.s6.penalty.decisions"].text, "２９６７");
    assert_eq!(r.parts.len(), 6);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// A published report's blank cells stay null; one finding for the table
/// names them, and the identities count them as 0.
#[test]
fn blank_cells_of_a_published_markdown_are_one_finding() {
    let r = assert_as_expected(&fixture("2020-enhe-town.pipe.md"), &fixture("2020-enhe-town.pipe.expected.json"));
    assert_eq!(read_count(&r), 193);
    let eds = Editions::builtin().unwrap();
    let ed = eds.get(&r.edition).unwrap();
    let found = check(&r, ed, None);
    // The table findings: the one BLANK-PUBLISHED and no imbalance (the
    // text rules, TEXT-*, speak of the sample's hard line breaks).
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).filter(|c| !c.starts_with("TEXT-")).collect();
    assert_eq!(codes, ["BLANK-PUBLISHED"], "{found:#?}");
    assert_eq!(found[0].cells.len(), 5);
    assert!(found[0].message.contains("原文为空，按 0 计"), "{}", found[0].message);
}

#[test]
fn convert_says_when_a_markdown_has_no_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.md");
    std::fs::write(
        &p,
        "# 某县2023年政府信息公开工作年度报告\n\n## 一、总体情况\n\n文字。\n\n## 二、主动公开政府信息情况\n\n无表格。\n",
    )
    .unwrap();
    let o = run(&["convert", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("没有读到任何表格数字"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["organ"], "某县");
    assert_eq!(v["origin"], "markdown");
    let w = v["warnings"].as_array().unwrap();
    assert!(w.iter().any(|w| w["code"] == "READ-TABLE-NOT-FOUND"), "{w:?}");
}

/// Plain text from pdftotext stays plain text (the seeds have no Markdown).
#[test]
fn the_seeds_are_not_markdown() {
    for seed in std::fs::read_dir(root().join("tests/fixtures/seeds")).unwrap().flatten() {
        let text = std::fs::read_to_string(seed.path()).unwrap();
        assert!(!xxgk::read::markdown::looks_like(&text), "{}", seed.path().display());
    }
}
