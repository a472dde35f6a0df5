//! The server's state: results kept under random job ids.
//!
//! A job id is 128 random bits, handed only to the tab that uploaded; two
//! tabs (or two clerks' browsers) never see each other's results. A job's
//! files live in its own temporary folder, removed with the job: when it
//! is older than [`super::Config::keep`] (checked every minute).

use super::{Config, Fail};
use crate::check::Finding;
use crate::model::Report;
use crate::pipeline::Row;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::sync::Semaphore;

pub type Shared = Arc<App>;

pub struct App {
    pub cfg: Config,
    pub port: u16,
    jobs: Mutex<HashMap<String, Job>>,
    /// Reading jobs running at once.
    pub work: Arc<Semaphore>,
    /// The threads every job's parallel work runs on (`workers` of them), so
    /// that no more files are read at once than `workers`, however many
    /// cores the machine has; `None` if the threads could not be made (the
    /// global pool is used).
    pub pool: Option<Arc<rayon::ThreadPool>>,
}

/// One uploaded file of 检查/发布: its name as shown, and its report with
/// its findings (`None` if it could not be read).
pub type Checked = (String, Option<(Report, Vec<Finding>)>);

/// What a job keeps.
#[derive(Clone)]
pub enum Job {
    /// Reports read on 检查/发布: one entry per uploaded file, with the name
    /// shown: the report and its findings (`None` if it could not be read).
    Reports {
        created: Instant,
        reports: Arc<Vec<Checked>>,
    },
    Batch(Arc<BatchJob>),
    /// Templates made on 模板: the zip and its name.
    Templates {
        created: Instant,
        zip: Arc<Vec<u8>>,
        name: String,
    },
}

impl Job {
    fn created(&self) -> Instant {
        match self {
            Job::Reports { created, .. } | Job::Templates { created, .. } => *created,
            Job::Batch(b) => b.created,
        }
    }
}

/// A batch running or done.
pub struct BatchJob {
    pub created: Instant,
    /// `in/` (uploads, removed when the batch is done) and `out/`.
    pub dir: TempDir,
    pub total: usize,
    pub done: AtomicUsize,
    pub state: Mutex<BatchState>,
}

/// What the page polls.
#[derive(Default, Serialize, Clone)]
pub struct BatchState {
    pub phase: String,
    pub finished: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// 报送情况.
    pub rows: Vec<Row>,
    /// 问题清单: (row index, finding).
    pub findings: Vec<(usize, Finding)>,
    /// 汇总, one per report year: (year, edition name, reports counted,
    /// tables as HTML).
    pub totals: Vec<(u32, String, usize, String)>,
    /// What was done, in one paragraph ([`crate::batch::Outcome::describe`]).
    pub summary: String,
    /// Counts by status: 已读取, 无法读取, 不是年报, 跳过, 有错误.
    pub counts: Counts,
    /// Last year's files that could not be read or matched: (name, why).
    pub previous_unreadable: Vec<(String, String)>,
}

/// The counts a page shows apart.
#[derive(Default, Serialize, Clone)]
pub struct Counts {
    pub read: usize,
    pub unreadable: usize,
    pub not_report: usize,
    pub skipped: usize,
    pub with_errors: usize,
}

impl App {
    pub fn new(cfg: Config, port: u16) -> Shared {
        let work = Arc::new(Semaphore::new(cfg.workers.max(1)));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(cfg.workers.max(1)).build().ok().map(Arc::new);
        Arc::new(App { cfg, port, jobs: Mutex::new(HashMap::new()), work, pool })
    }

    /// Keep `job`; returns its new id.
    pub fn add(&self, job: Job) -> Result<String, Fail> {
        let id = new_id()?;
        self.jobs.lock().map_err(|_| Fail::internal("内部状态出错，请重新启动 xxgk serve"))?.insert(id.clone(), job);
        Ok(id)
    }

    /// The job with this id.
    pub fn get(&self, id: &str) -> Result<Job, Fail> {
        let gone = || {
            Fail(
                axum::http::StatusCode::NOT_FOUND,
                "找不到这次上传的结果：结果只保留一段时间，或者 xxgk serve 已重新启动。请重新上传文件。".into(),
            )
        };
        let jobs = self.jobs.lock().map_err(|_| Fail::internal("内部状态出错，请重新启动 xxgk serve"))?;
        jobs.get(id).cloned().ok_or_else(gone)
    }

    /// Drop jobs older than the keeping time (their folders go with them).
    pub fn sweep(&self) {
        let keep = self.cfg.keep;
        let old: Vec<Job> = match self.jobs.lock() {
            Ok(mut jobs) => {
                let ids: Vec<String> =
                    jobs.iter().filter(|(_, j)| j.created().elapsed() > keep).map(|(id, _)| id.clone()).collect();
                ids.iter().filter_map(|id| jobs.remove(id)).collect()
            }
            Err(_) => Vec::new(),
        };
        drop(old);
    }
}

impl App {
    /// Drop every job (the server is stopping).
    pub fn clear(&self) {
        let all: Vec<Job> = match self.jobs.lock() {
            Ok(mut jobs) => jobs.drain().map(|(_, j)| j).collect(),
            Err(_) => Vec::new(),
        };
        drop(all);
    }
}

pub fn sweep_every_minute(app: Shared) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60).min(app.cfg.keep.max(Duration::from_secs(1))));
        loop {
            tick.tick().await;
            let a = app.clone();
            let _ = tokio::task::spawn_blocking(move || a.sweep()).await;
        }
    });
}

/// 128 random bits in hex.
fn new_id() -> Result<String, Fail> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| Fail::internal(format!("无法生成随机编号（{e}）")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Whether `id` looks like one of ours (checked before any lookup).
pub fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A temporary folder for one request or job.
pub fn temp_dir() -> Result<TempDir, Fail> {
    tempfile::Builder::new()
        .prefix("xxgk-serve-")
        .tempdir()
        .map_err(|e| Fail::internal(format!("无法创建临时文件夹（{e}）")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edition::Editions;
    use crate::limits::Limits;

    #[test]
    fn old_jobs_go_with_their_folders_and_ids_are_random() {
        let session = crate::pipeline::Session::new(Editions::builtin().unwrap(), Limits::default());
        let cfg = Config { session: Arc::new(session), keep: Duration::from_secs(600), workers: 1 };
        let app = App::new(cfg, 1);
        let batch = |created: Instant| {
            let dir = temp_dir().unwrap();
            let path = dir.path().to_path_buf();
            let job = BatchJob { created, dir, total: 0, done: AtomicUsize::new(0), state: Mutex::default() };
            (Job::Batch(Arc::new(job)), path)
        };
        let (old, old_dir) = batch(Instant::now().checked_sub(Duration::from_secs(3600)).unwrap());
        let (new, new_dir) = batch(Instant::now());
        let (old_id, new_id) = (app.add(old).unwrap(), app.add(new).unwrap());
        assert!(valid_id(&old_id) && valid_id(&new_id) && old_id != new_id);
        app.sweep();
        assert!(app.get(&old_id).is_err());
        assert!(!old_dir.exists(), "the old job's folder is removed");
        assert!(app.get(&new_id).is_ok());
        assert!(new_dir.exists());
        assert!(!valid_id("../../etc") && !valid_id(&"g".repeat(32)));
    }
}
