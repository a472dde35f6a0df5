//! Writer for the publication as one HTML5 page, ready to paste into a
//! government website's content system: the title, preamble, six parts
//! and the tables ([`super::outline`], as in the Word document), the tables
//! drawn from the edition's layout with the official labels, `rowspan` and
//! `colspan`, and column widths from the edition (`widths`).
//!
//! The page is self-contained: no script, no external style sheet, font or
//! image. Every style is written on its element (`style="…"`), so that the
//! look survives when only the body is pasted into an editor that drops
//! `<head>`. Every text is escaped. The report's edition, organ, year,
//! contact and publication date are stamped in `<meta name="xxgk_…">` tags,
//! as the Word writer stamps custom properties, so that the HTML reader
//! ([`crate::read::html`]) reads the page back as the same report.
//!
//! A tab in the text has no place in HTML (it is white space there): it is
//! written as an em space (U+2003), which reads back as a space.

use super::outline::{outline, value_text, Block};
use super::typeset as ts;
use crate::edition::layout::{column_weights, layout, Content};
use crate::edition::Edition;
use crate::model::Report;
use crate::ooxml::esc;

/// The page's typesetting: the faces and line heights the Word document
/// uses ([`super::typeset`]), in CSS.
mod style {
    use super::super::typeset::{self as ts, pt};

    pub fn page() -> String {
        format!("max-width:156mm;margin:0 auto;{};line-height:{};color:#000", ts::BODY.css(), pt(ts::BODY_LINE))
    }
    pub fn title() -> String {
        format!(
            "{};line-height:{};font-weight:normal;text-align:center;margin:0 0 {} 0",
            ts::TITLE.css(),
            pt(ts::TITLE_LINE),
            pt(ts::BODY_LINE)
        )
    }
    /// A body paragraph: justified, or a short line never stretched, or a
    /// date four characters in from the right ([`ts::align`]).
    pub fn para(align: ts::Align) -> String {
        match align {
            ts::Align::Both => "text-indent:2em;text-align:justify;margin:0".to_string(),
            ts::Align::Start => "text-indent:2em;text-align:left;margin:0".to_string(),
            ts::Align::End(half) => format!("text-indent:0;text-align:right;margin:0 {}em 0 0", f64::from(half) / 2.0),
        }
    }
    pub fn heading() -> String {
        format!("{};font-weight:normal;text-indent:2em;margin:0", ts::HEADING.css())
    }
    /// The face of a heading of level 2 (楷体) or 3 and 4 (the body's 仿宋).
    fn face(level: u8) -> &'static ts::Face {
        if level == 2 {
            &ts::SUB_HEADING
        } else {
            &ts::BODY
        }
    }
    pub fn sub_heading(level: u8) -> String {
        format!("{};font-weight:normal;text-indent:2em;margin:0", face(level).css())
    }
    /// The heading phrase of a paragraph that goes on as body text.
    pub fn phrase(level: u8) -> String {
        face(level).css()
    }
    pub fn guidance() -> String {
        format!("{};color:#808080;text-indent:2em;margin:0", ts::GUIDANCE.css())
    }
    /// Tables: 五号, 15 pt lines, thin black borders.
    pub fn table() -> String {
        format!(
            "border-collapse:collapse;width:100%;table-layout:fixed;margin:0 0 14pt 0;font-size:{}pt;line-height:{};text-indent:0",
            f64::from(ts::TABLE.half_points) / 2.0,
            pt(ts::TABLE_LINE)
        )
    }
    pub const CELL: &str = "border:1px solid #000;padding:1pt 3pt;vertical-align:middle;text-align:center;font-weight:normal;word-break:break-all";
    pub const LEFT: &str = "text-align:left";
    /// Numbers in Times New Roman, as in the Word document.
    pub const VALUE: &str = "font-family:'Times New Roman',Times,serif";
}

/// Render a report as an HTML page.
pub fn render(report: &Report, ed: &Edition) -> Vec<u8> {
    render_stamped(report, ed, 0)
}

/// [`render`], for a publication made although the report had `errors`
/// (stamped in a `<meta>`, [`crate::stamp::PROP_ERRORS`]).
pub fn render_stamped(report: &Report, ed: &Edition, errors: usize) -> Vec<u8> {
    let report = &super::outline::published(report);
    let blocks = outline(report, ed, false);
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Title(t) => Some(t.concat()),
            _ => None,
        })
        .unwrap_or_default();
    let mut x = String::from("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    x.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    x.push_str("<meta name=\"generator\" content=\"xxgk\">\n");
    for (k, v) in crate::stamp::stamp(report, ed, errors) {
        x.push_str(&format!("<meta name=\"{k}\" content=\"{}\">\n", text(&v)));
    }
    x.push_str(&format!("<title>{}</title>\n</head>\n<body>\n<article style=\"{}\">\n", text(&title), style::page()));
    body(&mut x, report, ed, &blocks);
    x.push_str("</article>\n</body>\n</html>\n");
    x.into_bytes()
}

/// The blocks of the publication as HTML elements, every style inline.
fn body(x: &mut String, report: &Report, ed: &Edition, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Title(lines) => {
                // Each line a block of its own, so that the title reads back
                // as one paragraph (a `<br>` would part it in two).
                let lines: Vec<String> =
                    lines.iter().map(|l| format!("<span style=\"display:block\">{}</span>", text(l))).collect();
                x.push_str(&format!("<h1 style=\"{}\">{}</h1>\n", style::title(), lines.concat()));
            }
            Block::Para(t, _) if t.trim().is_empty() => {}
            Block::Para(t, align) => x.push_str(&format!("<p style=\"{}\">{}</p>\n", style::para(*align), text(t))),
            Block::Heading(t) => x.push_str(&format!("<h2 style=\"{}\">{}</h2>\n", style::heading(), text(t))),
            Block::Sub { level, head, rest } if rest.is_empty() => {
                let tag = if *level == 2 { "h3" } else { "h4" };
                x.push_str(&format!("<{tag} style=\"{}\">{}</{tag}>\n", style::sub_heading(*level), text(head)));
            }
            Block::Sub { level, head, rest } => x.push_str(&format!(
                "<p style=\"{}\"><span style=\"{}\">{}</span>{}</p>\n",
                style::para(ts::Align::Both),
                style::phrase(*level),
                text(head),
                text(rest)
            )),
            Block::Guidance(t) => x.push_str(&format!("<p style=\"{}\">{}</p>\n", style::guidance(), text(t))),
            Block::Table(ti) => table(x, report, ed, *ti, false),
        }
    }
}

/// The publication as an HTML fragment to paste into the editor of a
/// government website's content system (TRS, 政务网站集约化平台 and the
/// like): no `<html>`, `<head>` or `<meta>` — such editors drop them — only
/// a `<div>` with the title, text and tables, every style inline, tables
/// with `border`, `cellspacing`, `cellpadding` and `width` attributes as
/// well as styles (editors that strip styles keep the attributes). It reads
/// back as the same report ([`crate::read::html`]): organ and year from the
/// title, the edition from the tables; only the contact and publication
/// date, which the page prints nowhere, are not in it.
pub fn fragment(report: &Report, ed: &Edition) -> Vec<u8> {
    let report = &super::outline::published(report);
    let blocks = outline(report, ed, false);
    let mut x = format!("<div style=\"{}\">\n", style::page());
    body(&mut x, report, ed, &blocks);
    x.push_str("</div>\n");
    x.into_bytes()
}

/// Escaped text; a tab becomes an em space, a line break `<br>`.
fn text(s: &str) -> String {
    esc(s).replace('\t', "\u{2003}").replace('\n', "<br>")
}

/// The report's tables alone, as drawn in the page, each value cell
/// carrying its cell id (`data-cell="…"`) so that a page can mark and
/// select cells (`xxgk serve`).
pub fn tables(report: &Report, ed: &Edition) -> String {
    let mut x = String::new();
    for ti in 0..ed.tables.len() {
        if let Some(t) = ed.tables.get(ti) {
            x.push_str(&format!("<h3>{}　{}</h3>\n", text(&t.name), text(&t.title)));
        }
        table(&mut x, report, ed, ti, true);
    }
    x
}

fn table(x: &mut String, report: &Report, ed: &Edition, ti: usize, cell_ids: bool) {
    let lay = layout(ed, ti);
    let weights = column_weights(ed, ti, &lay);
    let total: f64 = weights.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let name = ed.tables.get(ti).map(|t| format!("{}　{}", t.name, t.title)).unwrap_or_default();
    // Borders and widths as attributes too: editors that strip styles keep them.
    x.push_str(&format!(
        "<table border=\"1\" cellspacing=\"0\" cellpadding=\"2\" width=\"100%\" style=\"{}\" aria-label=\"{}\">\n<colgroup>",
        style::table(),
        text(&name)
    ));
    for w in &weights {
        let pct = w / total * 100.0;
        x.push_str(&format!("<col width=\"{pct:.2}%\" style=\"width:{pct:.2}%\">"));
    }
    x.push_str("</colgroup>\n");
    let cover = lay.cover();
    // The head: every row up to the last header row of the first block.
    let head_end = lay.header_rows.iter().max().map_or(0, |r| r + 1);
    for r in 0..lay.rows {
        if r == 0 && head_end > 0 {
            x.push_str("<thead>\n");
        }
        if r == head_end {
            x.push_str("<tbody>\n");
        }
        x.push_str("<tr>");
        for c in 0..lay.cols {
            let at = cover.get(r as usize).and_then(|row| row.get(c as usize)).copied().flatten();
            let Some(p) = at.and_then(|i| lay.cells.get(i)) else {
                x.push_str(&format!("<td style=\"{}\"></td>", style::CELL));
                continue;
            };
            if p.row != r || p.col != c {
                continue;
            }
            let spans = format!(
                "{}{}",
                if p.rowspan > 1 { format!(" rowspan=\"{}\"", p.rowspan) } else { String::new() },
                if p.colspan > 1 { format!(" colspan=\"{}\"", p.colspan) } else { String::new() }
            );
            let (tag, extra, body) = match &p.content {
                Content::Value(i) => ("td", format!(";{}", style::VALUE), value_text(report, ed, *i)),
                Content::RowLabel(s) | Content::Heading(s) if p.rowspan == 1 => {
                    ("th", format!(";{}", style::LEFT), s.clone())
                }
                Content::Heading(s) | Content::Corner(s) | Content::ColumnLabel(s) | Content::RowLabel(s) => {
                    ("th", String::new(), s.clone())
                }
            };
            let id = match &p.content {
                Content::Value(i) if cell_ids => ed
                    .cells
                    .get(*i)
                    .map(|c| format!(" data-cell=\"{}\" data-label=\"{}\"", esc(&c.id), esc(&c.location))),
                _ => None,
            }
            .unwrap_or_default();
            let scope = match &p.content {
                Content::RowLabel(_) => " scope=\"row\"",
                Content::ColumnLabel(_) => " scope=\"col\"",
                _ => "",
            };
            x.push_str(&format!("<{tag}{scope}{spans}{id} style=\"{}{extra}\">{}</{tag}>", style::CELL, text(&body)));
        }
        x.push_str("</tr>\n");
        if r + 1 == head_end {
            x.push_str("</thead>\n");
        }
    }
    if head_end < lay.rows {
        x.push_str("</tbody>\n");
    }
    x.push_str("</table>\n");
}
