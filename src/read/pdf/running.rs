//! Running headers and footers: lines a browser, a word processor or a PDF
//! tool repeats at the same place on most pages (a date, a title, a URL, a
//! page number "3/9"). They are not content and they cut a table continued
//! on the next page from its first half, so they are set aside before
//! layout. Only lines in the top or bottom band of a page count, and only
//! in a document of at least three pages; digits are compared as digits of
//! any value, so "1/9" and "2/9" are the same line.

use super::extract::{Glyph, Page};
use std::collections::HashMap;

/// The top and bottom bands of a page where running lines stand (fraction of its height).
const BAND: f32 = 0.12;

/// Fewest pages a document needs before lines are called running.
const MIN_PAGES: usize = 3;

/// A line's place: its text with digits as `#`, and its baseline to the point.
type Key = (String, i32);

/// The pages without their running header and footer lines.
pub(super) fn set_aside(mut pages: Vec<Page>) -> Vec<Page> {
    if pages.len() < MIN_PAGES {
        return pages;
    }
    let lines: Vec<Vec<(Key, Vec<usize>)>> = pages.iter().map(band_lines).collect();
    let mut on_pages: HashMap<&Key, usize> = HashMap::new();
    for page in &lines {
        let mut keys: Vec<&Key> = page.iter().map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *on_pages.entry(k).or_default() += 1;
        }
    }
    // Repeated on more than half of the pages.
    let running = |k: &Key| on_pages.get(k).is_some_and(|&n| n * 2 > pages.len() && n >= MIN_PAGES - 1);
    let drop: Vec<Vec<usize>> = lines
        .iter()
        .map(|page| page.iter().filter(|(k, _)| running(k)).flat_map(|(_, ids)| ids.iter().copied()).collect())
        .collect();
    for (page, ids) in pages.iter_mut().zip(drop) {
        let mut keep = vec![true; page.glyphs.len()];
        for i in ids {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
        }
        let mut flags = keep.into_iter();
        page.glyphs.retain(|_| flags.next().unwrap_or(true));
    }
    pages
}

/// The lines of a page's top and bottom bands: their key and glyph indices.
fn band_lines(page: &Page) -> Vec<(Key, Vec<usize>)> {
    let in_band = |g: &Glyph| g.baseline <= BAND * page.height || g.top >= (1.0 - BAND) * page.height;
    let mut ids: Vec<usize> = (0..page.glyphs.len())
        .filter(|&i| page.glyphs.get(i).is_some_and(|g| g.upright && !g.text.trim().is_empty() && in_band(g)))
        .collect();
    let at = |i: usize| page.glyphs.get(i);
    ids.sort_by(|&a, &b| {
        let (ga, gb) = (at(a).map_or(0.0, |g| g.baseline), at(b).map_or(0.0, |g| g.baseline));
        ga.total_cmp(&gb)
    });
    let mut out: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for i in ids {
        let Some(g) = at(i) else { continue };
        match out.last_mut() {
            Some((base, size, line)) if (g.baseline - *base).abs() <= 0.4 * size.max(g.size) => line.push(i),
            _ => out.push((g.baseline, g.size, vec![i])),
        }
    }
    out.into_iter()
        .map(|(base, _, mut line)| {
            line.sort_by(|&a, &b| at(a).map_or(0.0, |g| g.x0).total_cmp(&at(b).map_or(0.0, |g| g.x0)));
            let text: String = line
                .iter()
                .filter_map(|&i| at(i))
                .flat_map(|g| g.text.chars())
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            ((text, base.round() as i32), line)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyph(text: &str, x0: f32, baseline: f32) -> Glyph {
        let (size, upright, vertical) = (10.0, true, false);
        let (top, bottom) = (baseline - 8.0, baseline + 2.0);
        Glyph { text: text.into(), x0, x1: x0 + 5.0, top, bottom, size, upright, vertical, baseline }
    }

    fn page(index: u32, body: &str, footer: &str) -> Page {
        let mut glyphs = vec![glyph("T", 50.0, 20.0), glyph(body, 50.0, 400.0)];
        glyphs.extend(footer.chars().enumerate().map(|(i, c)| glyph(&c.to_string(), 300.0 + 5.0 * i as f32, 830.0)));
        Page { index, width: 595.0, height: 842.0, glyphs, rules: Vec::new() }
    }

    fn texts(p: &Page) -> String {
        p.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn lines_repeated_at_the_top_and_bottom_of_most_pages_are_set_aside() {
        let pages: Vec<Page> = (0..4).map(|i| page(i, "正", &format!("{}/4", i + 1))).collect();
        let out = set_aside(pages);
        assert_eq!(out.iter().map(texts).collect::<Vec<_>>(), ["正", "正", "正", "正"]);
    }

    #[test]
    fn two_pages_or_lines_on_few_pages_are_kept() {
        let two: Vec<Page> = (0..2).map(|i| page(i, "正", "1/2")).collect();
        assert_eq!(set_aside(two).iter().map(texts).collect::<Vec<_>>(), ["T正1/2", "T正1/2"]);
        let mut pages: Vec<Page> = (0..4).map(|i| page(i, "正", "")).collect();
        for p in pages.iter_mut().skip(1) {
            p.glyphs.remove(0);
        }
        assert_eq!(set_aside(pages).iter().map(texts).collect::<Vec<_>>(), ["T正", "正", "正", "正"]);
    }
}
