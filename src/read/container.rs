//! What a file really is, before any parser sees it, and the size caps that
//! keep crafted files from exhausting memory (crates-notes.md §4).
//!
//! Office files are zip packages; legacy and encrypted Office files are OLE
//! compound files (CFB). We sniff the bytes rather than trust the extension,
//! so a clerk who renamed a .xls to .xlsx, or sent an encrypted workbook, is
//! told exactly what to do.

use crate::error::{Error, Problem, Result};
use crate::limits::Limits;
use std::io::Read;
use std::path::Path;

/// Read a whole input file, refusing one over the size cap.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::read(path, Problem::IsFolder));
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.len() > limits.file_bytes {
        return Err(Error::read(path, Problem::TooLarge { size: meta.len(), limit: limits.file_bytes }));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(limits.file_bytes + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, e))?;
    if bytes.is_empty() {
        return Err(Error::read(path, Problem::Empty));
    }
    if bytes.len() as u64 > limits.file_bytes {
        return Err(Error::read(path, Problem::TooLarge { size: bytes.len() as u64, limit: limits.file_bytes }));
    }
    Ok(bytes)
}

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Zip,
    /// An OLE compound file: encrypted OOXML, or a legacy .doc/.xls/.wps/.et.
    Cfb {
        encrypted: bool,
        word: bool,
        excel: bool,
    },
    Other,
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Sniffed::Cfb {
            encrypted: contains(bytes, &utf16("EncryptedPackage")),
            word: contains(bytes, &utf16("WordDocument")),
            excel: contains(bytes, &utf16("Workbook")) || contains(bytes, &utf16("Book")),
        };
    }
    Sniffed::Other
}

/// The kind of Office package expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Xlsx,
    Docx,
}

/// What the zip reader said, in Chinese, with its own words in brackets.
pub fn zip_words(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    let what = match e {
        ZipError::InvalidArchive(_) => "压缩包结构无效，文件不完整或并非压缩包",
        ZipError::UnsupportedArchive(_) => "使用了不支持的压缩方式或加密",
        ZipError::FileNotFound => "压缩包中缺少需要的文件",
        ZipError::InvalidPassword => "压缩包设置了密码",
        ZipError::Io(_) => "读取压缩包时出错",
        _ => "压缩包无法读取",
    };
    format!("{what}；{e}")
}

/// Refuse what is not a usable package of the expected kind, with advice.
pub fn check_package(path: &Path, bytes: &[u8], expect: Expect, limits: &Limits) -> Result<()> {
    let (app, ext) = match expect {
        Expect::Xlsx => ("Excel 或 WPS 表格", ".xlsx"),
        Expect::Docx => ("Word 或 WPS 文字", ".docx"),
    };
    match sniff(bytes) {
        Sniffed::Zip => {}
        Sniffed::Cfb { encrypted: true, .. } => {
            return Err(Error::read(path, Problem::Encrypted { app: app.into(), ext: ext.into() }))
        }
        Sniffed::Cfb { word: true, .. } => {
            let found = "旧版 Word 97-2003 文档（.doc，或 WPS 文字的 .wps）";
            return Err(Error::read(
                path,
                Problem::Legacy { found: found.into(), app: "Word 或 WPS 文字".into(), ext: ".docx".into() },
            ));
        }
        Sniffed::Cfb { excel: true, .. } => {
            let found = "旧版 Excel 97-2003 工作簿（.xls，或 WPS 表格的 .et）";
            return Err(Error::read(
                path,
                Problem::Legacy { found: found.into(), app: "Excel 或 WPS 表格".into(), ext: ".xlsx".into() },
            ));
        }
        Sniffed::Cfb { .. } => {
            let found = "旧版 Office 97-2003 格式（或 WPS 专有格式）的文件";
            return Err(Error::read(path, Problem::Legacy { found: found.into(), app: app.into(), ext: ext.into() }));
        }
        Sniffed::Other => {
            return Err(Error::read(path, Problem::NotPackage { app: app.into(), ext: ext.into(), detail: None }))
        }
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| {
        Error::read(path, Problem::NotPackage { app: app.into(), ext: ext.into(), detail: Some(zip_words(&e)) })
    })?;
    if zip.len() > limits.zip_entries {
        return Err(Error::read(path, Problem::TooManyEntries { count: zip.len(), limit: limits.zip_entries }));
    }
    let mut total = 0u64;
    let mut names = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| Error::invalid(path, format!("压缩包已损坏（{}）", zip_words(&e))))?;
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if f.size() > limits.entry_bytes {
            return Err(Error::read(path, Problem::ZipBomb { entry: name, size: f.size(), limit: limits.entry_bytes }));
        }
        total = total.saturating_add(f.size());
        names.push(name);
    }
    if total > limits.total_bytes {
        return Err(Error::read(path, Problem::TooLargeUnpacked { total, limit: limits.total_bytes }));
    }
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    match expect {
        Expect::Xlsx if !has("xl/workbook.xml") && !names.iter().any(|n| n.starts_with("xl/workbook")) => {
            if has("word/document.xml") {
                return Err(Error::read(
                    path,
                    Problem::WrongKind { found: "Word 文档（.docx）".into(), ext: ".xlsx".into() },
                ));
            }
            return Err(Error::invalid(path, "压缩包中没有 Excel 工作簿内容。请用 Excel 或 WPS 打开后另存为 .xlsx"));
        }
        Expect::Xlsx => shared_strings_precheck(path, &mut zip)?,
        Expect::Docx => {}
    }
    Ok(())
}

/// calamine reserves memory for the `uniqueCount` that sharedStrings.xml
/// declares; a crafted count aborts the process (crates-notes.md §4). Require
/// it to be plausible for the entry's size.
fn shared_strings_precheck(path: &Path, zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Result<()> {
    let Ok(mut f) = zip.by_name("xl/sharedStrings.xml") else { return Ok(()) };
    let size = f.size();
    let mut head = Vec::with_capacity(4096);
    let _ = (&mut f).take(4096).read_to_end(&mut head);
    let text = String::from_utf8_lossy(&head);
    for attr in ["uniqueCount=\"", "count=\""] {
        if let Some(i) = text.find(attr) {
            let digits: String = text[i + attr.len()..].chars().take_while(char::is_ascii_digit).collect();
            let n: u64 = digits.parse().unwrap_or(u64::MAX);
            if n > size / 8 + 16 {
                return Err(Error::invalid(
                    path,
                    format!("工作簿的共享字符串表声明了 {n} 个字符串，与其大小不符，文件可能已损坏或被篡改"),
                ));
            }
        }
    }
    Ok(())
}

/// Decode text, never into mojibake: UTF-8 (with or without BOM) when the
/// bytes are UTF-8, whatever a page declares (sites often declare gb2312 and
/// serve UTF-8); else the `declared` charset when it decodes without error;
/// else the charset `chardetng` finds most likely (GBK, read as its
/// superset GB18030; Big5; …). `true` when characters had to be replaced.
pub fn decode(bytes: &[u8], declared: Option<&'static encoding_rs::Encoding>) -> (String, bool) {
    let b = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(b) {
        return (s.to_string(), false);
    }
    // UTF-16 with its BOM (Notepad's "Unicode").
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes).filter(|(e, _)| *e != encoding_rs::UTF_8) {
        let (s, errors) = enc.decode_without_bom_handling(bytes.get(bom..).unwrap_or_default());
        return (s.into_owned(), errors);
    }
    let detected = {
        let mut d = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        d.feed(b, true);
        d.guess(Some(b"cn"), chardetng::Utf8Detection::Deny)
    };
    if let Some(enc) = declared.filter(|e| *e != encoding_rs::UTF_8) {
        let (s, _, errors) = enc.decode(b);
        // A single-byte charset decodes anything: trust it only when the
        // detector agrees the text is not in a multi-byte one.
        if !errors && (!enc.is_single_byte() || detected.is_single_byte()) {
            return (s.into_owned(), false);
        }
    }
    let enc = if detected == encoding_rs::GBK || detected.is_single_byte() { encoding_rs::GB18030 } else { detected };
    let (s, _, errors) = enc.decode(b);
    (s.into_owned(), errors)
}
