//! Reader warnings have fixtures like the check rules: every code in
//! `xxgk::read::READ_CODES` has tests/rules/<CODE>/fail.json and pass.json,
//! and the codes the sources emit are exactly those listed.
//!
//! A fixture is a recipe over a file of the repository:
//! `{"base": "<seed .txt or sample .json>", "as": "txt|json|docx|xlsx",
//!   "patch": {…} (JSON merge patch over a JSON base), "replace": [[from, to], …]
//!   (every occurrence, in the text or in every XML part of the package; each
//!   must occur), "replace_once": […] (first occurrence), "encode": "gbk",
//!   "append_hex": "ff" (bytes appended)}`; `"as": "doc"` saves xxgk's Word
//!   file as .doc with LibreOffice (that fixture's test needs it); `"as": "pdf"`
//!   prints xxgk's Word file, replacements made, to PDF with LibreOffice,
//! or `{"batch": [recipe, …]}`: the files are run through `xxgk batch`,
//! or `{"check": recipe, "previous": recipe}`: `xxgk check --previous`.
//! The batch's and the pipeline's codes (`xxgk::pipeline::CODES`) have
//! their fixtures here too.

mod common;

use common::{merge_patch, read_json, root, run};
use std::path::{Path, PathBuf};
use xxgk::edition::Editions;
use xxgk::read::{read_path, ReadOptions, READ_CODES};
use xxgk::write::{render, Format};

/// Apply `replace`/`replace_once` to a text; every `from` must occur.
fn replaced(mut text: String, recipe: &serde_json::Value) -> (String, usize) {
    let mut hits = 0;
    for (key, once) in [("replace", false), ("replace_once", true)] {
        for pair in recipe[key].as_array().into_iter().flatten() {
            let (from, to) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
            let n = text.matches(from).count();
            hits += n.min(if once { 1 } else { n });
            text = if once { text.replacen(from, to, 1) } else { text.replace(from, to) };
        }
    }
    (text, hits)
}

fn wanted(recipe: &serde_json::Value) -> usize {
    ["replace", "replace_once"].iter().map(|k| recipe[*k].as_array().map_or(0, Vec::len)).sum()
}

/// Make the file a recipe describes in `dir`; returns its path.
fn make(recipe: &serde_json::Value, dir: &Path, name: &str) -> PathBuf {
    let base = root().join(recipe["base"].as_str().expect("base"));
    let ext = recipe["as"].as_str().expect("as");
    let path = dir.join(format!("{name}.{ext}"));
    let bytes: Vec<u8> = match ext {
        "txt" | "json" => {
            let mut text = std::fs::read_to_string(&base).unwrap();
            if let Some(p) = recipe.get("patch") {
                let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
                merge_patch(&mut v, p);
                text = serde_json::to_string_pretty(&v).unwrap();
            }
            let (text, hits) = replaced(text, recipe);
            assert!(hits >= wanted(recipe), "{name}: a replacement found nothing in {}", base.display());
            let mut b = match recipe["encode"].as_str() {
                Some("gbk") => encoding_rs::GB18030.encode(&text).0.into_owned(),
                _ => text.into_bytes(),
            };
            if let Some(h) = recipe["append_hex"].as_str() {
                b.extend((0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()));
            }
            b
        }
        "doc" => {
            // A legacy document: xxgk's Word file saved as .doc by LibreOffice.
            let docx = make(&serde_json::json!({"base": recipe["base"], "as": "docx"}), dir, &format!("{name}-src"));
            let doc = common::resave(&docx, "doc", dir);
            std::fs::rename(&doc, &path).unwrap();
            return path;
        }
        "pdf" => {
            // A published PDF: xxgk's Word file, replacements made, printed by LibreOffice.
            let mut word = recipe.clone();
            word["as"] = "docx".into();
            let docx = make(&word, dir, &format!("{name}-src"));
            let pdf = common::resave(&docx, "pdf", dir);
            std::fs::rename(&pdf, &path).unwrap();
            return path;
        }
        "docx" | "xlsx" => {
            let eds = Editions::builtin().unwrap();
            let (r, ed) = read_path(&base, ReadOptions::new(&eds)).unwrap();
            let format = if ext == "docx" { Format::Docx } else { Format::Xlsx };
            let package =
                render(format, &r, &ed, &xxgk::write::Options::to(true), &xxgk::limits::Limits::default()).unwrap();
            rewrite_package(&package, recipe, name)
        }
        other => panic!("{name}: unknown kind {other}"),
    };
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A zip package with the recipe's replacements in every XML part.
fn rewrite_package(package: &[u8], recipe: &serde_json::Value, name: &str) -> Vec<u8> {
    let mut hits = 0;
    let (bytes, _) = common::rewrite_xml_parts(package, |text| {
        let (new, n) = replaced(text.to_string(), recipe);
        hits += n;
        new
    });
    assert!(hits >= wanted(recipe), "{name}: a replacement found nothing in the package");
    bytes
}

/// The codes a fixture gives.
fn codes_of(fixture: &Path) -> Vec<String> {
    let recipe = read_json(fixture);
    let dir = tempfile::tempdir().unwrap();
    if let Some(files) = recipe["batch"].as_array() {
        let input = dir.path().join("in");
        std::fs::create_dir(&input).unwrap();
        for (i, r) in files.iter().enumerate() {
            make(r, &input, &format!("report{i}"));
        }
        let out = dir.path().join("out");
        let o = run(&["batch", input.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", common::stderr(&o));
        let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
        return findings.lines().skip(1).flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>()).collect();
    }
    if let Some(this) = recipe.get("check") {
        let this = make(this, dir.path(), "this");
        let last = make(&recipe["previous"], dir.path(), "last");
        let o = run(&["check", this.to_str().unwrap(), "--previous", last.to_str().unwrap(), "--format", "json"]);
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", common::stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        return v[0]["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    }
    let path = make(&recipe, dir.path(), "report");
    let eds = Editions::builtin().unwrap();
    let (r, _) = read_path(&path, ReadOptions::new(&eds)).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    r.warnings.into_iter().map(|w| w.code).collect()
}

#[test]
fn every_reader_warning_has_a_failing_and_a_passing_fixture() {
    for (code, _) in READ_CODES.iter().chain(xxgk::pipeline::CODES) {
        // Converting a legacy file and printing a PDF need LibreOffice: their own test below.
        if LIBREOFFICE_CODES.contains(code) {
            continue;
        }
        fixtures_of(code);
    }
}

/// Codes whose fixtures are made with LibreOffice.
const LIBREOFFICE_CODES: [&str; 2] = ["READ-CONVERTED", "READ-STRUCK"];

#[test]
#[ignore = "needs LibreOffice"]
fn the_warnings_of_files_made_by_libreoffice_have_their_fixtures() {
    common::require("soffice", &["--version"], "apt-get install libreoffice-writer-nogui");
    for code in LIBREOFFICE_CODES {
        fixtures_of(code);
    }
}

/// The fixtures of a code: fail.json gives it, pass.json does not.
fn fixtures_of(code: &str) {
    let dir = root().join("tests/rules").join(code);
    let (fail, pass) = (dir.join("fail.json"), dir.join("pass.json"));
    assert!(fail.is_file() && pass.is_file(), "{code}: fail.json and pass.json are needed");
    let got = codes_of(&fail);
    assert!(got.iter().any(|c| c == code), "{code}: fail.json should give it; got {got:?}");
    let got = codes_of(&pass);
    assert!(!got.iter().any(|c| c == code), "{code}: pass.json should not give it; got {got:?}");
}

/// Every `READ-…` code written in the sources is listed in READ_CODES.
#[test]
fn the_listed_reader_codes_are_the_ones_emitted() {
    let mut found = std::collections::BTreeSet::new();
    let mut stack = vec![root().join("src")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, _) in text.match_indices("\"READ-") {
                    let code: String = text[i + 1..].chars().take_while(|c| *c != '"').collect();
                    found.insert(code);
                }
            }
        }
    }
    let listed: std::collections::BTreeSet<String> =
        READ_CODES.iter().map(|(c, _)| c.to_string()).filter(|c| c.starts_with("READ-")).collect();
    assert_eq!(found, listed);
}
