//! `xxgk serve [--port 8765] [--open]`: the local web page (src/serve/).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use xxgk::pipeline::Session;
use xxgk::serve::{bind, serve, server, Config};
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 端口（只在本机 127.0.0.1 上提供服务）；0 表示任选一个空闲端口。
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// 启动后用默认浏览器打开页面。
    #[arg(long)]
    pub open: bool,
    /// 上传的文件和结果保留多少分钟（之后自动删除）。
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    pub keep: u64,
    /// 端口被占用时改用任一空闲端口（双击启动时使用）。
    #[arg(long, hide = true)]
    pub or_any_port: bool,
}

pub fn run(a: Args, session: Session) -> Result<ExitCode> {
    let listener = match bind(a.port) {
        Err(_) if a.or_any_port => bind(0)?,
        other => other?,
    };
    let port = listener.local_addr().map_err(server)?.port();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let cfg =
        Config { session: Arc::new(session), keep: Duration::from_secs(a.keep.clamp(1, 7 * 24 * 60) * 60), workers };
    let url = format!("http://127.0.0.1:{port}/");
    let stop =
        if cfg!(windows) { "用完后关闭这个窗口即可退出（或按 Ctrl+C）" } else { "按 Ctrl+C 退出" };
    super::stdout(
        format!("xxgk 网页已启动：{url}\n请用浏览器打开这个地址（不要关闭这个窗口）。{stop}。\n").as_bytes(),
    )?;
    let _ = std::io::stdout().flush();
    if a.open {
        open_browser(&url);
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(server)?;
    rt.block_on(serve(listener, cfg))?;
    Ok(ExitCode::SUCCESS)
}

/// Open `url` in the default browser; failing that, the clerk opens it.
fn open_browser(url: &str) {
    let spawned = if cfg!(target_os = "windows") {
        std::process::Command::new("cmd").args(["/C", "start", "", url]).spawn()
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open").arg(url).spawn()
    } else {
        std::process::Command::new("xdg-open").arg(url).spawn()
    };
    if spawned.is_err() {
        eprintln!("xxgk：无法自动打开浏览器，请手动打开 {url}");
    }
}
