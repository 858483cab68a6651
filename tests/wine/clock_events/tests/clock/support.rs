//! What a user of cpgen's output writes around it, for the tests: the
//! connectable `Clock` object (delegating to `CConnectionPoints`), Rust sinks
//! for both source interfaces that record what they receive, and counters
//! of dropped objects.

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cpgen_wine_support::Calls;

use cpgen_clock_events::generated::{
    CConnectionPoints, DClockEvents, DClockEvents_Impl, IClockSink, IClockSink_Impl, IID_IClock,
};
use windows::Win32::Foundation::{E_NOTIMPL, VARIANT_BOOL};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl,
    IEnumConnectionPoints, ITypeInfo, ITypeLib,
};
use windows::Win32::System::Ole::{
    IProvideClassInfo_Impl, IProvideClassInfo2, IProvideClassInfo2_Impl,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BSTR, VT_BYREF, VT_DISPATCH, VT_I4,
};
use windows_core::{
    BSTR, ComObject, Error, GUID, HRESULT, IUnknown, IUnknownImpl, Interface, Result, implement,
};

/// Joins the calling thread (each test has its own) to the MTA.
pub fn enter_mta() -> Result<()> {
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()
}

/// Reads a mutex whatever a panicking test thread left in it.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The tests that call across apartments (and register proxies or type libraries for it) take
/// turns. Run side by side in one process, Wine 8's ole32 was seen to fail about one run in
/// 30 to 60 with an access violation inside an STA while it served `IRemUnknown::RemAddRef`
/// for another thread's unmarshaling (a call through a null pointer in Wine's code, before any
/// of the test's or the runtime's code ran); one at a time, it was not seen in 60 runs.
pub fn crossing_apartments() -> MutexGuard<'static, ()> {
    static CROSSING: Mutex<()> = Mutex::new(());
    lock(&CROSSING)
}

/// Counts the test objects dropped, shared by the objects it is given to.
#[derive(Clone, Default)]
pub struct Drops(Arc<AtomicUsize>);

impl Drops {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The user's connectable object: it holds the generated connection points
/// and answers IConnectionPointContainer and IProvideClassInfo2 with them.
/// Its IDispatch stands for the dual IClock (not bound yet): it only gives
/// IClock's type info, which is how ATL's helpers find the type library.
#[implement(IConnectionPointContainer, IProvideClassInfo2, IDispatch)]
pub struct Clock {
    pub events: CConnectionPoints,
    type_lib: Option<ITypeLib>,
    drops: Drops,
}

impl Clock {
    pub fn new(drops: &Drops) -> ComObject<Self> {
        Self::with_type_lib(drops, None)
    }

    pub fn with_type_lib(drops: &Drops, type_lib: Option<ITypeLib>) -> ComObject<Self> {
        ComObject::new(Self {
            events: CConnectionPoints::new(),
            type_lib,
            drops: drops.clone(),
        })
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        self.drops.bump();
    }
}

impl IConnectionPointContainer_Impl for Clock_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }

    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events
            .find_connection_point(&self.to_interface(), riid)
    }
}

impl IProvideClassInfo_Impl for Clock_Impl {
    fn GetClassInfo(&self) -> Result<ITypeInfo> {
        let type_lib = self
            .type_lib
            .as_ref()
            .ok_or(Error::from_hresult(E_NOTIMPL))?;
        self.events.class_info(type_lib)
    }
}

impl IProvideClassInfo2_Impl for Clock_Impl {
    fn GetGUID(&self, dwguidkind: u32) -> Result<GUID> {
        self.events.get_guid(dwguidkind)
    }
}

impl IDispatch_Impl for Clock_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(u32::from(self.type_lib.is_some()))
    }

    fn GetTypeInfo(&self, _itinfo: u32, _lcid: u32) -> Result<ITypeInfo> {
        let type_lib = self
            .type_lib
            .as_ref()
            .ok_or(Error::from_hresult(E_NOTIMPL))?;
        // SAFETY: the GUID outlives the call.
        unsafe { type_lib.GetTypeInfoOfGuid(&IID_IClock) }
    }

    fn GetIDsOfNames(
        &self,
        _riid: *const GUID,
        _rgsznames: *const windows_core::PCWSTR,
        _cnames: u32,
        _lcid: u32,
        _rgdispid: *mut i32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_NOTIMPL))
    }

    fn Invoke(
        &self,
        _dispidmember: i32,
        _riid: *const GUID,
        _lcid: u32,
        _wflags: DISPATCH_FLAGS,
        _pdispparams: *const DISPPARAMS,
        _pvarresult: *mut VARIANT,
        _pexcepinfo: *mut EXCEPINFO,
        _puargerr: *mut u32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_NOTIMPL))
    }
}

/// The clock's connection point for `iid`, as a client finds it.
pub fn find(container: &IConnectionPointContainer, iid: GUID) -> Result<IConnectionPoint> {
    // SAFETY: iid outlives the call.
    unsafe { container.FindConnectionPoint(&iid) }
}

/// Advises `sink` on `point`.
pub fn advise(point: &IConnectionPoint, sink: &IUnknown) -> Result<u32> {
    // SAFETY: plain COM call with live interfaces.
    unsafe { point.Advise(sink) }
}

/// Unadvises `cookie` on `point`.
pub fn unadvise(point: &IConnectionPoint, cookie: u32) -> Result<()> {
    // SAFETY: plain COM call.
    unsafe { point.Unadvise(cookie) }
}

/// One argument as a sink saw it: its VT and its value.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    I4(i32),
    Bstr(String),
    /// `VT_BOOL | VT_BYREF`: the value the pointer pointed at on arrival.
    BoolRef(i16),
    /// `VT_DISPATCH`: the raw pointer (null for none).
    Dispatch(usize),
    /// Anything else: only its VT.
    Other(u16),
}

impl Arg {
    /// Reads `variant` as a recording sink does: VT first, then the field.
    ///
    /// # Safety
    /// `variant` is a valid VARIANT whose by-reference pointers are live.
    pub unsafe fn read(variant: &VARIANT) -> Self {
        // SAFETY: the field read is the one the VT names.
        unsafe {
            let inner = &variant.Anonymous.Anonymous;
            let vt = inner.vt;
            if vt == VT_I4 {
                Arg::I4(inner.Anonymous.lVal)
            } else if vt == VT_BSTR {
                Arg::Bstr(inner.Anonymous.bstrVal.to_string())
            } else if vt == VARENUM(VT_BOOL.0 | VT_BYREF.0) {
                Arg::BoolRef((*inner.Anonymous.pboolVal).0)
            } else if vt == VT_DISPATCH {
                Arg::Dispatch(
                    inner
                        .Anonymous
                        .pdispVal
                        .as_ref()
                        .map_or(0, |d| d.as_raw() as usize),
                )
            } else {
                Arg::Other(vt.0)
            }
        }
    }
}

/// One `IDispatch::Invoke` call as a sink received it.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    pub dispid: i32,
    pub iid: GUID,
    pub lcid: u32,
    pub flags: u16,
    pub named: u32,
    /// In DISPPARAMS order: last parameter first.
    pub args: Vec<Arg>,
}

/// Something a sink does from inside an event: advise, unadvise, wait.
pub type Hook = Box<dyn FnOnce() + Send>;

/// The state both kinds of recording sink share.
pub struct Recorder<T> {
    pub calls: Calls<T>,
    /// What the sink answers each event with.
    pub reply: HRESULT,
    /// What it writes through a by-reference `snooze`.
    pub snooze: VARIANT_BOOL,
    /// Run (once) on the next event, before recording it.
    pub hook: Mutex<Option<Hook>>,
    drops: Drops,
}

impl<T: Clone> Recorder<T> {
    fn new(drops: &Drops, reply: HRESULT, snooze: VARIANT_BOOL) -> Self {
        Self {
            calls: Calls::default(),
            reply,
            snooze,
            hook: Mutex::new(None),
            drops: drops.clone(),
        }
    }

    pub fn calls(&self) -> Vec<T> {
        self.calls.seen()
    }

    pub fn set_hook(&self, hook: impl FnOnce() + Send + 'static) {
        *lock(&self.hook) = Some(Box::new(hook));
    }

    fn record(&self, call: T) -> HRESULT {
        // Taken first: the hook runs without the sink's own lock held.
        let hook = lock(&self.hook).take();
        if let Some(hook) = hook {
            hook();
        }
        self.calls.record(call);
        self.reply
    }
}

impl<T> Drop for Recorder<T> {
    fn drop(&mut self) {
        self.drops.bump();
    }
}

/// A Rust sink for the dispinterface: records every Invoke and writes its
/// `snooze` through a `VT_BOOL | VT_BYREF` argument.
#[implement(DClockEvents)]
pub struct DispSink(pub Recorder<Invocation>);

impl DispSink {
    pub fn new(drops: &Drops) -> ComObject<Self> {
        Self::answering(drops, HRESULT(0), VARIANT_BOOL(-1))
    }

    pub fn answering(drops: &Drops, reply: HRESULT, snooze: VARIANT_BOOL) -> ComObject<Self> {
        ComObject::new(Self(Recorder::new(drops, reply, snooze)))
    }
}

impl DClockEvents_Impl for DispSink_Impl {}

impl IDispatch_Impl for DispSink_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(0)
    }

    fn GetTypeInfo(&self, _itinfo: u32, _lcid: u32) -> Result<ITypeInfo> {
        Err(Error::from_hresult(E_NOTIMPL))
    }

    fn GetIDsOfNames(
        &self,
        _riid: *const GUID,
        _rgsznames: *const windows_core::PCWSTR,
        _cnames: u32,
        _lcid: u32,
        _rgdispid: *mut i32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_NOTIMPL))
    }

    fn Invoke(
        &self,
        dispidmember: i32,
        riid: *const GUID,
        lcid: u32,
        wflags: DISPATCH_FLAGS,
        pdispparams: *const DISPPARAMS,
        _pvarresult: *mut VARIANT,
        _pexcepinfo: *mut EXCEPINFO,
        _puargerr: *mut u32,
    ) -> Result<()> {
        // SAFETY: COM hands a live DISPPARAMS and IID.
        let (params, iid) = unsafe { (&*pdispparams, *riid) };
        let args = (0..params.cArgs as usize)
            .map(|index| {
                // SAFETY: rgvarg holds cArgs VARIANTs.
                let variant = unsafe { &*params.rgvarg.add(index) };
                // SAFETY: as above; a by-reference `snooze` points at the
                // firing side's value, which the sink may overwrite.
                let arg = unsafe { Arg::read(variant) };
                if matches!(arg, Arg::BoolRef(_)) {
                    // SAFETY: as above.
                    unsafe {
                        let target = variant.Anonymous.Anonymous.Anonymous.pboolVal;
                        *target = self.0.snooze;
                    }
                }
                arg
            })
            .collect();
        self.0
            .record(Invocation {
                dispid: dispidmember,
                iid,
                lcid,
                flags: wflags.0,
                named: params.cNamedArgs,
                args,
            })
            .ok()
    }
}

/// One IClockSink call as a sink received it.
#[derive(Clone, Debug, PartialEq)]
pub enum SinkCall {
    OnTick(i32, f64),
    OnAlarm(String),
}

/// A Rust sink for the vtable source interface.
#[implement(IClockSink)]
pub struct VtableSink(pub Recorder<SinkCall>);

impl VtableSink {
    pub fn new(drops: &Drops) -> ComObject<Self> {
        Self::answering(drops, HRESULT(0), VARIANT_BOOL(-1))
    }

    pub fn answering(drops: &Drops, reply: HRESULT, snooze: VARIANT_BOOL) -> ComObject<Self> {
        ComObject::new(Self(Recorder::new(drops, reply, snooze)))
    }
}

impl IClockSink_Impl for VtableSink_Impl {
    fn OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        self.0.record(SinkCall::OnTick(seconds, fraction)).ok()
    }

    // windows-bindgen returns a trailing [out] parameter, as the windows crate does.
    fn OnAlarm(&self, label: &BSTR) -> Result<VARIANT_BOOL> {
        self.0.record(SinkCall::OnAlarm(label.to_string())).ok()?;
        Ok(self.0.snooze)
    }
}

/// An interface pointer that may cross to another MTA thread (COM allows it
/// there; the windows crate's types are not Send).
pub struct Mta<T>(pub T);

// SAFETY: only used between threads of the multithreaded apartment, where
// interface pointers may be used from any thread.
unsafe impl<T> Send for Mta<T> {}

impl<T> Mta<T> {
    /// The pointer; closures call this so they capture the whole `Mta`
    /// (a closure naming `.0` would capture just the field, not Send).
    pub fn get(&self) -> &T {
        &self.0
    }
}

/// The raw pointer of an interface, to compare identities.
pub fn raw<T: Interface>(interface: &T) -> *mut c_void {
    interface.as_raw()
}

/// A DClockEvents sink whose IDispatch is another object's: it answers
/// QueryInterface for the dispinterface (which an IDispatch made by
/// oleaut32 does not) and passes every IDispatch call on unchanged.
#[implement(DClockEvents)]
pub struct Forwarder(IDispatch);

impl Forwarder {
    pub fn sink(dispatch: IDispatch) -> IUnknown {
        Self(dispatch).into()
    }
}

impl DClockEvents_Impl for Forwarder_Impl {}

impl IDispatch_Impl for Forwarder_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        // SAFETY: plain COM call.
        unsafe { self.0.GetTypeInfoCount() }
    }

    fn GetTypeInfo(&self, index: u32, lcid: u32) -> Result<ITypeInfo> {
        // SAFETY: plain COM call.
        unsafe { self.0.GetTypeInfo(index, lcid) }
    }

    fn GetIDsOfNames(
        &self,
        riid: *const GUID,
        names: *const windows_core::PCWSTR,
        count: u32,
        lcid: u32,
        ids: *mut i32,
    ) -> Result<()> {
        // SAFETY: forwarding the caller's pointers unchanged.
        unsafe { self.0.GetIDsOfNames(riid, names, count, lcid, ids) }
    }

    fn Invoke(
        &self,
        dispid: i32,
        riid: *const GUID,
        lcid: u32,
        flags: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        result: *mut VARIANT,
        excepinfo: *mut EXCEPINFO,
        argerr: *mut u32,
    ) -> Result<()> {
        // SAFETY: forwarding the caller's pointers unchanged.
        unsafe {
            self.0.Invoke(
                dispid,
                riid,
                lcid,
                flags,
                params,
                (!result.is_null()).then_some(result),
                (!excepinfo.is_null()).then_some(excepinfo),
                (!argerr.is_null()).then_some(argerr),
            )
        }
    }
}
