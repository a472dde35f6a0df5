//! Writers: one module per output kind, each consuming a [`Report`].
//!
//! Output files are written to a temporary file beside the target and renamed
//! into place, so a failed run leaves no partial file; an existing file is
//! replaced only when asked, and an input is never overwritten.

pub mod csv;
pub mod docx;
pub mod json;
pub mod summary;
pub mod xlsx;

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output kinds xxgk writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Docx,
}

impl Format {
    /// All formats with their names, for messages and --help.
    pub const ALL: &'static [(&'static str, Format)] =
        &[("json", Format::Json), ("csv", Format::Csv), ("xlsx", Format::Xlsx), ("docx", Format::Docx)];

    pub fn from_name(name: &str) -> Option<Format> {
        let name = name.trim_start_matches('.').to_ascii_lowercase();
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

/// Render a report in a format.
///
/// # Errors
/// Only from writers that can fail (none of the text formats do).
#[allow(clippy::needless_question_mark)]
pub fn render(format: Format, report: &Report, ed: &Edition, to_file: bool) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(report, ed, to_file),
        Format::Xlsx => xlsx::render(report, ed)?,
        Format::Docx => docx::render(report, ed, docx::Purpose::Publish)?,
    })
}

/// Write `bytes` to `path` atomically.
///
/// # Errors
/// [`Error::OutputExists`] if `path` exists and `force` is false, or if it is
/// one of `inputs`; [`Error::Io`] on failure (no partial file is left).
pub fn write_file(path: &Path, bytes: &[u8], force: bool, inputs: &[PathBuf]) -> Result<()> {
    if path.exists() {
        let same_as_input = inputs.iter().any(|i| same_file(i, path));
        if !force || same_as_input {
            return Err(Error::OutputExists { path: path.to_path_buf() });
        }
        if path.is_dir() {
            return Err(Error::invalid(path, "输出路径是一个文件夹，请指定文件名"));
        }
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.xxgk-tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
