//! cpgen's small copies of the SDK files COM servers import and include, used when a file is
//! found nowhere on the search path: the sample and users' files then need no SDK installed.
//! They are written for cpgen (the names and values are the SDK's), in `src/builtin_idl`.

use std::path::{Path, PathBuf};

/// Where the built-in SDK files appear to be, in messages and `inspect`.
pub const DIR: &str = "<cpgen built-in SDK>";

const FILES: &[(&str, &str)] = &[
    ("wtypes.idl", include_str!("builtin_idl/wtypes.idl")),
    ("unknwn.idl", include_str!("builtin_idl/unknwn.idl")),
    ("objidl.idl", include_str!("builtin_idl/objidl.idl")),
    ("oaidl.idl", include_str!("builtin_idl/oaidl.idl")),
    ("ocidl.idl", include_str!("builtin_idl/ocidl.idl")),
    ("olectl.h", include_str!("builtin_idl/olectl.h")),
    ("idispids.h", include_str!("builtin_idl/idispids.h")),
];

/// The path a built-in file named `name` (as an `import` or `#include` spells it) is read from.
pub fn path(name: &str) -> Option<PathBuf> {
    let path = Path::new(DIR).join(name);
    text(&path).map(|_| path)
}

/// The text of a built-in SDK file, if `path` names one.
pub fn text(path: &Path) -> Option<&'static str> {
    let name = path.strip_prefix(DIR).ok()?.to_str()?;
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, text)| *text)
}
