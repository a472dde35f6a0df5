//! The reader spine: every reader produces the neutral document and one
//! mapper maps it. A row or column whose label is not recognised is skipped
//! with its warning and never disturbs the rest of the table, in every
//! input kind; published-text layouts read through the same mapper.

mod common;

use common::{read_report, read_text, root, run, sample};
use std::path::{Path, PathBuf};
use xxgk::model::Report;

/// Copy a zip package, replacing `from` by `to` in every XML entry (the
/// replacement must happen at least once).
fn rewrite_package(src: &Path, dst: &Path, from: &str, to: &str) {
    let (bytes, changed) = common::rewrite_xml_parts(&std::fs::read(src).unwrap(), |t| t.replace(from, to));
    assert!(changed > 0, "{from} not found in {}", src.display());
    std::fs::write(dst, bytes).unwrap();
}

/// The sample written as `ext` by xxgk, with one label replaced.
fn sample_with_label(dir: &Path, ext: &str, from: &str, to: &str) -> PathBuf {
    let plain = dir.join(format!("plain.{ext}"));
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", plain.to_str().unwrap()]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let changed = dir.join(format!("changed.{ext}"));
    rewrite_package(&plain, &changed, from, to);
    changed
}

fn codes(r: &Report, code: &str) -> usize {
    r.warnings.iter().filter(|w| w.code == code).count()
}

/// Cells that differ from the sample.
fn differing(r: &Report, expected: &Report) -> Vec<String> {
    expected.cells.iter().filter(|(id, v)| r.cells.get(*id) != Some(v)).map(|(id, _)| id.clone()).collect()
}

/// The sample as `ext` with one label replaced, read back; and the cells
/// that differ from the sample.
fn renamed(ext: &str, from: &str, to: &str) -> (Report, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let r = read_report(&sample_with_label(dir.path(), ext, from, to));
    let diff = differing(&r, &sample("2021-tongxin-county"));
    (r, diff)
}

/// A renamed row label leaves exactly that row blank, in a workbook and a
/// Word document alike (it used to wipe out the rest of 表三).
#[test]
fn an_unrecognised_row_label_blanks_only_its_row() {
    for ext in ["xlsx", "docx"] {
        let (r, diff) = renamed(ext, "1.本机关不掌握相关政府信息", "1.某某某某某某某某某");
        assert_eq!(diff.len(), 7, "{ext}: {diff:?}");
        assert!(diff.iter().all(|id| id.starts_with("t3.r4_1.")), "{ext}: {diff:?}");
        assert!(diff.iter().all(|id| r.cells[id].is_none()), "{ext}");
        assert_eq!(codes(&r, "READ-ROW-NOT-FOUND"), 1, "{ext}: {:?}", r.warnings);
        let row = r.warnings.iter().find(|w| w.code == "READ-ROW-NOT-FOUND").unwrap();
        assert!(row.message.contains("本机关不掌握相关政府信息"), "{}", row.message);
        // The renamed label and its seven numbers are reported, nothing else.
        let unmapped: Vec<_> = r.warnings.iter().filter(|w| w.code == "READ-UNMAPPED").collect();
        assert_eq!(unmapped.len(), 8, "{ext}: {unmapped:?}");
        assert_eq!(r.warnings.len(), 9, "{ext}: {:?}", r.warnings);
    }
}

/// A renamed column label leaves exactly that column blank.
#[test]
fn an_unrecognised_column_label_blanks_only_its_column() {
    for ext in ["xlsx", "docx"] {
        let (r, diff) = renamed(ext, "科研机构", "某某某某");
        assert_eq!(diff.len(), 25, "{ext}: {diff:?}");
        assert!(diff.iter().all(|id| id.ends_with(".research")), "{ext}: {diff:?}");
        assert_eq!(codes(&r, "READ-COLUMN-NOT-FOUND"), 1, "{ext}: {:?}", r.warnings);
        assert_eq!(codes(&r, "READ-ROW-NOT-FOUND"), 0, "{ext}");
    }
}

/// The 2021 seed with every number in its tables made different (1, 2, 3,
/// …, keeping the layout), so that a value read one column or one row off
/// cannot go unnoticed (the published report is mostly zeros).
fn distinct_seed() -> String {
    let seed = std::fs::read_to_string(root().join("tests/fixtures/seeds/003_366708d6a3d1c052.txt")).unwrap();
    let mut n = 0;
    let mut out = String::new();
    for line in seed.lines() {
        if line.contains('\t') {
            let fields: Vec<String> = line
                .split('\t')
                .map(|f| {
                    if !f.trim().is_empty() && f.trim().parse::<f64>().is_ok() {
                        n += 1;
                        n.to_string()
                    } else {
                        f.to_string()
                    }
                })
                .collect();
            out.push_str(&fields.join("\t"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The distinct seed as the tab layout reads it (that layout is checked
/// against the hand transcription in tests/text_html.rs).
fn distinct_expected() -> Report {
    let r = read_text(&distinct_seed());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    r
}

/// The 2021 seed re-laid: `relay(labels, values, out)` writes each table
/// line (its label fields and its value fields); other lines are kept.
fn relaid(relay: impl Fn(&[&str], &[&str], &mut String)) -> String {
    let seed = distinct_seed();
    let mut out = String::new();
    for line in seed.lines() {
        if line.starts_with("同心县 2021 年政府信息公开工作年度报告") && out.trim().is_empty() {
            // The title over two lines, as PDFs set it.
            out.push_str("          同心县\n     2021 年政府信息公开工作年度报告\n");
            continue;
        }
        if !line.contains('\t') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let fields: Vec<&str> = line.split('\t').filter(|f| !f.trim().is_empty()).collect();
        let first_value = fields.iter().position(|f| f.trim().parse::<f64>().is_ok());
        let (labels, values) = fields.split_at(first_value.unwrap_or(fields.len()));
        relay(labels, values, &mut out);
    }
    out
}

/// The 2021 seed's tables re-laid as `pdftotext -layout` writes them:
/// columns aligned with spaces, labels wrapped with their numbers on a line
/// of their own, page numbers inside 表三, the title over two lines.
#[test]
fn a_space_aligned_layout_with_wrapped_labels_and_footers_converts() {
    let expected = distinct_expected();
    let out = relaid(|labels, values, out| {
        let label = labels.join("    ");
        if label.contains("部分公开") {
            // Wrapped: the first half, the numbers alone, the second half.
            out.push_str("      （二）部分公开（区分处理的，只计这一情\n");
            out.push_str(&format!("                                {}\n", values.join("        ")));
            out.push_str("      形，不计其他情形）\n\n");
            return;
        }
        out.push_str(&format!("{label:<40}  {}\n", values.join("      ")));
        if label.contains("4.保护第三方合法权益") {
            out.push_str("\n                                           -3-\n\n");
        }
    });
    let r = read_text(&out);
    let diff = differing(&r, &expected);
    assert!(diff.is_empty(), "{diff:?}\n{:?}", r.warnings);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.organ, "同心县");
    assert_eq!(r.year, Some(2021));
}

/// A table copied from a web page: a label line, one value per line, a
/// blank line between rows.
#[test]
fn a_cell_per_line_layout_converts() {
    let expected = distinct_expected();
    let out = relaid(|labels, values, out| {
        for l in labels {
            out.push_str(l);
            out.push('\n');
        }
        for v in values {
            out.push('\t');
            out.push_str(v);
            out.push('\n');
        }
        out.push('\n');
    });
    let r = read_text(&out);
    let diff = differing(&r, &expected);
    assert!(diff.is_empty(), "{} cells differ: {diff:?}\n{:?}", diff.len(), r.warnings);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}
