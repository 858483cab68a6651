//! Property change notification: the `IPropertyNotifySink` connection point that ActiveX
//! controls give their containers (ATL's `IPropertyNotifySinkCP`), and asking its sinks
//! whether a property may change.
//!
//! Telling them that a property changed is an ordinary fire of `OnChanged` (the generated
//! `IPropertyNotifySinkProxy::Fire_OnChanged`, ATL's `CFirePropNotifyEvent::FireOnChanged`).
//! Asking is not: `OnRequestEdit` refuses with `S_FALSE`, a success code that a
//! `Result`-returning call cannot tell from `S_OK`, so [`request_edit`] reads each sink's
//! HRESULT itself.

use std::cell::Cell;

use windows::Win32::Foundation::S_FALSE;
use windows::Win32::System::Ole::IPropertyNotifySink;
use windows_core::{Interface, Result};

use crate::Sinks;
use crate::sinks::Hold;

/// Asks every sink connected to `sinks` whether property `dispid` may change
/// (`IPropertyNotifySink::OnRequestEdit`), as ATL's `CFirePropNotifyEvent::FireOnRequestEdit`
/// and MFC's `COleControl::BoundPropertyRequestEdit` do before a change.
///
/// `Ok(true)`: every sink answered `S_OK`, so the change may go ahead. `Ok(false)`: some sink
/// answered `S_FALSE`, which refuses the change whatever the others said. Otherwise the first
/// sink's error, when one failed: ATL goes ahead anyway (`unwrap_or(true)`), MFC does not
/// (`unwrap_or(false)`). Every sink is asked, even after one refused or failed; a sink found
/// gone is unadvised, as by any fire.
pub fn request_edit<H: Hold<IPropertyNotifySink, Target = IPropertyNotifySink>>(
    sinks: &Sinks<IPropertyNotifySink, H>,
    dispid: i32,
) -> Result<bool> {
    let refused = Cell::new(false);
    let asked: Result<()> = sinks.fire(|sink| {
        // SAFETY: a call through a live sink's vtable, with the DISPID by value.
        let answer = unsafe { (sink.vtable().OnRequestEdit)(sink.as_raw(), dispid) };
        if answer == S_FALSE {
            refused.set(true);
        }
        answer.ok()
    });
    if refused.get() {
        return Ok(false);
    }
    asked.map(|()| true)
}
