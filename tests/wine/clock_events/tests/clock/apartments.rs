//! Cross-apartment firing (`cpgen --cross-apartment`, module `cross_apartment`):
//! a worker thread fires into sinks that live in a single-threaded apartment,
//! and each event runs on the sink's own thread, through a proxy the Global
//! Interface Table hands the worker, while that thread pumps messages.

use std::os::windows::io::AsRawHandle;
use std::thread::{self, JoinHandle, ThreadId};

use cpgen_clock_events::cross_apartment::{
    CConnectionPoints, DClockEvents, DClockEvents_Impl, DIID_DClockEvents, IClockSink,
    IClockSink_Impl, IID_IClockSink,
};
use windows::Win32::Foundation::{
    E_NOINTERFACE, HANDLE, REGDB_E_IIDNOTREG, VARIANT_FALSE, VARIANT_TRUE,
};
use windows::Win32::System::Com::{
    COINIT_APARTMENTTHREADED, CoInitializeEx, CoUninitialize, CoWaitForMultipleHandles,
    DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IDispatch_Impl, IEnumConnectionPoints,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{BSTR, ComObject, GUID, IUnknown, IUnknownImpl, Result, implement};

use crate::registry::SinkProxyRegistration;

use crate::support::{Arg, Drops, advise, enter_mta, find, unadvise};

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
pub type Log = cpgen_wine_support::Calls<Received>;

/// Dispinterface sinks that record each event with the thread it ran on,
/// and write VARIANT_TRUE through a by-reference `snooze`.
macro_rules! thread_sink {
    ($(#[$doc:meta])* $name:ident, $object:ident, agile: $agile:literal) => {
        $(#[$doc])*
        #[implement(DClockEvents, Agile = $agile)]
        pub struct $name {
            log: Log,
            drops: Drops,
        }

        impl $name {
            pub fn new(log: &Log, drops: &Drops) -> ComObject<Self> {
                ComObject::new(Self {
                    log: log.clone(),
                    drops: drops.clone(),
                })
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                self.drops.bump();
            }
        }

        impl DClockEvents_Impl for $object {}

        impl IDispatch_Impl for $object {
            cpgen_wine_support::dispatch_without_type_info!();

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
                record(&self.log, dispidmember, pdispparams);
                Ok(())
            }
        }
    };
}

thread_sink!(
    /// Apartment-threaded, as a C++ (ATL) or Visual Basic client's sink is:
    /// unlike the `#[implement]` default, it does not aggregate the
    /// free-threaded marshaler, so other apartments reach it only through
    /// proxies.
    ThreadSink,
    ThreadSink_Impl,
    agile: false
);
thread_sink!(
    /// Free-threaded, as `#[implement]` objects are by default: any thread
    /// may call it directly.
    FreeSink,
    FreeSink_Impl,
    agile: true
);

/// Records an Invoke in `log`, writing VARIANT_TRUE through a by-reference
/// VT_BOOL argument.
fn record(log: &Log, dispid: i32, params: *const DISPPARAMS) {
    // SAFETY: COM hands a live DISPPARAMS.
    let params = unsafe { &*params };
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
    log.record(Received {
        thread: thread::current().id(),
        dispid,
        args,
    });
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

/// `fire(&events)` on a new thread of the multithreaded apartment, while this
/// (STA) thread pumps messages: what `fire` returns, and the thread's id.
/// `events` is a clone of a cross-apartment proxy, which shares its sinks
/// and, unlike the object holding it, may go to another thread.
pub fn fire_from_worker<P: Send + 'static, T: Send + 'static>(
    events: P,
    fire: impl FnOnce(&P) -> T + Send + 'static,
) -> (T, ThreadId) {
    pump_until(thread::spawn(move || {
        enter_mta().expect("join the MTA");
        (fire(&events), thread::current().id())
    }))
}

#[test]
fn a_worker_thread_fires_into_an_sta_sink_which_runs_on_its_own_thread() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    let (log, sta, worker) = on_sta(|| {
        let log = Log::default();
        let drops = Drops::default();
        let clock = MtClock::new();
        let sink = ThreadSink::new(&log, &drops);
        advise(
            &find(&clock.to_interface(), DIID_DClockEvents)?,
            &sink.to_interface(),
        )?;
        let ((tick, alarm), worker) =
            fire_from_worker(clock.events.DClockEvents.clone(), |events| {
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
    let received = log.seen();
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

#[test]
fn a_free_threaded_sink_runs_on_the_firing_thread_an_sta_sink_on_its_own() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    let (sta_log, free_log, sta, worker) = on_sta(|| {
        let (sta_log, free_log, drops) = (Log::default(), Log::default(), Drops::default());
        let clock = MtClock::new();
        let point = find(&clock.to_interface(), DIID_DClockEvents)?;
        advise(&point, &ThreadSink::new(&sta_log, &drops).to_interface())?;
        advise(&point, &FreeSink::new(&free_log, &drops).to_interface())?;
        let (fired, worker) = fire_from_worker(clock.events.DClockEvents.clone(), |events| {
            events.Fire_Tick(3)
        });
        fired?;
        Ok((sta_log, free_log, thread::current().id(), worker))
    })?;
    let threads = |log: &Log| log.seen().iter().map(|r| r.thread).collect::<Vec<_>>();
    assert_eq!(threads(&sta_log), [sta]);
    // COM lets any thread call a free-threaded object: no proxy, no switch.
    assert_eq!(threads(&free_log), [worker]);
    Ok(())
}

#[test]
fn a_vtable_sink_needs_a_registered_proxy_to_be_fired_across_apartments() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    let (refused, calls, sta, worker) = on_sta(|| {
        let clock = MtClock::new();
        let point = find(&clock.to_interface(), IID_IClockSink)?;
        let calls = Calls::default();
        let sink: IUnknown = StaTickSink::new(&calls).to_interface();
        // IClockSink has no registered proxy (clock.idl does not mark it
        // [oleautomation], and nothing here builds a proxy DLL), so the
        // table cannot marshal the sink: Advise says so, rather than a
        // later fire from another apartment failing.
        let refused = advise(&point, &sink);
        // Registered as an installer would, the type library marshaler
        // carries the calls.
        let _registered = SinkProxyRegistration::new()?;
        advise(&point, &sink)?;
        let ((tick, alarm), worker) = fire_from_worker(clock.events.IClockSink.clone(), |events| {
            let mut snooze = VARIANT_FALSE;
            (
                events.Fire_OnTick(5, 0.25),
                events
                    .Fire_OnAlarm(&BSTR::from("up"), &mut snooze)
                    .map(|()| snooze),
            )
        });
        tick?;
        // The [out] parameter came back from the sink's apartment.
        assert_eq!(alarm?, VARIANT_TRUE);
        Ok((refused, calls, thread::current().id(), worker))
    })?;
    let error = refused.unwrap_err();
    assert!(
        [REGDB_E_IIDNOTREG, E_NOINTERFACE].contains(&error.code()),
        "{error:?}"
    );
    assert_ne!(sta, worker);
    assert_eq!(
        calls.seen(),
        [
            (sta, "OnTick(5, 0.25)".to_string()),
            (sta, "OnAlarm(up)".to_string())
        ]
    );
    Ok(())
}

/// The calls a [`StaTickSink`] received, with their thread.
type Calls = cpgen_wine_support::Calls<(ThreadId, String)>;

/// An apartment-threaded IClockSink sink that records each call.
#[implement(IClockSink, Agile = false)]
struct StaTickSink(Calls);

impl StaTickSink {
    fn new(calls: &Calls) -> ComObject<Self> {
        ComObject::new(Self(calls.clone()))
    }

    fn record(&self, call: String) {
        self.0.record((thread::current().id(), call));
    }
}

impl IClockSink_Impl for StaTickSink_Impl {
    fn OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        self.record(format!("OnTick({seconds}, {fraction})"));
        Ok(())
    }

    fn OnAlarm(&self, label: &BSTR) -> Result<windows::Win32::Foundation::VARIANT_BOOL> {
        self.record(format!("OnAlarm({label})"));
        Ok(VARIANT_TRUE)
    }
}

#[test]
fn a_sink_kept_in_the_table_is_released_by_unadvise_and_with_the_clock() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    let (unadvised, released_with_clock) = on_sta(|| {
        let log = Log::default();
        let (first, second) = (Drops::default(), Drops::default());
        let clock = MtClock::new();
        let point = find(&clock.to_interface(), DIID_DClockEvents)?;
        let cookie = advise(&point, &ThreadSink::new(&log, &first).to_interface())?;
        advise(&point, &ThreadSink::new(&log, &second).to_interface())?;
        // Fires here and from a worker get the sinks from the table and give
        // them back: no reference stays behind.
        clock.events.DClockEvents.Fire_Tick(1)?;
        fire_from_worker(clock.events.DClockEvents.clone(), |events| {
            events.Fire_Tick(2)
        })
        .0?;
        assert_eq!(log.seen().len(), 4);
        unadvise(&point, cookie)?;
        let unadvised = (first.count(), second.count());
        drop((point, clock));
        Ok((unadvised, second.count()))
    })?;
    assert_eq!(unadvised, (1, 0));
    assert_eq!(released_with_clock, 1);
    Ok(())
}
