//! A client of the clock server: the generated GUIDs and interfaces (the same `events.rs` the
//! server includes, from `build.rs`), Rust sinks for both of Clock's source interfaces that
//! record what arrives, and the registration of the server DLL.
#![deny(warnings)]

use std::path::{Path, PathBuf};

use windows::Win32::Foundation::VARIANT_BOOL;
use windows::Win32::System::Com::{
    CLSCTX_INPROC_SERVER, CoCreateInstance, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO,
    IConnectionPoint, IConnectionPointContainer, IDispatch_Impl,
};
use windows::Win32::System::LibraryLoader::{GetProcAddress, LoadLibraryW};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BSTR, VT_BYREF, VT_DISPATCH, VT_I4,
};
use windows_core::{
    BOOL, BSTR, ComObject, Error, GUID, HRESULT, HSTRING, IUnknown, Interface, PCSTR, PCWSTR,
    Result, implement,
};

/// What `cpgen fixtures/clock.idl -o events.rs` writes.
pub mod generated {
    include!(concat!(env!("OUT_DIR"), "/events.rs"));
}

use generated::{
    CLSID_Clock, DClockEvents, DClockEvents_Impl, IClock, IClockSink, IClockSink_Impl,
};

/// DClockEvents' DISPIDs, as the IDL numbers them (`StateChanged` has no `[id]`, so MIDL's
/// first free automatic number).
pub const DISPID_TICK: i32 = 1;
pub const DISPID_ALARM: i32 = 2;
pub const DISPID_STATE_CHANGED: i32 = 0x6000_0002;

/// The server DLL that cargo put in the executable's folder or one folder up (an integration
/// test runs from `<target>/debug/deps`; cargo puts the DLL in `<target>/debug`).
pub fn server_dll() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.parent(), Some(dir)]
        .into_iter()
        .flatten()
        .map(|dir| dir.join("clock_server.dll"))
        .find(|dll| dll.is_file())
}

/// Calls `DllRegisterServer` (or `DllUnregisterServer`) of the DLL at `dll`, as regsvr32 does.
pub fn call_registration(dll: &Path, export: &str) -> Result<()> {
    call_export(dll, export)?.ok()
}

/// Calls the export `name` of the DLL at `dll`, one of COM's `HRESULT (void)` entry points
/// (`DllRegisterServer`, `DllUnregisterServer`, `DllCanUnloadNow`), and returns its answer.
pub fn call_export(dll: &Path, name: &str) -> Result<HRESULT> {
    let name = format!("{name}\0");
    // SAFETY: NUL-terminated names; the export has the documented signature. The DLL stays
    // loaded (COM uses the same module for CoCreateInstance).
    unsafe {
        let module = LoadLibraryW(&HSTRING::from(dll.as_os_str()))?;
        let export = GetProcAddress(module, PCSTR(name.as_ptr())).ok_or_else(Error::from_thread)?;
        let export: unsafe extern "system" fn() -> HRESULT = std::mem::transmute(export);
        Ok(export())
    }
}

/// Calls `DllInstall(install, cmd_line)` of the DLL at `dll`, as `regsvr32 /n /i:<cmd_line>`
/// (with `/u` to uninstall) does.
pub fn dll_install(dll: &Path, install: bool, cmd_line: &str) -> Result<()> {
    let cmd_line = HSTRING::from(cmd_line);
    // SAFETY: NUL-terminated names; the export has the documented signature.
    unsafe {
        let module = LoadLibraryW(&HSTRING::from(dll.as_os_str()))?;
        let export = GetProcAddress(module, PCSTR(c"DllInstall".as_ptr().cast()))
            .ok_or_else(Error::from_thread)?;
        let export: unsafe extern "system" fn(BOOL, PCWSTR) -> HRESULT =
            std::mem::transmute(export);
        export(install.into(), PCWSTR(cmd_line.as_ptr())).ok()
    }
}

/// `CoCreateInstance(CLSID_Clock, CLSCTX_INPROC_SERVER)`, through the registry.
pub fn create_clock() -> Result<IClock> {
    // SAFETY: plain COM call.
    unsafe { CoCreateInstance(&CLSID_Clock, None, CLSCTX_INPROC_SERVER) }
}

/// Connects `sink` to the clock's connection point for `iid`: the point and the cookie.
pub fn advise(clock: &IClock, iid: GUID, sink: &IUnknown) -> Result<(IConnectionPoint, u32)> {
    let container: IConnectionPointContainer = clock.cast()?;
    // SAFETY: plain COM calls with live interfaces.
    unsafe {
        let point = container.FindConnectionPoint(&iid)?;
        let cookie = point.Advise(sink)?;
        Ok((point, cookie))
    }
}

/// One event as a sink received it.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Tick(i32),
    Alarm(String),
    /// The state, and whether the clock came along as a non-null `IDispatch`.
    StateChanged(i32, bool),
    OnTick(i32, f64),
    OnAlarm(String),
    /// A dispinterface call this client does not know: its DISPID and argument VTs.
    Unknown(i32, Vec<u16>),
}

/// Where a sink records events; shared with whoever reads them.
pub type Log = cpgen_wine_support::Calls<Event>;

/// A Rust sink for the dispinterface `DClockEvents`: decodes each `Invoke` by DISPID and
/// answers `Alarm`'s by-reference `snooze` with its own.
#[implement(DClockEvents)]
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

impl DClockEvents_Impl for DispSink_Impl {}

// The windows crate fixes these signatures: COM's raw pointers in a safe trait method.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
impl IDispatch_Impl for DispSink_Impl {
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
        // SAFETY: COM hands a live DISPPARAMS whose rgvarg holds cArgs VARIANTs, last
        // parameter first; each field read is the one its VT names.
        let event = unsafe {
            let params = &*pdispparams;
            let args: Vec<_> = (0..params.cArgs as usize)
                .map(|i| &(*params.rgvarg.add(i)).Anonymous.Anonymous)
                .collect();
            let vts: Vec<VARENUM> = args.iter().map(|a| a.vt).collect();
            match (dispidmember, vts.as_slice()) {
                (DISPID_TICK, [VT_I4]) => Event::Tick(args[0].Anonymous.lVal),
                (DISPID_ALARM, [snooze, VT_BSTR]) if *snooze == VARENUM(VT_BOOL.0 | VT_BYREF.0) => {
                    // The by-reference write-back the server reads after firing.
                    let snooze = args[0].Anonymous.pboolVal;
                    *snooze = self.snooze;
                    Event::Alarm(args[1].Anonymous.bstrVal.to_string())
                }
                (DISPID_STATE_CHANGED, [VT_DISPATCH, VT_I4]) => Event::StateChanged(
                    args[1].Anonymous.lVal,
                    args[0].Anonymous.pdispVal.is_some(),
                ),
                _ => Event::Unknown(dispidmember, vts.iter().map(|vt| vt.0).collect()),
            }
        };
        self.log.record(event);
        Ok(())
    }
}

/// A Rust sink for the vtable interface `IClockSink`.
#[implement(IClockSink)]
pub struct VtableSink {
    log: Log,
    snooze: VARIANT_BOOL,
}

impl VtableSink {
    pub fn sink(log: &Log, snooze: VARIANT_BOOL) -> IUnknown {
        ComObject::new(Self {
            log: log.clone(),
            snooze,
        })
        .into_interface()
    }
}

impl IClockSink_Impl for VtableSink_Impl {
    fn OnTick(&self, seconds: i32, fraction: f64) -> Result<()> {
        self.log.record(Event::OnTick(seconds, fraction));
        Ok(())
    }

    // windows-bindgen returns the trailing [out] parameter.
    fn OnAlarm(&self, label: &BSTR) -> Result<VARIANT_BOOL> {
        self.log.record(Event::OnAlarm(label.to_string()));
        Ok(self.snooze)
    }
}
