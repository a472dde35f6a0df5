//! The annotated workbook (`xxgk check FILE -o 问题标注.xlsx`, and one per
//! report with errors in `batch`): read back to the same cells, its notes in
//! the package, deterministic, and it opens in LibreOffice.

mod common;

use common::{bin, root, sample, stderr};
use std::io::Read;
use xxgk::check::check;
use xxgk::edition::Editions;

fn annotated(name: &str) -> (xxgk::model::Report, Vec<u8>) {
    let eds = Editions::builtin().unwrap();
    let r = sample(name);
    let ed = eds.get(&r.edition).unwrap();
    let findings = check(&r, ed, None);
    (r.clone(), xxgk::write::xlsx::render_annotated(&r, ed, &findings).unwrap())
}

fn part(bytes: &[u8], name: &str) -> Option<String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    Some(s)
}

fn part_names(bytes: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    z.file_names().map(|n| n.unwrap().to_string()).collect()
}

#[test]
fn check_dash_o_writes_a_workbook_that_reads_back_to_the_same_cells() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("问题标注.xlsx");
    let input = root().join("samples/broken-2019.json");
    let o = bin().args(["check"]).arg(&input).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("问题标注工作簿已保存"));
    let back = common::read_report(&out);
    let r = sample("broken-2019");
    assert_eq!(back.cells, r.cells);
    assert_eq!(back.parts, r.parts);
    // The findings sheet is not read as a table: no warning about it.
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // Not overwritten without --force; replaced with it.
    let o = bin().args(["check"]).arg(&input).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = bin().args(["check", "--force"]).arg(&input).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // Only for one file, and only as .xlsx.
    let o = bin().args(["check"]).arg(root().join("samples")).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin().args(["check"]).arg(&input).arg("-o").arg(dir.path().join("x.docx")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains(".xlsx"), "{}", stderr(&o));
}

#[test]
fn failing_cells_carry_notes_and_the_suspect_is_outlined() {
    let (_, bytes) = annotated("broken-2019");
    let names = part_names(&bytes);
    let comments: Vec<&String> = names.iter().filter(|n| n.starts_with("xl/comments")).collect();
    assert!(!comments.is_empty(), "no comments part in {names:?}");
    let all: String = comments.iter().filter_map(|n| part(&bytes, n)).collect();
    // The suspect's note, and the arithmetic finding it explains, on the cell.
    assert!(all.contains("最可能出错的格：表三（七）总计·自然人，写作 30，按其余数字应为 0"), "{all}");
    assert!(all.contains("T3-OUTCOME-TOTAL"));
    assert!(all.contains("BLANK"));
    // A thick border (the outline) exists in the styles, and the red fill.
    let styles = part(&bytes, "xl/styles.xml").unwrap();
    assert!(styles.contains("style=\"thick\""), "no thick border");
    assert!(styles.contains("FFFFC7CE"), "no red fill");
    // The findings sheet lists every finding, with its code and message.
    let eds = Editions::builtin().unwrap();
    let r = sample("broken-2019");
    let findings = check(&r, eds.get(&r.edition).unwrap(), None);
    let wb = part(&bytes, "xl/workbook.xml").unwrap();
    assert!(wb.contains("问题清单"));
    let shared = part(&bytes, "xl/sharedStrings.xml").unwrap();
    for f in &findings {
        let m = f.message.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        assert!(shared.contains(&m) || shared.contains(&f.message), "{} not listed", f.message);
    }
}

#[test]
fn the_annotated_workbook_is_deterministic() {
    let (_, a) = annotated("broken-2019");
    let (_, b) = annotated("broken-2019");
    assert_eq!(a, b);
    let (_, clean) = annotated("2021-tongxin-county");
    // A clean report: no notes at all, and the list says so.
    assert!(!part_names(&clean).iter().any(|n| n.starts_with("xl/comments")));
    assert!(part(&clean, "xl/sharedStrings.xml").unwrap().contains("未发现问题"));
}

#[test]
fn batch_writes_one_annotated_workbook_per_report_with_errors() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    for s in ["broken-2019", "2021-tongxin-county"] {
        std::fs::copy(root().join(format!("samples/{s}.json")), input.join(format!("{s}.json"))).unwrap();
    }
    let out = dir.path().join("out");
    let o = bin().arg("batch").arg(&input).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let mut made: Vec<String> = std::fs::read_dir(out.join("annotated"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    made.sort();
    // Named as its JSON under reports/.
    let json = std::fs::read_dir(out.join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .find(|n| n.ends_with("broken-2019.json"))
        .unwrap();
    let name = json.replace(".json", ".问题标注.xlsx");
    assert_eq!(made, std::slice::from_ref(&name));
    let summary = common::read_json(&out.join("summary.json"));
    let annotated: Vec<&str> =
        summary["reports"].as_array().unwrap().iter().filter_map(|r| r["annotated"].as_str()).collect();
    assert_eq!(annotated, [format!("annotated/{name}")], "{summary}");
    let back = common::read_report(&out.join("annotated").join(&name));
    assert_eq!(back.cells, sample("broken-2019").cells);
}

#[test]
#[ignore = "needs LibreOffice"]
fn libreoffice_opens_the_annotated_workbook_and_keeps_the_cells() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let (r, bytes) = annotated("broken-2019");
    let p = dir.path().join("annotated.xlsx");
    std::fs::write(&p, bytes).unwrap();
    let out = dir.path().join("resaved");
    std::fs::create_dir(&out).unwrap();
    let resaved = common::resave(&p, "xlsx", &out);
    let back = common::read_report(&resaved);
    assert_eq!(back.cells, r.cells);
    // LibreOffice kept the notes.
    let saved = std::fs::read(&resaved).unwrap();
    let notes: String =
        part_names(&saved).iter().filter(|n| n.starts_with("xl/comments")).filter_map(|n| part(&saved, n)).collect();
    assert!(notes.contains("最可能出错的格"), "LibreOffice dropped the notes");
}

// ---- Printing: landscape, one page wide, headers repeated, wrapped text in full ----

fn poppler() {
    for p in ["pdftotext", "pdfinfo"] {
        let ok = std::process::Command::new(p).arg("-v").output().is_ok_and(|o| o.status.success());
        assert!(ok, "this test needs poppler's {p}: apt-get install poppler-utils");
    }
}

/// Each page's text in content order, white space removed.
fn pdf_pages(pdf: &std::path::Path) -> Vec<String> {
    let o = std::process::Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&o.stdout).to_string();
    let n: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    (1..=n)
        .map(|p| {
            let p = p.to_string();
            let o = std::process::Command::new("pdftotext")
                .args(["-raw", "-f", &p, "-l", &p])
                .arg(pdf)
                .arg("-")
                .output()
                .unwrap();
            String::from_utf8_lossy(&o.stdout).chars().filter(|c| !c.is_whitespace()).collect()
        })
        .collect()
}

/// (width, height) of every page, in points.
fn pdf_sizes(pdf: &std::path::Path, pages: usize) -> Vec<(f64, f64)> {
    let o =
        std::process::Command::new("pdfinfo").args(["-f", "1", "-l", &pages.to_string()]).arg(pdf).output().unwrap();
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains("size:"))
        .map(|l| {
            let nums: Vec<f64> = l.split_whitespace().filter_map(|w| w.parse().ok()).collect();
            (nums[1], nums[2])
        })
        .collect()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The sheet's pages: from the one holding `first` up to (not including)
/// the next page holding none of `labels`.
fn pages_of(pages: &[String], labels: &[&str]) -> std::ops::Range<usize> {
    let start = pages.iter().position(|p| labels.iter().all(|l| p.contains(l))).unwrap_or(pages.len());
    let end = (start..pages.len()).find(|&i| !labels.iter().all(|l| pages[i].contains(l))).unwrap_or(pages.len());
    start..end
}

/// A text's first and last characters (white space removed) are printed:
/// it shows in full, not cut at the bottom of its row.
fn printed_whole(pages: &[std::ops::Range<usize>], all: &[String], text: &str, what: &str) {
    let t = squeeze(text);
    let chars: Vec<char> = t.chars().collect();
    let (head, tail): (String, String) = (chars[..6].iter().collect(), chars[chars.len() - 6..].iter().collect());
    let printed: String = pages.iter().flat_map(|r| all[r.clone()].iter().cloned()).collect();
    assert!(printed.contains(&head), "{what}: the start “{head}” is not printed");
    assert!(printed.contains(&tail), "{what}: the end “{tail}” of “{text}” is not printed");
}

/// summary.xlsx of a batch over the samples, and an annotated workbook,
/// printed by LibreOffice: every page landscape; each list sheet one page
/// wide (every column label on its first page) with the header row on
/// every page; the longest finding and a long part of the report printed
/// from their first to their last words.
#[test]
#[ignore = "needs LibreOffice and poppler"]
fn summary_and_annotated_workbooks_print_landscape_one_page_wide_with_wrapped_text_in_full() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    poppler();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = bin().arg("batch").arg(root().join("samples")).arg("-o").arg(&out).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let pdfs = dir.path().join("pdf");
    std::fs::create_dir(&pdfs).unwrap();
    let summary = common::resave(&out.join("summary.xlsx"), "pdf", &pdfs);
    let pages = pdf_pages(&summary);
    let sizes = pdf_sizes(&summary, pages.len());
    assert_eq!(sizes.len(), pages.len());
    assert!(sizes.iter().all(|(w, h)| w > h), "portrait pages in summary.xlsx: {sizes:?}");
    let submissions = ["机关", "年度", "格式版本", "源文件", "输出文件", "错误数", "警告数", "状态", "对比的上年报告"];
    let findings_head = ["机关", "源文件", "规则代码", "级别", "说明", "表", "行", "列", "公式", "差额", "位置"];
    let subs = pages_of(&pages, &submissions);
    let finds = pages_of(&pages, &["规则代码", "差额", "位置", "说明"]);
    eprintln!("summary.pdf: {} pages; 报送情况 {subs:?}, 问题清单 {finds:?}", pages.len());
    assert_eq!(subs.len(), 1, "报送情况 is one page wide and tall: {subs:?}");
    assert!(!finds.is_empty(), "问题清单 not found, or a page without all its column labels");
    for p in finds.clone() {
        for l in findings_head {
            assert!(pages[p].contains(l), "问题清单 page {}: no “{l}”", p + 1);
        }
    }
    // Every finding is listed whole; the longest spans several lines.
    let csv = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let messages: Vec<String> = reader.records().map(|r| r.unwrap()[4].to_string()).collect();
    let longest = messages.iter().max_by_key(|m| m.chars().count()).unwrap();
    assert!(longest.chars().count() > 100, "{longest}");
    for m in &messages {
        printed_whole(std::slice::from_ref(&finds), &pages, m, "问题清单");
    }
    // 14 portrait pages of one or two columns each before this was fixed.
    assert!(pages.len() <= 10, "{} pages", pages.len());

    // The annotated workbook: the same, and 报告信息's long texts whole.
    let (r, bytes) = annotated("broken-2019");
    let p = dir.path().join("annotated.xlsx");
    std::fs::write(&p, bytes).unwrap();
    let pdf = common::resave(&p, "pdf", &pdfs);
    let pages = pdf_pages(&pdf);
    let sizes = pdf_sizes(&pdf, pages.len());
    assert!(sizes.iter().all(|(w, h)| w > h), "portrait pages in the annotated workbook: {sizes:?}");
    let list = pages_of(&pages, &["代码", "严重程度", "问题", "出处"]);
    assert!(!list.is_empty(), "问题清单 not printed one page wide");
    let eds = Editions::builtin().unwrap();
    for f in check(&r, eds.get(&r.edition).unwrap(), None) {
        printed_whole(std::slice::from_ref(&list), &pages, &f.message, "annotated 问题清单");
    }
    let info = 0..pages.iter().position(|p| p.starts_with("表二主动公开政府信息情况")).unwrap();
    for part in r.parts.values().filter(|p| p.text.chars().count() > 6) {
        printed_whole(std::slice::from_ref(&info), &pages, &part.text, "报告信息");
    }
    assert!(r.parts.values().any(|p| p.text.chars().count() > 1500), "a long part is printed");
}
