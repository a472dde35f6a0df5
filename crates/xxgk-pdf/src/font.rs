//! Fonts: codes to text and widths, simple and composite.

use crate::cmap::*;
use crate::error::PdfError;
use crate::interp::*;
use crate::object::*;
use crate::tables::*;
use lopdf::{Dictionary, Document, Object};
use std::rc::Rc;

/// How a composite font's strings split into codes, and what a predefined
/// CMap's codes mean without ToUnicode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scheme {
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

pub(crate) fn predefined_scheme(name: &[u8]) -> Scheme {
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
pub(crate) enum WidthSpec {
    Const(f64),
    List(Vec<f64>),
}

#[derive(Debug)]
pub(crate) struct Composite {
    pub(crate) scheme: Scheme,
    /// Embedded encoding CMap (for `Scheme::Ranges`).
    pub(crate) encoding: Option<CMap>,
    pub(crate) widths: Vec<(u32, u32, WidthSpec)>,
    pub(crate) dw: f64,
    pub(crate) vertical: bool,
    /// Vertical origin offset and advance (`/DW2`), in em.
    pub(crate) vy: f64,
    pub(crate) w1: f64,
    /// The font declares an Adobe CID system (GB1, CNS1, Japan1, Korea1).
    pub(crate) adobe: bool,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Simple { text: Vec<String>, widths: Vec<f64> },
    Composite(Box<Composite>),
}

#[derive(Debug)]
pub(crate) struct Font {
    pub(crate) kind: Kind,
    pub(crate) to_unicode: Option<CMap>,
    /// In em (text-space units per unit of font size).
    pub(crate) ascent: f64,
    pub(crate) descent: f64,
}

impl Font {
    /// The next code in `s` from `pos`: its value and byte length (≥ 1).
    pub(crate) fn next_code(&self, s: &[u8], pos: usize) -> (u32, usize) {
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

    pub(crate) fn cid(c: &Composite, code: u32, len: usize) -> Option<u32> {
        match c.scheme {
            Scheme::Identity => Some(code),
            Scheme::Ranges => c.encoding.as_ref().and_then(|m| m.cid(code)),
            // One-byte ASCII under the CJK predefined CMaps is CIDs 1–95.
            Scheme::GbEuc | Scheme::Gbk | Scheme::Big5 if len == 1 && (0x20..=0x7E).contains(&code) => Some(code - 31),
            _ => None,
        }
    }

    /// Advance width in em.
    pub(crate) fn width(&self, code: u32, len: usize) -> f64 {
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

    pub(crate) fn text(&self, code: u32, bytes: &[u8]) -> String {
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

    pub(crate) fn vertical(&self) -> Option<&Composite> {
        match &self.kind {
            Kind::Composite(c) if c.vertical => Some(c),
            _ => None,
        }
    }
}

/// Fold Kangxi radicals, CJK radical supplements and compatibility
/// ideographs to the unified ideographs they stand for.
pub(crate) fn fold_cjk(s: String) -> String {
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
pub(crate) fn glyph_name_text(name: &[u8]) -> Option<String> {
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

pub(crate) fn glyph_component(part: &str) -> Option<String> {
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
pub(crate) fn base_encoding(name: &[u8]) -> Vec<String> {
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

pub(crate) fn clamp_metrics(ascent: f64, descent: f64) -> (f64, f64) {
    let ascent = if ascent > 0.0 && ascent <= 2.0 { ascent } else { 0.88 };
    let descent = if (-1.0..0.0).contains(&descent) { descent } else { -0.12 };
    (ascent, descent)
}

pub(crate) fn descriptor_metrics(doc: &Document, fd: Option<&Dictionary>, scale: f64) -> (f64, f64) {
    let Some(fd) = fd else { return clamp_metrics(0.0, 0.0) };
    let bbox = fd.get(b"FontBBox").ok().and_then(|o| rect(doc, o));
    let ascent = get_num(doc, fd, b"Ascent").filter(|a| *a > 0.0).or(bbox.map(|b| b[3])).unwrap_or(0.0);
    let descent = get_num(doc, fd, b"Descent").filter(|d| *d != 0.0).or(bbox.map(|b| b[1])).unwrap_or(0.0);
    clamp_metrics(ascent * scale, -(descent * scale).abs())
}

/// Standard-14 widths for codes 32–126, by base font name.
pub(crate) fn core_widths(base: &[u8]) -> Option<[u16; 95]> {
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

impl<'d> Ctx<'d> {
    pub(crate) fn font(&mut self, dict: &'d Dictionary) -> Result<Rc<Font>, PdfError> {
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&key) {
            return Ok(Rc::clone(f));
        }
        let font = Rc::new(self.load_font(dict)?);
        self.fonts.insert(key, Rc::clone(&font));
        Ok(font)
    }

    pub(crate) fn cmap_stream(&mut self, obj: Option<&'d Object>) -> Result<Option<CMap>, PdfError> {
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

    pub(crate) fn load_font(&mut self, dict: &'d Dictionary) -> Result<Font, PdfError> {
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

pub(crate) fn cid_widths(doc: &Document, w: &[Object]) -> Vec<(u32, u32, WidthSpec)> {
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
