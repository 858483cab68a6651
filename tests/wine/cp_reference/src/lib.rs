//! The hand-written reference of the code cpgen generates for
//! `fixtures/clock.idl`, built for Windows and tested under Wine
//! (`tests/wine/bench.sh test tests/wine/cp_reference`).
//!
//! [`generated`] is the file cpgen writes: the per-IDL part (identifiers,
//! the IDL's types, one proxy per source interface, `CConnectionPoints`) and,
//! as its private module, the generic runtime (`src/runtime.rs`) that cpgen
//! copies into every output unchanged.
#![deny(warnings)]
// Unit tests compile src/dispatch.rs a second time (see the end).
#![cfg_attr(test, allow(clippy::duplicate_mod))]

pub mod generated;

// The dispatch runtime once more, on its own, so unit tests reach the
// conversions that clock.idl does not use (`invoke` is tested through the
// generated proxies).
#[cfg(test)]
#[allow(dead_code)]
#[path = "dispatch.rs"]
mod dispatch;
#[cfg(test)]
mod dispatch_tests;
