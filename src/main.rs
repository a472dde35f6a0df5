//! The `xxgk` command: dispatches to one module per subcommand.

mod cmd;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: reading a report makes many
/// small strings, and a batch spends about a tenth of its time in glibc's
/// malloc and free (README, "速度与内存").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A bug must still reach the clerk as a sentence, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("xxgk：程序内部错误（{at}）。请把所用的命令和文件报告给开发者。");
    }));
    let cli = match cmd::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let what = match e.kind() {
                ErrorKind::MissingRequiredArgument => "缺少必需的参数",
                ErrorKind::UnknownArgument => "有无法识别的参数",
                ErrorKind::InvalidValue | ErrorKind::ValueValidation => "参数的值无效",
                ErrorKind::InvalidSubcommand => "没有这个子命令",
                _ => "命令参数有误",
            };
            eprintln!("xxgk：{what}。用 xxgk --help 或 xxgk <子命令> --help 查看用法。\n");
            let _ = e.print();
            return ExitCode::from(2);
        }
    };
    match std::panic::catch_unwind(|| cmd::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("xxgk：{e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}
