//! Reading untrusted files where a crash costs one file, not the run.
//!
//! Parsers of office formats can abort the process outright (an allocation
//! failure is an abort, not a panic) or loop on crafted input; calamine is
//! known to do both (crates-notes.md §4). So the command line reads every
//! office, HTML and text file in a worker: a copy of `xxgk` started with the
//! hidden subcommand `__worker`, under an address-space limit, answering one
//! request per line. A worker that dies or overruns the timeout is killed and
//! replaced, and that file gets a clear message. Workers are kept for the
//! next file, so a batch pays the start-up once per thread, not per file.
//!
//! Protocol: one JSON line each way, [`Request`] and [`Response`] (serde's
//! externally tagged enums): `{"read":{"path_hex":"…"}}` (the path bytes in
//! hex, so that any file name survives) and `{"ok":<report>}` or
//! `{"err":"<Chinese message>"}`. The answer is parsed straight into a
//! [`Report`], with no intermediate JSON value.
//!
//! A batch sends `{"batch":{…}}` instead: the worker does the whole job —
//! read, check, write the report's JSON (and annotated workbook) into the
//! output folder — and answers `{"done":…}` with the job's summary row, its
//! findings and its part of the totals. The report itself never crosses
//! the pipe, so isolation costs the batch little beyond the process hop
//! (README, "速度与内存").
//!
//! A worker's standard error is kept, its last lines, so that when a worker
//! dies its last words (a panic message, `memory allocation … failed`) are
//! part of the message about that file rather than lost.

use crate::batch::{Done, Job};
use crate::error::{Error, Result};
use crate::model::Report;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The words every panic reaches the user with: in the main process through
/// the panic hook (`src/main.rs`), in a worker through [`serve`]'s answer.
/// Tests look for them to prove that nothing panicked.
pub const PANIC_MARK: &str = "程序内部错误";

/// A request to a worker.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    /// Read the report at this path (its bytes in hex).
    Read { path_hex: String },
    /// Read the list of organ names in this file (`xxgk serve`'s 模板 page;
    /// see [`crate::template::organs`]).
    Organs { path_hex: String },
    /// Do one job of a batch ([`crate::batch::process`]): read the file,
    /// check it, write its JSON (and annotated workbook) into the folder
    /// `reports_hex`, and answer with its row. Last year's reports are
    /// looked up in the index file `previous_hex` (see
    /// [`crate::batch::save_index`]), if any. Only the row crosses the
    /// pipe, not the report.
    Batch {
        path_hex: String,
        shown: String,
        output: String,
        reports_hex: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_hex: Option<String>,
    },
}

impl Request {
    /// The file the request is about (`None` if its path does not decode).
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            Request::Read { path_hex } | Request::Organs { path_hex } | Request::Batch { path_hex, .. } => {
                unhex(path_hex)
            }
        }
    }
}

/// A worker's answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Ok(Box<Report>),
    Organs(Vec<String>),
    Done(Box<Done>),
    /// The reader's error, as the Chinese message for the user.
    Err(String),
}

/// How many of a worker's last lines of standard error are kept, and how
/// many characters of each.
const STDERR_LINES: usize = 5;
const STDERR_LINE_CHARS: usize = 300;

/// How workers are started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `xxgk` executable.
    pub exe: PathBuf,
    /// The worker's arguments (global options, `__worker`, its options).
    pub args: Vec<String>,
    /// Time allowed for one file.
    pub timeout: Duration,
    /// Address-space limit of a worker (bytes); 0 for none.
    pub memory_bytes: u64,
}

struct Worker {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<Option<String>>,
    /// The last lines the worker wrote to standard error.
    stderr: Arc<Mutex<VecDeque<String>>>,
    stderr_thread: JoinHandle<()>,
}

/// Keep the last lines of a worker's standard error until it closes.
fn keep_last_lines(from: impl Read, into: Arc<Mutex<VecDeque<String>>>) {
    let mut r = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text: String = String::from_utf8_lossy(&line).trim_end().chars().take(STDERR_LINE_CHARS).collect();
                if text.is_empty() {
                    continue;
                }
                if let Ok(mut lines) = into.lock() {
                    if lines.len() == STDERR_LINES {
                        lines.pop_front();
                    }
                    lines.push_back(text);
                }
            }
        }
    }
}

impl Worker {
    fn start(cfg: &Config) -> Result<Worker> {
        let mut cmd = Command::new(&cfg.exe);
        cmd.args(&cfg.args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        #[cfg(unix)]
        if cfg.memory_bytes > 0 {
            use std::os::unix::process::CommandExt;
            let bytes = cfg.memory_bytes as libc::rlim_t;
            // SAFETY: setrlimit is async-signal-safe and touches no memory of
            // the parent; it runs in the child between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
                    if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().map_err(|e| Error::io(&cfg.exe, e))?;
        let (Some(stdin), Some(stdout), Some(stderr_pipe)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Usage("无法启动读取进程".into()));
        };
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let kept = stderr.clone();
        let stderr_thread = std::thread::spawn(move || keep_last_lines(stderr_pipe, kept));
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut line = String::new();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => {
                        let _ = tx.send(None);
                        return;
                    }
                    Ok(_) => {
                        if tx.send(Some(line)).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Ok(Worker { child, stdin, answers: rx, stderr, stderr_thread })
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Kill the worker and give its last lines of standard error (waiting
    /// briefly for the pipe to drain).
    fn kill_for_last_words(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let start = Instant::now();
        while !self.stderr_thread.is_finished() && start.elapsed() < Duration::from_millis(500) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.stderr.lock().map(|l| l.iter().cloned().collect::<Vec<_>>().join(" / ")).unwrap_or_default()
    }
}

/// A pool of workers shared by the threads of a run.
pub struct Pool {
    cfg: Config,
    idle: Mutex<Vec<Worker>>,
}

/// A path's bytes in hex, as requests carry paths.
pub fn path_hex(p: &Path) -> String {
    hex(&path_bytes(p))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decode the path of a request.
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

fn path_bytes(p: &Path) -> Vec<u8> {
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

impl Pool {
    pub fn new(cfg: Config) -> Pool {
        Pool { cfg, idle: Mutex::new(Vec::new()) }
    }

    /// Read one file in a worker.
    ///
    /// # Errors
    /// The reader's own error, or a message that the worker died (crash,
    /// abort, memory limit) or overran the timeout.
    pub fn read(&self, path: &Path) -> Result<Report> {
        match self.ask(path, Request::Read { path_hex: hex(&path_bytes(path)) })? {
            Response::Ok(report) => Ok(*report),
            Response::Err(msg) => Err(Error::Usage(msg)),
            _ => Err(Error::invalid(path, "读取进程返回的内容无法识别")),
        }
    }

    /// Do one job of a batch in a worker (see [`Request::Batch`]); a file
    /// the worker could not use, or a worker that died or overran, gives
    /// the job's row saying why, and nothing of the job is left written.
    ///
    /// With last year's reports (`previous`), a job whose worker failed
    /// after writing this year's JSON — so this year's file was read — is
    /// done once more without them: last year's report, read in the same
    /// worker, must not cost this year's (it gets no cross-year check, as
    /// when last year's file cannot be read).
    pub fn batch(&self, job: &Job, reports_dir: &Path, previous: Option<&Path>) -> Done {
        // Outputs of this job from an earlier run go first, so that a JSON
        // found after a failure is this attempt's.
        crate::batch::remove_outputs(job, reports_dir);
        let done = match self.ask_batch(job, reports_dir, previous) {
            Err(_) if previous.is_some() && reports_dir.join(&job.output).exists() => {
                self.ask_batch(job, reports_dir, None)
            }
            other => other,
        };
        done.unwrap_or_else(|why| {
            crate::batch::remove_outputs(job, reports_dir);
            Done::unusable(job, why)
        })
    }

    fn ask_batch(&self, job: &Job, reports_dir: &Path, previous: Option<&Path>) -> std::result::Result<Done, String> {
        let request = Request::Batch {
            path_hex: path_hex(&job.path),
            shown: job.shown.clone(),
            output: job.output.clone(),
            reports_hex: path_hex(reports_dir),
            previous_hex: previous.map(path_hex),
        };
        match self.ask(&job.path, request) {
            Ok(Response::Done(done)) => Ok(*done),
            Ok(Response::Err(msg)) => Err(msg),
            Ok(_) => Err(Error::invalid(&job.path, "读取进程返回的内容无法识别").to_string()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The organ names listed in a file, read in a worker.
    ///
    /// # Errors
    /// As [`Pool::read`].
    pub fn organs(&self, path: &Path) -> Result<Vec<String>> {
        match self.ask(path, Request::Organs { path_hex: hex(&path_bytes(path)) })? {
            Response::Organs(list) => Ok(list),
            Response::Err(msg) => Err(Error::Usage(msg)),
            _ => Err(Error::invalid(path, "读取进程返回的内容无法识别")),
        }
    }

    fn ask(&self, path: &Path, request: Request) -> Result<Response> {
        let worker = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut w = match worker {
            Some(w) => w,
            None => Worker::start(&self.cfg)?,
        };
        if let Ok(mut lines) = w.stderr.lock() {
            lines.clear();
        }
        let mut request =
            serde_json::to_vec(&request).map_err(|e| Error::invalid(path, format!("无法生成读取请求（{e}）")))?;
        request.push(b'\n');
        if w.stdin.write_all(&request).and_then(|_| w.stdin.flush()).is_err() {
            // A worker that died while idle: start a fresh one and retry once.
            w.kill();
            w = Worker::start(&self.cfg)?;
            w.stdin.write_all(&request).and_then(|_| w.stdin.flush()).map_err(|e| Error::io(path, e))?;
        }
        match w.answers.recv_timeout(self.cfg.timeout) {
            Ok(Some(line)) => {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(w);
                }
                serde_json::from_str::<Response>(&line)
                    .map_err(|e| Error::invalid(path, format!("读取进程返回的内容无法识别（{e}）")))
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                let last_words = w.kill_for_last_words();
                let last_words = if last_words.is_empty() {
                    String::new()
                } else {
                    format!("。处理进程最后的输出：{last_words}")
                };
                let mb = self.cfg.memory_bytes >> 20;
                Err(Error::invalid(
                    path,
                    format!(
                        "读取该文件时处理进程异常终止（内存超过 {mb} MB 上限，或文件损坏、被篡改），已跳过。请用 Office 或 WPS 打开后重新保存再试{last_words}"
                    ),
                ))
            }
            Err(RecvTimeoutError::Timeout) => {
                w.kill();
                Err(Error::invalid(
                    path,
                    format!(
                        "读取该文件超过 {} 秒仍未完成，已停止（文件可能损坏或被篡改）。如确是正常的大文件，可用 --timeout 放宽",
                        self.cfg.timeout.as_secs_f64()
                    ),
                ))
            }
        }
    }
}

impl Drop for Pool {
    /// Idle workers are told to stop (their standard input closes, which
    /// ends their loop) and given a moment to exit on their own — so that
    /// they end normally, and a profiler watching them can write its
    /// figures —; any still running after that is killed.
    fn drop(&mut self) {
        let Ok(mut idle) = self.idle.lock() else { return };
        let mut children: Vec<Child> = idle
            .drain(..)
            .map(|w| {
                drop(w.stdin);
                w.child
            })
            .collect();
        let start = Instant::now();
        while !children.is_empty() && start.elapsed() < Duration::from_secs(2) {
            children.retain_mut(|c| !matches!(c.try_wait(), Ok(Some(_)) | Err(_)));
            if !children.is_empty() {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        for mut c in children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Where the last panic in this worker happened (set by the hook that
/// [`serve`] installs), for the answer about the file that caused it.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// The worker's loop: answer requests until standard input closes, each
/// with `handle`. A panic in it costs that file, answered with
/// [`PANIC_MARK`], where it happened and what it said.
///
/// # Errors
/// Standard input or output failed (the parent is gone).
pub fn serve(handle: impl Fn(Request) -> Result<Response>) -> std::io::Result<()> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
        }
        hook(info);
    }));
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let request = serde_json::from_str::<Request>(&line).ok();
        let answer = match request.and_then(|r| r.path().map(|p| (r, p))) {
            None => Response::Err("读取进程收到的请求无法识别".into()),
            Some((request, p)) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request))) {
                Ok(Ok(answer)) => answer,
                Ok(Err(e)) => Response::Err(e.to_string()),
                Err(payload) => {
                    let said = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    let at = LAST_PANIC.lock().ok().and_then(|mut l| l.take()).unwrap_or_default();
                    Response::Err(format!(
                        "文件 {} 触发了{PANIC_MARK}（{at}：{said}），已跳过。请把该文件报告给开发者",
                        p.display()
                    ))
                }
            },
        };
        match serde_json::to_writer(&mut out, &answer) {
            Err(e) if e.is_io() => return Err(e.into()),
            // Anything else leaves a line the parent reports as unreadable.
            _ => {}
        }
        out.write_all(b"\n")?;
        out.flush()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_carries_any_path_bytes() {
        let p = unhex("ff2f61").unwrap();
        let line = serde_json::to_string(&Request::Read { path_hex: hex(&path_bytes(&p)) }).unwrap();
        assert_eq!(line, r#"{"read":{"path_hex":"ff2f61"}}"#);
        let Request::Read { path_hex } = serde_json::from_str(&line).unwrap() else { panic!("not a read") };
        assert_eq!(unhex(&path_hex), Some(p));
    }

    #[test]
    fn an_answer_is_a_report_or_a_message() {
        let eds = crate::edition::Editions::builtin().unwrap();
        let r = eds.for_year(2021).unwrap().blank_report("某县", Some(2021));
        let line = serde_json::to_string(&Response::Ok(Box::new(r.clone()))).unwrap();
        assert!(line.starts_with(r#"{"ok":{"#), "{line}");
        match serde_json::from_str::<Response>(&line).unwrap() {
            Response::Ok(back) => assert_eq!(*back, r),
            other => panic!("{other:?}"),
        }
        let line = serde_json::to_string(&Response::Err("无法读取".into())).unwrap();
        assert_eq!(line, r#"{"err":"无法读取"}"#);
    }

    #[test]
    fn only_the_last_lines_of_stderr_are_kept() {
        let text: String = (1..=8).map(|i| format!("line {i}\n")).collect::<String>() + &"x".repeat(1000);
        let kept = Arc::new(Mutex::new(VecDeque::new()));
        keep_last_lines(text.as_bytes(), kept.clone());
        let kept = kept.lock().unwrap();
        assert_eq!(kept.len(), STDERR_LINES);
        assert_eq!(kept[0], "line 5");
        assert_eq!(kept[4].chars().count(), STDERR_LINE_CHARS);
    }
}
