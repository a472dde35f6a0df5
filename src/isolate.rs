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
//! Protocol (one JSON object per line): request `{"path_hex": "…"}` (the path
//! bytes in hex, so that any file name survives); answer `{"ok": <report>}`
//! or `{"err": "<Chinese message>"}`.

use crate::error::{Error, Result};
use crate::model::Report;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::Mutex;
use std::time::Duration;

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
}

impl Worker {
    fn start(cfg: &Config) -> Result<Worker> {
        let mut cmd = Command::new(&cfg.exe);
        cmd.args(&cfg.args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
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
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(Error::Usage("无法启动读取进程".into()));
        };
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
        Ok(Worker { child, stdin, answers: rx })
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pool of workers shared by the threads of a run.
pub struct Pool {
    cfg: Config,
    idle: Mutex<Vec<Worker>>,
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
        let worker = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut w = match worker {
            Some(w) => w,
            None => Worker::start(&self.cfg)?,
        };
        let request = format!("{{\"path_hex\":\"{}\"}}\n", hex(&path_bytes(path)));
        if w.stdin.write_all(request.as_bytes()).and_then(|_| w.stdin.flush()).is_err() {
            // A worker that died while idle: start a fresh one and retry once.
            w.kill();
            w = Worker::start(&self.cfg)?;
            w.stdin.write_all(request.as_bytes()).and_then(|_| w.stdin.flush()).map_err(|e| Error::io(path, e))?;
        }
        match w.answers.recv_timeout(self.cfg.timeout) {
            Ok(Some(line)) => {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(w);
                }
                let v: serde_json::Value = serde_json::from_str(&line)
                    .map_err(|e| Error::invalid(path, format!("读取进程返回的内容无法识别（{e}）")))?;
                if let Some(msg) = v.get("err").and_then(|m| m.as_str()) {
                    return Err(Error::Usage(msg.to_string()));
                }
                let report = v.get("ok").cloned().unwrap_or_default();
                serde_json::from_value(report)
                    .map_err(|e| Error::invalid(path, format!("读取进程返回的报告无法识别（{e}）")))
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                w.kill();
                let mb = self.cfg.memory_bytes >> 20;
                Err(Error::invalid(
                    path,
                    format!(
                        "读取该文件时处理进程异常终止（内存超过 {mb} MB 上限，或文件损坏、被篡改），已跳过。请用 Office 或 WPS 打开后重新保存再试"
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
    fn drop(&mut self) {
        if let Ok(mut idle) = self.idle.lock() {
            for w in idle.drain(..) {
                w.kill();
            }
        }
    }
}

/// The worker's loop: answer requests until standard input closes.
pub fn serve(opts: crate::read::ReadOptions<'_>) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line?;
        let path = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v.get("path_hex").and_then(|h| h.as_str()).and_then(unhex));
        let answer = match path {
            None => serde_json::json!({ "err": "读取进程收到的请求无法识别" }),
            Some(p) => match std::panic::catch_unwind(|| crate::read::read_report(&p, opts)) {
                Ok(Ok(r)) => serde_json::json!({ "ok": r }),
                Ok(Err(e)) => serde_json::json!({ "err": e.to_string() }),
                Err(_) => {
                    serde_json::json!({ "err": format!("文件 {} 触发了程序内部错误，已跳过。请把该文件报告给开发者", p.display()) })
                }
            },
        };
        let mut text = serde_json::to_string(&answer).unwrap_or_else(|_| "{\"err\":\"内部错误\"}".into());
        text.push('\n');
        out.write_all(text.as_bytes())?;
        out.flush()?;
    }
    Ok(())
}
