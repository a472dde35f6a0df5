//! Reader for published reports as HTML pages, as saved from government
//! websites. Text outside tables becomes paragraphs at block-level tags and
//! `<br>`; tables become positioned cells through their `rowspan` and
//! `colspan`, in the neutral [`Doc`] that the one mapper ([`super::map`])
//! reads. There is no DOM: tag soup (unclosed `<td>`, `<tr>`, tables) is
//! closed the way a browser closes it.
//!
//! Tokenizer: `html5gum`, WHATWG-compliant (html5lib's tests), no dependencies,
//! all named and numeric references decoded, attributes per spec. html5ever's
//! tokenizer is as exact but brings markup5ever, string_cache and tendril;
//! `lol_html` is a selector-based rewriter with more dependencies; `tl` is not
//! spec-compliant and leaves entities encoded.

use super::container::read_file;
use super::doc::{Cell as TCell, Document as Doc, Item, SourceKind, Table};
use super::ReadOptions;
use crate::error::{Error, Problem, Result};
use crate::limits::Limits;
use html5gum::{DefaultEmitter, Token, Tokenizer};
use std::collections::HashSet;
use std::path::Path;

pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Doc> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read an HTML report from its bytes (`path` names it in messages): a web
/// page, or a page saved as one file (.mhtml, "网页，单个文件").
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Doc> {
    let saved;
    let bytes = match super::mhtml::html_part(bytes) {
        Some(part) => {
            saved = part.map_err(|why| Error::invalid(path, why))?;
            &saved[..]
        }
        None => bytes,
    };
    let (text, lossy) = super::container::decode(bytes, declared(bytes));
    let mut doc = parse(&text, &opts.limits).map_err(|problem| Error::read(path, problem))?;
    if lossy {
        doc.warnings.push(crate::model::Warning {
            code: "READ-ENCODING".into(),
            message: "网页的编码既不是 UTF-8 也不是完整的 GBK，部分字符可能显示不正确".into(),
            source: None,
        });
    }
    Ok(doc)
}

/// The charset a page declares (`<meta charset=…>`, `content="…; charset=…"`).
fn declared(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = String::from_utf8_lossy(bytes.get(..bytes.len().min(4096)).unwrap_or_default()).to_ascii_lowercase();
    let i = head.find("charset=")?;
    let label: String = head
        .get(i + 8..)
        .unwrap_or_default()
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// The HTML rules for parsing non-negative integers: leading ASCII white
/// space, an optional sign, digits; whatever follows the digits is ignored.
/// `None` when there are no digits or the value is negative.
fn non_negative(value: &[u8]) -> Option<u32> {
    let s = value.trim_ascii_start();
    let (negative, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let digits = s.iter().take_while(|b| b.is_ascii_digit());
    let mut n: Option<u32> = None;
    for d in digits {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(u32::from(d - b'0')));
    }
    n.filter(|&n| !negative || n == 0)
}

/// `colspan`: 1 when missing, unparsable or 0; at most 1000.
fn colspan(value: Option<&[u8]>) -> u32 {
    value.and_then(non_negative).filter(|&n| n > 0).map_or(1, |n| n.min(1000))
}

/// `rowspan`: 1 when missing or unparsable; at most 65534; 0 means "to the
/// end of the row group".
fn rowspan(value: Option<&[u8]>) -> u32 {
    value.and_then(non_negative).map_or(1, |n| n.min(65534))
}

const BLOCK: &[&[u8]] = &[
    b"p",
    b"div",
    b"br",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"li",
    b"section",
    b"article",
    b"center",
    b"blockquote",
    b"ul",
    b"ol",
    b"hr",
];
/// Subtrees whose text is not the report's.
const SKIP: &[&[u8]] = &[b"script", b"style", b"head", b"noscript", b"iframe", b"svg", b"object"];
/// Of those, the ones whose contents the tokenizer reads as raw text, so a
/// `/>` on their start tag does not end them (as in a browser).
const RAW: &[&[u8]] = &[b"script", b"style", b"noscript", b"iframe"];

struct PendingCell {
    rowspan: u32,
    colspan: u32,
    text: String,
}

struct Row {
    /// Rows of one `<thead>`/`<tbody>`/`<tfoot>` share it.
    group: u32,
    cells: Vec<PendingCell>,
}

#[derive(Default)]
struct HtmlTable {
    rows: Vec<Row>,
    cell: Option<PendingCell>,
    group: u32,
    in_row: bool,
}

fn too_many_rows(limits: &Limits) -> Problem {
    Problem::TooManyRows { limit: limits.table_rows }
}

impl HtmlTable {
    fn close_cell(&mut self) {
        if let Some(c) = self.cell.take() {
            if let Some(r) = self.rows.last_mut() {
                r.cells.push(c);
            }
        }
    }

    fn start_row(&mut self, limits: &Limits) -> std::result::Result<(), Problem> {
        self.close_cell();
        if self.rows.len() >= limits.table_rows {
            return Err(too_many_rows(limits));
        }
        self.rows.push(Row { group: self.group, cells: Vec::new() });
        self.in_row = true;
        Ok(())
    }

    fn end_row(&mut self) {
        self.close_cell();
        self.in_row = false;
    }

    /// A `<td>` or `<th>`; outside a row it opens one, as a browser does.
    fn start_cell(&mut self, rowspan: u32, colspan: u32, limits: &Limits) -> std::result::Result<(), Problem> {
        self.close_cell();
        if !self.in_row {
            self.start_row(limits)?;
        }
        self.cell = Some(PendingCell { rowspan, colspan, text: String::new() });
        Ok(())
    }

    /// `<thead>`, `<tbody>`, `<tfoot>` or their end: a new row group.
    fn new_group(&mut self) {
        self.end_row();
        self.group += 1;
    }
}

fn append_line(to: &mut String, text: &str) {
    if !to.is_empty() {
        to.push('\n');
    }
    to.push_str(text);
}

/// Text as the tokenizer gives it (references decoded), with line breaks,
/// tabs and the spaces `&nbsp;`, `&ensp;`, `&emsp;`, `&thinsp;` … stand for
/// read as plain spaces.
fn push_text(para: &mut String, text: &[u8]) {
    for ch in String::from_utf8_lossy(text).chars() {
        para.push(match ch {
            '\n' | '\r' | '\t' | '\u{a0}' | '\u{2002}'..='\u{200a}' => ' ',
            c => c,
        });
    }
}

struct Reader<'l> {
    doc: Doc,
    para: String,
    tables: Vec<HtmlTable>,
    limits: &'l Limits,
}

impl Reader<'_> {
    /// The paragraph so far goes to the open cell, else to the body: text
    /// inside a table but outside its cells (a caption, text between rows)
    /// is kept as a paragraph rather than dropped.
    fn flush(&mut self) {
        let t = self.para.trim().to_string();
        self.para.clear();
        if t.is_empty() {
            return;
        }
        match self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            Some(cell) => append_line(&mut cell.text, &t),
            None => self.doc.body.push(Item::Para(t)),
        }
    }

    fn open_table(&mut self) -> std::result::Result<(), Problem> {
        self.flush();
        if self.tables.len() >= self.limits.table_nesting {
            return Err(Problem::TablesTooDeep { limit: self.limits.table_nesting });
        }
        self.tables.push(HtmlTable::default());
        Ok(())
    }

    /// A table ends: an outer one goes to the body; a nested one's text is
    /// joined into the outer cell (or, outside any cell, is a table of its own).
    fn close_table(&mut self) -> std::result::Result<(), Problem> {
        self.flush();
        let Some(mut t) = self.tables.pop() else { return Ok(()) };
        t.close_cell();
        let table = resolve(t, self.limits)?;
        match self.tables.last_mut().and_then(|o| o.cell.as_mut()) {
            Some(cell) => {
                for c in &table.cells {
                    append_line(&mut cell.text, &c.text);
                }
            }
            None => self.doc.body.push(Item::Table(table)),
        }
        Ok(())
    }

    /// A start tag (`attr` gives its attributes) or an end tag.
    fn tag(
        &mut self,
        name: &[u8],
        start: bool,
        attr: impl Fn(&[u8]) -> Option<Vec<u8>>,
    ) -> std::result::Result<(), Problem> {
        match name {
            b"table" if start => self.open_table()?,
            b"table" => self.close_table()?,
            b"tr" | b"td" | b"th" | b"thead" | b"tbody" | b"tfoot" => {
                self.flush();
                let Some(t) = self.tables.last_mut() else { return Ok(()) };
                match (name, start) {
                    (b"tr", true) => t.start_row(self.limits)?,
                    (b"tr", false) => t.end_row(),
                    (b"td" | b"th", true) => {
                        let (r, c) = (rowspan(attr(b"rowspan").as_deref()), colspan(attr(b"colspan").as_deref()));
                        t.start_cell(r, c, self.limits)?;
                    }
                    (b"td" | b"th", false) => t.close_cell(),
                    _ => t.new_group(),
                }
            }
            n if BLOCK.contains(&n) => self.flush(),
            _ => {}
        }
        Ok(())
    }
}

/// A `<meta name="xxgk_…" content="…">` in the head: the stamp xxgk's
/// HTML writer leaves (edition, organ, year, …), read as the Word reader
/// reads custom properties.
/// Other meta tags sites set (ArticleTitle, ContentSource, PubDate) are
/// read as the page's metadata ([`super::page::meta`]).
fn stamp(doc: &mut Doc, attr: impl Fn(&[u8]) -> Option<Vec<u8>>) {
    let (Some(name), Some(content)) = (attr(b"name"), attr(b"content")) else { return };
    let name = String::from_utf8_lossy(&name).trim().to_string();
    let content = String::from_utf8_lossy(&content).to_string();
    if name.starts_with("xxgk_") {
        if !doc.properties.iter().any(|(k, _)| *k == name) {
            doc.properties.push((name, content));
        }
    } else {
        super::page::meta(doc, &name, &content);
    }
}

/// Parse HTML into paragraphs and tables.
pub fn parse(html: &str, limits: &Limits) -> std::result::Result<Doc, Problem> {
    let mut r = Reader { doc: Doc::new(SourceKind::Html), para: String::new(), tables: Vec::new(), limits };
    // The skipped element and how many of it are open.
    let mut skip: Option<(Vec<u8>, usize)> = None;
    // The text of `<title>`, while in it.
    let mut title: Option<String> = None;
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    for token in Tokenizer::new_with_emitter(html, emitter) {
        let Ok(token) = token;
        match token {
            Token::String(s) if skip.is_none() => push_text(&mut r.para, &s),
            Token::String(s) => {
                if let Some(t) = title.as_mut() {
                    push_text(t, &s);
                }
            }
            Token::StartTag(tag) => {
                let name = tag.name.as_slice();
                let opens = !tag.self_closing || RAW.contains(&name);
                if let Some((skipped, depth)) = &mut skip {
                    if skipped == b"head" && name == b"meta" {
                        stamp(&mut r.doc, |a| tag.attributes.get(a).map(|v| v.value.to_vec()));
                    }
                    if skipped == b"head" && name == b"title" {
                        title = Some(String::new());
                    }
                    if name == skipped.as_slice() && opens {
                        *depth += 1;
                    } else if skipped == b"head" && name == b"body" {
                        // `<body>` ends an unclosed `<head>`.
                        skip = None;
                    }
                    continue;
                }
                if SKIP.contains(&name) {
                    if opens {
                        skip = Some((name.to_vec(), 1));
                    }
                    continue;
                }
                r.tag(name, true, |a| tag.attributes.get(a).map(|v| v.value.to_vec()))?;
            }
            Token::EndTag(tag) => {
                if tag.name.as_slice() == b"title" {
                    if let Some(t) = title.take() {
                        super::page::title(&mut r.doc, &t);
                    }
                }
                if let Some((skipped, depth)) = &mut skip {
                    if tag.name.as_slice() == skipped.as_slice() {
                        *depth -= 1;
                        if *depth == 0 {
                            skip = None;
                        }
                    }
                    continue;
                }
                r.tag(tag.name.as_slice(), false, |_| None)?;
            }
            _ => {}
        }
    }
    r.flush();
    // Tables left open at the end close as `</table>` would close them.
    while !r.tables.is_empty() {
        r.close_table()?;
    }
    let mut doc = r.doc;
    super::page::read_box(&mut doc);
    Ok(doc)
}

/// Place cells on the grid through rowspan and colspan. A row span ends
/// with its row group (`rowspan="0"` reaches to that end), as in a browser.
fn resolve(t: HtmlTable, limits: &Limits) -> std::result::Result<Table, Problem> {
    let max_cells = limits.table_rows.saturating_mul(limits.table_cols);
    if t.rows.len() > limits.table_rows {
        return Err(too_many_rows(limits));
    }
    // For each row, the number of rows from it to the end of its group.
    let mut to_group_end = vec![0u32; t.rows.len()];
    let mut next: Option<(u32, u32)> = None; // (group, rows left) of the row below
    for (left, row) in to_group_end.iter_mut().zip(&t.rows).rev() {
        *left = match next {
            Some((g, n)) if g == row.group => n + 1,
            _ => 1,
        };
        next = Some((row.group, *left));
    }
    let mut occupied: HashSet<(u32, u32)> = HashSet::new();
    let mut out = Table { aligned: true, ..Table::default() };
    for ((r, row), left) in t.rows.into_iter().enumerate().zip(to_group_end) {
        let r = r as u32;
        let mut c = 0u32;
        for PendingCell { rowspan, colspan, text } in row.cells {
            let rowspan = if rowspan == 0 { left } else { rowspan.min(left) };
            while occupied.contains(&(r, c)) {
                c += 1;
            }
            if occupied.len() + (rowspan as usize) * (colspan as usize) > max_cells {
                return Err(Problem::TooManyCells {
                    limit: max_cells,
                    option: "--max-table-rows / --max-table-cols".into(),
                });
            }
            for dr in 0..rowspan {
                for dc in 0..colspan {
                    occupied.insert((r + dr, c + dc));
                }
            }
            out.cells.push(TCell::new(r, c, rowspan, colspan, text.trim().to_string()));
            c += colspan;
        }
    }
    out.rows = out.cells.iter().map(|c| c.row + c.rowspan).max().unwrap_or(0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(html: &str) -> Doc {
        parse(html, &Limits::default()).unwrap()
    }

    /// The cells of the only table: (row, col, rowspan, colspan, text).
    fn cells(html: &str) -> Vec<(u32, u32, u32, u32, String)> {
        let tables: Vec<Table> = doc(html)
            .body
            .into_iter()
            .filter_map(|i| match i {
                Item::Table(t) => Some(t),
                Item::Para(_) => None,
            })
            .collect();
        assert_eq!(tables.len(), 1, "{html}");
        tables[0].cells.iter().map(|c| (c.row, c.col, c.rowspan, c.colspan, c.text.clone())).collect()
    }

    fn texts(html: &str) -> Vec<String> {
        cells(html).into_iter().map(|c| c.4).collect()
    }

    fn paras(html: &str) -> Vec<String> {
        doc(html).paragraphs().map(str::to_string).collect()
    }

    fn c(row: u32, col: u32, rowspan: u32, colspan: u32, text: &str) -> (u32, u32, u32, u32, String) {
        (row, col, rowspan, colspan, text.to_string())
    }

    #[test]
    fn spans_are_read_as_the_spec_says() {
        // Spaces around `=`.
        assert_eq!(
            cells(r#"<table><tr><td colspan = "2">a</td><td>b</td></tr></table>"#),
            [c(0, 0, 1, 2, "a"), c(0, 2, 1, 1, "b")]
        );
        // Other attributes ending in `colspan` are not it.
        assert_eq!(
            cells(r#"<table><tr><td data-colspan="5" data-rowspan="3">a</td><td>b</td></tr></table>"#),
            [c(0, 0, 1, 1, "a"), c(0, 1, 1, 1, "b")]
        );
        // Upper case, unquoted, leading white space, trailing junk, a sign.
        assert_eq!(
            cells("<TABLE><TR><TD COLSPAN=2 ROWSPAN=' 2x'>a<TD colspan=+3>b<TR><TD>c</TABLE>"),
            [c(0, 0, 2, 2, "a"), c(0, 2, 1, 3, "b"), c(1, 2, 1, 1, "c")]
        );
        // Unparsable, zero and negative colspans are 1; large ones are capped.
        for (v, want) in [("x", 1), ("0", 1), ("-2", 1), ("", 1), ("5000", 1000), ("99999999999", 1000)] {
            let got = cells(&format!(r#"<table><tr><td colspan="{v}">a</td></tr></table>"#));
            assert_eq!(got[0].3, want, "colspan={v:?}");
        }
        // A row span ends with its row group; 0 reaches to that end.
        assert_eq!(
            cells(
                "<table><tbody><tr><td rowspan=0>a<td>b<tr><td>c<tr><td>d</tbody>\
                 <tbody><tr><td rowspan=9>e<td>f<tr><td>g</tbody></table>"
            ),
            [
                c(0, 0, 3, 1, "a"),
                c(0, 1, 1, 1, "b"),
                c(1, 1, 1, 1, "c"),
                c(2, 1, 1, 1, "d"),
                c(3, 0, 2, 1, "e"),
                c(3, 1, 1, 1, "f"),
                c(4, 1, 1, 1, "g"),
            ]
        );
    }

    #[test]
    fn every_character_reference_is_decoded() {
        assert_eq!(
            texts("<table><tr><td>1&nbsp;234<td>&ensp;7&emsp;<td>&frac12;<td>&#49;&#x32;&#X33;<td>&amp;&lt;&gt;&quot;<td>&notin;&hellip;&yen;</table>"),
            ["1 234", "7", "½", "123", "&<>\"", "∉…¥"]
        );
        // Legacy references without `;`, and an `&` that is none.
        assert_eq!(
            paras("<p>A&nbspB &copy 2021 R&D &unknown; &#0; &#xD800;</p>"),
            ["A B © 2021 R&D &unknown; \u{fffd} \u{fffd}"]
        );
    }

    #[test]
    fn scripts_comments_and_cdata_hide_their_markup() {
        assert_eq!(
            texts(
                r#"<table><tr><td>1<script>var s = "</td><td>9</tr>";</script></td><td>2<style>td::after{content:"</td>"}</style></td></tr></table>"#
            ),
            ["1", "2"]
        );
        // A `/>` does not end a script: its contents are still script.
        assert_eq!(texts("<table><tr><td>1<script/>if (a</td>) x()</script><td>2</table>"), ["1", "2"]);
        // Outside SVG, `<![CDATA[` opens a bogus comment that ends at the
        // first `>`, as in a browser.
        let d = doc("<p>a</p><!-- <table><tr><td>9</td></tr></table> --><p>b<![CDATA[<td]]></p><!--> c");
        assert!(d.body.iter().all(|i| matches!(i, Item::Para(_))));
        assert_eq!(d.paragraphs().collect::<Vec<_>>(), ["a", "b", "c"]);
        // An unclosed `<head>` ends at `<body>`.
        assert_eq!(paras("<html><head><title>t</title><meta charset=utf-8><body><p>正文"), ["正文"]);
        assert_eq!(paras("<svg><svg></svg><text>x</text></svg><object/>y"), ["y"]);
    }

    #[test]
    fn tag_soup_closes_as_a_browser_closes_it() {
        // Unclosed cells and rows; `<th>` like `<td>`.
        assert_eq!(
            cells("<table><tr><th>项目<th>数量<tr><td>收到<td>5<tr><td>办结<td>4</table>"),
            [
                c(0, 0, 1, 1, "项目"),
                c(0, 1, 1, 1, "数量"),
                c(1, 0, 1, 1, "收到"),
                c(1, 1, 1, 1, "5"),
                c(2, 0, 1, 1, "办结"),
                c(2, 1, 1, 1, "4")
            ]
        );
        // A cell after `</tr>` opens a row; a cell before any `<tr>` too.
        assert_eq!(
            cells("<table><td>a</td></tr><td>b</td><td>c</td></table>"),
            [c(0, 0, 1, 1, "a"), c(1, 0, 1, 1, "b"), c(1, 1, 1, 1, "c")]
        );
        // The page ends inside a cell of an unclosed table.
        assert_eq!(texts("<table><tr><td>a<td>b<br>c"), ["a", "b\nc"]);
    }

    #[test]
    fn text_and_nested_tables_go_where_they_belong() {
        let d = doc("<div>标题\n 一\t二</div><table><caption>说明</caption><tr><td><p>甲</p><p>乙</p>\
             <table><tr><td>内1<td>内2</table></td><td>x</td></tr>间<tr><td>y</td></tr></table>尾");
        let items: Vec<String> = d
            .body
            .iter()
            .map(|i| match i {
                Item::Para(p) => p.clone(),
                Item::Table(t) => t.cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("|"),
            })
            .collect();
        assert_eq!(items, ["标题  一 二", "说明", "间", "甲\n乙\n内1\n内2|x|y", "尾"]);
    }

    #[test]
    fn the_limits_hold() {
        let limits = Limits { table_nesting: 2, table_rows: 3, table_cols: 2, ..Limits::default() };
        let nested = "<table><tr><td><table><tr><td><table><tr><td>x</table></table></table>";
        assert!(parse(nested, &limits).unwrap_err().to_string().contains("嵌套超过 2 层"));
        let rows = "<table><tr><td>1<tr><td>2<tr><td>3<tr><td>4</table>";
        assert!(parse(rows, &limits).unwrap_err().to_string().contains("超过 3 行"));
        let wide = "<table><tr><td colspan=7>1</table>";
        assert!(parse(wide, &limits).unwrap_err().to_string().contains("超过 6 个单元格"));
    }

    /// A 300 KB page of tables and paragraphs is read in well under a second
    /// even unoptimized (a few milliseconds in a release build).
    #[test]
    fn a_large_page_is_read_quickly() {
        let mut html = String::from("<html><head><title>t</title></head><body>");
        while html.len() < 300_000 {
            html.push_str("<p>&nbsp;&nbsp;一、总体情况 &ldquo;公开&rdquo;</p><table border=1>");
            for r in 0..20 {
                html.push_str(&format!(
                    "<tr><td rowspan=2>第{r}行</td><td colspan = \"2\">1&nbsp;234</td><td>&#x35;</td></tr>"
                ));
            }
            html.push_str("</table>");
        }
        let start = std::time::Instant::now();
        let d = doc(&html);
        let took = start.elapsed();
        assert!(d.body.len() > 100);
        assert!(took < std::time::Duration::from_secs(3), "{took:?}");
        eprintln!("300 KB page: {took:?}");
    }
}
