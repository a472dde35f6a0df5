//! The tidy cell listing: one row per cell of the edition, with the official
//! labels.
//!
//! Header: `table,row,column,value,source`. `row` and `column` join a parent
//! label to its child with ` / `; `value` is the normalized number, empty for
//! a blank; `source` says where the value was read. Files get a UTF-8 byte
//! order mark so that Excel and WPS open them with the right encoding.

use crate::edition::Edition;
use crate::model::Report;

pub fn render(report: &Report, ed: &Edition, bom: bool) -> Vec<u8> {
    let mut out = String::new();
    if bom {
        out.push('\u{feff}');
    }
    out.push_str("table,row,column,value,source\n");
    for c in &ed.cells {
        let value = report.value(&c.id).map(|n| n.to_string()).unwrap_or_default();
        let source = report.provenance.get(&c.id).map(|s| s.describe()).unwrap_or_default();
        let fields = [c.table_name.as_str(), &c.row_path, &c.col_path, &value, &source];
        let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// RFC 4180 quoting.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
