//! Build script: writes the index of the Win32 metadata that the bindings emitter consults
//! (see `src/emit/bindings/sdk_index.rs` for where the metadata comes from and why).

#[path = "src/emit/bindings/sdk_index.rs"]
mod sdk_index;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=src/emit/bindings/sdk_index.rs");
    println!("cargo::rerun-if-env-changed={}", sdk_index::WINMD_VAR);
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("win32_types.txt");
    let winmd = sdk_index::find_winmd(&manifest_dir).unwrap_or_else(|e| panic!("{e}"));
    println!("cargo::rerun-if-changed={}", winmd.display());
    let bytes =
        std::fs::read(&winmd).unwrap_or_else(|e| panic!("reading {}: {e}", winmd.display()));
    let index = sdk_index::index(bytes).unwrap_or_else(|e| panic!("{}: {e}", winmd.display()));
    std::fs::write(&out, index).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
