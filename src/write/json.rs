//! Writer for the canonical JSON form: pretty-printed, cells in edition order,
//! a final newline. The same report always gives the same bytes.
//!
//! A report is written by hand rather than through serde: `xxgk batch`
//! writes one per input, and serde_json's pretty printer spent more on a
//! report than the checker. The bytes are exactly those of
//! `serde_json::to_vec_pretty` on the model's `Serialize` (the tests compare
//! the two), so the model's serde attributes stay the definition of the form.

// Indexing is bounded here: `INDENT` is sliced by a depth of at most 4, the
// digits of a u64 are at most 20.
#![allow(clippy::indexing_slicing)]

use crate::error::{Error, Result};
use crate::model::{Number, Part, Report, Source, Warning};
use std::ops::Range;

/// The canonical JSON of a report.
///
/// # Errors
/// [`Error::Usage`] if the report cannot be serialized (never an empty file).
pub fn render(report: &Report) -> Result<Vec<u8>> {
    let mut w = Writer { out: Vec::with_capacity(estimate(report)), depth: 0, first: true, file: None };
    w.report(report)?;
    w.out.push(b'\n');
    Ok(w.out)
}

/// `serde_json::to_vec_pretty`, its failure as a Chinese message.
///
/// # Errors
/// [`Error::Usage`] naming what serde_json refused.
pub fn to_vec_pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(failed)
}

fn failed(e: serde_json::Error) -> Error {
    Error::Usage(format!("生成 JSON 失败：{e}。请把所用的命令和文件报告给开发者"))
}

/// Roughly the size of a report's JSON, so that its buffer seldom grows.
fn estimate(report: &Report) -> usize {
    let texts: usize = report.parts.values().map(|p| p.heading.len() + p.text.len() + 64).sum();
    let sources: usize = report.provenance.iter().map(|(id, s)| id.len() + s.file.len() + s.text.len() + 128).sum();
    1024 + report.preamble.len() + texts + report.cells.len() * 48 + sources
}

/// Does a chunk of eight bytes hold one that a JSON string must escape: a
/// control character, `"` or `\`? (Each test sets the high bit of the bytes
/// below a bound, all eight at once.)
fn needs_escape(chunk: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut word = [0; 8];
    word.copy_from_slice(chunk);
    let w = u64::from_le_bytes(word);
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    (below(w, 0x20) | below(w ^ (ONES * u64::from(b'"')), 1) | below(w ^ (ONES * u64::from(b'\\')), 1)) != 0
}

/// A new line and the indentation of up to four levels.
const INDENT: &[u8] = b"\n        ";

/// The pretty printer: serde_json's `PrettyFormatter` with two spaces.
struct Writer<'a> {
    out: Vec<u8>,
    /// Objects and arrays open.
    depth: usize,
    /// Nothing written yet in the innermost open object or array.
    first: bool,
    /// The last `file` of a source as written (it is the same for every cell
    /// of a report): its text and where its escaped form stands in `out`.
    file: Option<(&'a str, Range<usize>)>,
}

impl<'a> Writer<'a> {
    fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first {
            self.out.extend_from_slice(&INDENT[..1 + 2 * self.depth]);
        }
        self.out.push(bracket);
        self.first = false;
    }

    /// The separator and indentation before a member of an object or array.
    fn next(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.out.extend_from_slice(&INDENT[..1 + 2 * self.depth]);
        self.first = false;
    }

    /// The key of a map entry.
    fn key(&mut self, key: &str) {
        self.next();
        self.string(key);
        self.out.extend_from_slice(b": ");
    }

    /// The name of a field: a word of the model that needs no escape.
    fn field(&mut self, name: &str) {
        self.next();
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\": ");
    }

    /// A string, escaped as serde_json escapes it.
    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        let bytes = s.as_bytes();
        // Bytes before `start` are written.
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            // Most text needs no escape: look eight bytes at a time.
            if bytes.get(i..i + 8).is_some_and(|chunk| !needs_escape(chunk)) {
                i += 8;
                continue;
            }
            let b = bytes[i];
            i += 1;
            let short: &[u8] = match b {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0..=0x1f => b"",
                _ => continue,
            };
            self.out.extend_from_slice(&bytes[start..i - 1]);
            if short.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                self.out.extend_from_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 15)],
                ]);
            } else {
                self.out.extend_from_slice(short);
            }
            start = i;
        }
        self.out.extend_from_slice(&bytes[start..]);
        self.out.push(b'"');
    }

    fn str_field(&mut self, name: &str, value: &str) {
        self.field(name);
        self.string(value);
    }

    fn u32_field(&mut self, name: &str, value: Option<u32>) {
        self.field(name);
        match value {
            Some(v) => self.digits(u64::from(v)),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    /// A whole number in decimal.
    fn digits(&mut self, mut v: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[i..]);
    }

    fn number(&mut self, n: Option<Number>) -> Result<()> {
        match n.map(|n| (n, n.as_integer())) {
            Some((_, Some(i))) => {
                if i < 0 {
                    self.out.push(b'-');
                }
                self.digits(i.unsigned_abs());
            }
            Some((n, None)) => serde_json::to_writer(&mut self.out, &n).map_err(failed)?,
            None => self.out.extend_from_slice(b"null"),
        }
        Ok(())
    }

    fn report(&mut self, r: &'a Report) -> Result<()> {
        self.open(b'{');
        self.u32_field("schema_version", Some(r.schema_version));
        self.str_field("edition", &r.edition);
        self.u32_field("year", r.year);
        self.str_field("organ", &r.organ);
        self.str_field("title", &r.title);
        self.str_field("preamble", &r.preamble);
        if !r.contact.is_empty() {
            self.str_field("contact", &r.contact);
        }
        if !r.published.is_empty() {
            self.str_field("published", &r.published);
        }
        self.field("parts");
        self.open(b'{');
        for (id, part) in &r.parts {
            self.key(id);
            self.part(part);
        }
        self.close(b'}');
        self.field("cells");
        self.open(b'{');
        for (id, value) in &r.cells {
            self.key(id);
            self.number(*value)?;
        }
        self.close(b'}');
        if !r.provenance.is_empty() {
            self.field("provenance");
            self.open(b'{');
            for (id, source) in &r.provenance {
                self.key(id);
                self.source(source);
            }
            self.close(b'}');
        }
        if !r.warnings.is_empty() {
            self.field("warnings");
            self.open(b'[');
            for warning in &r.warnings {
                self.next();
                self.warning(warning);
            }
            self.close(b']');
        }
        self.close(b'}');
        Ok(())
    }

    fn part(&mut self, p: &'a Part) {
        self.open(b'{');
        self.str_field("heading", &p.heading);
        self.str_field("text", &p.text);
        self.close(b'}');
    }

    fn source(&mut self, s: &'a Source) {
        self.open(b'{');
        self.field("file");
        // Every cell of a report was read from the same file: its escaped
        // name is copied from where it was first written.
        let start = self.out.len();
        match &self.file {
            Some((file, at)) if *file == s.file => self.out.extend_from_within(at.clone()),
            _ => self.string(&s.file),
        }
        self.file = Some((&s.file, start..self.out.len()));
        if let Some(sheet) = &s.sheet {
            self.str_field("sheet", sheet);
        }
        if s.row.is_some() {
            self.u32_field("row", s.row);
        }
        if s.column.is_some() {
            self.u32_field("column", s.column);
        }
        self.str_field("text", &s.text);
        self.close(b'}');
    }

    fn warning(&mut self, w: &'a Warning) {
        self.open(b'{');
        self.str_field("code", &w.code);
        self.str_field("message", &w.message);
        if let Some(s) = &w.source {
            self.field("source");
            self.source(s);
        }
        self.close(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field filled, and strings serde_json must escape.
    fn full() -> Report {
        let mut r = Report::new("2021", Some(2021), "同心县\"人民\"政府\\");
        r.title = "标题\t\u{1}\u{1f}\u{7f}\u{8}\u{c}\r\n𝄞".into();
        r.preamble = "开头\n第二段".into();
        r.contact = "张三 0953-1234567".into();
        r.published = "2022-01-28".into();
        r.parts.insert("p1".into(), Part { heading: "一、总体情况".into(), text: "共收到申请14件。\n第二段".into() });
        r.parts.insert("p2".into(), Part { heading: String::new(), text: String::new() });
        for (id, v) in
            [("a", Some("14")), ("b", None), ("c", Some("-50")), ("d", Some("1340.5117")), ("e", Some("0.10"))]
        {
            r.cells.insert(id.into(), v.map(|v| v.parse().unwrap()));
        }
        r.cells.insert("big".into(), Some(Number(rust_decimal::Decimal::MAX)));
        for (id, v) in [("min", i64::MIN), ("max", i64::MAX), ("zero", 0)] {
            r.cells.insert(id.into(), Some(Number::from_i64(v)));
        }
        for (id, v) in [("huge", "100000000000000000000"), ("minus_zero", "-0.00"), ("tiny", "-0.0001")] {
            r.cells.insert(id.into(), Some(v.parse().unwrap()));
        }
        let source = |file: &str, sheet: Option<&str>, row, column| Source {
            file: file.into(),
            sheet: sheet.map(Into::into),
            row,
            column,
            text: "１４ 件".into(),
        };
        r.provenance.insert("a".into(), source("a \"b\".docx", Some("表格1"), Some(3), Some(2)));
        r.provenance.insert("c".into(), source("a \"b\".docx", None, Some(4), None));
        r.provenance.insert("d".into(), source("c.xlsx", Some("表三"), None, Some(u32::MAX)));
        r.provenance.insert("e".into(), source("a \"b\".docx", None, None, None));
        r.warnings.push(Warning { code: "READ-X".into(), message: "说明".into(), source: None });
        r.warnings.push(Warning {
            code: "READ-Y".into(),
            message: "说明\n".into(),
            source: Some(source("c.xlsx", Some("表二"), Some(0), Some(1))),
        });
        r
    }

    fn with_serde(r: &Report) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(r).unwrap();
        v.push(b'\n');
        v
    }

    #[test]
    fn the_same_bytes_as_serde_json() {
        let r = full();
        assert_eq!(String::from_utf8(render(&r).unwrap()).unwrap(), String::from_utf8(with_serde(&r)).unwrap());
        let mut empty = Report::new("", None, "");
        assert_eq!(render(&empty).unwrap(), with_serde(&empty));
        empty.warnings = r.warnings.clone();
        assert_eq!(render(&empty).unwrap(), with_serde(&empty));
        let eds = crate::edition::Editions::builtin().unwrap();
        for ed in eds.all() {
            let blank = ed.blank_report("测试县", Some(ed.year_from));
            assert_eq!(render(&blank).unwrap(), with_serde(&blank));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_the_same_bytes(text in "\\PC*|[\\u{0}-\\u{7f}]{0,40}", file in "[a\"\\\\\\n\\u{1}/ 文]{0,8}") {
            let mut r = full();
            r.title = text.clone();
            r.parts.insert("p3".into(), Part { heading: text.clone(), text: text.clone() });
            for s in r.provenance.values_mut() {
                s.text = text.clone();
                s.file = file.clone();
            }
            proptest::prop_assert_eq!(render(&r).unwrap(), with_serde(&r));
        }
    }
}
