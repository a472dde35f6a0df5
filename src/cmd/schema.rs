//! `xxgk schema`: the JSON Schema of the canonical model.

use std::process::ExitCode;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> Result<ExitCode> {
    let schema = schemars::schema_for!(xxgk::model::Report);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    super::stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
