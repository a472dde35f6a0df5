//! Writer for Word documents: the normalized report for publication and the
//! blank Word template share one layout, following GB/T 9704 conventions
//! (formats.md §9):
//!
//! - A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
//! - title 2号 方正小标宋简体, centred; body 3号 仿宋_GB2312, fixed line
//!   spacing 28.9 pt, first-line indent of two characters; punctuation
//!   kept inside the margins (no hanging 标点溢出边界);
//! - 一、 headings in 黑体, （一） headings in 楷体_GB2312;
//! - page numbers `— N —` in 4号 宋体, right on odd pages and left on even
//!   pages, each with a one-character indent;
//! - tables drawn from the edition's layout ([`crate::edition::layout`]) with
//!   the official labels and merges and the edition's column widths, in 五号
//!   仿宋_GB2312 with numbers in Times New Roman, exact 15 pt lines off the
//!   body's line grid ([`TABLE_TEXT`]); header rows repeat, rows never split
//!   and every row keeps with the next, so a table that fits a page (表三
//!   does) is never broken across two.
//!
//! The parts are written by hand as WordprocessingML in schema order (no
//! docx-rs: its element order breaks the schema, crates-notes.md §3), every
//! string is stripped of characters XML cannot hold, and the package is
//! zipped with fixed timestamps: the same input gives the same bytes. The
//! organ, year, edition, contact and publication date are stamped in custom
//! document properties.

// Indexing is bounded here: grid positions come from the layout, whose rows and columns the cover table is sized to; widths has one entry per grid column.
#![allow(clippy::indexing_slicing)]

use super::outline::{outline, value_text, Block};
use crate::edition::layout::{layout, Content};
use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use crate::ooxml::{esc, package};

/// What the document is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The normalized report for publication.
    Publish,
    /// The blank template: each part carries guidance on what it must contain.
    Template,
}

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
/// Text width of an A4 page with GB/T 9704 margins, in twips (156 mm).
const TEXT_WIDTH: u32 = ts::TEXT_WIDTH;

use super::typeset::{self as ts, Align, Face};

/// Render a report as a .docx document.
///
/// # Errors
/// Only if packaging fails (it should not).
pub fn render(report: &Report, ed: &Edition, purpose: Purpose) -> Result<Vec<u8>> {
    render_for(report, ed, purpose, Reader::Word, 0)
}

/// Who will lay the document out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// Word, WPS and every reader that follows ECMA-376.
    Word,
    /// LibreOffice, which reads `w:overflowPunct` inverted (its DOCX import
    /// sets "hanging punctuation" when the value is 0: `DomainMapper.cxx`,
    /// `LN_CT_PPrBase_overflowPunct`): the flag is written as it reads it,
    /// so that punctuation stays inside the margins there too. Used only to
    /// print the PDF ([`super::pdf`]); every other byte is the same.
    LibreOffice,
}

/// [`render`], for a given reader; a publication made although the report
/// had `errors` says so in its custom properties ([`crate::stamp::PROP_ERRORS`]).
///
/// # Errors
/// Only if packaging fails (it should not).
pub fn render_for(report: &Report, ed: &Edition, purpose: Purpose, reader: Reader, errors: usize) -> Result<Vec<u8>> {
    // A publication prints the text tidied, and says so in its stamp.
    let tidied;
    let report = if purpose == Purpose::Publish {
        tidied = super::outline::published(report);
        &tidied
    } else {
        report
    };
    let document = document_xml(report, ed, purpose);
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        ("docProps/app.xml", APP.as_bytes().to_vec()),
        ("docProps/core.xml", core_xml(report, errors).into_bytes()),
        ("docProps/custom.xml", custom_xml(report, ed, errors).into_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes().to_vec()),
        ("word/document.xml", document.into_bytes()),
        ("word/styles.xml", styles_xml(reader).into_bytes()),
        ("word/settings.xml", SETTINGS.as_bytes().to_vec()),
        ("word/fontTable.xml", font_table_xml().into_bytes()),
        ("word/theme/theme1.xml", THEME.as_bytes().to_vec()),
        ("word/footer1.xml", footer_xml(true).into_bytes()),
        ("word/footer2.xml", footer_xml(false).into_bytes()),
    ];
    package(&parts).map_err(|e| Error::render(" Word 文件", e))
}

fn runs(text: &str) -> String {
    let mut out = String::new();
    for (i, seg) in text.split('\t').enumerate() {
        if i > 0 {
            out.push_str("<w:r><w:tab/></w:r>");
        }
        if !seg.is_empty() {
            out.push_str(&format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(seg)));
        }
    }
    out
}

fn para(style: &str, text: &str) -> String {
    format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{}</w:p>", runs(text))
}

/// A body paragraph with its alignment ([`ts::align`]): short lines are
/// never stretched, a date stands four characters in from the right.
fn body_para(text: &str, align: Align) -> String {
    let ppr = match align {
        Align::Both => String::new(),
        Align::Start => "<w:jc w:val=\"left\"/>".to_string(),
        // Half characters of 三号 (8 pt = 160 twips).
        Align::End(half) => format!(
            "<w:ind w:right=\"{}\" w:firstLineChars=\"0\" w:firstLine=\"0\"/><w:jc w:val=\"right\"/>",
            half * ts::BODY.half_points * 5
        ),
    };
    format!("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/>{ppr}</w:pPr>{}</w:p>", runs(text))
}

/// The title, its lines separated by line breaks ([`ts::title_lines`]).
fn title_para(lines: &[String]) -> String {
    let runs: Vec<String> = lines.iter().map(|l| runs(l)).collect();
    format!("<w:p><w:pPr><w:pStyle w:val=\"Title\"/></w:pPr>{}</w:p>", runs.join("<w:r><w:br/></w:r>"))
}

/// A paragraph opening with a heading of `level` 2 to 4: a heading of its
/// own (style `HeadingN`, kept with the next paragraph), or body text whose
/// heading phrase alone is in the heading's face (character style
/// `HeadingNChar`; GB/T 9704: the level-2 phrase in 楷体).
fn sub_para(level: u8, head: &str, rest: &str) -> String {
    if rest.is_empty() {
        return para(&format!("Heading{level}"), head);
    }
    let head_runs =
        runs(head).replace("<w:r>", &format!("<w:r><w:rPr><w:rStyle w:val=\"Heading{level}Char\"/></w:rPr>"));
    format!("<w:p><w:pPr><w:pStyle w:val=\"Normal\"/></w:pPr>{head_runs}{}</w:p>", runs(rest))
}

fn document_xml(report: &Report, ed: &Edition, purpose: Purpose) -> String {
    let mut body = String::new();
    for block in outline(report, ed, purpose == Purpose::Template) {
        match block {
            Block::Title(lines) => body.push_str(&title_para(&lines)),
            Block::Para(t, align) => body.push_str(&body_para(&t, align)),
            Block::Heading(t) => body.push_str(&para("Heading1", &t)),
            Block::Sub { level, head, rest } => body.push_str(&sub_para(level, &head, &rest)),
            Block::Guidance(t) => body.push_str(&para("Guidance", &t)),
            Block::Table(ti) => body.push_str(&table_xml(report, ed, ti)),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{body}\
<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:footerReference w:type=\"even\" r:id=\"rId4\"/>\
<w:pgSz w:w=\"{}\" w:h=\"{}\"/><w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/><w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{}\" w:charSpace=\"{}\"/></w:sectPr></w:body></w:document>",
        ts::PAGE_WIDTH,
        ts::PAGE_HEIGHT,
        ts::MARGIN_TOP,
        ts::MARGIN_RIGHT,
        ts::MARGIN_BOTTOM,
        ts::MARGIN_LEFT,
        ts::LINE_PITCH,
        ts::CHAR_SPACE
    )
}

/// Grid column widths in twips: the table's printed widths
/// ([`crate::edition::layout::column_weights`]) scaled to the text width.
fn column_widths(ed: &Edition, ti: usize, lay: &crate::edition::layout::TableLayout) -> Vec<u32> {
    let weight = crate::edition::layout::column_weights(ed, ti, lay);
    let total: f64 = weight.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let mut widths: Vec<u32> = weight.iter().map(|w| (w / total * TEXT_WIDTH as f64).floor() as u32).collect();
    let used: u32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH.saturating_sub(used);
    }
    widths
}

fn table_xml(report: &Report, ed: &Edition, ti: usize) -> String {
    let lay = layout(ed, ti);
    let widths = column_widths(ed, ti, &lay);
    let mut x = String::new();
    x.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>"
    ));
    for w in &widths {
        x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let cover = lay.cover();
    for r in 0..lay.rows {
        let header = lay.header_rows.contains(&r);
        // Every row but the last keeps with the next: the table moves to a
        // new page whole rather than split (it fits one page, typeset::TABLE).
        let keep = if r + 1 < lay.rows { "<w:keepNext/>" } else { "" };
        x.push_str(&format!("<w:tr><w:trPr><w:cantSplit/>{}</w:trPr>", if header { "<w:tblHeader/>" } else { "" }));
        let mut c = 0u32;
        while c < lay.cols {
            let (span, vmerge, text, left) = match cover[r as usize][c as usize].map(|i| &lay.cells[i]) {
                Some(p) => {
                    let vmerge = if p.rowspan > 1 {
                        if p.row == r {
                            "<w:vMerge w:val=\"restart\"/>"
                        } else {
                            "<w:vMerge/>"
                        }
                    } else {
                        ""
                    };
                    let text = if p.row != r {
                        String::new()
                    } else {
                        match &p.content {
                            Content::Value(i) => value_text(report, ed, *i),
                            Content::Heading(s)
                            | Content::Corner(s)
                            | Content::ColumnLabel(s)
                            | Content::RowLabel(s) => s.clone(),
                        }
                    };
                    let left = matches!(p.content, Content::RowLabel(_) | Content::Heading(_)) && p.rowspan == 1;
                    (p.colspan, vmerge, text, left)
                }
                None => (1, "", String::new(), false),
            };
            let w: u32 = widths[c as usize..(c + span).min(lay.cols) as usize].iter().sum();
            let grid_span = if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() };
            let jc = if left { "<w:jc w:val=\"left\"/>" } else { "" };
            x.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{grid_span}{vmerge}<w:vAlign w:val=\"center\"/></w:tcPr>"));
            for line in text.split('\n') {
                x.push_str(&format!(
                    "<w:p><w:pPr><w:pStyle w:val=\"TableText\"/>{keep}{jc}</w:pPr>{}</w:p>",
                    runs(line)
                ));
            }
            x.push_str("</w:tc>");
            c += span;
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x
}

fn fonts(east_asia: &str, ascii: &str) -> String {
    format!("<w:rFonts w:ascii=\"{ascii}\" w:eastAsia=\"{east_asia}\" w:hAnsi=\"{ascii}\" w:cs=\"{ascii}\"/>")
}

/// A face's size (`<w:sz>` and `<w:szCs>`).
fn size(f: &Face) -> String {
    format!("<w:sz w:val=\"{0}\"/><w:szCs w:val=\"{0}\"/>", f.half_points)
}

/// A face's fonts (its font for all scripts) and size.
fn face(f: &Face) -> String {
    format!("{}{}", fonts(f.font, f.font), size(f))
}

/// A character style in a face's fonts.
fn char_style(id: &str, name: &str, f: &Face) -> String {
    format!(
        "<w:style w:type=\"character\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:qFormat/><w:rPr>{}</w:rPr></w:style>",
        fonts(f.font, f.font)
    )
}

fn styles_xml(reader: Reader) -> String {
    let tnr = "Times New Roman";
    let style = |id: &str, name: &str, ppr: &str, rpr: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    };
    let no_indent = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W}\">\
<w:docDefaults><w:rPrDefault><w:rPr>{f}<w:kern w:val=\"2\"/>{body_sz}<w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:overflowPunct w:val=\"{no_hanging}\"/><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"{body_line}\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr><w:rPr>{f}<w:spacing w:val=\"{condense}\"/>{body_sz}</w:rPr></w:style>\
{title}{h1}{h2}{h3}{h4}{table}{guidance}{footer}{h2c}{h3c}{h4c}\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
</w:styles>",
        f = fonts(ts::BODY.font, tnr),
        body_sz = size(&ts::BODY),
        body_line = ts::BODY_LINE,
        condense = ts::CONDENSE,
        // Punctuation never hangs into the margin (see [`Reader`]).
        no_hanging = if reader == Reader::LibreOffice { "1" } else { "0" },
        title = style(
            "Title",
            "Title",
            &format!(
                "<w:spacing w:before=\"0\" w:after=\"{}\" w:line=\"{}\" w:lineRule=\"exact\"/>{no_indent}<w:jc w:val=\"center\"/>",
                ts::BODY_LINE,
                ts::TITLE_LINE
            ),
            &face(&ts::TITLE),
        ),
        h1 = style(
            "Heading1",
            "heading 1",
            &format!("<w:keepNext/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"0\"/>", ts::BODY_LINE),
            &face(&ts::HEADING),
        ),
        h2 = style(
            "Heading2",
            "heading 2",
            &format!("<w:keepNext/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"1\"/>", ts::BODY_LINE),
            &face(&ts::SUB_HEADING),
        ),
        // Levels 3 and 4 (`1.`, `（1）`) are in the body's face (GB/T 9704 §7.3.3).
        h3 = style(
            "Heading3",
            "heading 3",
            &format!("<w:keepNext/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"2\"/>", ts::BODY_LINE),
            &face(&ts::BODY),
        ),
        h4 = style(
            "Heading4",
            "heading 4",
            &format!("<w:keepNext/><w:spacing w:line=\"{}\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"3\"/>", ts::BODY_LINE),
            &face(&ts::BODY),
        ),
        // The heading phrase of a paragraph that goes on as body text.
        h2c = char_style("Heading2Char", "Heading 2 Char", &ts::SUB_HEADING),
        h3c = char_style("Heading3Char", "Heading 3 Char", &ts::BODY),
        h4c = char_style("Heading4Char", "Heading 4 Char", &ts::BODY),
        table = style(
            "TableText",
            "Table Text",
            &format!(
                "<w:snapToGrid w:val=\"0\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{}\" w:lineRule=\"exact\"/>{no_indent}<w:jc w:val=\"center\"/>",
                ts::TABLE_LINE
            ),
            &format!("{}<w:spacing w:val=\"0\"/>{}", fonts(ts::TABLE.font, tnr), size(&ts::TABLE)),
        ),
        guidance = style(
            "Guidance",
            "Guidance",
            "",
            &format!("{}<w:color w:val=\"808080\"/>{}", fonts(ts::GUIDANCE.font, ts::GUIDANCE.font), size(&ts::GUIDANCE)),
        ),
        footer = style(
            "Footer",
            "footer",
            &format!("<w:spacing w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}"),
            &format!("{}<w:spacing w:val=\"0\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>", fonts("宋体", "宋体")),
        ),
    )
}

/// The fonts the styles name, for Word's font table (Chinese GB fonts with
/// charset 86, GB2312), each with the font Word and WPS take when it is
/// missing (`w:altName`: 仿宋 for 仿宋_GB2312, …).
const FONTS: &[(&str, &str, bool)] = &[
    ("Times New Roman", "", false),
    (ts::BODY.font, ts::BODY.alt, true),
    (ts::TITLE.font, ts::TITLE.alt, true),
    (ts::HEADING.font, ts::HEADING.alt, true),
    (ts::SUB_HEADING.font, ts::SUB_HEADING.alt, true),
    ("宋体", "SimSun", true),
];

fn font_table_xml() -> String {
    let mut x = format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:fonts xmlns:w=\"{W}\">");
    for (name, alt, chinese) in FONTS {
        let (charset, family, pitch) = if *chinese { ("86", "modern", "fixed") } else { ("00", "roman", "variable") };
        let alt = if alt.is_empty() { String::new() } else { format!("<w:altName w:val=\"{alt}\"/>") };
        x.push_str(&format!(
            "<w:font w:name=\"{name}\">{alt}<w:charset w:val=\"{charset}\"/><w:family w:val=\"{family}\"/><w:pitch w:val=\"{pitch}\"/></w:font>"
        ));
    }
    x.push_str("</w:fonts>");
    x
}

fn footer_xml(odd: bool) -> String {
    // One character of 4号 (14 pt) = 280 twips.
    let (ind, jc) = if odd { ("<w:ind w:right=\"280\"/>", "right") } else { ("<w:ind w:left=\"280\"/>", "left") };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:p><w:pPr><w:pStyle w:val=\"Footer\"/>{ind}<w:jc w:val=\"{jc}\"/></w:pPr>\
<w:r><w:t xml:space=\"preserve\">— </w:t></w:r><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r><w:r><w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>"
    )
}

/// The core properties; a publication made with errors says so in its
/// keywords too, which LibreOffice carries into the PDF it prints (it does
/// not carry custom properties).
fn core_xml(report: &Report, errors: usize) -> String {
    let keywords = if errors > 0 {
        format!("<cp:keywords>{}={errors}</cp:keywords>", crate::stamp::PROP_ERRORS)
    } else {
        String::new()
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator>{keywords}</cp:coreProperties>",
        esc(&report.title),
        esc(&report.organ)
    )
}

fn custom_xml(report: &Report, ed: &Edition, errors: usize) -> String {
    let props = crate::stamp::stamp(report, ed, errors);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">",
    );
    for (i, (k, v)) in props.iter().enumerate() {
        x.push_str(&format!(
            "<property fmtid=\"{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}\" pid=\"{}\" name=\"{k}\"><vt:lpwstr>{}</vt:lpwstr></property>",
            i + 2,
            esc(v)
        ));
    }
    x.push_str("</Properties>");
    x
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/fontTable.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml\"/>\
<Override PartName=\"/word/theme/theme1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.theme+xml\"/>\
<Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/></Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/></Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
<Relationship Id=\"rId5\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable\" Target=\"fontTable.xml\"/>\
<Relationship Id=\"rId6\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme\" Target=\"theme/theme1.xml\"/></Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>xxgk</Application></Properties>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>";

/// A minimal Office theme (colours, fonts, formats), which Word expects
/// beside the document; the styles name their fonts directly.
const THEME: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<a:theme xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" name=\"Office Theme\"><a:themeElements>\
<a:clrScheme name=\"Office\"><a:dk1><a:sysClr val=\"windowText\" lastClr=\"000000\"/></a:dk1><a:lt1><a:sysClr val=\"window\" lastClr=\"FFFFFF\"/></a:lt1>\
<a:dk2><a:srgbClr val=\"44546A\"/></a:dk2><a:lt2><a:srgbClr val=\"E7E6E6\"/></a:lt2><a:accent1><a:srgbClr val=\"4472C4\"/></a:accent1><a:accent2><a:srgbClr val=\"ED7D31\"/></a:accent2>\
<a:accent3><a:srgbClr val=\"A5A5A5\"/></a:accent3><a:accent4><a:srgbClr val=\"FFC000\"/></a:accent4><a:accent5><a:srgbClr val=\"5B9BD5\"/></a:accent5><a:accent6><a:srgbClr val=\"70AD47\"/></a:accent6>\
<a:hlink><a:srgbClr val=\"0563C1\"/></a:hlink><a:folHlink><a:srgbClr val=\"954F72\"/></a:folHlink></a:clrScheme>\
<a:fontScheme name=\"Office\"><a:majorFont><a:latin typeface=\"Times New Roman\"/><a:ea typeface=\"黑体\"/><a:cs typeface=\"\"/></a:majorFont>\
<a:minorFont><a:latin typeface=\"Times New Roman\"/><a:ea typeface=\"仿宋_GB2312\"/><a:cs typeface=\"\"/></a:minorFont></a:fontScheme>\
<a:fmtScheme name=\"Office\"><a:fillStyleLst><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:fillStyleLst>\
<a:lnStyleLst><a:ln w=\"6350\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln><a:ln w=\"12700\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln><a:ln w=\"19050\"><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:ln></a:lnStyleLst>\
<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>\
<a:bgFillStyleLst><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill><a:solidFill><a:schemeClr val=\"phClr\"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme>\
</a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>";
