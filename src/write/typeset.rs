//! The publication's typesetting after GB/T 9704 (formats.md §9): faces,
//! sizes and line heights, shared by the Word writer ([`super::docx`]) and
//! the HTML writer ([`super::html`]) so that the two cannot drift apart.
//! Column widths are the edition's (`widths` in templates/*.toml).

/// A face: the font Word is told to use, the CSS fallbacks for browsers
/// without it, and its size in half-points (Word's unit: 32 = 三号, 16 pt).
pub struct Face {
    pub font: &'static str,
    pub css_fallbacks: &'static str,
    pub half_points: u32,
}

impl Face {
    /// `font-family:…;font-size:…pt` for an HTML `style`.
    pub fn css(&self) -> String {
        format!("font-family:'{}',{};font-size:{}pt", self.font, self.css_fallbacks, f64::from(self.half_points) / 2.0)
    }
}

/// Body text: 三号 仿宋_GB2312.
pub const BODY: Face =
    Face { font: "仿宋_GB2312", css_fallbacks: "FangSong,'仿宋',STFangsong,serif", half_points: 32 };
/// The title: 二号 方正小标宋简体.
pub const TITLE: Face =
    Face {
        font: "方正小标宋简体", css_fallbacks: "'华文中宋',STZhongsong,'宋体',SimSun,serif", half_points: 44
    };
/// `一、` headings: 三号 黑体.
pub const HEADING: Face = Face { font: "黑体", css_fallbacks: "SimHei,'Heiti SC',sans-serif", half_points: 32 };
/// `（一）` headings: 三号 楷体_GB2312.
pub const SUB_HEADING: Face =
    Face { font: "楷体_GB2312", css_fallbacks: "KaiTi,'楷体',STKaiti,serif", half_points: 32 };
/// A template's guidance: 小四 楷体_GB2312, grey.
pub const GUIDANCE: Face =
    Face { font: "楷体_GB2312", css_fallbacks: "KaiTi,'楷体',STKaiti,serif", half_points: 24 };
/// Table text: 五号 仿宋_GB2312 (numbers in Times New Roman), so that 表三
/// fits one A4 page.
pub const TABLE: Face =
    Face { font: "仿宋_GB2312", css_fallbacks: "FangSong,'仿宋',STFangsong,serif", half_points: 21 };

/// Exact line heights in twips (1/20 pt): the body's fixed 28.9 pt, the
/// title's 35 pt, and the tables' 15 pt (off the body's line grid).
pub const BODY_LINE: u32 = 578;
pub const TITLE_LINE: u32 = 700;
pub const TABLE_LINE: u32 = 300;

/// A length in twips as CSS points (`578` → `28.9pt`).
pub fn pt(twips: u32) -> String {
    format!("{}pt", f64::from(twips) / 20.0)
}
