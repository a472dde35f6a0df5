//! Generate N synthetic filled reports (half .docx, half .xlsx) with varied
//! numbers, written by xxgk's own writers: the input of the benchmarks.
//! With `--official`, every report is instead the official blank 2021 form
//! (tests/fixtures/reference) filled the way clerks fill it: numbers split
//! across runs, tracked changes, formula fields and comments in turn
//! (tests/common/official.rs, which the tests use too).
//!
//! cargo run --release --example synth -- 10000 /tmp/county [--official]

#[path = "../tests/common/official.rs"]
mod official;

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
    let official = args.next().as_deref() == Some("--official");
    let form = if official { std::fs::read(official::FORM)? } else { Vec::new() };
    std::fs::create_dir_all(&dir)?;
    let eds = Editions::builtin()?;
    let mut rng = Lcg(20261121);
    let text = std::fs::read_to_string("samples/2021-tongxin-county.json")?;
    let base: serde_json::Value = serde_json::from_str(&text)?;
    for i in 0..n {
        let year = if i % 5 == 0 && !official { 2020 } else { 2021 + (i % 4) as u32 };
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
        // Realistic reports: the 勾稽关系 holds (一 + 二 = （七） + 四), items
        // never go below zero, documents in force add up; one in ten reports
        // is left with a mistake so that findings are exercised too.
        let num = |r: &xxgk::model::Report, id: &str| r.value(id).unwrap_or(Number::ZERO);
        for c in &ed.cells {
            if c.id.ends_with(".change") {
                let base = c.id.trim_end_matches(".change");
                let prev = num(&r, &format!("{base}.prev_items"));
                let v = num(&r, &c.id);
                if prev.checked_add(v).is_some_and(|s| s.is_negative()) {
                    r.cells.insert(c.id.clone(), Some(-prev));
                }
            }
            if c.id.ends_with(".valid") {
                let base = c.id.trim_end_matches(".valid");
                let issued = num(&r, &format!("{base}.issued"));
                r.cells.insert(c.id.clone(), Some(issued.checked_add(Number::from_i64(20)).unwrap_or(issued)));
            }
            if c.id.ends_with(".published_total") {
                let base = c.id.trim_end_matches(".published_total");
                let p = num(&r, &format!("{base}.new_published"));
                r.cells.insert(c.id.clone(), Some(p.checked_add(Number::from_i64(30)).unwrap_or(p)));
            }
        }
        for col in ["natural", "commercial", "research", "welfare", "legal", "other"] {
            let outcomes: Vec<&str> = ed
                .cells
                .iter()
                .filter(|c| {
                    c.id.starts_with("t3.r") && !c.id.starts_with("t3.r7") && c.id.ends_with(&format!(".{col}"))
                })
                .map(|c| c.id.as_str())
                .collect();
            let r7 = outcomes.iter().fold(Number::ZERO, |a, id| a.checked_add(num(&r, id)).unwrap_or(a));
            let carry_out = num(&r, &format!("t3.carry_out.{col}"));
            let carry_in = Number::from_i64((rng.next() % 5) as i64);
            let total = r7.checked_add(carry_out).unwrap_or(r7);
            let carry_in = if carry_in > total { total } else { carry_in };
            r.cells.insert(format!("t3.carry_in.{col}"), Some(carry_in));
            r.cells.insert(format!("t3.new.{col}"), total.checked_sub(carry_in));
        }
        if i % 10 == 7 {
            r.cells.insert("t3.r1.natural".into(), Some(Number::from_i64(999)));
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
        if official {
            std::fs::write(sub.join(format!("{i:05}.docx")), official::fill_report(&form, &r, ed, i))?;
        } else if i % 2 == 0 {
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
