//! Every name xxgk stamps into the files it writes, so that its readers know
//! them again: the custom document properties of workbooks and Word files
//! (the `<meta>` names of HTML), and the prefix of guidance paragraphs.
//! Readers and writers both take them from here.

use crate::edition::Edition;
use crate::model::Report;

/// Version of xxgk's workbook and document conventions; stamped in every file.
pub const TEMPLATE_VERSION: &str = "1";

pub const PROP_EDITION: &str = "xxgk_edition";
pub const PROP_TEMPLATE_VERSION: &str = "xxgk_template_version";
pub const PROP_ORGAN: &str = "xxgk_organ";
pub const PROP_YEAR: &str = "xxgk_year";
pub const PROP_CONTACT: &str = "xxgk_contact";
pub const PROP_PUBLISHED: &str = "xxgk_published";
pub const PROP_TITLE: &str = "xxgk_title";
pub const PROP_PREAMBLE: &str = "xxgk_preamble";
/// On a publication made although the report had errors: how many
/// (`xxgk convert --allow-errors`, or confirmed on the page).
pub const PROP_ERRORS: &str = "xxgk_published_with_errors";

/// What a guidance paragraph of a template starts with; readers drop such
/// paragraphs.
pub const GUIDANCE_PREFIX: &str = "【填写说明】";

/// The stamp of a Word or HTML publication: edition, conventions version,
/// organ, year, contact and publication date under their property names,
/// which the readers take back (Word custom properties, HTML `<meta>`);
/// and, when it was published with `errors`, how many.
pub fn stamp(report: &Report, ed: &Edition, errors: usize) -> Vec<(&'static str, String)> {
    let mut props = vec![
        (PROP_EDITION, ed.id.clone()),
        (PROP_TEMPLATE_VERSION, TEMPLATE_VERSION.to_string()),
        (PROP_ORGAN, report.organ.clone()),
        (PROP_YEAR, report.year.map(|y| y.to_string()).unwrap_or_default()),
        (PROP_CONTACT, report.contact.clone()),
        (PROP_PUBLISHED, report.published.clone()),
    ];
    // The title as written: the publication may set it over several lines.
    if !report.title.trim().is_empty() {
        props.push((PROP_TITLE, report.title.clone()));
    }
    if errors > 0 {
        props.push((PROP_ERRORS, errors.to_string()));
    }
    props
}
