//! Generates the server's connection points, class registration and type library, on the
//! build host: cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs`, which `src/lib.rs`
//! includes. The type library is the generated `type_library()`, built in memory when first
//! asked for: no MIDL compiler, no resource to link.

use cpgen_wine_support::build::{cpgen, fixtures, out_dir};

fn main() {
    let out = out_dir();
    // --server: the class registration and `server()` the DLL's exports serve; Both, since the
    // object locks its own state and the connection points are thread-safe.
    cpgen(
        &fixtures().join("clock.idl"),
        &["--server", "--threading-model", "both"],
        &out.join("events.rs"),
    );
}
