//! The recording sink, the arguments, and the check against a type library that the generated
//! firing tests use.

use std::sync::{Arc, Mutex};

use windows::Win32::Foundation::E_NOTIMPL;
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, IConnectionPoint, IConnectionPointContainer,
    IConnectionPointContainer_Impl, IEnumConnectionPoints, ITypeInfo, ITypeLib, SAFEARRAY,
    TKIND_ALIAS, TKIND_COCLASS, TKIND_DISPATCH, TKIND_ENUM, TKIND_INTERFACE, TKIND_RECORD,
    TYPEDESC,
};
use windows::Win32::System::Ole::{LoadTypeLibEx, REGKIND_NONE, TYPEFLAG_FDISPATCHABLE};
use windows::Win32::System::Variant::{
    VARENUM, VT_ARRAY, VT_BYREF, VT_DISPATCH, VT_I4, VT_PTR, VT_RECORD, VT_SAFEARRAY,
    VT_UNKNOWN, VT_USERDEFINED, VT_VARIANT,
};
use windows::Win32::Foundation::VARIANT_BOOL;
use windows_core::{Error, GUID, HSTRING, Interface, Result, implement};

/// One Invoke a recording sink received: the DISPID and each argument's VARIANT type, first
/// parameter first.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub dispid: i32,
    pub types: Vec<VARENUM>,
}

pub type Calls = Arc<Mutex<Vec<Call>>>;

/// Records an Invoke.
pub fn record(calls: &Calls, dispid: i32, params: *const windows::Win32::System::Com::DISPPARAMS) {
    // SAFETY: COM hands a live DISPPARAMS with cArgs VARIANTs (last parameter first).
    let params = unsafe { &*params };
    let mut types: Vec<VARENUM> = (0..params.cArgs as usize)
        .map(|i| unsafe { (*params.rgvarg.add(i)).vt() })
        .collect();
    types.reverse();
    calls.lock().unwrap().push(Call { dispid, types });
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
        Box::leak(Box::default())
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
                let interface = pointee.vt == VT_USERDEFINED
                    && matches!(inner, VT_DISPATCH | VT_UNKNOWN);
                Ok(if interface { inner } else { VARENUM(inner.0 | VT_BYREF.0) })
            }
            VT_SAFEARRAY => Ok(VARENUM(VT_ARRAY.0 | sent_as(info, &*desc.Anonymous.lptdesc)?.0)),
            VT_USERDEFINED => {
                let referenced = info.GetRefTypeInfo(desc.Anonymous.hreftype)?;
                let attr = referenced.GetTypeAttr()?;
                let (kind, flags, alias) = ((*attr).typekind, (*attr).wTypeFlags, (*attr).tdescAlias);
                let vt = match kind {
                    TKIND_ENUM => Ok(VT_I4),
                    TKIND_ALIAS => sent_as(&referenced, &alias),
                    TKIND_RECORD => Ok(VT_RECORD),
                    TKIND_DISPATCH => Ok(VT_DISPATCH),
                    TKIND_INTERFACE if flags & TYPEFLAG_FDISPATCHABLE.0 as u16 != 0 => Ok(VT_DISPATCH),
                    TKIND_INTERFACE => Ok(VT_UNKNOWN),
                    TKIND_COCLASS => {
                        let default = referenced.GetRefTypeInfo(referenced.GetRefTypeOfImplType(0)?)?;
                        let default_attr = default.GetTypeAttr()?;
                        let dispatchable =
                            (*default_attr).wTypeFlags & TYPEFLAG_FDISPATCHABLE.0 as u16 != 0;
                        default.ReleaseTypeAttr(default_attr);
                        Ok(if dispatchable { VT_DISPATCH } else { VT_UNKNOWN })
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
        mismatches.push(format!("{} calls for {} events", calls.len(), expected.len()));
    }
    for (call, (dispid, count)) in calls.iter().zip(expected) {
        if call.dispid != *dispid || call.types.len() != *count {
            mismatches.push(format!("{call:?}: expected DISPID {dispid} with {count} arguments"));
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
            mismatches.push(format!("DISPID {dispid}: sent {:?}, described {types:?}", call.types));
        }
    }
    let kind = match oracle {
        Oracle::Widl(_) => "widl's type library",
        Oracle::Model(_) => "the model's type library",
    };
    eprintln!("{name}: {} events fired, against {kind}, {} mismatches", calls.len(), mismatches.len());
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
            fn GetTypeInfo(&self, _: u32, _: u32) -> windows_core::Result<windows::Win32::System::Com::ITypeInfo> {
                Err(windows::Win32::Foundation::E_NOTIMPL.into())
            }
            fn GetIDsOfNames(&self, _: *const windows_core::GUID, _: *const windows_core::PCWSTR, _: u32, _: u32, _: *mut i32) -> windows_core::Result<()> {
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
                $crate::support::record(&self.0, dispid, params);
                Ok(())
            }
        }
    };
}
