//! Comparing a reader's report with its fixture's expected JSON.

use crate::common::{read_json, read_report};
use serde_json::Value;
use std::path::Path;
use xxgk::model::Report;

/// The report's fields the expected JSON names, and every cell, compared in
/// full; returns the report.
pub fn assert_as_expected(file: &Path, expected: &Path) -> Report {
    let r = read_report(file);
    let want = read_json(expected);
    let got = serde_json::to_value(&r).unwrap();
    let name = file.display();
    for (k, v) in want.as_object().unwrap() {
        if k == "cells" {
            continue;
        }
        assert_eq!(&got[k], v, "{name}: {k}");
    }
    let want_cells = want["cells"].as_object().unwrap();
    let got_cells = got["cells"].as_object().unwrap();
    assert_eq!(got_cells.len(), want_cells.len(), "{name}: cell count");
    let wrong: Vec<String> = want_cells
        .iter()
        .filter(|(id, v)| got_cells.get(*id) != Some(v))
        .map(|(id, v)| format!("{id}: expected {v}, read {}", got_cells.get(id).unwrap_or(&Value::Null)))
        .collect();
    assert!(wrong.is_empty(), "{name}: {} cells differ:\n{}", wrong.len(), wrong.join("\n"));
    r
}
