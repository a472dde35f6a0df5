//! The built binary: convert, check, schema, exit statuses, messages.

mod common;

use common::{root, run, stderr, stdout};
use std::path::Path;

fn with_cell(sample: &str, patch: serde_json::Value, dir: &Path, name: &str) -> String {
    let mut v = common::read_json(&root().join(sample));
    common::merge_patch(&mut v, &patch);
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    p.display().to_string()
}

#[test]
fn check_names_the_cell_and_the_formula_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    // The （七）总计 row has 总计 0 while 自然人 is 30 (formats.md: SD2).
    let f = with_cell(
        "samples/2021-tongxin-county.json",
        serde_json::json!({"cells": {"t3.r7.natural": 30, "t3.r7.total": 0}}),
        dir.path(),
        "r.json",
    );
    let out = run(&["check", &f]);
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(
        s.contains("错误 T3-ROW-TOTAL  表三（七）总计·总计：0 ≠ 30（自然人 30 + 商业企业 0 + 科研机构 0 + 社会公益组织 0 + 法律服务机构 0 + 其他 0），相差 -30"),
        "{s}"
    );
    let out = run(&["check", &f, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let f = v[0]["findings"].as_array().unwrap().iter().find(|f| f["code"] == "T3-ROW-TOTAL").unwrap().clone();
    assert_eq!(f["severity"], "error");
    assert_eq!(f["table"], "表三");
    assert_eq!(f["row"], "三、本年度办理结果 / （七）总计");
    assert_eq!(f["column"], "申请人情况 / 总计");
    assert_eq!(f["difference"], -30);
    assert_eq!(f["cells"][0], "t3.r7.total");
}

#[test]
fn a_clean_report_exits_0() {
    let out = run(&["check", "samples/2021-tongxin-county.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("共 0 个错误，0 个警告。未发现问题"));
}

#[test]
fn warnings_alone_exit_0() {
    let out = run(&["check", "samples/2021-tongxin-county.json", "--previous", "samples/2020-enhe-town.json"]);
    assert_eq!(out.status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    let f = with_cell(
        "samples/2021-tongxin-county.json",
        serde_json::json!({"cells": {"t2.s1.rules.issued": 1}}),
        dir.path(),
        "w.json",
    );
    let out = run(&["check", &f]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("警告 T2-DOCS-PLAUSIBLE"));
}

#[test]
fn convert_to_csv_lists_every_cell_with_official_labels() {
    for (sample, cells) in [("samples/2021-tongxin-county.json", 200), ("samples/2020-enhe-town.json", 198)] {
        let out = run(&["convert", sample, "--to", "csv"]);
        assert!(out.status.success());
        let s = stdout(&out);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "table,row,column,value,source");
        assert_eq!(lines.len(), cells + 1, "{sample}");
    }
    let s = stdout(&run(&["convert", "samples/2021-tongxin-county.json", "--to", "csv"]));
    assert!(s.contains(
        "表三,三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密,申请人情况 / 法人或其他组织 / 商业企业,0,\n"
    ));
    assert!(s.contains("表四,,行政诉讼 / 复议后起诉 / 结果维持,0,\n"));
    assert!(s.contains("表二,第二十条第（八）项 / 行政事业性收费,本年收费金额（单位：万元）,1340.5117,\n"));
    assert!(s.contains("表三,一、本年新收政府信息公开申请数量,申请人情况 / 自然人,14,\n"));
    // A blank stays blank, never 0.
    let s = stdout(&run(&["convert", "samples/2020-enhe-town.json", "--to", "csv"]));
    assert!(s.contains("表四,,行政复议 / 结果维持,,\n"));
    assert!(s.contains("表二,第二十条第（五）项 / 行政许可,本年增/减,4,\n"));
    assert!(s.contains("表二,第二十条第（六）项 / 行政处罚,本年增/减,-5,\n"));
}

#[test]
fn convert_writes_files_atomically_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out_csv = dir.path().join("r.csv");
    let o = out_csv.display().to_string();
    let r = run(&["convert", "samples/2021-tongxin-county.json", "-o", &o]);
    assert!(r.status.success(), "{}", stderr(&r));
    let bytes = std::fs::read(&out_csv).unwrap();
    assert!(bytes.starts_with("\u{feff}table,row,column,value,source\n".as_bytes()), "a file gets a BOM for Excel");
    // An existing output is kept unless --force.
    let r = run(&["convert", "samples/2020-enhe-town.json", "-o", &o]);
    assert_eq!(r.status.code(), Some(2));
    assert!(stderr(&r).contains("已存在") && stderr(&r).contains("--force"));
    assert_eq!(std::fs::read(&out_csv).unwrap(), bytes);
    let r = run(&["convert", "samples/2020-enhe-town.json", "-o", &o, "--force"]);
    assert!(r.status.success());
    assert_ne!(std::fs::read(&out_csv).unwrap(), bytes);
    // The input is never the output, even with --force.
    let input = dir.path().join("in.json");
    std::fs::copy(root().join("samples/2021-tongxin-county.json"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let i = input.display().to_string();
    let r = run(&["convert", &i, "-o", &i, "--force"]);
    assert_eq!(r.status.code(), Some(2));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn json_to_json_is_byte_identical_and_deterministic() {
    for s in
        ["samples/2021-tongxin-county.json", "samples/2020-enhe-town.json", "samples/2020-zhongning-civil-affairs.json"]
    {
        let a = run(&["convert", s]);
        assert!(a.status.success());
        assert_eq!(a.stdout, std::fs::read(root().join(s)).unwrap(), "{s} is already canonical");
        assert_eq!(run(&["convert", s]).stdout, a.stdout);
    }
}

#[test]
fn unusable_inputs_exit_2_with_a_chinese_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(String, &str)> = vec![
        ("does-not-exist.json".into(), "文件不存在"),
        (write(dir.path(), "a.doc", b"\xD0\xCF\x11\xE0"), "另存为"),
        (write(dir.path(), "a.xls", b"\xD0\xCF\x11\xE0"), "另存为"),
        (write(dir.path(), "a.json", b"{\"schema_version\": 1, \"year\": "), "不是有效的 xxgk 报告 JSON"),
        (write(dir.path(), "b.json", b"{\"schema_version\": 7, \"year\": 2021}"), "schema_version"),
        (write(dir.path(), "c.json", b"{\"schema_version\": 1, \"year\": 1999}"), "没有适用于 1999 年报告的格式版本"),
        (write(dir.path(), "a.bin", b"xx"), "不支持的文件"),
    ];
    for (f, expected) in cases {
        for args in [vec!["check", f.as_str()], vec!["convert", f.as_str()]] {
            let out = run(&args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let e = stderr(&out);
            assert!(e.contains(expected), "{args:?}: {e}");
            common::assert_no_panic(&out, &f);
        }
    }
    let out = run(&["convert", "samples/2021-tongxin-county.json", "--to", "odt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("不支持的输出格式"));
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.display().to_string()
}

#[test]
fn check_goes_on_after_an_unusable_file() {
    let out = run(&["check", "nope.json", "samples/2021-tongxin-county.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("samples/2021-tongxin-county.json（同心县 2021年"));
}

#[test]
fn unknown_cells_are_reported_not_dropped_silently() {
    let dir = tempfile::tempdir().unwrap();
    let f = with_cell(
        "samples/2021-tongxin-county.json",
        serde_json::json!({"cells": {"t3.r6.natural": 5}}),
        dir.path(),
        "u.json",
    );
    let out = run(&["check", &f]);
    let s = stdout(&out);
    assert!(s.contains("READ-UNKNOWN-CELL") && s.contains("t3.r6.natural（值 5）"), "{s}");
    let v: serde_json::Value = serde_json::from_slice(&run(&["convert", &f]).stdout).unwrap();
    assert_eq!(v["warnings"][0]["code"], "READ-UNKNOWN-CELL");
}

#[test]
fn schema_is_a_json_schema_of_the_model() {
    let out = run(&["schema"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Report");
    for k in
        ["schema_version", "edition", "year", "organ", "title", "preamble", "parts", "cells", "provenance", "warnings"]
    {
        assert!(v["properties"].get(k).is_some(), "schema lacks {k}");
    }
    assert!(v["required"].as_array().unwrap().iter().any(|x| x == "schema_version"));
}

#[test]
fn forced_edition_overrides_the_year() {
    let out = run(&["check", "samples/2021-tongxin-county.json", "--edition", "2019", "--format", "json"]);
    let codes = common::finding_codes(&out);
    assert!(codes.iter().any(|c| c == "EDITION-YEAR") && codes.iter().any(|c| c == "READ-UNKNOWN-CELL"), "{codes:?}");
}

#[test]
fn usage_errors_are_explained_in_chinese_and_exit_2() {
    for (args, expected) in [
        (vec!["convert"], "缺少必需的参数"),
        (vec!["frobnicate"], "没有这个子命令"),
        (vec!["--max-file-size=abc", "check", "x.json"], "参数的值无效"),
        (vec!["check", "--nope", "x.json"], "有无法识别的参数"),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).starts_with(&format!("xxgk：{expected}")), "{args:?}: {}", stderr(&out));
    }
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("政府信息公开工作年度报告"));
}

/// A folder with two reports, one broken, in a subfolder, and files that
/// are no reports.
fn county(dir: &Path) -> std::path::PathBuf {
    let county = dir.join("county");
    std::fs::create_dir_all(county.join("乡镇")).unwrap();
    std::fs::copy(root().join("samples/2021-tongxin-county.json"), county.join("同心县.json")).unwrap();
    with_cell(
        "samples/2021-tongxin-county.json",
        serde_json::json!({"organ": "有问题的单位", "cells": {"t3.r7.natural": 30, "t3.r7.total": 0}}),
        &county.join("乡镇"),
        "有问题的单位.json",
    );
    std::fs::write(county.join("照片.png"), "不是报告").unwrap();
    std::fs::write(county.join(".隐藏.json"), "{").unwrap();
    county
}

#[test]
fn check_a_folder_checks_every_report_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let county = county(dir.path());
    let c = county.to_str().unwrap();
    let out = run(&["check", c]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = stdout(&out);
    assert!(s.contains("同心县.json（同心县 2021年") && s.contains("共 0 个错误，0 个警告。未发现问题"), "{s}");
    assert!(s.contains("乡镇/有问题的单位.json（有问题的单位 2021年") && s.contains("错误 T3-ROW-TOTAL"), "{s}");
    assert!(s.trim_end().ends_with("共 4 个文件：1 个有错误，0 个无法读取，2 个跳过，1 个未发现错误。"), "{s}");
    // Hidden and other files are listed as skipped, with why (one rule
    // with batch and the page), never checked.
    assert!(
        s.contains(".隐藏.json：跳过（隐藏文件") && s.contains("照片.png：跳过（不是 xxgk 能读取的报告文件（.png）"),
        "{s}"
    );
    common::assert_no_escape_codes(&out, "check FOLDER");
    common::assert_no_panic(&out, "check FOLDER");
    // The same as JSON: one entry per file, nothing else on standard output.
    let out = run(&["check", c, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("skipped").is_none())
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(v.as_array().unwrap().len(), 4, "the skipped files are listed too: {v}");
    assert!(
        files.iter().any(|f| f.ends_with("/同心县.json")) && files.iter().any(|f| f.ends_with("有问题的单位.json"))
    );
    // A folder and a file together; an unreadable file makes it exit 2, as for several files.
    std::fs::write(county.join("损坏.docx"), b"PK\x03\x04 broken").unwrap();
    let out = run(&["check", c, "samples/2020-enhe-town.json"]);
    assert_eq!(out.status.code(), Some(2));
    let s = stdout(&out);
    assert!(s.contains("损坏.docx：无法读取") && s.contains("samples/2020-enhe-town.json（"), "{s}");
    assert!(s.contains("共 6 个文件：") && s.contains("1 个无法读取"), "{s}");
    assert!(stderr(&out).contains("损坏.docx"), "{}", stderr(&out));
}

#[test]
fn check_an_empty_folder_says_so_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("readme.png"), "x").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("文件夹") && e.contains("没有找到报告文件") && e.contains(dir.path().to_str().unwrap()), "{e}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn check_a_folder_against_last_years_folder() {
    let dir = tempfile::tempdir().unwrap();
    let county = county(dir.path());
    let prev = dir.path().join("2020");
    std::fs::create_dir(&prev).unwrap();
    let mut p = common::read_json(&root().join("samples/2020-enhe-town.json"));
    p["organ"] = "同心县".into();
    p["cells"]["t3.carry_out.natural"] = 5.into();
    std::fs::write(prev.join("同心县2020.json"), serde_json::to_string(&p).unwrap()).unwrap();
    // --previous names one file: it cannot serve a folder.
    let out = run(&["check", county.to_str().unwrap(), "--previous", prev.join("同心县2020.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--previous-dir"), "{}", stderr(&out));
    // --previous-dir pairs each report with last year's by organ, as batch does.
    let out = run(&["check", county.to_str().unwrap(), "--previous-dir", prev.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let s = stdout(&out);
    let tongxin = s.split("== ").find(|b| b.contains("同心县.json（")).unwrap();
    assert!(tongxin.contains("对比的上年报告：") && tongxin.contains("同心县2020.json"), "{tongxin}");
    assert!(tongxin.contains("警告 X-CARRY"), "{tongxin}");
    let other = s.split("== ").find(|b| b.contains("有问题的单位.json（")).unwrap();
    assert!(!other.contains("对比的上年报告") && !other.contains("X-CARRY"), "{other}");
    common::assert_no_escape_codes(&out, "check --previous-dir");
}

/// The no-panic assertion can fail: the hidden `XXGK_DEBUG_PANIC_ON` makes
/// reading a file panic in the main process (JSON) and in a worker (docx),
/// and a batch row says so.
#[test]
fn the_no_panic_assertion_trips_on_a_real_panic() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("boom.json");
    std::fs::copy(root().join("samples/2021-tongxin-county.json"), &json).unwrap();
    let docx = dir.path().join("boom.docx");
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", docx.to_str().unwrap()]);
    common::assert_no_panic(&o, "convert");
    let panicking = |args: &[&str]| common::bin().env("XXGK_DEBUG_PANIC_ON", "boom").args(args).output().unwrap();
    for f in [&json, &docx] {
        let o = panicking(&["check", f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains(xxgk::isolate::PANIC_MARK), "{}", stderr(&o));
        let tripped = std::panic::catch_unwind(|| common::assert_no_panic(&o, "boom"));
        assert!(tripped.is_err(), "assert_no_panic missed the panic in {}", f.display());
    }
    // In a worker, the answer says where and what.
    let o = panicking(&["convert", docx.to_str().unwrap()]);
    let e = stderr(&o);
    assert!(e.contains("boom.docx") && e.contains("src/pipeline.rs") && e.contains("XXGK_DEBUG_PANIC_ON"), "{e}");
    // In a batch, the row of the file that panicked in its worker.
    std::fs::remove_file(&json).unwrap();
    let out = dir.path().join("out");
    let o = panicking(&["batch", dir.path().to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let subs = std::fs::read_to_string(out.join("submissions.csv")).unwrap();
    assert!(subs.lines().any(|l| l.contains("boom.docx") && l.contains(xxgk::isolate::PANIC_MARK)), "{subs}");
}

/// `convert` is never silent about what it could not read: one line on
/// standard error (the output itself unchanged), none for a full report.
#[test]
fn convert_says_when_cells_are_blank_or_the_reader_warned() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("只有标题.txt");
    std::fs::write(&p, "同心县2021年政府信息公开工作年度报告\n一、总体情况\n正文。\n").unwrap();
    let o = run(&["convert", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("没有读到任何表格数字") && e.contains("只有标题.txt") && e.contains("xxgk check"), "{e}");
    assert!(serde_json::from_slice::<serde_json::Value>(&o.stdout).is_ok(), "stdout stays the JSON");
    let o = run(&["convert", "samples/2021-tongxin-county.json"]);
    assert!(o.status.success() && stderr(&o).is_empty(), "{}", stderr(&o));
}
