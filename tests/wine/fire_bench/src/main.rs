//! The firing benchmark (BENCHMARKS.md, "Firing"): prints Markdown tables of
//!
//! - the cost per sink of `Fire_OnTick` (vtable, scalar arguments) and
//!   `Fire_Alarm` (dispinterface, a BSTR and a by-reference VARIANT_BOOL) with
//!   1, 16 and 1,024 sinks, against the hand-written loop over the same sinks
//!   (`floor`), and the heap allocations per fire;
//! - the same events in cross-apartment mode: the vtable one to free-threaded
//!   sinks (held as they are), the dispinterface one to apartment-threaded
//!   sinks of the firing apartment (reached through the Global Interface
//!   Table), against the same floors;
//! - the cost per call of Advise and Unadvise (in shuffled order) with 10 to
//!   100,000 connections.
//!
//! `tests/wine/bench.sh run tests/wine/fire_bench [-- ROUNDS BATCH_MS]`; the
//! defaults are 15 rounds of 40 ms batches. `-- profile SINKS SECONDS` only
//! fires the vtable event at SINKS sinks for SECONDS, for a profiler (perf
//! record) to sample.

use std::hint::black_box;
use std::time::{Duration, Instant};

use cpgen_fire_bench::generated::{DIID_DClockEvents, IClockSink, IID_IClockSink};
use cpgen_fire_bench::objects::{
    Advised, AlarmSink, Clock, MtClock, MtTickSink, StaAlarmSink, TickSink, enter_mta,
};
use cpgen_fire_bench::{alloc, cross_apartment, floor, measure};
use windows::Win32::Foundation::{VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::IDispatch;
use windows_core::{BSTR, ComObject, IUnknown, Result};

const SINK_COUNTS: [usize; 3] = [1, 16, 1024];
const CONNECTION_COUNTS: [usize; 5] = [10, 100, 1_000, 10_000, 100_000];

struct Settings {
    rounds: usize,
    batch: Duration,
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    enter_mta()?;
    if args.peek().is_some_and(|a| a == "profile") {
        let sinks = args.nth(1).map_or(16, |a| a.parse().expect("SINKS"));
        let seconds = args.next().map_or(10, |a| a.parse().expect("SECONDS"));
        return profile(sinks, Duration::from_secs(seconds));
    }
    let settings = Settings {
        rounds: args.next().map_or(15, |a| a.parse().expect("ROUNDS")),
        batch: Duration::from_millis(args.next().map_or(40, |a| a.parse().expect("BATCH_MS"))),
    };
    println!(
        "{} rounds of {} ms batches per figure, floor and Fire_ alternated; \
         ns are medians (min in brackets).\n",
        settings.rounds,
        settings.batch.as_millis()
    );
    println!(
        "| event | sinks | floor ns/sink | Fire_ ns/sink | ratio (median) | ratio (min) | allocs/fire floor | allocs/fire Fire_ |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in SINK_COUNTS {
        vtable_row(&settings, n)?;
    }
    for n in SINK_COUNTS {
        dispatch_row(&settings, n)?;
    }
    for n in SINK_COUNTS {
        cross_apartment_row(&settings, n)?;
    }
    for n in SINK_COUNTS {
        cross_apartment_dispatch_row(&settings, n)?;
    }
    println!();
    println!("| connections | Advise ns/call | Unadvise ns/call (shuffled) | repeats |");
    println!("| ---: | ---: | ---: | ---: |");
    for n in CONNECTION_COUNTS {
        advise_row(n)?;
    }
    Ok(())
}

fn print_row(
    event: &str,
    n: usize,
    (floor, fire): (measure::Samples, measure::Samples),
    allocations: (f64, f64),
) {
    let per_sink =
        |s: &measure::Samples| format!("{:.2} ({:.2})", s.median() / n as f64, s.min() / n as f64);
    println!(
        "| {event} | {n} | {} | {} | {:.2}x | {:.2}x | {} | {} |",
        per_sink(&floor),
        per_sink(&fire),
        fire.median() / floor.median(),
        fire.min() / floor.min(),
        allocations.0,
        allocations.1,
    );
}

/// Fires the vtable event at `n` sinks until `duration` is over.
fn profile(n: usize, duration: Duration) -> Result<()> {
    let clock = Clock::new();
    let advised: Advised<TickSink> =
        Advised::new::<IClockSink>(&Clock::point(&clock, IID_IClockSink)?, n)?;
    let start = Instant::now();
    while start.elapsed() < duration {
        for _ in 0..100_000 {
            clock
                .events
                .IClockSink
                .Fire_OnTick(black_box(1), black_box(0.5))?;
        }
    }
    check_same(advised.sinks.iter().map(|s| s.ticks.get()));
    Ok(())
}

/// Every sink got every event, or the figures mean nothing.
fn check_same(counts: impl IntoIterator<Item = u64>) {
    let mut counts = counts.into_iter();
    let first = counts.next().expect("at least one sink");
    assert!(first > 0, "no event reached the sinks");
    assert!(counts.all(|c| c == first), "a sink missed events");
}

fn vtable_row(settings: &Settings, n: usize) -> Result<()> {
    let clock = Clock::new();
    let advised: Advised<TickSink> =
        Advised::new::<IClockSink>(&Clock::point(&clock, IID_IClockSink)?, n)?;
    let events = &clock.events.IClockSink;
    let mut fire = || events.Fire_OnTick(black_box(1), black_box(0.5)).unwrap();
    let mut hand = || floor::ticks(black_box(&advised.raw), black_box(1), black_box(0.5)).unwrap();
    fire();
    let samples = measure::interleaved(settings.rounds, settings.batch, &mut hand, &mut fire);
    let allocations = (
        alloc::per_call(1000, &mut hand),
        alloc::per_call(1000, &mut fire),
    );
    check_same(advised.sinks.iter().map(|s| s.ticks.get()));
    print_row("vtable `OnTick(i32, f64)`", n, samples, allocations);
    Ok(())
}

fn dispatch_row(settings: &Settings, n: usize) -> Result<()> {
    let clock = Clock::new();
    let advised: Advised<AlarmSink> =
        Advised::new::<IDispatch>(&Clock::point(&clock, DIID_DClockEvents)?, n)?;
    let events = &clock.events.DClockEvents;
    let label = BSTR::from("wake up");
    let mut snooze: VARIANT_BOOL = VARIANT_FALSE;
    let mut fire = || {
        events
            .Fire_Alarm(black_box(&label), black_box(&mut snooze))
            .unwrap()
    };
    fire();
    let mut snooze_floor = VARIANT_FALSE;
    let mut hand = || {
        floor::alarms(
            black_box(&advised.raw),
            black_box(&label),
            black_box(&mut snooze_floor),
        )
        .unwrap()
    };
    let samples = measure::interleaved(settings.rounds, settings.batch, &mut hand, &mut fire);
    let allocations = (
        alloc::per_call(1000, &mut hand),
        alloc::per_call(1000, &mut fire),
    );
    assert_eq!((snooze, snooze_floor), (VARIANT_TRUE, VARIANT_TRUE));
    check_same(advised.sinks.iter().map(|s| s.alarms.get()));
    print_row(
        "dispinterface `Alarm(BSTR, VARIANT_BOOL*)`",
        n,
        samples,
        allocations,
    );
    Ok(())
}

fn cross_apartment_row(settings: &Settings, n: usize) -> Result<()> {
    let clock = MtClock::new();
    let advised: Advised<MtTickSink> =
        Advised::new::<cross_apartment::IClockSink>(&MtClock::point(&clock, IID_IClockSink)?, n)?;
    let events = &clock.events.IClockSink;
    let mut fire = || events.Fire_OnTick(black_box(1), black_box(0.5)).unwrap();
    let mut hand = || floor::ticks(black_box(&advised.raw), black_box(1), black_box(0.5)).unwrap();
    fire();
    let samples = measure::interleaved(settings.rounds, settings.batch, &mut hand, &mut fire);
    let allocations = (
        alloc::per_call(100, &mut hand),
        alloc::per_call(100, &mut fire),
    );
    check_same(advised.sinks.iter().map(|s| s.ticks.get()));
    print_row(
        "vtable `OnTick`, `--cross-apartment`, free-threaded sinks",
        n,
        samples,
        allocations,
    );
    Ok(())
}

fn cross_apartment_dispatch_row(settings: &Settings, n: usize) -> Result<()> {
    let clock = MtClock::new();
    let advised: Advised<StaAlarmSink> =
        Advised::new::<IDispatch>(&MtClock::point(&clock, DIID_DClockEvents)?, n)?;
    let events = &clock.events.DClockEvents;
    let label = BSTR::from("wake up");
    let (mut snooze, mut snooze_floor) = (VARIANT_FALSE, VARIANT_FALSE);
    let mut fire = || {
        events
            .Fire_Alarm(black_box(&label), black_box(&mut snooze))
            .unwrap()
    };
    fire();
    let mut hand = || {
        floor::alarms(
            black_box(&advised.raw),
            black_box(&label),
            black_box(&mut snooze_floor),
        )
        .unwrap()
    };
    let samples = measure::interleaved(settings.rounds, settings.batch, &mut hand, &mut fire);
    let allocations = (
        alloc::per_call(100, &mut hand),
        alloc::per_call(100, &mut fire),
    );
    check_same(advised.sinks.iter().map(|s| s.alarms.get()));
    print_row(
        "dispinterface `Alarm`, `--cross-apartment`, apartment-threaded sinks",
        n,
        samples,
        allocations,
    );
    Ok(())
}

/// Advise of `n` sinks one after the other, then Unadvise of all of them in
/// a shuffled order, through `IConnectionPoint`; repeated so that every row
/// makes at least 300,000 calls.
fn advise_row(n: usize) -> Result<()> {
    let repeats = (300_000 / n).max(3);
    let sinks: Vec<IUnknown> = (0..n)
        .map(|_| ComObject::new(TickSink::default()).to_interface())
        .collect();
    let (mut advise, mut unadvise) = (measure::Samples::default(), measure::Samples::default());
    for repeat in 0..repeats {
        let clock = Clock::new();
        let point = Clock::point(&clock, IID_IClockSink)?;
        let start = Instant::now();
        let mut cookies = sinks
            .iter()
            // SAFETY: live sinks.
            .map(|sink| unsafe { point.Advise(sink) })
            .collect::<Result<Vec<u32>>>()?;
        advise.0.push(start.elapsed().as_nanos() as f64 / n as f64);
        shuffle(&mut cookies, repeat as u64 + 1);
        let start = Instant::now();
        for cookie in cookies {
            // SAFETY: plain COM call.
            unsafe { point.Unadvise(cookie) }?;
        }
        unadvise
            .0
            .push(start.elapsed().as_nanos() as f64 / n as f64);
    }
    println!(
        "| {n} | {:.0} ({:.0}) | {:.0} ({:.0}) | {repeats} |",
        advise.median(),
        advise.min(),
        unadvise.median(),
        unadvise.min()
    );
    Ok(())
}

/// Fisher-Yates with a fixed linear congruential sequence: the same order on
/// every run.
fn shuffle(items: &mut [u32], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, (state >> 33) as usize % (i + 1));
    }
}
