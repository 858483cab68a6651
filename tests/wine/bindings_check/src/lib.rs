//! cpgen's bindings of two IDL files, compiled for Windows: the sample clock
//! (a dual and a custom interface, an enum) and Wine's exdisp.idl (IWebBrowser2
//! and friends, over many SDK types). Run it with
//! `tests/wine/bench.sh test tests/wine/bindings_check`.
#![deny(warnings)]

/// What cpgen renders for `fixtures/clock.idl`.
///
/// The lints are the ones windows-bindgen allows on its own output: the
/// bindings keep the IDL's names (`OnTick`, `IClock_Impl`).
#[allow(
    non_snake_case,
    non_upper_case_globals,
    non_camel_case_types,
    dead_code,
    clippy::all
)]
pub mod clock {
    include!(concat!(env!("OUT_DIR"), "/clock.rs"));
}

/// What cpgen renders for Wine's `exdisp.idl`.
#[allow(
    non_snake_case,
    non_upper_case_globals,
    non_camel_case_types,
    dead_code,
    clippy::all
)]
pub mod exdisp {
    include!(concat!(env!("OUT_DIR"), "/exdisp.rs"));
}
