//! Wine's atl.dll is reachable and calls back into a Rust object: AtlAdvise
//! is the helper ATL clients use to connect a sink, the very path that
//! cpgen's generated containers will serve.
#![deny(warnings)]

use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering};

use cpgen_wine_smoke::enter_mta;
use windows::Win32::Foundation::{E_INVALIDARG, E_NOTIMPL};
use windows::Win32::System::Com::{
    IConnectionPoint, IConnectionPointContainer, IConnectionPointContainer_Impl,
    IEnumConnectionPoints,
};
use windows::Win32::System::LibraryLoader::{GetProcAddress, LoadLibraryW};
use windows_core::{AsImpl, GUID, HRESULT, IUnknown, Interface, Result, implement, s, w};

/// `HRESULT WINAPI AtlAdvise(IUnknown *cp, IUnknown *sink, const IID *iid, DWORD *cookie)`
type AtlAdvise =
    unsafe extern "system" fn(*mut c_void, *mut c_void, *const GUID, *mut u32) -> HRESULT;

fn atl_advise() -> Result<AtlAdvise> {
    // Loaded at run time rather than linked: mingw ships no import library
    // for atl.dll, and the bench only needs to prove Wine's DLL is there.
    // SAFETY: w! and s! yield NUL-terminated static strings.
    let module = unsafe { LoadLibraryW(w!("atl.dll"))? };
    // SAFETY: as above.
    let proc = unsafe { GetProcAddress(module, s!("AtlAdvise")) }
        .ok_or_else(windows_core::Error::from_thread)?;
    // SAFETY: the export has exactly the signature above.
    Ok(unsafe { std::mem::transmute::<unsafe extern "system" fn() -> isize, AtlAdvise>(proc) })
}

/// Counts FindConnectionPoint calls to prove atl.dll reached this object.
#[implement(IConnectionPointContainer)]
struct Container {
    lookups: AtomicU32,
}

impl IConnectionPointContainer_Impl for Container_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        Err(E_NOTIMPL.into())
    }

    fn FindConnectionPoint(&self, _riid: *const GUID) -> Result<IConnectionPoint> {
        self.lookups.fetch_add(1, Ordering::Relaxed);
        Err(E_NOTIMPL.into())
    }
}

#[test]
fn atl_advise_rejects_null_container() -> Result<()> {
    enter_mta()?;
    let advise = atl_advise()?;
    let iid = IConnectionPointContainer::IID;
    let mut cookie = 0;
    let null = std::ptr::null_mut();
    // SAFETY: null container and sink are what is under test; the other
    // pointers are live.
    let hr = unsafe { advise(null, null, &iid, &mut cookie) };
    assert!(hr.is_err(), "AtlAdvise(NULL, ...) returned {hr:?}");
    assert_eq!(hr, E_INVALIDARG);
    Ok(())
}

#[test]
fn atl_advise_calls_into_rust_container() -> Result<()> {
    enter_mta()?;
    let advise = atl_advise()?;
    let container: IUnknown = Container {
        lookups: AtomicU32::new(0),
    }
    .into();
    // Any object will do as the sink: FindConnectionPoint fails before
    // atl.dll would hand it on.
    let sink: IUnknown = Container {
        lookups: AtomicU32::new(0),
    }
    .into();
    let iid = IConnectionPointContainer::IID;
    let mut cookie = 0;
    // SAFETY: both objects and the out pointers outlive the call.
    let hr = unsafe { advise(container.as_raw(), sink.as_raw(), &iid, &mut cookie) };
    // atl.dll queried our object for IConnectionPointContainer and passed on
    // the E_NOTIMPL of its FindConnectionPoint.
    assert_eq!(hr, E_NOTIMPL);
    let typed: IConnectionPointContainer = container.cast()?;
    // SAFETY: typed is a live interface on a Container made above.
    let this = unsafe { typed.as_impl() };
    assert_eq!(this.lookups.load(Ordering::Relaxed), 1);
    Ok(())
}
