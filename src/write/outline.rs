//! The publication as a sequence of blocks: the title, the preamble, each
//! part's heading and paragraphs, and the tables after the part they belong
//! to. The Word ([`super::docx`]) and HTML ([`super::html`]) writers both
//! draw this one outline, so they publish the same text in the same order,
//! tidied ([`crate::check::text::tidy`]) and split into headings by level.

use super::typeset::{self as ts, Align};
use crate::check::text::{heading_marker, tidy};
use crate::edition::Edition;
use crate::model::Report;
use crate::stamp::GUIDANCE_PREFIX;

/// One block of the publication.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The title, in its lines ([`ts::title_lines`]).
    Title(Vec<String>),
    /// A body paragraph (possibly empty: a spacer between two tables), and
    /// how it is aligned: short lines are never justified.
    Para(String, Align),
    /// A part heading: `一、总体情况`.
    Heading(String),
    /// A paragraph that opens with a heading of level 2 (`（一）`), 3 (`1.`)
    /// or 4 (`（1）`): the heading phrase (the marker and the sentence after
    /// it) and the body text that follows in the same paragraph. Without
    /// body text it is a heading of its own, kept with the next paragraph.
    Sub { level: u8, head: String, rest: String },
    /// What a part must contain (templates only).
    Guidance(String),
    /// Table `index` of the edition.
    Table(usize),
}

impl Block {
    /// A heading of its own (kept with what follows).
    pub fn is_heading(&self) -> bool {
        match self {
            Block::Heading(_) => true,
            Block::Sub { rest, .. } => rest.is_empty(),
            _ => false,
        }
    }
}

/// The longest heading phrase without a sentence end that is still a
/// heading on its own, in characters.
const HEADING_MAX: usize = 40;

/// A paragraph of body text: a heading of level 2 to 4 split from the text
/// that follows it, else a paragraph.
fn paragraph(line: &str, next: Option<&str>) -> Block {
    let Some((level, marker)) = heading_marker(line).filter(|(level, _)| *level >= 2) else {
        return Block::Para(line.to_string(), ts::align(line, next));
    };
    let after = line.get(marker..).unwrap_or("");
    let end =
        after.char_indices().find(|(_, c)| matches!(c, '。' | '！' | '？')).map(|(i, c)| marker + i + c.len_utf8());
    let (head, rest) = match end {
        Some(e) => (line.get(..e).unwrap_or(line), line.get(e..).unwrap_or("")),
        None if line.chars().count() <= HEADING_MAX => (line, ""),
        None => return Block::Para(line.to_string(), ts::align(line, next)),
    };
    // Levels 3 and 4 are body text (仿宋): only a heading on its own is one.
    if level > 2 && !rest.is_empty() {
        return Block::Para(line.to_string(), ts::align(line, next));
    }
    Block::Sub { level, head: head.to_string(), rest: rest.to_string() }
}

/// Body paragraphs from text; a publication's text is tidied first
/// ([`tidy`]: no markup, no sentence broken over two lines).
fn paragraphs(out: &mut Vec<Block>, text: &str, publish: bool) {
    let text = if publish { tidy(text) } else { text.to_string() };
    let lines: Vec<&str> = text.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        out.push(paragraph(line, lines.get(i + 1).copied()));
    }
}

/// The blocks of `report`; with `guidance`, each part is followed by what
/// it must contain (the blank template), else the text is tidied for
/// publication. A missing title or preamble is the edition's standard one.
pub fn outline(report: &Report, ed: &Edition, guidance: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let title =
        if report.title.trim().is_empty() { ed.title_for(&report.organ, report.year) } else { report.title.clone() };
    let title = if guidance { title } else { tidy(&title).replace('\n', "") };
    out.push(Block::Title(ts::title_lines(&title, &report.organ)));
    let preamble = if report.preamble.trim().is_empty() {
        ed.preamble_for(&report.organ, report.year)
    } else {
        report.preamble.clone()
    };
    paragraphs(&mut out, &preamble, !guidance);
    let mut last_was_table = false;
    for p in &ed.parts {
        if let Some(part) = report.parts.get(&p.id) {
            out.push(Block::Heading(part.heading.clone()));
            if guidance && !p.guidance.is_empty() {
                out.push(Block::Guidance(format!("{GUIDANCE_PREFIX}{}", p.guidance)));
            }
            if !part.text.is_empty() {
                paragraphs(&mut out, &part.text, !guidance);
            }
            last_was_table = false;
        }
        // Tables go with their part, even if the part's heading is missing.
        for (ti, _) in ed.tables.iter().enumerate().filter(|(_, t)| t.part == p.id) {
            if last_was_table {
                out.push(Block::Para(String::new(), Align::Both));
            }
            out.push(Block::Table(ti));
            last_was_table = true;
        }
    }
    if last_was_table {
        out.push(Block::Para(String::new(), Align::Both));
    }
    out
}

/// The report as the publications print it: title, preamble and parts'
/// text tidied ([`tidy`]). Reading a publication back gives this report.
pub fn published(report: &Report) -> Report {
    let mut r = report.clone();
    if !r.title.trim().is_empty() {
        r.title = tidy(&r.title).replace('\n', "");
    }
    if !r.preamble.trim().is_empty() {
        r.preamble = tidy(&r.preamble);
    }
    for part in r.parts.values_mut() {
        part.text = tidy(&part.text);
    }
    r
}

/// The text of a value cell as published: the number, or nothing if blank.
pub fn value_text(report: &Report, ed: &Edition, cell: usize) -> String {
    ed.cells.get(cell).and_then(|c| report.value(&c.id)).map(|n| n.to_string()).unwrap_or_default()
}
