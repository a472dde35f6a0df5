//! The canonical report model: every reader produces a [`Report`], every
//! writer consumes one. Its JSON form (pretty-printed, cells in edition order)
//! is the project's interchange format and the golden format of reader tests.
//!
//! A blank cell is `null`, never `0`. Per-cell provenance records where each
//! value came from, so a finding can point at the exact cell of the file.

use indexmap::IndexMap;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Version of the JSON form. Bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// One annual report, in the canonical form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Always [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Edition id (`"2019"`, `"2021"`, …): the file under templates/ that
    /// defines the layout. Empty means "choose from the year".
    #[serde(default)]
    pub edition: String,
    /// The report year (the year the statistics cover), e.g. 2021.
    pub year: Option<u32>,
    /// The reporting organ, e.g. `同心县人民政府`.
    #[serde(default)]
    pub organ: String,
    /// The title as published.
    #[serde(default)]
    pub title: String,
    /// The opening paragraph(s) before part 一.
    #[serde(default)]
    pub preamble: String,
    /// Contact person and telephone of the office that compiled the report.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    /// Publication date as written (e.g. `2022-01-28`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub published: String,
    /// 索引号: the number a website's 信息公开目录 gives the page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub index_number: String,
    /// 文号: the document number the report was issued under, when it has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub document_number: String,
    /// What kind of published document the report was read from: `pdf`,
    /// `html`, `text` or `markdown`; empty for a report filled in a form
    /// (xxgk's templates, Word or Excel files, JSON). In a published report a
    /// blank cell is what was printed, checked as 0 with one finding per
    /// table (`BLANK-PUBLISHED`); in a form it is a cell to fill (`BLANK`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub origin: String,
    /// The six parts by id (`p1` … `p6`), in edition order. A part that was
    /// not found in the source is absent.
    #[serde(default)]
    pub parts: IndexMap<String, Part>,
    /// Every table cell by its stable id (see `xxgk editions --cells`), in
    /// edition order; `null` for a blank cell.
    #[serde(default)]
    pub cells: IndexMap<String, Option<Number>>,
    /// Where each cell value came from (filled by the readers).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub provenance: IndexMap<String, Source>,
    /// What the reader noticed while extracting (unmapped cells, pending
    /// revisions, values it could not read, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// One of the six parts of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Part {
    /// The heading as it appears in the source, e.g. `五、存在的主要问题及改进情况`.
    pub heading: String,
    /// The body text; paragraphs separated by `\n`, without leading or
    /// trailing white space. Tables are not included.
    #[serde(default)]
    pub text: String,
}

/// Where a value was read: file, page, table or sheet, row, column, original
/// text.
///
/// What the position means is set by the reader, never guessed from the
/// file's name: a cell of a worksheet carries its [`Source::a1`] reference
/// (`E5`), and its `sheet` is the worksheet's name; a cell of a document's
/// table (Word, HTML, PDF) has no `a1`, its `sheet` names the table
/// (`第2张表格`), and `row` and `column` count within that table; in
/// published text `row` is the line and `column` the field of the line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The file it was read from.
    pub file: String,
    /// The 1-based page of a PDF, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Sheet name (xlsx), `第N张表格` (a document's N-th table, 1-based; on a
    /// PDF page, the N-th table of the page) or similar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// 1-based row within the sheet or table (the line, in published text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u32>,
    /// 1-based column within the sheet or table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The cell's reference as a spreadsheet program shows it (`E5`); only a
    /// cell of a worksheet has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a1: Option<String>,
    /// The text exactly as found, before normalization.
    #[serde(default)]
    pub text: String,
}

impl Source {
    /// The position as the file shows it, in Chinese: in a workbook the
    /// sheet and the cell reference (`a.xlsx 工作表“表三” E5`); in a
    /// document the page when known, the table, row and column
    /// (`a.pdf 第3页 第1张表格 第5行第3列`, `a.docx 第2张表格 第5行第3列`);
    /// in published text the line (`a.txt 第12行第3列`).
    pub fn describe(&self) -> String {
        let place = self.place();
        match (self.file.is_empty(), place.is_empty()) {
            (_, true) => self.file.clone(),
            (true, false) => place,
            (false, false) => format!("{} {place}", self.file),
        }
    }

    /// The position within its file, as [`Source::describe`] says it
    /// without the file's name (`工作表“表三” E5`, `第3页 第1张表格 第5行第3列`).
    pub fn place(&self) -> String {
        let mut s = String::new();
        let mut push = |part: &str| {
            if !s.is_empty() {
                s.push(' ');
            }
            s.push_str(part);
        };
        if let Some(a1) = &self.a1 {
            if let Some(sheet) = &self.sheet {
                push(&format!("工作表“{sheet}”"));
            }
            push(a1);
            return s;
        }
        if let Some(p) = self.page {
            push(&format!("第{p}页"));
        }
        if let Some(sheet) = &self.sheet {
            push(sheet);
        }
        match (self.row, self.column) {
            (Some(r), Some(c)) => push(&format!("第{r}行第{c}列")),
            (Some(r), None) => push(&format!("第{r}行")),
            _ => {}
        }
        s
    }
}

/// The A1 reference of a 1-based row and column: `a1(5, 5)` is `E5`,
/// `a1(1, 27)` is `AA1`.
pub fn a1(row: u32, column: u32) -> String {
    let mut letters = Vec::new();
    let mut c = column;
    while c > 0 {
        let d = (c - 1) % 26;
        letters.push(char::from(b'A' + d as u8));
        c = (c - 1) / 26;
    }
    letters.reverse();
    let mut s: String = letters.into_iter().collect();
    s.push_str(&row.to_string());
    s
}

/// A note from a reader about the extraction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// Stable code, e.g. `READ-UNMAPPED`.
    pub code: String,
    /// Chinese message for the clerk.
    pub message: String,
    /// Where in the source, if it is about one place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

impl Report {
    /// An empty report of the given edition and year.
    pub fn new(edition: &str, year: Option<u32>, organ: &str) -> Self {
        Report {
            schema_version: SCHEMA_VERSION,
            edition: edition.to_string(),
            year,
            organ: organ.to_string(),
            title: String::new(),
            preamble: String::new(),
            contact: String::new(),
            published: String::new(),
            index_number: String::new(),
            document_number: String::new(),
            origin: String::new(),
            parts: IndexMap::new(),
            cells: IndexMap::new(),
            provenance: IndexMap::new(),
            warnings: Vec::new(),
        }
    }

    /// Was the report read from a published document (a PDF, a web page,
    /// text or Markdown), not from a form a clerk fills in?
    pub fn is_published(&self) -> bool {
        !self.origin.is_empty()
    }

    /// Is cell `id` a blank the published document printed: null, read from
    /// a place of the document that is empty or holds only a dash (`-`,
    /// `—`, `/`)? A cell the reader could not find or read has no such
    /// source (or another text) and is not one.
    pub fn printed_blank(&self, id: &str) -> bool {
        self.is_published()
            && self.value(id).is_none()
            && self.provenance.get(id).is_some_and(|s| {
                let dash = |c: char| matches!(c, '-' | '—' | '–' | '－' | '―' | '/' | '／' | '\\');
                s.text.chars().filter(|c| !c.is_whitespace()).all(dash)
            })
    }

    /// The value of a cell, `None` if blank or unknown.
    pub fn value(&self, id: &str) -> Option<Number> {
        self.cells.get(id).copied().flatten()
    }

    /// The entry of cell `id`, expected at position `i`: a report keeps its
    /// edition's order (readers and [`crate::edition::Edition::blank_report`]
    /// make it so), so the `i`th cell of the edition is found there without
    /// hashing; in any other order it is looked up by id.
    pub fn cell_at(&self, i: usize, id: &str) -> Option<&Option<Number>> {
        match self.cells.get_index(i) {
            Some((k, v)) if k == id => Some(v),
            _ => self.cells.get(id),
        }
    }

    /// Set cell `id`, expected at position `i` (as [`Report::cell_at`]);
    /// added at the end if the report lacks it.
    pub fn set_cell_at(&mut self, i: usize, id: &str, v: Option<Number>) {
        let at_i = self.cells.get_index(i).is_some_and(|(k, _)| k == id);
        let slot = if at_i { self.cells.get_index_mut(i).map(|(_, s)| s) } else { self.cells.get_mut(id) };
        match slot {
            Some(slot) => *slot = v,
            None => {
                self.cells.insert(id.to_string(), v);
            }
        }
    }

    /// Name the source file `to` wherever its provenance and warnings say
    /// `from` (a file stored under another name, shown by its own).
    pub fn relabel_file(&mut self, from: &str, to: &str) {
        if from == to {
            return;
        }
        let sources = self.provenance.values_mut().chain(self.warnings.iter_mut().filter_map(|w| w.source.as_mut()));
        for s in sources.filter(|s| s.file == from) {
            s.file = to.to_string();
        }
    }

    /// The same report without provenance, warnings and origin: what round trips
    /// through a writer and back must keep identical.
    pub fn content(&self) -> Report {
        Report { provenance: IndexMap::new(), warnings: Vec::new(), origin: String::new(), ..self.clone() }
    }
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number ≥ 0.
    Count,
    /// A whole number that may be negative (本年增/减).
    Signed,
    /// A money amount ≥ 0 with decimals, in the cell's unit.
    Amount,
}

impl Kind {
    /// The kind named in an edition file.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "count" => Some(Kind::Count),
            "signed" => Some(Kind::Signed),
            "amount" => Some(Kind::Amount),
            _ => None,
        }
    }
    /// Chinese description for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Count => "不小于0的整数",
            Kind::Signed => "整数（减少用负数）",
            Kind::Amount => "不小于0的金额",
        }
    }
}

/// An exact decimal number: counts, signed changes and money amounts.
///
/// In JSON it is a plain number (`14`, `-50`, `1340.5117`); integers stay
/// integers. Internally it is a [`Decimal`], so sums are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Number(pub Decimal);

impl Number {
    pub const ZERO: Number = Number(Decimal::ZERO);

    pub fn from_i64(v: i64) -> Self {
        Number(Decimal::from(v))
    }
    /// True if the value has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.0.fract().is_zero()
    }
    pub fn is_negative(&self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
    /// Number of digits after the decimal point, trailing zeros ignored.
    pub fn decimals(&self) -> u32 {
        self.0.normalize().scale()
    }
    pub fn checked_add(self, other: Number) -> Option<Number> {
        self.0.checked_add(other.0).map(Number)
    }
    pub fn checked_sub(self, other: Number) -> Option<Number> {
        self.0.checked_sub(other.0).map(Number)
    }
    pub fn checked_mul(self, other: Number) -> Option<Number> {
        self.0.checked_mul(other.0).map(Number)
    }
    /// As f64, for writers whose format has only floating numbers (xlsx).
    pub fn to_f64(self) -> f64 {
        use rust_decimal::prelude::ToPrimitive;
        self.0.to_f64().unwrap_or(f64::NAN)
    }
    /// From an f64 read back from a format with only floating numbers. The
    /// shortest decimal that round-trips is taken, so 1340.5117 stays exact.
    pub fn from_f64(v: f64) -> Option<Number> {
        if !v.is_finite() {
            return None;
        }
        Number::from_str(&format!("{v}")).ok()
    }
}

impl std::ops::Neg for Number {
    type Output = Number;
    fn neg(self) -> Number {
        Number(-self.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.normalize();
        if n.is_zero() {
            return f.write_str("0");
        }
        write!(f, "{n}")
    }
}

impl FromStr for Number {
    type Err = rust_decimal::Error;
    /// Plain decimal syntax only (`-12`, `3.50`); see [`crate::number`] for the
    /// lenient parsing of what people type into cells.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Decimal::from_str_exact(s).or_else(|_| Decimal::from_scientific(s)).map(Number)
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let n = self.0.normalize();
        if n.scale() == 0 {
            use rust_decimal::prelude::ToPrimitive;
            if let Some(i) = n.to_i64() {
                return serializer.serialize_i64(i);
            }
        }
        serializer.serialize_f64(self.to_f64())
    }
}

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or null")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::from_i64(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Number, E> {
                Number::from_f64(v).ok_or_else(|| E::custom(format!("数值 {v} 超出可表示范围")))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for Number {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Number".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "number",
            "description": "An exact decimal: a count, a signed change or an amount in the unit the edition declares for the cell."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_described_as_the_file_shows_them() {
        let at = |sheet: Option<&str>, a1: Option<&str>, page: Option<u32>| Source {
            file: "a.x".into(),
            page,
            sheet: sheet.map(str::to_string),
            row: Some(5),
            column: Some(3),
            a1: a1.map(str::to_string),
            text: "7".into(),
        };
        assert_eq!(at(Some("表三"), Some("C5"), None).describe(), "a.x 工作表“表三” C5");
        assert_eq!(at(Some("第2张表格"), None, None).describe(), "a.x 第2张表格 第5行第3列");
        assert_eq!(at(Some("第1张表格"), None, Some(3)).describe(), "a.x 第3页 第1张表格 第5行第3列");
        assert_eq!(at(None, None, Some(2)).describe(), "a.x 第2页 第5行第3列");
        assert_eq!(at(None, None, None).describe(), "a.x 第5行第3列");
        assert_eq!(a1(5, 5), "E5");
        assert_eq!(a1(1, 26), "Z1");
        assert_eq!(a1(1, 27), "AA1");
        assert_eq!(a1(12, 702), "ZZ12");
        assert_eq!(a1(1, 703), "AAA1");
        // The JSON form: absent fields stay absent, old files still read.
        let old = r#"{"file":"a.docx","sheet":"表格2","row":5,"column":3,"text":"7"}"#;
        let s: Source = serde_json::from_str(old).unwrap();
        assert_eq!(serde_json::to_string(&s).unwrap(), old);
        assert_eq!(s.describe(), "a.docx 表格2 第5行第3列");
    }

    #[test]
    fn a_cell_is_found_by_position_or_else_by_id() {
        let mut r = Report::new("2021", Some(2021), "某县");
        r.cells.insert("a".into(), Some(Number::from_i64(1)));
        r.cells.insert("b".into(), None);
        // In order, out of order, absent.
        assert_eq!(r.cell_at(0, "a"), Some(&Some(Number::from_i64(1))));
        assert_eq!(r.cell_at(0, "b"), Some(&None));
        assert_eq!(r.cell_at(7, "a"), Some(&Some(Number::from_i64(1))));
        assert_eq!(r.cell_at(0, "c"), None);
        r.set_cell_at(1, "b", Some(Number::from_i64(2)));
        r.set_cell_at(0, "b", Some(Number::from_i64(3)));
        r.set_cell_at(1, "c", Some(Number::from_i64(4)));
        let cells: Vec<_> = r.cells.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let n = |i| Some(Number::from_i64(i));
        assert_eq!(cells, [("a", n(1)), ("b", n(3)), ("c", n(4))]);
    }
}
