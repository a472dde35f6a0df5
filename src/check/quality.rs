//! Part-quality rules declared in the edition (`[[quality]]`): a part that
//! says nothing but `无`, fees in the tables that part 六 does not mention,
//! a preamble whose year or organ is not the report's.

// Indexing is bounded here: positions found by scanning the same slice.
#![allow(clippy::indexing_slicing)]

use super::Finding;
use crate::edition::text::{Captured, Piece, QualityCheck, QualityRule, Template};
use crate::edition::{Edition, Term};
use crate::model::{Number, Report};

/// The longest organ name a `{organ}` hole captures, in characters.
const ORGAN_MAX: usize = 40;
/// Characters an organ name never contains.
const NOT_IN_ORGAN: &[char] =
    &[',', ';', ':', '。', '!', '?', '(', ')', '、', '《', '》', '“', '”', '"', '[', ']', '<', '>'];
/// Characters that end a clause (after NFKC).
const CLAUSE_BREAK: &[char] = &[',', ';', ':', '。', '!', '?'];
/// Words that stand for the writer, not a name (`请与本机关联系`).
const SELF_WORDS: &[char] = &['本', '我', '该', '贵', '各'];
/// Endings that name an organ's government rather than the organ's place.
const GOVERNMENT_ENDINGS: &[&str] = &["人民政府", "政府"];
/// Characters that end an administrative division's name.
const DIVISION_ENDINGS: &[char] = &['省', '市', '县', '区', '州', '盟', '旗'];
/// Characters that end a town's name.
const TOWN_ENDINGS: &[char] = &['乡', '镇'];

/// Run the edition's quality rules (`previous`: last year's report, for
/// the rules that need it).
pub(super) fn check(report: &Report, ed: &Edition, previous: Option<&Report>, out: &mut Vec<Finding>) {
    for q in &ed.quality {
        if let Some(message) = evaluate(q, report, ed, previous) {
            let mut f = Finding::new(&q.code, q.severity, &q.title, message);
            if let Some(p) = ed.part(&q.part) {
                f.row = Some(p.full_heading());
            }
            if let QualityCheck::Mentions { cells, .. } = &q.check {
                if let Some(id) = first_positive(report, cells) {
                    f = f.at_cell(report, ed, id);
                }
            }
            out.push(f);
        }
    }
}

/// The text a rule reads, and how it is named in messages.
fn text_of<'a>(q: &QualityRule, report: &'a Report, ed: &Edition) -> Option<(&'a str, String)> {
    if q.part == "preamble" {
        return Some((report.preamble.as_str(), "开头部分".to_string()));
    }
    let def = ed.part(&q.part)?;
    let part = report.parts.get(&q.part)?;
    Some((part.text.as_str(), format!("第{}部分“{}”", def.number, def.full_heading())))
}

fn first_positive<'a>(report: &Report, cells: &'a [Term]) -> Option<&'a str> {
    cells.iter().find_map(|t| match t {
        Term::Cell { id, .. } if report.value(id).is_some_and(|v| v > Number::ZERO) => Some(id.as_str()),
        _ => None,
    })
}

/// Text without white space and punctuation: what `only` and `shorter_than` count.
fn bare(text: &str) -> String {
    crate::number::squeeze(text)
        .chars()
        .filter(|c| !c.is_ascii_punctuation() && !matches!(c, '。' | '，' | '；' | '：' | '！' | '？' | '、'))
        .collect()
}

/// Is the bare text one of the words?
fn only_words(words: &[String], t: &str) -> bool {
    words.iter().any(|w| w.trim_end_matches(['。', '.']) == t)
}

fn evaluate(q: &QualityRule, report: &Report, ed: &Edition, previous: Option<&Report>) -> Option<String> {
    let (text, name) = text_of(q, report, ed)?;
    match &q.check {
        QualityCheck::OnlyWords(words) => {
            let t = bare(text);
            let nonempty_rule = ed.part(&q.part).is_some_and(|p| p.nonempty);
            let hit = only_words(words, &t) || (t.is_empty() && !nonempty_rule);
            hit.then(|| {
                let shown = text.trim().trim_end_matches(['。', '.']);
                let guidance = ed.part(&q.part).map(|p| p.guidance.as_str()).unwrap_or_default();
                if shown.is_empty() {
                    format!("{name}没有内容。{guidance}")
                } else {
                    format!("{name}只写了“{shown}”。{guidance}")
                }
            })
        }
        QualityCheck::Short(min) => {
            let t = bare(text);
            let n = t.chars().count();
            // Empty is PART-EMPTY's; only “无” is the `only` rule's.
            let only = ed.quality.iter().any(|o| match &o.check {
                QualityCheck::OnlyWords(w) => o.part == q.part && only_words(w, &t),
                _ => false,
            });
            (n > 0 && n < *min && !only).then(|| {
                let guidance = ed.part(&q.part).map(|p| p.guidance.as_str()).unwrap_or_default();
                format!("{name}只有“{}”（{n} 个字），没有具体内容。{guidance}", text.trim())
            })
        }
        QualityCheck::PreviousMentions(words) => {
            let last = previous?.parts.get(&q.part).map(|p| bare(&p.text)).unwrap_or_default();
            let t = crate::number::squeeze(text);
            let this = bare(text);
            // “无” either year is the `only` rule's.
            let only_none = ed.quality.iter().any(|o| match &o.check {
                QualityCheck::OnlyWords(w) => o.part == q.part && (only_words(w, &last) || only_words(w, &this)),
                _ => false,
            });
            if last.is_empty() || only_none || t.is_empty() || words.iter().any(|w| t.contains(w.as_str())) {
                return None;
            }
            Some(format!(
                "{name}没有提到{}，而上年报告的该部分列有问题：应报告上年度所提问题的整改情况",
                words.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join("或")
            ))
        }
        QualityCheck::Mentions { cells, words } => {
            let id = first_positive(report, cells)?;
            let t = crate::number::squeeze(text);
            if words.iter().any(|w| t.contains(w.as_str())) {
                return None;
            }
            let cell = ed.cell(id).map_or_else(|| id.to_string(), |c| c.location.clone());
            let v = report.value(id)?;
            let unit = ed.cell(id).and_then(|c| c.unit.clone()).unwrap_or_default();
            Some(format!(
                "{cell}为 {v}{unit}，但{name}没有提到收费情况（{}等字样都没有出现）",
                words.iter().map(|w| format!("“{w}”")).collect::<String>()
            ))
        }
        QualityCheck::States { templates, compare, citing } => {
            let t: Vec<char> = crate::number::squeeze(text).chars().collect();
            // The years stated, in order: the preamble may name its own year
            // and another (`…2019年的数据见上年报告`); only a preamble that
            // never states the report's year is suspect.
            let mut other_year: Option<(u32, String)> = None;
            for tpl in templates {
                for (year, organ, quote, start, end) in captures(&t, tpl) {
                    if cites(&t, start, end, citing) {
                        continue;
                    }
                    match compare {
                        Captured::Year => {
                            let (Some(y), Some(ry)) = (year, report.year) else { continue };
                            if y == ry {
                                return None;
                            }
                            other_year.get_or_insert((y, quote));
                        }
                        Captured::Organ => {
                            let Some(o) = organ else { continue };
                            let ro = crate::number::squeeze(&report.organ);
                            if ro.is_empty() || o.starts_with(SELF_WORDS) || !names_a_place(&o) {
                                continue;
                            }
                            if !same_organ(&ro, &o) {
                                return Some(format!(
                                    "{name}写的是“{o}”（“{quote}”），报告的机关是“{}”，请核实是否沿用了其他机关的报告",
                                    report.organ.trim()
                                ));
                            }
                        }
                    }
                }
            }
            let (y, quote) = other_year?;
            let ry = report.year?;
            Some(format!("{name}写的是{y}年（“{quote}”），报告年度是{ry}年，请核实是否沿用了其他年度的报告"))
        }
    }
}

/// Does the clause of `start..end` hold a word that makes the wording a
/// citation of another report?
fn cites(t: &[char], start: usize, end: usize, citing: &[String]) -> bool {
    if citing.is_empty() {
        return false;
    }
    let stop = |c: &char| CLAUSE_BREAK.contains(c);
    let cs = t[..start].iter().rposition(stop).map_or(0, |i| i + 1);
    let ce = t[end..].iter().position(stop).map_or(t.len(), |i| end + i);
    let clause: String = t[cs..ce].iter().collect();
    citing.iter().any(|w| clause.contains(w.as_str()))
}

/// Does a name carry a place name (`海原县人民政府办公室`), rather than
/// being generic (`县政府办公室`, `政务公开办公室`)? A division or town
/// ending after at least two characters.
fn names_a_place(name: &str) -> bool {
    name.chars().skip(2).any(|c| DIVISION_ENDINGS.contains(&c) || TOWN_ENDINGS.contains(&c))
}

/// Does a name found in the text stand for the report's organ? Either
/// contains the other, or the text names the organ's own place (`恩和镇`
/// for `中宁县恩和镇人民政府`).
fn same_organ(organ: &str, found: &str) -> bool {
    if organ.contains(found) || found.contains(organ) {
        return true;
    }
    let mut core = organ;
    for e in GOVERNMENT_ENDINGS {
        if let Some(c) = core.strip_suffix(e) {
            core = c;
            break;
        }
    }
    // The last division of the place: 中宁县恩和镇 → 恩和镇.
    let chars: Vec<char> = core.chars().collect();
    let cut =
        chars[..chars.len().saturating_sub(1)].iter().rposition(|c| DIVISION_ENDINGS.contains(c)).map_or(0, |i| i + 1);
    let last: String = chars[cut..].iter().collect();
    last.chars().count() >= 2 && found.contains(&last)
}

/// A place a template matches: (year, organ, the matched text, its start
/// and end).
type Capture = (Option<u32>, Option<String>, String, usize, usize);

/// Every place the template matches.
fn captures(t: &[char], tpl: &Template) -> Vec<Capture> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < t.len() {
        let mut caps = (None, None);
        if let Some(end) = match_at(t, start, &tpl.pieces, &mut caps) {
            out.push((caps.0, caps.1, t[start..end].iter().collect(), start, end));
            start = end;
        } else {
            start += 1;
        }
    }
    out
}

/// Match `pieces` at `pos`; the end of the match.
fn match_at(t: &[char], pos: usize, pieces: &[Piece], caps: &mut (Option<u32>, Option<String>)) -> Option<usize> {
    let Some((first, rest)) = pieces.split_first() else { return Some(pos) };
    match first {
        Piece::Lit(l) => {
            // The first character alone rules out most places.
            if t.get(pos..pos + l.len()).is_some_and(|x| x.first() == l.first() && x == l.as_slice()) {
                match_at(t, pos + l.len(), rest, caps)
            } else {
                None
            }
        }
        Piece::Hole(Captured::Year) => {
            let w = t.get(pos..pos + 4)?;
            let before_ok = pos == 0 || !t[pos - 1].is_ascii_digit();
            if !before_ok || !w.iter().all(char::is_ascii_digit) || t.get(pos + 4).is_some_and(char::is_ascii_digit) {
                return None;
            }
            let y: u32 = w.iter().collect::<String>().parse().ok()?;
            let end = match_at(t, pos + 4, rest, caps)?;
            caps.0 = Some(y);
            Some(end)
        }
        Piece::Hole(Captured::Organ) => {
            // The shortest name after which the rest matches.
            for len in 2..=ORGAN_MAX {
                let Some(name) = t.get(pos..pos + len) else { break };
                if name.iter().any(|c| NOT_IN_ORGAN.contains(c)) {
                    break;
                }
                // A year never belongs to the name.
                if name.last().is_some_and(char::is_ascii_digit)
                    && matches!(rest.first(), Some(Piece::Hole(Captured::Year)))
                {
                    break;
                }
                if let Some(end) = match_at(t, pos + len, rest, caps) {
                    caps.1 = Some(name.iter().collect());
                    return Some(end);
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organ_names_compare_by_place() {
        assert!(same_organ("中宁县恩和镇人民政府", "恩和镇人民政府办公室"));
        assert!(same_organ("同心县", "同心县人民政府政务公开办公室"));
        assert!(same_organ("洪泽区人民政府", "淮安市洪泽区人民政府办公室"));
        assert!(same_organ("中宁县民政局", "中宁县民政局综合办公室"));
        assert!(!same_organ("同心县", "海原县人民政府办公室"));
        assert!(!same_organ("中宁县民政局", "中宁县教育局办公室"));
    }

    #[test]
    fn generic_names_name_no_place() {
        assert!(names_a_place("海原县人民政府办公室"));
        assert!(names_a_place("恩和镇人民政府办公室"));
        assert!(!names_a_place("县政府办公室"));
        assert!(!names_a_place("市民政局办公室"));
        assert!(!names_a_place("政务公开办公室"));
    }
}
