//! The class factory COM asks a server for: one per class, over the class's constructor.

use std::ffi::c_void;

use windows::Win32::Foundation::{CLASS_E_NOAGGREGATION, E_POINTER};
use windows::Win32::System::Com::{IClassFactory, IClassFactory_Impl};
use windows_core::{BOOL, Error, GUID, IUnknown, Interface, Ref, Result, implement};

use super::{Constructor, count};

/// `IClassFactory` over a [`Constructor`]: `CreateInstance` makes an object (no aggregation)
/// and answers the interface asked for; `LockServer` counts as an object does.
#[implement(IClassFactory)]
pub struct ClassFactory {
    create: Constructor,
}

impl ClassFactory {
    /// The factory of the objects `create` makes.
    pub fn new(create: Constructor) -> Self {
        Self { create }
    }
}

impl IClassFactory_Impl for ClassFactory_Impl {
    fn CreateInstance(
        &self,
        outer: Ref<IUnknown>,
        riid: *const GUID,
        ppv: *mut *mut c_void,
    ) -> Result<()> {
        if ppv.is_null() || riid.is_null() {
            return Err(Error::from_hresult(E_POINTER));
        }
        // SAFETY: checked above.
        unsafe { *ppv = std::ptr::null_mut() };
        if !outer.is_null() {
            return Err(Error::from_hresult(CLASS_E_NOAGGREGATION));
        }
        let object = (self.create)()?;
        // SAFETY: riid and ppv are the caller's, valid per the contract (checked non-null).
        unsafe { object.query(riid, ppv) }.ok()
    }

    fn LockServer(&self, lock: BOOL) -> Result<()> {
        if lock.as_bool() {
            count::add();
        } else {
            count::release();
        }
        Ok(())
    }
}
