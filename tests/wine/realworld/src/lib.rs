//! What cpgen generates for every file of the real-world corpus (`fixtures/realworld`: ActiveX
//! and ATL controls' IDL from public projects), compiled for Windows as a user's crate would
//! include it, under `#![deny(warnings)]` and clippy.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/corpus.rs"));

include!(concat!(env!("OUT_DIR"), "/records_widl.rs"));
