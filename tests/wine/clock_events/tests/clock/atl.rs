//! A client nobody here wrote: Wine's atl.dll, whose AtlAdvise and
//! AtlUnadvise are how ATL clients connect and disconnect sinks.

use std::ffi::c_void;

use cpgen_clock_events::generated::{DIID_DClockEvents, IID_IClock, IID_IClockSink};
use windows::Win32::System::LibraryLoader::{GetProcAddress, LoadLibraryW};
use windows::Win32::System::Ole::{CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION};
use windows_core::{Error, GUID, HRESULT, IUnknown, Interface, Result, s, w};

use crate::support::{Clock, DispSink, Drops, SinkCall, VtableSink, enter_mta};

/// `HRESULT AtlAdvise(IUnknown *container, IUnknown *sink, const IID *iid, DWORD *cookie)`
type AtlAdvise =
    unsafe extern "system" fn(*mut c_void, *mut c_void, *const GUID, *mut u32) -> HRESULT;
/// `HRESULT AtlUnadvise(IUnknown *container, const IID *iid, DWORD cookie)`
type AtlUnadvise = unsafe extern "system" fn(*mut c_void, *const GUID, u32) -> HRESULT;

/// Wine's atl.dll, loaded at run time (mingw has no import library for it).
struct Atl {
    advise: AtlAdvise,
    unadvise: AtlUnadvise,
}

impl Atl {
    fn load() -> Result<Self> {
        // SAFETY: w! and s! yield NUL-terminated static strings; the exports
        // have exactly the signatures above.
        unsafe {
            let module = LoadLibraryW(w!("atl.dll"))?;
            let advise = GetProcAddress(module, s!("AtlAdvise")).ok_or_else(Error::from_thread)?;
            let unadvise =
                GetProcAddress(module, s!("AtlUnadvise")).ok_or_else(Error::from_thread)?;
            Ok(Self {
                advise: std::mem::transmute::<unsafe extern "system" fn() -> isize, AtlAdvise>(
                    advise,
                ),
                unadvise: std::mem::transmute::<unsafe extern "system" fn() -> isize, AtlUnadvise>(
                    unadvise,
                ),
            })
        }
    }

    fn advise(&self, container: &IUnknown, sink: &IUnknown, iid: GUID) -> Result<u32> {
        let mut cookie = 0;
        // SAFETY: live objects and out pointer.
        unsafe { (self.advise)(container.as_raw(), sink.as_raw(), &iid, &mut cookie) }.ok()?;
        Ok(cookie)
    }

    fn unadvise(&self, container: &IUnknown, iid: GUID, cookie: u32) -> Result<()> {
        // SAFETY: live object and IID.
        unsafe { (self.unadvise)(container.as_raw(), &iid, cookie) }.ok()
    }
}

#[test]
fn atl_advise_and_unadvise_connect_a_dispinterface_sink() -> Result<()> {
    enter_mta()?;
    let atl = Atl::load()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IUnknown = clock.to_interface();
    let sink = DispSink::new(&drops);
    let cookie = atl.advise(&container, &sink.to_interface(), DIID_DClockEvents)?;
    assert_ne!(cookie, 0);
    clock.events.DClockEvents.Fire_Tick(9)?;
    assert_eq!(sink.0.calls().len(), 1);
    atl.unadvise(&container, DIID_DClockEvents, cookie)?;
    clock.events.DClockEvents.Fire_Tick(10)?;
    assert_eq!(sink.0.calls().len(), 1);
    let error = atl
        .unadvise(&container, DIID_DClockEvents, cookie)
        .unwrap_err();
    assert_eq!(error.code(), CONNECT_E_NOCONNECTION);
    // Released by Unadvise, not leaked by atl.dll's calls.
    drop(sink);
    assert_eq!(drops.count(), 1);
    Ok(())
}

#[test]
fn atl_advise_and_unadvise_connect_a_vtable_sink() -> Result<()> {
    enter_mta()?;
    let atl = Atl::load()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IUnknown = clock.to_interface();
    let sink = VtableSink::new(&drops);
    let cookie = atl.advise(&container, &sink.to_interface(), IID_IClockSink)?;
    clock.events.IClockSink.Fire_OnTick(3, 0.5)?;
    assert_eq!(sink.0.calls(), [SinkCall::OnTick(3, 0.5)]);
    atl.unadvise(&container, IID_IClockSink, cookie)?;
    clock.events.IClockSink.Fire_OnTick(4, 0.5)?;
    assert_eq!(sink.0.calls().len(), 1);
    Ok(())
}

#[test]
fn atl_advise_passes_on_the_containers_refusals() -> Result<()> {
    enter_mta()?;
    let atl = Atl::load()?;
    let drops = Drops::default();
    let clock = Clock::new(&drops);
    let container: IUnknown = clock.to_interface();
    let sink: IUnknown = VtableSink::new(&drops).to_interface();
    // No connection point for the clock's own (non-source) interface.
    let error = atl.advise(&container, &sink, IID_IClock).unwrap_err();
    assert_eq!(error.code(), CONNECT_E_NOCONNECTION);
    // A sink without the dispinterface.
    let error = atl
        .advise(&container, &sink, DIID_DClockEvents)
        .unwrap_err();
    assert_eq!(error.code(), CONNECT_E_CANNOTCONNECT);
    Ok(())
}
