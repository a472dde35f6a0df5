//! PDFs from any producer (issue 22): the real reports of
//! tests/fixtures/real, transformed the way PDF tools and exporters do, and
//! the small producer fixtures of tests/fixtures/pdf-producers (see its
//! README for each producer and version), read to their expected cells.

mod common;

use common::root;
use lopdf::{Document, Object};
use serde_json::Value;
use std::path::Path;

const REAL: [&str; 2] = ["2023-hongze-district", "2024-huaian-city"];

/// (right, wrong) cells of a report against a transcription.
fn score(r: &xxgk::model::Report, expected: &Value) -> (usize, usize) {
    let cells = expected["cells"].as_object().expect("cells");
    let (mut right, mut wrong) = (0, 0);
    for (id, v) in cells {
        let got = serde_json::to_value(r.cells.get(id).copied().flatten()).unwrap();
        match (got.as_f64(), v.as_f64()) {
            (Some(a), Some(b)) if a == b => right += 1,
            (Some(_), _) => wrong += 1,
            _ => {}
        }
    }
    (right, wrong)
}

fn read_bytes(dir: &Path, bytes: &[u8]) -> xxgk::model::Report {
    let path = dir.join("x.pdf");
    std::fs::write(&path, bytes).unwrap();
    common::read_report(&path)
}

/// A real report with every page changed by `edit`, saved again.
fn transformed(name: &str, edit: impl Fn(&mut Document, lopdf::ObjectId)) -> Vec<u8> {
    let mut doc = Document::load(root().join(format!("tests/fixtures/real/{name}.pdf"))).unwrap();
    let pages: Vec<_> = doc.get_pages().values().copied().collect();
    for id in pages {
        edit(&mut doc, id);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// samples/2021-tongxin-county.json, read, and its publication in `format`.
fn sample_as(format: xxgk::write::Format) -> (xxgk::model::Report, Vec<u8>) {
    let eds = xxgk::edition::Editions::builtin().unwrap();
    let sample = root().join("samples/2021-tongxin-county.json");
    let (r, ed) = xxgk::read::read_path(&sample, xxgk::read::ReadOptions::new(&eds)).unwrap();
    let opts = xxgk::write::Options::to(true);
    let bytes = xxgk::write::render(format, &r, &ed, &opts, &Default::default()).unwrap();
    (r, bytes)
}

fn set_rotate(doc: &mut Document, id: lopdf::ObjectId, degrees: i64) {
    doc.get_object_mut(id).unwrap().as_dict_mut().unwrap().set("Rotate", Object::Integer(degrees));
}

/// Content drawn turned a quarter counter-clockwise on a landscape box, as
/// an exporter writes a landscape section; `rotate` is the page's /Rotate.
fn draw_turned(doc: &mut Document, id: lopdf::ObjectId, rotate: i64) {
    let height = 842.0_f32;
    let content = doc.get_page_content(id);
    let mut wrapped = format!("q 0 1 -1 0 {height} 0 cm\n").into_bytes();
    wrapped.extend(content);
    wrapped.extend(b"\nQ\n");
    doc.change_page_content(id, wrapped).unwrap();
    let page = doc.get_object_mut(id).unwrap().as_dict_mut().unwrap();
    let media = vec![0.into(), 0.into(), Object::Real(height), Object::Real(595.0)];
    page.set("MediaBox", Object::Array(media));
    page.remove(b"CropBox");
    page.set("Rotate", Object::Integer(rotate));
}

/// `qpdf --rotate=+90` and the like: the page's /Rotate turns everything;
/// before issue 22 every cell came out blank (90, 270) or the file was
/// refused (180).
#[test]
fn pages_turned_by_rotate_read_as_upright() {
    let dir = tempfile::tempdir().unwrap();
    for name in REAL {
        let exp = common::read_json(&root().join(format!("tests/fixtures/real/{name}.expected.json")));
        for degrees in [90, 180, 270] {
            let r = read_bytes(dir.path(), &transformed(name, |d, id| set_rotate(d, id, degrees)));
            assert_eq!(score(&r, &exp), (200, 0), "{name} /Rotate {degrees}");
        }
    }
}

/// Content drawn turned, shown upright by /Rotate 90 (a landscape page) or
/// left turned (/Rotate 0): both read as upright text.
#[test]
fn content_drawn_turned_reads_as_upright() {
    let dir = tempfile::tempdir().unwrap();
    let name = "2024-huaian-city";
    let exp = common::read_json(&root().join(format!("tests/fixtures/real/{name}.expected.json")));
    for rotate in [90, 0] {
        let r = read_bytes(dir.path(), &transformed(name, |d, id| draw_turned(d, id, rotate)));
        assert_eq!(score(&r, &exp), (200, 0), "turned content, /Rotate {rotate}");
    }
}

/// Fake bold (wkhtmltopdf and some exporters): every page drawn a second
/// time 0.4 pt to the right and 0.3 pt up. Before issue 22 each character
/// read twice ("某某县县人人民民…").
#[test]
fn text_drawn_twice_for_bold_reads_once() {
    let dir = tempfile::tempdir().unwrap();
    for name in REAL {
        let exp = common::read_json(&root().join(format!("tests/fixtures/real/{name}.expected.json")));
        let bytes = transformed(name, |doc, id| {
            let content = doc.get_page_content(id);
            let mut twice = content.clone();
            twice.extend(b"\nq 1 0 0 1 0.4 0.3 cm\n");
            twice.extend(content);
            twice.extend(b"\nQ\n");
            doc.change_page_content(id, twice).unwrap();
        });
        let r = read_bytes(dir.path(), &bytes);
        assert_eq!(score(&r, &exp), (200, 0), "{name}");
        assert_eq!(r.organ, exp["organ"].as_str().unwrap(), "{name}");
    }
}

/// A tracked change printed visibly (LibreOffice 7.x Writer, the Word file
/// with "96" struck through before "14" in 表三's first value): the struck
/// text is deleted text, never part of the value. Before issue 22 the cell
/// read 9614, the one wrong value of the producer matrix.
#[test]
#[ignore = "needs LibreOffice"]
fn struck_through_text_is_never_part_of_a_value() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui");
    let dir = tempfile::tempdir().unwrap();
    let (r, docx) = sample_as(xxgk::write::Format::Docx);
    let (docx, _) = common::rewrite_xml_parts(&docx, |xml| {
        let run = r#"<w:r><w:t xml:space="preserve">14</w:t></w:r>"#;
        xml.replacen(run, &format!(r#"<w:r><w:rPr><w:strike/></w:rPr><w:t>96</w:t></w:r>{run}"#), 1)
    });
    let word = dir.path().join("struck.docx");
    std::fs::write(&word, docx).unwrap();
    let pdf = common::resave(&word, "pdf", dir.path());
    let got = common::read_report(&pdf);
    let expected = serde_json::to_value(&r).unwrap();
    assert_eq!(score(&got, &expected), (200, 0));
    let struck: Vec<_> = got.warnings.iter().filter(|w| w.code == "READ-STRUCK").collect();
    assert_eq!(struck.len(), 1, "{:?}", got.warnings);
    assert_eq!(struck[0].source.as_ref().map(|s| s.text.as_str()), Some("96"));
}

/// A browser's print with its header and footer (Chromium 156 headless,
/// `--print-to-pdf` of xxgk's HTML page): the date and title above every
/// page and the file URL and "3/9" below it are running lines, set aside,
/// so 表三 continued on the next page joins its first half. Before issue
/// 22: 164 of 200 cells; now 199 (表二's 第二十条第（五）项 block, cut by
/// the page break, is still not found; none wrong).
#[test]
#[ignore = "needs Chromium"]
fn a_browser_print_with_header_and_footer_reads_its_tables() {
    common::require("chromium", &["--version"], "apt-get install chromium");
    let dir = tempfile::tempdir().unwrap();
    let (r, html) = sample_as(xxgk::write::Format::Html);
    let page = dir.path().join("report.html");
    std::fs::write(&page, html).unwrap();
    let pdf = dir.path().join("report.pdf");
    let out = std::process::Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", dir.path().join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&page)
        .output()
        .unwrap();
    assert!(pdf.is_file(), "chromium wrote no PDF: {}", String::from_utf8_lossy(&out.stderr));
    let got = common::read_report(&pdf);
    let (right, wrong) = score(&got, &serde_json::to_value(&r).unwrap());
    assert_eq!(wrong, 0);
    assert!(right >= 199, "{right} of 200 cells");
}
