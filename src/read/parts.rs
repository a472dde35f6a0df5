//! Finding the title, preamble and six parts in a sequence of paragraphs
//! (Word body paragraphs, lines of a published text).
//!
//! A part starts at a paragraph that begins with its heading: the official
//! heading or a variant from the edition, numbered `一、` or `5、`, possibly
//! followed by its text on the same line ("五、存在的主要问题及改进情况。我乡的…").
//! Parts are looked for in order. Placeholder paragraphs of forms and
//! templates (the edition's `placeholders`, xxgk's 【填写说明】) are dropped.

// Indexing is bounded here: slices cut at offsets computed from the same string (strip_ordinal suffix lengths, char_cut on char boundaries); part indices from enumerate.
#![allow(clippy::indexing_slicing)]

use crate::edition::{Edition, PartDef};
use crate::labels::{key, strip_ordinal};
use crate::model::Part;
use indexmap::IndexMap;

pub use crate::stamp::GUIDANCE_PREFIX;

/// What was found in the paragraphs.
#[derive(Debug, Default)]
pub struct Found {
    pub title: String,
    pub preamble: String,
    pub parts: IndexMap<String, Part>,
}

/// Characters of a paragraph looked at for a heading or a placeholder.
const HEAD_CHARS: usize = 40;

/// If paragraph `p` (whose first characters have key `k`) starts with the
/// heading of `part` (numbered `arabic` in Arabic digits) or a variant, the
/// heading as written and the rest of the line.
fn heading_of(p: &str, k: &str, part: &PartDef, arabic: &str, seps: &[String]) -> Option<(String, String)> {
    let trimmed = p.trim();
    let mut body = strip_ordinal(k);
    if body.len() == k.len() {
        body = other_ordinal(k, seps)?; // no ordinal: not a heading
    }
    let ordinal = &k[..k.len() - body.len()];
    let number_ok = ordinal.starts_with(part.number.as_str()) || ordinal.starts_with(arabic);
    if !number_ok || ordinal.starts_with('(') {
        return None;
    }
    for hk in &part.heading_keys {
        if let Some(rest) = body.strip_prefix(hk.as_str()) {
            // The rest must be the text on the same line, not a longer heading.
            if rest.is_empty() || rest.starts_with(['。', '.', ':', ',', '，', '；', ';']) || rest.chars().count() > 12
            {
                let cut = char_cut(trimmed, ordinal.chars().count() + hk.chars().count());
                let heading = trimmed[..cut].trim().to_string();
                let rest = trimmed[cut..]
                    .trim_start_matches(['。', '.', ':', '：', ',', '，', '；', ';', ' ', '\u{3000}'])
                    .trim();
                return Some((heading, rest.to_string()));
            }
        }
    }
    None
}

/// The key after a part number followed by one of the edition's other
/// separators (`一:总体情况`; `""` for `一 总体情况`, whose key has none).
fn other_ordinal<'k>(k: &'k str, seps: &[String]) -> Option<&'k str> {
    let n: usize =
        k.chars().take_while(|&c| crate::labels::is_chinese_digit(c) || c.is_ascii_digit()).map(char::len_utf8).sum();
    let rest = k.get(n..).filter(|_| n > 0)?;
    seps.iter().find_map(|sep| rest.strip_prefix(sep.as_str()))
}

/// Byte offset in `s` after `n` non-white-space characters (keys drop white
/// space, so count only those).
fn char_cut(s: &str, n: usize) -> usize {
    let mut seen = 0;
    for (i, c) in s.char_indices() {
        if seen == n {
            return i;
        }
        if !c.is_whitespace() {
            seen += 1;
        }
    }
    s.len()
}

/// Is the paragraph a placeholder to drop?
pub fn is_placeholder(p: &str, ed: &Edition) -> bool {
    let k = key(p);
    k.starts_with(&key(GUIDANCE_PREFIX)) || placeholder_key(&k, ed)
}

/// Is `k` the key of one of the edition's placeholders?
fn placeholder_key(k: &str, ed: &Edition) -> bool {
    ed.placeholder_keys.iter().any(|x| x == k)
}

/// Split paragraphs into title, preamble and parts.
pub fn split(paragraphs: Vec<String>, ed: &Edition) -> Found {
    let mut found = Found::default();
    let mut current: Option<(String, Vec<String>, String)> = None; // (part id, lines, heading)
    let mut before: Vec<String> = Vec::new();
    let mut next = 0usize;
    let guidance = key(GUIDANCE_PREFIX);
    let arabic: Vec<String> = (1..=ed.parts.len()).map(|n| n.to_string()).collect();
    // Characters a heading or placeholder can start with: the parts' own
    // numbers (from the edition), Arabic numbering, and opening brackets.
    let mut starts: Vec<char> = ed.parts.iter().filter_map(|p| p.number.chars().next()).collect();
    starts.extend("123456789１２３４５６７８９（(【[〔".chars());
    starts.extend(
        ed.placeholders.iter().chain(std::iter::once(&GUIDANCE_PREFIX.to_string())).filter_map(|p| p.chars().next()),
    );
    for p in paragraphs {
        // Only a paragraph starting with an ordinal can be a heading, and
        // only one starting with a bracket a placeholder or guidance: the
        // others need no normalization.
        let first = p.trim_start().chars().next().unwrap_or(' ');
        let maybe = starts.contains(&first);
        if !maybe {
            match &mut current {
                Some((_, lines, _)) => lines.push(p),
                None => before.push(p),
            }
            continue;
        }
        // Only the start of a paragraph can be a heading or a placeholder.
        let head = &p[..p.char_indices().nth(HEAD_CHARS).map_or(p.len(), |(i, _)| i)];
        let k = key(head);
        let short = head.len() == p.len();
        if k.starts_with(&guidance) || (short && placeholder_key(&k, ed)) {
            continue;
        }
        let mut matched = None;
        for (i, part) in ed.parts.iter().enumerate().skip(next) {
            if let Some(h) = heading_of(&p, &k, part, &arabic[i], &ed.part_number_separators) {
                matched = Some((i, h));
                break;
            }
        }
        if let Some((i, (heading, rest))) = matched {
            if let Some((id, lines, h)) = current.take() {
                found.parts.insert(id, Part { heading: h, text: lines.join("\n") });
            }
            let mut lines = Vec::new();
            if !rest.is_empty() {
                lines.push(rest);
            }
            current = Some((ed.parts[i].id.clone(), lines, heading));
            next = i + 1;
            continue;
        }
        match &mut current {
            Some((_, lines, _)) => lines.push(p),
            None => before.push(p),
        }
    }
    if let Some((id, lines, h)) = current.take() {
        found.parts.insert(id, Part { heading: h, text: lines.join("\n") });
    }
    // Title: the first non-empty paragraph that reads like one, else the first.
    let non_empty: Vec<usize> = (0..before.len()).filter(|&i| !before[i].trim().is_empty()).collect();
    let title_at = non_empty
        .iter()
        .copied()
        .find(|&i| crate::labels::looks_like_title(&before[i], &ed.title_words))
        .or(non_empty.first().copied());
    if let Some(t) = title_at {
        found.title = before[t].trim().to_string();
        // A title set over two lines, the organ above the year:
        // 淮安市人民政府 / 2024 年政府信息公开工作年度报告.
        let starts_with_year = found.title.chars().take_while(char::is_ascii_digit).count() == 4;
        if let Some(&p) = non_empty.iter().rev().find(|&&i| i < t).filter(|_| starts_with_year) {
            let organ = before[p].trim();
            if organ.chars().count() <= 30 && !organ.contains(['。', '，', ',']) {
                found.title = format!("{organ}{}", found.title);
            }
        }
        let rest: Vec<&str> = before[t + 1..].iter().map(String::as_str).collect();
        found.preamble = rest.join("\n").trim().to_string();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edition::Editions;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn headings_as_written_in_real_reports() {
        let eds = Editions::builtin().unwrap();
        let ed = eds.get("2019").unwrap();
        let f = split(
            lines(
                "中宁县恩和镇人民政府 2020 年 政府信息公开工作年度报告\n本报告依据……\n一、总体情况\n（一）主动公开情况。\n一是强化组织领导。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n四、因政府信息公开工作被申请行政复议提起行政诉讼情况\n5、 存在的主要问题及改进情况。我乡的问题是……\n下一步……\n6、 其他需要报告的事项\n无。",
            ),
            ed,
        );
        assert_eq!(f.title, "中宁县恩和镇人民政府 2020 年 政府信息公开工作年度报告");
        assert_eq!(f.preamble, "本报告依据……");
        assert_eq!(f.parts.len(), 6);
        assert_eq!(f.parts["p1"].text, "（一）主动公开情况。\n一是强化组织领导。");
        assert_eq!(f.parts["p4"].heading, "四、因政府信息公开工作被申请行政复议提起行政诉讼情况");
        assert_eq!(f.parts["p5"].heading, "5、 存在的主要问题及改进情况");
        assert_eq!(f.parts["p5"].text, "我乡的问题是……\n下一步……");
        assert_eq!(f.parts["p6"].text, "无。");
    }

    /// Heading variants of real reports (tests/fixtures/web/README.md): other
    /// punctuation or only a space after the number, 整改措施 for 改进情况.
    #[test]
    fn heading_variants_from_the_edition_data() {
        let eds = Editions::builtin().unwrap();
        let ed = eds.get("2021").unwrap();
        let f = split(
            lines("标题\n一：总体情况\n文字\n二 主动公开政府信息情况\n三—收到和处理政府信息公开申请情况\n四、政府信息公开行政复议、行政诉讼情况\n五 存在的主要问题及整改措施\n问题\n六、其他需要报告的事项\n一是无"),
            ed,
        );
        assert_eq!(f.parts.len(), 6, "{:?}", f.parts.keys().collect::<Vec<_>>());
        assert_eq!(f.parts["p1"].text, "文字");
        assert_eq!(f.parts["p5"].heading, "五 存在的主要问题及整改措施");
        assert_eq!(f.parts["p5"].text, "问题");
        assert_eq!(f.parts["p6"].text, "一是无");
    }

    #[test]
    fn sub_headings_and_placeholders_are_not_parts() {
        let eds = Editions::builtin().unwrap();
        let ed = eds.get("2021").unwrap();
        let f = split(lines("标题\n一、总体情况\n（文字描述）\n（一）依申请公开情况\n一、总体情况较好\n五、存在的主要问题及改进情况\n【填写说明】报告……"), ed);
        assert_eq!(f.parts.len(), 2);
        assert_eq!(f.parts["p1"].text, "（一）依申请公开情况\n一、总体情况较好");
        assert_eq!(f.parts["p5"].text, "");
    }
}
