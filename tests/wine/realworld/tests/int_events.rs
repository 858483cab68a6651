//! An `int` event parameter (VLC's `MediaPlayerTitleChanged([in] int title)`) travels as
//! `VT_INT`, as MIDL describes `int` in type libraries, and cpgen's own typed sink takes it.
#![deny(warnings)]

use std::sync::Mutex;

use cpgen_realworld::vlc_activex_axvlc as vlc;
use vlc::{DVLCEvents, DVLCEventsHandler, DVLCEventsSink};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IEnumConnectionPoints,
};
use windows_core::{ComObject, GUID, IUnknownImpl, Result, implement};

#[implement(IConnectionPointContainer)]
struct Plugin(vlc::VLCPlugin2ConnectionPoints);

impl IConnectionPointContainer_Impl for Plugin_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.0.enum_connection_points(&self.to_interface())
    }
    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.0.find_connection_point(&self.to_interface(), riid)
    }
}

struct Titles(&'static Mutex<Vec<i32>>);

impl DVLCEventsHandler for Titles {
    fn MediaPlayerTitleChanged(&self, title: i32) -> Result<()> {
        self.0.lock().unwrap().push(title);
        Ok(())
    }
}

#[test]
fn int_parameters_reach_the_typed_sink() -> Result<()> {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    static SEEN: Mutex<Vec<i32>> = Mutex::new(Vec::new());
    let plugin = ComObject::new(Plugin(vlc::VLCPlugin2ConnectionPoints::new()));
    let container: IConnectionPointContainer = plugin.to_interface();
    // SAFETY: the GUID outlives the call.
    let point = unsafe { container.FindConnectionPoint(&vlc::DIID_DVLCEvents)? };
    let sink: DVLCEvents = DVLCEventsSink(Titles(&SEEN)).into();
    // SAFETY: a live sink.
    let cookie = unsafe { point.Advise(&sink)? };
    plugin.0.DVLCEvents.Fire_MediaPlayerTitleChanged(-3)?;
    // SAFETY: the cookie Advise returned.
    unsafe { point.Unadvise(cookie)? };
    assert_eq!(*SEEN.lock().unwrap(), [-3]);
    Ok(())
}
