//! Excel: the yearly template, filled workbooks back to JSON, and real
//! clients (LibreOffice) re-saving them.

mod common;

use common::{golden, root, run, stderr, stdout};
use proptest::prelude::*;
use std::path::Path;
use xxgk::edition::Editions;
use xxgk::model::Report;

const SAMPLES: &[&str] = &[
    "2020-enhe-town",
    "2020-zhongning-civil-affairs",
    "2021-tongxin-county",
    "broken-2019",
    "broken-2019-previous",
    "broken-2021",
    "broken-2021-previous",
];

use common::sample;

use common::read_report as read;

fn write_xlsx(r: &Report, path: &Path) {
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(r, None).unwrap();
    std::fs::write(path, xxgk::write::xlsx::render(r, ed).unwrap()).unwrap();
}

#[test]
fn every_sample_round_trips_through_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    for s in SAMPLES {
        let r = sample(s);
        let p = dir.path().join(format!("{s}.xlsx"));
        write_xlsx(&r, &p);
        let back = read(&p);
        assert_eq!(back.content(), r.content(), "{s}");
        assert!(back.warnings.is_empty(), "{s}: {:?}", back.warnings);
        // Provenance points at the cell: 表三 一、本年新收 · 自然人 is D5 (row 5, column 4).
        let src = &back.provenance["t3.new.natural"];
        assert_eq!((src.sheet.as_deref(), src.row, src.column), (Some("表三"), Some(5), Some(4)), "{s}");
    }
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let r = sample("2021-tongxin-county");
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(&r, None).unwrap();
    assert_eq!(xxgk::write::xlsx::render(&r, ed).unwrap(), xxgk::write::xlsx::render(&r, ed).unwrap());
}

use common::arb_report;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn xlsx_round_trip(report in arb_report()) {
        // The canonical form (trimmed texts), as any reader produces it.
        let eds = Editions::builtin().unwrap();
        let report = xxgk::read::conform(report.clone(), eds.resolve(&report, None).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.xlsx");
        write_xlsx(&report, &p);
        let back = read(&p);
        prop_assert_eq!(back.content(), report.content());
    }
}

#[test]
fn template_golden() {
    for (year, name) in [(2021, "template-2021"), (2020, "template-2019")] {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.xlsx");
        let o = run(&[
            "template",
            "--year",
            &year.to_string(),
            "--organ",
            "某某县人民政府办公室",
            "-o",
            p.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = common::normalized_package(&std::fs::read(&p).unwrap());
        golden(&root().join(format!("tests/expected/{name}.xlsx.txt")), &text);
    }
}

#[test]
fn template_reads_back_blank_and_is_prefilled_from_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.xlsx");
    let o = run(&[
        "template",
        "--year",
        "2021",
        "--organ",
        "中宁县恩和镇人民政府",
        "-o",
        p.to_str().unwrap(),
        "--previous",
        "samples/2020-enhe-town.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = read(&p);
    assert_eq!((r.edition.as_str(), r.year, r.organ.as_str()), ("2021", Some(2021), "中宁县恩和镇人民政府"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let filled: Vec<_> = r.cells.iter().filter(|(_, v)| v.is_some()).map(|(k, _)| k.as_str()).collect();
    // 上年结转 from last year's 结转下年度继续办理 (all 0 in 恩和镇 2020).
    assert_eq!(filled.len(), 7, "{filled:?}");
    assert!(filled.iter().all(|k| k.starts_with("t3.carry_in.")));
    assert_eq!(r.parts.len(), 6);
    assert!(r.parts.values().all(|p| p.text.is_empty()));

    // 2019 edition: 上一年项目数量 = last year's 上一年项目数量 + 本年增/减.
    let p19 = dir.path().join("t19.xlsx");
    let o = run(&[
        "template",
        "--year",
        "2020",
        "--organ",
        "某某镇",
        "-o",
        p19.to_str().unwrap(),
        "--previous",
        "samples/2020-enhe-town.json",
        // Another organ's report of the same year, to show the 2019
        // edition's roll-forward: allowed only when asked.
        "--previous-any",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = read(&p19);
    let v = |id: &str| r.value(id).map(|n| n.to_string());
    assert_eq!(v("t2.s5.license.prev_items").as_deref(), Some("9"));
    assert_eq!(v("t2.s5.other_services.prev_items").as_deref(), Some("80"));
    assert_eq!(v("t2.s6.penalty.prev_items").as_deref(), Some("7"));
    assert_eq!(v("t2.s6.coercion.prev_items").as_deref(), Some("3"));
    assert_eq!(v("t2.s8.fees.prev_items").as_deref(), Some("0"));
    assert_eq!(v("t2.s5.license.change"), None);

    // The checker sees a blank template as blank, never as zeros.
    let o = run(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let codes = common::finding_codes(&o);
    assert!(codes.iter().any(|c| c == "BLANK"));
    assert_eq!(common::blank_cells(&o), 200 - 7);
    assert!(codes.iter().any(|c| c == "PART-EMPTY"));
}

#[test]
fn check_and_csv_read_xlsx_directly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("b.xlsx");
    write_xlsx(&sample("broken-2019"), &p);
    let o = run(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("错误 T3-ROW-TOTAL  表三（七）总计·总计：0 ≠ 30（自然人 30"), "{s}");
    assert!(s.contains("位置：") && s.contains("工作表“表三” J26"), "{s}");
    let o = run(&["convert", p.to_str().unwrap(), "--to", "csv"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("表三,三、本年度办理结果 / （七）总计,申请人情况 / 自然人,30,"));
}

/// A workbook an office built by hand in the official layout (not by xxgk):
/// labels in merged cells, two tables on one sheet, quirky values.
#[test]
fn a_hand_made_workbook_in_the_official_layout_converts() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let m = Format::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1").unwrap();
    ws.write(0, 0, "某某县 2021 年政府信息公开工作年度报告").unwrap();
    ws.write(1, 0, "二、主动公开政府信息情况").unwrap();
    let mut r = 2;
    type Rows<'a> = &'a [(&'a str, &'a [&'a str])];
    let t2: &[(&str, Rows)] = &[
        (
            "第二十条第(一)项",
            &[
                ("信息内容", &["本年制发件数", "本年废止件数", "现行有效件数"]),
                ("规章", &["0", "0", "0"]),
                ("行政规范性文件", &["３", "45", "1,030"]),
            ],
        ),
        ("第二十条第(五)项", &[("信息内容", &["本年处理决定数量"]), ("行政许可", &["29102"])]),
        ("第二十条第(六)项", &[("信息内容", &["本年处理决定数量"]), ("行政处罚", &["2967 件"]), ("行政强制", &["-"])]),
        ("第二十条第(八)项", &[("信息内容", &["本年收费金额(单位:万元)"]), ("行政事业性收费", &["1340.5117"])]),
    ];
    for (heading, rows) in t2 {
        ws.merge_range(r, 0, r, 3, heading, &m).unwrap();
        r += 1;
        for (label, vals) in rows.iter() {
            ws.write(r, 0, *label).unwrap();
            if vals.len() == 1 {
                ws.merge_range(r, 1, r, 3, vals[0], &m).unwrap();
            } else {
                for (k, v) in vals.iter().enumerate() {
                    ws.write(r, 1 + k as u16, *v).unwrap();
                }
            }
            r += 1;
        }
    }
    // 表四 below 表二 on the same sheet, labels typeset vertically.
    r += 1;
    ws.write(r, 0, "四、政府信息公开行政复议、行政诉讼情况").unwrap();
    r += 1;
    ws.merge_range(r, 0, r, 4, "行政复议", &m).unwrap();
    ws.merge_range(r, 5, r, 14, "行政诉讼", &m).unwrap();
    ws.merge_range(r + 1, 5, r + 1, 9, "未经复议直接起诉", &m).unwrap();
    ws.merge_range(r + 1, 10, r + 1, 14, "复议后起诉", &m).unwrap();
    let five = ["结 果 维 持", "结 果 纠 正", "其 他 结 果", "尚 未 审 结", "总 计"];
    for (k, l) in five.iter().enumerate() {
        ws.merge_range(r + 1, k as u16, r + 2, k as u16, l, &m).unwrap();
        ws.write(r + 2, 5 + k as u16, *l).unwrap();
        ws.write(r + 2, 10 + k as u16, *l).unwrap();
    }
    for c in 0..15u16 {
        if c != 3 {
            ws.write_number(r + 3, c, if c == 10 || c == 14 { 1.0 } else { 0.0 }).unwrap();
        }
    }
    ws.write(r + 5, 0, "填表人：李四").unwrap();
    // 表三 on its own sheet, header variant B (总计 outside 申请人情况).
    let ws = wb.add_worksheet();
    ws.set_name("依申请").unwrap();
    ws.merge_range(0, 0, 2, 2, "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", &m).unwrap();
    ws.merge_range(0, 3, 0, 8, "申请人情况", &m).unwrap();
    ws.merge_range(0, 9, 2, 9, "总计", &m).unwrap();
    ws.merge_range(1, 3, 2, 3, "自 然 人", &m).unwrap();
    ws.merge_range(1, 4, 1, 8, "法人或其他组织", &m).unwrap();
    for (k, l) in ["商业 企业", "科研 机构", "社会公 益组织", "法律服 务机构", "其他"].iter().enumerate()
    {
        ws.write(2, 4 + k as u16, *l).unwrap();
    }
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    let b = &ed.tables[1].blocks[0];
    for (row, (ri, leaf)) in (3u32..).zip(b.row_leaves.iter().enumerate()) {
        // Half-width punctuation and the ordinal of 一、二、 in a cell of its own.
        let label = leaf.label.replace('（', "(").replace('）', ")");
        if ri < 2 {
            ws.write(row, 0, &label[..label.find('、').unwrap() + 3]).unwrap();
            ws.merge_range(row, 1, row, 2, &label[label.find('、').unwrap() + 3..], &m).unwrap();
        } else {
            ws.write(row, 2, label.as_str()).unwrap();
        }
        let natural = if ri == 0 {
            14
        } else if leaf.label.contains("予以公开") {
            12
        } else if leaf.label.contains("不掌握") {
            2
        } else if leaf.label.contains("总计") {
            14
        } else {
            0
        };
        ws.write_number(row, 3, natural as f64).unwrap();
        for c in 4..9u16 {
            ws.write(row, c, "0").unwrap();
        }
        ws.write_number(row, 9, natural as f64).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("hand.xlsx");
    wb.save(&p).unwrap();

    let r = read(&p);
    assert_eq!((r.edition.as_str(), r.year, r.organ.as_str()), ("2021", Some(2021), "某某县"));
    let v = |id: &str| r.value(id).map(|n| n.to_string());
    assert_eq!(v("t2.s1.normative.issued").as_deref(), Some("3"), "full-width digit");
    assert_eq!(v("t2.s1.normative.valid").as_deref(), Some("1030"), "thousands separator");
    assert_eq!(v("t2.s6.penalty.decisions").as_deref(), Some("2967"), "unit in the cell");
    assert_eq!(v("t2.s6.coercion.decisions"), None, "a dash is not 0");
    assert_eq!(r.provenance["t2.s6.coercion.decisions"].text, "-");
    assert_eq!(v("t2.s8.fees.amount").as_deref(), Some("1340.5117"));
    assert_eq!(v("t4.after_review.upheld").as_deref(), Some("1"));
    assert_eq!(v("t4.after_review.total").as_deref(), Some("1"));
    assert_eq!(v("t4.review.pending"), None, "a blank is not 0");
    assert_eq!(v("t3.new.natural").as_deref(), Some("14"));
    assert_eq!(v("t3.r4_1.total").as_deref(), Some("2"));
    assert_eq!(v("t3.r6_3.welfare").as_deref(), Some("0"));
    assert_eq!(v("t3.carry_out.total").as_deref(), Some("0"));
    assert_eq!(r.cells.values().filter(|v| v.is_none()).count(), 2);
    let unmapped: Vec<_> =
        r.warnings.iter().filter(|w| w.code == "READ-UNMAPPED").map(|w| w.message.as_str()).collect();
    assert_eq!(unmapped, ["“填表人：李四”不属于年报表格的任何一格，未采用"], "{:?}", r.warnings);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    let o = run(&["check", p.to_str().unwrap(), "--format", "json"]);
    let codes = common::finding_codes(&o);
    assert_eq!(codes.iter().filter(|c| *c == "BLANK").count(), 2, "{codes:?}");
    assert!(codes.iter().any(|c| c == "PART-MISSING"));
}

#[test]
fn bad_workbooks_get_a_clear_message_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let cfb = common::cfb;
    let mut no_tables = rust_xlsxwriter::Workbook::new();
    no_tables.add_worksheet().write(0, 0, "会议签到表").unwrap();
    let no_tables = no_tables.save_to_buffer().unwrap();
    let mut docx_zip = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut docx_zip));
        z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut z, b"<w:document/>").unwrap();
        z.finish().unwrap();
    }
    let cases = [
        (put("random.xlsx", b"this is not a workbook at all"), "不是有效的 .xlsx 文件"),
        (put("empty.xlsx", b""), "文件是空的"),
        (put("encrypted.xlsx", &cfb("EncryptedPackage")), "设置了打开密码"),
        (put("legacy.xlsx", &cfb("Workbook")), "另存为"),
        (put("word.xlsx", &docx_zip), "这是 Word 文档"),
        (put("truncated.xlsx", &no_tables[..no_tables.len() / 2]), "另存为 .xlsx"),
        (put("no-tables.xlsx", &no_tables), "没有找到年报表格"),
    ];
    common::assert_refused(&cases);
}

#[test]
#[ignore = "needs LibreOffice"]
fn libreoffice_resaved_workbooks_read_back_identically() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lo");
    std::fs::create_dir_all(&out).unwrap();
    for s in ["2021-tongxin-county", "broken-2019"] {
        let r = sample(s);
        let p = dir.path().join(format!("{s}.xlsx"));
        write_xlsx(&r, &p);
        let resaved = common::resave(&p, "xlsx", &out);
        let back = read(&resaved);
        assert_eq!(back.content(), r.content(), "{s} after LibreOffice");
        assert!(back.warnings.is_empty(), "{s}: {:?}", back.warnings);
    }
    // The blank template, re-saved (formulas recomputed), still reads as blank.
    let t = dir.path().join("tpl.xlsx");
    let o = run(&["template", "--year", "2021", "--organ", "某某县", "-o", t.to_str().unwrap()]);
    assert!(o.status.success());
    let resaved = common::resave(&t, "xlsx", &out);
    let back = read(&resaved);
    assert_eq!((back.edition.as_str(), back.organ.as_str(), back.year), ("2021", "某某县", Some(2021)));
    assert!(back.cells.values().all(Option::is_none));
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
}

/// Offices rename sheets; the tables are found by their labels anyway.
#[test]
fn renamed_sheets_still_convert() {
    use std::io::{Read, Write};
    let r = sample("2021-tongxin-county");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.xlsx");
    write_xlsx(&r, &p);
    let bytes = std::fs::read(&p).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    {
        let mut zout = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == "xl/workbook.xml" {
                let s = String::from_utf8(data).unwrap();
                let s = s
                    .replace("name=\"表二\"", "name=\"主动公开\"")
                    .replace("name=\"表三\"", "name=\"Sheet3\"")
                    .replace("name=\"报告信息\"", "name=\"封面\"");
                data = s.into_bytes();
            }
            zout.start_file(&name, zip::write::SimpleFileOptions::default()).unwrap();
            zout.write_all(&data).unwrap();
        }
        zout.finish().unwrap();
    }
    let q = dir.path().join("renamed.xlsx");
    std::fs::write(&q, &out).unwrap();
    let back = read(&q);
    assert_eq!(back.content(), r.content());
    assert_eq!(back.provenance["t3.new.natural"].sheet.as_deref(), Some("Sheet3"));
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
}

// ---- Workbooks saved by a script: formulas kept, cached values dropped ----

/// python3 with openpyxl (the tests using it are ignored by default and
/// fail without it).
fn openpyxl() -> String {
    let py = std::env::var("XXGK_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&py).args(["-c", "import openpyxl"]).status().is_ok_and(|s| s.success());
    assert!(ok, "this test needs `{py}` with openpyxl: pip install openpyxl");
    py
}

/// Run a python script (with openpyxl) on `args`.
fn python(script: &str, args: &[&Path]) {
    let o = std::process::Command::new(openpyxl()).arg("-c").arg(script).args(args).output().unwrap();
    assert!(o.status.success(), "python: {}", String::from_utf8_lossy(&o.stderr));
}

/// Load a workbook with openpyxl, set `[sheet, A1, value]` from a JSON
/// file, save it: openpyxl keeps formulas and drops their cached values.
const OPENPYXL_FILL: &str = r#"
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for sheet, ref, value in json.load(open(sys.argv[2], encoding="utf-8")):
    wb[sheet][ref] = value
wb.save(sys.argv[3])
"#;

/// Write a workbook with openpyxl from `[{name, cells: [[A1, value]], merges: [..]}]`
/// (a string starting with `=` is a formula, stored without a value).
const OPENPYXL_BUILD: &str = r#"
import json, sys, openpyxl
wb = openpyxl.Workbook()
wb.remove(wb.active)
for s in json.load(open(sys.argv[1], encoding="utf-8")):
    ws = wb.create_sheet(s["name"])
    for ref, value in s["cells"]:
        ws[ref] = value
    for m in s["merges"]:
        ws.merge_cells(m)
wb.save(sys.argv[2])
"#;

/// `A1` name of 0-based (row, col).
fn a1(row: u32, col: u32) -> String {
    xxgk::read::formula::a1(row, col)
}

/// The XML of a cell in a sheet part of a package (`<c r="D28" …</c>`).
fn cell_xml(package: &Path, sheet_part: &str, cell: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::fs::File::open(package).unwrap()).unwrap();
    let mut xml = String::new();
    z.by_name(sheet_part).unwrap().read_to_string(&mut xml).unwrap();
    let start = xml.find(&format!("<c r=\"{cell}\"")).unwrap_or_else(|| panic!("{cell} not in {sheet_part}"));
    let end = start + xml[start..].find("</c>").map_or(0, |e| e + 4);
    xml[start..end].to_string()
}

/// The cell XML holds a formula and no cached value (openpyxl writes `<v></v>`).
fn uncached(xml: &str) -> bool {
    let v = xml.find("<v>").map(|i| &xml[i + 3..]);
    xml.contains("<f>") && v.is_none_or(|rest| rest.starts_with("</v>"))
}

fn number_json(v: xxgk::model::Number) -> serde_json::Value {
    serde_json::from_str(&v.to_string()).unwrap()
}

/// A filled xxgk workbook saved by openpyxl (as many 填报 systems export):
/// `xxgk template`, the inputs of a sample typed in by openpyxl, saved
/// without any cached value. Every derived cell reads with its right value
/// (the formula kept as its source text, not claimed as written), no cell
/// is reported blank, and a real imbalance planted in the inputs is still
/// reported.
#[test]
#[ignore = "needs python3 with openpyxl"]
fn a_template_filled_and_saved_by_openpyxl_reads_with_its_formulas_computed() {
    openpyxl();
    let eds = Editions::builtin().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, year) in [("2021-tongxin-county", "2021"), ("2020-enhe-town", "2020")] {
        let r = sample(name);
        let ed = eds.get(&r.edition).unwrap();
        let derived = ed.derivations();
        // Where each cell is: from xxgk's own rendering of the same report.
        let rendered = dir.path().join(format!("{name}-positions.xlsx"));
        write_xlsx(&r, &rendered);
        let positions = read(&rendered).provenance;
        let tpl = dir.path().join(format!("{name}-template.xlsx"));
        let o = run(&["template", "--year", year, "--organ", &r.organ, "-o", tpl.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        for planted in [0i64, 5] {
            let mut fill = Vec::new();
            for (id, v) in &r.cells {
                let (Some(v), false) = (v, derived.contains_key(id.as_str())) else { continue };
                let src = &positions[id];
                let v = if id == "t3.new.natural" {
                    v.checked_add(xxgk::model::Number::from_i64(planted)).unwrap()
                } else {
                    *v
                };
                let at = a1(src.row.unwrap() - 1, src.column.unwrap() - 1);
                fill.push(serde_json::json!([src.sheet.as_deref().unwrap(), at, number_json(v)]));
            }
            let json = dir.path().join("fill.json");
            std::fs::write(&json, serde_json::to_vec(&fill).unwrap()).unwrap();
            let filled = dir.path().join(format!("{name}-{planted}.xlsx"));
            python(OPENPYXL_FILL, &[&tpl, &json, &filled]);
            // Really without cached values: 表三's first total is a formula with none.
            let total = &positions["t3.new.total"];
            let xml =
                cell_xml(&filled, "xl/worksheets/sheet3.xml", &a1(total.row.unwrap() - 1, total.column.unwrap() - 1));
            assert!(uncached(&xml), "{xml}");

            let back = read(&filled);
            assert!(back.warnings.is_empty(), "{name}: {:?}", back.warnings);
            let findings = xxgk::check::check(&back, ed, None);
            // Blank only where the report itself is (2020 恩和镇's 行政复议 row).
            let blank: Vec<_> = findings
                .iter()
                .filter(|f| f.code == "BLANK" && f.cells.iter().any(|c| r.cells[c].is_some()))
                .map(|f| &f.message)
                .collect();
            assert!(blank.is_empty(), "{name}: {blank:?}");
            for id in derived.keys().filter(|id| r.cells[**id].is_some()) {
                let src = &back.provenance[*id];
                assert!(src.text.starts_with('='), "{name} {id}: {src:?}");
            }
            if planted == 0 {
                assert_eq!(back.cells, r.cells, "{name}: every cell, the derived ones computed");
                let arith: Vec<_> = findings.iter().filter(|f| f.formula.is_some()).map(|f| &f.message).collect();
                assert!(arith.is_empty(), "{name}: {arith:?}");
            } else {
                // 5 more 本年新收 from 自然人: 一 + 二 ≠ （七）总计 + 四 in that column.
                let balance = findings
                    .iter()
                    .find(|f| f.code == "T3-BALANCE" && f.column.as_deref().is_some_and(|c| c.contains("自然人")))
                    .unwrap_or_else(|| panic!("{name}: no T3-BALANCE in {findings:?}"));
                assert!(balance.message.contains("相差 5"), "{}", balance.message);
                // The totals in it were computed, not read as written.
                assert_eq!(balance.as_written, Some(false), "{}", balance.message);
            }
        }
    }
}

/// A workbook an office built with its own formulas (SUM over ranges, +,
/// a reference to another sheet with a quoted name), written by openpyxl
/// without cached values: the totals are computed; a formula with a
/// function xxgk does not evaluate gets READ-FORMULA naming its sheet, cell
/// and formula (and so does the total that uses it), and no finding calls
/// those cells 空白.
#[test]
#[ignore = "needs python3 with openpyxl"]
fn an_office_workbook_with_its_own_formulas_and_no_cached_values_is_computed() {
    openpyxl();
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    let mut sheets = Vec::new();
    // 表三, header variant B; 自然人 typed, 总计 column SUM, （七）总计 row SUM.
    let mut cells: Vec<(String, serde_json::Value)> = Vec::new();
    let mut merges = vec!["A1:C3", "D1:I1", "J1:J3", "D2:D3", "E2:I2"];
    let text = |s: &str| serde_json::Value::from(s);
    cells.push(("A1".into(), text("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)")));
    cells.push(("D1".into(), text("申请人情况")));
    cells.push(("J1".into(), text("总计")));
    cells.push(("D2".into(), text("自然人")));
    cells.push(("E2".into(), text("法人或其他组织")));
    for (k, l) in ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"].iter().enumerate()
    {
        cells.push((a1(2, 4 + k as u32), text(l)));
    }
    let b = &ed.tables[1].blocks[0];
    let leaves: Vec<_> = b.row_leaves.iter().collect();
    let total_row = leaves.iter().position(|l| l.label.contains("总计")).unwrap() as u32 + 3;
    let mut natural = std::collections::HashMap::new();
    let mut merge_rows = Vec::new();
    for (ri, leaf) in leaves.iter().enumerate() {
        let row = 3 + ri as u32;
        if ri < 2 {
            cells.push((a1(row, 0), text(&leaf.label)));
            merge_rows.push(format!("A{0}:C{0}", row + 1));
        } else {
            cells.push((a1(row, 2), text(&leaf.label)));
        }
        let n: i64 = match ri {
            0 => 14,
            _ if leaf.label.contains("予以公开") => 12,
            _ if leaf.label.contains("不掌握") => 2,
            _ => 0,
        };
        natural.insert(row, n);
        for c in 3..9u32 {
            if row == total_row {
                cells.push((a1(row, c), text(&format!("=SUM({}:{})", a1(5, c), a1(total_row - 1, c)))));
            } else {
                cells.push((a1(row, c), serde_json::json!(if c == 3 { n } else { 0 })));
            }
        }
        cells.push((a1(row, 9), text(&format!("=SUM({}:{})", a1(row, 3), a1(row, 8)))));
    }
    merges.extend(merge_rows.iter().map(String::as_str));
    sheets.push(serde_json::json!({"name": "依申请", "cells": cells, "merges": merges}));
    // 表四: its 总计 cells by +, one value from another sheet, one by VLOOKUP.
    let mut cells: Vec<(String, serde_json::Value)> = vec![
        ("A1".into(), text("某某县 2021 年政府信息公开工作年度报告")),
        ("A2".into(), text("四、政府信息公开行政复议、行政诉讼情况")),
        ("A3".into(), text("行政复议")),
        ("F3".into(), text("行政诉讼")),
        ("F4".into(), text("未经复议直接起诉")),
        ("K4".into(), text("复议后起诉")),
    ];
    let mut merges = vec!["A3:E3".to_string(), "F3:O3".into(), "F4:J4".into(), "K4:O4".into()];
    for (k, l) in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"].iter().enumerate() {
        let k = k as u32;
        cells.push((a1(3, k), text(l)));
        merges.push(format!("{}:{}", a1(3, k), a1(4, k)));
        cells.push((a1(4, 5 + k), text(l)));
        cells.push((a1(4, 10 + k), text(l)));
    }
    let row = 5;
    let values = [
        "='原始 数据'!$B$2",
        "1",
        "0",
        "=VLOOKUP(1,'原始 数据'!A1:B2,2)",
        "=A6+B6+C6+D6",
        "0",
        "1",
        "0",
        "0",
        "=F6+G6+H6+I6",
        "2",
        "0",
        "0",
        "1",
        "=SUM(K6:N6)",
    ];
    for (c, v) in values.iter().enumerate() {
        let v = if v.starts_with('=') { text(v) } else { serde_json::json!(v.parse::<i64>().unwrap()) };
        cells.push((a1(row, c as u32), v));
    }
    sheets.push(serde_json::json!({"name": "复议诉讼", "cells": cells, "merges": merges}));
    sheets.push(serde_json::json!({"name": "原始 数据", "cells": [["A2", 1], ["B2", 3]], "merges": []}));

    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(&spec, serde_json::to_vec(&sheets).unwrap()).unwrap();
    let p = dir.path().join("office.xlsx");
    python(OPENPYXL_BUILD, &[&spec, &p]);
    let xml = cell_xml(&p, "xl/worksheets/sheet1.xml", &a1(total_row, 3));
    assert!(uncached(&xml), "{xml}");

    let r = read(&p);
    let v = |id: &str| r.value(id).map(|n| n.to_string());
    assert_eq!(v("t3.new.natural").as_deref(), Some("14"));
    assert_eq!(v("t3.new.total").as_deref(), Some("14"), "SUM across the row");
    assert_eq!(v("t3.r7.natural").as_deref(), Some("14"), "SUM down the column");
    assert_eq!(v("t3.r7.total").as_deref(), Some("14"), "SUM of SUMs");
    assert_eq!(v("t3.r7.commercial").as_deref(), Some("0"));
    assert_eq!(r.provenance["t3.r7.natural"].text, format!("=SUM(D6:{})", a1(total_row - 1, 3)));
    assert_eq!(v("t4.review.upheld").as_deref(), Some("3"), "from '原始 数据'!$B$2");
    assert_eq!(v("t4.direct.total").as_deref(), Some("1"));
    assert_eq!(v("t4.after_review.total").as_deref(), Some("3"));
    assert_eq!(v("t4.review.pending"), None);
    assert_eq!(v("t4.review.total"), None);
    let formula: Vec<_> = r.warnings.iter().filter(|w| w.code == "READ-FORMULA").collect();
    assert_eq!(formula.len(), 2, "{:?}", r.warnings);
    let own = &formula[0];
    assert!(own.message.contains("工作表“复议诉讼”D6 的公式 =VLOOKUP(1,'原始 数据'!A1:B2,2)"), "{}", own.message);
    assert!(own.message.contains("不支持函数 VLOOKUP"), "{}", own.message);
    let src = own.source.as_ref().unwrap();
    assert_eq!((src.sheet.as_deref(), src.row, src.column), (Some("复议诉讼"), Some(6), Some(4)));
    assert!(formula[1].message.contains("E6 的公式 =A6+B6+C6+D6"), "{}", formula[1].message);
    assert!(formula[1].message.contains("引用的 复议诉讼!D6 不支持函数 VLOOKUP"), "{}", formula[1].message);
    let findings = xxgk::check::check(&r, ed, None);
    for f in findings.iter().filter(|f| f.cells.iter().any(|c| c == "t4.review.pending" || c == "t4.review.total")) {
        assert!(!f.message.contains("空白"), "{}", f.message);
        // A formula left uncomputed is not something to type a number into.
        if f.code == "BLANK" {
            assert!(f.message.contains("无法计算") && f.message.contains("打开此工作簿并保存"), "{}", f.message);
            assert!(!f.message.contains("没有的填 0"), "{}", f.message);
        }
    }
    // Every other blank is a table not in the workbook (表二), nothing of 表三 or 表四.
    let blank: Vec<_> = findings
        .iter()
        .filter(|f| {
            f.code == "BLANK"
                && f.table.as_deref() != Some("表二")
                && !f.message.contains("=VLOOKUP")
                && !f.message.contains("=A6+")
        })
        .map(|f| &f.message)
        .collect();
    assert!(blank.is_empty(), "{blank:?}");
}

// ---- The live 检查 cells: 待填写 until their cells are filled ----

/// Every 检查 cell of a workbook: (sheet, A1, formula, the value stored).
fn check_cells(path: &Path) -> Vec<(String, String, String, String)> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let formulas = wb.worksheet_formula(&name).unwrap();
        let values = wb.worksheet_range(&name).unwrap();
        for (r, c, f) in formulas.used_cells() {
            let (r, c) = (r as u32 + formulas.start().unwrap().0, c as u32 + formulas.start().unwrap().1);
            if !f.contains(xxgk::workbook::CHECK_OK) {
                continue;
            }
            let v = values.get_value((r, c)).map(|v| v.to_string()).unwrap_or_default();
            out.push((name.clone(), a1(r, c), f.clone(), v));
        }
    }
    out
}

fn shown(cells: &[(String, String, String, String)]) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for (_, _, _, v) in cells {
        let k = if v.starts_with('✗') { "✗".to_string() } else { v.clone() };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

#[test]
fn a_blank_template_says_pending_in_every_check_cell_and_a_filled_one_holds_or_fails() {
    let dir = tempfile::tempdir().unwrap();
    for year in ["2021", "2020"] {
        let t = dir.path().join(format!("t{year}.xlsx"));
        let o = run(&["template", "--year", year, "--organ", "某某县", "-o", t.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        let cells = check_cells(&t);
        assert!(cells.len() >= 9, "{year}: {cells:?}");
        for (sheet, at, f, v) in &cells {
            assert_eq!(v, xxgk::workbook::CHECK_PENDING, "{year} {sheet}!{at}: {f}");
            assert!(f.starts_with("IF(COUNT("), "{sheet}!{at}: {f}");
        }
    }
    // Filled: ✓ where the relation holds, ✗ where it does not.
    for (s, want) in [("2021-tongxin-county", vec![("✓ 相符", 9)]), ("broken-2021", vec![("✓ 相符", 8), ("✗", 1)])]
    {
        let p = dir.path().join(format!("{s}.xlsx"));
        write_xlsx(&sample(s), &p);
        let want: std::collections::BTreeMap<String, usize> =
            want.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        assert_eq!(shown(&check_cells(&p)), want, "{s}");
    }
    // Partly filled: one column of 表三 complete (it holds), the others pending.
    let mut r = sample("2021-tongxin-county");
    for (id, v) in r.cells.iter_mut() {
        if id.starts_with("t3.") && !id.ends_with(".natural") {
            *v = None;
        }
    }
    let p = dir.path().join("partial.xlsx");
    write_xlsx(&r, &p);
    let t3: Vec<_> = check_cells(&p).into_iter().filter(|(s, ..)| s == "表三").collect();
    let natural: Vec<_> = t3.iter().filter(|(_, at, ..)| at.starts_with('D')).map(|(.., v)| v.as_str()).collect();
    assert_eq!(natural, ["✓ 相符"], "{t3:?}");
    assert!(t3.iter().filter(|(_, at, ..)| !at.starts_with('D')).all(|(.., v)| v == "待填写"), "{t3:?}");
}

/// Strip the cached values of formula cells (as a script's save does).
fn without_cached_values(path: &Path, out: &Path) {
    let (bytes, _) = common::rewrite_xml_parts(&std::fs::read(path).unwrap(), |xml| {
        let mut s = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(i) = rest.find("</f><v>") {
            s.push_str(&rest[..i + 4]);
            rest = &rest[i + 4..];
            let end = rest.find("</v>").unwrap() + 4;
            rest = &rest[end..];
        }
        s.push_str(rest);
        s
    });
    std::fs::write(out, bytes).unwrap();
}

/// LibreOffice computes the 检查 cells of a workbook without cached values
/// (a blank template, a filled report) to what xxgk stored.
#[test]
#[ignore = "needs LibreOffice"]
fn libreoffice_computes_the_check_cells_as_xxgk_stores_them() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lo");
    std::fs::create_dir_all(&out).unwrap();
    let t = dir.path().join("template.xlsx");
    let o = run(&["template", "--year", "2021", "--organ", "某某县", "-o", t.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut files = vec![t];
    for s in ["2021-tongxin-county", "broken-2021", "broken-2019"] {
        let p = dir.path().join(format!("{s}.xlsx"));
        write_xlsx(&sample(s), &p);
        files.push(p);
    }
    for p in files {
        let bare = dir.path().join(format!("bare-{}", p.file_name().unwrap().to_string_lossy()));
        without_cached_values(&p, &bare);
        let lo = common::resave(&bare, "xlsx", &out);
        let ours: Vec<_> = check_cells(&p).into_iter().map(|(s, a, _, v)| (s, a, v)).collect();
        let theirs: Vec<_> = check_cells(&lo).into_iter().map(|(s, a, _, v)| (s, a, v)).collect();
        assert!(!ours.is_empty());
        assert_eq!(theirs, ours, "{}", p.display());
    }
}
