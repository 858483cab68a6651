//! The registry keys of a class, written as ATL's registrar writes them, and removed.

use windows::Win32::Foundation::{ERROR_FILE_NOT_FOUND, WIN32_ERROR};
use windows::Win32::System::Registry::{
    HKEY, HKEY_CLASSES_ROOT, HKEY_CURRENT_USER, REG_SZ, RRF_RT_REG_SZ, RegDeleteTreeW,
    RegGetValueW, RegSetKeyValueW,
};
use windows_core::{GUID, HSTRING, PCWSTR, Result};

use super::{Class, ServerKind, TypeLibrary};
use crate::Scope;

/// Where `scope`'s classes live: `HKEY_CLASSES_ROOT`, or the current user's
/// `Software\Classes`.
fn root(scope: Scope) -> (HKEY, &'static str) {
    match scope {
        Scope::Machine => (HKEY_CLASSES_ROOT, ""),
        Scope::User => (HKEY_CURRENT_USER, "Software\\Classes\\"),
    }
}

/// `{6F1A2B3C-...}`, as the registry spells a GUID.
pub(super) fn braced(guid: &GUID) -> String {
    format!("{{{guid:?}}}")
}

/// The class's key under `root`: `CLSID\{...}`.
pub(super) fn class_key(clsid: &GUID) -> String {
    format!("CLSID\\{}", braced(clsid))
}

fn check(status: WIN32_ERROR) -> Result<()> {
    if status.is_ok() {
        Ok(())
    } else {
        Err(status.to_hresult().into())
    }
}

/// Sets the string value `name` (the default value for `None`) of `subkey`, creating the key.
fn set(scope: Scope, subkey: &str, name: Option<&str>, value: &str) -> Result<()> {
    let (root, prefix) = root(scope);
    let data: Vec<u16> = value.encode_utf16().chain([0]).collect();
    let name = name.map(HSTRING::from);
    // SAFETY: NUL-terminated strings that outlive the call; the data is data.len() UTF-16
    // units.
    check(unsafe {
        RegSetKeyValueW(
            root,
            &HSTRING::from(format!("{prefix}{subkey}")),
            name.as_ref().map_or(PCWSTR::null(), |n| PCWSTR(n.as_ptr())),
            REG_SZ.0,
            Some(data.as_ptr().cast()),
            (data.len() * 2) as u32,
        )
    })
}

/// The default value of `subkey`, if it exists and is a string.
fn get(scope: Scope, subkey: &str) -> Option<String> {
    let (root, prefix) = root(scope);
    let subkey = HSTRING::from(format!("{prefix}{subkey}"));
    let mut buffer = vec![0u16; 1024];
    let mut bytes = (buffer.len() * 2) as u32;
    // SAFETY: the buffer holds `bytes` bytes; NUL-terminated key name.
    let status = unsafe {
        RegGetValueW(
            root,
            &subkey,
            PCWSTR::null(),
            RRF_RT_REG_SZ,
            None,
            Some(buffer.as_mut_ptr().cast()),
            Some(&mut bytes),
        )
    };
    if status.is_err() {
        return None;
    }
    let len = (bytes as usize / 2).saturating_sub(1);
    Some(String::from_utf16_lossy(&buffer[..len]))
}

/// Deletes `subkey` and everything under it; a key already gone is not an error.
fn delete(scope: Scope, subkey: &str) -> Result<()> {
    let (root, prefix) = root(scope);
    // SAFETY: a NUL-terminated key name.
    let status = unsafe { RegDeleteTreeW(root, &HSTRING::from(format!("{prefix}{subkey}"))) };
    if status == ERROR_FILE_NOT_FOUND {
        Ok(())
    } else {
        check(status)
    }
}

/// Writes `class`'s keys in `scope`: `CLSID\{clsid}` with its description, the server
/// (`InprocServer32` with `ThreadingModel`, or `LocalServer32`) running `command`, `ProgID`,
/// `VersionIndependentProgID`, `TypeLib` and `Version`; and the ProgIDs' own keys, naming the
/// CLSID (and the version-independent one its `CurVer`).
pub(super) fn register(
    class: &Class,
    kind: ServerKind,
    command: &str,
    library: Option<&TypeLibrary>,
    scope: Scope,
) -> Result<()> {
    let key = class_key(&class.clsid);
    let clsid = braced(&class.clsid);
    set(scope, &key, None, class.description)?;
    // A class moves between DLL and EXE whole: the other kind's key would win or confuse.
    match kind {
        ServerKind::InProcess => {
            delete(scope, &format!("{key}\\LocalServer32"))?;
            let server = format!("{key}\\InprocServer32");
            set(scope, &server, None, command)?;
            set(
                scope,
                &server,
                Some("ThreadingModel"),
                class.threading_model.as_str(),
            )?;
        }
        ServerKind::Local => {
            delete(scope, &format!("{key}\\InprocServer32"))?;
            set(scope, &format!("{key}\\LocalServer32"), None, command)?;
        }
    }
    if let Some(library) = library {
        set(
            scope,
            &format!("{key}\\TypeLib"),
            None,
            &braced(&library.libid),
        )?;
        let (major, minor) = library.version;
        set(
            scope,
            &format!("{key}\\Version"),
            None,
            &format!("{major}.{minor}"),
        )?;
    }
    if let Some(prog_id) = class.prog_id {
        set(scope, &format!("{key}\\ProgID"), None, prog_id)?;
        set(scope, prog_id, None, class.description)?;
        set(scope, &format!("{prog_id}\\CLSID"), None, &clsid)?;
    }
    if let Some(independent) = class.version_independent_prog_id {
        set(
            scope,
            &format!("{key}\\VersionIndependentProgID"),
            None,
            independent,
        )?;
        set(scope, independent, None, class.description)?;
        set(scope, &format!("{independent}\\CLSID"), None, &clsid)?;
        if let Some(prog_id) = class.prog_id {
            set(scope, &format!("{independent}\\CurVer"), None, prog_id)?;
        }
    }
    Ok(())
}

/// Removes what [`register`] wrote in `scope`. A ProgID that names another class by now
/// (another server took it over) stays.
pub(super) fn unregister(class: &Class, scope: Scope) -> Result<()> {
    let clsid = braced(&class.clsid);
    for prog_id in [class.prog_id, class.version_independent_prog_id]
        .into_iter()
        .flatten()
    {
        let owner = get(scope, &format!("{prog_id}\\CLSID"));
        if owner.is_none_or(|owner| owner.eq_ignore_ascii_case(&clsid)) {
            delete(scope, prog_id)?;
        }
    }
    delete(scope, &class_key(&class.clsid))
}
