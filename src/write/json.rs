//! Writer for the canonical JSON form: pretty-printed, cells in edition order,
//! a final newline. The same report always gives the same bytes.

use crate::model::Report;

pub fn render(report: &Report) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(report).unwrap_or_default();
    out.push(b'\n');
    out
}
