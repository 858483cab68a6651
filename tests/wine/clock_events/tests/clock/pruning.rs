//! Dead-sink pruning and fire reports: a sink whose call says it is gone
//! (RPC_E_DISCONNECTED, RPC_S_SERVER_UNAVAILABLE, CO_E_OBJNOTCONNECTED, and
//! the other codes of a vanished apartment or process) is unadvised by the
//! fire that found it, and `Fire_<E>_report` tells how many sinks were
//! reached, which failed and which were pruned.

use std::thread;

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClockSink};
use windows::Win32::Foundation::{
    CO_E_OBJNOTCONNECTED, E_FAIL, RPC_E_DISCONNECTED, RPC_E_SERVER_DIED, RPC_E_SERVER_DIED_DNE,
    VARIANT_FALSE,
};
use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, CoCreateInstance, CoDisconnectObject, IConnectionPoint,
    IGlobalInterfaceTable,
};
use windows::Win32::System::Ole::CONNECT_E_NOCONNECTION;
use windows_core::{GUID, HRESULT, IUnknown, Interface, Result};

use crate::apartments::{Log, MtClock, ThreadSink, fire_from_worker, on_sta, pump_until};
use crate::registry::TypeLibRegistration;
use crate::support::{Clock, Drops, Mta, VtableSink, advise, enter_mta, find, unadvise};

/// RPC_S_SERVER_UNAVAILABLE as an HRESULT: what a proxy answers when its
/// sink's process is gone.
const RPC_S_SERVER_UNAVAILABLE: HRESULT = HRESULT(0x800706BA_u32 as i32);
/// RPC_S_UNKNOWN_IF as an HRESULT: what Wine's proxies answer once their
/// sink's apartment has ended.
const RPC_S_UNKNOWN_IF: HRESULT = HRESULT(0x800706B5_u32 as i32);

/// The codes of a sink that is gone, which a fire prunes.
const GONE: [HRESULT; 6] = [
    RPC_E_DISCONNECTED,
    RPC_S_SERVER_UNAVAILABLE,
    RPC_E_SERVER_DIED,
    RPC_E_SERVER_DIED_DNE,
    RPC_S_UNKNOWN_IF,
    CO_E_OBJNOTCONNECTED,
];

/// The cookies EnumConnections lists, in order.
fn cookies(point: &IConnectionPoint) -> Result<Vec<u32>> {
    let mut cookies = Vec::new();
    // SAFETY: plain COM calls; every CONNECTDATA's sink is released by drop.
    unsafe {
        let connections = point.EnumConnections()?;
        loop {
            let mut data = [Default::default()];
            let mut fetched = 0;
            connections.Next(&mut data, &mut fetched).ok()?;
            if fetched == 0 {
                return Ok(cookies);
            }
            let [entry] = data;
            drop(std::mem::ManuallyDrop::into_inner(entry.pUnk));
            cookies.push(entry.dwCookie);
        }
    }
}

#[test]
fn only_calls_that_say_the_sink_is_gone_prune_it() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    // A sink that succeeds, one that fails with E_FAIL, then one per code of a gone sink.
    let replies: Vec<HRESULT> = [HRESULT(0), E_FAIL].into_iter().chain(GONE).collect();
    let mut cookies_by_reply = Vec::new();
    for reply in &replies {
        let sink = VtableSink::answering(&drops, *reply, VARIANT_FALSE);
        cookies_by_reply.push(advise(&point, &sink.to_interface())?);
    }
    let report = clock.events.IClockSink.Fire_OnTick_report(1, 0.5)?;
    assert_eq!(report.reached, 1);
    let failures: Vec<_> = report
        .failures
        .iter()
        .map(|f| (f.cookie, f.error.code(), f.pruned))
        .collect();
    let expected: Vec<_> = replies
        .iter()
        .zip(&cookies_by_reply)
        .skip(1)
        .map(|(reply, cookie)| (*cookie, *reply, *reply != E_FAIL))
        .collect();
    assert_eq!(failures, expected);
    assert_eq!((report.failed(), report.pruned()), (1, GONE.len()));
    // Pruned is unadvised: released, gone from the enumeration, its cookie spent.
    assert_eq!(drops.count(), GONE.len());
    assert_eq!(cookies(&point)?, cookies_by_reply[..2]);
    for cookie in &cookies_by_reply[2..] {
        assert_eq!(
            unadvise(&point, *cookie).unwrap_err().code(),
            CONNECT_E_NOCONNECTION
        );
    }
    // Fire_ keeps its contract: every sink called, the first error returned.
    assert_eq!(
        clock
            .events
            .IClockSink
            .Fire_OnTick(2, 0.5)
            .unwrap_err()
            .code(),
        E_FAIL
    );
    Ok(())
}

#[test]
fn fire_returns_the_first_error_even_of_a_sink_it_prunes() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let gone = VtableSink::answering(&drops, RPC_E_DISCONNECTED, VARIANT_FALSE);
    let after = VtableSink::answering(&drops, E_FAIL, VARIANT_FALSE);
    advise(&point, &gone.to_interface())?;
    advise(&point, &after.to_interface())?;
    let error = clock.events.IClockSink.Fire_OnTick(1, 0.0).unwrap_err();
    assert_eq!(error.code(), RPC_E_DISCONNECTED);
    assert_eq!(gone.0.calls().len(), 1);
    assert_eq!(after.0.calls().len(), 1);
    clock.events.IClockSink.Fire_OnTick(2, 0.0).unwrap_err();
    assert_eq!(gone.0.calls().len(), 1, "pruned by the first fire");
    assert_eq!(after.0.calls().len(), 2);
    Ok(())
}

#[test]
fn pruning_can_be_turned_off() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let gone = crate::support::DispSink::answering(&drops, CO_E_OBJNOTCONNECTED, VARIANT_FALSE);
    let cookie = advise(&point, &gone.to_interface())?;
    clock.events.DClockEvents.set_prune_dead_sinks(false);
    for seconds in 1..=2 {
        let report = clock.events.DClockEvents.Fire_Tick_report(seconds)?;
        assert_eq!(
            (report.reached, report.failed(), report.pruned()),
            (0, 1, 0)
        );
        assert_eq!(report.failures[0].cookie, cookie);
    }
    assert_eq!(gone.0.calls().len(), 2);
    clock.events.DClockEvents.set_prune_dead_sinks(true);
    let report = clock.events.DClockEvents.Fire_Tick_report(3)?;
    assert_eq!(
        (report.reached, report.failed(), report.pruned()),
        (0, 0, 1)
    );
    assert_eq!(cookies(&point)?, []);
    Ok(())
}

#[test]
fn a_report_without_sinks_is_empty() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let report = clock.events.DClockEvents.Fire_Tick_report(1)?;
    assert_eq!((report.reached, report.failures.len()), (0, 0));
    report.into_result()
}

#[test]
fn a_sink_destroyed_while_connected_is_pruned_by_a_worker_thread() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    // The clock and its sinks live in an STA, as an apartment-threaded client
    // would have them; the doomed sink is disconnected from every proxy
    // (CoDisconnectObject, what a client does when it shuts down) and
    // destroyed, while still connected.
    let (log, stays, doomed, report, second) = on_sta(|| {
        let log = Log::default();
        let (stays_drops, doomed_drops) = (Drops::default(), Drops::default());
        let clock = MtClock::new();
        let point = find(&clock.to_interface(), DIID_DClockEvents)?;
        let stays = advise(&point, &ThreadSink::new(&log, &stays_drops).to_interface())?;
        let doomed = {
            let sink: IUnknown = ThreadSink::new(&log, &doomed_drops).to_interface();
            let cookie = advise(&point, &sink)?;
            // SAFETY: a live object of this apartment.
            unsafe { CoDisconnectObject(&sink, None) }?;
            cookie
        };
        assert_eq!(doomed_drops.count(), 1, "the sink was destroyed");
        let ((report, second), _) = fire_from_worker(clock.events.DClockEvents.clone(), |events| {
            (events.Fire_Tick_report(1), events.Fire_Tick(2))
        });
        let report = report?;
        assert_eq!(
            unadvise(&point, doomed).unwrap_err().code(),
            CONNECT_E_NOCONNECTION
        );
        assert_eq!(cookies(&point)?, [stays]);
        Ok((log, stays, doomed, report, second))
    })?;
    assert_eq!(
        (report.reached, report.failed(), report.pruned()),
        (1, 0, 1)
    );
    let failure = &report.failures[0];
    assert_eq!(failure.cookie, doomed);
    assert!(GONE.contains(&failure.error.code()), "{:?}", failure.error);
    assert_ne!(stays, doomed);
    second?;
    assert_eq!(log.seen().len(), 2, "the live sink received both ticks");
    Ok(())
}

#[test]
fn a_sink_whose_apartment_ended_is_pruned() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    // The clock lives in this MTA thread; a client thread joins an STA,
    // advises a sink of its own (registered from its apartment), then leaves
    // COM, which destroys the sink while it is connected.
    enter_mta()?;
    let clock = MtClock::new();
    let sink_drops = Drops::default();
    let (client_clock, client_drops) = (Mta(clock.to_interface::<IUnknown>()), sink_drops.clone());
    let cookie = on_sta(move || {
        let container = client_clock.get().cast()?;
        let sink = ThreadSink::new(&Log::default(), &client_drops);
        advise(&find(&container, DIID_DClockEvents)?, &sink.to_interface())
    })?;
    assert_eq!(sink_drops.count(), 1, "leaving COM destroyed the sink");
    let report = clock.events.DClockEvents.Fire_Tick_report(1)?;
    assert_eq!((report.reached, report.pruned()), (0, 1));
    assert_eq!(report.failures[0].cookie, cookie);
    assert!(GONE.contains(&report.failures[0].error.code()));
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    assert_eq!(cookies(&point)?, []);
    Ok(())
}

/// CLSID_StdGlobalInterfaceTable, which the windows crate does not define.
const CLSID_STD_GLOBAL_INTERFACE_TABLE: GUID =
    GUID::from_u128(0x00000323_0000_0000_c000_000000000046);

#[test]
fn a_proxy_to_a_sink_whose_thread_ended_is_pruned() -> Result<()> {
    let _turn = crate::support::crossing_apartments();
    // The default (same-apartment) mode: the clock lives in this MTA thread
    // and holds what Advise received, here a proxy to a sink living in a
    // client's STA. When the client thread leaves COM, the sink is destroyed
    // and the proxy dead.
    let _registered = TypeLibRegistration::new()?;
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let point = Mta(find(&clock.to_interface(), DIID_DClockEvents)?);
    let sink_drops = Drops::default();
    let client_drops = sink_drops.clone();
    let cookie = on_sta(move || {
        let sink: IUnknown = ThreadSink::new(&Log::default(), &client_drops).to_interface();
        // A thread of the MTA advises it, through a proxy it gets from the
        // Global Interface Table, while this thread pumps messages.
        // SAFETY: plain COM calls.
        let table: IGlobalInterfaceTable = unsafe {
            CoCreateInstance(
                &CLSID_STD_GLOBAL_INTERFACE_TABLE,
                None,
                CLSCTX_INPROC_SERVER,
            )
        }?;
        // SAFETY: the IID outlives the call.
        let shared = unsafe { table.RegisterInterfaceInGlobal(&sink, &IUnknown::IID) }?;
        let worker_table = Mta(table.clone());
        let cookie = pump_until(thread::spawn(move || {
            enter_mta()?;
            let mut raw = std::ptr::null_mut();
            // SAFETY: the registration lives until the revoke below; `raw`
            // holds an AddRef'd IUnknown on success.
            let proxy = unsafe {
                worker_table
                    .get()
                    .GetInterfaceFromGlobal(shared, &IUnknown::IID, &mut raw)?;
                IUnknown::from_raw(raw)
            };
            advise(point.get(), &proxy)
        }))?;
        // SAFETY: the cookie registered above.
        unsafe { table.RevokeInterfaceFromGlobal(shared) }?;
        Ok(cookie)
    })?;
    assert_eq!(sink_drops.count(), 1, "leaving COM destroyed the sink");
    let report = clock.events.DClockEvents.Fire_Tick_report(1)?;
    assert_eq!((report.reached, report.pruned()), (0, 1));
    assert_eq!(report.failures[0].cookie, cookie);
    assert!(
        GONE.contains(&report.failures[0].error.code()),
        "{:?}",
        report.failures[0].error
    );
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    assert_eq!(cookies(&point)?, []);
    Ok(())
}
