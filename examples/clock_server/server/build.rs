//! Generates the server's connection points and type library, on the build host:
//!
//! - cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs` (the binary `$CPGEN` names, else
//!   `cpgen` on PATH), which `src/lib.rs` includes;
//! - widl (`$CPGEN_WINE_WIDL`, else `widl`) compiles the same file into `$OUT_DIR/clock.tlb`;
//! - windres (`$WINDRES`, else `x86_64-w64-mingw32-windres`) wraps it as resource
//!   `TYPELIB 1`, linked into the DLL, so `LoadTypeLibEx(<the DLL's path>)` finds it as it
//!   finds a MIDL-built server's: one file to ship, nothing to keep beside it.

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

fn run(command: &mut Command, what: &str) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let fixtures = manifest.join("../../../fixtures");
    let fixture = fixtures.join("clock.idl");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed={}", fixture.display());
    for var in ["CPGEN", "CPGEN_WINE_WIDL", "WINDRES"] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    run(
        Command::new(&cpgen)
            .arg(&fixture)
            .arg("-o")
            .arg(out.join("events.rs")),
        &format!("{} (set CPGEN)", Path::new(&cpgen).display()),
    );

    // widl needs oaidl.idl in scope for IDispatch: a wrapper imports it and includes the
    // fixture unchanged.
    let wrapper = out.join("clock_wrapper.idl");
    std::fs::write(&wrapper, "import \"oaidl.idl\";\n#include \"clock.idl\"\n")
        .expect("write the widl wrapper");
    let tlb = out.join("clock.tlb");
    let widl = env::var_os("CPGEN_WINE_WIDL").unwrap_or_else(|| "widl".into());
    run(
        Command::new(&widl)
            .current_dir(&out)
            .arg("-I")
            .arg(&fixtures)
            .arg("-I")
            .arg(first_dir_with(WINE_IDL_DIRS, "oaidl.idl"))
            .arg("-L")
            .arg(first_dir_with(STDOLE2_DIRS, "stdole2.tlb"))
            .args(["-t", "-o"])
            .arg(&tlb)
            .arg(&wrapper),
        "widl -t (apt-get install wine64-tools)",
    );

    let rc = out.join("clock.rc");
    std::fs::write(&rc, "1 TYPELIB \"clock.tlb\"\n").expect("write the resource script");
    let res = out.join("clock_res.o");
    let windres = env::var_os("WINDRES").unwrap_or_else(|| "x86_64-w64-mingw32-windres".into());
    run(
        Command::new(&windres)
            .current_dir(&out)
            .arg("-i")
            .arg(&rc)
            .arg("-o")
            .arg(&res),
        "windres (apt-get install binutils-mingw-w64-x86-64, or set WINDRES)",
    );
    // An object file named on the linker's command line is linked whole, .rsrc included.
    println!("cargo:rustc-link-arg-cdylib={}", res.display());
}
