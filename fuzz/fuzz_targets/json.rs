#![no_main]
#[path = "common.rs"]
mod common;
use libfuzzer_sys::fuzz_target;

// Any report the JSON reader accepts is checked, written in every format,
// and its canonical JSON reads back to the same report.
fuzz_target!(|data: &[u8]| {
    let Ok(r) = xxgk::read::json::from_slice(data) else { return };
    let eds = common::editions();
    let Ok(ed) = eds.resolve(&r, None) else { return };
    let r = xxgk::read::conform(r, ed);
    common::exercise(&r);
    let bytes = xxgk::write::json::render(&r).expect("canonical JSON is written");
    let back = xxgk::read::json::from_slice(&bytes).expect("canonical JSON reads back");
    let back = xxgk::read::conform(back, ed);
    assert_eq!(back, r, "JSON round trip");
});
