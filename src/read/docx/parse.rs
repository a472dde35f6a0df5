//! Parse stage of the Word reader: zip + quick-xml, streaming, into a
//! neutral document ([`Doc`]): body paragraphs and tables in order,
//! tables with their grid positions and merges resolved.
//!
//! Rules (crates-notes.md §3b): the main part comes from `_rels/.rels`; only
//! `w:t` directly under `w:r` is text (`w:tab` → tab, `w:br`/`w:cr` → line
//! break); deleted text, moved-from text, field codes, textboxes, fallback
//! content and property-change records are skipped; insertions are kept; a
//! row deleted in tracked changes is dropped; `gridBefore`, `gridSpan`,
//! `vMerge` (no value = continue) and legacy `hMerge` are resolved into
//! row and column spans. Nesting depth, table nesting and part sizes are
//! capped; DOCTYPE and unknown entities are refused.

// Indexing is bounded here: out.cells indices are positions just pushed or stored in `open`, which only holds indices into out.cells.
#![allow(clippy::indexing_slicing)]

use crate::limits::Limits;
use quick_xml::events::{BytesStart, Event};
use std::io::Read;

const W_NS: &[&str] = &[
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const MC_NS: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

pub use crate::read::doc::{Cell as TCell, Document as Doc, Item, Table};

/// Why a document could not be parsed.
pub type ParseError = crate::error::Problem;
use crate::error::Problem;

fn read_entry(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
    cap: u64,
) -> Result<Option<Vec<u8>>, ParseError> {
    let mut f = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(Problem::Other(format!("压缩包中的 {name} 无法读取（{e}）"))),
    };
    if f.size() > cap {
        return Err(Problem::ZipBomb { entry: name.to_string(), size: f.size(), limit: cap });
    }
    let mut out = Vec::with_capacity(f.size().min(64 << 20) as usize);
    (&mut f).take(cap + 1).read_to_end(&mut out).map_err(|e| Problem::Other(format!("{name} 已损坏（{e}）")))?;
    Ok(Some(out))
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.to_string()).unwrap_or_default())
}

/// The main part named in `_rels/.rels` (Word Online writes `/word/document2.xml`).
fn main_part(zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>) -> Result<String, ParseError> {
    let rels = read_entry(zip, "_rels/.rels", 1 << 20)?
        .ok_or_else(|| Problem::Other("压缩包中没有 _rels/.rels，不是 Word 文档".into()))?;
    let mut r = quick_xml::Reader::from_reader(rels.as_slice());
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                let ty = attr(&e, "Type").unwrap_or_default();
                if ty.ends_with("/officeDocument") {
                    let target = attr(&e, "Target").unwrap_or_default();
                    return Ok(target.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) => return Err(Problem::Other("_rels/.rels 中没有指明主文档，不是 Word 文档".into())),
            Err(e) => return Err(Problem::Other(format!("_rels/.rels 已损坏（{e}）"))),
            _ => {}
        }
        buf.clear();
    }
}

/// Parse a .docx package (already sniffed and capped by the container check).
pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Doc, ParseError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Problem::Other(format!("压缩包已损坏（{}）", crate::read::container::zip_words(&e))))?;
    let main = main_part(&mut zip)?;
    let xml = read_entry(&mut zip, &main, limits.entry_bytes)?
        .ok_or_else(|| Problem::Other(format!("压缩包中缺少主文档 {main}")))?;
    let mut doc = walk(&xml, limits)?;
    if let Some(custom) = read_entry(&mut zip, "docProps/custom.xml", 4 << 20)? {
        doc.properties = custom_properties(&custom);
    }
    Ok(doc)
}

fn custom_properties(xml: &[u8]) -> Vec<(String, String)> {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "property" => {
                current = attr(&e, "name").map(|n| (n, String::new()));
            }
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "property" => {
                if let Some(n) = attr(&e, "name") {
                    out.push((n, String::new()));
                }
            }
            Ok(Event::Text(t)) => {
                if let Some((_, v)) = current.as_mut() {
                    v.push_str(&t.xml10_content());
                }
            }
            Ok(Event::GeneralRef(g)) => {
                if let Some((_, v)) = current.as_mut() {
                    let name = g.xml10_content().to_string();
                    if let Ok(Some(c)) = g.resolve_char_ref() {
                        v.push(c);
                    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&name) {
                        v.push_str(s);
                    }
                }
            }
            Ok(Event::End(e)) if e.local_name().as_ref() == "property" => {
                if let Some(p) = current.take() {
                    out.push(p);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum VMerge {
    None,
    Restart,
    Continue,
}

#[derive(Debug)]
struct RawCell {
    span: u32,
    vmerge: VMerge,
    hmerge_continue: bool,
    text: String,
}

#[derive(Debug, Default)]
struct RawRow {
    grid_before: u32,
    cells: Vec<RawCell>,
    deleted: bool,
}

#[derive(Debug, Default)]
struct RawTable {
    rows: Vec<RawRow>,
}

/// Resolve grid positions and merges of a raw table.
fn resolve(t: RawTable) -> Table {
    let cells = t.rows.iter().map(|r| r.cells.len()).sum();
    let mut out = Table { aligned: true, cells: Vec::with_capacity(cells), ..Table::default() };
    // For each grid column, the index in out.cells of the cell a vertical
    // merge continues.
    let mut open: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    let mut r = 0u32;
    for row in t.rows.into_iter().filter(|r| !r.deleted) {
        let mut col = row.grid_before;
        let mut last: Option<usize> = None;
        for c in row.cells {
            let span = c.span.max(1);
            if c.hmerge_continue {
                if let Some(i) = last {
                    out.cells[i].colspan += span;
                    append(&mut out.cells[i].text, &c.text);
                    col += span;
                    continue;
                }
            }
            if c.vmerge == VMerge::Continue {
                if let Some(&i) = open.get(&col) {
                    if out.cells[i].row + out.cells[i].rowspan == r {
                        out.cells[i].rowspan += 1;
                        append(&mut out.cells[i].text, &c.text);
                        last = Some(i);
                        col += span;
                        continue;
                    }
                }
            }
            let i = out.cells.len();
            out.cells.push(TCell::new(r, col, 1, span, c.text));
            if c.vmerge == VMerge::Restart || c.vmerge == VMerge::Continue {
                open.insert(col, i);
            } else {
                open.remove(&col);
            }
            last = Some(i);
            col += span;
        }
        r += 1;
    }
    out.rows = r;
    out
}

fn append(into: &mut String, text: &str) {
    if !text.trim().is_empty() {
        if !into.is_empty() {
            into.push('\n');
        }
        into.push_str(text);
    }
}

/// What the walker is inside of.
enum Frame {
    Table(RawTable),
    Row(RawRow),
    Cell(RawCell),
    Para(String),
}

/// W-namespace elements the walker tells apart (by local name), told apart
/// once per element; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Other,
    R,
    T,
    P,
    Tc,
    Tr,
    Tbl,
    TrPr,
    Sdt,
    SdtContent,
    ShowingPlcHdr,
    Ins,
    MoveTo,
    GridBefore,
    GridSpan,
    VMerge,
    HMerge,
    Tab,
    Br,
    Cr,
    /// `w:del`, `w:moveFrom`: skipped, and a sign of revisions.
    Del,
    MoveFrom,
    /// Other elements whose whole subtree is skipped: field codes, deleted
    /// text, textboxes, property-change records (`…PrChange`).
    Skipped,
}

fn tag_of(local: &str) -> Tag {
    match local {
        "r" => Tag::R,
        "t" => Tag::T,
        "p" => Tag::P,
        "tc" => Tag::Tc,
        "tr" => Tag::Tr,
        "tbl" => Tag::Tbl,
        "trPr" => Tag::TrPr,
        "sdt" => Tag::Sdt,
        "sdtContent" => Tag::SdtContent,
        "showingPlcHdr" => Tag::ShowingPlcHdr,
        "ins" => Tag::Ins,
        "moveTo" => Tag::MoveTo,
        "gridBefore" => Tag::GridBefore,
        "gridSpan" => Tag::GridSpan,
        "vMerge" => Tag::VMerge,
        "hMerge" => Tag::HMerge,
        "tab" => Tag::Tab,
        "br" => Tag::Br,
        "cr" => Tag::Cr,
        "del" => Tag::Del,
        "moveFrom" => Tag::MoveFrom,
        "instrText" | "delInstrText" | "txbxContent" | "delText" => Tag::Skipped,
        l if l.ends_with("PrChange") => Tag::Skipped,
        _ => Tag::Other,
    }
}

/// An element's qualified name split once into prefix and local name.
fn split_name(qname: &str) -> (&str, &str) {
    match qname.bytes().position(|b| b == b':') {
        Some(i) => (&qname[..i], &qname[i + 1..]),
        None => ("", qname),
    }
}

/// Namespace of an element: WordprocessingML, markup compatibility, or other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    W,
    Mc,
    Other,
}

/// Prefix → namespace, from the `xmlns` declarations of the root element
/// (where Word, LibreOffice and WPS declare them all). A plain reader with
/// this table costs a fraction of full namespace resolution.
struct Namespaces(Vec<(String, Ns)>);

impl Namespaces {
    fn from_root(e: &BytesStart) -> Namespaces {
        let mut v = Vec::new();
        for a in e.attributes().flatten() {
            let k: &str = a.key.as_ref();
            let prefix = if k == "xmlns" { Some("") } else { k.strip_prefix("xmlns:") };
            if let Some(p) = prefix {
                let uri =
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|x| x.to_string()).unwrap_or_default();
                let ns = if W_NS.contains(&uri.as_str()) {
                    Ns::W
                } else if uri == MC_NS {
                    Ns::Mc
                } else {
                    Ns::Other
                };
                v.push((p.to_string(), ns));
            }
        }
        // Most elements are W's: look its prefixes up first (a prefix is
        // declared once: quick-xml drops a repeated attribute).
        v.sort_by_key(|(_, ns)| *ns != Ns::W);
        Namespaces(v)
    }
    fn of(&self, prefix: &str) -> Ns {
        self.0.iter().find(|(x, _)| x == prefix).map(|(_, n)| *n).unwrap_or(Ns::Other)
    }
}

/// The walker's state: where it is in the element tree and what it is
/// building.
struct Walker<'l> {
    limits: &'l Limits,
    doc: Doc,
    /// Element stack: each element's tag (`Other` outside the W namespace),
    /// for parent checks.
    names: Vec<Tag>,
    /// Open paragraphs, cells, rows and tables, with the depth each opened at.
    frames: Vec<(usize, Frame)>,
    /// Inside a skipped subtree opened at this depth.
    skip_until: Option<usize>,
    ns_table: Option<Namespaces>,
    tables_open: usize,
    in_trpr: bool,
    /// For each open `w:sdt`: is it showing its placeholder?
    sdt_placeholder: Vec<bool>,
    /// An emptied paragraph buffer, for the next paragraph.
    spare: String,
}

fn walk(xml: &[u8], limits: &Limits) -> Result<Doc, ParseError> {
    // The borrowing slice reader: events point into `xml`, nothing is copied.
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut w = Walker {
        limits,
        doc: Doc::new(crate::read::doc::SourceKind::Word),
        names: Vec::new(),
        frames: Vec::new(),
        skip_until: None,
        ns_table: None,
        tables_open: 0,
        in_trpr: false,
        sdt_placeholder: Vec::new(),
        spare: String::new(),
    };
    loop {
        match r.read_event().map_err(|e| Problem::Other(format!("document.xml 不是有效的 XML（{e}）")))? {
            Event::DocType(_) => return Err(Problem::Doctype),
            Event::Start(e) => w.start(&e)?,
            // `<w:tab/>` is a start and an end.
            Event::Empty(e) => {
                w.start(&e)?;
                w.end()?;
            }
            Event::End(_) => w.end()?,
            Event::Text(t) if w.in_text() => w.push_text(&t.xml10_content()),
            Event::GeneralRef(g) => {
                let mut utf8 = [0; 4];
                let text: &str = match g.resolve_char_ref() {
                    Ok(Some(c)) => c.encode_utf8(&mut utf8),
                    _ => {
                        let name = g.xml10_content();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s,
                            None => {
                                return Err(Problem::Other(format!(
                                    "文档中有未定义的实体 “&{name};”，文件可能已损坏或被篡改"
                                )))
                            }
                        }
                    }
                };
                if w.in_text() {
                    w.push_text(text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !w.names.is_empty() {
        return Err(Problem::Other("document.xml 不完整（文件被截断）".into()));
    }
    if w.ns_table.is_none() {
        return Err(Problem::Other("主文档是空的".into()));
    }
    Ok(w.doc)
}

impl Walker<'_> {
    /// Is the current element a `w:t` directly under a `w:r`, outside any
    /// skipped subtree?
    fn in_text(&self) -> bool {
        self.skip_until.is_none() && matches!(self.names[..], [.., Tag::R, Tag::T])
    }

    fn push_text(&mut self, s: &str) {
        if let Some((_, Frame::Para(p))) = self.frames.last_mut() {
            p.push_str(s);
        }
    }

    /// The namespace of the first element, which must be `w:document`, whose
    /// declarations make the namespace table.
    #[cold]
    #[inline(never)]
    fn root_namespace(&mut self, e: &BytesStart, prefix: &str, local: &str) -> Result<Ns, ParseError> {
        let t = Namespaces::from_root(e);
        let ns = t.of(prefix);
        if !(ns == Ns::W && local == "document") {
            return Err(Problem::Other(format!("主文档的根元素是 “{local}”，不是 Word 文档")));
        }
        self.ns_table = Some(t);
        Ok(ns)
    }

    fn start(&mut self, e: &BytesStart) -> Result<(), ParseError> {
        let depth = self.names.len();
        if depth >= self.limits.xml_depth {
            return Err(Problem::TooDeep { limit: self.limits.xml_depth });
        }
        if self.skip_until.is_some() {
            // Inside a skipped subtree only the depth counts.
            self.names.push(Tag::Other);
            return Ok(());
        }
        let qname = e.name();
        let (prefix, local) = split_name(qname.as_ref());
        let ns = match &self.ns_table {
            Some(t) => t.of(prefix),
            None => self.root_namespace(e, prefix, local)?,
        };
        let is_w = ns == Ns::W;
        let tag = if is_w { tag_of(local) } else { Tag::Other };
        self.names.push(tag);
        if matches!(tag, Tag::Del | Tag::MoveFrom | Tag::Skipped) || (ns == Ns::Mc && local == "Fallback") {
            if matches!(tag, Tag::Del | Tag::MoveFrom) {
                self.deleted(tag);
            }
            self.skip_until = Some(depth);
            return Ok(());
        }
        if !is_w {
            return Ok(());
        }
        let parent_is_run = || depth >= 1 && self.names.get(depth - 1) == Some(&Tag::R);
        let limits = self.limits;
        match tag {
            Tag::Ins | Tag::MoveTo => self.doc.revisions = true,
            Tag::Tbl => {
                self.tables_open += 1;
                if self.tables_open > limits.table_nesting {
                    return Err(Problem::TablesTooDeep { limit: limits.table_nesting });
                }
                self.frames.push((depth, Frame::Table(RawTable::default())));
            }
            Tag::Tr => {
                // A row usually has as many cells as the one before it.
                let cells = match self.frames.last() {
                    Some((_, Frame::Table(t))) => t.rows.last().map_or(0, |r| r.cells.len()),
                    _ => 0,
                };
                self.frames.push((depth, Frame::Row(RawRow { cells: Vec::with_capacity(cells), ..RawRow::default() })));
            }
            Tag::TrPr => self.in_trpr = true,
            Tag::Tc => self.frames.push((
                depth,
                Frame::Cell(RawCell { span: 1, vmerge: VMerge::None, hmerge_continue: false, text: String::new() }),
            )),
            Tag::P => {
                let text = std::mem::take(&mut self.spare);
                self.frames.push((depth, Frame::Para(text)));
            }
            Tag::GridBefore => {
                if let Some((_, Frame::Row(row))) = self.frames.last_mut() {
                    row.grid_before =
                        attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0).min(limits.table_cols as u32);
                }
            }
            Tag::GridSpan => {
                if let Some((_, Frame::Cell(c))) = self.frames.last_mut() {
                    c.span = attr(e, "val")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1)
                        .clamp(1, limits.table_cols.max(1) as u32);
                }
            }
            Tag::VMerge => {
                if let Some((_, Frame::Cell(c))) = self.frames.last_mut() {
                    c.vmerge = match attr(e, "val").as_deref() {
                        Some("restart") => VMerge::Restart,
                        _ => VMerge::Continue,
                    };
                }
            }
            Tag::HMerge => {
                if let Some((_, Frame::Cell(c))) = self.frames.last_mut() {
                    c.hmerge_continue = attr(e, "val").as_deref() != Some("restart");
                }
            }
            Tag::Sdt => self.sdt_placeholder.push(false),
            Tag::ShowingPlcHdr => {
                if let Some(p) = self.sdt_placeholder.last_mut() {
                    *p = true;
                }
            }
            Tag::SdtContent if self.sdt_placeholder.last() == Some(&true) => self.skip_until = Some(depth),
            Tag::Tab if parent_is_run() => self.push_text("\t"),
            Tag::Br | Tag::Cr if parent_is_run() => self.push_text("\n"),
            _ => {}
        }
        Ok(())
    }

    /// A `w:del` or `w:moveFrom`: the document has revisions, and a row
    /// deleted in tracked changes is dropped.
    fn deleted(&mut self, tag: Tag) {
        self.doc.revisions = true;
        if self.in_trpr && tag == Tag::Del {
            if let Some((_, Frame::Row(row))) = self.frames.iter_mut().rev().find(|(_, f)| matches!(f, Frame::Row(_))) {
                row.deleted = true;
            }
        }
    }

    #[inline]
    fn end(&mut self) -> Result<(), ParseError> {
        let Some(tag) = self.names.pop() else { return Err(Problem::Other("document.xml 的结构不完整".into())) };
        let depth = self.names.len();
        if let Some(d) = self.skip_until {
            if depth == d {
                self.skip_until = None;
            }
            return Ok(());
        }
        match tag {
            Tag::TrPr => self.in_trpr = false,
            Tag::Sdt => {
                self.sdt_placeholder.pop();
            }
            Tag::P | Tag::Tc | Tag::Tr | Tag::Tbl => {
                if self.frames.last().is_some_and(|(d, _)| *d == depth) {
                    if let Some((_, f)) = self.frames.pop() {
                        if let Some(mut buffer) = close(f, &mut self.frames, &mut self.doc, self.limits)? {
                            buffer.clear();
                            self.spare = buffer;
                        }
                    }
                }
                if tag == Tag::Tbl {
                    self.tables_open = self.tables_open.saturating_sub(1);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Close a frame into its parent (or the body). A paragraph copied into its
/// parent gives its buffer back, for the next paragraph.
fn close(
    f: Frame,
    frames: &mut [(usize, Frame)],
    doc: &mut Doc,
    limits: &Limits,
) -> Result<Option<String>, ParseError> {
    match f {
        Frame::Para(mut text) => match frames.last_mut() {
            Some((_, Frame::Cell(c))) => {
                if c.text.is_empty() {
                    std::mem::swap(&mut c.text, &mut text);
                } else {
                    c.text.push('\n');
                    c.text.push_str(&text);
                }
                return Ok(Some(text));
            }
            Some((_, Frame::Para(outer))) => {
                outer.push_str(&text);
                return Ok(Some(text));
            }
            _ => doc.body.push(Item::Para(text)),
        },
        Frame::Cell(c) => {
            if let Some((_, Frame::Row(r))) = frames.last_mut() {
                if r.cells.len() >= limits.table_cols {
                    return Err(Problem::RowTooWide { limit: limits.table_cols });
                }
                r.cells.push(c);
            }
        }
        Frame::Row(row) => {
            if let Some((_, Frame::Table(t))) = frames.last_mut() {
                if t.rows.len() >= limits.table_rows {
                    return Err(Problem::TooManyRows { limit: limits.table_rows });
                }
                t.rows.push(row);
            }
        }
        Frame::Table(t) => {
            let table = resolve(t);
            match frames.last_mut() {
                // A table nested in a cell: its text joins the cell's.
                Some((_, Frame::Cell(c))) => {
                    for tc in &table.cells {
                        append(&mut c.text, &tc.text);
                    }
                }
                _ => doc.body.push(Item::Table(table)),
            }
        }
    }
    Ok(None)
}
