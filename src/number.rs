//! Reading numbers as people type them into report cells.
//!
//! Handles full-width digits and spaces (NFKC), thousands separators,
//! signed changes in words or with signs (`增 4`, `减5`, `+12`, `-50`),
//! units inside the cell (`6165711 元`, `12.5万元`, `3件`: which units, and
//! what they are worth in the cell's unit, is edition data, [`Suffixes`]),
//! and the dash people write for "not applicable". A blank or a dash is
//! never 0.

use crate::model::Kind;
use crate::model::Number;
use rust_decimal::Decimal;
use std::str::FromStr;
use unicode_normalization::UnicodeNormalization;

/// The outcome of reading one cell's text.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Nothing in the cell (or only spaces).
    Blank,
    /// A dash or slash: the clerk meant "not applicable"; stays null.
    Dash,
    /// A number, converted to the cell's unit.
    Value(Number),
    /// Text that is not a number; the reason is a Chinese phrase.
    Invalid(String),
}

/// Remove every kind of white space, including U+3000 and NBSP, after NFKC.
pub fn squeeze(text: &str) -> String {
    if text.is_ascii() {
        // NFKC leaves ASCII unchanged.
        return text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    }
    // Report text is CJK ideographs, ASCII, Chinese punctuation and
    // full-width forms, which NFKC maps one character at a time: skip
    // decomposing and recomposing them.
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match crate::labels::nfkc_char(c) {
            Some(c) => {
                // Only ASCII white space comes out of the fast path.
                if !(c.is_ascii() && c.is_whitespace()) {
                    out.push(c);
                }
            }
            None => {
                return text.nfkc().filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}').collect();
            }
        }
    }
    out
}

/// Units that may follow a number in a cell, each with what one of it is
/// worth in the cell's own unit (`元` → 0.0001 in a 万元 cell), longest
/// first. From the edition: [`crate::edition::Edition::suffixes`].
pub type Suffixes = [(String, Decimal)];

/// Read a cell's text as a value of `kind`, a unit written after the number
/// converted by `suffixes`.
pub fn parse_cell(text: &str, kind: Kind, suffixes: &Suffixes) -> Parsed {
    // The common case first: a plain whole number.
    let t = text.trim();
    if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = t.parse::<i64>() {
            return Parsed::Value(Number::from_i64(v));
        }
    }
    let s = squeeze(text);
    if s.is_empty() {
        return Parsed::Blank;
    }
    if matches!(s.as_str(), "-" | "—" | "–" | "--" | "——" | "/" | "\\" | "−") {
        return Parsed::Dash;
    }
    let mut s = s.replace(',', "").replace('−', "-");
    // Signed changes written in words.
    let mut negate = false;
    for (word, neg) in SIGN_WORDS {
        if let Some(rest) = s.strip_prefix(word) {
            if kind != Kind::Signed {
                return Parsed::Invalid(format!("“{}”表示增减，但此格应填{}", text.trim(), kind.describe()));
            }
            negate = neg;
            s = rest.to_string();
            break;
        }
    }
    // A unit written inside the cell.
    let mut factor = Decimal::ONE;
    for (suffix, f) in suffixes {
        if let Some(rest) = s.strip_suffix(suffix.as_str()) {
            s = rest.to_string();
            factor = *f;
            break;
        }
    }
    let s = s.strip_prefix('+').unwrap_or(&s);
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return Parsed::Invalid(format!("“{}”不是数字", text.trim()));
    }
    match Decimal::from_str_exact(s) {
        Ok(mut d) => {
            if negate {
                d = -d;
            }
            let d = d.checked_mul(factor);
            match d {
                Some(d) => Parsed::Value(Number(d.normalize())),
                None => Parsed::Invalid(format!("“{}”超出可表示范围", text.trim())),
            }
        }
        Err(_) => Parsed::Invalid(format!("“{}”不是数字", text.trim())),
    }
}

/// Words for a signed change before a number, and whether each negates it.
const SIGN_WORDS: [(&str, bool); 5] = [("增加", false), ("减少", true), ("新增", false), ("增", false), ("减", true)];

/// A cheap test before [`parse_cell`] (for readers sorting labels from
/// values): false when the text can be neither a value nor a dash. A number
/// needs a digit and a dash is one of `-/\—–−`; text of other ASCII, CJK
/// ideographs and common Chinese punctuation (which NFKC leaves as they
/// are, so no full-width digit hides among them) has neither. And the only
/// ideographs a value has are those of its sign word and its unit.
pub fn may_be_value(text: &str, suffixes: &Suffixes) -> bool {
    let mut sign_or_digit = false;
    for c in text.chars() {
        if crate::labels::is_ideograph(c)
            && !SIGN_WORDS.iter().any(|(w, _)| w.contains(c))
            && !suffixes.iter().any(|(s, _)| s.contains(c))
        {
            return false;
        }
        sign_or_digit |= c.is_ascii_digit()
            || matches!(c, '.' | '-' | '/' | '\\' | '—' | '–' | '−')
            || !crate::labels::nfkc_stable(c);
    }
    sign_or_digit
}

/// Is `n` a valid value of `kind`? Returns the Chinese reason if not.
pub fn kind_problem(n: Number, kind: Kind, decimals: Option<u32>) -> Option<String> {
    match kind {
        Kind::Count if !n.is_integer() => Some(format!("{n} 不是整数，此格应填{}", kind.describe())),
        Kind::Count if n.is_negative() => Some(format!("{n} 是负数，此格应填{}", kind.describe())),
        Kind::Signed if !n.is_integer() => Some(format!("{n} 不是整数，此格应填{}", kind.describe())),
        Kind::Amount if n.is_negative() => Some(format!("{n} 是负数，此格应填{}", kind.describe())),
        Kind::Amount if decimals.is_some_and(|d| n.decimals() > d) => {
            Some(format!("{n} 的小数位数超过 {} 位", decimals.unwrap_or(0)))
        }
        _ => None,
    }
}

impl Number {
    /// Lenient parse for tests and tools: what [`parse_cell`] accepts as a count.
    pub fn parse_lenient(s: &str) -> Option<Number> {
        match parse_cell(s, Kind::Signed, &[]) {
            Parsed::Value(n) => Some(n),
            _ => Number::from_str(s).ok(),
        }
    }
}

/// The value of a Chinese digit (`零`/`〇` … `九`, `两`).
pub fn chinese_digit(c: char) -> Option<u64> {
    match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// The power of ten of a Chinese unit within a section (`十` `百` `千`).
fn chinese_small_unit(c: char) -> Option<u64> {
    match c {
        '十' => Some(10),
        '百' => Some(100),
        '千' => Some(1000),
        _ => None,
    }
}

/// Is this a character of a Chinese numeral (`一百零二`)?
pub fn is_chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || chinese_small_unit(c).is_some() || c == '万' || c == '亿'
}

/// A Chinese numeral as counts are written in text: `十四` → 14,
/// `一百零二` → 102, `两千` → 2000, `三万五千` → 35000. `None` for what is
/// not one number (`三四`, `十几`, `二〇二一`).
pub fn parse_chinese_numeral(s: &str) -> Option<u64> {
    let mut total: u64 = 0; // completed 万/亿 groups
    let mut section: u64 = 0; // below 万
    let mut digit: Option<u64> = None;
    let mut last_unit = u64::MAX; // units in a section must fall
    let mut zero = false;
    let mut any = false;
    for c in s.chars() {
        any = true;
        if let Some(d) = chinese_digit(c) {
            if digit.is_some() {
                return None;
            }
            if d == 0 {
                if zero {
                    return None;
                }
                zero = true;
            } else {
                digit = Some(d);
            }
        } else if let Some(u) = chinese_small_unit(c) {
            if u >= last_unit {
                return None;
            }
            // 十 alone at the start of a section is 一十.
            let d = match digit.take() {
                Some(d) => d,
                None if u == 10 && section == 0 && !zero => 1,
                None => return None,
            };
            section += d * u;
            last_unit = u;
            zero = false;
        } else if c == '万' || c == '亿' {
            let u: u64 = if c == '万' { 10_000 } else { 100_000_000 };
            section += digit.take().unwrap_or(0);
            if section == 0 && total == 0 {
                return None;
            }
            total = total.checked_add(section.checked_mul(u)?)?;
            section = 0;
            last_unit = u64::MAX;
            zero = false;
        } else {
            return None;
        }
    }
    if !any {
        return None;
    }
    if let Some(d) = digit {
        // A trailing digit right after 百, 千 or 万 (`一百二`, `三万五`) is
        // colloquial for 一百二十, 三万五千: too rare in reports to guess at.
        let plain = last_unit == 10 || zero || (last_unit == u64::MAX && total == 0);
        if !plain {
            return None;
        }
        section += d;
    }
    total.checked_add(section)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suffixes of the built-in editions for a cell in unit `u`.
    fn v(s: &str, k: Kind, u: Option<&str>) -> Parsed {
        let eds = crate::edition::Editions::builtin().unwrap();
        parse_cell(s, k, eds.get("2019").unwrap().suffixes(u))
    }
    fn n(s: &str) -> Parsed {
        Parsed::Value(Number::from_str(s).unwrap())
    }

    #[test]
    fn plain_and_padded() {
        assert_eq!(v("14", Kind::Count, None), n("14"));
        assert_eq!(v("\u{3000}\u{3000}0", Kind::Count, None), n("0"));
        assert_eq!(v("\u{a0}12\u{a0}", Kind::Count, None), n("12"));
        assert_eq!(v("１２３", Kind::Count, None), n("123"));
        assert_eq!(v("1,234", Kind::Count, None), n("1234"));
        assert_eq!(v("1，234", Kind::Count, None), n("1234"));
        assert_eq!(v("3件", Kind::Count, None), n("3"));
    }

    #[test]
    fn blanks_and_dashes_are_not_zero() {
        assert_eq!(v("", Kind::Count, None), Parsed::Blank);
        assert_eq!(v("  \u{3000}", Kind::Count, None), Parsed::Blank);
        assert_eq!(v("-", Kind::Count, None), Parsed::Dash);
        assert_eq!(v("—", Kind::Count, None), Parsed::Dash);
        assert_eq!(v("/", Kind::Count, None), Parsed::Dash);
    }

    #[test]
    fn signed_changes() {
        assert_eq!(v("增 4", Kind::Signed, None), n("4"));
        assert_eq!(v("减 5", Kind::Signed, None), n("-5"));
        assert_eq!(v("减少6", Kind::Signed, None), n("-6"));
        assert_eq!(v("+12", Kind::Signed, None), n("12"));
        assert_eq!(v("-50", Kind::Signed, None), n("-50"));
        assert_eq!(v("－50", Kind::Signed, None), n("-50"));
        assert!(matches!(v("增 4", Kind::Count, None), Parsed::Invalid(_)));
    }

    #[test]
    fn amounts_with_units() {
        assert_eq!(v("6165711 元", Kind::Amount, Some("元")), n("6165711"));
        assert_eq!(v("251000元", Kind::Amount, Some("元")), n("251000"));
        assert_eq!(v("1.5万元", Kind::Amount, Some("元")), n("15000"));
        assert_eq!(v("1340.5117", Kind::Amount, Some("万元")), n("1340.5117"));
        assert_eq!(v("13405117元", Kind::Amount, Some("万元")), n("1340.5117"));
    }

    #[test]
    fn garbage_is_invalid() {
        assert!(matches!(v("无", Kind::Count, None), Parsed::Invalid(_)));
        assert!(matches!(v("1.2.3", Kind::Count, None), Parsed::Invalid(_)));
        assert!(matches!(v("abc", Kind::Count, None), Parsed::Invalid(_)));
        assert!(matches!(v("--5", Kind::Count, None), Parsed::Invalid(_)));
    }

    #[test]
    fn kinds() {
        let x = |s: &str| Number::from_str(s).unwrap();
        assert!(kind_problem(x("2.5"), Kind::Count, None).is_some());
        assert!(kind_problem(x("-1"), Kind::Count, None).is_some());
        assert!(kind_problem(x("-1"), Kind::Signed, None).is_none());
        assert!(kind_problem(x("1.25"), Kind::Amount, Some(2)).is_none());
        assert!(kind_problem(x("1.255"), Kind::Amount, Some(2)).is_some());
    }

    /// [`squeeze`] as it was before its fast path: NFKC on everything.
    fn squeeze_with_full_nfkc(text: &str) -> String {
        text.nfkc().filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{feff}').collect()
    }

    proptest::proptest! {
        #[test]
        fn the_fast_path_gives_the_same_text(s in "[一二三零〇两十百千万亿（）()、，。：:；！？…①㈠⑴²《》〈〉「」『』【】〔〕“”‘’—–·\u{3000}\u{a0}\u{200b}\u{feff}\u{ff01}-\u{ff65}\u{ffe0}-\u{ffe6}\u{2f00}-\u{2f10}a-zA-Z0-9 \n\u{301}\u{308}\u{2460}-\u{24ff}\u{f900}-\u{f90f}\u{1100}-\u{1105}\u{1161}-\u{1165}\u{ac00}自然人公开申请件]{0,24}") {
            proptest::prop_assert_eq!(squeeze(&s), squeeze_with_full_nfkc(&s));
        }

        #[test]
        fn the_fast_path_itself_gives_the_same_text(s in "[一二三零十万件（）()、，。：:；！？《》〈〉「」『』【】〔〕“”‘’—–·\u{3000}\u{ff01}-\u{ff5e}\u{4e00}-\u{9fff}a-zA-Z0-9 \n\t]{0,40}") {
            proptest::prop_assert_eq!(squeeze(&s), squeeze_with_full_nfkc(&s));
        }
    }

    #[test]
    fn fast_path_characters() {
        for c in ['，', '１', '\u{3000}', '“', '—', '·', 'a', '〔', '件'] {
            let s = c.to_string();
            assert_eq!(squeeze(&s), squeeze_with_full_nfkc(&s), "{c:?}");
        }
    }

    #[test]
    fn chinese_digits() {
        let digits: Vec<Option<u64>> = "零一二三四五六七八九〇两十几".chars().map(chinese_digit).collect();
        let want = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 2].map(Some);
        assert_eq!(digits[..12], want);
        assert_eq!(digits[12..], [None, None]);
    }

    #[test]
    fn chinese_numerals() {
        let p = parse_chinese_numeral;
        assert_eq!(p("十四"), Some(14));
        assert_eq!(p("十"), Some(10));
        assert_eq!(p("一百零二"), Some(102));
        assert_eq!(p("两千"), Some(2000));
        assert_eq!(p("二十"), Some(20));
        assert_eq!(p("三百四十五"), Some(345));
        assert_eq!(p("一千零五"), Some(1005));
        assert_eq!(p("三万五千"), Some(35000));
        assert_eq!(p("零"), Some(0));
        assert_eq!(p("七"), Some(7));
        assert_eq!(p("三四"), None);
        assert_eq!(p("二〇二一"), None);
        assert_eq!(p("一百二"), None);
        assert_eq!(p("三万五"), None);
        assert_eq!(p("十十"), None);
        assert_eq!(p("百"), None);
        assert_eq!(p(""), None);
        assert_eq!(p("几"), None);
    }
}
