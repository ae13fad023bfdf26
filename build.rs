//! Embeds the rule catalog (`rules/*.toml`) and framework mappings (`rules/frameworks/*.toml`)
//! into the binary, so `trailwarden` needs no data files at run time and the catalog a
//! binary evaluates is exactly the one it was built from.

use std::fmt::Write as _;
use std::path::Path;

fn toml_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, path.display().to_string())
        })
        .collect();
    files.sort();
    files
}

fn write_table(out: &mut String, name: &str, files: &[(String, String)]) {
    let _ = writeln!(out, "pub static {name}: &[(&str, &str)] = &[");
    for (file, path) in files {
        let _ = writeln!(out, "    ({file:?}, include_str!({path:?})),");
    }
    let _ = writeln!(out, "];");
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rules = root.join("rules");
    let frameworks = rules.join("frameworks");
    println!("cargo:rerun-if-changed={}", rules.display());
    println!("cargo:rerun-if-changed={}", frameworks.display());
    let mut out = String::new();
    write_table(&mut out, "RULE_FILES", &toml_files(&rules));
    write_table(&mut out, "FRAMEWORK_FILES", &toml_files(&frameworks));
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo"))
        .join("embedded_catalog.rs");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}
