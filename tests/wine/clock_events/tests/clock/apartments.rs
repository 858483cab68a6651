//! Cross-apartment firing (`cpgen --cross-apartment`, module `cross_apartment`):
//! a worker thread fires into sinks that live in a single-threaded apartment,
//! and each event runs on the sink's own thread, through a proxy the Global
//! Interface Table hands the worker, while that thread pumps messages.

use std::os::windows::io::AsRawHandle;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle, ThreadId};

use cpgen_clock_events::cross_apartment::{
    CConnectionPoints, DClockEvents, DClockEvents_Impl, DIID_DClockEvents,
};
use windows::Win32::Foundation::{E_NOTIMPL, HANDLE, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_APARTMENTTHREADED, CoInitializeEx, CoUninitialize, CoWaitForMultipleHandles,
    DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IDispatch_Impl, IEnumConnectionPoints, ITypeInfo,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{BSTR, ComObject, Error, GUID, IUnknownImpl, Result, implement};

use crate::support::{Arg, Drops, advise, enter_mta, find, lock};

/// The user's object, with the cross-apartment connection points.
#[implement(IConnectionPointContainer)]
pub struct MtClock {
    pub events: CConnectionPoints,
}

impl MtClock {
    pub fn new() -> ComObject<Self> {
        ComObject::new(Self {
            events: CConnectionPoints::new(),
        })
    }
}

impl IConnectionPointContainer_Impl for MtClock_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }

    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events
            .find_connection_point(&self.to_interface(), riid)
    }
}

/// One event as a sink received it, and the thread it ran on.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub thread: ThreadId,
    pub dispid: i32,
    pub args: Vec<Arg>,
}

/// What a [`ThreadSink`] received, readable from any thread.
pub type Log = Arc<Mutex<Vec<Received>>>;

/// A dispinterface sink that records each event with the thread it ran on,
/// and writes VARIANT_TRUE through a by-reference `snooze`. Apartment-threaded,
/// as a C++ (ATL) or Visual Basic client's sink is: unlike the `#[implement]`
/// default, it does not aggregate the free-threaded marshaler, so other
/// apartments reach it only through proxies.
#[implement(DClockEvents, Agile = false)]
pub struct ThreadSink {
    log: Log,
    drops: Drops,
}

impl ThreadSink {
    pub fn new(log: &Log, drops: &Drops) -> ComObject<Self> {
        ComObject::new(Self {
            log: log.clone(),
            drops: drops.clone(),
        })
    }
}

impl Drop for ThreadSink {
    fn drop(&mut self) {
        self.drops.bump();
    }
}

impl DClockEvents_Impl for ThreadSink_Impl {}

impl IDispatch_Impl for ThreadSink_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(0)
    }

    fn GetTypeInfo(&self, _itinfo: u32, _lcid: u32) -> Result<ITypeInfo> {
        Err(Error::from_hresult(E_NOTIMPL))
    }

    fn GetIDsOfNames(
        &self,
        _riid: *const GUID,
        _rgsznames: *const windows_core::PCWSTR,
        _cnames: u32,
        _lcid: u32,
        _rgdispid: *mut i32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_NOTIMPL))
    }

    fn Invoke(
        &self,
        dispidmember: i32,
        _riid: *const GUID,
        _lcid: u32,
        _wflags: DISPATCH_FLAGS,
        pdispparams: *const DISPPARAMS,
        _pvarresult: *mut VARIANT,
        _pexcepinfo: *mut EXCEPINFO,
        _puargerr: *mut u32,
    ) -> Result<()> {
        // SAFETY: COM hands a live DISPPARAMS.
        let params = unsafe { &*pdispparams };
        let args = (0..params.cArgs as usize)
            .map(|index| {
                // SAFETY: rgvarg holds cArgs VARIANTs; a by-reference `snooze`
                // points at memory the caller (here, the stub) lent.
                unsafe {
                    let variant = &*params.rgvarg.add(index);
                    let arg = Arg::read(variant);
                    if matches!(arg, Arg::BoolRef(_)) {
                        let target = variant.Anonymous.Anonymous.Anonymous.pboolVal;
                        *target = VARIANT_TRUE;
                    }
                    arg
                }
            })
            .collect();
        lock(&self.log).push(Received {
            thread: thread::current().id(),
            dispid: dispidmember,
            args,
        });
        Ok(())
    }
}

/// Runs `body` on a thread of its own, joined to a single-threaded apartment
/// that it leaves (CoUninitialize) once `body` is done.
pub fn on_sta<T: Send + 'static>(body: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    thread::spawn(move || {
        // SAFETY: no reserved pointer; left below, on this thread.
        unsafe { CoInitializeEx(None, COINIT_APARTMENTTHREADED) }.ok()?;
        let result = body();
        // SAFETY: balances the CoInitializeEx above; `body` released
        // everything it held.
        unsafe { CoUninitialize() };
        result
    })
    .join()
    .expect("the STA thread panicked")
}

/// Waits for `worker` the way an STA must: pumping the apartment's messages,
/// so that calls other threads make into objects living here are served.
pub fn pump_until<T>(worker: JoinHandle<T>) -> T {
    let handle = HANDLE(worker.as_raw_handle());
    // SAFETY: the handle stays open until `join` below.
    unsafe { CoWaitForMultipleHandles(0, u32::MAX, &[handle]) }
        .expect("wait for the worker while pumping messages");
    worker.join().expect("the worker panicked")
}

/// `events.DClockEvents`, fired from a new thread of the multithreaded
/// apartment: what `fire` returns, and the thread's id.
pub fn fire_from_worker<T: Send + 'static>(
    clock: &MtClock,
    fire: impl FnOnce(&cpgen_clock_events::cross_apartment::DClockEventsProxy) -> T + Send + 'static,
) -> (T, ThreadId) {
    // A clone shares the sinks; cross-apartment proxies are Send.
    let events = clock.events.DClockEvents.clone();
    pump_until(thread::spawn(move || {
        enter_mta().expect("join the MTA");
        (fire(&events), thread::current().id())
    }))
}

#[test]
fn a_worker_thread_fires_into_an_sta_sink_which_runs_on_its_own_thread() -> Result<()> {
    let (log, sta, worker) = on_sta(|| {
        let log = Log::default();
        let drops = Drops::default();
        let clock = MtClock::new();
        let sink = ThreadSink::new(&log, &drops);
        advise(
            &find(&clock.to_interface(), DIID_DClockEvents)?,
            &sink.to_interface(),
        )?;
        let ((tick, alarm), worker) = fire_from_worker(&clock, |events| {
            let mut snooze = VARIANT_FALSE;
            (
                events.Fire_Tick(7),
                events
                    .Fire_Alarm(&BSTR::from("wake up"), &mut snooze)
                    .map(|()| snooze),
            )
        });
        tick?;
        // The sink's write through VT_BOOL|VT_BYREF came back across the apartments.
        assert_eq!(alarm?, VARIANT_TRUE);
        // The sink's own thread fires too, straight to the sink.
        clock.events.DClockEvents.Fire_Tick(8)?;
        Ok((log, thread::current().id(), worker))
    })?;
    assert_ne!(sta, worker);
    let received = lock(&log).clone();
    assert_eq!(
        received,
        [
            Received {
                thread: sta,
                dispid: 1,
                args: vec![Arg::I4(7)],
            },
            Received {
                thread: sta,
                dispid: 2,
                args: vec![Arg::BoolRef(0), Arg::Bstr("wake up".into())],
            },
            Received {
                thread: sta,
                dispid: 1,
                args: vec![Arg::I4(8)],
            },
        ]
    );
    Ok(())
}
