//! Why a PDF could not be read.

use std::fmt;

/// Bytes as a short Chinese-friendly text: `100 MB`, `512 KB`, `1000 字节`.
pub fn show_size(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KB", n >> 10)
    } else {
        format!("{n} 字节")
    }
}

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PdfError {
    /// Needs a password, or decrypted to nothing readable.
    Encrypted,
    /// No `%PDF-` header in the first 1024 bytes.
    NotPdf,
    /// The xref or the document structure is unreadable; the detail says where.
    Broken(String),
    /// More pages than [`PdfLimits::max_pages`] (`pages` is what was claimed or counted so far).
    TooManyPages { pages: usize, max: usize },
    /// More objects than [`PdfLimits::max_objects`].
    TooManyObjects { objects: usize, max: usize },
    /// One stream inflates past `max` bytes.
    StreamTooLarge { max: u64 },
    /// All streams read together inflate past `max` bytes.
    TooMuchContent { max: u64 },
    /// A page runs more than `max` content-stream operators.
    TooManyOps { page: u32, max: usize },
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Encrypted => {
                f.write_str("PDF 文件已加密，无法读取。请向发布单位索取未加密的文件，或使用原始的 Word/Excel 文件")
            }
            PdfError::NotPdf => f.write_str("这不是 PDF 文件（文件头不是 %PDF）。请检查文件扩展名"),
            PdfError::Broken(why) => write!(
                f,
                "PDF 文件结构已损坏，无法读取（{why}）。请重新下载或重新导出 PDF，或使用原始的 Word/Excel 文件"
            ),
            PdfError::TooManyPages { pages, max } => write!(
                f,
                "PDF 的页数（{pages}）超过了 {max} 页的上限。年度报告通常只有几十页，请检查是否选错了文件"
            ),
            PdfError::TooManyObjects { objects, max } => write!(
                f,
                "PDF 含有 {objects} 个对象，超过了 {max} 个的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件"
            ),
            PdfError::StreamTooLarge { max } => write!(
                f,
                "PDF 中有一个数据流解压后超过了 {} 的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                show_size(*max)
            ),
            PdfError::TooMuchContent { max } => write!(
                f,
                "PDF 解压后的内容总量超过了 {} 的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                show_size(*max)
            ),
            PdfError::TooManyOps { page, max } => write!(
                f,
                "PDF 第 {} 页的绘图指令超过了 {max} 条的上限，可能是损坏或恶意构造的文件。请使用原始的 Word/Excel 文件",
                u64::from(*page) + 1
            ),
        }
    }
}

impl std::error::Error for PdfError {}
