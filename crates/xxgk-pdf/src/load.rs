//! Loading: header, object count, encryption, object streams checked
//! before lopdf parses them, then every page through the interpreter.

use crate::error::PdfError;
use crate::interp::*;
use crate::lexer::*;
use crate::object::*;
use crate::{Page, PdfLimits};
use lopdf::{Dictionary, Document, LoadOptions, Object, Stream};
use std::collections::HashMap;

/// Cap on object and xref streams inflated by lopdf while loading.
pub(crate) const LOAD_STREAM_CAP: u64 = 8 << 20;
/// The same for a file with `/Encrypt` (see the module doc).
pub(crate) const ENCRYPTED_LOAD_STREAM_CAP: u64 = 16 << 10;
/// Deepest page tree walked.
pub(crate) const MAX_TREE_DEPTH: usize = 64;
/// Deepest nesting of form XObjects.
pub(crate) const MAX_FORM_DEPTH: usize = 16;
/// Deepest `q` nesting kept (deeper `q`s are counted, not stored).
pub(crate) const MAX_GSTATE_DEPTH: usize = 256;
/// Most operands kept for one operator (array elements included).
pub(crate) const MAX_OPERANDS: usize = 1 << 16;
/// Deepest array nesting kept in operands.
pub(crate) const MAX_ARRAY_DEPTH: usize = 8;

pub(crate) fn has_pdf_header(bytes: &[u8]) -> bool {
    bytes.windows(5).take(1024).any(|w| w == b"%PDF-")
}

pub(crate) fn count_keyword(bytes: &[u8], word: &[u8]) -> usize {
    bytes.windows(word.len()).filter(|w| *w == word).count()
}

/// Whether the file names an `/Encrypt` entry (not `/EncryptMetadata`).
pub(crate) fn mentions_encrypt(bytes: &[u8]) -> bool {
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

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub(crate) fn extract_inner(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<Page>, PdfError> {
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
pub(crate) enum Val {
    Num(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Arr(Vec<Val>),
    Dict(Vec<(Vec<u8>, Val)>),
    Ref,
    Word,
}

impl Val {
    pub(crate) fn to_lopdf(&self) -> Object {
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

pub(crate) fn lookup<'v>(dict: &'v [(Vec<u8>, Val)], key: &[u8]) -> Option<&'v Val> {
    dict.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Parse one direct object whose first token is `tok` (references become `Val::Ref`).
pub(crate) fn parse_val(lex: &mut Lexer<'_>, tok: Tok<'_>, depth: usize) -> Option<Val> {
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
pub(crate) fn object_heads(bytes: &[u8]) -> Vec<usize> {
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
pub(crate) fn check_object_streams(bytes: &[u8], limits: &PdfLimits) -> Result<(), PdfError> {
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

pub(crate) fn object_stream_is_linear(data: &[u8], first: usize) -> bool {
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
pub(crate) fn complete_object(span: &[u8]) -> bool {
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
