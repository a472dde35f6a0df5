//! Readers: one module per input kind. Every office, web and text reader
//! produces the neutral [`doc::Document`]; the one mapper ([`map`]) turns it
//! into a [`Report`] of an edition; JSON is read as the model itself.
//!
//! [`read_path`] picks the reader by the file's extension, then conforms the
//! result to its edition (cells in edition order, every edition cell present,
//! anything that maps to nothing reported as a warning, never dropped
//! silently).

pub mod container;
pub mod doc;
pub mod docx;
pub mod formula;
pub mod grid;
pub mod html;
pub mod json;
pub mod legacy;
pub mod map;
pub mod markdown;
pub mod mhtml;
pub mod page;
pub mod parts;
pub mod pdf;
pub mod text;
pub mod xlsx;

use crate::edition::{Edition, Editions};
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::model::{Report, Warning};
use indexmap::IndexMap;
use std::path::Path;

/// The codes of the warnings readers give, each with what it means. Every
/// code has a failing and a passing fixture under tests/rules/<CODE>/, like
/// the check rules (the batch's and the pipeline's codes:
/// [`crate::pipeline::CODES`]).
pub const READ_CODES: &[(&str, &str)] = &[
    ("READ-TABLE-NOT-FOUND", "a table (or a block of 表二) was not found; its cells are blank"),
    ("READ-ROW-NOT-FOUND", "a row was not found by its label; its cells are blank"),
    ("READ-COLUMN-NOT-FOUND", "a column was not found by its label; its cells are blank"),
    ("READ-ROW-COUNT", "a row of published text has more or fewer numbers than columns; it is left blank"),
    ("READ-RECOVERED", "a value missing from the page was determined by an identity of the edition"),
    ("READ-VALUE", "a cell's text is not a number; the cell is blank"),
    ("READ-UNMAPPED", "a non-empty cell belongs to no cell of the edition"),
    ("READ-UNKNOWN-CELL", "a JSON report names a cell its edition does not have"),
    ("READ-UNKNOWN-PART", "a JSON report names a part its edition does not have"),
    ("READ-REVISIONS", "a Word document has tracked changes, read as accepted"),
    ("READ-ENCODING", "a text file is neither UTF-8 nor valid GBK"),
    ("READ-OUT-OF-RANGE", "a sheet has cells beyond the rows and columns read"),
    ("READ-CONVERTED", "a legacy office file was converted by LibreOffice before reading"),
    ("READ-FORMULA", "a formula without a cached value cannot be evaluated; the cell is blank"),
    ("READ-STRUCK", "text struck through in a PDF is deleted text: read into no cell"),
];

/// What a reader needs besides the file.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    pub editions: &'a Editions,
    /// Force this edition id instead of the declared one or the year's.
    pub edition: Option<&'a str>,
    /// Caps on what a file may contain.
    pub limits: Limits,
}

impl<'a> ReadOptions<'a> {
    /// Options with the default limits and no forced edition.
    pub fn new(editions: &'a Editions) -> ReadOptions<'a> {
        ReadOptions { editions, edition: None, limits: Limits::default() }
    }
}

/// Input kinds xxgk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Json,
    Xlsx,
    Docx,
    Text,
    Html,
    /// .md: Markdown, as OCR and LLM converters write it (a .txt whose
    /// content is Markdown is read as Markdown too).
    Markdown,
    Pdf,
    /// .doc, .wps, .rtf, .odt, .xls, .et, .ods: read through LibreOffice.
    Legacy,
}

/// The input kind of a path, from its extension.
///
/// # Errors
/// [`Error::Unsupported`] with advice for legacy formats.
pub fn kind_of(path: &Path) -> Result<InputKind> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "json" => Ok(InputKind::Json),
        "xlsx" | "xlsm" => Ok(InputKind::Xlsx),
        "docx" | "docm" => Ok(InputKind::Docx),
        "txt" | "text" => Ok(InputKind::Text),
        "html" | "htm" | "shtml" | "mhtml" | "mht" => Ok(InputKind::Html),
        "md" | "markdown" => Ok(InputKind::Markdown),
        "pdf" => Ok(InputKind::Pdf),
        e if legacy::handles(e) => Ok(InputKind::Legacy),
        _ => Err(Error::unsupported(path)),
    }
}

/// Read one report from a file, conformed to its edition.
///
/// # Errors
/// An [`Error`] whose message names the file and what to do.
pub fn read_path(path: &Path, opts: ReadOptions<'_>) -> Result<(Report, Edition)> {
    let report = read_report(path, opts)?;
    let ed = opts.editions.resolve(&report, None)?.clone();
    Ok((report, ed))
}

/// Read one report, conformed to its edition (whose id it carries); the
/// edition itself is `opts.editions.get(&report.edition)`.
///
/// # Errors
/// An [`Error`] whose message names the file and what to do.
pub fn read_report(path: &Path, opts: ReadOptions<'_>) -> Result<Report> {
    let kind = kind_of(path)?;
    if path.is_dir() {
        return Err(Error::read(path, crate::error::Problem::IsFolder));
    }
    let report = match kind {
        InputKind::Json => json::read(path, &opts.limits)?,
        _ => {
            let bytes = container::read_file(path, &opts.limits)?;
            return from_bytes(kind, path, bytes, opts);
        }
    };
    let ed = opts.editions.resolve(&report, opts.edition)?;
    Ok(conform(report, ed))
}

/// The neutral document of a file's bytes (`path` names it in messages).
///
/// # Errors
/// The file is not of its kind, or is broken; JSON has no document.
pub fn document(kind: InputKind, path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<doc::Document> {
    match kind {
        InputKind::Legacy => legacy::document(kind, path, bytes, opts),
        InputKind::Xlsx | InputKind::Docx if legacy::is_renamed_legacy(&bytes) => {
            legacy::document(kind, path, bytes, opts)
        }
        InputKind::Xlsx => xlsx::from_bytes(path, bytes, opts),
        InputKind::Docx => docx::from_bytes(path, &bytes, opts),
        InputKind::Text if markdown::looks_like(&text::decode(&bytes).0) => markdown::from_bytes(path, &bytes, opts),
        InputKind::Text => text::from_bytes(path, &bytes, opts),
        InputKind::Markdown => markdown::from_bytes(path, &bytes, opts),
        InputKind::Html => html::from_bytes(path, &bytes, opts),
        InputKind::Pdf => pdf::from_bytes(path, &bytes, opts),
        InputKind::Json => Err(Error::invalid(path, "JSON 文件本身就是统一格式，无需映射")),
    }
}

/// Read one report of a given kind from its bytes, mapped and conformed to
/// its edition.
///
/// # Errors
/// An [`Error`] whose message names the file and what to do.
pub fn from_bytes(kind: InputKind, path: &Path, bytes: Vec<u8>, opts: ReadOptions<'_>) -> Result<Report> {
    let report = if kind == InputKind::Json {
        json::from_slice(&bytes).map_err(|p| Error::read(path, p))?
    } else {
        map::map(path, document(kind, path, bytes, opts)?, opts)?
    };
    let ed = opts.editions.resolve(&report, opts.edition)?;
    Ok(conform(report, ed))
}

/// Bring a report into the canonical shape of its edition: every cell of the
/// edition present and in order, parts in order; anything else is reported
/// in `warnings` and removed.
pub fn conform(mut report: Report, ed: &Edition) -> Report {
    report.edition = ed.id.clone();
    // Text fields are canonically trimmed: a spreadsheet cell or a Word
    // paragraph cannot keep leading or trailing white space apart from text.
    for s in [&mut report.organ, &mut report.title, &mut report.preamble, &mut report.contact, &mut report.published] {
        trim_in_place(s);
    }
    for p in report.parts.values_mut() {
        trim_in_place(&mut p.heading);
        trim_in_place(&mut p.text);
    }
    // Readers start from the edition's blank report, so the cells are
    // usually in canonical order already.
    let in_order = report.cells.len() == ed.cells.len() && report.cells.keys().zip(&ed.cells).all(|(k, c)| *k == c.id);
    let old = if in_order { IndexMap::new() } else { std::mem::take(&mut report.cells) };
    let mut cells = if in_order { std::mem::take(&mut report.cells) } else { IndexMap::with_capacity(ed.cells.len()) };
    if !in_order {
        for c in &ed.cells {
            cells.insert(c.id.clone(), old.get(&c.id).copied().flatten());
        }
    }
    for (id, v) in old.into_iter().filter(|(id, _)| !ed.has_cell(id)) {
        let shown = v.map(|n| n.to_string()).unwrap_or_else(|| "空".into());
        report.warnings.push(Warning {
            code: "READ-UNKNOWN-CELL".into(),
            message: format!("单元格 {id}（值 {shown}）不属于{}，未采用。请检查格式版本是否正确", ed.name),
            source: report.provenance.get(&id).cloned(),
        });
        report.provenance.shift_remove(&id);
    }
    report.cells = cells;
    let mut old_parts = std::mem::take(&mut report.parts);
    for p in &ed.parts {
        if let Some(part) = old_parts.shift_remove(&p.id) {
            report.parts.insert(p.id.clone(), part);
        }
    }
    for (id, part) in old_parts {
        report.warnings.push(Warning {
            code: "READ-UNKNOWN-PART".into(),
            message: format!("部分 {id}（“{}”）不属于{}，未采用", part.heading, ed.name),
            source: None,
        });
    }
    // Provenance in cell order too, for deterministic output.
    let prov_in_order = {
        let mut order = ed.cells.iter().map(|c| c.id.as_str());
        report.provenance.keys().all(|k| order.any(|id| id == k))
    };
    if !prov_in_order {
        let mut prov = std::mem::take(&mut report.provenance);
        for c in &ed.cells {
            if let Some(s) = prov.get_mut(&c.id).map(std::mem::take) {
                report.provenance.insert(c.id.clone(), s);
            }
        }
    }
    report
}

fn trim_in_place(s: &mut String) {
    let t = s.trim();
    if t.len() != s.len() {
        *s = t.to_string();
    }
}
