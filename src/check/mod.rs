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
//! - part-quality rules declared in the edition (`[[quality]]`), in
//!   [`quality`].
//!
//! Every rule has a stable code; [`all_codes`] lists them for the meta-test
//! that requires a passing and a failing fixture per rule.

mod arith;
mod generic;
pub mod narrative;
mod quality;

use crate::edition::{Edition, Editions, Severity};
use crate::model::{Number, Report, Source};
use serde::Serialize;

pub use generic::GENERIC_RULES;

/// One thing the reviewer would point out.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    for rule in &ed.rules {
        if let Some(f) = arith::evaluate(rule, report, ed, previous.as_ref()) {
            out.push(f);
        }
    }
    narrative::check(report, ed, &mut out);
    quality::check(report, ed, &mut out);
    out
}

/// Every rule code that can appear in a finding: the generic rules, the
/// narrative rule, and the arithmetic and quality rules of every edition.
pub fn all_codes(editions: &Editions) -> Vec<String> {
    let mut codes: Vec<String> = GENERIC_RULES.iter().map(|r| r.code.to_string()).collect();
    codes.push(narrative::CODE.to_string());
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
