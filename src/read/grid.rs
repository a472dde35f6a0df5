//! The mapping stage shared by every reader of tables: the tables of a
//! [`super::doc::Document`] become [`Grid`]s (a sheet, or a document's tables
//! stacked, as positioned text cells with their merges), and [`map_tables`]
//! finds the edition's tables in them by their official labels.
//!
//! For each block of each table it finds an anchor (the block heading, the
//! first row label, or the first column label) and makes a plan: in an
//! aligned grid, every column leaf by its header label (left to right, so
//! repeated labels such as 表四's three 结果维持 resolve in order) and every
//! row leaf by its row label (top to bottom, left of the values); in an
//! unaligned grid (published text), every row leaf by its label, with its
//! values taken in order. Only a plan that finds at least half of the block
//! is carried out, and carrying it out never fails half-way: a row or column
//! not found is skipped with its warning and leaves the others alone. Blank
//! cells stay null; text that is not a number stays null with its text kept;
//! and every non-empty cell that maps to nothing is reported by [`unmapped`].

// Indexing is bounded here: cell indices come from ranges over the same grid (enumerate, rows(), find over 0..len) and row/column leaf indices from the compiled edition.
#![allow(clippy::indexing_slicing)]

use super::doc::Cell;
use crate::edition::{Block, Edition, Kind, Leaf, Node, Op, Rule, Term};
use crate::labels::{is_bare_ordinal, key, keys_match, push_key, strip_ordinal};
use crate::model::{Number, Report, Source, Warning};
use crate::number::{may_be_value, parse_cell, Parsed, Suffixes};
use std::collections::{HashMap, HashSet};

/// A sheet or a table: positioned cells.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Sheet name, or `表格` for a document's tables.
    pub name: String,
    pub cells: Vec<Cell>,
    /// Columns mean the same in every row ([`super::doc::Table::aligned`]).
    pub aligned: bool,
    /// Each cell's [`key`], one after another in one text: cell `i`'s is
    /// `keys[key_ends[i - 1]..key_ends[i]]`.
    keys: String,
    key_ends: Vec<usize>,
    cover: Cover,
}

/// Which cell covers each grid position: a dense table when the grid is
/// small enough (it always is for real reports), else a hash map.
#[derive(Debug, Clone)]
enum Cover {
    Dense { cols: u32, at: Vec<u32> },
    Sparse(HashMap<(u32, u32), usize>),
}

/// Largest dense cover table (positions).
const DENSE_COVER: u64 = 4 << 20;

impl Grid {
    pub fn new(name: String, mut cells: Vec<Cell>, aligned: bool) -> Grid {
        if !cells.is_sorted_by_key(|c| (c.row, c.col)) {
            cells.sort_by_key(|c| (c.row, c.col));
        }
        let mut keys = String::with_capacity(cells.iter().map(|c| c.text.len()).sum());
        let key_ends = cells
            .iter()
            .map(|c| {
                push_key(&c.text, &mut keys);
                keys.len()
            })
            .collect();
        let rows = cells.iter().map(|c| c.row.saturating_add(c.rowspan.max(1))).max().unwrap_or(0);
        let cols = cells.iter().map(|c| c.col.saturating_add(c.colspan.max(1))).max().unwrap_or(0);
        let cover = if (rows as u64) * (cols as u64) <= DENSE_COVER {
            let mut at = vec![u32::MAX; rows as usize * cols as usize];
            for (i, c) in cells.iter().enumerate() {
                for r in c.row..c.row.saturating_add(c.rowspan.max(1)) {
                    for k in c.col..c.col.saturating_add(c.colspan.max(1)) {
                        if let Some(slot) = at.get_mut(r as usize * cols as usize + k as usize) {
                            if *slot == u32::MAX {
                                *slot = i as u32;
                            }
                        }
                    }
                }
            }
            Cover::Dense { cols, at }
        } else {
            let mut m = HashMap::new();
            for (i, c) in cells.iter().enumerate() {
                for r in c.row..c.row.saturating_add(c.rowspan.max(1)) {
                    for k in c.col..c.col.saturating_add(c.colspan.max(1)) {
                        m.entry((r, k)).or_insert(i);
                    }
                }
            }
            Cover::Sparse(m)
        };
        Grid { name, cells, aligned, keys, key_ends, cover }
    }

    /// The cell covering a position, if any.
    pub fn at(&self, row: u32, col: u32) -> Option<usize> {
        match &self.cover {
            Cover::Dense { cols, at } => {
                if col >= *cols {
                    return None;
                }
                at.get(row as usize * *cols as usize + col as usize)
                    .copied()
                    .filter(|&i| i != u32::MAX)
                    .map(|i| i as usize)
            }
            Cover::Sparse(m) => m.get(&(row, col)).copied(),
        }
    }

    /// The [`key`] of cell `i`.
    pub fn key(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.key_ends[i - 1] };
        &self.keys[start..self.key_ends[i]]
    }

    /// The keys of all cells.
    fn keys(&self) -> impl Iterator<Item = &str> {
        (0..self.cells.len()).map(|i| self.key(i))
    }

    /// Indices of the cells whose top row is in `from..to` (cells are sorted
    /// by row, then column).
    pub fn rows(&self, from: u32, to: u32) -> std::ops::Range<usize> {
        let a = self.cells.partition_point(|c| c.row < from);
        let b = self.cells.partition_point(|c| c.row < to);
        a..b.max(a)
    }
}

/// Which grid cells have been accounted for.
pub struct Used(Vec<Vec<bool>>);

impl Used {
    pub fn new(grids: &[Grid]) -> Used {
        Used(grids.iter().map(|g| vec![false; g.cells.len()]).collect())
    }
    pub fn mark(&mut self, g: usize, i: usize) {
        if let Some(slot) = self.0.get_mut(g).and_then(|s| s.get_mut(i)) {
            *slot = true;
        }
    }
    pub fn contains(&self, g: usize, i: usize) -> bool {
        self.0.get(g).and_then(|s| s.get(i)).copied().unwrap_or(false)
    }
}

/// Provenance of a grid cell.
///
/// A cell with its own place ([`Cell::at`]) is in a document's table (or a
/// line of text), which the reader named; a cell without one is at its
/// position in a named table, which only a workbook's sheet is
/// ([`super::doc::Table::name`]): it gets its A1 reference.
pub fn source(file: &str, grid: &Grid, c: &Cell) -> Source {
    let (sheet, row, col, a1) = match &c.at {
        Some((name, r, k)) => (name.as_deref().map(str::to_string), *r, *k, None),
        None => (Some(grid.name.clone()), c.row + 1, c.col + 1, Some(crate::model::a1(c.row + 1, c.col + 1))),
    };
    let text = c.computed.as_ref().unwrap_or(&c.text).clone();
    Source { file: file.to_string(), page: c.page, sheet, row: Some(row), column: Some(col), a1, text }
}

/// The edition whose marker labels occur most often in the grids (or in
/// the extra texts, e.g. paragraphs), if any.
pub fn detect_edition<'a>(grids: &[Grid], extra: &[String], editions: &'a [Edition]) -> Option<&'a Edition> {
    let extra: Vec<String> = extra.iter().map(|t| key(t)).collect();
    let mut best: Option<(&Edition, usize)> = None;
    for ed in editions {
        let n = ed
            .marker_keys
            .iter()
            .filter(|mk| {
                let mk = mk.as_str();
                grids.iter().any(|g| g.keys().any(|k| k.contains(mk))) || extra.iter().any(|k| k.contains(mk))
            })
            .count();
        if n > 0 && best.is_none_or(|(_, b)| n > b) {
            best = Some((ed, n));
        }
    }
    best.map(|(e, _)| e)
}

/// All nodes of a tree, depth first.
fn nodes(tree: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
        out.push(n);
        for c in &n.children {
            walk(c, out);
        }
    }
    for n in tree {
        walk(n, &mut out);
    }
    out
}

/// Find the edition's tables in the grids and fill the report's cells,
/// provenance and warnings. Returns how many value cells were located.
pub fn map_tables(file: &str, grids: &[Grid], ed: &Edition, report: &mut Report, used: &mut Used) -> usize {
    let mut located = 0;
    let index = anchor_index(grids);
    for t in &ed.tables {
        for (bi, b) in t.blocks.iter().enumerate() {
            let found = map_block(file, grids, b, report, used, ed, &index);
            match found {
                Some(n) => located += n,
                None => {
                    let what =
                        b.heading.as_deref().map(|h| format!("{}{}", t.name, h)).unwrap_or_else(|| t.name.clone());
                    report.warnings.push(Warning {
                        code: "READ-TABLE-NOT-FOUND".into(),
                        message: format!(
                            "没有找到{what}（{}）{}，其中的数字均按空白处理",
                            t.title,
                            if t.blocks.len() > 1 { format!("第{}块", bi + 1) } else { String::new() }
                        ),
                        source: None,
                    });
                }
            }
        }
    }
    located
}

struct Anchor {
    grid: usize,
    cell: usize,
}

fn anchors(grids: &[Grid], b: &Block, used: &Used) -> Vec<Anchor> {
    let keys = anchor_keys(b);
    if keys.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (gi, g) in grids.iter().enumerate() {
        for i in 0..g.cells.len() {
            // In published text the anchor label may be wrapped: its first
            // line, with the same number, will do.
            let start = || !g.aligned && keys.iter().any(|k| begins_label(g.key(i), k));
            if !used.contains(gi, i) && (keys_match(g.key(i), &keys) || start()) {
                out.push(Anchor { grid: gi, cell: i });
            }
        }
    }
    out
}

/// How far above a first row label a column header may be found.
const HEADER_SEARCH_ROWS: u32 = 8;

/// Cells by the key of their label without its ordinal, for finding anchors
/// without comparing every cell with every label.
pub(crate) type AnchorIndex<'g> = HashMap<&'g str, Vec<(usize, usize)>>;

fn anchor_index(grids: &[Grid]) -> AnchorIndex<'_> {
    let mut m: AnchorIndex = HashMap::with_capacity(grids.iter().map(|g| g.cells.len()).sum());
    for (gi, g) in grids.iter().enumerate() {
        for i in 0..g.cells.len() {
            m.entry(crate::labels::strip_ordinal(g.key(i))).or_default().push((gi, i));
        }
    }
    m
}

fn anchor_keys(b: &Block) -> Vec<String> {
    if b.heading.is_some() {
        b.heading_keys.clone()
    } else if let Some(r) = b.row_leaves.first().filter(|r| !r.label.is_empty()) {
        r.keys.clone()
    } else if let Some(c) = b.columns.first() {
        c.keys.clone()
    } else {
        Vec::new()
    }
}

fn map_block(
    file: &str,
    grids: &[Grid],
    b: &Block,
    report: &mut Report,
    used: &mut Used,
    ed: &Edition,
    index: &AnchorIndex<'_>,
) -> Option<usize> {
    // Cells whose label matches exactly (up to its ordinal) first; only if
    // none of them leads to the table, every cell with the tolerant match.
    let keys = anchor_keys(b);
    let mut exact: Vec<(usize, usize)> = keys
        .iter()
        .filter_map(|k| index.get(crate::labels::strip_ordinal(k)))
        .flatten()
        .copied()
        .filter(|&(gi, i)| !used.contains(gi, i) && keys_match(grids[gi].key(i), &keys))
        .collect();
    exact.sort_unstable();
    exact.dedup();
    for &(grid, cell) in &exact {
        if let Some(n) = try_anchor(file, grids, b, report, used, ed, Anchor { grid, cell }) {
            return Some(n);
        }
    }
    for a in anchors(grids, b, used) {
        if exact.contains(&(a.grid, a.cell)) {
            continue;
        }
        if let Some(n) = try_anchor(file, grids, b, report, used, ed, a) {
            return Some(n);
        }
    }
    None
}

/// Where a row leaf was found.
struct RowHit {
    row: u32,
    /// The label cells that name it.
    labels: Vec<usize>,
    /// Unaligned grids: the value cells in column order (`None` for an empty
    /// field), or the row's values when they are not as many as columns.
    values: Option<Result<Vec<Option<usize>>, Vec<usize>>>,
    /// The row ends in empty fields that may be blank cells (the table's
    /// other rows do not end so): a missing value may be a blank, so it is
    /// never recovered.
    blank_tail: bool,
}

/// What an anchor leads to, decided before anything is changed.
struct Plan {
    /// Aligned grids: each column leaf's grid column and header cell.
    cols: Vec<Option<(u32, usize)>>,
    /// Each row leaf's row.
    rows: Vec<Option<RowHit>>,
    /// Further label cells of the block (group labels, parent columns, the
    /// corner, bare ordinals, fragments of wrapped labels).
    labels: Vec<usize>,
    /// Unaligned grids: a group printed as one row where the edition has a
    /// row per item (2021's （六）其他处理 printed as in 2019): the items'
    /// leaf indices and the row.
    groups: Vec<(std::ops::Range<usize>, RowHit)>,
    /// Aligned grids: the first column of values (left of it, labels).
    first_value_col: u32,
}

fn try_anchor(
    file: &str,
    grids: &[Grid],
    b: &Block,
    report: &mut Report,
    used: &mut Used,
    ed: &Edition,
    a: Anchor,
) -> Option<usize> {
    let g = &grids[a.grid];
    let plan = if g.aligned {
        plan_aligned(g, a.grid, b, used, a.cell, ed)?
    } else {
        plan_unaligned(g, a.grid, b, used, a.cell, ed)?
    };
    Some(commit(file, g, a.grid, a.cell, b, plan, report, used, ed))
}

/// Plan a block in an aligned grid: columns by their header labels, rows by
/// their labels left of the values.
fn plan_aligned(g: &Grid, gi: usize, b: &Block, used: &Used, anchor: usize, ed: &Edition) -> Option<Plan> {
    let ac = &g.cells[anchor];
    let sfx = ed.suffixes(None);
    let (cols, h_from, h_to, header_bottom) = find_columns(g, gi, b, used, ac);
    let found_cols = cols.iter().flatten().count();
    if found_cols * 2 < b.col_leaves.len().max(1) {
        return None;
    }
    let first_value_col = cols.iter().flatten().map(|(c, _)| *c).min().unwrap_or(0);
    let mut rows = find_rows(g, gi, b, used, ac, header_bottom, first_value_col);
    let start = if b.heading.is_some() { header_bottom } else { ac.row };
    let groups = if is_unlabelled(b) {
        Vec::new()
    } else {
        recover_rows(g, gi, b, used, &mut rows, start, first_value_col, sfx)
    };
    let in_groups: usize = groups.iter().map(|(r, _)| r.len()).sum();
    let found_rows = rows.iter().flatten().count() + in_groups;
    if found_rows * 2 < b.row_leaves.len().max(1) {
        return None;
    }
    // A value merged down over several rows belongs to its top row: such a
    // layout is not this block.
    if b.row_leaves.len() > 1 {
        for r in rows.iter().flatten() {
            for (col, _) in cols.iter().flatten() {
                if let Some(vi) = g.at(r.row, *col) {
                    let vc = &g.cells[vi];
                    if vc.row != r.row && vc.rowspan > 1 {
                        return None;
                    }
                }
            }
        }
    }
    let mut plan = Plan { cols, rows, labels: Vec::new(), groups, first_value_col };
    plan.labels = block_labels(g, gi, b, used, ac, &plan, (h_from, h_to, header_bottom));
    Some(plan)
}

/// Column leaves by their header labels, left to right: each leaf's column
/// and header cell; the rows searched for headers; the row below them.
/// Each column leaf's grid column and header cell.
type Columns = Vec<Option<(u32, usize)>>;

fn find_columns(g: &Grid, gi: usize, b: &Block, used: &Used, ac: &Cell) -> (Columns, u32, u32, u32) {
    let depth = b.header_rows() as u32;
    // Rows where the column headers may be.
    let (h_from, h_to) = if b.heading.is_some() {
        (ac.row + ac.rowspan, ac.row + ac.rowspan + depth + 2)
    } else if b.row_leaves.first().is_some_and(|r| !r.label.is_empty()) {
        (ac.row.saturating_sub(HEADER_SEARCH_ROWS), ac.row)
    } else {
        (ac.row, ac.row + depth + 1)
    };
    // Column leaves, left to right.
    let mut cols: Vec<Option<(u32, usize)>> = Vec::with_capacity(b.col_leaves.len());
    let mut last_col: Option<u32> = None;
    let mut header_bottom = h_from;
    for leaf in &b.col_leaves {
        let hit = g
            .rows(h_from, h_to)
            .filter(|&i| {
                let c = &g.cells[i];
                last_col.is_none_or(|l| c.col > l) && !used.contains(gi, i) && keys_match(g.key(i), &leaf.keys)
            })
            .min_by_key(|&i| (g.cells[i].col, g.cells[i].row));
        if let Some(i) = hit {
            last_col = Some(g.cells[i].col);
            header_bottom = header_bottom.max(g.cells[i].row + g.cells[i].rowspan);
        }
        cols.push(hit.map(|i| (g.cells[i].col, i)));
    }
    (cols, h_from, h_to, header_bottom)
}

/// Row leaves by their labels, top to bottom, left of the values.
fn find_rows(
    g: &Grid,
    gi: usize,
    b: &Block,
    used: &Used,
    ac: &Cell,
    header_bottom: u32,
    first_value_col: u32,
) -> Vec<Option<RowHit>> {
    let mut rows: Vec<Option<RowHit>> = Vec::with_capacity(b.row_leaves.len());
    if is_unlabelled(b) {
        rows.push(Some(RowHit { row: header_bottom, labels: Vec::new(), values: None, blank_tail: false }));
    } else {
        let start = if b.heading.is_some() { header_bottom } else { ac.row };
        let limit = start + 3 * b.row_leaves.len() as u32 + 10;
        let mut last_row: Option<u32> = None;
        for leaf in &b.row_leaves {
            let from = last_row.map_or(start, |l| l + 1).max(start);
            // Cells are sorted by (row, column): the first hit is the topmost.
            let hit = g.rows(from, limit).find(|&i| {
                let c = &g.cells[i];
                c.col < first_value_col && !used.contains(gi, i) && keys_match(g.key(i), &leaf.keys)
            });
            if let Some(i) = hit {
                last_row = Some(g.cells[i].row);
            }
            rows.push(hit.map(|i| RowHit { row: g.cells[i].row, labels: vec![i], values: None, blank_tail: false }));
        }
    }
    rows
}

/// Rows not found by their labels: between the rows found around them, the
/// next row by a label with a typo, or a group printed as one row. The
/// groups found.
#[allow(clippy::too_many_arguments)]
fn recover_rows(
    g: &Grid,
    gi: usize,
    b: &Block,
    used: &Used,
    rows: &mut [Option<RowHit>],
    start: u32,
    first_value_col: u32,
    sfx: &Suffixes,
) -> Vec<(std::ops::Range<usize>, RowHit)> {
    let mut groups: Vec<(std::ops::Range<usize>, RowHit)> = Vec::new();
    if !is_unlabelled(b) {
        let label_cells = |rows: &[Option<RowHit>], from: u32, to: u32| -> Vec<Vec<usize>> {
            let mut out: Vec<Vec<usize>> = Vec::new();
            let mut last: Option<u32> = None;
            for i in g.rows(from, to) {
                let c = &g.cells[i];
                if c.col >= first_value_col
                    || used.contains(gi, i)
                    || rows.iter().flatten().any(|r| r.labels.contains(&i))
                {
                    continue;
                }
                if last != Some(c.row) {
                    out.push(Vec::new());
                    last = Some(c.row);
                }
                if let Some(v) = out.last_mut() {
                    v.push(i);
                }
            }
            out
        };
        let bounds = |rows: &[Option<RowHit>], j: usize| {
            let before = rows[..j].iter().flatten().map(|r| r.row + 1).max().unwrap_or(start);
            let after = rows[j + 1..].iter().flatten().map(|r| r.row).min().unwrap_or(before + 4);
            (before, after)
        };
        for j in 0..rows.len() {
            if rows[j].is_some() {
                continue;
            }
            let (from, to) = bounds(rows, j);
            let hit = label_cells(rows, from, to).into_iter().find(|own| near_label(g, own, &b.row_leaves[j].keys));
            if let Some(own) = hit {
                rows[j] = Some(RowHit { row: g.cells[own[0]].row, labels: own, values: None, blank_tail: false });
            }
        }
        for (keys, items) in item_groups(b) {
            if items.clone().any(|j| rows[j].is_some()) {
                continue;
            }
            let (from, to) = bounds(rows, items.start);
            let candidates = label_cells(rows, from, to);
            // The group's own label, set as one row, alone in its row, and
            // the only row of values where its items would be.
            let hit = candidates.iter().find(|own| {
                own.len() == 1 && own.iter().all(|&i| g.cells[i].rowspan == 1 && keys_match(g.key(i), keys))
            });
            let value_rows = (from..to)
                .filter(|&r| {
                    g.rows(r, r + 1).any(|i| g.cells[i].col >= first_value_col && is_value(&g.cells[i].text, sfx))
                })
                .count();
            if let Some(own) = hit.filter(|_| value_rows == 1) {
                groups.push((
                    items,
                    RowHit { row: g.cells[own[0]].row, labels: own.clone(), values: None, blank_tail: false },
                ));
            }
        }
    }
    groups
}

/// The other labels of the block: group labels, parent column labels, the
/// corner, bare ordinals, headers repeated on a new page. Cells already
/// accounted for are skipped.
fn block_labels(
    g: &Grid,
    gi: usize,
    b: &Block,
    used: &Used,
    ac: &Cell,
    plan: &Plan,
    header: (u32, u32, u32),
) -> Vec<usize> {
    let (h_from, h_to, header_bottom) = header;
    let (rows, groups, first_value_col) = (&plan.rows, &plan.groups, plan.first_value_col);
    let col_nodes = nodes(&b.columns);
    let row_nodes = nodes(&b.rows);
    let text = &b.label_text;
    let last_data_row =
        rows.iter().flatten().chain(groups.iter().map(|(_, r)| r)).map(|r| r.row).max().unwrap_or(header_bottom);
    let data_rows: HashSet<u32> = rows.iter().flatten().chain(groups.iter().map(|(_, r)| r)).map(|r| r.row).collect();
    // The plan's row labels and column headers are accounted for already.
    let mut planned: Vec<usize> = rows
        .iter()
        .flatten()
        .flat_map(|r| r.labels.iter().copied())
        .chain(plan.cols.iter().flatten().map(|&(_, i)| i))
        .collect();
    planned.sort_unstable();
    let mut labels = Vec::new();
    for i in g.rows(h_from, last_data_row + 1) {
        if used.contains(gi, i) || planned.binary_search(&i).is_ok() {
            continue;
        }
        let c = &g.cells[i];
        let k = g.key(i);
        if c.col >= first_value_col && c.row >= header_bottom {
            // A value cell, or the header repeated where a table continues
            // on the next page.
            let repeated = !data_rows.contains(&c.row)
                && (col_nodes.iter().any(|n| keys_match(k, &n.keys)) || keys_match(k, &b.corner_keys));
            if repeated {
                labels.push(i);
            }
            continue;
        }
        let in_header = c.row < header_bottom.max(h_to.min(header_bottom + 1));
        let in_labels = c.col < first_value_col;
        let is_label = (in_header && col_nodes.iter().any(|n| keys_match(k, &n.keys)))
            || (in_labels
                && c.row >= header_bottom
                && (is_piece(text, k) || (!data_rows.contains(&c.row) && keys_match(k, &b.corner_keys))))
            || ((in_header || in_labels) && keys_match(k, &b.corner_keys))
            || (in_labels
                && c.row >= header_bottom.min(ac.row)
                && (row_nodes.iter().any(|n| keys_match(k, &n.keys)) || is_bare_ordinal(k)));
        if is_label {
            labels.push(i);
        }
    }
    labels
}

fn is_unlabelled(b: &Block) -> bool {
    b.row_leaves.len() == 1 && b.row_leaves[0].label.is_empty()
}

/// A field that reads as a number, a signed change, an amount with its unit,
/// or a dash.
pub fn is_value(text: &str, suffixes: &Suffixes) -> bool {
    may_be_value(text, suffixes) && matches!(parse_cell(text, Kind::Signed, suffixes), Parsed::Value(_) | Parsed::Dash)
}

/// One row of an unaligned grid: its label cells, then its value fields.
struct Line {
    row: u32,
    labels: Vec<usize>,
    values: Vec<Option<usize>>,
    /// Empty fields after the last value (blank cells at the row's end, or
    /// nothing: a tab layout cannot tell).
    trailing: usize,
}

/// The rows of an unaligned grid from `from` to `to`, cells not yet used.
/// A row's values start right after its last label (empty fields there are
/// blank cells) and run to its end.
fn lines(g: &Grid, gi: usize, used: &Used, from: u32, to: u32, sfx: &Suffixes) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut row_cells: Vec<usize> = Vec::new();
    let range: Vec<usize> = g.rows(from, to).filter(|&i| !used.contains(gi, i)).collect();
    let mut k = 0;
    while k < range.len() {
        let row = g.cells[range[k]].row;
        row_cells.clear();
        while k < range.len() && g.cells[range[k]].row == row {
            row_cells.push(range[k]);
            k += 1;
        }
        let blank = |i: usize| g.cells[i].text.trim().is_empty();
        let first_value = row_cells.iter().position(|&i| is_value(&g.cells[i].text, sfx));
        let Some(fv) = first_value else {
            let labels = row_cells.iter().copied().filter(|&i| !blank(i)).collect();
            out.push(Line { row, labels, values: Vec::new(), trailing: 0 });
            continue;
        };
        let labels: Vec<usize> = row_cells[..fv].iter().copied().filter(|&i| !blank(i)).collect();
        let start = row_cells[..fv].iter().rposition(|&i| !blank(i)).map_or(0, |p| p + 1);
        let mut values: Vec<Option<usize>> = row_cells[start..].iter().map(|&i| (!blank(i)).then_some(i)).collect();
        let mut trailing = 0;
        while values.last().is_some_and(Option::is_none) {
            values.pop();
            trailing += 1;
        }
        out.push(Line { row, labels, values, trailing });
    }
    out
}

/// Is `cell` the first line of the label `k` wrapped over lines: the same
/// ordinal, and at least six characters of its text?
fn begins_label(cell: &str, k: &str) -> bool {
    let (cs, ks) = (strip_ordinal(cell), strip_ordinal(k));
    cs.len() < cell.len()
        && cell[..cell.len() - cs.len()] == k[..k.len() - ks.len()]
        && cs.chars().count() >= 6
        && ks.starts_with(cs)
        && cs != ks
}

/// Is a cell (key `k`) a piece of one of the labels in `text` ([`Block::label_text`](crate::edition::Block))?
fn is_piece(text: &str, k: &str) -> bool {
    let ks = strip_ordinal(k);
    !k.is_empty() && (is_bare_ordinal(k) || text.contains(k) || (ks.chars().count() >= 2 && text.contains(ks)))
}

/// Does a row's label text (with text carried over from label-only rows
/// before it) name a label (`keys`: its keys and its variants')? Labels are
/// tolerated broken over lines, with other label pieces in between (a
/// group label set beside them): the row may carry the end of the label, or
/// only its beginning.
fn names_label(g: &Grid, own: &[usize], carried: &[String], keys: &[String]) -> bool {
    if own.iter().any(|&i| keys_match(g.key(i), keys)) {
        return true;
    }
    let joined: String = own.iter().map(|&i| g.key(i)).collect();
    let mut candidates: Vec<String> = own.iter().map(|&i| g.key(i).to_string()).collect();
    candidates.push(joined.clone());
    for lk in keys {
        // Carried lines that are pieces of this label, then every run of
        // them that ends at the row.
        let ls = strip_ordinal(lk);
        let pieces: Vec<&String> = carried
            .iter()
            .filter(|c| {
                let cs = strip_ordinal(c);
                !cs.is_empty() && (lk.contains(c.as_str()) || ls.contains(cs))
            })
            .collect();
        for s in 0..pieces.len() {
            let run: String = pieces[s..].iter().map(|p| p.as_str()).collect();
            candidates.push(format!("{run}{joined}"));
        }
    }
    // Numbers written on both sides must agree: `8.属于行政` is not the
    // beginning of `7.属于行政执法案卷`.
    let number = |x: &str| -> String {
        let body = strip_ordinal(x);
        x[..x.len() - body.len()].chars().filter(char::is_ascii_digit).collect()
    };
    keys.iter().any(|lk| {
        let ls = strip_ordinal(lk);
        let ln = number(lk);
        candidates.iter().filter(|c| !c.is_empty()).any(|c| {
            if keys_match(c, std::slice::from_ref(lk)) || c.ends_with(lk.as_str()) {
                return true;
            }
            let cn = number(c);
            if !cn.is_empty() && !ln.is_empty() && cn != ln {
                return false;
            }
            let cs = strip_ordinal(c);
            (ls.chars().count() >= 2 && c.ends_with(ls)) || (cs.chars().count() >= 4 && ls.starts_with(cs))
        })
    })
}

/// A looser test for the row expected next: the same ordinal, and at most
/// one edit in four characters (`2.其他法律行政止公开` for
/// `2.其他法律行政法规禁止公开`).
fn near_label(g: &Grid, own: &[usize], keys: &[String]) -> bool {
    own.iter().any(|&i| {
        let k = g.key(i);
        let ks = strip_ordinal(k);
        keys.iter().any(|lk| {
            let ls = strip_ordinal(lk);
            let n = ls.chars().count();
            ks.len() < k.len()
                && k[..k.len() - ks.len()] == lk[..lk.len() - ls.len()]
                && n >= 6
                && crate::labels::levenshtein(ks, ls, n / 4 + 1) <= n / 4
        })
    })
}

/// Groups of rows whose children are all items: their keys and the range of
/// their leaves.
fn item_groups(b: &Block) -> Vec<(&[String], std::ops::Range<usize>)> {
    fn walk<'a>(n: &'a Node, at: &mut usize, out: &mut Vec<(&'a [String], std::ops::Range<usize>)>) {
        if n.children.is_empty() {
            *at += 1;
            return;
        }
        let start = *at;
        for c in &n.children {
            walk(c, at, out);
        }
        if n.children.iter().all(|c| c.children.is_empty()) {
            out.push((&n.keys, start..*at));
        }
    }
    let mut out = Vec::new();
    let mut at = 0;
    for n in &b.rows {
        walk(n, &mut at, &mut out);
    }
    out
}

/// Plan a block in an unaligned grid: rows by their labels in order, values
/// by their order in the row.
fn plan_unaligned(g: &Grid, gi: usize, b: &Block, used: &Used, anchor: usize, ed: &Edition) -> Option<Plan> {
    let ac = &g.cells[anchor];
    let n = b.col_leaves.len();
    let sfx = ed.suffixes(None);
    let start = if b.heading.is_some() { ac.row + ac.rowspan } else { ac.row };
    // 表四's header may come one word per line before its one row.
    let limit = start + 4 * b.row_leaves.len() as u32 + if is_unlabelled(b) { 40 } else { 12 };
    let text = &b.label_text;
    let piece = |k: &str| is_piece(text, k);
    // Header words run together on one line: each a piece of a label.
    let fragment = |i: usize| {
        piece(g.key(i)) || {
            let mut words = g.cells[i].text.split_whitespace().map(key).peekable();
            words.peek().is_some() && words.all(|w| piece(&w))
        }
    };
    let labelled = !is_unlabelled(b);
    let fit = |line: &Line| -> Result<Vec<Option<usize>>, Vec<usize>> {
        let values = line.values.as_slice();
        // After a label, an empty field before the first number may be a
        // blank cell or the gap a merged label leaves: such fields are not
        // counted, so a row is never shifted. A row without a label (表四)
        // keeps them: they are its blank cells.
        let mut v = values;
        while v.first().is_some_and(Option::is_none) && (labelled || v.len() > n) {
            v = &v[1..];
        }
        if v.len() == n {
            Ok(v.to_vec())
        } else {
            Err(v.iter().flatten().copied().collect())
        }
    };
    // Do the table's full rows end in empty fields (a layout habit, as when
    // every line ends with a tab)? Then such fields are no cells.
    let all = lines(g, gi, used, start, limit, sfx);
    let core = |l: &Line| l.values.len() - l.values.iter().take_while(|v| v.is_none()).count();
    let full_with_tail = all.iter().filter(|l| core(l) == n && l.trailing > 0).count();
    let full_without = all.iter().filter(|l| core(l) == n && l.trailing == 0).count();
    let tail_is_layout = full_with_tail > full_without;
    let blank_tail = |line: &Line| line.trailing > 0 && !tail_is_layout;
    let mut rows: Vec<Option<RowHit>> = Vec::with_capacity(b.row_leaves.len());
    let mut found_groups: Vec<(std::ops::Range<usize>, RowHit)> = Vec::new();
    let mut labels = Vec::new();
    let mut last_row = start;
    if is_unlabelled(b) {
        // 表四: the first row of values below the header; any text in it
        // must be pieces of the column labels.
        let hit = all.into_iter().find(|l| !l.values.is_empty() && l.labels.iter().all(|&i| fragment(i)))?;
        last_row = hit.row;
        rows.push(Some(RowHit {
            row: hit.row,
            labels: hit.labels.clone(),
            values: Some(fit(&hit)),
            blank_tail: blank_tail(&hit),
        }));
    } else {
        // A row naming another block of the same table ends this one.
        let table = ed.cells.get(b.first_cell).and_then(|c| ed.tables.get(c.table));
        let other_headings: Vec<&[String]> = table
            .map(|t| t.blocks.iter().filter(|x| x.heading.is_some() && x.heading != b.heading))
            .into_iter()
            .flatten()
            .map(|x| x.heading_keys.as_slice())
            .collect();
        let groups = item_groups(b);
        let mut k = 0usize;
        let mut carried: Vec<String> = Vec::new();
        // A row of values that named nothing: labels carried from above no
        // longer belong to the rows below (labels set under their values).
        let mut lost = false;
        // A group printed as one row stands for its items only if the next
        // row of values is a row after them.
        let mut pending_group = false;
        for line in all {
            if k >= b.row_leaves.len() {
                break;
            }
            if line.labels.iter().any(|&i| other_headings.iter().any(|h| keys_match(g.key(i), h))) {
                break;
            }
            if line.values.is_empty() {
                carried.extend(line.labels.iter().map(|&i| g.key(i).to_string()));
                continue;
            }
            if lost {
                carried.clear();
            }
            if pending_group {
                pending_group = false;
                let after = (k..(k + 4).min(b.row_leaves.len()))
                    .any(|j| names_label(g, &line.labels, &carried, &b.row_leaves[j].keys))
                    || (k < b.row_leaves.len() && near_label(g, &line.labels, &b.row_leaves[k].keys));
                if !after {
                    // More rows of values after the group row: it was not
                    // the whole group; its items stay not found.
                    if let Some((r, _)) = found_groups.pop() {
                        rows.truncate(r.start);
                        k = r.start;
                    }
                }
            }
            let window = k..(k + 4).min(b.row_leaves.len());
            let hit = window
                .clone()
                .find(|&j| names_label(g, &line.labels, &carried, &b.row_leaves[j].keys))
                .or_else(|| near_label(g, &line.labels, &b.row_leaves[k].keys).then_some(k));
            // A group row: its own label only, nothing of an item's.
            let group = || {
                groups.iter().find(|(keys, r)| {
                    window.contains(&r.start)
                        && line.labels.len() == 1
                        && line.labels.iter().all(|&i| keys_match(g.key(i), keys))
                })
            };
            let row_hit = RowHit {
                row: line.row,
                labels: line.labels.clone(),
                values: Some(fit(&line)),
                blank_tail: blank_tail(&line),
            };
            if let Some(j) = hit {
                rows.resize_with(j, || None);
                rows.push(Some(row_hit));
                k = j + 1;
                last_row = line.row;
                lost = false;
            } else if let Some((_, r)) = group() {
                rows.resize_with(r.end, || None);
                k = r.end;
                last_row = line.row;
                found_groups.push((r.clone(), row_hit));
                pending_group = true;
            } else if line.labels.is_empty() && carried.is_empty() {
                // Numbers with nothing above or beside them to name them.
                lost = true;
            }
            carried.clear();
        }
        rows.resize_with(b.row_leaves.len(), || None);
        let in_groups: usize = found_groups.iter().map(|(r, _)| r.len()).sum();
        if (rows.iter().flatten().count() + in_groups) * 2 < b.row_leaves.len().max(1) {
            return None;
        }
    }
    // Label pieces: wrapped labels, vertical characters, header rows above
    // a block anchored at its first row.
    let from =
        if b.heading.is_none() && !is_unlabelled(b) { ac.row.saturating_sub(2 * HEADER_SEARCH_ROWS) } else { ac.row };
    let taken: std::collections::HashSet<usize> = rows
        .iter()
        .flatten()
        .chain(found_groups.iter().map(|(_, r)| r))
        .flat_map(|r| r.labels.iter().copied().chain(r.values.iter().flatten().flatten().flatten().copied()))
        .collect();
    for i in g.rows(from, last_row + 1) {
        if i != anchor
            && !used.contains(gi, i)
            && !taken.contains(&i)
            && !is_value(&g.cells[i].text, sfx)
            && fragment(i)
        {
            labels.push(i);
        }
    }
    Some(Plan { cols: Vec::new(), rows, labels, groups: found_groups, first_value_col: 0 })
}

/// Carry out a plan: mark its labels used and read its values. Every row and
/// column of the block is either read or reported; none disturbs another.
#[allow(clippy::too_many_arguments)]
fn commit(
    file: &str,
    g: &Grid,
    gi: usize,
    anchor: usize,
    b: &Block,
    plan: Plan,
    report: &mut Report,
    used: &mut Used,
    ed: &Edition,
) -> usize {
    let mut c = Commit { file, g, gi, b, ed, sfx: ed.suffixes(None), report, used, located: 0 };
    c.used.mark(gi, anchor);
    for &i in plan.labels.iter().chain(plan.cols.iter().flatten().map(|(_, i)| i)) {
        c.used.mark(gi, i);
    }
    for r in plan.rows.iter().flatten() {
        for &i in &r.labels {
            c.used.mark(gi, i);
        }
    }
    let recovered = c.groups(&plan);
    for (ri, r) in plan.rows.iter().enumerate() {
        if recovered.contains(&ri) {
            continue;
        }
        match r {
            None => c.row_not_found(ri),
            Some(r) => c.row(&plan, ri, r),
        }
    }
    c.columns_not_found(&plan);
    c.located
}

/// What carrying out a plan reads from and writes to.
struct Commit<'a> {
    file: &'a str,
    g: &'a Grid,
    gi: usize,
    b: &'a Block,
    ed: &'a Edition,
    sfx: &'a Suffixes,
    report: &'a mut Report,
    used: &'a mut Used,
    /// Value cells located so far.
    located: usize,
}

impl Commit<'_> {
    fn warn(&mut self, code: &str, message: String, source: Option<Source>) {
        self.report.warnings.push(Warning { code: code.into(), message, source });
    }

    /// The source of a row's first label cell.
    fn label_source(&self, r: &RowHit) -> Option<Source> {
        r.labels.first().map(|&i| source(self.file, self.g, &self.g.cells[i]))
    }

    /// A row's numbers, accounted for by a warning about the row.
    fn account_numbers(&mut self, row: u32) {
        for i in self.g.rows(row, row + 1) {
            if is_value(&self.g.cells[i].text, self.sfx) {
                self.used.mark(self.gi, i);
            }
        }
    }

    /// Groups printed as one row: their items are known only when the row
    /// is all zeros (items are non-negative and add up to the group). The
    /// items recovered.
    fn groups(&mut self, plan: &Plan) -> Vec<usize> {
        let (g, b) = (self.g, self.b);
        let mut recovered = Vec::new();
        for (items, r) in &plan.groups {
            let values: Vec<Option<usize>> = match &r.values {
                Some(Ok(v)) => v.clone(),
                Some(Err(_)) => continue,
                None => plan.cols.iter().map(|c| c.and_then(|(col, _)| g.at(r.row, col))).collect(),
            };
            if values.is_empty() || !values.iter().all(|c| c.is_some_and(|i| is_zero(&g.cells[i].text, self.sfx))) {
                continue;
            }
            for i in r.labels.iter().chain(values.iter().flatten()) {
                self.used.mark(self.gi, *i);
            }
            let first = self.label_source(r);
            let names: Vec<&str> = items.clone().map(|ri| b.row_leaves[ri].label.as_str()).collect();
            self.warn(
                "READ-RECOVERED",
                format!(
                    "“{}”印成了一行且各数均为 0；本格式把它分为 {} 项（{}），各项均为非负数、合计为 0，故均按 0 读取",
                    r.labels.iter().map(|&i| g.cells[i].text.trim()).collect::<Vec<_>>().join(""),
                    names.len(),
                    names.join("；")
                ),
                first.clone(),
            );
            for ri in items.clone() {
                self.located += set_zeros(self.report, self.ed, b, ri, first.as_ref());
                recovered.push(ri);
            }
        }
        recovered
    }

    fn row_not_found(&mut self, ri: usize) {
        let name = row_name(self.ed, self.b, &self.b.row_leaves[ri]);
        self.warn("READ-ROW-NOT-FOUND", format!("没有找到“{name}”这一行，该行数字均按空白处理"), None);
    }

    /// Read one row found: by its headers' columns (aligned grids), or by
    /// its values in order (unaligned).
    fn row(&mut self, plan: &Plan, ri: usize, r: &RowHit) {
        let (g, b) = (self.g, self.b);
        let name = row_name(self.ed, b, &b.row_leaves[ri]);
        match &r.values {
            None if misaligned(g, r.row, plan, self.sfx) => {
                if let Some(values) = in_order(g, r.row, plan, self.sfx) {
                    // Merged otherwise than the header, but as many numbers
                    // as columns and nothing else in the row: read in order.
                    let src = self.label_source(r);
                    self.warn(
                        "READ-RECOVERED",
                        format!(
                            "“{name}”一行的单元格与表头合并方式不同，但数字个数（{}）与列数相同，且该行别无他物，按顺序逐列读取",
                            values.len()
                        ),
                        src,
                    );
                    for (ci, &vi) in values.iter().enumerate() {
                        self.located += 1;
                        self.used.mark(self.gi, vi);
                        let src = source(self.file, g, &g.cells[vi]);
                        read_value(self.report, self.ed, b.cell_index(ri, ci), &g.cells[vi], src);
                    }
                    for &i in &r.labels {
                        self.used.mark(self.gi, i);
                    }
                    return;
                }
                // Left blank and reported, never read shifted.
                let src = self.label_source(r);
                self.warn(
                    "READ-ROW-COUNT",
                    format!("“{name}”一行的数字与表头的列对不齐（单元格合并或缺失），无法确定各数字属于哪一列，该行按空白处理"),
                    src,
                );
                self.account_numbers(r.row);
            }
            None => {
                for (ci, col) in plan.cols.iter().enumerate() {
                    let Some((col, _)) = col else { continue };
                    self.located += 1;
                    let Some(vi) = g.at(r.row, *col).filter(|&vi| g.cells[vi].col == *col) else { continue };
                    self.used.mark(self.gi, vi);
                    let src = source(self.file, g, &g.cells[vi]);
                    read_value(self.report, self.ed, b.cell_index(ri, ci), &g.cells[vi], src);
                }
            }
            Some(Err(found)) => self.short_row(ri, r, found, &name),
            Some(Ok(values)) => {
                for (ci, v) in values.iter().enumerate() {
                    self.located += 1;
                    let Some(vi) = v else { continue };
                    self.used.mark(self.gi, *vi);
                    let vc = &g.cells[*vi];
                    let mut src = source(self.file, g, vc);
                    // In published text, the column is the value's place in its row.
                    src.column = Some(ci as u32 + 1);
                    read_value(self.report, self.ed, b.cell_index(ri, ci), vc, src);
                }
            }
        }
    }

    /// A row of published text with more or fewer numbers than columns:
    /// recovered when an identity proves it, else blank and reported.
    fn short_row(&mut self, ri: usize, r: &RowHit, found: &[usize], name: &str) {
        let (g, b, ed) = (self.g, self.b, self.ed);
        let src = self.label_source(r);
        let (got, cols) = (found.len(), b.col_leaves.len());
        let texts = found.iter().map(|&i| g.cells[i].text.as_str());
        if let Some(rule) = zero_row(ed, b, ri, texts).filter(|_| !r.blank_tail) {
            for &i in r.labels.iter().chain(found) {
                self.used.mark(self.gi, i);
            }
            self.warn(
                "READ-RECOVERED",
                format!(
                    "“{name}”一行应有 {cols} 个数字，找到 {got} 个且均为 0；按 {}（{}）且各数非负，缺的一格也只能是 0，整行按 0 读取",
                    rule.code, rule.title
                ),
                src.clone(),
            );
            self.located += set_zeros(self.report, ed, b, ri, src.as_ref());
            return;
        }
        self.warn(
            "READ-ROW-COUNT",
            format!(
                "“{name}”一行应有 {cols} 个数字，找到 {got} 个，无法确定各数字属于哪一列，该行按空白处理（可能是从 PDF 复制时丢失了列）"
            ),
            src,
        );
        self.account_numbers(r.row);
    }

    fn columns_not_found(&mut self, plan: &Plan) {
        for (ci, col) in plan.cols.iter().enumerate() {
            if col.is_none() {
                let what = self.b.col_leaves[ci].path.join(" / ");
                let message = format!("{}：没有找到“{what}”这一列，该列数字均按空白处理", grid_where(self.g));
                self.warn("READ-COLUMN-NOT-FOUND", message, None);
            }
        }
    }
}

/// Set every cell of row leaf `ri` to a recovered 0; how many.
fn set_zeros(report: &mut Report, ed: &Edition, b: &Block, ri: usize, src: Option<&Source>) -> usize {
    for ci in 0..b.col_leaves.len() {
        let cell = b.cell_index(ri, ci);
        set_cell(report, ed, cell, Some(Number::ZERO));
        let def = &ed.cells[cell];
        if let Some(s) = src {
            report.provenance.insert(def.id.clone(), s.clone());
        }
    }
    b.col_leaves.len()
}

/// Does a value read as zero?
fn is_zero(text: &str, suffixes: &Suffixes) -> bool {
    matches!(parse_cell(text, Kind::Count, suffixes), Parsed::Value(v) if v == Number::ZERO)
}

/// A row one number short whose numbers are all zero is all zero when an
/// identity of the edition ties exactly its cells together (a total and its
/// parts, all non-negative): whichever cell was lost, it is 0. The rule.
fn zero_row<'e, 'a>(ed: &'e Edition, b: &Block, ri: usize, found: impl Iterator<Item = &'a str>) -> Option<&'e Rule> {
    let sfx = ed.suffixes(None);
    let mut n = 0;
    for t in found {
        if !is_zero(t, sfx) {
            return None;
        }
        n += 1;
    }
    let cols = b.col_leaves.len();
    if n + 1 != cols {
        return None;
    }
    let ids: HashSet<&str> =
        (0..cols).filter_map(|ci| ed.cells.get(b.cell_index(ri, ci))).map(|c| c.id.as_str()).collect();
    if ids.iter().any(|id| ed.cell(id).is_some_and(|c| c.kind == Kind::Signed)) {
        return None;
    }
    ed.rules.iter().find(|r| {
        let terms: Vec<&Term> = r.left.iter().chain(&r.right).collect();
        r.op == Op::Eq
            && terms.len() == cols
            && terms
                .iter()
                .all(|t| matches!(t, Term::Cell { id, negative: false, previous: false } if ids.contains(id.as_str())))
    })
}

/// Does a row of an aligned grid fail to line up with the block's headers:
/// a number among the labels, a number not under a header's column, or a
/// label reaching into the values?
fn misaligned(g: &Grid, row: u32, plan: &Plan, sfx: &Suffixes) -> bool {
    let fv = plan.first_value_col;
    g.rows(row, row + 1).any(|i| {
        let c = &g.cells[i];
        let number = is_value(&c.text, sfx);
        if c.col < fv {
            number || c.col + c.colspan > fv
        } else {
            let under = plan.cols.iter().flatten().filter(|(col, _)| c.col <= *col && *col < c.col + c.colspan).count();
            let at_header = plan.cols.iter().flatten().any(|(col, _)| *col == c.col);
            number && (under > 1 || (!at_header && !in_missing_column(plan, c.col)))
        }
    })
}

/// A misaligned row's values in order, when that is provable: every column
/// of the block was found, the row's non-empty cells right of the labels
/// are all values and exactly as many as the columns, and no number stands
/// among the labels.
fn in_order(g: &Grid, row: u32, plan: &Plan, sfx: &Suffixes) -> Option<Vec<usize>> {
    let fv = plan.first_value_col;
    if plan.cols.iter().any(Option::is_none) {
        return None;
    }
    let mut values: Vec<usize> = Vec::new();
    for i in g.rows(row, row + 1) {
        let c = &g.cells[i];
        if c.text.trim().is_empty() {
            continue;
        }
        let number = is_value(&c.text, sfx);
        if c.col < fv {
            if number || c.col + c.colspan > fv {
                return None;
            }
            continue;
        }
        if !number {
            return None;
        }
        values.push(i);
    }
    values.sort_by_key(|&i| g.cells[i].col);
    (values.len() == plan.cols.len()).then_some(values)
}

/// Is `col` where a column whose header was not found stands: between the
/// columns found on either side of it (columns run left to right)?
fn in_missing_column(plan: &Plan, col: u32) -> bool {
    plan.cols.iter().enumerate().filter(|(_, c)| c.is_none()).any(|(i, _)| {
        let left = plan.cols[..i].iter().flatten().map(|(c, _)| *c).max();
        let right = plan.cols[i + 1..].iter().flatten().map(|(c, _)| *c).min();
        left.is_none_or(|l| col > l) && right.is_none_or(|r| col < r)
    })
}

/// A row leaf's name in messages (the table's name for a table of one row).
fn row_name(ed: &Edition, b: &Block, leaf: &Leaf) -> String {
    if leaf.path.is_empty() {
        ed.cells.get(b.first_cell).and_then(|c| ed.tables.get(c.table)).map(|t| t.name.clone()).unwrap_or_default()
    } else {
        leaf.path.join(" / ")
    }
}

/// Read one value cell into the report, with its provenance.
fn read_value(report: &mut Report, ed: &Edition, cell: usize, vc: &Cell, src: Source) {
    let def = &ed.cells[cell];
    let value = match vc.number {
        // A number stored as a number (a workbook cell) is the value itself.
        Some(f) => Number::from_f64(f).map(Parsed::Value).unwrap_or(Parsed::Invalid(vc.text.clone())),
        _ => parse_cell(&vc.text, def.kind, ed.suffixes(def.unit.as_deref())),
    };
    match value {
        Parsed::Value(v) => set_cell(report, ed, cell, Some(v)),
        Parsed::Blank => {}
        Parsed::Dash => set_cell(report, ed, cell, None),
        Parsed::Invalid(why) => {
            set_cell(report, ed, cell, None);
            report.warnings.push(Warning {
                code: "READ-VALUE".into(),
                message: format!("{}：{}，按空白处理", def.location, why),
                source: Some(src.clone()),
            });
        }
    }
    report.provenance.insert(def.id.clone(), src);
}

/// Set cell `cell` of the edition ([`Report::set_cell_at`]: readers'
/// reports keep the edition's order, so it is found by position).
fn set_cell(report: &mut Report, ed: &Edition, cell: usize, v: Option<Number>) {
    report.set_cell_at(cell, &ed.cells[cell].id, v);
}

fn grid_where(g: &Grid) -> String {
    g.name.clone()
}

/// Report every non-empty cell that nothing accounted for.
pub fn unmapped(file: &str, grids: &[Grid], used: &Used, ignore: &dyn Fn(&str) -> bool, report: &mut Report) {
    for (gi, g) in grids.iter().enumerate() {
        for (i, c) in g.cells.iter().enumerate() {
            if used.contains(gi, i) || g.key(i).is_empty() || ignore(g.key(i)) {
                continue;
            }
            report.warnings.push(Warning {
                code: "READ-UNMAPPED".into(),
                message: format!("“{}”不属于年报表格的任何一格，未采用", c.text.trim()),
                source: Some(source(file, g, c)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suffixes() -> &'static Suffixes {
        static EDITIONS: std::sync::OnceLock<crate::edition::Editions> = std::sync::OnceLock::new();
        let eds = EDITIONS.get_or_init(|| crate::edition::Editions::builtin().expect("editions"));
        eds.get("2021").expect("2021").suffixes(None)
    }

    proptest::proptest! {
        /// The quick test before `parse_cell` changes nothing: on strings
        /// mixing digits (half- and full-width), separators, signs, dashes,
        /// spaces, sign words, units and label text.
        #[test]
        fn the_quick_value_test_changes_nothing(s in "[0-9０-９.．,，+＋\\-－−—–/／\\\\ 　增加减少新元万件个其他（）()一二自然人①²]{0,8}") {
            let sfx = suffixes();
            let full = matches!(parse_cell(&s, Kind::Signed, sfx), Parsed::Value(_) | Parsed::Dash);
            proptest::prop_assert_eq!(is_value(&s, sfx), full);
        }
    }
}
