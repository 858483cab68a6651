//! Runs cpgen (the binary `$CPGEN` names, else `cpgen` on PATH) over five of Wine's SDK IDL
//! files into `$OUT_DIR/<name>.rs`, as a user's build.rs would.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Wine SDK files with connectable coclasses.
const FILES: &[&str] = &["exdisp", "mshtml", "msxml6", "shldisp", "wmp"];
/// Where libwine-dev keeps them.
const WINE_IDL_DIRS: &[&str] = &["/usr/include/wine/wine/windows", "/usr/include/wine/windows"];

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-env-changed=CPGEN");
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    let idl_dir = WINE_IDL_DIRS
        .iter()
        .map(Path::new)
        .find(|dir| dir.join("exdisp.idl").is_file())
        .unwrap_or_else(|| panic!("exdisp.idl not found in {WINE_IDL_DIRS:?} (apt-get install libwine-dev)"));
    for name in FILES {
        let idl = idl_dir.join(format!("{name}.idl"));
        println!("cargo:rerun-if-changed={}", idl.display());
        let status = Command::new(&cpgen)
            .arg(&idl)
            .arg("-I")
            .arg(idl_dir)
            .arg("-I")
            .arg(idl_dir.parent().expect("a parent folder"))
            .arg("-o")
            .arg(out.join(format!("{name}.rs")))
            .status()
            .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
        assert!(status.success(), "cpgen {} failed: {status}", idl.display());
    }
}
