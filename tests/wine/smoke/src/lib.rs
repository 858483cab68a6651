//! Smoke test of cpgen's Windows test bench: nothing here is cpgen's output.
//! It proves that windows 0.62 code builds for `x86_64-pc-windows-gnu` with
//! Debian's toolchain and that Wine's ole32, oleaut32 and atl answer it.
//! Run it with `tests/wine/bench.sh test tests/wine/smoke`.
#![deny(warnings)]

use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx};

/// Joins the calling thread to the multithreaded apartment.
///
/// The test harness runs each test on a thread of its own, so every test
/// calls this first. `S_FALSE` (already initialised) counts as success.
///
/// This doc example also proves that doctests build and run under Wine.
///
/// ```
/// cpgen_wine_smoke::enter_mta().unwrap();
/// ```
pub fn enter_mta() -> windows_core::Result<()> {
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends,
    // which is what a test thread wants.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()
}
