#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

// The first byte chooses the reader: even = plain text, odd = HTML.
fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else { return };
    let p = std::path::Path::new("fuzz.txt");
    let r = if first % 2 == 0 {
        xxgk::read::text::from_bytes(p, rest, common::opts())
    } else {
        xxgk::read::html::from_bytes(p, rest, common::opts())
    };
    if let Ok(r) = r {
        let r = xxgk::read::conform(r.clone(), common::editions().get(&r.edition).expect("edition of a read report"));
        common::exercise(&r);
    }
});
