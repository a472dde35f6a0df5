//! Writer for the publication as PDF: the publication Word document
//! ([`super::docx`], with the one flag LibreOffice reads inverted written
//! its way: [`super::docx::Reader`]) printed by LibreOffice headless, run the one way xxgk
//! runs it ([`crate::soffice`]: private folder and profile with macros off,
//! its own process group, a time limit). Without LibreOffice the user is
//! told how to install it, or to print the `.docx` from Word or WPS.
//!
//! The same report gives the same bytes: LibreOffice stamps the moment of
//! printing as the creation date and a random file ID; both are overwritten
//! in place with as many bytes (no offset moves): the date with the report's
//! publication date (发布日期, `2022-01-28`); when it has none, no date is
//! made up — the entry is blanked out with spaces, so the PDF has no
//! creation date at all (a reader shows none) and stays the same bytes; the ID
//! (and LibreOffice's `/DocChecksum`) with a hash of the Word document printed.

use crate::edition::Edition;
use crate::error::{Error, OfficeFailure, OfficeTask, Result};
use crate::model::Report;
use crate::soffice::{self, soffice, Failure, Soffice};
use std::path::PathBuf;
use std::time::Duration;

/// Render a report as PDF, allowing LibreOffice `limit` to print it (a
/// publication made although the report had `errors`: see [`super::docx::render_for`]).
///
/// # Errors
/// [`Error::Office`] without LibreOffice, or if printing failed or took
/// longer than `limit`.
pub fn render(report: &Report, ed: &Edition, limit: Duration, errors: usize) -> Result<Vec<u8>> {
    let fail = |failure: OfficeFailure| Error::Office { path: PathBuf::new(), task: OfficeTask::PrintPdf, failure };
    let program = match soffice() {
        Soffice::Found(p) => p,
        Soffice::Missing => return Err(fail(OfficeFailure::Missing)),
        Soffice::Off(value) => return Err(fail(OfficeFailure::Off { value })),
        Soffice::Wrong(program) => return Err(fail(OfficeFailure::Wrong { program })),
    };
    let docx =
        super::docx::render_for(report, ed, super::docx::Purpose::Publish, super::docx::Reader::LibreOffice, errors)?;
    let printed = soffice::convert(&program, "input.docx", &docx, "pdf:writer_pdf_Export", limit, |p| std::fs::read(p));
    Err(fail(match printed {
        Ok(Ok(mut pdf)) => {
            settle(&mut pdf, &docx, creation_date(&report.published).as_deref());
            return Ok(pdf);
        }
        Ok(Err(e)) => OfficeFailure::BadOutput { detail: e.to_string() },
        Err(Failure::Prepare(what, e)) => OfficeFailure::Prepare { what: what.to_string(), detail: e.to_string() },
        Err(Failure::Start(e)) => OfficeFailure::Start { detail: format!("{}：{e}", program.display()) },
        Err(Failure::TimedOut(seconds)) => OfficeFailure::TimedOut { seconds },
        Err(Failure::NoOutput(status, said)) => OfficeFailure::NoOutput { status: status.to_string(), said },
    }))
}

/// The creation date stamped in the PDF: `YYYYMMDD000000` from a
/// publication date written `YYYY-MM-DD` (or `YYYY年M月D日`, `YYYY/M/D`,
/// `YYYY.M.D`); none for any other.
fn creation_date(published: &str) -> Option<String> {
    let parts: Vec<u32> = published
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.parse().ok())
        .collect();
    match parts.as_slice() {
        [y, m, d] if (1000..=9999).contains(y) && (1..=12).contains(m) && (1..=31).contains(d) => {
            Some(format!("{y:04}{m:02}{d:02}000000"))
        }
        _ => None,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Overwrite the digits after `at` with `with`, as far as both go.
fn overwrite(pdf: &mut [u8], at: usize, with: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    let mut n = 0;
    for (k, new) in with.iter().enumerate() {
        match pdf.get_mut(at + k) {
            Some(b) if keep(*b) => *b = *new,
            _ => break,
        }
        n += 1;
    }
    n
}

/// LibreOffice's creation date and file ID, made the same for the same
/// document (see the module documentation); without a `date` the creation
/// date entry becomes white space.
fn settle(pdf: &mut [u8], docx: &[u8], date: Option<&str>) {
    const DATE: &[u8] = b"/CreationDate(D:";
    if let Some(i) = find(pdf, DATE) {
        match date {
            Some(date) => {
                overwrite(pdf, i + DATE.len(), date.as_bytes(), |b| b.is_ascii_digit());
            }
            None => {
                let end = pdf.get(i..).and_then(|rest| rest.iter().position(|b| *b == b')')).map(|n| i + n + 1);
                for b in pdf.get_mut(i..end.unwrap_or(i)).into_iter().flatten() {
                    *b = b' ';
                }
            }
        }
    }
    let fnv = |seed: u64| docx.iter().fold(seed, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    let id = format!("{:016X}{:016X}", fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    // LibreOffice's own `/DocChecksum /…` in the trailer covers the date.
    const SUM: &[u8] = b"/DocChecksum /";
    if let Some(i) = find(pdf, SUM) {
        overwrite(pdf, i + SUM.len(), id.as_bytes(), |b| b.is_ascii_hexdigit());
    }
    // The trailer's `/ID [ <…> <…> ]`: both halves the same hash.
    if let Some(i) = find(pdf, b"/ID [") {
        let mut at = i + 5;
        for _ in 0..2 {
            let Some(open) = pdf.get(at..).and_then(|rest| rest.iter().position(|b| *b == b'<')) else { return };
            at += open + 1;
            at += overwrite(pdf, at, id.as_bytes(), |b| b.is_ascii_hexdigit());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_is_settled_in_place() {
        let mut pdf = b"<</CreationDate(D:20261130122014Z')>> trailer <</ID [ <D10A24A7AD437ED714A9CA9741A58C49> <D10A24A7AD437ED714A9CA9741A58C49> ] /DocChecksum /3B42BABF55BE4DE686375EA5BCF4284C >>".to_vec();
        let len = pdf.len();
        settle(&mut pdf, b"docx", creation_date("2022-01-28").as_deref());
        let text = String::from_utf8(pdf).unwrap();
        assert_eq!(text.len(), len);
        assert!(text.contains("/CreationDate(D:20220128000000Z')"), "{text}");
        let trailer = text.split("/ID [").nth(1).unwrap();
        let ids: Vec<&str> = trailer.split('<').skip(1).map(|s| s.split('>').next().unwrap()).collect();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], ids[1]);
        assert!(text.contains(&format!("/DocChecksum /{} >>", ids[0])), "{text}");
        assert_ne!(ids[0], "D10A24A7AD437ED714A9CA9741A58C49");
        assert_eq!(creation_date("2021年12月31日").as_deref(), Some("20211231000000"));
        assert_eq!(creation_date(""), None);
        assert_eq!(creation_date("2021-13-01"), None);
        // No date made up: the entry is blanked, in place.
        let mut pdf = b"<</Producer(LibreOffice)/CreationDate(D:20261130122014Z')>>".to_vec();
        settle(&mut pdf, b"docx", None);
        let blank = format!("<</Producer(LibreOffice){}>>", " ".repeat("/CreationDate(D:20261130122014Z')".len()));
        assert_eq!(String::from_utf8(pdf).unwrap(), blank);
    }
}
