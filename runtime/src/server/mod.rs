//! The plumbing of a COM server around the objects: class factories, the four exports of a
//! server DLL, the class objects of a server EXE, and registration.
//!
//! A generated file made with `--server` holds what its IDL decides, one [`Class`] constructor
//! per coclass (`<Coclass>Class(create)`, with the CLSID, ProgIDs, description and threading
//! model) and `server(classes)`, the [`Server`] that also registers the file's type library.
//! The user names the constructor of their object type and, for a DLL, lets
//! [`dll_exports!`](crate::dll_exports) write the exports:
//!
//! ```ignore
//! static SERVER: cpgen_runtime::server::Server =
//!     generated::server(&[generated::ClockClass(MyClock::create)]);
//! cpgen_runtime::dll_exports!(SERVER);
//! ```
//!
//! The object count that `DllCanUnloadNow` and an EXE's lifetime go by is kept by
//! [`ObjectCount`], which every `<Coclass>ConnectionPoints` of such a file holds: a connectable
//! object counts for as long as it lives, with nothing written by hand.

mod count;
mod factory;
mod local;
mod registry;

use std::ffi::c_void;
use std::path::{Path, PathBuf};

use windows::Win32::Foundation::{
    CLASS_E_CLASSNOTAVAILABLE, E_INVALIDARG, E_POINTER, HMODULE, S_FALSE, S_OK,
};
use windows::Win32::System::Com::IClassFactory;
use windows::Win32::System::LibraryLoader::{
    GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
    GetModuleFileNameW, GetModuleHandleExW,
};
use windows::Win32::System::Ole::QueryPathOfRegTypeLib;
use windows_core::{BOOL, Error, GUID, HRESULT, IUnknown, Interface, PCWSTR, Result};

pub use count::ObjectCount;
pub use factory::ClassFactory;
pub use local::LocalServer;

use crate::Scope;

/// Makes a new object of a class (the user's object type) and returns it as `IUnknown`: what
/// the class factory's `CreateInstance` calls.
pub type Constructor = fn() -> Result<IUnknown>;

/// The `ThreadingModel` an in-process class registers: which apartments COM may create its
/// objects in without a proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadingModel {
    /// Single-threaded apartments only: COM serialises calls (ATL's wizard's default).
    Apartment,
    /// The multithreaded apartment only.
    Free,
    /// Any apartment, called on any thread: the object synchronises itself.
    Both,
    /// The neutral apartment.
    Neutral,
}

impl ThreadingModel {
    /// The registry's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Apartment => "Apartment",
            Self::Free => "Free",
            Self::Both => "Both",
            Self::Neutral => "Neutral",
        }
    }
}

/// One class of a server: its registration and the constructor of its objects.
#[derive(Clone, Copy, Debug)]
pub struct Class {
    /// The coclass's CLSID.
    pub clsid: GUID,
    /// The class's description: the default value of its `CLSID` key and ProgIDs.
    pub description: &'static str,
    /// The versioned ProgID (`ClockLib.Clock.1`), if any.
    pub prog_id: Option<&'static str>,
    /// The version-independent ProgID (`ClockLib.Clock`), if any.
    pub version_independent_prog_id: Option<&'static str>,
    /// The `ThreadingModel` of `InprocServer32`.
    pub threading_model: ThreadingModel,
    /// Makes the objects.
    pub create: Constructor,
}

/// The type library a server registers with its classes: the generated file's functions.
#[derive(Clone, Copy, Debug)]
pub struct TypeLibrary {
    /// Its LIBID, written as the classes' `TypeLib`.
    pub libid: GUID,
    /// Its version, written as the classes' `Version` (`major.minor`).
    pub version: (u16, u16),
    /// Saves the built library to a `.tlb` file and registers it there (`RegisterTypeLib`, or
    /// `RegisterTypeLibForUser`).
    pub register: fn(&Path, Scope) -> Result<()>,
    /// Removes the registration.
    pub unregister: fn(Scope) -> Result<()>,
}

/// A COM server's classes and type library: what a DLL's exports and an EXE's `main` act on.
#[derive(Clone, Copy, Debug)]
pub struct Server {
    /// The classes it serves.
    pub classes: &'static [Class],
    /// The type library registered with them, if the IDL has one.
    pub type_library: Option<TypeLibrary>,
}

impl Server {
    /// The class `clsid`, if the server has it.
    pub fn class(&self, clsid: &GUID) -> Option<&Class> {
        self.classes.iter().find(|c| c.clsid == *clsid)
    }

    /// The body of `DllGetClassObject`: the class factory of `rclsid`, as `riid`.
    ///
    /// # Safety
    /// COM's contract: `rclsid` and `riid` null or valid, `ppv` null or writable.
    pub unsafe fn get_class_object(
        &self,
        rclsid: *const GUID,
        riid: *const GUID,
        ppv: *mut *mut c_void,
    ) -> HRESULT {
        if ppv.is_null() || rclsid.is_null() || riid.is_null() {
            return E_POINTER;
        }
        // SAFETY: checked above; COM's contract for the rest.
        unsafe {
            *ppv = std::ptr::null_mut();
            let Some(class) = self.class(&*rclsid) else {
                return CLASS_E_CLASSNOTAVAILABLE;
            };
            let factory: IClassFactory = ClassFactory::new(class.create).into();
            factory.query(riid, ppv)
        }
    }

    /// The body of `DllCanUnloadNow`: `S_OK` when no object lives and no client holds a
    /// `LockServer` lock, else `S_FALSE`.
    pub fn can_unload_now(&self) -> HRESULT {
        if count::in_use() { S_FALSE } else { S_OK }
    }

    /// Registers the classes as served by the DLL or EXE this code is linked into (`kind`), in
    /// `scope`, with the type library saved beside it as `<module>.tlb` and registered.
    pub fn register(&self, kind: ServerKind, scope: Scope) -> Result<()> {
        let module = module_path()?;
        if let Some(library) = &self.type_library {
            (library.register)(&module.with_extension("tlb"), scope)?;
        }
        let command = match kind {
            ServerKind::InProcess => module.to_string_lossy().into_owned(),
            // Quoted, as a command line: COM runs it with `-Embedding`.
            ServerKind::Local => format!("\"{}\"", module.display()),
        };
        for class in self.classes {
            registry::register(class, kind, &command, self.type_library.as_ref(), scope)?;
        }
        Ok(())
    }

    /// Removes all that [`register`](Self::register) wrote in `scope`: the classes' keys, their
    /// ProgIDs (those still naming them), the type library's registration, and `<module>.tlb`
    /// once no registration of the library is left. What is already gone is not an error.
    pub fn unregister(&self, scope: Scope) -> Result<()> {
        for class in self.classes {
            registry::unregister(class, scope)?;
        }
        if let Some(library) = &self.type_library {
            let (major, minor) = library.version;
            // SAFETY: the GUID outlives the call.
            let registered = || unsafe { QueryPathOfRegTypeLib(&library.libid, major, minor, 0) };
            // Not registered (any more) is what unregistration wants; oleaut32 answers an
            // error for it (E_INVALIDARG under Wine).
            match (library.unregister)(scope) {
                Err(e) if registered().is_ok() => return Err(e),
                _ => {}
            }
            // The file is the registrations' (both scopes name the same one): it goes with the
            // last of them. One still loaded somewhere stays; a later registration overwrites it.
            if registered().is_err() {
                let _ = std::fs::remove_file(module_path()?.with_extension("tlb"));
            }
        }
        Ok(())
    }

    /// The body of `DllRegisterServer` (what `regsvr32` calls): [`register`](Self::register)
    /// in process, per machine.
    pub fn dll_register_server(&self) -> HRESULT {
        self.dll_install(true, Scope::Machine)
    }

    /// The body of `DllUnregisterServer` (`regsvr32 /u`).
    pub fn dll_unregister_server(&self) -> HRESULT {
        self.dll_install(false, Scope::Machine)
    }

    /// The body of `DllInstall` (`regsvr32 /i:user`, `regsvr32 /u /i:user` with `/n` for a
    /// per-user install): `cmd_line` `user` registers in `HKEY_CURRENT_USER\Software\Classes`,
    /// anything else (or null) per machine.
    ///
    /// # Safety
    /// `cmd_line` is null or a NUL-terminated string.
    pub unsafe fn dll_install_command(&self, install: BOOL, cmd_line: PCWSTR) -> HRESULT {
        // SAFETY: the caller's contract.
        let user = !cmd_line.is_null()
            && unsafe { cmd_line.to_string() }.is_ok_and(|s| s.trim().eq_ignore_ascii_case("user"));
        let scope = if user { Scope::User } else { Scope::Machine };
        self.dll_install(install.as_bool(), scope)
    }

    fn dll_install(&self, install: bool, scope: Scope) -> HRESULT {
        let result = if install {
            self.register(ServerKind::InProcess, scope)
        } else {
            self.unregister(scope)
        };
        // The failing call's own error, as ATL's exports answer, which regsvr32 shows.
        match result {
            Ok(()) => S_OK,
            Err(e) => e.code(),
        }
    }
}

/// How a server is loaded: `InprocServer32` (a DLL) or `LocalServer32` (an EXE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// A DLL loaded into the client's process.
    InProcess,
    /// An EXE that COM starts, with `-Embedding`.
    Local,
}

/// The full path of the DLL or EXE this code is linked into.
pub fn module_path() -> Result<PathBuf> {
    let mut module = HMODULE::default();
    // SAFETY: with FROM_ADDRESS the "name" is an address inside this module; the handle is not
    // counted, and stays valid while this code runs.
    unsafe {
        GetModuleHandleExW(
            GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
            PCWSTR(module_path as *const () as *const u16),
            &mut module,
        )?;
    }
    let mut buffer = vec![0u16; 32_768];
    // SAFETY: the buffer is writable for its whole length.
    let len = unsafe { GetModuleFileNameW(Some(module), &mut buffer) } as usize;
    if len == 0 || len >= buffer.len() {
        return Err(Error::from_thread());
    }
    let path = String::from_utf16(&buffer[..len]).map_err(|_| Error::from_hresult(E_INVALIDARG))?;
    Ok(PathBuf::from(path))
}

/// The four exports of a COM server DLL (`DllGetClassObject`, `DllCanUnloadNow`,
/// `DllRegisterServer`, `DllUnregisterServer`), and `DllInstall` for per-user registration
/// (`regsvr32 /n /i:user`), over a [`Server`](crate::server::Server) static.
///
/// ```ignore
/// static SERVER: cpgen_runtime::server::Server =
///     generated::server(&[generated::ClockClass(MyClock::create)]);
/// cpgen_runtime::dll_exports!(SERVER);
/// ```
///
/// A crate whose classes come from several generated files writes the exports itself, trying
/// each file's server in turn (`CLASS_E_CLASSNOTAVAILABLE` means "not mine").
#[macro_export]
macro_rules! dll_exports {
    ($server:path) => {
        /// COM's entry point: the class factory of a class of this DLL.
        ///
        /// # Safety
        /// COM's contract: `rclsid` and `riid` valid, `ppv` writable.
        #[unsafe(no_mangle)]
        pub unsafe extern "system" fn DllGetClassObject(
            rclsid: *const ::windows_core::GUID,
            riid: *const ::windows_core::GUID,
            ppv: *mut *mut ::core::ffi::c_void,
        ) -> ::windows_core::HRESULT {
            // SAFETY: COM's contract, passed on.
            unsafe { $server.get_class_object(rclsid, riid, ppv) }
        }

        /// COM's entry point: whether the DLL may be unloaded (no object, no lock).
        #[unsafe(no_mangle)]
        pub extern "system" fn DllCanUnloadNow() -> ::windows_core::HRESULT {
            $server.can_unload_now()
        }

        /// `regsvr32`'s entry point: registers the classes and type library per machine.
        #[unsafe(no_mangle)]
        pub extern "system" fn DllRegisterServer() -> ::windows_core::HRESULT {
            $server.dll_register_server()
        }

        /// `regsvr32 /u`'s entry point: removes what `DllRegisterServer` wrote.
        #[unsafe(no_mangle)]
        pub extern "system" fn DllUnregisterServer() -> ::windows_core::HRESULT {
            $server.dll_unregister_server()
        }

        /// `regsvr32 /n /i:user` (and `/u`): registration for the current user only.
        ///
        /// # Safety
        /// `cmd_line` is null or a NUL-terminated string.
        #[unsafe(no_mangle)]
        pub unsafe extern "system" fn DllInstall(
            install: ::windows_core::BOOL,
            cmd_line: ::windows_core::PCWSTR,
        ) -> ::windows_core::HRESULT {
            // SAFETY: the caller's contract, passed on.
            unsafe { $server.dll_install_command(install, cmd_line) }
        }
    };
}
