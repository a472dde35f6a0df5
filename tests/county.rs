//! A county's year that can be trusted (issue 19): the batch sums reports
//! by report year, never across years; the same report saved twice counts
//! once; two versions of one organ's report count not at all; lock files,
//! system files and zips follow one rule. The totals are compared with sums
//! computed here, independently, from the source files.

mod common;

use common::{read_json, root, run, stderr, stdout};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use xxgk::model::Number;

/// A sample with some fields replaced.
fn variant(sample: &str, organ: &str, year: Option<u32>, cells: &[(&str, i64)]) -> Value {
    let mut v = read_json(&root().join(format!("samples/{sample}.json")));
    v["organ"] = organ.into();
    v["year"] = year.map_or(Value::Null, |y| y.into());
    for (id, n) in cells {
        v["cells"][*id] = (*n).into();
    }
    v
}

fn put(dir: &Path, name: &str, v: &Value) {
    std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
}

/// Cell sums of reports, as the totals should be: a cell no report filled
/// is blank (null), never 0.
fn sums(reports: &[&Value]) -> BTreeMap<String, Option<Number>> {
    let mut out: BTreeMap<String, Option<Number>> = BTreeMap::new();
    for r in reports {
        for (id, v) in r["cells"].as_object().unwrap() {
            let slot = out.entry(id.clone()).or_insert(None);
            if !v.is_null() {
                let n: Number = serde_json::from_value(v.clone()).unwrap();
                *slot = Some(slot.unwrap_or(Number::ZERO).checked_add(n).unwrap());
            }
        }
    }
    out
}

fn cells_of(v: &Value) -> BTreeMap<String, Option<Number>> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.clone(), if x.is_null() { None } else { Some(serde_json::from_value(x.clone()).unwrap()) }))
        .collect()
}

#[test]
fn a_county_folder_is_summed_by_year_each_report_once() {
    let work = tempfile::tempdir().unwrap();
    let county = work.path().join("county");
    std::fs::create_dir_all(&county).unwrap();
    let tongxin = read_json(&root().join("samples/2021-tongxin-county.json"));
    put(&county, "同心县.json", &tongxin);
    // The same report, saved again as Word: counted once.
    let o =
        run(&["convert", "samples/2021-tongxin-county.json", "-o", county.join("同心县-副本.docx").to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Another organ of 2021, with other numbers: counted.
    let finance =
        variant("2021-tongxin-county", "某县财政局", Some(2021), &[("t3.new.natural", 3), ("t3.r1.natural", 1)]);
    put(&county, "财政局.json", &finance);
    // Two versions of one organ's 2021 report: neither counted.
    put(
        &county,
        "民政局-初稿.json",
        &variant("2021-tongxin-county", "某县民政局", Some(2021), &[("t3.new.natural", 7)]),
    );
    put(
        &county,
        "民政局-定稿.json",
        &variant("2021-tongxin-county", "某县民政局", Some(2021), &[("t3.new.natural", 8)]),
    );
    // Stray reports of other years: their own totals.
    let edu = variant("2021-tongxin-county", "某县教育局", Some(2022), &[]);
    put(&county, "教育局2022.json", &edu);
    let health = variant("2021-tongxin-county", "某县卫健委", Some(2023), &[("t3.new.natural", 2)]);
    put(&county, "卫健委2023.json", &health);
    // A report of unknown year: counted nowhere.
    std::fs::copy(root().join("samples/broken-2021.json"), county.join("年度不明.json")).unwrap();
    // What is not a report.
    std::fs::write(county.join("Thumbs.db"), b"x").unwrap();
    std::fs::write(county.join("~$同心县.docx"), b"lock").unwrap();
    std::fs::write(county.join("照片.jpg"), b"\xff\xd8").unwrap();
    // A township's zip: its report is read like a file; a zip inside is not opened.
    let enhe = read_json(&root().join("samples/2020-enhe-town.json"));
    {
        let f = std::fs::File::create(county.join("乡镇.zip")).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default();
        z.start_file("乡镇/恩和镇2020.json", opts).unwrap();
        z.write_all(serde_json::to_string(&enhe).unwrap().as_bytes()).unwrap();
        z.start_file("乡镇/旧.zip", opts).unwrap();
        z.write_all(b"PK\x05\x06").unwrap();
        z.start_file("__MACOSX/乡镇/._恩和镇2020.json", opts).unwrap();
        z.write_all(b"x").unwrap();
        z.finish().unwrap();
    }

    let out = work.path().join("out");
    let o = run(&["batch", county.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let said = stdout(&o);
    assert!(said.contains("汇总（按报告年度分别汇总）：2020年 1 份，2021年 2 份，2022年 1 份，2023年 1 份"), "{said}");
    assert!(said.contains("个跳过") && said.contains("未计入汇总"), "{said}");

    let summary = read_json(&out.join("summary.json"));
    let totals = summary["totals"].as_array().unwrap();
    let want: Vec<(u32, &str, Vec<&str>, Vec<&Value>)> = vec![
        (2020, "2019", vec!["乡镇.zip/乡镇/恩和镇2020.json"], vec![&enhe]),
        (2021, "2021", vec!["同心县-副本.docx", "财政局.json"], vec![&tongxin, &finance]),
        (2022, "2021", vec!["教育局2022.json"], vec![&edu]),
        (2023, "2021", vec!["卫健委2023.json"], vec![&health]),
    ];
    assert_eq!(totals.len(), want.len(), "{totals:?}");
    for (t, (year, edition, sources, reports)) in totals.iter().zip(&want) {
        assert_eq!(t["year"], *year);
        assert_eq!(t["edition"], *edition);
        let got: BTreeSet<String> = t["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().rsplit_once("county/").map_or("", |(_, n)| n).to_string())
            .collect();
        let expected: BTreeSet<String> = sources.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, expected, "{year}");
        assert_eq!(cells_of(&t["cells"]), sums(reports), "{year}: the totals are the sums of its reports");
    }
    // The one of the two identical 同心县 reports that comes first counts;
    // the other is listed as 重复, both 民政局 versions as 冲突.
    let why = |name: &str| -> String {
        summary["not_counted"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["source"].as_str().unwrap().ends_with(name))
            .map(|r| r["why"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{name} not listed as not counted"))
    };
    assert!(why("/同心县.json").starts_with("重复"), "{}", why("/同心县.json"));
    assert!(why("民政局-初稿.json").starts_with("冲突") && why("民政局-初稿.json").contains("民政局-定稿.json"));
    assert!(why("民政局-定稿.json").starts_with("冲突"));
    assert!(why("年度不明.json").contains("年度不明"));
    for skipped in ["Thumbs.db", "~$同心县.docx", "照片.jpg", "乡镇/旧.zip", "._恩和镇2020.json"] {
        let row =
            summary["reports"].as_array().unwrap().iter().find(|r| r["source"].as_str().unwrap().ends_with(skipped));
        let row = row.unwrap_or_else(|| panic!("{skipped} has no row"));
        assert_eq!(row["status"], "跳过", "{skipped}: {row}");
        assert!(!row["reason"].as_str().unwrap().is_empty());
    }
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    assert_eq!(findings.matches(",BATCH-DUPLICATE,").count(), 2, "{findings}");
    assert_eq!(findings.matches(",BATCH-CONFLICT,").count(), 2, "{findings}");
    for year in [2020, 2021, 2022, 2023] {
        assert!(out.join(format!("totals-{year}.csv")).exists(), "totals-{year}.csv");
    }
    // The same batch in this process gives the same summary, byte for byte.
    let inproc = work.path().join("out2");
    let o = run(&["batch", county.to_str().unwrap(), "-o", inproc.to_str().unwrap(), "--no-isolation"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    for f in ["summary.json", "summary.xlsx", "submissions.csv", "findings.csv"] {
        assert!(std::fs::read(out.join(f)).unwrap() == std::fs::read(inproc.join(f)).unwrap(), "{f} differs");
    }
}

#[test]
fn a_template_is_prefilled_only_from_the_same_organs_report_of_the_year_before() {
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(n).display().to_string();
    let last = "samples/2021-tongxin-county.json";
    // Another organ's report, or another year's: refused, saying what was
    // given and what is expected.
    for (organ, year) in [("某某县民政局", "2022"), ("同心县", "2025")] {
        let o = run(&["template", "--year", year, "--organ", organ, "--previous", last, "-o", &out("t.xlsx")]);
        assert_eq!(o.status.code(), Some(2), "{organ} {year}");
        let e = stderr(&o);
        assert!(
            e.contains("同心县2021年的报告") && e.contains(&format!("{organ}{year}年")) && e.contains("--previous-any"),
            "{e}"
        );
        assert!(!dir.path().join("t.xlsx").exists());
    }
    // With the override, as asked.
    let o = run(&[
        "template",
        "--year",
        "2025",
        "--organ",
        "某某县民政局",
        "--previous",
        last,
        "--previous-any",
        "-o",
        &out("any.xlsx"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The same organ's report of the year before: prefilled.
    let o = run(&["template", "--year", "2022", "--organ", "同心县", "--previous", last, "-o", &out("ok.xlsx")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["convert", &out("ok.xlsx")]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let prev = read_json(&root().join(last));
    assert_eq!(v["cells"]["t3.carry_in.total"], prev["cells"]["t3.carry_out.total"]);
}

#[test]
fn a_report_with_errors_is_not_published_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    for ext in ["docx", "html", "pdf"] {
        let target = dir.path().join(format!("公开版.{ext}"));
        let o = run(&["convert", "samples/broken-2021.json", "-o", target.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{ext}");
        let e = stderr(&o);
        assert!(e.contains("有 1 个错误") && e.contains("--allow-errors") && e.contains("xxgk check"), "{ext}: {e}");
        assert!(!target.exists(), "{ext}: nothing written");
    }
    // Allowed: the publication says it was made with errors.
    let html = dir.path().join("公开版.html");
    let o = run(&["convert", "samples/broken-2021.json", "-o", html.to_str().unwrap(), "--allow-errors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(text.contains("<meta name=\"xxgk_published_with_errors\" content=\"1\">"), "{text}");
    // A report without errors is published without a word; data outputs
    // (JSON, CSV, the workbook) are never gated.
    let o = run(&["convert", "samples/2021-tongxin-county.json", "--to", "html"]);
    assert!(o.status.success() && !stdout(&o).contains("xxgk_published_with_errors"));
    for to in ["json", "csv", "xlsx"] {
        let o = run(&[
            "convert",
            "samples/broken-2021.json",
            "--to",
            to,
            "-o",
            dir.path().join(format!("d.{to}")).to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{to}: {}", stderr(&o));
    }
}

#[test]
fn an_unreadable_last_year_report_does_not_stop_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("上年.docx");
    std::fs::write(&bad, b"not a docx").unwrap();
    let o = run(&["check", "samples/2021-tongxin-county.json", "--previous", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let s = stdout(&o);
    assert!(s.contains("X-PREV-UNREADABLE") && s.contains("上年.docx") && s.contains("未做跨年度检查"), "{s}");
    let o =
        run(&["check", "samples/2021-tongxin-county.json", "--previous", bad.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["findings"][0]["code"], "X-PREV-UNREADABLE");
    assert!(v[0].get("previous").is_none(), "{v}");
}

#[test]
#[ignore = "needs LibreOffice and poppler-utils"]
fn a_pdf_published_with_errors_says_so() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui");
    common::require("pdfinfo", &["-v"], "apt-get install poppler-utils");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("公开版.pdf");
    let o = run(&["convert", "samples/broken-2021.json", "-o", pdf.to_str().unwrap(), "--allow-errors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let info = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("xxgk_published_with_errors=1"), "{info}");
}

#[test]
fn many_copies_of_one_report_name_a_few_others_and_count_once() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("copies");
    std::fs::create_dir_all(&dir).unwrap();
    let report = variant("2021-tongxin-county", "同心县人民政府", Some(2021), &[]);
    for i in 0..7 {
        put(&dir, &format!("副本{i}.json"), &report);
    }
    let out = work.path().join("out");
    let o = run(&["batch", dir.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-isolation"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
    let dups: Vec<&str> = findings.lines().filter(|l| l.contains(",BATCH-DUPLICATE,")).collect();
    assert_eq!(dups.len(), 7, "{findings}");
    for line in dups {
        // Six others: three named, the count said.
        assert!(line.contains("等 6 份"), "{line}");
        assert!(line.matches("副本").count() <= 5, "{line}");
    }
    let summary = read_json(&out.join("summary.json"));
    let totals = summary["totals"].as_array().unwrap();
    assert_eq!(totals.len(), 1);
    assert_eq!(totals[0]["sources"].as_array().unwrap().len(), 1, "counted once");
    assert_eq!(cells_of(&totals[0]["cells"]), sums(&[&report]));
}

/// The corpus table (`cells.csv`) read back: one row per cell of every
/// report read, the same values as each report's JSON, blank as blank,
/// and the place each value was read.
#[test]
fn the_corpus_table_holds_every_cell_of_every_report_as_its_json_says() {
    let work = tempfile::tempdir().unwrap();
    let dir = corpus_folder(work.path());
    let out = work.path().join("out");
    let o = run(&["batch", dir.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-isolation"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let text = std::fs::read_to_string(out.join("cells.csv")).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a byte order mark for Excel");
    let mut csv = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        csv.headers().unwrap().iter().collect::<Vec<_>>(),
        ["organ", "year", "edition", "table", "row", "column", "cell", "value", "text", "source_file", "place"]
    );
    let mut by_source: BTreeMap<String, Vec<csv::StringRecord>> = BTreeMap::new();
    for r in csv.records() {
        let r = r.unwrap();
        by_source.entry(r[9].to_string()).or_default().push(r);
    }
    let summary = read_json(&out.join("summary.json"));
    let reports = summary["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 6);
    assert_eq!(by_source.len(), 6, "every report read has its cells");
    let editions = xxgk::edition::Editions::builtin().unwrap();
    let (mut filled, mut blank, mut placed) = (0, 0, 0);
    for row in reports {
        let source = row["source"].as_str().unwrap();
        let json = read_json(&out.join(row["output"].as_str().unwrap()));
        let ed = editions.lookup(json["edition"].as_str().unwrap()).unwrap();
        let lines = &by_source[source];
        assert_eq!(lines.len(), ed.cells.len(), "{source}: one row per cell of its edition");
        for (line, cell) in lines.iter().zip(&ed.cells) {
            assert_eq!(&line[6], cell.id.as_str());
            assert_eq!(&line[0], json["organ"].as_str().unwrap());
            assert_eq!(line[1].parse::<u64>().ok(), json["year"].as_u64());
            assert_eq!(&line[2], ed.id.as_str());
            assert_eq!(&line[4], cell.row_path.as_str());
            assert_eq!(&line[5], cell.col_path.as_str());
            let v = &json["cells"][cell.id.as_str()];
            if v.is_null() {
                assert_eq!(&line[7], "", "{source} {}: blank stays blank", cell.id);
                blank += 1;
            } else {
                let n: Number = serde_json::from_value(v.clone()).unwrap();
                assert_eq!(line[7].parse::<Number>().unwrap(), n, "{source} {}", cell.id);
                filled += 1;
            }
            if let Some(p) = json["provenance"].get(cell.id.as_str()) {
                assert_eq!(&line[8], p["text"].as_str().unwrap_or(""));
                if source.ends_with(".xlsx") {
                    assert!(line[10].ends_with(p["a1"].as_str().unwrap()), "{}", &line[10]);
                }
                placed += usize::from(!line[10].is_empty());
            }
        }
    }
    assert!(filled > 500 && blank > 0 && placed > 300, "filled {filled}, blank {blank}, placed {placed}");
}

/// Six reports as a researcher's folder holds them: JSON, a workbook and a
/// document, one with blank cells.
fn corpus_folder(work: &Path) -> std::path::PathBuf {
    let dir = work.join("corpus");
    std::fs::create_dir_all(&dir).unwrap();
    for s in ["2020-enhe-town", "2020-zhongning-civil-affairs", "2021-tongxin-county", "broken-2021"] {
        std::fs::copy(root().join(format!("samples/{s}.json")), dir.join(format!("{s}.json"))).unwrap();
    }
    // The same reports as the workbooks and documents clerks send.
    for (s, ext) in [("2021-tongxin-county", "xlsx"), ("2020-enhe-town", "docx")] {
        let to = dir.join(format!("{s}-copy.{ext}"));
        let o = run(&[
            "convert",
            root().join(format!("samples/{s}.json")).to_str().unwrap(),
            "-o",
            to.to_str().unwrap(),
            "--allow-errors",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    dir
}

/// `--parquet` writes the same table as Parquet: every row as in the CSV,
/// the year as an integer, the value as a number, blanks as nulls.
#[test]
fn the_corpus_table_as_parquet_holds_what_the_csv_holds() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;
    let work = tempfile::tempdir().unwrap();
    let dir = corpus_folder(work.path());
    let (csv_out, pq_out) = (work.path().join("csv"), work.path().join("pq"));
    for (out, extra) in [(&csv_out, None), (&pq_out, Some("--parquet"))] {
        let mut args = vec!["batch", dir.to_str().unwrap(), "-o", out.to_str().unwrap(), "--no-isolation"];
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    }
    assert!(!pq_out.join("cells.csv").exists(), "one table, in the format asked for");
    let text = std::fs::read_to_string(csv_out.join("cells.csv")).unwrap();
    let mut csv = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let want: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let file = std::fs::File::open(pq_out.join("cells.parquet")).unwrap();
    let reader = SerializedFileReader::new(file).unwrap();
    let got: Vec<Vec<(String, Field)>> = reader
        .get_row_iter(None)
        .unwrap()
        .map(|r| r.unwrap().get_column_iter().map(|(n, f)| (n.clone(), f.clone())).collect())
        .collect();
    assert_eq!(got.len(), want.len());
    let (mut nulls, mut numbers) = (0, 0);
    for (g, w) in got.iter().zip(&want) {
        let names: Vec<&str> = g.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, csv.headers().unwrap().iter().collect::<Vec<_>>());
        for ((name, field), expected) in g.iter().zip(w.iter()) {
            match (name.as_str(), field) {
                ("year", Field::Int(y)) => assert_eq!(y.to_string(), expected),
                ("value", Field::Double(v)) => {
                    numbers += 1;
                    assert_eq!(*v, expected.parse::<f64>().unwrap(), "{w:?}");
                }
                ("year" | "value", Field::Null) => {
                    nulls += 1;
                    assert_eq!(expected, "", "{w:?}");
                }
                (_, Field::Str(s)) => assert_eq!(s, expected),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert!(numbers > 500 && nulls > 0, "{numbers} numbers, {nulls} nulls");
    // The same reports give the same bytes.
    let again = work.path().join("pq2");
    let o = run(&["batch", dir.to_str().unwrap(), "-o", again.to_str().unwrap(), "--no-isolation", "--parquet"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    assert!(
        std::fs::read(pq_out.join("cells.parquet")).unwrap() == std::fs::read(again.join("cells.parquet")).unwrap()
    );
}
