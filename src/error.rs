//! The one error type of the library.
//!
//! Every variant renders as a Chinese sentence that names the file and says
//! what to do, in two wordings ([`Audience`]): for the command line, where
//! the advice may name an option (`--max-file-size`), and for the web page,
//! where it may not (a clerk there has no command line). Check findings are
//! *not* errors; they are [`crate::check::Finding`] values.
//!
//! Errors are values end to end: they serialize (serde) with their kind and
//! their paths, so that an error met in an isolated worker process reaches
//! the main process as the same variant ([`crate::isolate`]), and the web
//! page can show its own names for the files ([`Error::relabel`]) without
//! editing message text.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The words every panic reaches the user with: in the main process through
/// the panic hook (`src/main.rs`), in a worker through its answer
/// ([`WorkerFailure::Panicked`]). Tests look for them to prove that nothing
/// panicked.
pub const PANIC_MARK: &str = "程序内部错误";

/// The environment variable that chooses or disables LibreOffice
/// ([`crate::soffice`]).
pub const SOFFICE_ENV: &str = "XXGK_SOFFICE";

/// How to get LibreOffice, in the messages without it.
pub const SOFFICE_INSTALL: &str = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui";

/// Who reads a message: the wording of advice differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The command line: advice may name options and commands.
    Cli,
    /// The local web page: no options, no commands, no library English.
    Page,
}

/// An input or output could not be used.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed at the operating-system level.
    Io {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        #[serde(with = "io_error")]
        source: std::io::Error,
    },
    /// The file kind is not one xxgk reads.
    Unsupported {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        kind: Unsupported,
    },
    /// The file is of a known kind but its content is not usable: what is
    /// wrong is a [`Problem`], one variant per kind of failure.
    Read {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        problem: Problem,
    },
    /// An edition file under templates/ (or given with --editions) is wrong.
    Edition { source_name: String, what: String },
    /// No edition fits the report.
    NoEdition(NoEdition),
    /// The output exists and --force was not given, or would overwrite an input.
    OutputExists {
        #[serde(with = "path_bytes")]
        path: PathBuf,
    },
    /// An output cannot be written there (not a file system failure: the
    /// place itself is wrong).
    Output {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        problem: OutputProblem,
    },
    /// A writer could not make its output (`what`: the kind of file, e.g.
    /// `Excel 文件`; `detail`: the library's words).
    Render { what: String, detail: String },
    /// LibreOffice could not do its part (reading a legacy file, printing a PDF).
    Office {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        task: OfficeTask,
        failure: OfficeFailure,
    },
    /// The isolated process reading a file died, overran its time, or
    /// could not be used.
    Worker {
        #[serde(with = "path_bytes")]
        path: PathBuf,
        failure: WorkerFailure,
    },
    /// The web page could not be served.
    Serve(ServeFailure),
    /// A publication of a report with errors was asked for without
    /// allowing it (`first`: the first error's message).
    Unpublishable { errors: usize, first: String },
    /// Last year's report given for a template is not the same organ's,
    /// or not of the year before.
    PreviousMismatch(Mismatch),
    /// A usage error that clap cannot express (e.g. two options that
    /// exclude each other). Only the command line makes these.
    Usage(String),
}

/// Why a file kind is not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unsupported {
    /// An extension xxgk does not know.
    Extension,
}

/// No edition fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoEdition {
    /// No edition has this id (`known`: the ids there are).
    Unknown { id: String, known: Vec<String> },
    /// No edition covers this year.
    Year { year: u32, known: Vec<String> },
    /// The report names neither edition nor year.
    Undetermined,
}

/// Why an output cannot go where it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputProblem {
    /// The path is a folder.
    IsFolder,
    /// The folder it would go in does not exist.
    NoFolder {
        #[serde(with = "path_bytes")]
        folder: PathBuf,
    },
    /// A disk device or a socket.
    Device,
    /// A named pipe nobody reads.
    PipeWithoutReader,
    /// The system reported a write error when the batch's files were
    /// flushed (`detail`: its words).
    Flush { detail: String },
}

/// What LibreOffice was asked to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeTask {
    /// Convert a legacy file to `target` (`.docx`, `.xlsx`) for reading.
    Convert { target: String },
    /// Print the publication as PDF.
    PrintPdf,
}

/// Why LibreOffice gave nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeFailure {
    /// Not installed.
    Missing,
    /// Turned off by `XXGK_SOFFICE` (its value).
    Off { value: String },
    /// `XXGK_SOFFICE` names a program that is not there.
    Wrong {
        #[serde(with = "path_bytes")]
        program: PathBuf,
    },
    /// Its private folder could not be prepared.
    Prepare { what: String, detail: String },
    /// It could not be started.
    Start { detail: String },
    /// It ran longer than allowed (seconds) and was stopped.
    TimedOut { seconds: f64 },
    /// It ended without output (`status`, its last words).
    NoOutput { status: String, said: String },
    /// Its output could not be used (`detail`: why).
    BadOutput { detail: String },
}

/// Why an isolated worker gave no answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerFailure {
    /// The worker could not be started.
    Start { detail: String },
    /// It died (crash, abort, memory limit): the limit in MB and its last
    /// lines of standard error.
    Died { memory_mb: u64, last_words: String },
    /// It overran the time limit (seconds) and was stopped.
    TimedOut { seconds: f64 },
    /// Its answer could not be understood.
    Garbled { detail: String },
    /// A panic in it (where, what it said): a bug of xxgk.
    Panicked { at: String, said: String },
}

/// Why the web page could not be served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServeFailure {
    /// The port is taken or cannot be bound.
    Port { port: u16, detail: String },
    /// The server could not start or stopped with an error.
    Server { detail: String },
}

/// Last year's report does not fit the template asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// The organ and year of the template.
    pub organ: String,
    pub year: u32,
    /// The organ and year of the report given as last year's.
    pub given_organ: String,
    pub given_year: Option<u32>,
    /// The file given (as shown).
    pub file: String,
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
    pub fn unsupported(path: &Path) -> Self {
        Error::Unsupported { path: path.to_path_buf(), kind: Unsupported::Extension }
    }
    /// A writer's failure (`what`: the kind of file it makes).
    pub fn render(what: &str, detail: impl fmt::Display) -> Self {
        Error::Render { what: what.to_string(), detail: detail.to_string() }
    }
    pub fn output(path: &Path, problem: OutputProblem) -> Self {
        Error::Output { path: path.to_path_buf(), problem }
    }

    /// Whether the file read is no report at all (rather than a report
    /// that cannot be read): a batch counts these apart.
    pub fn is_not_a_report(&self) -> bool {
        matches!(self.problem(), Some(Problem::NotAReport { .. } | Problem::NoTables { .. }))
    }

    /// Every path this error names, changed by `f` (the web page shows
    /// uploads by their names, not by where they were stored).
    pub fn relabel(&mut self, f: &dyn Fn(&Path) -> Option<PathBuf>) {
        let swap = |p: &mut PathBuf| {
            if let Some(n) = f(p) {
                *p = n;
            }
        };
        match self {
            Error::Io { path, .. }
            | Error::Unsupported { path, .. }
            | Error::Read { path, .. }
            | Error::OutputExists { path }
            | Error::Office { path, .. }
            | Error::Worker { path, .. } => swap(path),
            Error::Output { path, problem } => {
                swap(path);
                if let OutputProblem::NoFolder { folder } = problem {
                    swap(folder);
                }
            }
            Error::Edition { .. }
            | Error::NoEdition(_)
            | Error::Render { .. }
            | Error::Serve(_)
            | Error::Unpublishable { .. }
            | Error::PreviousMismatch(_)
            | Error::Usage(_) => {}
        }
    }

    /// The message for `audience` (the `Display` form is the command line's).
    pub fn message(&self, audience: Audience) -> String {
        let page = audience == Audience::Page;
        match self {
            Error::Io { path, source } => {
                let hint = match source.kind() {
                    std::io::ErrorKind::NotFound => "文件不存在，请检查文件名和路径",
                    std::io::ErrorKind::PermissionDenied => {
                        "没有读写权限：文件可能正在 Excel、WPS 或 Word 中打开（请先关闭它），或者请检查文件权限、换一个文件夹"
                    }
                    std::io::ErrorKind::StorageFull => "磁盘已满，请清理磁盘空间后重试",
                    _ => "请检查文件是否被其他程序占用或磁盘是否已满",
                };
                if page {
                    format!("无法读写文件 {}：{hint}", path.display())
                } else {
                    format!("无法读写文件 {}：{hint}（{source}）", path.display())
                }
            }
            Error::Unsupported { path, kind: Unsupported::Extension } => format!(
                "不支持的文件 {}：只能读取 .json、.xlsx、.docx、.pdf、.txt、.html 文件（以及经 LibreOffice 转换的 .doc、.wps、.rtf、.odt、.xls、.et、.ods）。请检查文件扩展名",
                path.display()
            ),
            Error::Read { path, problem } => {
                format!("文件 {} 无法使用：{}", path.display(), problem.message(audience))
            }
            Error::Edition { source_name, what } => format!("年报格式文件 {source_name} 有误：{what}"),
            Error::NoEdition(n) => format!("找不到适用的年报格式：{}", n.message(audience)),
            Error::OutputExists { path } if page => {
                format!("输出文件 {} 已存在，为避免覆盖未写入", path.display())
            }
            Error::OutputExists { path } => format!(
                "输出文件 {} 已存在，为避免覆盖未写入。如确需覆盖，请加 --force（不会覆盖输入文件）",
                path.display()
            ),
            Error::Output { path, problem } => format!("无法写入 {}：{}", path.display(), problem.message()),
            Error::Render { what, detail } if page => {
                let _ = detail;
                format!("生成{what}失败。请把所用的文件报告给开发者")
            }
            Error::Render { what, detail } => format!("生成{what}失败（{detail}）。请把所用的命令和文件报告给开发者"),
            Error::Office { path, task, failure } => office_message(path, task, failure, audience),
            Error::Worker { path, failure } => {
                format!("文件 {} 无法使用：{}", path.display(), failure.message(audience))
            }
            Error::Serve(ServeFailure::Port { port, detail }) => {
                format!("无法使用端口 {port}（{detail}）。请用 --port 换一个端口，如 --port 8766")
            }
            Error::Serve(ServeFailure::Server { detail }) => format!("网页服务出错（{detail}）"),
            Error::Unpublishable { errors, first } if page => format!(
                "这份报告有 {errors} 个错误（第一个：{first}），按规定不能直接生成公开版。请先在“检查”页面查看并改正；如确需按原样发布，请勾选“仍要生成公开版”"
            ),
            Error::Unpublishable { errors, first } => format!(
                "这份报告有 {errors} 个错误（第一个：{first}），未生成公开版。请先用 xxgk check 查看并改正；如确需按原样发布，请加 --allow-errors（公开版的文档属性中会注明有错误）"
            ),
            Error::PreviousMismatch(m) => m.message(audience),
            Error::Usage(what) => what.clone(),
        }
    }
}

fn office_message(path: &Path, task: &OfficeTask, failure: &OfficeFailure, audience: Audience) -> String {
    use self::{SOFFICE_ENV as ENV, SOFFICE_INSTALL as INSTALL};
    let page = audience == Audience::Page;
    let timeout_hint = if page { "" } else { "；如确是正常的大文件，可用 --timeout 放宽" };
    let common = |f: &OfficeFailure| match f {
        OfficeFailure::Missing if page => "本机没有安装 LibreOffice（请管理员安装后重新启动 xxgk）".to_string(),
        OfficeFailure::Missing => format!("生成需要 LibreOffice，本机未找到。请安装 LibreOffice（{INSTALL}）后重试"),
        OfficeFailure::Off { value } => format!("LibreOffice 已由环境变量 {ENV}={value} 关闭"),
        OfficeFailure::Wrong { program } => {
            format!("{ENV} 指定的 LibreOffice 程序 {} 不存在，请检查该环境变量", program.display())
        }
        OfficeFailure::Prepare { what, detail } => format!("无法准备 LibreOffice：{what}（{detail}）"),
        OfficeFailure::Start { detail } => format!("无法启动 LibreOffice（{detail}）"),
        OfficeFailure::TimedOut { seconds } => {
            format!("LibreOffice 超过 {seconds:.1} 秒仍未完成，已停止（文件可能损坏或过大{timeout_hint}）")
        }
        OfficeFailure::NoOutput { status, said } => format!("LibreOffice 未能完成（{status}{said}）"),
        OfficeFailure::BadOutput { detail } => format!("LibreOffice 的结果无法使用（{detail}）"),
    };
    match task {
        OfficeTask::PrintPdf => {
            let word = if page {
                "也可以下载 Word 版，用 Word 或 WPS 打开后“另存为” PDF"
            } else {
                "也可以先输出 Word 文件（-o 年报.docx），用 Word 或 WPS 打开后“另存为” PDF"
            };
            let why = match failure {
                OfficeFailure::Missing if !page => {
                    format!("生成 PDF 需要 LibreOffice，本机未找到。请安装 LibreOffice（{INSTALL}）后重试")
                }
                f => common(f),
            };
            format!("无法生成 PDF：{why}。{word}")
        }
        OfficeTask::Convert { target } => {
            let resave = format!("请用 Word 或 WPS 打开后“另存为” {target} 再转换");
            let why = match failure {
                OfficeFailure::Missing if !page => format!(
                    "需要用 LibreOffice 转换为 {target} 才能读取，本机未找到。也可以在本机安装 LibreOffice（{INSTALL}），xxgk 即可自动转换此类文件"
                ),
                OfficeFailure::Prepare { what, detail } => format!("无法准备 LibreOffice 转换：{what}（{detail}）"),
                OfficeFailure::TimedOut { seconds } => format!(
                    "用 LibreOffice 转换为 {target} 超过 {seconds:.1} 秒仍未完成，已停止（文件可能损坏或过大）。{resave}{timeout_hint}"
                ),
                OfficeFailure::NoOutput { status, said } => format!(
                    "LibreOffice 未能将其转换为 {target}（{status}{said}）。文件可能已损坏、设置了打开密码，或并非其扩展名所示的格式。{resave}"
                ),
                OfficeFailure::BadOutput { detail } => format!("LibreOffice 转换得到的 {target} 文件无法使用：{detail}"),
                f => format!("{}。{resave}", common(f)),
            };
            format!("文件 {} 无法使用：{why}", path.display())
        }
    }
}

impl NoEdition {
    fn message(&self, audience: Audience) -> String {
        let page = audience == Audience::Page;
        match self {
            NoEdition::Unknown { id, known } if page => {
                format!("没有 “{id}” 这个格式版本（已有：{}）", known.join("、"))
            }
            NoEdition::Unknown { id, known } => format!(
                "没有 “{id}” 这个格式版本（已有：{}）。请用 --edition 指定，或用 --editions 加载格式文件",
                known.join("、")
            ),
            NoEdition::Year { year, known } if page => {
                format!("没有适用于 {year} 年报告的格式版本（已有：{}）", known.join("、"))
            }
            NoEdition::Year { year, known } => {
                format!("没有适用于 {year} 年报告的格式版本（已有：{}）。请用 --edition 指定", known.join("、"))
            }
            NoEdition::Undetermined if page => {
                "报告既没有注明格式版本，也没有注明年度。请在报告标题中写明年度（如“2023年”）后重新上传".into()
            }
            NoEdition::Undetermined => "报告既没有注明格式版本，也没有注明年度。请用 --edition 指定格式版本".into(),
        }
    }
}

impl OutputProblem {
    fn message(&self) -> String {
        match self {
            OutputProblem::IsFolder => "输出路径是一个文件夹，请指定文件名".into(),
            OutputProblem::NoFolder { folder } => {
                format!("输出文件所在的文件夹 {} 不存在，请先建好它或换一个路径", folder.display())
            }
            OutputProblem::Device => "它是一个磁盘设备或套接字，不能写入；请指定一个普通文件名".into(),
            OutputProblem::PipeWithoutReader => {
                "这是一个命名管道，但没有程序在读取它；请先启动读取的程序，或指定一个普通文件名".into()
            }
            OutputProblem::Flush { detail } => {
                format!("磁盘报告了写入错误（{detail}），其中的文件可能不完整。请检查磁盘空间或网络盘后重新运行")
            }
        }
    }
}

impl WorkerFailure {
    fn message(&self, audience: Audience) -> String {
        let page = audience == Audience::Page;
        match self {
            WorkerFailure::Start { detail } => format!("无法启动读取进程（{detail}）"),
            WorkerFailure::Died { memory_mb, last_words } => {
                let words = if last_words.is_empty() || page {
                    String::new()
                } else {
                    format!("。处理进程最后的输出：{last_words}")
                };
                format!(
                    "读取该文件时处理进程异常终止（内存超过 {memory_mb} MB 上限，或文件损坏、被篡改），已跳过。请用 Office 或 WPS 打开后重新保存再试{words}"
                )
            }
            WorkerFailure::TimedOut { seconds } if page => {
                format!("读取该文件超过 {seconds} 秒仍未完成，已停止（文件可能损坏或被篡改）")
            }
            WorkerFailure::TimedOut { seconds } => format!(
                "读取该文件超过 {seconds} 秒仍未完成，已停止（文件可能损坏或被篡改）。如确是正常的大文件，可用 --timeout 放宽"
            ),
            WorkerFailure::Garbled { detail } if page => {
                let _ = detail;
                "读取进程返回的内容无法识别。请把该文件报告给开发者".into()
            }
            WorkerFailure::Garbled { detail } => format!("读取进程返回的内容无法识别（{detail}）"),
            WorkerFailure::Panicked { at, said } => format!(
                "该文件触发了{PANIC_MARK}（{at}：{said}），已跳过。请把该文件报告给开发者"
            ),
        }
    }
}

impl Mismatch {
    fn message(&self, audience: Audience) -> String {
        let given_year = self.given_year.map_or("年度不明".to_string(), |y| format!("{y}年"));
        let organ = if self.given_organ.trim().is_empty() { "机关不明" } else { self.given_organ.as_str() };
        let advice = match audience {
            Audience::Cli => "请换用该机关上一年度的报告；如确需用这份报告预填，请加 --previous-any",
            Audience::Page => {
                "请换用该机关上一年度的报告；如确需用这份报告预填，请勾选“允许用其他年度或机关的报告预填”"
            }
        };
        format!(
            "上年报告 {} 是{organ}{given_year}的报告，而模板是{}{}年的，应使用{}{}年的报告预填上年结转等数字。{advice}",
            self.file,
            self.organ,
            self.year,
            self.organ,
            self.year.saturating_sub(1)
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Audience::Cli))
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
/// from a zip bomb or a scan; [`Problem::message`] is the Chinese sentence
/// for the clerk, saying what to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
    Encrypted { app: String, ext: String },
    /// A PDF that needs a password.
    EncryptedPdf,
    /// A legacy binary Office file (.doc, .xls, .wps, .et), whatever its name
    /// says: `found` names it, `ext` is what to save it as.
    Legacy { found: String, app: String, ext: String },
    /// Another kind of Office file than the name says (`found` names it).
    WrongKind { found: String, ext: String },
    /// Not an Office file at all, or a broken zip (`detail`: what the zip
    /// reader said, in Chinese, with its own words in brackets).
    NotPackage { app: String, ext: String, detail: Option<String> },
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
    TooManyCells { limit: usize, option: String },
    /// A workbook the spreadsheet reader cannot read (its words).
    BrokenWorkbook(String),
    /// Not a PDF, a broken PDF, or one beyond its caps (the object layer's
    /// own sentence).
    Pdf(String),
    /// A PDF without any text: a scan.
    Scan,
    /// No edition can be chosen: no report tables, no year in the title.
    NotAReport { noun: String },
    /// A workbook without the report's tables (`tables`: their names).
    NoTables { tables: String },
    /// Not a JSON report: where the syntax broke and serde's words.
    BadJson { line: usize, column: usize, detail: String },
    /// A JSON report of another schema version.
    SchemaVersion { found: u32, supported: u32 },
    /// A problem, and what to do about it besides (`advice`).
    Advised { problem: Box<Problem>, advice: String },
    /// Anything else, in the reader's words (Chinese).
    Other(String),
}

/// The advice for a limit that an option widens.
fn widen(option: &str, audience: Audience) -> String {
    match audience {
        Audience::Cli => format!("可用 {option} 放宽"),
        Audience::Page => "上限在启动 xxgk 时设定，如确需处理，请管理员放宽".into(),
    }
}

impl Problem {
    /// The message for `audience` (the `Display` form is the command line's).
    pub fn message(&self, audience: Audience) -> String {
        use crate::limits::show_size;
        let page = audience == Audience::Page;
        match self {
            Problem::IsFolder => "这是一个文件夹，不是文件。请指定文件夹中的报告文件".into(),
            Problem::Empty => "文件是空的（0 字节）。请重新保存或导出该文件".into(),
            Problem::TooLarge { size, limit } => format!(
                "文件大小 {}，超过上限 {}。年报文件通常不到 10 MB，请确认文件是否正确（{}）",
                show_size(*size),
                show_size(*limit),
                widen("--max-file-size", audience)
            ),
            Problem::Encrypted { app, ext } => {
                format!("文件设置了打开密码（已加密），无法读取。请用{app}打开，取消密码后另存为 {ext} 再转换")
            }
            Problem::EncryptedPdf => {
                "PDF 文件已加密，无法读取。请向发布单位索取未加密的文件，或使用原始的 Word/Excel 文件".into()
            }
            Problem::Legacy { found, app, ext } => {
                format!("这是{found}，只是扩展名为 {ext}。请用{app}打开后“另存为” {ext} 再转换")
            }
            Problem::WrongKind { found, ext } => {
                format!("这是 {found}，不是 {ext} 文件。请改正扩展名，或另存为 {ext} 后转换")
            }
            Problem::NotPackage { app, ext, detail: None } => {
                format!("不是有效的 {ext} 文件（文件已损坏或并非 Office 文件）。请用{app}打开后另存为 {ext} 再转换")
            }
            Problem::NotPackage { app, ext, detail: Some(d) } if page => {
                let _ = d;
                format!("不是有效的 {ext} 文件（压缩包已损坏或不完整）。请用{app}打开后另存为 {ext} 再转换")
            }
            Problem::NotPackage { app, ext, detail: Some(d) } => {
                format!("压缩包已损坏（{d}）。请用{app}打开后另存为 {ext} 再转换")
            }
            Problem::TooManyEntries { count, limit } => {
                format!("压缩包中有 {count} 个文件，超过上限 {limit}（{}）", widen("--max-zip-entries", audience))
            }
            Problem::ZipBomb { entry, size, limit } => format!(
                "压缩包中的 {entry} 解压后有 {}，超过上限 {}（可能是“压缩炸弹”；{}）",
                show_size(*size),
                show_size(*limit),
                widen("--max-entry-size", audience)
            ),
            Problem::TooLargeUnpacked { total, limit } => format!(
                "压缩包解压后共 {}，超过上限 {}（{}）",
                show_size(*total),
                show_size(*limit),
                widen("--max-total-size", audience)
            ),
            Problem::Doctype => "文档中含有 DOCTYPE 声明，这不是 Word 生成的文件，已拒绝读取".into(),
            Problem::TooDeep { limit } => format!(
                "文档的 XML 嵌套超过 {limit} 层，文件可能已损坏或被篡改（{}）",
                widen("--max-xml-depth", audience)
            ),
            Problem::TablesTooDeep { limit } => format!("表格嵌套超过 {limit} 层，文件可能已损坏或被篡改"),
            Problem::TooManyRows { limit } => {
                format!("表格超过 {limit} 行（{}）", widen("--max-table-rows", audience))
            }
            Problem::RowTooWide { limit } => {
                format!("表格的一行超过 {limit} 个单元格（{}）", widen("--max-table-cols", audience))
            }
            Problem::TooManyCells { limit, option } => format!(
                "表格或工作簿超过 {limit} 个单元格，文件可能已损坏或被篡改（如确需处理，{}）",
                widen(option, audience)
            ),
            Problem::BrokenWorkbook(why) if page => {
                let _ = why;
                "无法读取工作簿（文件已损坏或格式不对）。请用 Excel 或 WPS 打开后另存为 .xlsx 再转换".into()
            }
            Problem::BrokenWorkbook(why) => {
                format!("无法读取工作簿（{why}）。请用 Excel 或 WPS 打开后另存为 .xlsx 再转换")
            }
            Problem::Pdf(why) => why.clone(),
            Problem::Scan => "PDF 中没有文字（可能是扫描件或图片），xxgk 不做文字识别（OCR）。请向发布单位索取 Word/Excel 原件，或可复制文字的 PDF".into(),
            Problem::NotAReport { noun } if page => format!(
                "{noun}中既没有找到年报表格，也无法从标题判断年度：这似乎不是政府信息公开工作年度报告。如果是，请在标题中写明年度（如“2023年”）后重新上传"
            ),
            Problem::NotAReport { noun } => format!(
                "{noun}中既没有找到年报表格，也无法从标题判断年度，不能确定格式版本。请用 --edition 指定"
            ),
            Problem::NoTables { tables } => format!(
                "工作簿中没有找到年报表格（{tables}）。请使用 xxgk 生成的模板，或按官方格式填写表格"
            ),
            Problem::BadJson { line, column, detail } if page => {
                let _ = detail;
                format!("不是有效的 xxgk 报告 JSON（第{line}行第{column}列有误）")
            }
            Problem::BadJson { line, column, detail } => {
                format!("不是有效的 xxgk 报告 JSON（第{line}行第{column}列：{detail}）。请用 `xxgk schema` 查看格式")
            }
            Problem::SchemaVersion { found, supported } => {
                format!("schema_version 是 {found}，本程序只支持 {supported}。请用相应版本的 xxgk 处理")
            }
            Problem::Advised { problem, advice } => format!("{}。{advice}", problem.message(audience)),
            Problem::Other(what) => what.clone(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Audience::Cli))
    }
}

/// Paths as the bytes of the path in hex, so that any file name survives
/// a trip through JSON (serde's own form refuses a name that is not UTF-8).
pub mod path_bytes {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::path::{Path, PathBuf};

    pub fn serialize<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex(p))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PathBuf, D::Error> {
        let text = String::deserialize(d)?;
        unhex(&text).ok_or_else(|| serde::de::Error::custom("路径无法识别"))
    }

    /// A path's bytes in hex.
    pub fn hex(p: &Path) -> String {
        use std::fmt::Write;
        bytes(p).iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// The path whose bytes `s` holds in hex.
    pub fn unhex(s: &str) -> Option<PathBuf> {
        if !s.len().is_multiple_of(2) {
            return None;
        }
        let bytes: Option<Vec<u8>> =
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect();
        let bytes = bytes?;
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
        }
        #[cfg(not(unix))]
        {
            String::from_utf8(bytes).ok().map(PathBuf::from)
        }
    }

    fn bytes(p: &Path) -> Vec<u8> {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            p.as_os_str().as_bytes().to_vec()
        }
        #[cfg(not(unix))]
        {
            p.to_string_lossy().as_bytes().to_vec()
        }
    }
}

/// An operating-system error as its kind and its words; the kinds xxgk's
/// messages tell apart come back as themselves.
mod io_error {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::io::{Error, ErrorKind};

    const KINDS: &[(ErrorKind, &str)] = &[
        (ErrorKind::NotFound, "not_found"),
        (ErrorKind::PermissionDenied, "permission_denied"),
        (ErrorKind::AlreadyExists, "already_exists"),
        (ErrorKind::StorageFull, "storage_full"),
        (ErrorKind::InvalidInput, "invalid_input"),
        (ErrorKind::InvalidData, "invalid_data"),
        (ErrorKind::UnexpectedEof, "unexpected_eof"),
        (ErrorKind::Interrupted, "interrupted"),
        (ErrorKind::BrokenPipe, "broken_pipe"),
        (ErrorKind::IsADirectory, "is_a_directory"),
        (ErrorKind::NotADirectory, "not_a_directory"),
        (ErrorKind::ReadOnlyFilesystem, "read_only_filesystem"),
    ];

    #[derive(Serialize, Deserialize)]
    struct Io {
        kind: String,
        words: String,
    }

    pub fn serialize<S: Serializer>(e: &Error, s: S) -> Result<S::Ok, S::Error> {
        let kind = KINDS.iter().find(|(k, _)| *k == e.kind()).map_or("other", |(_, n)| n);
        Io { kind: kind.into(), words: e.to_string() }.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Error, D::Error> {
        let io = Io::deserialize(d)?;
        let kind = KINDS.iter().find(|(_, n)| *n == io.kind).map_or(ErrorKind::Other, |(k, _)| *k);
        Ok(Error::new(kind, io.words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_keeps_its_kind_and_path_through_json() {
        #[cfg(unix)]
        let odd = {
            use std::os::unix::ffi::OsStringExt;
            PathBuf::from(std::ffi::OsString::from_vec(b"/tmp/\xff-\xe5\x8e\xbf.docx".to_vec()))
        };
        #[cfg(not(unix))]
        let odd = PathBuf::from(r"C:\报告\县.docx");
        let cases = vec![
            Error::read(&odd, Problem::TooLarge { size: 5 << 20, limit: 1 << 20 }),
            Error::io(&odd, std::io::Error::new(std::io::ErrorKind::PermissionDenied, "denied")),
            Error::Worker { path: odd.clone(), failure: WorkerFailure::TimedOut { seconds: 2.5 } },
            Error::NoEdition(NoEdition::Undetermined),
        ];
        for e in cases {
            let line = serde_json::to_string(&e).unwrap();
            let back: Error = serde_json::from_str(&line).unwrap();
            assert_eq!(back.to_string(), e.to_string(), "{line}");
            assert_eq!(back.message(Audience::Page), e.message(Audience::Page));
        }
        let e = Error::io(&odd, std::io::Error::new(std::io::ErrorKind::PermissionDenied, "x"));
        let back: Error = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        let Error::Io { path, source } = back else { panic!("kind lost") };
        assert_eq!((path, source.kind()), (odd, std::io::ErrorKind::PermissionDenied));
    }

    #[test]
    fn the_page_wording_names_no_option() {
        let p = Path::new("a.docx");
        let all = [
            Error::read(p, Problem::TooLarge { size: 5, limit: 1 }),
            Error::read(p, Problem::TooManyEntries { count: 5, limit: 1 }),
            Error::read(p, Problem::NotAReport { noun: "文档".into() }),
            Error::read(p, Problem::TooManyCells { limit: 5, option: "--max-sheet-cells".into() }),
            Error::read(
                p,
                Problem::NotPackage {
                    app: "Word".into(),
                    ext: ".docx".into(),
                    detail: Some("invalid Zip archive: Could not find EOCD".into()),
                },
            ),
            Error::NoEdition(NoEdition::Undetermined),
            Error::OutputExists { path: p.into() },
            Error::Unpublishable { errors: 3, first: "x".into() },
            Error::Worker { path: p.into(), failure: WorkerFailure::TimedOut { seconds: 1.0 } },
            Error::Office { path: p.into(), task: OfficeTask::PrintPdf, failure: OfficeFailure::Missing },
        ];
        for e in &all {
            let m = e.message(Audience::Page);
            assert!(!m.contains("--") && !m.contains("-o ") && !m.contains("EOCD"), "{m}");
            assert!(
                e.to_string().contains("--") || e.to_string().contains("EOCD") || e.to_string().contains("-o "),
                "{e}"
            );
        }
    }
}
