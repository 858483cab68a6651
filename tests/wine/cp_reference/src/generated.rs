//! Connection points for `fixtures/clock.idl` (library ClockLib, coclass
//! Clock): the hand-written reference of what `cpgen clock.idl -o events.rs`
//! writes, the per-IDL part. The generic part is the private modules
//! `runtime` and `dispatch` at the end (in cpgen's output, inline in the
//! same file; `dispatch` only when a source is a dispinterface).
//!
//! A user's connectable object holds a [`CConnectionPoints`], fires through
//! its fields, and implements `IConnectionPointContainer` (and
//! `IProvideClassInfo2`) by delegating to it:
//!
//! ```ignore
//! #[implement(IConnectionPointContainer)]
//! struct Clock { events: CConnectionPoints }
//!
//! impl IConnectionPointContainer_Impl for Clock_Impl {
//!     fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
//!         self.events.find_connection_point(&self.to_interface(), riid)
//!     }
//!     fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
//!         self.events.enum_connection_points(&self.to_interface())
//!     }
//! }
//! // ... self.events.DClockEvents.Fire_Tick(seconds)?;
//! ```

// Names are the IDL's; a user includes the file as a private module and
// uses part of it; an event's parameters are as many as the IDL says.
#![allow(
    non_snake_case,
    non_upper_case_globals,
    dead_code,
    clippy::too_many_arguments
)]

use windows::Win32::Foundation::{E_INVALIDARG, VARIANT_BOOL};
use windows::Win32::System::Com::{
    IConnectionPoint, IConnectionPointContainer, IDispatch, IEnumConnectionPoints, ITypeInfo,
    ITypeLib,
};
use windows::Win32::System::Ole::GUIDKIND_DEFAULT_SOURCE_DISP_IID;
use windows_core::{BSTR, Error, GUID, Result};

use self::dispatch::EventArg;

// ---- identifiers -----------------------------------------------------------

pub const LIBID_ClockLib: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7e8);
pub const IID_IClock: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7e9);
pub const DIID_DClockEvents: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7ea);
pub const IID_IClockSink: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7eb);
pub const CLSID_Clock: GUID = GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7ec);

// ---- bindings of the IDL's own types (to come from windows-bindgen) ---------

#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq)]
pub struct ClockState(pub i32);
pub const Stopped: ClockState = ClockState(0i32);
pub const Running: ClockState = ClockState(1i32);
pub const Alarmed: ClockState = ClockState(2i32);

/// Events for vtable clients.
#[windows_core::interface("6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7eb")]
pub unsafe trait IClockSink: windows_core::IUnknown {
    fn OnTick(&self, seconds: i32, fraction: f64) -> windows_core::Result<()>;
    fn OnAlarm(
        &self,
        label: windows_core::Ref<windows_core::BSTR>,
        snooze: *mut VARIANT_BOOL,
    ) -> windows_core::Result<()>;
}

// ---- dispinterface DClockEvents ---------------------------------------------

/// Events for scripting clients: an `IDispatch` that answers QueryInterface
/// for `DIID_DClockEvents`; a sink is `#[implement(DClockEvents)]` with an
/// empty `DClockEvents_Impl` and its own `IDispatch_Impl`.
#[windows_core::interface("6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea")]
pub unsafe trait DClockEvents: windows::Win32::System::Com::IDispatch {}

/// The connection point for `DClockEvents`: its sinks, and one `Fire_`
/// method per event, sent through `IDispatch::Invoke`.
pub struct DClockEventsProxy(runtime::Sinks<DClockEvents>);

impl Default for DClockEventsProxy {
    fn default() -> Self {
        Self(runtime::Sinks::new())
    }
}

impl DClockEventsProxy {
    /// `[id(1)] void Tick([in] long seconds)`
    pub fn Fire_Tick(&self, seconds: i32) -> Result<()> {
        self.0
            .fire(|sink| dispatch::invoke(sink, 1, &mut [seconds.into_variant()]))
    }

    /// `[id(2)] void Alarm([in] BSTR label, [in, out] VARIANT_BOOL* snooze)`
    pub fn Fire_Alarm(&self, label: &BSTR, snooze: &mut VARIANT_BOOL) -> Result<()> {
        self.0.fire(|sink| {
            dispatch::invoke(
                sink,
                2,
                &mut [(&mut *snooze).into_variant(), label.into_variant()],
            )
        })
    }

    /// `void StateChanged([in] ClockState state, [in] IDispatch* clock)`,
    /// unnumbered: DISPID 0x60000000 + its index, as widl's type library
    /// numbers a dispinterface's methods (a dual's are 0x60020000 + index).
    pub fn Fire_StateChanged(&self, state: ClockState, clock: Option<&IDispatch>) -> Result<()> {
        self.0.fire(|sink| {
            dispatch::invoke(
                sink,
                0x60000002,
                &mut [clock.into_variant(), state.0.into_variant()],
            )
        })
    }
}

// ---- interface IClockSink ---------------------------------------------------

/// The connection point for `IClockSink`: its sinks, and one `Fire_` method
/// per event, a direct call through the sink's vtable.
pub struct IClockSinkProxy(runtime::Sinks<IClockSink>);

impl Default for IClockSinkProxy {
    fn default() -> Self {
        Self(runtime::Sinks::new())
    }
}

impl IClockSinkProxy {
    /// `HRESULT OnTick([in] long seconds, [in] double fraction)`
    pub fn Fire_OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        // SAFETY: a call through a live sink's vtable, arguments by value.
        self.0
            .fire(|sink| unsafe { sink.OnTick(seconds, fraction) })
    }

    /// `HRESULT OnAlarm([in] BSTR label, [out] VARIANT_BOOL* snooze)`
    pub fn Fire_OnAlarm(&self, label: &BSTR, snooze: &mut VARIANT_BOOL) -> Result<()> {
        // SAFETY: a call through a live sink's vtable; label and snooze are
        // borrowed for the call only.
        self.0
            .fire(|sink| unsafe { sink.OnAlarm(label, &mut *snooze) })
    }
}

// ---- coclass Clock --------------------------------------------------------

/// The connection points of coclass `Clock`, one field per `[source]`
/// member, in declaration order.
pub struct CConnectionPoints {
    pub DClockEvents: DClockEventsProxy,
    pub IClockSink: IClockSinkProxy,
}

impl Default for CConnectionPoints {
    fn default() -> Self {
        Self::new()
    }
}

impl CConnectionPoints {
    /// The coclass's `[default, source]` dispinterface, the answer to
    /// `IProvideClassInfo2::GetGUID(GUIDKIND_DEFAULT_SOURCE_DISP_IID)`.
    pub const DEFAULT_SOURCE_DISP_IID: GUID = DIID_DClockEvents;

    pub fn new() -> Self {
        Self {
            DClockEvents: DClockEventsProxy::default(),
            IClockSink: IClockSinkProxy::default(),
        }
    }

    /// `IConnectionPointContainer::FindConnectionPoint` for `container`, the
    /// object holding these connection points (`&self.to_interface()`);
    /// `riid` is the pointer COM passed, null or valid.
    pub fn find_connection_point(
        &self,
        container: &IConnectionPointContainer,
        riid: *const GUID,
    ) -> Result<IConnectionPoint> {
        match runtime::requested_iid(riid)? {
            DIID_DClockEvents => Ok(self.DClockEvents.0.connection_point(container)),
            IID_IClockSink => Ok(self.IClockSink.0.connection_point(container)),
            _ => Err(runtime::no_connection_point()),
        }
    }

    /// `IConnectionPointContainer::EnumConnectionPoints` for `container`.
    pub fn enum_connection_points(
        &self,
        container: &IConnectionPointContainer,
    ) -> Result<IEnumConnectionPoints> {
        Ok(runtime::enum_connection_points(vec![
            self.DClockEvents.0.connection_point(container),
            self.IClockSink.0.connection_point(container),
        ]))
    }

    /// `IProvideClassInfo2::GetGUID`.
    pub fn get_guid(&self, dwguidkind: u32) -> Result<GUID> {
        if dwguidkind == GUIDKIND_DEFAULT_SOURCE_DISP_IID.0 as u32 {
            Ok(Self::DEFAULT_SOURCE_DISP_IID)
        } else {
            Err(Error::from_hresult(E_INVALIDARG))
        }
    }

    /// `IProvideClassInfo::GetClassInfo`, from the type library the user
    /// loaded (LoadRegTypeLib or LoadTypeLibEx of the IDL's library).
    pub fn class_info(&self, type_lib: &ITypeLib) -> Result<ITypeInfo> {
        // SAFETY: the GUID outlives the call.
        unsafe { type_lib.GetTypeInfoOfGuid(&CLSID_Clock) }
    }
}

#[path = "runtime.rs"]
mod runtime;

#[path = "dispatch.rs"]
mod dispatch;
