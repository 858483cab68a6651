//! Build-script helpers: cpgen and widl runs, with `cargo:` lines for what they read.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian's wine64 keeps stdole2.tlb, which the fixtures import.
const STDOLE2_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows",
    "/usr/lib/wine/x86_64-windows",
    "/usr/lib64/wine/x86_64-windows",
];
/// Where libwine-dev keeps Wine's SDK IDL files (oaidl.idl, exdisp.idl, ...).
const WINE_IDL_DIRS: &[&str] = &[
    "/usr/include/wine/wine/windows",
    "/usr/include/wine/windows",
];

/// The build script's `OUT_DIR`.
pub fn out_dir() -> PathBuf {
    PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
}

/// cpgen's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fixtures")
}

/// The folder of Wine's SDK IDL files.
pub fn wine_idl_dir() -> PathBuf {
    first_dir_with(WINE_IDL_DIRS, "oaidl.idl")
}

fn first_dir_with(dirs: &[&str], file: &str) -> PathBuf {
    dirs.iter()
        .map(PathBuf::from)
        .find(|dir| dir.join(file).is_file())
        .unwrap_or_else(|| {
            panic!("{file} not found in {dirs:?} (apt-get install wine64 libwine-dev)")
        })
}

/// Runs `command`, panicking with `what` if it cannot start or fails.
fn run(command: &mut Command, what: &str) {
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    assert!(status.success(), "{what} failed: {status}");
}

/// Runs cpgen (the binary `$CPGEN` names, which cpgen's own test suite sets, else `cpgen` on
/// PATH) on `idl` with `args` into `out`, and has cargo rerun the script when either changes.
pub fn cpgen(idl: &Path, args: &[&str], out: &Path) {
    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-env-changed=CPGEN");
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    println!("cargo:rerun-if-changed={}", idl.display());
    run(
        Command::new(&cpgen).arg(idl).args(args).arg("-o").arg(out),
        &format!(
            "{} {} {args:?} (set CPGEN)",
            Path::new(&cpgen).display(),
            idl.display()
        ),
    );
}

/// `widl -t` (`$CPGEN_WINE_WIDL`, else `widl`) of `fixtures/<stem>.idl` into `out/<stem>.tlb`,
/// through a wrapper that imports oaidl.idl first (widl needs it in scope for IDispatch; the
/// fixture's own import of it then changes nothing).
pub fn widl_type_library(out: &Path, stem: &str) -> PathBuf {
    let widl = env::var_os("CPGEN_WINE_WIDL").unwrap_or_else(|| "widl".into());
    println!("cargo:rerun-if-env-changed=CPGEN_WINE_WIDL");
    let fixtures = fixtures();
    println!(
        "cargo:rerun-if-changed={}",
        fixtures.join(format!("{stem}.idl")).display()
    );
    let wrapper = out.join(format!("{stem}_wrapper.idl"));
    std::fs::write(
        &wrapper,
        format!("import \"oaidl.idl\";\n#include \"{stem}.idl\"\n"),
    )
    .expect("write the widl wrapper");
    let tlb = out.join(format!("{stem}.tlb"));
    run(
        Command::new(&widl)
            .current_dir(out)
            .arg("-I")
            .arg(&fixtures)
            .arg("-I")
            .arg(wine_idl_dir())
            .arg("-L")
            .arg(first_dir_with(STDOLE2_DIRS, "stdole2.tlb"))
            .args(["-t", "-o"])
            .arg(&tlb)
            .arg(&wrapper),
        &format!(
            "{} -t {stem}.idl (apt-get install wine64-tools)",
            Path::new(&widl as &OsStr).display()
        ),
    );
    tlb
}

/// `widl -t` of Wine's SDK file `<name>.idl` (in [`wine_idl_dir`]) into `out/<name>.tlb`.
pub fn widl_sdk_type_library(out: &Path, name: &str) -> PathBuf {
    let widl = env::var_os("CPGEN_WINE_WIDL").unwrap_or_else(|| "widl".into());
    println!("cargo:rerun-if-env-changed=CPGEN_WINE_WIDL");
    let idl_dir = wine_idl_dir();
    let tlb = out.join(format!("{name}.tlb"));
    run(
        Command::new(&widl)
            .current_dir(out)
            .arg("-I")
            .arg(&idl_dir)
            .arg("-I")
            .arg(idl_dir.parent().expect("a parent folder"))
            .arg("-L")
            .arg(first_dir_with(STDOLE2_DIRS, "stdole2.tlb"))
            .args(["-t", "-o"])
            .arg(&tlb)
            .arg(idl_dir.join(format!("{name}.idl"))),
        &format!(
            "{} -t {name}.idl (apt-get install wine64-tools)",
            Path::new(&widl as &OsStr).display()
        ),
    );
    tlb
}
