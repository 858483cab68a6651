//! Runs cpgen (the binary `$CPGEN` names, else `cpgen` on PATH) over every IDL file of the
//! real-world corpus (`fixtures/realworld/SOURCES`), without an SDK (cpgen's built-in olectl.h,
//! oaidl.idl, ...), into `$OUT_DIR/<project>_<file>.rs`, and writes `$OUT_DIR/corpus.rs`: one
//! module per file, and `$OUT_DIR/firing.rs` (see `build_firing.rs`). The files `fixtures/realworld/REFUSED` lists are left out (tests/realworld.rs
//! checks that cpgen refuses them as it says).

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "build_firing.rs"]
mod firing;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures/realworld");
    println!("cargo:rerun-if-env-changed=CPGEN");
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    println!("cargo:rerun-if-changed={}", corpus.display());
    let listed = |name: &str| -> Vec<String> {
        let text = fs::read_to_string(corpus.join(name)).unwrap_or_default();
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .collect()
    };
    let refused = listed("REFUSED");
    let mut modules = String::new();
    let mut firing = String::new();
    // Every module with a built type library, for tests/type_libraries.rs.
    let mut libraries = String::from("&[\n");
    for file in listed("SOURCES") {
        let is_idl = file.ends_with(".idl") || file.ends_with(".odl");
        if !is_idl || refused.contains(&file) {
            continue;
        }
        let idl = corpus.join(&file);
        let module = file
            .trim_end_matches(".idl")
            .trim_end_matches(".odl")
            .replace(['/', '-', '.'], "_")
            .to_lowercase();
        let rs = out.join(format!("{module}.rs"));
        let status = Command::new(&cpgen)
            .arg(&idl)
            .arg("-o")
            .arg(&rs)
            .status()
            .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
        assert!(status.success(), "cpgen {} failed: {status}", idl.display());
        firing.push_str(&firing::tests(Path::new(&cpgen), &idl, &module, &out));
        let generated = fs::read_to_string(&rs).expect("read the generated file");
        if generated.contains("pub fn type_library()") {
            writeln!(
                libraries,
                "    (\"{module}\", {module}::type_library as Build),"
            )
            .expect("write to a String");
        }
        writeln!(
            modules,
            "pub mod {module} {{ include!(concat!(env!(\"OUT_DIR\"), \"/{module}.rs\")); }}"
        )
        .expect("write to a String");
    }
    // Struct events (tests/records.rs): cpgen's fixture, and widl's type library of it.
    let records = corpus.join("../records.idl");
    println!("cargo:rerun-if-changed={}", records.display());
    let status = Command::new(&cpgen)
        .arg(&records)
        .arg("-o")
        .arg(out.join("records.rs"))
        .status()
        .expect("run cpgen");
    assert!(
        status.success(),
        "cpgen {} failed: {status}",
        records.display()
    );
    writeln!(
        modules,
        "pub mod records {{ include!(concat!(env!(\"OUT_DIR\"), \"/records.rs\")); }}"
    )
    .expect("write to a String");
    let tlb = firing::widl_type_library(&records, "records", &out)
        .map(|tlb| format!("Some(include_bytes!({tlb:?}))"))
        .unwrap_or_else(|| "None".into());
    fs::write(
        out.join("records_widl.rs"),
        format!("/// widl's type library of fixtures/records.idl, when widl is there.\npub const RECORDS_WIDL: Option<&[u8]> = {tlb};\n"),
    )
    .expect("write records_widl.rs");
    fs::write(out.join("corpus.rs"), modules).expect("write corpus.rs");
    fs::write(out.join("firing.rs"), firing).expect("write firing.rs");
    libraries.push(']');
    fs::write(out.join("libraries.rs"), libraries).expect("write libraries.rs");
}
