//! No reference cycles: when the client lets go of everything, the object,
//! its connection points and every sink are released, with or without
//! Unadvise.

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClockSink};
use windows::Win32::System::Com::IConnectionPointContainer;
use windows_core::{IUnknown, Interface, Result};

use crate::support::{Clock, DispSink, Drops, VtableSink, advise, enter_mta, find, unadvise};

#[test]
fn releasing_everything_releases_object_and_sinks_without_unadvise() -> Result<()> {
    enter_mta()?;
    let clock_drops = Drops::default();
    let sink_drops = Drops::default();
    {
        let clock = Clock::new(&clock_drops);
        let container: IConnectionPointContainer = clock.to_interface();
        let disp_point = find(&container, DIID_DClockEvents)?;
        let vtable_point = find(&container, IID_IClockSink)?;
        advise(&disp_point, &DispSink::new(&sink_drops).to_interface())?;
        advise(&vtable_point, &VtableSink::new(&sink_drops).to_interface())?;
        // Enumerators too, of both kinds.
        // SAFETY: plain COM calls.
        let _listed = unsafe {
            (
                container.EnumConnectionPoints()?,
                disp_point.EnumConnections()?,
            )
        };
        clock.events.DClockEvents.Fire_Tick(1)?;
        clock.events.IClockSink.Fire_OnTick(1, 0.0)?;
        assert_eq!((clock_drops.count(), sink_drops.count()), (0, 0));
    }
    assert_eq!(clock_drops.count(), 1, "the clock leaked");
    assert_eq!(sink_drops.count(), 2, "sinks leaked");
    Ok(())
}

#[test]
fn a_connection_point_keeps_its_container_alive_like_atl() -> Result<()> {
    enter_mta()?;
    let clock_drops = Drops::default();
    let sink_drops = Drops::default();
    let point = {
        let clock = Clock::new(&clock_drops);
        let point = find(&clock.to_interface(), DIID_DClockEvents)?;
        advise(&point, &DispSink::new(&sink_drops).to_interface())?;
        point
    };
    // Only the connection point is left, and it answers for its container.
    assert_eq!(clock_drops.count(), 0);
    // SAFETY: plain COM call.
    let container = unsafe { point.GetConnectionPointContainer()? };
    let again = find(&container, DIID_DClockEvents)?;
    assert!(advise(&again, &DispSink::new(&sink_drops).to_interface())? > 1);
    drop((container, again));
    assert_eq!(clock_drops.count(), 0);
    drop(point);
    assert_eq!(clock_drops.count(), 1);
    assert_eq!(sink_drops.count(), 2);
    Ok(())
}

#[test]
fn unadvise_releases_the_sink_at_once() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let sink_drops = Drops::default();
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let cookie = advise(&point, &VtableSink::new(&sink_drops).to_interface())?;
    assert_eq!(sink_drops.count(), 0);
    unadvise(&point, cookie)?;
    assert_eq!(sink_drops.count(), 1);
    Ok(())
}

#[test]
fn an_enumerator_snapshot_holds_its_sinks_until_released() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let sink_drops = Drops::default();
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let cookie = advise(&point, &DispSink::new(&sink_drops).to_interface())?;
    // SAFETY: plain COM call.
    let listed = unsafe { point.EnumConnections()? };
    unadvise(&point, cookie)?;
    assert_eq!(sink_drops.count(), 0);
    drop(listed);
    assert_eq!(sink_drops.count(), 1);
    Ok(())
}

#[test]
fn a_sink_that_holds_the_container_is_the_clients_cycle_to_break() -> Result<()> {
    // As with ATL: a sink keeping a reference to the object it listens to is
    // a cycle only Unadvise breaks. This pins down that Unadvise does.
    enter_mta()?;
    let clock_drops = Drops::default();
    let sink_drops = Drops::default();
    {
        let clock = Clock::new(&clock_drops);
        let container: IUnknown = clock.to_interface();
        let point = find(&clock.to_interface(), DIID_DClockEvents)?;
        let sink = DispSink::new(&sink_drops);
        let held = crate::support::Mta(container.clone());
        sink.0.set_hook(move || drop(held));
        let cookie = advise(&point, &sink.to_interface())?;
        unadvise(&point, cookie)?;
        assert!(container.cast::<IConnectionPointContainer>().is_ok());
    }
    assert_eq!((clock_drops.count(), sink_drops.count()), (1, 1));
    Ok(())
}
