//! EnumConnections and EnumConnectionPoints: snapshots, and Next, Skip,
//! Reset and Clone per the COM enumerator rules.

use std::mem::ManuallyDrop;

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClockSink};
use windows::Win32::Foundation::{E_POINTER, S_FALSE, S_OK};
use windows::Win32::System::Com::{
    CONNECTDATA, IConnectionPoint, IConnectionPointContainer, IEnumConnectionPoints,
    IEnumConnections,
};
use windows_core::{HRESULT, IUnknown, Interface, Result};

use crate::support::{Clock, DispSink, Drops, VtableSink, advise, enter_mta, find, unadvise};

/// Next(count) on a connection enumerator: its HRESULT and (cookie, sink)s.
fn next_connections(connections: &IEnumConnections, count: usize) -> (HRESULT, Vec<u32>) {
    let mut data: Vec<CONNECTDATA> = (0..count).map(|_| CONNECTDATA::default()).collect();
    let mut fetched = u32::MAX;
    // SAFETY: data has room for `count` entries.
    let hr = unsafe { connections.Next(&mut data, &mut fetched) };
    let cookies = data
        .into_iter()
        .take(fetched as usize)
        .map(|entry| {
            let sink = ManuallyDrop::into_inner(entry.pUnk);
            assert!(sink.is_some(), "a CONNECTDATA without its sink");
            entry.dwCookie
        })
        .collect();
    (hr, cookies)
}

/// Skip(count) as the raw HRESULT (the windows crate's wrapper folds S_FALSE
/// into Ok).
fn skip<T: Interface>(enumerator: &T, count: u32, slot: fn(&T::Vtable) -> SkipFn) -> HRESULT {
    // SAFETY: a call through the enumerator's own vtable.
    unsafe { slot(enumerator.vtable())(enumerator.as_raw(), count) }
}

type SkipFn = unsafe extern "system" fn(*mut std::ffi::c_void, u32) -> HRESULT;

#[test]
fn enum_connections_is_a_snapshot_with_next_skip_reset_clone() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), DIID_DClockEvents)?;
    let sinks: Vec<IUnknown> = (0..3)
        .map(|_| DispSink::new(&drops).to_interface())
        .collect();
    let cookies = sinks
        .iter()
        .map(|sink| advise(&point, sink))
        .collect::<Result<Vec<u32>>>()?;
    // SAFETY: plain COM call.
    let listed = unsafe { point.EnumConnections()? };
    // Later changes do not reach an enumerator already made.
    unadvise(&point, cookies[1])?;
    advise(&point, &sinks[1])?;

    assert_eq!(next_connections(&listed, 2), (S_OK, cookies[..2].to_vec()));
    assert_eq!(
        next_connections(&listed, 5),
        (S_FALSE, cookies[2..].to_vec())
    );
    assert_eq!(next_connections(&listed, 1), (S_FALSE, vec![]));
    // SAFETY: plain COM call.
    unsafe { listed.Reset()? };
    let skip_slot = |v: &<IEnumConnections as Interface>::Vtable| v.Skip;
    assert_eq!(skip(&listed, 2, skip_slot), S_OK);
    // SAFETY: plain COM call.
    let copy = unsafe { listed.Clone()? };
    // The clone starts where the original was; each then moves on its own.
    assert_eq!(next_connections(&copy, 1), (S_OK, vec![cookies[2]]));
    assert_eq!(next_connections(&copy, 1), (S_FALSE, vec![]));
    assert_eq!(next_connections(&listed, 1), (S_OK, vec![cookies[2]]));
    // SAFETY: plain COM call.
    unsafe { listed.Reset()? };
    assert_eq!(skip(&listed, 4, skip_slot), S_FALSE);
    assert_eq!(next_connections(&listed, 1), (S_FALSE, vec![]));

    // The new snapshot sees the changes: cookies[1] gone, a new one last.
    // SAFETY: plain COM call.
    let fresh = unsafe { point.EnumConnections()? };
    let (hr, now) = next_connections(&fresh, 10);
    assert_eq!(hr, S_FALSE);
    assert_eq!(now.len(), 3);
    assert_eq!(now[..2], [cookies[0], cookies[2]]);
    assert!(!cookies.contains(&now[2]));
    Ok(())
}

#[test]
fn enum_connections_next_pointer_rules() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let point = find(&clock.to_interface(), IID_IClockSink)?;
    let sink: IUnknown = VtableSink::new(&drops).to_interface();
    let cookies = [advise(&point, &sink)?, advise(&point, &sink)?];
    // SAFETY: plain COM call.
    let listed = unsafe { point.EnumConnections()? };
    let next = listed.vtable().Next;
    let mut data = [CONNECTDATA::default(), CONNECTDATA::default()];
    // pcFetched may be null only when one item is asked for.
    // SAFETY: data has room for two entries; the null pointers are under test.
    unsafe {
        assert_eq!(
            next(listed.as_raw(), 2, data.as_mut_ptr(), std::ptr::null_mut()),
            E_POINTER
        );
        assert_eq!(
            next(
                listed.as_raw(),
                1,
                std::ptr::null_mut(),
                std::ptr::null_mut()
            ),
            E_POINTER
        );
        assert_eq!(
            next(listed.as_raw(), 1, data.as_mut_ptr(), std::ptr::null_mut()),
            S_OK
        );
    }
    assert_eq!(data[0].dwCookie, cookies[0]);
    drop(ManuallyDrop::into_inner(std::mem::take(&mut data[0].pUnk)));
    // Asking for none is S_OK with nothing fetched.
    assert_eq!(next_connections(&listed, 0), (S_OK, vec![]));
    assert_eq!(next_connections(&listed, 1), (S_OK, vec![cookies[1]]));
    Ok(())
}

/// Next(count) on a connection point enumerator: HRESULT and the IIDs.
fn next_points(
    points: &IEnumConnectionPoints,
    count: usize,
) -> Result<(HRESULT, Vec<IConnectionPoint>)> {
    let mut slots: Vec<Option<IConnectionPoint>> = vec![None; count];
    let mut fetched = u32::MAX;
    // SAFETY: slots has room for `count` entries.
    let hr = unsafe { points.Next(&mut slots, &mut fetched) };
    assert!(slots[fetched as usize..].iter().all(Option::is_none));
    Ok((hr, slots.into_iter().flatten().collect()))
}

fn iids(points: &[IConnectionPoint]) -> Result<Vec<windows_core::GUID>> {
    // SAFETY: plain COM calls.
    points
        .iter()
        .map(|point| unsafe { point.GetConnectionInterface() })
        .collect()
}

#[test]
fn enum_connection_points_lists_sources_in_order() -> Result<()> {
    enter_mta()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IConnectionPointContainer = clock.to_interface();
    // SAFETY: plain COM call.
    let listed = unsafe { container.EnumConnectionPoints()? };
    let (hr, first) = next_points(&listed, 1)?;
    assert_eq!((hr, iids(&first)?), (S_OK, vec![DIID_DClockEvents]));
    // SAFETY: plain COM call.
    let copy = unsafe { listed.Clone()? };
    let (hr, rest) = next_points(&listed, 3)?;
    assert_eq!((hr, iids(&rest)?), (S_FALSE, vec![IID_IClockSink]));
    let (hr, rest) = next_points(&copy, 1)?;
    assert_eq!((hr, iids(&rest)?), (S_OK, vec![IID_IClockSink]));
    // SAFETY: plain COM call.
    unsafe { listed.Reset()? };
    let skip_slot = |v: &<IEnumConnectionPoints as Interface>::Vtable| v.Skip;
    assert_eq!(skip(&listed, 1, skip_slot), S_OK);
    assert_eq!(skip(&listed, 2, skip_slot), S_FALSE);
    // SAFETY: plain COM call.
    unsafe { listed.Reset()? };
    let (hr, all) = next_points(&listed, 2)?;
    assert_eq!(hr, S_OK);

    // The enumerated points are live connection points of this container.
    let sink = DispSink::new(&drops);
    let cookie = advise(&all[0], &sink.to_interface())?;
    clock.events.DClockEvents.Fire_Tick(3)?;
    assert_eq!(sink.0.calls().len(), 1);
    // ... sharing state with the ones FindConnectionPoint gives.
    unadvise(&find(&container, DIID_DClockEvents)?, cookie)?;
    // SAFETY: plain COM call.
    let back = unsafe { all[1].GetConnectionPointContainer()? };
    assert_eq!(back.cast::<IUnknown>()?, container.cast::<IUnknown>()?);
    Ok(())
}
