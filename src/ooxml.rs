//! Tiny helpers for writing OOXML packages by hand: XML escaping that drops
//! characters XML cannot hold (crates-notes.md §3: control characters make a
//! document unreadable), and a deterministic zip packager (fixed order and
//! timestamps, so the same input gives the same bytes).

use std::io::Write;

/// Escape text for XML content or attribute values, dropping control
/// characters other than tab and newline, and U+FFFE/U+FFFF.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Remove what XML cannot hold (see [`esc`]) without escaping.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\t' || c == '\n' || !((c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}'))
        .collect()
}

/// Zip the parts in the order given, deflated, with a fixed timestamp.
pub fn package(parts: &[(&str, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (name, data) in parts {
            z.start_file(*name, opts).map_err(std::io::Error::other)?;
            z.write_all(data)?;
        }
        z.finish().map_err(std::io::Error::other)?;
    }
    made_on_unix(&mut out);
    Ok(out)
}

/// Make a zip the same bytes on every system: the zip writers record the
/// system that made each entry (Unix on Linux, MS-DOS on Windows) in the
/// central directory; every entry is marked as made on Unix. Nothing else
/// changes and no offset moves. A buffer that is no zip is left as it is.
pub fn made_on_unix(zip: &mut [u8]) {
    mark_unix(zip, 0);
}

/// [`made_on_unix`] on a zip file, reading and rewriting only its central
/// directory (a batch's summary.xlsx can be large).
///
/// # Errors
/// The file cannot be read or written.
pub fn made_on_unix_file(file: &mut std::fs::File) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let len = file.seek(SeekFrom::End(0))?;
    let tail_from = len.saturating_sub(22 + 0xFFFF);
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(tail_from))?;
    file.read_to_end(&mut tail)?;
    let Some(end) = tail.windows(4).rposition(|w| w == [0x50, 0x4b, 0x05, 0x06]) else { return Ok(()) };
    let cd = tail.get(end + 16..end + 20).and_then(|x| <[u8; 4]>::try_from(x).ok()).map(u32::from_le_bytes);
    let Some(cd) = cd.map(u64::from).filter(|cd| *cd < len) else { return Ok(()) };
    let mut dir = Vec::new();
    file.seek(SeekFrom::Start(cd))?;
    file.read_to_end(&mut dir)?;
    let before = dir.clone();
    mark_unix(&mut dir, usize::try_from(cd).unwrap_or(usize::MAX));
    if dir != before {
        file.seek(SeekFrom::Start(cd))?;
        file.write_all(&dir)?;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// Mark every entry of the central directory as made on Unix; `zip` holds
/// the file from byte `base` on (to its end), so the directory's offset
/// from the file's start is found at `offset - base`.
fn mark_unix(zip: &mut [u8], base: usize) {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const ENTRY: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let u16_at = |b: &[u8], i: usize| {
        b.get(i..i + 2).and_then(|x| <[u8; 2]>::try_from(x).ok()).map_or(0, |x| usize::from(u16::from_le_bytes(x)))
    };
    let u32_at = |b: &[u8], i: usize| {
        b.get(i..i + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .and_then(|x| usize::try_from(u32::from_le_bytes(x)).ok())
            .unwrap_or(0)
    };
    let from = zip.len().saturating_sub(22 + 0xFFFF);
    let Some(end) = zip.get(from..).and_then(|tail| tail.windows(4).rposition(|w| w == EOCD)).map(|i| from + i) else {
        return;
    };
    let (count, at) = (u16_at(zip, end + 10), u32_at(zip, end + 16));
    let Some(mut at) = at.checked_sub(base) else { return };
    for _ in 0..count {
        if zip.get(at..at + 4) != Some(&ENTRY[..]) {
            return;
        }
        if let Some(host) = zip.get_mut(at + 5) {
            *host = 3;
        }
        at += 46 + u16_at(zip, at + 28) + u16_at(zip, at + 30) + u16_at(zip, at + 32);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_zip_is_marked_as_made_on_unix_and_nothing_else_changes() {
        let mut z = super::package(&[("a.xml", b"<a/>".to_vec()), ("b/c.xml", vec![b'x'; 300])]).unwrap();
        let before = z.clone();
        // As a Windows writer makes it: host MS-DOS (0).
        for i in 0..z.len().saturating_sub(4) {
            if z[i..i + 4] == [0x50, 0x4b, 0x01, 0x02] {
                z[i + 5] = 0;
            }
        }
        assert_ne!(z, before);
        // The same on a file, where only the central directory is read.
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, &z).unwrap();
        super::made_on_unix_file(&mut f).unwrap();
        let mut on_disk = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut on_disk).unwrap();
        assert_eq!(on_disk, before);
        super::made_on_unix(&mut z);
        assert_eq!(z, before);
        let mut not_zip = b"not a zip".to_vec();
        super::made_on_unix(&mut not_zip);
        assert_eq!(not_zip, b"not a zip");
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(super::esc("a\u{0B}b\u{1}c\u{FFFE}<&>\t\n"), "abc&lt;&amp;&gt;\t\n");
    }
}
