//! Generate N synthetic filled reports (half .docx, half .xlsx) with varied
//! numbers, written by xxgk's own writers: the input of the benchmarks.
//!
//! cargo run --release --example synth -- 10000 /tmp/county

use std::path::PathBuf;
use xxgk::edition::{Editions, Kind};
use xxgk::model::{Number, Part};

/// A small deterministic generator (no dependency; same files every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: synth N DIR")?.parse()?;
    let dir = PathBuf::from(args.next().ok_or("usage: synth N DIR")?);
    std::fs::create_dir_all(&dir)?;
    let eds = Editions::builtin()?;
    let mut rng = Lcg(20261121);
    let text = std::fs::read_to_string("samples/2021-tongxin-county.json")?;
    let base: serde_json::Value = serde_json::from_str(&text)?;
    for i in 0..n {
        let year = if i % 5 == 0 { 2020 } else { 2021 + (i % 4) as u32 };
        let ed = eds.for_year(year).ok_or("edition")?;
        let organ = format!("测试县第{i}单位");
        let mut r = ed.blank_report(&organ, Some(year));
        r.preamble = ed.preamble_for(&organ, Some(year));
        for p in &ed.parts {
            let t = base["parts"][p.id.as_str()]["text"].as_str().unwrap_or("无。");
            r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: t.to_string() });
        }
        for c in &ed.cells {
            let v = (rng.next() % 50) as i64;
            let n = match c.kind {
                Kind::Count => Number::from_i64(v),
                Kind::Signed => Number::from_i64(v - 25),
                Kind::Amount => Number(rust_decimal::Decimal::new(v * 12345, 2)),
            };
            r.cells.insert(c.id.clone(), Some(n));
        }
        // Consistent totals where the edition derives them.
        for _ in 0..3 {
            for (id, (_, inputs)) in ed.derivations() {
                let s = inputs.iter().try_fold(Number::ZERO, |a, (i, neg)| {
                    r.value(i).and_then(|v| a.checked_add(if *neg { -v } else { v }))
                });
                r.cells.insert(id.to_string(), s);
            }
        }
        let sub = dir.join(format!("乡镇{:02}", i % 20));
        std::fs::create_dir_all(&sub)?;
        if i % 2 == 0 {
            std::fs::write(
                sub.join(format!("{i:05}.docx")),
                xxgk::write::docx::render(&r, ed, xxgk::write::docx::Purpose::Publish)?,
            )?;
        } else {
            std::fs::write(sub.join(format!("{i:05}.xlsx")), xxgk::write::xlsx::render(&r, ed)?)?;
        }
    }
    println!("wrote {n} reports to {}", dir.display());
    Ok(())
}
