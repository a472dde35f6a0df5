//! Narrative vs tables (`NARR-MISMATCH`): numbers the text parts state —
//! `共收到政府信息公开申请14件`, `结转下年度…件`, `行政诉讼…件` — compared
//! with the cells (or sums of cells) they describe.
//!
//! What a phrase looks like and which cells it describes is edition data
//! (`[[narrative]]`, see templates/README.md); this module only reads
//! sentences. It prefers silence to a wrong warning: a sentence is left
//! alone when its number is hedged (`约`, `近`, `超过`, `余`, `多`,
//! `以上`, `左右`), a range (`3-5件`, `3至5件`), shared by a list
//! (`行政复议、行政诉讼0件`), compared with another year (`上年`, `同比`,
//! `较…增长` in its clause; a year other than the report's in its
//! sentence), about part of the year or organ (`上半年`, `本级`), a part of a
//! total (`其中` before it), claimed by two entries, or when one sentence
//! states two different numbers for the same entry.

// Indexing is bounded here: positions found by scanning the same slice.
#![allow(clippy::indexing_slicing)]

use super::Finding;
use crate::edition::text::{Elem, Narrative, Phrase};
use crate::edition::{Edition, Severity, Term};
use crate::model::{Number, Report};
use rust_decimal::Decimal;
use serde::Serialize;
use std::cell::OnceCell;
use std::ops::Range;

/// The rule code.
pub const CODE: &str = "NARR-MISMATCH";
/// What the rule says.
pub const TITLE: &str = "正文中的数字应与表格一致";

/// Words right before a number that make it approximate.
const HEDGE_BEFORE: &[&str] = &[
    "约", "近", "逾", "超过", "超", "大约", "将近", "接近", "不足", "不到", "少于", "多于", "至少", "最多", "几", "数",
];
/// Words right after a number and its unit that make it approximate.
const HEDGE_AFTER: &[&str] = &["以上", "以下", "以内", "左右", "上下", "多", "余"];
/// Words that may stand between a phrase and its number and add nothing
/// (`收到政府信息公开申请共计14件`).
const FILLERS: &[&str] = &["共计", "合计", "总计", "累计", "达到", "共", "计", "为", "达"];
/// A character right before a number that makes it the end of a range.
const RANGE: &[char] = &['-', '~', '—', '–', '至', '到', '或'];
/// A character right before a phrase that makes its number shared by a list.
const LIST: &[char] = &['、', '和', '及', '与', '或', '/'];
/// Words that, in the number's clause, make it a comparison or another
/// year's figure (unless they belong to the phrase itself, as in 上年结转).
const COMPARISON: &[&str] = &[
    "同比",
    "环比",
    "较",
    "增长",
    "下降",
    "增加",
    "减少",
    "持平",
    "上升",
    "上年",
    "去年",
    "上一年",
    "前年",
    "往年",
    "同期",
    // Part of the year, or part of the organ, in the same clause.
    "上半年",
    "下半年",
    "季度",
    "本级",
    "分别",
    // Another period than the year: several years, or a month.
    "累计",
    "历年",
    "月份",
];
/// A word before the number in its sentence that makes it a count over
/// several years (`自条例施行以来`), unless it follows 年 (`今年以来`,
/// `2021年以来`: this year so far; other years are caught as years) or 年初.
const SINCE: &str = "以来";
/// Characters right before a qualifier that make it the writer itself
/// (`本办公室`, `我办公室`), not a part of it.
const SELF: &[char] = &['本', '我'];
/// Clause ends for comparisons, qualifiers and context.
const CLAUSE_BREAK: &[char] = &[',', ';', ':', '。', '!', '?', '(', ')'];
/// A word before the number in its sentence that makes it a part of a total
/// stated before (`共收到…14件，其中…5件`).
const SUBSET: &str = "其中";
/// Characters that end a clause (after NFKC: full-width ，；：（） become ASCII).
const CLAUSE_END: &[char] = &[',', ';', ':', '。', '!', '?', '(', ')', '、', '《', '》', '“', '”', '"', '[', ']'];
/// Characters that end a sentence in the text as written.
const SENTENCE_END: &[char] = &['。', '！', '？', '；', '!', '?', ';'];

/// A number the text states about cells, found in one sentence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// Part id (`p1` …).
    pub part: String,
    /// 1-based line of the part text where the sentence starts.
    pub paragraph: usize,
    /// The sentence as written (line breaks removed).
    pub sentence: String,
    /// What the number counts (the entry's `what`).
    pub what: String,
    /// The phrase pattern that matched.
    pub phrase: String,
    /// The number as stated, in the cells' unit.
    pub stated: Number,
    /// The number and unit as written (`27个`).
    pub written: String,
    /// The cells it describes.
    pub cells: Vec<String>,
    /// Their sum; `None` if one is blank.
    pub table: Option<Number>,
    /// One unit in the last place of the number as written, in the cells'
    /// unit (`0.13亿元` → 100 万元; `1340.51万元` → 0.01 万元).
    pub precision: Number,
}

impl Statement {
    /// Does the table agree with the text? A number written with `d`
    /// decimals (`1340.51万元`, `0.13亿元`) agrees with a cell that rounds or
    /// truncates to it: the tolerance is its last place as written.
    pub fn agrees(&self) -> Option<bool> {
        let t = self.table?;
        let diff = (t.0 - self.stated.0).abs();
        Some(diff < self.precision.0)
    }
}

/// A number in a sentence: char range, value, unit and its end.
struct Token {
    start: usize,
    end: usize,
    value: Decimal,
    unit: String,
    unit_end: usize,
    /// One unit in the last place as written (`0.13亿` → 0.01 × 10⁸).
    ulp: Decimal,
}

/// Every number the text parts state about cells, agreeing or not.
pub fn statements(report: &Report, ed: &Edition) -> Vec<Statement> {
    let mut out = Vec::new();
    if ed.narrative.is_empty() {
        return out;
    }
    for (part_id, part) in &report.parts {
        for (paragraph, sentence, range) in sentences(&part.text) {
            // Phrase words are CJK, which normalization leaves alone: a
            // sentence without any of them is skipped before normalizing.
            let plain = Plain::new(sentence);
            if !ed.narrative.iter().any(|n| n.phrases.iter().any(|p| plain.contains(&p.key))) {
                continue;
            }
            let squeezed = crate::number::squeeze(sentence);
            if !squeezed.chars().any(|c| c.is_ascii_digit() || crate::number::is_chinese_numeral(c)) {
                continue;
            }
            let t: Vec<char> = squeezed.chars().collect();
            let reversed: Vec<char> = t.iter().rev().copied().collect();
            let mut around: Option<String> = None;
            let quoted: String = sentence.lines().map(str::trim).collect();
            // (entry, token start, value, written, phrase, unit, ulp)
            let mut found: Vec<(usize, usize, Decimal, String, &Phrase, String, Decimal)> = Vec::new();
            for (ni, n) in ed.narrative.iter().enumerate() {
                if !n.context.is_empty() && !n.context.iter().any(|c| squeezed.contains(c.as_str())) {
                    // No context word anywhere: none in any clause either.
                    continue;
                }
                let phrases: Vec<&Phrase> = n.phrases.iter().filter(|p| squeezed.contains(p.key.as_str())).collect();
                if phrases.is_empty() {
                    continue;
                }
                let toks = tokens(&t, &n.units);
                if toks.is_empty() {
                    continue;
                }
                if !n.unless.is_empty() {
                    let around = around.get_or_insert_with(|| crate::number::squeeze(lines(&part.text, &range)));
                    if n.unless.iter().any(|u| around.contains(u.as_str())) {
                        continue;
                    }
                }
                for tok in toks {
                    for p in phrases.iter().copied() {
                        let Some((ms, me)) = match_phrase(&t, &reversed, p, &tok, n.gap) else { continue };
                        if !ambiguous(&t, &tok, ms, me, report.year)
                            && !qualified(&t, &n.qualifiers, &tok, me)
                            && (!n.context_in_clause || context_in_clause(&t, n, &tok))
                        {
                            let written: String = t[tok.start..tok.unit_end].iter().collect();
                            if !found.iter().any(|f| f.0 == ni && f.1 == tok.start) {
                                found.push((ni, tok.start, tok.value, written, p, tok.unit.clone(), tok.ulp));
                            }
                        }
                        break;
                    }
                }
            }
            // A number claimed by two entries says nothing for sure.
            let claimed = |start: usize| found.iter().filter(|f| f.1 == start).count();
            let mut here = Vec::new();
            for (ni, n) in ed.narrative.iter().enumerate() {
                let mine: Vec<_> = found.iter().filter(|f| f.0 == ni && claimed(f.1) == 1).collect();
                let Some(first) = mine.first() else { continue };
                if mine.iter().any(|f| f.2 != first.2) {
                    continue;
                }
                let (stated, precision, mut cells, mut table) =
                    value_and_cells(report, ed, &n.cells, first.2, first.6, &first.5);
                // The sentence says the number is another sum (含上年结转): the
                // one it agrees with.
                let differs = |t: Option<Number>| t.is_some_and(|t| (t.0 - stated.0).abs() >= precision.0);
                if differs(table) {
                    for (alt, when) in &n.alternatives {
                        if !when.is_empty() && !when.iter().any(|w| squeezed.contains(w.as_str())) {
                            continue;
                        }
                        let (_, _, c, t) = value_and_cells(report, ed, alt, first.2, first.6, &first.5);
                        if t.is_some() && !differs(t) {
                            (cells, table) = (c, t);
                            break;
                        }
                    }
                }
                here.push((
                    first.1,
                    Statement {
                        part: part_id.clone(),
                        paragraph,
                        sentence: quoted.clone(),
                        what: n.what.clone(),
                        phrase: first.4.text.clone(),
                        stated,
                        written: first.3.clone(),
                        cells,
                        table,
                        precision,
                    },
                ));
            }
            // In the order the sentence states them.
            here.sort_by_key(|h| h.0);
            out.extend(here.into_iter().map(|h| h.1));
        }
    }
    out
}

/// The stated number and its last place in the cells' unit, the cell ids,
/// and their sum.
fn value_and_cells(
    report: &Report,
    ed: &Edition,
    terms: &[Term],
    value: Decimal,
    ulp: Decimal,
    unit_written: &str,
) -> (Number, Number, Vec<String>, Option<Number>) {
    let ids: Vec<&str> = terms
        .iter()
        .filter_map(|t| match t {
            Term::Cell { id, .. } => Some(id.as_str()),
            Term::Const(_) => None,
        })
        .collect();
    let unit = ids.first().and_then(|id| ed.cell(id)).and_then(|c| c.unit.as_deref());
    let factor = match unit {
        Some(u) => ed.suffixes(Some(u)).iter().find(|(w, _)| w == unit_written).map_or(Decimal::ONE, |(_, f)| *f),
        None => Decimal::ONE,
    };
    let stated = Number(value.checked_mul(factor).unwrap_or(value).normalize());
    let precision = Number(ulp.checked_mul(factor).unwrap_or(ulp));
    let mut sum = Some(Number::ZERO);
    for t in terms {
        let v = match t {
            Term::Cell { id, negative, .. } => report.value(id).map(|v| if *negative { -v } else { v }),
            Term::Const(c) => Some(*c),
        };
        sum = match (sum, v) {
            (Some(s), Some(v)) => s.checked_add(v),
            _ => None,
        };
    }
    (stated, precision, ids.iter().map(|s| s.to_string()).collect(), sum)
}

/// The sentences of a part: the 1-based line each starts on, the sentence,
/// and where it stands in the text (for [`lines`]).
fn sentences(text: &str) -> Vec<(usize, &str, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 1;
    let mut start_line = 1;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
            if text[start..i].trim().is_empty() {
                start = i + 1;
                start_line = line;
            }
        }
        if SENTENCE_END.contains(&c) {
            let end = i + c.len_utf8();
            if !text[start..end].trim().is_empty() {
                out.push((start_line, text[start..end].trim(), start..end));
            }
            start = end;
            start_line = line;
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((start_line, text[start..].trim(), start..text.len()));
    }
    out
}

/// The whole lines a sentence of `text` stands on (its paragraph as stored).
fn lines<'a>(text: &'a str, sentence: &Range<usize>) -> &'a str {
    let from = text[..sentence.start].rfind('\n').map_or(0, |i| i + 1);
    let to = text[sentence.end..].find('\n').map_or(text.len(), |i| sentence.end + i);
    &text[from..to]
}

/// A sentence as phrase keys are first looked for in it: white space
/// removed, not normalized. Which characters it holds is kept as a Bloom
/// filter of 256 bits, so that most keys are ruled out without a search.
struct Plain<'a> {
    sentence: &'a str,
    chars: [u64; 4],
    /// The sentence without white space, made when first needed; `None`
    /// when it has none.
    text: Option<OnceCell<String>>,
}

impl<'a> Plain<'a> {
    fn new(sentence: &'a str) -> Plain<'a> {
        let mut chars = [0; 4];
        let mut spaces = false;
        for c in sentence.chars() {
            if c.is_whitespace() {
                spaces = true;
            } else {
                let (i, bit) = Self::bit(c);
                chars[i] |= bit;
            }
        }
        Plain { sentence, chars, text: spaces.then(OnceCell::new) }
    }

    /// The word of the filter that stands for `c`, and its bit there.
    fn bit(c: char) -> (usize, u64) {
        let h = u32::from(c).wrapping_mul(0x9e37_79b1) >> 24;
        ((h >> 6) as usize, 1 << (h & 63))
    }

    fn contains(&self, word: &str) -> bool {
        word.chars().all(|c| {
            let (i, bit) = Self::bit(c);
            self.chars[i] & bit != 0
        }) && match &self.text {
            None => self.sentence.contains(word),
            Some(text) => text.get_or_init(|| self.sentence.split(char::is_whitespace).collect()).contains(word),
        }
    }
}

fn starts_with_at(t: &[char], at: usize, word: &[char]) -> bool {
    t.get(at..at + word.len()).is_some_and(|x| x == word)
}

/// Does `word` stand in `t` at `at`? ([`starts_with_at`] for a `str`.)
fn word_at(t: &[char], at: usize, word: &str) -> bool {
    let mut k = at;
    word.chars().all(|c| {
        k += 1;
        t.get(k - 1) == Some(&c)
    })
}

/// Does `word` end in `t` right before `at`?
fn word_before(t: &[char], at: usize, word: &str) -> bool {
    let mut k = at;
    word.chars().rev().all(|c| {
        if k == 0 {
            return false;
        }
        k -= 1;
        t[k] == c
    })
}

/// The unit (longest first) right after position `at`.
fn unit_at(t: &[char], at: usize, units: &[String]) -> Option<(String, usize)> {
    units.iter().find_map(|u| {
        let len = u.chars().count();
        t.get(at..at + len).is_some_and(|w| w.iter().copied().eq(u.chars())).then(|| (u.clone(), at + len))
    })
}

/// Every number of the sentence that a unit of the entry follows.
fn tokens(t: &[char], units: &[String]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        if c.is_ascii_digit() {
            let start = i;
            let mut j = i;
            while j < t.len()
                && (t[j].is_ascii_digit()
                    || ((t[j] == ',' || t[j] == '.') && t.get(j + 1).is_some_and(char::is_ascii_digit)))
            {
                j += 1;
            }
            let digits: String = t[start..j].iter().filter(|c| **c != ',').collect();
            if let Ok(v) = Decimal::from_str_exact(&digits) {
                if let Some((unit, unit_end)) = unit_at(t, j, units) {
                    let ulp = Decimal::new(1, v.scale());
                    out.push(Token { start, end: j, value: v, unit, unit_end, ulp });
                } else if let Some(m) = t.get(j).and_then(|c| multiplier(*c)) {
                    if let Some((unit, unit_end)) = unit_at(t, j + 1, units) {
                        if let (Some(value), Some(ulp)) = (v.checked_mul(m), Decimal::new(1, v.scale()).checked_mul(m))
                        {
                            out.push(Token { start, end: j + 1, value, unit, unit_end, ulp });
                        }
                    }
                }
            }
            i = j.max(i + 1);
        } else if crate::number::is_chinese_numeral(c) {
            let start = i;
            let mut j = i;
            while j < t.len() && crate::number::is_chinese_numeral(t[j]) {
                j += 1;
            }
            // A unit may begin with 万 (万元): try the run without it too.
            for end in [j, j - 1] {
                if end <= start {
                    continue;
                }
                let run: String = t[start..end].iter().collect();
                if let (Some(v), Some((unit, unit_end))) =
                    (crate::number::parse_chinese_numeral(&run), unit_at(t, end, units))
                {
                    out.push(Token { start, end, value: Decimal::from(v), unit, unit_end, ulp: Decimal::ONE });
                    break;
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

fn multiplier(c: char) -> Option<Decimal> {
    match c {
        '万' => Some(Decimal::from(10_000)),
        '亿' => Some(Decimal::from(100_000_000)),
        _ => None,
    }
}

/// May a gap span this character?
fn gap_char(c: char) -> bool {
    !c.is_ascii_digit() && !CLAUSE_END.contains(&c) && !LIST.contains(&c)
}

/// Match the phrase around the token: the span of the match, or `None`.
/// The words before the number are matched forwards in the reversed sentence.
fn match_phrase(t: &[char], reversed: &[char], p: &Phrase, tok: &Token, gap: usize) -> Option<(usize, usize)> {
    let from = t.len() - tok.start;
    let back = match_forward(reversed, &p.before, from, gap).or_else(|| {
        // A filler word between the words and the number, when words come
        // right before it.
        if !matches!(p.before.first(), Some(Elem::Lit(_))) {
            return None;
        }
        FILLERS.iter().find_map(|f| {
            word_before(t, tok.start, f)
                .then(|| match_forward(reversed, &p.before, from + f.chars().count(), gap))
                .flatten()
        })
    })?;
    let end = match_forward(t, &p.after, tok.unit_end, gap)?;
    Some((t.len() - back, end))
}

/// Match `elems` (words and gaps) from `pos` on; the end of the match.
fn match_forward(t: &[char], elems: &[Elem], mut pos: usize, gap: usize) -> Option<usize> {
    let mut open = false;
    for e in elems {
        match e {
            Elem::Gap => open = true,
            Elem::Num => return None,
            Elem::Lit(l) => {
                let mut k = pos;
                while !starts_with_at(t, k, l) {
                    if !open || k >= t.len() || k - pos >= gap || !gap_char(t[k]) {
                        return None;
                    }
                    k += 1;
                }
                pos = k + l.len();
                open = false;
            }
        }
    }
    Some(pos)
}

/// Is the number at `tok`, matched over `ms..me`, too uncertain to compare?
fn ambiguous(t: &[char], tok: &Token, ms: usize, me: usize, year: Option<u32>) -> bool {
    if HEDGE_BEFORE.iter().any(|h| word_before(t, tok.start, h)) {
        return true;
    }
    if HEDGE_AFTER.iter().any(|h| word_at(t, tok.unit_end, h)) {
        return true;
    }
    if tok.start > 0 && RANGE.contains(&t[tok.start - 1]) {
        return true;
    }
    if matches!(t.get(tok.unit_end), Some('%' | '‰')) || matches!(t.get(tok.end), Some('%')) {
        return true;
    }
    if ms > 0 && LIST.contains(&t[ms - 1]) {
        return true;
    }
    // The clause around the number, for comparisons.
    let (cs, ce) = clause(t, tok.start, tok.unit_end);
    if several_years_or_a_month(&t[cs..ce]) {
        return true;
    }
    for w in COMPARISON {
        let len = w.chars().count();
        let mut k = cs;
        while k + len <= ce {
            if word_at(t, k, w) && !(k >= ms && k + len <= me) {
                return true;
            }
            k += 1;
        }
    }
    // A part of a total stated before it.
    if (0..tok.start).any(|k| word_at(&t[..tok.start], k, SUBSET)) {
        return true;
    }
    // A count since some event (`自条例施行以来`), not since the year began.
    if (0..tok.start)
        .any(|k| word_at(&t[..tok.start], k, SINCE) && !(k > 0 && t[k - 1] == '年') && !word_before(t, k, "年初"))
    {
        return true;
    }
    // A year other than the report's anywhere in the sentence.
    years(t).into_iter().any(|y| Some(y) != year)
}

/// The clause (`,` `;` `。` … apart) around `start..end`.
fn clause(t: &[char], start: usize, end: usize) -> (usize, usize) {
    let mut cs = start;
    while cs > 0 && !CLAUSE_BREAK.contains(&t[cs - 1]) {
        cs -= 1;
    }
    let mut ce = end;
    while ce < t.len() && !CLAUSE_BREAK.contains(&t[ce]) {
        ce += 1;
    }
    (cs, ce)
}

/// Does a clause speak of several years (`近三年`, `近5年`) or of one month
/// (`12月收到`; a date such as `12月31日` is not a month)?
fn several_years_or_a_month(c: &[char]) -> bool {
    let numeral = |x: char| x.is_ascii_digit() || crate::number::is_chinese_numeral(x);
    (0..c.len()).any(|k| {
        let recent = c[k] == '近' && {
            let digits = c[k + 1..].iter().take_while(|x| numeral(**x)).count();
            digits > 0 && c.get(k + 1 + digits) == Some(&'年')
        };
        let month = c[k] == '月'
            && k > 0
            && numeral(c[k - 1])
            && !c.get(k + 1).is_some_and(|x| numeral(*x))
            && !c.get(k + 1).is_some_and(|x| *x == '-' || *x == '至');
        recent || month
    })
}

/// Is the number a part of the total by one of the entry's qualifiers in its
/// clause, up to the end of the match (`通过政府网站收到…`, `书面…申请3件`,
/// `按时答复12件`)?
fn qualified(t: &[char], qualifiers: &[String], tok: &Token, me: usize) -> bool {
    let (cs, _) = clause(t, tok.start, tok.unit_end);
    let end = me.max(tok.unit_end);
    qualifiers.iter().any(|q| {
        let len = q.chars().count();
        (cs..end).any(|k| k + len <= end && word_at(t, k, q) && !(k > 0 && SELF.contains(&t[k - 1])))
    })
}

/// Does a context word of the entry stand in the number's clause, or in an
/// earlier clause of the sentence that states a count of the entry's units
/// itself (`因政府信息公开被申请行政复议1件，被提起行政诉讼4件`)? A
/// clause that only names the subject (`为推进政府信息公开工作，`) does not
/// carry it.
fn context_in_clause(t: &[char], n: &Narrative, tok: &Token) -> bool {
    let has_context = |a: usize, b: usize| {
        n.context.iter().any(|c| {
            let len = c.chars().count();
            (a..b).any(|k| k + len <= b && word_at(t, k, c))
        })
    };
    let (cs, ce) = clause(t, tok.start, tok.unit_end);
    if has_context(cs, ce) {
        return true;
    }
    let counts = tokens(t, &n.units);
    let mut end = cs;
    while end > 0 {
        let (a, _) = clause(t, end - 1, end - 1);
        if has_context(a, end - 1) && counts.iter().any(|k| k.start >= a && k.unit_end < end) {
            return true;
        }
        end = a;
    }
    false
}

/// Four-digit years followed by 年 (`2020年`, `2020年度`, `二〇二〇年`).
fn years(t: &[char]) -> Vec<u32> {
    let mut out = Vec::new();
    for i in 0..t.len().saturating_sub(4) {
        let w = &t[i..i + 4];
        if t[i + 4] != '年' {
            continue;
        }
        let arabic = w.iter().all(char::is_ascii_digit) && (i == 0 || !t[i - 1].is_ascii_digit());
        let chinese = w.iter().all(|c| crate::number::chinese_digit(*c).is_some())
            && (i == 0 || crate::number::chinese_digit(t[i - 1]).is_none());
        let digits: Option<String> = if arabic {
            Some(w.iter().collect())
        } else if chinese {
            w.iter().map(|c| crate::number::chinese_digit(*c).and_then(|d| char::from_digit(d as u32, 10))).collect()
        } else {
            None
        };
        if let Some(y) = digits.filter(|d| d.starts_with(['1', '2'])).and_then(|d| d.parse().ok()) {
            out.push(y);
        }
    }
    out
}

/// Findings: statements whose table differs.
pub(super) fn check(report: &Report, ed: &Edition, out: &mut Vec<Finding>) {
    for s in statements(report, ed) {
        if s.agrees() != Some(false) {
            continue;
        }
        let Some(table) = s.table else { continue };
        let part =
            ed.part(&s.part).map_or_else(|| s.part.clone(), |p| format!("第{}部分“{}”", p.number, p.full_heading()));
        let locations: Vec<String> =
            s.cells.iter().map(|id| ed.cell(id).map_or_else(|| id.clone(), |c| c.location.clone())).collect();
        let cells_text = if s.cells.len() == 1 {
            format!("{} 为 {table}", locations.join(""))
        } else {
            let parts: Vec<String> = s
                .cells
                .iter()
                .zip(&locations)
                .map(|(id, l)| format!("{l} {}", report.value(id).map_or_else(|| "空白".into(), |v| v.to_string())))
                .collect();
            format!("{} 之和为 {table}", parts.join(" + "))
        };
        let diff = s.stated.checked_sub(table);
        let message = format!(
            "{part}第{}段：“{}”中{}写作 {}，表格中{}，请核对正文和表格",
            s.paragraph, s.sentence, s.what, s.written, cells_text
        );
        let mut f = Finding::new(CODE, Severity::Warning, TITLE, message);
        if let Some(first) = s.cells.first() {
            f = f.at_cell(report, ed, first);
        }
        for id in s.cells.iter().skip(1) {
            f.cells.push(id.clone());
        }
        f.formula = Some(format!("正文 {} ≠ 表格 {table}", s.stated));
        f.difference = diff;
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<String> {
        vec!["万元".into(), "件".into(), "个".into(), "元".into()]
    }

    fn chars(s: &str) -> Vec<char> {
        crate::number::squeeze(s).chars().collect()
    }

    #[test]
    fn tokens_read_arabic_chinese_and_units() {
        let t = chars("共收到申请十四件，办结一百零二件，收费1,340.51万元，另有3万件和二万元。");
        let toks = tokens(&t, &units());
        let vals: Vec<String> = toks.iter().map(|k| format!("{}{}", k.value, k.unit)).collect();
        assert_eq!(vals, ["14件", "102件", "1340.51万元", "30000件", "20000元"]);
    }

    #[test]
    fn sentences_and_lines() {
        let text = "第一句有14件。第二句\n跨行；\n\n第三段";
        let s: Vec<_> = sentences(text).into_iter().map(|(n, s, r)| (n, s, lines(text, &r))).collect();
        assert_eq!(
            s,
            vec![
                (1, "第一句有14件。", "第一句有14件。第二句"),
                (1, "第二句\n跨行；", "第一句有14件。第二句\n跨行；"),
                (4, "第三段", "第三段")
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_finds_what_a_search_without_white_space_finds(
            sentence in "[收到申请件共计一二三 \n\u{3000}\u{a0}，。0-9]{0,30}",
            word in "[收到申请件共计一二三，0-9]{1,4}",
        ) {
            let without: String = sentence.chars().filter(|c| !c.is_whitespace()).collect();
            proptest::prop_assert_eq!(Plain::new(&sentence).contains(&word), without.contains(&word));
        }
    }

    #[test]
    fn plain_ignores_white_space() {
        let p = Plain::new("共收到 政府信息\n公开申请14件");
        assert!(p.contains("政府信息公开申请"));
        assert!(p.contains("收到政府"));
        assert!(!p.contains("办结"));
        assert!(Plain::new("共收到申请").contains("收到"));
    }

    #[test]
    fn years_found() {
        assert_eq!(years(&chars("2020 年收到，2021年度办结，12020年")), vec![2020, 2021]);
        assert_eq!(years(&chars("二〇二〇年，二零二一年度，十四年")), vec![2020, 2021]);
    }
}
