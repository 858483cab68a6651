//! Build script: from the Win32 metadata windows-bindgen 0.66 renders against, writes the index
//! the bindings emitter consults (`src/emit/bindings/sdk_index.rs` says where the metadata comes
//! from and why) and the per-namespace reference metadata a render hands bindgen
//! (`src/emit/bindings/sdk_reference.rs`); and fingerprints the front end this build holds, for the
//! cache of imported files (`src/model/load/cache.rs`).

#[path = "src/emit/bindings/sdk_dependencies.rs"]
mod sdk_dependencies;
#[path = "src/emit/bindings/sdk_index.rs"]
mod sdk_index;
#[path = "src/emit/bindings/sdk_reference.rs"]
mod sdk_reference;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    for file in ["sdk_dependencies.rs", "sdk_index.rs", "sdk_reference.rs"] {
        println!("cargo::rerun-if-changed=src/emit/bindings/{file}");
    }
    println!("cargo::rerun-if-env-changed={}", sdk_index::WINMD_VAR);
    let manifest_dir = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let winmd = sdk_index::find_winmd(&manifest_dir).unwrap_or_else(|e| panic!("{e}"));
    println!("cargo::rerun-if-changed={}", winmd.display());
    let bytes =
        std::fs::read(&winmd).unwrap_or_else(|e| panic!("reading {}: {e}", winmd.display()));

    let (parts, table) =
        sdk_reference::split(bytes.clone()).unwrap_or_else(|e| panic!("{}: {e}", winmd.display()));
    let parts_dir = out_dir.join("win32_reference");
    std::fs::create_dir_all(&parts_dir)
        .unwrap_or_else(|e| panic!("creating {}: {e}", parts_dir.display()));
    // `PARTS[n]` is the metadata of the table's namespace number n.
    let mut list = String::from("&[\n");
    for (number, part) in parts.iter().enumerate() {
        let path = parts_dir.join(format!("{number}.winmd"));
        write(&path, part);
        let _ = writeln!(
            list,
            "    include_bytes!({:?}),",
            path.display().to_string()
        );
    }
    list.push(']');
    write(&out_dir.join("win32_reference_parts.rs"), list.as_bytes());
    write(&out_dir.join("win32_reference.txt"), table.as_bytes());

    let (types, namespaces) =
        sdk_index::index(bytes).unwrap_or_else(|e| panic!("{}: {e}", winmd.display()));
    write(&out_dir.join("win32_types.txt"), types.as_bytes());
    write(&out_dir.join("win32_namespaces.txt"), namespaces.as_bytes());

    println!(
        "cargo::rustc-env=CPGEN_FRONT_END_ID={}",
        front_end_id(&manifest_dir)
    );
}

/// A fingerprint of what decides a preprocessing and a parse, and of how the cache stores them:
/// the preprocessor, the grammar, the parser (the syntax tree's types among them) and the cache.
/// A cached file is used only by a build with the same fingerprint, so a changed preprocessor or
/// grammar never reads an old entry, even unversioned.
fn front_end_id(manifest_dir: &Path) -> String {
    let mut files = Vec::new();
    for source in [
        "grammar/midl.pest",
        "src/model/load/cache.rs",
        "src/parse",
        "src/preprocess",
    ] {
        println!("cargo::rerun-if-changed={source}");
        let path = manifest_dir.join(source);
        match std::fs::read_dir(&path) {
            Ok(entries) => files.extend(
                entries
                    .map(|entry| entry.expect("a readable source folder").path())
                    .filter(|path| path.is_file()),
            ),
            Err(_) => files.push(path),
        }
    }
    files.sort();
    // FNV-1a, 64 bits: stable across Rust releases, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in files {
        let bytes =
            std::fs::read(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        for byte in bytes.iter().chain(&[0xff]) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{}-{hash:016x}", env!("CARGO_PKG_VERSION"))
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
