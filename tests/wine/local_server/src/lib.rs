//! An EXE COM server on cpgen's `--server` plumbing (`src/bin/timer_server.rs`), and what its
//! clients in other processes share: the generated file, the `Timer` object the server
//! serves, recording sinks of both kinds, late-bound calls, and the marshaling of an interface
//! pointer to another process (`src/bin/dying_client.rs`). `ITimer` crosses processes through
//! oleaut32's type-library marshaler and the built type library the server registers.
#![deny(warnings)]

use std::path::PathBuf;

use std::ffi::c_void;

use windows::Win32::Foundation::{
    DISP_E_BADINDEX, DISP_E_TYPEMISMATCH, HGLOBAL, VARIANT_BOOL, VARIANT_FALSE,
};
use windows::Win32::System::Com::Marshal::{CoMarshalInterface, CoUnmarshalInterface};
use windows::Win32::System::Com::StructuredStorage::CreateStreamOnHGlobal;
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPATCH_METHOD, DISPATCH_PROPERTYGET, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl,
    IEnumConnectionPoints, ITypeInfo, MSHCTX_LOCAL, MSHLFLAGS_NORMAL, STREAM_SEEK_SET,
};
use windows::Win32::System::Ole::DispInvoke;
use windows::Win32::System::Variant::{VARENUM, VARIANT, VT_BOOL, VT_BYREF, VT_I4};
use windows_core::{
    BSTR, ComObject, GUID, IUnknown, IUnknownImpl, Interface, PCWSTR, Result, implement,
};

/// What `cpgen timer.idl --server -o timer.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/timer.rs"));
}

use generated::{
    CConnectionPoints, DTimerEvents, DTimerEvents_Impl, ITimer, ITimer_Impl, ITimerSink,
    ITimerSink_Impl, TimerClass,
};

/// The EXE's one class and the type library it registers.
pub static SERVER: cpgen_runtime::server::Server = generated::server(&[TimerClass(Timer::create)]);

/// The coclass the EXE serves.
#[implement(ITimer, IConnectionPointContainer)]
pub struct Timer {
    events: CConnectionPoints,
    /// ITimer's dispatch description (what late-bound clients read) and its vtable
    /// description (what `DispInvoke` calls through), from the built type library.
    dispatch_info: ITypeInfo,
    vtable_info: ITypeInfo,
}

impl Timer {
    /// A new timer as `IUnknown`: what the class factory's `CreateInstance` calls.
    pub fn create() -> Result<IUnknown> {
        let library = generated::type_library()?;
        let dispatch_info = cpgen_runtime::type_library::dispatch_of(&library, &ITimer::IID)?;
        let vtable_info = cpgen_runtime::type_library::vtable_of(&library, &ITimer::IID)?;
        Ok(ComObject::new(Self {
            events: CConnectionPoints::new(),
            dispatch_info,
            vtable_info,
        })
        .into_interface())
    }
}

// The windows crate fixes these signatures: COM's raw pointers in a safe trait method.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
impl ITimer_Impl for Timer_Impl {
    fn Ring(
        &self,
        value: i32,
        label: &BSTR,
        snooze: *mut VARIANT_BOOL,
        answer: *mut i32,
        reached: *mut i32,
    ) -> Result<i32> {
        // Each sink sees (and may overwrite) what the previous one answered.
        let mut snoozed = VARIANT_FALSE;
        let dispatch = self
            .events
            .DTimerEvents
            .Fire_Ring_report(value, &mut snoozed)?;
        let mut answered = 0;
        let vtable = self
            .events
            .ITimerSink
            .Fire_OnRing_report(value, label, &mut answered)?;
        // SAFETY: COM passes writable [out] pointers (the stub's own, across processes).
        unsafe {
            *snooze = snoozed;
            *answer = answered;
            *reached = (dispatch.reached + vtable.reached) as i32;
        }
        Ok((dispatch.pruned() + vtable.pruned()) as i32)
    }

    fn ProcessId(&self) -> Result<i32> {
        Ok(std::process::id() as i32)
    }
}

/// ITimer's `IDispatch` half, served by oleaut32 (`DispInvoke`) from the built type library:
/// what late-bound (scripting) clients call, across processes through `IDispatch`'s standard
/// marshaling.
// The windows crate fixes these signatures: COM's raw pointers in a safe trait method.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
impl IDispatch_Impl for Timer_Impl {
    fn GetTypeInfoCount(&self) -> Result<u32> {
        Ok(1)
    }

    fn GetTypeInfo(&self, index: u32, _lcid: u32) -> Result<ITypeInfo> {
        if index != 0 {
            return Err(DISP_E_BADINDEX.into());
        }
        Ok(self.dispatch_info.clone())
    }

    fn GetIDsOfNames(
        &self,
        _riid: *const GUID,
        names: *const PCWSTR,
        count: u32,
        _lcid: u32,
        ids: *mut i32,
    ) -> Result<()> {
        // SAFETY: the caller's arrays hold `count` entries.
        unsafe { self.dispatch_info.GetIDsOfNames(names, count, ids) }
    }

    fn Invoke(
        &self,
        dispid: i32,
        _riid: *const GUID,
        _lcid: u32,
        flags: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        result: *mut VARIANT,
        excepinfo: *mut EXCEPINFO,
        argerr: *mut u32,
    ) -> Result<()> {
        let this: ITimer = self.to_interface();
        // SAFETY: `this` is the ITimer vtable the vtable description describes; the other
        // pointers are the caller's, passed on unchanged.
        unsafe {
            DispInvoke(
                this.as_raw(),
                &self.vtable_info,
                dispid,
                flags.0,
                params.cast_mut(),
                result,
                excepinfo,
                argerr,
            )
        }
    }
}

/// `ITimer::Ring`'s and `ProcessId`'s DISPIDs, as timer.idl numbers them.
pub const DISPID_RING: i32 = 1;
pub const DISPID_PROCESS_ID: i32 = 2;

/// `ITimer::Ring(value, label)` late-bound, through `IDispatch::Invoke` as a script calls it:
/// (snooze, answer, reached, pruned).
pub fn ring(timer: &IDispatch, value: i32, label: &str) -> Result<(VARIANT_BOOL, i32, i32, i32)> {
    let (mut snooze, mut answer, mut reached) = (VARIANT_FALSE, 0i32, 0i32);
    let byref = |vt: VARENUM, pointer: *mut c_void| {
        let mut variant = VARIANT::default();
        // SAFETY: a by-reference VARIANT: the VT and the pointer it names, nothing to free.
        unsafe {
            let inner = &mut *variant.Anonymous.Anonymous;
            inner.vt = VARENUM(vt.0 | VT_BYREF.0);
            inner.Anonymous.byref = pointer;
        }
        variant
    };
    // Last parameter first.
    let mut args = [
        byref(VT_I4, (&raw mut reached).cast()),
        byref(VT_I4, (&raw mut answer).cast()),
        byref(VT_BOOL, (&raw mut snooze).cast()),
        VARIANT::from(BSTR::from(label)),
        VARIANT::from(value),
    ];
    let pruned = invoke(timer, DISPID_RING, &mut args)?;
    Ok((snooze, answer, reached, pruned))
}

/// `ITimer::ProcessId` through `IDispatch::Invoke`.
pub fn process_id(timer: &IDispatch) -> Result<i32> {
    invoke(timer, DISPID_PROCESS_ID, &mut [])
}

/// `Invoke(dispid, args)` whose result is a `long`.
fn invoke(timer: &IDispatch, dispid: i32, args: &mut [VARIANT]) -> Result<i32> {
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        cArgs: args.len() as u32,
        ..Default::default()
    };
    let mut result = VARIANT::default();
    let flags = if args.is_empty() {
        DISPATCH_METHOD | DISPATCH_PROPERTYGET
    } else {
        DISPATCH_METHOD
    };
    // SAFETY: the arguments and result outlive the call.
    unsafe {
        timer.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            flags,
            &params,
            Some(&mut result),
            None,
            None,
        )?;
        let inner = &result.Anonymous.Anonymous;
        if inner.vt != VT_I4 {
            return Err(DISP_E_TYPEMISMATCH.into());
        }
        Ok(inner.Anonymous.lVal)
    }
}

impl IConnectionPointContainer_Impl for Timer_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }

    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events
            .find_connection_point(&self.to_interface(), riid)
    }
}

/// One event as a client's sink received it.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// `DTimerEvents::Ring(value)`, in this process.
    Ring(i32),
    /// `ITimerSink::OnRing(value, label)`.
    OnRing(i32, String),
    /// A dispinterface call this client does not know: its DISPID and argument VTs.
    Unknown(i32, Vec<u16>),
}

/// Where a sink records events.
pub type Log = cpgen_wine_support::Calls<Event>;

/// A sink of the dispinterface `DTimerEvents`, answering `snooze` with its own.
#[implement(DTimerEvents)]
pub struct DispSink {
    log: Log,
    snooze: VARIANT_BOOL,
}

impl DispSink {
    pub fn sink(log: &Log, snooze: VARIANT_BOOL) -> IUnknown {
        ComObject::new(Self {
            log: log.clone(),
            snooze,
        })
        .into_interface()
    }
}

impl DTimerEvents_Impl for DispSink_Impl {}

// The windows crate fixes these signatures: COM's raw pointers in a safe trait method.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
impl IDispatch_Impl for DispSink_Impl {
    cpgen_wine_support::dispatch_without_type_info!();

    fn Invoke(
        &self,
        dispid: i32,
        _riid: *const GUID,
        _lcid: u32,
        _flags: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        _result: *mut VARIANT,
        _excepinfo: *mut EXCEPINFO,
        _argerr: *mut u32,
    ) -> Result<()> {
        // SAFETY: COM hands a live DISPPARAMS whose rgvarg holds cArgs VARIANTs, last
        // parameter first; each field read is the one its VT names.
        let event = unsafe {
            let params = &*params;
            let args: Vec<_> = (0..params.cArgs as usize)
                .map(|i| &(*params.rgvarg.add(i)).Anonymous.Anonymous)
                .collect();
            let vts: Vec<VARENUM> = args.iter().map(|a| a.vt).collect();
            match (dispid, vts.as_slice()) {
                (1, [snooze, VT_I4]) if *snooze == VARENUM(VT_BOOL.0 | VT_BYREF.0) => {
                    // The by-reference answer, which crosses back to the server.
                    let snooze = args[0].Anonymous.pboolVal;
                    *snooze = self.snooze;
                    Event::Ring(args[1].Anonymous.lVal)
                }
                _ => Event::Unknown(dispid, vts.iter().map(|vt| vt.0).collect()),
            }
        };
        self.log.record(event);
        Ok(())
    }
}

/// A sink of the vtable interface `ITimerSink`, answering `value * factor`.
#[implement(ITimerSink)]
pub struct VtableSink {
    log: Log,
    factor: i32,
}

impl VtableSink {
    pub fn sink(log: &Log, factor: i32) -> IUnknown {
        ComObject::new(Self {
            log: log.clone(),
            factor,
        })
        .into_interface()
    }
}

impl ITimerSink_Impl for VtableSink_Impl {
    fn OnRing(&self, value: i32, label: &BSTR) -> Result<i32> {
        self.log.record(Event::OnRing(value, label.to_string()));
        Ok(value * self.factor)
    }
}

/// Connects `sink` to `timer`'s connection point for `iid`; the cookie.
pub fn advise(timer: &ITimer, iid: GUID, sink: &IUnknown) -> Result<u32> {
    let container: IConnectionPointContainer = timer.cast()?;
    // SAFETY: plain COM calls with live interfaces.
    unsafe { container.FindConnectionPoint(&iid)?.Advise(sink) }
}

/// The executable `name` that cargo put beside the running test, or one folder up (an
/// integration test runs from `<target>/debug/deps`, cargo puts binaries in `<target>/debug`).
pub fn executable(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.parent(), Some(dir)]
        .into_iter()
        .flatten()
        .map(|dir| dir.join(format!("{name}.exe")))
        .find(|path| path.is_file())
}

/// `timer` marshaled for another process on this machine (`CoMarshalInterface`, one
/// unmarshal), as hex text for a command line.
pub fn marshal(timer: &ITimer) -> Result<String> {
    // SAFETY: plain COM calls on a stream this function owns.
    unsafe {
        let stream = CreateStreamOnHGlobal(HGLOBAL::default(), true)?;
        CoMarshalInterface(
            &stream,
            &ITimer::IID,
            timer,
            MSHCTX_LOCAL.0 as u32,
            None,
            MSHLFLAGS_NORMAL.0 as u32,
        )?;
        let mut end = 0u64;
        stream.Seek(
            0,
            windows::Win32::System::Com::STREAM_SEEK_CUR,
            Some(&mut end),
        )?;
        stream.Seek(0, STREAM_SEEK_SET, None)?;
        let mut bytes = vec![0u8; end as usize];
        let mut read = 0u32;
        stream
            .Read(
                bytes.as_mut_ptr().cast(),
                bytes.len() as u32,
                Some(&mut read),
            )
            .ok()?;
        bytes.truncate(read as usize);
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// The timer that [`marshal`] wrote as `hex`.
pub fn unmarshal(hex: &str) -> Result<ITimer> {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    // SAFETY: plain COM calls on a stream this function owns.
    unsafe {
        let stream = CreateStreamOnHGlobal(HGLOBAL::default(), true)?;
        let mut written = 0u32;
        stream
            .Write(
                bytes.as_ptr().cast(),
                bytes.len() as u32,
                Some(&mut written),
            )
            .ok()?;
        stream.Seek(0, STREAM_SEEK_SET, None)?;
        CoUnmarshalInterface(&stream)
    }
}
