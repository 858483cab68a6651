//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs`, and with
//! `--cross-apartment` into `$OUT_DIR/events_mt.rs` (the cpgen binary named
//! by `$CPGEN`, which cpgen's own test suite sets, else `cpgen` on PATH), and
//! compiles the same file into a type library with widl (on the build host,
//! Linux), so the tests running under Wine can hand Wine's
//! oleaut32 a type library that nobody here wrote: `CLOCK_TLB` names the file.
//!
//! widl needs oaidl.idl in scope for IDispatch, so it compiles a two-line
//! wrapper that imports oaidl.idl and includes the fixture unchanged (a
//! second import, once the fixture has its own, changes nothing).

use std::env;
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
    let events = out.join("events.rs");
    let status = Command::new(&cpgen)
        .arg(&fixture)
        .arg("-o")
        .arg(&events)
        .status()
        .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
    assert!(
        status.success(),
        "cpgen {} failed: {status}",
        fixture.display()
    );
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

    let wrapper = out.join("clock_wrapper.idl");
    std::fs::write(&wrapper, "import \"oaidl.idl\";\n#include \"clock.idl\"\n")
        .expect("write the widl wrapper");
    let tlb = out.join("clock.tlb");
    let status = Command::new(&widl)
        .current_dir(&out)
        .arg("-I")
        .arg(&fixtures)
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
                Path::new(&widl).display()
            )
        });
    assert!(
        status.success(),
        "widl -t {} failed: {status}",
        fixture.display()
    );
    println!("cargo:rustc-env=CLOCK_TLB={}", tlb.display());
}
