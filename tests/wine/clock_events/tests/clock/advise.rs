//! FindConnectionPoint, Advise and Unadvise: the answers and error codes.

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClock, IID_IClockSink};
use windows::Win32::Foundation::{E_POINTER, VARIANT_BOOL};
use windows::Win32::System::Com::{CONNECTDATA, IConnectionPointContainer};
use windows::Win32::System::Ole::{CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION};
use windows_core::{BSTR, IUnknown, Interface, Result};

use crate::support::{
    Clock, DispSink, Drops, SinkCall, VtableSink, advise, enter_mta, find, raw, unadvise,
};
use cpgen_clock_events::generated::DClockEvents;

#[test]
fn find_connection_point_answers_each_source() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let container: IConnectionPointContainer = clock.to_interface();
    for iid in [DIID_DClockEvents, IID_IClockSink] {
        let point = find(&container, iid)?;
        // SAFETY: plain COM calls.
        let (interface, back) = unsafe {
            (
                point.GetConnectionInterface()?,
                point.GetConnectionPointContainer()?,
            )
        };
        assert_eq!(interface, iid);
        // Same object: same IUnknown identity.
        assert_eq!(back.cast::<IUnknown>()?, container.cast::<IUnknown>()?);
    }
    Ok(())
}

#[test]
fn find_connection_point_rejects_other_iids_and_null() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    let container: IConnectionPointContainer = clock.to_interface();
    for iid in [IID_IClock, IUnknown::IID, IConnectionPointContainer::IID] {
        let error = find(&container, iid).unwrap_err();
        assert_eq!(error.code(), CONNECT_E_NOCONNECTION, "{iid:?}");
    }
    // SAFETY: a null riid is what is under test.
    let error = unsafe { container.FindConnectionPoint(std::ptr::null()) }.unwrap_err();
    assert_eq!(error.code(), E_POINTER);
    Ok(())
}

#[test]
fn advise_null_sink_is_e_pointer() -> Result<()> {
    enter_mta()?;
    let clock = Clock::new(&Drops::default());
    for iid in [DIID_DClockEvents, IID_IClockSink] {
        let point = find(&clock.to_interface(), iid)?;
        // SAFETY: a null sink is what is under test.
        let error = unsafe { point.Advise(None::<&IUnknown>) }.unwrap_err();
        assert_eq!(error.code(), E_POINTER);
    }
    Ok(())
}

#[test]
fn advise_rejects_sink_without_the_source_interface() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IConnectionPointContainer = clock.to_interface();
    // Each sink implements the other source interface only.
    let vtable_sink: IUnknown = VtableSink::new(&drops).to_interface();
    let disp_sink: IUnknown = DispSink::new(&drops).to_interface();
    let error = advise(&find(&container, DIID_DClockEvents)?, &vtable_sink).unwrap_err();
    assert_eq!(error.code(), CONNECT_E_CANNOTCONNECT);
    let error = advise(&find(&container, IID_IClockSink)?, &disp_sink).unwrap_err();
    assert_eq!(error.code(), CONNECT_E_CANNOTCONNECT);
    Ok(())
}

#[test]
fn cookies_are_never_reused() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IConnectionPointContainer = clock.to_interface();
    let point = find(&container, IID_IClockSink)?;
    let sink: IUnknown = VtableSink::new(&drops).to_interface();
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(advise(&point, &sink)?);
    }
    // Freed cookies, the last one included, are not handed out again, even
    // through another connection point object for the same source.
    unadvise(&point, seen[2])?;
    unadvise(&point, seen[0])?;
    let again = find(&container, IID_IClockSink)?;
    seen.push(advise(&again, &sink)?);
    seen.push(advise(&point, &sink)?);
    let mut distinct = seen.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "cookies {seen:?}");
    assert!(!seen.contains(&0), "cookies {seen:?}");
    // The other connection point counts on its own but never hands out 0.
    let disp = find(&container, DIID_DClockEvents)?;
    let disp_sink: IUnknown = DispSink::new(&drops).to_interface();
    assert_ne!(advise(&disp, &disp_sink)?, 0);
    Ok(())
}

#[test]
fn unadvise_unknown_or_used_cookie_is_no_connection() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let sink: IUnknown = DispSink::new(&drops).to_interface();
    for cookie in [0, 1, 7, u32::MAX] {
        let error = unadvise(&point, cookie).unwrap_err();
        assert_eq!(error.code(), CONNECT_E_NOCONNECTION, "cookie {cookie}");
    }
    let cookie = advise(&point, &sink)?;
    // The cookie belongs to this connection point, not the other one.
    let other = find(&clock.to_interface(), IID_IClockSink)?;
    assert_eq!(
        unadvise(&other, cookie).unwrap_err().code(),
        CONNECT_E_NOCONNECTION
    );
    unadvise(&point, cookie)?;
    assert_eq!(
        unadvise(&point, cookie).unwrap_err().code(),
        CONNECT_E_NOCONNECTION
    );
    Ok(())
}

#[test]
fn sink_is_held_as_the_source_interface() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let sink = DispSink::new(&drops);
    let unknown: IUnknown = sink.to_interface();
    let as_source: DClockEvents = sink.to_interface();
    // #[implement] gives the dispinterface its own vtable pointer.
    assert_ne!(raw(&unknown), raw(&as_source));
    let cookie = advise(&point, &unknown)?;
    drop((unknown, as_source));
    // SAFETY: plain COM calls; the CONNECTDATA's reference is released below.
    let mut data = [CONNECTDATA::default()];
    let hr = unsafe {
        point
            .EnumConnections()?
            .Next(&mut data, std::ptr::null_mut())
    };
    hr.ok()?;
    let held = std::mem::ManuallyDrop::into_inner(std::mem::take(&mut data[0].pUnk))
        .expect("a connected sink");
    assert_eq!(data[0].dwCookie, cookie);
    // What the connection point holds is what QueryInterface for the source
    // interface answered, not the IUnknown it was given.
    let expected: DClockEvents = sink.to_interface();
    assert_eq!(raw(&held), raw(&expected));
    drop((held, expected));
    // And it holds a reference: the client's are all gone, the sink is not.
    drop(sink);
    assert_eq!(drops.count(), 0);
    clock.events.DClockEvents.Fire_Tick(1)?;
    unadvise(&point, cookie)?;
    assert_eq!(drops.count(), 1);
    Ok(())
}

#[test]
fn vtable_sink_held_and_called_as_iclocksink() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let sink = VtableSink::new(&drops);
    let cookie = advise(&point, &sink.to_interface())?;
    let mut snooze = VARIANT_BOOL(0);
    clock
        .events
        .IClockSink
        .Fire_OnAlarm(&BSTR::from("tea"), &mut snooze)?;
    assert_eq!(sink.0.calls(), [SinkCall::OnAlarm("tea".into())]);
    unadvise(&point, cookie)
}
