//! Reader for reports as Markdown, as OCR and LLM pipelines turn PDFs into
//! text (MinerU, PaddleOCR PP-Structure, marker, LLM converters): ATX
//! (`## 一、总体情况`) and setext headings, paragraphs, GFM pipe tables and
//! HTML tables inside the Markdown (`<html><body><table>…`, as MinerU
//! writes them).
//!
//! Parser: `pulldown-cmark` (CommonMark with the GFM table extension; no
//! dependency besides `bitflags`, `memchr` and `unicase` with its default
//! features off; about 2 s of build and 150 KB of binary, measured in
//! docs/inputs.md). Headings and paragraphs become paragraphs of the neutral
//! [`Document`]; a pipe table becomes an aligned table (each field in its
//! column); HTML blocks are collected and read by the HTML reader
//! ([`super::html::parse`]), so a table split by a blank line reads as one.
//! Every source line of a paragraph is a paragraph of its own, as in the
//! text reader: a heading set on the line before its text is still found.
//!
//! OCR noise in numbers (a space inside `1 234`, full-width digits) is read
//! by the one number parser, as for every kind; a confusable letter (`O`
//! for `0`, `l` for `1`) is not a number and the cell stays blank with
//! READ-VALUE: nothing proves which digit it was.

use super::doc::{Cell, Document, Item, SourceKind, Table};
use super::ReadOptions;
use crate::error::{Error, Result};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::path::Path;

/// Read a Markdown report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Document> {
    let (text, warning) = super::text::text_of(path, bytes)?;
    let mut doc = parse(&text, opts).map_err(|p| Error::read(path, p))?;
    doc.warnings.extend(warning);
    Ok(doc)
}

/// Does this text read as Markdown rather than plain text? A pipe-table
/// delimiter row (`|---|---|`), an HTML table, or at least two ATX headings
/// (`## 一、总体情况`). Text extracted from a PDF has none of these.
pub fn looks_like(text: &str) -> bool {
    let mut headings = 0;
    for line in text.lines() {
        let t = line.trim();
        if is_delimiter_row(t) || t.to_ascii_lowercase().starts_with("<table") {
            return true;
        }
        let hashes = t.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&hashes) && t[hashes..].starts_with([' ', '\t']) {
            headings += 1;
            if headings >= 2 {
                return true;
            }
        }
    }
    false
}

/// `|---|:--:|`, `--- | ---`: a GFM table's delimiter row.
fn is_delimiter_row(t: &str) -> bool {
    let inner = t.trim_matches('|');
    t.contains('|')
        && t.contains("--")
        && inner.split('|').all(|f| {
            let f = f.trim().trim_matches(':');
            !f.is_empty() && f.chars().all(|c| c == '-')
        })
}

/// A pipe table being read.
#[derive(Default)]
struct PipeTable {
    cells: Vec<Cell>,
    row: u32,
    col: u32,
    text: Option<String>,
}

struct Reader<'o> {
    doc: Document,
    para: String,
    html: String,
    table: Option<PipeTable>,
    /// Ordered lists open: the number of their next item.
    lists: Vec<Option<u64>>,
    opts: ReadOptions<'o>,
}

impl Reader<'_> {
    /// The paragraph so far ends.
    fn flush(&mut self) {
        let t = self.para.trim().to_string();
        self.para.clear();
        if !t.is_empty() {
            self.doc.body.push(Item::Para(t));
        }
    }

    /// The HTML collected so far is read as a page of its own.
    fn flush_html(&mut self) -> std::result::Result<(), crate::error::Problem> {
        if self.html.trim().is_empty() {
            self.html.clear();
            return Ok(());
        }
        let page = super::html::parse(&self.html, &self.opts.limits)?;
        self.html.clear();
        self.doc.body.extend(page.body);
        Ok(())
    }

    fn text(&mut self, s: &str) {
        match self.table.as_mut().and_then(|t| t.text.as_mut()) {
            Some(cell) => cell.push_str(s),
            None => self.para.push_str(s),
        }
    }

    /// A line break: a new paragraph, or a new line in a table's cell.
    fn line_break(&mut self) {
        match self.table.as_mut().and_then(|t| t.text.as_mut()) {
            Some(cell) => cell.push('\n'),
            None => self.flush(),
        }
    }
}

/// Inline HTML that breaks a line (`<br>`, `<br/>`, `<p>`).
fn is_break(html: &str) -> bool {
    let t = html.trim().to_ascii_lowercase();
    t.starts_with("<br") || t == "<p>" || t == "</p>"
}

/// Parse Markdown into paragraphs and tables.
pub fn parse(text: &str, opts: ReadOptions<'_>) -> std::result::Result<Document, crate::error::Problem> {
    let mut r = Reader {
        doc: Document::new(SourceKind::Markdown),
        para: String::new(),
        html: String::new(),
        table: None,
        lists: Vec::new(),
        opts,
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(text, options) {
        // HTML blocks in a row are one page; anything else ends it.
        if !matches!(event, Event::Html(_) | Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock)) {
            r.flush_html()?;
        }
        match event {
            Event::Html(h) => r.html.push_str(&h),
            Event::InlineHtml(h) if is_break(&h) => r.line_break(),
            // A table written inline (`text <table>…</table>`) is HTML too.
            Event::InlineHtml(h) if h.trim_start().to_ascii_lowercase().starts_with("<table") || !r.html.is_empty() => {
                r.flush();
                r.html.push_str(&h);
            }
            Event::Text(t) | Event::Code(t) => {
                if r.html.is_empty() {
                    r.text(&t);
                } else {
                    r.html.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => r.line_break(),
            Event::Start(Tag::Paragraph | Tag::Heading { .. } | Tag::BlockQuote(_)) => r.flush(),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::BlockQuote(_)) => r.flush(),
            Event::Start(Tag::List(start)) => {
                r.flush();
                r.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                r.flush();
                r.lists.pop();
            }
            Event::Start(Tag::Item) => {
                r.flush();
                // An ordered list keeps its numbers: `1. 主动公开` is text.
                if let Some(Some(n)) = r.lists.last_mut() {
                    r.para.push_str(&format!("{n}. "));
                    *n += 1;
                }
            }
            Event::End(TagEnd::Item) => r.flush(),
            Event::Start(Tag::Table(_)) => {
                r.flush();
                r.table = Some(PipeTable::default());
            }
            Event::Start(Tag::TableRow) => {
                if let Some(t) = r.table.as_mut() {
                    t.col = 0;
                }
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                if let Some(t) = r.table.as_mut() {
                    t.row += 1;
                    if t.row as usize > r.opts.limits.table_rows {
                        return Err(crate::error::Problem::TooManyRows { limit: r.opts.limits.table_rows });
                    }
                }
            }
            Event::Start(Tag::TableCell) => {
                if let Some(t) = r.table.as_mut() {
                    t.text = Some(String::new());
                }
            }
            Event::End(TagEnd::TableCell) => {
                if let Some(t) = r.table.as_mut() {
                    let text = t.text.take().unwrap_or_default();
                    let text = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n");
                    if t.col as usize >= r.opts.limits.table_cols {
                        return Err(crate::error::Problem::TooManyCells {
                            limit: r.opts.limits.table_rows.saturating_mul(r.opts.limits.table_cols),
                            option: "--max-table-rows / --max-table-cols".into(),
                        });
                    }
                    // Empty fields are kept: a printed blank has a place.
                    t.cells.push(Cell::new(t.row, t.col, 1, 1, text));
                    t.col += 1;
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = r.table.take() {
                    let table = Table { name: None, cells: t.cells, rows: t.row, aligned: true };
                    r.doc.body.push(Item::Table(table));
                }
            }
            _ => {}
        }
    }
    r.flush_html()?;
    r.flush();
    Ok(r.doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(md: &str) -> Vec<String> {
        let eds = crate::edition::Editions::builtin().unwrap();
        parse(md, ReadOptions::new(&eds))
            .unwrap()
            .body
            .into_iter()
            .map(|i| match i {
                Item::Para(p) => p,
                Item::Table(t) => {
                    let cells: Vec<String> =
                        t.cells.iter().map(|c| format!("{},{}:{}", c.row, c.col, c.text)).collect();
                    format!("[{}]", cells.join("|"))
                }
            })
            .collect()
    }

    #[test]
    fn headings_paragraphs_and_tables() {
        let md = "# 某县2023年政府信息公开工作年度报告\n\n正文第一行\n第二行\n\n一、总体情况\n----\n\n\
                  | 信息内容 | 本年制发件数 |\n|---|:--:|\n| 规章 | 1 <br> 2 |\n| 规范性文件 |  |\n\n\
                  1. 一是\n2. 二是\n\n<table><tr><td>a</td>\n\n<td>**5**</td></tr></table>\n\n尾";
        assert_eq!(
            items(md),
            [
                "某县2023年政府信息公开工作年度报告",
                "正文第一行",
                "第二行",
                "一、总体情况",
                "[0,0:信息内容|0,1:本年制发件数|1,0:规章|1,1:1\n2|2,0:规范性文件|2,1:]",
                "1. 一是",
                "2. 二是",
                "[0,0:a|0,1:**5**]",
                "尾"
            ]
        );
    }

    #[test]
    fn the_limits_hold() {
        let eds = crate::edition::Editions::builtin().unwrap();
        let opts = ReadOptions {
            limits: crate::limits::Limits { table_rows: 3, table_cols: 2, ..Default::default() },
            ..ReadOptions::new(&eds)
        };
        let wide = "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |";
        assert!(parse(wide, opts).is_err());
        let long = "| a |\n|---|\n| 1 |\n| 2 |\n| 3 |";
        assert!(parse(long, opts).is_err());
        assert!(parse("| a | b |\n|---|---|\n| 1 | 2 |", opts).is_ok());
    }

    #[test]
    fn what_reads_as_markdown() {
        assert!(looks_like("| a | b |\n| --- | --- |\n| 1 | 2 |"));
        assert!(looks_like("## 一、总体情况\n文字\n## 二、主动公开"));
        assert!(looks_like("文字\n<table><tr><td>1</td></tr></table>"));
        assert!(!looks_like("一、总体情况\n规章  0  0  0\n# 号"));
        assert!(!looks_like("收到申请 3 件 | 办结 2 件"));
    }
}
