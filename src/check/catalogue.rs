//! The rule catalogue in Markdown, rendered from the code and the editions:
//! docs/rules.md (kept current by tests/docs.rs) and `xxgk editions --rules`.
//!
//! Everything listed comes from the data — the generic rules, each edition's
//! arithmetic, narrative and quality rules with their official labels, the
//! suspect rule, the reader codes. Only what the data cannot say (why a rule
//! exists, its tolerances) is written here by hand, in [`NOTES`] and the
//! short introductions.

use super::{narrative, suspect, text, GENERIC_RULES};
use crate::edition::text::{Captured, QualityCheck, QualityRule};
use crate::edition::{CellDef, Edition, Editions, Rule, Severity, Term};
use std::fmt::Write;

/// What the catalogue says first.
const INTRO: &str = "\
Every rule the checker applies, rendered from the code and the edition files
(`xxgk::check::catalogue`; `xxgk editions --rules` prints the same for the
editions a run has loaded). Each finding has a stable code, a severity
(错误 error, 警告 warning), the table, row and column in official labels, the
cells involved, and for arithmetic rules the formula with its numbers and the
difference; `--format json` gives the same for machines.

A rule with a blank term is not evaluated; the blank itself is reported
(`BLANK`), never read as 0. In a report read from a published document
(PDF, web page, text, Markdown) a blank is what was printed: the rule counts
it as 0 and one `BLANK-PUBLISHED` warning per table says so. Rules that compare with last year's report (上年…)
run only with `--previous` or `--previous-dir`, and are warnings: mergers and
corrections legitimately break them. How the findings that need judgement
are made — the most likely wrong cell, the text against the tables, part
quality — is explained in [docs/checking.md](checking.md).
";

/// What the data cannot say about a rule: tolerances, scope, why it exists.
pub const NOTES: &[(&str, &str)] = &[
    ("META-YEAR", "the report states its year"),
    ("META-ORGAN", "the report names its organ"),
    ("EDITION-YEAR", "the edition fits the year (a 2022 report in the 2019 layout is wrong)"),
    ("PART-MISSING", "all six parts are present"),
    ("PART-EMPTY", "五 and 六 are not empty (write “无” if there is nothing)"),
    ("BLANK", "every table cell is filled; a blank or “-” is reported, never read as 0 (in a form a clerk fills in)"),
    (
        "BLANK-PUBLISHED",
        "a report read from a published PDF, web page, text or Markdown: the blank cells stay null, one warning per \
         table names them, and the identities count them as 0 (原文为空，按 0 计) so real imbalances still show",
    ),
    (
        "KIND",
        "counts are whole numbers ≥ 0, signed values only where the edition allows them, amounts ≥ 0 with at most \
         the declared decimals",
    ),
    ("X-PREV-YEAR", "with `--previous`: it is last year's report"),
    (
        "X-SAME-TABLE",
        "with `--previous`: a table identical to last year's, with at least one non-zero number (内容雷同; tables \
         that are all zero both years are normal and not reported)",
    ),
    (
        "X-SAME-TEXT",
        "with `--previous`: a part of ≥ 50 characters whose text is ≥ 90 % similar to last year's \
         (character-bigram Dice coefficient)",
    ),
    ("T3-BALANCE", "the 勾稽关系 printed on the form, in each of the 7 columns"),
    ("X-CARRY", "also across the 2019→2021 change"),
    (
        "X-PUBLISHED-ROLL",
        "plausible only (≈): some offices report the documents in force rather than a cumulative count",
    ),
    (
        "X-DOCS-ROLL",
        "skipped against a 2019-edition report (not comparable); revisions, documents expiring without a formal \
         repeal and documents issued and repealed in the same year also break it",
    ),
    (
        "NARR-MISMATCH",
        "a number the text states (`共收到政府信息公开申请14件`) equals the cell, or sum of cells, it describes; the \
         checker prefers silence to a wrong warning (hedged, ranged, compared or other-year numbers are not read)",
    ),
    (
        "TEXT-MARKUP",
        "`**`, Markdown `#` headings and HTML tags pasted from other documents; the publications never print them",
    ),
    (
        "TEXT-LINEBREAK",
        "a line that does not end a sentence, is no heading or field (`联系电话：…`) and is at least 20 characters long \
         (or ends with `，` `、`), followed by one that is no heading: the publications join the two",
    ),
    ("P5-ONLY-NONE", "an empty part is `PART-EMPTY`"),
    (
        "P6-FEES-UNREPORTED",
        "表三（六）2 > 0 means applications closed because a fee notice was not paid: 信息处理费 notices were sent; \
         表二（八）行政事业性收费 is the organ's own fee items, not 信息处理费, and does not trigger it",
    ),
    (
        "PREAMBLE-YEAR",
        "warns when the preamble states years and none is the report's; citations of another report \
         (`根据《…》所提问题`) aside",
    ),
    ("PREAMBLE-ORGAN", "the report's organ, or its office (`恩和镇人民政府办公室` for `中宁县恩和镇人民政府`), passes"),
    ("CHECK-SUSPECT", "when identities fail: the cell most likely wrong, with the value the other numbers imply"),
];

/// The catalogue of the rules of these editions, with the reader codes.
pub fn catalogue(editions: &Editions) -> String {
    catalogue_with(editions, &[])
}

/// The catalogue, listing `more_codes` (code, meaning) after the reader
/// codes: codes given by other stages of the pipeline.
pub fn catalogue_with(editions: &Editions, more_codes: &[(&str, &str)]) -> String {
    let mut s = String::from("# 检查规则 / Check rules\n\n");
    s.push_str(
        "<!-- Generated by xxgk::check::catalogue from the code and templates/*.toml; do not edit by hand: run \
         `UPDATE_DOCS=1 cargo test --test docs`. -->\n\n",
    );
    s.push_str(INTRO);
    generic(&mut s);
    for ed in editions.all() {
        edition(&mut s, ed);
    }
    codes(&mut s, more_codes);
    s
}

fn note(code: &str) -> Option<&'static str> {
    NOTES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Markdown-escape text from the data (labels, titles, words).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '|' | '<' | '>' | '[' | ']' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A list of words as inline code, `、`-separated.
fn words(list: &[String]) -> String {
    list.iter().map(|w| format!("`{}`", w.replace('`', "'"))).collect::<Vec<_>>().join("、")
}

fn heading(s: &mut String, code: &str, severity: Severity, title: &str) {
    let _ = write!(s, "\n#### `{code}` · {} · {}\n\n", severity.chinese(), md(title));
    if let Some(n) = note(code) {
        let mut chars = n.chars();
        let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
        let _ = write!(s, "{first}{}.\n\n", chars.as_str());
    }
}

fn generic(s: &mut String) {
    s.push_str("\n## 通用规则 / Rules of every edition\n\n");
    s.push_str("Written in Rust, driven by each edition's cells, kinds, parts and years.\n\n");
    s.push_str("| code | severity | rule | note |\n|---|---|---|---|\n");
    let mut row = |code: &str, severity: Severity, title: &str| {
        let _ = writeln!(s, "| `{code}` | {} | {} | {} |", severity.chinese(), md(title), note(code).unwrap_or(""));
    };
    for r in GENERIC_RULES {
        row(r.code, r.severity, r.title);
    }
    // These two run in every edition, on its `[[narrative]]` entries and its
    // arithmetic rules; both give warnings only.
    row(narrative::CODE, Severity::Warning, narrative::TITLE);
    row(suspect::CODE, Severity::Warning, suspect::TITLE);
    row(text::MARKUP, Severity::Warning, text::MARKUP_TITLE);
    row(text::LINE_BREAK, Severity::Warning, text::LINE_BREAK_TITLE);
}

fn edition(s: &mut String, ed: &Edition) {
    let _ = write!(
        s,
        "\n## {}（适用于{}的报告）\n\nEdition `{}`, from `{}`: {} cells.\n",
        md(&ed.name),
        ed.years_text(),
        ed.id,
        ed.source,
        ed.cells.len()
    );
    s.push_str(
        "\n### 勾稽关系与合理性 / Arithmetic rules\n\nEach rule is a relation between sums of cells, stated once \
         for every place it applies; 上年 marks a cell of last year's report. A rule marked *derives* makes its \
         left cell a formula in xxgk's workbooks.\n",
    );
    for code in ed.rule_codes() {
        let rules: Vec<&Rule> = ed.rules.iter().filter(|r| r.code == code).collect();
        let Some(first) = rules.first() else { continue };
        heading(s, code, first.severity, &first.title);
        if first.derive {
            s.push_str("*Derives* its left cell.\n\n");
        }
        for line in identities(ed, &rules) {
            let _ = writeln!(s, "- {line}");
        }
    }
    if !ed.narrative.is_empty() {
        narratives(s, ed);
    }
    if !ed.quality.is_empty() {
        s.push_str("\n### 各部分质量 / Part quality\n");
        for q in &ed.quality {
            quality(s, ed, q);
        }
    }
}

/// Where the cells of an instance lie: one column, one row, or neither.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Column,
    Row,
    Table,
}

/// One rule instance rendered: where it applies (a context and the varying
/// column or row) and its identity in labels.
struct Rendered {
    shape: Shape,
    context: String,
    /// What joins the context and one place (`·`, a space or nothing).
    sep: &'static str,
    place: String,
    body: String,
}

/// The identities of a code, instances with the same identity at one
/// place of a table stated once.
fn identities(ed: &Edition, rules: &[&Rule]) -> Vec<String> {
    let rendered: Vec<Rendered> = rules.iter().map(|r| render(ed, r)).collect();
    let mut groups: Vec<(&Rendered, Vec<&str>)> = Vec::new();
    for r in &rendered {
        match groups.iter_mut().find(|(g, _)| g.shape == r.shape && g.context == r.context && g.body == r.body) {
            Some((_, places)) => places.push(&r.place),
            None => groups.push((r, vec![&r.place])),
        }
    }
    groups
        .into_iter()
        .map(|(r, places)| {
            let places: Vec<&str> = places.into_iter().filter(|p| !p.is_empty()).collect();
            match (r.shape, places.as_slice()) {
                (_, []) => format!("{}：{}", md(&r.context), r.body),
                (_, [one]) => format!("{}{}{}：{}", md(&r.context), r.sep, md(one), r.body),
                (Shape::Column, many) => format!("{}，每一列（{}）：{}", md(&r.context), md(&many.join("、")), r.body),
                (_, many) => format!("{}，每一行（{}）：{}", md(&r.context), md(&many.join("、")), r.body),
            }
        })
        .collect()
}

fn render(ed: &Edition, rule: &Rule) -> Rendered {
    let defs: Vec<&CellDef> = rule
        .left
        .iter()
        .chain(&rule.right)
        .filter_map(|t| match t {
            Term::Cell { id, .. } => ed.cell(id),
            Term::Const(_) => None,
        })
        .collect();
    let all = |f: fn(&CellDef, &CellDef) -> bool| defs.windows(2).all(|w| matches!(w, [a, b] if f(a, b)));
    let same_table = all(|a, b| a.table == b.table);
    let same_col = all(|a, b| a.table == b.table && a.block == b.block && a.col == b.col);
    let same_row = all(|a, b| a.table == b.table && a.block == b.block && a.row == b.row);
    let shape = match (same_col, same_row) {
        (true, false) => Shape::Column,
        (false, true) => Shape::Row,
        _ => Shape::Table,
    };
    let first = defs.first().copied();
    let block = first.and_then(|d| ed.tables.get(d.table)?.blocks.get(d.block));
    let table_name = first.filter(|_| same_table).map(|d| d.table_name.clone()).unwrap_or_default();
    let (context, sep, place) = match (shape, first, block) {
        (Shape::Column, Some(d), Some(b)) => {
            (d.table_name.clone(), "·", b.col_leaves.get(d.col).map(|l| l.display.clone()).unwrap_or_default())
        }
        (Shape::Row, Some(d), Some(b)) => {
            let row = b.row_leaves.get(d.row).map(|l| l.display.clone()).unwrap_or_default();
            match &b.heading {
                Some(h) => (format!("{}{h}", d.table_name), " ", row),
                None => (d.table_name.clone(), "", row),
            }
        }
        _ => (table_name.clone(), "", String::new()),
    };
    let label = |id: &str| -> String {
        let Some(d) = ed.cell(id) else { return format!("`{id}`") };
        let leaves = ed.tables.get(d.table).and_then(|t| t.blocks.get(d.block));
        let text = match (shape, leaves) {
            (Shape::Column, Some(b)) => b.row_leaves.get(d.row).map(|l| l.display.clone()),
            (Shape::Row, Some(b)) => b.col_leaves.get(d.col).map(|l| l.display.clone()),
            _ => None,
        };
        let text = text.unwrap_or_else(|| {
            if same_table {
                d.location.trim_start_matches(d.table_name.as_str()).to_string()
            } else {
                d.location.clone()
            }
        });
        md(&text)
    };
    let side = |terms: &[Term]| sum(terms, label);
    let body = format!("{} {} {}", side(&rule.left), rule.op.symbol(), side(&rule.right));
    Rendered { shape, context, sep, place, body }
}

/// A sum of terms, each cell named by `label`, 上年 before a cell of last
/// year's report.
fn sum(terms: &[Term], label: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    for (i, t) in terms.iter().enumerate() {
        let (text, negative) = match t {
            Term::Cell { id, negative, previous } => {
                (format!("{}{}", if *previous { "上年" } else { "" }, label(id)), *negative)
            }
            Term::Const(n) => (n.to_string(), false),
        };
        out.push_str(match (i, negative) {
            (0, false) => "",
            (0, true) => "−",
            (_, false) => " + ",
            (_, true) => " − ",
        });
        out.push_str(&text);
    }
    out
}

/// A sum of cells named by their full location.
fn cells(ed: &Edition, terms: &[Term]) -> String {
    sum(terms, |id| ed.cell(id).map(|d| md(&d.location)).unwrap_or_else(|| format!("`{id}`")))
}

fn narratives(s: &mut String, ed: &Edition) {
    let _ = write!(
        s,
        "\n### 正文与表格 / The text against the tables (`{}`)\n\nA number the text states with one of an entry's \
         phrases (`{{n}}` the number with one of its units, `…` a short gap within the clause) must equal the sum \
         of its cells.\n\n",
        narrative::CODE
    );
    for n in &ed.narrative {
        let phrases: Vec<String> = n.phrases.iter().map(|p| p.text.clone()).collect();
        let _ = writeln!(s, "- **{}** = {}", md(&n.what), cells(ed, &n.cells));
        let _ = writeln!(s, "  - phrases: {}; units: {}", words(&phrases), words(&n.units));
        if !n.context.is_empty() {
            let place = if n.context_in_clause {
                "the number's clause (or an earlier one stating a count)"
            } else {
                "the sentence"
            };
            let _ = writeln!(s, "  - only when {place} has one of: {}", words(&n.context));
        }
        if !n.qualifiers.is_empty() {
            let _ = writeln!(s, "  - not compared when the clause qualifies it as a part: {}", words(&n.qualifiers));
        }
        if !n.unless.is_empty() {
            let _ = writeln!(s, "  - not compared when the paragraph has: {}", words(&n.unless));
        }
    }
}

fn quality(s: &mut String, ed: &Edition, q: &QualityRule) {
    heading(s, &q.code, q.severity, &q.title);
    let part = match ed.part(&q.part) {
        Some(p) => md(&p.full_heading()),
        None if q.part == "preamble" => "开头部分 (the preamble)".to_string(),
        None => format!("`{}`", q.part),
    };
    let _ = writeln!(s, "- part: {part}");
    match &q.check {
        QualityCheck::OnlyWords(only) => {
            let _ = writeln!(s, "- warns when the part says nothing but one of: {}", words(only));
        }
        QualityCheck::PreviousMentions(w) => {
            let _ = writeln!(
                s,
                "- with `--previous` whose part has text (not just “无”): this year's part mentions one of: {}",
                words(w)
            );
        }
        QualityCheck::Mentions { cells: c, words: w } => {
            let _ = writeln!(s, "- when {} > 0, the part mentions one of: {}", cells(ed, c), words(w));
        }
        QualityCheck::Short(n) => {
            let _ = writeln!(s, "- warns when the part has text but fewer than {n} characters (punctuation aside), other than the words another rule names");
        }
        QualityCheck::States { templates, compare, citing } => {
            let what = match compare {
                Captured::Year => "year",
                Captured::Organ => "organ",
            };
            let wordings: Vec<String> = templates.iter().map(|t| t.text.clone()).collect();
            let _ = writeln!(s, "- the {what} stated in one of these wordings is the report's: {}", words(&wordings));
            if !citing.is_empty() {
                let _ = writeln!(
                    s,
                    "- a wording in a clause with one of these words cites another report and is not read: {}",
                    words(citing)
                );
            }
        }
    }
}

fn codes(s: &mut String, more: &[(&str, &str)]) {
    s.push_str(
        "\n## 读取时发现的问题 / Reader and pipeline codes\n\nWarnings given while a file is read (and by `batch`); \
         they are listed with the findings. Each has a passing and a failing fixture under `tests/rules/`.\n\n",
    );
    s.push_str("| code | meaning |\n|---|---|\n");
    for (code, meaning) in crate::read::READ_CODES.iter().chain(more) {
        let _ = writeln!(s, "| `{code}` | {} |", md(meaning));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_note_names_a_rule_and_every_rule_is_listed() {
        let editions = Editions::builtin().unwrap();
        let text = catalogue(&editions);
        let codes = super::super::all_codes(&editions);
        for (code, _) in NOTES {
            assert!(codes.iter().any(|c| c == code), "the note on {code} names no rule");
        }
        for code in &codes {
            assert!(text.contains(&format!("`{code}`")), "{code} is not in the catalogue");
        }
        for (code, _) in crate::read::READ_CODES {
            assert!(text.contains(&format!("| `{code}` |")), "{code} is not in the catalogue");
        }
    }

    #[test]
    fn identities_are_written_with_official_labels_once_per_shape() {
        let editions = Editions::builtin().unwrap();
        let text = catalogue(&editions);
        // T3-BALANCE: the same identity in each of the 7 columns, stated once.
        assert!(text.contains(
            "表三，每一列（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他、总计）：\
             一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 = （七）总计 + 四、结转下年度继续办理"
        ));
        // A cell of last year's report, and a subtracted one.
        assert!(text.contains("= 上年现行有效件数 + 本年制发件数 − 本年废止件数"), "{text}");
    }

    #[test]
    fn more_codes_follow_the_reader_codes() {
        let editions = Editions::builtin().unwrap();
        let text = catalogue_with(&editions, &[("PIPE-X", "a test code")]);
        let read = text.find("| `READ-VALUE` |").unwrap();
        let more = text.find("| `PIPE-X` | a test code |").unwrap();
        assert!(read < more);
    }
}
