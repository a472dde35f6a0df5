//! Paths and the ruling lines taken from them.

use crate::interp::*;
use crate::Rule;

#[derive(Default)]
pub(crate) struct Path {
    pub(crate) subpaths: Vec<Subpath>,
}

#[derive(Default)]
pub(crate) struct Subpath {
    pub(crate) pts: Vec<(f64, f64)>,
    /// `curve[i]`: the segment from `pts[i]` to `pts[i + 1]` is a curve.
    pub(crate) curve: Vec<bool>,
    pub(crate) closed: bool,
}

impl Path {
    pub(crate) fn move_to(&mut self, p: (f64, f64)) {
        self.subpaths.push(Subpath { pts: vec![p], curve: Vec::new(), closed: false });
    }

    pub(crate) fn line_to(&mut self, p: (f64, f64), curve: bool) {
        match self.subpaths.last_mut() {
            Some(sp) if !sp.closed => {
                sp.pts.push(p);
                sp.curve.push(curve);
            }
            // A segment after `h` starts from the subpath's first point.
            Some(sp) => {
                let start = sp.pts.first().copied().unwrap_or(p);
                self.subpaths.push(Subpath { pts: vec![start, p], curve: vec![curve], closed: false });
            }
            None => self.move_to(p),
        }
    }

    pub(crate) fn close(&mut self) {
        if let Some(sp) = self.subpaths.last_mut() {
            sp.closed = true;
        }
    }
}

/// Largest thickness of a filled rectangle taken as a rule (points).
pub(crate) const THIN_FILL: f64 = 3.0;
/// Shortest rule kept (points).
pub(crate) const MIN_RULE_LEN: f64 = 1.0;
/// Largest deviation from horizontal or vertical (points).
pub(crate) const AXIS_TOLERANCE: f64 = 0.5;

pub(crate) fn stroke_rules(path: &Path, close: bool, out: &mut PageOut) {
    for sp in &path.subpaths {
        for (i, pair) in sp.pts.windows(2).enumerate() {
            if let ([a, b], Some(false)) = (pair, sp.curve.get(i)) {
                push_rule(out, *a, *b);
            }
        }
        if (sp.closed || close) && sp.pts.len() > 2 {
            if let (Some(first), Some(last)) = (sp.pts.first(), sp.pts.last()) {
                push_rule(out, *last, *first);
            }
        }
    }
}

pub(crate) fn fill_rules(path: &Path, out: &mut PageOut) {
    for sp in &path.subpaths {
        let Some([x0, y0, x1, y1]) = axis_rect(sp) else { continue };
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= THIN_FILL && w > h {
            let y = (y0 + y1) / 2.0;
            push_rule(out, (x0, y), (x1, y));
        } else if w <= THIN_FILL && h > w {
            let x = (x0 + x1) / 2.0;
            push_rule(out, (x, y0), (x, y1));
        }
    }
}

/// The bounds of a subpath that is an axis-aligned rectangle.
pub(crate) fn axis_rect(sp: &Subpath) -> Option<[f64; 4]> {
    let mut pts = sp.pts.clone();
    if pts.len() == 5 && pts.first() == pts.last() {
        pts.pop();
    }
    if pts.len() != 4 || sp.curve.iter().any(|c| *c) {
        return None;
    }
    let n = pts.len();
    for i in 0..n {
        let (a, b) = (pts.get(i)?, pts.get((i + 1) % n)?);
        if (a.0 - b.0).abs() > AXIS_TOLERANCE && (a.1 - b.1).abs() > AXIS_TOLERANCE {
            return None;
        }
    }
    let xs = pts.iter().map(|p| p.0);
    let ys = pts.iter().map(|p| p.1);
    Some([
        xs.clone().fold(f64::INFINITY, f64::min),
        ys.clone().fold(f64::INFINITY, f64::min),
        xs.fold(f64::NEG_INFINITY, f64::max),
        ys.fold(f64::NEG_INFINITY, f64::max),
    ])
}

/// Add a segment (display space, y up) if it is horizontal or vertical, long
/// enough and on the page.
pub(crate) fn push_rule(out: &mut PageOut, a: (f64, f64), b: (f64, f64)) {
    let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
    if !(dx.is_finite() && dy.is_finite()) {
        return;
    }
    let h = out.height;
    let rule = if dy <= AXIS_TOLERANCE && dx >= MIN_RULE_LEN {
        let y = h - (a.1 + b.1) / 2.0;
        Rule { x0: a.0.min(b.0) as f32, y0: y as f32, x1: a.0.max(b.0) as f32, y1: y as f32 }
    } else if dx <= AXIS_TOLERANCE && dy >= MIN_RULE_LEN {
        let x = (a.0 + b.0) / 2.0;
        Rule { x0: x as f32, y0: (h - a.1.max(b.1)) as f32, x1: x as f32, y1: (h - a.1.min(b.1)) as f32 }
    } else {
        return;
    };
    let (w, h) = (out.width as f32, out.height as f32);
    if rule.x1 >= -1.0 && rule.x0 <= w + 1.0 && rule.y1 >= -1.0 && rule.y0 <= h + 1.0 {
        out.rules.push(rule);
    }
}
