//! Worker processes: reading untrusted files where a crash costs one file,
//! not the run.
//!
//! Parsers of office formats can abort the process outright (an allocation
//! failure is an abort, not a panic) or loop on crafted input; calamine is
//! known to do both (crates-notes.md §4). So untrusted files are read in a
//! worker: a copy of `xxgk` started with the hidden subcommand `__worker`,
//! under an address-space limit, answering one request per line. A worker
//! that dies or overruns the timeout is killed and replaced, and that file
//! gets a clear message ([`WorkerFailure`]). Workers are kept for the next
//! file, so a batch pays the start-up once per thread, not per file.
//!
//! This module knows processes and lines, not what is asked: a request and
//! its answer are any serde types, one JSON line each way (the pipeline's
//! [`crate::pipeline::Request`] and [`crate::pipeline::Response`]); what
//! the worker is set up with travels in an environment variable.
//!
//! A worker's standard error is kept, its last lines, so that when a worker
//! dies its last words (a panic message, `memory allocation … failed`) are
//! part of the message about that file rather than lost.

use crate::error::{Error, Result, WorkerFailure};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use crate::error::PANIC_MARK;

/// How many of a worker's last lines of standard error are kept, and how
/// many characters of each.
const STDERR_LINES: usize = 5;
const STDERR_LINE_CHARS: usize = 300;

/// How workers are started.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `xxgk` executable.
    pub exe: PathBuf,
    /// The worker's arguments (`__worker`).
    pub args: Vec<String>,
    /// Environment variables set for the worker (its set-up).
    pub env: Vec<(String, String)>,
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
    /// The job the worker runs in (Windows): closing it kills the worker.
    #[cfg(windows)]
    _job: Option<crate::winjob::Job>,
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
        cmd.args(&cfg.args)
            .envs(cfg.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
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
        let start = |detail: String| Error::Worker { path: cfg.exe.clone(), failure: WorkerFailure::Start { detail } };
        let mut child = cmd.spawn().map_err(|e| start(e.to_string()))?;
        // Windows: a job kills the worker when xxgk ends however it ends,
        // and caps its memory. Where jobs are refused, the worker still ends
        // when its input closes, and caps its own allocations
        // ([`crate::alloc`]).
        #[cfg(windows)]
        let job = crate::winjob::Job::new(cfg.memory_bytes).and_then(|j| j.assign(&child).map(|()| j)).ok();
        let (Some(stdin), Some(stdout), Some(stderr_pipe)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(start("没有得到它的输入输出管道".into()));
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
        Ok(Worker {
            child,
            stdin,
            answers: rx,
            stderr,
            stderr_thread,
            #[cfg(windows)]
            _job: job,
        })
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

impl Pool {
    pub fn new(cfg: Config) -> Pool {
        Pool { cfg, idle: Mutex::new(Vec::new()) }
    }

    /// Ask a worker about the file `path` and wait for its answer.
    ///
    /// # Errors
    /// [`Error::Worker`] naming `path`: the worker could not be started,
    /// died (crash, abort, memory limit), overran the timeout, or answered
    /// something that is not an `A`.
    pub fn ask<Q: Serialize, A: DeserializeOwned>(&self, path: &Path, request: &Q) -> Result<A> {
        let fail = |failure: WorkerFailure| Error::Worker { path: path.to_path_buf(), failure };
        let worker = self.idle.lock().ok().and_then(|mut v| v.pop());
        let mut w = match worker {
            Some(w) => w,
            None => Worker::start(&self.cfg)?,
        };
        if let Ok(mut lines) = w.stderr.lock() {
            lines.clear();
        }
        let mut line =
            serde_json::to_vec(request).map_err(|e| fail(WorkerFailure::Garbled { detail: e.to_string() }))?;
        line.push(b'\n');
        if w.stdin.write_all(&line).and_then(|_| w.stdin.flush()).is_err() {
            // A worker that died while idle: start a fresh one and retry once.
            w.kill();
            w = Worker::start(&self.cfg)?;
            w.stdin.write_all(&line).and_then(|_| w.stdin.flush()).map_err(|e| Error::io(path, e))?;
        }
        match w.answers.recv_timeout(self.cfg.timeout) {
            Ok(Some(answer)) => {
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(w);
                }
                serde_json::from_str::<A>(&answer).map_err(|e| fail(WorkerFailure::Garbled { detail: e.to_string() }))
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                let last_words = w.kill_for_last_words();
                Err(fail(WorkerFailure::Died { memory_mb: self.cfg.memory_bytes >> 20, last_words }))
            }
            Err(RecvTimeoutError::Timeout) => {
                w.kill();
                Err(fail(WorkerFailure::TimedOut { seconds: self.cfg.timeout.as_secs_f64() }))
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
/// with `handle`. A request that cannot be understood, and a panic in
/// `handle` (which costs that request only: [`PANIC_MARK`], where it
/// happened and what it said), are answered by `failed`.
///
/// # Errors
/// Standard input or output failed (the parent is gone).
pub fn serve<Q: DeserializeOwned, A: Serialize>(
    handle: impl Fn(Q) -> A,
    failed: impl Fn(WorkerFailure) -> A,
) -> std::io::Result<()> {
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
        let answer = match serde_json::from_str::<Q>(&line) {
            Err(e) => {
                failed(WorkerFailure::Garbled { detail: format!("读取进程收到的请求无法识别（{e}）") })
            }
            Ok(request) => match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(request))) {
                Ok(answer) => answer,
                Err(payload) => {
                    let said = payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    let at = LAST_PANIC.lock().ok().and_then(|mut l| l.take()).unwrap_or_default();
                    failed(WorkerFailure::Panicked { at, said })
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
