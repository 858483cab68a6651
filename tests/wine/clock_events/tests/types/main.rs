//! Typed sinks for every event parameter type cpgen maps (fixtures/sinks.idl): what the
//! generated `Fire_` methods send reaches generated typed sinks intact, by-reference results come
//! back, and a sink's `IDispatch` takes what other sources send, converting or refusing each
//! argument as COM specifies.
#![deny(warnings)]

mod ints;
mod invoke;
mod round_trip;
mod support;
