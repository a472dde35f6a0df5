//! Evaluating a workbook's formulas whose cached value is missing.
//!
//! A workbook saved by a script (openpyxl, many 填报 systems' exports)
//! keeps its formulas but no cached results, so every derived cell would
//! read as blank. The xlsx reader hands such formulas to a [`Book`], which
//! evaluates them over the cells read, the way Excel would: blank cells
//! count as 0 in arithmetic, `SUM` skips text, errors propagate.
//!
//! What is understood: numbers, strings, `TRUE`/`FALSE`; cell references,
//! also to other sheets (`表三!C4`, `'表 三'!$C$4`) and ranges (`D7:D27`,
//! `D:D`); unary `+`/`-`, `%`, `+ - * /`, `&`, comparisons; the functions
//! `SUM`, `IF`, `COUNT`, `AND`, `OR`, `NOT`, `ABS`, `MIN`, `MAX`, `ROUND`.
//! That covers xxgk's own formulas (totals and the 检查 cells) and the
//! totals offices write. Anything else — another function, a defined name,
//! an error value, a cycle, a reference beyond the cells read — is a
//! [`Failure`] the reader reports (`READ-FORMULA`); nothing is guessed.
//!
//! Numbers are exact decimals ([`Number`]), so `1340.5117 + 0.1` is
//! `1340.6117`. Evaluation is bounded: a formula has at most
//! [`MAX_FORMULA_CHARS`] characters and [`MAX_NESTING`] levels of
//! parentheses and calls; references through formulas and that nesting
//! together go at most [`MAX_DEPTH`] deep (a long sum `D7+D8+…` is one flat
//! chain); a workbook's evaluation visits at most [`Book::new`]'s budget of
//! cells. docs/formulas.md says why this is hand-written rather than a
//! formula crate.

use crate::model::Number;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Deepest nesting of parentheses, function calls and signs within one formula.
pub const MAX_NESTING: usize = 64;
/// Deepest evaluation: references (a formula citing a formula …) and the
/// nesting within each formula together.
pub const MAX_DEPTH: usize = 256;
/// Longest formula read (Excel's own limit is 8,192 characters).
pub const MAX_FORMULA_CHARS: usize = 8_192;

/// A value a cell holds or a formula gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(Number),
    Text(String),
    Bool(bool),
    Blank,
}

impl Value {
    /// How a spreadsheet shows the value (`TRUE`, `12.5`, text as is).
    pub fn shown(&self) -> String {
        match self {
            Value::Number(n) => n.to_string(),
            Value::Text(s) => s.clone(),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Blank => String::new(),
        }
    }
}

/// Why a formula could not be evaluated.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The text is no formula this evaluator understands.
    Syntax,
    /// A function it does not know (`VLOOKUP`, …).
    Function(String),
    /// A name that is neither a cell nor a function (a defined name).
    Name(String),
    /// A spreadsheet error value (`#DIV/0!`, `#VALUE!`, …), computed or read.
    Error(&'static str),
    /// The formula refers, through other formulas, back to itself.
    Cycle,
    /// References or parentheses nested deeper than [`MAX_DEPTH`].
    Depth,
    /// The workbook's evaluation budget is spent.
    Budget,
    /// A sheet the workbook does not have (or that was not read).
    Sheet(String),
    /// A cell beyond the rows and columns read, on a sheet that has cells there.
    Outside(String),
    /// A cell this formula refers to could not be evaluated.
    Via(String, Box<Failure>),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Syntax => f.write_str("公式无法解析"),
            Failure::Function(name) => write!(f, "不支持函数 {name}"),
            Failure::Name(name) => write!(f, "不认识名称“{name}”"),
            Failure::Error(code) => write!(f, "计算结果为错误值 {code}"),
            Failure::Cycle => f.write_str("循环引用"),
            Failure::Depth => write!(f, "公式的括号或函数嵌套超过 {MAX_NESTING} 层，或公式间的引用超过 {MAX_DEPTH} 层"),
            Failure::Budget => f.write_str("工作簿中的公式计算量超过上限"),
            Failure::Sheet(name) => write!(f, "引用的工作表“{name}”不存在"),
            Failure::Outside(cell) => write!(f, "引用的 {cell} 超出读取的范围"),
            Failure::Via(cell, inner) => {
                // The chain of cells down to the cause, then the cause.
                let mut chain = vec![cell.as_str()];
                let mut cause = inner.as_ref();
                while let Failure::Via(c, i) = cause {
                    chain.push(c);
                    cause = i;
                }
                write!(f, "引用的 {} {cause}", chain.join(" → "))
            }
        }
    }
}

type Eval<T> = Result<T, Failure>;

/// A1 name of a 0-based cell (`D28`).
pub fn a1(row: u32, col: u32) -> String {
    crate::model::a1(row + 1, col + 1)
}

/// A sheet-qualified cell name for messages: `表三!D28`, `'表 三'!D28`.
fn qualified(sheet: &str, row: u32, col: u32) -> String {
    let plain = !sheet.is_empty() && sheet.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    if plain {
        format!("{sheet}!{}", a1(row, col))
    } else {
        format!("'{}'!{}", sheet.replace('\'', "''"), a1(row, col))
    }
}

// ---------------------------------------------------------------- parsing

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
struct CellRef {
    sheet: Option<String>,
    row: u32,
    col: u32,
}

/// A rectangle of cells; `None` rows mean a whole column (`D:D`).
#[derive(Debug, Clone, PartialEq)]
struct Area {
    sheet: Option<String>,
    rows: Option<(u32, u32)>,
    cols: (u32, u32),
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Num(Number),
    Str(String),
    Bool(bool),
    Ref(CellRef),
    Area(Area),
    Neg(Box<Expr>),
    Percent(Box<Expr>),
    /// Operands joined left to right by operators of one precedence
    /// (`D7+D8+…+D27` is one chain, evaluated without recursion).
    Chain(Box<Expr>, Vec<(Op, Expr)>),
    Call(String, Vec<Expr>),
}

/// `first (op next)*`, as one node when there is an operator.
fn chain(first: Expr, rest: Vec<(Op, Expr)>) -> Expr {
    if rest.is_empty() {
        first
    } else {
        Expr::Chain(Box::new(first), rest)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Number),
    Str(String),
    /// A cell reference, possibly sheet-qualified, possibly the start of a range.
    Cell(Option<String>, u32, u32),
    /// A whole column `D` before `:` (`D:D`), possibly sheet-qualified.
    Col(Option<String>, u32),
    Func(String),
    Name(String),
    Op(char),
    /// `<=`, `>=`, `<>`.
    Op2(&'static str),
    LParen,
    RParen,
    Comma,
    Colon,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.' || c == '\\'
}

/// `$A$1`-style text at the start of `s`: (row, col, chars used), 0-based.
fn cell_at(s: &[char]) -> Option<(u32, u32, usize)> {
    let mut i = 0;
    if s.first() == Some(&'$') {
        i += 1;
    }
    let mut col: u32 = 0;
    let start = i;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_alphabetic()) {
        col = col.checked_mul(26)?.checked_add(u32::from(c.to_ascii_uppercase()) - u32::from('A') + 1)?;
        i += 1;
    }
    if i == start || i - start > 3 || col > 16_384 {
        return None;
    }
    if s.get(i) == Some(&'$') {
        i += 1;
    }
    let digits = i;
    let mut row: u32 = 0;
    while let Some(d) = s.get(i).and_then(|c| c.to_digit(10)) {
        row = row.checked_mul(10)?.checked_add(d)?;
        i += 1;
    }
    if i == digits || row == 0 || row > 1_048_576 {
        return None;
    }
    Some((row - 1, col - 1, i))
}

/// A column name (`$D`) at the start of `s`: (col, chars used), 0-based.
fn col_at(s: &[char]) -> Option<(u32, usize)> {
    let mut i = usize::from(s.first() == Some(&'$'));
    let start = i;
    let mut col: u32 = 0;
    while let Some(c) = s.get(i).filter(|c| c.is_ascii_alphabetic()) {
        col = col * 26 + u32::from(c.to_ascii_uppercase()) - u32::from('A') + 1;
        i += 1;
        if i - start > 3 {
            return None;
        }
    }
    (i > start && col <= 16_384).then(|| (col - 1, i))
}

fn lex(text: &str) -> Eval<Vec<Tok>> {
    let s: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        let rest = s.get(i..).unwrap_or_default();
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' | ')' | ',' | ':' => {
                out.push(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    ',' => Tok::Comma,
                    _ => Tok::Colon,
                });
                i += 1;
            }
            '<' | '>' => {
                let two = match (c, s.get(i + 1)) {
                    ('<', Some('=')) => Some("<="),
                    ('<', Some('>')) => Some("<>"),
                    ('>', Some('=')) => Some(">="),
                    _ => None,
                };
                match two {
                    Some(t) => {
                        out.push(Tok::Op2(t));
                        i += 2;
                    }
                    None => {
                        out.push(Tok::Op(c));
                        i += 1;
                    }
                }
            }
            '+' | '-' | '*' | '/' | '&' | '=' | '%' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '"' => {
                let (t, end) = quoted(&s, i)?;
                out.push(Tok::Str(t));
                i = end;
            }
            '\'' => {
                // A quoted sheet name: 'a b'!A1.
                let (name, end) = quoted(&s, i)?;
                i = end;
                if s.get(i) != Some(&'!') {
                    return Err(Failure::Syntax);
                }
                i += 1;
                i += qualified_ref(s.get(i..).unwrap_or_default(), name, &mut out)?;
            }
            '0'..='9' | '.' => {
                // A number, unless it is a row range (`5:5`, not supported).
                let start = i;
                while s.get(i).is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                    i += 1;
                }
                if matches!(s.get(i), Some('e' | 'E')) {
                    let mut j = i + 1;
                    if matches!(s.get(j), Some('+' | '-')) {
                        j += 1;
                    }
                    if s.get(j).is_some_and(char::is_ascii_digit) {
                        i = j;
                        while s.get(i).is_some_and(char::is_ascii_digit) {
                            i += 1;
                        }
                    }
                }
                let t: String = s.get(start..i).unwrap_or_default().iter().collect();
                out.push(Tok::Num(Number::from_str(&t).map_err(|_| Failure::Syntax)?));
            }
            c if c == '$' || is_name_char(c) => {
                let mut j = i;
                while s.get(j).is_some_and(|c| is_name_char(*c) || *c == '$') {
                    j += 1;
                }
                let word: String = s.get(i..j).unwrap_or_default().iter().collect();
                match s.get(j) {
                    Some('!') => {
                        i = j + 1;
                        i += qualified_ref(s.get(i..).unwrap_or_default(), word, &mut out)?;
                    }
                    Some('(') => {
                        out.push(Tok::Func(word));
                        i = j;
                    }
                    _ => {
                        if let Some((r, c, _)) = cell_at(rest).filter(|(_, _, n)| *n == j - i) {
                            out.push(Tok::Cell(None, r, c));
                        } else if let Some((c, _)) = col_at(rest).filter(|(_, n)| *n == j - i && s.get(j) == Some(&':'))
                        {
                            out.push(Tok::Col(None, c));
                        } else {
                            out.push(Tok::Name(word));
                        }
                        i = j;
                    }
                }
            }
            _ => return Err(Failure::Syntax),
        }
    }
    Ok(out)
}

/// The text quoted from `s[start]` to the matching quote (the quote
/// doubled stands for itself), and the position after it.
fn quoted(s: &[char], start: usize) -> Eval<(String, usize)> {
    let q = *s.get(start).ok_or(Failure::Syntax)?;
    let mut t = String::new();
    let mut i = start + 1;
    loop {
        match (s.get(i), s.get(i + 1)) {
            (Some(&a), Some(&b)) if a == q && b == q => {
                t.push(q);
                i += 2;
            }
            (Some(&a), _) if a == q => return Ok((t, i + 1)),
            (Some(&ch), _) => {
                t.push(ch);
                i += 1;
            }
            (None, _) => return Err(Failure::Syntax),
        }
    }
}

/// The reference after `sheet!`; returns the characters used.
fn qualified_ref(s: &[char], sheet: String, out: &mut Vec<Tok>) -> Eval<usize> {
    let ends = |n: usize| !s.get(n).is_some_and(|c| is_name_char(*c) || *c == '$' || *c == '(' || *c == '!');
    if let Some((r, c, n)) = cell_at(s).filter(|(_, _, n)| ends(*n)) {
        out.push(Tok::Cell(Some(sheet), r, c));
        return Ok(n);
    }
    if let Some((c, n)) = col_at(s).filter(|(_, n)| s.get(*n) == Some(&':')) {
        out.push(Tok::Col(Some(sheet), c));
        return Ok(n);
    }
    Err(Failure::Syntax)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn enter(&mut self) -> Eval<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Failure::Depth);
        }
        Ok(())
    }

    /// The binary operators, loosest first: comparisons, `&`, `+ -`, `* /`.
    /// Level `n` is `level(n + 1) (op level(n + 1))*`, one chain; below the
    /// last comes [`Parser::unary`].
    fn level(&mut self, n: usize) -> Eval<Expr> {
        let next = |p: &mut Parser| if n == 3 { p.unary() } else { p.level(n + 1) };
        let first = next(self)?;
        let mut rest = Vec::new();
        loop {
            let op = match (n, self.peek()) {
                (0, Some(Tok::Op('='))) => Op::Eq,
                (0, Some(Tok::Op('<'))) => Op::Lt,
                (0, Some(Tok::Op('>'))) => Op::Gt,
                (0, Some(Tok::Op2("<="))) => Op::Le,
                (0, Some(Tok::Op2(">="))) => Op::Ge,
                (0, Some(Tok::Op2("<>"))) => Op::Ne,
                (1, Some(Tok::Op('&'))) => Op::Concat,
                (2, Some(Tok::Op('+'))) => Op::Add,
                (2, Some(Tok::Op('-'))) => Op::Sub,
                (3, Some(Tok::Op('*'))) => Op::Mul,
                (3, Some(Tok::Op('/'))) => Op::Div,
                _ => return Ok(chain(first, rest)),
            };
            self.pos += 1;
            rest.push((op, next(self)?));
        }
    }

    /// A whole expression.
    fn comparison(&mut self) -> Eval<Expr> {
        self.level(0)
    }

    fn unary(&mut self) -> Eval<Expr> {
        match self.peek() {
            Some(Tok::Op('-')) => {
                self.pos += 1;
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(Expr::Neg(Box::new(e)))
            }
            Some(Tok::Op('+')) => {
                self.pos += 1;
                self.enter()?;
                let e = self.unary()?;
                self.depth -= 1;
                Ok(e)
            }
            _ => self.postfix(),
        }
    }

    fn postfix(&mut self) -> Eval<Expr> {
        let mut e = self.primary()?;
        while self.peek() == Some(&Tok::Op('%')) {
            self.pos += 1;
            e = Expr::Percent(Box::new(e));
        }
        Ok(e)
    }

    fn primary(&mut self) -> Eval<Expr> {
        match self.next().ok_or(Failure::Syntax)? {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::LParen => {
                self.enter()?;
                let e = self.comparison()?;
                self.depth -= 1;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err(Failure::Syntax),
                }
            }
            Tok::Cell(sheet, row, col) => {
                if self.peek() != Some(&Tok::Colon) {
                    return Ok(Expr::Ref(CellRef { sheet, row, col }));
                }
                self.pos += 1;
                match self.next() {
                    Some(Tok::Cell(None, r2, c2)) => Ok(Expr::Area(Area {
                        sheet,
                        rows: Some((row.min(r2), row.max(r2))),
                        cols: (col.min(c2), col.max(c2)),
                    })),
                    _ => Err(Failure::Syntax),
                }
            }
            Tok::Col(sheet, col) => {
                if self.next() != Some(Tok::Colon) {
                    return Err(Failure::Syntax);
                }
                match self.next() {
                    Some(Tok::Name(n)) | Some(Tok::Func(n)) if col_at(&n.chars().collect::<Vec<_>>()).is_some() => {
                        let chars: Vec<char> = n.chars().collect();
                        let (c2, used) = col_at(&chars).ok_or(Failure::Syntax)?;
                        if used != chars.len() {
                            return Err(Failure::Syntax);
                        }
                        Ok(Expr::Area(Area { sheet, rows: None, cols: (col.min(c2), col.max(c2)) }))
                    }
                    _ => Err(Failure::Syntax),
                }
            }
            Tok::Func(name) => {
                let upper = name.to_uppercase();
                let upper = upper.strip_prefix("_XLFN.").unwrap_or(&upper).to_string();
                if self.next() != Some(Tok::LParen) {
                    return Err(Failure::Syntax);
                }
                self.enter()?;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.comparison()?);
                        match self.next() {
                            Some(Tok::Comma) => continue,
                            Some(Tok::RParen) => break,
                            _ => return Err(Failure::Syntax),
                        }
                    }
                }
                self.depth -= 1;
                Ok(Expr::Call(upper, args))
            }
            Tok::Name(n) => match n.to_uppercase().as_str() {
                "TRUE" => Ok(Expr::Bool(true)),
                "FALSE" => Ok(Expr::Bool(false)),
                _ => Err(Failure::Name(n)),
            },
            _ => Err(Failure::Syntax),
        }
    }
}

/// Parse a formula (with or without its leading `=`).
fn parse(text: &str) -> Eval<Expr> {
    if text.chars().count() > MAX_FORMULA_CHARS {
        return Err(Failure::Syntax);
    }
    let body = text.trim_start().strip_prefix('=').unwrap_or(text);
    let toks = lex(body)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    let e = p.comparison()?;
    if p.pos != p.toks.len() {
        return Err(Failure::Syntax);
    }
    // Known functions only: an unknown one fails as such, not as syntax.
    check_functions(&e)?;
    Ok(e)
}

const FUNCTIONS: &[&str] = &["SUM", "IF", "COUNT", "AND", "OR", "NOT", "ABS", "MIN", "MAX", "ROUND"];

fn check_functions(e: &Expr) -> Eval<()> {
    match e {
        Expr::Call(name, args) => {
            if !FUNCTIONS.contains(&name.as_str()) {
                return Err(Failure::Function(name.clone()));
            }
            args.iter().try_for_each(check_functions)
        }
        Expr::Neg(a) | Expr::Percent(a) => check_functions(a),
        Expr::Chain(first, rest) => {
            check_functions(first)?;
            rest.iter().try_for_each(|(_, e)| check_functions(e))
        }
        _ => Ok(()),
    }
}

// ------------------------------------------------------------- evaluation

enum Slot {
    Value(Value),
    /// A spreadsheet error read as a cell's value (`#N/A`).
    Error(&'static str),
    Formula(Box<FormulaSlot>),
}

struct FormulaSlot {
    text: String,
    state: State,
}

enum State {
    Pending,
    Running,
    Done(Eval<Value>),
}

struct Sheet {
    name: String,
    cells: BTreeMap<(u32, u32), Slot>,
    /// Non-empty cells lie beyond the rows and columns read: a reference
    /// there is unknown, not blank.
    incomplete: bool,
}

/// The cells of a workbook, as read, with the formulas to evaluate.
pub struct Book {
    sheets: Vec<Sheet>,
    rows: u32,
    cols: u32,
    budget: usize,
}

/// The spreadsheet error values, as `'static` codes.
const ERRORS: &[&str] = &["#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#DATA!"];

/// The code of an error value's text (`#DIV/0!`), if it is one.
pub fn error_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    ERRORS.iter().find(|e| e.eq_ignore_ascii_case(t)).copied()
}

impl Book {
    /// A book whose sheets were read within `rows` × `cols`; evaluation
    /// visits at most `budget` cells in all.
    pub fn new(rows: u32, cols: u32, budget: usize) -> Book {
        Book { sheets: Vec::new(), rows, cols, budget }
    }

    /// Add a sheet; returns its index.
    pub fn add_sheet(&mut self, name: &str) -> usize {
        self.sheets.push(Sheet { name: name.to_string(), cells: BTreeMap::new(), incomplete: false });
        self.sheets.len() - 1
    }

    /// The sheet has non-empty cells beyond the rows and columns read.
    pub fn set_incomplete(&mut self, sheet: usize) {
        if let Some(s) = self.sheets.get_mut(sheet) {
            s.incomplete = true;
        }
    }

    /// A cell's value as read (a number, text, …).
    pub fn set_value(&mut self, sheet: usize, row: u32, col: u32, v: Value) {
        if let Some(s) = self.sheets.get_mut(sheet) {
            s.cells.insert((row, col), Slot::Value(v));
        }
    }

    /// A cell holding an error value (its text, `#N/A`; an unknown one is `#VALUE!`).
    pub fn set_error(&mut self, sheet: usize, row: u32, col: u32, text: &str) {
        if let Some(s) = self.sheets.get_mut(sheet) {
            s.cells.insert((row, col), Slot::Error(error_code(text).unwrap_or("#VALUE!")));
        }
    }

    /// A cell holding a formula without a cached value.
    pub fn set_formula(&mut self, sheet: usize, row: u32, col: u32, text: &str) {
        if let Some(s) = self.sheets.get_mut(sheet) {
            let f = FormulaSlot { text: text.to_string(), state: State::Pending };
            s.cells.insert((row, col), Slot::Formula(Box::new(f)));
        }
    }

    /// The value of a formula cell set by [`Book::set_formula`] (a blank
    /// result shows as 0, as in a spreadsheet).
    ///
    /// # Errors
    /// Why the formula cannot be evaluated.
    pub fn evaluate(&mut self, sheet: usize, row: u32, col: u32) -> Eval<Value> {
        match self.cell(sheet, row, col, 0)? {
            Value::Blank => Ok(Value::Number(Number::ZERO)),
            v => Ok(v),
        }
    }

    fn spend(&mut self, n: usize) -> Eval<()> {
        if self.budget < n {
            self.budget = 0;
            return Err(Failure::Budget);
        }
        self.budget -= n;
        Ok(())
    }

    fn sheet_index(&self, name: Option<&str>, current: usize) -> Eval<usize> {
        match name {
            None => Ok(current),
            Some(n) => self
                .sheets
                .iter()
                .position(|s| s.name == n)
                .or_else(|| self.sheets.iter().position(|s| s.name.to_lowercase() == n.to_lowercase()))
                .ok_or_else(|| Failure::Sheet(n.to_string())),
        }
    }

    fn name_of(&self, sheet: usize, row: u32, col: u32) -> String {
        qualified(self.sheets.get(sheet).map(|s| s.name.as_str()).unwrap_or(""), row, col)
    }

    /// The value of one cell, evaluating its formula if needed.
    fn cell(&mut self, sheet: usize, row: u32, col: u32, depth: usize) -> Eval<Value> {
        self.spend(1)?;
        let Some(s) = self.sheets.get_mut(sheet) else { return Err(Failure::Sheet(String::new())) };
        if row >= self.rows || col >= self.cols {
            return if s.incomplete { Err(Failure::Outside(self.name_of(sheet, row, col))) } else { Ok(Value::Blank) };
        }
        let text = match s.cells.get_mut(&(row, col)) {
            None => return Ok(Value::Blank),
            Some(Slot::Value(v)) => return Ok(v.clone()),
            Some(Slot::Error(e)) => return Err(Failure::Error(e)),
            Some(Slot::Formula(f)) => match &f.state {
                State::Done(r) => return r.clone(),
                State::Running => return Err(Failure::Cycle),
                State::Pending => {
                    f.state = State::Running;
                    f.text.clone()
                }
            },
        };
        let result = if depth >= MAX_DEPTH {
            Err(Failure::Depth)
        } else {
            parse(&text).and_then(|e| self.eval(&e, sheet, depth + 1))
        };
        if let Some(Slot::Formula(f)) = self.sheets.get_mut(sheet).and_then(|s| s.cells.get_mut(&(row, col))) {
            f.state = State::Done(result.clone());
        }
        result
    }

    /// A referenced cell's value; a failure there is named by the cell.
    fn referenced(&mut self, sheet: usize, row: u32, col: u32, depth: usize) -> Eval<Value> {
        let named = matches!(
            self.sheets.get(sheet).and_then(|s| s.cells.get(&(row, col))),
            Some(Slot::Formula(_) | Slot::Error(_))
        );
        self.cell(sheet, row, col, depth).map_err(|e| match e {
            Failure::Budget | Failure::Depth => e,
            e if named => Failure::Via(self.name_of(sheet, row, col), Box::new(e)),
            e => e,
        })
    }

    /// The values of an area's non-blank cells, in row order.
    fn area(&mut self, a: &Area, current: usize, depth: usize) -> Eval<Vec<Value>> {
        let sheet = self.sheet_index(a.sheet.as_deref(), current)?;
        let (r0, r1) = a.rows.unwrap_or((0, 1_048_575));
        let (c0, c1) = a.cols;
        let incomplete = self.sheets.get(sheet).is_some_and(|s| s.incomplete);
        if incomplete && (r1 >= self.rows || c1 >= self.cols) {
            // The first cell of the area beyond what was read.
            let r = if r1 >= self.rows { r0.max(self.rows) } else { r0 };
            let c = if c1 >= self.cols { c0.max(self.cols) } else { c0 };
            return Err(Failure::Outside(self.name_of(sheet, r, c)));
        }
        // Beyond the box read everything is blank: only its rows are looked at.
        let (r1, c1) = (r1.min(self.rows.saturating_sub(1)), c1.min(self.cols.saturating_sub(1)));
        if r0 > r1 || c0 > c1 {
            return Ok(Vec::new());
        }
        self.spend((r1 - r0 + 1) as usize)?;
        let mut keys = Vec::new();
        if let Some(s) = self.sheets.get(sheet) {
            for r in r0..=r1 {
                keys.extend(s.cells.range((r, c0)..=(r, c1)).map(|(k, _)| *k));
            }
        }
        let mut out = Vec::with_capacity(keys.len());
        for (r, c) in keys {
            out.push(self.referenced(sheet, r, c, depth)?);
        }
        Ok(out)
    }

    fn eval(&mut self, e: &Expr, sheet: usize, depth: usize) -> Eval<Value> {
        if depth > MAX_DEPTH {
            return Err(Failure::Depth);
        }
        match e {
            Expr::Num(n) => Ok(Value::Number(*n)),
            Expr::Str(s) => Ok(Value::Text(s.clone())),
            Expr::Bool(b) => Ok(Value::Bool(*b)),
            Expr::Ref(r) => {
                let s = self.sheet_index(r.sheet.as_deref(), sheet)?;
                self.referenced(s, r.row, r.col, depth + 1)
            }
            // A range where one value is wanted (implicit intersection) is not supported.
            Expr::Area(_) => Err(Failure::Error("#VALUE!")),
            Expr::Neg(a) => {
                let n = number(&self.eval(a, sheet, depth + 1)?)?;
                Ok(Value::Number(-n))
            }
            Expr::Percent(a) => {
                let n = number(&self.eval(a, sheet, depth + 1)?)?;
                Ok(Value::Number(Number(n.0 / Decimal::ONE_HUNDRED)))
            }
            Expr::Chain(first, rest) => {
                let mut acc = self.eval(first, sheet, depth + 1)?;
                for (op, e) in rest {
                    let y = self.eval(e, sheet, depth + 1)?;
                    acc = binary(*op, &acc, &y)?;
                }
                Ok(acc)
            }
            Expr::Call(name, args) => self.call(name, args, sheet, depth + 1),
        }
    }

    /// The values an argument stands for: a reference's or range's cells
    /// (`true`: from cells), or one computed value (`false`).
    fn arg_values(&mut self, e: &Expr, sheet: usize, depth: usize) -> Eval<(Vec<Value>, bool)> {
        match e {
            Expr::Area(a) => Ok((self.area(a, sheet, depth)?, true)),
            Expr::Ref(_) => Ok((vec![self.eval(e, sheet, depth)?], true)),
            _ => Ok((vec![self.eval(e, sheet, depth)?], false)),
        }
    }

    /// The numbers of the arguments as SUM, MIN and MAX take them: from
    /// cells only numbers; typed values converted.
    fn numbers(&mut self, args: &[Expr], sheet: usize, depth: usize) -> Eval<Vec<Number>> {
        let mut out = Vec::new();
        for a in args {
            let (vals, from_cells) = self.arg_values(a, sheet, depth)?;
            for v in vals {
                match (v, from_cells) {
                    (Value::Number(n), _) => out.push(n),
                    (_, true) => {}
                    (v, false) => out.push(number(&v)?),
                }
            }
        }
        Ok(out)
    }

    fn call(&mut self, name: &str, args: &[Expr], sheet: usize, depth: usize) -> Eval<Value> {
        let argc = |lo: usize, hi: usize| if (lo..=hi).contains(&args.len()) { Ok(()) } else { Err(Failure::Syntax) };
        match name {
            "SUM" => {
                let mut total = Number::ZERO;
                for n in self.numbers(args, sheet, depth)? {
                    total = total.checked_add(n).ok_or(Failure::Error("#NUM!"))?;
                }
                Ok(Value::Number(total))
            }
            "MIN" | "MAX" => {
                let ns = self.numbers(args, sheet, depth)?;
                let v = if name == "MIN" { ns.into_iter().min() } else { ns.into_iter().max() };
                Ok(Value::Number(v.unwrap_or(Number::ZERO)))
            }
            "COUNT" => {
                let mut n = 0i64;
                for a in args {
                    let (vals, from_cells) = match self.arg_values(a, sheet, depth) {
                        Ok(v) => v,
                        // COUNT skips errors among its arguments.
                        Err(Failure::Error(_)) | Err(Failure::Via(..)) if !matches!(a, Expr::Area(_)) => continue,
                        Err(e) => return Err(e),
                    };
                    n += vals
                        .iter()
                        .filter(|v| match v {
                            Value::Number(_) => true,
                            Value::Text(t) => !from_cells && text_number(t).is_some(),
                            Value::Bool(_) => !from_cells,
                            Value::Blank => false,
                        })
                        .count() as i64;
                }
                Ok(Value::Number(Number::from_i64(n)))
            }
            "IF" => {
                argc(1, 3)?;
                let cond = args.first().ok_or(Failure::Syntax)?;
                let c = truth(&self.eval(cond, sheet, depth)?)?;
                match (c, args.get(1), args.get(2)) {
                    (true, Some(a), _) | (false, _, Some(a)) => match self.eval(a, sheet, depth)? {
                        Value::Blank => Ok(Value::Number(Number::ZERO)),
                        v => Ok(v),
                    },
                    (true, None, _) => Ok(Value::Bool(true)),
                    (false, _, None) => Ok(Value::Bool(false)),
                }
            }
            "AND" | "OR" => {
                argc(1, 255)?;
                let mut seen = Vec::new();
                for a in args {
                    let (vals, from_cells) = self.arg_values(a, sheet, depth)?;
                    for v in vals {
                        match (&v, from_cells) {
                            (Value::Text(_) | Value::Blank, true) => {}
                            _ => seen.push(truth(&v)?),
                        }
                    }
                }
                if seen.is_empty() {
                    return Err(Failure::Error("#VALUE!"));
                }
                Ok(Value::Bool(if name == "AND" { seen.iter().all(|b| *b) } else { seen.iter().any(|b| *b) }))
            }
            "NOT" => {
                argc(1, 1)?;
                let a = args.first().ok_or(Failure::Syntax)?;
                Ok(Value::Bool(!truth(&self.eval(a, sheet, depth)?)?))
            }
            "ABS" => {
                argc(1, 1)?;
                let a = args.first().ok_or(Failure::Syntax)?;
                Ok(Value::Number(Number(number(&self.eval(a, sheet, depth)?)?.0.abs())))
            }
            "ROUND" => {
                argc(2, 2)?;
                let (Some(a), Some(d)) = (args.first(), args.get(1)) else { return Err(Failure::Syntax) };
                let x = number(&self.eval(a, sheet, depth)?)?;
                let d = number(&self.eval(d, sheet, depth)?)?.0.trunc();
                let d: i32 = d.try_into().map_err(|_| Failure::Error("#NUM!"))?;
                Ok(Value::Number(Number(round(x.0, d)?)))
            }
            other => Err(Failure::Function(other.to_string())),
        }
    }
}

/// Round half away from zero to `d` decimals (negative: tens, hundreds, …).
fn round(x: Decimal, d: i32) -> Eval<Decimal> {
    if d >= 0 {
        return Ok(x.round_dp_with_strategy(d.min(28) as u32, RoundingStrategy::MidpointAwayFromZero));
    }
    let p = Decimal::from_i128_with_scale(10i128.pow(d.unsigned_abs().min(27)), 0);
    let q = (x / p).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    q.checked_mul(p).ok_or(Failure::Error("#NUM!"))
}

/// Text a spreadsheet converts to a number in arithmetic (`" 12 "`, `1e3`).
fn text_number(t: &str) -> Option<Number> {
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    Number::from_str(t.strip_prefix('+').unwrap_or(t)).ok()
}

/// A value as a number in arithmetic: blank 0, TRUE 1, numeric text.
fn number(v: &Value) -> Eval<Number> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::Blank => Ok(Number::ZERO),
        Value::Bool(b) => Ok(Number::from_i64(i64::from(*b))),
        Value::Text(t) => text_number(t).ok_or(Failure::Error("#VALUE!")),
    }
}

/// A value as a condition.
fn truth(v: &Value) -> Eval<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) => Ok(!n.0.is_zero()),
        Value::Blank => Ok(false),
        Value::Text(t) => match t.trim().to_uppercase().as_str() {
            "TRUE" => Ok(true),
            "FALSE" => Ok(false),
            _ => Err(Failure::Error("#VALUE!")),
        },
    }
}

fn binary(op: Op, x: &Value, y: &Value) -> Eval<Value> {
    let arith = |f: fn(Decimal, Decimal) -> Option<Decimal>| -> Eval<Value> {
        let (a, b) = (number(x)?, number(y)?);
        f(a.0, b.0).map(|d| Value::Number(Number(d))).ok_or(Failure::Error("#NUM!"))
    };
    match op {
        Op::Add => arith(|a, b| a.checked_add(b)),
        Op::Sub => arith(|a, b| a.checked_sub(b)),
        Op::Mul => arith(|a, b| a.checked_mul(b)),
        Op::Div => {
            if number(y)?.0.is_zero() {
                return Err(Failure::Error("#DIV/0!"));
            }
            arith(|a, b| a.checked_div(b))
        }
        Op::Concat => Ok(Value::Text(x.shown() + &y.shown())),
        _ => {
            let ord = compare(x, y);
            Ok(Value::Bool(match op {
                Op::Eq => ord.is_eq(),
                Op::Ne => !ord.is_eq(),
                Op::Lt => ord.is_lt(),
                Op::Le => ord.is_le(),
                Op::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            }))
        }
    }
}

/// Spreadsheet order: numbers < text < booleans; a blank is the other
/// side's empty value (0, "", FALSE); text compares without case.
fn compare(x: &Value, y: &Value) -> std::cmp::Ordering {
    let rank = |v: &Value| match v {
        Value::Number(_) | Value::Blank => 0,
        Value::Text(_) => 1,
        Value::Bool(_) => 2,
    };
    match (x, y) {
        (Value::Blank, Value::Text(t)) => "".cmp(t.to_lowercase().as_str()),
        (Value::Text(t), Value::Blank) => t.to_lowercase().as_str().cmp(""),
        (Value::Blank, Value::Bool(b)) => false.cmp(b),
        (Value::Bool(b), Value::Blank) => b.cmp(&false),
        (Value::Text(a), Value::Text(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
        (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
        _ if rank(x) == 0 && rank(y) == 0 => number(x).unwrap_or(Number::ZERO).cmp(&number(y).unwrap_or(Number::ZERO)),
        _ => rank(x).cmp(&rank(y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(s: &str) -> Value {
        Value::Number(Number::from_str(s).unwrap())
    }

    /// A book of two sheets, `表三` and `表 三`, with `cells` on the first
    /// (`A1` → value or `=formula`).
    fn book(cells: &[(&str, &str)]) -> Book {
        let mut b = Book::new(5_000, 256, 1_000_000);
        b.add_sheet("表三");
        b.add_sheet("表 三");
        b.set_value(1, 3, 2, n("5"));
        for (at, v) in cells {
            let (r, c) = at_of(at);
            if v.starts_with('=') {
                b.set_formula(0, r, c, v);
            } else if let Ok(x) = Number::from_str(v) {
                b.set_value(0, r, c, Value::Number(x));
            } else {
                b.set_value(0, r, c, Value::Text(v.to_string()));
            }
        }
        b
    }

    fn at_of(a: &str) -> (u32, u32) {
        let chars: Vec<char> = a.chars().collect();
        let (r, c, _) = cell_at(&chars).unwrap();
        (r, c)
    }

    fn eval(b: &mut Book, a: &str) -> Eval<Value> {
        let (r, c) = at_of(a);
        b.evaluate(0, r, c)
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(27, 25), "Z28");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(4, 701), "ZZ5");
        assert_eq!(a1(4, 702), "AAA5");
        assert_eq!(qualified("表 三", 3, 2), "'表 三'!C4");
        assert_eq!(qualified("表三", 3, 2), "表三!C4");
    }

    #[test]
    fn xxgk_and_office_formulas() {
        let terms: Vec<String> = (7..=27).map(|r| format!("D{r}")).collect();
        let total = format!("={}", terms.join("+"));
        let mut cells: Vec<(String, String)> = (7..=27).map(|r| (format!("D{r}"), (r - 6).to_string())).collect();
        cells.extend(
            [
                ("C4", "1340.5117"),
                ("D4", "0.1"),
                ("D5", "6165711"),
                ("D6", "29102"),
                ("D29", "6194582"),
                ("D28", total.as_str()),
                ("E4", "=C4+D4"),
                ("E5", "=D5+D6"),
                ("E6", "=SUM(D7:D27)"),
                ("E7", "=-D4+(D5-D6)"),
                ("E8", "=SUM(D4,D5:D6,3)"),
                ("E9", "=IF(COUNT(D5,D6,D7:D27,D29)<24,\"待填写\",IF((D5+D6)=(D28+D29),\"✓ 相符\",\"✗ 相差 \"&((D5+D6)-(D28+D29))))"),
                ("E10", "='表 三'!$C$4+表三!C4"),
                ("E14", "=D30+1"),
                ("E15", "=SUM(D:D)"),
                ("E16", "=IF((D5)<=(D6+D7),\"✓ 相符\",\"✗ 不符\")"),
                ("E17", "=(D5-D6)-(D28+D29)"),
                ("E18", "=IF((D5+D6)=(D28),\"✓ 相符\",\"✗ 相差 \"&((D5+D6)-(D28)))"),
                ("E19", "=ROUND(C4,2)+ABS(-1)+MAX(D7:D9)-MIN(D7:D9)+50%"),
                ("E20", "=\"a\"\"b\"&TRUE&D30"),
                ("E21", "=IF(COUNT(D30,D5)<2,\"待填写\",\"x\")"),
                ("E22", "= 1 + 2 * 3 - 4 / 8"),
                ("E23", "=_xlfn.SUM(D5, \" 3 \")"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string())),
        );
        let refs: Vec<(&str, &str)> = cells.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut b = book(&refs);
        let want = [
            ("D28", n("231")),
            ("E4", n("1340.6117")),
            ("E5", n("6194813")),
            ("E6", n("231")),
            ("E7", n("6136608.9")),
            ("E8", n("6194816.1")),
            ("E9", Value::Text("✓ 相符".into())),
            ("E10", n("1345.5117")),
            ("E14", n("1")),
            ("E15", n("12389857.1")),
            ("E16", Value::Text("✗ 不符".into())),
            ("E17", n("-58204")),
            ("E18", Value::Text("✗ 相差 6194582".into())),
            ("E19", n("1344.01")),
            ("E20", Value::Text("a\"bTRUE".into())),
            ("E21", Value::Text("待填写".into())),
            ("E22", n("6.5")),
            ("E23", n("6165714")),
        ];
        for (a, v) in want {
            assert_eq!(eval(&mut b, a), Ok(v), "{a}");
        }
    }

    #[test]
    fn what_cannot_be_evaluated_says_why() {
        let mut b = book(&[
            ("A1", "=B1"),
            ("B1", "=A1+1"),
            ("C1", "=VLOOKUP(1,A1:B2,2)"),
            ("D1", "=收入合计"),
            ("E1", "=1/0"),
            ("F1", "=其他表!A1"),
            ("G1", "=E1+1"),
            ("H1", "=\"x\"+1"),
            ("I1", "=(1+2"),
            ("J1", "=J1"),
            ("K1", "=J1"),
            ("L1", "=A1:B2"),
            ("M1", "=SUM(1,"),
        ]);
        b.set_error(0, 0, 9, "#N/A");
        let e = |b: &mut Book, a: &str| eval(b, a).unwrap_err();
        assert_eq!(e(&mut b, "C1"), Failure::Function("VLOOKUP".into()));
        assert_eq!(e(&mut b, "D1"), Failure::Name("收入合计".into()));
        assert_eq!(e(&mut b, "E1"), Failure::Error("#DIV/0!"));
        assert_eq!(e(&mut b, "F1"), Failure::Sheet("其他表".into()));
        assert_eq!(e(&mut b, "H1"), Failure::Error("#VALUE!"));
        assert_eq!(e(&mut b, "I1"), Failure::Syntax);
        assert_eq!(e(&mut b, "L1"), Failure::Error("#VALUE!"));
        assert_eq!(e(&mut b, "M1"), Failure::Syntax);
        let g = e(&mut b, "G1");
        assert_eq!(g.to_string(), "引用的 表三!E1 计算结果为错误值 #DIV/0!");
        assert_eq!(e(&mut b, "K1").to_string(), "引用的 表三!J1 计算结果为错误值 #N/A");
        let a = e(&mut b, "A1");
        assert_eq!(a.to_string(), "引用的 表三!B1 → 表三!A1 循环引用");
        // B1 was settled while A1 was evaluated: its own failure names A1.
        assert!(matches!(e(&mut b, "B1"), Failure::Via(..)));
    }

    #[test]
    fn beyond_the_cells_read_is_blank_unless_the_sheet_has_more() {
        let mut b = Book::new(10, 5, 1_000);
        let s = b.add_sheet("S");
        b.set_value(s, 0, 0, n("2"));
        b.set_formula(s, 1, 1, "=A1+A20+SUM(A:A)+SUM(A1:A100)");
        assert_eq!(b.evaluate(s, 1, 1), Ok(n("6")));
        let mut b = Book::new(10, 5, 1_000);
        let s = b.add_sheet("S");
        b.set_incomplete(s);
        b.set_formula(s, 1, 0, "=A20");
        b.set_formula(s, 2, 0, "=SUM(B5:B12)");
        assert_eq!(b.evaluate(s, 1, 0), Err(Failure::Outside("S!A20".into())));
        assert_eq!(b.evaluate(s, 2, 0), Err(Failure::Outside("S!B11".into())));
    }

    #[test]
    fn evaluation_is_bounded() {
        // A chain longer than MAX_DEPTH.
        let mut b = Book::new(5_000, 10, 1_000_000);
        let s = b.add_sheet("S");
        b.set_value(s, 0, 0, n("1"));
        for r in 1..300 {
            b.set_formula(s, r, 0, &format!("=A{r}+1"));
        }
        assert_eq!(b.evaluate(s, 299, 0), Err(Failure::Depth));
        // A long chain of terms is no nesting.
        let terms: Vec<String> = (1..=1000).map(|_| "A1".to_string()).collect();
        b.set_formula(s, 0, 3, &format!("={}", terms.join("+")));
        assert_eq!(b.evaluate(s, 0, 3), Ok(n("1000")));
        // Deep parentheses.
        let deep = format!("={}1{}", "(".repeat(100), ")".repeat(100));
        b.set_formula(s, 0, 1, &deep);
        assert_eq!(b.evaluate(s, 0, 1), Err(Failure::Depth));
        // Many formulas each summing a whole column: the budget runs out.
        let mut b = Book::new(5_000, 10, 100_000);
        let s = b.add_sheet("S");
        for r in 0..100 {
            b.set_formula(s, r, 1, "=SUM(A:A)");
        }
        let results: Vec<_> = (0..100).map(|r| b.evaluate(s, r, 1)).collect();
        assert!(results.contains(&Err(Failure::Budget)));
        assert!(results.first().is_some_and(|r| r.is_ok()));
        // A formula too long.
        let mut b = Book::new(5_000, 10, 100_000);
        let s = b.add_sheet("S");
        let long = format!("={}", vec!["1"; MAX_FORMULA_CHARS].join("+"));
        b.set_formula(s, 0, 2, &long);
        assert_eq!(b.evaluate(s, 0, 2), Err(Failure::Syntax));
    }

    /// An expression over cells A1..A8 (numbers) and a reference table.
    #[derive(Debug, Clone)]
    enum Gen {
        Lit(i64, u32),
        Cell(u32),
        Sum(u32, u32),
        Neg(Box<Gen>),
        Add(Box<Gen>, Box<Gen>),
        Sub(Box<Gen>, Box<Gen>),
        Paren(Box<Gen>),
    }

    fn gen() -> impl Strategy<Value = Gen> {
        let leaf = prop_oneof![
            (0i64..100_000, 0u32..5).prop_map(|(m, s)| Gen::Lit(m, s)),
            (0u32..8).prop_map(Gen::Cell),
            (0u32..8, 0u32..8).prop_map(|(a, b)| Gen::Sum(a.min(b), a.max(b))),
        ];
        leaf.prop_recursive(5, 32, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|g| Gen::Neg(Box::new(g))),
                inner.clone().prop_map(|g| Gen::Paren(Box::new(g))),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| Gen::Add(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Gen::Sub(Box::new(a), Box::new(b))),
            ]
        })
    }

    /// The formula text (`sheet` qualifies references) and the value, computed directly.
    fn render(g: &Gen, cells: &[Decimal], sheet: &str) -> (String, Decimal) {
        match g {
            Gen::Lit(m, s) => {
                let d = Decimal::new(*m, *s);
                (d.to_string(), d)
            }
            Gen::Cell(i) => (format!("{sheet}$A${}", i + 1), cells[*i as usize]),
            Gen::Sum(a, b) => {
                let v = cells[*a as usize..=*b as usize].iter().sum();
                (format!("SUM({sheet}A{}:A{})", a + 1, b + 1), v)
            }
            // Unary minus binds tighter than + and -.
            Gen::Neg(x) => {
                let (t, v) = render(x, cells, sheet);
                match **x {
                    Gen::Add(..) | Gen::Sub(..) => (format!("-({t})"), -v),
                    _ => (format!("-{t}"), -v),
                }
            }
            Gen::Paren(x) => {
                let (t, v) = render(x, cells, sheet);
                (format!("({t})"), v)
            }
            // The right side in parentheses: + and - associate to the left.
            Gen::Add(x, y) => {
                let ((a, u), (b, w)) = (render(x, cells, sheet), render(y, cells, sheet));
                (format!("{a}+({b})"), u + w)
            }
            Gen::Sub(x, y) => {
                let ((a, u), (b, w)) = (render(x, cells, sheet), render(y, cells, sheet));
                (format!("{a}-({b})"), u - w)
            }
        }
    }

    proptest! {
        /// Random formulas of +, −, unary minus, parentheses, references
        /// (plain, absolute, to another sheet) and SUM over ranges give the
        /// exact decimal result; a formula citing that formula adds up too.
        #[test]
        fn formulas_give_exact_results(
            g in gen(),
            vals in proptest::collection::vec((-1_000_000i64..1_000_000, 0u32..4), 8),
            quoted in any::<bool>(),
        ) {
            let cells: Vec<Decimal> = vals.iter().map(|(m, s)| Decimal::new(*m, *s)).collect();
            let mut b = Book::new(100, 10, 1_000_000);
            let data = b.add_sheet(if quoted { "表 三" } else { "表三" });
            let calc = b.add_sheet("计算");
            for (i, d) in cells.iter().enumerate() {
                b.set_value(data, i as u32, 0, Value::Number(Number(*d)));
            }
            let sheet = if quoted { "'表 三'!" } else { "表三!" };
            let (text, want) = render(&g, &cells, sheet);
            b.set_formula(calc, 0, 0, &format!("={text}"));
            b.set_formula(calc, 1, 0, "=A1+A1-SUM(A1)");
            let got = b.evaluate(calc, 1, 0);
            prop_assert_eq!(got, Ok(Value::Number(Number(want))), "{}", text);
        }

        /// Any text: an answer or a failure, never a panic.
        #[test]
        fn any_text_is_safe(text in "=?[A-Z0-9$:!'\"(),.+*/&<>=% 表三-]{0,40}") {
            let mut b = Book::new(100, 10, 10_000);
            let s = b.add_sheet("表三");
            b.set_value(s, 0, 0, n("1"));
            b.set_formula(s, 5, 5, &text);
            let _ = b.evaluate(s, 5, 5);
        }
    }
}
