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
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(super::esc("a\u{0B}b\u{1}c\u{FFFE}<&>\t\n"), "abc&lt;&amp;&gt;\t\n");
    }
}
