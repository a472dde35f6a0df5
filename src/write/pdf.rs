//! Writer for the publication as PDF: the publication Word document
//! ([`super::docx`], with the one flag LibreOffice reads inverted written
//! its way: [`super::docx::Reader`]) printed by LibreOffice headless, run the one way xxgk
//! runs it ([`crate::soffice`]: private folder and profile with macros off,
//! its own process group, a time limit). Without LibreOffice the user is
//! told how to install it, or to print the `.docx` from Word or WPS.

use crate::edition::Edition;
use crate::error::{Error, Result};
use crate::model::Report;
use crate::soffice::{self, soffice, Failure, Soffice, ENV, INSTALL};
use std::time::Duration;

/// Render a report as PDF, allowing LibreOffice `limit` to print it.
///
/// # Errors
/// [`Error::Usage`] without LibreOffice, or if printing failed or took
/// longer than `limit`.
pub fn render(report: &Report, ed: &Edition, limit: Duration) -> Result<Vec<u8>> {
    let fail = |why: String| {
        Error::Usage(format!(
            "无法生成 PDF：{why}。也可以先输出 Word 文件（-o 年报.docx），用 Word 或 WPS 打开后“另存为” PDF"
        ))
    };
    let program = match soffice() {
        Soffice::Found(p) => p,
        Soffice::Missing => {
            return Err(fail(format!("生成 PDF 需要 LibreOffice，本机未找到。请安装 LibreOffice（{INSTALL}）后重试")))
        }
        Soffice::Off(v) => return Err(fail(format!("LibreOffice 已由环境变量 {ENV}={v} 关闭"))),
        Soffice::Wrong(p) => {
            return Err(fail(format!("{ENV} 指定的 LibreOffice 程序 {} 不存在，请检查该环境变量", p.display())))
        }
    };
    let docx = super::docx::render_for(report, ed, super::docx::Purpose::Publish, super::docx::Reader::LibreOffice)?;
    let printed = soffice::convert(&program, "input.docx", &docx, "pdf:writer_pdf_Export", limit, |p| std::fs::read(p));
    match printed {
        Ok(Ok(pdf)) => Ok(pdf),
        Ok(Err(e)) => Err(fail(format!("无法读取 LibreOffice 生成的 PDF（{e}）"))),
        Err(Failure::Prepare(what, e)) => Err(fail(format!("无法准备 LibreOffice：{what}（{e}）"))),
        Err(Failure::Start(e)) => Err(fail(format!("无法启动 LibreOffice（{}）：{e}", program.display()))),
        Err(Failure::TimedOut(secs)) => {
            Err(fail(format!("LibreOffice 超过 {secs:.1} 秒仍未完成，已停止；可用 --timeout 放宽")))
        }
        Err(Failure::NoOutput(status, said)) => Err(fail(format!("LibreOffice 未能生成 PDF（{status}{said}）"))),
    }
}
