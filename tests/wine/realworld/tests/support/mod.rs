//! The recording sink, the arguments, and the check against a type library that the generated
//! firing tests use.

use std::sync::{Arc, Mutex};

mod vtable;

pub use vtable::{Slots, check_slots, slot, vtable_sink};

use windows::Win32::Foundation::E_NOTIMPL;
use windows::Win32::Foundation::{VARIANT_BOOL, VARIANT_TRUE};
use windows::Win32::System::Com::IDispatch;
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IEnumConnectionPoints, ITypeInfo, ITypeLib, SAFEARRAY,
    TKIND_ALIAS, TKIND_COCLASS, TKIND_DISPATCH, TKIND_ENUM, TKIND_INTERFACE, TKIND_RECORD,
    TYPEDESC,
};
use windows::Win32::System::Ole::{
    LoadTypeLibEx, REGKIND_NONE, SafeArrayCreateVector, SafeArrayDestroy, TYPEFLAG_FDISPATCHABLE,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VARIANT_0_0, VT_ARRAY, VT_BOOL, VT_BSTR, VT_BYREF, VT_CY, VT_DATE,
    VT_DISPATCH, VT_ERROR, VT_I1, VT_I2, VT_I4, VT_I8, VT_INT, VT_PTR, VT_R4, VT_R8, VT_RECORD,
    VT_SAFEARRAY, VT_UI1, VT_UI2, VT_UI4, VT_UI8, VT_UINT, VT_UNKNOWN, VT_USERDEFINED, VT_VARIANT,
};
use windows_core::{BSTR, Error, GUID, HSTRING, IUnknown, Interface, Result, implement};

/// One Invoke a recording sink received: the DISPID and each argument's VARIANT type, first
/// parameter first, and what the sink wrote through its by-reference arguments (where, and the
/// bytes written there).
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub dispid: i32,
    pub types: Vec<VARENUM>,
    pub writes: Vec<(usize, Vec<u8>)>,
}

pub type Calls = Arc<Mutex<Vec<Call>>>;

/// Records an Invoke, writing a value other than the default through every by-reference
/// argument (`me`, the sink itself, for interface pointers).
pub fn record(
    calls: &Calls,
    dispid: i32,
    params: *const windows::Win32::System::Com::DISPPARAMS,
    me: &IDispatch,
) {
    // SAFETY: COM hands a live DISPPARAMS with cArgs VARIANTs (last parameter first).
    let params = unsafe { &*params };
    let mut types: Vec<VARENUM> = (0..params.cArgs as usize)
        .map(|i| unsafe { (*params.rgvarg.add(i)).vt() })
        .collect();
    types.reverse();
    let writes = (0..params.cArgs as usize)
        // SAFETY: as above; by-reference targets are the caller's, lent for the call.
        .filter_map(|i| unsafe { write_through(&*params.rgvarg.add(i), me) })
        .collect();
    calls.lock().unwrap().push(Call {
        dispid,
        types,
        writes,
    });
}

/// Writes a value that is not the type's default through a by-reference `arg` that points at a
/// `&mut` argument of the `Fire_` call (an `[in] VARIANT*` is sent by reference too, but is the
/// caller's to keep): where, and the bytes there afterwards.
///
/// # Safety
/// `arg` is a live VARIANT whose by-reference target the caller lends.
unsafe fn write_through(arg: &VARIANT, me: &IDispatch) -> Option<(usize, Vec<u8>)> {
    let vt = arg.vt().0;
    if vt & VT_BYREF.0 == 0 {
        return None;
    }
    // SAFETY: per the contract; each target is written as its VARIANT type says.
    unsafe {
        let inner = &*(&raw const arg.Anonymous.Anonymous).cast::<VARIANT_0_0>();
        if vt == VT_RECORD.0 | VT_BYREF.0 {
            let record = &inner.Anonymous.Anonymous;
            if !is_lent(record.pvRecord as usize) {
                return None;
            }
            let info = (*record.pRecInfo).as_ref()?;
            let mut count = u32::MAX;
            info.GetFieldNames(&mut count, std::ptr::null_mut()).ok()?;
            let mut names = vec![BSTR::new(); count as usize];
            info.GetFieldNames(&mut count, names.as_mut_ptr()).ok()?;
            for name in &names {
                let name = HSTRING::from(name.to_string());
                info.PutField(2, record.pvRecord, &name, &VARIANT::from(90i32))
                    .ok()?;
            }
            let size = info.GetSize().ok()? as usize;
            return Some(bytes(record.pvRecord.cast(), size));
        }
        let target = inner.Anonymous.byref;
        if !is_lent(target as usize) {
            return None;
        }
        if vt & VT_ARRAY.0 != 0 {
            // A SAFEARRAY(T)*: a new one-element array of T in place of the caller's.
            let element = VARENUM(vt & !(VT_ARRAY.0 | VT_BYREF.0));
            let array = target.cast::<*mut SAFEARRAY>();
            if !(*array).is_null() {
                SafeArrayDestroy(*array).ok()?;
            }
            *array = SafeArrayCreateVector(element, 0, 1);
            return Some(bytes(target.cast(), size_of::<usize>()));
        }
        let size = match VARENUM(vt & !VT_BYREF.0) {
            VT_I1 | VT_UI1 => put(target, 0x5au8),
            VT_I2 | VT_UI2 => put(target, 0x5a5au16),
            VT_BOOL => put(target, VARIANT_TRUE),
            VT_I4 | VT_UI4 | VT_INT | VT_UINT | VT_ERROR => put(target, 0x5a5a_5a5au32),
            VT_I8 | VT_UI8 | VT_CY => put(target, 0x5a5a_5a5a_5a5a_5a5au64),
            VT_R4 => put(target, 90.5f32),
            VT_R8 | VT_DATE => put(target, 90.5f64),
            VT_BSTR => {
                *target.cast::<BSTR>() = BSTR::from("written by the sink");
                size_of::<BSTR>()
            }
            VT_DISPATCH => {
                *target.cast::<Option<IDispatch>>() = Some(me.clone());
                size_of::<usize>()
            }
            VT_UNKNOWN => {
                *target.cast::<Option<IUnknown>>() = me.cast().ok();
                size_of::<usize>()
            }
            VT_VARIANT => {
                *target.cast::<VARIANT>() = VARIANT::from(0x5a5a_5a5ai32);
                size_of::<VARIANT>()
            }
            _ => return None,
        };
        Some(bytes(target.cast(), size))
    }
}

/// Writes `value` at `target`; its size.
///
/// # Safety
/// `target` has room for a `T`.
unsafe fn put<T>(target: *mut core::ffi::c_void, value: T) -> usize {
    // SAFETY: per the contract.
    unsafe { target.cast::<T>().write(value) };
    size_of::<T>()
}

/// The address and the `size` bytes at `at`.
///
/// # Safety
/// `at` has `size` readable bytes.
unsafe fn bytes(at: *const u8, size: usize) -> (usize, Vec<u8>) {
    // SAFETY: per the contract.
    (
        at as usize,
        unsafe { std::slice::from_raw_parts(at, size) }.to_vec(),
    )
}

/// The `&mut` arguments handed to `Fire_` methods: the thread, address and size.
static LENT: Mutex<Vec<(std::thread::ThreadId, usize, usize)>> = Mutex::new(Vec::new());

/// The arguments lent on this thread.
fn lent_here() -> Vec<(usize, usize)> {
    let here = std::thread::current().id();
    LENT.lock()
        .unwrap()
        .iter()
        .filter(|(thread, _, _)| *thread == here)
        .map(|&(_, at, size)| (at, size))
        .collect()
}

/// Whether `address` is a `&mut` argument lent to a `Fire_` method on this thread (the sink is
/// called on the thread that fires).
fn is_lent(address: usize) -> bool {
    lent_here().iter().any(|(at, _)| *at == address)
}

/// Checks that every `&mut` argument lent to a `Fire_` method received what the sink wrote
/// through the by-reference VARIANT it was sent as (a copy, or a value, gets no write); the
/// mismatches, and how many arguments were written back.
fn written_back(calls: &[Call]) -> (Vec<String>, usize) {
    let lent = lent_here();
    let here = std::thread::current().id();
    LENT.lock()
        .unwrap()
        .retain(|(thread, _, _)| *thread != here);
    let writes: Vec<&(usize, Vec<u8>)> = calls.iter().flat_map(|c| &c.writes).collect();
    let mut mismatches = Vec::new();
    let mut written = 0;
    for &(address, size) in &lent {
        match writes.iter().find(|(at, _)| *at == address) {
            None => mismatches.push(format!(
                "a {size}-byte &mut argument at {address:#x} was not sent by reference"
            )),
            Some((_, bytes)) => {
                // SAFETY: the argument was leaked, so it is still there.
                let now = unsafe { std::slice::from_raw_parts(address as *const u8, size) };
                if now != &bytes[..size.min(bytes.len())] {
                    mismatches.push(format!(
                        "the &mut argument at {address:#x} did not get the sink's write"
                    ));
                } else {
                    written += 1;
                }
            }
        }
    }
    (mismatches, written)
}

/// A value for any `Fire_` parameter: zero, empty, null, or a fresh default behind a reference.
pub trait Arg {
    fn arg() -> Self;
}

pub fn arg<T: Arg>() -> T {
    T::arg()
}

macro_rules! zero_args {
    ($($ty:ty),*) => {$(
        impl Arg for $ty {
            fn arg() -> Self {
                Default::default()
            }
        }
    )*};
}
zero_args!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64, VARIANT_BOOL);

impl<T: Default + 'static> Arg for &'static T {
    fn arg() -> Self {
        Box::leak(Box::default())
    }
}

impl<T: Default + 'static> Arg for &'static mut T {
    fn arg() -> Self {
        // Leaked, so `written_back` can look at it after the fire.
        let value: &'static mut T = Box::leak(Box::default());
        let at = std::ptr::from_mut(value) as usize;
        let here = std::thread::current().id();
        LENT.lock().unwrap().push((here, at, size_of::<T>()));
        value
    }
}

impl<I: Interface> Arg for Option<&I> {
    fn arg() -> Self {
        None
    }
}

impl Arg for *mut SAFEARRAY {
    fn arg() -> Self {
        std::ptr::null_mut()
    }
}

#[implement(IConnectionPointContainer)]
struct Container;

impl IConnectionPointContainer_Impl for Container_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        Err(E_NOTIMPL.into())
    }
    fn FindConnectionPoint(&self, _: *const GUID) -> Result<IConnectionPoint> {
        Err(E_NOTIMPL.into())
    }
}

/// A container for connection points under test (joining the MTA first).
pub fn container() -> IConnectionPointContainer {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.unwrap();
    Container.into()
}

/// Where the expected types come from.
pub enum Oracle {
    /// The bytes of the type library widl built from the same file.
    Widl(&'static [u8]),
    /// The type library cpgen generates from the model.
    Model(fn() -> Result<ITypeLib>),
}

impl Oracle {
    fn load(&self, name: &str) -> Result<ITypeLib> {
        match self {
            Oracle::Widl(bytes) => {
                let path = std::env::temp_dir().join(format!("cpgen-{name}.tlb"));
                std::fs::write(&path, bytes).map_err(|e| Error::new(E_NOTIMPL, e.to_string()))?;
                // SAFETY: a NUL-terminated path.
                unsafe { LoadTypeLibEx(&HSTRING::from(path.as_os_str()), REGKIND_NONE) }
            }
            Oracle::Model(build) => build(),
        }
    }
}

/// The VARIANT type a source sends for a parameter the type library describes as `desc`.
fn sent_as(info: &ITypeInfo, desc: &TYPEDESC) -> Result<VARENUM> {
    // SAFETY: the union member each VT names; the descriptions live as long as `info`.
    unsafe {
        match desc.vt {
            VT_PTR => {
                let pointee = &*desc.Anonymous.lptdesc;
                let inner = sent_as(info, pointee)?;
                let interface =
                    pointee.vt == VT_USERDEFINED && matches!(inner, VT_DISPATCH | VT_UNKNOWN);
                Ok(if interface {
                    inner
                } else {
                    VARENUM(inner.0 | VT_BYREF.0)
                })
            }
            VT_SAFEARRAY => Ok(VARENUM(
                VT_ARRAY.0 | sent_as(info, &*desc.Anonymous.lptdesc)?.0,
            )),
            VT_USERDEFINED => {
                let referenced = info.GetRefTypeInfo(desc.Anonymous.hreftype)?;
                let attr = referenced.GetTypeAttr()?;
                let (kind, flags, alias) =
                    ((*attr).typekind, (*attr).wTypeFlags, (*attr).tdescAlias);
                let vt = match kind {
                    TKIND_ENUM => Ok(VT_I4),
                    TKIND_ALIAS => sent_as(&referenced, &alias),
                    TKIND_RECORD => Ok(VT_RECORD),
                    TKIND_DISPATCH => Ok(VT_DISPATCH),
                    TKIND_INTERFACE if flags & TYPEFLAG_FDISPATCHABLE.0 as u16 != 0 => {
                        Ok(VT_DISPATCH)
                    }
                    TKIND_INTERFACE => Ok(VT_UNKNOWN),
                    TKIND_COCLASS => {
                        let default =
                            referenced.GetRefTypeInfo(referenced.GetRefTypeOfImplType(0)?)?;
                        let default_attr = default.GetTypeAttr()?;
                        let dispatchable =
                            (*default_attr).wTypeFlags & TYPEFLAG_FDISPATCHABLE.0 as u16 != 0;
                        default.ReleaseTypeAttr(default_attr);
                        Ok(if dispatchable {
                            VT_DISPATCH
                        } else {
                            VT_UNKNOWN
                        })
                    }
                    _ => Ok(VT_USERDEFINED),
                };
                referenced.ReleaseTypeAttr(attr);
                vt
            }
            other => Ok(other),
        }
    }
}

/// Each event's parameter types as the type library describes them, by DISPID.
fn described(info: &ITypeInfo) -> Result<Vec<(i32, Vec<VARENUM>)>> {
    let mut events = Vec::new();
    // SAFETY: descriptions are read, then released, as oleaut32 lends them.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let count = (*attr).cFuncs;
        info.ReleaseTypeAttr(attr);
        for index in 0..u32::from(count) {
            let func = info.GetFuncDesc(index)?;
            let params = (0..(*func).cParams as usize)
                .map(|p| sent_as(info, &(*(*func).lprgelemdescParam.add(p)).tdesc))
                .collect::<Result<Vec<_>>>()?;
            events.push(((*func).memid, params));
            info.ReleaseFuncDesc(func);
        }
    }
    Ok(events)
}

/// Compares what the sink received with `expected` (DISPID and argument count, from the model)
/// and with the type library's description of each parameter. Prints the counts.
pub fn check(
    oracle: Oracle,
    diid: &GUID,
    calls: &[Call],
    expected: &[(i32, usize)],
    name: &str,
) -> Result<()> {
    let library = oracle.load(name)?;
    // SAFETY: a GUID that outlives the call.
    let info = unsafe { library.GetTypeInfoOfGuid(diid)? };
    let described = described(&info)?;
    let mut mismatches = Vec::new();
    if calls.len() != expected.len() {
        mismatches.push(format!(
            "{} calls for {} events",
            calls.len(),
            expected.len()
        ));
    }
    for (call, (dispid, count)) in calls.iter().zip(expected) {
        if call.dispid != *dispid || call.types.len() != *count {
            mismatches.push(format!(
                "{call:?}: expected DISPID {dispid} with {count} arguments"
            ));
            continue;
        }
        let Some((_, types)) = described.iter().find(|(memid, _)| *memid == call.dispid) else {
            mismatches.push(format!("DISPID {dispid} is not in the type library"));
            continue;
        };
        let agrees = |(sent, described): (&VARENUM, &VARENUM)| {
            sent == described || (*described == VT_VARIANT && sent.0 & VT_BYREF.0 == 0)
        };
        if types.len() != call.types.len() || !call.types.iter().zip(types).all(agrees) {
            mismatches.push(format!(
                "DISPID {dispid}: sent {:?}, described {types:?}",
                call.types
            ));
        }
    }
    let (not_written, written) = written_back(calls);
    mismatches.extend(not_written);
    let kind = match oracle {
        Oracle::Widl(_) => "widl's type library",
        Oracle::Model(_) => "the model's type library",
    };
    eprintln!(
        "{name}: {} events fired, against {kind}, {written} by-reference arguments written back, {} mismatches",
        calls.len(),
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{name}:\n{}", mismatches.join("\n"));
    Ok(())
}

/// The recording sink's `IDispatch`: it records every Invoke and fails nothing.
#[macro_export]
macro_rules! recording_dispatch {
    ($impl_struct:ty) => {
        impl windows::Win32::System::Com::IDispatch_Impl for $impl_struct {
            fn GetTypeInfoCount(&self) -> windows_core::Result<u32> {
                Ok(0)
            }
            fn GetTypeInfo(
                &self,
                _: u32,
                _: u32,
            ) -> windows_core::Result<windows::Win32::System::Com::ITypeInfo> {
                Err(windows::Win32::Foundation::E_NOTIMPL.into())
            }
            fn GetIDsOfNames(
                &self,
                _: *const windows_core::GUID,
                _: *const windows_core::PCWSTR,
                _: u32,
                _: u32,
                _: *mut i32,
            ) -> windows_core::Result<()> {
                Err(windows::Win32::Foundation::E_NOTIMPL.into())
            }
            fn Invoke(
                &self,
                dispid: i32,
                _: *const windows_core::GUID,
                _: u32,
                _: windows::Win32::System::Com::DISPATCH_FLAGS,
                params: *const windows::Win32::System::Com::DISPPARAMS,
                _: *mut windows::Win32::System::Variant::VARIANT,
                _: *mut windows::Win32::System::Com::EXCEPINFO,
                _: *mut u32,
            ) -> windows_core::Result<()> {
                let me: windows_core::IUnknown = windows_core::IUnknownImpl::to_interface(self);
                let me: windows::Win32::System::Com::IDispatch =
                    windows_core::Interface::cast(&me).expect("the sink is an IDispatch");
                $crate::support::record(&self.0, dispid, params, &me);
                Ok(())
            }
        }
    };
}
