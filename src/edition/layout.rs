//! The drawn layout of a table: where every label and value cell sits in the
//! table's grid, with its row and column spans. Derived from the edition's
//! header trees (templates/README.md, "Merges follow from the trees"), and
//! shared by every writer that draws tables (xlsx, docx).

// Indexing is bounded here: tables indexed by a position the caller got from the same edition.
#![allow(clippy::indexing_slicing)]

use super::{Block, Edition, Node};

/// What a placed cell shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A block heading row (表二's 第二十条第（X）项).
    Heading(String),
    /// The top-left header cell.
    Corner(String),
    /// A column header label.
    ColumnLabel(String),
    /// A row label.
    RowLabel(String),
    /// A value cell: index into [`Edition::cells`].
    Value(usize),
}

/// A cell placed in the grid (0-based; spans ≥ 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub row: u32,
    pub col: u32,
    pub rowspan: u32,
    pub colspan: u32,
    pub content: Content,
}

/// The layout of one table.
#[derive(Debug, Clone)]
pub struct TableLayout {
    /// Number of grid rows.
    pub rows: u32,
    /// Number of grid columns.
    pub cols: u32,
    pub cells: Vec<Placed>,
    /// Rows that hold column headers of the first block (repeated on print).
    pub header_rows: Vec<u32>,
}

impl TableLayout {
    /// For each grid position, the index in [`TableLayout::cells`] of the
    /// placed cell covering it (`None`: no cell does).
    pub fn cover(&self) -> Vec<Vec<Option<usize>>> {
        let mut cover = vec![vec![None; self.cols as usize]; self.rows as usize];
        for (i, p) in self.cells.iter().enumerate() {
            for r in p.row..p.row + p.rowspan {
                for c in p.col..p.col + p.colspan {
                    if let Some(slot) = cover.get_mut(r as usize).and_then(|row| row.get_mut(c as usize)) {
                        *slot = Some(i);
                    }
                }
            }
        }
        cover
    }

    /// The placed value cell of edition cell `index`.
    pub fn value(&self, index: usize) -> Option<&Placed> {
        self.cells.iter().find(|p| p.content == Content::Value(index))
    }
}

/// Lay out table `t` of `ed`.
pub fn layout(ed: &Edition, t: usize) -> TableLayout {
    let table = &ed.tables[t];
    let mut cells = Vec::new();
    let mut row = 0u32;
    let mut header_rows = Vec::new();
    for (bi, b) in table.blocks.iter().enumerate() {
        if let Some(h) = &b.heading {
            cells.push(Placed { row, col: 0, rowspan: 1, colspan: table.grid, content: Content::Heading(h.clone()) });
            row += 1;
        }
        let h = b.header_rows() as u32;
        if h > 0 {
            if bi == 0 {
                header_rows.extend(row..row + h);
            }
            if b.row_header_columns > 0 {
                cells.push(Placed {
                    row,
                    col: 0,
                    rowspan: h,
                    colspan: b.row_header_columns,
                    content: Content::Corner(b.corner.clone().unwrap_or_default()),
                });
            }
            let mut col = b.row_header_columns;
            for n in &b.columns {
                place_column(n, row, 0, h, &mut col, &mut cells);
            }
            row += h;
        }
        let mut r = row;
        for n in &b.rows {
            place_row(n, &mut r, 0, b.row_header_columns, &mut cells);
        }
        place_values(b, row, &mut cells);
        row = r;
    }
    TableLayout { rows: row, cols: table.grid, cells, header_rows }
}

fn place_column(n: &Node, top: u32, depth: u32, height: u32, col: &mut u32, out: &mut Vec<Placed>) {
    let span = n.grid_span();
    if n.children.is_empty() {
        out.push(Placed {
            row: top + depth,
            col: *col,
            rowspan: height - depth,
            colspan: span,
            content: Content::ColumnLabel(n.label.clone()),
        });
        *col += span;
    } else {
        out.push(Placed {
            row: top + depth,
            col: *col,
            rowspan: 1,
            colspan: span,
            content: Content::ColumnLabel(n.label.clone()),
        });
        for c in &n.children {
            place_column(c, top, depth + 1, height, col, out);
        }
    }
}

fn place_row(n: &Node, row: &mut u32, depth: u32, width: u32, out: &mut Vec<Placed>) {
    let leaves = n.leaf_count() as u32;
    if width > 0 && !n.label.is_empty() {
        let colspan = if n.children.is_empty() { width - depth.min(width - 1) } else { 1 };
        let rowspan = if n.children.is_empty() { 1 } else { leaves };
        out.push(Placed { row: *row, col: depth, rowspan, colspan, content: Content::RowLabel(n.label.clone()) });
    }
    if n.children.is_empty() {
        *row += 1;
    } else {
        for c in &n.children {
            place_row(c, row, depth + 1, width, out);
        }
    }
}

fn place_values(b: &Block, top: u32, out: &mut Vec<Placed>) {
    for (ri, _) in b.row_leaves.iter().enumerate() {
        let mut col = b.row_header_columns;
        for (ci, c) in b.col_leaves.iter().enumerate() {
            out.push(Placed {
                row: top + ri as u32,
                col,
                rowspan: 1,
                colspan: c.span,
                content: Content::Value(b.cell_index(ri, ci)),
            });
            col += c.span;
        }
    }
}

/// Relative printed widths of the grid columns of table `t`: the edition's
/// `widths` when it gives them, else sized by the labels (a row label by its
/// text, a column label by its text within 5 to 10, values evenly).
pub fn column_weights(ed: &Edition, t: usize, lay: &TableLayout) -> Vec<f64> {
    if let Some(w) = ed.tables.get(t).map(|t| &t.widths).filter(|w| w.len() == lay.cols as usize) {
        return w.clone();
    }
    let mut weight = vec![0f64; lay.cols as usize];
    for p in &lay.cells {
        let w = match &p.content {
            Content::RowLabel(s) if p.rowspan > 1 => display_width(s).min(6.0),
            Content::RowLabel(s) if p.colspan == 1 => display_width(s).min(22.0),
            Content::ColumnLabel(s) if p.colspan == 1 => display_width(s).clamp(5.0, 10.0),
            Content::Value(_) if p.colspan == 1 => 5.0,
            _ => continue,
        };
        if let Some(x) = weight.get_mut(p.col as usize) {
            *x = x.max(w);
        }
    }
    // Value columns share one width, as on the official form.
    let value_cols: std::collections::BTreeSet<u32> = lay
        .cells
        .iter()
        .filter(|p| matches!(p.content, Content::Value(_)))
        .flat_map(|p| p.col..p.col + p.colspan)
        .collect();
    let value_w = value_cols.iter().filter_map(|c| weight.get(*c as usize)).fold(5.0f64, |a, b| a.max(*b));
    for (c, x) in weight.iter_mut().enumerate() {
        if value_cols.contains(&(c as u32))
            && !lay.cells.iter().any(|p| p.col == c as u32 && matches!(p.content, Content::RowLabel(_)))
        {
            *x = value_w;
        } else if *x == 0.0 {
            *x = 5.0;
        }
    }
    weight
}

/// Display width of a text in Excel column units, for column widths and
/// row heights: East Asian wide, full-width and ambiguous characters (in a
/// Chinese font, `·`, `“”` and `—` are wide too) count 2, others 1,
/// combining marks 0 (autofit gets CJK wrong; crates-notes §1).
pub fn display_width(s: &str) -> f64 {
    use unicode_width::UnicodeWidthStr;
    s.width_cjk() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edition::Editions;

    fn find<'a>(l: &'a TableLayout, text: &str) -> &'a Placed {
        l.cells
            .iter()
            .find(|p| match &p.content {
                Content::Heading(s) | Content::Corner(s) | Content::ColumnLabel(s) | Content::RowLabel(s) => s == text,
                Content::Value(_) => false,
            })
            .unwrap_or_else(|| panic!("{text} not placed"))
    }
    fn at(p: &Placed) -> (u32, u32, u32, u32) {
        (p.row, p.col, p.rowspan, p.colspan)
    }

    /// formats.md §7, table 三: header rows h0–h2 and the body merges.
    #[test]
    fn table_three_matches_the_official_merges() {
        let eds = Editions::builtin().unwrap();
        for (id, c0_rows) in [("2019", 20), ("2021", 22)] {
            let ed = eds.get(id).unwrap();
            let l = layout(ed, 1);
            assert_eq!(l.cols, 10);
            assert_eq!(
                at(find(&l, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")),
                (0, 0, 3, 3)
            );
            assert_eq!(at(find(&l, "申请人情况")), (0, 3, 1, 7));
            assert_eq!(at(find(&l, "自然人")), (1, 3, 2, 1));
            assert_eq!(at(find(&l, "法人或其他组织")), (1, 4, 1, 5));
            assert_eq!(at(find(&l, "总计")), (1, 9, 2, 1));
            assert_eq!(at(find(&l, "商业企业")), (2, 4, 1, 1));
            assert_eq!(at(find(&l, "一、本年新收政府信息公开申请数量")), (3, 0, 1, 3));
            assert_eq!(at(find(&l, "三、本年度办理结果")), (5, 0, c0_rows, 1));
            assert_eq!(at(find(&l, "（一）予以公开")), (5, 1, 1, 2));
            assert_eq!(at(find(&l, "（三）不予公开")), (7, 1, 8, 1));
            assert_eq!(at(find(&l, "1.属于国家秘密")), (7, 2, 1, 1));
            assert_eq!(at(find(&l, "（四）无法提供")).2, 3);
            assert_eq!(at(find(&l, "（五）不予处理")).2, 5);
            assert_eq!(at(find(&l, "四、结转下年度继续办理")), (5 + c0_rows, 0, 1, 3));
            assert_eq!(l.rows, 3 + 2 + c0_rows + 1);
            assert_eq!(l.header_rows, vec![0, 1, 2]);
            // Every body row ends with 7 value cells.
            let values = l.cells.iter().filter(|p| matches!(p.content, Content::Value(_))).count();
            assert_eq!(values, (2 + c0_rows as usize + 1) * 7);
        }
        let l = layout(eds.get("2021").unwrap(), 1);
        assert_eq!(at(find(&l, "（六）其他处理")), (23, 1, 3, 1));
    }

    #[test]
    fn table_four_and_two_match_the_official_merges() {
        let eds = Editions::builtin().unwrap();
        let ed = eds.get("2019").unwrap();
        let l = layout(ed, 2);
        assert_eq!(at(find(&l, "行政复议")), (0, 0, 1, 5));
        assert_eq!(at(find(&l, "行政诉讼")), (0, 5, 1, 10));
        assert_eq!(at(find(&l, "未经复议直接起诉")), (1, 5, 1, 5));
        assert_eq!(at(find(&l, "复议后起诉")), (1, 10, 1, 5));
        assert_eq!(l.rows, 4);
        let l = layout(ed, 0);
        assert_eq!(at(find(&l, "第二十条第（一）项")), (0, 0, 1, 4));
        assert_eq!(at(find(&l, "本年增/减")), (5, 2, 1, 1));
        // （八）: label | v1 | v2 with v2 cs=2 (formats.md §7).
        let fees = ed.cell("t2.s8.fees.change").map(|c| c.id.clone()).unwrap();
        let idx = ed.cells.iter().position(|c| c.id == fees).unwrap();
        assert_eq!(at(l.value(idx).unwrap()), (14, 2, 1, 2));
        let ed = eds.get("2021").unwrap();
        let l = layout(ed, 0);
        let idx = ed.cells.iter().position(|c| c.id == "t2.s5.license.decisions").unwrap();
        assert_eq!(at(l.value(idx).unwrap()), (6, 1, 1, 3));
    }
}
