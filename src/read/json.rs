//! Reader for the canonical JSON form.

use crate::error::{Error, Problem, Result};
use crate::model::{Report, SCHEMA_VERSION};
use std::path::Path;

/// Read a canonical JSON report.
///
/// # Errors
/// [`Problem::BadJson`] with the line and column of a syntax error.
pub fn read(path: &Path, limits: &crate::limits::Limits) -> Result<Report> {
    let bytes = super::container::read_file(path, limits)?;
    from_slice(&bytes).map_err(|p| Error::read(path, p))
}

/// Parse a canonical JSON report from bytes.
///
/// # Errors
/// [`Problem::BadJson`] or [`Problem::SchemaVersion`].
pub fn from_slice(bytes: &[u8]) -> std::result::Result<Report, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let report: Report = serde_json::from_slice(bytes).map_err(|e| Problem::BadJson {
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    })?;
    if report.schema_version != SCHEMA_VERSION {
        return Err(Problem::SchemaVersion { found: report.schema_version, supported: SCHEMA_VERSION });
    }
    Ok(report)
}
