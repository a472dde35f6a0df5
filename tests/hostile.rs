//! Hostile and broken input: every cap just under and just over, a generated
//! hostile corpus, the worker-process guard, and no data lost.

mod common;

use common::{root, run, stderr, stdout};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn put(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (n, d) in parts {
            z.start_file(*n, o).unwrap();
            z.write_all(d).unwrap();
        }
        z.finish().unwrap();
    }
    out
}

const RELS: &[u8] = b"<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>";

fn docx_with_document(xml: &[u8]) -> Vec<u8> {
    zip_of(&[("_rels/.rels", RELS), ("word/document.xml", xml)])
}

fn body(inner: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{inner}</w:body></w:document>").into_bytes()
}

/// A publication docx and a workbook of a sample, written by xxgk.
fn files(dir: &Path) -> (PathBuf, PathBuf) {
    let d = dir.join("sample.docx");
    let x = dir.join("sample.xlsx");
    for p in [&d, &x] {
        let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", p.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    (d, x)
}

fn convert(args: &[&str]) -> std::process::Output {
    let mut a = vec!["convert"];
    a.extend(args);
    run(&a)
}

fn passes(file: &Path, opt: &str, value: impl ToString) {
    let v = value.to_string();
    let o = convert(&[file.to_str().unwrap(), &format!("--{opt}={v}")]);
    assert!(o.status.success(), "--{opt}={v} should pass for {}: {}", file.display(), stderr(&o));
}

fn refused(file: &Path, opt: &str, value: impl ToString, expected: &str) {
    let v = value.to_string();
    let o = convert(&[file.to_str().unwrap(), &format!("--{opt}={v}")]);
    assert_eq!(o.status.code(), Some(2), "--{opt}={v} should refuse {}", file.display());
    let e = stderr(&o);
    assert!(e.contains(expected) && e.contains(file.to_str().unwrap()), "--{opt}={v}: {e}");
}

fn zip_stats(bytes: &[u8]) -> (usize, u64, u64) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut max = 0;
    let mut total = 0;
    for i in 0..z.len() {
        let s = z.by_index(i).unwrap().size();
        max = max.max(s);
        total += s;
    }
    (z.len(), max, total)
}

fn xml_depth(xml: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(xml);
    r.config_mut().expand_empty_elements = true;
    let (mut d, mut max) = (0usize, 0usize);
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).unwrap() {
            quick_xml::events::Event::Start(_) => {
                d += 1;
                max = max.max(d);
            }
            quick_xml::events::Event::End(_) => d -= 1,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    max
}

#[test]
fn every_cap_just_under_and_just_over() {
    let dir = tempfile::tempdir().unwrap();
    let (docx, xlsx) = files(dir.path());
    let bytes = std::fs::read(&docx).unwrap();
    let size = bytes.len();
    passes(&docx, "max-file-size", size);
    refused(&docx, "max-file-size", size - 1, "超过上限");
    let json = root().join("samples/2021-tongxin-county.json");
    let jsize = std::fs::metadata(&json).unwrap().len();
    passes(&json, "max-file-size", jsize);
    refused(&json, "max-file-size", jsize - 1, "超过上限");

    let (entries, max_entry, total) = zip_stats(&bytes);
    passes(&docx, "max-zip-entries", entries);
    refused(&docx, "max-zip-entries", entries - 1, "超过上限");
    passes(&docx, "max-entry-size", max_entry);
    refused(&docx, "max-entry-size", max_entry - 1, "超过上限");
    passes(&docx, "max-total-size", total);
    refused(&docx, "max-total-size", total - 1, "超过上限");

    let mut xml = Vec::new();
    zip::ZipArchive::new(std::io::Cursor::new(&bytes))
        .unwrap()
        .by_name("word/document.xml")
        .unwrap()
        .read_to_end(&mut xml)
        .unwrap();
    let depth = xml_depth(&xml);
    passes(&docx, "max-xml-depth", depth);
    refused(&docx, "max-xml-depth", depth - 1, "嵌套超过");
    // 表三 of the 2021 edition is 3 header rows + 25 rows; 表四 has 15 cells a row.
    passes(&docx, "max-table-rows", 28);
    refused(&docx, "max-table-rows", 27, "表格超过 27 行");
    passes(&docx, "max-table-cols", 15);
    refused(&docx, "max-table-cols", 14, "超过 14 个单元格");

    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    use calamine::Reader;
    let cells: usize = wb
        .sheet_names()
        .iter()
        .map(|n| {
            wb.worksheet_range(n).unwrap().used_cells().filter(|(_, _, c)| !c.to_string().trim().is_empty()).count()
        })
        .sum();
    passes(&xlsx, "max-sheet-cells", cells);
    refused(&xlsx, "max-sheet-cells", cells - 1, "超过");
}

/// calamine's known over-allocation (crates-notes.md §4): a valid workbook
/// with cells at A1 and XFD1048576. `worksheet_range` would try to allocate
/// 512 GiB and abort; the streaming reader reports the far cell and goes on.
#[test]
fn the_calamine_over_allocation_file_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let (_, xlsx) = files(dir.path());
    let bytes = std::fs::read(&xlsx).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut d = Vec::new();
        f.read_to_end(&mut d).unwrap();
        if name == "xl/worksheets/sheet2.xml" {
            let s = String::from_utf8(d).unwrap();
            let s =
                s.replacen("</sheetData>", "<row r=\"1048576\"><c r=\"XFD1048576\"><v>7</v></c></row></sheetData>", 1);
            d = s.into_bytes();
        }
        parts.push((name, d));
    }
    let refs: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let p = put(dir.path(), "far.xlsx", &zip_of(&refs));
    let start = Instant::now();
    let o = run(&["check", p.to_str().unwrap(), "--format", "json"]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let codes = common::finding_codes(&o);
    assert_eq!(codes, ["READ-OUT-OF-RANGE"]);
}

/// The workers' memory limit in these tests. It bounds the address space,
/// which includes the binary's code: 34 MB mapped for a debug build (11 MB
/// for a release build, which release/test.sh runs with 48M). The files
/// below need hundreds of megabytes; a good report fits with room.
const LIMIT_MB: u64 = 64;

/// The worker guard: a file that makes the reader exceed its memory limit
/// kills only its worker; a file that takes too long is stopped; the batch
/// goes on with the next file.
#[test]
fn a_runaway_reader_costs_one_file() {
    let dir = tempfile::tempdir().unwrap();
    // 60 MB of paragraphs, deflated to well under a megabyte.
    let para = "<w:p><w:r><w:t>重复的段落重复的段落重复的段落</w:t></w:r></w:p>".repeat(600_000);
    let big = put(dir.path(), "big.docx", &docx_with_document(&body(&para)));
    let limit = format!("--max-memory={LIMIT_MB}M");
    let o = run(&[&limit, "convert", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("异常终止") && e.contains("big.docx"), "{e}");
    // The worker's last words are part of the message, not lost.
    assert!(e.contains("处理进程最后的输出：") && e.contains("memory allocation of"), "{e}");
    let o = run(&["--timeout=0.05", "convert", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("超过 0.05 秒"), "{}", stderr(&o));
    // In a batch, the next file is read by a fresh worker.
    let county = dir.path().join("county");
    std::fs::create_dir(&county).unwrap();
    std::fs::rename(&big, county.join("a-big.docx")).unwrap();
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", county.join("b-good.docx").to_str().unwrap()]);
    assert!(o.status.success());
    let out = dir.path().join("out");
    let o = run(&[&limit, "batch", county.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let subs = std::fs::read_to_string(out.join("submissions.csv")).unwrap();
    assert!(
        subs.lines().any(|l| l.contains("a-big.docx") && l.contains("无法读取") && l.contains("异常终止")),
        "{subs}"
    );
    assert!(subs.lines().any(|l| l.contains("b-good.docx") && l.contains("通过")), "{subs}");
}

/// Last year's report is read in the same worker as this year's (batch,
/// `--previous-dir`): when it kills the worker, this year's report is still
/// read, checked and written — without the cross-year check — and a job
/// that fails leaves none of its outputs.
#[test]
fn last_years_file_that_kills_the_worker_does_not_cost_this_years_report() {
    use xxgk::pipeline::{Isolation, Job, PreviousIndex, Session, Status};
    let dir = tempfile::tempdir().unwrap();
    let para = "<w:p><w:r><w:t>重复的段落重复的段落重复的段落</w:t></w:r></w:p>".repeat(600_000);
    let bomb = put(dir.path(), "last-year.docx", &docx_with_document(&body(&para)));
    let this_year = dir.path().join("同心县2021.docx");
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", this_year.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The index says 同心县 2020 is the file that exhausts the worker's memory.
    let mut index = PreviousIndex::default();
    index.by_organ.insert(xxgk::labels::key("同心县"), vec![(Some(2020), bomb.clone(), "last-year.docx".into())]);
    let session = Session::new(xxgk::edition::Editions::builtin().unwrap(), xxgk::limits::Limits::default())
        .isolated(Isolation {
            exe: env!("CARGO_BIN_EXE_xxgk").into(),
            timeout: Duration::from_secs(60),
            memory_bytes: LIMIT_MB << 20,
            edition_files: Vec::new(),
        })
        .unwrap();
    let out = dir.path().join("out");
    let place = session.job_place(&out, Some(&index)).unwrap();
    let reports = out.join("reports");
    let job = Job { path: this_year.clone(), shown: "同心县2021.docx".into(), output: "同心县2021.json".into() };
    let done = session.process(&job, &place);
    assert_eq!(done.row.status, Status::Passed, "{:?}", done.row);
    assert_eq!(done.row.previous, None);
    assert_eq!(done.row.organ, "同心县");
    assert!(reports.join("同心县2021.json").exists());
    // A file that cannot be read at all: an unusable row, and its earlier
    // output (from a previous run) is gone rather than left unreferenced.
    std::fs::write(reports.join("bad.json"), "{}").unwrap();
    let bad = Job { path: bomb.clone(), shown: "last-year.docx".into(), output: "bad.json".into() };
    let mut done = session.process(&bad, &session.job_place(&out, None).unwrap());
    done.word(&bad, xxgk::error::Audience::Cli);
    assert_eq!(done.row.status, Status::Unreadable);
    let why = done.row.reason.clone().unwrap_or_default();
    assert!(why.contains("异常终止"), "{why}");
    assert!(
        matches!(done.error, Some(xxgk::Error::Worker { .. })),
        "the kind survives the isolated path: {:?}",
        done.error
    );
    assert!(!reports.join("bad.json").exists());
    let left: Vec<_> = std::fs::read_dir(&reports).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("同心县2021.json")]);
}

use common::cfb;

/// The corpus: (file name, bytes, what the message must say).
fn corpus(dir: &Path) -> Vec<(PathBuf, &'static str)> {
    let (docx, _) = files(dir);
    let good = std::fs::read(&docx).unwrap();
    let mut lol = String::from("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        lol.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", i - 1).repeat(10)));
    }
    lol.push_str("]><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>");
    let nested = format!("{}{}", "<w:tbl><w:tr><w:tc>".repeat(1000), "</w:tc></w:tr></w:tbl>".repeat(1000));
    let mut random = vec![0u8; 4096];
    let mut x = 12345u64;
    for b in random.iter_mut() {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        *b = (x >> 56) as u8;
    }
    let bomb = docx_with_document(&body(&"<w:p/>".repeat(3_000_000)));
    let sub = dir.join("a-folder.docx");
    std::fs::create_dir_all(&sub).unwrap();
    let big = dir.join("huge.docx");
    std::fs::File::create(&big).unwrap().set_len(100 * 1024 * 1024 + 1).unwrap();
    let looped = dir.join("loop.docx");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    vec![
        (put(dir, "truncated.docx", &good[..good.len() / 2]), "已损坏"),
        (put(dir, "no-main-part.docx", &zip_of(&[("[Content_Types].xml", b"<Types/>")])), "_rels/.rels"),
        (put(dir, "bomb.docx", &bomb), "超过上限"),
        (put(dir, "laughs.docx", &docx_with_document(lol.as_bytes())), "DOCTYPE"),
        (put(dir, "nested.docx", &docx_with_document(&body(&nested))), "嵌套"),
        (put(dir, "encrypted.docx", &cfb("EncryptedPackage")), "密码"),
        (put(dir, "encrypted.xlsx", &cfb("EncryptedPackage")), "密码"),
        (put(dir, "legacy.doc", &cfb("WordDocument")), "另存为"),
        (put(dir, "legacy.xls", &cfb("Workbook")), "另存为"),
        (put(dir, "random.docx", &random), "不是有效的 .docx"),
        (put(dir, "random.xlsx", &random), "不是有效的 .xlsx"),
        (put(dir, "random.txt", &random), "二进制"),
        (put(dir, "empty.docx", b""), "空的"),
        (put(dir, "empty.json", b""), "空的"),
        (sub, "文件夹"),
        (big, "超过上限"),
        (looped, "无法读写文件"),
    ]
}

#[test]
fn the_hostile_corpus_gets_clear_messages_and_a_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("hostile");
    std::fs::create_dir(&hostile).unwrap();
    let cases = corpus(&hostile);
    for (f, expected) in &cases {
        let start = Instant::now();
        // The bomb inflates to 18 MB: over a 1 MB entry cap.
        let args: Vec<&str> = if f.ends_with("bomb.docx") {
            vec!["--max-entry-size=1M", "convert", f.to_str().unwrap()]
        } else {
            vec!["convert", f.to_str().unwrap()]
        };
        let o = run(&args);
        assert!(start.elapsed() < Duration::from_secs(30), "{} took too long", f.display());
        assert_eq!(o.status.code(), Some(2), "{}: {}", f.display(), stderr(&o));
        let e = stderr(&o);
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        assert!(e.contains(expected) && e.contains(&name), "{name}: {e}");
        common::assert_no_panic(&o, &name);
    }
    // A docx whose cells and text hold control characters reads, and the
    // publication document written from it is clean.
    let ctl = body(
        "<w:p><w:r><w:t>2021年控制\u{1}字符县政府信息公开工作年度报告</w:t></w:r></w:p>\
         <w:p><w:r><w:t>一、总体情况</w:t></w:r></w:p><w:p><w:r><w:t>正文\u{b}有\u{7}控制符</w:t></w:r></w:p>\
         <w:tbl><w:tr><w:tc><w:p><w:r><w:t>第二十条第（五）项</w:t></w:r></w:p></w:tc></w:tr>\
         <w:tr><w:tc><w:p><w:r><w:t>信息内容</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>本年处理决定数量</w:t></w:r></w:p></w:tc></w:tr>\
         <w:tr><w:tc><w:p><w:r><w:t>行政许可</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1\u{2}2</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    );
    let p = put(&hostile, "control-chars.docx", &docx_with_document(&ctl));
    let out = dir.path().join("ctl.docx");
    let o = run(&["convert", p.to_str().unwrap(), "-o", out.to_str().unwrap(), "--allow-errors"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["convert", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["parts"]["p1"]["text"], "正文有控制符");
    // A non-UTF-8 file name.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"\xff\xfe-report.docx");
        std::fs::copy(
            hostile.join("../hostile/truncated.docx").parent().unwrap().join("sample.docx"),
            hostile.join(name),
        )
        .unwrap();
        let o = common::bin().arg("convert").arg(hostile.join(name)).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    // The whole corpus in one batch: one row each, the batch goes on.
    let out = dir.path().join("out");
    let o = run(&["--max-entry-size=1M", "batch", hostile.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{} {}", stdout(&o), stderr(&o));
    let subs = std::fs::read_to_string(out.join("submissions.csv")).unwrap();
    for (f, _) in &cases {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if f.is_dir() || name == "loop.docx" {
            continue; // folders are walked, links are not followed
        }
        assert!(subs.lines().any(|l| l.contains(&name) && l.contains("无法读取")), "{name} has no row:\n{subs}");
    }
    // The good files are read (three copies of one report: a duplicate warning).
    assert!(
        subs.lines().any(|l| l.contains("sample.docx") && l.contains("同心县") && !l.contains("无法读取")),
        "{subs}"
    );
    common::assert_no_panic(&o, "batch");
    common::assert_no_escape_codes(&o, "batch");
    assert!(!subs.contains(xxgk::isolate::PANIC_MARK), "a worker panicked:\n{subs}");
}

#[test]
fn a_failed_run_leaves_no_partial_file_and_inputs_are_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let bad = put(dir.path(), "bad.docx", b"not a docx");
    let out = dir.path().join("out.json");
    let o = run(&["convert", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("bad.docx")], "nothing else was written");
    // An output into a folder that does not exist: an error, no stray file.
    let o = run(&[
        "convert",
        "samples/2021-tongxin-county.json",
        "-o",
        dir.path().join("no/such/dir/x.json").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("无法写入") && stderr(&o).contains("no/such/dir") && stderr(&o).contains("不存在"));
    // The template never overwrites the previous report it reads.
    let prev = dir.path().join("prev.xlsx");
    let o = run(&["convert", "samples/2020-enhe-town.json", "-o", prev.to_str().unwrap()]);
    assert!(o.status.success());
    let before = std::fs::read(&prev).unwrap();
    let o = run(&[
        "template",
        "--year",
        "2021",
        "--organ",
        "x",
        "--previous",
        prev.to_str().unwrap(),
        "-o",
        prev.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read(&prev).unwrap(), before);
    // Nor under another name for the same file (a hard link).
    let link = dir.path().join("link.xlsx");
    std::fs::hard_link(&prev, &link).unwrap();
    let o = run(&["convert", prev.to_str().unwrap(), "-o", link.to_str().unwrap(), "--force"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&prev).unwrap(), before);
}

/// The move into place refuses a file that appeared after the output was
/// started (no check-then-rename window), leaves it and no temporary file;
/// with --force it replaces. Outputs get the permissions of a plain
/// `File::create`, not tempfile's 0600.
#[test]
fn an_output_that_appears_meanwhile_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    let mut tmp = xxgk::output::create_beside(&target).unwrap();
    tmp.write_all(b"ours").unwrap();
    std::fs::write(&target, b"someone else's").unwrap();
    let e = xxgk::output::persist(tmp, &target, false).unwrap_err();
    assert!(matches!(e, xxgk::Error::OutputExists { .. }), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"someone else's");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("out.json")], "the temporary file is gone");
    let mut tmp = xxgk::output::create_beside(&target).unwrap();
    tmp.write_all(b"ours").unwrap();
    xxgk::output::persist(tmp, &target, true).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"ours");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&target), mode(&plain));
    }
}

/// An output that is a device or a named pipe (`-o /dev/null`,
/// `-o /dev/stdout`) is written in place, never replaced by a file: moving a
/// temporary file over it would, as root, replace `/dev/null` itself. Shown
/// on a named pipe in a temporary folder, so that a failure harms nothing.
#[cfg(unix)]
#[test]
fn an_output_that_is_a_device_or_pipe_is_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    // The reader opens the pipe in a thread: opening blocks until xxgk writes.
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &fifo.display().to_string()]);
    let still_a_pipe = std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo();
    assert!(still_a_pipe, "the named pipe was replaced by a file: {}", stderr(&o));
    assert!(o.status.success(), "{}", stderr(&o));
    let written = reader.join().unwrap();
    let expected = run(&["convert", "samples/2021-tongxin-county.json"]);
    assert_eq!(written, expected.stdout, "the pipe received the JSON");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("pipe.json")], "no temporary file left");
}

/// `-o /dev/stdout` writes to standard output, whether it is a pipe or a
/// file the shell redirected it to, and never replaces anything.
#[cfg(unix)]
#[test]
fn an_output_to_dev_stdout_goes_to_standard_output() {
    let expected = run(&["convert", "samples/2021-tongxin-county.json"]).stdout;
    let piped = run(&["convert", "samples/2021-tongxin-county.json", "-o", "/dev/stdout"]);
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(piped.stdout, expected);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.json");
    let o = common::bin()
        .args(["convert", "samples/2021-tongxin-county.json", "-o", "/dev/stdout", "--to", "json"])
        .stdout(std::fs::File::create(&out).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read(&out).unwrap(), expected, "the redirected file holds the JSON");
}

/// A named pipe nobody reads is refused at once with a message, instead of
/// waiting forever; a block device or a socket is never written.
#[cfg(unix)]
#[test]
fn outputs_that_cannot_be_written_are_refused_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("nobody.json");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut child = common::bin()
        .args(["convert", "samples/2021-tongxin-county.json", "-o", &fifo.display().to_string()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("xxgk waited for a reader of the pipe");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("没有程序在读取"), "{}", stderr(&o));

    let sock = dir.path().join("sock.json");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &sock.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("不能写入"), "{}", stderr(&o));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&sock).unwrap().file_type().is_socket(), "the socket is still there");

    // A block device needs root to make; where it can be made, it is refused
    // and left as it was.
    let blk = dir.path().join("disk.json");
    let made = std::process::Command::new("mknod").arg(&blk).args(["b", "7", "250"]).output();
    if made.is_ok_and(|m| m.status.success()) {
        let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &blk.display().to_string(), "--force"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("不能写入"), "{}", stderr(&o));
        assert!(std::fs::symlink_metadata(&blk).unwrap().file_type().is_block_device());
    } else {
        eprintln!("SKIPPED (block device part): mknod needs root");
    }
}

/// An output that is a symbolic link to a file: the file it names gets the
/// output (with --force) and the link stays a link. A missing folder is
/// named, and no temporary file name shows in the message.
#[cfg(unix)]
#[test]
fn a_link_output_keeps_the_link_and_a_missing_folder_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    std::fs::write(&real, b"old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &link.display().to_string()]);
    assert_eq!(o.status.code(), Some(2), "an existing file needs --force: {}", stderr(&o));
    assert_eq!(std::fs::read(&real).unwrap(), b"old");
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &link.display().to_string(), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    assert_eq!(std::fs::read(&real).unwrap(), run(&["convert", "samples/2021-tongxin-county.json"]).stdout);

    let missing = dir.path().join("no-such-folder").join("out.xlsx");
    let o = run(&["convert", "samples/2021-tongxin-county.json", "-o", &missing.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("不存在") && e.contains("no-such-folder"), "{e}");
    assert!(!e.contains(".xxgk-"), "a temporary file name in the message: {e}");
}

/// Errors are typed: a caller (a web page, a batch summary) can tell an
/// encrypted file from a legacy one, a zip bomb, a DOCTYPE, a scan or a file
/// that is no report, without reading the Chinese sentence.
#[test]
fn reader_errors_say_what_kind_of_failure_they_are() {
    use xxgk::error::Problem;
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let lol = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><w:document/>";
    let deep = body(&"<w:p>".repeat(300));
    let bomb_entry = vec![b'a'; 2 << 20];
    type Case<'a> = (PathBuf, fn(&Problem) -> bool, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (put("enc.docx", &common::cfb("EncryptedPackage")), |p| matches!(p, Problem::Encrypted { .. }), None),
        (put("old.docx", &common::cfb("WordDocument")), |p| matches!(p, Problem::Legacy { .. }), None),
        (put("old.xlsx", &common::cfb("Workbook")), |p| matches!(p, Problem::Legacy { .. }), None),
        (put("empty.docx", b""), |p| matches!(p, Problem::Empty), None),
        (put("noise.xlsx", b"not a zip at all"), |p| matches!(p, Problem::NotPackage { .. }), None),
        (put("bomb.docx", &docx_with_document(&bomb_entry)), |p| matches!(p, Problem::ZipBomb { .. }), Some("1M")),
        (put("lol.docx", &docx_with_document(lol.as_bytes())), |p| matches!(p, Problem::Doctype), None),
        (put("deep.docx", &docx_with_document(&deep)), |p| matches!(p, Problem::TooDeep { limit: 256 }), None),
        (put("nothing.txt", "这里只有一句话。".as_bytes()), |p| matches!(p, Problem::NotAReport { .. }), None),
        (put("not.pdf", b"%PDF-1.4 garbage"), |p| matches!(p, Problem::Pdf(_)), None),
        (
            put("nested.html", "<table><tr><td>".repeat(20).as_bytes()),
            |p| matches!(p, Problem::TablesTooDeep { .. }),
            None,
        ),
        (
            put("nested.docx", &docx_with_document(&body(&"<w:tbl><w:tr><w:tc>".repeat(20)))),
            |p| matches!(p, Problem::TablesTooDeep { .. }),
            None,
        ),
    ];
    let eds = xxgk::edition::Editions::builtin().unwrap();
    for (path, is, entry_cap) in cases {
        let mut opts = xxgk::read::ReadOptions::new(&eds);
        if let Some(cap) = entry_cap {
            opts.limits.entry_bytes = xxgk::limits::parse_size(cap).unwrap();
        }
        let e = xxgk::read::read_path(&path, opts).err().unwrap_or_else(|| panic!("{} was read", path.display()));
        let problem = e.problem().unwrap_or_else(|| panic!("{}: {e:?}", path.display()));
        assert!(is(problem), "{}: {problem:?}", path.display());
        // The Chinese sentence names the file.
        assert!(e.to_string().contains(path.file_name().unwrap().to_str().unwrap()), "{e}");
    }
    let folder = dir.join("文件夹.docx");
    std::fs::create_dir(&folder).unwrap();
    let e = xxgk::read::read_path(&folder, xxgk::read::ReadOptions::new(&eds)).err().unwrap();
    assert!(matches!(e.problem(), Some(Problem::IsFolder)), "{e:?}");
}
