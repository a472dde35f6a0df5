//! `xxgk __worker`: the isolated reading process (see `xxgk::isolate`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use xxgk::batch::{load_index, process, Job, PreviousIndex};
use xxgk::isolate::{unhex, Request, Response};
use xxgk::read::ReadOptions;
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub edition: Option<String>,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let opts = ReadOptions { editions: &ctx.editions, edition: a.edition.as_deref(), limits: ctx.limits };
    let read = |p: &Path| super::read_in_process(p, opts);
    // The index of last year's reports a batch names, read once.
    let index: Mutex<Option<(PathBuf, Arc<PreviousIndex>)>> = Mutex::new(None);
    let previous = |file: &Path| -> Result<Arc<PreviousIndex>> {
        let mut cached = index.lock().map_err(|_| Error::Usage("读取进程内部状态异常".into()))?;
        match cached.as_ref() {
            Some((f, idx)) if f == file => Ok(idx.clone()),
            _ => {
                let idx = Arc::new(load_index(file)?);
                *cached = Some((file.to_path_buf(), idx.clone()));
                Ok(idx)
            }
        }
    };
    let bad = || Error::Usage("读取进程收到的请求无法识别".into());
    let handle = |request: Request| -> Result<Response> {
        Ok(match request {
            Request::Read { path_hex } => Response::Ok(Box::new(read(&unhex(&path_hex).ok_or_else(bad)?)?)),
            Request::Organs { path_hex } => {
                Response::Organs(xxgk::template::organs(&unhex(&path_hex).ok_or_else(bad)?, opts)?)
            }
            Request::Batch { path_hex, shown, output, reports_hex, previous_hex } => {
                let job = Job { path: unhex(&path_hex).ok_or_else(bad)?, shown, output };
                let reports_dir = unhex(&reports_hex).ok_or_else(bad)?;
                let prev = match previous_hex {
                    Some(h) => Some(previous(&unhex(&h).ok_or_else(bad)?)?),
                    None => None,
                };
                Response::Done(Box::new(process(&job, &ctx.editions, &read, &reports_dir, prev.as_deref())))
            }
        })
    };
    match xxgk::isolate::serve(handle) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(_) => Ok(ExitCode::from(2)),
    }
}
