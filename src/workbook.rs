//! Conventions of xxgk's own workbooks, shared by the xlsx writer and reader:
//! the report-information sheet and the live check cells (the stamp in the
//! custom document properties is [`crate::stamp`]). The table layouts themselves come from the
//! edition files, not from here.

pub use crate::stamp::{PROP_EDITION, PROP_ORGAN, PROP_TEMPLATE_VERSION, PROP_YEAR, TEMPLATE_VERSION};

/// Name of the report-information sheet.
pub const INFO_SHEET: &str = "报告信息";
pub const INFO_TITLE: &str = "政府信息公开工作年度报告 报告信息";
pub const INFO_HELP_LABEL: &str = "填报说明";
pub const INFO_HELP: &str =
    "浅黄色单元格供填写，灰色单元格为标题、说明或自动计算，已保护（无密码，如需修改可在“审阅”中撤销保护）。\
表格请在“表二”“表三”“表四”工作表中填写：没有的填 0，不要留空；合计、总计自动计算；“检查”一栏实时显示勾稽关系是否相符。";
pub const LABEL_ORGAN: &str = "机关名称";
pub const LABEL_YEAR: &str = "报告年度";
pub const LABEL_EDITION: &str = "格式版本";
pub const LABEL_TITLE: &str = "标题";
pub const LABEL_CONTACT: &str = "联系人及联系方式";
pub const LABEL_PUBLISHED: &str = "发布日期";
pub const LABEL_PREAMBLE: &str = "前言";
/// Suffix of the label of a continuation row of a long text.
pub const CONTINUED: &str = "（续）";
/// Longest text written into one cell (Excel's limit is 32,767).
pub const MAX_CELL_TEXT: usize = 30_000;

/// The sheet of an annotated workbook that lists the findings
/// ([`crate::write::xlsx::render_annotated`]); not read back as a table.
pub const FINDINGS_SHEET: &str = "问题清单";

/// Label of a live check row, followed by the rule title.
pub const CHECK_ROW_PREFIX: &str = "勾稽检查：";
/// Header of a live check column.
pub const CHECK_HEADER: &str = "检查";
/// What a check cell shows when the relation holds / fails / is not yet
/// filled in (some cell of the relation is blank).
pub const CHECK_OK: &str = "✓ 相符";
pub const CHECK_PENDING: &str = "待填写";
pub const CHECK_BAD_PREFIX: &str = "✗";
