//! CSV output, through the `csv` crate: the tidy cell listing here, and the
//! batch's `submissions.csv`, `findings.csv` and `totals-*.csv` through the
//! same [`writer`] and [`record`].
//!
//! The cell listing has one row per cell of the edition, with the official
//! labels. Header: `table,row,column,value,source`. `row` and `column` join a
//! parent label to its child with ` / `; `value` is the normalized number,
//! empty for a blank; `source` says where the value was read. Files get a
//! UTF-8 byte order mark so that Excel and WPS open them with the right
//! encoding.

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use std::io::Write;
use std::path::Path;

/// A CSV writer (RFC 4180 quoting, `\n` line ends) over `out`, after a UTF-8
/// byte order mark when `bom`.
///
/// # Errors
/// [`Error::Io`] naming `path` if the mark cannot be written.
pub fn writer<W: Write>(mut out: W, bom: bool, path: &Path) -> Result<csv::Writer<W>> {
    if bom {
        out.write_all("\u{feff}".as_bytes()).map_err(|e| Error::io(path, e))?;
    }
    Ok(csv::WriterBuilder::new().from_writer(out))
}

/// Write one record.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn record<W: Write, S: AsRef<[u8]>>(w: &mut csv::Writer<W>, fields: &[S], path: &Path) -> Result<()> {
    w.write_record(fields).map_err(|e| csv_error(e, path))
}

/// Flush the writer and give back what it wrote to.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn finish<W: Write>(w: csv::Writer<W>, path: &Path) -> Result<W> {
    w.into_inner().map_err(|e| Error::io(path, e.into_error()))
}

fn csv_error(e: csv::Error, path: &Path) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(path, io),
        other => Error::io(path, std::io::Error::other(format!("{other:?}"))),
    }
}

/// The cell listing of a report.
///
/// # Errors
/// Only if the `csv` crate refuses a record (it does not for text fields).
pub fn render(report: &Report, ed: &Edition, bom: bool) -> Result<Vec<u8>> {
    let path = Path::new("<CSV>");
    let mut w = writer(Vec::new(), bom, path)?;
    record(&mut w, &["table", "row", "column", "value", "source"], path)?;
    for c in &ed.cells {
        let value = report.value(&c.id).map(|n| n.to_string()).unwrap_or_default();
        let source = report.provenance.get(&c.id).map(|s| s.describe()).unwrap_or_default();
        record(&mut w, &[c.table_name.as_str(), &c.row_path, &c.col_path, &value, &source], path)?;
    }
    finish(w, path)
}
