//! Matching the labels people actually write against the official ones.
//!
//! Real files break labels with spaces and line breaks ("自 然 人"), use
//! half-width punctuation ("(一)"), drop or change the ordinal ("一、" in a
//! cell of its own), append notes ("规章(设区的市…)") and make small typos
//! ("属于四类过过程性信息"). Keys are compared after [`key`]; see
//! [`label_matches`] for the tolerance.

// Indexing is bounded here: string slices cut at offsets found in the same string (find, char_indices, strip_prefix), always on char boundaries.
#![allow(clippy::indexing_slicing)]

use unicode_normalization::UnicodeNormalization;

/// Normalized form of a label: NFKC (full-width → half-width), no white
/// space, unified quotes, no trailing colon, lower-case ASCII.
pub fn key(s: &str) -> String {
    let mut k = String::with_capacity(s.len());
    push_key(s, &mut k);
    k
}

/// [`key`] appended to `k` (keys of many texts in one buffer).
pub fn push_key(s: &str, k: &mut String) {
    let start = k.len();
    if s.is_ascii() {
        // NFKC leaves ASCII unchanged: skip it (most cells are numbers).
        if s.bytes().any(|b| b.is_ascii_whitespace() || b.is_ascii_uppercase()) {
            k.extend(s.chars().filter(|c| !c.is_ascii_whitespace()).map(|c| c.to_ascii_lowercase()));
        } else {
            k.push_str(s);
        }
    } else if !push_quick(s, k) {
        k.truncate(start);
        fold(s.nfkc(), k);
    }
    while k.len() > start && k.ends_with(':') {
        k.pop();
    }
}

/// [`fold`] of `s` without NFKC, when NFKC would not change it but for
/// narrowing full-width forms one by one: most labels are CJK ideographs,
/// ASCII and common Chinese punctuation ([`nfkc_stable`]) and full-width
/// forms (`（一）`, [`narrow`]). Runs of characters kept as they are are
/// copied at once. False (part of `s` written) for any other text.
fn push_quick(s: &str, k: &mut String) -> bool {
    // Start of the run of characters not yet copied.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        if is_ideograph(c) {
            continue; // the common case: kept as it is
        }
        let Some(normalized) = nfkc_char(c) else { return false };
        let folded = fold_char(normalized);
        if folded == Some(c) {
            continue;
        }
        k.push_str(&s[run..i]);
        k.extend(folded);
        run = i + c.len_utf8();
    }
    k.push_str(&s[run..]);
    true
}

/// The rest of [`key`] on NFKC-normalized characters, into `k`.
fn fold(chars: impl Iterator<Item = char>, k: &mut String) {
    k.extend(chars.filter_map(fold_char));
}

/// One NFKC-normalized character of a key: none for white space, quotes,
/// brackets and points unified, ASCII lower-cased.
fn fold_char(c: char) -> Option<char> {
    if c.is_whitespace() || matches!(c, '\u{200b}' | '\u{feff}') {
        return None;
    }
    Some(match c {
        '“' | '”' | '„' | '«' | '»' => '"',
        '‘' | '’' => '\'',
        '〔' | '［' | '【' => '[',
        '〕' | '］' | '】' => ']',
        '．' | '｡' => '.',
        c => c.to_ascii_lowercase(),
    })
}

/// The ASCII character NFKC makes of a full-width form (`（` → `(`) or of
/// the ideographic space. Nothing composes with either result when no
/// combining mark follows (none does among [`nfkc_stable`] characters).
fn narrow(c: char) -> Option<char> {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0),
        '\u{3000}' => Some(' '),
        _ => None,
    }
}

/// What NFKC makes of `c` when that is one character and depends on no
/// neighbour: `c` itself for [`nfkc_stable`] characters, the ASCII of a
/// full-width form or the ideographic space ([`narrow`]); `None` for any
/// other character (`…`, `①`, combining marks, compatibility ideographs),
/// whose text needs full NFKC. The fast path of [`key`] and
/// [`crate::number::squeeze`].
pub(crate) fn nfkc_char(c: char) -> Option<char> {
    if nfkc_stable(c) {
        Some(c)
    } else {
        narrow(c)
    }
}

/// A CJK unified ideograph (U+4E00-U+9FFF): NFKC and [`fold_char`] keep it.
pub(crate) fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Characters NFKC maps to themselves and that never compose with a
/// neighbour from this set: ASCII, the CJK Unified Ideographs block and
/// common Chinese punctuation (not the ideographic space, full-width forms,
/// `…` or compatibility ideographs, which NFKC changes).
pub(crate) fn nfkc_stable(c: char) -> bool {
    c.is_ascii()
        || is_ideograph(c)
        || matches!(c, '、' | '。' | '《' | '》' | '〈' | '〉' | '「' | '」' | '『' | '』' | '【' | '】' | '〔' | '〕')
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '–' | '·')
}

/// The key without a leading ordinal: `一、`, `(三)`, `1.`, `5、`, `(1)`.
pub fn strip_ordinal(k: &str) -> &str {
    let s = k;
    // (三) / (1)
    if let Some(rest) = s.strip_prefix('(') {
        if let Some(end) = rest.find(')') {
            let inner = &rest[..end];
            if !inner.is_empty() && inner.chars().all(|c| is_chinese_digit(c) || c.is_ascii_digit()) {
                return &rest[end + 1..];
            }
        }
    }
    // 一、 / 1. / 5、 / 1、
    let n = s.chars().take_while(|&c| is_chinese_digit(c) || c.is_ascii_digit()).count();
    if n > 0 {
        let rest: &str = &s[s.char_indices().nth(n).map(|(i, _)| i).unwrap_or(s.len())..];
        for sep in ['、', '.', ',', ')'] {
            if let Some(r) = rest.strip_prefix(sep) {
                return r;
            }
        }
    }
    s
}

/// Is this a Chinese numeral character (一 … 十) as ordinals use them?
pub fn is_chinese_digit(c: char) -> bool {
    matches!(c, '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十')
}

/// Is the key only an ordinal (a cell holding just "一、")?
pub fn is_bare_ordinal(k: &str) -> bool {
    !k.is_empty() && strip_ordinal(k).is_empty()
}

/// Does a cell whose key is `cell` name the label `official` (or a variant)?
/// On hot paths use [`keys_match`] with keys computed once.
pub fn label_matches(cell: &str, official: &str, variants: &[String]) -> bool {
    if cell.is_empty() {
        return false;
    }
    std::iter::once(official).chain(variants.iter().map(String::as_str)).any(|l| matches_one(cell, &key(l)))
}

/// The keys of a label and its variants, for [`keys_match`].
pub fn label_keys(official: &str, variants: &[String]) -> Vec<String> {
    std::iter::once(official).chain(variants.iter().map(String::as_str)).map(key).filter(|k| !k.is_empty()).collect()
}

/// [`label_matches`] with the label's keys computed beforehand.
pub fn keys_match(cell: &str, keys: &[String]) -> bool {
    !cell.is_empty() && keys.iter().any(|k| matches_one(cell, k))
}

fn matches_one(cell: &str, k: &str) -> bool {
    if k.is_empty() {
        return false;
    }
    if cell == k {
        return true;
    }
    let (cs, ks) = (strip_ordinal(cell), strip_ordinal(k));
    // Every way of matching below needs the first or the last character of
    // the label (with or without its ordinal) to agree: a cheap reject.
    let first = |x: &str| x.chars().next();
    let last = |x: &str| x.chars().next_back();
    if first(cs) != first(ks) && first(cell) != first(ks) && last(cs) != last(ks) && first(cs) != first(k) {
        return false;
    }
    if ks.chars().count() >= 2 && (cs == ks || cell == ks) {
        return true;
    }
    // A label followed by a note in brackets: 规章(设区的市、自治州人民政府应提供相关数据).
    for (c, l) in [(cell, k), (cs, ks)] {
        if l.chars().count() >= 2 {
            if let Some(rest) = c.strip_prefix(l) {
                if rest.starts_with('(') && rest.ends_with(')') {
                    return true;
                }
            }
        }
    }
    // Small typos in long labels: one edit per eight characters. Typos sit
    // inside a label, so its first or last characters agree (a cheap filter
    // before the edit distance).
    // Numbering is never a typo: the digits (Chinese and Arabic) must agree,
    // so 第二十条第（五）项 never passes for 第二十条第（一）项.
    let n = ks.chars().count();
    let ends_agree = cs.chars().take(2).eq(ks.chars().take(2)) || cs.chars().rev().take(2).eq(ks.chars().rev().take(2));
    if n >= 6 && ends_agree && same_digits(cs, ks) {
        let d = levenshtein(cs, ks, n / 8 + 1);
        if d <= n / 8 {
            return true;
        }
    }
    false
}

/// Do both texts contain the same digits, in the same order?
fn same_digits(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(|&c| c.is_ascii_digit() || is_chinese_digit(c)).collect::<Vec<_>>();
    digits(a) == digits(b)
}

/// Edit distance, giving up (returning `limit`) once it exceeds `limit`.
pub fn levenshtein(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        let mut best = cur[0];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
            best = best.min(cur[j + 1]);
        }
        if best > limit {
            return limit;
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The words a report's title has, in order, from the edition
/// (`["政府信息公开工作", "年度报告"]`): the organ and the year stand before
/// the first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TitleWords(pub Vec<String>);

/// Does a line read like a report's title (`…政府信息公开工作年度报告`)?
pub fn looks_like_title(s: &str, words: &TitleWords) -> bool {
    // A title is one line; a preamble that names the report is not one.
    let t: String = s.nfkc().filter(|c| !c.is_whitespace()).collect();
    !words.0.is_empty() && words.0.iter().all(|w| t.contains(w.as_str())) && s.chars().count() <= 80
}

/// Organ and year from a title such as
/// `中宁县恩和镇人民政府 2020 年 政府信息公开工作年度报告` or
/// `2020年宁河镇政府信息公开工作年度报告`.
pub fn parse_title(title: &str, words: &TitleWords) -> Option<(String, Option<u32>)> {
    let t: String = title.nfkc().filter(|c| !c.is_whitespace()).collect();
    let end = t.find(words.0.first()?.as_str())?;
    let head = &t[..end];
    // The first four-digit year followed by 年.
    let chars: Vec<(usize, char)> = head.char_indices().collect();
    let mut year = None;
    let mut organ = head.to_string();
    for w in 0..chars.len().saturating_sub(4) {
        let digits: String = chars[w..w + 4].iter().map(|(_, c)| *c).collect();
        let next = chars.get(w + 4).map(|(_, c)| *c);
        if digits.chars().all(|c| c.is_ascii_digit()) && next == Some('年') {
            year = digits.parse().ok();
            let start = chars[w].0;
            let stop = chars.get(w + 5).map(|(i, _)| *i).unwrap_or(head.len());
            organ = format!("{}{}", &head[..start], &head[stop..]);
            break;
        }
    }
    let organ = organ.trim_matches(|c: char| c == '《' || c == '》' || c == '"').to_string();
    Some((organ, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w() -> TitleWords {
        TitleWords(vec!["政府信息公开工作".into(), "年度报告".into()])
    }

    fn m(cell: &str, official: &str) -> bool {
        label_matches(&key(cell), official, &[])
    }

    /// `key` as it was before the quick check: every non-ASCII string
    /// normalized with NFKC.
    fn key_with_full_nfkc(s: &str) -> String {
        if s.is_ascii() {
            return key(s);
        }
        let mut k = String::new();
        fold(s.nfkc(), &mut k);
        while k.ends_with(':') {
            k.pop();
        }
        k
    }

    proptest::proptest! {
        /// The quick check changes nothing: keys equal those of full NFKC,
        /// on strings mixing ideographs, full-width forms, ideographic
        /// spaces, circled numbers, ellipses and combining marks.
        #[test]
        fn the_nfkc_quick_check_gives_the_same_keys(s in "[一二三（）()、，。：:…①㈠《》〈〉「」『』【】〔〕“”‘’—–·\u{3000}\u{ff01}-\u{ff65}a-zA-Z0-9 \u{301}\u{2460}-\u{24ff}\u{f900}-\u{f90f}自然人公开]{0,24}") {
            proptest::prop_assert_eq!(key(&s), key_with_full_nfkc(&s));
        }
    }

    #[test]
    fn labels_as_found_in_real_files() {
        assert!(m("自 然 人", "自然人"));
        assert!(m("社会公\n益组织", "社会公益组织"));
        assert!(m("(三) 不予 公开", "（三）不予公开"));
        assert!(m("2. 其他法律行政法规 禁止公开", "2.其他法律行政法规禁止公开"));
        assert!(m("本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"));
        assert!(m(
            "(二) 部分公开(区分处理的, 只计这一情形, 不计其他情形)",
            "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
        ));
        assert!(m("6.属于四类过过程性信息", "6.属于四类过程性信息"));
        assert!(m("规章(设区的市、自治州人民政府应提供相关数据)", "规章"));
        assert!(m("第二十条第(一)项", "第二十条第（一）项"));
        assert!(m("本年收费金额(单位:万元)", "本年收费金额（单位：万元）"));
        assert!(m("结 果 维 持", "结果维持"));
        assert!(m("3.危及\u{201c}三安全一稳定\u{201d}", "3.危及“三安全一稳定”"));
    }

    #[test]
    fn different_labels_do_not_match() {
        assert!(!m("第二十条第(五)项", "第二十条第（一）项"), "numbering is never a typo");
        assert!(!m("第二十条第(六)项", "第二十条第（八）项"));
        assert!(!m("4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息"));
        assert!(!m("(六)其他处理", "3.其他"));
        assert!(!m("其他结果", "其他"));
        assert!(!m("结果纠正", "结果维持"));
        assert!(!m("行政处罚", "行政许可"));
        assert!(!m("规范性文件", "规章"));
        assert!(!m("2.重复申请", "3.要求提供公开出版物"));
        assert!(!m("总计", "合计"));
        assert!(!m("", "总计"));
    }

    #[test]
    fn ordinals() {
        assert_eq!(strip_ordinal("一、总体情况"), "总体情况");
        assert_eq!(strip_ordinal("5、存在的主要问题"), "存在的主要问题");
        assert_eq!(strip_ordinal("(七)总计"), "总计");
        assert_eq!(strip_ordinal("1.属于国家秘密"), "属于国家秘密");
        assert!(is_bare_ordinal("一、"));
        assert!(!is_bare_ordinal("一、总体情况"));
    }

    #[test]
    fn titles() {
        assert_eq!(
            parse_title("中宁县恩和镇人民政府 2020 年 政府信息公开工作年度报告", &w()),
            Some(("中宁县恩和镇人民政府".into(), Some(2020)))
        );
        assert_eq!(parse_title("2020年宁河镇政府信息公开工作年度报告", &w()), Some(("宁河镇".into(), Some(2020))));
        assert_eq!(
            parse_title("中宁县民政局 2020 年政府信息公开工作 年度报告", &w()),
            Some(("中宁县民政局".into(), Some(2020)))
        );
        assert_eq!(parse_title("通知", &w()), None);
    }
}
