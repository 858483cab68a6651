//! The benchmark's pieces, run once with few calls (timing them is `bench.sh
//! run`'s job): `Fire_` and the hand-written floor reach the same sinks with
//! the same arguments, and a vtable fire with scalar arguments allocates
//! nothing, while sinks stay connected, whatever their number.

use cpgen_fire_bench::generated::{DIID_DClockEvents, IClockSink, IID_IClockSink};
use cpgen_fire_bench::objects::{Advised, AlarmSink, Clock, TickSink, enter_mta};
use cpgen_fire_bench::{alloc, floor};
use windows::Win32::Foundation::{VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::IDispatch;
use windows_core::{BSTR, Result};

#[test]
fn a_vtable_fire_with_scalar_arguments_allocates_nothing() -> Result<()> {
    enter_mta()?;
    for n in [1, 16, 1024] {
        let clock = Clock::new();
        let advised: Advised<TickSink> =
            Advised::new::<IClockSink>(&Clock::point(&clock, IID_IClockSink)?, n)?;
        let events = &clock.events.IClockSink;
        // The first fire after Advise takes the new snapshot of the sinks.
        events.Fire_OnTick(1, 0.5)?;
        let allocations = alloc::per_call(100, || events.Fire_OnTick(2, 0.5).unwrap());
        assert_eq!(allocations, 0.0, "{n} sinks");
        floor::ticks(&advised.raw, 3, 0.5).ok()?;
        for sink in &advised.sinks {
            assert_eq!((sink.ticks.get(), sink.seconds.get()), (102, 1 + 200 + 3));
        }
    }
    Ok(())
}

#[test]
fn the_floor_and_fire_deliver_the_same_alarm() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new();
    let advised: Advised<AlarmSink> =
        Advised::new::<IDispatch>(&Clock::point(&clock, DIID_DClockEvents)?, 16)?;
    let label = BSTR::from("wake up");
    let (mut by_fire, mut by_floor) = (VARIANT_FALSE, VARIANT_FALSE);
    clock.events.DClockEvents.Fire_Alarm(&label, &mut by_fire)?;
    floor::alarms(&advised.raw, &label, &mut by_floor).ok()?;
    assert_eq!((by_fire, by_floor), (VARIANT_TRUE, VARIANT_TRUE));
    for sink in &advised.sinks {
        assert_eq!((sink.alarms.get(), sink.label_chars.get()), (2, 14));
    }
    Ok(())
}
