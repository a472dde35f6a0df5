//! The format-neutral document every reader produces: paragraphs and tables
//! in reading order, with the source location of every table cell, plus
//! what the file says about itself (custom properties, tracked changes) and
//! the reader's own warnings. One mapper ([`super::map`]) turns it into a
//! [`crate::model::Report`] of an edition; no reader maps to the edition
//! itself.
//!
//! Tables come in two kinds. An *aligned* table (Word, Excel, HTML, a PDF
//! table with ruling lines) places every cell in a grid: a value's column is
//! the column of its header. An *unaligned* table (lines of published text)
//! knows rows and the order of fields within a row, but its header fields do
//! not line up with its values; its values are taken row by row in order.

use crate::model::Warning;

/// What kind of file the document came from: decides wording in messages
/// and whether white space in the title is layout (published text) or typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Word,
    Workbook,
    Html,
    Text,
    /// Markdown, as OCR and LLM converters write it.
    Markdown,
    Pdf,
}

impl SourceKind {
    /// The Chinese name of such a file in messages.
    pub fn noun(self) -> &'static str {
        match self {
            SourceKind::Word => "文档",
            SourceKind::Workbook => "工作簿",
            SourceKind::Html => "网页",
            SourceKind::Text => "文本",
            SourceKind::Markdown => "Markdown 文本",
            SourceKind::Pdf => "PDF 文件",
        }
    }

    /// The report's [`crate::model::Report::origin`]: the published kinds'
    /// names, empty for a form.
    pub fn origin(self) -> &'static str {
        match self {
            SourceKind::Html => "html",
            SourceKind::Text => "text",
            SourceKind::Markdown => "markdown",
            SourceKind::Pdf => "pdf",
            SourceKind::Word | SourceKind::Workbook => "",
        }
    }

    /// Published layouts break lines and space out characters; Word and
    /// Excel keep what was typed.
    pub fn is_published(self) -> bool {
        matches!(self, SourceKind::Html | SourceKind::Text | SourceKind::Markdown | SourceKind::Pdf)
    }
}

/// Properties a web page gives about itself (its 信息公开目录 box, its
/// `<title>`, `<h1>` and meta tags), read into the report when the text
/// itself does not say: the title, the organ (发布机构), the publication
/// date (公开日期, 发布日期), 索引号 and 文号.
pub const PAGE_TITLE: &str = "page_title";
pub const PAGE_ORGAN: &str = "page_organ";
pub const PAGE_DATE: &str = "page_date";
pub const PAGE_INDEX: &str = "page_index_number";
pub const PAGE_DOC_NUMBER: &str = "page_document_number";

/// A document read from one file.
#[derive(Debug)]
pub struct Document {
    pub kind: SourceKind,
    pub body: Vec<Item>,
    /// Tracked insertions or deletions were found (read as if accepted).
    pub revisions: bool,
    /// Properties the file carries (xxgk's stamp: edition, organ, year, …).
    pub properties: Vec<(String, String)>,
    /// What the reader itself noticed (encoding, cells out of range, …).
    pub warnings: Vec<Warning>,
}

impl Document {
    pub fn new(kind: SourceKind) -> Document {
        Document { kind, body: Vec::new(), revisions: false, properties: Vec::new(), warnings: Vec::new() }
    }

    /// A property's value.
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The paragraphs, in order.
    pub fn paragraphs(&self) -> impl Iterator<Item = &str> {
        self.body.iter().filter_map(|i| match i {
            Item::Para(p) => Some(p.as_str()),
            Item::Table(_) => None,
        })
    }
}

#[derive(Debug)]
pub enum Item {
    Para(String),
    Table(Table),
}

/// A table: every non-empty cell once, at its top-left position.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The sheet's name for a workbook; `None` for the tables of a document,
    /// which are named `第N张表格` in provenance and read stacked as one grid,
    /// so a table split over a page break reads as one.
    pub name: Option<String>,
    pub cells: Vec<Cell>,
    /// Rows the table spans.
    pub rows: u32,
    /// Columns mean the same in every row (see the module docs).
    pub aligned: bool,
}

/// One cell of a table (0-based positions).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub row: u32,
    pub col: u32,
    pub rowspan: u32,
    pub colspan: u32,
    /// The text as found.
    pub text: String,
    /// The number, when the format stores numbers as such (xlsx).
    pub number: Option<f64>,
    /// The cell holds a formula (its value is the cached result, or was
    /// computed when the file had none).
    pub formula: bool,
    /// The formula text (`=C4+D4`) when the file had no cached value: the
    /// value was computed from it, or could not be and the cell has none.
    /// Provenance then shows the formula, not a number as if typed.
    pub computed: Option<String>,
    /// Where the cell is in the source when that is not the table position:
    /// (page or sheet name, 1-based row or line, 1-based column), `None` for
    /// a name means the file has no such unit (plain text). The name is
    /// shared by the cells of a page or table.
    pub at: Option<(Option<std::sync::Arc<str>>, u32, u32)>,
    /// The 1-based page of a PDF the cell is on, when known.
    pub page: Option<u32>,
}

impl Cell {
    /// A text cell with spans and no other information.
    pub fn new(row: u32, col: u32, rowspan: u32, colspan: u32, text: String) -> Cell {
        Cell { row, col, rowspan, colspan, text, number: None, formula: false, computed: None, at: None, page: None }
    }
}
