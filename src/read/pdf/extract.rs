//! # PDF object layer: bytes → positioned glyphs and ruling lines
//!
//! [`extract`] turns the bytes of a PDF into one [`Page`] per page: every
//! character shown, as a [`Glyph`] with its Unicode text and its box, and every
//! table border, as a horizontal or vertical [`Rule`]. Coordinates are points
//! on the page as displayed: origin top-left, y downwards, the page's
//! `/Rotate` applied, measured from the `/CropBox` (else the `/MediaBox`).
//! Grouping glyphs into lines, cells and tables is the next layer's job.
//!
//! ## Crate choice (objects, xref, filters)
//!
//! - **lopdf 0.47.0** (chosen, without default features): pure Rust, MIT,
//!   recent (needs Rust 1.88), actively hardened: caps on decompressed stream
//!   size and nesting depth (100), reference-cycle detection, xref rebuilt by
//!   scanning when it is broken, decryption with the empty user password.
//!   Its text extraction gives no positions and no paths, so the text layer is
//!   ours. Weak spot found: object-stream parsing can be made quadratic (below).
//! - **pdf-extract 0.12.1** (on lopdf 0.42): per-character `OutputDev`
//!   callback; read both real reports' CJK correctly (25 and 44 ms, release),
//!   but panics by design on input it does not expect (about 100
//!   `unwrap`/`expect`/`panic!` in lib.rs; issues #129, #133 open), reports no
//!   path geometry for rules, and pins an older lopdf.
//! - **pdf_oxide 0.3.78**: CJK right too (27 and 43 ms), but about 450,000
//!   lines with some 80 declared dependencies, and its text API returns lines
//!   in its own order, not glyph positions.
//! - **pdf 0.10 (pdf-rs)**: fuzzing found panics and stack overflows (issues
//!   #251, #253, #286); heavier dependency set (jpeg, fax, libflate, …).
//!
//! Ours on lopdf: 2.4 ms (Hongze 2023, 5 pages) and 2.8 ms (Huai'an 2024,
//! 6 pages) per file in a release build.
//!
//! ## Our own code
//!
//! Content-stream lexer and interpreter (text state and matrices, `q`/`Q`,
//! `cm`, `Tc Tw Tz TL Ts Tf Tr Td TD Tm T* Tj TJ ' "`, form XObjects with a
//! depth cap and cycle guard, inline images skipped without decoding, image
//! XObjects skipped), fonts (simple fonts with WinAnsi/MacRoman/Standard
//! encodings plus `/Differences` and the Adobe Glyph List for New Fonts;
//! `/Widths`, `/MissingWidth`, standard-14 metrics for Helvetica/Times/Courier;
//! Type3 `/FontMatrix`; Type0 with Identity-H/V, embedded CMaps, `/W`, `/DW`,
//! `/DW2`; per-CID `/W2` is not read), ToUnicode CMaps (`bfchar`, `bfrange` incl. the array form,
//! multi-byte codespaces), and paths for rules.
//!
//! Type0 fonts without a usable ToUnicode: codes under the predefined CMaps
//! `GB-EUC`, `GBpc-EUC`, `GBK-EUC`, `GBKp-EUC`, `GBK2K` are decoded as
//! GB18030 bytes, `B5pc`/`ETen-B5`/`HKscs-B5` as Big5, and `Uni*-UCS2`/
//! `Uni*-UTF16` as UTF-16BE; for an Identity encoding with an Adobe CID
//! system (GB1 and the others) CIDs 1–95 are the proportional ASCII range.
//! Any other code comes out as U+FFFD (we ship no 30,000-entry CID table and
//! do not read the embedded font program's cmap).
//!
//! Kangxi radicals (U+2F00–U+2FDF, U+2E80–U+2EFF) and CJK compatibility
//! ideographs that ToUnicode maps some characters to are folded to the unified
//! ideograph (⽇ U+2F47 becomes 日 U+65E5); nothing else is
//! normalized, so full-width digits and punctuation stay as they are.
//!
//! ## Hostile input
//!
//! No panic: lopdf is called inside `std::panic::catch_unwind` (it has
//! `unwrap`s on mutex locks and its own indexing), and any panic becomes
//! [`PdfError::Broken`]; our code denies `unwrap`, `expect`, `panic!` and
//! indexing. Limits ([`PdfLimits`]) are checked before allocating where we
//! can: object count from the `endobj` keywords before loading; page count
//! from `/Count` before walking the page tree and while walking it; every
//! stream is inflated with a cap (lopdf stops inflating at the cap), and the
//! sum of all streams read is capped too; operators per page are counted.
//! The page tree expands each intermediate node once (loops, shared subtrees),
//! form XObjects nest at most 16 deep and never into themselves.
//! Object streams: lopdf parses each member from its offset to wherever the
//! object ends, so many index entries into one unterminated array cost
//! O(n²) (measured: 64 KiB took 8 s, 256 KiB 130 s). Before lopdf sees the
//! file we find every object stream ourselves, inflate it within the limits
//! and require strictly increasing offsets (as the standard does) and each
//! member complete within its own span; otherwise the file is
//! [`PdfError::Broken`]. An encrypted file's object streams cannot be checked
//! that way, so for a file with `/Encrypt` lopdf may inflate at most 16 KiB per
//! object or xref stream while loading (worst case about 0.5 s), and a file
//! needing more is [`PdfError::Encrypted`]. Other files: 8 MiB.
//!
//! Encryption: lopdf tries the empty user password. A file it decrypts that
//! way (an owner password only restricts printing or copying, which many
//! published reports have) is read normally; a file that needs a password,
//! whose `/Encrypt` lopdf cannot handle, or whose decrypted pages yield no
//! readable character is [`PdfError::Encrypted`].

use crate::limits::show_size;
use lopdf::{Dictionary, Document, LoadOptions, Object, Stream};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

// ---------------------------------------------------------------------------
// Public API

/// Caps on what one PDF may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfLimits {
    /// Most pages.
    pub max_pages: usize,
    /// Most objects in the file.
    pub max_objects: usize,
    /// Largest decompressed size of one stream (bytes).
    pub max_stream_bytes: u64,
    /// Largest decompressed size of all content read, together (bytes).
    pub max_total_bytes: u64,
    /// Most content-stream operators run for one page, form XObjects included.
    pub max_ops: usize,
}

impl Default for PdfLimits {
    /// Generous for real 5–30 page reports.
    fn default() -> PdfLimits {
        PdfLimits {
            max_pages: 2_000,
            max_objects: 1_000_000,
            max_stream_bytes: 64 << 20,
            max_total_bytes: 512 << 20,
            max_ops: 2_000_000,
        }
    }
}

/// One page: what is shown on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 0-based page number.
    pub index: u32,
    /// Width of the page as displayed (points).
    pub width: f32,
    /// Height of the page as displayed (points).
    pub height: f32,
    /// Characters in content-stream order.
    pub glyphs: Vec<Glyph>,
    /// Ruling lines in content-stream order.
    pub rules: Vec<Rule>,
}

/// One character as shown: page coordinates in points, origin top-left, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Usually one char; ToUnicode may give several. U+FFFD when the font
    /// gives no way to know the character.
    pub text: String,
    pub x0: f32,
    /// `x0` plus the glyph's advance width (character and word spacing not included).
    pub x1: f32,
    /// Top of the font's ascent.
    pub top: f32,
    /// Bottom of the font's descent.
    pub bottom: f32,
    /// Effective font size (font size times the text and graphics scaling).
    pub size: f32,
    /// False for rotated text (from the text matrix and the page rotation).
    pub upright: bool,
    /// Written top to bottom (a `-V` CMap); the glyph itself stands upright.
    pub vertical: bool,
    /// y of the glyph's origin: the baseline of horizontal text.
    pub baseline: f32,
}

/// A ruling line (table border): a stroked line segment or a thin filled
/// rectangle, normalized to horizontal (`y0 == y1`, `x0 < x1`) or vertical
/// (`x0 == x1`, `y0 < y1`). Page coordinates as for [`Glyph`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    /// True for a horizontal rule.
    pub fn is_horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfError {
    /// Needs a password, or decrypted to nothing readable.
    Encrypted,
    /// No `%PDF-` header in the first 1024 bytes.
    NotPdf,
    /// The xref or the document structure is unreadable; the detail says where.
    Broken(String),
    /// More pages than [`PdfLimits::max_pages`] (`pages` is what was claimed or counted so far).
    TooManyPages { pages: usize, max: usize },
    /// More objects than [`PdfLimits::max_objects`].
    TooManyObjects { objects: usize, max: usize },
    /// One stream inflates past `max` bytes.
    StreamTooLarge { max: u64 },
    /// All streams read together inflate past `max` bytes.
    TooMuchContent { max: u64 },
    /// A page runs more than `max` content-stream operators.
    TooManyOps { page: u32, max: usize },
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Encrypted => {
                f.write_str("PDF 文件已加密，无法读取。请向发布单位索取未加密的文件，或使用原始的 Word/Excel 文件")
            }
            PdfError::NotPdf => f.write_str("这不是 PDF 文件（文件头不是 %PDF）。请检查文件扩展名"),
            PdfError::Broken(why) => write!(
                f,
                "PDF 文件结构已损坏，无法读取（{why}）。请重新下载或重新导出 PDF，或使用原始的 Word/Excel 文件"
            ),
            PdfError::TooManyPages { pages, max } => write!(
                f,
                "PDF 的页数（{pages}）超过了 {max} 页的上限。年度报告通常只有几十页，请检查是否选错了文件"
            ),
            PdfError::TooManyObjects { objects, max } => write!(
                f,
                "PDF 含有 {objects} 个对象，超过了 {max} 个的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件"
            ),
            PdfError::StreamTooLarge { max } => write!(
                f,
                "PDF 中有一个数据流解压后超过了 {} 的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                show_size(*max)
            ),
            PdfError::TooMuchContent { max } => write!(
                f,
                "PDF 解压后的内容总量超过了 {} 的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                show_size(*max)
            ),
            PdfError::TooManyOps { page, max } => write!(
                f,
                "PDF 第 {} 页的绘图指令超过了 {max} 条的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                u64::from(*page) + 1
            ),
        }
    }
}

impl std::error::Error for PdfError {}

/// Read every page of a PDF: its glyphs and ruling lines.
///
/// # Errors
/// A [`PdfError`] saying why the file cannot be read; never panics.
pub fn extract(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<Page>, PdfError> {
    if !has_pdf_header(bytes) {
        return Err(PdfError::NotPdf);
    }
    match std::panic::catch_unwind(|| extract_inner(bytes, limits)) {
        Ok(result) => result,
        Err(_) => Err(PdfError::Broken("解析器内部错误".into())),
    }
}

// ---------------------------------------------------------------------------
// Loading

/// Cap on object and xref streams inflated by lopdf while loading.
const LOAD_STREAM_CAP: u64 = 8 << 20;
/// The same for a file with `/Encrypt` (see the module doc).
const ENCRYPTED_LOAD_STREAM_CAP: u64 = 16 << 10;
/// Deepest page tree walked.
const MAX_TREE_DEPTH: usize = 64;
/// Deepest nesting of form XObjects.
const MAX_FORM_DEPTH: usize = 16;
/// Deepest `q` nesting kept (deeper `q`s are counted, not stored).
const MAX_GSTATE_DEPTH: usize = 256;
/// Most operands kept for one operator (array elements included).
const MAX_OPERANDS: usize = 1 << 16;
/// Deepest array nesting kept in operands.
const MAX_ARRAY_DEPTH: usize = 8;

fn has_pdf_header(bytes: &[u8]) -> bool {
    bytes.windows(5).take(1024).any(|w| w == b"%PDF-")
}

fn count_keyword(bytes: &[u8], word: &[u8]) -> usize {
    bytes.windows(word.len()).filter(|w| *w == word).count()
}

/// Whether the file names an `/Encrypt` entry (not `/EncryptMetadata`).
fn mentions_encrypt(bytes: &[u8]) -> bool {
    let key = b"/Encrypt";
    let mut from = 0;
    while let Some(at) = bytes.get(from..).and_then(|rest| find(rest, key)) {
        let after = from + at + key.len();
        match bytes.get(after) {
            Some(&b) if is_regular(b) => from = after,
            _ => return true,
        }
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn extract_inner(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<Page>, PdfError> {
    // Each top-level object ends with `endobj`: refuse before lopdf allocates them.
    let claimed = count_keyword(bytes, b"endobj");
    if claimed > limits.max_objects {
        return Err(PdfError::TooManyObjects { objects: claimed, max: limits.max_objects });
    }
    let encrypt = mentions_encrypt(bytes);
    if !encrypt {
        check_object_streams(bytes, limits)?;
    }
    let cap = limits.max_stream_bytes.min(if encrypt { ENCRYPTED_LOAD_STREAM_CAP } else { LOAD_STREAM_CAP });
    let options =
        LoadOptions { max_decompressed_size: Some(usize::try_from(cap).unwrap_or(usize::MAX)), ..Default::default() };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(_) if encrypt => return Err(PdfError::Encrypted),
        Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
            return Err(PdfError::StreamTooLarge { max: cap })
        }
        Err(e) => return Err(PdfError::Broken(format!("交叉引用表或对象无法读取：{e}"))),
    };
    if doc.objects.len() > limits.max_objects {
        return Err(PdfError::TooManyObjects { objects: doc.objects.len(), max: limits.max_objects });
    }
    // lopdf removes /Encrypt from the trailer once it has decrypted the file.
    if doc.trailer.has(b"Encrypt") {
        return Err(PdfError::Encrypted);
    }
    let pages = page_list(&doc, limits)?;
    let mut ctx = Ctx { doc: &doc, limits, total: 0, fonts: HashMap::new(), forms: HashMap::new() };
    let mut out = Vec::with_capacity(pages.len());
    for (index, info) in pages.iter().enumerate() {
        out.push(ctx.page(u32::try_from(index).unwrap_or(u32::MAX), info)?);
    }
    if doc.was_encrypted() && !out.iter().flat_map(|p| &p.glyphs).any(|g| g.text != "\u{FFFD}") {
        return Err(PdfError::Encrypted);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Object streams, checked before lopdf parses them

/// A direct object as our lexer reads it (only for object-stream headers).
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Num(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Arr(Vec<Val>),
    Dict(Vec<(Vec<u8>, Val)>),
    Ref,
    Word,
}

impl Val {
    fn to_lopdf(&self) -> Object {
        match self {
            Val::Num(v) if v.fract() == 0.0 && v.abs() < 1e15 => Object::Integer(*v as i64),
            Val::Num(v) => Object::Real(*v as f32),
            Val::Name(n) => Object::Name(n.clone()),
            Val::Str(s) => Object::String(s.clone(), lopdf::StringFormat::Literal),
            Val::Arr(a) => Object::Array(a.iter().map(Val::to_lopdf).collect()),
            Val::Dict(d) => {
                let mut dict = Dictionary::new();
                for (k, v) in d {
                    dict.set(k.clone(), v.to_lopdf());
                }
                Object::Dictionary(dict)
            }
            Val::Ref | Val::Word => Object::Null,
        }
    }
}

fn lookup<'v>(dict: &'v [(Vec<u8>, Val)], key: &[u8]) -> Option<&'v Val> {
    dict.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Parse one direct object whose first token is `tok` (references become `Val::Ref`).
fn parse_val(lex: &mut Lexer<'_>, tok: Tok<'_>, depth: usize) -> Option<Val> {
    if depth > 32 {
        return None;
    }
    Some(match tok {
        Tok::Num(v) => {
            // `N G R` is a reference.
            let save = lex.pos;
            if let (Some(Tok::Num(_)), Some(Tok::Word(b"R"))) = (lex.next_tok(), lex.next_tok()) {
                return Some(Val::Ref);
            }
            lex.pos = save;
            Val::Num(v)
        }
        Tok::Name(n) => Val::Name(n),
        Tok::Str(s) => Val::Str(s),
        Tok::ArrOpen => {
            let mut items = Vec::new();
            loop {
                match lex.next_tok()? {
                    Tok::ArrClose => break,
                    t => items.push(parse_val(lex, t, depth + 1)?),
                }
            }
            Val::Arr(items)
        }
        Tok::DictOpen => {
            let mut items = Vec::new();
            loop {
                match lex.next_tok()? {
                    Tok::DictClose => break,
                    Tok::Name(k) => {
                        let t = lex.next_tok()?;
                        items.push((k, parse_val(lex, t, depth + 1)?));
                    }
                    _ => return None,
                }
            }
            Val::Dict(items)
        }
        Tok::Word(_) => Val::Word,
        Tok::ArrClose | Tok::DictClose => return None,
    })
}

/// Where each top-level object's `obj` keyword ends.
fn object_heads(bytes: &[u8]) -> Vec<usize> {
    let mut heads = Vec::new();
    let mut from = 0;
    while let Some(at) = bytes.get(from..).and_then(|rest| find(rest, b"obj")) {
        let p = from + at;
        let before = p.checked_sub(1).and_then(|q| bytes.get(q)).copied();
        let after = bytes.get(p + 3).copied();
        if !before.is_some_and(|b| b.is_ascii_alphabetic()) && !after.is_some_and(is_regular) {
            heads.push(p + 3);
        }
        from = p + 3;
    }
    heads
}

/// Check every object stream in the file the way lopdf will read it, so that
/// its parse stays linear: offsets strictly increasing (as the PDF standard
/// requires) and each member a complete object within its own span.
/// lopdf parses a member from its offset to wherever the object ends, so one
/// unterminated array under many index entries would cost O(n²).
fn check_object_streams(bytes: &[u8], limits: &PdfLimits) -> Result<(), PdfError> {
    let heads = object_heads(bytes);
    let mut total: u64 = 0;
    for (i, &start) in heads.iter().enumerate() {
        let end = heads.get(i + 1).copied().unwrap_or(bytes.len());
        let region = bytes.get(start..end).unwrap_or_default();
        let mut lex = Lexer::new(region);
        let Some(Tok::DictOpen) = lex.next_tok() else { continue };
        let Some(Val::Dict(dict)) = parse_val(&mut lex, Tok::DictOpen, 0) else { continue };
        if lookup(&dict, b"Type") != Some(&Val::Name(b"ObjStm".to_vec())) {
            continue;
        }
        let broken = || PdfError::Broken("对象流格式错误".into());
        if lex.next_tok() != Some(Tok::Word(b"stream")) {
            return Err(broken());
        }
        // The data starts after the end of line that follows `stream`.
        let mut data_start = lex.pos;
        if region.get(data_start) == Some(&b'\r') {
            data_start += 1;
        }
        if region.get(data_start) == Some(&b'\n') {
            data_start += 1;
        }
        let rest = region.get(data_start..).unwrap_or_default();
        let len = match lookup(&dict, b"Length") {
            Some(Val::Num(n)) if *n >= 0.0 && (*n as usize) <= rest.len() => *n as usize,
            _ => find(rest, b"endstream").unwrap_or(rest.len()),
        };
        let mut sdict = Dictionary::new();
        for key in [&b"Filter"[..], b"DecodeParms"] {
            if let Some(v) = lookup(&dict, key) {
                sdict.set(key.to_vec(), v.to_lopdf());
            }
        }
        let raw = Stream::new(sdict, rest.get(..len).unwrap_or(rest).to_vec());
        let cap = limits.max_stream_bytes.min(limits.max_total_bytes.saturating_sub(total));
        let data = match raw.decompressed_content_with_limit(usize::try_from(cap).unwrap_or(usize::MAX)) {
            Ok(d) => d,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(if cap < limits.max_stream_bytes {
                    PdfError::TooMuchContent { max: limits.max_total_bytes }
                } else {
                    PdfError::StreamTooLarge { max: limits.max_stream_bytes }
                });
            }
            // lopdf will not decode it either, so it parses nothing from it.
            Err(_) => continue,
        };
        total = total.saturating_add(data.len() as u64);
        let first = match lookup(&dict, b"First") {
            Some(Val::Num(n)) if *n >= 0.0 && (*n as usize) <= data.len() => *n as usize,
            _ => return Err(broken()),
        };
        if !object_stream_is_linear(&data, first) {
            return Err(broken());
        }
    }
    Ok(())
}

fn object_stream_is_linear(data: &[u8], first: usize) -> bool {
    let (index, body) = data.split_at(first.min(data.len()));
    let mut lex = Lexer::new(index);
    let mut numbers = Vec::new();
    while let Some(tok) = lex.next_tok() {
        match tok {
            Tok::Num(v) if v >= 0.0 && v.fract() == 0.0 => numbers.push(v as usize),
            _ => return false,
        }
    }
    let offsets: Vec<usize> = numbers.chunks_exact(2).filter_map(|p| p.get(1).copied()).collect();
    if offsets.windows(2).any(|w| matches!(w, [a, b] if a >= b)) {
        return false;
    }
    offsets.iter().enumerate().all(|(i, &off)| {
        let end = offsets.get(i + 1).copied().unwrap_or(body.len());
        body.get(off..end).is_some_and(complete_object)
    })
}

/// Whether `span` holds whole tokens only: every array, dictionary and string closed.
fn complete_object(span: &[u8]) -> bool {
    let mut lex = Lexer::new(span);
    let mut depth: i64 = 0;
    while let Some(tok) = lex.next_tok() {
        match tok {
            Tok::ArrOpen | Tok::DictOpen => depth += 1,
            Tok::ArrClose | Tok::DictClose => depth -= 1,
            _ => {}
        }
        if depth < 0 || lex.unterminated {
            return false;
        }
    }
    depth == 0
}

// ---------------------------------------------------------------------------
// Object helpers

fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().and_then(|o| resolve(doc, o))
}

fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn get_array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    num(doc, get(doc, dict, key)?)
}

fn num(doc: &Document, obj: &Object) -> Option<f64> {
    let v = match resolve(doc, obj)? {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => return None,
    };
    v.is_finite().then_some(v)
}

fn as_dict(obj: &Object) -> Option<&Dictionary> {
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

fn rect(doc: &Document, obj: &Object) -> Option<[f64; 4]> {
    let Object::Array(a) = resolve(doc, obj)? else { return None };
    let v: Vec<f64> = a.iter().filter_map(|o| num(doc, o)).collect();
    let [x0, y0, x1, y1] = <[f64; 4]>::try_from(v.get(..4)?).ok()?;
    let r = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    (r[2] - r[0] > 0.0 && r[3] - r[1] > 0.0).then_some(r)
}

// ---------------------------------------------------------------------------
// Page tree

#[derive(Clone, Copy, Default)]
struct Inherited<'a> {
    resources: Option<&'a Dictionary>,
    media: Option<[f64; 4]>,
    crop: Option<[f64; 4]>,
    rotate: Option<i64>,
}

struct PageInfo<'a> {
    dict: &'a Dictionary,
    inh: Inherited<'a>,
}

fn page_list<'a>(doc: &'a Document, limits: &PdfLimits) -> Result<Vec<PageInfo<'a>>, PdfError> {
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(as_dict)
        .ok_or_else(|| PdfError::Broken("找不到文档目录（Root）".into()))?;
    let tree = root.get(b"Pages").map_err(|_| PdfError::Broken("找不到页面树（Pages）".into()))?;
    if let Some(Object::Dictionary(d)) = resolve(doc, tree) {
        if let Some(count) = get_num(doc, d, b"Count") {
            if count > limits.max_pages as f64 {
                return Err(PdfError::TooManyPages { pages: count as usize, max: limits.max_pages });
            }
        }
    }
    let mut pages = Vec::new();
    let mut expanded = HashSet::new();
    let mut stack: Vec<(&Object, Inherited, usize)> = vec![(tree, Inherited::default(), 0)];
    while let Some((obj, inh, depth)) = stack.pop() {
        let Ok((id, node)) = doc.dereference(obj) else { continue };
        let Some(dict) = as_dict(node) else { continue };
        let mut inh = inh;
        if let Some(r) = get_dict(doc, dict, b"Resources") {
            inh.resources = Some(r);
        }
        if let Some(r) = dict.get(b"MediaBox").ok().and_then(|o| rect(doc, o)) {
            inh.media = Some(r);
        }
        if let Some(r) = dict.get(b"CropBox").ok().and_then(|o| rect(doc, o)) {
            inh.crop = Some(r);
        }
        if let Some(r) = get_num(doc, dict, b"Rotate") {
            inh.rotate = Some(r as i64);
        }
        let kids = get_array(doc, dict, b"Kids");
        let is_page = match dict.get(b"Type").ok().and_then(|o| o.as_name().ok()) {
            Some(b"Page") => true,
            Some(b"Pages") => false,
            _ => kids.is_none(),
        };
        if is_page {
            pages.push(PageInfo { dict, inh });
            if pages.len() > limits.max_pages {
                return Err(PdfError::TooManyPages { pages: pages.len(), max: limits.max_pages });
            }
            continue;
        }
        // Each intermediate node is expanded once: a loop or a shared subtree
        // cannot multiply the walk.
        if let Some(id) = id {
            if !expanded.insert(id) {
                continue;
            }
        }
        if depth >= MAX_TREE_DEPTH {
            continue;
        }
        for kid in kids.unwrap_or_default().iter().rev() {
            stack.push((kid, inh, depth + 1));
        }
    }
    if pages.is_empty() {
        return Err(PdfError::Broken("页面树中没有页面".into()));
    }
    Ok(pages)
}

// ---------------------------------------------------------------------------
// Geometry

#[derive(Debug, Clone, Copy, PartialEq)]
struct Matrix {
    a: f64,
    b: f64,
    c: f64,
    d: f64,
    e: f64,
    f: f64,
}

impl Matrix {
    const IDENTITY: Matrix = Matrix { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    fn new(v: [f64; 6]) -> Matrix {
        let [a, b, c, d, e, f] = v;
        Matrix { a, b, c, d, e, f }
    }

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix { e: x, f: y, ..Matrix::IDENTITY }
    }

    /// `self` then `o`: for a row vector p, p × self × o.
    fn then(&self, o: &Matrix) -> Matrix {
        Matrix {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }

    fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (x * self.a + y * self.c + self.e, x * self.b + y * self.d + self.f)
    }

    fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f].iter().all(|v| v.is_finite())
    }
}

/// The matrix from user space to the displayed page, y up, origin bottom-left.
fn page_base(bx: [f64; 4], rotate: i64) -> (Matrix, f64, f64) {
    let [x0, y0, x1, y1] = bx;
    let (w, h) = (x1 - x0, y1 - y0);
    match rotate.rem_euclid(360) {
        90 => (Matrix::new([0.0, -1.0, 1.0, 0.0, -y0, x0 + w]), h, w),
        180 => (Matrix::new([-1.0, 0.0, 0.0, -1.0, x0 + w, y0 + h]), w, h),
        270 => (Matrix::new([0.0, 1.0, -1.0, 0.0, y0 + h, -x0]), h, w),
        _ => (Matrix::translate(-x0, -y0), w, h),
    }
}

// ---------------------------------------------------------------------------
// Lexer (content streams and CMaps)

fn is_ws(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

fn is_regular(b: u8) -> bool {
    !is_ws(b) && !is_delim(b)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    Num(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    ArrOpen,
    ArrClose,
    DictOpen,
    DictClose,
    /// An operator or any other bare word (`true`, `null`, junk).
    Word(&'a [u8]),
}

struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// A string ran to the end of the data without its closing delimiter.
    unterminated: bool,
}

impl<'a> Lexer<'a> {
    fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer { data, pos: 0, unterminated: false }
    }

    fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.data.get(self.pos.saturating_add(ahead)).copied()
    }

    fn next_tok(&mut self) -> Option<Tok<'a>> {
        loop {
            let b = self.peek()?;
            if is_ws(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
        let b = self.peek()?;
        let start = self.pos;
        match b {
            b'[' => {
                self.pos += 1;
                Some(Tok::ArrOpen)
            }
            b']' => {
                self.pos += 1;
                Some(Tok::ArrClose)
            }
            b'(' => Some(Tok::Str(self.literal())),
            b'<' if self.peek_at(1) == Some(b'<') => {
                self.pos += 2;
                Some(Tok::DictOpen)
            }
            b'<' => Some(Tok::Str(self.hex())),
            b'>' if self.peek_at(1) == Some(b'>') => {
                self.pos += 2;
                Some(Tok::DictClose)
            }
            b'/' => {
                self.pos += 1;
                Some(Tok::Name(self.name()))
            }
            _ if !is_regular(b) => {
                // A stray `)`, `>`, `{` or `}`.
                self.pos += 1;
                Some(Tok::Word(self.data.get(start..self.pos).unwrap_or_default()))
            }
            _ => {
                while self.peek().is_some_and(is_regular) {
                    self.pos += 1;
                }
                let word = self.data.get(start..self.pos).unwrap_or_default();
                if matches!(b, b'0'..=b'9' | b'+' | b'-' | b'.') {
                    Some(Tok::Num(parse_number(word)))
                } else {
                    Some(Tok::Word(word))
                }
            }
        }
    }

    fn literal(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut depth = 0usize;
        self.unterminated = true;
        while let Some(b) = self.peek() {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    if depth == 0 {
                        self.unterminated = false;
                        break;
                    }
                    depth -= 1;
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else { break };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xFF) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex(&mut self) -> Vec<u8> {
        self.pos += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        self.unterminated = true;
        while let Some(b) = self.peek() {
            self.pos += 1;
            let v = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                b'>' => {
                    self.unterminated = false;
                    break;
                }
                _ => continue,
            };
            match high.take() {
                Some(h) => out.push(h << 4 | v),
                None => high = Some(v),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    fn name(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while let Some(b) = self.peek().filter(|b| is_regular(*b)) {
            self.pos += 1;
            if b == b'#' {
                let hi = self.peek().and_then(hex_val);
                let lo = self.peek_at(1).and_then(hex_val);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    self.pos += 2;
                    out.push(hi << 4 | lo);
                    continue;
                }
            }
            out.push(b);
        }
        out
    }

    /// Skip an inline image after `BI`: its dictionary up to `ID`, then its
    /// data up to `EI`, without decoding anything.
    fn skip_inline_image(&mut self) {
        let mut length: Option<usize> = None;
        let mut last_name: Option<Vec<u8>> = None;
        loop {
            match self.next_tok() {
                None => return,
                Some(Tok::Word(b"ID")) => break,
                Some(Tok::Name(n)) => last_name = Some(n),
                Some(Tok::Num(v)) => {
                    if matches!(last_name.as_deref(), Some(b"L") | Some(b"Length")) && v >= 0.0 {
                        length = Some(v as usize);
                    }
                    last_name = None;
                }
                Some(_) => last_name = None,
            }
        }
        // One white-space byte separates ID from the data.
        if self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
        if let Some(n) = length {
            let end = self.pos.saturating_add(n).min(self.data.len());
            self.pos = end;
            let mut probe = Lexer { data: self.data, pos: end, unterminated: false };
            if probe.next_tok() == Some(Tok::Word(b"EI")) {
                self.pos = probe.pos;
                return;
            }
        }
        // Find `EI` standing alone: white space before, and white space, a
        // delimiter or the end after.
        let mut at = self.pos;
        while let Some(rel) = self.data.get(at..).and_then(|rest| find(rest, b"EI")) {
            let p = at + rel;
            let before_ok = p == self.pos || p.checked_sub(1).and_then(|q| self.data.get(q)).is_some_and(|b| is_ws(*b));
            let after_ok = self.data.get(p + 2).is_none_or(|b| !is_regular(*b));
            if before_ok && after_ok {
                self.pos = p + 2;
                return;
            }
            at = p + 2;
        }
        self.pos = self.data.len();
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A number as readers take it: lenient about doubled signs and junk.
fn parse_number(word: &[u8]) -> f64 {
    let s = std::str::from_utf8(word).unwrap_or("");
    let v = s.parse::<f64>().ok().or_else(|| {
        // `--5`, `+-5`, `5-`: keep the first sign and the digits and dot.
        let neg = s.starts_with('-');
        let body: String = s.chars().filter(|c| c.is_ascii_digit() || *c == '.').collect();
        let body = match body.find('.') {
            Some(i) => {
                let (a, b) = body.split_at(i);
                format!("{a}.{}", b.replace('.', ""))
            }
            None => body,
        };
        body.parse::<f64>().ok().map(|v| if neg { -v } else { v })
    });
    v.filter(|v| v.is_finite()).unwrap_or(0.0)
}

// ---------------------------------------------------------------------------
// CMaps

#[derive(Debug, Clone, Copy)]
struct CodeRange {
    len: usize,
    lo: [u8; 4],
    hi: [u8; 4],
}

impl CodeRange {
    fn new(lo: &[u8], hi: &[u8]) -> Option<CodeRange> {
        let len = lo.len().max(hi.len());
        if !(1..=4).contains(&len) {
            return None;
        }
        let mut r = CodeRange { len, lo: [0; 4], hi: [0; 4] };
        for (i, slot) in r.lo.iter_mut().take(len).enumerate() {
            *slot = lo.get(i).copied().unwrap_or(0);
        }
        for (i, slot) in r.hi.iter_mut().take(len).enumerate() {
            *slot = hi.get(i).copied().unwrap_or(0xFF);
        }
        Some(r)
    }

    fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len
            && bytes.iter().zip(self.lo.iter().zip(&self.hi)).all(|(b, (lo, hi))| (*lo..=*hi).contains(b))
    }
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().rev().take(4).rev().fold(0u32, |acc, b| acc << 8 | u32::from(*b))
}

#[derive(Debug, Clone)]
enum BfDst {
    /// Add `code - lo` to the last UTF-16 unit.
    Inc(Vec<u16>),
    /// One string per code from `lo`.
    List(Vec<String>),
}

/// A parsed CMap: ToUnicode (`bf*`) or an embedded encoding (`cid*`).
#[derive(Debug, Clone, Default)]
struct CMap {
    codespace: Vec<CodeRange>,
    bf_single: HashMap<u32, String>,
    bf_ranges: Vec<(u32, u32, BfDst)>,
    cid_single: HashMap<u32, u32>,
    cid_ranges: Vec<(u32, u32, u32)>,
    usecmap: Option<Vec<u8>>,
    vertical: bool,
}

#[derive(Debug)]
enum CItem {
    Str(Vec<u8>),
    Num(f64),
    Name(Vec<u8>),
    Arr(Vec<Vec<u8>>),
}

fn parse_cmap(data: &[u8]) -> CMap {
    let mut cmap = CMap::default();
    let mut lex = Lexer::new(data);
    let mut items: Vec<CItem> = Vec::new();
    let mut array: Option<Vec<Vec<u8>>> = None;
    while let Some(tok) = lex.next_tok() {
        match tok {
            Tok::ArrOpen => array = Some(Vec::new()),
            Tok::ArrClose => {
                if let Some(a) = array.take() {
                    items.push(CItem::Arr(a));
                }
            }
            Tok::Str(s) => match array.as_mut() {
                Some(a) => a.push(s),
                None => items.push(CItem::Str(s)),
            },
            Tok::Num(v) => items.push(CItem::Num(v)),
            Tok::Name(n) => items.push(CItem::Name(n)),
            Tok::DictOpen | Tok::DictClose => {}
            Tok::Word(w) => {
                cmap_word(&mut cmap, w, &items);
                items.clear();
                array = None;
            }
        }
        if items.len() > MAX_OPERANDS {
            items.clear();
        }
    }
    cmap.bf_ranges.sort_by_key(|r| r.0);
    cmap.cid_ranges.sort_by_key(|r| r.0);
    cmap
}

fn cmap_word(cmap: &mut CMap, word: &[u8], items: &[CItem]) {
    match word {
        b"endcodespacerange" => {
            for pair in items.chunks_exact(2) {
                if let [CItem::Str(lo), CItem::Str(hi)] = pair {
                    if let Some(r) = CodeRange::new(lo, hi) {
                        cmap.codespace.push(r);
                    }
                }
            }
        }
        b"endbfchar" => {
            for pair in items.chunks_exact(2) {
                match pair {
                    [CItem::Str(src), CItem::Str(dst)] => {
                        cmap.bf_single.insert(code_of(src), utf16_text(dst));
                    }
                    [CItem::Str(src), CItem::Name(name)] => {
                        if let Some(t) = glyph_name_text(name) {
                            cmap.bf_single.insert(code_of(src), t);
                        }
                    }
                    _ => {}
                }
            }
        }
        b"endbfrange" => {
            for triple in items.chunks_exact(3) {
                let [CItem::Str(lo), CItem::Str(hi), dst] = triple else { continue };
                let (lo, hi) = (code_of(lo), code_of(hi));
                if hi < lo {
                    continue;
                }
                match dst {
                    CItem::Str(d) => cmap.bf_ranges.push((lo, hi, BfDst::Inc(utf16_units(d)))),
                    CItem::Arr(list) => {
                        cmap.bf_ranges.push((lo, hi, BfDst::List(list.iter().map(|d| utf16_text(d)).collect())))
                    }
                    _ => {}
                }
            }
        }
        b"endcidchar" => {
            for pair in items.chunks_exact(2) {
                if let [CItem::Str(src), CItem::Num(cid)] = pair {
                    cmap.cid_single.insert(code_of(src), *cid as u32);
                }
            }
        }
        b"endcidrange" => {
            for triple in items.chunks_exact(3) {
                if let [CItem::Str(lo), CItem::Str(hi), CItem::Num(cid)] = triple {
                    let (lo, hi) = (code_of(lo), code_of(hi));
                    if lo <= hi {
                        cmap.cid_ranges.push((lo, hi, *cid as u32));
                    }
                }
            }
        }
        b"usecmap" => {
            if let Some(CItem::Name(n)) = items.last() {
                cmap.usecmap = Some(n.clone());
            }
        }
        b"def" => {
            if let [.., CItem::Name(n), CItem::Num(v)] = items {
                if n == b"WMode" {
                    cmap.vertical = *v == 1.0;
                }
            }
        }
        _ => {}
    }
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| match c {
            [hi, lo] => u16::from(*hi) << 8 | u16::from(*lo),
            [b] => u16::from(*b),
            _ => 0xFFFD,
        })
        .collect()
}

fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16_units(bytes))
}

/// Range lookup in ranges sorted by `lo`: the last range starting at or
/// before `code` that contains it (a few earlier ones are tried for overlaps).
fn find_range<T>(ranges: &[(u32, u32, T)], code: u32) -> Option<&(u32, u32, T)> {
    let end = ranges.partition_point(|r| r.0 <= code);
    ranges.get(end.saturating_sub(8)..end)?.iter().rev().find(|r| r.1 >= code)
}

impl CMap {
    fn unicode(&self, code: u32) -> Option<String> {
        if let Some(s) = self.bf_single.get(&code) {
            return Some(s.clone());
        }
        let (lo, _, dst) = find_range(&self.bf_ranges, code)?;
        let off = code - lo;
        match dst {
            BfDst::Inc(units) => {
                let mut units = units.clone();
                let last = units.last_mut()?;
                *last = u16::try_from(u32::from(*last) + off).ok()?;
                Some(String::from_utf16_lossy(&units))
            }
            BfDst::List(list) => list.get(off as usize).cloned(),
        }
    }

    fn cid(&self, code: u32) -> Option<u32> {
        if let Some(c) = self.cid_single.get(&code) {
            return Some(*c);
        }
        let (lo, _, base) = find_range(&self.cid_ranges, code)?;
        base.checked_add(code - lo)
    }

    fn has_unicode(&self) -> bool {
        !self.bf_single.is_empty() || !self.bf_ranges.is_empty()
    }
}

// ---------------------------------------------------------------------------
// Fonts

/// How a composite font's strings split into codes, and what a predefined
/// CMap's codes mean without ToUnicode.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Scheme {
    /// Two bytes a code; CID = code.
    Identity,
    /// GB 2312 EUC: lead byte A1–FE takes two bytes.
    GbEuc,
    /// GBK / GB18030: lead 81–FE takes two bytes, or four for GB18030.
    Gbk,
    /// Big5: lead 81–FE takes two bytes.
    Big5,
    /// UCS-2 / UTF-16BE codes.
    Utf16,
    /// Codespace ranges of an embedded CMap.
    Ranges,
}

fn predefined_scheme(name: &[u8]) -> Scheme {
    let base = name.strip_suffix(b"-H").or_else(|| name.strip_suffix(b"-V")).unwrap_or(name);
    match base {
        b"GB-EUC" | b"GBpc-EUC" | b"GBT-EUC" | b"GBTpc-EUC" => Scheme::GbEuc,
        b"GBK-EUC" | b"GBKp-EUC" | b"GBK2K" | b"GBT" => Scheme::Gbk,
        b"B5pc" | b"ETen-B5" | b"HKscs-B5" | b"ETenms-B5" | b"B5" => Scheme::Big5,
        _ if base.starts_with(b"Uni") && (base.ends_with(b"-UCS2") || base.ends_with(b"-UTF16")) => Scheme::Utf16,
        _ => Scheme::Identity,
    }
}

#[derive(Debug, Clone)]
enum WidthSpec {
    Const(f64),
    List(Vec<f64>),
}

#[derive(Debug)]
struct Composite {
    scheme: Scheme,
    /// Embedded encoding CMap (for `Scheme::Ranges`).
    encoding: Option<CMap>,
    widths: Vec<(u32, u32, WidthSpec)>,
    dw: f64,
    vertical: bool,
    /// Vertical origin offset and advance (`/DW2`), in em.
    vy: f64,
    w1: f64,
    /// The font declares an Adobe CID system (GB1, CNS1, Japan1, Korea1).
    adobe: bool,
}

#[derive(Debug)]
enum Kind {
    Simple { text: Vec<String>, widths: Vec<f64> },
    Composite(Box<Composite>),
}

#[derive(Debug)]
struct Font {
    kind: Kind,
    to_unicode: Option<CMap>,
    /// In em (text-space units per unit of font size).
    ascent: f64,
    descent: f64,
}

impl Font {
    /// The next code in `s` from `pos`: its value and byte length (≥ 1).
    fn next_code(&self, s: &[u8], pos: usize) -> (u32, usize) {
        let rest = s.get(pos..).unwrap_or_default();
        let first = rest.first().copied().unwrap_or(0);
        let Kind::Composite(c) = &self.kind else { return (u32::from(first), 1) };
        let len = match c.scheme {
            Scheme::Identity => 2,
            Scheme::GbEuc => {
                if (0xA1..=0xFE).contains(&first) {
                    2
                } else {
                    1
                }
            }
            Scheme::Gbk => match rest.get(1) {
                _ if !(0x81..=0xFE).contains(&first) => 1,
                Some(0x30..=0x39) => 4,
                _ => 2,
            },
            Scheme::Big5 => {
                if (0x81..=0xFE).contains(&first) {
                    2
                } else {
                    1
                }
            }
            Scheme::Utf16 => match rest.get(..2).map(code_of) {
                Some(0xD800..=0xDBFF) => 4,
                _ => 2,
            },
            Scheme::Ranges => {
                let ranges = c.encoding.as_ref().map(|m| m.codespace.as_slice()).unwrap_or_default();
                (1..=4)
                    .find(|n| rest.get(..*n).is_some_and(|b| ranges.iter().any(|r| r.matches(b))))
                    .or_else(|| ranges.iter().map(|r| r.len).min())
                    .unwrap_or(1)
            }
        };
        let len = len.clamp(1, rest.len().max(1));
        (code_of(rest.get(..len).unwrap_or(rest)), len)
    }

    fn cid(c: &Composite, code: u32, len: usize) -> Option<u32> {
        match c.scheme {
            Scheme::Identity => Some(code),
            Scheme::Ranges => c.encoding.as_ref().and_then(|m| m.cid(code)),
            // One-byte ASCII under the CJK predefined CMaps is CIDs 1–95.
            Scheme::GbEuc | Scheme::Gbk | Scheme::Big5 if len == 1 && (0x20..=0x7E).contains(&code) => Some(code - 31),
            _ => None,
        }
    }

    /// Advance width in em.
    fn width(&self, code: u32, len: usize) -> f64 {
        match &self.kind {
            Kind::Simple { widths, .. } => widths.get(code as usize).copied().unwrap_or(0.5),
            Kind::Composite(c) => {
                let w = Font::cid(c, code, len).and_then(|cid| {
                    let (lo, _, spec) = find_range(&c.widths, cid)?;
                    match spec {
                        WidthSpec::Const(w) => Some(*w),
                        WidthSpec::List(list) => list.get((cid - lo) as usize).copied(),
                    }
                });
                w.unwrap_or(c.dw) / 1000.0
            }
        }
    }

    fn text(&self, code: u32, bytes: &[u8]) -> String {
        if let Some(t) = self.to_unicode.as_ref().and_then(|m| m.unicode(code)) {
            return fold_cjk(t);
        }
        match &self.kind {
            Kind::Simple { text, .. } => match text.get(code as usize) {
                Some(t) if !t.is_empty() => t.clone(),
                _ => "\u{FFFD}".into(),
            },
            Kind::Composite(c) => {
                let decoded = match c.scheme {
                    Scheme::GbEuc | Scheme::Gbk => Some(encoding_rs::GB18030.decode_without_bom_handling(bytes).0),
                    Scheme::Big5 => Some(encoding_rs::BIG5.decode_without_bom_handling(bytes).0),
                    Scheme::Utf16 => Some(encoding_rs::UTF_16BE.decode_without_bom_handling(bytes).0),
                    Scheme::Identity | Scheme::Ranges => None,
                };
                if let Some(t) = decoded {
                    return fold_cjk(t.into_owned());
                }
                match Font::cid(c, code, bytes.len()) {
                    Some(cid @ 1..=95) if c.adobe => char::from_u32(cid + 31).map(String::from).unwrap_or_default(),
                    _ => "\u{FFFD}".into(),
                }
            }
        }
    }

    fn vertical(&self) -> Option<&Composite> {
        match &self.kind {
            Kind::Composite(c) if c.vertical => Some(c),
            _ => None,
        }
    }
}

/// Fold Kangxi radicals, CJK radical supplements and compatibility
/// ideographs to the unified ideographs they stand for.
fn fold_cjk(s: String) -> String {
    let odd = |c: char| matches!(c as u32, 0x2E80..=0x2EFF | 0x2F00..=0x2FDF | 0xF900..=0xFAFF);
    if !s.chars().any(odd) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if odd(c) {
            unicode_normalization::char::decompose_compatible(c, |d| out.push(d));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for a glyph name: AGLFN names, `uniXXXX…`, `uXXXX[XX]`, suffixes
/// (`.sc`) dropped, ligatures (`f_i`) joined.
fn glyph_name_text(name: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.split('.').next().unwrap_or(name);
    if base.is_empty() {
        return None;
    }
    let mut out = String::new();
    for part in base.split('_') {
        out.push_str(&glyph_component(part)?);
    }
    Some(out)
}

fn glyph_component(part: &str) -> Option<String> {
    if let Ok(i) = GLYPH_NAMES.binary_search_by(|(n, _)| n.cmp(&part)) {
        return GLYPH_NAMES.get(i).and_then(|(_, u)| char::from_u32(*u)).map(String::from);
    }
    let hex_ok = |h: &str| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit());
    if let Some(h) = part.strip_prefix("uni") {
        if hex_ok(h) && h.len() % 4 == 0 {
            let units: Vec<u16> = h
                .as_bytes()
                .chunks(4)
                .filter_map(|c| u16::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
                .collect();
            return Some(String::from_utf16_lossy(&units));
        }
    }
    if let Some(h) = part.strip_prefix('u') {
        if hex_ok(h) && (4..=6).contains(&h.len()) {
            return u32::from_str_radix(h, 16).ok().and_then(char::from_u32).map(String::from);
        }
    }
    None
}

/// The text of each code of a simple font's base encoding.
fn base_encoding(name: &[u8]) -> Vec<String> {
    let decode_1252 = |enc: &'static encoding_rs::Encoding| -> Vec<String> {
        (0u8..=255)
            .map(|b| if b < 0x20 { String::new() } else { enc.decode_without_bom_handling(&[b]).0.into_owned() })
            .collect()
    };
    match name {
        b"WinAnsiEncoding" => decode_1252(encoding_rs::WINDOWS_1252),
        b"MacRomanEncoding" => decode_1252(encoding_rs::MACINTOSH),
        _ => {
            // StandardEncoding: ASCII with curly quotes, then its own upper half.
            let mut v: Vec<String> = (0u8..=255)
                .map(|b| if (0x20..=0x7E).contains(&b) { char::from(b).to_string() } else { String::new() })
                .collect();
            for (code, cp) in STANDARD_HIGH {
                if let (Some(slot), Some(c)) = (v.get_mut(usize::from(*code)), char::from_u32(*cp)) {
                    *slot = c.to_string();
                }
            }
            v
        }
    }
}

fn clamp_metrics(ascent: f64, descent: f64) -> (f64, f64) {
    let ascent = if ascent > 0.0 && ascent <= 2.0 { ascent } else { 0.88 };
    let descent = if (-1.0..0.0).contains(&descent) { descent } else { -0.12 };
    (ascent, descent)
}

fn descriptor_metrics(doc: &Document, fd: Option<&Dictionary>, scale: f64) -> (f64, f64) {
    let Some(fd) = fd else { return clamp_metrics(0.0, 0.0) };
    let bbox = fd.get(b"FontBBox").ok().and_then(|o| rect(doc, o));
    let ascent = get_num(doc, fd, b"Ascent").filter(|a| *a > 0.0).or(bbox.map(|b| b[3])).unwrap_or(0.0);
    let descent = get_num(doc, fd, b"Descent").filter(|d| *d != 0.0).or(bbox.map(|b| b[1])).unwrap_or(0.0);
    clamp_metrics(ascent * scale, -(descent * scale).abs())
}

/// Standard-14 widths for codes 32–126, by base font name.
fn core_widths(base: &[u8]) -> Option<[u16; 95]> {
    let name = String::from_utf8_lossy(base.rsplit(|b| *b == b'+').next().unwrap_or(base)).to_ascii_lowercase();
    let bold = name.contains("bold");
    if name.starts_with("courier") {
        Some([600; 95])
    } else if name.starts_with("helvetica") || name.starts_with("arial") {
        Some(if bold { HELVETICA_BOLD } else { HELVETICA })
    } else if name.starts_with("times") {
        Some(if bold { TIMES_BOLD } else { TIMES_ROMAN })
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Interpreter

struct Ctx<'d> {
    doc: &'d Document,
    limits: &'d PdfLimits,
    /// Decompressed bytes read so far.
    total: u64,
    /// Fonts by the address of their dictionary.
    fonts: HashMap<usize, Rc<Font>>,
    /// Decoded form XObject content by the address of its stream.
    forms: HashMap<usize, Rc<Vec<u8>>>,
}

#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    tc: f64,
    tw: f64,
    th: f64,
    tl: f64,
    rise: f64,
    stroke_white: bool,
    fill_white: bool,
    stroke_device: bool,
    fill_device: bool,
}

impl GState {
    fn new(ctm: Matrix) -> GState {
        GState {
            ctm,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            stroke_white: false,
            fill_white: false,
            stroke_device: true,
            fill_device: true,
        }
    }
}

/// What one page collects.
struct PageOut {
    index: u32,
    width: f64,
    height: f64,
    ops: usize,
    glyphs: Vec<Glyph>,
    rules: Vec<Rule>,
}

#[derive(Default)]
struct Path {
    subpaths: Vec<Subpath>,
}

#[derive(Default)]
struct Subpath {
    pts: Vec<(f64, f64)>,
    /// `curve[i]`: the segment from `pts[i]` to `pts[i + 1]` is a curve.
    curve: Vec<bool>,
    closed: bool,
}

impl Path {
    fn move_to(&mut self, p: (f64, f64)) {
        self.subpaths.push(Subpath { pts: vec![p], curve: Vec::new(), closed: false });
    }

    fn line_to(&mut self, p: (f64, f64), curve: bool) {
        match self.subpaths.last_mut() {
            Some(sp) if !sp.closed => {
                sp.pts.push(p);
                sp.curve.push(curve);
            }
            // A segment after `h` starts from the subpath's first point.
            Some(sp) => {
                let start = sp.pts.first().copied().unwrap_or(p);
                self.subpaths.push(Subpath { pts: vec![start, p], curve: vec![curve], closed: false });
            }
            None => self.move_to(p),
        }
    }

    fn close(&mut self) {
        if let Some(sp) = self.subpaths.last_mut() {
            sp.closed = true;
        }
    }
}

impl<'d> Ctx<'d> {
    /// Inflate one stream within the limits, counting it.
    fn decode(&mut self, s: &Stream) -> Result<Vec<u8>, PdfError> {
        let left = self.limits.max_total_bytes.saturating_sub(self.total);
        let cap = self.limits.max_stream_bytes.min(left);
        let data = match s.decompressed_content_with_limit(usize::try_from(cap).unwrap_or(usize::MAX)) {
            Ok(d) => d,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(if left < self.limits.max_stream_bytes {
                    PdfError::TooMuchContent { max: self.limits.max_total_bytes }
                } else {
                    PdfError::StreamTooLarge { max: self.limits.max_stream_bytes }
                });
            }
            // An undecodable stream reads as empty; the rest of the file may be fine.
            Err(_) => Vec::new(),
        };
        self.total = self.total.saturating_add(data.len() as u64);
        Ok(data)
    }

    fn page(&mut self, index: u32, info: &PageInfo<'d>) -> Result<Page, PdfError> {
        let media = info.inh.media.unwrap_or([0.0, 0.0, 612.0, 792.0]);
        let bx = match info.inh.crop {
            Some(c) => {
                let r = [c[0].max(media[0]), c[1].max(media[1]), c[2].min(media[2]), c[3].min(media[3])];
                if r[2] > r[0] && r[3] > r[1] {
                    r
                } else {
                    media
                }
            }
            None => media,
        };
        let (base, width, height) = page_base(bx, info.inh.rotate.unwrap_or(0));
        let mut content = Vec::new();
        match get(self.doc, info.dict, b"Contents") {
            Some(Object::Stream(s)) => content = self.decode(s)?,
            Some(Object::Array(parts)) => {
                for part in parts {
                    if let Some(Object::Stream(s)) = resolve(self.doc, part) {
                        content.extend(self.decode(s)?);
                        content.push(b'\n');
                    }
                }
            }
            _ => {}
        }
        let mut out = PageOut { index, width, height, ops: 0, glyphs: Vec::new(), rules: Vec::new() };
        let mut forms = Vec::new();
        self.run(&content, info.inh.resources, GState::new(base), &mut out, &mut forms)?;
        Ok(Page { index, width: width as f32, height: height as f32, glyphs: out.glyphs, rules: out.rules })
    }

    /// Run one content stream.
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        gs: GState,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let mut st = RunState {
            gs,
            stack: Vec::new(),
            deep_q: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            path: Path::default(),
        };
        let mut lex = Lexer::new(content);
        let mut operands: Vec<Arg> = Vec::new();
        let mut arrays: Vec<Vec<Arg>> = Vec::new();
        let mut skipped_arrays = 0usize;
        let mut dict_depth = 0usize;
        let mut count = 0usize;
        while let Some(tok) = lex.next_tok() {
            let arg = match tok {
                Tok::Word(op) => {
                    // `true`, `false` and `null` are operands.
                    if matches!(op, b"true" | b"false" | b"null") {
                        Arg::Other
                    } else {
                        arrays.clear();
                        skipped_arrays = 0;
                        dict_depth = 0;
                        count = 0;
                        out.ops += 1;
                        if out.ops > self.limits.max_ops {
                            return Err(PdfError::TooManyOps { page: out.index, max: self.limits.max_ops });
                        }
                        if op == b"BI" {
                            lex.skip_inline_image();
                        } else {
                            self.op(op, &operands, &mut st, resources, out, forms)?;
                        }
                        operands.clear();
                        continue;
                    }
                }
                Tok::DictOpen => {
                    dict_depth += 1;
                    continue;
                }
                Tok::DictClose => {
                    dict_depth = dict_depth.saturating_sub(1);
                    if dict_depth == 0 {
                        Arg::Other
                    } else {
                        continue;
                    }
                }
                _ if dict_depth > 0 => continue,
                Tok::ArrOpen => {
                    if arrays.len() < MAX_ARRAY_DEPTH {
                        arrays.push(Vec::new());
                    } else {
                        skipped_arrays += 1;
                    }
                    continue;
                }
                Tok::ArrClose => {
                    if skipped_arrays > 0 {
                        skipped_arrays -= 1;
                        continue;
                    }
                    match arrays.pop() {
                        Some(a) => Arg::Array(a),
                        None => continue,
                    }
                }
                Tok::Num(v) => Arg::Num(v),
                Tok::Name(n) => Arg::Name(n),
                Tok::Str(s) => Arg::Str(s),
            };
            count += 1;
            if count > MAX_OPERANDS {
                continue;
            }
            match arrays.last_mut() {
                Some(a) => a.push(arg),
                None => operands.push(arg),
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_lines)]
    fn op(
        &mut self,
        op: &[u8],
        args: &[Arg],
        st: &mut RunState,
        resources: Option<&'d Dictionary>,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let gs = &mut st.gs;
        match op {
            b"q" => {
                if st.stack.len() < MAX_GSTATE_DEPTH {
                    st.stack.push(gs.clone());
                } else {
                    st.deep_q += 1;
                }
            }
            b"Q" => {
                if st.deep_q > 0 {
                    st.deep_q -= 1;
                } else if let Some(saved) = st.stack.pop() {
                    *gs = saved;
                }
            }
            b"cm" => {
                if let Some(m) = nums::<6>(args).map(Matrix::new) {
                    let ctm = m.then(&gs.ctm);
                    if ctm.is_finite() {
                        gs.ctm = ctm;
                    }
                }
            }
            // Paths.
            b"m" | b"l" => {
                if let Some([x, y]) = nums::<2>(args) {
                    let p = gs.ctm.apply(x, y);
                    if op == b"m" {
                        st.path.move_to(p);
                    } else {
                        st.path.line_to(p, false);
                    }
                }
            }
            b"c" => {
                if let Some([.., x, y]) = nums::<6>(args) {
                    st.path.line_to(gs.ctm.apply(x, y), true);
                }
            }
            b"v" | b"y" => {
                if let Some([.., x, y]) = nums::<4>(args) {
                    st.path.line_to(gs.ctm.apply(x, y), true);
                }
            }
            b"h" => st.path.close(),
            b"re" => {
                if let Some([x, y, w, h]) = nums::<4>(args) {
                    let m = gs.ctm;
                    st.path.move_to(m.apply(x, y));
                    st.path.line_to(m.apply(x + w, y), false);
                    st.path.line_to(m.apply(x + w, y + h), false);
                    st.path.line_to(m.apply(x, y + h), false);
                    st.path.close();
                }
            }
            b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"n" => {
                let path = std::mem::take(&mut st.path);
                let close = matches!(op, b"s" | b"b" | b"b*");
                let stroke = matches!(op, b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*");
                let fill = matches!(op, b"f" | b"F" | b"f*");
                if stroke && !gs.stroke_white {
                    stroke_rules(&path, close, out);
                }
                if fill && !gs.fill_white {
                    fill_rules(&path, out);
                }
            }
            // Colours: only white matters (an invisible rule is no rule).
            b"G" | b"RG" | b"K" => gs.stroke_white = is_white(args, true),
            b"g" | b"rg" | b"k" => gs.fill_white = is_white(args, true),
            b"SC" | b"SCN" => gs.stroke_white = is_white(args, gs.stroke_device),
            b"sc" | b"scn" => gs.fill_white = is_white(args, gs.fill_device),
            b"CS" | b"cs" => {
                let device = matches!(last_name(args), Some(b"DeviceGray" | b"DeviceRGB" | b"DeviceCMYK"));
                if op == b"CS" {
                    gs.stroke_white = false;
                    gs.stroke_device = device;
                } else {
                    gs.fill_white = false;
                    gs.fill_device = device;
                }
            }
            // Text.
            b"BT" => {
                st.tm = Matrix::IDENTITY;
                st.tlm = Matrix::IDENTITY;
            }
            b"Tc" => set_num(args, &mut gs.tc),
            b"Tw" => set_num(args, &mut gs.tw),
            b"TL" => set_num(args, &mut gs.tl),
            b"Ts" => set_num(args, &mut gs.rise),
            b"Tz" => {
                if let Some([v]) = nums::<1>(args) {
                    gs.th = v / 100.0;
                }
            }
            b"Tf" => {
                if let (Some(name), Some([size])) = (last_name(args), nums::<1>(args)) {
                    gs.size = size;
                    gs.font = self.font_resource(resources, name)?;
                }
            }
            b"gs" => {
                if let Some(name) = last_name(args) {
                    self.ext_gstate(resources, name, gs)?;
                }
            }
            b"Td" | b"TD" => {
                if let Some([x, y]) = nums::<2>(args) {
                    if op == b"TD" {
                        gs.tl = -y;
                    }
                    st.tlm = Matrix::translate(x, y).then(&st.tlm);
                    st.tm = st.tlm;
                }
            }
            b"Tm" => {
                if let Some(m) = nums::<6>(args).map(Matrix::new) {
                    st.tlm = m;
                    st.tm = m;
                }
            }
            b"T*" => next_line(st),
            b"Tj" => {
                if let Some(Arg::Str(s)) = args.last() {
                    show(st, s, out);
                }
            }
            b"'" => {
                next_line(st);
                if let Some(Arg::Str(s)) = args.last() {
                    show(st, s, out);
                }
            }
            b"\"" => {
                if let [.., Arg::Num(aw), Arg::Num(ac), Arg::Str(s)] = args {
                    st.gs.tw = *aw;
                    st.gs.tc = *ac;
                    next_line(st);
                    show(st, s, out);
                }
            }
            b"TJ" => {
                if let Some(Arg::Array(items)) = args.last() {
                    for item in items {
                        match item {
                            Arg::Str(s) => show(st, s, out),
                            Arg::Num(adj) => {
                                let gs = &st.gs;
                                let t = -adj / 1000.0 * gs.size;
                                let shift = match gs.font.as_deref().and_then(Font::vertical) {
                                    Some(_) => Matrix::translate(0.0, t),
                                    None => Matrix::translate(t * gs.th, 0.0),
                                };
                                st.tm = shift.then(&st.tm);
                            }
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(name) = last_name(args) {
                    self.xobject(resources, name, &st.gs, out, forms)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn resource(&self, resources: Option<&'d Dictionary>, category: &[u8], name: &[u8]) -> Option<&'d Object> {
        let doc = self.doc;
        let dict = get_dict(doc, resources?, category)?;
        get(doc, dict, name)
    }

    fn font_resource(&mut self, resources: Option<&'d Dictionary>, name: &[u8]) -> Result<Option<Rc<Font>>, PdfError> {
        match self.resource(resources, b"Font", name).and_then(as_dict) {
            Some(dict) => self.font(dict).map(Some),
            None => Ok(None),
        }
    }

    fn ext_gstate(&mut self, resources: Option<&'d Dictionary>, name: &[u8], gs: &mut GState) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(dict) = self.resource(resources, b"ExtGState", name).and_then(as_dict) else { return Ok(()) };
        if let Some(Object::Array(a)) = get(doc, dict, b"Font") {
            if let (Some(font), Some(size)) =
                (a.first().and_then(|o| resolve(doc, o)).and_then(as_dict), a.get(1).and_then(|o| num(doc, o)))
            {
                gs.font = Some(self.font(font)?);
                gs.size = size;
            }
        }
        Ok(())
    }

    fn xobject(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
        gs: &GState,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(Object::Stream(s)) = self.resource(resources, b"XObject", name) else { return Ok(()) };
        // Images (and PostScript XObjects) are not looked at.
        if get_name(doc, &s.dict, b"Subtype") != Some(b"Form") {
            return Ok(());
        }
        let key = s as *const Stream as usize;
        if forms.len() >= MAX_FORM_DEPTH || forms.contains(&key) {
            return Ok(());
        }
        let content = match self.forms.get(&key) {
            Some(c) => Rc::clone(c),
            None => {
                let c = Rc::new(self.decode(s)?);
                self.forms.insert(key, Rc::clone(&c));
                c
            }
        };
        let mut child = gs.clone();
        if let Some(m) = get_array(doc, &s.dict, b"Matrix").and_then(|a| {
            let v: Vec<f64> = a.iter().filter_map(|o| num(doc, o)).collect();
            <[f64; 6]>::try_from(v.as_slice()).ok()
        }) {
            let ctm = Matrix::new(m).then(&gs.ctm);
            if ctm.is_finite() {
                child.ctm = ctm;
            }
        }
        let res = get_dict(doc, &s.dict, b"Resources").or(resources);
        forms.push(key);
        let result = self.run(&content, res, child, out, forms);
        forms.pop();
        result
    }

    fn font(&mut self, dict: &'d Dictionary) -> Result<Rc<Font>, PdfError> {
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&key) {
            return Ok(Rc::clone(f));
        }
        let font = Rc::new(self.load_font(dict)?);
        self.fonts.insert(key, Rc::clone(&font));
        Ok(font)
    }

    fn cmap_stream(&mut self, obj: Option<&'d Object>) -> Result<Option<CMap>, PdfError> {
        match obj {
            Some(Object::Stream(s)) => {
                let data = self.decode(s)?;
                let mut cmap = parse_cmap(&data);
                if let Ok(Object::Integer(1)) = s.dict.get(b"WMode") {
                    cmap.vertical = true;
                }
                Ok(Some(cmap))
            }
            _ => Ok(None),
        }
    }

    fn load_font(&mut self, dict: &'d Dictionary) -> Result<Font, PdfError> {
        let doc = self.doc;
        let subtype = get_name(doc, dict, b"Subtype").unwrap_or_default();
        let to_unicode = self.cmap_stream(get(doc, dict, b"ToUnicode"))?.filter(CMap::has_unicode);
        if subtype == b"Type0" {
            let desc = get_array(doc, dict, b"DescendantFonts")
                .and_then(|a| a.first())
                .and_then(|o| resolve(doc, o))
                .and_then(as_dict);
            let (mut scheme, mut vertical, mut encoding) = (Scheme::Identity, false, None);
            match get(doc, dict, b"Encoding") {
                Some(Object::Name(n)) => {
                    scheme = predefined_scheme(n);
                    vertical = n.ends_with(b"-V");
                }
                Some(obj @ Object::Stream(_)) => {
                    if let Some(cmap) = self.cmap_stream(Some(obj))? {
                        vertical = cmap.vertical;
                        if cmap.codespace.is_empty() {
                            if let Some(base) = &cmap.usecmap {
                                scheme = predefined_scheme(base);
                                vertical |= base.ends_with(b"-V");
                            }
                        } else {
                            scheme = Scheme::Ranges;
                        }
                        encoding = Some(cmap);
                    }
                }
                _ => {}
            }
            let mut comp = Composite {
                scheme,
                encoding,
                widths: Vec::new(),
                dw: 1000.0,
                vertical,
                vy: 0.88,
                w1: -1.0,
                adobe: false,
            };
            let mut metrics = clamp_metrics(0.0, 0.0);
            if let Some(desc) = desc {
                comp.dw = get_num(doc, desc, b"DW").unwrap_or(1000.0);
                if let Some(w) = get_array(doc, desc, b"W") {
                    comp.widths = cid_widths(doc, w);
                }
                if let Some(dw2) = get_array(doc, desc, b"DW2") {
                    if let (Some(vy), Some(w1)) =
                        (dw2.first().and_then(|o| num(doc, o)), dw2.get(1).and_then(|o| num(doc, o)))
                    {
                        comp.vy = vy / 1000.0;
                        comp.w1 = w1 / 1000.0;
                    }
                }
                if let Some(info) = get_dict(doc, desc, b"CIDSystemInfo") {
                    let registry = match get(doc, info, b"Registry") {
                        Some(Object::String(s, _)) => s.as_slice(),
                        _ => b"",
                    };
                    let ordering = match get(doc, info, b"Ordering") {
                        Some(Object::String(s, _)) => s.as_slice(),
                        _ => b"",
                    };
                    comp.adobe = registry == b"Adobe" && matches!(ordering, b"GB1" | b"CNS1" | b"Japan1" | b"Korea1");
                }
                metrics = descriptor_metrics(doc, get_dict(doc, desc, b"FontDescriptor"), 0.001);
            }
            return Ok(Font {
                kind: Kind::Composite(Box::new(comp)),
                to_unicode,
                ascent: metrics.0,
                descent: metrics.1,
            });
        }

        // Simple fonts.
        let fd = get_dict(doc, dict, b"FontDescriptor");
        let symbolic = fd.and_then(|fd| get_num(doc, fd, b"Flags")).is_some_and(|f| (f as i64) & 4 != 0);
        let type3 = subtype == b"Type3";
        let scale = if type3 {
            get_array(doc, dict, b"FontMatrix")
                .and_then(|m| m.first())
                .and_then(|o| num(doc, o))
                .map_or(0.001, f64::abs)
        } else {
            0.001
        };
        let (enc_name, differences) = match get(doc, dict, b"Encoding") {
            Some(Object::Name(n)) => (Some(n.as_slice()), None),
            Some(Object::Dictionary(d)) => (get_name(doc, d, b"BaseEncoding"), get_array(doc, d, b"Differences")),
            _ => (None, None),
        };
        let mut text = match enc_name {
            Some(n) => base_encoding(n),
            None if symbolic || type3 => {
                // Built-in encoding: all we can say is what ASCII would be.
                (0u8..=255)
                    .map(|b| if (0x20..=0x7E).contains(&b) { char::from(b).to_string() } else { String::new() })
                    .collect()
            }
            None if subtype == b"TrueType" => base_encoding(b"WinAnsiEncoding"),
            None => base_encoding(b"StandardEncoding"),
        };
        if let Some(diffs) = differences {
            let mut code: Option<usize> = None;
            for item in diffs {
                match resolve(doc, item) {
                    Some(Object::Integer(i)) => code = usize::try_from(*i).ok(),
                    Some(Object::Name(n)) => {
                        if let Some(slot) = code.and_then(|c| text.get_mut(c)) {
                            *slot = glyph_name_text(n).unwrap_or_default();
                        }
                        code = code.map(|c| c.saturating_add(1));
                    }
                    _ => {}
                }
            }
        }
        let missing = fd.and_then(|fd| get_num(doc, fd, b"MissingWidth")).filter(|w| *w > 0.0);
        let core = core_widths(get_name(doc, dict, b"BaseFont").unwrap_or_default());
        let mut widths: Vec<f64> = (0u32..256)
            .map(|c| {
                let core = core.and_then(|t| t.get((c as usize).wrapping_sub(32)).copied()).map(f64::from);
                missing.or(core).unwrap_or(if type3 { 0.0 } else { 500.0 }) * scale
            })
            .collect();
        if let (Some(first), Some(list)) = (get_num(doc, dict, b"FirstChar"), get_array(doc, dict, b"Widths")) {
            let first = first.max(0.0) as usize;
            for (i, w) in list.iter().enumerate() {
                if let (Some(slot), Some(w)) = (widths.get_mut(first.saturating_add(i)), num(doc, w)) {
                    *slot = w * scale;
                }
            }
        }
        let (ascent, descent) = if type3 {
            let d = get_array(doc, dict, b"FontMatrix")
                .and_then(|m| m.get(3))
                .and_then(|o| num(doc, o))
                .map_or(0.001, f64::abs);
            match dict.get(b"FontBBox").ok().and_then(|o| rect(doc, o)) {
                Some(b) => clamp_metrics(b[3] * d, b[1] * d),
                None => clamp_metrics(0.0, 0.0),
            }
        } else {
            descriptor_metrics(doc, fd, 0.001)
        };
        Ok(Font { kind: Kind::Simple { text, widths }, to_unicode, ascent, descent })
    }
}

fn cid_widths(doc: &Document, w: &[Object]) -> Vec<(u32, u32, WidthSpec)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(first) = w.get(i).and_then(|o| num(doc, o)) {
        let first = first.max(0.0) as u32;
        match w.get(i + 1).and_then(|o| resolve(doc, o)) {
            Some(Object::Array(list)) => {
                let list: Vec<f64> = list.iter().map(|o| num(doc, o).unwrap_or(0.0)).collect();
                if !list.is_empty() {
                    let last = first.saturating_add(u32::try_from(list.len() - 1).unwrap_or(u32::MAX));
                    out.push((first, last, WidthSpec::List(list)));
                }
                i += 2;
            }
            Some(_) => {
                let last = w.get(i + 1).and_then(|o| num(doc, o)).unwrap_or(0.0).max(0.0) as u32;
                if let Some(width) = w.get(i + 2).and_then(|o| num(doc, o)) {
                    if last >= first {
                        out.push((first, last, WidthSpec::Const(width)));
                    }
                }
                i += 3;
            }
            None => break,
        }
    }
    out.sort_by_key(|r| r.0);
    out
}

#[derive(Debug)]
enum Arg {
    Num(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Arg>),
    Other,
}

struct RunState {
    gs: GState,
    stack: Vec<GState>,
    deep_q: usize,
    tm: Matrix,
    tlm: Matrix,
    path: Path,
}

/// The last `N` operands, if they are all numbers.
fn nums<const N: usize>(args: &[Arg]) -> Option<[f64; N]> {
    let tail = args.get(args.len().checked_sub(N)?..)?;
    let mut out = [0.0; N];
    for (slot, arg) in out.iter_mut().zip(tail) {
        match arg {
            Arg::Num(v) => *slot = *v,
            _ => return None,
        }
    }
    Some(out)
}

fn set_num(args: &[Arg], slot: &mut f64) {
    if let Some([v]) = nums::<1>(args) {
        *slot = v;
    }
}

fn last_name(args: &[Arg]) -> Option<&[u8]> {
    args.iter().rev().find_map(|a| match a {
        Arg::Name(n) => Some(n.as_slice()),
        _ => None,
    })
}

fn is_white(args: &[Arg], device: bool) -> bool {
    if !device {
        return false;
    }
    let v: Vec<f64> = args.iter().filter_map(|a| if let Arg::Num(v) = a { Some(*v) } else { None }).collect();
    match v.as_slice() {
        [g] => *g >= 0.999,
        [r, g, b] => *r >= 0.999 && *g >= 0.999 && *b >= 0.999,
        [c, m, y, k] => *c <= 0.001 && *m <= 0.001 && *y <= 0.001 && *k <= 0.001,
        _ => false,
    }
}

fn next_line(st: &mut RunState) {
    st.tlm = Matrix::translate(0.0, -st.gs.tl).then(&st.tlm);
    st.tm = st.tlm;
}

/// Show a string: one glyph per code, advancing the text matrix.
fn show(st: &mut RunState, s: &[u8], out: &mut PageOut) {
    let gs = &st.gs;
    let Some(font) = gs.font.clone() else { return };
    let mut pos = 0;
    while pos < s.len() {
        let (code, len) = font.next_code(s, pos);
        let bytes = s.get(pos..pos + len).unwrap_or_default();
        pos += len;
        let w = font.width(code, len);
        let space = len == 1 && code == 32;
        let spacing = gs.tc + if space { gs.tw } else { 0.0 };
        let text = font.text(code, bytes);
        match font.vertical() {
            None => {
                let trm = Matrix::new([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]).then(&st.tm).then(&gs.ctm);
                let corners = [(0.0, font.descent), (w, font.descent), (0.0, font.ascent), (w, font.ascent)];
                emit(out, text, &trm, corners, (0.0, 0.0), &st.tm.then(&gs.ctm), gs.size, false);
                st.tm = Matrix::translate((w * gs.size + spacing) * gs.th, 0.0).then(&st.tm);
            }
            Some(c) => {
                let trm = Matrix::new([gs.size, 0.0, 0.0, gs.size, 0.0, 0.0]).then(&st.tm).then(&gs.ctm);
                let (x0, x1) = (-w / 2.0, w / 2.0);
                let corners = [
                    (x0, font.descent - c.vy),
                    (x1, font.descent - c.vy),
                    (x0, font.ascent - c.vy),
                    (x1, font.ascent - c.vy),
                ];
                emit(out, text, &trm, corners, (x0, -c.vy), &st.tm.then(&gs.ctm), gs.size, true);
                st.tm = Matrix::translate(0.0, c.w1 * gs.size + spacing).then(&st.tm);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn emit(
    out: &mut PageOut,
    text: String,
    trm: &Matrix,
    corners: [(f64, f64); 4],
    origin: (f64, f64),
    text_to_page: &Matrix,
    font_size: f64,
    vertical: bool,
) {
    if text.is_empty() || !trm.is_finite() {
        return;
    }
    let pts = corners.map(|(x, y)| trm.apply(x, y));
    let x0 = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x1 = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y0 = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let y1 = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let size = font_size.abs() * text_to_page.c.hypot(text_to_page.d);
    let (top, bottom) = (out.height - y1, out.height - y0);
    let on_page = x1 >= -1.0 && x0 <= out.width + 1.0 && bottom >= -1.0 && top <= out.height + 1.0;
    if !(size > 0.0 && size.is_finite() && on_page) {
        return;
    }
    let baseline = out.height - trm.apply(origin.0, origin.1).1;
    let tol = 0.01;
    let upright = trm.a > 0.0 && trm.d > 0.0 && trm.b.abs() <= tol * trm.a && trm.c.abs() <= tol * trm.d;
    out.glyphs.push(Glyph {
        text,
        x0: x0 as f32,
        x1: x1 as f32,
        top: top as f32,
        bottom: bottom as f32,
        size: size as f32,
        upright,
        vertical,
        baseline: baseline as f32,
    });
}

// ---------------------------------------------------------------------------
// Rules

/// Largest thickness of a filled rectangle taken as a rule (points).
const THIN_FILL: f64 = 3.0;
/// Shortest rule kept (points).
const MIN_RULE_LEN: f64 = 1.0;
/// Largest deviation from horizontal or vertical (points).
const AXIS_TOLERANCE: f64 = 0.5;

fn stroke_rules(path: &Path, close: bool, out: &mut PageOut) {
    for sp in &path.subpaths {
        for (i, pair) in sp.pts.windows(2).enumerate() {
            if let ([a, b], Some(false)) = (pair, sp.curve.get(i)) {
                push_rule(out, *a, *b);
            }
        }
        if (sp.closed || close) && sp.pts.len() > 2 {
            if let (Some(first), Some(last)) = (sp.pts.first(), sp.pts.last()) {
                push_rule(out, *last, *first);
            }
        }
    }
}

fn fill_rules(path: &Path, out: &mut PageOut) {
    for sp in &path.subpaths {
        let Some([x0, y0, x1, y1]) = axis_rect(sp) else { continue };
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= THIN_FILL && w > h {
            let y = (y0 + y1) / 2.0;
            push_rule(out, (x0, y), (x1, y));
        } else if w <= THIN_FILL && h > w {
            let x = (x0 + x1) / 2.0;
            push_rule(out, (x, y0), (x, y1));
        }
    }
}

/// The bounds of a subpath that is an axis-aligned rectangle.
fn axis_rect(sp: &Subpath) -> Option<[f64; 4]> {
    let mut pts = sp.pts.clone();
    if pts.len() == 5 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() != 4 || sp.curve.iter().any(|c| *c) {
        return None;
    }
    let n = pts.len();
    for i in 0..n {
        let (a, b) = (pts.get(i)?, pts.get((i + 1) % n)?);
        if (a.0 - b.0).abs() > AXIS_TOLERANCE && (a.1 - b.1).abs() > AXIS_TOLERANCE {
            return None;
        }
    }
    let xs = pts.iter().map(|p| p.0);
    let ys = pts.iter().map(|p| p.1);
    Some([
        xs.clone().fold(f64::INFINITY, f64::min),
        ys.clone().fold(f64::INFINITY, f64::min),
        xs.fold(f64::NEG_INFINITY, f64::max),
        ys.fold(f64::NEG_INFINITY, f64::max),
    ])
}

/// Add a segment (display space, y up) if it is horizontal or vertical, long
/// enough and on the page.
fn push_rule(out: &mut PageOut, a: (f64, f64), b: (f64, f64)) {
    let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
    if !(dx.is_finite() && dy.is_finite()) {
        return;
    }
    let h = out.height;
    let rule = if dy <= AXIS_TOLERANCE && dx >= MIN_RULE_LEN {
        let y = h - (a.1 + b.1) / 2.0;
        Rule { x0: a.0.min(b.0) as f32, y0: y as f32, x1: a.0.max(b.0) as f32, y1: y as f32 }
    } else if dx <= AXIS_TOLERANCE && dy >= MIN_RULE_LEN {
        let x = (a.0 + b.0) / 2.0;
        Rule { x0: x as f32, y0: (h - a.1.max(b.1)) as f32, x1: x as f32, y1: (h - a.1.min(b.1)) as f32 }
    } else {
        return;
    };
    let (w, h) = (out.width as f32, out.height as f32);
    if rule.x1 >= -1.0 && rule.x0 <= w + 1.0 && rule.y1 >= -1.0 && rule.y0 <= h + 1.0 {
        out.rules.push(rule);
    }
}

// ---------------------------------------------------------------------------
// Tables: standard-14 widths (codes 32–126), StandardEncoding's upper half,
// and the Adobe Glyph List for New Fonts.

#[rustfmt::skip]
const HELVETICA: [u16; 95] = [278, 278, 355, 556, 556, 889, 667, 222, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 222, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584];
#[rustfmt::skip]
const HELVETICA_BOLD: [u16; 95] = [278, 333, 474, 556, 556, 889, 722, 278, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 278, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584];
#[rustfmt::skip]
const TIMES_ROMAN: [u16; 95] = [250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541];
#[rustfmt::skip]
const TIMES_BOLD: [u16; 95] = [250, 333, 555, 500, 500, 1000, 833, 333, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520];
/// Glyph names of the Adobe Glyph List for New Fonts, sorted, with their code points.
#[rustfmt::skip]
const GLYPH_NAMES: &[(&str, u32)] = &[
    ("A", 0x0041), ("AE", 0x00C6), ("AEacute", 0x01FC), ("Aacute", 0x00C1), ("Abreve", 0x0102),
    ("Acircumflex", 0x00C2), ("Adieresis", 0x00C4), ("Agrave", 0x00C0), ("Alpha", 0x0391),
    ("Alphatonos", 0x0386), ("Amacron", 0x0100), ("Aogonek", 0x0104), ("Aring", 0x00C5), ("Aringacute", 0x01FA),
    ("Atilde", 0x00C3), ("B", 0x0042), ("Beta", 0x0392), ("C", 0x0043), ("Cacute", 0x0106), ("Ccaron", 0x010C),
    ("Ccedilla", 0x00C7), ("Ccircumflex", 0x0108), ("Cdotaccent", 0x010A), ("Chi", 0x03A7), ("D", 0x0044),
    ("Dcaron", 0x010E), ("Dcroat", 0x0110), ("Delta", 0x2206), ("E", 0x0045), ("Eacute", 0x00C9),
    ("Ebreve", 0x0114), ("Ecaron", 0x011A), ("Ecircumflex", 0x00CA), ("Edieresis", 0x00CB),
    ("Edotaccent", 0x0116), ("Egrave", 0x00C8), ("Emacron", 0x0112), ("Eng", 0x014A), ("Eogonek", 0x0118),
    ("Epsilon", 0x0395), ("Epsilontonos", 0x0388), ("Eta", 0x0397), ("Etatonos", 0x0389), ("Eth", 0x00D0),
    ("Euro", 0x20AC), ("F", 0x0046), ("G", 0x0047), ("Gamma", 0x0393), ("Gbreve", 0x011E), ("Gcaron", 0x01E6),
    ("Gcircumflex", 0x011C), ("Gdotaccent", 0x0120), ("H", 0x0048), ("H18533", 0x25CF), ("H18543", 0x25AA),
    ("H18551", 0x25AB), ("H22073", 0x25A1), ("Hbar", 0x0126), ("Hcircumflex", 0x0124), ("I", 0x0049),
    ("IJ", 0x0132), ("Iacute", 0x00CD), ("Ibreve", 0x012C), ("Icircumflex", 0x00CE), ("Idieresis", 0x00CF),
    ("Idotaccent", 0x0130), ("Ifraktur", 0x2111), ("Igrave", 0x00CC), ("Imacron", 0x012A), ("Iogonek", 0x012E),
    ("Iota", 0x0399), ("Iotadieresis", 0x03AA), ("Iotatonos", 0x038A), ("Itilde", 0x0128), ("J", 0x004A),
    ("Jcircumflex", 0x0134), ("K", 0x004B), ("Kappa", 0x039A), ("L", 0x004C), ("Lacute", 0x0139),
    ("Lambda", 0x039B), ("Lcaron", 0x013D), ("Ldot", 0x013F), ("Lslash", 0x0141), ("M", 0x004D), ("Mu", 0x039C),
    ("N", 0x004E), ("Nacute", 0x0143), ("Ncaron", 0x0147), ("Ntilde", 0x00D1), ("Nu", 0x039D), ("O", 0x004F),
    ("OE", 0x0152), ("Oacute", 0x00D3), ("Obreve", 0x014E), ("Ocircumflex", 0x00D4), ("Odieresis", 0x00D6),
    ("Ograve", 0x00D2), ("Ohorn", 0x01A0), ("Ohungarumlaut", 0x0150), ("Omacron", 0x014C), ("Omega", 0x2126),
    ("Omegatonos", 0x038F), ("Omicron", 0x039F), ("Omicrontonos", 0x038C), ("Oslash", 0x00D8),
    ("Oslashacute", 0x01FE), ("Otilde", 0x00D5), ("P", 0x0050), ("Phi", 0x03A6), ("Pi", 0x03A0), ("Psi", 0x03A8),
    ("Q", 0x0051), ("R", 0x0052), ("Racute", 0x0154), ("Rcaron", 0x0158), ("Rfraktur", 0x211C), ("Rho", 0x03A1),
    ("S", 0x0053), ("SF010000", 0x250C), ("SF020000", 0x2514), ("SF030000", 0x2510), ("SF040000", 0x2518),
    ("SF050000", 0x253C), ("SF060000", 0x252C), ("SF070000", 0x2534), ("SF080000", 0x251C), ("SF090000", 0x2524),
    ("SF100000", 0x2500), ("SF110000", 0x2502), ("SF190000", 0x2561), ("SF200000", 0x2562), ("SF210000", 0x2556),
    ("SF220000", 0x2555), ("SF230000", 0x2563), ("SF240000", 0x2551), ("SF250000", 0x2557), ("SF260000", 0x255D),
    ("SF270000", 0x255C), ("SF280000", 0x255B), ("SF360000", 0x255E), ("SF370000", 0x255F), ("SF380000", 0x255A),
    ("SF390000", 0x2554), ("SF400000", 0x2569), ("SF410000", 0x2566), ("SF420000", 0x2560), ("SF430000", 0x2550),
    ("SF440000", 0x256C), ("SF450000", 0x2567), ("SF460000", 0x2568), ("SF470000", 0x2564), ("SF480000", 0x2565),
    ("SF490000", 0x2559), ("SF500000", 0x2558), ("SF510000", 0x2552), ("SF520000", 0x2553), ("SF530000", 0x256B),
    ("SF540000", 0x256A), ("Sacute", 0x015A), ("Scaron", 0x0160), ("Scedilla", 0x015E), ("Scircumflex", 0x015C),
    ("Sigma", 0x03A3), ("T", 0x0054), ("Tau", 0x03A4), ("Tbar", 0x0166), ("Tcaron", 0x0164), ("Theta", 0x0398),
    ("Thorn", 0x00DE), ("U", 0x0055), ("Uacute", 0x00DA), ("Ubreve", 0x016C), ("Ucircumflex", 0x00DB),
    ("Udieresis", 0x00DC), ("Ugrave", 0x00D9), ("Uhorn", 0x01AF), ("Uhungarumlaut", 0x0170), ("Umacron", 0x016A),
    ("Uogonek", 0x0172), ("Upsilon", 0x03A5), ("Upsilon1", 0x03D2), ("Upsilondieresis", 0x03AB),
    ("Upsilontonos", 0x038E), ("Uring", 0x016E), ("Utilde", 0x0168), ("V", 0x0056), ("W", 0x0057),
    ("Wacute", 0x1E82), ("Wcircumflex", 0x0174), ("Wdieresis", 0x1E84), ("Wgrave", 0x1E80), ("X", 0x0058),
    ("Xi", 0x039E), ("Y", 0x0059), ("Yacute", 0x00DD), ("Ycircumflex", 0x0176), ("Ydieresis", 0x0178),
    ("Ygrave", 0x1EF2), ("Z", 0x005A), ("Zacute", 0x0179), ("Zcaron", 0x017D), ("Zdotaccent", 0x017B),
    ("Zeta", 0x0396), ("a", 0x0061), ("aacute", 0x00E1), ("abreve", 0x0103), ("acircumflex", 0x00E2),
    ("acute", 0x00B4), ("acutecomb", 0x0301), ("adieresis", 0x00E4), ("ae", 0x00E6), ("aeacute", 0x01FD),
    ("agrave", 0x00E0), ("aleph", 0x2135), ("alpha", 0x03B1), ("alphatonos", 0x03AC), ("amacron", 0x0101),
    ("ampersand", 0x0026), ("angle", 0x2220), ("angleleft", 0x2329), ("angleright", 0x232A),
    ("anoteleia", 0x0387), ("aogonek", 0x0105), ("approxequal", 0x2248), ("aring", 0x00E5),
    ("aringacute", 0x01FB), ("arrowboth", 0x2194), ("arrowdblboth", 0x21D4), ("arrowdbldown", 0x21D3),
    ("arrowdblleft", 0x21D0), ("arrowdblright", 0x21D2), ("arrowdblup", 0x21D1), ("arrowdown", 0x2193),
    ("arrowleft", 0x2190), ("arrowright", 0x2192), ("arrowup", 0x2191), ("arrowupdn", 0x2195),
    ("arrowupdnbse", 0x21A8), ("asciicircum", 0x005E), ("asciitilde", 0x007E), ("asterisk", 0x002A),
    ("asteriskmath", 0x2217), ("at", 0x0040), ("atilde", 0x00E3), ("b", 0x0062), ("backslash", 0x005C),
    ("bar", 0x007C), ("beta", 0x03B2), ("block", 0x2588), ("braceleft", 0x007B), ("braceright", 0x007D),
    ("bracketleft", 0x005B), ("bracketright", 0x005D), ("breve", 0x02D8), ("brokenbar", 0x00A6),
    ("bullet", 0x2022), ("c", 0x0063), ("cacute", 0x0107), ("caron", 0x02C7), ("carriagereturn", 0x21B5),
    ("ccaron", 0x010D), ("ccedilla", 0x00E7), ("ccircumflex", 0x0109), ("cdotaccent", 0x010B),
    ("cedilla", 0x00B8), ("cent", 0x00A2), ("chi", 0x03C7), ("circle", 0x25CB), ("circlemultiply", 0x2297),
    ("circleplus", 0x2295), ("circumflex", 0x02C6), ("club", 0x2663), ("colon", 0x003A),
    ("colonmonetary", 0x20A1), ("comma", 0x002C), ("congruent", 0x2245), ("copyright", 0x00A9),
    ("currency", 0x00A4), ("d", 0x0064), ("dagger", 0x2020), ("daggerdbl", 0x2021), ("dcaron", 0x010F),
    ("dcroat", 0x0111), ("degree", 0x00B0), ("delta", 0x03B4), ("diamond", 0x2666), ("dieresis", 0x00A8),
    ("dieresistonos", 0x0385), ("divide", 0x00F7), ("dkshade", 0x2593), ("dnblock", 0x2584), ("dollar", 0x0024),
    ("dong", 0x20AB), ("dotaccent", 0x02D9), ("dotbelowcomb", 0x0323), ("dotlessi", 0x0131), ("dotmath", 0x22C5),
    ("e", 0x0065), ("eacute", 0x00E9), ("ebreve", 0x0115), ("ecaron", 0x011B), ("ecircumflex", 0x00EA),
    ("edieresis", 0x00EB), ("edotaccent", 0x0117), ("egrave", 0x00E8), ("eight", 0x0038), ("element", 0x2208),
    ("ellipsis", 0x2026), ("emacron", 0x0113), ("emdash", 0x2014), ("emptyset", 0x2205), ("endash", 0x2013),
    ("eng", 0x014B), ("eogonek", 0x0119), ("epsilon", 0x03B5), ("epsilontonos", 0x03AD), ("equal", 0x003D),
    ("equivalence", 0x2261), ("estimated", 0x212E), ("eta", 0x03B7), ("etatonos", 0x03AE), ("eth", 0x00F0),
    ("exclam", 0x0021), ("exclamdbl", 0x203C), ("exclamdown", 0x00A1), ("existential", 0x2203), ("f", 0x0066),
    ("female", 0x2640), ("figuredash", 0x2012), ("filledbox", 0x25A0), ("filledrect", 0x25AC), ("five", 0x0035),
    ("fiveeighths", 0x215D), ("florin", 0x0192), ("four", 0x0034), ("fraction", 0x2044), ("franc", 0x20A3),
    ("g", 0x0067), ("gamma", 0x03B3), ("gbreve", 0x011F), ("gcaron", 0x01E7), ("gcircumflex", 0x011D),
    ("gdotaccent", 0x0121), ("germandbls", 0x00DF), ("gradient", 0x2207), ("grave", 0x0060),
    ("gravecomb", 0x0300), ("greater", 0x003E), ("greaterequal", 0x2265), ("guillemotleft", 0x00AB),
    ("guillemotright", 0x00BB), ("guilsinglleft", 0x2039), ("guilsinglright", 0x203A), ("h", 0x0068),
    ("hbar", 0x0127), ("hcircumflex", 0x0125), ("heart", 0x2665), ("hookabovecomb", 0x0309), ("house", 0x2302),
    ("hungarumlaut", 0x02DD), ("hyphen", 0x002D), ("i", 0x0069), ("iacute", 0x00ED), ("ibreve", 0x012D),
    ("icircumflex", 0x00EE), ("idieresis", 0x00EF), ("igrave", 0x00EC), ("ij", 0x0133), ("imacron", 0x012B),
    ("infinity", 0x221E), ("integral", 0x222B), ("integralbt", 0x2321), ("integraltp", 0x2320),
    ("intersection", 0x2229), ("invbullet", 0x25D8), ("invcircle", 0x25D9), ("invsmileface", 0x263B),
    ("iogonek", 0x012F), ("iota", 0x03B9), ("iotadieresis", 0x03CA), ("iotadieresistonos", 0x0390),
    ("iotatonos", 0x03AF), ("itilde", 0x0129), ("j", 0x006A), ("jcircumflex", 0x0135), ("k", 0x006B),
    ("kappa", 0x03BA), ("kgreenlandic", 0x0138), ("l", 0x006C), ("lacute", 0x013A), ("lambda", 0x03BB),
    ("lcaron", 0x013E), ("ldot", 0x0140), ("less", 0x003C), ("lessequal", 0x2264), ("lfblock", 0x258C),
    ("lira", 0x20A4), ("logicaland", 0x2227), ("logicalnot", 0x00AC), ("logicalor", 0x2228), ("longs", 0x017F),
    ("lozenge", 0x25CA), ("lslash", 0x0142), ("ltshade", 0x2591), ("m", 0x006D), ("macron", 0x00AF),
    ("male", 0x2642), ("minus", 0x2212), ("minute", 0x2032), ("mu", 0x00B5), ("multiply", 0x00D7),
    ("musicalnote", 0x266A), ("musicalnotedbl", 0x266B), ("n", 0x006E), ("nacute", 0x0144),
    ("napostrophe", 0x0149), ("ncaron", 0x0148), ("nine", 0x0039), ("notelement", 0x2209), ("notequal", 0x2260),
    ("notsubset", 0x2284), ("ntilde", 0x00F1), ("nu", 0x03BD), ("numbersign", 0x0023), ("o", 0x006F),
    ("oacute", 0x00F3), ("obreve", 0x014F), ("ocircumflex", 0x00F4), ("odieresis", 0x00F6), ("oe", 0x0153),
    ("ogonek", 0x02DB), ("ograve", 0x00F2), ("ohorn", 0x01A1), ("ohungarumlaut", 0x0151), ("omacron", 0x014D),
    ("omega", 0x03C9), ("omega1", 0x03D6), ("omegatonos", 0x03CE), ("omicron", 0x03BF), ("omicrontonos", 0x03CC),
    ("one", 0x0031), ("onedotenleader", 0x2024), ("oneeighth", 0x215B), ("onehalf", 0x00BD),
    ("onequarter", 0x00BC), ("onethird", 0x2153), ("openbullet", 0x25E6), ("ordfeminine", 0x00AA),
    ("ordmasculine", 0x00BA), ("orthogonal", 0x221F), ("oslash", 0x00F8), ("oslashacute", 0x01FF),
    ("otilde", 0x00F5), ("p", 0x0070), ("paragraph", 0x00B6), ("parenleft", 0x0028), ("parenright", 0x0029),
    ("partialdiff", 0x2202), ("percent", 0x0025), ("period", 0x002E), ("periodcentered", 0x00B7),
    ("perpendicular", 0x22A5), ("perthousand", 0x2030), ("peseta", 0x20A7), ("phi", 0x03C6), ("phi1", 0x03D5),
    ("pi", 0x03C0), ("plus", 0x002B), ("plusminus", 0x00B1), ("prescription", 0x211E), ("product", 0x220F),
    ("propersubset", 0x2282), ("propersuperset", 0x2283), ("proportional", 0x221D), ("psi", 0x03C8),
    ("q", 0x0071), ("question", 0x003F), ("questiondown", 0x00BF), ("quotedbl", 0x0022),
    ("quotedblbase", 0x201E), ("quotedblleft", 0x201C), ("quotedblright", 0x201D), ("quoteleft", 0x2018),
    ("quotereversed", 0x201B), ("quoteright", 0x2019), ("quotesinglbase", 0x201A), ("quotesingle", 0x0027),
    ("r", 0x0072), ("racute", 0x0155), ("radical", 0x221A), ("rcaron", 0x0159), ("reflexsubset", 0x2286),
    ("reflexsuperset", 0x2287), ("registered", 0x00AE), ("revlogicalnot", 0x2310), ("rho", 0x03C1),
    ("ring", 0x02DA), ("rtblock", 0x2590), ("s", 0x0073), ("sacute", 0x015B), ("scaron", 0x0161),
    ("scedilla", 0x015F), ("scircumflex", 0x015D), ("second", 0x2033), ("section", 0x00A7),
    ("semicolon", 0x003B), ("seven", 0x0037), ("seveneighths", 0x215E), ("shade", 0x2592), ("sigma", 0x03C3),
    ("sigma1", 0x03C2), ("similar", 0x223C), ("six", 0x0036), ("slash", 0x002F), ("smileface", 0x263A),
    ("space", 0x0020), ("spade", 0x2660), ("sterling", 0x00A3), ("suchthat", 0x220B), ("summation", 0x2211),
    ("sun", 0x263C), ("t", 0x0074), ("tau", 0x03C4), ("tbar", 0x0167), ("tcaron", 0x0165), ("therefore", 0x2234),
    ("theta", 0x03B8), ("theta1", 0x03D1), ("thorn", 0x00FE), ("three", 0x0033), ("threeeighths", 0x215C),
    ("threequarters", 0x00BE), ("tilde", 0x02DC), ("tildecomb", 0x0303), ("tonos", 0x0384),
    ("trademark", 0x2122), ("triagdn", 0x25BC), ("triaglf", 0x25C4), ("triagrt", 0x25BA), ("triagup", 0x25B2),
    ("two", 0x0032), ("twodotenleader", 0x2025), ("twothirds", 0x2154), ("u", 0x0075), ("uacute", 0x00FA),
    ("ubreve", 0x016D), ("ucircumflex", 0x00FB), ("udieresis", 0x00FC), ("ugrave", 0x00F9), ("uhorn", 0x01B0),
    ("uhungarumlaut", 0x0171), ("umacron", 0x016B), ("underscore", 0x005F), ("underscoredbl", 0x2017),
    ("union", 0x222A), ("universal", 0x2200), ("uogonek", 0x0173), ("upblock", 0x2580), ("upsilon", 0x03C5),
    ("upsilondieresis", 0x03CB), ("upsilondieresistonos", 0x03B0), ("upsilontonos", 0x03CD), ("uring", 0x016F),
    ("utilde", 0x0169), ("v", 0x0076), ("w", 0x0077), ("wacute", 0x1E83), ("wcircumflex", 0x0175),
    ("wdieresis", 0x1E85), ("weierstrass", 0x2118), ("wgrave", 0x1E81), ("x", 0x0078), ("xi", 0x03BE),
    ("y", 0x0079), ("yacute", 0x00FD), ("ycircumflex", 0x0177), ("ydieresis", 0x00FF), ("yen", 0x00A5),
    ("ygrave", 0x1EF3), ("z", 0x007A), ("zacute", 0x017A), ("zcaron", 0x017E), ("zdotaccent", 0x017C),
    ("zero", 0x0030), ("zeta", 0x03B6),
];
/// StandardEncoding, code → code point (codes 0x20–0x7E are ASCII except 0x27 and 0x60).
#[rustfmt::skip]
const STANDARD_HIGH: &[(u8, u32)] = &[
    (0x27, 0x2019), (0x60, 0x2018), (0xA1, 0x00A1), (0xA2, 0x00A2), (0xA3, 0x00A3), (0xA4, 0x2044),
    (0xA5, 0x00A5), (0xA6, 0x0192), (0xA7, 0x00A7), (0xA8, 0x00A4), (0xA9, 0x0027), (0xAA, 0x201C),
    (0xAB, 0x00AB), (0xAC, 0x2039), (0xAD, 0x203A), (0xAE, 0xFB01), (0xAF, 0xFB02), (0xB1, 0x2013),
    (0xB2, 0x2020), (0xB3, 0x2021), (0xB4, 0x00B7), (0xB6, 0x00B6), (0xB7, 0x2022), (0xB8, 0x201A),
    (0xB9, 0x201E), (0xBA, 0x201D), (0xBB, 0x00BB), (0xBC, 0x2026), (0xBD, 0x2030), (0xBF, 0x00BF),
    (0xC1, 0x0060), (0xC2, 0x00B4), (0xC3, 0x02C6), (0xC4, 0x02DC), (0xC5, 0x00AF), (0xC6, 0x02D8),
    (0xC7, 0x02D9), (0xC8, 0x00A8), (0xCA, 0x02DA), (0xCB, 0x00B8), (0xCD, 0x02DD), (0xCE, 0x02DB),
    (0xCF, 0x02C7), (0xD0, 0x2014), (0xE1, 0x00C6), (0xE3, 0x00AA), (0xE8, 0x0141), (0xE9, 0x00D8),
    (0xEA, 0x0152), (0xEB, 0x00BA), (0xF1, 0x00E6), (0xF5, 0x0131), (0xF8, 0x0142), (0xF9, 0x00F8),
    (0xFA, 0x0153), (0xFB, 0x00DF),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn real(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn text(page: &Page) -> String {
        page.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    fn all_text(pages: &[Page]) -> String {
        pages.iter().map(text).collect()
    }

    /// The glyphs whose baseline lies strictly between two y values, left to right.
    fn band(page: &Page, top: f32, bottom: f32) -> Vec<&Glyph> {
        let mut v: Vec<&Glyph> = page.glyphs.iter().filter(|g| g.baseline > top && g.baseline < bottom).collect();
        v.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        v
    }

    /// Glyphs in stream order whose text, concatenated, is `run`, on one page.
    fn find_run<'p>(page: &'p Page, run: &str) -> Option<&'p [Glyph]> {
        let n = run.chars().count();
        page.glyphs.windows(n).find(|w| w.iter().map(|g| g.text.as_str()).collect::<String>() == run)
    }

    /// Check that the glyphs share a baseline (within 1 pt), run left to right
    /// without overlapping, and read `expect`.
    fn assert_row(glyphs: &[&Glyph], expect: &str) {
        let got: String = glyphs.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(got, expect);
        let base = glyphs.first().map(|g| g.baseline).unwrap();
        for pair in glyphs.windows(2) {
            assert!((pair[1].baseline - base).abs() <= 1.0, "{pair:?}");
            assert!(pair[0].x1 <= pair[1].x0 + 0.5, "overlap {pair:?}");
        }
    }

    #[test]
    fn real_hongze_2023() {
        let bytes = real("2023-hongze-district.pdf");
        let t = std::time::Instant::now();
        let pages = extract(&bytes, &PdfLimits::default()).unwrap();
        eprintln!(
            "hongze: {} pages, {} glyphs in {:?}",
            pages.len(),
            pages.iter().map(|p| p.glyphs.len()).sum::<usize>(),
            t.elapsed()
        );
        assert_eq!(pages.len(), 5);
        assert!(pages.iter().all(|p| p.width == 595.0 && p.height == 842.0));
        assert_eq!(pages.iter().map(|p| p.glyphs.len()).collect::<Vec<_>>(), [549, 414, 465, 548, 102]);
        // The page number is drawn first, then the title.
        assert!(text(&pages[0]).starts_with("-1-洪泽区人民政府2023年政府信息公开工作年度报告本报告由"));
        assert!(text(&pages[0]).contains("电子邮箱：hzzwgk@126.com）"));
        // 表三 on page 3: its row 一 reads, left to right on the rules' band,
        // label then the seven figures.
        let p = &pages[2];
        assert!(text(p).contains("三、收到和处理政府信息公开申请情况"));
        let label = find_run(p, "一、本年新收政府信息公开申请数量").unwrap();
        let label: Vec<&Glyph> = label.iter().collect();
        assert_row(&label, "一、本年新收政府信息公开申请数量");
        let y = label[0].baseline;
        let above = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 < y).map(|r| r.y0).fold(f32::MIN, f32::max);
        let below = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 > y).map(|r| r.y0).fold(f32::MAX, f32::min);
        assert_eq!((above, below), (478.79, 501.59));
        let row = band(p, above, below);
        let figures: Vec<&Glyph> = row.iter().copied().filter(|g| g.x0 > 300.0).collect();
        assert_row(&figures, "210000021");
        assert_eq!(
            row.iter().map(|g| g.text.as_str()).collect::<String>(),
            "一、本年新收政府信息公开申请数量210000021"
        );
        // In stream order too the figures run left to right.
        let stream: Vec<f32> =
            p.glyphs.iter().filter(|g| g.baseline > above && g.baseline < below).map(|g| g.x0).collect();
        assert!(stream.windows(2).all(|w| w[0] < w[1]));
        // The vertical heading of 表三 (an Identity-V font).
        let vertical: String = p.glyphs.iter().filter(|g| g.vertical).map(|g| g.text.as_str()).collect();
        assert_eq!(vertical, "三、本年度办理结果");
        let v: Vec<&Glyph> = p.glyphs.iter().filter(|g| g.vertical).collect();
        assert!(v.windows(2).all(|w| w[0].top < w[1].top && (w[0].x0 - w[1].x0).abs() < 1.0));
        assert!(v.iter().all(|g| g.upright));
        // 表三 continues on page 4 with the totals, then 表四.
        let p4 = text(&pages[3]);
        assert!(p4.contains("（七）总计210000021"));
        assert!(p4.contains("行政复议"));
        // 表四's figures row: 10 1 0 0 | 0 0 0 0 0 | 5 0 0 0 0 as printed.
        assert!(p4.contains("总计1010000000050000五、"));
        // Table pages have their borders; text pages have none.
        assert_eq!(pages.iter().map(|p| p.rules.len()).collect::<Vec<_>>(), [0, 15, 39, 42, 0]);
        for r in pages.iter().flat_map(|p| &p.rules) {
            assert!((r.y0 == r.y1 && r.x0 < r.x1) || (r.x0 == r.x1 && r.y0 < r.y1), "{r:?}");
        }
        assert!(all_text(&pages).contains("全年收取政府信息公开信息处理费0元"));
        assert!(!all_text(&pages).contains('\u{FFFD}'));
    }

    #[test]
    fn real_huaian_2024() {
        let bytes = real("2024-huaian-city.pdf");
        let t = std::time::Instant::now();
        let pages = extract(&bytes, &PdfLimits::default()).unwrap();
        let took = t.elapsed();
        eprintln!(
            "huaian: {} pages, {} glyphs in {took:?}",
            pages.len(),
            pages.iter().map(|p| p.glyphs.len()).sum::<usize>()
        );
        assert_eq!(pages.len(), 6);
        assert_eq!(pages.iter().map(|p| p.glyphs.len()).collect::<Vec<_>>(), [497, 691, 416, 481, 466, 328]);
        assert!(text(&pages[0]).contains("淮安市人民政府2024年政府信息公开工作年度报告本报告由"));
        assert!(text(&pages[1]).contains("政府信息公开行政复议351件"));
        let p = &pages[3];
        let label: Vec<&Glyph> = find_run(p, "一、本年新收政府信息公开申请数量").unwrap().iter().collect();
        assert_row(&label, "一、本年新收政府信息公开申请数量");
        let y = label[0].baseline;
        let above = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 < y).map(|r| r.y0).fold(f32::MIN, f32::max);
        let below = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 > y).map(|r| r.y0).fold(f32::MAX, f32::min);
        let figures: Vec<&Glyph> = band(p, above, below).into_iter().filter(|g| g.x0 > 200.0).collect();
        assert_row(&figures, "300153006143119");
        let p5 = text(&pages[4]);
        assert!(p5.contains("（七）总计293253006143050"));
        assert!(p5.contains("四、政府信息公开行政复议、行政诉讼情况"));
        assert!(p5.contains("72641783735113481261211620"));
        assert_eq!(pages.iter().map(|p| p.rules.len()).collect::<Vec<_>>(), [0, 0, 15, 39, 45, 0]);
        assert!(pages[3].rules.len() > 20 && pages[4].rules.len() > 20);
        assert!(!all_text(&pages).contains('\u{FFFD}'));
        // A few milliseconds in a release build; allow for debug builds and busy machines.
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }

    // -- Synthetic files ---------------------------------------------------

    /// A PDF from object bodies (numbered from 1; 1 is the catalog) with a
    /// classic xref table.
    fn build(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
            out.extend(body);
            out.extend(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for o in offsets {
            out.extend(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
        let mut v = format!("<< /Length {} {dict} >>\nstream\n", data.len()).into_bytes();
        v.extend(data);
        v.extend(b"\nendstream");
        v
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut s = Stream::new(Dictionary::new(), data.to_vec());
        s.compress().unwrap();
        assert!(s.dict.has(b"Filter"));
        s.content
    }

    /// One page (object 3) with `content` (object 4) and `resources`; more
    /// objects from 5 on.
    fn one_page(resources: &str, content: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
        let mut objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources {resources} /Contents 4 0 R >>")
                .into_bytes(),
            stream("", content),
        ];
        objs.extend(more.iter().cloned());
        build(&objs, "")
    }

    fn small() -> PdfLimits {
        PdfLimits {
            max_pages: 100,
            max_objects: 1000,
            max_stream_bytes: 1 << 20,
            max_total_bytes: 4 << 20,
            max_ops: 10_000,
        }
    }

    const HELV: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

    #[test]
    fn simple_font_text_state() {
        let content =
            b"BT /F1 10 Tf 100 700 Td (AB) Tj [(A) -1000 (B)] TJ 2 Tc (A) Tj 0 Tc 5 Tw ( A) Tj 0 Tw 50 Tz (A) Tj ET";
        let pdf = one_page(&format!("<< /Font << /F1 {HELV} >> >>"), content, &[]);
        let pages = extract(&pdf, &small()).unwrap();
        let g = &pages[0].glyphs;
        assert_eq!(text(&pages[0]), "ABABA AA");
        let x0: Vec<f32> = g.iter().map(|g| (g.x0 * 100.0).round() / 100.0).collect();
        // Helvetica: A 667, B 667, space 278 (per 1000 em); size 10.
        // AB, then A, kern 1000 (10 pt), B, Tc 2, space with Tw 5, Tz 50.
        assert_eq!(x0, [100.0, 106.67, 113.34, 130.01, 136.68, 145.35, 153.13, 159.8]);
        assert!((g[0].x1 - g[0].x0 - 6.67).abs() < 0.01);
        assert!(g.iter().all(|g| g.upright && (g.baseline - 100.0).abs() < 0.01 && g.size == 10.0));
        // Ascent and descent defaults: top above, bottom below the baseline.
        assert!(g[0].top < 100.0 && g[0].bottom > 100.0);
    }

    #[test]
    fn differences_and_type3_free_names() {
        let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Foo /FirstChar 65 /Widths [500 600] \
                    /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [65 /Yacute /uni5E74 97 /f_i /one.sc /g123] >> >>";
        let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), b"BT /F1 12 Tf 0 0 Td (ABabc\x80) Tj ET", &[]);
        let pages = extract(&pdf, &small()).unwrap();
        assert_eq!(text(&pages[0]), "Ý年fi1\u{FFFD}€");
        let g = &pages[0].glyphs;
        assert!((g[1].x0 - 6.0).abs() < 0.01 && (g[1].x1 - 13.2).abs() < 0.01);
    }

    #[test]
    fn type0_identity_tounicode_and_widths() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <5E74> <0002> <2F47> endbfchar
2 beginbfrange <0010> <0012> <FF10> <0020> <0021> [<0041> <00660069>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";
        let font = "<< /Type /Font /Subtype /Type0 /BaseFont /Sim /Encoding /Identity-H \
                    /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /DW 1000 /W [16 [500 600] 18 20 400] \
                    /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                    /FontDescriptor << /Ascent 800 /Descent -200 >> >>] /ToUnicode 5 0 R >>";
        let content = b"BT /F1 10 Tf 1 0 0 1 50 700 Tm <0001000200100011001200200021> Tj ET";
        let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), content, &[stream("", cmap)]);
        let pages = extract(&pdf, &small()).unwrap();
        // <0002> maps to a Kangxi radical, folded to the unified ideograph.
        assert_eq!(text(&pages[0]), "年日０１２Afi");
        let w: Vec<f32> = pages[0].glyphs.iter().map(|g| g.x1 - g.x0).collect();
        assert_eq!(w, [10.0, 10.0, 5.0, 6.0, 4.0, 10.0, 10.0]);
        let g = &pages[0].glyphs[0];
        assert_eq!((g.top, g.bottom, g.baseline), (92.0, 102.0, 100.0));
    }

    #[test]
    fn predefined_gb_cmap_without_tounicode() {
        let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /GBK-EUC-H \
                    /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /DW 1000 /W [1 95 500] \
                    /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>";
        let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), b"BT /F1 10 Tf (2024\xC4\xEA\xA3\xB1) Tj ET", &[]);
        let pages = extract(&pdf, &small()).unwrap();
        assert_eq!(text(&pages[0]), "2024年１");
        let w: Vec<f32> = pages[0].glyphs.iter().map(|g| g.x1 - g.x0).collect();
        assert_eq!(w, [5.0, 5.0, 5.0, 5.0, 10.0, 10.0]);
    }

    #[test]
    fn rotated_text_forms_and_inline_images() {
        let form = stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [1 0 0 1 10 20] /Resources << /Font << /F1 6 0 R >> >>",
            b"BT /F1 10 Tf (B) Tj ET",
        );
        let content = b"BT /F1 10 Tf 0 1 -1 0 300 300 Tm (A) Tj ET \
                        BI /W 4 /H 4 /BPC 8 /CS /G ID \x00EI\xff EI Q\nEI \
                        q 2 0 0 2 0 0 cm /Fm1 Do Q /Im1 Do";
        let pdf = one_page(
            "<< /Font << /F1 6 0 R >> /XObject << /Fm1 5 0 R /Im1 7 0 R >> >>",
            content,
            &[form, HELV.as_bytes().to_vec(), stream("/Type /XObject /Subtype /Image /Width 1 /Height 1", b"\x00")],
        );
        let pages = extract(&pdf, &small()).unwrap();
        assert_eq!(text(&pages[0]), "AB");
        let (a, b) = (&pages[0].glyphs[0], &pages[0].glyphs[1]);
        assert!(!a.upright && a.size == 10.0);
        assert!(b.upright && b.size == 20.0 && b.x0 == 20.0 && b.baseline == 800.0 - 40.0);
    }

    #[test]
    fn rules_from_paths() {
        let content = b"0.5 w 10 10 m 200 10 l S \
                        10 20 m 200 25 l S \
                        1 1 1 RG 10 30 m 200 30 l S 0 G \
                        50 100 100 0.8 re f \
                        50 200 100 50 re f \
                        300 300 m 300 400 l 350 400 l h S \
                        1 0 0 1 0 0 cm 400 400 50 50 re S \
                        500 500 m 510 510 520 500 530 500 c S \
                        q 1 1 1 rg 60 60 100 1 re f Q";
        let pdf = one_page("<< >>", content, &[]);
        let pages = extract(&pdf, &small()).unwrap();
        assert!(pages[0].glyphs.is_empty());
        let r: Vec<(f32, f32, f32, f32)> = pages[0].rules.iter().map(|r| (r.x0, r.y0, r.x1, r.y1)).collect();
        assert_eq!(
            r,
            [
                (10.0, 790.0, 200.0, 790.0),
                (50.0, 699.6, 150.0, 699.6),
                (300.0, 400.0, 300.0, 500.0),
                (300.0, 400.0, 350.0, 400.0),
                (400.0, 400.0, 450.0, 400.0),
                (450.0, 350.0, 450.0, 400.0),
                (400.0, 350.0, 450.0, 350.0),
                (400.0, 350.0, 400.0, 400.0),
            ]
        );
    }

    #[test]
    fn page_rotation_and_crop_box() {
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Rotate 90 /MediaBox [0 0 600 800] >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /CropBox [0 0 600 400] /Resources << /Font << /F1 {HELV} >> >> /Contents 4 0 R >>")
                .into_bytes(),
            stream("", b"BT /F1 10 Tf 100 50 Td (A) Tj ET 0 10 m 600 10 l S"),
        ];
        let pages = extract(&build(&objs, ""), &small()).unwrap();
        let p = &pages[0];
        assert_eq!((p.width, p.height), (400.0, 600.0));
        // Text along user x runs downwards on the displayed page.
        let g = &p.glyphs[0];
        assert!(!g.upright);
        assert_eq!((g.x0.round(), g.top.round()), (49.0, 100.0));
        assert_eq!(p.rules, [Rule { x0: 10.0, y0: 0.0, x1: 10.0, y1: 600.0 }]);
    }

    // -- Hostile input -----------------------------------------------------

    #[test]
    fn deflate_bomb_is_refused() {
        let bomb = deflate(&vec![b' '; 4 << 20]);
        assert!(bomb.len() < 16 << 10, "{}", bomb.len());
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>".to_vec(),
            stream("/Filter /FlateDecode", &bomb),
        ];
        let pdf = build(&objs, "");
        assert_eq!(extract(&pdf, &small()), Err(PdfError::StreamTooLarge { max: 1 << 20 }));
        // Under the cap of one stream, but over the total.
        let total = PdfLimits { max_stream_bytes: 8 << 20, max_total_bytes: 2 << 20, ..small() };
        assert_eq!(extract(&pdf, &total), Err(PdfError::TooMuchContent { max: 2 << 20 }));
        assert!(PdfError::StreamTooLarge { max: 1 << 20 }.to_string().contains("1 MB"));
    }

    #[test]
    fn hundred_thousand_pages_are_refused() {
        let kids = "3 0 R ".repeat(100_000);
        for count in [100_000, 1] {
            let objs = vec![
                b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
                format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>").into_bytes(),
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>".to_vec(),
            ];
            let t = std::time::Instant::now();
            let got = extract(&build(&objs, ""), &PdfLimits::default());
            let pages = if count == 1 { 2_001 } else { 100_000 };
            assert_eq!(got, Err(PdfError::TooManyPages { pages, max: 2_000 }));
            assert!(t.elapsed() < std::time::Duration::from_secs(5));
        }
    }

    #[test]
    fn reference_loops_end() {
        // A Pages node among its own kids.
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 1 >>".to_vec(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /Font << /F1 {HELV} >> >> /Contents 4 0 R >>")
                .into_bytes(),
            stream("", b"BT /F1 10 Tf (A) Tj ET"),
        ];
        let pages = extract(&build(&objs, ""), &small()).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(text(&pages[0]), "A");
        // A form XObject that draws itself (twice), and a pair that draw each other.
        let me = stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Me 5 0 R /Other 6 0 R >> >>",
            b"0 0 m 100 0 l S /Me Do /Me Do /Other Do",
        );
        let other = stream(
            "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Me 5 0 R >> >>",
            b"0 0 m 0 100 l S /Me Do",
        );
        let pdf = one_page("<< /XObject << /Me 5 0 R >> >>", b"/Me Do", &[me, other]);
        let pages = extract(&pdf, &small()).unwrap();
        assert_eq!(pages[0].rules.len(), 2);
        // A reference that points at itself.
        let objs = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), b"2 0 R".to_vec()];
        assert!(matches!(extract(&build(&objs, ""), &small()), Err(PdfError::Broken(_))));
    }

    #[test]
    fn exponential_forms_hit_the_operator_cap() {
        // Each form draws the next twice: 2^20 calls if nothing stopped it.
        let mut more = Vec::new();
        for i in 0..20 {
            let next = if i < 19 { format!("/Resources << /XObject << /N {} 0 R >> >>", 6 + i) } else { String::new() };
            more.push(stream(&format!("/Type /XObject /Subtype /Form /BBox [0 0 1 1] {next}"), b"/N Do /N Do"));
        }
        let pdf = one_page("<< /XObject << /N 5 0 R >> >>", b"/N Do", &more);
        assert_eq!(extract(&pdf, &small()), Err(PdfError::TooManyOps { page: 0, max: 10_000 }));
    }

    #[test]
    fn broken_and_truncated_files() {
        let good = one_page(&format!("<< /Font << /F1 {HELV} >> >>"), b"BT /F1 10 Tf (Hello) Tj ET", &[]);
        assert_eq!(text(&extract(&good, &small()).unwrap()[0]), "Hello");
        // A wrong startxref: lopdf rebuilds the xref by scanning.
        let at = find(&good, b"startxref\n").unwrap() + 10;
        let mut moved = good[..at].to_vec();
        moved.extend(b"99\n%%EOF\n");
        assert_eq!(text(&extract(&moved, &small()).unwrap()[0]), "Hello");
        // Truncated anywhere: an error or a recovered result, never a panic.
        for cut in (0..good.len()).step_by(7) {
            match extract(&good[..cut], &small()) {
                Ok(_) | Err(PdfError::Broken(_) | PdfError::NotPdf) => {}
                Err(e) => panic!("cut at {cut}: {e:?}"),
            }
        }
        assert!(matches!(extract(b"%PDF-1.4\ngarbage", &small()), Err(PdfError::Broken(_))));
        // Mangled bytes: never a panic.
        for i in (0..good.len()).step_by(3) {
            let mut bad = good.clone();
            bad[i] = bad[i].wrapping_add(0x55);
            let _ = extract(&bad, &small());
        }
    }

    #[test]
    fn object_streams_read_and_crafted_ones_are_refused() {
        // The real report re-saved with object and xref streams reads the same.
        let bytes = real("2024-huaian-city.pdf");
        let mut doc = Document::load_mem(&bytes).unwrap();
        let mut packed = Vec::new();
        let options = lopdf::SaveOptions::builder().use_object_streams(true).use_xref_streams(true).build();
        doc.save_with_options(&mut packed, options).unwrap();
        assert!(find(&packed, b"/ObjStm").is_some());
        let want = extract(&bytes, &PdfLimits::default()).unwrap();
        assert_eq!(extract(&packed, &PdfLimits::default()).unwrap(), want);
        // Many index entries into one unterminated array: lopdf would parse it
        // once per entry (8 s for 64 KiB in a release build).
        let half = 32 << 10;
        let index = "1 0 ".repeat(half / 4);
        let body = format!("{index}[{}", "1 ".repeat(half / 2));
        let objstm = stream(
            &format!("/Type /ObjStm /N {} /First {} /Filter /FlateDecode", half / 4, index.len()),
            &deflate(body.as_bytes()),
        );
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>".to_vec(),
            objstm,
        ];
        let t = std::time::Instant::now();
        assert_eq!(extract(&build(&objs, ""), &small()), Err(PdfError::Broken("对象流格式错误".into())));
        assert!(t.elapsed() < std::time::Duration::from_secs(1), "{:?}", t.elapsed());
        // Increasing offsets, but a member that runs past its span.
        assert!(!object_stream_is_linear(b"1 0 2 4 (ab c", 4));
        assert!(!object_stream_is_linear(b"1 4 2 0 1 2 3 4", 8));
        assert!(object_stream_is_linear(b"1 0 2 4 [1] << /A (x) >>", 8));
    }

    #[test]
    fn encrypted_file_is_refused() {
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>".to_vec(),
            stream("", b"\x8a\x13\x77"),
            format!("<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -4 >>", "7a".repeat(32), "c3".repeat(32))
                .into_bytes(),
        ];
        let pdf = build(&objs, &format!("/Encrypt 5 0 R /ID [<{0}> <{0}>]", "01".repeat(16)));
        assert_eq!(extract(&pdf, &small()), Err(PdfError::Encrypted));
        // An /Encrypt that cannot even be parsed.
        let pdf = build(&objs[..4], "/Encrypt << /Filter /Nonsense >>");
        assert_eq!(extract(&pdf, &small()), Err(PdfError::Encrypted));
        assert!(PdfError::Encrypted.to_string().starts_with("PDF 文件已加密"));
    }

    #[test]
    fn owner_password_only_reads_user_password_refuses() {
        let bytes = real("2023-hongze-district.pdf");
        let want = extract(&bytes, &PdfLimits::default()).unwrap();
        for (user, readable) in [("", true), ("abc", false)] {
            let mut doc = Document::load_mem(&bytes).unwrap();
            let version = lopdf::EncryptionVersion::V2 {
                document: &doc,
                owner_password: "secret",
                user_password: user,
                key_length: 128,
                permissions: lopdf::Permissions::PRINTABLE,
            };
            let state = lopdf::EncryptionState::try_from(version).unwrap();
            doc.encrypt(&state).unwrap();
            let mut out = Vec::new();
            doc.save_to(&mut out).unwrap();
            assert!(find(&out, b"/Encrypt").is_some());
            let got = extract(&out, &PdfLimits::default());
            if readable {
                assert_eq!(got.unwrap(), want);
            } else {
                assert_eq!(got, Err(PdfError::Encrypted));
            }
        }
    }

    #[test]
    fn not_a_pdf() {
        assert_eq!(extract(b"PK\x03\x04 this is a zip", &small()), Err(PdfError::NotPdf));
        assert_eq!(extract(b"", &small()), Err(PdfError::NotPdf));
        assert_eq!(PdfError::NotPdf.to_string(), "这不是 PDF 文件（文件头不是 %PDF）。请检查文件扩展名");
    }

    #[test]
    fn a_scan_has_no_glyphs() {
        let pdf = one_page(
            "<< /XObject << /Im0 5 0 R >> >>",
            b"q 600 0 0 800 0 0 cm /Im0 Do Q 0 0 m 10 10 l S",
            &[stream(
                "/Type /XObject /Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8 /ColorSpace /DeviceGray",
                &[0; 4],
            )],
        );
        let pages = extract(&pdf, &PdfLimits::default()).unwrap();
        assert_eq!(pages.len(), 1);
        assert!(pages[0].glyphs.is_empty());
        assert!(pages[0].rules.is_empty());
    }

    #[test]
    fn object_and_operator_caps() {
        let mut more = Vec::new();
        for _ in 0..30 {
            more.push(b"<< >>".to_vec());
        }
        let pdf = one_page("<< >>", b"", &more);
        let limits = PdfLimits { max_objects: 20, ..small() };
        assert_eq!(extract(&pdf, &limits), Err(PdfError::TooManyObjects { objects: 34, max: 20 }));
        let pdf = one_page("<< >>", "0 0 m ".repeat(100).as_bytes(), &[]);
        let limits = PdfLimits { max_ops: 50, ..small() };
        assert_eq!(extract(&pdf, &limits), Err(PdfError::TooManyOps { page: 0, max: 50 }));
    }

    #[test]
    fn lexer_edge_cases() {
        let mut lex = Lexer::new(b"(a\\(b\\)c\\101\\\nd) <41 4> /A#42 --5 1.2.3 [ ] << >> % comment\n Tj");
        let toks: Vec<Tok> = std::iter::from_fn(|| lex.next_tok()).collect();
        assert_eq!(
            toks,
            [
                Tok::Str(b"a(b)cAd".to_vec()),
                Tok::Str(b"A@".to_vec()),
                Tok::Name(b"AB".to_vec()),
                Tok::Num(-5.0),
                Tok::Num(1.23),
                Tok::ArrOpen,
                Tok::ArrClose,
                Tok::DictOpen,
                Tok::DictClose,
                Tok::Word(b"Tj"),
            ]
        );
    }
}
