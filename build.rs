//! Embeds every edition file under templates/ into the binary, so that adding
//! an edition is adding a file: no Rust list to update.

use std::{env, fs, path::Path};

fn main() {
    // Read at run time, not with env!(): a build script compiled for one
    // checkout may be reused by cargo for another sharing the target folder.
    let root = env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&root).join("templates");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("templates/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("pub(crate) const BUILTIN: &[(&str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        out.push_str(&format!("    (\"templates/{}\", include_str!({:?})),\n", name, f.display().to_string()));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("editions.rs");
    fs::write(dest, out).expect("write editions.rs");
}
