//! Helpers shared by the integration tests: paths, the built binary, JSON
//! merge patches over samples, golden files.
#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xxgk"));
    c.current_dir(root());
    c.env_remove("XXGK_EDITIONS");
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run xxgk")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    if let Value::Object(p) = patch {
        if !target.is_object() {
            *target = Value::Object(Default::default());
        }
        let t = target.as_object_mut().unwrap();
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    } else {
        *target = patch.clone();
    }
}

/// `{"base": "samples/x.json", "patch": {...}}` → the patched report JSON.
pub fn patched(doc: &Value) -> Value {
    let base = doc["base"].as_str().expect("fixture has a base");
    let mut v = read_json(&root().join(base));
    if let Some(p) = doc.get("patch") {
        merge_patch(&mut v, p);
    }
    v
}

/// Compare `actual` with the golden file; with UPDATE_GOLDEN=1, rewrite it.
pub fn golden(path: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("golden file {} missing; run with UPDATE_GOLDEN=1 and review it", path.display()));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(5)
            .map(|(i, (a, b))| format!("line {}:\n  expected: {a}\n  actual:   {b}", i + 1))
            .collect();
        panic!(
            "{} differs from the output ({} vs {} lines):\n{}\nIf the change is intended, run with UPDATE_GOLDEN=1 and review the diff.",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

/// The finding codes of the first file in `check --format json` output.
pub fn finding_codes(o: &Output) -> Vec<String> {
    let v: Value = serde_json::from_slice(&o.stdout).expect("check --format json output");
    v[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}
