//! Reader for published reports as HTML pages, as saved from government
//! websites. A small tolerant tokenizer (no DOM): text outside tables becomes
//! paragraphs at block-level tags and `<br>`; tables become positioned cells
//! through their `rowspan` and `colspan`, in the neutral [`Doc`] that the one
//! mapper ([`super::map`]) reads.

// Indexing is bounded here: slices cut at offsets found in the same string.
#![allow(clippy::indexing_slicing)]

use super::container::read_file;
use super::doc::{Cell as TCell, Document as Doc, Item, SourceKind, Table};
use super::ReadOptions;
use crate::error::{Error, Result};
use std::collections::HashSet;
use std::path::Path;

pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Doc> {
    let bytes = read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read an HTML report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Doc> {
    let text = decode(bytes);
    parse(&text, &opts.limits).map_err(|what| Error::invalid(path, what))
}

/// UTF-8, or the charset the page declares (gb2312/gbk/gb18030).
fn decode(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let declared = head.find("charset=").map(|i| {
        head[i + 8..]
            .trim_start_matches(['"', '\''])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
    });
    if let Some(label) = declared.filter(|l| l != "utf-8" && l != "utf8") {
        if let Some(enc) = encoding_rs::Encoding::for_label(label.as_bytes()) {
            return enc.decode(bytes).0.into_owned();
        }
    }
    super::text::decode(bytes).0
}

fn entity(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let n = if let Some(h) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(h, 16).ok()?
        } else {
            num.parse().ok()?
        };
        return char::from_u32(n).map(|c| c.to_string());
    }
    Some(
        match name {
            "nbsp" | "ensp" | "emsp" | "thinsp" => " ",
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            "ldquo" => "“",
            "rdquo" => "”",
            "lsquo" => "‘",
            "rsquo" => "’",
            "mdash" => "—",
            "ndash" => "–",
            "hellip" => "…",
            "middot" => "·",
            "times" => "×",
            "yen" => "¥",
            _ => return None,
        }
        .to_string(),
    )
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';').filter(|&j| j <= 10).and_then(|j| entity(&after[..j]).map(|e| (j, e))) {
            Some((j, e)) => {
                out.push_str(&e);
                rest = &after[j + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn attr_num(tag: &str, name: &str) -> u32 {
    let lower = tag.to_ascii_lowercase();
    let Some(i) = lower.find(&format!("{name}=")) else { return 1 };
    let v: String =
        lower[i + name.len() + 1..].trim_start_matches(['"', '\'']).chars().take_while(char::is_ascii_digit).collect();
    v.parse().unwrap_or(1).clamp(1, 1000)
}

const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "center",
    "blockquote",
    "ul",
    "ol",
    "hr",
];
const SKIP: &[&str] = &["script", "style", "head", "noscript", "iframe", "svg", "object"];

struct HtmlTable {
    rows: Vec<Vec<(u32, u32, String)>>, // (rowspan, colspan, text)
    cell: Option<(u32, u32, String)>,
}

/// Parse HTML into paragraphs and tables.
pub fn parse(html: &str, limits: &crate::limits::Limits) -> std::result::Result<Doc, String> {
    let mut doc = Doc::new(SourceKind::Html);
    let mut para = String::new();
    let mut tables: Vec<HtmlTable> = Vec::new();
    let mut skip: Option<String> = None;
    let mut rest = html;
    let flush = |para: &mut String, doc: &mut Doc, tables: &mut Vec<HtmlTable>| {
        let t = para.trim().to_string();
        para.clear();
        if t.is_empty() {
            return;
        }
        match tables.last_mut().and_then(|t| t.cell.as_mut()) {
            Some((_, _, cell)) => {
                if !cell.is_empty() {
                    cell.push('\n');
                }
                cell.push_str(&t);
            }
            // Text outside any cell (a caption, text between rows) is kept
            // as a paragraph rather than dropped.
            None => doc.body.push(Item::Para(t)),
        }
    };
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip.is_none() {
                para.push_str(&unescape(rest));
            }
            break;
        };
        if skip.is_none() {
            para.push_str(&unescape(&rest[..lt].replace(['\n', '\r', '\t'], " ")));
        }
        rest = &rest[lt..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map(|i| &rest[i + 3..]).unwrap_or("");
            continue;
        }
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(s) = &skip {
            if closing && name == *s {
                skip = None;
            }
            continue;
        }
        if !closing && SKIP.contains(&name.as_str()) && !tag.ends_with('/') {
            skip = Some(name);
            continue;
        }
        match (name.as_str(), closing) {
            ("table", false) => {
                flush(&mut para, &mut doc, &mut tables);
                if tables.len() >= limits.table_nesting {
                    return Err(format!("HTML 表格嵌套超过 {} 层，页面可能已损坏", limits.table_nesting));
                }
                tables.push(HtmlTable { rows: Vec::new(), cell: None });
            }
            ("table", true) => {
                flush(&mut para, &mut doc, &mut tables);
                if let Some(mut t) = tables.pop() {
                    if let Some(c) = t.cell.take() {
                        if let Some(r) = t.rows.last_mut() {
                            r.push(c);
                        }
                    }
                    let table = resolve(t, limits)?;
                    if tables.is_empty() {
                        doc.body.push(Item::Table(table));
                    } else if let Some((_, _, cell)) = tables.last_mut().and_then(|o| o.cell.as_mut()) {
                        for c in &table.cells {
                            if !cell.is_empty() {
                                cell.push('\n');
                            }
                            cell.push_str(&c.text);
                        }
                    }
                }
            }
            ("tr", false) => {
                flush(&mut para, &mut doc, &mut tables);
                if let Some(t) = tables.last_mut() {
                    if let Some(c) = t.cell.take() {
                        if let Some(r) = t.rows.last_mut() {
                            r.push(c);
                        }
                    }
                    t.rows.push(Vec::new());
                }
            }
            ("td" | "th", false) => {
                flush(&mut para, &mut doc, &mut tables);
                if let Some(t) = tables.last_mut() {
                    if let Some(c) = t.cell.take() {
                        if let Some(r) = t.rows.last_mut() {
                            r.push(c);
                        }
                    }
                    if t.rows.is_empty() {
                        t.rows.push(Vec::new());
                    }
                    t.cell = Some((attr_num(tag, "rowspan"), attr_num(tag, "colspan"), String::new()));
                }
            }
            ("td" | "th" | "tr", true) => {
                flush(&mut para, &mut doc, &mut tables);
                if let Some(t) = tables.last_mut() {
                    if let Some(c) = t.cell.take() {
                        if let Some(r) = t.rows.last_mut() {
                            r.push(c);
                        }
                    }
                }
            }
            (n, _) if BLOCK.contains(&n) => flush(&mut para, &mut doc, &mut tables),
            _ => {}
        }
    }
    flush(&mut para, &mut doc, &mut tables);
    while let Some(t) = tables.pop() {
        doc.body.push(Item::Table(resolve(t, limits)?));
    }
    Ok(doc)
}

/// Place cells on the grid through rowspan and colspan.
fn resolve(t: HtmlTable, limits: &crate::limits::Limits) -> std::result::Result<Table, String> {
    let max_cells = limits.table_rows.saturating_mul(limits.table_cols);
    if t.rows.len() > limits.table_rows {
        return Err(format!("HTML 表格超过 {} 行（可用 --max-table-rows 放宽）", limits.table_rows));
    }
    let mut occupied: HashSet<(u32, u32)> = HashSet::new();
    let mut out = Table { aligned: true, ..Table::default() };
    for (r, row) in t.rows.into_iter().enumerate() {
        let r = r as u32;
        let mut c = 0u32;
        for (rowspan, colspan, text) in row {
            while occupied.contains(&(r, c)) {
                c += 1;
            }
            if occupied.len() + (rowspan * colspan) as usize > max_cells {
                return Err(format!("HTML 表格超过 {max_cells} 个单元格"));
            }
            for dr in 0..rowspan {
                for dc in 0..colspan {
                    occupied.insert((r + dr, c + dc));
                }
            }
            out.cells.push(TCell::new(r, c, rowspan, colspan, text.trim().to_string()));
            c += colspan;
        }
        out.rows = out.rows.max(r + 1);
    }
    out.rows = out.cells.iter().map(|c| c.row + c.rowspan).max().unwrap_or(0);
    Ok(out)
}
