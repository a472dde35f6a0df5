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
fn libreoffice_resaved_workbooks_read_back_identically() {
    if common::soffice().is_none() {
        return;
    }
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
