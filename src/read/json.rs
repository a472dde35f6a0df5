//! Reader for the canonical JSON form.

use crate::error::{Error, Result};
use crate::model::{Report, SCHEMA_VERSION};
use std::path::Path;

/// Read a canonical JSON report.
///
/// # Errors
/// [`Error::Invalid`] with the line and column of a syntax error.
pub fn read(path: &Path, limits: &crate::limits::Limits) -> Result<Report> {
    let bytes = super::container::read_file(path, limits)?;
    from_slice(&bytes).map_err(|what| Error::invalid(path, what))
}

/// Parse a canonical JSON report from bytes; the error is a Chinese phrase.
pub fn from_slice(bytes: &[u8]) -> std::result::Result<Report, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let report: Report = serde_json::from_slice(bytes).map_err(|e| {
        format!("不是有效的 xxgk 报告 JSON（第{}行第{}列：{}）。请用 `xxgk schema` 查看格式", e.line(), e.column(), e)
    })?;
    if report.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "schema_version 是 {}，本程序只支持 {}。请用相应版本的 xxgk 处理",
            report.schema_version, SCHEMA_VERSION
        ));
    }
    Ok(report)
}
