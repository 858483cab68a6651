//! The objects the benchmark fires between: a connectable clock per mode, and
//! sinks that only count what they receive (the cheapest a sink can be, so
//! that what the runtime adds shows).

use std::cell::Cell;
use std::ffi::c_void;

use windows::Win32::Foundation::{
    DISP_E_BADPARAMCOUNT, DISP_E_TYPEMISMATCH, VARIANT_BOOL, VARIANT_TRUE,
};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch_Impl,
    IEnumConnectionPoints,
};
use windows::Win32::System::Variant::{VARIANT, VT_BOOL, VT_BSTR, VT_BYREF};
use windows_core::{
    BSTR, ComObject, Error, GUID, IUnknown, IUnknownImpl, Interface, Result, implement,
};

use crate::{cross_apartment, generated};

/// Joins the calling thread to the multithreaded apartment.
pub fn enter_mta() -> Result<()> {
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()
}

/// A connectable object for each generated module.
macro_rules! clock {
    ($name:ident, $object:ident, $module:ident) => {
        #[implement(IConnectionPointContainer)]
        pub struct $name {
            pub events: $module::CConnectionPoints,
        }

        impl $name {
            pub fn new() -> ComObject<Self> {
                ComObject::new(Self {
                    events: $module::CConnectionPoints::new(),
                })
            }

            /// Its connection point for `iid`.
            pub fn point(this: &ComObject<Self>, iid: GUID) -> Result<IConnectionPoint> {
                let container: IConnectionPointContainer = this.to_interface();
                // SAFETY: the IID outlives the call.
                unsafe { container.FindConnectionPoint(&iid) }
            }
        }

        impl IConnectionPointContainer_Impl for $object {
            fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
                self.events.enum_connection_points(&self.to_interface())
            }

            fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
                self.events
                    .find_connection_point(&self.to_interface(), riid)
            }
        }
    };
}

clock!(Clock, Clock_Impl, generated);
clock!(MtClock, MtClock_Impl, cross_apartment);

/// A vtable sink for each generated module: counts ticks and adds up their
/// seconds, so a run can check that every sink got every event.
macro_rules! tick_sink {
    ($name:ident, $object:ident, $module:ident) => {
        #[implement($module::IClockSink)]
        #[derive(Default)]
        pub struct $name {
            pub ticks: Cell<u64>,
            pub seconds: Cell<i64>,
        }

        impl $module::IClockSink_Impl for $object {
            fn OnTick(&self, seconds: i32, _fraction: f64) -> Result<()> {
                self.ticks.set(self.ticks.get() + 1);
                self.seconds.set(self.seconds.get() + i64::from(seconds));
                Ok(())
            }

            fn OnAlarm(&self, _label: &BSTR) -> Result<VARIANT_BOOL> {
                Ok(VARIANT_TRUE)
            }
        }
    };
}

tick_sink!(TickSink, TickSink_Impl, generated);
tick_sink!(MtTickSink, MtTickSink_Impl, cross_apartment);

/// A dispinterface sink for each generated module: counts Alarm events, adds
/// up their labels' lengths and writes VARIANT_TRUE through the by-reference
/// `snooze`.
macro_rules! alarm_sink {
    ($(#[$doc:meta])* $name:ident, $object:ident, $module:ident, agile: $agile:literal) => {
        $(#[$doc])*
        #[implement($module::DClockEvents, Agile = $agile)]
        #[derive(Default)]
        pub struct $name {
            pub alarms: Cell<u64>,
            pub label_chars: Cell<u64>,
        }

        impl $module::DClockEvents_Impl for $object {}

        // Invoke's raw pointers are COM's ABI, as the windows crate declares it.
        #[allow(clippy::not_unsafe_ptr_arg_deref)]
        impl IDispatch_Impl for $object {
            cpgen_wine_support::dispatch_without_type_info!();

            fn Invoke(
                &self,
                dispidmember: i32,
                _riid: *const GUID,
                _lcid: u32,
                _wflags: DISPATCH_FLAGS,
                pdispparams: *const DISPPARAMS,
                _pvarresult: *mut VARIANT,
                _pexcepinfo: *mut EXCEPINFO,
                _puargerr: *mut u32,
            ) -> Result<()> {
                if dispidmember != $module::DClockEventsProxy::DISPID_Alarm {
                    return Ok(());
                }
                // SAFETY: COM hands a live DISPPARAMS.
                let chars = unsafe { alarm(&*pdispparams) }?;
                self.alarms.set(self.alarms.get() + 1);
                self.label_chars.set(self.label_chars.get() + chars);
                Ok(())
            }
        }
    };
}

alarm_sink!(AlarmSink, AlarmSink_Impl, generated, agile: true);
alarm_sink!(
    /// Apartment-threaded, so that cross-apartment mode keeps it in the
    /// Global Interface Table.
    StaAlarmSink,
    StaAlarmSink_Impl,
    cross_apartment,
    agile: false
);

/// Reads an Alarm's arguments, [snooze (VT_BOOL|VT_BYREF), label (VT_BSTR)],
/// writes VARIANT_TRUE through `snooze` and returns the label's length.
///
/// # Safety
/// `params` is a live DISPPARAMS whose by-reference pointers are writable.
unsafe fn alarm(params: &DISPPARAMS) -> Result<u64> {
    if params.cArgs != 2 {
        return Err(Error::from_hresult(DISP_E_BADPARAMCOUNT));
    }
    // SAFETY: two arguments, each read as the VT it carries.
    unsafe {
        let args = std::slice::from_raw_parts(params.rgvarg, 2);
        let snooze = &args[0].Anonymous.Anonymous;
        let label = &args[1].Anonymous.Anonymous;
        if snooze.vt.0 != VT_BOOL.0 | VT_BYREF.0 || label.vt != VT_BSTR {
            return Err(Error::from_hresult(DISP_E_TYPEMISMATCH));
        }
        let target = snooze.Anonymous.pboolVal;
        *target = VARIANT_TRUE;
        Ok(label.Anonymous.bstrVal.len() as u64)
    }
}

/// `n` sinks of type `T` advised on `point`, with the raw pointers the
/// connection point received (the QueryInterface result for `I`), which the
/// hand-written loops call.
pub struct Advised<T: windows_core::ComObjectInner> {
    pub sinks: Vec<ComObject<T>>,
    pub raw: Vec<*mut c_void>,
    pub cookies: Vec<u32>,
}

impl<T> Advised<T>
where
    T: windows_core::ComObjectInner + Default,
    T::Outer: windows_core::ComObjectInterface<IUnknown>,
{
    pub fn new<I: Interface>(point: &IConnectionPoint, n: usize) -> Result<Self> {
        let mut advised = Self {
            sinks: Vec::with_capacity(n),
            raw: Vec::with_capacity(n),
            cookies: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let sink = ComObject::new(T::default());
            let unknown: IUnknown = sink.to_interface();
            // SAFETY: a live sink.
            advised.cookies.push(unsafe { point.Advise(&unknown) }?);
            // The connection point holds the sink, so the pointer stays valid
            // for as long as it is advised.
            advised.raw.push(unknown.cast::<I>()?.as_raw());
            advised.sinks.push(sink);
        }
        Ok(advised)
    }
}
