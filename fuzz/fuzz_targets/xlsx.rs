#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = xxgk::read::xlsx::from_bytes(std::path::Path::new("fuzz.xlsx"), data.to_vec(), common::opts()) {
        let r = xxgk::read::conform(r.clone(), common::editions().get(&r.edition).expect("edition of a read report"));
        common::exercise(&r);
    }
});
