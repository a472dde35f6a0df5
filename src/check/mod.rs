//! Checking a report the way a careful reviewer does.
//!
//! The checker returns [`Finding`] values; it never fails. Two kinds of rules
//! run:
//! - arithmetic rules declared in the edition file (勾稽关系, row totals,
//!   group totals, plausibility, cross-year roll-forwards), evaluated by
//!   [`arith`];
//! - generic rules written in Rust but driven by the edition data (blank
//!   cells, value kinds, parts present, edition fits the year, identical to
//!   last year), in [`generic`];
//! - the text against the tables (`NARR-MISMATCH`, phrases and cells from
//!   the edition's `[[narrative]]`), in [`narrative`];
//! - markup and broken lines in the text (`TEXT-MARKUP`, `TEXT-LINEBREAK`),
//!   in [`text`];
//! - part-quality rules declared in the edition (`[[quality]]`), in
//!   [`quality`].
//!
//! After them, [`suspect`] names the cell most likely wrong when identities
//! fail (`CHECK-SUSPECT`), and every arithmetic finding says whether its
//! cells were read exactly as written ([`Finding::as_written`]).
//!
//! Every rule has a stable code; [`all_codes`] lists them for the meta-test
//! that requires a passing and a failing fixture per rule.

mod arith;
pub mod catalogue;
mod generic;
pub mod narrative;
mod quality;
pub mod suspect;
pub mod text;

use crate::edition::{CellDef, Edition, Editions, Severity};
use crate::model::{Number, Report, Source};
use serde::{Deserialize, Serialize};

pub use generic::{repetition, Repetition, GENERIC_RULES};
pub use suspect::Fix;

/// One thing the reviewer would point out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code, e.g. `T3-BALANCE`.
    pub code: String,
    pub severity: Severity,
    /// What the rule requires, in Chinese.
    pub title: String,
    /// `表三` etc., when the finding is about a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Official row labels, parent to child, joined with ` / `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Official column labels, parent to child, joined with ` / `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The cell ids involved (the first is the one to fix first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
    /// The complete Chinese message.
    pub message: String,
    /// The formula with its numbers, for arithmetic rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    /// Left side minus right side, for arithmetic rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Number>,
    /// Where the first cell was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// For arithmetic findings: `true` when every cell in it was read exactly
    /// as written in the source (the mistake is in the report itself),
    /// `false` when at least one was converted or recovered while reading,
    /// absent when the source text is not known (a JSON report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_written: Option<bool>,
    /// For `CHECK-SUSPECT`: the candidate explanations, each a set of cell
    /// changes; exactly one when the explanation is unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Vec<Fix>>,
    /// For `X-SAME-TEXT`: how much of the part repeats last year's, in
    /// percent (see [`repetition`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repetition: Option<u32>,
}

impl Finding {
    /// A finding with only code, severity, title and message.
    pub fn new(code: &str, severity: Severity, title: &str, message: String) -> Finding {
        Finding {
            code: code.to_string(),
            severity,
            title: title.to_string(),
            table: None,
            row: None,
            column: None,
            cells: Vec::new(),
            message,
            formula: None,
            difference: None,
            source: None,
            as_written: None,
            fixes: Vec::new(),
            repetition: None,
        }
    }

    /// Chinese note on [`Finding::as_written`], for displays.
    pub fn as_written_note(&self) -> Option<&'static str> {
        match self.as_written? {
            true => Some("各数均按原文读取，不符出在报告本身"),
            false => Some("其中有数字经换算或修复后读取，请先核对原文与读取结果"),
        }
    }

    /// Attach the location of one cell.
    pub fn at_cell(mut self, report: &Report, ed: &Edition, id: &str) -> Finding {
        if let Some(c) = ed.cell(id) {
            self.table = Some(c.table_name.clone());
            self.row = Some(c.row_path.clone()).filter(|s| !s.is_empty());
            self.column = Some(c.col_path.clone());
        }
        self.cells.push(id.to_string());
        self.source = report.provenance.get(id).cloned();
        self
    }
}

/// Last year's report, for the cross-year rules.
pub struct Previous<'a> {
    pub report: &'a Report,
    pub edition: &'a Edition,
}

/// Check `report` (of edition `ed`), optionally against last year's report.
///
/// The findings come in the order a clerk works through them, and every
/// display (text, JSON, annotated workbook, page) keeps it: see [`order`].
pub fn check(report: &Report, ed: &Edition, previous: Option<Previous<'_>>) -> Vec<Finding> {
    let mut out = Vec::new();
    for w in &report.warnings {
        let mut f = Finding::new(&w.code, Severity::Warning, "读取时发现的问题", w.message.clone());
        f.source = w.source.clone();
        out.push(f);
    }
    for rule in GENERIC_RULES {
        (rule.run)(rule, report, ed, previous.as_ref(), &mut out);
    }
    // Each failing arithmetic rule: (its index in `ed.rules`, its finding's in `out`).
    let mut failed: Vec<(usize, usize)> = Vec::new();
    for (ri, rule) in ed.rules.iter().enumerate() {
        if let Some(mut f) = arith::evaluate(rule, report, ed, previous.as_ref()) {
            f.as_written = as_written(report, ed, &f.cells);
            failed.push((ri, out.len()));
            out.push(f);
        }
    }
    narrative::check(report, ed, &mut out);
    text::check(report, ed, &mut out);
    quality::check(report, ed, previous.as_ref().map(|p| p.report), &mut out);
    // Nothing to explain when every arithmetic rule holds.
    let suspects = if failed.is_empty() { Vec::new() } else { suspect::suspects(report, ed, previous.as_ref()) };
    order(out, &failed, suspects)
}

/// The order of findings: errors before warnings, and first among the
/// errors each `CHECK-SUSPECT` finding that names its explanation (the cell
/// to fix first; a warning itself) followed by the failing rules it
/// explains. Otherwise the order of the rules is kept: reader warnings,
/// the generic rules, the edition's arithmetic rules, narrative and quality
/// rules, then the suspects that list several explanations.
///
/// `failed` pairs each failing arithmetic rule's index in the edition with
/// its finding's index in `found`.
fn order(found: Vec<Finding>, failed: &[(usize, usize)], suspects: Vec<suspect::Suspect>) -> Vec<Finding> {
    let mut slots: Vec<Option<Finding>> = found.into_iter().map(Some).collect();
    let mut first = Vec::new();
    let mut listed = Vec::new();
    for s in suspects {
        if !s.named {
            listed.push(s.finding);
            continue;
        }
        first.push(s.finding);
        for rule in &s.explains {
            let Some(&(_, at)) = failed.iter().find(|(r, _)| r == rule) else { continue };
            if let Some(slot) = slots.get_mut(at).filter(|f| f.as_ref().is_some_and(|f| f.severity == Severity::Error))
            {
                first.extend(slot.take());
            }
        }
    }
    let (errors, warnings): (Vec<Finding>, Vec<Finding>) =
        slots.into_iter().flatten().chain(listed).partition(|f| f.severity == Severity::Error);
    first.into_iter().chain(errors).chain(warnings).collect()
}

/// A cell of the report and its definition; `None` if either lacks it. The
/// readers keep a report's cells in the edition's order, so the definition
/// is found at the same position (one look-up instead of two); a report in
/// another order is looked up by id.
fn cell<'a>(report: &'a Report, ed: &'a Edition, id: &str) -> Option<(&'a CellDef, Option<Number>)> {
    let (i, _, value) = report.cells.get_full(id)?;
    let def = ed.cells.get(i).filter(|d| d.id == id).or_else(|| ed.cell(id))?;
    Some((def, *value))
}

/// Were these cells read exactly as written? `None` when no cell has a
/// source text; `false` as soon as one differs from its value.
fn as_written(report: &Report, ed: &Edition, cells: &[String]) -> Option<bool> {
    let mut known = false;
    for id in cells {
        let (Some(src), Some(v)) = (report.provenance.get(id), report.value(id)) else { continue };
        known = true;
        if !written_as(&src.text, v, &ed.count_words) {
            return Some(false);
        }
    }
    known.then_some(true)
}

/// The text is the number itself: digits as printed (full-width digits,
/// spaces and thousands separators aside), a sign, and at most a count word
/// such as 件. A unit converted, a word such as 减, or a text recovered from
/// nothing is not.
fn written_as(text: &str, v: Number, count_words: &[String]) -> bool {
    let t: String = crate::number::squeeze(text).chars().filter(|c| *c != ',').collect();
    let t = count_words.iter().find_map(|w| t.strip_suffix(w.as_str())).unwrap_or(&t);
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<Number>().is_ok_and(|n| n == v)
}

/// Every rule code that can appear in a finding: the generic rules, the
/// narrative and suspect rules, and the arithmetic and quality rules of
/// every edition.
pub fn all_codes(editions: &Editions) -> Vec<String> {
    let mut codes: Vec<String> = GENERIC_RULES.iter().map(|r| r.code.to_string()).collect();
    codes.push(narrative::CODE.to_string());
    codes.push(suspect::CODE.to_string());
    codes.extend([text::MARKUP, text::LINE_BREAK].map(String::from));
    for ed in editions.all() {
        for c in ed.rule_codes().into_iter().chain(ed.quality.iter().map(|q| q.code.as_str())) {
            if !codes.iter().any(|x| x == c) {
                codes.push(c.to_string());
            }
        }
    }
    codes
}

/// Counts of errors and warnings.
pub fn tally(findings: &[Finding]) -> (usize, usize) {
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    (errors, findings.len() - errors)
}
