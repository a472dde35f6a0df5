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
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains(&format!("\"annotated\": \"annotated/{name}\"")), "{summary}");
    let back = common::read_report(&out.join("annotated").join(&name));
    assert_eq!(back.cells, sample("broken-2019").cells);
}

#[test]
fn libreoffice_opens_the_annotated_workbook_and_keeps_the_cells() {
    let Some(_) = common::soffice() else { return };
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
