//! Typed sinks: a Rust client receives the clock's events through the handler traits and sink
//! adapters cpgen generates, connected with the generated advise guards, from the generated
//! `Fire_` methods and from a caller nobody here wrote (oleaut32, through widl's type library).

use std::ffi::c_void;
use std::sync::{Arc, Mutex};

use cpgen_clock_events::generated::{
    ClockState, DClockEvents, DClockEventsHandler, DClockEventsSink, IClockSink, IClockSinkHandler,
    IClockSinkSink, IID_IClockSink, Running, Stopped,
};
use windows::Win32::Foundation::{
    E_ABORT, E_NOINTERFACE, E_POINTER, VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE,
};
use windows::Win32::System::Com::{CC_STDCALL, DISPATCH_METHOD, DISPPARAMS, IDispatch};
use windows::Win32::System::Ole::{DispCallFunc, DispGetIDsOfNames};
use windows::Win32::System::Variant::{VARENUM, VARIANT, VT_BOOL, VT_BYREF, VT_ERROR};
use windows_core::{BSTR, Error, HRESULT, IUnknown, Interface, Result, w};

use crate::support::{Clock, Drops, enter_mta, lock};
use crate::typelib::{type_info, type_lib};

/// One event as a typed handler received it.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    Tick(i32),
    /// The label and the value `snooze` had on arrival.
    Alarm(String, i16),
    /// The state and the raw pointer of the clock argument (0 for none).
    StateChanged(ClockState, usize),
    OnTick(i32, f64),
    /// The label and the value `snooze` had on arrival.
    OnAlarm(String, i16),
}

/// A handler of both source interfaces: records each event, answers `reply`, and writes
/// `snooze` through the by-reference parameter.
pub struct Recorder {
    pub heard: Arc<Mutex<Vec<Heard>>>,
    reply: Result<()>,
    snooze: VARIANT_BOOL,
    drops: Drops,
}

impl Recorder {
    pub fn new(drops: &Drops) -> (Self, Arc<Mutex<Vec<Heard>>>) {
        Self::answering(drops, Ok(()))
    }

    fn answering(drops: &Drops, reply: Result<()>) -> (Self, Arc<Mutex<Vec<Heard>>>) {
        let heard = Arc::default();
        let recorder = Self {
            heard: Arc::clone(&heard),
            reply,
            snooze: VARIANT_TRUE,
            drops: drops.clone(),
        };
        (recorder, heard)
    }

    fn record(&self, heard: Heard) -> Result<()> {
        lock(&self.heard).push(heard);
        self.reply.clone()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.drops.bump();
    }
}

impl DClockEventsHandler for Recorder {
    fn Tick(&self, seconds: i32) -> Result<()> {
        self.record(Heard::Tick(seconds))
    }

    fn Alarm(&self, label: &BSTR, snooze: &mut VARIANT_BOOL) -> Result<()> {
        let before = std::mem::replace(snooze, self.snooze);
        self.record(Heard::Alarm(label.to_string(), before.0))
    }

    fn StateChanged(&self, state: ClockState, clock: Option<&IDispatch>) -> Result<()> {
        let raw = clock.map_or(0, |c| c.as_raw() as usize);
        self.record(Heard::StateChanged(state, raw))
    }
}

impl IClockSinkHandler for Recorder {
    fn OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        self.record(Heard::OnTick(seconds, fraction))
    }

    fn OnAlarm(&self, label: &BSTR, snooze: &mut VARIANT_BOOL) -> Result<()> {
        let before = std::mem::replace(snooze, self.snooze);
        self.record(Heard::OnAlarm(label.to_string(), before.0))
    }
}

/// A handler that implements no event: the defaults answer.
struct Quiet;

impl DClockEventsHandler for Quiet {}
impl IClockSinkHandler for Quiet {}

#[test]
fn dispinterface_events_reach_a_typed_sink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let (recorder, heard) = Recorder::new(&drops);
    let connection = DClockEventsSink::advise(&clock.to_interface(), recorder)?;
    let events = &clock.events.DClockEvents;

    events.Fire_Tick(42)?;
    let mut snooze = VARIANT_FALSE;
    events.Fire_Alarm(&BSTR::from("wake up"), &mut snooze)?;
    assert_eq!(snooze, VARIANT_TRUE, "the handler's write came back");
    let dispatch: IDispatch = clock.to_interface();
    events.Fire_StateChanged(Running, Some(&dispatch))?;
    events.Fire_StateChanged(Stopped, None)?;
    assert_eq!(
        *lock(&heard),
        [
            Heard::Tick(42),
            Heard::Alarm("wake up".into(), VARIANT_FALSE.0),
            Heard::StateChanged(Running, dispatch.as_raw() as usize),
            Heard::StateChanged(Stopped, 0),
        ]
    );

    // Dropping the guard unadvises: the clock lets the sink (and its handler) go.
    assert_eq!(drops.count(), 0);
    drop(connection);
    assert_eq!(drops.count(), 1, "the handler outlived its connection");
    events.Fire_Tick(43)?;
    assert_eq!(lock(&heard).len(), 4);
    Ok(())
}

#[test]
fn vtable_events_reach_a_typed_sink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let (recorder, heard) = Recorder::new(&drops);
    let connection = IClockSinkSink::advise(&clock.to_interface(), recorder)?;
    let events = &clock.events.IClockSink;

    events.Fire_OnTick(7, 0.25)?;
    // An [out] parameter's target is not the sink's to read: it starts empty (FALSE).
    let mut snooze = VARIANT_TRUE;
    events.Fire_OnAlarm(&BSTR::from("late"), &mut snooze)?;
    assert_eq!(snooze, VARIANT_TRUE, "the handler's write came back");
    assert_eq!(
        *lock(&heard),
        [
            Heard::OnTick(7, 0.25),
            Heard::OnAlarm("late".into(), VARIANT_FALSE.0)
        ]
    );
    connection.unadvise()?;
    assert_eq!(drops.count(), 1, "the handler outlived its connection");
    Ok(())
}

#[test]
fn default_methods_answer_ok_and_leave_values_alone() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let unknown: IUnknown = clock.to_interface();
    let _disp = DClockEventsSink::advise(&unknown, Quiet)?;
    let _vtable = IClockSinkSink::advise(&unknown, Quiet)?;
    clock.events.DClockEvents.Fire_Tick(1)?;
    clock.events.DClockEvents.Fire_StateChanged(Running, None)?;
    let mut snooze = VARIANT_TRUE;
    clock
        .events
        .DClockEvents
        .Fire_Alarm(&BSTR::from("x"), &mut snooze)?;
    assert_eq!(snooze, VARIANT_TRUE, "[in, out]: untouched");
    clock.events.IClockSink.Fire_OnTick(1, 1.0)?;
    clock
        .events
        .IClockSink
        .Fire_OnAlarm(&BSTR::from("x"), &mut snooze)?;
    assert_eq!(snooze, VARIANT_FALSE, "[out]: set empty by the sink");
    Ok(())
}

#[test]
fn a_handlers_error_is_what_the_source_gets() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let unknown: IUnknown = clock.to_interface();
    let (disp, _) = Recorder::answering(&drops, Err(Error::from_hresult(E_ABORT)));
    let (vtable, _) = Recorder::answering(&drops, Err(Error::from_hresult(E_ABORT)));
    let _disp = DClockEventsSink::advise(&unknown, disp)?;
    let _vtable = IClockSinkSink::advise(&unknown, vtable)?;
    let error = clock.events.DClockEvents.Fire_Tick(1).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    // Through Invoke as DISP_E_EXCEPTION and EXCEPINFO, and back: the error's text too.
    assert_eq!(error.message(), Error::from_hresult(E_ABORT).message());
    let error = clock.events.IClockSink.Fire_OnTick(1, 0.5).unwrap_err();
    assert_eq!(error.code(), E_ABORT);
    Ok(())
}

#[test]
fn sinks_answer_query_interface_for_their_interfaces_only() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let disp = DClockEvents::from(DClockEventsSink(Recorder::new(&drops).0));
    let vtable = IClockSink::from(IClockSinkSink(Recorder::new(&drops).0));
    // One object, one pointer: every interface a sink has is the same pointer.
    let identity = disp.cast::<IUnknown>()?;
    assert_eq!(identity.as_raw(), disp.as_raw());
    assert_eq!(disp.cast::<IDispatch>()?.as_raw(), disp.as_raw());
    assert_eq!(disp.cast::<IClockSink>().unwrap_err().code(), E_NOINTERFACE);
    assert_eq!(vtable.cast::<IUnknown>()?.as_raw(), vtable.as_raw());
    assert_eq!(
        vtable.cast::<IDispatch>().unwrap_err().code(),
        E_NOINTERFACE
    );
    assert_eq!(
        vtable.cast::<DClockEvents>().unwrap_err().code(),
        E_NOINTERFACE
    );
    // SAFETY: a null out pointer is what is under test.
    let null_out = unsafe {
        (vtable.vtable().base__.QueryInterface)(
            vtable.as_raw(),
            &IUnknown::IID,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(null_out, E_POINTER);
    // Each clone is a reference; the handler goes with the last.
    let clones: Vec<IClockSink> = (0..3).map(|_| vtable.clone()).collect();
    drop(vtable);
    drop(identity);
    assert_eq!(drops.count(), 0);
    drop(clones);
    assert_eq!(drops.count(), 1);
    drop(disp);
    assert_eq!(drops.count(), 2);
    Ok(())
}

/// `HRESULT OnTick(long, double)` and `HRESULT OnAlarm(BSTR, VARIANT_BOOL*)` are IClockSink's
/// fourth and fifth vtable slots (after QueryInterface, AddRef, Release).
const ON_TICK: usize = 3;
const ON_ALARM: usize = 4;

/// Calls slot `slot` of `sink` the way oleaut32 calls any vtable method from VARIANTs.
fn call_slot(sink: &IClockSink, slot: usize, args: &[VARIANT]) -> Result<HRESULT> {
    let types: Vec<u16> = args.iter().map(|a| a.vt().0).collect();
    let pointers: Vec<*const VARIANT> = args.iter().map(std::ptr::from_ref).collect();
    // SAFETY: the slot exists and takes these argument types; everything outlives the call.
    let result = unsafe {
        DispCallFunc(
            Some(sink.as_raw().cast_const()),
            slot * std::mem::size_of::<*const c_void>(),
            CC_STDCALL,
            VT_ERROR,
            args.len() as u32,
            types.as_ptr(),
            pointers.as_ptr(),
        )?
    };
    // SAFETY: VT_ERROR results are in `scode` (DispCallFunc refuses a VT_HRESULT return).
    Ok(HRESULT(unsafe {
        result.Anonymous.Anonymous.Anonymous.scode
    }))
}

#[test]
fn oleaut32_calls_the_vtable_sink_through_its_slots() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let (recorder, heard) = Recorder::new(&drops);
    let sink = IClockSink::from(IClockSinkSink(recorder));
    assert_eq!(
        call_slot(&sink, ON_TICK, &[VARIANT::from(9), VARIANT::from(0.5)])?,
        HRESULT(0)
    );
    let mut snooze = VARIANT_FALSE;
    let by_ref = {
        let mut v = VARIANT::default();
        // SAFETY: a VT_BOOL|VT_BYREF VARIANT pointing at `snooze`, which outlives the call.
        unsafe {
            let inner = &mut *v.Anonymous.Anonymous;
            inner.vt = VARENUM(VT_BOOL.0 | VT_BYREF.0);
            inner.Anonymous.pboolVal = &mut snooze;
        }
        v
    };
    // DispCallFunc passes a VT_BYREF argument as the pointer it holds.
    assert_eq!(
        call_slot(
            &sink,
            ON_ALARM,
            &[VARIANT::from(BSTR::from("ring")), by_ref]
        )?,
        HRESULT(0)
    );
    assert_eq!(snooze, VARIANT_TRUE);
    assert_eq!(
        *lock(&heard),
        [
            Heard::OnTick(9, 0.5),
            Heard::OnAlarm("ring".into(), VARIANT_FALSE.0)
        ]
    );
    Ok(())
}

#[test]
fn oleaut32_invokes_the_vtable_sink_from_widls_type_library() -> Result<()> {
    enter_mta()?;
    let (recorder, heard) = Recorder::new(&Drops::default());
    let sink = IClockSink::from(IClockSinkSink(recorder));
    let info = type_info(&type_lib()?, IID_IClockSink)?;
    // Arguments last first, as DISPPARAMS wants them; oleaut32 finds OnTick's slot (by name,
    // then by its FUNCDESC) and converts each argument to the declared type.
    let mut args = [VARIANT::from(BSTR::from("0.75")), VARIANT::from(12i16)];
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: 2,
        cNamedArgs: 0,
    };
    let mut id = 0;
    // SAFETY: one name in, one id out; the DISPPARAMS and the sink outlive Invoke.
    unsafe {
        DispGetIDsOfNames(&info, &w!("OnTick"), 1, &mut id)?;
        info.Invoke(
            sink.as_raw(),
            id,
            DISPATCH_METHOD,
            std::ptr::from_ref(&params).cast_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )?;
    }
    assert_eq!(*lock(&heard), [Heard::OnTick(12, 0.75)]);
    Ok(())
}
