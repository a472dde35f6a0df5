//! The content-stream interpreter: text state, graphics state, forms.

use crate::error::PdfError;
use crate::font::*;
use crate::geometry::*;
use crate::lexer::*;
use crate::load::*;
use crate::object::*;
use crate::paths::*;
use crate::{Glyph, Page, PdfLimits, Rule};
use lopdf::{Dictionary, Document, Object, Stream};
use std::collections::HashMap;
use std::rc::Rc;

pub(crate) struct Ctx<'d> {
    pub(crate) doc: &'d Document,
    pub(crate) limits: &'d PdfLimits,
    /// Decompressed bytes read so far.
    pub(crate) total: u64,
    /// Fonts by the address of their dictionary.
    pub(crate) fonts: HashMap<usize, Rc<Font>>,
    /// Decoded form XObject content by the address of its stream.
    pub(crate) forms: HashMap<usize, Rc<Vec<u8>>>,
}

#[derive(Clone)]
pub(crate) struct GState {
    pub(crate) ctm: Matrix,
    pub(crate) font: Option<Rc<Font>>,
    pub(crate) size: f64,
    pub(crate) tc: f64,
    pub(crate) tw: f64,
    pub(crate) th: f64,
    pub(crate) tl: f64,
    pub(crate) rise: f64,
    pub(crate) stroke_white: bool,
    pub(crate) fill_white: bool,
    pub(crate) stroke_device: bool,
    pub(crate) fill_device: bool,
}

impl GState {
    pub(crate) fn new(ctm: Matrix) -> GState {
        GState {
            ctm,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
            stroke_white: false,
            fill_white: false,
            stroke_device: true,
            fill_device: true,
        }
    }
}

/// What one page collects.
pub(crate) struct PageOut {
    pub(crate) index: u32,
    pub(crate) width: f64,
    pub(crate) height: f64,
    pub(crate) ops: usize,
    pub(crate) glyphs: Vec<Glyph>,
    pub(crate) rules: Vec<Rule>,
    /// Visible glyphs by the direction of their baseline, in quarter turns
    /// counter-clockwise from left-to-right (see [`quarter_turns`]).
    pub(crate) turns: [usize; 4],
}

impl<'d> Ctx<'d> {
    /// Inflate one stream within the limits, counting it.
    pub(crate) fn decode(&mut self, s: &Stream) -> Result<Vec<u8>, PdfError> {
        let left = self.limits.max_total_bytes.saturating_sub(self.total);
        let cap = self.limits.max_stream_bytes.min(left);
        let data = match s.decompressed_content_with_limit(usize::try_from(cap).unwrap_or(usize::MAX)) {
            Ok(d) => d,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. })) => {
                return Err(if left < self.limits.max_stream_bytes {
                    PdfError::TooMuchContent { max: self.limits.max_total_bytes }
                } else {
                    PdfError::StreamTooLarge { max: self.limits.max_stream_bytes }
                });
            }
            // An undecodable stream reads as empty; the rest of the file may be fine.
            Err(_) => Vec::new(),
        };
        self.total = self.total.saturating_add(data.len() as u64);
        Ok(data)
    }

    pub(crate) fn page(&mut self, index: u32, info: &PageInfo<'d>) -> Result<Page, PdfError> {
        let media = info.inh.media.unwrap_or([0.0, 0.0, 612.0, 792.0]);
        let bx = match info.inh.crop {
            Some(c) => {
                let r = [c[0].max(media[0]), c[1].max(media[1]), c[2].min(media[2]), c[3].min(media[3])];
                if r[2] > r[0] && r[3] > r[1] {
                    r
                } else {
                    media
                }
            }
            None => media,
        };
        let content = self.page_content(info)?;
        let rotate = info.inh.rotate.unwrap_or(0);
        let mut out = self.run_page(index, info, bx, rotate, &content)?;
        // Text set mostly in one other direction (a page turned by /Rotate,
        // or content drawn turned): lay the page out as that text reads.
        if let Some(q) = dominant_turn(&out.turns) {
            out = self.run_page(index, info, bx, rotate + 90 * q, &content)?;
        }
        drop_overdrawn(&mut out.glyphs);
        Ok(Page { index, width: out.width as f32, height: out.height as f32, glyphs: out.glyphs, rules: out.rules })
    }

    /// The page's content streams, concatenated.
    fn page_content(&mut self, info: &PageInfo<'d>) -> Result<Vec<u8>, PdfError> {
        let mut content = Vec::new();
        match get(self.doc, info.dict, b"Contents") {
            Some(Object::Stream(s)) => content = self.decode(s)?,
            Some(Object::Array(parts)) => {
                for part in parts {
                    if let Some(Object::Stream(s)) = resolve(self.doc, part) {
                        content.extend(self.decode(s)?);
                        content.push(b'\n');
                    }
                }
            }
            _ => {}
        }
        Ok(content)
    }

    /// Run a page's content as displayed turned by `rotate` degrees clockwise.
    fn run_page(
        &mut self,
        index: u32,
        info: &PageInfo<'d>,
        bx: [f64; 4],
        rotate: i64,
        content: &[u8],
    ) -> Result<PageOut, PdfError> {
        let (base, width, height) = page_base(bx, rotate);
        let mut out = PageOut { index, width, height, ops: 0, glyphs: Vec::new(), rules: Vec::new(), turns: [0; 4] };
        let mut forms = Vec::new();
        self.run(content, info.inh.resources, GState::new(base), &mut out, &mut forms)?;
        Ok(out)
    }

    /// Run one content stream.
    pub(crate) fn run(
        &mut self,
        content: &[u8],
        resources: Option<&'d Dictionary>,
        gs: GState,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let mut st = RunState {
            gs,
            stack: Vec::new(),
            deep_q: 0,
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
            path: Path::default(),
        };
        let mut lex = Lexer::new(content);
        let mut operands: Vec<Arg> = Vec::new();
        let mut arrays: Vec<Vec<Arg>> = Vec::new();
        let mut skipped_arrays = 0usize;
        let mut dict_depth = 0usize;
        let mut count = 0usize;
        while let Some(tok) = lex.next_tok() {
            let arg = match tok {
                Tok::Word(op) => {
                    // `true`, `false` and `null` are operands.
                    if matches!(op, b"true" | b"false" | b"null") {
                        Arg::Other
                    } else {
                        arrays.clear();
                        skipped_arrays = 0;
                        dict_depth = 0;
                        count = 0;
                        out.ops += 1;
                        if out.ops > self.limits.max_ops {
                            return Err(PdfError::TooManyOps { page: out.index, max: self.limits.max_ops });
                        }
                        if op == b"BI" {
                            lex.skip_inline_image();
                        } else {
                            self.op(op, &operands, &mut st, resources, out, forms)?;
                        }
                        operands.clear();
                        continue;
                    }
                }
                Tok::DictOpen => {
                    dict_depth += 1;
                    continue;
                }
                Tok::DictClose => {
                    dict_depth = dict_depth.saturating_sub(1);
                    if dict_depth == 0 {
                        Arg::Other
                    } else {
                        continue;
                    }
                }
                _ if dict_depth > 0 => continue,
                Tok::ArrOpen => {
                    if arrays.len() < MAX_ARRAY_DEPTH {
                        arrays.push(Vec::new());
                    } else {
                        skipped_arrays += 1;
                    }
                    continue;
                }
                Tok::ArrClose => {
                    if skipped_arrays > 0 {
                        skipped_arrays -= 1;
                        continue;
                    }
                    match arrays.pop() {
                        Some(a) => Arg::Array(a),
                        None => continue,
                    }
                }
                Tok::Num(v) => Arg::Num(v),
                Tok::Name(n) => Arg::Name(n),
                Tok::Str(s) => Arg::Str(s),
            };
            count += 1;
            if count > MAX_OPERANDS {
                continue;
            }
            match arrays.last_mut() {
                Some(a) => a.push(arg),
                None => operands.push(arg),
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_lines)]
    pub(crate) fn op(
        &mut self,
        op: &[u8],
        args: &[Arg],
        st: &mut RunState,
        resources: Option<&'d Dictionary>,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let gs = &mut st.gs;
        match op {
            b"q" => {
                if st.stack.len() < MAX_GSTATE_DEPTH {
                    st.stack.push(gs.clone());
                } else {
                    st.deep_q += 1;
                }
            }
            b"Q" => {
                if st.deep_q > 0 {
                    st.deep_q -= 1;
                } else if let Some(saved) = st.stack.pop() {
                    *gs = saved;
                }
            }
            b"cm" => {
                if let Some(m) = nums::<6>(args).map(Matrix::new) {
                    let ctm = m.then(&gs.ctm);
                    if ctm.is_finite() {
                        gs.ctm = ctm;
                    }
                }
            }
            // Paths.
            b"m" | b"l" => {
                if let Some([x, y]) = nums::<2>(args) {
                    let p = gs.ctm.apply(x, y);
                    if op == b"m" {
                        st.path.move_to(p);
                    } else {
                        st.path.line_to(p, false);
                    }
                }
            }
            b"c" => {
                if let Some([.., x, y]) = nums::<6>(args) {
                    st.path.line_to(gs.ctm.apply(x, y), true);
                }
            }
            b"v" | b"y" => {
                if let Some([.., x, y]) = nums::<4>(args) {
                    st.path.line_to(gs.ctm.apply(x, y), true);
                }
            }
            b"h" => st.path.close(),
            b"re" => {
                if let Some([x, y, w, h]) = nums::<4>(args) {
                    let m = gs.ctm;
                    st.path.move_to(m.apply(x, y));
                    st.path.line_to(m.apply(x + w, y), false);
                    st.path.line_to(m.apply(x + w, y + h), false);
                    st.path.line_to(m.apply(x, y + h), false);
                    st.path.close();
                }
            }
            b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"n" => {
                let path = std::mem::take(&mut st.path);
                let close = matches!(op, b"s" | b"b" | b"b*");
                let stroke = matches!(op, b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*");
                let fill = matches!(op, b"f" | b"F" | b"f*");
                if stroke && !gs.stroke_white {
                    stroke_rules(&path, close, out);
                }
                if fill && !gs.fill_white {
                    fill_rules(&path, out);
                }
            }
            // Colours: only white matters (an invisible rule is no rule).
            b"G" | b"RG" | b"K" => gs.stroke_white = is_white(args, true),
            b"g" | b"rg" | b"k" => gs.fill_white = is_white(args, true),
            b"SC" | b"SCN" => gs.stroke_white = is_white(args, gs.stroke_device),
            b"sc" | b"scn" => gs.fill_white = is_white(args, gs.fill_device),
            b"CS" | b"cs" => {
                let device = matches!(last_name(args), Some(b"DeviceGray" | b"DeviceRGB" | b"DeviceCMYK"));
                if op == b"CS" {
                    gs.stroke_white = false;
                    gs.stroke_device = device;
                } else {
                    gs.fill_white = false;
                    gs.fill_device = device;
                }
            }
            // Text.
            b"BT" => {
                st.tm = Matrix::IDENTITY;
                st.tlm = Matrix::IDENTITY;
            }
            b"Tc" => set_num(args, &mut gs.tc),
            b"Tw" => set_num(args, &mut gs.tw),
            b"TL" => set_num(args, &mut gs.tl),
            b"Ts" => set_num(args, &mut gs.rise),
            b"Tz" => {
                if let Some([v]) = nums::<1>(args) {
                    gs.th = v / 100.0;
                }
            }
            b"Tf" => {
                if let (Some(name), Some([size])) = (last_name(args), nums::<1>(args)) {
                    gs.size = size;
                    gs.font = self.font_resource(resources, name)?;
                }
            }
            b"gs" => {
                if let Some(name) = last_name(args) {
                    self.ext_gstate(resources, name, gs)?;
                }
            }
            b"Td" | b"TD" => {
                if let Some([x, y]) = nums::<2>(args) {
                    if op == b"TD" {
                        gs.tl = -y;
                    }
                    st.tlm = Matrix::translate(x, y).then(&st.tlm);
                    st.tm = st.tlm;
                }
            }
            b"Tm" => {
                if let Some(m) = nums::<6>(args).map(Matrix::new) {
                    st.tlm = m;
                    st.tm = m;
                }
            }
            b"T*" => next_line(st),
            b"Tj" => {
                if let Some(Arg::Str(s)) = args.last() {
                    show(st, s, out);
                }
            }
            b"'" => {
                next_line(st);
                if let Some(Arg::Str(s)) = args.last() {
                    show(st, s, out);
                }
            }
            b"\"" => {
                if let [.., Arg::Num(aw), Arg::Num(ac), Arg::Str(s)] = args {
                    st.gs.tw = *aw;
                    st.gs.tc = *ac;
                    next_line(st);
                    show(st, s, out);
                }
            }
            b"TJ" => {
                if let Some(Arg::Array(items)) = args.last() {
                    for item in items {
                        match item {
                            Arg::Str(s) => show(st, s, out),
                            Arg::Num(adj) => {
                                let gs = &st.gs;
                                let t = -adj / 1000.0 * gs.size;
                                let shift = match gs.font.as_deref().and_then(Font::vertical) {
                                    Some(_) => Matrix::translate(0.0, t),
                                    None => Matrix::translate(t * gs.th, 0.0),
                                };
                                st.tm = shift.then(&st.tm);
                            }
                            _ => {}
                        }
                    }
                }
            }
            b"Do" => {
                if let Some(name) = last_name(args) {
                    self.xobject(resources, name, &st.gs, out, forms)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn resource(
        &self,
        resources: Option<&'d Dictionary>,
        category: &[u8],
        name: &[u8],
    ) -> Option<&'d Object> {
        let doc = self.doc;
        let dict = get_dict(doc, resources?, category)?;
        get(doc, dict, name)
    }

    pub(crate) fn font_resource(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
    ) -> Result<Option<Rc<Font>>, PdfError> {
        match self.resource(resources, b"Font", name).and_then(as_dict) {
            Some(dict) => self.font(dict).map(Some),
            None => Ok(None),
        }
    }

    pub(crate) fn ext_gstate(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
        gs: &mut GState,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(dict) = self.resource(resources, b"ExtGState", name).and_then(as_dict) else { return Ok(()) };
        if let Some(Object::Array(a)) = get(doc, dict, b"Font") {
            if let (Some(font), Some(size)) =
                (a.first().and_then(|o| resolve(doc, o)).and_then(as_dict), a.get(1).and_then(|o| num(doc, o)))
            {
                gs.font = Some(self.font(font)?);
                gs.size = size;
            }
        }
        Ok(())
    }

    pub(crate) fn xobject(
        &mut self,
        resources: Option<&'d Dictionary>,
        name: &[u8],
        gs: &GState,
        out: &mut PageOut,
        forms: &mut Vec<usize>,
    ) -> Result<(), PdfError> {
        let doc = self.doc;
        let Some(Object::Stream(s)) = self.resource(resources, b"XObject", name) else { return Ok(()) };
        // Images (and PostScript XObjects) are not looked at.
        if get_name(doc, &s.dict, b"Subtype") != Some(b"Form") {
            return Ok(());
        }
        let key = s as *const Stream as usize;
        if forms.len() >= MAX_FORM_DEPTH || forms.contains(&key) {
            return Ok(());
        }
        let content = match self.forms.get(&key) {
            Some(c) => Rc::clone(c),
            None => {
                let c = Rc::new(self.decode(s)?);
                self.forms.insert(key, Rc::clone(&c));
                c
            }
        };
        let mut child = gs.clone();
        if let Some(m) = get_array(doc, &s.dict, b"Matrix").and_then(|a| {
            let v: Vec<f64> = a.iter().filter_map(|o| num(doc, o)).collect();
            <[f64; 6]>::try_from(v.as_slice()).ok()
        }) {
            let ctm = Matrix::new(m).then(&gs.ctm);
            if ctm.is_finite() {
                child.ctm = ctm;
            }
        }
        let res = get_dict(doc, &s.dict, b"Resources").or(resources);
        forms.push(key);
        let result = self.run(&content, res, child, out, forms);
        forms.pop();
        result
    }
}

#[derive(Debug)]
pub(crate) enum Arg {
    Num(f64),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Arg>),
    Other,
}

pub(crate) struct RunState {
    pub(crate) gs: GState,
    pub(crate) stack: Vec<GState>,
    pub(crate) deep_q: usize,
    pub(crate) tm: Matrix,
    pub(crate) tlm: Matrix,
    pub(crate) path: Path,
}

/// The last `N` operands, if they are all numbers.
pub(crate) fn nums<const N: usize>(args: &[Arg]) -> Option<[f64; N]> {
    let tail = args.get(args.len().checked_sub(N)?..)?;
    let mut out = [0.0; N];
    for (slot, arg) in out.iter_mut().zip(tail) {
        match arg {
            Arg::Num(v) => *slot = *v,
            _ => return None,
        }
    }
    Some(out)
}

pub(crate) fn set_num(args: &[Arg], slot: &mut f64) {
    if let Some([v]) = nums::<1>(args) {
        *slot = v;
    }
}

pub(crate) fn last_name(args: &[Arg]) -> Option<&[u8]> {
    args.iter().rev().find_map(|a| match a {
        Arg::Name(n) => Some(n.as_slice()),
        _ => None,
    })
}

pub(crate) fn is_white(args: &[Arg], device: bool) -> bool {
    if !device {
        return false;
    }
    let v: Vec<f64> = args.iter().filter_map(|a| if let Arg::Num(v) = a { Some(*v) } else { None }).collect();
    match v.as_slice() {
        [g] => *g >= 0.999,
        [r, g, b] => *r >= 0.999 && *g >= 0.999 && *b >= 0.999,
        [c, m, y, k] => *c <= 0.001 && *m <= 0.001 && *y <= 0.001 && *k <= 0.001,
        _ => false,
    }
}

pub(crate) fn next_line(st: &mut RunState) {
    st.tlm = Matrix::translate(0.0, -st.gs.tl).then(&st.tlm);
    st.tm = st.tlm;
}

/// Show a string: one glyph per code, advancing the text matrix.
pub(crate) fn show(st: &mut RunState, s: &[u8], out: &mut PageOut) {
    let gs = &st.gs;
    let Some(font) = gs.font.clone() else { return };
    let mut pos = 0;
    while pos < s.len() {
        let (code, len) = font.next_code(s, pos);
        let bytes = s.get(pos..pos + len).unwrap_or_default();
        pos += len;
        let w = font.width(code, len);
        let space = len == 1 && code == 32;
        let spacing = gs.tc + if space { gs.tw } else { 0.0 };
        let text = font.text(code, bytes);
        match font.vertical() {
            None => {
                let trm = Matrix::new([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise]).then(&st.tm).then(&gs.ctm);
                let corners = [(0.0, font.descent), (w, font.descent), (0.0, font.ascent), (w, font.ascent)];
                emit(out, text, &trm, corners, (0.0, 0.0), &st.tm.then(&gs.ctm), gs.size, false);
                st.tm = Matrix::translate((w * gs.size + spacing) * gs.th, 0.0).then(&st.tm);
            }
            Some(c) => {
                let trm = Matrix::new([gs.size, 0.0, 0.0, gs.size, 0.0, 0.0]).then(&st.tm).then(&gs.ctm);
                let (x0, x1) = (-w / 2.0, w / 2.0);
                let corners = [
                    (x0, font.descent - c.vy),
                    (x1, font.descent - c.vy),
                    (x0, font.ascent - c.vy),
                    (x1, font.ascent - c.vy),
                ];
                emit(out, text, &trm, corners, (x0, -c.vy), &st.tm.then(&gs.ctm), gs.size, true);
                st.tm = Matrix::translate(0.0, c.w1 * gs.size + spacing).then(&st.tm);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn emit(
    out: &mut PageOut,
    text: String,
    trm: &Matrix,
    corners: [(f64, f64); 4],
    origin: (f64, f64),
    text_to_page: &Matrix,
    font_size: f64,
    vertical: bool,
) {
    if text.is_empty() || !trm.is_finite() {
        return;
    }
    let pts = corners.map(|(x, y)| trm.apply(x, y));
    let x0 = pts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x1 = pts.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y0 = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let y1 = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let size = font_size.abs() * text_to_page.c.hypot(text_to_page.d);
    let (top, bottom) = (out.height - y1, out.height - y0);
    let on_page = x1 >= -1.0 && x0 <= out.width + 1.0 && bottom >= -1.0 && top <= out.height + 1.0;
    if !(size > 0.0 && size.is_finite() && on_page) {
        return;
    }
    let baseline = out.height - trm.apply(origin.0, origin.1).1;
    if !text.trim().is_empty() {
        if let Some(slot) = out.turns.get_mut(quarter_turns(trm)) {
            *slot += 1;
        }
    }
    let tol = 0.01;
    let upright = trm.a > 0.0 && trm.d > 0.0 && trm.b.abs() <= tol * trm.a && trm.c.abs() <= tol * trm.d;
    out.glyphs.push(Glyph {
        text,
        x0: x0 as f32,
        x1: x1 as f32,
        top: top as f32,
        bottom: bottom as f32,
        size: size as f32,
        upright,
        vertical,
        baseline: baseline as f32,
    });
}

/// The direction of a text matrix's baseline in quarter turns
/// counter-clockwise (y up): 0 reads left to right, 1 bottom to top,
/// 2 upside down, 3 top to bottom.
pub(crate) fn quarter_turns(trm: &Matrix) -> usize {
    let angle = trm.b.atan2(trm.a).to_degrees();
    ((angle / 90.0).round() as i64).rem_euclid(4) as usize
}

/// The quarter turns clockwise that make a page's text upright: `Some` only
/// when more than half of its visible glyphs read in one direction other
/// than left to right.
pub(crate) fn dominant_turn(turns: &[usize; 4]) -> Option<i64> {
    let total: usize = turns.iter().sum();
    let (q, &n) = turns.iter().enumerate().max_by_key(|&(_, n)| *n)?;
    (q != 0 && n * 2 > total).then_some(q as i64)
}

/// Fake bold: the same character drawn again within this fraction of its
/// size (in x and in y) is one character. Two characters side by side are at
/// least a narrow glyph's advance apart (0.22 of the size for `l`).
const OVERDRAWN: f32 = 0.15;

/// Remove glyphs that repeat an earlier glyph's text at almost the same
/// place and size (text drawn twice with a small offset to look bold).
pub(crate) fn drop_overdrawn(glyphs: &mut Vec<Glyph>) {
    let mut seen: HashMap<(String, i64, i64), Vec<usize>> = HashMap::new();
    let mut keep = vec![true; glyphs.len()];
    for (i, g) in glyphs.iter().enumerate() {
        if g.text.trim().is_empty() {
            continue;
        }
        let cell = f64::from((g.size * OVERDRAWN).max(0.1));
        let (cx, cy) = ((f64::from(g.x0) / cell).floor() as i64, (f64::from(g.baseline) / cell).floor() as i64);
        let twin = (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))).any(|(dx, dy)| {
            seen.get(&(g.text.clone(), cx + dx, cy + dy)).is_some_and(|ids| {
                ids.iter().filter_map(|&j| glyphs.get(j)).any(|h| {
                    let tol = OVERDRAWN * h.size.max(g.size);
                    (h.x0 - g.x0).abs() <= tol
                        && (h.baseline - g.baseline).abs() <= tol
                        && (h.size - g.size).abs() <= 0.1 * h.size.max(g.size)
                })
            })
        });
        if twin {
            if let Some(k) = keep.get_mut(i) {
                *k = false;
            }
        } else {
            seen.entry((g.text.clone(), cx, cy)).or_default().push(i);
        }
    }
    let mut flags = keep.into_iter();
    glyphs.retain(|_| flags.next().unwrap_or(true));
}
