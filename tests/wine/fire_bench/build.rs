//! Runs cpgen (the binary `$CPGEN` names, else `cpgen` on PATH) on
//! fixtures/clock.idl into `$OUT_DIR/events.rs`, and with `--cross-apartment`
//! into `$OUT_DIR/events_mt.rs`: the code the benchmark fires through.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let fixture = manifest.join("../../../fixtures/clock.idl");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-changed={}", fixture.display());
    println!("cargo:rerun-if-env-changed=CPGEN");
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    for (file, flags) in [
        ("events.rs", &[][..]),
        ("events_mt.rs", &["--cross-apartment"][..]),
    ] {
        let status = Command::new(&cpgen)
            .arg(&fixture)
            .args(flags)
            .arg("-o")
            .arg(out.join(file))
            .status()
            .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
        assert!(
            status.success(),
            "cpgen {} {flags:?} failed: {status}",
            fixture.display()
        );
    }
}
