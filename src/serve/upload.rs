//! Receiving a form: files streamed to disk under generated names, text
//! fields kept (small).
//!
//! A file's name from the browser is only shown: [`shown_name`] keeps its
//! readable part (folder names of a folder upload included), and the file
//! is stored as `0001.docx` etc. in the request's own folder — only its
//! extension, when xxgk takes that kind ([`crate::batch::classify`]: a
//! report or a zip), is kept; other files are not stored (the batch lists
//! them as 跳过). Each file is capped at the CLI's `--max-file-size`: a file
//! over it is not stored and is listed with its size, and the rest of the
//! request goes on.

use super::Fail;
use crate::batch::{classify, Class};
use crate::limits::{show_size, Limits};
use axum::extract::multipart::{Multipart, MultipartError};
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Most files in one request.
pub const MAX_FILES: usize = 5000;
/// Most bytes of all text fields of one request together.
const MAX_TEXT: usize = 1 << 20;

/// One uploaded file.
pub struct Upload {
    /// The form field it came in (`file`, `previous`, …).
    pub field: String,
    /// Its name as shown to the clerk.
    pub shown: String,
    /// Where it is stored; `None` if its kind is not one xxgk takes, or it
    /// is over the size cap.
    pub stored: Option<PathBuf>,
    /// Its size, when over the size cap (it is then not stored).
    pub oversize: Option<u64>,
}

/// A received form.
#[derive(Default)]
pub struct Form {
    pub files: Vec<Upload>,
    pub text: Vec<(String, String)>,
}

impl Form {
    pub fn files(&self, field: &str) -> Vec<&Upload> {
        self.files.iter().filter(|u| u.field == field).collect()
    }
    pub fn text(&self, field: &str) -> Option<&str> {
        self.text.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str())
    }
}

/// A name from the browser made safe to show: path parts kept (a folder
/// upload's `县/乡/报告.docx`), `.`/`..`/empty parts, control characters
/// (NUL included) and both slashes' roles dropped; at most 200 characters.
pub fn shown_name(raw: &str) -> String {
    let parts: Vec<String> = raw
        .split(['/', '\\'])
        .map(|p| p.chars().filter(|c| !c.is_control()).collect::<String>().trim().to_string())
        .filter(|p| !p.is_empty() && p != "." && p != "..")
        .collect();
    let name: String = parts.join("/").chars().take(200).collect();
    if name.is_empty() {
        "未命名文件".into()
    } else {
        name
    }
}

/// The extension of a shown name, if xxgk takes that kind (a report or a zip).
pub fn allowed_ext(shown: &str) -> Option<String> {
    let last = shown.rsplit('/').next().unwrap_or(shown);
    match classify(last) {
        Class::Report | Class::Zip => Some(last.rsplit_once('.')?.1.to_ascii_lowercase()),
        Class::Skip(_) => None,
    }
}

fn multipart_fail(e: MultipartError, limits: &Limits) -> Fail {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(limits);
    }
    let _ = e;
    Fail::bad("上传的内容不完整或格式有误。请刷新页面后重新上传。")
}

fn too_large(limits: &Limits) -> Fail {
    Fail(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "上传的内容太大：每个文件最大 {}，一次上传合计最大 {}。请分批上传（上限在启动 xxgk 时设定，如确需更大，请管理员放宽）。",
            show_size(limits.file_bytes),
            show_size(request_cap(limits))
        ),
    )
}

/// Most bytes of one request: the folder-sized cap of the CLI's limits.
pub fn request_cap(limits: &Limits) -> u64 {
    limits.total_bytes.max(limits.file_bytes)
}

/// Receive a form, storing its files in `dir`.
///
/// # Errors
/// 413 when the request is larger than [`request_cap`] (a file larger than
/// `limits.file_bytes` is only marked, [`Upload::oversize`]); 400 for a
/// malformed form.
pub async fn receive(mut mp: Multipart, dir: &Path, limits: &Limits) -> Result<Form, Fail> {
    let mut form = Form::default();
    let mut n = 0usize;
    let mut text_bytes = 0usize;
    while let Some(mut field) = mp.next_field().await.map_err(|e| multipart_fail(e, limits))? {
        let name = field.name().unwrap_or("").chars().take(40).collect::<String>();
        let Some(raw) = field.file_name().map(str::to_string) else {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|e| multipart_fail(e, limits))? {
                text.extend_from_slice(&chunk);
                text_bytes += chunk.len();
                if text_bytes > MAX_TEXT {
                    return Err(Fail(StatusCode::PAYLOAD_TOO_LARGE, "填写的内容太长（最多 1 MB）。".into()));
                }
            }
            form.text.push((name, String::from_utf8_lossy(&text).into_owned()));
            continue;
        };
        if raw.is_empty() {
            // An empty file input sends a part with no name and no content.
            continue;
        }
        n += 1;
        if n > MAX_FILES {
            return Err(Fail::bad(format!("一次最多上传 {MAX_FILES} 个文件，请分批上传。")));
        }
        let shown = shown_name(&raw);
        let Some(ext) = allowed_ext(&shown) else {
            form.files.push(Upload { field: name, shown, stored: None, oversize: None });
            continue;
        };
        let path = dir.join(format!("{n:04}.{ext}"));
        let mut file =
            tokio::fs::File::create(&path).await.map_err(|e| Fail::internal(format!("无法保存上传的文件（{e}）")))?;
        let mut size = 0u64;
        while let Some(chunk) = field.chunk().await.map_err(|e| multipart_fail(e, limits))? {
            size += chunk.len() as u64;
            if size > limits.file_bytes {
                // Over the cap: the rest is read and dropped, the file is
                // listed with its size, and the other files go on.
                continue;
            }
            file.write_all(&chunk).await.map_err(|e| Fail::internal(format!("无法保存上传的文件（{e}）")))?;
        }
        file.flush().await.map_err(|e| Fail::internal(format!("无法保存上传的文件（{e}）")))?;
        drop(file);
        if size > limits.file_bytes {
            let _ = tokio::fs::remove_file(&path).await;
            form.files.push(Upload { field: name, shown, stored: None, oversize: Some(size) });
        } else {
            form.files.push(Upload { field: name, shown, stored: Some(path), oversize: None });
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_browser_are_only_shown() {
        assert_eq!(shown_name("../../etc/passwd.docx"), "etc/passwd.docx");
        assert_eq!(shown_name("/etc/passwd.docx"), "etc/passwd.docx");
        assert_eq!(shown_name("C:\\Users\\a\\报告.xlsx"), "C:/Users/a/报告.xlsx");
        assert_eq!(shown_name("a\0b\r\n.docx"), "ab.docx");
        assert_eq!(shown_name("../.."), "未命名文件");
        assert_eq!(allowed_ext("x/报告.DOCX").as_deref(), Some("docx"));
        assert_eq!(allowed_ext("a.exe"), None);
        assert_eq!(allowed_ext("乡镇.ZIP").as_deref(), Some("zip"));
        assert_eq!(allowed_ext("~$报告.docx"), None);
        assert_eq!(allowed_ext("docx"), None);
    }
}
