//! Generates the server's connection points and type library, on the build host:
//!
//! - cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs`, which `src/lib.rs` includes;
//! - widl (`$CPGEN_WINE_WIDL`, else `widl`) compiles the same file into `$OUT_DIR/clock.tlb`;
//! - windres (`$WINDRES`, else `x86_64-w64-mingw32-windres`) wraps it as resource
//!   `TYPELIB 1`, linked into the DLL, so `LoadTypeLibEx(<the DLL's path>)` finds it as it
//!   finds a MIDL-built server's: one file to ship, nothing to keep beside it.

use std::env;
use std::process::Command;

use cpgen_wine_support::build::{cpgen, fixtures, out_dir, widl_type_library};

fn main() {
    let out = out_dir();
    println!("cargo:rerun-if-env-changed=WINDRES");
    // --server: the class registration and `server()` the DLL's exports serve; Both, since the
    // object locks its own state and the connection points are thread-safe.
    cpgen(
        &fixtures().join("clock.idl"),
        &["--server", "--threading-model", "both"],
        &out.join("events.rs"),
    );
    widl_type_library(&out, "clock");

    let rc = out.join("clock.rc");
    std::fs::write(&rc, "1 TYPELIB \"clock.tlb\"\n").expect("write the resource script");
    let res = out.join("clock_res.o");
    let windres = env::var_os("WINDRES").unwrap_or_else(|| "x86_64-w64-mingw32-windres".into());
    let status = Command::new(&windres)
        .current_dir(&out)
        .arg("-i")
        .arg(&rc)
        .arg("-o")
        .arg(&res)
        .status()
        .expect("run windres (apt-get install binutils-mingw-w64-x86-64, or set WINDRES)");
    assert!(status.success(), "windres failed: {status}");
    // An object file named on the linker's command line is linked whole, .rsrc included.
    println!("cargo:rustc-link-arg-cdylib={}", res.display());
}
