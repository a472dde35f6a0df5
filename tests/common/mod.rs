//! Helpers shared by the integration tests: paths, the built binary, JSON
//! merge patches over samples, golden files.
#![allow(dead_code)]

pub mod official;

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
    lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    lossy(&o.stderr).to_string()
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

/// How many cells the BLANK findings of `check --format json` name (a
/// blank row, column or table is one finding naming all its cells).
pub fn blank_cells(o: &Output) -> usize {
    let v: Value = serde_json::from_slice(&o.stdout).expect("check --format json output");
    v[0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "BLANK")
        .map(|f| f["cells"].as_array().map_or(0, Vec::len))
        .sum()
}

/// Unzip an OOXML package and render every part as normalized text: parts
/// sorted by name; XML one element per line, attributes sorted, text
/// trimmed; other parts as size and hash. For golden comparisons.
pub fn normalized_package(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut names: Vec<String> = (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().to_string()).collect();
    names.sort();
    let mut out = String::new();
    for n in names {
        let mut data = Vec::new();
        zip.by_name(&n).unwrap().read_to_end(&mut data).unwrap();
        out.push_str(&format!("=== {n}\n"));
        if n.ends_with(".xml") || n.ends_with(".rels") {
            out.push_str(&normalize_xml(&data));
        } else {
            let h = data.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100000001b3));
            out.push_str(&format!("<binary {} bytes, fnv {h:016x}>\n", data.len()));
        }
    }
    out
}

pub fn normalize_xml(data: &[u8]) -> String {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(data);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) => {
                out.push_str(&format!("{}<{}{}>\n", "  ".repeat(depth), lossy(e.name().as_ref()), attrs(&e)));
                depth += 1;
            }
            Event::Empty(e) => {
                out.push_str(&format!("{}<{}{}/>\n", "  ".repeat(depth), lossy(e.name().as_ref()), attrs(&e)));
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) => {
                let s = lossy(t.as_ref()).trim().to_string();
                if !s.is_empty() {
                    out.push_str(&format!("{}{s}\n", "  ".repeat(depth)));
                }
            }
            Event::GeneralRef(g) => out.push_str(&format!("{}&{};\n", "  ".repeat(depth), lossy(g.as_ref()))),
            Event::CData(t) => out.push_str(&format!("{}{}\n", "  ".repeat(depth), lossy(t.as_ref()))),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn attrs(e: &quick_xml::events::BytesStart) -> String {
    let mut a: Vec<String> = e
        .attributes()
        .flatten()
        .map(|a| format!(" {}=\"{}\"", lossy(a.key.as_ref()), lossy(a.value.as_ref() as &str)))
        .collect();
    a.sort();
    a.concat()
}

/// A test that needs an outside program: it fails (panics) when `program
/// ARGS` does not run. Such tests are marked `#[ignore = "needs …"]`, so that
/// `cargo test` on a machine without the program says they were not run,
/// and CI runs them with `cargo test -- --include-ignored` after installing
/// every program (`.ci/run`): a green run means they all ran.
pub fn require(program: &str, args: &[&str], install: &str) {
    let ok = Command::new(program).args(args).output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "this test needs `{program} {}`, which does not run here; install it: {install}", args.join(" "));
}

/// Re-save `input` with LibreOffice as `ext` into `outdir`; returns the new file.
pub fn resave(input: &Path, ext: &str, outdir: &Path) -> PathBuf {
    let profile = outdir.join("lo-profile");
    let out = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", ext, "--outdir"])
        .arg(outdir)
        .arg(input)
        .output()
        .expect("run soffice");
    let stem = input.file_stem().unwrap().to_string_lossy().to_string();
    let p = outdir.join(format!("{stem}.{}", ext.split(':').next().unwrap()));
    assert!(p.exists(), "soffice did not write {}: {}", p.display(), lossy(&out.stderr));
    p
}

fn lossy<T: AsRef<[u8]> + ?Sized>(b: &T) -> String {
    String::from_utf8_lossy(b.as_ref()).to_string()
}

/// An OLE compound file holding a stream of this name (encrypted OOXML,
/// `.doc`, `.xls`, …), enough for the sniffing to recognise it.
pub fn cfb(stream: &str) -> Vec<u8> {
    let mut b = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    b.extend(vec![0u8; 504]);
    b.extend(stream.encode_utf16().flat_map(|u| u.to_le_bytes()));
    b
}

/// Nothing panicked in this run: the words every panic reaches the user
/// with ([`xxgk::isolate::PANIC_MARK`], from the panic hook in the main
/// process or a worker's answer) are in neither output, and the process
/// was not ended by a signal (an abort) or with a panic's status 101.
pub fn assert_no_panic(o: &Output, what: &str) {
    let mark = xxgk::isolate::PANIC_MARK;
    let (out, err) = (stdout(o), stderr(o));
    assert!(!err.contains(mark) && !out.contains(mark), "{what} panicked: {err}{out}");
    assert!(o.status.code().is_some(), "{what} was killed by a signal ({:?}): {err}", o.status);
    assert_ne!(o.status.code(), Some(101), "{what} exited as a panic does: {err}");
}

/// No progress bar or other terminal control text in the output (the tests
/// run with standard error piped, where indicatif draws nothing).
pub fn assert_no_escape_codes(o: &Output, what: &str) {
    for text in [stdout(o), stderr(o)] {
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{what}: {text:?}");
    }
}

/// `convert` refuses each file: exit 2, a message naming the file and
/// saying `expected`, no panic.
pub fn assert_refused(cases: &[(String, &str)]) {
    for (f, expected) in cases {
        let o = run(&["convert", f]);
        assert_eq!(o.status.code(), Some(2), "{f}");
        let e = stderr(&o);
        assert!(e.contains(expected) && e.contains(f.as_str()), "{f}: {e}");
        assert_no_panic(&o, f);
    }
}

/// Read a report (any kind) in process with the built-in editions.
pub fn read_report(path: &Path) -> xxgk::model::Report {
    let eds = xxgk::edition::Editions::builtin().expect("built-in editions");
    xxgk::read::read_path(path, xxgk::read::ReadOptions::new(&eds)).unwrap_or_else(|e| panic!("{e}")).0
}

/// A sample of samples/, read and conformed.
pub fn sample(name: &str) -> xxgk::model::Report {
    read_report(&root().join(format!("samples/{name}.json")))
}

/// Property-test reports of either edition: about 15% blank cells, signed
/// changes and amounts with decimals, text with tabs and line breaks, part 四
/// sometimes missing, and in half of them every total agreeing with its
/// inputs (so workbooks hold formulas rather than plain values).
pub fn arb_report() -> impl proptest::strategy::Strategy<Value = xxgk::model::Report> {
    use proptest::prelude::*;
    use xxgk::edition::Kind;
    use xxgk::model::{Number, Part};
    let eds = xxgk::edition::Editions::builtin().expect("built-in editions");
    (
        0usize..2,
        proptest::collection::vec(proptest::option::weighted(0.85, 0i64..500), 200),
        "[一-龥a-z0-9，。（）\t\n]{0,80}",
        any::<bool>(),
    )
        .prop_map(move |(e, vals, text, consistent)| {
            let ed = &eds.all()[e];
            let mut r = ed.blank_report("测试县人民政府", Some(ed.year_from));
            for (c, v) in ed.cells.iter().zip(vals.iter().cycle()) {
                let n = v.map(|v| match c.kind {
                    Kind::Count => Number::from_i64(v),
                    Kind::Signed => Number::from_i64(v - 250),
                    Kind::Amount => Number(rust_decimal::Decimal::new(v * 7919, 2)),
                });
                r.cells.insert(c.id.clone(), n);
            }
            if consistent {
                for _ in 0..3 {
                    for (id, (_, inputs)) in ed.derivations() {
                        let sum = inputs.iter().try_fold(Number::ZERO, |acc, (i, neg)| {
                            r.value(i).and_then(|v| acc.checked_add(if *neg { -v } else { v }))
                        });
                        if let Some(s) = sum {
                            r.cells.insert(id.to_string(), Some(s));
                        }
                    }
                }
            }
            for (k, p) in ed.parts.iter().enumerate() {
                if k != 3 || consistent {
                    r.parts.insert(p.id.clone(), Part { heading: p.full_heading(), text: text.clone() });
                }
            }
            r.preamble = format!("前言{text}");
            r.contact = "张三 0951-1234567".into();
            r
        })
}

/// Read a report from text (written to a temporary `.txt` file).
pub fn read_text(text: &str) -> xxgk::model::Report {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join("r.txt");
    std::fs::write(&p, text).expect("write");
    read_report(&p)
}

/// A zip package with `edit` applied to every XML part's text; also how
/// many parts `edit` changed.
pub fn rewrite_xml_parts(package: &[u8], mut edit: impl FnMut(&str) -> String) -> (Vec<u8>, usize) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(package)).expect("a zip package");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut changed = 0;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).expect("entry");
        let name = f.name().expect("name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("read entry");
        if name.ends_with(".xml") {
            let text = String::from_utf8(data).expect("UTF-8 XML");
            let new = edit(&text);
            changed += usize::from(new != text);
            data = new.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).expect("start entry");
        out.write_all(&data).expect("write entry");
    }
    (out.finish().expect("finish zip").into_inner(), changed)
}
