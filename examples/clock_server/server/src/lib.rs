//! An in-process COM server for coclass `Clock` of `fixtures/clock.idl`, written in Rust with
//! the `windows` crate and made connectable by the code cpgen generates (`build.rs` runs cpgen
//! into `$OUT_DIR/events.rs`, included below under `#![deny(warnings)]`).
//!
//! What a server author writes around cpgen's output:
//! - the `Clock` object: `IClock` (dual, its `IDispatch` served by oleaut32 from the type
//!   library), `IConnectionPointContainer` (delegating to the generated `ClockConnectionPoints`)
//!   and `IProvideClassInfo2` (the generated `get_guid` and `class_info`);
//! - the events, fired with the generated `Fire_` methods when a client calls `IClock`;
//! - the class factory and the four exports of a COM DLL.
//!
//! The type library (widl's, from the same IDL) is linked into the DLL as resource
//! `TYPELIB 1`; the object loads it with `LoadTypeLibEx` on the DLL's own path.
//!
//! The clock has no timer: clients move it with `Seconds` (propput), which fires `Tick` /
//! `OnTick`, and, once the time reaches an alarm set with `SetAlarm`, `StateChanged(Alarmed)`,
//! `Alarm` and `OnAlarm`. A sink that answers `snooze = VARIANT_TRUE` (through `Alarm`'s
//! by-reference argument or `OnAlarm`'s `[out]`) re-arms the alarm [`SNOOZE_SECONDS`] later.
#![deny(warnings)]

use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use windows::Win32::Foundation::{
    CLASS_E_CLASSNOTAVAILABLE, CLASS_E_NOAGGREGATION, DISP_E_UNKNOWNINTERFACE, E_POINTER,
    ERROR_FILE_NOT_FOUND, HMODULE, S_FALSE, S_OK, VARIANT_FALSE,
};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IClassFactory, IClassFactory_Impl, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl,
    IEnumConnectionPoints, ITypeInfo, ITypeLib,
};
use windows::Win32::System::LibraryLoader::{
    GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
    GetModuleFileNameW, GetModuleHandleExW,
};
use windows::Win32::System::Ole::{
    DispInvoke, IProvideClassInfo_Impl, IProvideClassInfo2, IProvideClassInfo2_Impl, LoadTypeLibEx,
    REGKIND_NONE, SELFREG_E_CLASS,
};
use windows::Win32::System::Registry::{
    HKEY_CLASSES_ROOT, REG_SZ, RegDeleteTreeW, RegSetKeyValueW,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{
    BOOL, BSTR, ComObject, Error, GUID, HRESULT, HSTRING, IUnknown, IUnknownImpl, Interface,
    PCWSTR, Ref, Result, implement,
};

/// What `cpgen fixtures/clock.idl -o events.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

use generated::{
    Alarmed, CConnectionPoints, CLSID_Clock, ClockState, IClock, IClock_Impl, IID_IClock, Running,
    Stopped,
};

/// How far a snoozed alarm moves.
pub const SNOOZE_SECONDS: i32 = 60;

/// Live `Clock` objects and `LockServer(TRUE)` calls: `DllCanUnloadNow` answers S_OK at zero.
static OBJECTS: AtomicUsize = AtomicUsize::new(0);
static LOCKS: AtomicUsize = AtomicUsize::new(0);

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// This DLL's module handle, found from the address of one of its functions (no DllMain).
fn this_module() -> Result<HMODULE> {
    let mut module = HMODULE::default();
    // SAFETY: with FROM_ADDRESS the "name" is an address inside this module; the handle is
    // not counted, and stays valid while this code runs.
    unsafe {
        GetModuleHandleExW(
            GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
            PCWSTR(this_module as *const () as *const u16),
            &mut module,
        )?;
    }
    Ok(module)
}

/// The full path of this DLL, as `InprocServer32` and `LoadTypeLibEx` want it.
fn this_path() -> Result<HSTRING> {
    let module = this_module()?;
    let mut buffer = vec![0u16; 32_768];
    // SAFETY: the buffer is writable for its whole length.
    let len = unsafe { GetModuleFileNameW(Some(module), &mut buffer) } as usize;
    if len == 0 || len >= buffer.len() {
        return Err(Error::from_thread());
    }
    Ok(HSTRING::from_wide(&buffer[..len]))
}

/// The type library linked into this DLL (resource `TYPELIB 1`).
fn load_type_lib() -> Result<ITypeLib> {
    let path = this_path()?;
    // SAFETY: a valid, NUL-terminated path; REGKIND_NONE leaves the registry alone.
    unsafe { LoadTypeLibEx(&path, REGKIND_NONE) }
}

/// The clock's mutable state.
struct State {
    seconds: i32,
    state: ClockState,
    /// The pending alarm: its label and the second it rings at.
    alarm: Option<(BSTR, i32)>,
}

/// The coclass. `IDispatch` comes with the dual `IClock`.
#[implement(IClock, IConnectionPointContainer, IProvideClassInfo2)]
pub struct Clock {
    /// The generated connection points: one field per `[source]` interface.
    events: CConnectionPoints,
    type_lib: ITypeLib,
    /// IClock's dispatch description (what clients read) and its vtable description (what
    /// `DispInvoke` calls through).
    dispatch_info: ITypeInfo,
    vtable_info: ITypeInfo,
    state: Mutex<State>,
}

impl Clock {
    pub fn new() -> Result<ComObject<Self>> {
        let type_lib = load_type_lib()?;
        // SAFETY: plain type library calls; the GUID outlives the call.
        let (dispatch_info, vtable_info) = unsafe {
            let dispatch_info = type_lib.GetTypeInfoOfGuid(&IID_IClock)?;
            // For a dual interface, implemented type -1 is its vtable half.
            let vtable = dispatch_info.GetRefTypeOfImplType(u32::MAX)?;
            let vtable_info = dispatch_info.GetRefTypeInfo(vtable)?;
            (dispatch_info, vtable_info)
        };
        OBJECTS.fetch_add(1, Ordering::SeqCst);
        Ok(ComObject::new(Self {
            events: CConnectionPoints::new(),
            type_lib,
            dispatch_info,
            vtable_info,
            state: Mutex::new(State {
                seconds: 0,
                state: Stopped,
                alarm: None,
            }),
        }))
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        OBJECTS.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Clock_Impl {
    /// Fires `StateChanged(state, this clock)` to the dispinterface's sinks.
    fn state_changed(&self, state: ClockState) {
        let clock: IClock = self.to_interface();
        let this: IDispatch = clock.into();
        // A failing sink does not fail the client's call (nor stop the other sinks).
        let _ = self
            .events
            .DClockEvents
            .Fire_StateChanged(state, Some(&this));
    }

    /// Sets the time, fires the tick, and rings the alarm if it is due. Events are fired with
    /// no lock held, so sinks may call back into the clock.
    fn advance_to(&self, seconds: i32) {
        let due = {
            let mut state = lock(&self.state);
            state.seconds = seconds;
            match state.alarm.take() {
                Some((label, at)) if at <= seconds => {
                    state.state = Alarmed;
                    Some(label)
                }
                pending => {
                    state.alarm = pending;
                    None
                }
            }
        };
        let _ = self.events.DClockEvents.Fire_Tick(seconds);
        let fraction = f64::from(seconds.rem_euclid(60)) / 60.0;
        let _ = self.events.IClockSink.Fire_OnTick(seconds, fraction);
        let Some(label) = due else { return };
        self.state_changed(Alarmed);
        // Each sink sees (and may overwrite) what the previous one answered.
        let mut snooze = VARIANT_FALSE;
        let _ = self.events.DClockEvents.Fire_Alarm(&label, &mut snooze);
        let mut vtable_snooze = VARIANT_FALSE;
        let _ = self
            .events
            .IClockSink
            .Fire_OnAlarm(&label, &mut vtable_snooze);
        if snooze != VARIANT_FALSE || vtable_snooze != VARIANT_FALSE {
            let mut state = lock(&self.state);
            state.alarm = Some((label, seconds + SNOOZE_SECONDS));
        }
    }
}

impl IClock_Impl for Clock_Impl {
    fn Seconds(&self) -> Result<i32> {
        Ok(lock(&self.state).seconds)
    }

    fn SetSeconds(&self, seconds: i32) -> Result<()> {
        self.advance_to(seconds);
        Ok(())
    }

    fn Start(&self) -> Result<()> {
        let changed = {
            let mut state = lock(&self.state);
            let changed = state.state != Running;
            state.state = Running;
            changed
        };
        if changed {
            self.state_changed(Running);
        }
        Ok(())
    }

    fn SetAlarm(&self, label: &BSTR, after: i32) -> Result<()> {
        let mut state = lock(&self.state);
        let at = state.seconds + after;
        state.alarm = Some((label.clone(), at));
        Ok(())
    }
}

/// IClock's `IDispatch` half, served by oleaut32 from the type library.
// The windows crate fixes these signatures: COM's raw pointers in a safe trait method.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
impl IDispatch_Impl for Clock_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(1)
    }

    fn GetTypeInfo(&self, itinfo: u32, _lcid: u32) -> Result<ITypeInfo> {
        if itinfo != 0 {
            return Err(Error::from_hresult(
                windows::Win32::Foundation::DISP_E_BADINDEX,
            ));
        }
        Ok(self.dispatch_info.clone())
    }

    fn GetIDsOfNames(
        &self,
        riid: *const GUID,
        rgsznames: *const PCWSTR,
        cnames: u32,
        _lcid: u32,
        rgdispid: *mut i32,
    ) -> Result<()> {
        // SAFETY: COM passes a valid IID (IID_NULL for this use).
        if !riid.is_null() && unsafe { *riid } != GUID::zeroed() {
            return Err(Error::from_hresult(DISP_E_UNKNOWNINTERFACE));
        }
        // SAFETY: the caller's arrays hold cnames entries.
        unsafe {
            self.dispatch_info
                .GetIDsOfNames(rgsznames, cnames, rgdispid)
        }
    }

    fn Invoke(
        &self,
        dispidmember: i32,
        riid: *const GUID,
        _lcid: u32,
        wflags: DISPATCH_FLAGS,
        pdispparams: *const DISPPARAMS,
        pvarresult: *mut VARIANT,
        pexcepinfo: *mut EXCEPINFO,
        puargerr: *mut u32,
    ) -> Result<()> {
        // SAFETY: as above.
        if !riid.is_null() && unsafe { *riid } != GUID::zeroed() {
            return Err(Error::from_hresult(DISP_E_UNKNOWNINTERFACE));
        }
        let this: IClock = self.to_interface();
        // SAFETY: `this` is the IClock vtable the vtable description describes; the other
        // pointers are the caller's, passed on unchanged.
        unsafe {
            DispInvoke(
                this.as_raw(),
                &self.vtable_info,
                dispidmember,
                wflags.0,
                pdispparams.cast_mut(),
                pvarresult,
                pexcepinfo,
                puargerr,
            )
        }
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
        self.events.class_info(&self.type_lib)
    }
}

impl IProvideClassInfo2_Impl for Clock_Impl {
    fn GetGUID(&self, dwguidkind: u32) -> Result<GUID> {
        self.events.get_guid(dwguidkind)
    }
}

/// The class object `DllGetClassObject` hands out for `CLSID_Clock`.
#[implement(IClassFactory)]
struct ClockFactory;

impl IClassFactory_Impl for ClockFactory_Impl {
    fn CreateInstance(
        &self,
        punkouter: Ref<IUnknown>,
        riid: *const GUID,
        ppvobject: *mut *mut c_void,
    ) -> Result<()> {
        if ppvobject.is_null() {
            return Err(Error::from_hresult(E_POINTER));
        }
        // SAFETY: checked above.
        unsafe { *ppvobject = std::ptr::null_mut() };
        if !punkouter.is_null() {
            return Err(Error::from_hresult(CLASS_E_NOAGGREGATION));
        }
        let clock: IUnknown = Clock::new()?.into_interface();
        // SAFETY: riid and ppvobject are the caller's, valid per the contract.
        unsafe { clock.query(riid, ppvobject) }.ok()
    }

    fn LockServer(&self, flock: BOOL) -> Result<()> {
        if flock.as_bool() {
            LOCKS.fetch_add(1, Ordering::SeqCst);
        } else {
            LOCKS.fetch_sub(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// # Safety
/// COM's contract: `rclsid` and `riid` valid, `ppv` writable.
#[unsafe(no_mangle)]
pub unsafe extern "system" fn DllGetClassObject(
    rclsid: *const GUID,
    riid: *const GUID,
    ppv: *mut *mut c_void,
) -> HRESULT {
    if ppv.is_null() || rclsid.is_null() || riid.is_null() {
        return E_POINTER;
    }
    // SAFETY: checked above; COM's contract for the rest.
    unsafe {
        *ppv = std::ptr::null_mut();
        if *rclsid != CLSID_Clock {
            return CLASS_E_CLASSNOTAVAILABLE;
        }
        let factory: IClassFactory = ClockFactory.into();
        factory.query(riid, ppv)
    }
}

#[unsafe(no_mangle)]
pub extern "system" fn DllCanUnloadNow() -> HRESULT {
    if OBJECTS.load(Ordering::SeqCst) == 0 && LOCKS.load(Ordering::SeqCst) == 0 {
        S_OK
    } else {
        S_FALSE
    }
}

/// The registration key of the class, under `HKEY_CLASSES_ROOT`.
fn class_key() -> String {
    format!("CLSID\\{{{CLSID_Clock:?}}}")
}

fn set_string(subkey: &str, name: Option<&str>, value: &str) -> Result<()> {
    let data: Vec<u16> = value.encode_utf16().chain([0]).collect();
    let name = name.map(HSTRING::from);
    // SAFETY: the strings are NUL-terminated and outlive the call; the data is data.len()
    // UTF-16 units.
    unsafe {
        RegSetKeyValueW(
            HKEY_CLASSES_ROOT,
            &HSTRING::from(subkey),
            name.as_ref().map_or(PCWSTR::null(), |n| PCWSTR(n.as_ptr())),
            REG_SZ.0,
            Some(data.as_ptr().cast()),
            (data.len() * 2) as u32,
        )
    }
    .ok()
}

/// Registers the class machine-wide, as ATL's registrar does (`HKEY_CLASSES_ROOT`; elevation
/// on Windows). Not per-user `HKCU\Software\Classes`: Wine 8's COM does not look there
/// (CoCreateInstance answers REGDB_E_CLASSNOTREG). It writes the class name, and `InprocServer32` naming this DLL with `ThreadingModel=Both` (the object
/// locks its own state; the connection points are thread-safe).
#[unsafe(no_mangle)]
pub extern "system" fn DllRegisterServer() -> HRESULT {
    let register = || -> Result<()> {
        let key = class_key();
        let path = this_path()?.to_string();
        set_string(&key, None, "cpgen sample clock")?;
        let server = format!("{key}\\InprocServer32");
        set_string(&server, None, &path)?;
        set_string(&server, Some("ThreadingModel"), "Both")
    };
    match register() {
        Ok(()) => S_OK,
        Err(_) => SELFREG_E_CLASS,
    }
}

/// Removes what `DllRegisterServer` wrote; S_OK if it was not there.
#[unsafe(no_mangle)]
pub extern "system" fn DllUnregisterServer() -> HRESULT {
    // SAFETY: a NUL-terminated key name.
    let status = unsafe { RegDeleteTreeW(HKEY_CLASSES_ROOT, &HSTRING::from(class_key())) };
    if status.is_ok() || status == ERROR_FILE_NOT_FOUND {
        S_OK
    } else {
        SELFREG_E_CLASS
    }
}
