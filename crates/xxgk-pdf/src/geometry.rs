//! Matrices and the page's display transform.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Matrix {
    pub(crate) a: f64,
    pub(crate) b: f64,
    pub(crate) c: f64,
    pub(crate) d: f64,
    pub(crate) e: f64,
    pub(crate) f: f64,
}

impl Matrix {
    pub(crate) const IDENTITY: Matrix = Matrix { a: 1.0, b: 0.0, c: 0.0, d: 1.0, e: 0.0, f: 0.0 };

    pub(crate) fn new(v: [f64; 6]) -> Matrix {
        let [a, b, c, d, e, f] = v;
        Matrix { a, b, c, d, e, f }
    }

    pub(crate) fn translate(x: f64, y: f64) -> Matrix {
        Matrix { e: x, f: y, ..Matrix::IDENTITY }
    }

    /// `self` then `o`: for a row vector p, p × self × o.
    pub(crate) fn then(&self, o: &Matrix) -> Matrix {
        Matrix {
            a: self.a * o.a + self.b * o.c,
            b: self.a * o.b + self.b * o.d,
            c: self.c * o.a + self.d * o.c,
            d: self.c * o.b + self.d * o.d,
            e: self.e * o.a + self.f * o.c + o.e,
            f: self.e * o.b + self.f * o.d + o.f,
        }
    }

    pub(crate) fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (x * self.a + y * self.c + self.e, x * self.b + y * self.d + self.f)
    }

    pub(crate) fn is_finite(&self) -> bool {
        [self.a, self.b, self.c, self.d, self.e, self.f].iter().all(|v| v.is_finite())
    }
}

/// The matrix from user space to the displayed page, y up, origin bottom-left.
pub(crate) fn page_base(bx: [f64; 4], rotate: i64) -> (Matrix, f64, f64) {
    let [x0, y0, x1, y1] = bx;
    let (w, h) = (x1 - x0, y1 - y0);
    match rotate.rem_euclid(360) {
        90 => (Matrix::new([0.0, -1.0, 1.0, 0.0, -y0, x0 + w]), h, w),
        180 => (Matrix::new([-1.0, 0.0, 0.0, -1.0, x0 + w, y0 + h]), w, h),
        270 => (Matrix::new([0.0, 1.0, -1.0, 0.0, y0 + h, -x0]), h, w),
        _ => (Matrix::translate(-x0, -y0), w, h),
    }
}
