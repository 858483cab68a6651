//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs` (and with
//! `--cross-apartment` into `$OUT_DIR/events_mt.rs`) and on
//! fixtures/sinks.idl into `$OUT_DIR/sinks.rs` (the cpgen binary named by
//! `$CPGEN`, which cpgen's own test suite sets, else `cpgen` on PATH), and
//! compiles the same files into type libraries with widl (on the build host,
//! Linux), so the tests running under Wine can hand Wine's oleaut32 type
//! libraries that nobody here wrote (`CLOCK_TLB` and `SINKS_TLB` name the
//! files), and hold cpgen's run-time type information against them.
//!
//! widl needs oaidl.idl in scope for IDispatch, so it compiles a two-line
//! wrapper that imports oaidl.idl and includes the fixture unchanged (a
//! second import, once the fixture has its own, changes nothing).

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's wine64 keeps stdole2.tlb, which clock.idl imports.
const STDOLE2_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
    "/usr/lib/wine/x86_64-windows",
    "/usr/lib64/wine/x86_64-windows",
];
/// Where libwine-dev keeps oaidl.idl.
const WINE_IDL_DIRS: &[&str] = &[
    "/usr/include/wine/wine/windows",
    "/usr/include/wine/windows",
];

fn first_dir_with(dirs: &[&str], file: &str) -> PathBuf {
    dirs.iter()
        .map(PathBuf::from)
        .find(|dir| dir.join(file).is_file())
        .unwrap_or_else(|| {
            panic!("{file} not found in {dirs:?} (apt-get install wine64 libwine-dev)")
        })
}

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let fixtures = manifest.join("../../../fixtures");
    let fixture = fixtures.join("clock.idl");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let widl = env::var_os("CPGEN_WINE_WIDL").unwrap_or_else(|| "widl".into());
    println!("cargo:rerun-if-changed={}", fixture.display());
    println!("cargo:rerun-if-env-changed=CPGEN_WINE_WIDL");
    println!("cargo:rerun-if-env-changed=CPGEN");

    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    // fixtures/sinks.idl has every event parameter type, for the typed sinks' tests.
    let sinks = fixtures.join("sinks.idl");
    println!("cargo:rerun-if-changed={}", sinks.display());
    for (idl, rust) in [(&fixture, "events.rs"), (&sinks, "sinks.rs")] {
        let status = Command::new(&cpgen)
            .arg(idl)
            .arg("-o")
            .arg(out.join(rust))
            .status()
            .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
        assert!(status.success(), "cpgen {} failed: {status}", idl.display());
    }
    // Once more with every source firing across apartments, for tests/clock/apartments.rs.
    let status = Command::new(&cpgen)
        .arg(&fixture)
        .arg("--cross-apartment")
        .arg("-o")
        .arg(out.join("events_mt.rs"))
        .status()
        .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
    assert!(
        status.success(),
        "cpgen --cross-apartment {} failed: {status}",
        fixture.display()
    );

    for (stem, variable) in [("clock", "CLOCK_TLB"), ("sinks", "SINKS_TLB")] {
        let tlb = widl_type_library(&widl, &fixtures, &out, stem);
        println!("cargo:rustc-env={variable}={}", tlb.display());
    }
}

/// `widl -t` of `fixtures/<stem>.idl`, through a wrapper that imports oaidl.idl first.
fn widl_type_library(widl: &OsStr, fixtures: &Path, out: &Path, stem: &str) -> PathBuf {
    let wrapper = out.join(format!("{stem}_wrapper.idl"));
    std::fs::write(
        &wrapper,
        format!("import \"oaidl.idl\";\n#include \"{stem}.idl\"\n"),
    )
    .expect("write the widl wrapper");
    let tlb = out.join(format!("{stem}.tlb"));
    let status = Command::new(widl)
        .current_dir(out)
        .arg("-I")
        .arg(fixtures)
        .arg("-I")
        .arg(first_dir_with(WINE_IDL_DIRS, "oaidl.idl"))
        .arg("-L")
        .arg(first_dir_with(STDOLE2_DIRS, "stdole2.tlb"))
        .args(["-t", "-o"])
        .arg(&tlb)
        .arg(&wrapper)
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "run {} (apt-get install wine64-tools): {e}",
                Path::new(widl).display()
            )
        });
    assert!(status.success(), "widl -t {stem}.idl failed: {status}");
    tlb
}
