//! CMaps: ToUnicode (`bf*`) and embedded encodings (`cid*`).

use crate::font::*;
use crate::lexer::*;
use crate::load::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy)]
pub(crate) struct CodeRange {
    pub(crate) len: usize,
    pub(crate) lo: [u8; 4],
    pub(crate) hi: [u8; 4],
}

impl CodeRange {
    pub(crate) fn new(lo: &[u8], hi: &[u8]) -> Option<CodeRange> {
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

    pub(crate) fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len
            && bytes.iter().zip(self.lo.iter().zip(&self.hi)).all(|(b, (lo, hi))| (*lo..=*hi).contains(b))
    }
}

pub(crate) fn code_of(bytes: &[u8]) -> u32 {
    bytes.iter().rev().take(4).rev().fold(0u32, |acc, b| acc << 8 | u32::from(*b))
}

#[derive(Debug, Clone)]
pub(crate) enum BfDst {
    /// Add `code - lo` to the last UTF-16 unit.
    Inc(Vec<u16>),
    /// One string per code from `lo`.
    List(Vec<String>),
}

/// A parsed CMap: ToUnicode (`bf*`) or an embedded encoding (`cid*`).
#[derive(Debug, Clone, Default)]
pub(crate) struct CMap {
    pub(crate) codespace: Vec<CodeRange>,
    pub(crate) bf_single: HashMap<u32, String>,
    pub(crate) bf_ranges: Vec<(u32, u32, BfDst)>,
    pub(crate) cid_single: HashMap<u32, u32>,
    pub(crate) cid_ranges: Vec<(u32, u32, u32)>,
    pub(crate) usecmap: Option<Vec<u8>>,
    pub(crate) vertical: bool,
}

#[derive(Debug)]
pub(crate) enum CItem {
    Str(Vec<u8>),
    Num(f64),
    Name(Vec<u8>),
    Arr(Vec<Vec<u8>>),
}

pub(crate) fn parse_cmap(data: &[u8]) -> CMap {
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

pub(crate) fn cmap_word(cmap: &mut CMap, word: &[u8], items: &[CItem]) {
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

pub(crate) fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|c| match c {
            [hi, lo] => u16::from(*hi) << 8 | u16::from(*lo),
            [b] => u16::from(*b),
            _ => 0xFFFD,
        })
        .collect()
}

pub(crate) fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16_units(bytes))
}

/// Range lookup in ranges sorted by `lo`: the last range starting at or
/// before `code` that contains it (a few earlier ones are tried for overlaps).
pub(crate) fn find_range<T>(ranges: &[(u32, u32, T)], code: u32) -> Option<&(u32, u32, T)> {
    let end = ranges.partition_point(|r| r.0 <= code);
    ranges.get(end.saturating_sub(8)..end)?.iter().rev().find(|r| r.1 >= code)
}

impl CMap {
    pub(crate) fn unicode(&self, code: u32) -> Option<String> {
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

    pub(crate) fn cid(&self, code: u32) -> Option<u32> {
        if let Some(c) = self.cid_single.get(&code) {
            return Some(*c);
        }
        let (lo, _, base) = find_range(&self.cid_ranges, code)?;
        base.checked_add(code - lo)
    }

    pub(crate) fn has_unicode(&self) -> bool {
        !self.bf_single.is_empty() || !self.bf_ranges.is_empty()
    }
}
