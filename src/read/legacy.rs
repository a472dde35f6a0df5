//! Legacy and foreign office formats, read through LibreOffice.
//!
//! Word 97-2003 (`.doc`), WPS 文字 (`.wps`), RTF and OpenDocument text
//! (`.odt`) are converted to `.docx`; Excel 97-2003 (`.xls`), WPS 表格 (`.et`)
//! and OpenDocument spreadsheets (`.ods`) to `.xlsx`, by LibreOffice headless
//! (`soffice --convert-to`). The result is read by the docx or xlsx reader
//! with the usual caps, so everything after is the same; the document gets a
//! `READ-CONVERTED` warning and provenance names the original file.
//!
//! The bytes decide, not the name: a `.doc` that really is a `.docx` or a
//! web page is read as such without LibreOffice; a `.wps` or `.et` (in
//! practice Word and Excel 97-2003 files) is converted as what it holds;
//! a `.docx` or `.xlsx` that is really a 97-2003 file is converted too; a
//! file that is not what its name says never reaches LibreOffice.
//!
//! Every conversion has a private temporary folder, removed afterwards: a
//! copy of the input under a neutral name, a fresh LibreOffice profile
//! (`-env:UserInstallation`) that turns macros off (macro security "very
//! high", macro execution disabled, VBA neither loaded nor executable) and
//! never updates links, LibreOffice's own temporary files (`TMPDIR`), and
//! the output; nothing is written next to the input. LibreOffice runs in a
//! process group of its own, which a reaper (`sh`) kills, removing the
//! folder, when this process ends however it ends (see `run`); after
//! [`crate::limits::Limits::convert_time`] the group is killed and the file
//! gets a message. Without LibreOffice the file gets the advice to re-save
//! it in Word, Excel or WPS and how to install LibreOffice ([`INSTALL`]).
//!
//! `XXGK_SOFFICE` chooses the program: `none` (or `off`, `0`) turns
//! conversion off, a path names the program; otherwise `soffice` or
//! `libreoffice` is looked up on `PATH` (and in the usual install folder on
//! macOS and Windows).

use super::doc::Document;
use super::{container, InputKind, ReadOptions};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::model::Warning;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The environment variable that chooses or disables LibreOffice.
pub const ENV: &str = "XXGK_SOFFICE";

/// How to get LibreOffice, in the messages without it.
pub const INSTALL: &str = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui";

/// A format converted through LibreOffice.
struct Format {
    ext: &'static str,
    /// What it becomes.
    to: InputKind,
    /// `这是…`: what the file is.
    what: &'static str,
    /// The program to re-save it with.
    app: &'static str,
}

const FORMATS: &[Format] = &[
    Format { ext: "doc", to: InputKind::Docx, what: "旧版 Word 97-2003 文档（.doc）", app: "Word 或 WPS" },
    Format { ext: "wps", to: InputKind::Docx, what: "WPS 文字的专有格式（.wps）", app: "WPS" },
    Format { ext: "rtf", to: InputKind::Docx, what: "RTF 格式的文档（.rtf）", app: "Word 或 WPS" },
    Format {
        ext: "odt", to: InputKind::Docx, what: "OpenDocument 文本文档（.odt）", app: "Word、WPS 或 LibreOffice"
    },
    Format { ext: "xls", to: InputKind::Xlsx, what: "旧版 Excel 97-2003 工作簿（.xls）", app: "Excel 或 WPS" },
    Format { ext: "et", to: InputKind::Xlsx, what: "WPS 表格的专有格式（.et）", app: "WPS" },
    Format {
        ext: "ods", to: InputKind::Xlsx, what: "OpenDocument 电子表格（.ods）", app: "Excel、WPS 或 LibreOffice"
    },
];

fn format_of(ext: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.ext == ext)
}

/// Is this extension (lower case) one that is read through LibreOffice?
pub fn handles(ext: &str) -> bool {
    format_of(ext).is_some()
}

fn ext_of(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

fn target_ext(to: InputKind) -> &'static str {
    if to == InputKind::Xlsx {
        ".xlsx"
    } else {
        ".docx"
    }
}

/// The advice of old: re-save the file in the other program.
fn advice(f: &Format) -> String {
    format!("这是{}。{}", spaced(f.what), resave(f))
}

fn resave(f: &Format) -> String {
    format!("请用 {} 打开后“另存为” {} 格式再转换", f.app, target_ext(f.to))
}

/// A space before Latin text that follows Chinese text (`这是 WPS 文字…`).
fn spaced(s: &str) -> String {
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        format!(" {s}")
    } else {
        s.to_string()
    }
}

/// What the bytes of a file hold.
#[derive(Debug, PartialEq, Eq)]
enum Content {
    /// To convert: the extension LibreOffice is shown and what it becomes.
    Convert(&'static str, InputKind),
    /// Readable as it is, by this reader.
    Read(InputKind),
    /// Not what its name says, or broken.
    Bad,
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A whole compound-file header: the magic, the byte-order mark and a
/// sector size of 512 or 4096 bytes (not just the first bytes of one).
fn is_cfb(b: &[u8]) -> bool {
    b.len() >= 512
        && b.starts_with(&CFB_MAGIC)
        && matches!(b.get(28..32), Some([0xFE, 0xFF, 9, 0]) | Some([0xFE, 0xFF, 12, 0]))
}

/// An unencrypted Office 97-2003 (or WPS) file: what a `.docx` or `.xlsx`
/// that was only renamed holds.
pub fn is_renamed_legacy(bytes: &[u8]) -> bool {
    is_cfb(bytes) && matches!(container::sniff(bytes), container::Sniffed::Cfb { encrypted: false, .. })
}

fn sniff(b: &[u8], family: InputKind) -> Content {
    let legacy = |to: InputKind| Content::Convert(if to == InputKind::Xlsx { "xls" } else { "doc" }, to);
    match container::sniff(b) {
        container::Sniffed::Cfb { encrypted: true, .. } => return Content::Read(family),
        container::Sniffed::Cfb { word: true, .. } if is_cfb(b) => return legacy(InputKind::Docx),
        container::Sniffed::Cfb { excel: true, .. } if is_cfb(b) => return legacy(InputKind::Xlsx),
        container::Sniffed::Cfb { .. } if is_cfb(b) => return legacy(family),
        container::Sniffed::Cfb { .. } => return Content::Bad,
        container::Sniffed::Zip => {
            // OpenDocument: an uncompressed `mimetype` entry comes first.
            const ODF: &[u8] = b"application/vnd.oasis.opendocument.";
            let mime = (b.get(30..38) == Some(b"mimetype")).then(|| b.get(38..).unwrap_or_default());
            return match mime.and_then(|m| m.strip_prefix(ODF)) {
                Some(m) if m.starts_with(b"text") => Content::Convert("odt", InputKind::Docx),
                Some(m) if m.starts_with(b"spreadsheet") => Content::Convert("ods", InputKind::Xlsx),
                Some(_) => Content::Bad,
                // Office Open XML: the reader tells a workbook from a document.
                None => Content::Read(family),
            };
        }
        container::Sniffed::Other => {}
    }
    let head: Vec<u8> = b.iter().take(1024).map(u8::to_ascii_lowercase).collect();
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    let text = text.trim_ascii_start();
    if text.starts_with(b"{\\rtf") {
        return Content::Convert("rtf", InputKind::Docx);
    }
    // Web systems often export a web page under a .doc or .xls name.
    let html = [&b"<!doctype html"[..], b"<html", b"<table", b"<meta"];
    if html.iter().any(|h| text.starts_with(h)) || head.windows(5).any(|w| w == b"<html") {
        return Content::Read(InputKind::Html);
    }
    Content::Bad
}

fn read_as(kind: InputKind, path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<Document> {
    match kind {
        InputKind::Xlsx => super::xlsx::from_bytes(path, bytes, opts),
        InputKind::Html => super::html::from_bytes(path, &bytes, opts),
        _ => super::docx::from_bytes(path, &bytes, opts),
    }
}

/// Where LibreOffice is, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Soffice {
    Found(PathBuf),
    /// Turned off by [`ENV`] (its value).
    Off(String),
    /// [`ENV`] names a program that is not there.
    Wrong(PathBuf),
    Missing,
}

/// Find LibreOffice (see the module documentation).
pub fn soffice() -> Soffice {
    if let Some(v) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        let s = v.to_string_lossy().trim().to_string();
        if ["none", "off", "0", "no", "false"].contains(&s.to_ascii_lowercase().as_str()) {
            return Soffice::Off(s);
        }
        let p = PathBuf::from(v);
        return if p.is_file() { Soffice::Found(p) } else { Soffice::Wrong(p) };
    }
    let names: &[&str] = if cfg!(windows) { &["soffice.exe", "soffice.com"] } else { &["soffice", "libreoffice"] };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let usual = ["/Applications/LibreOffice.app/Contents/MacOS", r"C:\Program Files\LibreOffice\program"];
    std::env::split_paths(&path)
        .chain(usual.iter().map(PathBuf::from))
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .map_or(Soffice::Missing, Soffice::Found)
}

/// The document of a file in a legacy or foreign format (`kind` is
/// [`InputKind::Legacy`]), or of a `.docx`/`.xlsx` that holds one
/// (`kind` says which it was named).
///
/// # Errors
/// The file is not what its name says, LibreOffice is not available, the
/// conversion failed or took too long, or the converted file is unusable.
pub fn document(kind: InputKind, path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<Document> {
    let ext = ext_of(path);
    let format = format_of(&ext);
    let family = match (kind, format) {
        (InputKind::Xlsx | InputKind::Docx, _) | (_, None) => kind,
        (_, Some(f)) => f.to,
    };
    let (shown, to) = match (sniff(&bytes, family), format) {
        (Content::Convert(shown, to), _) => (shown, to),
        (Content::Read(k), _) => return read_as(k, path, bytes, opts),
        (Content::Bad, Some(f)) => {
            return Err(Error::invalid(
                path,
                format!("不是有效的 .{} 文件（文件已损坏，或并非{}）。{}", f.ext, spaced(f.what), resave(f)),
            ))
        }
        (Content::Bad, None) => return read_as(family, path, bytes, opts),
    };
    let without = |why: String| -> Error {
        match format {
            Some(f) => Error::unsupported(path, format!("{}。{why}", advice(f))),
            // A renamed file: what its reader says, and the offer.
            None => match read_as(family, path, bytes.clone(), opts) {
                Err(Error::Read { path, problem }) => Error::invalid(&path, format!("{problem}。{why}")),
                Err(e) => e,
                Ok(_) => Error::invalid(path, why),
            },
        }
    };
    let offer = format!("也可以在本机安装 LibreOffice（{INSTALL}），xxgk 即可自动转换此类文件");
    let program = match soffice() {
        Soffice::Found(p) => p,
        Soffice::Missing => return Err(without(offer)),
        Soffice::Off(v) => return Err(without(format!("{offer}（当前已由环境变量 {ENV}={v} 关闭自动转换）"))),
        Soffice::Wrong(p) => {
            return Err(without(format!("{ENV} 指定的 LibreOffice 程序 {} 不存在，请检查该环境变量", p.display())))
        }
    };
    let converted = convert(path, &bytes, shown, to, &program, &opts.limits)?;
    drop(bytes);
    let mut doc = read_as(to, path, converted, opts)?;
    let named = if format.is_some() {
        format!("此 .{ext} 文件")
    } else {
        format!("此文件（扩展名为 .{ext}，实为 .{shown} 格式）")
    };
    let target = target_ext(to);
    doc.warnings.insert(
        0,
        Warning {
            code: "READ-CONVERTED".into(),
            message: format!(
                "已用 LibreOffice 将{named}转换为 {target} 后读取，数字和位置均取自转换结果。如有疑问，请用 Word 或 WPS 打开原文件核对，或“另存为” {target} 后再转换"
            ),
            source: None,
        },
    );
    Ok(doc)
}

/// The profile every conversion starts from: macros off, links never
/// updated (Writer 0 and Calc 1 mean "never").
const PROFILE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"#;

/// `file://` URL of a path, every byte but unreserved ones percent-encoded.
fn file_url(p: &Path) -> String {
    #[cfg(unix)]
    let (bytes, mut url) = {
        use std::os::unix::ffi::OsStrExt;
        (p.as_os_str().as_bytes().to_vec(), String::from("file://"))
    };
    #[cfg(not(unix))]
    let (bytes, mut url) = (p.to_string_lossy().replace('\\', "/").into_bytes(), String::from("file:///"));
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Convert `bytes` (shown to LibreOffice as `input.<shown>`) to `to` in a
/// private folder, and read the result with the usual caps.
fn convert(path: &Path, bytes: &[u8], shown: &str, to: InputKind, program: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let target = target_ext(to);
    let trouble =
        |what: &str, e: std::io::Error| Error::invalid(path, format!("无法准备 LibreOffice 转换：{what}（{e}）"));
    let dir =
        tempfile::Builder::new().prefix("xxgk-soffice-").tempdir().map_err(|e| trouble("无法创建临时文件夹", e))?;
    let (profile, tmp, out) = (dir.path().join("profile"), dir.path().join("tmp"), dir.path().join("out"));
    let input = dir.path().join(format!("input.{shown}"));
    for d in [&profile.join("user"), &tmp, &out] {
        std::fs::create_dir_all(d).map_err(|e| trouble("无法创建临时文件夹", e))?;
    }
    std::fs::write(profile.join("user/registrymodifications.xcu"), PROFILE).map_err(|e| trouble("无法写入配置", e))?;
    std::fs::write(&input, bytes).map_err(|e| trouble("无法写入临时文件", e))?;
    let log_path = dir.path().join("soffice.log");
    let log = std::fs::File::create(&log_path).map_err(|e| trouble("无法写入临时文件", e))?;
    let log2 = log.try_clone().map_err(|e| trouble("无法写入临时文件", e))?;
    let filter = if to == InputKind::Xlsx { "xlsx:Calc MS Excel 2007 XML" } else { "docx:MS Word 2007 XML" };
    let mut cmd = Command::new(program);
    cmd.arg(format!("-env:UserInstallation={}", file_url(&profile)))
        .args(["--headless", "--invisible", "--nologo", "--nodefault", "--norestore", "--nolockcheck"])
        .args(["--convert-to", filter, "--outdir"])
        .arg(&out)
        .arg(&input)
        .current_dir(dir.path())
        .env("TMPDIR", &tmp)
        .env("TMP", &tmp)
        .env("TEMP", &tmp)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    let start = Instant::now();
    let status = run(cmd, limits.convert_time, dir.path())
        .map_err(|e| Error::invalid(path, format!("无法启动 LibreOffice（{}）：{e}", program.display())))?;
    let Some(status) = status else {
        return Err(Error::invalid(
            path,
            format!(
                "用 LibreOffice 转换为 {target} 超过 {:.1} 秒仍未完成，已停止（文件可能损坏或过大）。请用 Word 或 WPS 打开后“另存为” {target} 再转换；如确是正常的大文件，可用 --timeout 放宽",
                start.elapsed().as_secs_f64()
            ),
        ));
    };
    let result = out.join(format!("input{target}"));
    if !result.is_file() {
        let said = std::fs::read_to_string(&log_path).unwrap_or_default();
        let said = said
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.contains("javaldx"))
            .map(|l| format!("：{}", l.chars().take(200).collect::<String>()))
            .unwrap_or_default();
        return Err(Error::invalid(
            path,
            format!(
                "LibreOffice 未能将其转换为 {target}（{status}{said}）。文件可能已损坏、设置了打开密码，或并非其扩展名所示的格式。请用 Word 或 WPS 打开后“另存为” {target} 再转换"
            ),
        ));
    }
    container::read_file(&result, limits)
        .map_err(|e| Error::invalid(path, format!("LibreOffice 转换得到的 {target} 文件无法使用：{e}")))
}

/// Wait for a child until `limit`; `None` if it is still running then.
fn wait_until(child: &mut Child, limit: Duration) -> std::io::Result<Option<ExitStatus>> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        if let Some(s) = child.try_wait()? {
            return Ok(Some(s));
        }
        let left = limit.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Ok(None);
        }
        std::thread::sleep(pause.min(left));
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// Run LibreOffice in a process group of its own and wait until `limit`;
/// `None` on overrun. The group is led by an anchor, a shell waiting on
/// its standard input, so that the group id stays ours while we may kill
/// the group; a reaper outside the group waits the same way, and when this
/// process ends however it ends (both inputs close), kills the group and
/// removes `dir`. When LibreOffice is done or overruns, the group is
/// killed here.
#[cfg(unix)]
fn run(mut cmd: Command, limit: Duration, dir: &Path) -> std::io::Result<Option<ExitStatus>> {
    use std::os::unix::process::CommandExt;
    let quiet = |c: &mut Command| {
        c.stdout(Stdio::null()).stderr(Stdio::null()).process_group(0);
    };
    let mut anchor = Command::new("/bin/sh");
    anchor.args(["-c", "read x"]).stdin(Stdio::piped());
    quiet(&mut anchor);
    let mut anchor = anchor.spawn()?;
    let group = libc::pid_t::try_from(anchor.id()).unwrap_or(0);
    let kill_group = || {
        if group > 1 {
            // SAFETY: kill(2) on the process group led by the anchor, our
            // own child, alive until this very call; no memory is involved.
            unsafe {
                libc::kill(-group, libc::SIGKILL);
            }
        }
    };
    let mut reaper = Command::new("/bin/sh");
    reaper
        .args([
            "-c",
            // Kill the group, wait until every process of it is gone (one
            // still dying could write into the folder), then remove it.
            r#"trap "" INT HUP; read x; kill -s KILL -- "-$1"; n=0; while kill -0 -- "-$1" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.05; n=$((n+1)); done; rm -rf -- "$2""#,
            "sh",
        ])
        .arg(group.to_string())
        .arg(dir)
        .stdin(Stdio::piped());
    quiet(&mut reaper);
    let mut reaper = match reaper.spawn() {
        Ok(r) => r,
        Err(e) => {
            kill_group();
            let _ = anchor.wait();
            return Err(e);
        }
    };
    let status = match cmd.process_group(group).spawn() {
        Ok(mut child) => {
            let status = wait_until(&mut child, limit);
            kill_group();
            let _ = child.wait();
            status
        }
        Err(e) => {
            kill_group();
            Err(e)
        }
    };
    let _ = anchor.wait();
    // Every process of the group gone before the folder is removed (a
    // process still dying could write into it); at most five seconds.
    for _ in 0..100 {
        // SAFETY: kill(2) with signal 0 only asks whether the group exists.
        if group <= 1 || unsafe { libc::kill(-group, 0) } != 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = reaper.kill();
    let _ = reaper.wait();
    status
}

#[cfg(not(unix))]
fn run(mut cmd: Command, limit: Duration, _dir: &Path) -> std::io::Result<Option<ExitStatus>> {
    let mut child = cmd.spawn()?;
    let status = wait_until(&mut child, limit);
    if !matches!(status, Ok(Some(_))) {
        let _ = child.kill();
    }
    let _ = child.wait();
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfb(stream: &str) -> Vec<u8> {
        let mut b = CFB_MAGIC.to_vec();
        b.resize(28, 0);
        b.extend([0xFE, 0xFF, 9, 0]);
        b.resize(512, 0);
        b.extend(stream.encode_utf16().flat_map(|u| u.to_le_bytes()));
        b
    }

    #[test]
    fn the_bytes_decide() {
        use InputKind::{Docx, Html, Xlsx};
        assert_eq!(sniff(&cfb("WordDocument"), Xlsx), Content::Convert("doc", Docx));
        assert_eq!(sniff(&cfb("Workbook"), Docx), Content::Convert("xls", Xlsx));
        assert_eq!(sniff(&cfb("Other"), Xlsx), Content::Convert("xls", Xlsx));
        assert_eq!(sniff(&cfb("EncryptedPackage"), Docx), Content::Read(Docx));
        // Only the first bytes of a compound file: broken.
        assert_eq!(sniff(&CFB_MAGIC, Docx), Content::Bad);
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(sniff(&odt, Docx), Content::Convert("ods", Xlsx));
        assert_eq!(sniff(b"PK\x03\x04 word/document.xml", Docx), Content::Read(Docx));
        assert_eq!(sniff(b"\xef\xbb\xbf {\\rtf1\\ansi", Xlsx), Content::Convert("rtf", Docx));
        assert_eq!(sniff(b"\r\n<HTML><body><table>", Xlsx), Content::Read(Html));
        assert_eq!(sniff(b"just text", Docx), Content::Bad);
        assert!(is_renamed_legacy(&cfb("WordDocument")) && !is_renamed_legacy(&cfb("EncryptedPackage")));
    }

    #[test]
    fn file_urls_are_escaped() {
        #[cfg(unix)]
        assert_eq!(file_url(Path::new("/tmp/a b/年报")), "file:///tmp/a%20b/%E5%B9%B4%E6%8A%A5");
    }
}
