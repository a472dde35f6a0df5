//! # xxgk — 政府信息公开工作年度报告工具
//!
//! xxgk maps between the Office files people fill in for China's government
//! information-disclosure annual reports and one canonical JSON form
//! ([`model::Report`]), and checks reports the way a careful reviewer does.
//!
//! - [`edition`]: report editions as data (templates/*.toml), compiled once.
//! - [`model`]: the canonical model; readers produce it, writers consume it.
//! - [`read`] / [`write`]: one module per input and output kind.
//! - [`check`]: rules as values with stable codes ([`check::Finding`]).
//!
//! ```
//! use xxgk::{edition::Editions, check};
//! let editions = Editions::builtin().unwrap();
//! let ed = editions.for_year(2021).unwrap();
//! let report = ed.blank_report("示例县人民政府", Some(2021));
//! let findings = check::check(&report, ed, None);
//! // Every blank cell of the 2021 edition is reported (a blank table is one
//! // finding naming all its cells).
//! let blank: usize = findings.iter().filter(|f| f.code == "BLANK").map(|f| f.cells.len()).sum();
//! assert_eq!(blank, ed.cells.len());
//! ```

// No panics on input: unwrap, expect, panic! and indexing are denied in
// library code. Modules that index allow it at their top, saying why each
// index is in bounds.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod alloc;
pub mod batch;
pub mod check;
pub mod cleanup;
pub mod edition;
pub mod error;
pub mod isolate;
pub mod labels;
pub mod limits;
pub mod model;
pub mod number;
pub mod ooxml;
pub mod output;
pub mod pipeline;
pub mod read;
pub mod serve;
pub mod soffice;
pub mod stamp;
pub mod tally;
pub mod template;
#[cfg(windows)]
pub mod winjob;
pub mod workbook;
pub mod write;

pub use error::{Error, Result};
