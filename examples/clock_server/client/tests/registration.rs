//! DllRegisterServer / DllUnregisterServer: what regsvr32 and `regsvr32 /u` call.

use clock_client::{call_registration, create_clock, server_dll};
use windows::Win32::Foundation::REGDB_E_CLASSNOTREG;
use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx};

#[test]
fn unregistering_removes_the_class_and_registering_restores_it() {
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
