//! Build-time half of the SDK oracle (included by the crate's `build.rs`, not part of the
//! library): finds the classic Win32 metadata that windows-bindgen 0.66 embeds and writes the
//! index `sdk.rs` reads, one line per type: `name namespace kind`, and for an interface its IID
//! (`name namespace I iid`), sorted; and the sorted list of those types' namespaces.
//!
//! windows-bindgen 0.66 keeps its `default/Windows.Win32.winmd` private (`include_bytes!` in a
//! function), and windows-default 0.100 ships a newer, flattened metadata (every type in
//! `Windows.Win32`, no `System.Com`), so the bytes are read from windows-bindgen's own package
//! directory. Every extract of `windows-bindgen-0.66.0` is the checksummed crates.io package,
//! so the file found is the one bindgen renders against. The index (about 2 MB, with a second
//! file of its namespaces) is searched in place, so a run looks a name up without loading the
//! metadata; the parts of the metadata bindgen itself reads are `sdk_reference.rs`'s.

use std::path::{Path, PathBuf};

use windows_metadata::Value;
use windows_metadata::reader::{File, HasAttributes, Index, TypeCategory, TypeDef};

/// The package directory name of the windows-bindgen release cpgen renders with.
const BINDGEN_PACKAGE: &str = "windows-bindgen-0.66.0";
/// Overrides the search, for layouts the search does not know (a vendor directory elsewhere).
pub const WINMD_VAR: &str = "CPGEN_WIN32_WINMD";

/// Where the metadata is: `$CPGEN_WIN32_WINMD`, else beside cpgen's own package (registry or
/// vendor directory), else in cargo's registry sources.
pub fn find_winmd(manifest_dir: &Path) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(WINMD_VAR) {
        return Ok(path.into());
    }
    let relative = Path::new(BINDGEN_PACKAGE).join("default/Windows.Win32.winmd");
    let mut candidates: Vec<PathBuf> = manifest_dir
        .parent()
        .map(|dir| dir.join(&relative))
        .into_iter()
        .collect();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".cargo")));
    if let Some(registries) = cargo_home.map(|home| home.join("registry/src"))
        && let Ok(entries) = std::fs::read_dir(&registries)
    {
        let mut registries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        registries.sort();
        candidates.extend(registries.iter().map(|dir| dir.join(&relative)));
    }
    candidates
        .into_iter()
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!(
                "cannot find {BINDGEN_PACKAGE}/default/Windows.Win32.winmd beside cpgen's package \
             or in cargo's registry sources; set {WINMD_VAR} to its path"
            )
        })
}

/// Namespaces of the metadata that the windows crate 0.62 does not publish (it has no feature
/// for them: the features of windows-0.62.2's Cargo.toml against this metadata's namespaces),
/// so their types are the input's to generate, not the windows crate's to provide.
const NOT_IN_WINDOWS_CRATE: &[&str] = &[
    "Windows.Win32.Foundation.Metadata",
    "Windows.Win32.System.Diagnostics.Debug.WebApp",
    "Windows.Win32.System.WinRT.Xaml",
    "Windows.Win32.UI.Xaml.Diagnostics",
    "Windows.Win32.Web.MsHtml",
];

/// The index texts: every interface, struct, enum and callback of the Win32 metadata that the
/// windows crate publishes, one a line sorted by name; and their namespaces, one a line sorted.
pub fn index(winmd: Vec<u8>) -> Result<(String, String), String> {
    let file = File::new(winmd).ok_or("not an ECMA-335 metadata file")?;
    let index = Index::new(vec![file]);
    let mut lines: Vec<String> = index
        .iter()
        .filter(|(namespace, ..)| !NOT_IN_WINDOWS_CRATE.contains(namespace))
        .filter_map(|(namespace, name, def)| {
            let kind = match def.category() {
                TypeCategory::Interface => match iid(&def) {
                    Some(iid) => return Some(format!("{name} {namespace} I {iid}")),
                    None => 'I',
                },
                TypeCategory::Struct => 'S',
                TypeCategory::Enum => 'E',
                TypeCategory::Delegate => 'D',
                TypeCategory::Class | TypeCategory::Attribute => return None,
            };
            Some(format!("{name} {namespace} {kind}"))
        })
        .collect();
    lines.sort();
    lines.dedup();
    let mut namespaces: Vec<&str> = lines.iter().filter_map(|l| l.split(' ').nth(1)).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let text = |lines: &[&str]| lines.iter().map(|line| format!("{line}\n")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    Ok((text(&lines), text(&namespaces)))
}

/// An interface's `GuidAttribute` as a lowercase uuid, the way the model keeps IIDs.
fn iid(def: &TypeDef) -> Option<String> {
    let values = def.find_attribute("GuidAttribute")?.value();
    let mut fields = values.iter().map(|(_, value)| match value {
        Value::U32(v) => Some(u128::from(*v)),
        Value::U16(v) => Some(u128::from(*v)),
        Value::U8(v) => Some(u128::from(*v)),
        _ => None,
    });
    let mut next = || fields.next().flatten();
    let (data1, data2, data3) = (next()?, next()?, next()?);
    let mut data4 = 0u128;
    for _ in 0..8 {
        data4 = data4 << 8 | next()?;
    }
    let guid = data1 << 96 | data2 << 80 | data3 << 64 | data4;
    let hex = format!("{guid:032x}");
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}
