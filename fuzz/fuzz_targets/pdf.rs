#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;
use xxgk::read::pdf::extract::{extract, PdfLimits};

// Any input, with small limits: no panic, no hang, bounded memory; pages that
// come back are well-formed (glyph boxes ordered, rules horizontal or vertical).
// Then the whole reader on the same bytes (object layer, layout into tables and
// text lines, the text layout, the mapper): a report that reads is checked and
// written in every format, like the other targets.
fuzz_target!(|data: &[u8]| {
    let limits = PdfLimits {
        max_pages: 50,
        max_objects: 20_000,
        max_stream_bytes: 4 << 20,
        max_total_bytes: 16 << 20,
        max_ops: 200_000,
    };
    if let Ok(pages) = extract(data, &limits) {
        assert!(pages.len() <= limits.max_pages);
        for p in &pages {
            for g in &p.glyphs {
                assert!(!g.text.is_empty() && g.x0 <= g.x1 && g.top <= g.bottom, "{g:?}");
            }
            for r in &p.rules {
                assert!((r.y0 == r.y1 && r.x0 <= r.x1) || (r.x0 == r.x1 && r.y0 <= r.y1), "{r:?}");
            }
        }
    }
    let p = std::path::Path::new("fuzz.pdf");
    if let Ok(r) = xxgk::read::from_bytes(xxgk::read::InputKind::Pdf, p, data.to_vec(), common::opts()) {
        common::exercise(&r);
    }
});
