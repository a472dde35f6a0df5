//! The mapping stage shared by every reader of tables: a format-specific
//! parse produces [`Grid`]s (a sheet, or a Word table, as positioned text
//! cells with their merges), and [`map_tables`] finds the edition's tables in
//! them by their official labels.
//!
//! For each block of each table it finds an anchor (the block heading, the
//! first row label, or the first column label), locates every column leaf by
//! its header label (left to right, so repeated labels such as 表四's three
//! 结果维持 resolve in order) and every row leaf by its row label (top to
//! bottom, left of the values), and reads the value where they cross. Blank
//! cells stay null; text that is not a number stays null with its text kept;
//! rows, columns or tables not found are reported; and every non-empty cell
//! that maps to nothing is reported by [`unmapped`].

// Indexing is bounded here: cell indices come from ranges over the same grid (enumerate, rows(), find over 0..len) and row/column leaf indices from the compiled edition.
#![allow(clippy::indexing_slicing)]

use crate::edition::{Block, Edition, Node};
use crate::labels::{is_bare_ordinal, key, keys_match, label_keys};
use crate::model::{Number, Report, Source, Warning};
use crate::number::{parse_cell, Parsed};
use std::collections::HashMap;

/// One non-empty cell of a grid (0-based positions).
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    pub row: u32,
    pub col: u32,
    pub rowspan: u32,
    pub colspan: u32,
    /// The text as found.
    pub text: String,
    /// The number, when the format stores numbers as such (xlsx).
    pub number: Option<f64>,
    /// The cell holds a formula (its value is the cached result).
    pub formula: bool,
    /// Where the cell was in the source when that differs from the grid
    /// position: (table or sheet name, 0-based row, 0-based column). Word
    /// tables are stacked into one grid, so tables split across pages
    /// read as one.
    pub origin: Option<(String, u32, u32)>,
}

/// A sheet or a table: positioned cells.
#[derive(Debug, Clone)]
pub struct Grid {
    /// Sheet name, or `表格N` for a Word table.
    pub name: String,
    pub cells: Vec<GridCell>,
    keys: Vec<String>,
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
    pub fn new(name: String, mut cells: Vec<GridCell>) -> Grid {
        cells.sort_by_key(|c| (c.row, c.col));
        let keys = cells.iter().map(|c| key(&c.text)).collect();
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
        Grid { name, cells, keys, cover }
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

    pub fn key(&self, i: usize) -> &str {
        &self.keys[i]
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
pub fn source(file: &str, grid: &Grid, c: &GridCell) -> Source {
    let (sheet, row, col) = match &c.origin {
        Some((name, r, k)) => (name.clone(), *r, *k),
        None => (grid.name.clone(), c.row, c.col),
    };
    Source {
        file: file.to_string(),
        sheet: Some(sheet),
        row: Some(row + 1),
        column: Some(col + 1),
        text: c.text.clone(),
    }
}

/// The edition whose marker labels occur most often in the grids, if any.
pub fn detect_edition<'a>(grids: &[Grid], editions: &'a [Edition]) -> Option<&'a Edition> {
    let mut best: Option<(&Edition, usize)> = None;
    for ed in editions {
        let n = ed
            .markers
            .iter()
            .filter(|m| {
                let mk = key(m);
                grids.iter().any(|g| g.keys.iter().any(|k| k.contains(&mk)))
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
            if !used.contains(gi, i) && keys_match(g.key(i), &keys) {
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
    let mut m: AnchorIndex = HashMap::new();
    for (gi, g) in grids.iter().enumerate() {
        for i in 0..g.cells.len() {
            m.entry(crate::labels::strip_ordinal(g.key(i))).or_default().push((gi, i));
        }
    }
    m
}

fn anchor_keys(b: &Block) -> Vec<String> {
    if let Some(h) = &b.heading {
        label_keys(h, &[])
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

#[allow(clippy::too_many_arguments)]
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
    let ac = &g.cells[a.cell];
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
                last_col.is_none_or(|l| c.col > l) && !used.contains(a.grid, i) && keys_match(g.key(i), &leaf.keys)
            })
            .min_by_key(|&i| (g.cells[i].col, g.cells[i].row));
        if let Some(i) = hit {
            last_col = Some(g.cells[i].col);
            header_bottom = header_bottom.max(g.cells[i].row + g.cells[i].rowspan);
        }
        cols.push(hit.map(|i| (g.cells[i].col, i)));
    }
    let found_cols = cols.iter().flatten().count();
    if found_cols * 2 < b.col_leaves.len().max(1) {
        return None;
    }
    let first_value_col = cols.iter().flatten().map(|(c, _)| *c).min().unwrap_or(0);
    // Row leaves, top to bottom, left of the values.
    let mut rows: Vec<Option<(u32, Option<usize>)>> = Vec::with_capacity(b.row_leaves.len());
    if b.row_leaves.len() == 1 && b.row_leaves[0].label.is_empty() {
        rows.push(Some((header_bottom, None)));
    } else {
        let start = if b.heading.is_some() { header_bottom } else { ac.row };
        let limit = start + 3 * b.row_leaves.len() as u32 + 10;
        let mut last_row: Option<u32> = None;
        for leaf in &b.row_leaves {
            let from = last_row.map_or(start, |l| l + 1).max(start);
            // Cells are sorted by (row, column): the first hit is the topmost.
            let hit = g.rows(from, limit).find(|&i| {
                let c = &g.cells[i];
                c.col < first_value_col && !used.contains(a.grid, i) && keys_match(g.key(i), &leaf.keys)
            });
            if let Some(i) = hit {
                last_row = Some(g.cells[i].row);
            }
            rows.push(hit.map(|i| (g.cells[i].row, Some(i))));
        }
    }
    let found_rows = rows.iter().flatten().count();
    if found_rows * 2 < b.row_leaves.len().max(1) {
        return None;
    }
    // Accept: mark labels used and read the values.
    used.mark(a.grid, a.cell);
    let col_nodes = nodes(&b.columns);
    let row_nodes = nodes(&b.rows);
    let last_data_row = rows.iter().flatten().map(|(r, _)| *r).max().unwrap_or(header_bottom);
    for (_, i) in cols.iter().flatten() {
        used.mark(a.grid, *i);
    }
    for (_, i) in rows.iter().flatten() {
        if let Some(i) = i {
            used.mark(a.grid, *i);
        }
    }
    // The other labels of the block: group labels, parent column labels,
    // the corner, bare ordinals. Cells already accounted for are skipped.
    for i in g.rows(h_from, last_data_row + 1) {
        if used.contains(a.grid, i) {
            continue;
        }
        let c = &g.cells[i];
        let k = g.key(i);
        if c.col >= first_value_col && c.row >= header_bottom {
            continue; // a value cell
        }
        let in_header = c.row < header_bottom.max(h_to.min(header_bottom + 1));
        let in_labels = c.col < first_value_col;
        if in_header && col_nodes.iter().any(|n| keys_match(k, &n.keys)) {
            used.mark(a.grid, i);
        }
        if (in_header || in_labels) && keys_match(k, &b.corner_keys) {
            used.mark(a.grid, i);
        }
        if in_labels
            && c.row >= header_bottom.min(ac.row)
            && (row_nodes.iter().any(|n| keys_match(k, &n.keys)) || is_bare_ordinal(k))
        {
            used.mark(a.grid, i);
        }
    }
    let mut n = 0;
    for (ri, r) in rows.iter().enumerate() {
        let leaf = &b.row_leaves[ri];
        let Some((row, _)) = r else {
            report.warnings.push(Warning {
                code: "READ-ROW-NOT-FOUND".into(),
                message: format!("没有找到“{}”这一行，该行数字均按空白处理", leaf.path.join(" / ")),
                source: None,
            });
            return None;
        };
        for (ci, col) in cols.iter().enumerate() {
            let def = &ed.cells[b.cell_index(ri, ci)];
            let Some((col, _)) = col else { continue };
            n += 1;
            let Some(vi) = g.at(*row, *col) else { continue };
            let vc = &g.cells[vi];
            if vc.row != *row && vc.rowspan > 1 && b.row_leaves.len() > 1 {
                // A value merged down over several rows belongs to its top row.
                return None;
            }
            used.mark(a.grid, vi);
            let value = match vc.number {
                Some(f) if !vc.text.contains(['元', '万']) => {
                    Number::from_f64(f).map(Parsed::Value).unwrap_or(Parsed::Invalid(vc.text.clone()))
                }
                _ => parse_cell(&vc.text, def.kind, def.unit.as_deref()),
            };
            let src = source(file, g, vc);
            match value {
                Parsed::Value(v) => set_cell(report, &def.id, Some(v)),
                Parsed::Blank => {}
                Parsed::Dash => set_cell(report, &def.id, None),
                Parsed::Invalid(why) => {
                    set_cell(report, &def.id, None);
                    report.warnings.push(Warning {
                        code: "READ-VALUE".into(),
                        message: format!("{}：{}，按空白处理", def.location, why),
                        source: Some(src.clone()),
                    });
                }
            }
            report.provenance.insert(def.id.clone(), src);
        }
    }
    for (ci, col) in cols.iter().enumerate() {
        if col.is_none() {
            report.warnings.push(Warning {
                code: "READ-COLUMN-NOT-FOUND".into(),
                message: format!(
                    "{}：没有找到“{}”这一列，该列数字均按空白处理",
                    grid_where(g),
                    b.col_leaves[ci].path.join(" / ")
                ),
                source: None,
            });
        }
    }
    Some(n)
}

/// Set a cell, without cloning its id when the report already has it (as
/// readers' reports, made from the edition's blank report, do).
fn set_cell(report: &mut Report, id: &str, v: Option<Number>) {
    match report.cells.get_mut(id) {
        Some(slot) => *slot = v,
        None => {
            report.cells.insert(id.to_string(), v);
        }
    }
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
