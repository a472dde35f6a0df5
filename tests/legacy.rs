//! Legacy and foreign office formats (.doc, .wps, .rtf, .odt, .xls, .et,
//! .ods) read through LibreOffice (`src/read/legacy.rs`): the files are made
//! by LibreOffice itself from the documents xxgk writes of a sample, and
//! must give the sample's cells. The tests that need `soffice` are
//! `#[ignore = "needs LibreOffice"]` and fail without it.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

const SAMPLE: &str = "samples/2021-tongxin-county.json";

/// `xxgk ARGS` with its temporary files (and LibreOffice's) in `tmp`.
fn run_in(tmp: &Path, args: &[&str]) -> Output {
    bin().env("TMPDIR", tmp).env_remove("XXGK_SOFFICE").args(args).output().expect("run xxgk")
}

fn write_sample(dir: &Path, ext: &str) -> PathBuf {
    let p = dir.join(format!("x.{ext}"));
    let o = run(&["convert", SAMPLE, "-o", p.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    p
}

/// The sample written by xxgk as `from` (docx or xlsx), re-saved by
/// LibreOffice as each of `exts`, in `dir/made`.
fn made_by_libreoffice(dir: &Path, from: &str, exts: &[&str]) -> Vec<PathBuf> {
    let made = dir.join("made");
    std::fs::create_dir_all(&made).unwrap();
    let original = write_sample(dir, from);
    exts.iter().map(|ext| resave(&original, ext, &made)).collect()
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect()
}

/// Convert `file` to JSON and compare it with the sample: every cell, the
/// text, provenance naming `file`, and the conversion warning first.
fn assert_reads_as_sample(file: &Path, tmp: &Path) {
    let f = file.to_str().unwrap();
    let out = format!("{f}.json");
    let o = run_in(tmp, &["convert", f, "-o", &out, "--force"]);
    assert!(o.status.success(), "{f}: {}", stderr(&o));
    let (got, want) = (read_json(Path::new(&out)), read_json(&root().join(SAMPLE)));
    let cells = want["cells"].as_object().unwrap();
    assert_eq!(cells.len(), 200);
    assert_eq!(got["cells"], want["cells"], "{f}");
    for k in ["edition", "year", "organ", "title", "preamble", "parts"] {
        assert_eq!(got[k], want[k], "{f}: {k}");
    }
    let prov = got["provenance"].as_object().unwrap();
    assert_eq!(prov.len(), 200, "{f}");
    assert!(prov.values().all(|s| s["file"] == f), "{f}: {:?}", prov.values().next());
    let codes: Vec<&str> = got["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["READ-CONVERTED"], "{f}");
    let msg = got["warnings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("LibreOffice"), "{msg}");
    assert!(entries(tmp).is_empty(), "{f} left {:?} in the temporary folder", entries(tmp));
}

/// Word-like formats: .doc, .rtf, .odt made by LibreOffice, .wps (a .doc
/// by another name, as WPS's files are in practice), and a .doc renamed to
/// .docx.
#[test]
#[ignore = "needs LibreOffice"]
fn word_formats_convert_to_the_sample() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut files = made_by_libreoffice(dir.path(), "docx", &["doc", "rtf", "odt"]);
    for to in ["x.wps", "renamed.docx"] {
        let p = dir.path().join(to);
        std::fs::copy(&files[0], &p).unwrap();
        files.push(p);
    }
    let start = Instant::now();
    assert_reads_as_sample(&files[0], tmp.path());
    eprintln!("one .doc read through LibreOffice in {:.2} s", start.elapsed().as_secs_f64());
    for f in &files[1..] {
        assert_reads_as_sample(f, tmp.path());
    }
    let o = run_in(tmp.path(), &["convert", dir.path().join("renamed.docx").to_str().unwrap()]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["warnings"][0]["message"].as_str().unwrap().contains("实为 .doc"), "{v}");
}

/// Sheet-like formats: .xls and .ods made by LibreOffice, .et (an .xls by
/// another name), and an .xls renamed to .xlsx.
#[test]
#[ignore = "needs LibreOffice"]
fn sheet_formats_convert_to_the_sample() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut files = made_by_libreoffice(dir.path(), "xlsx", &["xls", "ods"]);
    for to in ["x.et", "renamed.xlsx"] {
        let p = dir.path().join(to);
        std::fs::copy(&files[0], &p).unwrap();
        files.push(p);
    }
    for f in &files {
        assert_reads_as_sample(f, tmp.path());
    }
}

/// `check` of a folder picks up the newly readable kinds and reads them in
/// its isolated workers, two at a time.
#[test]
#[ignore = "needs LibreOffice"]
fn a_folder_of_legacy_files_is_checked() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    std::fs::create_dir(&reports).unwrap();
    for (from, ext) in [("docx", "odt"), ("xlsx", "ods")] {
        let made = made_by_libreoffice(dir.path(), from, &[ext]);
        std::fs::rename(&made[0], reports.join(format!("x.{ext}"))).unwrap();
    }
    let o = run_in(tmp.path(), &["check", reports.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2, "{v}");
    for r in v.as_array().unwrap() {
        let codes: Vec<&str> = r["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["READ-CONVERTED"], "{r}");
    }
    assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
}

/// The start of a real compound file holding a stream of this name: a
/// whole header (byte-order mark, sector size), enough to be taken for a
/// 97-2003 file.
fn cfb_file(stream: &str) -> Vec<u8> {
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.resize(28, 0);
    b.extend([0xFE, 0xFF, 9, 0]);
    b.resize(512, 0);
    b.extend(stream.encode_utf16().flat_map(|u| u.to_le_bytes()));
    b
}

/// An OpenDocument package's first bytes: the stored `mimetype` entry.
fn odf_file(kind: &str) -> Vec<u8> {
    let mut b = b"PK\x03\x04".to_vec();
    b.resize(30, 0);
    b.extend(format!("mimetypeapplication/vnd.oasis.opendocument.{kind}").bytes());
    b
}

/// Without LibreOffice: the advice of old (re-save in Word, Excel or WPS)
/// and how to get LibreOffice, for every converted kind and for a 97-2003
/// file renamed to .docx or .xlsx; forced with `XXGK_SOFFICE=none`, and
/// for real with no `soffice` on `PATH`.
#[test]
fn without_libreoffice_the_message_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let put = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cases = [
        (
            put("a.doc", &cfb_file("WordDocument")),
            "这是旧版 Word 97-2003 文档（.doc）。请用 Word 或 WPS 打开后“另存为” .docx 格式再转换",
        ),
        (
            put("a.wps", &cfb_file("WordDocument")),
            "这是 WPS 文字的专有格式（.wps）。请用 WPS 打开后“另存为” .docx 格式再转换",
        ),
        (
            put("a.xls", &cfb_file("Workbook")),
            "这是旧版 Excel 97-2003 工作簿（.xls）。请用 Excel 或 WPS 打开后“另存为” .xlsx 格式再转换",
        ),
        (
            put("a.et", &cfb_file("Workbook")),
            "这是 WPS 表格的专有格式（.et）。请用 WPS 打开后“另存为” .xlsx 格式再转换",
        ),
        (put("a.rtf", b"{\\rtf1\\ansi x}"), "RTF 格式的文档（.rtf）"),
        (put("a.odt", &odf_file("text")), "OpenDocument 文本文档（.odt）"),
        (put("a.ods", &odf_file("spreadsheet")), "OpenDocument 电子表格（.ods）"),
        (put("legacy.docx", &cfb_file("WordDocument")), "只是扩展名为 .docx"),
        (put("legacy.xlsx", &cfb_file("Workbook")), "只是扩展名为 .xlsx"),
    ];
    let install =
        "安装 LibreOffice（apt-get install libreoffice-writer-nogui libreoffice-calc-nogui），xxgk 即可自动转换";
    for (f, expected) in &cases {
        for (forced, what) in [(true, "XXGK_SOFFICE=none"), (false, "no soffice on PATH")] {
            let mut c = bin();
            if forced {
                c.env("XXGK_SOFFICE", "none");
            } else {
                c.env_remove("XXGK_SOFFICE").env("PATH", empty.path());
            }
            let o = c.args(["convert", f]).output().unwrap();
            assert_eq!(o.status.code(), Some(2), "{f} ({what})");
            let e = stderr(&o);
            assert!(e.contains(expected) && e.contains(install) && e.contains(f.as_str()), "{f} ({what}): {e}");
            assert_eq!(e.contains("XXGK_SOFFICE=none"), forced, "{f} ({what}): {e}");
            assert_no_panic(&o, f);
        }
    }
    let o = bin().env("XXGK_SOFFICE", "/no/such/soffice").args(["convert", &cases[0].0]).output().unwrap();
    assert!(stderr(&o).contains("/no/such/soffice 不存在"), "{}", stderr(&o));
}

/// What the bytes hold decides: a .doc that really is a .docx or a web
/// page is read as such, without LibreOffice; a file that is not what its
/// name says is refused with the advice, and never reaches LibreOffice.
#[test]
fn the_bytes_decide_not_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("really-docx.doc");
    std::fs::copy(write_sample(dir.path(), "docx"), &doc).unwrap();
    let o = bin().env("XXGK_SOFFICE", "none").args(["convert", doc.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let want = read_json(&root().join(SAMPLE));
    assert_eq!(v["cells"], want["cells"]);
    assert!(v.get("warnings").is_none(), "{v}");

    let web = dir.path().join("web.xls");
    std::fs::write(&web, "<html><body><p>同心县2021年政府信息公开工作年度报告</p></body></html>").unwrap();
    let o = bin().env("XXGK_SOFFICE", "none").args(["convert", web.to_str().unwrap()]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["warnings"][0]["code"], "READ-TABLE-NOT-FOUND", "{v}");
    assert_eq!(v["year"], 2021);

    let bad = [
        ("text.doc", b"just text".to_vec(), "不是有效的 .doc 文件"),
        ("short.xls", b"\xD0\xCF\x11\xE0".to_vec(), "不是有效的 .xls 文件"),
        ("zip.odt", odf_file("presentation"), "不是有效的 .odt 文件"),
    ];
    for (name, bytes, expected) in bad {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let o = bin().env("XXGK_SOFFICE", "/no/such/soffice").args(["convert", p.to_str().unwrap()]).output().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let e = stderr(&o);
        assert!(e.contains(expected) && e.contains("另存为") && !e.contains("/no/such"), "{name}: {e}");
    }
}

/// Processes whose command line mentions `text` (Linux: /proc).
fn processes_mentioning(text: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return vec![] };
    dir.flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(text))
        .collect()
}

/// Wait up to 10 s for LibreOffice to be gone and the temporary folder empty.
fn assert_cleaned_up(tmp: &Path, what: &str) {
    let t = tmp.to_str().unwrap();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) && (!processes_mentioning(t).is_empty() || !entries(tmp).is_empty())
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(processes_mentioning(t).is_empty(), "{what}: still running: {:?}", processes_mentioning(t));
    assert!(entries(tmp).is_empty(), "{what}: left {:?}", entries(tmp));
}

/// A conversion that overruns its time is stopped with a message, and
/// LibreOffice and every temporary file are gone: when the reading process
/// stops it (in process, and in a worker), and when the reading process is
/// itself killed mid-conversion (its reaper cleans up).
#[test]
#[ignore = "needs LibreOffice"]
fn an_overrun_stops_libreoffice_and_leaves_nothing() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui");
    let dir = tempfile::tempdir().unwrap();
    let doc = made_by_libreoffice(dir.path(), "docx", &["doc"]).remove(0);
    let doc = doc.to_str().unwrap();

    for args in [&["--no-isolation", "--timeout=0.3"][..], &["--timeout=0.6"][..]] {
        let tmp = tempfile::tempdir().unwrap();
        let o = run_in(tmp.path(), &[args, &["convert", doc]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        // In a worker, the worker stops LibreOffice at nine tenths of the
        // time; if the worker took long to start, it is stopped itself.
        let stopped =
            e.contains("用 LibreOffice 转换为 .docx 超过") || (args.len() == 1 && e.contains("读取该文件超过 0.6 秒"));
        assert!(stopped && e.contains("--timeout"), "{args:?}: {e}");
        assert_no_panic(&o, doc);
        assert_cleaned_up(tmp.path(), &format!("{args:?}"));
    }

    // The reading process killed while LibreOffice runs.
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().to_str().unwrap().to_string();
    let mut child = bin()
        .env("TMPDIR", tmp.path())
        .env_remove("XXGK_SOFFICE")
        .args(["--no-isolation", "convert", doc])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let running = || processes_mentioning(&t).iter().any(|c| c.contains("UserInstallation"));
    while !running() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(10));
    }
    let seen = running();
    child.kill().unwrap();
    child.wait().unwrap();
    if std::path::Path::new("/proc/self/cmdline").exists() {
        assert!(seen, "LibreOffice was never seen running");
    }
    assert_cleaned_up(tmp.path(), "killed mid-conversion");
}
