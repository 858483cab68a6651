//! A sink for any vtable source interface, which records the slot each call reached.

use std::sync::{Arc, Mutex};

use windows::Win32::Foundation::E_NOTIMPL;
use windows_core::{GUID, IUnknown, Interface, Result};

/// The vtable slots (numbered from the first after IUnknown's or IDispatch's) a vtable sink was
/// called through, in order.
pub type Slots = Arc<Mutex<Vec<usize>>>;

/// A COM object whose vtable is IUnknown's (and IDispatch's, answering E_NOTIMPL), then the
/// given slots: a sink for any vtable source interface, which records which slot each call
/// reached. Each slot function takes only `this`: under the Windows x64 calling convention the
/// caller owns its arguments, so a callee may ignore those it does not declare.
#[repr(C)]
struct VtableSink {
    vtable: *const *const core::ffi::c_void,
    refs: std::sync::atomic::AtomicU32,
    iids: Vec<GUID>,
    slots: Slots,
}

/// A slot function: records `N`.
pub type Slot = unsafe extern "system" fn(*mut core::ffi::c_void) -> windows_core::HRESULT;

pub unsafe extern "system" fn slot<const N: usize>(
    this: *mut core::ffi::c_void,
) -> windows_core::HRESULT {
    // SAFETY: COM calls a slot on a live VtableSink.
    let sink = unsafe { &*this.cast::<VtableSink>() };
    sink.slots.lock().unwrap().push(N);
    windows_core::HRESULT(0)
}

unsafe extern "system" fn query(
    this: *mut core::ffi::c_void,
    iid: *const GUID,
    out: *mut *mut core::ffi::c_void,
) -> windows_core::HRESULT {
    // SAFETY: COM's QueryInterface contract, on a live VtableSink.
    unsafe {
        let sink = &*this.cast::<VtableSink>();
        if *iid == IUnknown::IID || sink.iids.contains(&*iid) {
            add_ref(this);
            *out = this;
            windows_core::HRESULT(0)
        } else {
            *out = std::ptr::null_mut();
            windows::Win32::Foundation::E_NOINTERFACE
        }
    }
}

unsafe extern "system" fn add_ref(this: *mut core::ffi::c_void) -> u32 {
    // SAFETY: a live VtableSink.
    let sink = unsafe { &*this.cast::<VtableSink>() };
    sink.refs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1
}

unsafe extern "system" fn release(this: *mut core::ffi::c_void) -> u32 {
    // SAFETY: a live VtableSink, freed with its last reference.
    unsafe {
        let left = (*this.cast::<VtableSink>())
            .refs
            .fetch_sub(1, std::sync::atomic::Ordering::AcqRel)
            - 1;
        if left == 0 {
            drop(Box::from_raw(this.cast::<VtableSink>()));
        }
        left
    }
}

unsafe extern "system" fn not_implemented(_this: *mut core::ffi::c_void) -> windows_core::HRESULT {
    E_NOTIMPL
}

/// A sink answering QueryInterface for `iids` (and IUnknown), with IDispatch's four methods when
/// `dispatch`, then `slots`.
pub fn vtable_sink(iids: Vec<GUID>, dispatch: bool, slots: &[Slot], calls: Slots) -> IUnknown {
    let mut table: Vec<*const core::ffi::c_void> =
        vec![query as *const _, add_ref as *const _, release as *const _];
    if dispatch {
        table.extend([not_implemented as *const core::ffi::c_void; 4]);
    }
    table.extend(slots.iter().map(|slot| *slot as *const core::ffi::c_void));
    let vtable = Box::leak(table.into_boxed_slice()).as_ptr();
    let sink = Box::new(VtableSink {
        vtable,
        refs: std::sync::atomic::AtomicU32::new(1),
        iids,
        slots: calls,
    });
    // SAFETY: a COM object with one reference, which the IUnknown takes.
    unsafe { IUnknown::from_raw(Box::into_raw(sink).cast()) }
}

/// Each of the `count` events reached its own slot, in order. Prints the counts.
pub fn check_slots(calls: &[usize], count: usize, name: &str) -> Result<()> {
    let expected: Vec<usize> = (0..count).collect();
    let mismatches = usize::from(calls != expected.as_slice());
    eprintln!(
        "{name}: {} events fired through the vtable, {mismatches} mismatches",
        calls.len()
    );
    assert_eq!(
        calls,
        expected.as_slice(),
        "{name}: the slots the events reached"
    );
    Ok(())
}
