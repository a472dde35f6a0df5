//! `xxgk __worker`: the isolated reading process (see `xxgk::isolate`); its
//! set-up comes from the session that started it
//! ([`xxgk::pipeline::WORKER_ENV`]).

use std::process::ExitCode;
use xxgk::pipeline::Session;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {}

pub fn run() -> Result<ExitCode> {
    let session = Session::for_worker()?;
    match session.serve_worker() {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(_) => Ok(ExitCode::from(2)),
    }
}
