//! Struck-through text: a horizontal rule drawn through the middle of a run
//! of glyphs marks deleted text (a tracked change printed visibly, a
//! correction). Such glyphs are never part of a value: they are set aside
//! before layout, the rule with them, and each run gets a READ-STRUCK
//! warning. An underline (below the baseline) or a table rule (between
//! lines of text, or running far beyond the glyphs it crosses) is not a
//! strike.

use super::extract::{Glyph, Page, Rule};
use crate::model::{Source, Warning};

/// Where a strike crosses a glyph: between these fractions of its size
/// above the baseline (the middle of digits and ideographs; an underline is
/// below the baseline, a rule between lines is above the ascent).
const STRIKE_BAND: (f32, f32) = (0.1, 0.6);

/// A strike covers at least this fraction of a glyph's width.
const STRIKE_COVER: f32 = 0.6;

/// Pages without struck glyphs and strike rules, and a warning per struck run.
pub(super) fn set_aside(pages: Vec<Page>, file: &str) -> (Vec<Page>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let pages = pages
        .into_iter()
        .map(|mut page| {
            let mut struck = vec![false; page.glyphs.len()];
            page.rules.retain(|rule| {
                let run = crossed(&page.glyphs, rule);
                if run.is_empty() {
                    return true;
                }
                let text: String = run.iter().filter_map(|&i| page.glyphs.get(i)).map(|g| g.text.as_str()).collect();
                warnings.push(warning(file, page.index + 1, &text));
                for i in run {
                    if let Some(s) = struck.get_mut(i) {
                        *s = true;
                    }
                }
                false
            });
            let mut flags = struck.into_iter();
            page.glyphs.retain(|_| !flags.next().unwrap_or(false));
            page
        })
        .collect();
    (pages, warnings)
}

/// The glyphs a horizontal rule strikes through, in x order; empty when the
/// rule is not a strike (it crosses no glyph's middle, or runs more than a
/// character beyond the glyphs it crosses).
fn crossed(glyphs: &[Glyph], rule: &Rule) -> Vec<usize> {
    if !rule.is_horizontal() {
        return Vec::new();
    }
    let mut run: Vec<usize> = glyphs
        .iter()
        .enumerate()
        .filter(|(_, g)| g.upright && !g.text.trim().is_empty() && strikes(rule, g))
        .map(|(i, _)| i)
        .collect();
    let at = |i: &usize| glyphs.get(*i);
    let x0 = run.iter().filter_map(at).map(|g| g.x0).fold(f32::INFINITY, f32::min);
    let x1 = run.iter().filter_map(at).map(|g| g.x1).fold(f32::NEG_INFINITY, f32::max);
    let size = run.iter().filter_map(at).map(|g| g.size).fold(0.0, f32::max);
    if run.is_empty() || rule.x0 < x0 - size || rule.x1 > x1 + size {
        return Vec::new();
    }
    run.sort_by(|a, b| {
        let (ga, gb) = (glyphs.get(*a).map_or(0.0, |g| g.x0), glyphs.get(*b).map_or(0.0, |g| g.x0));
        ga.total_cmp(&gb)
    });
    run
}

/// Does the rule run through the middle of this glyph?
fn strikes(rule: &Rule, g: &Glyph) -> bool {
    let above = g.baseline - rule.y0;
    let (lo, hi) = STRIKE_BAND;
    let width = g.x1 - g.x0;
    let cover = rule.x1.min(g.x1) - rule.x0.max(g.x0);
    above >= lo * g.size && above <= hi * g.size && width > 0.0 && cover >= STRIKE_COVER * width
}

fn warning(file: &str, page: u32, text: &str) -> Warning {
    Warning {
        code: "READ-STRUCK".into(),
        message: format!("第 {page} 页有加删除线的文字“{text}”，按已删除的内容处理，未读入任何一格。请核对该处的数字"),
        source: Some(Source { file: file.to_string(), page: Some(page), text: text.to_string(), ..Source::default() }),
    }
}
