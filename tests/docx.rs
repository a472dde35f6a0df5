//! Word: the blank form and template, extraction from filled reports, the
//! publication document, and real clients (LibreOffice) re-saving them.

mod common;

use common::official::{fill_form, fill_tables};
use common::{golden, root, run, stderr, stdout};
use proptest::prelude::*;
use std::io::{Read, Write};
use std::path::Path;
use xxgk::edition::Editions;
use xxgk::model::Report;
use xxgk::write::docx::{render, Purpose};
use xxgk::write::outline::published;

const SAMPLES: &[&str] =
    &["2020-enhe-town", "2020-zhongning-civil-affairs", "2021-tongxin-county", "broken-2019", "broken-2021"];

use common::sample;

use common::read_report as read;

fn write_docx(r: &Report, path: &Path) {
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(r, None).unwrap();
    std::fs::write(path, render(r, ed, Purpose::Publish).unwrap()).unwrap();
}

#[test]
fn every_sample_round_trips_through_the_publication_docx() {
    let dir = tempfile::tempdir().unwrap();
    for s in SAMPLES {
        let r = sample(s);
        let p = dir.path().join(format!("{s}.docx"));
        write_docx(&r, &p);
        let back = read(&p);
        // The publication prints the text tidied (issue 21: no markup, no
        // sentence broken over two lines): that is what reads back.
        assert_eq!(back.content(), published(&r).content(), "{s}");
        assert!(back.warnings.is_empty(), "{s}: {:?}", back.warnings);
    }
    let r = sample("2021-tongxin-county");
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(&r, None).unwrap();
    assert_eq!(render(&r, ed, Purpose::Publish).unwrap(), render(&r, ed, Purpose::Publish).unwrap(), "deterministic");
}

use common::arb_report;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn docx_round_trip(report in arb_report()) {
        let eds = Editions::builtin().unwrap();
        let report = xxgk::read::conform(report.clone(), eds.resolve(&report, None).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.docx");
        write_docx(&report, &p);
        let back = read(&p);
        prop_assert_eq!(back.content(), published(&report).content());
    }
}

#[test]
fn template_and_publication_goldens() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.docx");
    let o = run(&["template", "--year", "2021", "--organ", "某某县人民政府办公室", "-o", t.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    golden(
        &root().join("tests/expected/template-2021.docx.txt"),
        &common::normalized_package(&std::fs::read(&t).unwrap()),
    );
    // The sample, as published, has five blank cells (one error): its
    // publication is refused unless allowed, and then says so.
    let p = dir.path().join("p.docx");
    let o = run(&["convert", "samples/2020-enhe-town.json", "-o", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("有 1 个错误") && stderr(&o).contains("--allow-errors"), "{}", stderr(&o));
    assert!(!p.exists(), "nothing is written when publication is refused");
    let o = run(&["convert", "samples/2020-enhe-town.json", "-o", p.to_str().unwrap(), "--allow-errors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    golden(
        &root().join("tests/expected/publish-2020-enhe-town.docx.txt"),
        &common::normalized_package(&std::fs::read(&p).unwrap()),
    );
}

#[test]
fn publication_follows_gb_t_9704() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.docx");
    write_docx(&sample("2021-tongxin-county"), &p);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&p).unwrap()).unwrap();
    let mut part = |n: &str| {
        let mut s = String::new();
        z.by_name(n).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let doc = part("word/document.xml");
    let styles = part("word/styles.xml");
    let footer = part("word/footer1.xml");
    let settings = part("word/settings.xml");
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"), "A4");
    assert!(doc.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\""), "37/26/35/28 mm");
    assert!(
        styles.contains("w:eastAsia=\"方正小标宋简体\"") && styles.contains("<w:sz w:val=\"44\"/>"),
        "title 2号 小标宋"
    );
    assert!(
        styles.contains("w:eastAsia=\"仿宋_GB2312\"")
            && styles.contains("<w:spacing w:line=\"578\" w:lineRule=\"exact\"/>"),
        "body"
    );
    assert!(styles.contains("w:firstLineChars=\"200\""), "2-character indent");
    assert!(styles.contains("w:eastAsia=\"黑体\"") && styles.contains("w:eastAsia=\"楷体_GB2312\""), "headings");
    assert!(footer.contains("— </w:t>") && footer.contains(" PAGE ") && footer.contains("<w:jc w:val=\"right\"/>"));
    assert!(styles.contains("w:eastAsia=\"宋体\"") && styles.contains("<w:sz w:val=\"28\"/>"), "4号 宋体 page number");
    assert!(settings.contains("<w:evenAndOddHeaders/>"));
    assert!(
        doc.contains("<w:vMerge w:val=\"restart\"/>") && doc.contains("<w:gridSpan w:val=\"7\"/>"),
        "official merges"
    );
    assert!(doc.contains(">（一）聚焦重点，全面推进主动公开。"), "sub-heading");
    // Tables (issue 12): 五号 on exact 15 pt lines off the body's line grid,
    // no first-line indent; header rows repeat, rows neither split nor part
    // from the next; punctuation never hangs into the margin.
    let table_style = styles.split("w:styleId=\"TableText\"").nth(1).unwrap().split("</w:style>").next().unwrap();
    assert!(table_style.contains("<w:snapToGrid w:val=\"0\"/>"), "{table_style}");
    assert!(table_style.contains("w:line=\"300\" w:lineRule=\"exact\""), "{table_style}");
    assert!(table_style.contains("w:firstLine=\"0\""), "{table_style}");
    assert!(table_style.contains("<w:sz w:val=\"21\"/>"), "五号: {table_style}");
    assert!(doc.contains("<w:tblHeader/>") && doc.contains("<w:cantSplit/>") && doc.contains("<w:keepNext/>"));
    assert!(styles.contains("<w:overflowPunct w:val=\"0\"/>"), "no hanging punctuation");
    // Issue 21: a （一） paragraph that goes on as body text is body text,
    // its heading phrase alone in 楷体 and not kept with the next paragraph.
    assert!(doc.contains(
        "<w:pStyle w:val=\"Normal\"/></w:pPr><w:r><w:rPr><w:rStyle w:val=\"Heading2Char\"/></w:rPr><w:t xml:space=\"preserve\">（一）聚焦重点，全面推进主动公开。</w:t></w:r><w:r><w:t xml:space=\"preserve\">印发"
    ));
    assert!(!doc.contains("<w:pStyle w:val=\"Heading2\"/>"), "no （一） paragraph of the sample is a heading alone");
    let h2c = styles.split("w:styleId=\"Heading2Char\"").nth(1).unwrap().split("</w:style>").next().unwrap();
    assert!(h2c.contains("w:eastAsia=\"楷体_GB2312\""), "{h2c}");
    // The grid: 28 characters × 22 lines; body text condensed to fill it.
    assert!(doc.contains("<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"579\" w:charSpace=\"-849\"/>"));
    assert!(styles.contains("<w:spacing w:val=\"-6\"/>") && styles.contains("<w:snapToGrid w:val=\"0\"/>"));
    let fonts = part("word/fontTable.xml");
    assert!(fonts.contains("<w:font w:name=\"仿宋_GB2312\"><w:altName w:val=\"仿宋\"/>"), "{fonts}");
}

#[test]
fn the_standard_preamble_is_added_and_control_characters_stripped() {
    let mut r = sample("2021-tongxin-county");
    r.preamble = String::new();
    r.parts.get_mut("p6").unwrap().text = "收费\u{0B}情况\u{1}：无\u{FFFE}。".into();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p.docx");
    write_docx(&r, &p);
    let back = read(&p);
    assert!(
        back.preamble.contains("国办公开办函〔2021〕30号") && back.preamble.contains("2021年1月1日至12月31日"),
        "{}",
        back.preamble
    );
    assert_eq!(back.parts["p6"].text, "收费情况：无。");
}

/// The official blank form, filled by test code the way clerks fill it.
#[test]
fn the_official_form_filled_by_hand_converts() {
    let form =
        std::fs::read(root().join(common::official::FORM)).expect("tests/fixtures/reference/official-form-2021.docx");
    let expected = sample("2021-tongxin-county");
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    // The values in the order the form's empty cells come, table by table.
    let values: Vec<Vec<String>> = (0..3)
        .map(|t| {
            ed.cells
                .iter()
                .filter(|c| c.table == t)
                .map(|c| {
                    let v = expected.value(&c.id).map(|n| n.to_string()).unwrap_or_default();
                    match c.id.as_str() {
                        "t3.new.natural" => "<w:r><w:t>1</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>4</w:t></w:r>".to_string(),
                        "t3.new.total" => "<w:r><w:t>１４</w:t></w:r>".to_string(),
                        "t3.r1.natural" => "<w:del w:id=\"1\" w:author=\"a\"><w:r><w:delText>9</w:delText></w:r></w:del><w:ins w:id=\"2\" w:author=\"a\"><w:r><w:t>12</w:t></w:r></w:ins>".to_string(),
                        "t2.s6.penalty.decisions" => "<w:r><w:t>2967 件</w:t></w:r>".to_string(),
                        "t2.s8.fees.amount" => "<w:r><w:t>1340.5117万元</w:t></w:r>".to_string(),
                        "t2.s6.coercion.decisions" => "<w:r><w:t>-</w:t></w:r>".to_string(),
                        "t4.review.upheld" => String::new(),
                        _ => format!("<w:r><w:t>{v}</w:t></w:r>"),
                    }
                })
                .collect()
        })
        .collect();
    let doc = fill_form(
        &form,
        |xml| {
            let xml =
                xml.replacen("政府信息公开工作年度报告格式模板", "某某县人民政府2021年政府信息公开工作年度报告", 1);
            let xml = xml.replacen("（文字描述）", "本年度，本机关认真贯彻落实《条例》。", 1);
            fill_tables(&xml, &values)
        },
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("filled.docx");
    std::fs::write(&p, doc).unwrap();
    let r = read(&p);
    assert_eq!((r.edition.as_str(), r.organ.as_str(), r.year), ("2021", "某某县人民政府", Some(2021)));
    for c in &ed.cells {
        let want = match c.id.as_str() {
            "t2.s6.coercion.decisions" | "t4.review.upheld" => None,
            _ => expected.value(&c.id),
        };
        assert_eq!(r.value(&c.id), want, "{}", c.id);
    }
    assert_eq!(r.provenance["t2.s6.coercion.decisions"].text, "-");
    assert_eq!(r.provenance["t3.new.natural"].sheet.as_deref(), Some("第2张表格"));
    assert_eq!(r.parts["p1"].text, "本年度，本机关认真贯彻落实《条例》。");
    assert_eq!(r.parts["p5"].text, "", "placeholders are not text");
    let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["READ-REVISIONS"], "{:?}", r.warnings);
    let o = run(&["check", p.to_str().unwrap(), "--format", "json"]);
    let codes = common::finding_codes(&o);
    assert_eq!(codes.iter().filter(|c| *c == "BLANK").count(), 2);
    assert!(codes.iter().any(|c| c == "READ-REVISIONS") && codes.iter().any(|c| c == "PART-EMPTY"));
}

/// The official form filled with every quirk offices leave, in turn over
/// the cells (numbers split across runs, tracked changes, formula fields,
/// comments), and the parts' text under their headings: every cell and
/// part reads back as written. The benchmark's official-form reports
/// (`examples/synth.rs --official`) are made the same way.
#[test]
fn the_official_form_with_every_quirk_reads_back_exactly() {
    let form = std::fs::read(root().join(common::official::FORM)).unwrap();
    let expected = sample("2021-tongxin-county");
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    let doc = common::official::fill_report(&form, &expected, ed, 0);
    // Every fifth cell carries a comment, in the package's comments part.
    let mut comments = String::new();
    zip::ZipArchive::new(std::io::Cursor::new(&doc))
        .unwrap()
        .by_name("word/comments.xml")
        .unwrap()
        .read_to_string(&mut comments)
        .unwrap();
    assert!(comments.matches("<w:comment ").count() > 30);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("filled.docx");
    std::fs::write(&p, doc).unwrap();
    let r = read(&p);
    assert_eq!((r.organ.as_str(), r.year), ("同心县", Some(2021)));
    for c in &ed.cells {
        assert_eq!(r.value(&c.id), expected.value(&c.id), "{}", c.id);
    }
    for p in &ed.parts {
        assert_eq!(r.parts[&p.id].text, expected.parts[&p.id].text, "{}", p.id);
    }
    let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"READ-REVISIONS"), "{codes:?}");
}

/// A minimal package around a document body.
fn docx_with_body(body: &str) -> Vec<u8> {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    );
    let parts = [
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Override PartName=\"/word/main.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>".to_string()),
        // The main part is not word/document.xml: it is found through _rels/.rels.
        ("_rels/.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/word/main.xml\"/></Relationships>".to_string()),
        ("word/main.xml", doc),
    ];
    let mut out = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for (n, d) in parts {
            z.start_file(n, zip::write::SimpleFileOptions::default()).unwrap();
            z.write_all(d.as_bytes()).unwrap();
        }
        z.finish().unwrap();
    }
    out
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

fn tc(text: &str, extra: &str) -> String {
    format!("<w:tc><w:tcPr>{extra}</w:tcPr>{}</w:tc>", p(text))
}

fn tr(cells: &[String], trpr: &str) -> String {
    format!("<w:tr>{trpr}{}</w:tr>", cells.concat())
}

fn tbl(rows: &[String]) -> String {
    format!("<w:tbl>{}</w:tbl>", rows.concat())
}

/// An office-style 2019-edition document: 表二 as one table per block, 表三 in
/// header variant B split over a page break, 表四 with a legacy hMerge,
/// signed words, amounts with units, and loosely written headings.
#[test]
fn an_office_style_document_converts() {
    let gs = |n: u32| format!("<w:gridSpan w:val=\"{n}\"/>");
    let restart = "<w:vMerge w:val=\"restart\"/>";
    let cont = "<w:vMerge/>";
    let mut body = String::new();
    body.push_str(&p("2020年宁河镇政府信息公开工作年度报告"));
    body.push_str(&p("本报告依据《条例》编制。"));
    body.push_str(&p("一、总体情况"));
    body.push_str(&p("2020年，宁河镇……"));
    body.push_str(&p("二、主动公开政府信息情况"));
    type Block<'a> = (&'a str, [&'a str; 3], &'a [(&'a str, [&'a str; 3])]);
    let blocks: &[Block] = &[
        (
            "第二十条第(一)项",
            ["本年新 制作数量", "本年新 公开数量", "对外公开总数量"],
            &[("规章", ["0", "0", "0"]), ("规范性文件", ["1", "1", "6"])],
        ),
        (
            "第二十条第(五)项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            &[("行政许可", ["5", "增 4", "0"]), ("其他对外管理服务事项", ["48", "增 32", "5238"])],
        ),
        (
            "第二十条第(六)项",
            ["上一年项目数量", "本年增/减", "处理决定数量"],
            &[("行政处罚", ["12", "减 5", "0"]), ("行政强制", ["9", "-6", "0"])],
        ),
        ("第二十条第(八)项", ["上一年项目数量", "本年增/减", ""], &[("行政事业性收费", ["1", "减 1", ""])]),
        ("第二十条第(九)项", ["采购项目数量", "采购总金额", ""], &[("政府集中采购", ["3", "6165711 元", ""])]),
    ];
    for (heading, cols, rows) in blocks {
        let mut trs = vec![tr(&[tc(heading, &gs(4))], "")];
        trs.push(tr(&[tc("信息内容", ""), tc(cols[0], ""), tc(cols[1], ""), tc(cols[2], "")], ""));
        for (label, v) in rows.iter() {
            trs.push(tr(&[tc(label, ""), tc(v[0], ""), tc(v[1], ""), tc(v[2], "")], ""));
        }
        body.push_str(&tbl(&trs));
        body.push_str(&p(""));
    }
    body.push_str(&p("三、收到和处理政府信息公开申请情况"));
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2019").unwrap();
    let b = &ed.tables[1].blocks[0];
    let header = vec![
        tr(
            &[
                tc("(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)", &format!("{}{restart}", gs(3))),
                tc("申请人情况", &gs(6)),
                tc("总计", restart),
            ],
            "",
        ),
        tr(
            &[tc("", &format!("{}{cont}", gs(3))), tc("自 然 人", restart), tc("法人或其他组织", &gs(5)), tc("", cont)],
            "",
        ),
        tr(
            &[
                tc("", &format!("{}{cont}", gs(3))),
                tc("", cont),
                tc("商业 企业", ""),
                tc("科研 机构", ""),
                tc("社会公 益组织", ""),
                tc("法律服 务机构", ""),
                tc("其他", ""),
                tc("", cont),
            ],
            "",
        ),
    ];
    let mut first = header.clone();
    let mut second = Vec::new();
    for (ri, leaf) in b.row_leaves.iter().enumerate() {
        let natural = match leaf.label.as_str() {
            "一、本年新收政府信息公开申请数量" | "（七）总计" => "3",
            "（一）予以公开" => "2",
            "1.本机关不掌握相关政府信息" => "1",
            _ => "0",
        };
        let mut values: Vec<String> = vec![tc(natural, "")];
        values.extend((0..5).map(|_| tc("0", "")));
        values.push(tc(natural, ""));
        let label = leaf.label.replace('（', "(").replace('）', ")");
        if ri < 12 {
            let mut cells = vec![tc(&label, &gs(3))];
            cells.extend(values);
            first.push(tr(&cells, ""));
        } else {
            // After the page break the rows restart at the item column.
            let mut cells = vec![tc(&label, "")];
            cells.extend(values);
            second.push(tr(&cells, "<w:trPr><w:gridBefore w:val=\"2\"/></w:trPr>"));
        }
    }
    body.push_str(&tbl(&first));
    body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
    body.push_str(&tbl(&second));
    body.push_str(&p("四、因政府信息公开工作被申请行政复议提起行政诉讼情况"));
    let five = ["结 果 维 持", "结 果 纠 正", "其 他 结 果", "尚 未 审 结", "总 计"];
    let hmerge =
        |first: bool| if first { "<w:hMerge w:val=\"restart\"/>".to_string() } else { "<w:hMerge/>".to_string() };
    let mut h0: Vec<String> = (0..5).map(|i| tc(if i == 0 { "行政复议" } else { "" }, &hmerge(i == 0))).collect();
    h0.push(tc("行政诉讼", &gs(10)));
    let mut h1: Vec<String> = five.iter().map(|l| tc(l, restart)).collect();
    h1.push(tc("未经复议直接起诉", &gs(5)));
    h1.push(tc("复议后起诉", &gs(5)));
    let mut h2: Vec<String> = (0..5).map(|_| tc("", cont)).collect();
    h2.extend(five.iter().chain(five.iter()).map(|l| tc(l, "")));
    let d: Vec<String> = (0..15).map(|i| tc(if i < 5 { "" } else { "0" }, "")).collect();
    body.push_str(&tbl(&[tr(&h0, ""), tr(&h1, ""), tr(&h2, ""), tr(&d, "")]));
    body.push_str(&p("五、存在的主要问题及改进情况。我镇的问题是宣传不够。"));
    body.push_str(&p("6、 其他需要报告的事项"));
    body.push_str(&p("无。"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("office.docx");
    std::fs::write(&path, docx_with_body(&body)).unwrap();
    let r = read(&path);
    assert_eq!((r.edition.as_str(), r.organ.as_str(), r.year), ("2019", "宁河镇", Some(2020)));
    let v = |id: &str| r.value(id).map(|n| n.to_string());
    assert_eq!(v("t2.s1.normative.published_total").as_deref(), Some("6"));
    assert_eq!(v("t2.s5.license.change").as_deref(), Some("4"));
    assert_eq!(v("t2.s5.other_services.change").as_deref(), Some("32"));
    assert_eq!(v("t2.s6.penalty.change").as_deref(), Some("-5"));
    assert_eq!(v("t2.s6.coercion.change").as_deref(), Some("-6"));
    assert_eq!(v("t2.s8.fees.change").as_deref(), Some("-1"));
    assert_eq!(v("t2.s9.procurement.amount").as_deref(), Some("6165711"));
    assert_eq!(v("t3.new.natural").as_deref(), Some("3"));
    assert_eq!(v("t3.new.total").as_deref(), Some("3"));
    assert_eq!(v("t3.r4_1.natural").as_deref(), Some("1"), "row after the page break");
    assert_eq!(v("t3.r7.total").as_deref(), Some("3"));
    assert_eq!(v("t3.carry_out.other").as_deref(), Some("0"));
    assert_eq!(v("t4.after_review.total").as_deref(), Some("0"));
    assert_eq!(v("t4.review.upheld"), None);
    assert_eq!(r.cells.values().filter(|x| x.is_none()).count(), 5, "only 行政复议 is blank");
    assert_eq!(r.parts["p4"].heading, "四、因政府信息公开工作被申请行政复议提起行政诉讼情况");
    assert_eq!(r.parts["p5"].text, "我镇的问题是宣传不够。");
    assert_eq!(r.parts["p6"].heading, "6、 其他需要报告的事项");
    assert_eq!(r.parts["p6"].text, "无。");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let o = run(&["check", path.to_str().unwrap(), "--format", "json"]);
    let codes = common::finding_codes(&o);
    // The five blank 行政复议 cells: one finding naming them all.
    // Part 五 says one short sentence (10 characters): P5-TOO-SHORT (issue 23).
    assert_eq!(codes, ["BLANK", "P5-TOO-SHORT"]);
    assert_eq!(common::blank_cells(&o), 5);
}

#[test]
fn a_document_without_tables_still_gives_its_text() {
    let body = [
        p("某某乡2021年政府信息公开工作年度报告"),
        p("一、总体情况"),
        p("本乡……"),
        p("五、存在的主要问题及改进情况"),
        p("无。"),
    ]
    .concat();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notables.docx");
    std::fs::write(&path, docx_with_body(&body)).unwrap();
    let r = read(&path);
    assert_eq!((r.edition.as_str(), r.year), ("2021", Some(2021)));
    assert_eq!(r.parts["p1"].text, "本乡……");
    assert!(r.cells.values().all(Option::is_none));
    let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["READ-TABLE-NOT-FOUND"]);
    let o = run(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("文档中没有表格"));
}

#[test]
fn bad_word_files_get_a_clear_message_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    let cfb = common::cfb;
    let deep = format!("{}{}", "<w:tbl><w:tr><w:tc>".repeat(1000), "</w:tc></w:tr></w:tbl>".repeat(1000));
    let cases = [
        (put("a.doc", &cfb("WordDocument")), "另存为"),
        (put("a.wps", b"\xD0\xCF\x11\xE0"), "另存为"),
        (put("encrypted.docx", &cfb("EncryptedPackage")), "设置了打开密码"),
        (put("legacy.docx", &cfb("WordDocument")), "另存为"),
        (put("text.docx", b"just some text"), "不是有效的 .docx 文件"),
        (put("deep.docx", &docx_with_body(&deep)), "嵌套"),
        (put("doctype.docx", &docx_with_body("<!DOCTYPE x>")), "DOCTYPE"),
    ];
    common::assert_refused(&cases);
}

#[test]
#[ignore = "needs LibreOffice"]
fn libreoffice_resaved_documents_read_back_identically() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lo");
    std::fs::create_dir_all(&out).unwrap();
    let r = sample("2021-tongxin-county");
    let p = dir.path().join("publish.docx");
    write_docx(&r, &p);
    let back = read(&common::resave(&p, "docx:MS Word 2007 XML", &out));
    assert_eq!(back.content(), r.content(), "publication docx after LibreOffice");
    // The filled template (Word template with values), re-saved.
    let t = dir.path().join("tpl.docx");
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap();
    std::fs::write(&t, render(&r, ed, Purpose::Template).unwrap()).unwrap();
    let back = read(&common::resave(&t, "docx:MS Word 2007 XML", &out));
    assert_eq!(back.content(), r.content(), "filled template after LibreOffice");
    // And the publication document converts to PDF.
    let pdf = common::resave(&p, "pdf", &out);
    assert!(std::fs::metadata(&pdf).unwrap().len() > 10_000);
}

/// A filled Word template reads back as its report: the 【填写说明】 guidance
/// paragraphs (long ones too) are not part of the text.
#[test]
fn a_filled_word_template_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let eds = Editions::builtin().unwrap();
    for s in ["2021-tongxin-county", "2020-enhe-town"] {
        let r = sample(s);
        let ed = eds.resolve(&r, None).unwrap();
        let p = dir.path().join(format!("{s}.docx"));
        std::fs::write(&p, render(&r, ed, Purpose::Template).unwrap()).unwrap();
        assert_eq!(read(&p).content(), r.content(), "{s}");
    }
}

/// Independent of our edition file: the tables of xxgk's 2021 Word template
/// and publication document have exactly the official blank form's label
/// cells — the same text (up to spaces and line breaks), at the same grid
/// positions, with the same row and column spans. A wrong label or merge in
/// templates/2021.toml would round-trip through our own writer and reader,
/// but not through this test.
#[test]
fn the_2021_tables_are_the_official_forms() {
    use xxgk::read::doc::Item;
    let eds = Editions::builtin().unwrap();
    let opts = xxgk::read::ReadOptions::new(&eds);
    /// A label cell: row, column, row span, column span, key of its text.
    type Label = (u32, u32, u32, u32, String);
    let labels = |path: &std::path::Path| -> Vec<Vec<Label>> {
        let bytes = std::fs::read(path).unwrap();
        let doc = xxgk::read::document(xxgk::read::InputKind::Docx, path, bytes, opts).unwrap();
        doc.body
            .iter()
            .filter_map(|i| match i {
                Item::Table(t) => Some(
                    t.cells
                        .iter()
                        .filter(|c| !c.text.trim().is_empty() && c.text.trim().parse::<f64>().is_err())
                        .map(|c| (c.row, c.col, c.rowspan, c.colspan, xxgk::labels::key(&c.text)))
                        .collect(),
                ),
                Item::Para(_) => None,
            })
            .collect()
    };
    let form = labels(&root().join("tests/fixtures/reference/official-form-2021.docx"));
    assert_eq!(form.len(), 3, "the form has three tables");
    assert_eq!(form.iter().map(Vec::len).collect::<Vec<_>>(), [20, 40, 19], "label cells of the form");
    let dir = tempfile::tempdir().unwrap();
    for (what, args) in [
        ("template", vec!["template", "--year", "2021", "--organ", "测试机关"]),
        ("publication", vec!["convert", "samples/2021-tongxin-county.json"]),
    ] {
        let out = dir.path().join(format!("{what}.docx"));
        let mut args = args.clone();
        args.extend(["-o", out.to_str().unwrap()]);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(labels(&out), form, "{what}");
    }
}
