//! Round trips, property-tested: any report of either edition survives
//! model → writer → reader unchanged.

mod common;

use proptest::prelude::*;
use xxgk::edition::{Editions, Kind};
use xxgk::model::{Number, Part, Report};
use xxgk::read::{conform, json};

fn arb_report() -> impl Strategy<Value = Report> {
    let eds = Editions::builtin().unwrap();
    (
        0usize..2,
        proptest::collection::vec(proptest::option::weighted(0.9, 0i64..100_000), 200),
        any::<bool>(),
        "[一-龥]{0,40}",
    )
        .prop_map(move |(e, vals, with_year, text)| {
            let ed = &eds.all()[e];
            let mut r = ed.blank_report("测试县人民政府", with_year.then_some(ed.year_from));
            for (c, v) in ed.cells.iter().zip(vals.iter().cycle()) {
                let n = v.map(|v| match c.kind {
                    Kind::Count => Number::from_i64(v),
                    Kind::Signed => Number::from_i64(v - 50_000),
                    Kind::Amount => Number(rust_decimal::Decimal::new(v, 4)),
                });
                r.cells.insert(c.id.clone(), n);
            }
            for p in &ed.parts {
                r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: text.clone() });
            }
            r.preamble = ed.preamble_for(&r.organ, r.year);
            r
        })
}

proptest! {
    #[test]
    fn json_round_trip(report in arb_report()) {
        let eds = Editions::builtin().unwrap();
        let ed = eds.resolve(&report, None).unwrap();
        let bytes = xxgk::write::json::render(&report).unwrap();
        let back = conform(json::from_slice(&bytes).unwrap(), ed);
        prop_assert_eq!(&back, &report);
        prop_assert_eq!(xxgk::write::json::render(&back).unwrap(), bytes);
    }
}
