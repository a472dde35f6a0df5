//! Who may talk to the server: only pages of this server on this machine.
//!
//! - `Host` must be `127.0.0.1:PORT` or `localhost:PORT`: a page of another
//!   site whose name was made to point at 127.0.0.1 (DNS rebinding) sends
//!   its own name and is refused.
//! - A request that changes something (anything but GET/HEAD) whose
//!   `Origin` is present and not ours, or that the browser marks
//!   `Sec-Fetch-Site: cross-site`, is refused (CSRF).
//!
//! Every answer also tells the browser to run only our own scripts, not to
//! guess content types, not to be framed by others and not to cache.

use super::jobs::Shared;
use super::Fail;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether `host` (a `Host` header) names this server.
pub fn host_ok(host: &str, port: u16) -> bool {
    let host = host.to_ascii_lowercase();
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

/// Whether `origin` (an `Origin` header) is this server.
pub fn origin_ok(origin: &str, port: u16) -> bool {
    let origin = origin.to_ascii_lowercase();
    origin == format!("http://127.0.0.1:{port}") || origin == format!("http://localhost:{port}")
}

pub async fn guard(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let port = app.port;
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !host_ok(host, port) {
        let shown: String = host.chars().filter(|c| !c.is_control()).take(80).collect();
        return Fail(
            StatusCode::FORBIDDEN,
            format!(
                "拒绝访问：请求的地址 “{shown}” 不是本机的 xxgk 网页。请在浏览器地址栏输入 http://127.0.0.1:{port}/ 打开。"
            ),
        )
        .into_response();
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        let origin = req.headers().get(header::ORIGIN).map(|o| o.to_str().unwrap_or("?"));
        let cross = req.headers().get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site");
        if cross || origin.is_some_and(|o| !origin_ok(o, port)) {
            return Fail(
                StatusCode::FORBIDDEN,
                "拒绝访问：这个提交来自其他网站。xxgk 只接受本机 xxgk 网页上提交的文件。".to_string(),
            )
            .into_response();
        }
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    for (k, v) in [
        (
            "content-security-policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'self'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "SAMEORIGIN"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    resp
}
