//! Narrative vs tables (NARR-MISMATCH) and the part-quality rules, on every
//! real report text in the repository: the three samples, the three seed
//! texts they were made from (read by the text reader) and the two real
//! published reports (their layout text). Every number the checker reads
//! from the words is listed here, so a change in what it reads — more or
//! fewer statements, another cell — shows up as a failing test.

mod common;

use common::{read_report, root};
use xxgk::check::narrative::{statements, Statement};
use xxgk::check::{check, Finding};
use xxgk::edition::{Edition, Editions};
use xxgk::model::{Number, Report};

const CORPUS: [&str; 8] = [
    "samples/2020-enhe-town.json",
    "samples/2020-zhongning-civil-affairs.json",
    "samples/2021-tongxin-county.json",
    "tests/fixtures/seeds/000_b00044dcea53e454.txt",
    "tests/fixtures/seeds/001_d30c6bb9e8db6bc5.txt",
    "tests/fixtures/seeds/003_366708d6a3d1c052.txt",
    "tests/fixtures/real/2023-hongze-district.layout.txt",
    "tests/fixtures/real/2024-huaian-city.layout.txt",
];

/// The new codes of issue 10's parts 1 and 4.
const WORD_CODES: [&str; 5] =
    ["NARR-MISMATCH", "P5-ONLY-NONE", "P6-FEES-UNREPORTED", "PREAMBLE-YEAR", "PREAMBLE-ORGAN"];

fn load(path: &str) -> (Report, Edition) {
    let eds = Editions::builtin().unwrap();
    let r = read_report(&root().join(path));
    let ed = eds.resolve(&r, None).unwrap().clone();
    (r, ed)
}

/// `part | what | as written | table` for one statement.
fn line(s: &Statement) -> String {
    let table = s.table.map_or_else(|| "空白".to_string(), |t| t.to_string());
    format!("{} | {} | {} | {}", s.part, s.what, s.written, table)
}

#[test]
fn every_number_read_from_the_real_texts() {
    let expected: [(&str, &[&str]); 8] = [
        ("samples/2020-enhe-town.json", &[]),
        ("samples/2020-zhongning-civil-affairs.json", &[]),
        (
            "samples/2021-tongxin-county.json",
            &["p1 | 本年新收政府信息公开申请数 | 14件 | 14", "p6 | 本年新收政府信息公开申请数 | 14件 | 14"],
        ),
        ("tests/fixtures/seeds/000_b00044dcea53e454.txt", &[]),
        ("tests/fixtures/seeds/001_d30c6bb9e8db6bc5.txt", &[]),
        (
            "tests/fixtures/seeds/003_366708d6a3d1c052.txt",
            &["p1 | 本年新收政府信息公开申请数 | 14件 | 14", "p6 | 本年新收政府信息公开申请数 | 14件 | 14"],
        ),
        ("tests/fixtures/real/2023-hongze-district.layout.txt", &["p1 | 本年新收政府信息公开申请数 | 21件 | 21"]),
        (
            "tests/fixtures/real/2024-huaian-city.layout.txt",
            &[
                "p1 | 本年新收政府信息公开申请数 | 3119件 | 3119",
                "p1 | 本年度办结（答复）的申请数 | 3050件 | 3050",
                "p1 | 上年结转政府信息公开申请数 | 34件 | 34",
                "p1 | 结转下年度继续办理的申请数 | 103件 | 103",
                "p1 | 政府信息公开行政复议数 | 351件 | 351",
                "p1 | 政府信息公开行政诉讼数 | 46件 | 46",
            ],
        ),
    ];
    let mut report = Vec::new();
    for (path, want) in expected {
        let (r, ed) = load(path);
        let got: Vec<String> = statements(&r, &ed).iter().map(line).collect();
        report.push(format!("{path}: {got:#?}"));
        assert_eq!(got, want, "{path}");
    }
    println!("{}", report.join("\n"));
    assert_eq!(expected.map(|e| e.0), CORPUS);
}

/// No finding of the new rules on any real text. 同心县's “我县现行有效规范性
/// 文件 27 个” (表二: 30) stands in a paragraph about the clean-up (清理) of
/// every issuer's documents: a count at the clean-up's date (27 + the 3 issued
/// this year = 30), which the edition's `unless = ["清理"]` leaves alone.
#[test]
fn findings_on_the_real_texts() {
    for path in CORPUS {
        let (r, ed) = load(path);
        let found: Vec<Finding> =
            check(&r, &ed, None).into_iter().filter(|f| WORD_CODES.contains(&f.code.as_str())).collect();
        assert!(found.is_empty(), "{path}: {found:#?}");
    }
}

/// A 2021 report of 2021 whose tables say: 14 new, 2 carried in, 12
/// answered, 4 carried out, 行政复议 1, 行政诉讼 2 + 1, 3 规范性文件 issued,
/// 行政事业性收费 1340.5117 万元.
fn report_2021(p1: &str) -> (Report, Edition) {
    let eds = Editions::builtin().unwrap();
    let ed = eds.get("2021").unwrap().clone();
    let mut r = ed.blank_report("某县人民政府", Some(2021));
    for c in ed.cells.iter() {
        r.cells.insert(c.id.clone(), Some(Number::ZERO));
    }
    let set = |r: &mut Report, id: &str, v: &str| {
        r.cells.insert(id.to_string(), Some(Number::parse_lenient(v).unwrap()));
    };
    set(&mut r, "t3.new.total", "14");
    set(&mut r, "t3.carry_in.total", "2");
    set(&mut r, "t3.r7.total", "12");
    set(&mut r, "t3.carry_out.total", "4");
    set(&mut r, "t4.review.total", "1");
    set(&mut r, "t4.direct.total", "2");
    set(&mut r, "t4.after_review.total", "1");
    set(&mut r, "t2.s1.normative.issued", "3");
    set(&mut r, "t2.s8.fees.amount", "1340.5117");
    r.parts.insert("p1".into(), xxgk::model::Part { heading: "一、总体情况".into(), text: p1.into() });
    (r, ed)
}

/// The statements of one text: `what written table`.
fn read(p1: &str) -> Vec<String> {
    let (r, ed) = report_2021(p1);
    statements(&r, &ed).iter().map(|s| format!("{} {} {}", s.what, s.written, s.table.unwrap())).collect()
}

fn mismatches(p1: &str) -> Vec<Finding> {
    let (r, ed) = report_2021(p1);
    check(&r, &ed, None).into_iter().filter(|f| f.code == "NARR-MISMATCH").collect()
}

#[test]
fn numbers_in_words_and_figures_are_compared() {
    assert_eq!(read("2021年共收到政府信息公开申请14件。"), ["本年新收政府信息公开申请数 14件 14"]);
    assert_eq!(read("全年共受理十五件政府信息公开申请。"), ["本年新收政府信息公开申请数 十五件 14"]);
    assert_eq!(read("共收到政府信息公开申\n请 1 4 件。"), ["本年新收政府信息公开申请数 14件 14"]);
    assert_eq!(read("本年度收到政府信息公开申请一百零二件。"), ["本年新收政府信息公开申请数 一百零二件 14"]);
    assert_eq!(
        read("上年结转政府信息公开申请2件，另有4件结转下年度继续办理。"),
        ["上年结转政府信息公开申请数 2件 2", "结转下年度继续办理的申请数 4件 4"]
    );
    assert_eq!(
        read("因政府信息公开被申请行政复议1件，被提起行政诉讼4件。"),
        ["政府信息公开行政复议数 1件 1", "政府信息公开行政诉讼数 4件 3"]
    );
    assert_eq!(read("全年制发行政规范性文件3件。"), ["本年制发的行政规范性文件数 3件 3"]);
    assert_eq!(read("收到政府信息公开申请共计15件。"), ["本年新收政府信息公开申请数 15件 14"]);
    assert_eq!(read("受理政府信息公开申请共14件。"), ["本年新收政府信息公开申请数 14件 14"]);
    // Amounts: written in 万元 or 元, rounded or truncated.
    assert_eq!(read("行政事业性收费1340.51万元。"), ["本年行政事业性收费金额 1340.51万元 1340.5117"]);
    assert!(mismatches("行政事业性收费1340.51万元。").is_empty());
    assert!(mismatches("行政事业性收费13405117元。").is_empty());
    assert_eq!(mismatches("行政事业性收费1350万元。").len(), 1);
}

#[test]
fn a_mismatch_names_the_sentence_and_the_cells() {
    let f = mismatches("一、概况。\n二是依法办理。全年共受理十五件政府信息公开申请，均按时答复。");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].message,
        "第一部分“一、总体情况”第2段：“全年共受理十五件政府信息公开申请，均按时答复。”中本年新收政府信息公开申请数写作 十五件，表格中表三一、本年新收政府信息公开申请数量·总计 为 14，请核对正文和表格"
    );
    assert_eq!(f[0].cells, ["t3.new.total"]);
    assert_eq!(f[0].formula.as_deref(), Some("正文 15 ≠ 表格 14"));
    assert_eq!(f[0].difference, Some(Number::from_i64(1)));
    let f = mismatches("2021年，因政府信息公开被提起行政诉讼4件。");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].cells, ["t4.direct.total", "t4.after_review.total"]);
    assert!(f[0].message.contains("之和为 3"), "{}", f[0].message);
}

#[test]
fn ambiguous_sentences_give_no_finding() {
    for text in [
        "全年共收到政府信息公开申请约20件。",
        "全年共收到政府信息公开申请近20件。",
        "全年共收到政府信息公开申请超过20件。",
        "全年共收到政府信息公开申请20余件。",
        "全年共收到政府信息公开申请20多件。",
        "全年共收到政府信息公开申请十余件。",
        "全年共收到政府信息公开申请20件以上。",
        "全年共收到政府信息公开申请20件左右。",
        "全年共收到政府信息公开申请3-5件。",
        "全年共收到政府信息公开申请3至5件。",
        "全年共收到政府信息公开申请三四件。",
        "全年共收到政府信息公开申请十几件。",
        "2020年共收到政府信息公开申请20件。",
        "共收到政府信息公开申请20件，2020年为14件。",
        "较上年多收到政府信息公开申请20件。",
        "同比多收到政府信息公开申请20件。",
        "上年共收到政府信息公开申请20件。",
        "去年收到政府信息公开申请20件。",
        "全县共受理政府信息公开申请14件，县本级受理政府信息公开申请20件。",
        "全县共受理依申请公开事项14件，县本级受理依申请公开事项11项。",
        "收到政府信息公开申请和行政复议申请20件。",
        "被申请行政复议、行政诉讼9件，均与政府信息公开有关。",
        "全年办结群众诉求20件。",
        "全年办理行政复议案件20件。",
        "受理并答复政府信息公开申请20件。",
        "二〇二〇年共收到政府信息公开申请20件。",
        "网上受理政府信息公开申请14件，当面受理政府信息公开申请11件。",
        "上半年共收到政府信息公开申请8件。",
        "第一季度收到政府信息公开申请3件。",
        "县本级收到政府信息公开申请5件。",
        "共收到政府信息公开申请14件，其中县政府办公室收到政府信息公开申请5件。",
        "各乡镇分别收到政府信息公开申请3件。",
    ] {
        let f = mismatches(text);
        assert!(f.is_empty(), "{text}: {f:#?}");
    }
}

/// A comparison in another clause leaves this year's figure standing.
#[test]
fn comparisons_count_in_their_clause_only() {
    assert_eq!(read("共收到政府信息公开申请20件，同比增长42%。"), ["本年新收政府信息公开申请数 20件 14"]);
}

#[test]
fn a_report_without_a_year_compares_only_sentences_without_one() {
    let (mut r, ed) = report_2021("2021年共收到政府信息公开申请20件。共收到政府信息公开申请21件。");
    r.year = None;
    let got: Vec<String> = statements(&r, &ed).iter().map(line).collect();
    assert_eq!(got, ["p1 | 本年新收政府信息公开申请数 | 21件 | 14"]);
}

#[test]
fn counts_of_a_clean_up_are_not_compared() {
    assert!(mismatches("三是清理规范性文件。我县现行有效规范性文件27个，废止45个。").is_empty());
    assert_eq!(mismatches("我县现行有效规范性文件27个。").len(), 1);
}

#[test]
fn a_blank_cell_is_not_compared() {
    let (mut r, ed) = report_2021("共收到政府信息公开申请20件。");
    r.cells.insert("t3.new.total".into(), None);
    let f: Vec<_> = check(&r, &ed, None).into_iter().filter(|f| f.code == "NARR-MISMATCH").collect();
    assert!(f.is_empty(), "{f:#?}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]
    /// Any text made of the pieces the reader cares about (figures, Chinese
    /// numerals, units, the phrase words, hedges, punctuation, line breaks)
    /// is read without a panic, and every statement it yields quotes a
    /// sentence of the text. The same text as preamble runs the quality
    /// rules' wordings.
    #[test]
    fn any_text_is_read_without_panic(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            "收到", "受理", "政府信息公开申请", "依申请公开事项", "上年结转", "结转下年度", "办结", "答复",
            "行政复议", "行政诉讼", "规范性文件", "现行有效", "行政事业性收费", "清理", "信息公开",
            "14", "1,340.5", "3.3万", "0", "十四", "一百零二", "两", "十几", "万", "2020", "2021", "年",
            "件", "个", "项", "万元", "元", "约", "余", "以上", "-", "至", "、", "和", "较", "同比",
            "，", "。", "；", "（", "）", "%", " ", "\n", "《", "》", "…", "请与", "联系", "1月1日",
            "政府信息公开工作年度报告", "海原县", "本",
        ]), 0..40)
    ) {
        let text: String = pieces.concat();
        let (mut r, ed) = report_2021(&text);
        r.preamble = text.clone();
        for s in statements(&r, &ed) {
            let squeezed: String = text.split_whitespace().collect();
            let quoted: String = s.sentence.split_whitespace().collect();
            proptest::prop_assert!(squeezed.contains(&quoted), "{:?} not in {:?}", s.sentence, text);
        }
        let _ = check(&r, &ed, None);
    }
}

/// A future edition is a new file: its own phrases and cells, no code.
#[test]
fn a_future_edition_brings_its_own_phrases() {
    let base = std::fs::read_to_string(root().join("tests/editions/2099.toml")).unwrap();
    let text = format!(
        "{base}\n[[narrative]]\nwhat = \"虚构指标甲件数\"\ncells = [\"t9.a.x.n\"]\nunits = [\"件\"]\n\
         phrases = [\"虚构指标甲…{{n}}\"]\n\n[[narrative]]\nwhat = \"虚构金额\"\n\
         cells = [\"t9.a.x.m\", \"t9.a.y.m\"]\nunits = [\"万元\", \"元\"]\nphrases = [\"虚构金额{{n}}\"]\n"
    );
    let ed = Edition::compile("2099+narrative.toml", &text).unwrap();
    let mut r: Report =
        serde_json::from_value(common::read_json(&root().join("tests/editions/2099-report.json"))).unwrap();
    r.parts.get_mut("p1").unwrap().text = "本年虚构指标甲共五件，虚构金额127500元。".into();
    let r = xxgk::read::conform(r, &ed);
    let got: Vec<String> = statements(&r, &ed).iter().map(line).collect();
    assert_eq!(got, ["p1 | 虚构指标甲件数 | 五件 | 3", "p1 | 虚构金额 | 127500元 | 12.75"]);
    let f: Vec<Finding> = check(&r, &ed, None).into_iter().filter(|f| f.code == "NARR-MISMATCH").collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].cells, ["t9.a.x.n"]);
}

/// Review finding 3: a part of the year's applications — by channel,
/// applicant, several years, a month or a sub-office — is not the year's
/// total (表三: 14).
#[test]
fn a_part_of_the_applications_is_not_the_total() {
    for text in [
        "本年度收到书面信息公开申请3件，网上信息公开申请11件。",
        "本年度通过政府网站收到信息公开申请11件。",
        "本年度收到当面申请信息公开申请5件、信函申请信息公开申请9件。",
        "本年度收到自然人提出的信息公开申请12件，法人或其他组织提出的信息公开申请2件。",
        "近三年共收到政府信息公开申请40件。",
        "自条例施行以来，累计收到政府信息公开申请120件。",
        "12月份收到政府信息公开申请2件。",
        "12月收到政府信息公开申请2件。",
        "县政府办公室收到信息公开申请6件。",
    ] {
        let f = mismatches(text);
        assert!(f.is_empty(), "{text}: {f:#?}");
    }
    // The organ itself, this year so far, and the period's dates still count
    // (累计 is left alone wherever it stands outside the phrase).
    for text in [
        "本办公室共收到政府信息公开申请15件。",
        "今年以来共收到政府信息公开申请15件。",
        "2021年以来共收到政府信息公开申请15件。",
        "2021年1月1日至12月31日共收到政府信息公开申请15件。",
    ] {
        assert_eq!(read(text), ["本年新收政府信息公开申请数 15件 14"], "{text}");
        assert_eq!(mismatches(text).len(), 1, "{text}");
    }
}

/// Review finding 4: answers within a time limit, or in time, are a part of
/// the answers (表三 办结: 12).
#[test]
fn answers_in_time_are_not_all_answers() {
    for text in ["收到信息公开申请后，5个工作日内答复3件。", "全年共收到政府信息公开申请14件，按时答复10件。"]
    {
        let f = mismatches(text);
        assert!(f.is_empty(), "{text}: {f:#?}");
    }
    assert_eq!(
        read("全年共收到政府信息公开申请14件，全部办结10件。"),
        ["本年新收政府信息公开申请数 14件 14", "本年度办结（答复）的申请数 10件 12"]
    );
}

/// Review finding 5: 行政复议/行政诉讼 counts are about 信息公开 only when
/// their clause says so, or an earlier clause stating such a count.
#[test]
fn review_and_litigation_need_context_in_their_clause() {
    let text = "为推进政府信息公开工作，全县共办理行政复议案件25件，行政诉讼案件12件。";
    assert!(mismatches(text).is_empty(), "{:#?}", mismatches(text));
    assert_eq!(
        read("因政府信息公开被申请行政复议1件，被提起行政诉讼4件。"),
        ["政府信息公开行政复议数 1件 1", "政府信息公开行政诉讼数 4件 3"]
    );
    assert_eq!(read("全县涉及政府信息公开的行政诉讼案件5件。"), ["政府信息公开行政诉讼数 5件 3"]);
}

/// Review finding 7: a number written with 万/亿 is as precise as written.
#[test]
fn amounts_in_yi_are_as_precise_as_written() {
    assert!(mismatches("行政事业性收费0.13亿元。").is_empty());
    assert!(mismatches("行政事业性收费1341万元。").is_empty());
    assert_eq!(mismatches("行政事业性收费0.15亿元。").len(), 1);
    assert_eq!(mismatches("行政事业性收费0.1亿元。").len(), 0);
    assert_eq!(mismatches("行政事业性收费1350万元。").len(), 1);
}

/// The repetition rate of every part against last year's report is a
/// figure (evaluators rank by it), and X-SAME-TEXT carries it.
#[test]
fn the_repetition_rate_of_each_part_is_a_figure() {
    let eds = xxgk::edition::Editions::builtin().unwrap();
    let this = common::sample("2021-tongxin-county");
    let ed = eds.get(&this.edition).unwrap();
    let mut last = this.clone();
    last.year = Some(2020);
    last.parts.get_mut("p1").unwrap().text = "全年工作平稳推进。".repeat(20);
    let rates = xxgk::check::repetition(&this, ed, &last);
    assert_eq!(rates.iter().map(|r| r.part.as_str()).collect::<Vec<_>>(), ["p1", "p2", "p3", "p4", "p5", "p6"]);
    let p1 = &rates[0];
    assert!(p1.percent < 10, "{p1:?}");
    assert!(rates[1..].iter().all(|r| r.percent == 100), "{rates:?}");
    let found = xxgk::check::check(&this, ed, Some(xxgk::check::Previous { report: &last, edition: ed }));
    let same: Vec<_> = found.iter().filter(|f| f.code == "X-SAME-TEXT").collect();
    assert!(!same.is_empty());
    assert!(same.iter().all(|f| f.repetition == Some(100) && f.message.contains("100%")), "{same:?}");
}
