//! The `xxgk` command: dispatches to one module per subcommand.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A bug must still reach the clerk as a sentence, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("xxgk：程序内部错误（{at}）。请把所用的命令和文件报告给开发者。");
    }));
    let cli = cmd::Cli::parse();
    match std::panic::catch_unwind(|| cmd::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("xxgk：{e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
