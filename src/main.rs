//! The `xxgk` command: dispatches to one module per subcommand.

mod cmd;

use clap::Parser;
use std::ffi::OsString;
use std::process::ExitCode;

/// mimalloc rather than the system allocator: reading a report makes many
/// small strings, and a batch spends about a tenth of its time in glibc's
/// malloc and free (docs/performance.md). Counted, so that a worker can cap
/// its own memory where the system's limit does not hold (`xxgk::alloc`).
#[global_allocator]
static ALLOC: xxgk::alloc::Capped<mimalloc::MiMalloc> = xxgk::alloc::Capped(mimalloc::MiMalloc);

fn main() -> ExitCode {
    // A bug must still reach the clerk as a sentence, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("xxgk：{}（{at}）。请把所用的命令和文件报告给开发者。", xxgk::error::PANIC_MARK);
    }));
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // Double-clicked in Explorer: the page, opened in the browser.
    let double_clicked = args.len() == 1 && double_clicked();
    if double_clicked {
        args.extend(["serve", "--open", "--or-any-port"].map(OsString::from));
    }
    let code = run(args);
    if double_clicked && code != ExitCode::SUCCESS {
        // The window would close with the message in it.
        eprintln!("\n按回车键关闭此窗口。");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    code
}

fn run(args: Vec<OsString>) -> ExitCode {
    let cli = match cmd::Cli::try_parse_from(args) {
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
    // Interrupted (Ctrl+C, the window closed, SIGTERM or SIGHUP): the
    // temporary folders and half-written files go first. The web server
    // stops on its own signals (it finishes or drops its jobs), and a worker
    // simply ends with its parent.
    if !matches!(cli.command, cmd::Command::Serve(_) | cmd::Command::Worker(_)) {
        let _ = ctrlc::set_handler(|| {
            xxgk::cleanup::interrupted();
            eprintln!("\nxxgk：已中断，临时文件已清理。");
            std::process::exit(130);
        });
    }
    match std::panic::catch_unwind(|| cmd::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("xxgk：{e}");
            ExitCode::from(2)
        }
        Err(_) => ExitCode::from(2),
    }
}

/// Started by a double-click: on Windows, a console of its own.
fn double_clicked() -> bool {
    #[cfg(windows)]
    return xxgk::winjob::own_console();
    #[cfg(not(windows))]
    false
}
