//! Property change notification (fixtures/notify.idl, generated with `--property-notify`): the
//! `Gauge` control's IPropertyNotifySink connection point, found and enumerated like its event
//! source, and its `[bindable]` and `[requestedit]` properties announced to sinks that allow,
//! refuse and fail.

use std::sync::{Arc, Mutex};

use cpgen_clock_events::notify::{
    Connection, DIID_DGaugeEvents, GaugeConnectionPoints, IPropertyNotifySinkHandler,
    IPropertyNotifySinkSink,
};
use windows::Win32::Foundation::{E_FAIL, S_FALSE, S_OK};
use windows::Win32::System::Com::{
    IConnectionPoint, IConnectionPointContainer, IConnectionPointContainer_Impl,
    IEnumConnectionPoints,
};
use windows::Win32::System::Ole::IPropertyNotifySink;
use windows_core::{
    ComObject, Error, GUID, HRESULT, IUnknown, IUnknownImpl, Interface, Result, implement,
};

use crate::support::{enter_mta, lock};

/// The control: it holds the generated connection points and answers
/// IConnectionPointContainer with them.
#[implement(IConnectionPointContainer)]
#[derive(Default)]
struct Gauge {
    events: GaugeConnectionPoints,
}

impl IConnectionPointContainer_Impl for Gauge_Impl {
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events.find_connection_point(&self.to_interface(), riid)
    }
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }
}

/// What one sink heard: ("changed" or "asked", DISPID), in order.
type Heard = Arc<Mutex<Vec<(&'static str, i32)>>>;

/// A sink answering every OnRequestEdit with `answer`.
struct Container {
    answer: HRESULT,
    heard: Heard,
}

impl IPropertyNotifySinkHandler for Container {
    fn OnChanged(&self, dispid: i32) -> Result<()> {
        lock(&self.heard).push(("changed", dispid));
        Ok(())
    }
    fn OnRequestEdit(&self, dispid: i32) -> Result<()> {
        lock(&self.heard).push(("asked", dispid));
        // S_FALSE refuses: a success code, which a Rust sink returns as an "error" of that code.
        if self.answer == S_OK {
            Ok(())
        } else {
            Err(Error::from_hresult(self.answer))
        }
    }
}

fn gauge() -> ComObject<Gauge> {
    ComObject::new(Gauge::default())
}

/// Connects a sink answering `answer` to `gauge`.
fn connect(gauge: &ComObject<Gauge>, answer: HRESULT) -> (Connection, Heard) {
    let heard = Heard::default();
    let handler = Container {
        answer,
        heard: heard.clone(),
    };
    let unknown: IUnknown = gauge.to_interface();
    let connection = IPropertyNotifySinkSink::advise(&unknown, handler).unwrap();
    (connection, heard)
}

#[test]
fn the_connection_point_is_found_and_enumerated_like_the_others() {
    enter_mta().unwrap();
    let gauge = gauge();
    let container: IConnectionPointContainer = gauge.to_interface();
    // SAFETY: plain COM calls with live arguments.
    unsafe {
        let point = container
            .FindConnectionPoint(&IPropertyNotifySink::IID)
            .unwrap();
        assert_eq!(point.GetConnectionInterface().unwrap(), IPropertyNotifySink::IID);
        let points = container.EnumConnectionPoints().unwrap();
        let mut found = [None, None, None];
        let mut fetched = 0;
        assert_eq!(points.Next(&mut found, &mut fetched), S_FALSE);
        assert_eq!(fetched, 2);
        let iids: Vec<GUID> = found[..2]
            .iter()
            .map(|p| p.as_ref().unwrap().GetConnectionInterface().unwrap())
            .collect();
        assert_eq!(iids, [DIID_DGaugeEvents, IPropertyNotifySink::IID]);
    }
    // A sink connects through it, and leaves with its Connection.
    let (connection, heard) = connect(&gauge, S_OK);
    gauge.events.Level_changed().unwrap();
    connection.unadvise().unwrap();
    gauge.events.Level_changed().unwrap();
    assert_eq!(*lock(&heard), [("changed", 1)]);
}

#[test]
fn bindable_properties_announce_their_changes_to_every_sink() {
    enter_mta().unwrap();
    let gauge = gauge();
    let (_first, first) = connect(&gauge, S_OK);
    let (_second, second) = connect(&gauge, S_OK);
    gauge.events.Level_changed().unwrap();
    gauge.events.Unit_changed().unwrap();
    gauge.events.Caption_changed().unwrap();
    gauge.events.changed(42).unwrap();
    let expected = [("changed", 1), ("changed", 3), ("changed", -518), ("changed", 42)];
    assert_eq!(*lock(&first), expected);
    assert_eq!(*lock(&second), expected);
    assert_eq!(
        (GaugeConnectionPoints::DISPID_Level, GaugeConnectionPoints::DISPID_Caption),
        (1, -518)
    );
}

#[test]
fn a_requested_edit_goes_ahead_only_when_no_sink_refuses() {
    enter_mta().unwrap();
    let gauge = gauge();
    // No sink: nobody objects.
    assert!(gauge.events.Locked_request_edit().unwrap());
    let (_a, a) = connect(&gauge, S_OK);
    let (_b, b) = connect(&gauge, S_OK);
    assert!(gauge.events.Locked_request_edit().unwrap());
    // One refusal is enough, and every sink is still asked.
    let (refusing, c) = connect(&gauge, S_FALSE);
    let (_d, d) = connect(&gauge, S_OK);
    assert!(!gauge.events.request_edit(GaugeConnectionPoints::DISPID_Locked).unwrap());
    for heard in [&a, &b] {
        assert_eq!(*lock(heard), [("asked", 2), ("asked", 2)]);
    }
    assert_eq!(*lock(&c), [("asked", 2)]);
    assert_eq!(*lock(&d), [("asked", 2)]);
    // A failing sink is the caller's to judge: its error, when nobody refused.
    let (_e, e) = connect(&gauge, E_FAIL);
    assert!(!gauge.events.Locked_request_edit().unwrap());
    refusing.unadvise().unwrap();
    let error = gauge.events.Locked_request_edit().unwrap_err();
    assert_eq!(error.code(), E_FAIL);
    assert_eq!(lock(&e).len(), 2);
    assert_eq!(lock(&d).len(), 3);
}

#[test]
fn a_property_both_bindable_and_requestedit_is_asked_then_announced() {
    enter_mta().unwrap();
    let gauge = gauge();
    let (_sink, heard) = connect(&gauge, S_OK);
    if gauge.events.Unit_request_edit().unwrap() {
        gauge.events.Unit_changed().unwrap();
    }
    let (refusing, _) = connect(&gauge, S_FALSE);
    if gauge.events.Unit_request_edit().unwrap() {
        gauge.events.Unit_changed().unwrap();
    }
    drop(refusing);
    assert_eq!(
        *lock(&heard),
        [("asked", 3), ("changed", 3), ("asked", 3)]
    );
}
