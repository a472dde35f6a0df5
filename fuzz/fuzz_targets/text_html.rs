#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

// The first byte chooses the reader: even = plain text, odd = HTML.
fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let p = std::path::Path::new("fuzz.txt");
    let kind = if first % 2 == 0 { xxgk::read::InputKind::Text } else { xxgk::read::InputKind::Html };
    if let Ok(r) = xxgk::read::from_bytes(kind, p, rest.to_vec(), common::opts()) {
        common::exercise(&r);
    }
});
