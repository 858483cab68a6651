//! The COM object behind every typed sink (a generated `<S>Sink`).
//!
//! The generated adapter supplies the vtable (one function per slot, each
//! calling its handler's method) and the IIDs it answers for; [`Object`]
//! supplies the rest of a COM object: the reference count, QueryInterface,
//! and the borrowing helpers the slot functions use. [`receive`](crate::receive)
//! adds the `IDispatch` half for sinks called through `Invoke`.
//!
//! It is not `#[implement]`: that needs the interface's `_Impl` trait, whose
//! method shapes windows-bindgen chooses per method (a trailing `[out]`
//! parameter becomes the return value, for one), whereas a vtable's layout
//! is fixed by COM and by the `_Vtbl` struct the proxies already call.

use std::ffi::c_void;
use std::sync::atomic::{AtomicU32, Ordering, fence};

use windows::Win32::Foundation::{E_NOINTERFACE, E_POINTER, S_OK};
use windows_core::{Error, GUID, HRESULT, IUnknown, IUnknown_Vtbl, Interface, Result};

/// What a generated `<S>Sink` tells [`Object`] about its interface.
pub trait Adapter: Sized + 'static {
    /// The source interface the sink implements.
    type Interface: Interface;
    /// Its vtable, filled with the adapter's slot functions.
    const VTABLE: &'static <Self::Interface as Interface>::Vtable;
    /// The IIDs QueryInterface answers besides `IUnknown`'s: the interface's
    /// and its base interfaces'.
    const IIDS: &'static [GUID];
}

/// A sink: the interface pointer points at `vtable`, so the slot functions
/// find the adapter (and its handler) from the `this` COM passes them.
#[repr(C)]
pub struct Object<A: Adapter> {
    vtable: &'static <A::Interface as Interface>::Vtable,
    refs: AtomicU32,
    adapter: A,
}

impl<A: Adapter> Object<A> {
    /// A new sink holding `adapter`, as its interface (one reference).
    pub fn create(adapter: A) -> A::Interface {
        let object = Box::new(Self {
            vtable: A::VTABLE,
            refs: AtomicU32::new(1),
            adapter,
        });
        // SAFETY: the object starts with a pointer to the interface's vtable,
        // and the one reference it counts is handed to the returned value.
        unsafe { A::Interface::from_raw(Box::into_raw(object).cast()) }
    }

    /// The `IUnknown` part of every sink's vtable.
    pub const UNKNOWN: IUnknown_Vtbl = IUnknown_Vtbl {
        QueryInterface: Self::query_interface,
        AddRef: Self::add_ref,
        Release: Self::release,
    };

    /// The adapter of the sink `this` points at.
    ///
    /// # Safety
    /// `this` is a live sink made by [`Object::create`] for `A`, and the
    /// reference lasts no longer than the call COM is making on it.
    pub unsafe fn adapter<'a>(this: *mut c_void) -> &'a A {
        // SAFETY: per the contract, `this` points at an `Object<A>`.
        unsafe { &(*this.cast::<Self>()).adapter }
    }

    unsafe extern "system" fn query_interface(
        this: *mut c_void,
        iid: *const GUID,
        out: *mut *mut c_void,
    ) -> HRESULT {
        if out.is_null() {
            return E_POINTER;
        }
        // SAFETY: COM's contract: `out` (checked) is writable, `iid` is null
        // or a GUID, `this` a live sink.
        unsafe {
            out.write(std::ptr::null_mut());
            let Some(iid) = iid.as_ref() else {
                return E_POINTER;
            };
            if *iid != IUnknown::IID && !A::IIDS.contains(iid) {
                return E_NOINTERFACE;
            }
            Self::add_ref(this);
            // One interface, one pointer: every IID answers with `this`.
            out.write(this);
        }
        S_OK
    }

    unsafe extern "system" fn add_ref(this: *mut c_void) -> u32 {
        // SAFETY: COM calls AddRef on a live sink.
        let object = unsafe { &*this.cast::<Self>() };
        object.refs.fetch_add(1, Ordering::Relaxed) + 1
    }

    unsafe extern "system" fn release(this: *mut c_void) -> u32 {
        let object = this.cast::<Self>();
        // SAFETY: COM calls Release on a live sink, once per reference.
        let left = unsafe { (*object).refs.fetch_sub(1, Ordering::Release) } - 1;
        if left == 0 {
            // Every other thread's use of the sink happened before its Release.
            fence(Ordering::Acquire);
            // SAFETY: the last reference is gone; the box is freed once.
            drop(unsafe { Box::from_raw(object) });
        }
        left
    }
}

/// Runs a slot's body and turns its result into the slot's HRESULT.
#[inline]
pub fn call(body: impl FnOnce() -> Result<()>) -> HRESULT {
    body().into()
}

/// A `[in] BSTR` or interface pointer, as the slot receives it, seen as
/// the Rust type the handler borrows.
///
/// # Safety
/// `T` is `BSTR` or `Option<I>` (a pointer-sized nullable handle), and the
/// caller keeps what `abi` points at alive for the call.
#[inline]
pub unsafe fn borrow<T>(abi: &*mut c_void) -> &T {
    // SAFETY: per the contract, `T` has the layout of the pointer.
    unsafe { &*std::ptr::from_ref(abi).cast::<T>() }
}

/// An `[in] VARIANT*` argument.
///
/// # Safety
/// `value` is null or points at a VARIANT the caller keeps alive for the call.
#[inline]
pub unsafe fn in_ref<'a, T>(value: *const T) -> Result<&'a T> {
    // SAFETY: per the contract.
    unsafe { value.as_ref() }.ok_or_else(|| Error::from_hresult(E_POINTER))
}

/// An `[in, out]` pointer: the caller's value, which the handler may change.
///
/// # Safety
/// `value` is null or points at a valid `T` the caller lent for the call.
#[inline]
pub unsafe fn in_out<'a, T>(value: *mut T) -> Result<&'a mut T> {
    // SAFETY: per the contract.
    unsafe { value.as_mut() }.ok_or_else(|| Error::from_hresult(E_POINTER))
}

/// An `[out]` pointer, whose target COM leaves uninitialised: it is set to
/// `empty` (without dropping what was there) before the handler sees it.
///
/// # Safety
/// `value` is null or points at writable room for a `T` lent for the call.
#[inline]
pub unsafe fn out<'a, T>(value: *mut T, empty: T) -> Result<&'a mut T> {
    if value.is_null() {
        return Err(Error::from_hresult(E_POINTER));
    }
    // SAFETY: per the contract; `write` does not read the old bits.
    unsafe {
        value.write(empty);
        Ok(&mut *value)
    }
}
