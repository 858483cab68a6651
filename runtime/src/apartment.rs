//! Cross-apartment sinks: [`Global`] keeps a sink in COM's Global Interface
//! Table and hands each fire a pointer valid in the firing thread's apartment.
//!
//! A pointer `Advise` receives is valid only in the object's apartment:
//! calling it from a worker thread runs an apartment-threaded sink on the
//! wrong thread, or fails with RPC_E_WRONG_THREAD when it is a proxy (ATL's
//! `IConnectionPointImpl` has this flaw). The table marshals the sink once, at
//! Advise; each fire unmarshals it in the firing thread (the sink itself in
//! its own apartment, a proxy elsewhere), so a call from another apartment
//! reaches an apartment-threaded sink on its own thread, which must pump
//! messages as COM requires. A free-threaded sink skips the table, which
//! would hand back the same pointer at a far higher price. Wine 8 only stubs
//! `RoGetAgileReference`, so agile references are not an option there.

use std::marker::PhantomData;
use std::sync::Arc;

use windows::Win32::System::Com::{CLSCTX_INPROC_SERVER, CoCreateInstance, IGlobalInterfaceTable};
use windows_core::{GUID, IUnknown, Interface, Result};

use crate::sinks::{Hold, unknown_of};

/// CLSID_StdGlobalInterfaceTable, which the windows crate does not define.
const CLSID_STD_GLOBAL_INTERFACE_TABLE: GUID =
    GUID::from_u128(0x00000323_0000_0000_c000_000000000046);
/// CLSID_InProcFreeMarshaler: the unmarshal class of a free-threaded object.
const CLSID_IN_PROC_FREE_MARSHALER: GUID = GUID::from_u128(0x0000033a_0000_0000_c000_000000000046);
/// MSHCTX_INPROC and MSHLFLAGS_NORMAL.
const IN_PROCESS: u32 = 3;
const NORMAL: u32 = 0;

/// Whether a sink is free-threaded, through `IMarshal`, declared here with the one method that
/// asks, so that the runtime needs no other windows crate feature. Its method has COM's name.
#[allow(non_snake_case)]
mod marshal {
    use std::ffi::c_void;

    use windows_core::{GUID, HRESULT, IUnknown, Interface};

    use super::{CLSID_IN_PROC_FREE_MARSHALER, IN_PROCESS, NORMAL};

    #[windows_core::interface("00000003-0000-0000-c000-000000000046")]
    unsafe trait IMarshal: windows_core::IUnknown {
        fn GetUnmarshalClass(
            &self,
            iid: *const GUID,
            object: *const c_void,
            context: u32,
            reserved: *const c_void,
            flags: u32,
            class: *mut GUID,
        ) -> HRESULT;
    }

    /// Whether `sink` is free-threaded: it aggregates the free-threaded
    /// marshaler (as `#[implement]` objects do unless `Agile = false`), which is
    /// how COM itself tells that an object may be called from any apartment. A
    /// proxy answers with the standard marshaler, so it is not.
    pub(super) fn is_free_threaded(sink: &IUnknown, iid: &GUID) -> bool {
        let Ok(marshal) = sink.cast::<IMarshal>() else {
            return false;
        };
        let mut class = GUID::zeroed();
        // SAFETY: plain COM call; the IID, the sink and `class` outlive it.
        let answered = unsafe {
            marshal.GetUnmarshalClass(
                iid,
                sink.as_raw(),
                IN_PROCESS,
                std::ptr::null(),
                NORMAL,
                &mut class,
            )
        };
        answered.is_ok() && class == CLSID_IN_PROC_FREE_MARSHALER
    }
}

use marshal::is_free_threaded;

/// A sink of a cross-apartment source, held as interface `T`: the source
/// interface itself for a vtable source (so a sink that is not free-threaded
/// needs a registered proxy, as any cross-apartment call does), `IDispatch`
/// for a dispinterface, whose events go through `IDispatch::Invoke` and which
/// COM always marshals. A [`Sinks`](crate::Sinks)`<S, Global<T>>` is `Send` and `Sync`.
#[derive(Clone)]
pub struct Global<T>(Kept<T>);

#[derive(Clone)]
enum Kept<T> {
    /// A free-threaded sink: any thread may call it as it is, so it is kept
    /// as it is (the table would hand every apartment this same pointer).
    FreeThreaded(FreeThreaded<T>),
    /// Any other sink, kept in the table; clones share one registration,
    /// revoked when the last goes.
    Registered(Arc<Registration>, PhantomData<fn() -> T>),
}

/// A free-threaded sink's pointer.
#[derive(Clone)]
struct FreeThreaded<T>(T);

// SAFETY: only made for a free-threaded object (see `is_free_threaded`),
// whose pointer COM lets every apartment use.
unsafe impl<T> Send for FreeThreaded<T> {}
// SAFETY: as above; such an object synchronises its own calls.
unsafe impl<T> Sync for FreeThreaded<T> {}

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
        let unknown = unknown_of(&sink);
        if is_free_threaded(&unknown, &T::IID) {
            return Ok(Self(Kept::FreeThreaded(FreeThreaded(sink.cast()?))));
        }
        // SAFETY: plain COM calls; the process's one table is created once and
        // shared, so asking for it again is cheap.
        let table: IGlobalInterfaceTable = unsafe {
            CoCreateInstance(
                &CLSID_STD_GLOBAL_INTERFACE_TABLE,
                None,
                CLSCTX_INPROC_SERVER,
            )
        }?;
        // Marshalled as T: the table asks the sink for T (a dispinterface's
        // sink for its IDispatch) and keeps what the sink answers.
        // SAFETY: the IID outlives the call.
        let cookie = unsafe { table.RegisterInterfaceInGlobal(&unknown, &T::IID) }?;
        Ok(Self(Kept::Registered(
            Arc::new(Registration { table, cookie }),
            PhantomData,
        )))
    }

    fn call(&self, event: &mut impl FnMut(&T) -> Result<()>) -> Result<()> {
        let fetched;
        let sink = match &self.0 {
            Kept::FreeThreaded(FreeThreaded(sink)) => sink,
            Kept::Registered(registration, _) => {
                fetched = registration.get()?;
                &fetched
            }
        };
        // One call site, so that the event's code is inlined once.
        event(sink)
    }

    fn unknown(&self) -> Result<IUnknown> {
        match &self.0 {
            Kept::FreeThreaded(FreeThreaded(sink)) => Ok(unknown_of(sink)),
            Kept::Registered(registration, _) => Ok(unknown_of(&registration.get::<T>()?)),
        }
    }
}

impl Registration {
    /// The sink as the calling thread's apartment may use it: the sink itself
    /// in the apartment that advised it, a proxy to it elsewhere.
    fn get<T: Interface>(&self) -> Result<T> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: the cookie is live while this registration is; on success
        // `raw` holds a T, AddRef'd for the caller.
        unsafe {
            self.table
                .GetInterfaceFromGlobal(self.cookie, &T::IID, &mut raw)?;
            Ok(T::from_raw(raw))
        }
    }
}
