//! The official blank 2021 form (tests/fixtures/reference/official-form-2021.docx)
//! filled by code the way clerks fill it: shared by the tests and by the
//! benchmark's generator (`examples/synth.rs --official` includes this file).
#![allow(dead_code)]

use std::io::{Read, Write};

/// The official blank 2021 form, from the repository root.
pub const FORM: &str = "tests/fixtures/reference/official-form-2021.docx";

/// Rewrite `word/document.xml` of a package with `f`; `comments` (the
/// `<w:comment>` elements of the document, if any) go into a comments part,
/// with its relationship and content type.
pub fn fill_form(docx: &[u8], f: impl Fn(&str) -> String, comments: &[String]) -> Vec<u8> {
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut out = Vec::new();
    {
        let mut zout = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for i in 0..zin.len() {
            let mut e = zin.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            let text = || String::from_utf8(data.clone()).unwrap();
            match name.as_str() {
                "word/document.xml" => data = f(&text()).into_bytes(),
                "[Content_Types].xml" if !comments.is_empty() => {
                    data = text().replacen("</Types>", "<Override PartName=\"/word/comments.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml\"/></Types>", 1).into_bytes()
                }
                "word/_rels/document.xml.rels" if !comments.is_empty() => {
                    data = text().replacen("</Relationships>", "<Relationship Id=\"rIdComments\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments\" Target=\"comments.xml\"/></Relationships>", 1).into_bytes()
                }
                _ => {}
            }
            zout.start_file(&name, zip::write::SimpleFileOptions::default()).unwrap();
            zout.write_all(&data).unwrap();
        }
        if !comments.is_empty() {
            zout.start_file("word/comments.xml", zip::write::SimpleFileOptions::default()).unwrap();
            let xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:comments xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">{}</w:comments>",
                comments.concat()
            );
            zout.write_all(xml.as_bytes()).unwrap();
        }
        zout.finish().unwrap();
    }
    out
}

/// Put `values[t][k]` (run XML) into the k-th empty, non-continuation cell of
/// the t-th table.
pub fn fill_tables(xml: &str, values: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut rest = xml;
    let mut t = 0;
    while let Some(start) = rest.find("<w:tbl>") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</w:tbl>").unwrap() + start + "</w:tbl>".len();
        let table = &rest[start..end];
        let mut k = 0;
        let mut tout = String::new();
        let mut trest = table;
        while let Some(cs) = trest.find("<w:tc>") {
            tout.push_str(&trest[..cs]);
            let ce = trest[cs..].find("</w:tc>").unwrap() + cs + "</w:tc>".len();
            let cell = &trest[cs..ce];
            let texts: String = cell.split("<w:t>").skip(1).map(|s| s.split("</w:t>").next().unwrap()).collect();
            let continuation = cell.contains("<w:vMerge/>") || cell.contains("<w:vMerge w:val=\"continue\"/>");
            if texts.trim_matches('\u{3000}').trim().is_empty()
                && !continuation
                && t < values.len()
                && k < values[t].len()
            {
                // Drop the padding runs and put the value before the last </w:p>.
                let mut c = cell.to_string();
                while let Some(rs) = c.find("<w:r>") {
                    let re = c[rs..].find("</w:r>").unwrap() + rs + "</w:r>".len();
                    c.replace_range(rs..re, "");
                }
                let at = c.rfind("</w:p>").unwrap();
                c.insert_str(at, &values[t][k]);
                tout.push_str(&c);
                k += 1;
            } else {
                tout.push_str(cell);
            }
            trest = &trest[ce..];
        }
        tout.push_str(trest);
        if t < values.len() {
            assert_eq!(k, values[t].len(), "table {t}: filled {k} cells");
        }
        out.push_str(&tout);
        rest = &rest[end..];
        t += 1;
    }
    out.push_str(rest);
    out
}

/// Write each part's text as paragraphs after its heading (`heading` is
/// the heading's text as the form prints it) and empty the （文字描述）
/// placeholders.
pub fn fill_parts(xml: &str, parts: &[(&str, &str)]) -> String {
    let mut xml = xml.replace("<w:t>（文字描述）</w:t>", "<w:t></w:t>");
    for (heading, text) in parts {
        let Some(h) = xml.find(&format!("<w:t>{heading}</w:t>")) else { continue };
        let Some(end) = xml[h..].find("</w:p>").map(|e| h + e + "</w:p>".len()) else { continue };
        let paras: String = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| format!("<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", escape(l)))
            .collect();
        xml.insert_str(end, &paras);
    }
    xml
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A number as clerks leave it in a cell, the `k`-th quirk of five in
/// turn: plain; split across runs of different formatting mid-number; a
/// tracked change (the old number deleted, the new inserted); the result
/// of a formula field (`=SUM(LEFT)`); under a comment (its
/// `<w:comment>` pushed to `comments`).
pub fn quirky(v: &str, k: usize, comments: &mut Vec<String>) -> String {
    let plain = |t: &str| format!("<w:r><w:t>{t}</w:t></w:r>");
    match k % 5 {
        1 if v.chars().count() > 1 => {
            let cut = v.char_indices().nth(1).map_or(v.len(), |(i, _)| i);
            format!("{}<w:r><w:rPr><w:b/></w:rPr><w:t>{}</w:t></w:r>", plain(&v[..cut]), &v[cut..])
        }
        2 => format!(
            "<w:del w:id=\"{id}\" w:author=\"科员\"><w:r><w:delText>9{v}</w:delText></w:r></w:del><w:ins w:id=\"{id2}\" w:author=\"科员\"><w:r><w:t>{v}</w:t></w:r></w:ins>",
            id = 1000 + 2 * k,
            id2 = 1001 + 2 * k
        ),
        3 => format!(
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> =SUM(LEFT) </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>{}<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>",
            plain(v)
        ),
        4 => {
            let id = comments.len();
            comments.push(format!(
                "<w:comment w:id=\"{id}\" w:author=\"审核人\"><w:p><w:r><w:t>请核对此数</w:t></w:r></w:p></w:comment>"
            ));
            format!(
                "<w:commentRangeStart w:id=\"{id}\"/>{}<w:commentRangeEnd w:id=\"{id}\"/><w:r><w:commentReference w:id=\"{id}\"/></w:r>",
                plain(v)
            )
        }
        _ => plain(v),
    }
}

/// The official form filled with report `r` of edition `ed`: its title,
/// each part's text under its heading, and every cell with a quirk in
/// turn ([`quirky`]), starting at quirk `start`.
pub fn fill_report(form: &[u8], r: &xxgk::model::Report, ed: &xxgk::edition::Edition, start: usize) -> Vec<u8> {
    let mut comments = Vec::new();
    let mut k = start;
    let values: Vec<Vec<String>> = (0..ed.tables.len())
        .map(|t| {
            ed.cells
                .iter()
                .filter(|c| c.table == t)
                .map(|c| {
                    k += 1;
                    let v = r.value(&c.id).map(|n| n.to_string()).unwrap_or_default();
                    quirky(&v, k, &mut comments)
                })
                .collect()
        })
        .collect();
    let parts: Vec<(String, String)> = ed
        .parts
        .iter()
        .map(|p| (p.full_heading(), r.parts.get(&p.id).map(|x| x.text.clone()).unwrap_or_default()))
        .collect();
    let parts: Vec<(&str, &str)> = parts.iter().map(|(h, t)| (h.as_str(), t.as_str())).collect();
    let title = format!("{}{}年政府信息公开工作年度报告", r.organ, r.year.unwrap_or(2021));
    fill_form(
        form,
        |xml| {
            let xml = xml.replacen("政府信息公开工作年度报告格式模板", &title, 1);
            fill_tables(&fill_parts(&xml, &parts), &values)
        },
        &comments,
    )
}
