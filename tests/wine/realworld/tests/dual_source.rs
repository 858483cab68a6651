//! The corpus's one vtable source, ATL's `connect` sample's dual `IRandomEvent`: `Fire_Fire`
//! calls each connected sink's vtable directly, here a typed sink of the bindings'
//! `IRandomEvent` (as windows-bindgen renders it).
#![deny(warnings)]

use std::sync::Mutex;

use cpgen_realworld::vcsamples_connect as connect;
use connect::{IRandomEvent, IRandomEventHandler, IRandomEventSink};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IEnumConnectionPoints,
};
use windows_core::{ComObject, GUID, IUnknownImpl, Interface, Result, implement};

#[implement(IConnectionPointContainer)]
struct Random(connect::CoRandomConnectionPoints);

impl IConnectionPointContainer_Impl for Random_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

struct Counter(&'static Mutex<Vec<i32>>);

impl IRandomEventHandler for Counter {
    fn Fire(&self, id: i32) -> Result<()> {
        self.0.lock().unwrap().push(id);
        Ok(())
    }
}

#[test]
fn dual_source_fires_through_the_vtable() -> Result<()> {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    static SEEN: Mutex<Vec<i32>> = Mutex::new(Vec::new());
    let random = ComObject::new(Random(connect::CoRandomConnectionPoints::new()));
    let container: IConnectionPointContainer = random.to_interface();
    // SAFETY: the GUID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&IRandomEvent::IID)? };
    let sink: IRandomEvent = IRandomEventSink(Counter(&SEEN)).into();
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&sink)? };
    random.0.IRandomEvent.Fire_Fire(7)?;
    random.0.IRandomEvent.Fire_Fire(-1)?;
    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie)? };
    random.0.IRandomEvent.Fire_Fire(8)?;
    assert_eq!(*SEEN.lock().unwrap(), [7, -1], "two fires while connected, none after");
    Ok(())
}
