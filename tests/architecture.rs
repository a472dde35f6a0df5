//! The house without circles (issue 24): no file of `src/` reaches, through
//! the `crate::…` and `super::…` paths its code names, a file that reaches
//! it back. Doc comments and tests are not code and are not counted.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`read::docx`) → source text, for every file under src/.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let rel = p.strip_prefix(src).unwrap().with_extension("");
            let parts: Vec<String> = rel.iter().map(|c| c.to_string_lossy().to_string()).collect();
            let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|c| *c != "mod").collect();
            let name = parts.join("::");
            if name == "lib" || name == "main" || name.starts_with("cmd") {
                continue;
            }
            out.insert(name, std::fs::read_to_string(&p).unwrap());
        }
    }
    out
}

/// The code of a file: comments and the test module left out.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text);
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The longest module path naming a file, for `crate::a::b::c`.
fn file_of(path: &[&str], files: &BTreeMap<String, String>) -> Option<String> {
    (1..=path.len()).rev().map(|n| path[..n].join("::")).find(|m| files.contains_key(m))
}

/// The paths after `crate::` (and `super::`, made absolute) in a code text,
/// braces expanded one level.
fn paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let parent: Vec<&str> = module.split("::").collect();
    let parent = &parent[..parent.len().saturating_sub(1)];
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent.iter().map(|s| s.to_string()).collect())] {
        for (i, _) in code.match_indices(prefix) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i + prefix.len()..];
            let head: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':').collect();
            let mut p = base.clone();
            p.extend(head.trim_end_matches(':').split("::").filter(|s| !s.is_empty()).map(str::to_string));
            let after = &rest[head.len()..];
            if head.ends_with("::") && after.starts_with('{') {
                let inner: String = after[1..].chars().take_while(|c| *c != '}').collect();
                for item in inner.split(',') {
                    let item = item.split_whitespace().next().unwrap_or("");
                    let mut q = p.clone();
                    q.extend(item.split("::").filter(|s| !s.is_empty() && *s != "self").map(str::to_string));
                    out.push(q);
                }
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn src_has_no_import_circles() {
    let files = modules(&common::root().join("src"));
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &files {
        let set = edges.entry(m.clone()).or_default();
        for p in paths(m, &code(text)) {
            let p: Vec<&str> = p.iter().map(String::as_str).collect();
            if let Some(t) = file_of(&p, &files).filter(|t| t != m) {
                set.insert(t);
            }
        }
    }
    // A file in a circle reaches itself.
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = edges[from].iter().cloned().collect();
        while let Some(m) = stack.pop() {
            if seen.insert(m.clone()) {
                stack.extend(edges[&m].iter().cloned());
            }
        }
        seen
    };
    let circles: Vec<String> = files
        .keys()
        .filter(|m| reach(m).contains(*m))
        .map(|m| {
            format!(
                "{m} → {}",
                edges[m].iter().filter(|t| reach(t).contains(m)).cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    assert!(
        circles.is_empty(),
        "files in import circles (file → the files that lead back to it):\n{}",
        circles.join("\n")
    );
    // The test sees imports at all: the pipeline reads through the readers.
    assert!(edges["pipeline"].contains("read") && edges["batch"].contains("pipeline"), "{edges:?}");
}
