//! Runs cpgen with `--server` on `timer.idl` into `$OUT_DIR/timer.rs`: the server EXE and the
//! client tests include the same file.

use std::path::Path;

use cpgen_wine_support::build::{cpgen, out_dir};

fn main() {
    let idl = Path::new(env!("CARGO_MANIFEST_DIR")).join("timer.idl");
    cpgen(&idl, &["--server"], &out_dir().join("timer.rs"));
}
