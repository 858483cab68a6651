//! A Rust COM object made with `#[implement]`, reached through ole32's
//! `CoInitializeEx` apartment and `QueryInterface` (`cast`).
#![deny(warnings)]

use cpgen_wine_smoke::enter_mta;
use windows::Win32::Foundation::E_NOTIMPL;
use windows::Win32::System::Com::{
    COINIT_APARTMENTTHREADED, CoInitializeEx, CoUninitialize, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IEnumConnectionPoints,
};
use windows_core::{GUID, IUnknown, Interface, Result, implement};

/// A container with no connection points yet: every method says E_NOTIMPL.
#[implement(IConnectionPointContainer)]
struct Container;

impl IConnectionPointContainer_Impl for Container_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        Err(E_NOTIMPL.into())
    }

    fn FindConnectionPoint(&self, _riid: *const GUID) -> Result<IConnectionPoint> {
        Err(E_NOTIMPL.into())
    }
}

fn call_through_cast() -> Result<()> {
    let unknown: IUnknown = Container.into();
    let container: IConnectionPointContainer = unknown.cast()?;
    let iid = IConnectionPointContainer::IID;
    // SAFETY: iid outlives the call.
    let found = unsafe { container.FindConnectionPoint(&iid) };
    assert_eq!(found.err().map(|e| e.code()), Some(E_NOTIMPL));
    // SAFETY: no arguments.
    let listed = unsafe { container.EnumConnectionPoints() };
    assert_eq!(listed.err().map(|e| e.code()), Some(E_NOTIMPL));
    Ok(())
}

#[test]
fn implement_object_answers_through_cast_in_mta() -> Result<()> {
    enter_mta()?;
    call_through_cast()
}

/// Connectable objects usually live in single-threaded apartments, which in
/// Wine need a (hidden) window: this proves that works without an X display.
#[test]
fn implement_object_answers_in_sta() -> Result<()> {
    // A thread of its own: the harness's test threads may already be in the
    // MTA, and a thread cannot change apartment.
    std::thread::spawn(|| -> Result<()> {
        // SAFETY: paired with CoUninitialize below on the same thread.
        unsafe { CoInitializeEx(None, COINIT_APARTMENTTHREADED) }.ok()?;
        let outcome = call_through_cast();
        // SAFETY: the objects made by call_through_cast are gone by now.
        unsafe { CoUninitialize() };
        outcome
    })
    .join()
    .expect("STA thread panicked")
}

#[test]
fn query_for_unimplemented_interface_fails() -> Result<()> {
    enter_mta()?;
    let container: IConnectionPointContainer = Container.into();
    let err = container.cast::<IConnectionPoint>().unwrap_err();
    assert_eq!(err.code(), windows::Win32::Foundation::E_NOINTERFACE);
    Ok(())
}
