//! Rust objects implement the rendered interfaces with #[implement] (the custom
//! IClockSink, and the dual IClock over the windows crate's IDispatch_Impl) and
//! are called through them.
#![deny(warnings)]

use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

use cpgen_wine_bindings_check::clock::{
    Alarmed, ClockState, IClock, IClock_Impl, IClockSink, IClockSink_Impl, Running, Stopped,
};
use windows::Win32::Foundation::{E_NOTIMPL, VARIANT_BOOL, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IDispatch,
    IDispatch_Impl,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{AsImpl, BSTR, GUID, IUnknown, Interface, Result, implement};

/// Records the events it gets; asks to snooze every alarm.
#[implement(IClockSink)]
#[derive(Default)]
struct Sink {
    events: Mutex<Vec<String>>,
}

impl IClockSink_Impl for Sink_Impl {
    fn OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        self.events
            .lock()
            .unwrap()
            .push(format!("tick {seconds} {fraction}"));
        Ok(())
    }

    fn OnAlarm(&self, label: &BSTR) -> Result<VARIANT_BOOL> {
        self.events.lock().unwrap().push(format!("alarm {label}"));
        Ok(VARIANT_TRUE)
    }
}

#[test]
fn iids_are_the_idl_uuids() {
    assert_eq!(
        IClockSink::IID,
        GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7eb)
    );
    assert_eq!(
        IClock::IID,
        GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7e9)
    );
}

#[test]
fn enum_members_keep_their_values() {
    assert_eq!(
        [Stopped, Running, Alarmed],
        [ClockState(0), ClockState(1), ClockState(2)]
    );
}

#[test]
fn rust_sink_is_called_through_the_interface() -> Result<()> {
    // SAFETY: no reserved pointer; the test thread stays in the MTA.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    let object = Sink::default();
    let sink: IClockSink = object.into();
    // Round-trip through IUnknown, as a connection point holds its sinks.
    let unknown: IUnknown = sink.cast()?;
    let sink: IClockSink = unknown.cast()?;
    assert!(
        sink.cast::<IDispatch>().is_err(),
        "the sink is not a dispatch object"
    );

    // SAFETY: calls through a live interface pointer with valid arguments.
    let snooze = unsafe {
        sink.OnTick(42, 0.5)?;
        sink.OnAlarm(&BSTR::from("wake up"))?
    };
    assert_eq!(snooze, VARIANT_TRUE);
    // SAFETY: `sink` wraps a `Sink`, made above.
    let events = unsafe { sink.as_impl() }.events.lock().unwrap().clone();
    assert_eq!(events, ["tick 42 0.5", "alarm wake up"]);
    Ok(())
}

/// A clock whose IDispatch half is not implemented: only the vtable is used.
#[implement(IClock)]
#[derive(Default)]
struct Clock {
    seconds: AtomicI32,
    alarm: Mutex<Option<(String, i32)>>,
}

impl IClock_Impl for Clock_Impl {
    fn Seconds(&self) -> Result<i32> {
        Ok(self.seconds.load(Ordering::Relaxed))
    }

    fn SetSeconds(&self, seconds: i32) -> Result<()> {
        self.seconds.store(seconds, Ordering::Relaxed);
        Ok(())
    }

    fn Start(&self) -> Result<()> {
        Err(E_NOTIMPL.into())
    }

    fn SetAlarm(&self, label: &BSTR, after: i32) -> Result<()> {
        *self.alarm.lock().unwrap() = Some((label.to_string(), after));
        Ok(())
    }
}

impl IDispatch_Impl for Clock_Impl {
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
        _argerr: *mut u32,
    ) -> Result<()> {
        Err(E_NOTIMPL.into())
    }
}

#[test]
fn dual_interface_properties_and_methods() -> Result<()> {
    let clock: IClock = Clock::default().into();
    // The dual interface is also its IDispatch base.
    let dispatch: IDispatch = clock.cast()?;
    // SAFETY: calls through live interface pointers with valid arguments.
    unsafe {
        assert_eq!(dispatch.GetTypeInfoCount()?, 0);
        clock.SetSeconds(90)?;
        assert_eq!(clock.Seconds()?, 90);
        assert_eq!(clock.Start().unwrap_err().code(), E_NOTIMPL);
        clock.SetAlarm(&BSTR::from("tea"), 60)?;
    }
    // SAFETY: `clock` wraps a `Clock`, made above.
    let alarm = unsafe { clock.as_impl() }.alarm.lock().unwrap().clone();
    assert_eq!(alarm, Some(("tea".to_string(), 60)));
    Ok(())
}
