//! The one error type of the library.
//!
//! Every variant renders as a Chinese sentence for the clerk who runs the
//! tool: it names the file and says what to do. Check findings are *not*
//! errors; they are [`crate::check::Finding`] values.

use std::fmt;
use std::path::{Path, PathBuf};

/// An input or output could not be used.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed at the operating-system level.
    Io { path: PathBuf, source: std::io::Error },
    /// The file kind is not one xxgk reads or writes.
    Unsupported { path: PathBuf, what: String },
    /// The file is of a known kind but its content is not usable.
    Invalid { path: PathBuf, what: String },
    /// An edition file under templates/ (or given with --editions) is wrong.
    Edition { source_name: String, what: String },
    /// No edition fits the report.
    NoEdition { what: String },
    /// The output exists and --force was not given, or would overwrite an input.
    OutputExists { path: PathBuf },
    /// A usage error that clap cannot express (e.g. an unknown --to format).
    Usage(String),
}

impl Error {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io { path: path.to_path_buf(), source }
    }
    pub fn invalid(path: &Path, what: impl Into<String>) -> Self {
        Error::Invalid { path: path.to_path_buf(), what: what.into() }
    }
    pub fn unsupported(path: &Path, what: impl Into<String>) -> Self {
        Error::Unsupported { path: path.to_path_buf(), what: what.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => {
                let hint = match source.kind() {
                    std::io::ErrorKind::NotFound => "文件不存在，请检查文件名和路径",
                    std::io::ErrorKind::PermissionDenied => "没有读写权限，请检查文件权限或换一个目录",
                    _ => "请检查文件是否被其他程序占用或磁盘是否已满",
                };
                write!(f, "无法读写文件 {}：{}（{}）", path.display(), hint, source)
            }
            Error::Unsupported { path, what } => {
                write!(f, "不支持的文件 {}：{}", path.display(), what)
            }
            Error::Invalid { path, what } => write!(f, "文件 {} 无法使用：{}", path.display(), what),
            Error::Edition { source_name, what } => {
                write!(f, "年报格式文件 {} 有误：{}", source_name, what)
            }
            Error::NoEdition { what } => write!(f, "找不到适用的年报格式：{}", what),
            Error::OutputExists { path } => write!(
                f,
                "输出文件 {} 已存在，为避免覆盖未写入。如确需覆盖，请加 --force（不会覆盖输入文件）",
                path.display()
            ),
            Error::Usage(what) => write!(f, "{}", what),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
