#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let p = std::path::Path::new("fuzz.docx");
    if let Ok(r) = xxgk::read::from_bytes(xxgk::read::InputKind::Docx, p, data.to_vec(), common::opts()) {
        common::exercise(&r);
    }
});
