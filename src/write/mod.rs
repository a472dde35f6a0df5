//! Writers: one module per output kind, each consuming a [`Report`].
//!
//! Output files are written to a temporary file beside the target and moved
//! into place in one step (tempfile's `persist_noclobber`, or `persist` when
//! replacing is asked for), so a failed run leaves no partial file, an
//! existing file is replaced only when asked, and an input is never
//! overwritten.

pub mod csv;
pub mod docx;
pub mod html;
pub mod json;
pub mod outline;
pub mod pdf;
pub mod summary;
pub mod xlsx;

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// Output kinds xxgk writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
    Docx,
    Html,
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

/// Render a report in a format (PDF with LibreOffice's default time limit;
/// see [`pdf::render`]).
///
/// # Errors
/// From the writer of the format.
pub fn render(format: Format, report: &Report, ed: &Edition, to_file: bool) -> Result<Vec<u8>> {
    match format {
        Format::Json => json::render(report),
        Format::Csv => csv::render(report, ed, to_file),
        Format::Xlsx => xlsx::render(report, ed),
        Format::Docx => docx::render(report, ed, docx::Purpose::Publish),
        Format::Html => Ok(html::render(report, ed)),
        Format::Pdf => pdf::render(report, ed, crate::limits::Limits::default().convert_time),
    }
}

/// Write `bytes` to `path` atomically: [`create_beside`], then [`persist`].
///
/// # Errors
/// [`Error::OutputExists`] if `path` exists and `force` is false, or if it is
/// one of `inputs`; [`Error::Io`] on failure (no partial file is left).
pub fn write_file(path: &Path, bytes: &[u8], force: bool, inputs: &[PathBuf]) -> Result<()> {
    if inputs.iter().any(|i| same_file(i, path)) {
        return Err(Error::OutputExists { path: path.to_path_buf() });
    }
    if is_special(path) {
        return std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .map_err(|e| Error::io(path, e));
    }
    let mut tmp = create_beside(path)?;
    tmp.write_all(bytes).and_then(|_| tmp.as_file().sync_all()).map_err(|e| Error::io(path, e))?;
    persist(tmp, path, force)
}

/// A path that exists and is neither a file nor a folder: a device such as
/// `/dev/null` or `/dev/stdout`, or a named pipe. Moving a file over it
/// would replace it (as root, `/dev/null` itself), so it is written in place;
/// nothing is lost by writing to it, so no `--force` is needed.
fn is_special(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A temporary file in the folder of `path`, for [`persist`] to move into
/// place; it is removed if dropped before that. Its permissions are those
/// a plain `File::create` would give (0666 less the umask), not 0600.
///
/// # Errors
/// [`Error::Io`] naming `path` (for example, its folder does not exist).
pub fn create_beside(path: &Path) -> Result<NamedTempFile> {
    if path.is_dir() {
        return Err(Error::invalid(path, "输出路径是一个文件夹，请指定文件名"));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut b = tempfile::Builder::new();
    b.prefix(".xxgk-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b.tempfile_in(dir).map_err(|e| Error::io(path, e))
}

/// Move a finished temporary file to `path` in one step. Without `force`
/// the move itself refuses an existing file (no check-then-rename race:
/// a file that appears meanwhile is kept); with `force` it replaces it.
/// On failure the temporary file is removed.
///
/// # Errors
/// [`Error::OutputExists`] if `path` exists and `force` is false;
/// [`Error::Io`] otherwise.
pub fn persist(tmp: NamedTempFile, path: &Path, force: bool) -> Result<()> {
    if is_special(path) {
        // Copied into the device or pipe; the temporary file is removed on drop.
        let copied = tmp.reopen().and_then(|mut from| {
            let mut to = std::fs::OpenOptions::new().write(true).open(path)?;
            std::io::copy(&mut from, &mut to)
        });
        return copied.map(|_| ()).map_err(|e| Error::io(path, e));
    }
    let moved = if force { tmp.persist(path) } else { tmp.persist_noclobber(path) };
    match moved {
        Ok(_) => Ok(()),
        Err(e) if !force && e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::OutputExists { path: path.to_path_buf() })
        }
        Err(e) => Err(Error::io(path, e.error)),
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Display width of a text in Excel column units, for column widths and
/// row heights: East Asian wide, full-width and ambiguous characters (in a
/// Chinese font, `·`, `“”` and `—` are wide too) count 2, others 1,
/// combining marks 0 (autofit gets CJK wrong; crates-notes §1).
pub fn display_width(s: &str) -> f64 {
    use unicode_width::UnicodeWidthStr;
    s.width_cjk() as f64
}
