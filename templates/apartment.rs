//! Cross-apartment sinks, the part of cpgen's runtime that it writes (once,
//! unchanged, as the private module `apartment` of the generated file) only
//! when a source interface fires across apartments: [`Global`] keeps a sink
//! in COM's Global Interface Table and hands each fire a pointer valid in the
//! firing thread's apartment.
//!
//! A pointer `Advise` receives is valid only in the object's apartment:
//! calling it from a worker thread runs an apartment-threaded sink on the
//! wrong thread, or fails with RPC_E_WRONG_THREAD when it is a proxy (ATL's
//! `IConnectionPointImpl` has this flaw). The table marshals the sink once, at
//! Advise; each fire unmarshals it in the firing thread (the sink itself in
//! its own apartment, a proxy elsewhere), so a call from another apartment
//! reaches an apartment-threaded sink on its own thread, which must pump
//! messages as COM requires. Wine 8 only stubs `RoGetAgileReference`, so
//! agile references are not an option there.

use std::marker::PhantomData;
use std::sync::Arc;

use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, CoCreateInstance, IGlobalInterfaceTable,
};
use windows_core::{GUID, IUnknown, Interface, Result};

use super::runtime::{Hold, unknown_of};

/// CLSID_StdGlobalInterfaceTable, which the windows crate does not define.
const CLSID_STD_GLOBAL_INTERFACE_TABLE: GUID =
    GUID::from_u128(0x00000323_0000_0000_c000_000000000046);

/// A sink kept in the Global Interface Table as interface `T`: the source
/// interface itself for a vtable source (so it needs a registered proxy, as
/// any cross-apartment call does), `IDispatch` for a dispinterface, whose
/// events go through `IDispatch::Invoke` and which COM always marshals.
/// Clones share one registration, revoked when the last goes.
pub(super) struct Global<T> {
    registration: Arc<Registration>,
    target: PhantomData<fn() -> T>,
}

impl<T> Clone for Global<T> {
    fn clone(&self) -> Self {
        Self {
            registration: Arc::clone(&self.registration),
            target: PhantomData,
        }
    }
}

/// A cookie of the Global Interface Table, revoked on drop.
struct Registration {
    table: IGlobalInterfaceTable,
    cookie: u32,
}

// SAFETY: the standard Global Interface Table is one free-threaded object per
// process, whose interface pointer every apartment may use; the cookie is a
// plain number that any thread may redeem or revoke.
unsafe impl Send for Registration {}
// SAFETY: as above; its methods are safe to call concurrently.
unsafe impl Sync for Registration {}

impl Drop for Registration {
    fn drop(&mut self) {
        // Releases the table's reference to the sink. A sink already gone
        // leaves nothing to do, and nothing can be done about a failure.
        // SAFETY: a cookie this registration owns, revoked once.
        let _ = unsafe { self.table.RevokeInterfaceFromGlobal(self.cookie) };
    }
}

impl<S: Interface, T: Interface> Hold<S> for Global<T> {
    type Target = T;

    fn hold(sink: S) -> Result<Self> {
        // SAFETY: plain COM calls; the process's one table is created once and
        // shared, so asking for it again is cheap.
        let table: IGlobalInterfaceTable = unsafe {
            CoCreateInstance(&CLSID_STD_GLOBAL_INTERFACE_TABLE, None, CLSCTX_INPROC_SERVER)
        }?;
        // Marshalled as T: the table asks the sink for T (a dispinterface's
        // sink for its IDispatch) and keeps what the sink answers.
        // SAFETY: the IID outlives the call.
        let cookie = unsafe { table.RegisterInterfaceInGlobal(&unknown_of(&sink), &T::IID) }?;
        Ok(Self {
            registration: Arc::new(Registration { table, cookie }),
            target: PhantomData,
        })
    }

    fn call(&self, event: &mut impl FnMut(&T) -> Result<()>) -> Result<()> {
        let sink = self.get()?;
        event(&sink)
    }

    fn unknown(&self) -> Result<IUnknown> {
        Ok(unknown_of(&self.get()?))
    }
}

impl<T: Interface> Global<T> {
    /// The sink as the calling thread's apartment may use it: the sink itself
    /// in the apartment that advised it, a proxy to it elsewhere.
    fn get(&self) -> Result<T> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: the cookie is live while this registration is; on success
        // `raw` holds a T, AddRef'd for the caller.
        unsafe {
            self.registration.table.GetInterfaceFromGlobal(
                self.registration.cookie,
                &T::IID,
                &mut raw,
            )?;
            Ok(T::from_raw(raw))
        }
    }
}
