//! The floor `Fire_` is measured against: a hand-written loop over the same
//! sinks' raw interface pointers, with no table, lock, snapshot or report,
//! keeping the first failure as `Fire_` does.

use std::ffi::c_void;
use std::mem::ManuallyDrop;

use windows::Win32::Foundation::{S_OK, VARIANT_BOOL};
use windows::Win32::System::Com::{DISPATCH_METHOD, DISPPARAMS, IDispatch_Vtbl};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VARIANT_0, VARIANT_0_0, VARIANT_0_0_0, VT_BOOL, VT_BYREF,
};
use windows_core::{BSTR, GUID, HRESULT};

use crate::generated::{DClockEventsProxy, IClockSink_Vtbl};

/// `OnTick(seconds, fraction)` on every sink, straight through its vtable.
pub fn ticks(sinks: &[*mut c_void], seconds: i32, fraction: f64) -> HRESULT {
    let mut first = S_OK;
    for &sink in sinks {
        // SAFETY: live IClockSink pointers, called with OnTick's ABI.
        let result = unsafe {
            ((**(sink as *const *const IClockSink_Vtbl)).OnTick)(sink, seconds, fraction)
        };
        if result.is_err() && first.is_ok() {
            first = result;
        }
    }
    first
}

/// `Alarm(label, snooze)` on every sink through `IDispatch::Invoke`, as ATL's
/// wizard-written `Fire_` does it: the arguments built once, then one Invoke
/// per sink with a result VARIANT.
pub fn alarms(sinks: &[*mut c_void], label: &BSTR, snooze: &mut VARIANT_BOOL) -> HRESULT {
    // Last parameter first, as DISPPARAMS wants.
    let mut args = [bool_by_ref(snooze), VARIANT::from(label.clone())];
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: 2,
        cNamedArgs: 0,
    };
    let mut first = S_OK;
    for &sink in sinks {
        let mut result = VARIANT::default();
        // SAFETY: live IDispatch pointers; params, its arguments and result
        // outlive the call.
        let invoked = unsafe {
            ((**(sink as *const *const IDispatch_Vtbl)).Invoke)(
                sink,
                DClockEventsProxy::DISPID_Alarm,
                &GUID::zeroed(),
                0,
                DISPATCH_METHOD,
                &params,
                &mut result,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        if invoked.is_err() && first.is_ok() {
            first = invoked;
        }
    }
    first
}

/// `VT_BOOL | VT_BYREF` pointing at `value`.
fn bool_by_ref(value: &mut VARIANT_BOOL) -> VARIANT {
    VARIANT {
        Anonymous: VARIANT_0 {
            Anonymous: ManuallyDrop::new(VARIANT_0_0 {
                vt: VARENUM(VT_BOOL.0 | VT_BYREF.0),
                wReserved1: 0,
                wReserved2: 0,
                wReserved3: 0,
                Anonymous: VARIANT_0_0_0 { pboolVal: value },
            }),
        },
    }
}
