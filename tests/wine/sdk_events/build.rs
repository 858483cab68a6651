//! Runs cpgen over five of Wine's SDK IDL files into `$OUT_DIR/<name>.rs`, as a user's
//! build.rs would, and widl over the same files into `$OUT_DIR/<name>.tlb`.

use cpgen_wine_support::build::{cpgen, out_dir, widl_sdk_type_library, wine_idl_dir};

/// The Wine SDK files with connectable coclasses.
const FILES: &[&str] = &["exdisp", "mshtml", "msxml6", "shldisp", "wmp"];

fn main() {
    let idl_dir = wine_idl_dir();
    let parent = idl_dir
        .parent()
        .expect("a parent folder")
        .to_str()
        .expect("a UTF-8 path");
    let include = ["-I", idl_dir.to_str().expect("a UTF-8 path"), "-I", parent];
    for name in FILES {
        let idl = idl_dir.join(format!("{name}.idl"));
        cpgen(&idl, &include, &out_dir().join(format!("{name}.rs")));
        // widl's type library of the same file, which tests/type_library.rs holds the built
        // one against (`<NAME>_TLB`).
        let tlb = widl_sdk_type_library(&out_dir(), name);
        println!(
            "cargo:rustc-env={}_TLB={}",
            name.to_uppercase(),
            tlb.display()
        );
    }
}
