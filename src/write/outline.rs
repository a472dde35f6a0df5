//! The publication as a sequence of blocks: the title, the preamble, each
//! part's heading and paragraphs, and the tables after the part they belong
//! to. The Word ([`super::docx`]) and HTML ([`super::html`]) writers both
//! draw this one outline, so they publish the same text in the same order.

use crate::edition::Edition;
use crate::model::Report;
use crate::stamp::GUIDANCE_PREFIX;

/// One block of the publication.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    /// A body paragraph (possibly empty: a spacer between two tables).
    Para(String),
    /// A part heading: `一、总体情况`.
    Heading(String),
    /// A `（一）…` paragraph: a second-level heading.
    SubHeading(String),
    /// What a part must contain (templates only).
    Guidance(String),
    /// Table `index` of the edition.
    Table(usize),
}

/// `（一）…` paragraphs are second-level headings.
fn is_sub_heading(line: &str) -> bool {
    let t = line.trim_start();
    let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) else { return false };
    let n = rest.chars().take_while(|c| crate::labels::is_chinese_digit(*c)).count();
    n > 0 && rest.chars().nth(n).is_some_and(|c| c == '）' || c == ')')
}

/// The blocks of `report`; with `guidance`, each part is followed by what
/// it must contain (the blank template). A missing title or preamble is
/// the edition's standard one.
pub fn outline(report: &Report, ed: &Edition, guidance: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let title =
        if report.title.trim().is_empty() { ed.title_for(&report.organ, report.year) } else { report.title.clone() };
    out.push(Block::Title(title));
    let preamble = if report.preamble.trim().is_empty() {
        ed.preamble_for(&report.organ, report.year)
    } else {
        report.preamble.clone()
    };
    out.extend(preamble.split('\n').map(|l| Block::Para(l.to_string())));
    let mut last_was_table = false;
    for p in &ed.parts {
        if let Some(part) = report.parts.get(&p.id) {
            out.push(Block::Heading(part.heading.clone()));
            if guidance && !p.guidance.is_empty() {
                out.push(Block::Guidance(format!("{GUIDANCE_PREFIX}{}", p.guidance)));
            }
            if !part.text.is_empty() {
                for line in part.text.split('\n') {
                    out.push(if is_sub_heading(line) {
                        Block::SubHeading(line.to_string())
                    } else {
                        Block::Para(line.to_string())
                    });
                }
            }
            last_was_table = false;
        }
        // Tables go with their part, even if the part's heading is missing.
        for (ti, _) in ed.tables.iter().enumerate().filter(|(_, t)| t.part == p.id) {
            if last_was_table {
                out.push(Block::Para(String::new()));
            }
            out.push(Block::Table(ti));
            last_was_table = true;
        }
    }
    if last_was_table {
        out.push(Block::Para(String::new()));
    }
    out
}

/// The text of a value cell as published: the number, or nothing if blank.
pub fn value_text(report: &Report, ed: &Edition, cell: usize) -> String {
    ed.cells.get(cell).and_then(|c| report.value(&c.id)).map(|n| n.to_string()).unwrap_or_default()
}
