//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs`, and with `--cross-apartment`
//! into `$OUT_DIR/events_mt.rs`: the code the benchmark fires through.

use cpgen_wine_support::build::{cpgen, fixtures, out_dir};

fn main() {
    let (clock, out) = (fixtures().join("clock.idl"), out_dir());
    cpgen(&clock, &[], &out.join("events.rs"));
    cpgen(&clock, &["--cross-apartment"], &out.join("events_mt.rs"));
}
