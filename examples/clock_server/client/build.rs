//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs` (the binary `$CPGEN` names, else
//! `cpgen` on PATH): the client takes the GUIDs, `IClock`, `DClockEvents` and `IClockSink` from
//! the same generated file the server uses.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let fixture = manifest.join("../../../fixtures/clock.idl");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed={}", fixture.display());
    println!("cargo:rerun-if-env-changed=CPGEN");
    let cpgen = env::var_os("CPGEN").unwrap_or_else(|| "cpgen".into());
    println!("cargo:rerun-if-changed={}", Path::new(&cpgen).display());
    let status = Command::new(&cpgen)
        .arg(&fixture)
        .arg("-o")
        .arg(out.join("events.rs"))
        .status()
        .unwrap_or_else(|e| panic!("run {} (set CPGEN): {e}", Path::new(&cpgen).display()));
    assert!(
        status.success(),
        "cpgen {} failed: {status}",
        fixture.display()
    );
}
