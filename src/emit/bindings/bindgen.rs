//! Runs windows-bindgen 0.66 over the input's .winmd and the Win32 metadata it ships.
//!
//! Its only API is the command line as a function: it reads and writes files and reports
//! problems by panicking or as warnings, so both become errors here.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::types::NAMESPACE;

/// The warning bindgen gives when `rustfmt` is not on `PATH`: the output is then the same
/// tokens, unformatted, which is still correct Rust.
const NO_RUSTFMT: &str = "failed to format output with `rustfmt`";

/// The configuration bindgen hands `rustfmt` (it always runs it when it is on `PATH`): format
/// nothing. The caller parses the items with syn and prints them with prettyplease, so rustfmt's
/// layout never reaches the output, and formatting mshtml.idl's 100,000 lines of bindings took a
/// third of cpgen's time on that file; left as they are, they are returned at once. (The `cpgen`
/// command keeps rustfmt off its `PATH`, so there the child does not even start.)
const RUSTFMT_CONFIG: &str = "disable_all_formatting=true";

/// The Rust items windows-bindgen renders for the types of `winmd`'s namespace.
pub fn render(winmd: &[u8]) -> Result<String, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let input = dir.path().join("idl.winmd");
    // The parts of the Win32 metadata the input's SDK references reach, not bindgen's default
    // 32 MB: bindgen indexes all it is given (`reference.rs`).
    let mut reference = Vec::new();
    for (number, part) in super::reference::parts(winmd)?.into_iter().enumerate() {
        let path = dir.path().join(format!("win32_{number}.winmd"));
        std::fs::write(&path, part).map_err(|e| format!("writing {}: {e}", path.display()))?;
        reference.push(path);
    }
    let output = dir.path().join("bindings.rs");
    std::fs::write(&input, winmd).map_err(|e| format!("writing {}: {e}", input.display()))?;
    let mut args = vec!["--in", path(&input)?];
    for part in &reference {
        args.push(path(part)?);
    }
    args.extend([
        "--out",
        path(&output)?,
        "--filter",
        NAMESPACE,
        // SDK types by their windows crate paths (`windows::Win32::System::Com::IDispatch`).
        "--reference",
        "windows",
        // The input's types at the top level, not in a module per namespace.
        "--flat",
        // The caller places the items, so the lint allowances and header are its own.
        "--no-allow",
        "--no-comment",
        "--rustfmt",
        RUSTFMT_CONFIG,
    ]);
    let warnings =
        catch_unwind(AssertUnwindSafe(|| windows_bindgen::bindgen(args))).map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no message");
            format!("windows-bindgen failed: {message}")
        })?;
    let warnings: Vec<&String> = warnings
        .iter()
        .filter(|w| !w.contains(NO_RUSTFMT))
        .collect();
    if !warnings.is_empty() {
        let warnings: Vec<&str> = warnings.iter().map(|w| w.trim_end()).collect();
        return Err(format!(
            "windows-bindgen could not render every method:\n{}",
            warnings.join("\n")
        ));
    }
    std::fs::read_to_string(&output).map_err(|e| format!("reading {}: {e}", output.display()))
}

fn path(path: &std::path::Path) -> Result<&str, String> {
    path.to_str()
        .ok_or_else(|| format!("temporary path {} is not UTF-8", path.display()))
}
