//! Drives the code cpgen generates for `fixtures/clock.idl` and `fixtures/sinks.idl` under Wine:
//! `build.rs` runs cpgen into `$OUT_DIR`, included here as a user's crate would, under
//! `#![deny(warnings)]`.
#![deny(warnings)]

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

/// What `cpgen fixtures/notify.idl --property-notify -o notify.rs` writes: a control whose
/// `[bindable]` and `[requestedit]` properties are announced through `IPropertyNotifySink`.
pub mod notify {
    include!(concat!(env!("OUT_DIR"), "/notify.rs"));
}

/// What `cpgen fixtures/library.idl -o library.rs` writes: a library with interfaces no coclass
/// fires, an alias, default values and a coclass without events.
pub mod library {
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}
