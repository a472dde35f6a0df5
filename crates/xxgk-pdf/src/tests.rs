//! Unit tests of the object layer on real and synthetic files.

use super::*;
use crate::lexer::{Lexer, Tok};
use crate::load::{find, object_stream_is_linear};
use lopdf::{Dictionary, Document, Stream};

fn real(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(page: &Page) -> String {
    page.glyphs.iter().map(|g| g.text.as_str()).collect()
}

fn all_text(pages: &[Page]) -> String {
    pages.iter().map(text).collect()
}

/// The glyphs whose baseline lies strictly between two y values, left to right.
fn band(page: &Page, top: f32, bottom: f32) -> Vec<&Glyph> {
    let mut v: Vec<&Glyph> = page.glyphs.iter().filter(|g| g.baseline > top && g.baseline < bottom).collect();
    v.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    v
}

/// Glyphs in stream order whose text, concatenated, is `run`, on one page.
fn find_run<'p>(page: &'p Page, run: &str) -> Option<&'p [Glyph]> {
    let n = run.chars().count();
    page.glyphs.windows(n).find(|w| w.iter().map(|g| g.text.as_str()).collect::<String>() == run)
}

/// Check that the glyphs share a baseline (within 1 pt), run left to right
/// without overlapping, and read `expect`.
fn assert_row(glyphs: &[&Glyph], expect: &str) {
    let got: String = glyphs.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(got, expect);
    let base = glyphs.first().map(|g| g.baseline).unwrap();
    for pair in glyphs.windows(2) {
        assert!((pair[1].baseline - base).abs() <= 1.0, "{pair:?}");
        assert!(pair[0].x1 <= pair[1].x0 + 0.5, "overlap {pair:?}");
    }
}

#[test]
fn real_hongze_2023() {
    let bytes = real("2023-hongze-district.pdf");
    let t = std::time::Instant::now();
    let pages = extract(&bytes, &PdfLimits::default()).unwrap();
    eprintln!(
        "hongze: {} pages, {} glyphs in {:?}",
        pages.len(),
        pages.iter().map(|p| p.glyphs.len()).sum::<usize>(),
        t.elapsed()
    );
    assert_eq!(pages.len(), 5);
    assert!(pages.iter().all(|p| p.width == 595.0 && p.height == 842.0));
    assert_eq!(pages.iter().map(|p| p.glyphs.len()).collect::<Vec<_>>(), [549, 414, 465, 548, 102]);
    // The page number is drawn first, then the title.
    assert!(text(&pages[0]).starts_with("-1-洪泽区人民政府2023年政府信息公开工作年度报告本报告由"));
    assert!(text(&pages[0]).contains("电子邮箱：hzzwgk@126.com）"));
    // 表三 on page 3: its row 一 reads, left to right on the rules' band,
    // label then the seven figures.
    let p = &pages[2];
    assert!(text(p).contains("三、收到和处理政府信息公开申请情况"));
    let label = find_run(p, "一、本年新收政府信息公开申请数量").unwrap();
    let label: Vec<&Glyph> = label.iter().collect();
    assert_row(&label, "一、本年新收政府信息公开申请数量");
    let y = label[0].baseline;
    let above = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 < y).map(|r| r.y0).fold(f32::MIN, f32::max);
    let below = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 > y).map(|r| r.y0).fold(f32::MAX, f32::min);
    assert_eq!((above, below), (478.79, 501.59));
    let row = band(p, above, below);
    let figures: Vec<&Glyph> = row.iter().copied().filter(|g| g.x0 > 300.0).collect();
    assert_row(&figures, "210000021");
    assert_eq!(row.iter().map(|g| g.text.as_str()).collect::<String>(), "一、本年新收政府信息公开申请数量210000021");
    // In stream order too the figures run left to right.
    let stream: Vec<f32> = p.glyphs.iter().filter(|g| g.baseline > above && g.baseline < below).map(|g| g.x0).collect();
    assert!(stream.windows(2).all(|w| w[0] < w[1]));
    // The vertical heading of 表三 (an Identity-V font).
    let vertical: String = p.glyphs.iter().filter(|g| g.vertical).map(|g| g.text.as_str()).collect();
    assert_eq!(vertical, "三、本年度办理结果");
    let v: Vec<&Glyph> = p.glyphs.iter().filter(|g| g.vertical).collect();
    assert!(v.windows(2).all(|w| w[0].top < w[1].top && (w[0].x0 - w[1].x0).abs() < 1.0));
    assert!(v.iter().all(|g| g.upright));
    // 表三 continues on page 4 with the totals, then 表四.
    let p4 = text(&pages[3]);
    assert!(p4.contains("（七）总计210000021"));
    assert!(p4.contains("行政复议"));
    // 表四's figures row: 10 1 0 0 | 0 0 0 0 0 | 5 0 0 0 0 as printed.
    assert!(p4.contains("总计1010000000050000五、"));
    // Table pages have their borders; text pages have none.
    assert_eq!(pages.iter().map(|p| p.rules.len()).collect::<Vec<_>>(), [0, 15, 39, 42, 0]);
    for r in pages.iter().flat_map(|p| &p.rules) {
        assert!((r.y0 == r.y1 && r.x0 < r.x1) || (r.x0 == r.x1 && r.y0 < r.y1), "{r:?}");
    }
    assert!(all_text(&pages).contains("全年收取政府信息公开信息处理费0元"));
    assert!(!all_text(&pages).contains('\u{FFFD}'));
}

#[test]
fn real_huaian_2024() {
    let bytes = real("2024-huaian-city.pdf");
    let t = std::time::Instant::now();
    let pages = extract(&bytes, &PdfLimits::default()).unwrap();
    let took = t.elapsed();
    eprintln!(
        "huaian: {} pages, {} glyphs in {took:?}",
        pages.len(),
        pages.iter().map(|p| p.glyphs.len()).sum::<usize>()
    );
    assert_eq!(pages.len(), 6);
    assert_eq!(pages.iter().map(|p| p.glyphs.len()).collect::<Vec<_>>(), [497, 691, 416, 481, 466, 328]);
    assert!(text(&pages[0]).contains("淮安市人民政府2024年政府信息公开工作年度报告本报告由"));
    assert!(text(&pages[1]).contains("政府信息公开行政复议351件"));
    let p = &pages[3];
    let label: Vec<&Glyph> = find_run(p, "一、本年新收政府信息公开申请数量").unwrap().iter().collect();
    assert_row(&label, "一、本年新收政府信息公开申请数量");
    let y = label[0].baseline;
    let above = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 < y).map(|r| r.y0).fold(f32::MIN, f32::max);
    let below = p.rules.iter().filter(|r| r.is_horizontal() && r.y0 > y).map(|r| r.y0).fold(f32::MAX, f32::min);
    let figures: Vec<&Glyph> = band(p, above, below).into_iter().filter(|g| g.x0 > 200.0).collect();
    assert_row(&figures, "300153006143119");
    let p5 = text(&pages[4]);
    assert!(p5.contains("（七）总计293253006143050"));
    assert!(p5.contains("四、政府信息公开行政复议、行政诉讼情况"));
    assert!(p5.contains("72641783735113481261211620"));
    assert_eq!(pages.iter().map(|p| p.rules.len()).collect::<Vec<_>>(), [0, 0, 15, 39, 45, 0]);
    assert!(pages[3].rules.len() > 20 && pages[4].rules.len() > 20);
    assert!(!all_text(&pages).contains('\u{FFFD}'));
    // A few milliseconds in a release build; allow for debug builds and busy machines.
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
}

// -- Synthetic files ---------------------------------------------------

/// A PDF from object bodies (numbered from 1; 1 is the catalog) with a
/// classic xref table.
fn build(objects: &[Vec<u8>], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(body);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R {trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< /Length {} {dict} >>\nstream\n", data.len()).into_bytes();
    v.extend(data);
    v.extend(b"\nendstream");
    v
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut s = Stream::new(Dictionary::new(), data.to_vec());
    s.compress().unwrap();
    assert!(s.dict.has(b"Filter"));
    s.content
}

/// One page (object 3) with `content` (object 4) and `resources`; more
/// objects from 5 on.
fn one_page(resources: &str, content: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    let mut objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources {resources} /Contents 4 0 R >>")
            .into_bytes(),
        stream("", content),
    ];
    objs.extend(more.iter().cloned());
    build(&objs, "")
}

fn small() -> PdfLimits {
    PdfLimits {
        max_pages: 100,
        max_objects: 1000,
        max_stream_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_ops: 10_000,
    }
}

const HELV: &str = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

#[test]
fn simple_font_text_state() {
    let content =
        b"BT /F1 10 Tf 100 700 Td (AB) Tj [(A) -1000 (B)] TJ 2 Tc (A) Tj 0 Tc 5 Tw ( A) Tj 0 Tw 50 Tz (A) Tj ET";
    let pdf = one_page(&format!("<< /Font << /F1 {HELV} >> >>"), content, &[]);
    let pages = extract(&pdf, &small()).unwrap();
    let g = &pages[0].glyphs;
    assert_eq!(text(&pages[0]), "ABABA AA");
    let x0: Vec<f32> = g.iter().map(|g| (g.x0 * 100.0).round() / 100.0).collect();
    // Helvetica: A 667, B 667, space 278 (per 1000 em); size 10.
    // AB, then A, kern 1000 (10 pt), B, Tc 2, space with Tw 5, Tz 50.
    assert_eq!(x0, [100.0, 106.67, 113.34, 130.01, 136.68, 145.35, 153.13, 159.8]);
    assert!((g[0].x1 - g[0].x0 - 6.67).abs() < 0.01);
    assert!(g.iter().all(|g| g.upright && (g.baseline - 100.0).abs() < 0.01 && g.size == 10.0));
    // Ascent and descent defaults: top above, bottom below the baseline.
    assert!(g[0].top < 100.0 && g[0].bottom > 100.0);
}

#[test]
fn differences_and_type3_free_names() {
    let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Foo /FirstChar 65 /Widths [500 600] \
                /Encoding << /BaseEncoding /WinAnsiEncoding /Differences [65 /Yacute /uni5E74 97 /f_i /one.sc /g123] >> >>";
    let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), b"BT /F1 12 Tf 0 0 Td (ABabc\x80) Tj ET", &[]);
    let pages = extract(&pdf, &small()).unwrap();
    assert_eq!(text(&pages[0]), "Ý年fi1\u{FFFD}€");
    let g = &pages[0].glyphs;
    assert!((g[1].x0 - 6.0).abs() < 0.01 && (g[1].x1 - 13.2).abs() < 0.01);
}

#[test]
fn type0_identity_tounicode_and_widths() {
    let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar <0001> <5E74> <0002> <2F47> endbfchar
2 beginbfrange <0010> <0012> <FF10> <0020> <0021> [<0041> <00660069>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /Sim /Encoding /Identity-H \
                /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /DW 1000 /W [16 [500 600] 18 20 400] \
                /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                /FontDescriptor << /Ascent 800 /Descent -200 >> >>] /ToUnicode 5 0 R >>";
    let content = b"BT /F1 10 Tf 1 0 0 1 50 700 Tm <0001000200100011001200200021> Tj ET";
    let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), content, &[stream("", cmap)]);
    let pages = extract(&pdf, &small()).unwrap();
    // <0002> maps to a Kangxi radical, folded to the unified ideograph.
    assert_eq!(text(&pages[0]), "年日０１２Afi");
    let w: Vec<f32> = pages[0].glyphs.iter().map(|g| g.x1 - g.x0).collect();
    assert_eq!(w, [10.0, 10.0, 5.0, 6.0, 4.0, 10.0, 10.0]);
    let g = &pages[0].glyphs[0];
    assert_eq!((g.top, g.bottom, g.baseline), (92.0, 102.0, 100.0));
}

#[test]
fn predefined_gb_cmap_without_tounicode() {
    let font = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /GBK-EUC-H \
                /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /DW 1000 /W [1 95 500] \
                /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> >>] >>";
    let pdf = one_page(&format!("<< /Font << /F1 {font} >> >>"), b"BT /F1 10 Tf (2024\xC4\xEA\xA3\xB1) Tj ET", &[]);
    let pages = extract(&pdf, &small()).unwrap();
    assert_eq!(text(&pages[0]), "2024年１");
    let w: Vec<f32> = pages[0].glyphs.iter().map(|g| g.x1 - g.x0).collect();
    assert_eq!(w, [5.0, 5.0, 5.0, 5.0, 10.0, 10.0]);
}

#[test]
fn rotated_text_forms_and_inline_images() {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 100 100] /Matrix [1 0 0 1 10 20] /Resources << /Font << /F1 6 0 R >> >>",
        b"BT /F1 10 Tf (B) Tj ET",
    );
    let content = b"BT /F1 10 Tf 0 1 -1 0 300 300 Tm (A) Tj ET \
                    BI /W 4 /H 4 /BPC 8 /CS /G ID \x00EI\xff EI Q\nEI \
                    q 2 0 0 2 0 0 cm /Fm1 Do Q /Im1 Do";
    let pdf = one_page(
        "<< /Font << /F1 6 0 R >> /XObject << /Fm1 5 0 R /Im1 7 0 R >> >>",
        content,
        &[form, HELV.as_bytes().to_vec(), stream("/Type /XObject /Subtype /Image /Width 1 /Height 1", b"\x00")],
    );
    let pages = extract(&pdf, &small()).unwrap();
    assert_eq!(text(&pages[0]), "AB");
    let (a, b) = (&pages[0].glyphs[0], &pages[0].glyphs[1]);
    assert!(!a.upright && a.size == 10.0);
    assert!(b.upright && b.size == 20.0 && b.x0 == 20.0 && b.baseline == 800.0 - 40.0);
}

#[test]
fn rules_from_paths() {
    let content = b"0.5 w 10 10 m 200 10 l S \
                    10 20 m 200 25 l S \
                    1 1 1 RG 10 30 m 200 30 l S 0 G \
                    50 100 100 0.8 re f \
                    50 200 100 50 re f \
                    300 300 m 300 400 l 350 400 l h S \
                    1 0 0 1 0 0 cm 400 400 50 50 re S \
                    500 500 m 510 510 520 500 530 500 c S \
                    q 1 1 1 rg 60 60 100 1 re f Q";
    let pdf = one_page("<< >>", content, &[]);
    let pages = extract(&pdf, &small()).unwrap();
    assert!(pages[0].glyphs.is_empty());
    let r: Vec<(f32, f32, f32, f32)> = pages[0].rules.iter().map(|r| (r.x0, r.y0, r.x1, r.y1)).collect();
    assert_eq!(
        r,
        [
            (10.0, 790.0, 200.0, 790.0),
            (50.0, 699.6, 150.0, 699.6),
            (300.0, 400.0, 300.0, 500.0),
            (300.0, 400.0, 350.0, 400.0),
            (400.0, 400.0, 450.0, 400.0),
            (450.0, 350.0, 450.0, 400.0),
            (400.0, 350.0, 450.0, 350.0),
            (400.0, 350.0, 400.0, 400.0),
        ]
    );
}

fn rotated_page(content: &[u8]) -> Page {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Rotate 90 /MediaBox [0 0 600 800] >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /CropBox [0 0 600 400] /Resources << /Font << /F1 {HELV} >> >> /Contents 4 0 R >>")
            .into_bytes(),
        stream("", content),
    ];
    extract(&build(&objs, ""), &small()).unwrap().remove(0)
}

#[test]
fn page_rotation_and_crop_box() {
    // No text: the page as displayed, /Rotate applied to the crop box.
    let p = rotated_page(b"0 10 m 600 10 l S");
    assert_eq!((p.width, p.height), (400.0, 600.0));
    assert_eq!(p.rules, [Rule { x0: 10.0, y0: 0.0, x1: 10.0, y1: 600.0 }]);
    // Text along user x would run downwards on the displayed page: the page
    // is turned back so that its text reads left to right (issue 22).
    let p = rotated_page(b"BT /F1 10 Tf 100 50 Td (A) Tj ET 0 10 m 600 10 l S");
    assert_eq!((p.width, p.height), (600.0, 400.0));
    let g = &p.glyphs[0];
    assert!(g.upright);
    assert_eq!((g.x0.round(), g.baseline.round()), (100.0, 350.0));
    assert_eq!(p.rules, [Rule { x0: 0.0, y0: 390.0, x1: 600.0, y1: 390.0 }]);
}

#[test]
fn text_drawn_twice_at_a_small_offset_is_one_glyph() {
    let p = rotated_page(
        b"BT /F1 10 Tf 100 50 Td (Ab) Tj ET BT /F1 10 Tf 100.4 50.3 Td (Ab) Tj ET BT /F1 10 Tf 120 50 Td (ll) Tj ET",
    );
    assert_eq!(text(&p), "Abll");
}

// -- Hostile input -----------------------------------------------------

#[test]
fn deflate_bomb_is_refused() {
    let bomb = deflate(&vec![b' '; 4 << 20]);
    assert!(bomb.len() < 16 << 10, "{}", bomb.len());
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>".to_vec(),
        stream("/Filter /FlateDecode", &bomb),
    ];
    let pdf = build(&objs, "");
    assert_eq!(extract(&pdf, &small()), Err(PdfError::StreamTooLarge { max: 1 << 20 }));
    // Under the cap of one stream, but over the total.
    let total = PdfLimits { max_stream_bytes: 8 << 20, max_total_bytes: 2 << 20, ..small() };
    assert_eq!(extract(&pdf, &total), Err(PdfError::TooMuchContent { max: 2 << 20 }));
    assert!(PdfError::StreamTooLarge { max: 1 << 20 }.to_string().contains("1 MB"));
}

#[test]
fn hundred_thousand_pages_are_refused() {
    let kids = "3 0 R ".repeat(100_000);
    for count in [100_000, 1] {
        let objs = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            format!("<< /Type /Pages /Kids [{kids}] /Count {count} >>").into_bytes(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>".to_vec(),
        ];
        let t = std::time::Instant::now();
        let got = extract(&build(&objs, ""), &PdfLimits::default());
        let pages = if count == 1 { 2_001 } else { 100_000 };
        assert_eq!(got, Err(PdfError::TooManyPages { pages, max: 2_000 }));
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[test]
fn reference_loops_end() {
    // A Pages node among its own kids.
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 1 >>".to_vec(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Resources << /Font << /F1 {HELV} >> >> /Contents 4 0 R >>")
            .into_bytes(),
        stream("", b"BT /F1 10 Tf (A) Tj ET"),
    ];
    let pages = extract(&build(&objs, ""), &small()).unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(text(&pages[0]), "A");
    // A form XObject that draws itself (twice), and a pair that draw each other.
    let me = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Me 5 0 R /Other 6 0 R >> >>",
        b"0 0 m 100 0 l S /Me Do /Me Do /Other Do",
    );
    let other = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /Me 5 0 R >> >>",
        b"0 0 m 0 100 l S /Me Do",
    );
    let pdf = one_page("<< /XObject << /Me 5 0 R >> >>", b"/Me Do", &[me, other]);
    let pages = extract(&pdf, &small()).unwrap();
    assert_eq!(pages[0].rules.len(), 2);
    // A reference that points at itself.
    let objs = vec![b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(), b"2 0 R".to_vec()];
    assert!(matches!(extract(&build(&objs, ""), &small()), Err(PdfError::Broken(_))));
}

#[test]
fn exponential_forms_hit_the_operator_cap() {
    // Each form draws the next twice: 2^20 calls if nothing stopped it.
    let mut more = Vec::new();
    for i in 0..20 {
        let next = if i < 19 { format!("/Resources << /XObject << /N {} 0 R >> >>", 6 + i) } else { String::new() };
        more.push(stream(&format!("/Type /XObject /Subtype /Form /BBox [0 0 1 1] {next}"), b"/N Do /N Do"));
    }
    let pdf = one_page("<< /XObject << /N 5 0 R >> >>", b"/N Do", &more);
    assert_eq!(extract(&pdf, &small()), Err(PdfError::TooManyOps { page: 0, max: 10_000 }));
}

#[test]
fn broken_and_truncated_files() {
    let good = one_page(&format!("<< /Font << /F1 {HELV} >> >>"), b"BT /F1 10 Tf (Hello) Tj ET", &[]);
    assert_eq!(text(&extract(&good, &small()).unwrap()[0]), "Hello");
    // A wrong startxref: lopdf rebuilds the xref by scanning.
    let at = find(&good, b"startxref\n").unwrap() + 10;
    let mut moved = good[..at].to_vec();
    moved.extend(b"99\n%%EOF\n");
    assert_eq!(text(&extract(&moved, &small()).unwrap()[0]), "Hello");
    // Truncated anywhere: an error or a recovered result, never a panic.
    for cut in (0..good.len()).step_by(7) {
        match extract(&good[..cut], &small()) {
            Ok(_) | Err(PdfError::Broken(_) | PdfError::NotPdf) => {}
            Err(e) => panic!("cut at {cut}: {e:?}"),
        }
    }
    assert!(matches!(extract(b"%PDF-1.4\ngarbage", &small()), Err(PdfError::Broken(_))));
    // Mangled bytes: never a panic.
    for i in (0..good.len()).step_by(3) {
        let mut bad = good.clone();
        bad[i] = bad[i].wrapping_add(0x55);
        let _ = extract(&bad, &small());
    }
}

#[test]
fn object_streams_read_and_crafted_ones_are_refused() {
    // The real report re-saved with object and xref streams reads the same.
    let bytes = real("2024-huaian-city.pdf");
    let mut doc = Document::load_mem(&bytes).unwrap();
    let mut packed = Vec::new();
    let options = lopdf::SaveOptions::builder().use_object_streams(true).use_xref_streams(true).build();
    doc.save_with_options(&mut packed, options).unwrap();
    assert!(find(&packed, b"/ObjStm").is_some());
    let want = extract(&bytes, &PdfLimits::default()).unwrap();
    assert_eq!(extract(&packed, &PdfLimits::default()).unwrap(), want);
    // Many index entries into one unterminated array: lopdf would parse it
    // once per entry (8 s for 64 KiB in a release build).
    let half = 32 << 10;
    let index = "1 0 ".repeat(half / 4);
    let body = format!("{index}[{}", "1 ".repeat(half / 2));
    let objstm = stream(
        &format!("/Type /ObjStm /N {} /First {} /Filter /FlateDecode", half / 4, index.len()),
        &deflate(body.as_bytes()),
    );
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] >>".to_vec(),
        objstm,
    ];
    let t = std::time::Instant::now();
    assert_eq!(extract(&build(&objs, ""), &small()), Err(PdfError::Broken("对象流格式错误".into())));
    assert!(t.elapsed() < std::time::Duration::from_secs(1), "{:?}", t.elapsed());
    // Increasing offsets, but a member that runs past its span.
    assert!(!object_stream_is_linear(b"1 0 2 4 (ab c", 4));
    assert!(!object_stream_is_linear(b"1 4 2 0 1 2 3 4", 8));
    assert!(object_stream_is_linear(b"1 0 2 4 [1] << /A (x) >>", 8));
}

#[test]
fn encrypted_file_is_refused() {
    let objs = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 600 800] /Contents 4 0 R >>".to_vec(),
        stream("", b"\x8a\x13\x77"),
        format!("<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -4 >>", "7a".repeat(32), "c3".repeat(32))
            .into_bytes(),
    ];
    let pdf = build(&objs, &format!("/Encrypt 5 0 R /ID [<{0}> <{0}>]", "01".repeat(16)));
    assert_eq!(extract(&pdf, &small()), Err(PdfError::Encrypted));
    // An /Encrypt that cannot even be parsed.
    let pdf = build(&objs[..4], "/Encrypt << /Filter /Nonsense >>");
    assert_eq!(extract(&pdf, &small()), Err(PdfError::Encrypted));
    assert!(PdfError::Encrypted.to_string().starts_with("PDF 文件已加密"));
}

#[test]
fn owner_password_only_reads_user_password_refuses() {
    let bytes = real("2023-hongze-district.pdf");
    let want = extract(&bytes, &PdfLimits::default()).unwrap();
    for (user, readable) in [("", true), ("abc", false)] {
        let mut doc = Document::load_mem(&bytes).unwrap();
        let version = lopdf::EncryptionVersion::V2 {
            document: &doc,
            owner_password: "secret",
            user_password: user,
            key_length: 128,
            permissions: lopdf::Permissions::PRINTABLE,
        };
        let state = lopdf::EncryptionState::try_from(version).unwrap();
        doc.encrypt(&state).unwrap();
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        assert!(find(&out, b"/Encrypt").is_some());
        let got = extract(&out, &PdfLimits::default());
        if readable {
            assert_eq!(got.unwrap(), want);
        } else {
            assert_eq!(got, Err(PdfError::Encrypted));
        }
    }
}

#[test]
fn not_a_pdf() {
    assert_eq!(extract(b"PK\x03\x04 this is a zip", &small()), Err(PdfError::NotPdf));
    assert_eq!(extract(b"", &small()), Err(PdfError::NotPdf));
    assert_eq!(PdfError::NotPdf.to_string(), "这不是 PDF 文件（文件头不是 %PDF）。请检查文件扩展名");
}

#[test]
fn a_scan_has_no_glyphs() {
    let pdf = one_page(
        "<< /XObject << /Im0 5 0 R >> >>",
        b"q 600 0 0 800 0 0 cm /Im0 Do Q 0 0 m 10 10 l S",
        &[stream(
            "/Type /XObject /Subtype /Image /Width 2 /Height 2 /BitsPerComponent 8 /ColorSpace /DeviceGray",
            &[0; 4],
        )],
    );
    let pages = extract(&pdf, &PdfLimits::default()).unwrap();
    assert_eq!(pages.len(), 1);
    assert!(pages[0].glyphs.is_empty());
    assert!(pages[0].rules.is_empty());
}

#[test]
fn object_and_operator_caps() {
    let mut more = Vec::new();
    for _ in 0..30 {
        more.push(b"<< >>".to_vec());
    }
    let pdf = one_page("<< >>", b"", &more);
    let limits = PdfLimits { max_objects: 20, ..small() };
    assert_eq!(extract(&pdf, &limits), Err(PdfError::TooManyObjects { objects: 34, max: 20 }));
    let pdf = one_page("<< >>", "0 0 m ".repeat(100).as_bytes(), &[]);
    let limits = PdfLimits { max_ops: 50, ..small() };
    assert_eq!(extract(&pdf, &limits), Err(PdfError::TooManyOps { page: 0, max: 50 }));
}

#[test]
fn lexer_edge_cases() {
    let mut lex = Lexer::new(b"(a\\(b\\)c\\101\\\nd) <41 4> /A#42 --5 1.2.3 [ ] << >> % comment\n Tj");
    let toks: Vec<Tok> = std::iter::from_fn(|| lex.next_tok()).collect();
    assert_eq!(
        toks,
        [
            Tok::Str(b"a(b)cAd".to_vec()),
            Tok::Str(b"A@".to_vec()),
            Tok::Name(b"AB".to_vec()),
            Tok::Num(-5.0),
            Tok::Num(1.23),
            Tok::ArrOpen,
            Tok::ArrClose,
            Tok::DictOpen,
            Tok::DictClose,
            Tok::Word(b"Tj"),
        ]
    );
}
