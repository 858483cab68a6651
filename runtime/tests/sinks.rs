//! The sink table, connection points, enumerators and advise guards, through COM as a client
//! sees them, with `IPropertyNotifySink` as the source interface.

use std::sync::Mutex;

use cpgen_runtime::{FireReport, Sinks};
use windows::Win32::Foundation::{E_FAIL, E_POINTER, RPC_E_DISCONNECTED, S_FALSE, S_OK};
use windows::Win32::System::Com::*;
use windows::Win32::System::Ole::*;
use windows_core::*;

#[implement(IConnectionPointContainer)]
#[derive(Default)]
struct Source {
    changes: Sinks<IPropertyNotifySink>,
}

impl IConnectionPointContainer_Impl for Source_Impl {
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        // SAFETY: COM passes null or a GUID.
        if unsafe { cpgen_runtime::requested_iid(riid) }? == IPropertyNotifySink::IID {
            Ok(self.changes.connection_point(&self.to_interface()))
        } else {
            Err(cpgen_runtime::no_connection_point())
        }
    }
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        let point = self.changes.connection_point(&self.to_interface());
        Ok(cpgen_runtime::enum_connection_points(vec![point]))
    }
}

/// Records each `OnChanged` and answers with `answer`.
#[implement(IPropertyNotifySink)]
struct Sink {
    seen: Mutex<Vec<i32>>,
    answer: HRESULT,
}

fn sink(answer: HRESULT) -> ComObject<Sink> {
    ComObject::new(Sink {
        seen: Mutex::new(Vec::new()),
        answer,
    })
}

impl IPropertyNotifySink_Impl for Sink_Impl {
    fn OnChanged(&self, dispid: i32) -> Result<()> {
        self.seen.lock().unwrap().push(dispid);
        self.answer.ok()
    }
    fn OnRequestEdit(&self, _dispid: i32) -> Result<()> {
        Ok(())
    }
}

fn fire<O: cpgen_runtime::report::Outcome>(source: &Source, dispid: i32) -> O {
    // SAFETY: a call through a live sink.
    source.changes.fire(|s| unsafe { s.OnChanged(dispid) })
}

fn point(source: &ComObject<Source>) -> IConnectionPoint {
    let container: IConnectionPointContainer = source.to_interface();
    // SAFETY: the IID outlives the call.
    unsafe { container.FindConnectionPoint(&IPropertyNotifySink::IID) }.unwrap()
}

#[test]
fn every_sink_is_called_and_the_first_error_returned() {
    let source = ComObject::new(Source::default());
    let (a, b, c) = (sink(S_OK), sink(E_FAIL), sink(E_POINTER));
    let point = point(&source);
    for s in [&a, &b, &c] {
        let s: IPropertyNotifySink = s.to_interface();
        // SAFETY: plain COM calls.
        unsafe { point.Advise(&s) }.unwrap();
    }
    let fired: Result<()> = fire(&source, 7);
    assert_eq!(fired.unwrap_err().code(), E_FAIL);
    for s in [&a, &b, &c] {
        assert_eq!(*s.seen.lock().unwrap(), [7]);
    }
    let report: FireReport = fire(&source, 8);
    assert_eq!(
        (report.reached, report.failed(), report.pruned()),
        (1, 2, 0)
    );
    assert_eq!(report.failures[0].cookie, 2);
    assert_eq!(report.into_result().unwrap_err().code(), E_FAIL);
}

#[test]
fn advise_and_unadvise_answer_as_com_specifies() {
    let source = ComObject::new(Source::default());
    let point = point(&source);
    // SAFETY: plain COM calls on live objects.
    unsafe {
        assert_eq!(
            point.GetConnectionInterface().unwrap(),
            IPropertyNotifySink::IID
        );
        let wrong: IUnknown = source.to_interface();
        assert_eq!(
            point.Advise(&wrong).unwrap_err().code(),
            CONNECT_E_CANNOTCONNECT
        );
        let s: IPropertyNotifySink = sink(S_OK).to_interface();
        let first = point.Advise(&s).unwrap();
        point.Unadvise(first).unwrap();
        assert_eq!(
            point.Unadvise(first).unwrap_err().code(),
            CONNECT_E_NOCONNECTION
        );
        // Cookies are never reused.
        assert_ne!(point.Advise(&s).unwrap(), first);
        let container: IConnectionPointContainer = source.to_interface();
        let other = container.FindConnectionPoint(&IDispatch::IID);
        assert_eq!(other.unwrap_err().code(), CONNECT_E_NOCONNECTION);
    }
}

#[test]
fn gone_sinks_are_pruned_unless_pruning_is_off() {
    let source = ComObject::new(Source::default());
    let gone = sink(RPC_E_DISCONNECTED);
    let connection = cpgen_runtime::advise(
        &source.to_interface(),
        &gone.to_interface::<IPropertyNotifySink>(),
    )
    .unwrap();
    source.changes.set_prune(false);
    let report: FireReport = fire(&source, 1);
    assert_eq!(report.pruned(), 0);
    source.changes.set_prune(true);
    let report: FireReport = fire(&source, 2);
    assert_eq!((report.reached, report.pruned()), (0, 1));
    assert!(report.failures[0].pruned);
    let report: FireReport = fire(&source, 3);
    assert!(report.failures.is_empty());
    assert_eq!(*gone.seen.lock().unwrap(), [1, 2]);
    // Already unadvised by the fire.
    assert_eq!(
        connection.unadvise().unwrap_err().code(),
        CONNECT_E_NOCONNECTION
    );
}

#[test]
fn a_connection_unadvises_when_dropped() {
    let source = ComObject::new(Source::default());
    let s = sink(S_OK);
    let connection = cpgen_runtime::advise(
        &source.to_interface(),
        &s.to_interface::<IPropertyNotifySink>(),
    )
    .unwrap();
    assert_eq!(connection.cookie(), 1);
    let _: Result<()> = fire(&source, 1);
    drop(connection);
    let _: Result<()> = fire(&source, 2);
    assert_eq!(*s.seen.lock().unwrap(), [1]);
}

#[test]
fn enumerators_are_snapshots_with_next_skip_reset_and_clone() {
    let source = ComObject::new(Source::default());
    let point = point(&source);
    let sinks: Vec<IPropertyNotifySink> = (0..3).map(|_| sink(S_OK).to_interface()).collect();
    // SAFETY: plain COM calls; the buffers outlive them.
    unsafe {
        for s in &sinks {
            point.Advise(s).unwrap();
        }
        let connections = point.EnumConnections().unwrap();
        point.Unadvise(2).unwrap();
        let next = |e: &IEnumConnections, n: usize| {
            let mut data: Vec<CONNECTDATA> = (0..n).map(|_| CONNECTDATA::default()).collect();
            let mut fetched = 0;
            let answer = e.Next(&mut data, &mut fetched);
            let cookies: Vec<u32> = data[..fetched as usize]
                .iter_mut()
                .map(|d| {
                    std::mem::ManuallyDrop::drop(&mut d.pUnk);
                    d.dwCookie
                })
                .collect();
            (answer, cookies)
        };
        // Taken before cookie 2 went.
        assert_eq!(next(&connections, 2), (S_OK, vec![1, 2]));
        let clone = connections.Clone().unwrap();
        assert_eq!(next(&connections, 2), (S_FALSE, vec![3]));
        connections.Reset().unwrap();
        connections.Skip(4).unwrap();
        assert_eq!(next(&connections, 1), (S_FALSE, vec![]));
        assert_eq!(next(&clone, 1), (S_OK, vec![3]));
        let mut fetched = 0;
        let container: IConnectionPointContainer = source.to_interface();
        let points = container.EnumConnectionPoints().unwrap();
        let mut found = [None];
        assert_eq!(points.Next(&mut found, &mut fetched), S_OK);
        let found = found[0].take().unwrap();
        assert_eq!(
            found.GetConnectionInterface().unwrap(),
            IPropertyNotifySink::IID
        );
    }
}
