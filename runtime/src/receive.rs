//! Typed sinks called through `IDispatch`: the receiving half of the
//! dispinterface runtime, for a sink that can be called that way (a
//! dispinterface, or a vtable interface derived from `IDispatch`).
//!
//! - the `IDispatch` part of a sink's vtable ([`Object::DISPATCH`]):
//!   `Invoke` checks what every event call must be (IID_NULL, a method call,
//!   named arguments that name parameters, no more arguments than the event
//!   has and none of its required ones left out) and hands the event's
//!   [`Args`] to the adapter's [`Dispatch::invoke`]; `GetIDsOfNames` answers
//!   from the adapter's [`Dispatch::MEMBERS`];
//! - [`Args`]: each argument as the handler's Rust type. It accepts what
//!   real sources send: the value's own VARIANT type, `VT_BYREF` to it,
//!   `VT_VARIANT | VT_BYREF` to a VARIANT holding either, and any type
//!   `VariantChangeType` converts; anything else is `DISP_E_TYPEMISMATCH`
//!   with the argument's index in DISPPARAMS in `puArgErr`. By-reference
//!   parameters are lent in place, or, through a `VT_VARIANT | VT_BYREF`
//!   of another type, converted and written back after the handler ran.
//!
//! A handler's error (what [`Args::handled`] was given) reaches a caller that
//! passed an `EXCEPINFO` as `DISP_E_EXCEPTION` with it filled: the error's
//! `IErrorInfo` source (else the interface's name), its message as the
//! description, its HRESULT as `scode`; scripting clients and pywin32 read
//! that. Without an `EXCEPINFO`, `Invoke` returns the handler's HRESULT.

use std::ffi::c_void;

use windows::Win32::Foundation::{
    DISP_E_BADINDEX, DISP_E_BADPARAMCOUNT, DISP_E_EXCEPTION, DISP_E_MEMBERNOTFOUND,
    DISP_E_PARAMNOTFOUND, DISP_E_UNKNOWNINTERFACE, DISP_E_UNKNOWNNAME, E_NOTIMPL, E_POINTER, S_OK,
};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPATCH_METHOD, DISPPARAMS, EXCEPINFO, IDispatch_Vtbl, IErrorInfo, ITypeInfo,
};
use windows::Win32::System::Ole::DISPID_UNKNOWN;
use windows::Win32::System::Variant::{VARIANT, VARIANT_0, VARIANT_0_0, VARIANT_0_0_0, VT_ERROR};
use windows_core::{BSTR, Error, GUID, HRESULT, IUnknown, Interface, PCWSTR, Result};

use crate::sink::{Adapter, Object};

mod args;

pub use args::{Args, Held, Payload, Slot};

/// What a generated `<S>Sink` tells `Invoke` and `GetIDsOfNames`.
pub trait Dispatch {
    /// The source interface's name: `EXCEPINFO`'s source when a handler's
    /// error names none.
    const INTERFACE: &'static str;
    /// The events `Invoke` reaches.
    const MEMBERS: &'static [Member];
    /// Calls the handler's method for event `dispid` (one of `MEMBERS`,
    /// whose argument count `args` has) with `args`.
    fn invoke(&self, dispid: i32, args: &Args<'_>) -> Result<()>;
    /// The interface's type information, for `GetTypeInfo`: none without a
    /// type library to take it from.
    fn type_info() -> Result<ITypeInfo> {
        Err(Error::from_hresult(E_NOTIMPL))
    }
}

/// An event as `IDispatch` names it.
pub struct Member {
    /// The event's name.
    pub name: &'static str,
    /// Its DISPID.
    pub dispid: i32,
    /// The parameters' names, first to last.
    pub params: &'static [&'static str],
    /// How many leading parameters a caller must send; the others have a
    /// default (`[defaultvalue]`, or an `[optional]` VARIANT).
    pub required: usize,
}

impl Member {
    /// Event `name`, of DISPID `dispid`, whose parameters are named `params`,
    /// every one required.
    pub const fn new(name: &'static str, dispid: i32, params: &'static [&'static str]) -> Self {
        Self {
            name,
            dispid,
            params,
            required: params.len(),
        }
    }

    /// The same event, whose parameters from `first` on may be left out.
    pub const fn optional_from(self, first: usize) -> Self {
        Self {
            required: first,
            ..self
        }
    }
}

/// What an `[optional]` VARIANT parameter the caller left out holds:
/// `VT_ERROR` with `DISP_E_PARAMNOTFOUND`, as COM passes a missing argument.
pub fn param_not_found() -> VARIANT {
    VARIANT {
        Anonymous: VARIANT_0 {
            Anonymous: std::mem::ManuallyDrop::new(VARIANT_0_0 {
                vt: VT_ERROR,
                wReserved1: 0,
                wReserved2: 0,
                wReserved3: 0,
                Anonymous: VARIANT_0_0_0 {
                    scode: DISP_E_PARAMNOTFOUND.0,
                },
            }),
        },
    }
}

/// `Invoke`'s answer for a DISPID that is not an event of the interface.
pub fn member_not_found() -> Error {
    Error::from_hresult(DISP_E_MEMBERNOTFOUND)
}

impl<A: Adapter + Dispatch> Object<A> {
    /// The `IDispatch` part of the vtable of a sink called through `Invoke`.
    pub const DISPATCH: IDispatch_Vtbl = IDispatch_Vtbl {
        base__: Self::UNKNOWN,
        GetTypeInfoCount: Self::get_type_info_count,
        GetTypeInfo: Self::get_type_info,
        GetIDsOfNames: Self::get_ids_of_names,
        Invoke: Self::invoke,
    };

    unsafe extern "system" fn get_type_info_count(_this: *mut c_void, count: *mut u32) -> HRESULT {
        if count.is_null() {
            return E_POINTER;
        }
        // SAFETY: checked non-null; COM lends it for the call.
        unsafe { count.write(u32::from(A::type_info().is_ok())) };
        S_OK
    }

    unsafe extern "system" fn get_type_info(
        _this: *mut c_void,
        index: u32,
        _lcid: u32,
        info: *mut *mut c_void,
    ) -> HRESULT {
        if info.is_null() {
            return E_POINTER;
        }
        let found = if index == 0 {
            A::type_info()
        } else {
            Err(Error::from_hresult(DISP_E_BADINDEX))
        };
        // SAFETY: checked non-null; COM lends it for the call, and takes the
        // reference written there.
        unsafe {
            match found {
                Ok(found) => {
                    info.write(found.into_raw());
                    S_OK
                }
                Err(error) => {
                    info.write(std::ptr::null_mut());
                    error.code()
                }
            }
        }
    }

    unsafe extern "system" fn get_ids_of_names(
        _this: *mut c_void,
        riid: *const GUID,
        names: *const PCWSTR,
        count: u32,
        _lcid: u32,
        ids: *mut i32,
    ) -> HRESULT {
        // SAFETY: COM's contract for GetIDsOfNames' pointers.
        unsafe { ids_of_names(A::MEMBERS, riid, names, count, ids) }.into()
    }

    unsafe extern "system" fn invoke(
        this: *mut c_void,
        dispid: i32,
        riid: *const GUID,
        _lcid: u32,
        flags: DISPATCH_FLAGS,
        params: *const DISPPARAMS,
        _result: *mut VARIANT,
        exception: *mut EXCEPINFO,
        arg_err: *mut u32,
    ) -> HRESULT {
        // SAFETY: COM calls Invoke on a live sink, with Invoke's pointers.
        let invoked = unsafe { invoke(Self::adapter(this), dispid, riid, flags, params, arg_err) };
        match invoked {
            // SAFETY: a non-null EXCEPINFO is the caller's, lent for the call.
            Err(Raised::Handler(error)) if !exception.is_null() => unsafe {
                exception.write(exception_info(&error, A::INTERFACE));
                DISP_E_EXCEPTION
            },
            Err(Raised::Handler(error) | Raised::Invoke(error)) => error.into(),
            Ok(()) => S_OK,
        }
    }
}

/// Why `Invoke` failed: the handler's error, or the call's own.
enum Raised {
    Handler(Error),
    Invoke(Error),
}

impl From<Error> for Raised {
    fn from(error: Error) -> Self {
        Self::Invoke(error)
    }
}

/// The `EXCEPINFO` that tells a caller about a handler's `error`.
fn exception_info(error: &Error, interface: &str) -> EXCEPINFO {
    let raw = error.as_ptr();
    // SAFETY: `as_ptr` is null or the error's IErrorInfo, borrowed here.
    let info = unsafe { IUnknown::from_raw_borrowed(&raw) }
        .and_then(|unknown| unknown.cast::<IErrorInfo>().ok());
    // SAFETY: a plain call on a live IErrorInfo.
    let source = info
        .and_then(|info| unsafe { info.GetSource() }.ok())
        .filter(|source| !source.is_empty())
        .unwrap_or_else(|| BSTR::from(interface));
    EXCEPINFO {
        bstrSource: std::mem::ManuallyDrop::new(source),
        bstrDescription: std::mem::ManuallyDrop::new(BSTR::from(error.message())),
        scode: error.code().0,
        ..EXCEPINFO::default()
    }
}

/// `riid` must be IID_NULL (a null pointer is taken as IID_NULL).
///
/// # Safety
/// `riid` is null or points at a GUID.
unsafe fn check_iid(riid: *const GUID) -> Result<()> {
    // SAFETY: per the contract.
    match unsafe { riid.as_ref() } {
        Some(iid) if *iid != GUID::zeroed() => Err(Error::from_hresult(DISP_E_UNKNOWNINTERFACE)),
        _ => Ok(()),
    }
}

/// `IDispatch::GetIDsOfNames` over `members`, case-insensitively: the first
/// name is an event's, the others its parameters' (their DISPIDs are their
/// positions). Unknown names get DISPID_UNKNOWN and DISP_E_UNKNOWNNAME.
///
/// # Safety
/// `names` holds `count` null or NUL-terminated strings, `ids` has room for
/// `count` DISPIDs, `riid` is null or a GUID.
unsafe fn ids_of_names(
    members: &[Member],
    riid: *const GUID,
    names: *const PCWSTR,
    count: u32,
    ids: *mut i32,
) -> Result<()> {
    // SAFETY: per the contract.
    unsafe { check_iid(riid)? };
    if count == 0 {
        return Ok(());
    }
    if names.is_null() || ids.is_null() {
        return Err(Error::from_hresult(E_POINTER));
    }
    // SAFETY: per the contract, both arrays hold `count` items.
    let (names, ids) = unsafe {
        (
            std::slice::from_raw_parts(names, count as usize),
            std::slice::from_raw_parts_mut(ids, count as usize),
        )
    };
    ids.fill(DISPID_UNKNOWN);
    let name = |index: usize| -> Option<String> {
        // SAFETY: per the contract, a non-null name is NUL-terminated.
        (!names[index].is_null()).then(|| unsafe { names[index].to_string() }.ok())?
    };
    let Some(member) = name(0).and_then(|wanted| {
        members
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(&wanted))
    }) else {
        return Err(Error::from_hresult(DISP_E_UNKNOWNNAME));
    };
    ids[0] = member.dispid;
    let mut all_known = true;
    for (index, id) in ids.iter_mut().enumerate().skip(1) {
        let position = name(index).and_then(|wanted| {
            member
                .params
                .iter()
                .position(|p| p.eq_ignore_ascii_case(&wanted))
        });
        match position {
            Some(position) => *id = position as i32,
            None => all_known = false,
        }
    }
    if all_known {
        Ok(())
    } else {
        Err(Error::from_hresult(DISP_E_UNKNOWNNAME))
    }
}

/// `IDispatch::Invoke` for the adapter: the checks every event call must
/// pass, then the event.
///
/// # Safety
/// Invoke's contract: `riid` null or a GUID, `params` null or a DISPPARAMS
/// whose `rgvarg` holds `cArgs` VARIANTs and `rgdispidNamedArgs` (when
/// `cNamedArgs` is not 0) `cNamedArgs` DISPIDs, `arg_err` null or writable.
unsafe fn invoke<A: Dispatch>(
    adapter: &A,
    dispid: i32,
    riid: *const GUID,
    flags: DISPATCH_FLAGS,
    params: *const DISPPARAMS,
    arg_err: *mut u32,
) -> std::result::Result<(), Raised> {
    // SAFETY: per the contract.
    unsafe { check_iid(riid)? };
    let member = A::MEMBERS
        .iter()
        .find(|m| m.dispid == dispid)
        // An event is a method: a property get or put of its DISPID is not.
        .filter(|_| flags.0 & DISPATCH_METHOD.0 != 0)
        .ok_or_else(member_not_found)?;
    // SAFETY: per the contract.
    let params = unsafe { params.as_ref() }.ok_or_else(|| Error::from_hresult(E_POINTER))?;
    let (count, named) = (params.cArgs as usize, params.cNamedArgs as usize);
    if named > count {
        return Err(Error::from_hresult(DISP_E_BADPARAMCOUNT).into());
    }
    if (count != 0 && params.rgvarg.is_null()) || (named != 0 && params.rgdispidNamedArgs.is_null())
    {
        return Err(Error::from_hresult(E_POINTER).into());
    }
    if named != 0 {
        // SAFETY: checked non-null; per the contract it holds cNamedArgs ids.
        let ids = unsafe { std::slice::from_raw_parts(params.rgdispidNamedArgs, named) };
        // A named argument names a parameter (by its DISPID, its position) that no positional
        // or earlier named argument fills.
        let unknown = ids.iter().enumerate().position(|(at, &id)| {
            !usize::try_from(id).is_ok_and(|id| (count - named..member.params.len()).contains(&id))
                || ids[..at].contains(&id)
        });
        if let Some(at) = unknown {
            if !arg_err.is_null() {
                // SAFETY: per the contract, writable.
                unsafe { arg_err.write(at as u32) };
            }
            return Err(Error::from_hresult(DISP_E_PARAMNOTFOUND).into());
        }
    }
    if count > member.params.len() {
        return Err(Error::from_hresult(DISP_E_BADPARAMCOUNT).into());
    }
    let args = Args::new(params, arg_err);
    if (0..member.required).any(|index| args.position(index).is_none()) {
        let code = if named == 0 {
            DISP_E_BADPARAMCOUNT
        } else {
            DISP_E_PARAMNOTFOUND
        };
        return Err(Error::from_hresult(code).into());
    }
    match adapter.invoke(dispid, &args) {
        Err(error) if args.raised() => Err(Raised::Handler(error)),
        other => Ok(other?),
    }
}
