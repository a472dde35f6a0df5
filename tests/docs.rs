//! The documentation: a README a newcomer reads in minutes, every relative
//! link pointing at a file (and heading) that exists, and nothing pointing
//! outside the repository.

use std::fs;
use std::path::{Path, PathBuf};

/// The README's size limit, in bytes: the detail belongs in docs/.
const README_LIMIT: usize = 30_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// README.md, CHANGELOG.md and every docs/*.md.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md"), root().join("CHANGELOG.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("a docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// Text outside fenced code blocks.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The targets of `[text](target)` and `![alt](target)` links.
fn links(text: &str) -> Vec<String> {
    let prose = prose(text);
    let mut out = Vec::new();
    let mut rest = prose.as_str();
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            out.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// GitHub's anchor of a heading: lower case, punctuation dropped (letters,
/// digits, `-`, `_` and spaces kept), spaces made `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> Vec<String> {
    prose(text).lines().filter_map(|l| l.strip_prefix('#')).map(|h| anchor(h.trim_start_matches('#'))).collect()
}

#[test]
fn the_readme_is_short() {
    let size = read(&root().join("README.md")).len();
    assert!(size <= README_LIMIT, "README.md is {size} bytes, over {README_LIMIT}: move the detail into docs/");
}

#[test]
fn the_readme_keeps_the_two_command_set_up() {
    let readme = read(&root().join("README.md"));
    for command in ["cargo run --release -- check samples/2021-tongxin-county.json", "cargo test"] {
        assert!(readme.contains(command), "README.md no longer shows `{command}`");
    }
}

#[test]
fn the_docs_name_nothing_outside_the_repository() {
    for page in pages() {
        let text = read(&page);
        for (n, line) in text.lines().enumerate() {
            for bad in ["shared/", "crates-notes", "../"] {
                assert!(
                    !line.contains(bad),
                    "{}:{}: names `{bad}`, which is outside the repository: say what the fact is, or cite the public source",
                    page.display(),
                    n + 1
                );
            }
        }
    }
}

#[test]
fn relative_links_point_at_files_and_headings_that_exist() {
    let mut checked = 0;
    for page in pages() {
        let dir = page.parent().expect("a page is in a folder");
        for link in links(&read(&page)) {
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = match link.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (link.as_str(), None),
            };
            let target = if file.is_empty() { page.clone() } else { dir.join(file) };
            assert!(
                target.exists(),
                "{}: the link `{link}` points at {}, which does not exist",
                page.display(),
                target.display()
            );
            if let Some(fragment) = fragment {
                let known = anchors(&read(&target));
                assert!(
                    known.iter().any(|a| a == fragment),
                    "{}: the link `{link}` names a heading {} does not have (it has: {known:?})",
                    page.display(),
                    target.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} links found: is the link parser broken?");
}

#[test]
fn every_docs_page_is_linked_from_the_readme() {
    let readme = read(&root().join("README.md"));
    for page in pages().iter().skip(1) {
        let name = page.strip_prefix(root()).expect("a page of the repository").to_string_lossy().replace('\\', "/");
        assert!(readme.contains(&format!("]({name})")), "README.md does not link {name}");
    }
}

/// docs/rules.md as the code renders it from the built-in editions.
fn rules_catalogue() -> String {
    let editions = xxgk::edition::Editions::builtin().expect("the built-in editions compile");
    xxgk::check::catalogue::catalogue_with(&editions, xxgk::pipeline::CODES)
}

#[test]
fn the_rule_catalogue_is_current() {
    let path = root().join("docs/rules.md");
    let expected = rules_catalogue();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        fs::write(&path, &expected).expect("docs/rules.md is writable");
        return;
    }
    let actual = read(&path);
    assert!(
        actual == expected,
        "docs/rules.md is not what the code renders from the editions: run UPDATE_DOCS=1 cargo test --test docs \
         (and review the diff)"
    );
}

#[test]
fn xxgk_editions_rules_prints_the_catalogue() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xxgk"))
        .args(["editions", "--rules"])
        .output()
        .expect("xxgk runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), rules_catalogue());
}
