//! `xxgk __worker`: the isolated reading process (see `xxgk::isolate`).

use std::process::ExitCode;
use xxgk::read::ReadOptions;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub edition: Option<String>,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let opts = ReadOptions { editions: &ctx.editions, edition: a.edition.as_deref(), limits: ctx.limits };
    match xxgk::isolate::serve(|p| super::read_in_process(p, opts), |p| xxgk::template::organs(p, opts)) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(_) => Ok(ExitCode::from(2)),
    }
}
