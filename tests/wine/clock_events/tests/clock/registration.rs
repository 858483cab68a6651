//! The generated registration functions of fixtures/sinks.idl's library
//! (`save_type_library`, `register_type_library`, `unregister_type_library`): the saved file
//! reads back as the library `type_library()` builds, `LoadRegTypeLib` finds it by LIBID once
//! registered and not after, and oleaut32's type-library marshaler carries a dual vtable sink's
//! calls between apartments from that registration alone (no widl type library is registered
//! or written for SinksLib here).

use std::path::PathBuf;
use std::thread::{self, ThreadId};

use cpgen_clock_events::sinks::{
    IDualEvents, IDualEvents_Impl, IID_IDualEvents, LIBID_SinksLib, register_type_library,
    save_type_library, type_library, unregister_type_library,
};
use cpgen_runtime::Scope;
use windows::Win32::Foundation::{TYPE_E_LIBNOTREGISTERED, WIN32_ERROR};
use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, CoCreateInstance, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IDispatch_Impl,
    IGlobalInterfaceTable, ITypeLib, TKIND_DISPATCH,
};
use windows::Win32::System::Ole::{
    LoadRegTypeLib, LoadTypeLibEx, QueryPathOfRegTypeLib, REGKIND_NONE,
};
use windows::Win32::System::Registry::{
    HKEY, HKEY_CLASSES_ROOT, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ, RegGetValueW,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{BSTR, ComObject, GUID, HSTRING, Interface, Result, implement};

use crate::apartments::{on_sta, pump_until};
use crate::support::enter_mta;
use crate::described::{Described, describe, is_dual, other_side};


/// A file of this test process's in the temporary folder.
fn temp_tlb(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cpgen-{name}-{}.tlb", std::process::id()))
}

/// Every type of `library`, as a client reads it; a dual interface by its interface side (a
/// library oleaut32 loads from a file hands out the dispatch side, one it builds the interface
/// side).
fn types(library: &ITypeLib) -> Result<Vec<Described>> {
    // SAFETY: plain COM calls on a live library.
    unsafe {
        (0..library.GetTypeInfoCount())
            .map(|index| {
                let info = library.GetTypeInfo(index)?;
                let described = describe(&info)?;
                if described.kind == TKIND_DISPATCH.0 && is_dual(&info)? {
                    describe(&other_side(&info)?)
                } else {
                    Ok(described)
                }
            })
            .collect()
    }
}

/// Asserts that two libraries hold the same types, type by type.
fn assert_same_types(left: &ITypeLib, right: &ITypeLib) -> Result<()> {
    let (left, right) = (types(left)?, types(right)?);
    assert!(!left.is_empty());
    assert_eq!(left.len(), right.len());
    for (left, right) in left.iter().zip(&right) {
        assert_eq!(left, right, "{}", left.name);
    }
    Ok(())
}

/// `key`'s default value under `root`, if the key exists.
fn registry_value(root: HKEY, key: &str) -> Option<String> {
    let mut buffer = [0u16; 260];
    let mut size = (buffer.len() * 2) as u32;
    // SAFETY: the buffer and its size outlive the call, which writes at most `size` bytes.
    let found: WIN32_ERROR = unsafe {
        RegGetValueW(
            root,
            &HSTRING::from(key),
            None,
            RRF_RT_REG_SZ,
            None,
            Some(buffer.as_mut_ptr().cast()),
            Some(&mut size),
        )
    };
    found.is_ok().then(|| {
        let len = buffer.iter().position(|&c| c == 0).unwrap_or(buffer.len());
        String::from_utf16_lossy(&buffer[..len])
    })
}

/// SinksLib's `TypeLib` key (version 1.0, LCID 0, win64).
fn type_lib_key() -> String {
    format!("Software\\Classes\\TypeLib\\{{{LIBID_SinksLib:?}}}\\1.0\\0\\win64")
}

/// The registered path of SinksLib 1.0, or the error `QueryPathOfRegTypeLib` gives.
fn registered_path() -> Result<String> {
    // SAFETY: plain call; the BSTR is owned by the result.
    unsafe { QueryPathOfRegTypeLib(&LIBID_SinksLib, 1, 0, 0) }.map(|p| p.to_string())
}

#[test]
fn the_saved_file_is_the_built_library() -> Result<()> {
    let path = temp_tlb("saved-sinks");
    save_type_library(&path)?;
    // SAFETY: the path outlives the call.
    let saved = unsafe { LoadTypeLibEx(&HSTRING::from(path.as_path()), REGKIND_NONE) }?;
    assert_same_types(&saved, &type_library()?)?;
    std::fs::remove_file(&path).expect("remove the saved library");
    Ok(())
}

#[test]
fn a_registered_library_is_found_by_libid_until_unregistered() -> Result<()> {
    // One registration of SinksLib at a time (the tests register and unregister the same
    // LIBID), and none while other tests cross apartments.
    let _one = crate::support::crossing_apartments();
    let path = temp_tlb("registered-sinks");
    register_type_library(&path, Scope::Machine)?;
    // SAFETY: plain call.
    let found = unsafe { LoadRegTypeLib(&LIBID_SinksLib, 1, 0, 0) }?;
    assert_same_types(&found, &type_library()?)?;
    assert_eq!(registered_path()?, path.to_string_lossy());
    // RegisterTypeLib gives the [oleautomation] and dual interfaces oleaut32's marshaler.
    let proxy = registry_value(
        HKEY_CLASSES_ROOT,
        &format!("Interface\\{{{IID_IDualEvents:?}}}\\ProxyStubClsid32"),
    );
    assert_eq!(
        proxy.as_deref(),
        Some("{00020424-0000-0000-C000-000000000046}")
    );
    unregister_type_library(Scope::Machine)?;
    // SAFETY: plain call.
    let gone = unsafe { LoadRegTypeLib(&LIBID_SinksLib, 1, 0, 0) }.unwrap_err();
    assert_eq!(gone.code(), TYPE_E_LIBNOTREGISTERED);
    assert_eq!(registry_value(HKEY_LOCAL_MACHINE, &type_lib_key()), None);
    std::fs::remove_file(&path).expect("remove the registered library");
    Ok(())
}

/// Where Wine 8's `RegisterTypeLibForUser` writes: the test reports the key it finds, so a
/// Wine that registers per user (HKEY_CURRENT_USER\Software\Classes) passes as well as one
/// that registers for the machine, and unregistering for the user removes it either way.
#[test]
fn a_library_registered_for_the_user_is_found_until_unregistered() -> Result<()> {
    // One registration of SinksLib at a time (the tests register and unregister the same
    // LIBID), and none while other tests cross apartments.
    let _one = crate::support::crossing_apartments();
    let path = temp_tlb("user-sinks");
    register_type_library(&path, Scope::User)?;
    let key = type_lib_key();
    let (user, machine) = (
        registry_value(HKEY_CURRENT_USER, &key),
        registry_value(HKEY_LOCAL_MACHINE, &key),
    );
    println!("RegisterTypeLibForUser wrote: HKCU {user:?}, HKLM {machine:?}");
    let expected = path.to_string_lossy().into_owned();
    assert!(
        user.as_deref() == Some(&expected) || machine.as_deref() == Some(&expected),
        "{user:?} {machine:?}"
    );
    assert_eq!(registered_path()?, expected);
    unregister_type_library(Scope::User)?;
    assert_eq!(registry_value(HKEY_CURRENT_USER, &key), None);
    assert_eq!(registry_value(HKEY_LOCAL_MACHINE, &key), None);
    assert_eq!(
        registered_path().unwrap_err().code(),
        TYPE_E_LIBNOTREGISTERED
    );
    std::fs::remove_file(&path).expect("remove the registered library");
    Ok(())
}

/// The calls a [`DualSink`] received, with their thread.
type Calls = cpgen_wine_support::Calls<(ThreadId, String)>;

/// An apartment-threaded IDualEvents sink (no free-threaded marshaler, as a C++ or VB client's
/// is), so another apartment reaches it only through a proxy.
#[implement(IDualEvents, Agile = false)]
struct DualSink(Calls);

impl DualSink {
    fn record(&self, call: String) {
        self.0.record((thread::current().id(), call));
    }
}

impl IDualEvents_Impl for DualSink_Impl {
    fn Ping(&self, n: i32, note: &BSTR) -> Result<()> {
        self.record(format!("Ping({n}, {note})"));
        Ok(())
    }

    fn Swap(&self, value: *mut i32) -> Result<()> {
        // SAFETY: the stub lends a live [in, out] long.
        let old = unsafe { *value };
        self.record(format!("Swap({old})"));
        // SAFETY: as above.
        unsafe { *value = old * 10 + 1 };
        Ok(())
    }

    fn Tagged(&self, n: i32, count: i32, label: &BSTR) -> Result<()> {
        self.record(format!("Tagged({n}, {count}, {label})"));
        Ok(())
    }
}

impl IDispatch_Impl for DualSink_Impl {
    cpgen_wine_support::dispatch_without_type_info!();

    fn Invoke(
        &self,
        _dispid: i32,
        _riid: *const GUID,
        _lcid: u32,
        _flags: DISPATCH_FLAGS,
        _params: *const DISPPARAMS,
        _result: *mut VARIANT,
        _excepinfo: *mut EXCEPINFO,
        _arg_err: *mut u32,
    ) -> Result<()> {
        // The proxy calls the vtable: an Invoke would mean the calls went another way.
        self.record("Invoke".into());
        Ok(())
    }
}

/// CLSID_StdGlobalInterfaceTable, which the windows crate does not define.
const STD_GLOBAL_INTERFACE_TABLE: GUID = GUID::from_u128(0x00000323_0000_0000_c000_000000000046);

/// The process's Global Interface Table, which marshals what it is given for other apartments.
fn global_table() -> Result<IGlobalInterfaceTable> {
    // SAFETY: plain call.
    unsafe { CoCreateInstance(&STD_GLOBAL_INTERFACE_TABLE, None, CLSCTX_INPROC_SERVER) }
}

#[test]
fn the_type_library_marshaler_calls_a_dual_sink_in_another_apartment() -> Result<()> {
    // One registration of SinksLib at a time (the tests register and unregister the same
    // LIBID), and none while other tests cross apartments.
    let _one = crate::support::crossing_apartments();
    let path = temp_tlb("marshaled-sinks");
    register_type_library(&path, Scope::Machine)?;
    let outcome = on_sta(|| {
        let calls = Calls::default();
        let sink: IDualEvents = ComObject::new(DualSink(calls.clone())).to_interface();
        let table = global_table()?;
        // SAFETY: plain call; the cookie is revoked below.
        let cookie = unsafe { table.RegisterInterfaceInGlobal(&sink, &IDualEvents::IID) }?;
        let worker = thread::spawn(move || -> Result<(i32, ThreadId)> {
            enter_mta()?;
            let mut raw = std::ptr::null_mut();
            // SAFETY: the cookie holds IDualEvents; `raw` receives one reference, owned below.
            let proxy = unsafe {
                global_table()?.GetInterfaceFromGlobal(cookie, &IDualEvents::IID, &mut raw)?;
                IDualEvents::from_raw(raw)
            };
            let mut value = 4;
            // SAFETY: plain calls through the proxy; `value` outlives the call.
            unsafe {
                proxy.Ping(7, &BSTR::from("across"))?;
                proxy.Swap(&mut value)?;
                proxy.Tagged(2, 3, &BSTR::from("optional"))?;
            }
            Ok((value, thread::current().id()))
        });
        let outcome = pump_until(worker);
        // SAFETY: the cookie registered above.
        unsafe { table.RevokeInterfaceFromGlobal(cookie) }?;
        let (value, worker) = outcome?;
        Ok((calls, value, thread::current().id(), worker))
    });
    let unregistered = unregister_type_library(Scope::Machine);
    std::fs::remove_file(&path).expect("remove the registered library");
    let (calls, value, sta, worker) = outcome?;
    unregistered?;
    assert_ne!(sta, worker);
    assert_eq!(
        calls.seen(),
        [
            (sta, "Ping(7, across)".to_string()),
            (sta, "Swap(4)".to_string()),
            (sta, "Tagged(2, 3, optional)".to_string()),
        ]
    );
    // The [in, out] value came back through the proxy.
    assert_eq!(value, 41);
    Ok(())
}

#[test]
fn without_the_registration_the_dual_sink_cannot_be_marshaled() -> Result<()> {
    // One registration of SinksLib at a time (the tests register and unregister the same
    // LIBID), and none while other tests cross apartments.
    let _one = crate::support::crossing_apartments();
    on_sta(|| {
        let sink: IDualEvents = ComObject::new(DualSink(Calls::default())).to_interface();
        // SAFETY: plain call; a registration made by mistake is revoked.
        let refused =
            unsafe { global_table()?.RegisterInterfaceInGlobal(&sink, &IDualEvents::IID) };
        if let Ok(cookie) = refused {
            // SAFETY: the cookie registered above.
            unsafe { global_table()?.RevokeInterfaceFromGlobal(cookie) }?;
        }
        assert!(refused.is_err(), "marshaled without a registered library");
        Ok(())
    })
}
