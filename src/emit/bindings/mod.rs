//! The bindings of the input's own vtable interfaces and enums, rendered by windows-bindgen so
//! they are exactly what the windows crate has for the SDK's: `IFoo`, `IFoo_Vtbl`, `IFoo_Impl`
//! with `Result`-returning methods and `[out, retval]` as the return value.
//!
//!
//! # Route: model → .winmd (windows-metadata's writer) → windows-bindgen 0.66
//! 1. [`winmd`] writes the input's interfaces and enums straight into ECMA-335 metadata with
//!    windows-metadata 0.100's writer, shaped like the Win32 metadata's own (GUID attribute,
//!    base by `InterfaceImpl`, `get_`/`put_` special names, `RetValAttribute`). SDK types are
//!    `TypeRef`s by full name (`Windows.Win32.System.Com.IDispatch`).
//! 2. [`bindgen`] runs windows-bindgen 0.66, the release that pairs with windows 0.62, with
//!    `--in <that.winmd> <parts> --filter Idl --reference windows --flat`: it resolves those
//!    `TypeRef`s in the parts of the Win32 metadata it bundles that they reach ([`reference`]:
//!    `build.rs` splits the metadata by namespace and records which namespaces each type needs)
//!    and writes `windows::Win32::…` paths.
//! 3. Which SDK types exist, where, and whether they are interfaces comes from that same
//!    bundled metadata: `build.rs` reads `windows-bindgen-0.66.0/default/Windows.Win32.winmd`
//!    with windows-metadata's reader and writes a name → namespace index ([`sdk`]); the type
//!    mapping rules are all in [`types`].
//!
//! # Why not the others
//! - RDL through windows-rdl 0.100 needs a reference .winmd holding every type the RDL names.
//!   Its own default (windows-default 0.100) is the newer, flattened metadata: `IDispatch` is
//!   `Windows.Win32.IDispatch` there, so `Windows::Win32::System::Com::IUnknown` fails with
//!   `error: type not found`, and a flat name would not resolve in windows-bindgen 0.66.
//!   Given bindgen 0.66's own Win32 .winmd as the reference it works, but costs ~80 ms (release)
//!   to load 23 MB that cpgen would have to carry at run time, plus a syn-based parse of text
//!   cpgen generated itself. Writing the metadata needs neither.
//! - windows-bindgen 0.100 renders for windows-core 0.100 (flat namespace), not windows 0.62.
//! - A hand-kept table of SDK types would drift from what bindgen resolves; the index cannot,
//!   as both read the one file of the pinned `=0.66.0` package.
//!
//! # Output and costs
//! The items come without lint allowances or header: the caller places them in a module with
//! the allowances windows-bindgen puts on its own files (`non_snake_case`,
//! `non_upper_case_globals`, `non_camel_case_types`, `dead_code`, `clippy::all`), since the
//! bindings keep the IDL's names (`OnTick`, `IClock_Impl`). windows-bindgen runs `rustfmt` when
//! it is on `PATH`; cpgen configures it to format nothing (the emitter formats the whole file
//! with prettyplease), so the bytes are the same with or without rustfmt installed, and the
//! `cpgen` command hides rustfmt from its own `PATH` so that the child is never started. Given its
//! bundled 32 MB of metadata, windows-bindgen spent ~65 ms indexing it on every render; given
//! the parts an input reaches, a few milliseconds (BENCHMARKS.md).
//!
//! Structs and unions declared in the input are written as the Win32 metadata has them
//! (sequential and explicit layout; fixed arrays as arrays), so windows-bindgen renders them as
//! the windows crate does. Not rendered: dispinterfaces (the connection-point emitter writes
//! those) and nested anonymous structs; a vtable method that uses what cannot be rendered is an
//! error naming the interface, method and parameter.

mod bindgen;
mod reference;
pub(crate) mod sdk;
mod sdk_dependencies;
mod sorted_lines;
mod types;
mod winmd;

use crate::Diagnostic;
use crate::model::Model;

/// Rust source for every custom and dual interface, enum, struct and union declared in the input
/// (not imported). Dispinterfaces are left to the connection-point emitter.
pub fn render(model: &Model) -> Result<String, Diagnostic> {
    let winmd = winmd::write(model)?;
    bindgen::render(&winmd).map_err(Diagnostic::new)
}

#[cfg(test)]
mod tests;
