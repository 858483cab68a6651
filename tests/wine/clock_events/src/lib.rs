//! Drives the code cpgen generates for `fixtures/clock.idl` and `fixtures/sinks.idl` under Wine:
//! `build.rs` runs cpgen into `$OUT_DIR`, included here as a user's crate would, under
//! `#![deny(warnings)]`.
#![deny(warnings)]
// Unit tests compile templates/dispatch.rs a second time (see the end).
#![cfg_attr(test, allow(clippy::duplicate_mod))]

/// What `cpgen fixtures/clock.idl -o events.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

/// What `cpgen fixtures/sinks.idl -o sinks.rs` writes: every event parameter type, in every
/// kind of source interface.
pub mod sinks {
    include!(concat!(env!("OUT_DIR"), "/sinks.rs"));
}

/// What `cpgen fixtures/clock.idl --cross-apartment -o events_mt.rs` writes: the same items,
/// with every source's sinks kept in the Global Interface Table.
pub mod cross_apartment {
    include!(concat!(env!("OUT_DIR"), "/events_mt.rs"));
}

// The dispatch runtime once more, on its own, so unit tests reach the conversions that
// clock.idl does not use (`invoke` is tested through the generated proxies).
#[cfg(test)]
#[allow(dead_code)]
#[path = "../../../../templates/dispatch.rs"]
mod dispatch;
#[cfg(test)]
mod dispatch_tests;
