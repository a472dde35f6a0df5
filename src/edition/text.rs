//! Edition data about the report's words, compiled: the numbers the text
//! parts state and the cells they describe (`[[narrative]]`), and the
//! part-quality rules (`[[quality]]`). The checker's `narrative` and
//! `quality` modules evaluate them.

use super::raw::{RawNarrative, RawQuality};
use super::{Edition, Severity, Term};

/// Characters a gap `…` may span when an entry sets none.
pub const DEFAULT_GAP: usize = 10;

/// One element of a narrative phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Elem {
    /// Words that must be there, white space removed.
    Lit(Vec<char>),
    /// A few characters of the same clause (no digits, no punctuation).
    Gap,
    /// The number with its unit.
    Num,
}

/// A phrase pattern as written in the edition (`收到…信息公开申请{n}`).
#[derive(Debug, Clone)]
pub struct Phrase {
    pub text: String,
    pub elems: Vec<Elem>,
    /// The elements before the number, last first, each word reversed: they
    /// are matched forwards in the reversed sentence.
    pub before: Vec<Elem>,
    /// The elements after the number and its unit.
    pub after: Vec<Elem>,
    /// Its longest word: a sentence without it cannot match.
    pub key: String,
}

/// A number the text may state, and the cells (summed) it describes.
#[derive(Debug, Clone)]
pub struct Narrative {
    /// What the number counts, for messages (`本年新收政府信息公开申请`).
    pub what: String,
    /// The cells whose sum the number must equal.
    pub cells: Vec<Term>,
    /// Units that may follow the number (`件`, `万元`), longest first.
    pub units: Vec<String>,
    pub phrases: Vec<Phrase>,
    /// The sentence must contain one of these words (none: no condition).
    pub context: Vec<String>,
    /// Where the `context` words must stand: the whole sentence, or (when
    /// `true`) the number's clause or an earlier clause of its sentence that
    /// states a count itself.
    pub context_in_clause: bool,
    /// Words that, in the number's clause up to the end of the match, make
    /// the number a part of the total (`书面`, `通过…网站`, `按时`); one right
    /// after 本 or 我 (`本办公室`) does not count.
    pub qualifiers: Vec<String>,
    /// The paragraph must contain none of these words.
    pub unless: Vec<String>,
    /// Characters a gap may span.
    pub gap: usize,
    /// Other sums the number may state when its sentence says so
    /// (`共收到…16件（含上年结转2件）` is 一 + 二): each with its cells and
    /// the words (`含上年结转`) of which the sentence must contain one.
    pub alternatives: Vec<(Vec<Term>, Vec<String>)>,
}

/// What a placeholder of a [`Template`] captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captured {
    Year,
    Organ,
}

/// One element of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(Vec<char>),
    Hole(Captured),
}

/// A wording with `{year}` and `{organ}` holes (`请与{organ}联系`).
#[derive(Debug, Clone)]
pub struct Template {
    pub text: String,
    pub pieces: Vec<Piece>,
}

/// What a quality rule checks.
#[derive(Debug, Clone)]
pub enum QualityCheck {
    /// The part says nothing but one of these words (`无`).
    OnlyWords(Vec<String>),
    /// When a cell is above zero, the part mentions one of the words.
    Mentions { cells: Vec<Term>, words: Vec<String> },
    /// The year or organ the text states in one of the wordings is the
    /// report's.
    /// A wording whose clause holds one of the `citing` words cites
    /// another report (`根据《…2019年…年度报告》所提问题`) and is not read.
    States { templates: Vec<Template>, compare: Captured, citing: Vec<String> },
    /// The part has text, but fewer characters than this (punctuation and
    /// white space aside), and is not one of the part's `only` words.
    Short(usize),
    /// Checked with last year's report whose part has text: this year's
    /// part mentions one of the words (`整改`: how last year's problems were
    /// rectified, as the 2021 format asks).
    PreviousMentions(Vec<String>),
}

/// A part-quality rule.
#[derive(Debug, Clone)]
pub struct QualityRule {
    pub code: String,
    pub severity: Severity,
    pub title: String,
    /// A part id, or `preamble`.
    pub part: String,
    pub check: QualityCheck,
}

/// Text without white space, NFKC-normalized: how phrases are matched.
pub fn squeeze(s: &str) -> Vec<char> {
    crate::number::squeeze(s).chars().collect()
}

fn parse_phrase(text: &str) -> Result<Phrase, String> {
    let mut elems = Vec::new();
    let mut lit = String::new();
    let flush = |lit: &mut String, elems: &mut Vec<Elem>| {
        let l = squeeze(lit);
        if !l.is_empty() {
            elems.push(Elem::Lit(l));
        }
        lit.clear();
    };
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("{n}") {
            flush(&mut lit, &mut elems);
            elems.push(Elem::Num);
            rest = r;
        } else if c == '…' {
            flush(&mut lit, &mut elems);
            if elems.last() != Some(&Elem::Gap) {
                elems.push(Elem::Gap);
            }
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
        } else {
            lit.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
        }
    }
    flush(&mut lit, &mut elems);
    let nums = elems.iter().filter(|e| **e == Elem::Num).count();
    if nums != 1 {
        return Err(format!("短语 “{text}” 应含一个 {{n}}"));
    }
    if matches!(elems.first(), Some(Elem::Gap)) || matches!(elems.last(), Some(Elem::Gap)) {
        return Err(format!("短语 “{text}” 不能以 … 开头或结尾"));
    }
    if !elems.iter().any(|e| matches!(e, Elem::Lit(_))) {
        return Err(format!("短语 “{text}” 除 {{n}} 外应有文字"));
    }
    let num = elems.iter().position(|e| *e == Elem::Num).unwrap_or_default();
    let before = elems[..num]
        .iter()
        .rev()
        .map(|e| match e {
            Elem::Lit(l) => Elem::Lit(l.iter().rev().copied().collect()),
            other => other.clone(),
        })
        .collect();
    let after = elems[num + 1..].to_vec();
    let key = elems
        .iter()
        .filter_map(|e| match e {
            Elem::Lit(l) => Some(l.iter().collect::<String>()),
            _ => None,
        })
        .max_by_key(|l| l.chars().count())
        .unwrap_or_default();
    Ok(Phrase { text: text.to_string(), elems, before, after, key })
}

fn parse_template(text: &str) -> Result<Template, String> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let hole = [("{year}", Captured::Year), ("{organ}", Captured::Organ)]
            .into_iter()
            .find_map(|(h, cap)| rest.strip_prefix(h).map(|r| (r, cap)));
        if let Some((r, cap)) = hole {
            let l = squeeze(&lit);
            if !l.is_empty() {
                pieces.push(Piece::Lit(l));
            }
            lit.clear();
            if matches!(pieces.last(), Some(Piece::Hole(Captured::Organ))) && cap == Captured::Organ {
                return Err(format!("措辞 “{text}” 中两个 {{organ}} 不能相邻"));
            }
            pieces.push(Piece::Hole(cap));
            rest = r;
        } else {
            lit.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or_default();
        }
    }
    let l = squeeze(&lit);
    if !l.is_empty() {
        pieces.push(Piece::Lit(l));
    }
    if !pieces.iter().any(|p| matches!(p, Piece::Lit(_))) {
        return Err(format!("措辞 “{text}” 应有文字"));
    }
    Ok(Template { text: text.to_string(), pieces })
}

/// A term list of cells of this year's report (`t3.new.total`, `-t3.…`).
fn current_cells(list: &[String], ed: &Edition) -> Result<Vec<Term>, String> {
    let terms = list.iter().map(|t| super::parse_term(t, ed)).collect::<Result<Vec<_>, _>>()?;
    if terms.is_empty() || terms.iter().any(|t| !matches!(t, Term::Cell { previous: false, .. })) {
        return Err("cells 应为本年报告的单元格（可加 - 表示减去）".into());
    }
    Ok(terms)
}

pub(super) fn narrative(r: &RawNarrative, ed: &Edition) -> Result<Narrative, String> {
    let what = |m: String| format!("narrative “{}”：{m}", r.what);
    let cells = current_cells(&r.cells, ed).map_err(what)?;
    if r.phrases.is_empty() || r.units.is_empty() {
        return Err(what("phrases 和 units 都不能为空".into()));
    }
    let phrases = r.phrases.iter().map(|p| parse_phrase(p)).collect::<Result<Vec<_>, _>>().map_err(what)?;
    let mut units: Vec<String> = r.units.iter().map(|u| crate::number::squeeze(u)).collect();
    if units.iter().any(String::is_empty) {
        return Err(what("units 中有空的单位".into()));
    }
    units.sort_by_key(|u| std::cmp::Reverse(u.chars().count()));
    let context_in_clause = match r.context_in.as_deref() {
        None | Some("sentence") => false,
        Some("clause") => true,
        Some(other) => return Err(what(format!("context_in 应为 \"sentence\" 或 \"clause\"，而不是 “{other}”"))),
    };
    Ok(Narrative {
        what: r.what.clone(),
        cells,
        units,
        phrases,
        context: r.context.iter().map(|c| crate::number::squeeze(c)).filter(|c| !c.is_empty()).collect(),
        unless: r.unless.iter().map(|c| crate::number::squeeze(c)).filter(|c| !c.is_empty()).collect(),
        context_in_clause,
        qualifiers: r.qualifiers.iter().map(|c| crate::number::squeeze(c)).filter(|c| !c.is_empty()).collect(),
        gap: r.gap.unwrap_or(DEFAULT_GAP),
        alternatives: r
            .alternatives
            .iter()
            .map(|a| {
                let words = a.when.iter().map(|w| crate::number::squeeze(w)).filter(|w| !w.is_empty()).collect();
                current_cells(&a.cells, ed).map(|c| (c, words))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(what)?,
    })
}

pub(super) fn quality(r: &RawQuality, ed: &Edition) -> Result<QualityRule, String> {
    let what = |m: String| format!("quality {}：{m}", r.code);
    if r.code.is_empty() || !r.code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') {
        return Err(what("code 只能由大写字母、数字和 - 组成".into()));
    }
    let severity = super::severity(&r.severity).map_err(what)?;
    if r.part != "preamble" && ed.part(&r.part).is_none() {
        return Err(what(format!("part “{}” 不存在（应为某部分的 id 或 preamble）", r.part)));
    }
    if !r.citing.is_empty() && r.states.is_empty() {
        return Err(what("citing 只能与 states 一起使用".into()));
    }
    let kinds = [
        !r.only.is_empty(),
        !r.if_positive.is_empty() || !r.mentions.is_empty(),
        !r.states.is_empty(),
        r.shorter_than.is_some(),
        !r.previous_mentions.is_empty(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(what(
            "应只用 only、if_positive + mentions、states + compare、shorter_than、previous_mentions 中的一种".into(),
        ));
    }
    let check = if let Some(n) = r.shorter_than {
        QualityCheck::Short(n)
    } else if !r.previous_mentions.is_empty() {
        QualityCheck::PreviousMentions(r.previous_mentions.iter().map(|w| crate::number::squeeze(w)).collect())
    } else if !r.only.is_empty() {
        QualityCheck::OnlyWords(r.only.iter().map(|w| crate::number::squeeze(w)).collect())
    } else if !r.states.is_empty() {
        let compare = match r.compare.as_deref() {
            Some("year") => Captured::Year,
            Some("organ") => Captured::Organ,
            _ => return Err(what("compare 应为 year 或 organ".into())),
        };
        let templates = r.states.iter().map(|t| parse_template(t)).collect::<Result<Vec<_>, _>>().map_err(what)?;
        if !templates.iter().all(|t| t.pieces.contains(&Piece::Hole(compare))) {
            return Err(what(format!("states 的每个措辞都应含 {{{}}}", r.compare.as_deref().unwrap_or_default())));
        }
        let citing = r.citing.iter().map(|w| crate::number::squeeze(w)).filter(|w| !w.is_empty()).collect();
        QualityCheck::States { templates, compare, citing }
    } else {
        if r.if_positive.is_empty() || r.mentions.is_empty() {
            return Err(what("if_positive 和 mentions 应同时给出".into()));
        }
        QualityCheck::Mentions {
            cells: current_cells(&r.if_positive, ed).map_err(what)?,
            words: r.mentions.iter().map(|w| crate::number::squeeze(w)).collect(),
        }
    };
    Ok(QualityRule { code: r.code.clone(), severity, title: r.title.clone(), part: r.part.clone(), check })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_parse() {
        let p = parse_phrase("收到…信息公开申请{n}").unwrap();
        assert_eq!(p.elems.len(), 4);
        assert_eq!(p.elems[1], Elem::Gap);
        assert_eq!(p.elems[3], Elem::Num);
        assert!(parse_phrase("收到…申请").is_err());
        assert!(parse_phrase("{n}…").is_err());
        assert!(parse_phrase("…申请{n}").is_err());
        assert!(parse_phrase("{n}").is_err());
        assert!(parse_phrase("{n}申请{n}").is_err());
    }

    #[test]
    fn templates_parse() {
        let t = parse_template("《{organ}{year}年政府信息公开工作年度报告》").unwrap();
        assert_eq!(t.pieces[1], Piece::Hole(Captured::Organ));
        assert_eq!(t.pieces[2], Piece::Hole(Captured::Year));
        assert!(parse_template("{organ}{organ}").is_err());
        assert!(parse_template("{year}").is_err());
    }
}
