// windows-bindgen's own files allow what its output trips; the rest of the file does not.
#[allow(clippy::all)]
mod bindings { {{ bindings }} }
pub use bindings::*;
