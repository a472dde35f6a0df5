//! Reader for filled Word reports: the official blank form filled in by
//! hand, xxgk's template filled in, and reports that offices laid out
//! themselves.
//!
//! [`parse`] turns zip + XML into the neutral [`Document`] (body paragraphs
//! and tables with resolved merges, custom properties, whether tracked
//! changes were found); the one mapper ([`super::map`]) does the rest.

pub mod parse;

use super::container::{check_package, read_file, Expect};
use super::doc::Document;
use super::ReadOptions;
use crate::error::{Error, Problem, Result};
use std::path::Path;

pub use super::map::{PROP_CONTACT, PROP_PUBLISHED};

/// Read a Word report into a document.
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Document> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read a Word report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Document> {
    check_package(path, bytes, Expect::Docx, &opts.limits)?;
    parse::parse(bytes, &opts.limits).map_err(|problem| match problem {
        Problem::Other(what) => Error::invalid(path, format!("{what}。请用 Word 或 WPS 打开后另存为 .docx 再转换")),
        problem => Error::read(path, problem),
    })
}
