//! Writer for Word documents: the normalized report for publication and the
//! blank Word template share one layout, following GB/T 9704 conventions
//! (formats.md §9):
//!
//! - A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm;
//! - title 2号 方正小标宋简体, centred; body 3号 仿宋_GB2312, fixed line
//!   spacing 28.9 pt, first-line indent of two characters;
//! - 一、 headings in 黑体, （一） headings in 楷体_GB2312;
//! - page numbers `— N —` in 4号 宋体, right on odd pages and left on even
//!   pages, each with a one-character indent;
//! - tables drawn from the edition's layout ([`crate::edition::layout`]) with
//!   the official labels and merges, in 五号 仿宋_GB2312 with numbers in
//!   Times New Roman.
//!
//! The parts are written by hand as WordprocessingML in schema order (no
//! docx-rs: its element order breaks the schema, crates-notes.md §3), every
//! string is stripped of characters XML cannot hold, and the package is
//! zipped with fixed timestamps: the same input gives the same bytes. The
//! organ, year, edition, contact and publication date are stamped in custom
//! document properties.

// Indexing is bounded here: grid positions come from the layout, whose rows and columns the cover table is sized to; widths has one entry per grid column.
#![allow(clippy::indexing_slicing)]

use super::display_width;
use crate::edition::layout::{layout, Content};
use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use crate::ooxml::{esc, package};
use crate::read::docx::{PROP_CONTACT, PROP_PUBLISHED};
use crate::read::parts::GUIDANCE_PREFIX;
use crate::workbook::{PROP_EDITION, PROP_ORGAN, PROP_TEMPLATE_VERSION, PROP_YEAR, TEMPLATE_VERSION};

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
const TEXT_WIDTH: u32 = 11906 - 1588 - 1474;

/// Render a report as a .docx document.
///
/// # Errors
/// Only if packaging fails (it should not).
pub fn render(report: &Report, ed: &Edition, purpose: Purpose) -> Result<Vec<u8>> {
    let document = document_xml(report, ed, purpose);
    let parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes().to_vec()),
        ("_rels/.rels", ROOT_RELS.as_bytes().to_vec()),
        ("docProps/app.xml", APP.as_bytes().to_vec()),
        ("docProps/core.xml", core_xml(report).into_bytes()),
        ("docProps/custom.xml", custom_xml(report, ed).into_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes().to_vec()),
        ("word/document.xml", document.into_bytes()),
        ("word/styles.xml", styles_xml().into_bytes()),
        ("word/settings.xml", SETTINGS.as_bytes().to_vec()),
        ("word/footer1.xml", footer_xml(true).into_bytes()),
        ("word/footer2.xml", footer_xml(false).into_bytes()),
    ];
    package(&parts).map_err(|e| Error::Usage(format!("生成 Word 文件失败：{e}")))
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

/// `（一）…` paragraphs are second-level headings (楷体).
fn is_sub_heading(line: &str) -> bool {
    let t = line.trim_start();
    let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) else { return false };
    let n = rest.chars().take_while(|c| crate::labels::is_chinese_digit(*c)).count();
    n > 0 && rest.chars().nth(n).is_some_and(|c| c == '）' || c == ')')
}

fn document_xml(report: &Report, ed: &Edition, purpose: Purpose) -> String {
    let mut body = String::new();
    let title =
        if report.title.trim().is_empty() { ed.title_for(&report.organ, report.year) } else { report.title.clone() };
    body.push_str(&para("Title", &title));
    let preamble = if report.preamble.trim().is_empty() {
        ed.preamble_for(&report.organ, report.year)
    } else {
        report.preamble.clone()
    };
    for line in preamble.split('\n') {
        body.push_str(&para("Normal", line));
    }
    let mut last_was_table = false;
    for p in &ed.parts {
        if let Some(part) = report.parts.get(&p.id) {
            body.push_str(&para("Heading1", &part.heading));
            if purpose == Purpose::Template && !p.guidance.is_empty() {
                body.push_str(&para("Guidance", &format!("{GUIDANCE_PREFIX}{}", p.guidance)));
            }
            if !part.text.is_empty() {
                for line in part.text.split('\n') {
                    body.push_str(&para(if is_sub_heading(line) { "Heading2" } else { "Normal" }, line));
                }
            }
            last_was_table = false;
        }
        // Tables go with their part, even if the part's heading is missing.
        for (ti, t) in ed.tables.iter().enumerate().filter(|(_, t)| t.part == p.id) {
            if last_was_table {
                body.push_str(&para("Normal", ""));
            }
            body.push_str(&table_xml(report, ed, ti));
            let _ = t;
            last_was_table = true;
        }
    }
    if last_was_table {
        body.push_str(&para("Normal", ""));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\"><w:body>{body}\
<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId3\"/><w:footerReference w:type=\"even\" r:id=\"rId4\"/>\
<w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
<w:cols w:space=\"425\"/><w:docGrid w:type=\"lines\" w:linePitch=\"579\"/></w:sectPr></w:body></w:document>"
    )
}

/// Grid column widths in twips: labels by their text, values evenly.
fn column_widths(lay: &crate::edition::layout::TableLayout) -> Vec<u32> {
    let mut weight = vec![0f64; lay.cols as usize];
    for p in &lay.cells {
        let w = match &p.content {
            Content::RowLabel(s) if p.rowspan > 1 => display_width(s).min(6.0),
            Content::RowLabel(s) if p.colspan == 1 => display_width(s).min(22.0),
            Content::ColumnLabel(s) if p.colspan == 1 => display_width(s).clamp(5.0, 10.0),
            Content::Value(_) if p.colspan == 1 => 5.0,
            _ => continue,
        };
        if let Some(x) = weight.get_mut(p.col as usize) {
            *x = x.max(w);
        }
    }
    // Value columns share one width, as on the official form.
    let value_cols: std::collections::BTreeSet<u32> = lay
        .cells
        .iter()
        .filter(|p| matches!(p.content, Content::Value(_)))
        .flat_map(|p| p.col..p.col + p.colspan)
        .collect();
    let value_w = value_cols.iter().filter_map(|c| weight.get(*c as usize)).fold(5.0f64, |a, b| a.max(*b));
    for (c, x) in weight.iter_mut().enumerate() {
        if value_cols.contains(&(c as u32))
            && !lay.cells.iter().any(|p| p.col == c as u32 && matches!(p.content, Content::RowLabel(_)))
        {
            *x = value_w;
        } else if *x == 0.0 {
            *x = 5.0;
        }
    }
    let total: f64 = weight.iter().sum();
    let mut widths: Vec<u32> = weight.iter().map(|w| (w / total * TEXT_WIDTH as f64).floor() as u32).collect();
    let used: u32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH.saturating_sub(used);
    }
    widths
}

fn table_xml(report: &Report, ed: &Edition, ti: usize) -> String {
    let lay = layout(ed, ti);
    let widths = column_widths(&lay);
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
    // Which placed cell covers each grid position.
    let mut cover = vec![vec![None; lay.cols as usize]; lay.rows as usize];
    for (i, p) in lay.cells.iter().enumerate() {
        for r in p.row..p.row + p.rowspan {
            for c in p.col..p.col + p.colspan {
                if let Some(slot) = cover.get_mut(r as usize).and_then(|row| row.get_mut(c as usize)) {
                    *slot = Some(i);
                }
            }
        }
    }
    for r in 0..lay.rows {
        let header = lay.header_rows.contains(&r);
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
                            Content::Value(i) => {
                                report.value(&ed.cells[*i].id).map(|n| n.to_string()).unwrap_or_default()
                            }
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
                x.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"TableText\"/>{jc}</w:pPr>{}</w:p>", runs(line)));
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

fn styles_xml() -> String {
    let tnr = "Times New Roman";
    let style = |id: &str, name: &str, ppr: &str, rpr: &str| {
        format!(
            "<w:style w:type=\"paragraph\" w:styleId=\"{id}\"><w:name w:val=\"{name}\"/><w:basedOn w:val=\"Normal\"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"
        )
    };
    let no_indent = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>";
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"{W}\">\
<w:docDefaults><w:rPrDefault><w:rPr>{f}<w:kern w:val=\"2\"/><w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\" w:bidi=\"ar-SA\"/></w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/><w:spacing w:line=\"578\" w:lineRule=\"exact\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:jc w:val=\"both\"/></w:pPr><w:rPr>{f}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr></w:style>\
{title}{h1}{h2}{table}{guidance}{footer}\
<w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/><w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/><w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
</w:styles>",
        f = fonts("仿宋_GB2312", tnr),
        title = style(
            "Title",
            "Title",
            &format!("<w:spacing w:before=\"0\" w:after=\"578\" w:line=\"700\" w:lineRule=\"exact\"/>{no_indent}<w:jc w:val=\"center\"/>"),
            &format!("{}<w:sz w:val=\"44\"/><w:szCs w:val=\"44\"/>", fonts("方正小标宋简体", "方正小标宋简体")),
        ),
        h1 = style(
            "Heading1",
            "heading 1",
            "<w:keepNext/><w:spacing w:line=\"578\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"0\"/>",
            &format!("{}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>", fonts("黑体", "黑体")),
        ),
        h2 = style(
            "Heading2",
            "heading 2",
            "<w:keepNext/><w:spacing w:line=\"578\" w:lineRule=\"exact\"/><w:outlineLvl w:val=\"1\"/>",
            &format!("{}<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/>", fonts("楷体_GB2312", "楷体_GB2312")),
        ),
        table = style(
            "TableText",
            "Table Text",
            &format!("<w:spacing w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}<w:jc w:val=\"center\"/>"),
            &format!("{}<w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/>", fonts("仿宋_GB2312", tnr)),
        ),
        guidance = style(
            "Guidance",
            "Guidance",
            "",
            &format!("{}<w:color w:val=\"808080\"/><w:sz w:val=\"24\"/><w:szCs w:val=\"24\"/>", fonts("楷体_GB2312", "楷体_GB2312")),
        ),
        footer = style(
            "Footer",
            "footer",
            &format!("<w:spacing w:line=\"240\" w:lineRule=\"auto\"/>{no_indent}"),
            &format!("{}<w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/>", fonts("宋体", "宋体")),
        ),
    )
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

fn core_xml(report: &Report) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        esc(&report.title),
        esc(&report.organ)
    )
}

fn custom_xml(report: &Report, ed: &Edition) -> String {
    let year = report.year.map(|y| y.to_string()).unwrap_or_default();
    let props = [
        (PROP_EDITION, ed.id.as_str()),
        (PROP_TEMPLATE_VERSION, TEMPLATE_VERSION),
        (PROP_ORGAN, report.organ.as_str()),
        (PROP_YEAR, year.as_str()),
        (PROP_CONTACT, report.contact.as_str()),
        (PROP_PUBLISHED, report.published.as_str()),
    ];
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
<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/></Relationships>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>xxgk</Application></Properties>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:zoom w:percent=\"100\"/><w:defaultTabStop w:val=\"420\"/><w:evenAndOddHeaders/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat></w:settings>";
