//! DllRegisterServer / DllUnregisterServer: what regsvr32 and `regsvr32 /u` call.

use clock_client::{call_export, call_registration, create_clock, server_dll};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use windows::Win32::Foundation::{REGDB_E_CLASSNOTREG, S_FALSE, S_OK};

use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx};

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
