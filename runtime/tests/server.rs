//! The server plumbing on its own: class factories, the object count `DllCanUnloadNow` answers
//! from, `DllGetClassObject`'s body, and per-user registration written and removed.

use std::ffi::c_void;
use std::ptr::null_mut;

use cpgen_runtime::Scope;
use cpgen_runtime::server::{Class, ObjectCount, Server, ServerKind, ThreadingModel};
use windows::Win32::Foundation::{CLASS_E_CLASSNOTAVAILABLE, CLASS_E_NOAGGREGATION, S_FALSE, S_OK};
use windows::Win32::System::Com::*;
use windows::Win32::System::Registry::{HKEY_CURRENT_USER, RRF_RT_REG_SZ, RegGetValueW};
use windows_core::*;

const CLSID_THING: GUID = GUID::from_u128(0x1b7e4c2a_93d5_4f08_a6e1_5c3d2b1a0f99);

/// An object of the test's class, counted while it lives.
#[implement(IPersist)]
struct Thing {
    _count: ObjectCount,
}

impl IPersist_Impl for Thing_Impl {
    fn GetClassID(&self) -> Result<GUID> {
        Ok(CLSID_THING)
    }
}

fn create() -> Result<IUnknown> {
    Ok(ComObject::new(Thing {
        _count: ObjectCount::new(),
    })
    .into_interface())
}

static CLASSES: [Class; 1] = [Class {
    clsid: CLSID_THING,
    description: "cpgen runtime test class",
    prog_id: Some("CpgenRuntimeTest.Thing.1"),
    version_independent_prog_id: Some("CpgenRuntimeTest.Thing"),
    threading_model: ThreadingModel::Both,
    create,
}];

static SERVER: Server = Server {
    classes: &CLASSES,
    type_library: None,
};

fn class_factory(clsid: &GUID) -> (HRESULT, Option<IClassFactory>) {
    let mut factory: *mut c_void = null_mut();
    // SAFETY: valid GUIDs and a writable pointer.
    let hr = unsafe { SERVER.get_class_object(clsid, &IClassFactory::IID, &mut factory) };
    // SAFETY: on success COM's contract gives an owned IClassFactory.
    let factory = (!factory.is_null()).then(|| unsafe { IClassFactory::from_raw(factory) });
    (hr, factory)
}

fn user_value(subkey: &str) -> Option<String> {
    let mut buffer = vec![0u16; 1024];
    let mut bytes = (buffer.len() * 2) as u32;
    let subkey = HSTRING::from(format!("Software\\Classes\\{subkey}"));
    // SAFETY: the buffer holds `bytes` bytes; NUL-terminated key name.
    let status = unsafe {
        RegGetValueW(
            HKEY_CURRENT_USER,
            &subkey,
            PCWSTR::null(),
            RRF_RT_REG_SZ,
            None,
            Some(buffer.as_mut_ptr().cast()),
            Some(&mut bytes),
        )
    };
    status
        .is_ok()
        .then(|| String::from_utf16_lossy(&buffer[..(bytes as usize / 2).saturating_sub(1)]))
}

/// One test, since the object count is the module's: factories, objects, locks and unloading.
#[test]
fn the_factory_makes_counted_objects_and_the_module_unloads_when_none_is_left() {
    // SAFETY: no reserved pointer.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    assert_eq!(SERVER.can_unload_now(), S_OK);
    let other = GUID::from_u128(1);
    assert_eq!(class_factory(&other).0, CLASS_E_CLASSNOTAVAILABLE);
    let (hr, factory) = class_factory(&CLSID_THING);
    assert_eq!(hr, S_OK);
    let factory = factory.unwrap();

    // SAFETY: plain COM calls with live interfaces.
    let thing: IPersist =
        unsafe { factory.CreateInstance::<Option<&IUnknown>, IPersist>(None) }.unwrap();
    assert_eq!(unsafe { thing.GetClassID() }.unwrap(), CLSID_THING);
    assert_eq!(SERVER.can_unload_now(), S_FALSE, "an object lives");
    drop(thing);
    assert_eq!(SERVER.can_unload_now(), S_OK);

    let outer: IUnknown = create().unwrap();
    // SAFETY: as above.
    let aggregated = unsafe { factory.CreateInstance::<_, IPersist>(&outer) };
    assert_eq!(aggregated.unwrap_err().code(), CLASS_E_NOAGGREGATION);
    drop(outer);

    // SAFETY: as above.
    unsafe { factory.LockServer(true) }.unwrap();
    assert_eq!(SERVER.can_unload_now(), S_FALSE, "a client holds a lock");
    unsafe { factory.LockServer(false) }.unwrap();
    assert_eq!(SERVER.can_unload_now(), S_OK);
}

/// Per-user registration: the keys under `HKEY_CURRENT_USER\Software\Classes`, and none left
/// after unregistration (twice is fine).
#[test]
fn per_user_registration_is_written_and_removed_whole() {
    let key = format!("CLSID\\{{{CLSID_THING:?}}}");
    let module = cpgen_runtime::server::module_path().unwrap();
    SERVER.register(ServerKind::InProcess, Scope::User).unwrap();
    assert_eq!(
        user_value(&key).as_deref(),
        Some("cpgen runtime test class")
    );
    assert_eq!(
        user_value(&format!("{key}\\InprocServer32")),
        Some(module.display().to_string())
    );
    assert_eq!(
        user_value("CpgenRuntimeTest.Thing\\CurVer").as_deref(),
        Some("CpgenRuntimeTest.Thing.1")
    );
    // Moving the class to an EXE replaces InprocServer32 with LocalServer32.
    SERVER.register(ServerKind::Local, Scope::User).unwrap();
    assert_eq!(user_value(&format!("{key}\\InprocServer32")), None);
    assert_eq!(
        user_value(&format!("{key}\\LocalServer32")),
        Some(format!("\"{}\"", module.display()))
    );
    SERVER.unregister(Scope::User).unwrap();
    for subkey in [
        key.as_str(),
        "CpgenRuntimeTest.Thing",
        "CpgenRuntimeTest.Thing.1",
    ] {
        assert_eq!(user_value(subkey), None, "{subkey} left behind");
    }
    SERVER.unregister(Scope::User).unwrap();
}
