//! In-process benchmarks, run by bench/run.sh:
//! - docx extraction against its floor: inflating word/document.xml and
//!   tokenizing it with quick-xml, measured in the same run on the same files;
//! - xlsx extraction;
//! - template generation (xlsx and docx), files per second.
//!
//! cargo run --release --example bench -- DIR_WITH_SYNTH_FILES

use std::io::Read;

/// The allocator the `xxgk` binary uses (src/main.rs), so that the reader
/// is measured as it runs there.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;
use xxgk::edition::Editions;
use xxgk::read::{read_report, ReadOptions};

fn files(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

/// word/document.xml inflated.
fn document_xml(bytes: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut xml = Vec::new();
    z.by_name("word/document.xml").expect("document.xml").read_to_end(&mut xml).expect("inflate");
    xml
}

/// The floor: unzip word/document.xml and run quick-xml over every event,
/// copying each event into a buffer (`read_event_into`).
#[inline(never)]
fn inflate_and_tokenize(bytes: &[u8]) -> usize {
    let xml = document_xml(bytes);
    let mut r = quick_xml::Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => n += 1,
        }
        buf.clear();
    }
    n
}

/// The floor with quick-xml's borrowing slice reader (no copy into a buffer).
#[inline(never)]
fn inflate_and_tokenize_slice(bytes: &[u8]) -> usize {
    let xml = document_xml(bytes);
    let mut r = quick_xml::Reader::from_reader(xml.as_slice());
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            Ok(_) => n += 1,
        }
    }
    n
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("usage: bench DIR"));
    let eds = Editions::builtin().expect("editions");
    let opts = ReadOptions::new(&eds);
    let mut docx = Vec::new();
    files(&dir, "docx", &mut docx);
    docx.sort();
    docx.truncate(500);
    let mut xlsx = Vec::new();
    files(&dir, "xlsx", &mut xlsx);
    xlsx.sort();
    xlsx.truncate(500);
    let docx_bytes: Vec<Vec<u8>> = docx.iter().map(|p| std::fs::read(p).expect("read")).collect();

    // Warm up, then best of 3 rounds for each side.
    let mut floor = f64::MAX;
    let mut floor_slice = f64::MAX;
    let mut full = f64::MAX;
    let mut parse = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for b in &docx_bytes {
            std::hint::black_box(xxgk::read::docx::parse::parse(b, &opts.limits).expect("parse"));
        }
        parse = parse.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let mut events = 0;
        for b in &docx_bytes {
            events += inflate_and_tokenize(b);
        }
        floor = floor.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for b in &docx_bytes {
            events += inflate_and_tokenize_slice(b);
        }
        floor_slice = floor_slice.min(t.elapsed().as_secs_f64());
        std::hint::black_box(events);
        let t = Instant::now();
        for p in &docx {
            std::hint::black_box(read_report(p, opts).expect("read docx"));
        }
        full = full.min(t.elapsed().as_secs_f64());
    }
    let n = docx.len() as f64;
    println!("docx files: {}", docx.len());
    println!("docx floor (inflate + tokenize document.xml): {:.3} ms/file", floor / n * 1e3);
    println!("docx floor with the borrowing slice reader: {:.3} ms/file", floor_slice / n * 1e3);
    println!("docx parse stage (zip + XML walk → paragraphs, tables, merges): {:.3} ms/file", parse / n * 1e3);
    println!("docx parse stage / floor: {:.2}x", parse / floor);
    println!(
        "docx extraction (read file, sniff, parse, find tables and parts, conform): {:.3} ms/file",
        full / n * 1e3
    );
    println!("docx extraction / floor: {:.2}x", full / floor);

    let t = Instant::now();
    for p in &xlsx {
        std::hint::black_box(read_report(p, opts).expect("read xlsx"));
    }
    println!(
        "xlsx extraction: {:.3} ms/file ({} files)",
        t.elapsed().as_secs_f64() / xlsx.len().max(1) as f64 * 1e3,
        xlsx.len()
    );

    if std::env::var_os("BENCH_SKIP_TEMPLATES").is_some() {
        return;
    }
    let ed = eds.for_year(2025).expect("edition");
    let count = 300;
    let t = Instant::now();
    for i in 0..count {
        let r = xxgk::template::blank(ed, &format!("单位{i}"), 2025, None);
        std::hint::black_box(xxgk::write::xlsx::render(&r, ed).expect("xlsx"));
    }
    println!("template generation, xlsx: {:.0} files/s", count as f64 / t.elapsed().as_secs_f64());
    let t = Instant::now();
    for i in 0..count {
        let r = xxgk::template::blank(ed, &format!("单位{i}"), 2025, None);
        std::hint::black_box(xxgk::write::docx::render(&r, ed, xxgk::write::docx::Purpose::Template).expect("docx"));
    }
    println!("template generation, docx: {:.0} files/s", count as f64 / t.elapsed().as_secs_f64());
}
