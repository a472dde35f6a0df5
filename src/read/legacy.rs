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
//! LibreOffice runs through [`crate::soffice`] (private folder and profile
//! with macros off, process group reaped, time limit
//! [`crate::limits::Limits::convert_time`]); on overrun the file gets a
//! message. Without LibreOffice the file gets the advice to re-save it in
//! Word, Excel or WPS and how to install LibreOffice ([`INSTALL`]);
//! `XXGK_SOFFICE` chooses or disables the program ([`crate::soffice`]).

use super::doc::Document;
use super::{container, InputKind, ReadOptions};
use crate::error::{Error, OfficeFailure, OfficeTask, Problem, Result};
use crate::limits::Limits;
use crate::model::Warning;
use crate::soffice::{self, soffice, Failure, Soffice, ENV, INSTALL};
use std::path::Path;

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
    let advised = |problem: Problem, advice: String| Problem::Advised { problem: Box::new(problem), advice };
    let without = |why: String| -> Error {
        match format {
            Some(f) => Error::read(path, advised(Problem::Other(self::advice(f)), why)),
            // A renamed file: what its reader says, and the offer.
            None => match read_as(family, path, bytes.clone(), opts) {
                Err(Error::Read { path, problem }) => Error::read(&path, advised(problem, why)),
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

/// Convert `bytes` (shown to LibreOffice as `input.<shown>`) to `to` in a
/// private folder ([`crate::soffice::convert`]), and read the result with
/// the usual caps.
fn convert(path: &Path, bytes: &[u8], shown: &str, to: InputKind, program: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let target = target_ext(to);
    let filter = if to == InputKind::Xlsx { "xlsx:Calc MS Excel 2007 XML" } else { "docx:MS Word 2007 XML" };
    let read = |result: &Path| {
        container::read_file(result, limits).map_err(|e| OfficeFailure::BadOutput { detail: e.to_string() })
    };
    let task = OfficeTask::Convert { target: target.to_string() };
    let failure = match soffice::convert(program, &format!("input.{shown}"), bytes, filter, limits.convert_time, read) {
        Ok(Ok(bytes)) => return Ok(bytes),
        Ok(Err(f)) => f,
        Err(Failure::Prepare(what, e)) => OfficeFailure::Prepare { what: what.to_string(), detail: e.to_string() },
        Err(Failure::Start(e)) => OfficeFailure::Start { detail: format!("{}：{e}", program.display()) },
        Err(Failure::TimedOut(seconds)) => OfficeFailure::TimedOut { seconds },
        Err(Failure::NoOutput(status, said)) => OfficeFailure::NoOutput { status: status.to_string(), said },
    };
    Err(Error::Office { path: path.to_path_buf(), task, failure })
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
}
