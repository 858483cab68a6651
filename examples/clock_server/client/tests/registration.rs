//! DllRegisterServer / DllUnregisterServer: what regsvr32 and `regsvr32 /u` call.

use clock_client::generated::{CLSID_Clock, LIBID_ClockLib};
use clock_client::{call_export, call_registration, create_clock, dll_install, server_dll};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use windows::Win32::Foundation::{REGDB_E_CLASSNOTREG, S_FALSE, S_OK};
use windows::Win32::System::Com::{CLSIDFromProgID, COINIT_MULTITHREADED, CoInitializeEx};
use windows::Win32::System::Ole::{LoadRegTypeLib, QueryPathOfRegTypeLib};
use windows::Win32::System::Registry::{
    HKEY, HKEY_CLASSES_ROOT, HKEY_CURRENT_USER, RRF_RT_REG_SZ, RegGetValueW,
};
use windows_core::{HSTRING, PCWSTR};

/// The tests take turns: one of them unregisters the class the other creates.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn unregistering_removes_the_class_and_registering_restores_it() {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
    call_registration(&dll, "DllRegisterServer").unwrap();
    create_clock().expect("registered");
    call_registration(&dll, "DllUnregisterServer").unwrap();
    let error = create_clock().map(drop).expect_err("unregistered");
    assert_eq!(error.code(), REGDB_E_CLASSNOTREG);
    // Unregistering twice is fine; leave it registered for the next run.
    call_registration(&dll, "DllUnregisterServer").unwrap();
    call_registration(&dll, "DllRegisterServer").unwrap();
    create_clock().expect("registered again");
}

/// DllCanUnloadNow: S_FALSE while a clock lives, S_OK once the last one is released.
#[test]
fn the_dll_can_unload_once_its_objects_are_gone() {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: as above.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
    call_registration(&dll, "DllRegisterServer").unwrap();
    let clock = create_clock().expect("registered");
    assert_eq!(call_export(&dll, "DllCanUnloadNow").unwrap(), S_FALSE);
    drop(clock);
    assert_eq!(call_export(&dll, "DllCanUnloadNow").unwrap(), S_OK);
}

/// The way the DLL is installed in practice: Wine's own regsvr32, a separate process, calls the
/// same exports.
#[test]
fn regsvr32_registers_and_unregisters_the_dll() {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: as above.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
    let regsvr32 = |args: &[&str]| {
        let status = Command::new("regsvr32")
            .args(args)
            .arg(&dll)
            .status()
            .expect("run regsvr32");
        assert!(status.success(), "regsvr32 {args:?}: {status}");
    };
    regsvr32(&["/s", "/u"]);
    let error = create_clock()
        .map(drop)
        .expect_err("unregistered by regsvr32 /u");
    assert_eq!(error.code(), REGDB_E_CLASSNOTREG);
    regsvr32(&["/s"]);
    create_clock().expect("registered by regsvr32");
}

/// The default value of `root\subkey`, if the key exists.
fn value(root: HKEY, subkey: &str) -> Option<String> {
    let mut buffer = vec![0u16; 1024];
    let mut bytes = (buffer.len() * 2) as u32;
    // SAFETY: the buffer holds `bytes` bytes; NUL-terminated key name.
    let status = unsafe {
        RegGetValueW(
            root,
            &HSTRING::from(subkey),
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

/// What `DllRegisterServer` writes besides the class: the ProgIDs scripts create the clock by
/// (`CreateObject("ClockLib.Clock")`), `TypeLib` and `Version`, and the type library itself,
/// saved beside the DLL and found by LIBID.
#[test]
fn registration_names_the_prog_ids_and_the_type_library() {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: as above.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
    call_registration(&dll, "DllRegisterServer").unwrap();
    let key = format!("CLSID\\{{{CLSID_Clock:?}}}");
    let hkcr = |subkey: &str| value(HKEY_CLASSES_ROOT, subkey);
    assert_eq!(
        hkcr(&format!("{key}\\InprocServer32")),
        Some(dll.display().to_string())
    );
    assert_eq!(
        hkcr(&format!("{key}\\ProgID")).as_deref(),
        Some("ClockLib.Clock.1")
    );
    assert_eq!(
        hkcr(&format!("{key}\\VersionIndependentProgID")).as_deref(),
        Some("ClockLib.Clock")
    );
    assert_eq!(
        hkcr(&format!("{key}\\TypeLib")),
        Some(format!("{{{LIBID_ClockLib:?}}}"))
    );
    assert_eq!(hkcr(&format!("{key}\\Version")).as_deref(), Some("1.0"));
    for prog_id in ["ClockLib.Clock", "ClockLib.Clock.1"] {
        // SAFETY: a NUL-terminated ProgID.
        let clsid = unsafe { CLSIDFromProgID(&HSTRING::from(prog_id)) }.unwrap();
        assert_eq!(clsid, CLSID_Clock, "{prog_id}");
    }
    assert_eq!(
        hkcr("ClockLib.Clock\\CurVer").as_deref(),
        Some("ClockLib.Clock.1")
    );
    // SAFETY: plain type library calls.
    let path = unsafe { QueryPathOfRegTypeLib(&LIBID_ClockLib, 1, 0, 0) }.unwrap();
    assert_eq!(
        path.to_string(),
        dll.with_extension("tlb").display().to_string()
    );
    unsafe { LoadRegTypeLib(&LIBID_ClockLib, 1, 0, 0) }.expect("found by LIBID");

    call_registration(&dll, "DllUnregisterServer").unwrap();
    for subkey in [key.as_str(), "ClockLib.Clock", "ClockLib.Clock.1"] {
        assert_eq!(hkcr(subkey), None, "{subkey} left behind");
    }
    // SAFETY: as above.
    assert!(unsafe { LoadRegTypeLib(&LIBID_ClockLib, 1, 0, 0) }.is_err());
    assert!(
        !dll.with_extension("tlb").exists(),
        "the saved .tlb removed"
    );
    call_registration(&dll, "DllRegisterServer").unwrap();
}

/// Per-user registration (`regsvr32 /n /i:user`, `DllInstall(TRUE, "user")`): the same keys
/// under `HKEY_CURRENT_USER\Software\Classes`, all removed by `DllInstall(FALSE, "user")`,
/// and the machine's registration untouched. Wine 8's COM does not read per-user classes for
/// `CoCreateInstance`, so the keys themselves are what is checked.
#[test]
fn dll_install_registers_and_unregisters_for_the_current_user() {
    let _turn = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: as above.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
    let dll = server_dll().expect("clock_server.dll beside the test (cargo test builds it)");
    call_registration(&dll, "DllRegisterServer").unwrap();
    let key = format!("CLSID\\{{{CLSID_Clock:?}}}");
    let user = |subkey: &str| value(HKEY_CURRENT_USER, &format!("Software\\Classes\\{subkey}"));
    dll_install(&dll, true, "user").unwrap();
    assert_eq!(
        user(&format!("{key}\\InprocServer32")),
        Some(dll.display().to_string())
    );
    assert_eq!(
        user("ClockLib.Clock.1\\CLSID"),
        Some(format!("{{{CLSID_Clock:?}}}"))
    );
    assert_eq!(
        user("ClockLib.Clock\\CurVer").as_deref(),
        Some("ClockLib.Clock.1")
    );
    dll_install(&dll, false, "user").unwrap();
    for subkey in [key.as_str(), "ClockLib.Clock", "ClockLib.Clock.1"] {
        assert_eq!(user(subkey), None, "{subkey} left behind");
    }
    let machine = value(HKEY_CLASSES_ROOT, &format!("{key}\\InprocServer32"));
    assert_eq!(machine, Some(dll.display().to_string()));
    // The per-user unregistration may have taken the type library's registration with it
    // (Wine registers per-user libraries per machine); register again for the next test.
    call_registration(&dll, "DllRegisterServer").unwrap();
    create_clock().expect("registered");
}
