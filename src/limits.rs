//! Caps on what a reader accepts from a file, so that a broken or crafted
//! file costs a clear message, not the machine. Every cap can be changed on
//! the command line (`xxgk --help`); the defaults are generous for real
//! reports, which are a few hundred kilobytes.

use std::time::Duration;

/// The caps in force for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Limits {
    /// Largest input file (bytes).
    pub file_bytes: u64,
    /// Most entries in a zip package (.docx, .xlsx).
    pub zip_entries: usize,
    /// Largest inflated size of one zip entry, as declared and as read.
    pub entry_bytes: u64,
    /// Largest inflated size of a whole package.
    pub total_bytes: u64,
    /// Deepest XML element nesting.
    pub xml_depth: usize,
    /// Deepest nesting of tables in a Word or HTML document.
    pub table_nesting: usize,
    /// Most rows of a Word or HTML table, and rows of a sheet read.
    pub table_rows: usize,
    /// Most cells in a row of a Word or HTML table, and columns of a sheet read.
    pub table_cols: usize,
    /// Most non-empty cells read from a whole workbook.
    pub sheet_cells: usize,
    /// Longest a conversion by LibreOffice may take (legacy formats, see
    /// `read::legacy`); see [`Limits::convert_time_within`].
    pub convert_time: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            file_bytes: 100 << 20,
            zip_entries: 10_000,
            entry_bytes: 256 << 20,
            total_bytes: 1 << 30,
            xml_depth: 256,
            table_nesting: 8,
            table_rows: 5_000,
            table_cols: 256,
            sheet_cells: 500_000,
            convert_time: Limits::convert_time_within(60.0),
        }
    }
}

impl Limits {
    /// The time a conversion may take when reading one file may take
    /// `seconds` (`--timeout`): nine tenths of it, so that a worker stops
    /// LibreOffice and says so before the worker itself is stopped.
    pub fn convert_time_within(seconds: f64) -> Duration {
        let s = if seconds > 0.0 { (seconds * 0.9).min(86_400.0) } else { 0.0 };
        Duration::from_secs_f64(s)
    }
}

/// Parse a size such as `100M`, `512K`, `1G` or `1000` (bytes).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("“{s}”不是有效的大小（例如 100M、512K、1000）"))
}

/// Bytes as a short Chinese-friendly text: `100 MB`, `512 KB`, `1000 字节`
/// (one definition, shared with the PDF object layer).
pub use xxgk_pdf::show_size;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sizes() {
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("abc").is_err());
        assert_eq!(show_size(100 << 20), "100 MB");
        assert_eq!(show_size(1000), "1000 字节");
    }
}
