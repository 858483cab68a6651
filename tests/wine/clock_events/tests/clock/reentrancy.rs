//! Sinks that advise and unadvise from inside an event, and other threads
//! that do so while an event is being fired: no deadlock, no crash, and the
//! sinks connected when firing started are the ones called.
//!
//! Hooks never panic (a panic inside a COM call aborts the process): they
//! report through shared state that the test checks afterwards.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClockSink};
use windows_core::{IUnknown, Result};

use crate::support::{
    Clock, DispSink, Drops, Mta, VtableSink, advise, enter_mta, find, lock, unadvise,
};

/// Where a hook leaves the result of what it did.
type Outcome = Arc<Mutex<Option<Result<()>>>>;

fn outcome() -> Outcome {
    Arc::new(Mutex::new(None))
}

fn taken(outcome: &Outcome) -> Result<()> {
    lock(outcome).take().expect("the hook ran")
}

#[test]
fn a_dispinterface_sink_unadvises_itself_inside_an_event() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let other = DispSink::new(&drops);
    let (cookie, received, done) = {
        let me = DispSink::new(&drops);
        let cookie = advise(&point, &me.to_interface())?;
        advise(&point, &other.to_interface())?;
        let (received, done) = (Arc::new(AtomicUsize::new(0)), outcome());
        let (hook_point, hook_received, hook_done) =
            (Mta(point.clone()), received.clone(), done.clone());
        me.0.set_hook(move || {
            hook_received.fetch_add(1, Ordering::SeqCst);
            *lock(&hook_done) = Some(unadvise(hook_point.get(), cookie));
        });
        (cookie, received, done)
        // The client's reference to `me` ends here: during the event, only
        // the connection point's (given up inside it) and the snapshot's
        // keep it alive.
    };
    assert_eq!(drops.count(), 0);
    clock.events.DClockEvents.Fire_Tick(1)?;
    taken(&done)?;
    // Released once firing let go of its snapshot.
    assert_eq!(drops.count(), 1);
    clock.events.DClockEvents.Fire_Tick(2)?;
    assert_eq!(received.load(Ordering::SeqCst), 1);
    assert_eq!(other.0.calls().len(), 2);
    assert!(unadvise(&point, cookie).is_err());
    Ok(())
}

#[test]
fn a_vtable_sink_unadvises_itself_inside_an_event() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let me = VtableSink::new(&drops);
    let other = VtableSink::new(&drops);
    advise(&point, &other.to_interface())?;
    let cookie = advise(&point, &me.to_interface())?;
    let done = outcome();
    let (hook_point, hook_done) = (Mta(point.clone()), done.clone());
    me.0.set_hook(move || *lock(&hook_done) = Some(unadvise(hook_point.get(), cookie)));
    clock.events.IClockSink.Fire_OnTick(1, 0.0)?;
    taken(&done)?;
    clock.events.IClockSink.Fire_OnTick(2, 0.0)?;
    assert_eq!(me.0.calls().len(), 1);
    assert_eq!(other.0.calls().len(), 2);
    Ok(())
}

#[test]
fn a_sink_advises_another_inside_an_event() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let host = DispSink::new(&drops);
    let newcomer = DispSink::new(&drops);
    advise(&point, &host.to_interface())?;
    let done = outcome();
    let (hook_point, hook_sink, hook_done) = (
        Mta(point.clone()),
        Mta(newcomer.to_interface::<IUnknown>()),
        done.clone(),
    );
    host.0.set_hook(move || {
        *lock(&hook_done) = Some(advise(hook_point.get(), hook_sink.get()).map(drop));
    });
    clock.events.DClockEvents.Fire_Tick(1)?;
    taken(&done)?;
    // Not part of the event in flight, part of the next one.
    assert_eq!(newcomer.0.calls().len(), 0);
    clock.events.DClockEvents.Fire_Tick(2)?;
    assert_eq!(newcomer.0.calls().len(), 1);
    assert_eq!(host.0.calls().len(), 2);
    Ok(())
}

#[test]
fn a_sink_unadvises_another_inside_an_event() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let first = DispSink::new(&drops);
    let second = DispSink::new(&drops);
    advise(&point, &first.to_interface())?;
    let second_cookie = advise(&point, &second.to_interface())?;
    let done = outcome();
    let (hook_point, hook_done) = (Mta(point.clone()), done.clone());
    first
        .0
        .set_hook(move || *lock(&hook_done) = Some(unadvise(hook_point.get(), second_cookie)));
    clock.events.DClockEvents.Fire_Tick(1)?;
    taken(&done)?;
    // Connected when the event started: still called for it.
    assert_eq!(second.0.calls().len(), 1);
    clock.events.DClockEvents.Fire_Tick(2)?;
    assert_eq!(second.0.calls().len(), 1);
    assert_eq!(first.0.calls().len(), 2);
    Ok(())
}

/// How long a sink waits for the other thread before reporting a deadlock.
const PATIENCE: Duration = Duration::from_secs(20);

#[test]
fn another_thread_advises_and_unadvises_while_an_event_is_in_flight() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let waiting = DispSink::new(&drops);
    let leaving = DispSink::new(&drops);
    let newcomer = DispSink::new(&drops);
    advise(&point, &waiting.to_interface())?;
    let leaving_cookie = advise(&point, &leaving.to_interface())?;

    let (start_tx, start_rx) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<Result<()>>();
    let worker_point = Mta(point.clone());
    let worker_sink = Mta(newcomer.to_interface::<IUnknown>());
    let worker = std::thread::spawn(move || -> Result<()> {
        enter_mta()?;
        start_rx.recv().expect("the sink starts the worker");
        // The event is in flight on the test thread, inside `waiting`.
        let outcome = advise(worker_point.get(), worker_sink.get())
            .and_then(|_| unadvise(worker_point.get(), leaving_cookie));
        done_tx.send(outcome).expect("the sink waits");
        Ok(())
    });

    let waited = outcome();
    let hook_waited = waited.clone();
    waiting.0.set_hook(move || {
        let _ = start_tx.send(());
        let result = match done_rx.recv_timeout(PATIENCE) {
            Ok(outcome) => outcome,
            // The other thread could not advise while an event was fired.
            Err(_) => Err(windows::Win32::Foundation::E_FAIL.into()),
        };
        *lock(&hook_waited) = Some(result);
    });
    clock.events.DClockEvents.Fire_Tick(1)?;
    taken(&waited)?;
    worker.join().expect("worker thread")?;
    // The snapshot taken when firing started decided who got the event.
    assert_eq!(leaving.0.calls().len(), 1);
    assert_eq!(newcomer.0.calls().len(), 0);
    clock.events.DClockEvents.Fire_Tick(2)?;
    assert_eq!(leaving.0.calls().len(), 1);
    assert_eq!(newcomer.0.calls().len(), 1);
    assert_eq!(waiting.0.calls().len(), 2);
    Ok(())
}

#[test]
fn firing_from_two_threads_while_a_third_advises_and_unadvises() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let steady = VtableSink::new(&drops);
    advise(&point, &steady.to_interface())?;
    const ROUNDS: usize = 300;

    let churn_point = Mta(point.clone());
    let churn_sink = Mta(VtableSink::new(&drops).to_interface::<IUnknown>());
    let churn = std::thread::spawn(move || -> Result<()> {
        enter_mta()?;
        for _ in 0..ROUNDS {
            let cookie = advise(churn_point.get(), churn_sink.get())?;
            unadvise(churn_point.get(), cookie)?;
        }
        Ok(())
    });
    let shared = Mta(clock.clone());
    let firer = std::thread::spawn(move || -> Result<()> {
        enter_mta()?;
        for round in 0..ROUNDS {
            shared
                .get()
                .events
                .IClockSink
                .Fire_OnTick(round as i32, 0.5)?;
        }
        Ok(())
    });
    for round in 0..ROUNDS {
        clock.events.IClockSink.Fire_OnTick(round as i32, 0.25)?;
    }
    churn.join().expect("churn thread")?;
    firer.join().expect("firing thread")?;
    assert_eq!(steady.0.calls().len(), 2 * ROUNDS);
    Ok(())
}
