//! The `xxgk` command: dispatches to one module per subcommand.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xxgk：{e}");
            ExitCode::from(2)
        }
    }
}
