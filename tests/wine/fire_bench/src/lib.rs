//! The firing benchmark's pieces: cpgen's output for fixtures/clock.idl (both
//! modes), a connectable clock, sinks that do the least a sink can do, the
//! hand-written loops that call the same sinks through raw interface pointers
//! (the floor `Fire_` is measured against), and a global allocator that counts.
//! `src/main.rs` times them; `tests/smoke.rs` checks what they do.
#![deny(warnings)]

pub mod alloc;
pub mod floor;
pub mod measure;
pub mod objects;

/// What `cpgen fixtures/clock.idl -o events.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

/// What `cpgen fixtures/clock.idl --cross-apartment -o events_mt.rs` writes.
pub mod cross_apartment {
    include!(concat!(env!("OUT_DIR"), "/events_mt.rs"));
}
