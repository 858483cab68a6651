//! What a COM server's installer registers, for the tests that marshal the
//! clock's source interfaces between apartments: widl's type library of
//! clock.idl and, for IClockSink, a proxy. Registered in the bench's Wine
//! prefix while a guard lives (the last guard of a kind unregisters), as a
//! real server's registration would be present.

use std::sync::Mutex;

use cpgen_clock_events::generated::{IID_IClockSink, LIBID_ClockLib};
use windows::Win32::Foundation::WIN32_ERROR;
use windows::Win32::System::Com::SYS_WIN64;
use windows::Win32::System::Ole::{RegisterTypeLib, UnRegisterTypeLib};
use windows::Win32::System::Registry::{
    HKEY_CLASSES_ROOT, REG_SZ, RegDeleteTreeW, RegSetKeyValueW,
};
use windows_core::{GUID, HSTRING, Result};

use crate::support::lock;
use crate::typelib::{type_lib, type_lib_path};

/// The registered type library: what lets COM marshal DClockEvents between
/// apartments (oleaut32's IDispatch proxy, under the dispinterface's IID).
pub struct TypeLibRegistration;

static TYPE_LIB_USERS: Mutex<usize> = Mutex::new(0);

impl TypeLibRegistration {
    pub fn new() -> Result<Self> {
        let mut users = lock(&TYPE_LIB_USERS);
        if *users == 0 {
            // SAFETY: the path outlives the call; no help folder.
            unsafe { RegisterTypeLib(&type_lib()?, type_lib_path(), None) }?;
        }
        *users += 1;
        Ok(Self)
    }
}

impl Drop for TypeLibRegistration {
    fn drop(&mut self) {
        let mut users = lock(&TYPE_LIB_USERS);
        *users -= 1;
        if *users == 0 {
            // SAFETY: plain call; a failure leaves a stale key in the test prefix.
            let _ = unsafe { UnRegisterTypeLib(&LIBID_ClockLib, 1, 0, 0, SYS_WIN64) };
        }
    }
}

/// oleaut32's type library marshaler (PSOAInterface) as IClockSink's proxy,
/// described by the registered type library: what RegisterTypeLib writes for
/// an [oleautomation] interface, which clock.idl does not mark IClockSink.
pub struct SinkProxyRegistration {
    _type_lib: TypeLibRegistration,
}

/// `Interface\{IID_IClockSink}` under HKEY_CLASSES_ROOT.
fn interface_key() -> String {
    format!("Interface\\{{{IID_IClockSink:?}}}")
}

/// Writes a string value under HKEY_CLASSES_ROOT.
fn set(key: &str, name: Option<&str>, value: &str) -> Result<()> {
    let value: Vec<u16> = value.encode_utf16().chain([0]).collect();
    let name = name.map(HSTRING::from).unwrap_or_default();
    // SAFETY: the strings outlive the call; the size is the value's, in bytes.
    unsafe {
        RegSetKeyValueW(
            HKEY_CLASSES_ROOT,
            &HSTRING::from(key),
            &name,
            REG_SZ.0,
            Some(value.as_ptr().cast()),
            (value.len() * 2) as u32,
        )
    }
    .ok()
}

impl SinkProxyRegistration {
    pub fn new() -> Result<Self> {
        let type_lib = TypeLibRegistration::new()?;
        const PS_OA_INTERFACE: GUID = GUID::from_u128(0x00020424_0000_0000_c000_000000000046);
        let key = interface_key();
        set(&key, None, "IClockSink")?;
        set(
            &format!("{key}\\ProxyStubClsid32"),
            None,
            &format!("{{{PS_OA_INTERFACE:?}}}"),
        )?;
        set(
            &format!("{key}\\TypeLib"),
            None,
            &format!("{{{LIBID_ClockLib:?}}}"),
        )?;
        set(&format!("{key}\\TypeLib"), Some("Version"), "1.0")?;
        Ok(Self {
            _type_lib: type_lib,
        })
    }
}

impl Drop for SinkProxyRegistration {
    fn drop(&mut self) {
        // SAFETY: plain call; a failure leaves a stale key in the test prefix.
        let _: WIN32_ERROR =
            unsafe { RegDeleteTreeW(HKEY_CLASSES_ROOT, &HSTRING::from(interface_key())) };
    }
}
