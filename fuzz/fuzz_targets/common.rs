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
    // A generated Office 97-2003 header would start LibreOffice
    // (src/read/legacy.rs); a fuzz target never does.
    static NO_SOFFICE: std::sync::Once = std::sync::Once::new();
    NO_SOFFICE.call_once(|| std::env::set_var("XXGK_SOFFICE", "none"));
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
