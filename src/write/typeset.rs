//! The publication's typesetting after GB/T 9704 (formats.md §9): faces,
//! sizes and line heights, shared by the Word writer ([`super::docx`]) and
//! the HTML writer ([`super::html`]) so that the two cannot drift apart.
//! Column widths are the edition's (`widths` in templates/*.toml).
//! The page, its grid, the title's lines and the alignment of short lines
//! are decided here too (docs/publication.md).

// Indexing is bounded here: cuts are positions inside the title's characters.
#![allow(clippy::indexing_slicing)]

/// A face: the font Word is told to use, the CSS fallbacks for browsers
/// without it, and its size in half-points (Word's unit: 32 = 三号, 16 pt).
pub struct Face {
    pub font: &'static str,
    /// The font Word and WPS take when `font` is missing (`w:altName`).
    pub alt: &'static str,
    pub css_fallbacks: &'static str,
    pub half_points: u32,
}

impl Face {
    /// `font-family:…;font-size:…pt` for an HTML `style`.
    pub fn css(&self) -> String {
        format!("font-family:'{}',{};font-size:{}pt", self.font, self.css_fallbacks, f64::from(self.half_points) / 2.0)
    }
}

/// The fallbacks of 仿宋_GB2312 in CSS: 仿宋 (Windows), FangSong, macOS's
/// STFangsong, then the free Noto / Source Han serif.
const FANGSONG: &str = "'仿宋',FangSong,STFangsong,'Noto Serif CJK SC','Source Han Serif SC',serif";

/// Body text: 三号 仿宋_GB2312.
pub const BODY: Face = Face { font: "仿宋_GB2312", alt: "仿宋", css_fallbacks: FANGSONG, half_points: 32 };
/// The title: 二号 方正小标宋简体.
pub const TITLE: Face = Face {
    font: "方正小标宋简体",
    alt: "华文中宋",
    css_fallbacks: "'华文中宋',STZhongsong,'宋体',SimSun,serif",
    half_points: 44,
};
/// `一、` headings: 三号 黑体.
pub const HEADING: Face =
    Face { font: "黑体", alt: "SimHei", css_fallbacks: "SimHei,'Heiti SC',sans-serif", half_points: 32 };
/// `（一）` headings: 三号 楷体_GB2312.
pub const SUB_HEADING: Face =
    Face { font: "楷体_GB2312", alt: "楷体", css_fallbacks: "'楷体',KaiTi,STKaiti,serif", half_points: 32 };
/// A template's guidance: 小四 楷体_GB2312, grey.
pub const GUIDANCE: Face =
    Face { font: "楷体_GB2312", alt: "楷体", css_fallbacks: "'楷体',KaiTi,STKaiti,serif", half_points: 24 };
/// Table text: 五号 仿宋_GB2312 (numbers in Times New Roman), so that 表三
/// fits one A4 page.
pub const TABLE: Face = Face { font: "仿宋_GB2312", alt: "仿宋", css_fallbacks: FANGSONG, half_points: 21 };

/// Exact line heights in twips (1/20 pt): the body's fixed 28.9 pt, the
/// title's 35 pt, and the tables' 15 pt (off the body's line grid).
pub const BODY_LINE: u32 = 578;
pub const TITLE_LINE: u32 = 700;
pub const TABLE_LINE: u32 = 300;

/// A length in twips as CSS points (`578` → `28.9pt`).
pub fn pt(twips: u32) -> String {
    format!("{}pt", f64::from(twips) / 20.0)
}

/// The page (GB/T 9704 §5.2): A4, type area 156 × 225 mm, top margin 37 mm,
/// left 28 mm, in twips.
pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
pub const MARGIN_TOP: u32 = 2098;
pub const MARGIN_BOTTOM: u32 = 1984;
pub const MARGIN_LEFT: u32 = 1588;
pub const MARGIN_RIGHT: u32 = 1474;
/// The type area's width: 156 mm.
pub const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// The document grid: 28 characters × 22 lines a page.
pub const GRID_CHARS: u32 = 28;
pub const GRID_LINES: u32 = 22;
/// The grid's line pitch (225 mm / 22, rounded down), in twips.
pub const LINE_PITCH: u32 = 579;
/// Word's character pitch of the grid: 三号 (16 pt) plus this many 4096ths
/// of a point is 156 mm / 28 (`w:charSpace`).
pub const CHAR_SPACE: i32 = -849;
/// Characters of body text are condensed by this many twips (−0.3 pt), so
/// that 28 三号 characters fill the 156 mm line in every layout engine: Word
/// and WPS, which also honour the grid, and LibreOffice, which snaps a
/// character wider than the grid's pitch to two cells (paragraphs are
/// therefore not snapped to the character grid, `w:snapToGrid="0"`).
pub const CONDENSE: i32 = -6;

/// Width of a text in ems of its size: CJK characters and full-width
/// punctuation are one em, ASCII half.
pub fn ems(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.5 } else { 1.0 }).sum()
}

/// How many ems of the title's face a line holds.
fn title_capacity() -> f64 {
    let pitch = f64::from(TITLE.half_points) / 2.0 + f64::from(CONDENSE) / 20.0;
    (f64::from(TEXT_WIDTH) / 20.0 / pitch).floor()
}

/// The title's lines (GB/T 9704 §7.3.1: centred, broken where the meaning
/// stays whole, lines balanced in a trapezoid or diamond): one line when it
/// fits; else the organ on the first line(s) and `20XX年政府信息公开工作年度
/// 报告` on the last, an organ too long for one line broken after a unit of
/// administration (省 自治区 市 州 县 区 …). No line has three characters or
/// fewer.
pub fn title_lines(title: &str, organ: &str) -> Vec<String> {
    let chars: Vec<char> = title.chars().collect();
    let cap = title_capacity();
    if ems(title) <= cap || chars.len() < 8 {
        return vec![title.to_string()];
    }
    // Good breaks (a position in chars, and a penalty: lower is better).
    let mut good: Vec<(usize, f64)> = Vec::new();
    let year_at = (0..chars.len())
        .find(|&i| chars.get(i..i + 5).is_some_and(|w| w[..4].iter().all(char::is_ascii_digit) && w[4] == '年'));
    if let Some(y) = year_at {
        good.push((y, 0.0));
    }
    let organ_len = organ.chars().count();
    if organ_len > 0 && title.starts_with(organ) && Some(organ_len) != year_at {
        good.push((organ_len, 0.0));
    }
    let organ_end = year_at.unwrap_or(organ_len);
    const UNITS: &[&str] =
        &["自治区", "自治州", "自治县", "街道", "地区", "省", "市", "州", "盟", "县", "区", "旗", "镇", "乡"];
    for i in 1..organ_end {
        let before: String = chars[..i].iter().collect();
        if UNITS.iter().any(|u| before.ends_with(u)) {
            good.push((i, 1.0));
        }
    }
    let phrase = "工作年度报告";
    if let Some(i) = title.rfind(phrase).map(|b| title[..b].chars().count()) {
        good.push((i, 2.0));
    }
    good.sort_by_key(|g| g.0);
    good.dedup_by_key(|g| g.0);
    let lines = |cuts: &[usize]| -> Vec<String> {
        let mut at = 0;
        let mut out = Vec::new();
        for &c in cuts.iter().chain(std::iter::once(&chars.len())) {
            out.push(chars[at..c].iter().collect::<String>());
            at = c;
        }
        out
    };
    let fits = |ls: &[String]| ls.iter().all(|l| l.chars().count() > 3 && ems(l) <= cap);
    let cost = |ls: &[String], penalty: f64| {
        let w: Vec<f64> = ls.iter().map(|l| ems(l)).collect();
        let (max, min) = w.iter().fold((0.0f64, f64::MAX), |(a, b), x| (a.max(*x), b.min(*x)));
        penalty * 4.0 + (max - min)
    };
    let consider = |best: &mut Option<(f64, Vec<String>)>, ls: Vec<String>, penalty: f64| {
        let c = cost(&ls, penalty);
        if fits(&ls) && best.as_ref().is_none_or(|(b, _)| c < *b) {
            *best = Some((c, ls));
        }
    };
    let mut best: Option<(f64, Vec<String>)> = None;
    for &(a, pa) in &good {
        consider(&mut best, lines(&[a]), pa);
    }
    if best.is_none() {
        for &(a, pa) in &good {
            for &(b, pb) in good.iter().filter(|g| g.0 > a) {
                consider(&mut best, lines(&[a, b]), pa + pb);
            }
        }
    }
    if best.is_none() {
        // No good break fits: balanced lines, never inside a number.
        let n = (ems(title) / cap).ceil().max(2.0) as usize;
        for k in n..=n + 2 {
            let mut cuts = Vec::new();
            for j in 1..k {
                let mut c = chars.len() * j / k;
                while c > 0 && chars[c - 1].is_ascii_alphanumeric() && chars[c].is_ascii_alphanumeric() {
                    c -= 1;
                }
                cuts.push(c);
            }
            consider(&mut best, lines(&cuts), 10.0);
            if best.is_some() {
                break;
            }
        }
    }
    best.map_or_else(|| vec![title.to_string()], |(_, ls)| ls)
}

/// How a line of body text is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Justified on both sides (body text).
    Both,
    /// Left, never stretched: short lines, contact details.
    Start,
    /// Right, this many half characters in from the margin (GB/T 9704
    /// §7.3.5: the date four characters in, the signature centred over it).
    End(u32),
}

/// The alignment of a body paragraph: a date (`2022年1月20日`) right,
/// four characters in, and the signature above it centred over it; a short line (one that fits on a line and ends
/// no sentence) or contact details (an e-mail address, a web address, a
/// telephone number after 电话) left; all else justified.
pub fn align(text: &str, next: Option<&str>) -> Align {
    let t = text.trim();
    let is_date = |s: &str| {
        let s = s.trim();
        let d: Vec<&str> = s.split(['年', '月', '日']).collect();
        s.ends_with('日')
            && d.len() == 4
            && d[..3].iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    if is_date(t) {
        return Align::End(8);
    }
    let fits = ems(t) + 2.0 <= f64::from(GRID_CHARS);
    let ends = t.ends_with(['。', '！', '？', '；']);
    if let Some(date) = next.filter(|n| fits && !ends && is_date(n)) {
        // Centred over the date: 4 + (date − signature) / 2 characters in.
        let half = 8.0 + ems(date.trim()) - ems(t);
        return Align::End(half.max(0.0).round() as u32);
    }
    let contact =
        t.contains('@') || t.contains("http") || t.contains("www.") || t.contains("电话") || t.contains("传真");
    if contact || (fits && !ends) {
        return Align::Start;
    }
    Align::Both
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(organ: &str) -> Vec<String> {
        title_lines(&format!("{organ}2021年政府信息公开工作年度报告"), organ)
    }

    #[test]
    fn titles_break_where_the_meaning_stays_whole() {
        assert_eq!(title("同心县"), ["同心县2021年政府信息公开工作年度报告"]);
        assert_eq!(title("某某县民政局"), ["某某县民政局", "2021年政府信息公开工作年度报告"]);
        assert_eq!(
            title("新疆维吾尔自治区伊犁哈萨克自治州察布查尔锡伯自治县人民政府办公室"),
            ["新疆维吾尔自治区伊犁哈萨克自治州", "察布查尔锡伯自治县人民政府办公室", "2021年政府信息公开工作年度报告"]
        );
        // Without a year: never `报告` or `年度报告` alone.
        let t = title_lines("（故意出错的示例）同心县政府信息公开工作年度报告", "同心县");
        assert_eq!(t, ["（故意出错的示例）同心县政府信息公开", "工作年度报告"]);
        // Organs of every length: each line fits and has more than three characters.
        for n in 1..=60 {
            let organ = format!("{}局", "某".repeat(n));
            let lines = title(&organ);
            assert_eq!(lines.concat(), format!("{organ}2021年政府信息公开工作年度报告"));
            for l in &lines {
                assert!(l.chars().count() > 3 && ems(l) <= title_capacity(), "{n}: {lines:?}");
            }
        }
    }

    #[test]
    fn short_lines_are_never_justified() {
        assert_eq!(align("2022年1月20日", None), Align::End(8));
        // 同心县人民政府办公室 (10) over a date of 6.5 characters.
        assert_eq!(align("同心县人民政府办公室", Some("2022年1月20日")), Align::End(5));
        assert_eq!(align("联系电话：0953-8637408", None), Align::Start);
        assert_eq!(align("本年度未收取信息处理费。", None), Align::Both);
        let long = "本报告电子版可在政府门户网站查阅，如有疑问请联系（电子邮箱：abc@163.com）。";
        assert_eq!(align(long, None), Align::Start);
        assert_eq!(align(&"很长的正文。".repeat(10), None), Align::Both);
    }
}
