//! Runs cpgen on fixtures/clock.idl into `$OUT_DIR/events.rs`: the client takes the GUIDs,
//! `IClock`, `DClockEvents` and `IClockSink` from the same generated file the server uses.

use cpgen_wine_support::build::{cpgen, fixtures, out_dir};

fn main() {
    cpgen(
        &fixtures().join("clock.idl"),
        &[],
        &out_dir().join("events.rs"),
    );
}
