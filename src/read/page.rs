//! What a government web page says about the report besides its text: the
//! 信息公开目录 box (名称 / 索引号 / 发布机构 / 公开日期 / 文号 / 分类, as a
//! table of label and value cells, or as `标签：值` lines), the meta tags
//! sites set (`ArticleTitle`, `ContentSource`, `PubDate`) and `<title>`.
//! They become properties of the [`Document`] ([`super::doc::PAGE_TITLE`]
//! …), which the mapper uses when the report's own text does not say;
//! the box itself is taken out of the body, so its cells are not
//! unmapped noise.
//!
//! The labels are those of the sites' content-management systems (the same
//! few everywhere, see tests/fixtures/web/README.md), not of the report's
//! edition.

// Indexing is bounded here: byte offsets come from char_indices and
// strip_prefix over the same string.
#![allow(clippy::indexing_slicing)]

use super::doc::{Document, Item, Table, PAGE_DATE, PAGE_DOC_NUMBER, PAGE_INDEX, PAGE_ORGAN, PAGE_TITLE};

/// Labels' properties (none for a label that gives nothing) and values.
type Pairs = Vec<(Option<&'static str>, String)>;

/// What a label of the box gives: a property, or nothing (recognized only
/// so the box is known as one).
const LABELS: &[(&str, Option<&str>)] = &[
    ("名称", Some(PAGE_TITLE)),
    ("标题", Some(PAGE_TITLE)),
    ("文件名称", Some(PAGE_TITLE)),
    ("索引号", Some(PAGE_INDEX)),
    ("发布机构", Some(PAGE_ORGAN)),
    ("发文机关", Some(PAGE_ORGAN)),
    ("发文单位", Some(PAGE_ORGAN)),
    ("公开机构", Some(PAGE_ORGAN)),
    ("信息来源", Some(PAGE_ORGAN)),
    ("来源", Some(PAGE_ORGAN)),
    ("公开日期", Some(PAGE_DATE)),
    ("发布日期", Some(PAGE_DATE)),
    ("发布时间", Some(PAGE_DATE)),
    ("成文日期", Some(PAGE_DATE)),
    ("发文日期", Some(PAGE_DATE)),
    ("生成日期", Some(PAGE_DATE)),
    ("文号", Some(PAGE_DOC_NUMBER)),
    ("发文字号", Some(PAGE_DOC_NUMBER)),
    ("分类", None),
    ("主题分类", None),
    ("组配分类", None),
    ("体裁分类", None),
    ("主题词", None),
    ("关键词", None),
    ("有效性", None),
    ("时效", None),
    ("公开方式", None),
    ("公开范围", None),
    ("公开形式", None),
    ("公开时限", None),
    ("所属主题", None),
    ("浏览次数", None),
    ("访问量", None),
    ("字号", None),
    ("内容概述", None),
];

/// Meta tags sites set, and what they give.
const META: &[(&str, &str)] = &[
    ("articletitle", PAGE_TITLE),
    ("contentsource", PAGE_ORGAN),
    ("pubdate", PAGE_DATE),
    ("firstpublishedtime", PAGE_DATE),
];

fn label_of(text: &str) -> Option<(&'static str, Option<&'static str>)> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_end_matches([':', '：']);
    LABELS.iter().find(|(l, _)| *l == t).copied()
}

/// `标签：值 标签：值 …` (a value may be empty): the pairs, when the line
/// is nothing else.
fn line_pairs(text: &str) -> Option<Pairs> {
    let t = text.trim();
    // Every `标签：` at the start or after white space, longest label first.
    let mut marks: Vec<(usize, usize, Option<&'static str>)> = Vec::new(); // (start, end, prop)
    for (i, _) in t.char_indices() {
        let at_word = i == 0 || t[..i].ends_with(char::is_whitespace);
        if !at_word {
            continue;
        }
        let best = LABELS
            .iter()
            .filter_map(|(l, prop)| {
                let rest = t[i..].strip_prefix(l)?.trim_start();
                let colon = rest.chars().next().filter(|c| matches!(c, ':' | '：'))?;
                let end = t.len() - rest.len() + colon.len_utf8();
                Some((l.len(), end, *prop))
            })
            .max_by_key(|(n, _, _)| *n);
        if let Some((_, end, prop)) = best {
            marks.push((i, end, prop));
        }
    }
    if marks.first().is_none_or(|m| m.0 != 0) {
        return None;
    }
    let ends: Vec<usize> = marks.iter().skip(1).map(|m| m.0).chain(std::iter::once(t.len())).collect();
    Some(marks.iter().zip(ends).map(|(m, e)| (m.2, t[m.1..e].trim().to_string())).collect())
}

fn set(doc: &mut Document, prop: &str, value: &str) {
    let v = value.trim();
    if v.is_empty() || doc.properties.iter().any(|(k, _)| k == prop) {
        return;
    }
    let v = if prop == PAGE_DATE { date_part(v) } else { v.to_string() };
    doc.properties.push((prop.to_string(), v));
}

/// `2024-01-20 10:30:00` → `2024-01-20`; other forms as written.
fn date_part(v: &str) -> String {
    v.split_whitespace().next().unwrap_or(v).to_string()
}

/// The label and value pairs of a table, when it is a box: every non-empty
/// cell a label, the value after a label, or `标签：值`; at least two labels.
fn table_pairs(t: &Table) -> Option<Pairs> {
    let mut cells: Vec<&super::doc::Cell> = t.cells.iter().collect();
    cells.sort_by_key(|c| (c.row, c.col));
    let mut out: Pairs = Vec::new();
    let mut labels = 0;
    let mut open: Option<(u32, u32)> = None; // (row, col after) of a label waiting for its value
    for c in cells {
        let text = c.text.trim();
        if text.is_empty() {
            continue;
        }
        if let Some((_, prop)) = label_of(text) {
            out.push((prop, String::new()));
            labels += 1;
            open = Some((c.row, c.col + c.colspan));
            continue;
        }
        if let Some(p) = line_pairs(text) {
            labels += p.len();
            out.extend(p);
            open = None;
            continue;
        }
        match open.take() {
            Some((r, col)) if r == c.row && col == c.col => {
                if let Some(last) = out.last_mut() {
                    last.1 = text.to_string();
                }
            }
            _ => return None,
        }
    }
    (labels >= 2).then_some(out)
}

/// Take the 信息公开目录 box out of the body into properties: a table of
/// labels and values, or paragraphs of `标签：值` pairs (at least two labels
/// in all, so a sentence that starts with `来源：` stays text).
pub fn read_box(doc: &mut Document) {
    let body = std::mem::take(&mut doc.body);
    let mut found: Pairs = Vec::new();
    let mut kept = Vec::with_capacity(body.len());
    // Paragraph pairs are taken only when the paragraphs together name two labels.
    let mut para_pairs: Vec<(usize, Pairs)> = Vec::new();
    for item in body {
        match item {
            Item::Table(t) => match table_pairs(&t) {
                Some(p) => found.extend(p),
                None => kept.push(Item::Table(t)),
            },
            Item::Para(p) => {
                if p.chars().count() <= 200 {
                    if let Some(pairs) = line_pairs(&p) {
                        para_pairs.push((kept.len(), pairs));
                    }
                }
                kept.push(Item::Para(p));
            }
        }
    }
    let labels: usize = para_pairs.iter().map(|(_, p)| p.len()).sum();
    if labels >= 2 {
        let drop: Vec<usize> = para_pairs.iter().map(|(i, _)| *i).collect();
        for (_, p) in para_pairs {
            found.extend(p);
        }
        kept = kept.into_iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, it)| it).collect();
    }
    doc.body = kept;
    for (prop, value) in found {
        if let Some(prop) = prop {
            set(doc, prop, &value);
        }
    }
    if let Some(i) = doc.properties.iter().position(|(k, _)| k == TITLE_TAG) {
        let (_, t) = doc.properties.remove(i);
        set(doc, PAGE_TITLE, &t);
    }
}

/// A `<meta name=… content=…>` sites set (ArticleTitle, ContentSource, PubDate).
pub fn meta(doc: &mut Document, name: &str, content: &str) {
    let n = name.trim().to_ascii_lowercase();
    if let Some((_, prop)) = META.iter().find(|(m, _)| *m == n) {
        set(doc, prop, content);
    }
}

/// The page's `<title>`: the part before the site's name (`…年度报告_某县人民政府`).
pub fn title(doc: &mut Document, text: &str) {
    let t = text.trim();
    let first = t.split(['_', '|', '－']).next().unwrap_or(t);
    let first = first.split(" - ").next().unwrap_or(first);
    set(doc, TITLE_TAG, first);
}

/// Where `<title>` waits: it gives the title only when neither the meta
/// tags nor the box do.
const TITLE_TAG: &str = "page_title_tag";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::doc::{Cell, SourceKind};

    fn table(rows: &[&[&str]]) -> Table {
        let mut t = Table { aligned: true, ..Table::default() };
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                t.cells.push(Cell::new(r as u32, c as u32, 1, 1, text.to_string()));
            }
        }
        t.rows = rows.len() as u32;
        t
    }

    #[test]
    fn a_box_as_table_or_lines_becomes_properties() {
        let mut d = Document::new(SourceKind::Html);
        d.body.push(Item::Table(table(&[
            &["索引号：", "11320800/2024-00012", "分类：", "年度报告"],
            &["发布机构：", "某县民政局", "公开日期：", "2024-01-20"],
            &["名称：", "某县民政局2023年政府信息公开年度报告", "", ""],
            &["文号：", "", "", ""],
        ])));
        d.body.push(Item::Para("一、总体情况".into()));
        d.body.push(Item::Table(table(&[&["规章", "1"]])));
        read_box(&mut d);
        assert_eq!(d.body.len(), 2);
        assert_eq!(d.property(PAGE_INDEX), Some("11320800/2024-00012"));
        assert_eq!(d.property(PAGE_ORGAN), Some("某县民政局"));
        assert_eq!(d.property(PAGE_DATE), Some("2024-01-20"));
        assert_eq!(d.property(PAGE_TITLE), Some("某县民政局2023年政府信息公开年度报告"));
        assert_eq!(d.property(PAGE_DOC_NUMBER), None);

        let mut d = Document::new(SourceKind::Html);
        d.body.push(Item::Para("索引号：000-2024-01 发布机构：某局".into()));
        d.body.push(Item::Para("发布日期：2024-01-20 10:00:00 浏览次数：".into()));
        d.body.push(Item::Para("来源：上级文件的一句话".into()));
        read_box(&mut d);
        assert_eq!(d.property(PAGE_ORGAN), Some("某局"));
        assert_eq!(d.property(PAGE_DATE), Some("2024-01-20"));
        assert_eq!(d.body.len(), 0);
    }

    #[test]
    fn a_report_table_is_no_box() {
        let mut d = Document::new(SourceKind::Html);
        d.body.push(Item::Table(table(&[&["信息内容", "本年制发件数"], &["规章", "1"]])));
        d.body.push(Item::Para("来源：某局".into()));
        read_box(&mut d);
        assert_eq!(d.body.len(), 2);
        assert!(d.properties.is_empty());
    }
}
