//! `xxgk editions [--cells | --rules]`: the editions known to this run.

use std::fmt::Write;
use std::process::ExitCode;
use xxgk::edition::Editions;
use xxgk::Result;

#[derive(clap::Args)]
pub struct Args {
    /// 同时列出每个单元格的 id 和官方标签。
    #[arg(long)]
    pub cells: bool,
    /// 以 Markdown 列出这些格式版本的全部检查规则（与 docs/rules.md 相同）。
    #[arg(long, conflicts_with = "cells")]
    pub rules: bool,
}

pub fn run(a: Args, editions: &Editions) -> Result<ExitCode> {
    if a.rules {
        super::stdout(xxgk::check::catalogue::catalogue_with(editions, xxgk::pipeline::CODES).as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut s = String::new();
    for ed in editions.all() {
        let _ = writeln!(
            s,
            "{}\t{}\t适用于{}的报告\t{} 个单元格，{} 条规则，{} 种正文数字，{} 条质量规则\t{}",
            ed.id,
            ed.name,
            ed.years_text(),
            ed.cells.len(),
            ed.rule_codes().len(),
            ed.narrative.len(),
            ed.quality.len(),
            ed.source
        );
        if a.cells {
            for c in &ed.cells {
                let _ = writeln!(s, "  {}\t{}\t{}\t{}", c.id, c.table_name, c.row_path, c.col_path);
            }
        }
    }
    super::stdout(s.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
