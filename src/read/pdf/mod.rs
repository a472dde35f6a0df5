//! Reader for published reports as PDF files, as offices and evaluators
//! download them. Deterministic: no OCR, no network, no model.
//!
//! [`extract`] (the object layer: crate `xxgk-pdf`, on lopdf) gives each page's glyphs with
//! their boxes and its ruling lines. This module lays them out into the
//! neutral [`Document`]:
//!
//! - **Tables with ruling lines** (what Word and WPS print): the rules of a
//!   page are grouped into tables; their x and y positions make a lattice of
//!   base cells, and base cells with no rule between them are one merged
//!   cell, so a table comes out as an aligned grid with row and column spans,
//!   exactly like a Word table. A cell's text is its glyphs in reading order
//!   (a label wrapped inside its cell, or set vertically, reads whole). A
//!   table split over pages is several tables in a row, which the mapper
//!   stacks into one grid.
//! - **Everything else** becomes lines of text (glyphs on one baseline, in x
//!   order, with a tab where a wide gap separates columns); lines that
//!   continue a paragraph are joined; the lines then go through the text
//!   reader's layout ([`super::text`]), so tables drawn without rules read
//!   as published text does, page numbers are dropped, and the rest is
//!   paragraphs.
//!
//! A PDF without any text (a scan) is refused with a message saying so.

// Indexing is bounded here: base-cell indices come from ranges over the lattice's own x and y positions.
#![allow(clippy::indexing_slicing)]

// The object layer is its own crate (crates/xxgk-pdf); kept under its old path.
pub use xxgk_pdf as extract;
mod running;
mod strike;

use super::doc::{Cell, Document, Item, SourceKind, Table};
use super::ReadOptions;
use crate::error::{Error, Problem, Result};
use extract::{Glyph, Page, PdfLimits, Rule};
use std::path::Path;

/// Read a PDF report into a document.
pub fn read(path: &Path, opts: ReadOptions<'_>) -> Result<Document> {
    let bytes = super::container::read_file(path, &opts.limits)?;
    from_bytes(path, &bytes, opts)
}

/// Read a PDF report from its bytes (`path` names it in messages).
pub fn from_bytes(path: &Path, bytes: &[u8], opts: ReadOptions<'_>) -> Result<Document> {
    let limits = PdfLimits {
        max_stream_bytes: opts.limits.entry_bytes,
        max_total_bytes: opts.limits.total_bytes,
        ..PdfLimits::default()
    };
    let pages = extract::extract(bytes, &limits).map_err(|e| match e {
        extract::PdfError::Encrypted => Error::read(path, Problem::EncryptedPdf),
        e => Error::read(path, Problem::Pdf(e.to_string())),
    })?;
    if pages.iter().all(|p| p.glyphs.iter().all(|g| g.text.trim().is_empty())) {
        return Err(Error::read(path, Problem::Scan));
    }
    let (pages, struck) = strike::set_aside(pages, &path.display().to_string());
    let pages = running::set_aside(pages);
    let mut doc = layout(&pages, opts);
    doc.warnings.extend(struck);
    Ok(doc)
}

/// Most ruling lines of a page read as tables (a report's page has about 50).
const MAX_RULES: usize = 2_000;

/// Most base cells of one table's lattice (表三 has 280).
const MAX_BASE_CELLS: usize = 20_000;

/// Positions closer than this (points) are the same line of a lattice.
const SNAP: f32 = 2.0;

/// Lay out the pages: tables from ruling lines, the rest as text lines.
fn layout(pages: &[Page], opts: ReadOptions<'_>) -> Document {
    let mut doc = Document::new(SourceKind::Pdf);
    // Text lines waiting to be laid out (with where their page's text
    // starts and ends, to join paragraphs).
    let mut pending: Vec<TextLine> = Vec::new();
    // Every table column line of the document, by x.
    let columns = snap(pages.iter().flat_map(|p| lattices(&p.rules)).flat_map(|l| l.xs));
    for page in pages {
        let lattices = lattices(&page.rules);
        let mut in_table = vec![false; page.glyphs.len()];
        let mut tables: Vec<(f32, Table)> = Vec::new();
        for (k, l) in lattices.iter().enumerate() {
            let name = format!("第{}张表格", k + 1);
            let mut t = l.table(&page.glyphs, &mut in_table, &name);
            if t.cells.iter().any(|c| !c.text.trim().is_empty()) {
                for c in &mut t.cells {
                    c.page = Some(page.index + 1);
                }
                // Columns by their x position on the page, the same for every
                // table of the document, so a table continued on the next
                // page with a different lattice still lines up.
                for c in &mut t.cells {
                    let (x0, x1) = (l.xs[c.col as usize], l.xs[(c.col + c.colspan) as usize]);
                    c.col = column_at(&columns, x0);
                    c.colspan = column_at(&columns, x1).saturating_sub(c.col).max(1);
                }
                tables.push((l.ys.first().copied().unwrap_or(0.0), t));
            }
        }
        let rest: Vec<&Glyph> = page.glyphs.iter().zip(&in_table).filter(|(_, t)| !**t).map(|(g, _)| g).collect();
        let mut lines = text_lines(&rest, page.index);
        // Reading order: text above each table, the table, and so on.
        tables.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (top, t) in tables {
            let (above, below): (Vec<TextLine>, Vec<TextLine>) = lines.into_iter().partition(|l| l.top < top);
            pending.extend(above);
            flush(&mut pending, &mut doc, opts);
            doc.body.push(Item::Table(t));
            lines = below;
        }
        pending.extend(lines);
    }
    flush(&mut pending, &mut doc, opts);
    doc
}

/// One line of text outside the tables.
#[derive(Debug, Clone)]
struct TextLine {
    page: u32,
    top: f32,
    x0: f32,
    x1: f32,
    size: f32,
    /// The text, with a tab between fields set apart by a wide gap.
    text: String,
}

/// Lay out the pending lines as text does and append what they give.
fn flush(pending: &mut Vec<TextLine>, doc: &mut Document, opts: ReadOptions<'_>) {
    if pending.is_empty() {
        return;
    }
    let joined = join_paragraphs(std::mem::take(pending));
    let refs: Vec<&str> = joined.iter().map(|l| l.text.as_str()).collect();
    let mut text = super::text::layout(&refs, SourceKind::Pdf, opts);
    // The text reader counts the lines given to it; a clerk counts the
    // lines of a page.
    for item in &mut text.body {
        let Item::Table(t) = item else { continue };
        for c in &mut t.cells {
            if let Some((None, n, col)) = c.at {
                if let Some(l) = joined.get((n as usize).wrapping_sub(1)) {
                    c.at = Some((None, l.line, col));
                    c.page = Some(l.page + 1);
                }
            }
        }
    }
    doc.body.extend(text.body);
}

/// A line of text after paragraphs are joined: where its first line is.
struct Joined {
    text: String,
    /// 0-based page.
    page: u32,
    /// 1-based line within the page.
    line: u32,
}

/// Join lines that continue a paragraph: the previous line runs to the
/// right edge of the text and this one is not indented, on the same page
/// or at the top of the next. Lines with columns (tabs) are never joined.
fn join_paragraphs(lines: Vec<TextLine>) -> Vec<Joined> {
    let mut margins: std::collections::HashMap<u32, (f32, f32)> = std::collections::HashMap::new();
    for l in &lines {
        let m = margins.entry(l.page).or_insert((f32::INFINITY, f32::NEG_INFINITY));
        *m = (m.0.min(l.x0), m.1.max(l.x1));
    }
    let left = |p: u32| margins.get(&p).map_or(0.0, |m| m.0);
    let right = |p: u32| margins.get(&p).map_or(0.0, |m| m.1);
    // The body's size: the most common line size.
    let body = {
        let mut sizes: Vec<i32> = lines.iter().map(|l| (l.size * 2.0).round() as i32).collect();
        sizes.sort_unstable();
        let mut best = (0, 0usize);
        for run in sizes.chunk_by(|a, b| a == b) {
            if run.len() > best.1 {
                best = (run.first().copied().unwrap_or(0), run.len());
            }
        }
        best.0 as f32 / 2.0
    };
    let mut out: Vec<Joined> = Vec::new();
    let mut prev: Option<&TextLine> = None;
    // Lines counted on the current page.
    let (mut page, mut on_page) = (u32::MAX, 0u32);
    for l in &lines {
        if l.page != page {
            (page, on_page) = (l.page, 0);
        }
        on_page += 1;
        let continues = prev.is_some_and(|p| {
            let plain = !p.text.contains('\t') && !l.text.contains('\t');
            // A paragraph running on, or a title set large over two lines.
            let runs_on = p.x1 >= right(p.page) - 1.5 * p.size && l.x0 <= left(l.page) + 0.5 * l.size;
            let title = p.page == l.page
                && p.size >= 1.2 * body
                && (p.size - l.size).abs() <= 0.5
                && l.top - p.top <= 3.0 * p.size;
            plain && (runs_on || title)
        });
        if super::text::is_page_number(&l.text) {
            continue; // a page number is not content, and does not end a paragraph
        }
        match (continues, out.last_mut()) {
            (true, Some(last)) => last.text.push_str(&l.text),
            _ => out.push(Joined { text: l.text.clone(), page: l.page, line: on_page }),
        }
        prev = Some(l);
    }
    out
}

/// Group glyphs into lines by baseline, each in x order, top to bottom.
fn text_lines(glyphs: &[&Glyph], page: u32) -> Vec<TextLine> {
    let mut lines: Vec<Vec<&Glyph>> = Vec::new();
    let mut sorted: Vec<&Glyph> = glyphs.iter().copied().filter(|g| !g.text.trim().is_empty()).collect();
    sorted.sort_by(|a, b| a.baseline.total_cmp(&b.baseline).then(a.x0.total_cmp(&b.x0)));
    // The current line's baseline sum and largest size, kept as it grows.
    let (mut sum, mut size) = (0.0f32, 0.0f32);
    for g in sorted {
        let joins = lines.last().is_some_and(|l| {
            let base = sum / l.len() as f32;
            (g.baseline - base).abs() <= 0.4 * size.max(g.size)
        });
        if joins {
            if let Some(l) = lines.last_mut() {
                l.push(g);
            }
            sum += g.baseline;
            size = size.max(g.size);
        } else {
            lines.push(vec![g]);
            (sum, size) = (g.baseline, g.size);
        }
    }
    lines
        .into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| a.x0.total_cmp(&b.x0));
            let size = l.iter().map(|g| g.size).fold(0.0, f32::max);
            TextLine {
                page,
                top: l.iter().map(|g| g.top).fold(f32::INFINITY, f32::min),
                x0: l.first().map_or(0.0, |g| g.x0),
                x1: l.last().map_or(0.0, |g| g.x1),
                size,
                text: join_glyphs(&l, true),
            }
        })
        .collect()
}

/// The text of glyphs on one line, in x order: a space for a gap of a third
/// of a character, and (with `columns`) a tab for a gap of two characters.
fn join_glyphs(line: &[&Glyph], columns: bool) -> String {
    let mut s = String::new();
    let mut last: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = last {
            let gap = g.x0 - p.x1;
            let size = p.size.max(g.size).max(1.0);
            if columns && gap >= 2.0 * size {
                s.push('\t');
            } else if gap >= 0.3 * size {
                s.push(' ');
            }
        }
        s.push_str(&g.text);
        last = Some(g);
    }
    s
}

/// A table's lattice: the x and y positions of its lines, and its rules.
struct Lattice<'r> {
    xs: Vec<f32>,
    ys: Vec<f32>,
    rules: Vec<&'r Rule>,
}

/// Group a page's rules into tables: rules that touch are one table; a
/// table needs at least two horizontal and two vertical lines.
fn lattices(rules: &[Rule]) -> Vec<Lattice<'_>> {
    // A page with more rules than any table has (a drawing, or a crafted
    // file): no tables from rules; its text is read as text.
    if rules.len() > MAX_RULES {
        return Vec::new();
    }
    let n = rules.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let touch = |a: &Rule, b: &Rule| {
        a.x0.min(a.x1) <= b.x0.max(b.x1) + SNAP
            && b.x0.min(b.x1) <= a.x0.max(a.x1) + SNAP
            && a.y0.min(a.y1) <= b.y0.max(b.y1) + SNAP
            && b.y0.min(b.y1) <= a.y0.max(a.y1) + SNAP
    };
    for i in 0..n {
        for j in i + 1..n {
            if touch(&rules[i], &rules[j]) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: Vec<(usize, Vec<&Rule>)> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let r = find(&mut parent, i);
        match groups.iter_mut().find(|(g, _)| *g == r) {
            Some((_, v)) => v.push(rule),
            None => groups.push((r, vec![rule])),
        }
    }
    groups
        .into_iter()
        .filter_map(|(_, rules)| {
            // The lines' positions, and the ends of the lines across them:
            // at a page break the last row often has no bottom rule.
            let (h, v): (Vec<&Rule>, Vec<&Rule>) = rules.iter().partition(|r| r.is_horizontal());
            let ends = |rs: &[&Rule], a: fn(&Rule) -> f32, b: fn(&Rule) -> f32| {
                let lo = rs.iter().map(|r| a(r).min(b(r))).fold(f32::INFINITY, f32::min);
                let hi = rs.iter().map(|r| a(r).max(b(r))).fold(f32::NEG_INFINITY, f32::max);
                [lo, hi].into_iter().filter(|x| x.is_finite())
            };
            let xs = snap(v.iter().map(|r| r.x0).chain(ends(&h, |r| r.x0, |r| r.x1)));
            let ys = snap(h.iter().map(|r| r.y0).chain(ends(&v, |r| r.y0, |r| r.y1)));
            // At least a 1×1 table, at most what a report's table could be.
            let fits = xs.len() >= 2 && ys.len() >= 2 && (xs.len() - 1) * (ys.len() - 1) <= MAX_BASE_CELLS;
            fits.then_some(Lattice { xs, ys, rules })
        })
        .collect()
}

/// The index of the document-wide column line at `x`.
fn column_at(columns: &[f32], x: f32) -> u32 {
    let i = columns.partition_point(|c| *c < x - SNAP);
    i as u32
}

/// Sorted positions with those closer than [`SNAP`] taken as one.
fn snap(v: impl Iterator<Item = f32>) -> Vec<f32> {
    let mut v: Vec<f32> = v.collect();
    v.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in v {
        if out.last().is_none_or(|l| x - l > SNAP) {
            out.push(x);
        }
    }
    out
}

impl Lattice<'_> {
    /// Is there a vertical rule at `x` through the middle of `y0..y1`?
    fn vertical_at(&self, x: f32, y0: f32, y1: f32) -> bool {
        let y = (y0 + y1) / 2.0;
        self.rules.iter().any(|r| {
            !r.is_horizontal() && (r.x0 - x).abs() <= SNAP && r.y0.min(r.y1) - SNAP <= y && y <= r.y0.max(r.y1) + SNAP
        })
    }

    /// Is there a horizontal rule at `y` through the middle of `x0..x1`?
    fn horizontal_at(&self, y: f32, x0: f32, x1: f32) -> bool {
        let x = (x0 + x1) / 2.0;
        self.rules.iter().any(|r| {
            r.is_horizontal() && (r.y0 - y).abs() <= SNAP && r.x0.min(r.x1) - SNAP <= x && x <= r.x0.max(r.x1) + SNAP
        })
    }

    /// The table: base cells with no rule between them merged; each cell's
    /// text from the glyphs inside it (marked in `taken`).
    fn table(&self, glyphs: &[Glyph], taken: &mut [bool], name: &str) -> Table {
        let (rows, cols) = (self.ys.len() - 1, self.xs.len() - 1);
        let mut parent: Vec<usize> = (0..rows * cols).collect();
        fn find(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        let union = |p: &mut Vec<usize>, a: usize, b: usize| {
            let (a, b) = (find(p, a), find(p, b));
            if a != b {
                p[a.max(b)] = a.min(b);
            }
        };
        for r in 0..rows {
            for c in 0..cols {
                if c + 1 < cols && !self.vertical_at(self.xs[c + 1], self.ys[r], self.ys[r + 1]) {
                    union(&mut parent, r * cols + c, r * cols + c + 1);
                }
                if r + 1 < rows && !self.horizontal_at(self.ys[r + 1], self.xs[c], self.xs[c + 1]) {
                    union(&mut parent, r * cols + c, (r + 1) * cols + c);
                }
            }
        }
        // Each merged cell's extent in base cells.
        let mut extent: Vec<Option<(usize, usize, usize, usize)>> = vec![None; rows * cols];
        for r in 0..rows {
            for c in 0..cols {
                let root = find(&mut parent, r * cols + c);
                let e = extent[root].get_or_insert((r, c, r, c));
                *e = (e.0.min(r), e.1.min(c), e.2.max(r), e.3.max(c));
            }
        }
        // Each glyph into the merged cell of the base cell its centre is in
        // (binary search on the lattice: glyphs × log cells).
        let mut inside: Vec<Vec<usize>> = vec![Vec::new(); rows * cols];
        let (x_lo, x_hi) = (self.xs[0], self.xs[cols]);
        let (y_lo, y_hi) = (self.ys[0], self.ys[rows]);
        for (i, g) in glyphs.iter().enumerate() {
            let (cx, cy) = ((g.x0 + g.x1) / 2.0, (g.top + g.bottom) / 2.0);
            if taken[i] || cx < x_lo || cx > x_hi || cy < y_lo || cy > y_hi {
                continue;
            }
            let c = self.xs.partition_point(|x| *x < cx).saturating_sub(1).min(cols - 1);
            let r = self.ys.partition_point(|y| *y < cy).saturating_sub(1).min(rows - 1);
            let root = find(&mut parent, r * cols + c);
            inside[root].push(i);
            taken[i] = true;
        }
        let mut t = Table { name: None, cells: Vec::new(), rows: rows as u32, aligned: true };
        for (root, e) in extent.into_iter().enumerate() {
            let Some((r0, c0, r1, c1)) = e else { continue };
            let refs: Vec<&Glyph> = inside[root].iter().map(|&i| &glyphs[i]).collect();
            let text =
                text_lines(&refs, 0).into_iter().map(|l| l.text.replace('\t', " ")).collect::<Vec<_>>().join("\n");
            let at = Some((Some(name.into()), r0 as u32 + 1, c0 as u32 + 1));
            let cell = Cell::new(r0 as u32, c0 as u32, (r1 - r0 + 1) as u32, (c1 - c0 + 1) as u32, text);
            t.cells.push(Cell { at, ..cell });
        }
        t.cells.sort_by_key(|c| (c.row, c.col));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(page: u32, top: f32, x1: f32, text: &str) -> TextLine {
        TextLine { page, top, x0: 50.0, x1, size: 10.0, text: text.to_string() }
    }

    /// Joined lines keep the page and the line on the page where they start,
    /// the position a clerk reads a finding's 第N页 第M行 from.
    #[test]
    fn joined_lines_know_their_page_and_line() {
        let lines = vec![
            line(0, 10.0, 500.0, "第一段很长，一直写到右边"),
            line(0, 22.0, 300.0, "接着写完。"),
            line(0, 34.0, 300.0, "一、本年新收\t3\t0\t3"),
            line(1, 10.0, 300.0, "四、结转下年度继续办理\t0\t0\t0"),
            line(1, 22.0, 300.0, "五、存在的主要问题"),
        ];
        let joined = join_paragraphs(lines);
        let got: Vec<(u32, u32, &str)> = joined.iter().map(|j| (j.page, j.line, j.text.as_str())).collect();
        assert_eq!(
            got,
            [
                (0, 1, "第一段很长，一直写到右边接着写完。"),
                (0, 3, "一、本年新收\t3\t0\t3"),
                (1, 1, "四、结转下年度继续办理\t0\t0\t0"),
                (1, 2, "五、存在的主要问题"),
            ]
        );
    }
}
