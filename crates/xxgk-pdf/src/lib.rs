//! # xxgk-pdf: PDF bytes → positioned glyphs and ruling lines
//!
//! [`extract`] turns the bytes of a PDF into one [`Page`] per page: every
//! character shown, as a [`Glyph`] with its Unicode text and its box, and every
//! table border, as a horizontal or vertical [`Rule`]. Coordinates are points
//! on the page as displayed: origin top-left, y downwards, the page's
//! `/Rotate` applied, measured from the `/CropBox` (else the `/MediaBox`).
//! A page whose visible glyphs mostly read in one other direction (turned
//! by `/Rotate`, or drawn turned) is given as that text reads, turned by
//! the quarter turns that make it upright. A character drawn again within
//! 0.15 of its size of the same character (fake bold) is given once.
//! Grouping glyphs into lines, cells and tables is the next layer's job.
//!
//! ## Crate choice (objects, xref, filters)
//!
//! - **lopdf 0.47.0** (chosen, without default features): pure Rust, MIT,
//!   recent (needs Rust 1.88), actively hardened: caps on decompressed stream
//!   size and nesting depth (100), reference-cycle detection, xref rebuilt by
//!   scanning when it is broken, decryption with the empty user password.
//!   Its text extraction gives no positions and no paths, so the text layer is
//!   ours. Weak spot found: object-stream parsing can be made quadratic (below).
//! - **pdf-extract 0.12.1** (on lopdf 0.42): per-character `OutputDev`
//!   callback; read both real reports' CJK correctly (25 and 44 ms, release),
//!   but panics by design on input it does not expect (about 100
//!   `unwrap`/`expect`/`panic!` in lib.rs; issues #129, #133 open), reports no
//!   path geometry for rules, and pins an older lopdf.
//! - **pdf_oxide 0.3.78**: CJK right too (27 and 43 ms), but about 450,000
//!   lines with some 80 declared dependencies, and its text API returns lines
//!   in its own order, not glyph positions.
//! - **pdf 0.10 (pdf-rs)**: fuzzing found panics and stack overflows (issues
//!   #251, #253, #286); heavier dependency set (jpeg, fax, libflate, …).
//!
//! Ours on lopdf: 2.4 ms (Hongze 2023, 5 pages) and 2.8 ms (Huai'an 2024,
//! 6 pages) per file in a release build.
//!
//! ## Our own code
//!
//! Content-stream lexer and interpreter (text state and matrices, `q`/`Q`,
//! `cm`, `Tc Tw Tz TL Ts Tf Tr Td TD Tm T* Tj TJ ' "`, form XObjects with a
//! depth cap and cycle guard, inline images skipped without decoding, image
//! XObjects skipped), fonts (simple fonts with WinAnsi/MacRoman/Standard
//! encodings plus `/Differences` and the Adobe Glyph List for New Fonts;
//! `/Widths`, `/MissingWidth`, standard-14 metrics for Helvetica/Times/Courier;
//! Type3 `/FontMatrix`; Type0 with Identity-H/V, embedded CMaps, `/W`, `/DW`,
//! `/DW2`; per-CID `/W2` is not read), ToUnicode CMaps (`bfchar`, `bfrange` incl. the array form,
//! multi-byte codespaces), and paths for rules.
//!
//! Type0 fonts without a usable ToUnicode: codes under the predefined CMaps
//! `GB-EUC`, `GBpc-EUC`, `GBK-EUC`, `GBKp-EUC`, `GBK2K` are decoded as
//! GB18030 bytes, `B5pc`/`ETen-B5`/`HKscs-B5` as Big5, and `Uni*-UCS2`/
//! `Uni*-UTF16` as UTF-16BE; for an Identity encoding with an Adobe CID
//! system (GB1 and the others) CIDs 1–95 are the proportional ASCII range.
//! Any other code comes out as U+FFFD (we ship no 30,000-entry CID table and
//! do not read the embedded font program's cmap).
//!
//! Kangxi radicals (U+2F00–U+2FDF, U+2E80–U+2EFF) and CJK compatibility
//! ideographs that ToUnicode maps some characters to are folded to the unified
//! ideograph (⽇ U+2F47 becomes 日 U+65E5); nothing else is
//! normalized, so full-width digits and punctuation stay as they are.
//!
//! ## Hostile input
//!
//! No panic: lopdf is called inside `std::panic::catch_unwind` (it has
//! `unwrap`s on mutex locks and its own indexing), and any panic becomes
//! [`PdfError::Broken`]; our code denies `unwrap`, `expect`, `panic!` and
//! indexing. Limits ([`PdfLimits`]) are checked before allocating where we
//! can: object count from the `endobj` keywords before loading; page count
//! from `/Count` before walking the page tree and while walking it; every
//! stream is inflated with a cap (lopdf stops inflating at the cap), and the
//! sum of all streams read is capped too; operators per page are counted.
//! The page tree expands each intermediate node once (loops, shared subtrees),
//! form XObjects nest at most 16 deep and never into themselves.
//! Object streams: lopdf parses each member from its offset to wherever the
//! object ends, so many index entries into one unterminated array cost
//! O(n²) (measured: 64 KiB took 8 s, 256 KiB 130 s). Before lopdf sees the
//! file we find every object stream ourselves, inflate it within the limits
//! and require strictly increasing offsets (as the standard does) and each
//! member complete within its own span; otherwise the file is
//! [`PdfError::Broken`]. An encrypted file's object streams cannot be checked
//! that way, so for a file with `/Encrypt` lopdf may inflate at most 16 KiB per
//! object or xref stream while loading (worst case about 0.5 s), and a file
//! needing more is [`PdfError::Encrypted`]. Other files: 8 MiB.
//!
//! Encryption: lopdf tries the empty user password. A file it decrypts that
//! way (an owner password only restricts printing or copying, which many
//! published reports have) is read normally; a file that needs a password,
//! whose `/Encrypt` lopdf cannot handle, or whose decrypted pages yield no
//! readable character is [`PdfError::Encrypted`].

// No panics on input: unwrap, expect, panic! and indexing are denied.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod cmap;
mod error;
mod font;
mod geometry;
mod interp;
mod lexer;
mod load;
mod object;
mod paths;
mod tables;
#[cfg(test)]
mod tests;

pub use error::{show_size, PdfError};
use load::{extract_inner, has_pdf_header};

/// Caps on what one PDF may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfLimits {
    /// Most pages.
    pub max_pages: usize,
    /// Most objects in the file.
    pub max_objects: usize,
    /// Largest decompressed size of one stream (bytes).
    pub max_stream_bytes: u64,
    /// Largest decompressed size of all content read, together (bytes).
    pub max_total_bytes: u64,
    /// Most content-stream operators run for one page, form XObjects included.
    pub max_ops: usize,
}

impl Default for PdfLimits {
    /// Generous for real 5–30 page reports.
    fn default() -> PdfLimits {
        PdfLimits {
            max_pages: 2_000,
            max_objects: 1_000_000,
            max_stream_bytes: 64 << 20,
            max_total_bytes: 512 << 20,
            max_ops: 2_000_000,
        }
    }
}

/// One page: what is shown on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// 0-based page number.
    pub index: u32,
    /// Width of the page as displayed (points).
    pub width: f32,
    /// Height of the page as displayed (points).
    pub height: f32,
    /// Characters in content-stream order.
    pub glyphs: Vec<Glyph>,
    /// Ruling lines in content-stream order.
    pub rules: Vec<Rule>,
}

/// One character as shown: page coordinates in points, origin top-left, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Usually one char; ToUnicode may give several. U+FFFD when the font
    /// gives no way to know the character.
    pub text: String,
    pub x0: f32,
    /// `x0` plus the glyph's advance width (character and word spacing not included).
    pub x1: f32,
    /// Top of the font's ascent.
    pub top: f32,
    /// Bottom of the font's descent.
    pub bottom: f32,
    /// Effective font size (font size times the text and graphics scaling).
    pub size: f32,
    /// False for rotated text (from the text matrix and the page rotation).
    pub upright: bool,
    /// Written top to bottom (a `-V` CMap); the glyph itself stands upright.
    pub vertical: bool,
    /// y of the glyph's origin: the baseline of horizontal text.
    pub baseline: f32,
}

/// A ruling line (table border): a stroked line segment or a thin filled
/// rectangle, normalized to horizontal (`y0 == y1`, `x0 < x1`) or vertical
/// (`x0 == x1`, `y0 < y1`). Page coordinates as for [`Glyph`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl Rule {
    /// True for a horizontal rule.
    pub fn is_horizontal(&self) -> bool {
        self.y0 == self.y1
    }
}

/// Read every page of a PDF: its glyphs and ruling lines.
///
/// # Errors
/// A [`PdfError`] saying why the file cannot be read; never panics.
pub fn extract(bytes: &[u8], limits: &PdfLimits) -> Result<Vec<Page>, PdfError> {
    if !has_pdf_header(bytes) {
        return Err(PdfError::NotPdf);
    }
    match std::panic::catch_unwind(|| extract_inner(bytes, limits)) {
        Ok(result) => result,
        Err(_) => Err(PdfError::Broken("解析器内部错误".into())),
    }
}
