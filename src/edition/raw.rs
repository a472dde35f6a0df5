//! The edition file format as written under templates/ (TOML), before
//! compilation. See templates/README.md for a description of each field.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEdition {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub document: String,
    pub years: RawYears,
    #[serde(default)]
    pub preamble: String,
    pub title: RawTitle,
    /// For a cell in unit U, what a number written with unit V is worth:
    /// `units.U.V = "factor"`.
    #[serde(default)]
    pub units: indexmap::IndexMap<String, indexmap::IndexMap<String, String>>,
    /// Words that may follow a count and add nothing (`3件`).
    #[serde(default)]
    pub count_words: Vec<String>,
    #[serde(default)]
    pub markers: Vec<String>,
    #[serde(default)]
    pub placeholders: Vec<String>,
    /// What may stand between a part's number and its heading besides the
    /// usual `、` `.` `,` `)` (`一：总体情况`, `一 总体情况` as `""`).
    #[serde(default)]
    pub part_number_separators: Vec<String>,
    pub parts: Vec<RawPart>,
    pub tables: Vec<RawTable>,
    #[serde(default)]
    pub rules: Vec<RawRule>,
    /// Numbers the text parts state, and the cells they describe.
    #[serde(default)]
    pub narrative: Vec<RawNarrative>,
    /// Part-quality rules.
    #[serde(default)]
    pub quality: Vec<RawQuality>,
}

/// The report's title: how it is written, and the words that make a line a
/// title when reading.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTitle {
    pub format: String,
    pub words: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawYears {
    pub from: u32,
    pub to: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPart {
    pub id: String,
    pub number: String,
    pub heading: String,
    #[serde(default)]
    pub variants: Vec<String>,
    #[serde(default)]
    pub guidance: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub nonempty: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub id: String,
    pub name: String,
    pub title: String,
    pub part: String,
    pub grid: u32,
    pub note: Option<String>,
    /// Printed width of each grid column, in characters of the table font.
    #[serde(default)]
    pub widths: Vec<f64>,
    pub blocks: Vec<RawBlock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBlock {
    pub key: Option<String>,
    pub heading: Option<String>,
    pub corner: Option<String>,
    #[serde(default)]
    pub corner_variants: Vec<String>,
    pub row_header_columns: Option<u32>,
    pub columns: Vec<RawNode>,
    pub rows: Vec<RawNode>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    pub key: Option<String>,
    pub label: String,
    pub short: Option<String>,
    #[serde(default)]
    pub variants: Vec<String>,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub decimals: Option<u32>,
    pub span: Option<u32>,
    #[serde(default)]
    pub children: Vec<RawNode>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub code: String,
    pub severity: String,
    pub title: String,
    #[serde(default)]
    pub derive: bool,
    #[serde(default)]
    pub foreach: IndexMap<String, Vec<String>>,
    pub left: Vec<String>,
    pub op: String,
    pub right: Vec<String>,
}

/// `[[narrative]]`: a number the text may state (see templates/README.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNarrative {
    pub what: String,
    pub cells: Vec<String>,
    pub units: Vec<String>,
    pub phrases: Vec<String>,
    #[serde(default)]
    pub context: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub context_in: Option<String>,
    #[serde(default)]
    pub qualifiers: Vec<String>,
    pub gap: Option<usize>,
    /// Other cells the number may describe when the sentence says so.
    #[serde(default)]
    pub alternatives: Vec<RawAlternative>,
}

/// `alternatives = [{ cells = […], when = […] }]` of a `[[narrative]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAlternative {
    pub cells: Vec<String>,
    /// The sentence must contain one of these words (none: always).
    #[serde(default)]
    pub when: Vec<String>,
}

/// `[[quality]]`: a part-quality rule (see templates/README.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuality {
    pub code: String,
    pub severity: String,
    pub title: String,
    pub part: String,
    #[serde(default)]
    pub only: Vec<String>,
    #[serde(default)]
    pub if_positive: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<String>,
    #[serde(default)]
    pub states: Vec<String>,
    pub compare: Option<String>,
    #[serde(default)]
    pub citing: Vec<String>,
    /// The part has text, but fewer characters than this.
    pub shorter_than: Option<usize>,
    /// With last year's report whose part has text: this year's part
    /// mentions one of these words (the 整改 of last year's problems).
    #[serde(default)]
    pub previous_mentions: Vec<String>,
}
