//! `xxgk check INPUT... [--previous LAST] [--format text|json]`.

use serde::Serialize;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use xxgk::check::{check, tally, Finding, Previous};
use xxgk::{Error, Result};

#[derive(clap::Args)]
pub struct Args {
    /// 要检查的报告文件，可以有多个。
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// 上一年度的报告，用于跨年度对比（只能配合一个输入文件）。
    #[arg(long, value_name = "LAST")]
    pub previous: Option<PathBuf>,
    /// 输出格式：text（给人看）或 json（给程序用）。
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    #[command(flatten)]
    pub edition: super::EditionOpt,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    organ: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    year: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    edition: Option<String>,
    errors: usize,
    warnings: usize,
    /// Set when the file could not be used at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    unusable: Option<String>,
    findings: Vec<Finding>,
}

pub fn run(a: Args, ctx: &super::Ctx) -> Result<ExitCode> {
    if a.previous.is_some() && a.inputs.len() > 1 {
        return Err(Error::Usage("--previous 只能配合一个输入文件使用".into()));
    }
    let prev_reader = ctx.reader(None)?;
    let previous = match &a.previous {
        Some(p) => Some(prev_reader.read_with_edition(p)?),
        None => None,
    };
    let reader = ctx.reader(a.edition.edition.as_deref())?;
    let mut results = Vec::new();
    for input in &a.inputs {
        let file = input.display().to_string();
        match reader.read_with_edition(input) {
            Ok((report, ed)) => {
                let prev = previous.as_ref().map(|(r, e)| Previous { report: r, edition: e });
                let findings = check(&report, ed, prev);
                let (errors, warnings) = tally(&findings);
                results.push(FileResult {
                    file,
                    organ: Some(report.organ.clone()),
                    year: report.year,
                    edition: Some(ed.name.clone()),
                    errors,
                    warnings,
                    unusable: None,
                    findings,
                });
            }
            Err(e) => results.push(FileResult {
                file,
                organ: None,
                year: None,
                edition: None,
                errors: 0,
                warnings: 0,
                unusable: Some(e.to_string()),
                findings: Vec::new(),
            }),
        }
    }
    match a.format {
        OutputFormat::Json => {
            let mut text = serde_json::to_string_pretty(&results).unwrap_or_default();
            text.push('\n');
            super::stdout(text.as_bytes())?;
        }
        OutputFormat::Text => super::stdout(text_report(&results).as_bytes())?,
    }
    for r in results.iter().filter_map(|r| r.unusable.as_ref()) {
        eprintln!("xxgk：{r}");
    }
    Ok(if results.iter().any(|r| r.unusable.is_some()) {
        ExitCode::from(2)
    } else if results.iter().any(|r| r.errors > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn text_report(results: &[FileResult]) -> String {
    let mut s = String::new();
    for r in results {
        if r.unusable.is_some() {
            let _ = writeln!(s, "== {}：无法读取（见下方说明）\n", r.file);
            continue;
        }
        let year = r.year.map(|y| format!("{y}年")).unwrap_or_else(|| "年度不明".into());
        let _ = writeln!(
            s,
            "== {}（{} {}，{}）",
            r.file,
            r.organ.as_deref().filter(|o| !o.trim().is_empty()).unwrap_or("机关不明"),
            year,
            r.edition.as_deref().unwrap_or("")
        );
        for f in &r.findings {
            let _ = writeln!(s, "  {} {}  {}", f.severity.chinese(), f.code, f.message);
            if let Some(src) = &f.source {
                let _ = writeln!(s, "      位置：{}", src.describe());
            }
        }
        let verdict = if r.errors == 0 && r.warnings == 0 { "未发现问题" } else { "" };
        let _ = writeln!(s, "  共 {} 个错误，{} 个警告。{}\n", r.errors, r.warnings, verdict);
    }
    s
}
