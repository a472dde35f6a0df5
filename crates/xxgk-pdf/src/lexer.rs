//! Lexer for content streams, CMaps and object-stream headers.

use crate::load::*;

pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

pub(crate) fn is_delim(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

pub(crate) fn is_regular(b: u8) -> bool {
    !is_ws(b) && !is_delim(b)
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
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

pub(crate) struct Lexer<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) pos: usize,
    /// A string ran to the end of the data without its closing delimiter.
    pub(crate) unterminated: bool,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Lexer<'a> {
        Lexer { data, pos: 0, unterminated: false }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.data.get(self.pos.saturating_add(ahead)).copied()
    }

    pub(crate) fn next_tok(&mut self) -> Option<Tok<'a>> {
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

    pub(crate) fn literal(&mut self) -> Vec<u8> {
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

    pub(crate) fn hex(&mut self) -> Vec<u8> {
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

    pub(crate) fn name(&mut self) -> Vec<u8> {
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
    pub(crate) fn skip_inline_image(&mut self) {
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

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// A number as readers take it: lenient about doubled signs and junk.
pub(crate) fn parse_number(word: &[u8]) -> f64 {
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
