//! An in-process COM server for coclass `Clock` of `fixtures/clock.idl`, written in Rust with
//! the `windows` crate and made connectable by the code cpgen generates (`build.rs` runs cpgen
//! into `$OUT_DIR/events.rs`, included below under `#![deny(warnings)]`).
//!
//! What a server author writes around cpgen's output:
//! - the `Clock` object: `IClock` (dual, its `IDispatch` served by oleaut32 from the type
//!   library), `IConnectionPointContainer` (delegating to the generated `ClockConnectionPoints`)
//!   and `IProvideClassInfo2` (the generated `get_guid` and `class_info`);
//! - the events, fired with the generated `Fire_` methods when a client calls `IClock`;
//! - its constructor, named to the generated `ClockClass`, and the one line that makes the
//!   DLL's exports ([`cpgen_runtime::dll_exports!`]).
//!
//! The class factory, `DllGetClassObject`, `DllCanUnloadNow`, `DllRegisterServer`,
//! `DllUnregisterServer` and `DllInstall` (per-user registration), the object count and the
//! registry keys are cpgen's: `--server` generates the class's registration (CLSID, ProgIDs
//! `ClockLib.Clock.1` and `ClockLib.Clock`, `ThreadingModel=Both`, type library) and the
//! runtime does the rest.
//!
//! The type library is the generated file's (`type_library()`, built in memory from the IDL):
//! `IDispatch`, `IProvideClassInfo2` and registration all use it, so the DLL ships alone.
//!
//! The clock has no timer: clients move it with `Seconds` (propput), which fires `Tick` /
//! `OnTick`, and, once the time reaches an alarm set with `SetAlarm`, `StateChanged(Alarmed)`,
//! `Alarm` and `OnAlarm`. A sink that answers `snooze = VARIANT_TRUE` (through `Alarm`'s
//! by-reference argument or `OnAlarm`'s `[out]`) re-arms the alarm [`SNOOZE_SECONDS`] later.
#![deny(warnings)]

use std::sync::{Mutex, MutexGuard, PoisonError};

use cpgen_runtime::server::Server;
use cpgen_runtime::type_library;
use windows::Win32::Foundation::{DISP_E_UNKNOWNINTERFACE, VARIANT_FALSE};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl, IEnumConnectionPoints, ITypeInfo,
    ITypeLib,
};
use windows::Win32::System::Ole::{
    DispInvoke, IProvideClassInfo_Impl, IProvideClassInfo2, IProvideClassInfo2_Impl,
};
use windows::Win32::System::Variant::VARIANT;
use windows_core::{
    BSTR, ComObject, Error, GUID, IUnknown, IUnknownImpl, Interface, PCWSTR, Result, implement,
};

/// What `cpgen fixtures/clock.idl -o events.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

use generated::{
    Alarmed, CConnectionPoints, ClockClass, ClockState, IClock, IClock_Impl, IID_IClock, Running,
    Stopped,
};

/// The DLL's one class, made by [`Clock::create`], and its type library: what the exports
/// below serve and register.
static SERVER: Server = generated::server(&[ClockClass(Clock::create)]);

cpgen_runtime::dll_exports!(SERVER);

/// How far a snoozed alarm moves.
pub const SNOOZE_SECONDS: i32 = 60;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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
        let type_lib = generated::type_library()?;
        let dispatch_info = type_library::dispatch_of(&type_lib, &IID_IClock)?;
        let vtable_info = type_library::vtable_of(&type_lib, &IID_IClock)?;
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

    /// A new clock as `IUnknown`: what the class factory's `CreateInstance` calls.
    pub fn create() -> Result<IUnknown> {
        Ok(Self::new()?.into_interface())
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
