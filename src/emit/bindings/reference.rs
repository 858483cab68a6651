//! Run-time half of the bindings' reference metadata (`sdk_reference.rs` is the build's): the
//! parts of the Win32 metadata windows-bindgen needs to render an input, namely the namespaces
//! that the SDK types the input names reach, as the build's closure table records them.

use std::collections::BTreeSet;

use windows_metadata::reader::{File, Index};

use super::sdk_dependencies::dependencies;
use super::sorted_lines;

/// The per-namespace metadata files, in the table's namespace order.
static PARTS: &[&[u8]] = include!(concat!(env!("OUT_DIR"), "/win32_reference_parts.rs"));

/// A first line of namespaces, then `Namespace.Name n,n,...` per Win32 type, sorted by name.
static TABLE: &str = include_str!(concat!(env!("OUT_DIR"), "/win32_reference.txt"));

/// What bindgen itself looks up whenever `Windows.Win32.Foundation` is among its inputs (it maps
/// them to windows-core's error types), which nearly every input's references reach.
const BINDGEN_NEEDS: &[(&str, &str)] = &[
    ("Windows.Win32.Foundation", "NTSTATUS"),
    ("Windows.Win32.Foundation", "WIN32_ERROR"),
    ("Windows.Win32.System.Rpc", "RPC_STATUS"),
];

/// The metadata files bindgen needs besides `input` (the input's own .winmd), in a fixed order.
pub fn parts(input: &[u8]) -> Result<Vec<&'static [u8]>, String> {
    let file = File::new(input.to_vec()).ok_or("cpgen wrote metadata it cannot read")?;
    let index = Index::new(vec![file]);
    let mut numbers = BTreeSet::new();
    let named = index.types().flat_map(|def| dependencies(&index, def));
    let needed = BINDGEN_NEEDS
        .iter()
        .map(|&(namespace, name)| (namespace.to_string(), name.to_string()));
    for (namespace, name) in named.chain(needed) {
        // A type the table does not know is left to bindgen, which names it in its error.
        if let Some(reached) = lookup(&format!("{namespace}.{name}")) {
            numbers.extend(reached.split(',').filter_map(|n| n.parse::<usize>().ok()));
        }
    }
    Ok(numbers
        .into_iter()
        .filter_map(|n| PARTS.get(n).copied())
        .collect())
}

/// The namespace numbers `full_name` reaches.
fn lookup(full_name: &str) -> Option<&'static str> {
    let body = &TABLE[TABLE.find('\n')? + 1..];
    let line = sorted_lines::find(body, full_name).next()?;
    line.split_once(' ').map(|(_, reached)| reached)
}
