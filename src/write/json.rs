//! Writer for the canonical JSON form: pretty-printed, cells in edition order,
//! a final newline. The same report always gives the same bytes.

use crate::error::{Error, Result};
use crate::model::Report;

/// The canonical JSON of a report.
///
/// # Errors
/// [`Error::Usage`] if the report cannot be serialized (never an empty file).
pub fn render(report: &Report) -> Result<Vec<u8>> {
    let mut out = to_vec_pretty(report)?;
    out.push(b'\n');
    Ok(out)
}

/// `serde_json::to_vec_pretty`, its failure as a Chinese message.
///
/// # Errors
/// [`Error::Usage`] naming what serde_json refused.
pub fn to_vec_pretty<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(|e| Error::render(" JSON", e))
}
