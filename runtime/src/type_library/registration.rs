//! A described library as a `.tlb` file, and in the registry: what clients that look a type
//! library up by its LIBID need (VBA's References and `WithEvents`, pywin32's makepy, .NET's
//! interop), and what oleaut32's type-library marshaler reads to carry an `[oleautomation]` or
//! dual interface to another apartment or process.

use std::path::Path;

use windows::Win32::System::Ole::{
    LoadTypeLibEx, REGKIND_NONE, RegisterTypeLib, RegisterTypeLibForUser, UnRegisterTypeLib,
    UnRegisterTypeLibForUser,
};
use windows_core::{HSTRING, PCWSTR, Result};

use super::Library;
use super::build::{create, syskind};
use crate::Scope;

/// Writes `library` to the file `path` (`ICreateTypeLib2::SaveAllChanges`), replacing it.
pub fn save(library: &Library, path: &Path) -> Result<()> {
    let created = create(library, &HSTRING::from(path))?;
    // SAFETY: a plain call on a library laid out by `create`.
    unsafe { created.SaveAllChanges() }
}

/// Saves `library` to `path` and registers that file (`RegisterTypeLib` for
/// [`Scope::Machine`], `RegisterTypeLibForUser` for [`Scope::User`]): its LIBID's
/// `TypeLib` key, and an `Interface` key for each `[oleautomation]` or dual interface, whose
/// proxy is then oleaut32's type-library marshaler. The registry keeps the path, so `path`
/// is made absolute, and the file has to stay there.
pub fn register(library: &Library, path: &Path, scope: Scope) -> Result<()> {
    let path = std::path::absolute(path)?;
    save(library, &path)?;
    let path = HSTRING::from(path.as_path());
    // SAFETY: the path outlives the calls; no help folder.
    unsafe {
        // What is registered is the file as a client will load it.
        let saved = LoadTypeLibEx(&path, REGKIND_NONE)?;
        match scope {
            Scope::Machine => RegisterTypeLib(&saved, &path, PCWSTR::null()),
            Scope::User => RegisterTypeLibForUser(&saved, &path, PCWSTR::null()),
        }
    }
}

/// Removes what [`register`] wrote for `library` in `scope`: the registration of its LIBID
/// and version for LCID 0 on this process's system (`SYS_WIN64` or `SYS_WIN32`), and the
/// `Interface` keys of its interfaces. The `.tlb` file is left where it is.
pub fn unregister(library: &Library, scope: Scope) -> Result<()> {
    let (major, minor) = library.version;
    // SAFETY: the GUID outlives the call.
    unsafe {
        match scope {
            Scope::Machine => UnRegisterTypeLib(&library.guid, major, minor, 0, syskind()),
            Scope::User => UnRegisterTypeLibForUser(&library.guid, major, minor, 0, syskind()),
        }
    }
}
