//! Object helpers over lopdf, and the page tree.

use crate::error::PdfError;
use crate::load::*;
use crate::PdfLimits;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashSet;

pub(crate) fn resolve<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Object> {
    doc.dereference(obj).ok().map(|(_, o)| o)
}

pub(crate) fn get<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.get(key).ok().and_then(|o| resolve(doc, o))
}

pub(crate) fn get_dict<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
    match get(doc, dict, key)? {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn get_array<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
    match get(doc, dict, key)? {
        Object::Array(a) => Some(a),
        _ => None,
    }
}

pub(crate) fn get_name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    match get(doc, dict, key)? {
        Object::Name(n) => Some(n),
        _ => None,
    }
}

pub(crate) fn get_num(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<f64> {
    num(doc, get(doc, dict, key)?)
}

pub(crate) fn num(doc: &Document, obj: &Object) -> Option<f64> {
    let v = match resolve(doc, obj)? {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        _ => return None,
    };
    v.is_finite().then_some(v)
}

pub(crate) fn as_dict(obj: &Object) -> Option<&Dictionary> {
    match obj {
        Object::Dictionary(d) => Some(d),
        Object::Stream(s) => Some(&s.dict),
        _ => None,
    }
}

pub(crate) fn rect(doc: &Document, obj: &Object) -> Option<[f64; 4]> {
    let Object::Array(a) = resolve(doc, obj)? else { return None };
    let v: Vec<f64> = a.iter().filter_map(|o| num(doc, o)).collect();
    let [x0, y0, x1, y1] = <[f64; 4]>::try_from(v.get(..4)?).ok()?;
    let r = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    (r[2] - r[0] > 0.0 && r[3] - r[1] > 0.0).then_some(r)
}

// ---------------------------------------------------------------------------
// Page tree

#[derive(Clone, Copy, Default)]
pub(crate) struct Inherited<'a> {
    pub(crate) resources: Option<&'a Dictionary>,
    pub(crate) media: Option<[f64; 4]>,
    pub(crate) crop: Option<[f64; 4]>,
    pub(crate) rotate: Option<i64>,
}

pub(crate) struct PageInfo<'a> {
    pub(crate) dict: &'a Dictionary,
    pub(crate) inh: Inherited<'a>,
}

pub(crate) fn page_list<'a>(doc: &'a Document, limits: &PdfLimits) -> Result<Vec<PageInfo<'a>>, PdfError> {
    let root = doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|o| resolve(doc, o))
        .and_then(as_dict)
        .ok_or_else(|| PdfError::Broken("找不到文档目录（Root）".into()))?;
    let tree = root.get(b"Pages").map_err(|_| PdfError::Broken("找不到页面树（Pages）".into()))?;
    if let Some(Object::Dictionary(d)) = resolve(doc, tree) {
        if let Some(count) = get_num(doc, d, b"Count") {
            if count > limits.max_pages as f64 {
                return Err(PdfError::TooManyPages { pages: count as usize, max: limits.max_pages });
            }
        }
    }
    let mut pages = Vec::new();
    let mut expanded = HashSet::new();
    let mut stack: Vec<(&Object, Inherited, usize)> = vec![(tree, Inherited::default(), 0)];
    while let Some((obj, inh, depth)) = stack.pop() {
        let Ok((id, node)) = doc.dereference(obj) else { continue };
        let Some(dict) = as_dict(node) else { continue };
        let mut inh = inh;
        if let Some(r) = get_dict(doc, dict, b"Resources") {
            inh.resources = Some(r);
        }
        if let Some(r) = dict.get(b"MediaBox").ok().and_then(|o| rect(doc, o)) {
            inh.media = Some(r);
        }
        if let Some(r) = dict.get(b"CropBox").ok().and_then(|o| rect(doc, o)) {
            inh.crop = Some(r);
        }
        if let Some(r) = get_num(doc, dict, b"Rotate") {
            inh.rotate = Some(r as i64);
        }
        let kids = get_array(doc, dict, b"Kids");
        let is_page = match dict.get(b"Type").ok().and_then(|o| o.as_name().ok()) {
            Some(b"Page") => true,
            Some(b"Pages") => false,
            _ => kids.is_none(),
        };
        if is_page {
            pages.push(PageInfo { dict, inh });
            if pages.len() > limits.max_pages {
                return Err(PdfError::TooManyPages { pages: pages.len(), max: limits.max_pages });
            }
            continue;
        }
        // Each intermediate node is expanded once: a loop or a shared subtree
        // cannot multiply the walk.
        if let Some(id) = id {
            if !expanded.insert(id) {
                continue;
            }
        }
        if depth >= MAX_TREE_DEPTH {
            continue;
        }
        for kid in kids.unwrap_or_default().iter().rev() {
            stack.push((kid, inh, depth + 1));
        }
    }
    if pages.is_empty() {
        return Err(PdfError::Broken("页面树中没有页面".into()));
    }
    Ok(pages)
}
