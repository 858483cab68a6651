//! Renders the bindings of the crate's IDL inputs with cpgen, as a user's build script would.

use std::path::{Path, PathBuf};

/// Wine's SDK IDL files (Debian package libwine-dev), which the bench requires anyway.
const WINE_IDL: &str = "/usr/include/wine/wine/windows";

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let wine = Path::new(WINE_IDL);
    let wine_options = cpgen::model::Options {
        preprocess: cpgen::preprocess::Options {
            include_dirs: vec![wine.into(), wine.join("..")],
            ..Default::default()
        },
        ..Default::default()
    };
    render(
        &repo.join("fixtures/clock.idl"),
        &Default::default(),
        &out.join("clock.rs"),
    );
    render(
        &wine.join("exdisp.idl"),
        &wine_options,
        &out.join("exdisp.rs"),
    );
}

fn render(idl: &Path, options: &cpgen::model::Options, out: &Path) {
    let model = cpgen::load(idl, options).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    for file in &model.files {
        println!("cargo::rerun-if-changed={}", file.display());
    }
    let code = cpgen::emit::bindings::render(&model)
        .unwrap_or_else(|e| panic!("{}: {}", idl.display(), e.render_plain()));
    std::fs::write(out, code).unwrap_or_else(|e| panic!("writing {}: {e}", out.display()));
}
