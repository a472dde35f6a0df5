//! `xxgk schema`: the JSON Schema of the canonical model.

use std::process::ExitCode;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<ExitCode> {
    let schema = schemars::schema_for!(xxgk::model::Report);
    let mut text = xxgk::write::json::to_vec_pretty(&schema)?;
    text.push(b'\n');
    super::stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
