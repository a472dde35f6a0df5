//! Print the neutral document a reader makes of a file (paragraphs, and
//! tables as positioned cells with their spans): what the mapper sees.
//!
//! `cargo run --example layout -- report.pdf`

use xxgk::read::doc::Item;

fn main() {
    let Some(p) = std::env::args().nth(1) else {
        eprintln!("usage: layout FILE");
        std::process::exit(2);
    };
    let path = std::path::Path::new(&p);
    let eds = xxgk::edition::Editions::builtin().expect("built-in editions");
    let opts = xxgk::read::ReadOptions::new(&eds);
    let doc = xxgk::read::kind_of(path)
        .and_then(|kind| {
            let bytes = std::fs::read(path).map_err(|e| xxgk::Error::io(path, e))?;
            xxgk::read::document(kind, path, bytes, opts)
        })
        .unwrap_or_else(|e| {
            eprintln!("{e}");
            std::process::exit(2);
        });
    for item in &doc.body {
        match item {
            Item::Para(t) => println!("¶ {t}"),
            Item::Table(t) => {
                println!("▦ {} rows, {}", t.rows, if t.aligned { "aligned" } else { "unaligned" });
                for c in t.cells.iter().filter(|c| !c.text.trim().is_empty()) {
                    println!("  ({},{}) {}×{} {:?}", c.row, c.col, c.rowspan, c.colspan, c.text);
                }
            }
        }
    }
}
