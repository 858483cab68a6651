//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs` (and with `--cross-apartment`
//! into `$OUT_DIR/events_mt.rs`), on fixtures/sinks.idl into `$OUT_DIR/sinks.rs` and on
//! fixtures/notify.idl with `--property-notify` into `$OUT_DIR/notify.rs`, and
//! compiles the same files into type libraries with widl (on the build host, Linux), so the
//! tests running under Wine can hand Wine's oleaut32 type libraries that nobody here wrote
//! (`CLOCK_TLB` and `SINKS_TLB` name the files), and hold cpgen's run-time type information
//! against them.

use cpgen_wine_support::build::{cpgen, fixtures, out_dir, widl_type_library};

fn main() {
    let out = out_dir();
    let clock = fixtures().join("clock.idl");
    cpgen(&clock, &[], &out.join("events.rs"));
    // fixtures/sinks.idl has every event parameter type, for the typed sinks' tests.
    cpgen(&fixtures().join("sinks.idl"), &[], &out.join("sinks.rs"));
    // Once more with every source firing across apartments, for tests/clock/apartments.rs.
    cpgen(&clock, &["--cross-apartment"], &out.join("events_mt.rs"));
    // A control's [bindable] and [requestedit] properties, for tests/clock/property_notify.rs.
    let notify = fixtures().join("notify.idl");
    cpgen(&notify, &["--property-notify"], &out.join("notify.rs"));
    // What else a type library holds, for tests/clock/type_library.rs to hold against widl's.
    cpgen(
        &fixtures().join("library.idl"),
        &[],
        &out.join("library.rs"),
    );
    for (stem, variable) in [
        ("clock", "CLOCK_TLB"),
        ("sinks", "SINKS_TLB"),
        ("library", "LIBRARY_TLB"),
    ] {
        let tlb = widl_type_library(&out, stem);
        println!("cargo:rustc-env={variable}={}", tlb.display());
    }
}
