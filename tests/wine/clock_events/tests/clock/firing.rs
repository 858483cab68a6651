//! Fire_ methods: what each kind of sink receives, and how failures add up.

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClockSink, Running, Stopped};
use windows::Win32::Foundation::{
    DISP_E_EXCEPTION, E_ABORT, E_ACCESSDENIED, E_UNEXPECTED, VARIANT_BOOL, VARIANT_FALSE,
    VARIANT_TRUE,
};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPATCH_METHOD, DISPPARAMS, EXCEPINFO, IDispatch, IDispatch_Impl, ITypeInfo,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{BSTR, Error, GUID, HRESULT, Interface, Result, implement};

use crate::support::{
    Arg, Clock, DispSink, Drops, Forwarder, Invocation, SinkCall, VtableSink, advise, enter_mta,
    find,
};

fn invocation(dispid: i32, args: Vec<Arg>) -> Invocation {
    Invocation {
        dispid,
        iid: GUID::zeroed(),
        lcid: 0,
        flags: DISPATCH_METHOD.0,
        named: 0,
        args,
    }
}

#[test]
fn dispinterface_events_reach_a_rust_sink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let sink = DispSink::new(&drops);
    advise(
        &find(&clock.to_interface(), DIID_DClockEvents)?,
        &sink.to_interface(),
    )?;
    let events = &clock.events.DClockEvents;

    events.Fire_Tick(42)?;
    let mut snooze = VARIANT_FALSE;
    events.Fire_Alarm(&BSTR::from("wake up"), &mut snooze)?;
    // The sink's write through VT_BOOL|VT_BYREF came back.
    assert_eq!(snooze, VARIANT_TRUE);
    let as_source: cpgen_clock_events::generated::DClockEvents = sink.to_interface();
    let clock_dispatch: IDispatch = (*as_source).clone();
    events.Fire_StateChanged(Running, Some(&clock_dispatch))?;
    events.Fire_StateChanged(Stopped, None)?;

    let dispatch_raw = clock_dispatch.as_raw() as usize;
    assert_eq!(
        sink.0.calls(),
        [
            invocation(1, vec![Arg::I4(42)]),
            // Arguments in reverse order: snooze, then label.
            invocation(2, vec![Arg::BoolRef(0), Arg::Bstr("wake up".into())]),
            invocation(0x6000_0002, vec![Arg::Dispatch(dispatch_raw), Arg::I4(1)]),
            invocation(0x6000_0002, vec![Arg::Dispatch(0), Arg::I4(0)]),
        ]
    );
    Ok(())
}

#[test]
fn vtable_events_reach_a_rust_sink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let sink = VtableSink::new(&drops);
    advise(
        &find(&clock.to_interface(), IID_IClockSink)?,
        &sink.to_interface(),
    )?;
    let events = &clock.events.IClockSink;
    events.Fire_OnTick(7, 0.25)?;
    let mut snooze = VARIANT_FALSE;
    events.Fire_OnAlarm(&BSTR::from("tea"), &mut snooze)?;
    assert_eq!(snooze, VARIANT_TRUE);
    assert_eq!(
        sink.0.calls(),
        [SinkCall::OnTick(7, 0.25), SinkCall::OnAlarm("tea".into())]
    );
    Ok(())
}

#[test]
fn firing_without_sinks_is_ok() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let mut snooze = VARIANT_FALSE;
    clock.events.DClockEvents.Fire_Tick(1)?;
    clock
        .events
        .DClockEvents
        .Fire_Alarm(&BSTR::new(), &mut snooze)?;
    clock.events.DClockEvents.Fire_StateChanged(Stopped, None)?;
    clock.events.IClockSink.Fire_OnTick(1, 0.5)?;
    clock
        .events
        .IClockSink
        .Fire_OnAlarm(&BSTR::new(), &mut snooze)?;
    assert_eq!(snooze, VARIANT_FALSE);
    Ok(())
}

#[test]
fn every_sink_is_called_and_the_first_error_returned() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container = clock.to_interface();
    let replies = [HRESULT(0), E_ABORT, E_ACCESSDENIED, HRESULT(0)];

    let disp_point = find(&container, DIID_DClockEvents)?;
    let disp_sinks: Vec<_> = replies
        .iter()
        .map(|reply| DispSink::answering(&drops, *reply, VARIANT_TRUE))
        .collect();
    for sink in &disp_sinks {
        advise(&disp_point, &sink.to_interface())?;
    }
    let error = clock.events.DClockEvents.Fire_Tick(5).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    assert!(disp_sinks.iter().all(|sink| sink.0.calls().len() == 1));

    let vtable_point = find(&container, IID_IClockSink)?;
    let vtable_sinks: Vec<_> = replies
        .iter()
        .map(|reply| VtableSink::answering(&drops, *reply, VARIANT_TRUE))
        .collect();
    for sink in &vtable_sinks {
        advise(&vtable_point, &sink.to_interface())?;
    }
    let error = clock.events.IClockSink.Fire_OnTick(5, 0.0).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    assert!(vtable_sinks.iter().all(|sink| sink.0.calls().len() == 1));
    Ok(())
}

#[test]
fn an_in_out_argument_passes_from_sink_to_sink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let first = DispSink::answering(&drops, HRESULT(0), VARIANT_TRUE);
    let second = DispSink::answering(&drops, HRESULT(0), VARIANT_BOOL(0));
    advise(&point, &first.to_interface())?;
    advise(&point, &second.to_interface())?;
    let mut snooze = VARIANT_FALSE;
    clock
        .events
        .DClockEvents
        .Fire_Alarm(&BSTR::from("x"), &mut snooze)?;
    // Each sink sees what the one before it left, as with ATL's proxies.
    assert_eq!(first.0.calls()[0].args[0], Arg::BoolRef(0));
    assert_eq!(second.0.calls()[0].args[0], Arg::BoolRef(-1));
    assert_eq!(snooze, VARIANT_FALSE);
    Ok(())
}

/// A sink that fails the way scripting sinks do: DISP_E_EXCEPTION with the
/// error in EXCEPINFO.
#[implement(IDispatch)]
struct Raising;

impl IDispatch_Impl for Raising_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(0)
    }

    fn GetTypeInfo(&self, _: u32, _: u32) -> Result<ITypeInfo> {
        Err(Error::from_hresult(E_UNEXPECTED))
    }

    fn GetIDsOfNames(
        &self,
        _: *const GUID,
        _: *const windows_core::PCWSTR,
        _: u32,
        _: u32,
        _: *mut i32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_UNEXPECTED))
    }

    fn Invoke(
        &self,
        _: i32,
        _: *const GUID,
        _: u32,
        _: DISPATCH_FLAGS,
        _: *const DISPPARAMS,
        _: *mut VARIANT,
        excepinfo: *mut EXCEPINFO,
        _: *mut u32,
    ) -> Result<()> {
        // SAFETY: the caller passed room for an EXCEPINFO, or null.
        if let Some(info) = unsafe { excepinfo.as_mut() } {
            info.scode = E_ACCESSDENIED.0;
            info.bstrSource = std::mem::ManuallyDrop::new(BSTR::from("alarm bell"));
            info.bstrDescription = std::mem::ManuallyDrop::new(BSTR::from("the bell is broken"));
        }
        Err(Error::from_hresult(DISP_E_EXCEPTION))
    }
}

#[test]
fn a_dispatch_exception_becomes_the_error_it_describes() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let unknown = Forwarder::sink(Raising.into());
    advise(&find(&clock.to_interface(), DIID_DClockEvents)?, &unknown)?;
    let error = clock.events.DClockEvents.Fire_Tick(1).unwrap_err();
    assert_eq!(error.code(), E_ACCESSDENIED);
    assert_eq!(error.message(), "the bell is broken");
    Ok(())
}
