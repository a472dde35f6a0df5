// Shared by the fuzz targets: the editions, small limits, and what is done
// with a report once read (check it, write it in every format).
use std::sync::OnceLock;
use xxgk::edition::Editions;
use xxgk::limits::Limits;
use xxgk::model::Report;
use xxgk::read::ReadOptions;

pub fn editions() -> &'static Editions {
    static E: OnceLock<Editions> = OnceLock::new();
    E.get_or_init(|| Editions::builtin().expect("built-in editions"))
}

pub fn opts() -> ReadOptions<'static> {
    let limits = Limits { entry_bytes: 8 << 20, total_bytes: 32 << 20, ..Limits::default() };
    ReadOptions { editions: editions(), edition: None, limits }
}

/// Check the report and write it in every format; none of it may panic.
pub fn exercise(r: &Report) {
    let eds = editions();
    let Some(ed) = eds.get(&r.edition) else { return };
    let _ = xxgk::check::check(r, ed, None);
    let _ = xxgk::write::json::render(r);
    let _ = xxgk::write::csv::render(r, ed, false);
    let _ = xxgk::write::xlsx::render(r, ed);
    let _ = xxgk::write::docx::render(r, ed, xxgk::write::docx::Purpose::Publish);
}
