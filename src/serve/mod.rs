//! `xxgk serve`: the local web page for clerks (检查, 批量, 模板, 发布).
//!
//! An axum server on tokio, bound to 127.0.0.1 only. The page (HTML, CSS
//! and a little plain JavaScript, [`assets`]) is embedded in the binary;
//! it calls JSON endpoints and downloads files. Every endpoint goes through
//! the command line's [`Session`] (reading in its isolated workers,
//! checking, publishing) and [`crate::batch`]: the page has no pipeline of
//! its own. Messages are worded for the page ([`crate::error::Audience::Page`]):
//! no command-line options, no library English, files by their names.
//!
//! Safety ([`guard`]): requests whose `Host` is not this address and port
//! are refused (DNS rebinding), and so are POSTs from another origin
//! (CSRF). Uploads are streamed into a fresh temporary folder per request
//! under generated names ([`upload`]); a name from the browser is only
//! shown, never used as a path. Results are kept under a random job id,
//! known only to the tab that asked, and dropped after [`Config::keep`].

mod assets;
mod guard;
mod jobs;
mod pages;
mod upload;

use crate::error::{Error, Result, ServeFailure};
use crate::pipeline::Session;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// What the server needs.
pub struct Config {
    /// The command line's session: editions, limits (`file_bytes` caps
    /// each uploaded file), isolated reading.
    pub session: Arc<Session>,
    /// How long results stay downloadable.
    pub keep: Duration,
    /// How many reading jobs run at once (the rest wait their turn).
    pub workers: usize,
}

/// Bind 127.0.0.1:`port` (0 = any free port).
///
/// # Errors
/// [`Error::Serve`] when the port is taken or cannot be bound.
pub fn bind(port: u16) -> Result<TcpListener> {
    let l = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .map_err(|e| Error::Serve(ServeFailure::Port { port, detail: e.to_string() }))?;
    l.set_nonblocking(true).map_err(server)?;
    Ok(l)
}

/// Serve on `listener` until Ctrl+C; then every job is dropped, and its
/// temporary folder with it.
///
/// # Errors
/// [`Error::Serve`] if the server cannot start.
pub async fn serve(listener: TcpListener, cfg: Config) -> Result<()> {
    let port = listener.local_addr().map_err(server)?.port();
    let listener = tokio::net::TcpListener::from_std(listener).map_err(server)?;
    let app = jobs::App::new(cfg, port);
    jobs::sweep_every_minute(app.clone());
    let ending = app.clone();
    let stop = async move {
        if stopped().await == Stop::Now {
            // The console window is closing (Windows gives a few seconds)
            // or the terminal hung up: no time to finish the work running;
            // every job's folder goes now, then the process.
            ending.clear();
            crate::cleanup::interrupted();
            std::process::exit(0);
        }
    };
    axum::serve(listener, pages::router(app.clone())).with_graceful_shutdown(stop).await.map_err(server)?;
    app.clear();
    Ok(())
}

/// How the server is asked to stop.
#[derive(PartialEq, Eq)]
enum Stop {
    /// Ctrl+C, Ctrl+Break, SIGTERM: finish the work running, then stop.
    Finishing,
    /// The window closed, the user logged off, the system shuts down, the
    /// terminal hung up: stop now.
    Now,
}

/// Wait for a request to stop.
async fn stopped() -> Stop {
    #[cfg(windows)]
    {
        use tokio::signal::windows::{ctrl_break, ctrl_close, ctrl_logoff, ctrl_shutdown};
        let (Ok(mut close), Ok(mut brk), Ok(mut logoff), Ok(mut shutdown)) =
            (ctrl_close(), ctrl_break(), ctrl_logoff(), ctrl_shutdown())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return Stop::Finishing;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => Stop::Finishing,
            _ = brk.recv() => Stop::Finishing,
            _ = close.recv() => Stop::Now,
            _ = logoff.recv() => Stop::Now,
            _ = shutdown.recv() => Stop::Now,
        }
    }
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let (Ok(mut term), Ok(mut hup)) = (signal(SignalKind::terminate()), signal(SignalKind::hangup())) else {
            let _ = tokio::signal::ctrl_c().await;
            return Stop::Finishing;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => Stop::Finishing,
            _ = term.recv() => Stop::Finishing,
            _ = hup.recv() => Stop::Now,
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = tokio::signal::ctrl_c().await;
        Stop::Finishing
    }
}

/// The server could not start or stopped with an error.
pub fn server(e: impl std::fmt::Display) -> Error {
    Error::Serve(ServeFailure::Server { detail: e.to_string() })
}

/// A refusal or failure, answered with a Chinese page.
#[derive(Debug)]
pub struct Fail(pub StatusCode, pub String);

impl Fail {
    fn bad(msg: impl Into<String>) -> Fail {
        Fail(StatusCode::BAD_REQUEST, msg.into())
    }
    fn internal(msg: impl Into<String>) -> Fail {
        Fail(StatusCode::INTERNAL_SERVER_ERROR, msg.into())
    }
    /// An error of the library, worded for the page: a publication refused
    /// for errors is 409 (the page offers to publish anyway), a failure of
    /// this machine (disk, LibreOffice, a writer) 500, a file that cannot
    /// be used 400.
    fn from_error(e: Error) -> Fail {
        let status = match &e {
            Error::Unpublishable { .. } => StatusCode::CONFLICT,
            Error::Io { .. } | Error::Render { .. } | Error::Office { .. } | Error::Output { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            _ => StatusCode::BAD_REQUEST,
        };
        Fail(status, e.message(crate::error::Audience::Page))
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        let title = match self.0 {
            StatusCode::FORBIDDEN => "拒绝访问",
            StatusCode::PAYLOAD_TOO_LARGE => "文件太大",
            StatusCode::NOT_FOUND => "没有这个页面",
            s if s.is_server_error() => "处理时出错",
            _ => "请求有误",
        };
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>xxgk：{title}</title>\
             <link rel=\"stylesheet\" href=\"/app.css\"></head><body><main class=\"error\"><h1>{title}</h1>\
             <p id=\"error\">{}</p><p><a href=\"/\">返回首页</a></p></main></body></html>\n",
            crate::ooxml::esc(&self.1)
        );
        (self.0, Html(page)).into_response()
    }
}
