//! Advise guards: `advise` and `advise_iid` connect a sink as AtlAdvise does, and the
//! `Connection` they return unadvises when dropped, or when asked, saying how it went.

use std::mem::ManuallyDrop;

use cpgen_clock_events::generated::{
    Connection, DClockEvents, DClockEventsSink, DIID_DClockEvents, IClockSink, IClockSinkSink,
    IID_IClock, IID_IClockSink, advise, advise_iid,
};
use windows::Win32::Foundation::E_NOINTERFACE;
use windows::Win32::System::Com::CONNECTDATA;
use windows::Win32::System::Ole::{CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION};
use windows_core::{IUnknown, Interface, Result};

use crate::support::{Clock, DispSink, Drops, enter_mta, unadvise};
use crate::typed_sinks::Recorder;

/// The cookies `connection`'s connection point lists.
fn cookies(connection: &Connection) -> Result<Vec<u32>> {
    // SAFETY: plain COM calls; each CONNECTDATA's sink is released once.
    unsafe {
        let listed = connection.point().EnumConnections()?;
        let mut data = [CONNECTDATA::default(), CONNECTDATA::default()];
        let mut fetched = 0;
        let _ = listed.Next(&mut data, &mut fetched);
        Ok(data[..fetched as usize]
            .iter_mut()
            .map(|entry| {
                ManuallyDrop::drop(&mut entry.pUnk);
                entry.dwCookie
            })
            .collect())
    }
}

#[test]
fn a_connection_is_the_advised_cookie_until_unadvised() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let source: IUnknown = clock.to_interface();
    let sink = IClockSink::from(IClockSinkSink(Recorder::new(&drops).0));
    let connection = advise(&source, &sink)?;
    drop(sink);
    // SAFETY: plain COM call.
    assert_eq!(
        unsafe { connection.point().GetConnectionInterface()? },
        IID_IClockSink
    );
    assert_eq!(cookies(&connection)?, [connection.cookie()]);
    let point = connection.point().clone();
    connection.unadvise()?;
    // The point no longer lists it, and the sink (the source's only hold on it) is gone.
    // SAFETY: plain COM call.
    let listed = unsafe { point.EnumConnections()? };
    let mut data = [CONNECTDATA::default()];
    let mut fetched = 0;
    // SAFETY: room for one entry.
    let _ = unsafe { listed.Next(&mut data, &mut fetched) };
    assert_eq!(fetched, 0);
    assert_eq!(drops.count(), 1);
    Ok(())
}

#[test]
fn advise_iid_connects_a_sink_whose_type_is_not_the_interface() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    // A plain #[implement] sink, handed over as IUnknown.
    let recorder = DispSink::new(&drops);
    let sink: IUnknown = recorder.to_interface();
    let connection = advise_iid(&clock.to_interface(), &DIID_DClockEvents, &sink)?;
    clock.events.DClockEvents.Fire_Tick(5)?;
    assert_eq!(recorder.0.calls().len(), 1);
    drop(connection);
    clock.events.DClockEvents.Fire_Tick(6)?;
    let recorded = recorder.0.calls().len();
    assert_eq!(recorded, 1, "an event reached a dropped connection");
    Ok(())
}

#[test]
fn advise_reports_what_the_source_answers() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let source: IUnknown = clock.to_interface();
    let sink = DClockEvents::from(DClockEventsSink(Recorder::new(&drops).0));
    // No connection point for that IID.
    let error = advise_iid(&source, &IID_IClock, &sink.cast()?)
        .err()
        .unwrap();
    assert_eq!(error.code(), CONNECT_E_NOCONNECTION);
    // A sink without the interface.
    let error = advise_iid(&source, &IID_IClockSink, &sink.cast()?)
        .err()
        .unwrap();
    assert_eq!(error.code(), CONNECT_E_CANNOTCONNECT);
    // A source that is not connectable (the sink itself).
    let error = advise(&sink.cast()?, &sink).err().unwrap();
    assert_eq!(error.code(), E_NOINTERFACE);
    Ok(())
}

#[test]
fn a_connection_the_source_already_dropped_unadvises_quietly_or_says_so() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let source: IUnknown = clock.to_interface();
    let first = DClockEventsSink::advise(&source, Recorder::new(&drops).0)?;
    let second = DClockEventsSink::advise(&source, Recorder::new(&drops).0)?;
    assert!(second.cookie() > first.cookie());
    unadvise(first.point(), first.cookie())?;
    unadvise(second.point(), second.cookie())?;
    // Dropping one whose cookie is gone does nothing; asking says what Unadvise said.
    drop(first);
    assert_eq!(
        second.unadvise().unwrap_err().code(),
        CONNECT_E_NOCONNECTION
    );
    assert_eq!(drops.count(), 2);
    Ok(())
}
