//! The publication measured on the page (issue 21, GB/T 9704): the PDF
//! LibreOffice prints from the publication document, read back with
//! poppler (`pdftotext -bbox`), for both editions and a short and a long
//! organ name: a full line of Chinese body text holds 28 characters, a
//! full page 22 body lines, no title line has three characters or fewer,
//! and no page ends more than two lines early when the next page opens with
//! text. The heading runs' fonts are read from the document's XML.

mod common;

use common::sample;
use std::io::Read;
use std::process::Command;
use std::time::Duration;
use xxgk::edition::Editions;
use xxgk::model::Report;

/// Body text is 三号 (16 pt): poppler's word boxes are about 20.8 pt high;
/// the title's 二号 (22 pt) 28.6 pt; table text (五号) and the page number
/// smaller.
const BODY_HEIGHT: (f64, f64) = (19.0, 23.0);
const TITLE_HEIGHT: (f64, f64) = (26.0, 31.0);
/// The type area: left margin 28 mm, 156 mm wide; the line pitch 28.9 pt.
const LEFT: f64 = 28.0 / 25.4 * 72.0;
const RIGHT: f64 = LEFT + 156.0 / 25.4 * 72.0;
const PITCH: f64 = 28.9;
/// Punctuation that may not open a line, and that may not close one.
const CLOSING: &[char] = &['、', '，', '。', '；', '：', '！', '？', '）', '》', '”', '’', '〉', '」'];
const OPENING: &[char] = &['（', '《', '“', '‘', '〈', '「', '〔'];

/// One printed line: its vertical centre, left and right edges, height and text.
#[derive(Debug, Clone)]
struct Line {
    y: f64,
    left: f64,
    right: f64,
    height: f64,
    text: String,
}

impl Line {
    fn is_body(&self) -> bool {
        (BODY_HEIGHT.0..BODY_HEIGHT.1).contains(&self.height)
    }
    fn is_title(&self) -> bool {
        (TITLE_HEIGHT.0..TITLE_HEIGHT.1).contains(&self.height)
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

/// The lines of every page, top to bottom (the page number left out).
fn pages(pdf: &std::path::Path) -> Vec<Vec<Line>> {
    let out = Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let mut pages = Vec::new();
    for page in html.split("<page ").skip(1) {
        let mut lines: Vec<Line> = Vec::new();
        for w in page.split("<word ").skip(1) {
            let (tag, rest) = w.split_once('>').unwrap();
            let text = unescape(rest.split("</word>").next().unwrap());
            let (x0, y0, x1, y1) = (attr(tag, "xMin"), attr(tag, "yMin"), attr(tag, "xMax"), attr(tag, "yMax"));
            let y = (y0 + y1) / 2.0;
            match lines.iter_mut().find(|l| (l.y - y).abs() <= 3.0) {
                Some(l) => {
                    l.left = l.left.min(x0);
                    l.right = l.right.max(x1);
                    l.text.push_str(&text);
                }
                None => lines.push(Line { y, left: x0, right: x1, height: y1 - y0, text }),
            }
        }
        lines.sort_by(|a, b| a.y.total_cmp(&b.y));
        // The page number `— N —` in the footer.
        lines.retain(|l| !(l.text.starts_with('—') && l.text.ends_with('—')));
        pages.push(lines);
    }
    pages
}

/// The report with another organ: the standard title and preamble for it.
fn with_organ(mut r: Report, organ: &str) -> Report {
    r.organ = organ.to_string();
    r.title = String::new();
    r.preamble = String::new();
    r
}

fn print(r: &Report, dir: &std::path::Path, name: &str) -> Vec<Vec<Line>> {
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(r, None).unwrap();
    let pdf = xxgk::write::pdf::render(r, ed, Duration::from_secs(120), 0).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    pages(&path)
}

const SHORT: &str = "同心县";
const LONG: &str = "新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县人民政府办公室";

#[test]
#[ignore = "needs LibreOffice and poppler"]
fn the_printed_page_is_gb_t_9704() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui");
    common::require("pdftotext", &["-v"], "apt-get install poppler-utils");
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("2021-short", with_organ(sample("2021-tongxin-county"), SHORT), 1),
        ("2021-long", with_organ(sample("2021-tongxin-county"), LONG), 3),
        ("2019-short", with_organ(sample("2020-enhe-town"), SHORT), 1),
        ("2019-long", with_organ(sample("2020-enhe-town"), LONG), 3),
        // As written: a medium organ, its title over two lines.
        ("2019-medium", sample("2020-zhongning-civil-affairs"), 2),
    ];
    let mut report = Vec::new();
    for (name, r, title_lines) in cases {
        let pages = print(&r, dir.path(), name);
        // The title: on page 1, each line more than three characters.
        let title: Vec<&Line> = pages[0].iter().filter(|l| l.is_title()).collect();
        assert_eq!(title.len(), title_lines, "{name}: title lines {title:?}");
        for l in &title {
            assert!(l.text.chars().count() > 3, "{name}: title line “{}”", l.text);
        }
        // A full line of Chinese text (no Latin letters or digits, reaching
        // the right margin) holds 28 characters. Line-breaking rules (GB/T
        // 15834: no 、，。）》” at a line's start, no “《（ at its end, a number
        // not split) may pull a 29th character up when it is closing
        // punctuation, or leave a line one to three short when the next
        // opens with an opening mark or a number, or when a character moves
        // down with the closing mark after it.
        let lines: Vec<&Line> = pages.iter().flatten().filter(|l| l.is_body()).collect();
        let mut full = 0;
        let mut exact = 0;
        for (i, l) in lines.iter().enumerate() {
            if l.text.chars().any(|c| c.is_ascii()) || (l.left - LEFT).abs() >= 3.0 || l.right < RIGHT - 6.0 {
                continue;
            }
            full += 1;
            let n = l.text.chars().count();
            let next: Vec<char> = lines.get(i + 1).map(|n| n.text.chars().take(2).collect()).unwrap_or_default();
            let ok = match n {
                28 => true,
                29 => l.text.ends_with(CLOSING),
                25..=27 => {
                    next.first().is_some_and(|c| c.is_ascii_alphanumeric() || OPENING.contains(c))
                        || next.iter().any(|c| CLOSING.contains(c))
                }
                _ => false,
            };
            assert!(ok, "{name}: {n} characters in “{}”, next line “{:?}”", l.text, next);
            exact += usize::from(n == 28);
        }
        assert!(full >= 20 && exact * 4 >= full * 3, "{name}: {exact} of {full} full lines hold 28 characters");
        // 22 body lines on a page of body text, one pitch apart.
        let most = pages.iter().map(|p| p.iter().filter(|l| l.is_body()).count()).max().unwrap();
        assert_eq!(most, 22, "{name}: most body lines on a page");
        for p in &pages {
            let body: Vec<&Line> = p.iter().filter(|l| l.is_body()).collect();
            if body.len() == 22 {
                let span = body[21].y - body[0].y;
                assert!((span - 21.0 * PITCH).abs() < 2.0, "{name}: 22 lines over {span} pt");
            }
        }
        // No page ends more than two lines early when the next opens with text.
        let bottom = pages.iter().flatten().filter(|l| l.is_body()).map(|l| l.y).fold(0.0, f64::max);
        for (i, pair) in pages.windows(2).enumerate() {
            let (this, next) = (&pair[0], &pair[1]);
            // Text, not a heading with the table it keeps with (a table
            // that fits a page is never split; it moves whole).
            if next.iter().take(2).all(Line::is_body) {
                let last = this.last().unwrap();
                assert!(
                    last.y > bottom - 2.0 * PITCH - 2.0,
                    "{name}: page {} ends at {:.0} pt (full page {bottom:.0}) before “{}”",
                    i + 1,
                    last.y,
                    next[0].text
                );
            }
        }
        report.push(format!(
            "{name}: {} pages, title {:?}, {exact} of {full} full lines of Chinese text hold 28 characters, at most {most} body lines a page",
            pages.len(),
            title.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
        ));
    }
    println!("{}", report.join("\n"));
}

/// The parts of the publication document.
fn docx_part(r: &Report, name: &str) -> String {
    let eds = Editions::builtin().unwrap();
    let ed = eds.resolve(r, None).unwrap();
    let bytes = xxgk::write::docx::render(r, ed, xxgk::write::docx::Purpose::Publish).unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    z.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The style's `w:eastAsia` font.
fn east_asia(styles: &str, id: &str) -> String {
    let style = styles.split(&format!("w:styleId=\"{id}\"")).nth(1).unwrap().split("</w:style>").next().unwrap();
    style.split("w:eastAsia=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

/// Heading runs in the intended fonts, for both editions: 一、 in 黑体, the
/// （一） phrase in 楷体 and the rest of its paragraph body text, 1. and
/// （1） in 仿宋; only headings on their own are kept with the next.
#[test]
fn heading_runs_are_in_the_intended_fonts() {
    for s in ["2021-tongxin-county", "2020-enhe-town"] {
        let mut r = sample(s);
        r.parts.get_mut("p6").unwrap().text =
            "（一）收费情况\n本年度未收取费用。\n1.其他事项\n（1）无。\n2.另有一事，说明如下。正文。".into();
        let styles = docx_part(&r, "word/styles.xml");
        let doc = docx_part(&r, "word/document.xml");
        assert_eq!(east_asia(&styles, "Heading1"), "黑体", "{s}");
        assert_eq!(east_asia(&styles, "Heading2"), "楷体_GB2312", "{s}");
        assert_eq!(east_asia(&styles, "Heading2Char"), "楷体_GB2312", "{s}");
        for id in ["Normal", "Heading3", "Heading4", "Heading3Char"] {
            assert_eq!(east_asia(&styles, id), "仿宋_GB2312", "{s}: {id}");
        }
        let paras: Vec<&str> = doc.split("<w:p>").skip(1).map(|p| p.split("</w:p>").next().unwrap()).collect();
        let text = |p: &str| -> String {
            p.split("<w:t xml:space=\"preserve\">").skip(1).map(|t| t.split("</w:t>").next().unwrap()).collect()
        };
        let style = |p: &str| p.split("<w:pStyle w:val=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let mut phrases = 0;
        for p in &paras {
            let (t, st) = (text(p), style(p));
            match st.as_str() {
                "Heading1" => assert!(t.chars().nth(1) == Some('、'), "{s}: {t}"),
                "Heading2" | "Heading3" | "Heading4" => {
                    assert!(t.chars().count() <= 40 && !t.trim_end_matches('。').contains('。'), "{s}: {st} “{t}”")
                }
                _ => {}
            }
            if p.contains("Heading2Char") {
                phrases += 1;
                let head = p.split("<w:rStyle w:val=\"Heading2Char\"/></w:rPr><w:t xml:space=\"preserve\">").nth(1);
                let head = head.unwrap().split("</w:t>").next().unwrap();
                assert!(head.starts_with(['（', '(']) && head.ends_with('。'), "{s}: phrase “{head}”");
                assert!(text(p).len() > head.len(), "{s}: the paragraph goes on as body text");
                assert_eq!(st, "Normal", "{s}");
            }
        }
        assert!(phrases >= 3, "{s}: {phrases} （一） phrases");
        assert!(
            doc.contains("<w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t xml:space=\"preserve\">（一）收费情况</w:t>")
        );
        assert!(doc.contains("<w:pStyle w:val=\"Heading3\"/></w:pPr><w:r><w:t xml:space=\"preserve\">1.其他事项</w:t>"));
        assert!(doc.contains("<w:pStyle w:val=\"Heading4\"/></w:pPr><w:r><w:t xml:space=\"preserve\">（1）无。</w:t>"));
        assert!(doc.contains("<w:pStyle w:val=\"Normal\"/></w:pPr><w:r><w:t xml:space=\"preserve\">2.另有一事"));
        // Keep-with-next only in the heading styles (and table rows).
        let kept: Vec<&str> = styles.split("<w:style ").filter(|st| st.contains("<w:keepNext/>")).collect();
        for st in kept {
            assert!(st.contains("w:styleId=\"Heading"), "{st}");
        }
        assert!(!paras.iter().any(|p| p.contains("<w:keepNext/>") && !p.contains("TableText")), "{s}");
    }
}
