//! Writers: one module per output kind, each consuming a [`Report`] and
//! giving bytes; [`crate::output`] puts bytes in place safely.

pub mod corpus;
pub mod csv;
pub mod docx;
pub mod html;
pub mod json;
pub mod outline;
pub mod pdf;
pub mod summary;
pub mod typeset;
pub mod xlsx;

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::limits::Limits;
use crate::model::Report;
use std::path::Path;

/// Output kinds xxgk writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Docx,
    Html,
    /// The HTML publication as a fragment for a website's editor
    /// ([`html::fragment`]): `--to fragment`.
    Fragment,
    Pdf,
}

impl Format {
    /// All formats with their names, for messages and --help.
    pub const ALL: &'static [(&'static str, Format)] = &[
        ("json", Format::Json),
        ("csv", Format::Csv),
        ("xlsx", Format::Xlsx),
        ("docx", Format::Docx),
        ("html", Format::Html),
        ("fragment", Format::Fragment),
        ("pdf", Format::Pdf),
    ];

    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim_start_matches('.').to_ascii_lowercase();
        let name = if name == "htm" { "html".to_string() } else { name };
        Format::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// The format asked for: `--to`, else the output's extension, else JSON.
    ///
    /// # Errors
    /// [`Error::Usage`] for an unknown format name or extension.
    pub fn choose(to: Option<&str>, output: Option<&Path>) -> Result<Format> {
        let names = || Format::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join("、");
        if let Some(t) = to {
            return Format::from_name(t)
                .ok_or_else(|| Error::Usage(format!("不支持的输出格式 “{t}”（支持：{}）", names())));
        }
        match output.and_then(|o| o.extension()).and_then(|e| e.to_str()) {
            Some(ext) => Format::from_name(ext).ok_or_else(|| {
                Error::Usage(format!("无法从扩展名 “.{ext}” 判断输出格式（支持：{}），请用 --to 指定", names()))
            }),
            None => Ok(Format::Json),
        }
    }
}

/// How a writer writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The output goes to a file (not the terminal): CSV gets a BOM.
    pub to_file: bool,
    /// The report had this many errors when it was published anyway: the
    /// publication says so in its properties ([`crate::stamp::PROP_ERRORS`]).
    pub errors: usize,
}

impl Options {
    /// To a file, or to standard output.
    pub fn to(to_file: bool) -> Options {
        Options { to_file, errors: 0 }
    }
    /// A publication, of a report with `errors` errors.
    pub fn publication(errors: usize) -> Options {
        Options { to_file: true, errors }
    }
}

/// Render a report in a format; PDF is printed by LibreOffice within
/// `limits.convert_time` (see [`pdf::render`]).
///
/// # Errors
/// From the writer of the format.
pub fn render(format: Format, report: &Report, ed: &Edition, opts: &Options, limits: &Limits) -> Result<Vec<u8>> {
    match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(report, ed, opts.to_file),
        Format::Xlsx => xlsx::render(report, ed),
        Format::Docx => docx::render_for(report, ed, docx::Purpose::Publish, docx::Reader::Word, opts.errors),
        Format::Html => Ok(html::render_stamped(report, ed, opts.errors)),
        Format::Fragment => Ok(html::fragment(report, ed)),
        Format::Pdf => pdf::render(report, ed, limits.convert_time, opts.errors),
    }
}

impl Format {
    /// A publication format: docx, html or pdf (refused for a report with
    /// errors unless allowed, [`crate::pipeline::Session::publish`]).
    pub fn is_publication(self) -> bool {
        matches!(self, Format::Docx | Format::Html | Format::Fragment | Format::Pdf)
    }
}
