//! The text as typed (`TEXT-MARKUP`, `TEXT-LINEBREAK`): markup pasted from
//! other documents (`**粗体**`, `## 标题`, HTML tags) and hard line breaks
//! inside a sentence (`稳岗就业、涉` / `农补贴`, text copied out of a PDF or
//! a web page).
//!
//! The same scanner tidies the text for publication ([`tidy`]): the Word,
//! HTML and PDF publications never print markup and join a sentence broken
//! over two lines, so the warning can say what the publication does.
//!
//! A break is inside a sentence when the line before it does not end a
//! sentence (`。！？；：…`, or a closing quote or bracket after one), is not
//! a heading (`一、` `（一）` `1.` `（1）`), is not a field such as
//! `联系电话：…`, and is long enough to have been wrapped (at least
//! [`WRAPPED`] characters, or it ends with `，` or `、`); and the next line
//! is not a heading or a field itself. Short lines — contact details, a
//! signature and its date — are never joined.

// Indexing is bounded here: positions found by scanning the same string.
#![allow(clippy::indexing_slicing)]

use super::Finding;
use crate::edition::{Edition, Severity};
use crate::model::Report;
use std::ops::Range;

/// Markup in the text.
pub const MARKUP: &str = "TEXT-MARKUP";
/// What the markup rule says.
pub const MARKUP_TITLE: &str = "正文中不应有排版标记（**、##、HTML 标签）";
/// A hard line break inside a sentence.
pub const LINE_BREAK: &str = "TEXT-LINEBREAK";
/// What the line-break rule says.
pub const LINE_BREAK_TITLE: &str = "句子中间不应有硬换行";

/// A line at least this long (in characters) that does not end a sentence
/// was wrapped, not ended.
pub const WRAPPED: usize = 20;

/// Characters that end a sentence or a clause a line may end with.
const TERMINAL: &[char] = &['。', '！', '？', '；', '：', '…', '!', '?', ';', ':'];
/// Closing quotes and brackets: a line ending with one ends a sentence when
/// the character before it does.
const CLOSING: &[char] = &['”', '’', '）', ')', '》', '」', '』', '】', '"', '\''];

/// Byte ranges of the markup in one line: `**`, a Markdown heading's `#`s
/// at its start (with the spaces after them), and HTML tags.
pub fn markup(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let lead = line.len() - line.trim_start().len();
    let hashes = line[lead..].bytes().take_while(|b| *b == b'#').count();
    if hashes > 0 && hashes <= 6 {
        let after = lead + hashes;
        let spaces = line[after..].len() - line[after..].trim_start().len();
        out.push(lead..after + spaces);
    }
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"**") {
            let n = bytes[i..].iter().take_while(|b| **b == b'*').count();
            out.push(i..i + n);
            i += n;
        } else if bytes[i] == b'<' {
            match tag_len(&line[i..]) {
                Some(n) => {
                    out.push(i..i + n);
                    i += n;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The length of an HTML tag at the start of `s` (`<p>`, `</span>`,
/// `<br/>`, `<font color="red">`), if there is one.
fn tag_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix('<')?;
    let rest = rest.strip_prefix('/').unwrap_or(rest);
    let name = rest.bytes().take_while(|b| b.is_ascii_alphanumeric()).count();
    if name == 0 || !rest.as_bytes().first()?.is_ascii_alphabetic() {
        return None;
    }
    let after = &rest[name..];
    if !(after.starts_with('>') || after.starts_with('/') || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let close = after.find('>').filter(|n| *n < 200 && !after[..*n].contains('<'))?;
    Some(s.len() - after.len() + close + 1)
}

/// The line without its markup.
fn unmarked(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for r in markup(line) {
        out.push_str(line.get(at..r.start).unwrap_or(""));
        at = r.end;
    }
    out.push_str(line.get(at..).unwrap_or(""));
    out
}

/// `一、` `（一）` `1.` `（1）` at the start of a line: its level (1 to 4) and
/// the marker's length in bytes.
pub fn heading_marker(line: &str) -> Option<(u8, usize)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    let digits = |s: &str, chinese: bool| -> usize {
        s.chars()
            .take_while(|c| if chinese { crate::labels::is_chinese_digit(*c) } else { c.is_ascii_digit() })
            .map(char::len_utf8)
            .sum()
    };
    if let Some(rest) = t.strip_prefix('（').or_else(|| t.strip_prefix('(')) {
        let open = t.len() - rest.len();
        for (chinese, level) in [(true, 2), (false, 4)] {
            let n = digits(rest, chinese);
            if n > 0 {
                let close = rest[n..].chars().next().filter(|c| *c == '）' || *c == ')')?;
                return Some((level, lead + open + n + close.len_utf8()));
            }
        }
        return None;
    }
    let n = digits(t, true);
    if n > 0 {
        return t[n..].starts_with('、').then_some((1, lead + n + '、'.len_utf8()));
    }
    let n = digits(t, false);
    if n > 0 && n <= 2 {
        let mark = t[n..].chars().next().filter(|c| matches!(c, '.' | '．' | '、'))?;
        // `3.3万` is a number, not a heading.
        if t[n + mark.len_utf8()..].starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        return Some((3, lead + n + mark.len_utf8()));
    }
    None
}

/// Does the line end a sentence?
fn ends_sentence(line: &str) -> bool {
    let mut chars = line.trim_end().chars().rev();
    let mut last = chars.next();
    while last.is_some_and(|c| CLOSING.contains(&c)) {
        last = chars.next();
    }
    last.is_none_or(|c| TERMINAL.contains(&c))
}

/// A field such as `联系电话：0953-8637408` or `地址：…`: a short label and
/// a colon, and no sentence after it.
fn is_field(line: &str) -> bool {
    let t = line.trim();
    let colon = t.char_indices().find(|(_, c)| *c == '：' || *c == ':').map(|(i, _)| i);
    colon.is_some_and(|i| t[..i].chars().count() <= 8 && !t.contains('。') && !t.contains('，'))
}

/// Is the break between `prev` and `next` inside a sentence?
fn breaks_sentence(prev: &str, next: &str) -> bool {
    let (p, n) = (prev.trim(), next.trim());
    if p.is_empty() || n.is_empty() || ends_sentence(p) {
        return false;
    }
    if is_field(p) || is_field(n) || heading_marker(n).is_some() {
        return false;
    }
    // A heading on its own line (`（一）主动公开情况`), not one that goes on
    // as a paragraph (`（四）聚焦平台建设。积极探索…`).
    if heading_marker(p).is_some() && p.chars().count() <= 40 && !p.contains(['。', '！', '？']) {
        return false;
    }
    let continues = n.starts_with(['，', '。', '、', '；', '：', '）', '”', '》']);
    continues || p.ends_with(['，', '、']) || p.chars().count() >= WRAPPED
}

/// What the scanner found in a text: markup, and breaks inside a sentence.
#[derive(Debug, Default)]
pub struct Scan {
    /// The markup found, as written (`**`, `<p>`…).
    pub markup: Vec<String>,
    /// Each break inside a sentence: the end of the line before it and the
    /// start of the line after it.
    pub breaks: Vec<(String, String)>,
}

/// Scan a text for markup and breaks inside a sentence.
pub fn scan(text: &str) -> Scan {
    let mut s = Scan::default();
    let lines: Vec<String> = text.split('\n').map(unmarked).collect();
    for line in text.split('\n') {
        s.markup.extend(markup(line).into_iter().filter_map(|r| line.get(r).map(|m| m.trim().to_string())));
    }
    for pair in lines.windows(2) {
        if let [prev, next] = pair {
            if breaks_sentence(prev, next) {
                let tail: String = {
                    let t: Vec<char> = prev.trim_end().chars().collect();
                    t[t.len().saturating_sub(8)..].iter().collect()
                };
                let head: String = next.trim_start().chars().take(8).collect();
                s.breaks.push((tail, head));
            }
        }
    }
    s
}

/// The text as published: markup removed, a sentence broken over two lines
/// joined into one. Used by every publication writer
/// ([`crate::write::outline`]); [`check`] warns about the same places.
pub fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut current: Option<String> = None;
    for line in text.split('\n').map(unmarked) {
        match current.as_mut() {
            Some(p) if breaks_sentence(p, &line) => {
                let ascii = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
                p.truncate(p.trim_end().len());
                if ascii(p.chars().last()) && ascii(line.trim_start().chars().next()) {
                    p.push(' ');
                }
                p.push_str(line.trim_start());
            }
            Some(p) => {
                out.push_str(p);
                out.push('\n');
                current = Some(line);
            }
            None => current = Some(line),
        }
    }
    out.push_str(&current.unwrap_or_default());
    out
}

/// `TEXT-MARKUP` and `TEXT-LINEBREAK` for the preamble and each part: one
/// finding per place and rule, counting what it found.
pub(super) fn check(report: &Report, ed: &Edition, out: &mut Vec<Finding>) {
    let mut places = vec![("导语".to_string(), report.preamble.as_str())];
    for (id, part) in &report.parts {
        let name =
            ed.part(id).map_or_else(|| part.heading.clone(), |p| format!("第{}部分“{}”", p.number, p.full_heading()));
        places.push((name, part.text.as_str()));
    }
    for (place, text) in places {
        let s = scan(text);
        if let Some(first) = s.markup.first() {
            out.push(Finding::new(
                MARKUP,
                Severity::Warning,
                MARKUP_TITLE,
                format!(
                    "{place}有 {} 处排版标记（如“{first}”），是从其他文档粘贴带来的；发布的文档不会印出这些标记，请在原文中删除",
                    s.markup.len()
                ),
            ));
        }
        if let Some((tail, head)) = s.breaks.first() {
            out.push(Finding::new(
                LINE_BREAK,
                Severity::Warning,
                LINE_BREAK_TITLE,
                format!(
                    "{place}有 {} 处在句子中间换行（如“{tail}”↵“{head}”）；发布的文档已把断开的行接成一段，请在原文中也合并",
                    s.breaks.len()
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_found_and_removed() {
        assert_eq!(tidy("**五是积极回应社会关切。**指派专人"), "五是积极回应社会关切。指派专人");
        assert_eq!(tidy("## 一、总体情况"), "一、总体情况");
        assert_eq!(tidy("<p>正文<br/>内容</p><font color=\"red\">红</font>"), "正文内容红");
        assert_eq!(tidy("甲<乙>丙，a < b，1<2。"), "甲<乙>丙，a < b，1<2。");
        assert_eq!(scan("**一是**，<b>二</b>").markup, ["**", "**", "<b>", "</b>"]);
    }

    #[test]
    fn broken_sentences_are_joined_and_short_lines_kept() {
        let text = "进一步提升优化乡村振兴、食品药品监管、稳岗就业、涉\n农补贴等7个重点领域栏目设置。";
        assert_eq!(tidy(text), "进一步提升优化乡村振兴、食品药品监管、稳岗就业、涉农补贴等7个重点领域栏目设置。");
        assert_eq!(scan(text).breaks, [("管、稳岗就业、涉".to_string(), "农补贴等7个重点".to_string())]);
        for kept in [
            "一是加强培训。\n二是加强考核。",
            "（一）主动公开情况\n本年度共公开信息100条。",
            "联系电话：0953-8637408\n电子邮箱：abc@163.com",
            "同心县人民政府办公室\n2022年1月20日",
            "这是一个没有结束标点但是很长很长的句子的前半\n1.后面是编号的一项",
        ] {
            assert_eq!(tidy(kept), kept);
            assert!(scan(kept).breaks.is_empty(), "{kept}");
        }
        assert_eq!(tidy("第一行很短，\n接下来"), "第一行很短，接下来");
        assert_eq!(
            tidy("（四）聚焦平台建设。积极探索政务公开载体，在政务公开\n栏、村务公开栏"),
            "（四）聚焦平台建设。积极探索政务公开载体，在政务公开栏、村务公开栏"
        );
        // Lines joined go on joining: tidy is idempotent.
        let three = "这一行足够长但是在句子的中间断开了，后面（\n还有一行\n和再一行。";
        assert_eq!(tidy(three), "这一行足够长但是在句子的中间断开了，后面（还有一行和再一行。");
        assert_eq!(tidy(&tidy(three)), tidy(three));
    }

    #[test]
    fn heading_markers() {
        assert_eq!(heading_marker("一、总体情况"), Some((1, "一、".len())));
        assert_eq!(heading_marker("（一）聚焦重点"), Some((2, "（一）".len())));
        assert_eq!(heading_marker("1.主动公开"), Some((3, 2)));
        assert_eq!(heading_marker("（1）依申请"), Some((4, "（1）".len())));
        assert_eq!(heading_marker("3.3万条"), None);
        assert_eq!(heading_marker("2021年以来"), None);
        assert_eq!(heading_marker("一是深化"), None);
    }
}
