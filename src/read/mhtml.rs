//! Web pages saved as one file (.mhtml/.mht, "网页，单个文件"): a MIME
//! `multipart/related` message whose first `text/html` part is the page,
//! quoted-printable or base64, its charset in the part's header. Images and
//! style sheets in the other parts are not needed.

/// The page of a saved web page, with its charset declared in front when
/// only the MIME header gave it; `None` when the bytes are no MIME message
/// (a plain page), `Some(Err(why))` when they are one without a page.
pub fn html_part(bytes: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let head = bytes.get(..bytes.len().min(8192)).unwrap_or(bytes);
    let head_text = String::from_utf8_lossy(head).to_ascii_lowercase().replace('\r', "");
    let top = head_text.trim_start().split("\n\n").next().unwrap_or("");
    // A message starts with header fields (`From: …`, `MIME-Version: …`).
    let field = top
        .split(':')
        .next()
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !(field && top.contains("mime-version:") && top.contains("multipart/")) {
        return None;
    }
    Some(find_page(bytes))
}

/// Header lines (unfolded) up to the first empty line, and the offset of
/// the body after it.
fn headers(bytes: &[u8]) -> (Vec<(String, String)>, usize) {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let end = bytes.get(pos..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(bytes.len(), |i| pos + i);
        let line = String::from_utf8_lossy(bytes.get(pos..end).unwrap_or_default()).trim_end_matches('\r').to_string();
        pos = end + 1;
        if line.trim().is_empty() {
            if out.is_empty() {
                continue; // blank lines before the headers
            }
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    (out, pos.min(bytes.len()))
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> Option<&'a str> {
    h.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A parameter of a header value: `boundary="…"`, `charset=gb2312`.
fn param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find_page(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let (top, body_at) = headers(bytes);
    let boundary = header(&top, "content-type").and_then(|ct| param(ct, "boundary")).ok_or_else(|| {
        "保存的网页（.mhtml）缺少分段标记，文件可能不完整。请在浏览器中重新打开原网页另存".to_string()
    })?;
    let marker = format!("--{boundary}");
    let body = bytes.get(body_at..).unwrap_or_default();
    for part in split(body, marker.as_bytes()) {
        let (h, at) = headers(part);
        let ct = header(&h, "content-type").unwrap_or("text/plain");
        if !ct.to_ascii_lowercase().starts_with("text/html") {
            continue;
        }
        let content = part.get(at..).unwrap_or_default();
        let encoding = header(&h, "content-transfer-encoding").unwrap_or("").to_ascii_lowercase();
        let mut html = match encoding.as_str() {
            "quoted-printable" => quoted_printable(content),
            "base64" => base64(content),
            _ => content.to_vec(),
        };
        if let Some(cs) = param(ct, "charset") {
            let mut out = format!("<meta charset=\"{cs}\">").into_bytes();
            out.append(&mut html);
            html = out;
        }
        return Ok(html);
    }
    Err("保存的网页（.mhtml）中没有网页正文（text/html）。请在浏览器中重新打开原网页另存".to_string())
}

/// The parts between boundary lines.
fn split<'a>(body: &'a [u8], marker: &[u8]) -> Vec<&'a [u8]> {
    let mut starts: Vec<usize> = Vec::new();
    let mut i = 0;
    while let Some(at) = body.get(i..).and_then(|b| b.windows(marker.len()).position(|w| w == marker)) {
        starts.push(i + at);
        i += at + marker.len();
    }
    starts
        .windows(2)
        .filter_map(|w| match w {
            [a, b] => body.get(a + marker.len()..*b),
            _ => None,
        })
        .collect()
}

fn quoted_printable(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'=' {
            out.push(c);
            i += 1;
            continue;
        }
        match (b.get(i + 1).copied(), b.get(i + 2).copied()) {
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0));
                i += 3;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn base64(b: &[u8]) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let mut out = Vec::with_capacity(b.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in b.iter().filter_map(|&c| val(c)) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_page_gives_its_html() {
        let mht = "From: <Saved by Blink>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n\tboundary=\"----B--\"\r\n\r\n\
                   ------B--\r\nContent-Type: text/html; charset=gb2312\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
                   <p class=3D\"a\">=D2=BB=\r\n</p>\r\n------B--\r\nContent-Type: image/png\r\n\r\nxx\r\n------B----\r\n";
        let html = html_part(mht.as_bytes()).unwrap().unwrap();
        assert_eq!(html, b"<meta charset=\"gb2312\"><p class=\"a\">\xD2\xBB</p>\r\n".to_vec());
        assert!(html_part(b"<html><body>MIME-Version: 1.0 multipart/</body></html>").is_none());
        assert_eq!(base64(b"5LiA\r\n5LqM"), "一二".as_bytes());
    }
}
