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
    /// The file is of a known kind but its content is not usable: what is
    /// wrong is a [`Problem`], one variant per kind of failure.
    Read { path: PathBuf, problem: Problem },
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
    /// A file that cannot be used, for a reason without a variant of its
    /// own ([`Problem::Other`]).
    pub fn invalid(path: &Path, what: impl Into<String>) -> Self {
        Error::Read { path: path.to_path_buf(), problem: Problem::Other(what.into()) }
    }
    /// A file that cannot be used, and why.
    pub fn read(path: &Path, problem: Problem) -> Self {
        Error::Read { path: path.to_path_buf(), problem }
    }
    /// The problem, for an error about a file's content.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Read { problem, .. } => Some(problem),
            _ => None,
        }
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
            Error::Read { path, problem } => write!(f, "文件 {} 无法使用：{}", path.display(), problem),
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

/// Why an input file cannot be read. A caller can tell an encrypted file
/// from a zip bomb or a scan; the Display is the Chinese sentence for the
/// clerk, saying what to do.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// A folder where a file is needed.
    IsFolder,
    /// The file is empty.
    Empty,
    /// The file is larger than `--max-file-size`.
    TooLarge { size: u64, limit: u64 },
    /// An Office file with an opening password (`app`: what to open it
    /// with, `ext`: what to save it as).
    Encrypted { app: &'static str, ext: &'static str },
    /// A PDF that needs a password.
    EncryptedPdf,
    /// A legacy binary Office file (.doc, .xls, .wps, .et), whatever its name
    /// says: `found` names it, `ext` is what to save it as.
    Legacy { found: &'static str, app: &'static str, ext: &'static str },
    /// Another kind of Office file than the name says (`found` names it).
    WrongKind { found: &'static str, ext: &'static str },
    /// Not an Office file at all, or a broken zip.
    NotPackage { app: &'static str, ext: &'static str, detail: Option<String> },
    /// A package with more entries than `--max-zip-entries`.
    TooManyEntries { count: usize, limit: usize },
    /// One entry inflates beyond `--max-entry-size` (a zip bomb).
    ZipBomb { entry: String, size: u64, limit: u64 },
    /// The whole package inflates beyond `--max-total-size`.
    TooLargeUnpacked { total: u64, limit: u64 },
    /// An XML part with a DOCTYPE (entity expansion attacks).
    Doctype,
    /// XML nested deeper than `--max-xml-depth`.
    TooDeep { limit: usize },
    /// Tables nested deeper than the cap (Word, HTML).
    TablesTooDeep { limit: usize },
    /// A table with more rows than `--max-table-rows`.
    TooManyRows { limit: usize },
    /// A table row with more cells than `--max-table-cols`.
    RowTooWide { limit: usize },
    /// More cells than a cap (`option` names it).
    TooManyCells { limit: usize, option: &'static str },
    /// A workbook the spreadsheet reader cannot read (its words).
    BrokenWorkbook(String),
    /// Not a PDF, a broken PDF, or one beyond its caps (the object layer's
    /// own sentence).
    Pdf(String),
    /// A PDF without any text: a scan.
    Scan,
    /// No edition can be chosen: no report tables, no year in the title.
    NotAReport { noun: &'static str },
    /// A workbook without the report's tables (`tables`: their names).
    NoTables { tables: String },
    /// Anything else, in the reader's words.
    Other(String),
}

impl From<&str> for Problem {
    fn from(what: &str) -> Problem {
        Problem::Other(what.to_string())
    }
}

impl From<String> for Problem {
    fn from(what: String) -> Problem {
        Problem::Other(what)
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::limits::show_size;
        match self {
            Problem::IsFolder => f.write_str("这是一个文件夹，不是文件。请指定文件夹中的报告文件"),
            Problem::Empty => f.write_str("文件是空的（0 字节）。请重新保存或导出该文件"),
            Problem::TooLarge { size, limit } => write!(
                f,
                "文件大小 {size} 字节，超过上限 {}。年报文件通常不到 10 MB，请确认文件是否正确（如确需处理，可用 --max-file-size 放宽上限）",
                show_size(*limit)
            ),
            Problem::Encrypted { app, ext } => {
                write!(f, "文件设置了打开密码（已加密），无法读取。请用{app}打开，取消密码后另存为 {ext} 再转换")
            }
            Problem::EncryptedPdf => {
                f.write_str("PDF 文件已加密，无法读取。请向发布单位索取未加密的文件，或使用原始的 Word/Excel 文件")
            }
            Problem::Legacy { found, app, ext } => {
                write!(f, "这是{found}，只是扩展名为 {ext}。请用{app}打开后“另存为” {ext} 再转换")
            }
            Problem::WrongKind { found, ext } => write!(f, "这是 {found}，不是 {ext} 文件。请改正扩展名，或另存为 {ext} 后转换"),
            Problem::NotPackage { app, ext, detail: None } => {
                write!(f, "不是有效的 {ext} 文件（文件已损坏或并非 Office 文件）。请用{app}打开后另存为 {ext} 再转换")
            }
            Problem::NotPackage { app, ext, detail: Some(d) } => {
                write!(f, "压缩包已损坏（{d}）。请用{app}打开后另存为 {ext} 再转换")
            }
            Problem::TooManyEntries { count, limit } => {
                write!(f, "压缩包中有 {count} 个文件，超过上限 {limit}（可用 --max-zip-entries 放宽）")
            }
            Problem::ZipBomb { entry, size, limit } => write!(
                f,
                "压缩包中的 {entry} 解压后有 {size} 字节，超过上限 {}（可能是“压缩炸弹”；如确需处理，可用 --max-entry-size 放宽）",
                show_size(*limit)
            ),
            Problem::TooLargeUnpacked { total, limit } => write!(
                f,
                "压缩包解压后共 {total} 字节，超过上限 {}（可用 --max-total-size 放宽）",
                show_size(*limit)
            ),
            Problem::Doctype => f.write_str("文档中含有 DOCTYPE 声明，这不是 Word 生成的文件，已拒绝读取"),
            Problem::TooDeep { limit } => {
                write!(f, "文档的 XML 嵌套超过 {limit} 层，文件可能已损坏或被篡改（可用 --max-xml-depth 放宽）")
            }
            Problem::TablesTooDeep { limit } => write!(f, "表格嵌套超过 {limit} 层，文件可能已损坏或被篡改"),
            Problem::TooManyRows { limit } => write!(f, "表格超过 {limit} 行（可用 --max-table-rows 放宽）"),
            Problem::RowTooWide { limit } => {
                write!(f, "表格的一行超过 {limit} 个单元格（可用 --max-table-cols 放宽）")
            }
            Problem::TooManyCells { limit, option } => write!(
                f,
                "表格或工作簿超过 {limit} 个单元格，文件可能已损坏或被篡改（如确需处理，可用 {option} 放宽）"
            ),
            Problem::BrokenWorkbook(why) => {
                write!(f, "无法读取工作簿（{why}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再转换")
            }
            Problem::Pdf(why) => f.write_str(why),
            Problem::Scan => f.write_str(
                "PDF 中没有文字（可能是扫描件或图片），xxgk 不做文字识别（OCR）。请向发布单位索取 Word/Excel 原件，或可复制文字的 PDF",
            ),
            Problem::NotAReport { noun } => write!(
                f,
                "{noun}中既没有找到年报表格，也无法从标题判断年度，不能确定格式版本。请用 --edition 指定"
            ),
            Problem::NoTables { tables } => write!(
                f,
                "工作簿中没有找到年报表格（{tables}）。请使用 xxgk 生成的模板，或按官方格式填写表格"
            ),
            Problem::Other(what) => f.write_str(what),
        }
    }
}
