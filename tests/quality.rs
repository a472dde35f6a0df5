//! Part-quality rules (`[[quality]]` of the edition files): what each reads
//! and what it leaves alone, beyond the pass/fail fixtures of tests/rules/.

use xxgk::check::{check, Finding};
use xxgk::edition::{Edition, Editions};
use xxgk::model::{Number, Part, Report};

/// A consistent 2021 report of 同心县 for 2021 (every cell 0), with the
/// given preamble and parts 五 and 六.
fn report(preamble: &str, p5: &str, p6: &str) -> (Report, Edition) {
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap().clone();
    let mut r = ed.blank_report("同心县", Some(2021));
    for c in &ed.cells {
        r.cells.insert(c.id.clone(), Some(Number::ZERO));
    }
    r.preamble = preamble.into();
    for p in &ed.parts {
        let text = match p.id.as_str() {
            "p5" => p5,
            "p6" => p6,
            _ => "有内容。",
        };
        r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: text.into() });
    }
    (r, ed)
}

fn codes(r: &Report, ed: &Edition, prefix: &str) -> Vec<Finding> {
    check(r, ed, None).into_iter().filter(|f| f.code.starts_with(prefix)).collect()
}

const PERIOD: &str = "根据2019年5月15日起施行的《中华人民共和国政府信息公开条例》和自2021年1月1日起施行的《政府信息公开信息处理费管理办法》编制本报告。本报告所列数据的统计期限为2021年1月1日至2021年12月31日。";

#[test]
fn the_preamble_year_is_read_where_the_form_puts_it() {
    let (r, ed) = report(PERIOD, "问题。", "无。");
    assert!(codes(&r, &ed, "PREAMBLE").is_empty(), "the 条例's 2019 is not the report's year");
    let (mut r, ed) = report(PERIOD, "问题。", "无。");
    r.year = Some(2022);
    let f = codes(&r, &ed, "PREAMBLE-YEAR");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].message,
        "开头部分写的是2021年（“2021年1月1日至”），报告年度是2022年，请核实是否沿用了其他年度的报告"
    );
    // A regulation's date is not the period.
    let (mut r, ed) = report("根据自2021年1月1日起施行的《政府信息公开信息处理费管理办法》编制。", "问题。", "无。");
    r.year = Some(2022);
    assert!(codes(&r, &ed, "PREAMBLE-YEAR").is_empty());
    // Without a year there is nothing to compare with (META-YEAR says so).
    r.year = None;
    assert!(codes(&r, &ed, "PREAMBLE-YEAR").is_empty());
    // The quoted title, spaces and all.
    let (mut r, ed) = report("现发布《同心县 2020 年政府信息公开工作年度报告》。", "问题。", "无。");
    r.year = Some(2021);
    assert_eq!(codes(&r, &ed, "PREAMBLE-YEAR").len(), 1);
}

#[test]
fn the_preamble_organ_is_read_from_the_title_and_the_contact() {
    for ok in [
        "现发布《同心县2021年政府信息公开工作年度报告》。",
        "如有疑问，可与同心县人民政府政务公开办公室联系。",
        "如对本报告有疑问，请与我局办公室联系。",
        "如对本报告有疑问，请与本机关联系。",
        "本报告由县政府办公室编制。",
        "如对本报告有疑问，请与县政府办公室联系。",
        "如对本报告有疑问，请与政务公开办公室联系。",
    ] {
        let (r, ed) = report(ok, "问题。", "无。");
        let f = codes(&r, &ed, "PREAMBLE-ORGAN");
        assert!(f.is_empty(), "{ok}: {f:#?}");
    }
    for wrong in [
        "现发布《海原县2021年政府信息公开工作年度报告》。",
        "如对本报告有疑问，请与海原县人民政府办公室联系（电话：0953-1234567）。",
    ] {
        let (r, ed) = report(wrong, "问题。", "无。");
        let f = codes(&r, &ed, "PREAMBLE-ORGAN");
        assert_eq!(f.len(), 1, "{wrong}: {f:#?}");
        assert!(f[0].message.contains("“海原县") && f[0].message.contains("报告的机关是“同心县”"), "{}", f[0].message);
    }
}

#[test]
fn part_five_must_say_more_than_none() {
    for none in ["无", "无。", " 暂无。 ", "没有。"] {
        let (r, ed) = report(PERIOD, none, "无。");
        let f = codes(&r, &ed, "P5-ONLY-NONE");
        assert_eq!(f.len(), 1, "{none:?}");
        assert_eq!(f[0].row.as_deref(), Some("五、存在的主要问题及改进情况"));
    }
    for some in ["无明显问题，但政策解读还不够深入。", "一是解读不够。"] {
        let (r, ed) = report(PERIOD, some, "无。");
        assert!(codes(&r, &ed, "P5-ONLY-NONE").is_empty(), "{some}");
    }
    // Empty is PART-EMPTY's (an error), not a second finding.
    let (r, ed) = report(PERIOD, "", "无。");
    assert!(codes(&r, &ed, "P5-ONLY-NONE").is_empty());
    assert_eq!(codes(&r, &ed, "PART-EMPTY").len(), 1);
}

#[test]
fn fee_notices_are_reported_in_part_six() {
    let (mut r, ed) = report(PERIOD, "问题。", "无。");
    assert!(codes(&r, &ed, "P6-").is_empty(), "no fee notices, nothing to report");
    // Review finding 8: 表二（八） 行政事业性收费 is the organ's own fee
    // items, not 信息处理费: part 六 need not mention it.
    r.cells.insert("t2.s8.fees.amount".into(), Some(Number::parse_lenient("12.5").unwrap()));
    assert!(codes(&r, &ed, "P6-").is_empty(), "行政事业性收费 is not 信息处理费");
    // Fee notices not paid (表三（六）2) mean notices were sent.
    r.cells.insert("t3.r6_2.total".into(), Some(Number::from_i64(2)));
    let f = codes(&r, &ed, "P6-FEES-UNREPORTED");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].cells, ["t3.r6_2.total"]);
    assert!(f[0].message.starts_with("表三"), "{}", f[0].message);
    for said in ["本年未收取信息处理费。", "收费情况：无。", "未产生任何费用。"] {
        r.parts.get_mut("p6").unwrap().text = said.into();
        assert!(codes(&r, &ed, "P6-").is_empty(), "{said}");
    }
}

#[test]
fn a_mistake_in_the_edition_data_is_named_when_loading() {
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/2021.toml")).unwrap();
    for (extra, says) in [
        ("[[narrative]]\nwhat = \"x\"\ncells = [\"t9.nope\"]\nunits = [\"件\"]\nphrases = [\"收到{n}\"]\n", "t9.nope"),
        ("[[narrative]]\nwhat = \"x\"\ncells = [\"t3.new.total\"]\nunits = [\"件\"]\nphrases = [\"收到…\"]\n", "{n}"),
        ("[[narrative]]\nwhat = \"x\"\ncells = [\"prev:t3.new.total\"]\nunits = [\"件\"]\nphrases = [\"收到{n}\"]\n", "本年"),
        ("[[quality]]\ncode = \"Q-X\"\nseverity = \"warning\"\ntitle = \"x\"\npart = \"p9\"\nonly = [\"无\"]\n", "p9"),
        ("[[quality]]\ncode = \"Q-X\"\nseverity = \"warning\"\ntitle = \"x\"\npart = \"p5\"\nonly = [\"无\"]\nmentions = [\"费\"]\n", "只用"),
        ("[[quality]]\ncode = \"Q-X\"\nseverity = \"warning\"\ntitle = \"x\"\npart = \"preamble\"\nstates = [\"请与{organ}联系\"]\ncompare = \"year\"\n", "{year}"),
        ("[[quality]]\ncode = \"Q-X\"\nseverity = \"warning\"\ntitle = \"x\"\npart = \"p5\"\nonly = [\"无\"]\nciting = [\"根据\"]\n", "citing"),
        ("[[quality]]\ncode = \"T3-BALANCE\"\nseverity = \"warning\"\ntitle = \"x\"\npart = \"p5\"\nonly = [\"无\"]\n", "重复"),
    ] {
        let text = format!("{base}\n{extra}");
        let e = Edition::compile("x.toml", &text).expect_err(extra).to_string();
        assert!(e.contains("x.toml") && e.contains(says), "{extra}: {e}");
    }
}

/// Review finding 9: a preamble that states the report's year and also
/// another year's period or report is not a copied preamble.
#[test]
fn another_years_period_or_report_beside_this_years_is_fine() {
    for preamble in [
        "本报告所列数据的统计期限为2020年1月1日至2020年12月31日，2019年1月1日至2019年12月31日的数据见上年报告。",
        "本报告所列数据的统计期限为2020年1月1日至2020年12月31日。根据《中宁县恩和镇2019年政府信息公开工作年度报告》所提问题，逐项整改。",
        "根据《中宁县恩和镇2019年政府信息公开工作年度报告》所提问题，逐项整改。",
    ] {
        let (mut r, ed) = report(preamble, "问题。", "无。");
        r.year = Some(2020);
        let f = codes(&r, &ed, "PREAMBLE-YEAR");
        assert!(f.is_empty(), "{preamble}: {f:#?}");
    }
    // A preamble that states only another year still warns.
    for preamble in [
        "本报告所列数据的统计期限为2019年1月1日至2019年12月31日。",
        "本报告所列数据的统计期限为2019年1月1日至2019年12月31日。根据《中宁县恩和镇2018年政府信息公开工作年度报告》所提问题，逐项整改。",
    ] {
        let (mut r, ed) = report(preamble, "问题。", "无。");
        r.year = Some(2020);
        let f = codes(&r, &ed, "PREAMBLE-YEAR");
        assert_eq!(f.len(), 1, "{preamble}: {f:#?}");
        assert!(f[0].message.starts_with("开头部分写的是2019年（“2019年1月1日至”）"), "{}", f[0].message);
    }
}
