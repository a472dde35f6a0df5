//! Report editions as data.
//!
//! An edition (`templates/2019.toml`, `templates/2021.toml`, …) declares the
//! six parts, every table block, row and column with its official label,
//! label variants, value kind and merged-cell layout, and the arithmetic
//! rules between cells. [`Edition::compile`] turns the file into a resolved
//! form used by every reader, writer and the checker: flat cell definitions
//! with stable ids and label paths, and rule instances with concrete terms.

// Indexing is bounded here: indices into vectors built in the same function (cells, leaves), or checked with .get().
#![allow(clippy::indexing_slicing)]

pub mod layout;
mod raw;
pub mod text;

use crate::error::{Error, NoEdition, Result};
use crate::model::{Number, Report};
use raw::{RawEdition, RawNode, RawRule};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;

include!(concat!(env!("OUT_DIR"), "/editions.rs"));

pub use crate::model::Kind;

/// One of the six parts.
#[derive(Debug, Clone)]
pub struct PartDef {
    pub id: String,
    /// Chinese ordinal: 一 … 六.
    pub number: String,
    /// Official heading without the ordinal, e.g. `总体情况`.
    pub heading: String,
    pub variants: Vec<String>,
    /// What the part must contain (shown in templates).
    pub guidance: String,
    pub required: bool,
    pub nonempty: bool,
    /// Normalized keys of the heading and its variants, in that order.
    pub heading_keys: Vec<String>,
}

impl PartDef {
    /// The heading as printed: `一、总体情况`.
    pub fn full_heading(&self) -> String {
        format!("{}、{}", self.number, self.heading)
    }
}

/// A node of a row or column header tree.
#[derive(Debug, Clone)]
pub struct Node {
    pub key: Option<String>,
    pub label: String,
    pub variants: Vec<String>,
    /// Normalized keys of the label and its variants ([`crate::labels::label_keys`]).
    pub keys: Vec<String>,
    /// Grid columns taken (columns only; 1 unless set).
    pub span: u32,
    pub children: Vec<Node>,
}

impl Node {
    /// Number of leaves below (1 for a leaf).
    pub fn leaf_count(&self) -> usize {
        if self.children.is_empty() {
            1
        } else {
            self.children.iter().map(Node::leaf_count).sum()
        }
    }
    /// Depth of the subtree (1 for a leaf).
    pub fn depth(&self) -> usize {
        1 + self.children.iter().map(Node::depth).max().unwrap_or(0)
    }
    /// Grid columns taken by the subtree.
    pub fn grid_span(&self) -> u32 {
        if self.children.is_empty() {
            self.span
        } else {
            self.children.iter().map(Node::grid_span).sum()
        }
    }
}

/// A leaf row or column, with everything resolved.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The id segment: the keys along the path, joined with `.`.
    pub id: String,
    pub label: String,
    /// Short form for formulas (`（七）`); the label when not set.
    pub short: String,
    pub variants: Vec<String>,
    /// Normalized keys of the label and its variants.
    pub keys: Vec<String>,
    /// Labels from the root to this leaf.
    pub path: Vec<String>,
    /// The label that names the leaf unambiguously in a finding.
    pub display: String,
    pub kind: Option<Kind>,
    pub unit: Option<String>,
    pub decimals: Option<u32>,
    pub span: u32,
}

/// A block of a table: a heading row (表二), column headers, row headers and
/// the value grid (every row leaf × every column leaf).
#[derive(Debug, Clone)]
pub struct Block {
    pub key: String,
    pub heading: Option<String>,
    /// Text of the top-left header cell.
    pub corner: Option<String>,
    /// Normalized keys of the corner text and its variants.
    pub corner_keys: Vec<String>,
    /// Grid columns taken by the row labels (0: no row labels, as in 表四).
    pub row_header_columns: u32,
    pub columns: Vec<Node>,
    pub rows: Vec<Node>,
    pub col_leaves: Vec<Leaf>,
    pub row_leaves: Vec<Leaf>,
    /// Index in [`Edition::cells`] of the block's first cell; the cell of row
    /// leaf `r` and column leaf `c` is at `first_cell + r * col_leaves.len() + c`.
    pub first_cell: usize,
    /// Normalized keys of the heading.
    pub heading_keys: Vec<String>,
    /// The keys of every label of the block in one text, each after a `|`
    /// ([`Block::label_text`]).
    pub label_text: String,
}

impl Block {
    /// The keys of every label of the block (columns, rows, the corner, the
    /// heading), each after a `|`: a text in which a piece of a label
    /// (a label wrapped over lines, a character of a label set vertically)
    /// is found.
    fn label_text(&self) -> String {
        fn push_keys(n: &Node, t: &mut String) {
            for k in &n.keys {
                t.push('|');
                t.push_str(k);
            }
            for c in &n.children {
                push_keys(c, t);
            }
        }
        let mut t = String::new();
        for n in self.columns.iter().chain(&self.rows) {
            push_keys(n, &mut t);
        }
        for k in self.corner_keys.iter().chain(&self.heading_keys) {
            t.push('|');
            t.push_str(k);
        }
        t
    }

    /// Index in [`Edition::cells`] of the cell at row leaf `r`, column leaf `c`.
    pub fn cell_index(&self, r: usize, c: usize) -> usize {
        self.first_cell + r * self.col_leaves.len() + c
    }

    /// Number of header rows (depth of the column tree).
    pub fn header_rows(&self) -> usize {
        self.columns.iter().map(Node::depth).max().unwrap_or(0)
    }
    /// Depth of the row tree.
    pub fn row_depth(&self) -> usize {
        self.rows.iter().map(Node::depth).max().unwrap_or(0)
    }
}

/// A statistical table (表二, 表三, 表四).
#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    /// `表二`.
    pub name: String,
    /// `主动公开政府信息情况`.
    pub title: String,
    /// The part it belongs to.
    pub part: String,
    /// Width of the layout grid in columns.
    pub grid: u32,
    pub note: Option<String>,
    /// Printed width of each grid column, in characters of the table font
    /// (empty: the writers size the columns by their labels).
    pub widths: Vec<f64>,
    pub blocks: Vec<Block>,
}

/// A value cell of the edition.
#[derive(Debug, Clone)]
pub struct CellDef {
    /// Stable id, e.g. `t3.r7.total`.
    pub id: String,
    pub table: usize,
    pub block: usize,
    pub row: usize,
    pub col: usize,
    pub kind: Kind,
    pub unit: Option<String>,
    pub decimals: Option<u32>,
    /// `表三`.
    pub table_name: String,
    /// Row labels from the root, joined with ` / `.
    pub row_path: String,
    /// Column labels from the root, joined with ` / `.
    pub col_path: String,
    /// Short location for messages, e.g. `表三（七）总计·总计`.
    pub location: String,
}

/// Comparison of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Le,
    Ge,
}

impl Op {
    pub fn holds(self, l: Number, r: Number) -> bool {
        match self {
            Op::Eq => l == r,
            Op::Le => l <= r,
            Op::Ge => l >= r,
        }
    }
    /// The symbol shown when the relation fails.
    pub fn failed_symbol(self) -> &'static str {
        match self {
            Op::Eq => "≠",
            Op::Le => ">",
            Op::Ge => "<",
        }
    }
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Le => "≤",
            Op::Ge => "≥",
        }
    }
}

/// One term of a rule side.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// A cell of this report (or of last year's, if `previous`).
    Cell {
        id: String,
        negative: bool,
        previous: bool,
    },
    Const(Number),
}

/// Severity of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn chinese(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        }
    }
}

/// A rule instance: `left op right`, each side a sum of terms.
#[derive(Debug, Clone)]
pub struct Rule {
    pub code: String,
    pub severity: Severity,
    pub title: String,
    pub op: Op,
    pub left: Vec<Term>,
    pub right: Vec<Term>,
    /// The left cell is determined by the right side (a formula in workbooks).
    pub derive: bool,
}

impl Rule {
    /// For a derivation rule: the derived cell id and its signed inputs.
    pub fn derivation(&self) -> Option<(&str, Vec<(&str, bool)>)> {
        if !self.derive {
            return None;
        }
        let Some(Term::Cell { id, .. }) = self.left.first() else { return None };
        let inputs = self
            .right
            .iter()
            .filter_map(|t| match t {
                Term::Cell { id, negative, .. } => Some((id.as_str(), *negative)),
                Term::Const(_) => None,
            })
            .collect();
        Some((id, inputs))
    }

    /// True if the rule compares with last year's report.
    pub fn needs_previous(&self) -> bool {
        self.left.iter().chain(&self.right).any(|t| matches!(t, Term::Cell { previous: true, .. }))
    }
}

/// Derived cells: cell id → (the rule, its inputs as (cell id, negative)).
pub type Derivations<'a> = HashMap<&'a str, (&'a Rule, Vec<(&'a str, bool)>)>;

/// A unit that may follow a number, and what one of it is worth.
pub type Suffix = (String, rust_decimal::Decimal);

/// A compiled edition.
#[derive(Debug, Clone)]
pub struct Edition {
    pub id: String,
    pub name: String,
    pub document: String,
    pub year_from: u32,
    pub year_to: Option<u32>,
    pub preamble: String,
    /// How the title is written: `{organ}{year}年…`.
    pub title_format: String,
    /// Words every title has, in order: the organ and year stand before the
    /// first ([`crate::labels::TitleWords`]).
    pub title_words: crate::labels::TitleWords,
    /// Units written inside cells: for a cell's unit, each unit a number may
    /// be written in and what one of it is worth (longest name first).
    pub units: Vec<(String, Vec<(String, rust_decimal::Decimal)>)>,
    /// Words that may follow a count and add nothing (`3件`).
    pub count_words: Vec<String>,
    /// [`Edition::suffixes`] for no unit and for every unit, computed once.
    suffix_table: Vec<(Option<String>, Vec<Suffix>)>,
    pub markers: Vec<String>,
    /// Their normalized keys.
    pub marker_keys: Vec<String>,
    /// Normalized keys of the texts around the tables that are not data
    /// ([`Edition::decorations`]).
    pub decoration_keys: HashSet<String>,
    /// Placeholder paragraphs of blank forms, dropped when reading.
    pub placeholders: Vec<String>,
    /// Their normalized keys.
    pub placeholder_keys: Vec<String>,
    /// What may separate a part's number from its
    /// heading besides `、` `.` `,` `)`, longest first (`""`: nothing, as in
    /// `一 总体情况`).
    pub part_number_separators: Vec<String>,
    pub parts: Vec<PartDef>,
    pub tables: Vec<Table>,
    pub cells: Vec<CellDef>,
    pub rules: Vec<Rule>,
    /// Numbers the text parts state, and the cells they describe.
    pub narrative: Vec<text::Narrative>,
    /// Part-quality rules.
    pub quality: Vec<text::QualityRule>,
    /// The file it was loaded from (for messages).
    pub source: String,
    index: HashMap<String, usize>,
    /// Every cell id, blank, in order: the cells of [`Edition::blank_report`].
    blank_cells: indexmap::IndexMap<String, Option<Number>>,
}

fn err(source: &str, what: impl Into<String>) -> Error {
    Error::Edition { source_name: source.to_string(), what: what.into() }
}

impl Edition {
    /// Parse and compile an edition file.
    ///
    /// # Errors
    /// [`Error::Edition`] naming the file and the first problem found.
    pub fn compile(source: &str, text: &str) -> Result<Edition> {
        let raw: RawEdition = toml::from_str(text).map_err(|e| err(source, e.to_string()))?;
        Compiler { source }.edition(raw)
    }

    /// Does the edition apply to reports of this year?
    pub fn covers(&self, year: u32) -> bool {
        year >= self.year_from && self.year_to.is_none_or(|to| year <= to)
    }

    /// The years as text, e.g. `2019—2020年` or `2021年起`.
    pub fn years_text(&self) -> String {
        match self.year_to {
            Some(to) if to == self.year_from => format!("{to}年"),
            Some(to) => format!("{}—{}年", self.year_from, to),
            None => format!("{}年起", self.year_from),
        }
    }

    pub fn cell(&self, id: &str) -> Option<&CellDef> {
        self.index.get(id).map(|&i| &self.cells[i])
    }

    pub fn has_cell(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }

    pub fn part(&self, id: &str) -> Option<&PartDef> {
        self.parts.iter().find(|p| p.id == id)
    }

    /// The preamble with organ and year filled in.
    pub fn preamble_for(&self, organ: &str, year: Option<u32>) -> String {
        let year = year.map(|y| y.to_string()).unwrap_or_else(|| "____".into());
        self.preamble.replace("{organ}", organ).replace("{year}", &year)
    }

    /// The standard title from the edition's `title.format`
    /// (`{organ}{year}年政府信息公开工作年度报告`); without a year, the year
    /// and its 年 are left out.
    pub fn title_for(&self, organ: &str, year: Option<u32>) -> String {
        match year {
            Some(y) => self.title_format.replace("{organ}", organ).replace("{year}", &y.to_string()),
            None => self.title_format.replace("{organ}", organ).replace("{year}年", "").replace("{year}", ""),
        }
    }

    /// What may follow a number in a cell of `unit`, with what it is worth
    /// there (longest first): the unit's conversions and the count words; a
    /// cell without a unit takes every unit's name at face value.
    pub fn suffixes(&self, unit: Option<&str>) -> &[(String, rust_decimal::Decimal)] {
        self.suffix_table.iter().find(|(u, _)| u.as_deref() == unit).map_or(&[], |(_, s)| s.as_slice())
    }

    fn compute_suffixes(&self, unit: Option<&str>) -> Vec<(String, rust_decimal::Decimal)> {
        let one = rust_decimal::Decimal::ONE;
        let mut out: Vec<(String, rust_decimal::Decimal)> = match unit {
            Some(u) => self.units.iter().filter(|(x, _)| x == u).flat_map(|(_, c)| c.iter().cloned()).collect(),
            None => self.units.iter().flat_map(|(_, c)| c.iter().map(|(w, _)| (w.clone(), one))).collect(),
        };
        out.extend(self.count_words.iter().map(|w| (w.clone(), one)));
        out.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// The cells of a block in row-major order.
    pub fn block_cells(&self, table: usize, block: usize) -> impl Iterator<Item = &CellDef> {
        self.cells.iter().filter(move |c| c.table == table && c.block == block)
    }

    /// Derived cells: cell id → (rule, signed inputs). The first rule that
    /// derives a cell wins.
    pub fn derivations(&self) -> Derivations<'_> {
        let mut m = HashMap::new();
        for r in &self.rules {
            if let Some((id, inputs)) = r.derivation() {
                m.entry(id).or_insert((r, inputs));
            }
        }
        m
    }

    /// All distinct rule codes, in file order.
    pub fn rule_codes(&self) -> Vec<&str> {
        let mut seen = HashSet::new();
        self.rules.iter().map(|r| r.code.as_str()).filter(|c| seen.insert(*c)).collect()
    }

    /// Texts around the tables that are not data: table names and titles,
    /// notes, the parts' guidance, the edition's name (their keys).
    fn decorations(&self) -> HashSet<String> {
        let key = crate::labels::key;
        let mut s = HashSet::new();
        for t in &self.tables {
            s.insert(key(&format!("{}{}", t.name, t.title)));
            s.insert(key(&t.name));
            s.insert(key(&t.title));
            if let Some(n) = &t.note {
                s.insert(key(n));
            }
        }
        for p in &self.parts {
            s.insert(key(&p.guidance));
        }
        s.insert(key(&self.name));
        s
    }

    /// A report of this edition with every cell blank.
    pub fn blank_report(&self, organ: &str, year: Option<u32>) -> Report {
        let mut r = Report::new(&self.id, year, organ);
        r.title = self.title_for(organ, year);
        r.cells = self.blank_cells.clone();
        r
    }
}

struct Compiler<'a> {
    source: &'a str,
}

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Compiler<'_> {
    fn edition(&self, raw: RawEdition) -> Result<Edition> {
        let s = self.source;
        if !valid_key(&raw.id) {
            return Err(err(s, format!("id “{}” 只能由字母、数字和下划线组成", raw.id)));
        }
        if raw.years.to.is_some_and(|to| to < raw.years.from) {
            return Err(err(s, "years.to 早于 years.from"));
        }
        if !raw.title.format.contains("{organ}") || raw.title.words.iter().any(|w| w.trim().is_empty()) {
            return Err(err(s, "title.format 应含 {organ}，title.words 不能为空"));
        }
        if raw.title.words.is_empty() {
            return Err(err(s, "title.words 至少要有一个词"));
        }
        let mut units = Vec::new();
        for (unit, written) in &raw.units {
            let mut conv = Vec::new();
            for (as_written, factor) in written {
                let f = rust_decimal::Decimal::from_str_exact(factor.trim())
                    .map_err(|_| err(s, format!("units.{unit}.{as_written} 的换算系数 “{factor}” 不是数字")))?;
                conv.push((as_written.clone(), f));
            }
            conv.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
            units.push((unit.clone(), conv));
        }
        let mut parts = Vec::new();
        let mut part_ids = HashSet::new();
        for p in raw.parts {
            if !part_ids.insert(p.id.clone()) {
                return Err(err(s, format!("部分 id “{}” 重复", p.id)));
            }
            parts.push(PartDef {
                id: p.id,
                number: p.number,
                heading_keys: std::iter::once(&p.heading).chain(&p.variants).map(|h| crate::labels::key(h)).collect(),
                heading: p.heading,
                variants: p.variants,
                guidance: p.guidance,
                required: p.required,
                nonempty: p.nonempty,
            });
        }
        let mut tables = Vec::new();
        let mut cells = Vec::new();
        let mut index = HashMap::new();
        for (ti, t) in raw.tables.into_iter().enumerate() {
            if !valid_key(&t.id) {
                return Err(err(s, format!("表 id “{}” 无效", t.id)));
            }
            if !part_ids.contains(&t.part) {
                return Err(err(s, format!("{} 的 part “{}” 不存在", t.name, t.part)));
            }
            if !t.widths.is_empty()
                && (t.widths.len() != t.grid as usize || t.widths.iter().any(|w| !w.is_finite() || *w <= 0.0))
            {
                return Err(err(
                    s,
                    format!(
                        "{} 的 widths 须为 {} 个正数（每个网格列一个），现有 {} 个",
                        t.name,
                        t.grid,
                        t.widths.len()
                    ),
                ));
            }
            let mut blocks = Vec::new();
            for (bi, b) in t.blocks.into_iter().enumerate() {
                let key = b.key.unwrap_or_default();
                if !key.is_empty() && !valid_key(&key) {
                    return Err(err(s, format!("{} 的块 key “{}” 无效", t.name, key)));
                }
                let rhc = b.row_header_columns.unwrap_or(1);
                let columns: Vec<Node> = b.columns.iter().map(|n| self.node(n)).collect::<Result<_>>()?;
                let rows: Vec<Node> = b.rows.iter().map(|n| self.node(n)).collect::<Result<_>>()?;
                let mut col_leaves = Vec::new();
                for n in &b.columns {
                    self.leaves(n, &[], "", None, &mut col_leaves)?;
                }
                let mut row_leaves = Vec::new();
                for n in &b.rows {
                    self.leaves(n, &[], "", None, &mut row_leaves)?;
                }
                qualify_displays(&mut col_leaves);
                qualify_displays(&mut row_leaves);
                let first_cell = cells.len();
                let width: u32 = rhc + columns.iter().map(Node::grid_span).sum::<u32>();
                if width != t.grid {
                    return Err(err(
                        s,
                        format!(
                            "{} 第{}块的宽度（行标题 {} 列 + 数值 {} 列）与 grid = {} 不符",
                            t.name,
                            bi + 1,
                            rhc,
                            width - rhc,
                            t.grid
                        ),
                    ));
                }
                if rhc > 0
                    && rhc as usize != rows.iter().map(Node::depth).max().unwrap_or(0)
                    && rows.iter().map(Node::depth).max().unwrap_or(0) > rhc as usize
                {
                    return Err(err(s, format!("{} 第{}块的行标题层数多于 row_header_columns", t.name, bi + 1)));
                }
                for (ri, r) in row_leaves.iter().enumerate() {
                    for (ci, c) in col_leaves.iter().enumerate() {
                        let id = [t.id.as_str(), key.as_str(), r.id.as_str(), c.id.as_str()]
                            .iter()
                            .filter(|x| !x.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(".");
                        let kind = r.kind.or(c.kind).ok_or_else(|| err(s, format!("单元格 {id} 没有 kind")))?;
                        let mut row_path: Vec<String> = b.heading.iter().cloned().collect();
                        row_path.extend(r.path.iter().cloned());
                        let row_disp = match (&b.heading, r.display.is_empty()) {
                            (Some(h), false) => format!("{h} {}", r.display),
                            (Some(h), true) => h.clone(),
                            (None, _) => r.display.clone(),
                        };
                        let location = format!("{}{}·{}", t.name, row_disp, c.display);
                        if index.insert(id.clone(), cells.len()).is_some() {
                            return Err(err(s, format!("单元格 id {id} 重复")));
                        }
                        cells.push(CellDef {
                            id,
                            table: ti,
                            block: bi,
                            row: ri,
                            col: ci,
                            kind,
                            unit: r.unit.clone().or(c.unit.clone()),
                            decimals: r.decimals.or(c.decimals),
                            table_name: t.name.clone(),
                            row_path: row_path.join(" / "),
                            col_path: c.path.join(" / "),
                            location,
                        });
                    }
                }
                let mut block = Block {
                    key,
                    heading_keys: b.heading.as_deref().map(|h| crate::labels::label_keys(h, &[])).unwrap_or_default(),
                    label_text: String::new(),
                    heading: b.heading,
                    corner_keys: b
                        .corner
                        .as_deref()
                        .map(|c| crate::labels::label_keys(c, &b.corner_variants))
                        .unwrap_or_default(),
                    corner: b.corner,
                    row_header_columns: rhc,
                    columns,
                    rows,
                    col_leaves,
                    row_leaves,
                    first_cell,
                };
                block.label_text = block.label_text();
                blocks.push(block);
            }
            tables.push(Table {
                id: t.id,
                name: t.name,
                title: t.title,
                part: t.part,
                grid: t.grid,
                note: t.note,
                widths: t.widths,
                blocks,
            });
        }
        let mut ed = Edition {
            id: raw.id,
            name: raw.name,
            document: raw.document,
            year_from: raw.years.from,
            year_to: raw.years.to,
            preamble: raw.preamble,
            title_format: raw.title.format,
            title_words: crate::labels::TitleWords(raw.title.words),
            units,
            count_words: raw.count_words,
            suffix_table: Vec::new(),
            marker_keys: raw.markers.iter().map(|m| crate::labels::key(m)).collect(),
            markers: raw.markers,
            decoration_keys: HashSet::new(),
            placeholder_keys: raw.placeholders.iter().map(|p| crate::labels::key(p)).collect(),
            placeholders: raw.placeholders,
            part_number_separators: {
                let mut seps: Vec<String> =
                    raw.part_number_separators.iter().map(|p| crate::number::squeeze(p)).collect();
                seps.sort_by_key(|s| std::cmp::Reverse(s.len()));
                seps.dedup();
                seps
            },
            parts,
            tables,
            cells,
            rules: Vec::new(),
            narrative: Vec::new(),
            quality: Vec::new(),
            source: s.to_string(),
            index,
            blank_cells: indexmap::IndexMap::new(),
        };
        for r in &raw.rules {
            let rules = self.rule(r, &ed)?;
            ed.rules.extend(rules);
        }
        for n in &raw.narrative {
            let n = text::narrative(n, &ed).map_err(|m| err(s, m))?;
            ed.narrative.push(n);
        }
        for q in &raw.quality {
            let q = text::quality(q, &ed).map_err(|m| err(s, m))?;
            if ed.rule_codes().contains(&q.code.as_str()) || ed.quality.iter().any(|x| x.code == q.code) {
                return Err(err(s, format!("quality {}：code 与其他规则重复", q.code)));
            }
            ed.quality.push(q);
        }
        let mut table = vec![(None, ed.compute_suffixes(None))];
        let units = ed.cells.iter().filter_map(|c| c.unit.clone()).chain(ed.units.iter().map(|(u, _)| u.clone()));
        for u in units {
            if !table.iter().any(|(x, _)| x.as_deref() == Some(u.as_str())) {
                let s = ed.compute_suffixes(Some(&u));
                table.push((Some(u), s));
            }
        }
        ed.suffix_table = table;
        ed.decoration_keys = ed.decorations();
        ed.blank_cells = ed.cells.iter().map(|c| (c.id.clone(), None)).collect();
        Ok(ed)
    }

    fn node(&self, n: &RawNode) -> Result<Node> {
        Ok(Node {
            key: n.key.clone().filter(|k| !k.is_empty()),
            label: n.label.clone(),
            variants: n.variants.clone(),
            keys: crate::labels::label_keys(&n.label, &n.variants),
            span: n.span.unwrap_or(1),
            children: n.children.iter().map(|c| self.node(c)).collect::<Result<_>>()?,
        })
    }

    fn leaves(
        &self,
        n: &RawNode,
        path: &[String],
        id: &str,
        inherited: Option<&RawNode>,
        out: &mut Vec<Leaf>,
    ) -> Result<()> {
        let s = self.source;
        if let Some(k) = &n.key {
            if !k.is_empty() && !valid_key(k) {
                return Err(err(s, format!("key “{k}” 只能由字母、数字和下划线组成")));
            }
        }
        if let Some(k) = &n.kind {
            if Kind::parse(k).is_none() {
                return Err(err(s, format!("“{}” 的 kind “{k}” 无效（应为 count、signed 或 amount）", n.label)));
            }
        }
        let mut path = path.to_vec();
        if !n.label.is_empty() {
            path.push(n.label.clone());
        }
        let id = match n.key.as_deref() {
            Some(k) if !k.is_empty() && !id.is_empty() => format!("{id}.{k}"),
            Some(k) if !k.is_empty() => k.to_string(),
            _ => id.to_string(),
        };
        let inherit = if n.kind.is_some() { Some(n) } else { inherited };
        if n.children.is_empty() {
            if n.span == Some(0) {
                return Err(err(s, format!("“{}” 的 span 不能为 0", n.label)));
            }
            let kind_node = inherit;
            out.push(Leaf {
                id,
                label: n.label.clone(),
                short: n.short.clone().unwrap_or_else(|| n.label.clone()),
                variants: n.variants.clone(),
                keys: crate::labels::label_keys(&n.label, &n.variants),
                display: n.label.clone(),
                path,
                kind: kind_node.and_then(|k| k.kind.as_deref()).and_then(Kind::parse),
                unit: n.unit.clone().or_else(|| inherited.and_then(|i| i.unit.clone())),
                decimals: n.decimals.or_else(|| inherited.and_then(|i| i.decimals)),
                span: n.span.unwrap_or(1),
            });
        } else {
            for c in &n.children {
                self.leaves(c, &path, &id, inherit, out)?;
            }
        }
        Ok(())
    }

    fn rule(&self, r: &RawRule, ed: &Edition) -> Result<Vec<Rule>> {
        let s = self.source;
        let what = |m: String| err(s, format!("规则 {}：{}", r.code, m));
        if r.code.is_empty() || !r.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
            return Err(what("code 只能由大写字母、数字和 - 组成".into()));
        }
        let severity = severity(&r.severity).map_err(what)?;
        let op = match r.op.as_str() {
            "eq" => Op::Eq,
            "le" => Op::Le,
            "ge" => Op::Ge,
            x => return Err(what(format!("op “{x}” 应为 eq、le 或 ge"))),
        };
        // Expand foreach as a cartesian product of its variables.
        let mut bindings: Vec<Vec<(String, String)>> = vec![vec![]];
        for (var, values) in &r.foreach {
            if values.is_empty() {
                return Err(what(format!("foreach.{var} 为空")));
            }
            bindings = bindings
                .into_iter()
                .flat_map(|b| {
                    values.iter().map(move |v| {
                        let mut b = b.clone();
                        b.push((var.clone(), v.clone()));
                        b
                    })
                })
                .collect();
        }
        let mut out = Vec::new();
        for b in bindings {
            let term = |t: &str| -> Result<Term> {
                let mut t = t.to_string();
                for (var, val) in &b {
                    t = t.replace(&format!("{{{var}}}"), val);
                }
                if t.contains('{') {
                    return Err(what(format!("项 “{t}” 中有未定义的变量")));
                }
                parse_term(&t, ed).map_err(what)
            };
            let left = r.left.iter().map(|t| term(t)).collect::<Result<Vec<_>>>()?;
            let right = r.right.iter().map(|t| term(t)).collect::<Result<Vec<_>>>()?;
            if left.is_empty() || right.is_empty() {
                return Err(what("left 和 right 都不能为空".into()));
            }
            if r.derive {
                let simple = |t: &Term| matches!(t, Term::Cell { previous: false, .. });
                let left_ok = left.len() == 1 && matches!(left[0], Term::Cell { negative: false, previous: false, .. });
                if op != Op::Eq || !left_ok || !right.iter().all(simple) {
                    return Err(what("derive 规则必须是 “一个本年单元格 eq 若干本年单元格”".into()));
                }
            }
            out.push(Rule {
                code: r.code.clone(),
                severity,
                title: r.title.clone(),
                op,
                left,
                right,
                derive: r.derive,
            });
        }
        Ok(out)
    }
}

/// `error` or `warning`.
fn severity(s: &str) -> std::result::Result<Severity, String> {
    match s {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        x => Err(format!("severity “{x}” 应为 error 或 warning")),
    }
}

/// One term of the rule-term syntax: a cell id, a cell id with a leading
/// `-` (subtracted), a constant, or `prev:` + a cell id of last year's report.
fn parse_term(t: &str, ed: &Edition) -> std::result::Result<Term, String> {
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) if !rest.starts_with(|c: char| c.is_ascii_digit()) => (true, rest),
        _ => (false, t),
    };
    if let Ok(n) = Number::from_str(t) {
        return Ok(Term::Const(n));
    }
    let (previous, id) = match rest.strip_prefix("prev:") {
        Some(id) => (true, id),
        None => (false, rest),
    };
    if !ed.has_cell(id) {
        return Err(format!("单元格 {id} 不存在"));
    }
    Ok(Term::Cell { id: id.to_string(), negative, previous })
}

/// Leaves whose label repeats (表四's 结果维持 ×3) or that are numbered
/// items of a group (`1.属于国家秘密`) are named with their parent label.
fn qualify_displays(leaves: &mut [Leaf]) {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for l in leaves.iter() {
        *counts.entry(l.label.clone()).or_default() += 1;
    }
    for l in leaves.iter_mut() {
        let numbered = l.label.starts_with(|c: char| c.is_ascii_digit());
        if (counts[&l.label] > 1 || numbered) && l.path.len() >= 2 {
            l.display = format!("{} {}", l.path[l.path.len() - 2], l.label);
        }
    }
}

/// The set of editions known to a run: the built-in ones under templates/,
/// plus any loaded from files.
#[derive(Debug, Clone)]
pub struct Editions {
    list: Vec<Edition>,
}

impl Editions {
    /// The editions shipped in templates/.
    ///
    /// # Errors
    /// Only if a shipped file is broken, which the test suite rules out.
    pub fn builtin() -> Result<Editions> {
        let list = BUILTIN.iter().map(|(name, text)| Edition::compile(name, text)).collect::<Result<_>>()?;
        Ok(Editions { list })
    }

    /// Add (or replace, by id) the edition in one file.
    pub fn load_file(&mut self, path: &Path) -> Result<()> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let ed = Edition::compile(&path.display().to_string(), &text)?;
        self.list.retain(|e| e.id != ed.id);
        self.list.push(ed);
        self.list.sort_by_key(|e| e.year_from);
        Ok(())
    }

    /// Add every `*.toml` of a directory, or the single file given.
    pub fn load_path(&mut self, path: &Path) -> Result<()> {
        if path.is_dir() {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for f in files {
                self.load_file(&f)?;
            }
            Ok(())
        } else {
            self.load_file(path)
        }
    }

    pub fn all(&self) -> &[Edition] {
        &self.list
    }

    pub fn get(&self, id: &str) -> Option<&Edition> {
        self.list.iter().find(|e| e.id == id)
    }

    /// The edition in force for reports of `year` (the latest that covers it).
    pub fn for_year(&self, year: u32) -> Option<&Edition> {
        self.list.iter().filter(|e| e.covers(year)).max_by_key(|e| e.year_from)
    }

    /// The edition of a report: forced, else declared, else by year.
    ///
    /// # Errors
    /// [`Error::NoEdition`] if the id is unknown or no edition covers the year.
    pub fn resolve(&self, report: &Report, forced: Option<&str>) -> Result<&Edition> {
        let id = forced.filter(|s| !s.is_empty()).or(Some(report.edition.as_str()).filter(|s| !s.is_empty()));
        match (id, report.year) {
            (Some(id), _) => self.lookup(id),
            (None, Some(y)) => self.for_year_or_err(y),
            (None, None) => Err(Error::NoEdition(NoEdition::Undetermined)),
        }
    }

    /// The edition with this id.
    ///
    /// # Errors
    /// [`Error::NoEdition`] naming the ids there are.
    pub fn lookup(&self, id: &str) -> Result<&Edition> {
        self.get(id).ok_or_else(|| Error::NoEdition(NoEdition::Unknown { id: id.to_string(), known: self.ids() }))
    }

    /// The edition for reports of `year`.
    ///
    /// # Errors
    /// [`Error::NoEdition`] when no edition covers the year.
    pub fn for_year_or_err(&self, year: u32) -> Result<&Edition> {
        self.for_year(year).ok_or_else(|| Error::NoEdition(NoEdition::Year { year, known: self.ids() }))
    }

    fn ids(&self) -> Vec<String> {
        self.list.iter().map(|e| e.id.clone()).collect()
    }
}
