//! Sending dispinterface events: [`invoke`] calls a sink's `IDispatch::Invoke`,
//! [`EventArg`] turns each `Fire_` parameter into the VARIANT that carries it.

use std::mem::ManuallyDrop;

use windows::Win32::Foundation::{DISP_E_EXCEPTION, VARIANT_BOOL};
use windows::Win32::System::Com::{
    DISPATCH_METHOD, DISPPARAMS, EXCEPINFO, IDispatch, IErrorInfo, SAFEARRAY, SetErrorInfo,
};
use windows::Win32::System::Ole::{CreateErrorInfo, SafeArrayCopy};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VARIANT_0, VARIANT_0_0, VARIANT_0_0_0, VT_BOOL, VT_BSTR, VT_BYREF, VT_DATE,
    VT_DISPATCH, VT_EMPTY, VT_INT, VT_UINT, VT_UNKNOWN, VT_VARIANT,
};
use windows_core::{BSTR, Error, GUID, HRESULT, HSTRING, IUnknown, Interface, Result};

use crate::receive::Payload;

/// Sends a dispinterface event: `IDispatch::Invoke(dispid, IID_NULL, 0,
/// DISPATCH_METHOD)` with `args`, which are in reverse order (last parameter
/// first) as DISPPARAMS wants them. By-reference arguments point at the
/// caller's values, so a sink's writes land there. A sink's `DISP_E_EXCEPTION` becomes
/// an error carrying its EXCEPINFO's code, source and description.
#[inline]
pub fn invoke(sink: &IDispatch, dispid: i32, args: &mut [VARIANT]) -> Result<()> {
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: args.len() as u32,
        cNamedArgs: 0,
    };
    let mut result = Answer(ManuallyDrop::new(VARIANT::default()));
    let mut exception = Exception(EXCEPINFO::default());
    // SAFETY: params, its arguments, result and exception outlive the call;
    // the sink may write through the by-reference arguments, whose targets
    // the caller lent for this call.
    let invoked = unsafe {
        sink.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            DISPATCH_METHOD,
            &params,
            Some(&mut *result.0),
            Some(&mut exception.0),
            None,
        )
    };
    match invoked {
        Err(error) if error.code() == DISP_E_EXCEPTION => Err(exception.into_error()),
        other => other,
    }
}

/// What a sink answers an event with: events are `void`, so almost always
/// nothing, but a sink may put a value there all the same. `VARIANT`'s own
/// drop clears it through oleaut32 whatever it holds, a call per sink and per
/// fire; this clears it only when there is something to free.
struct Answer(ManuallyDrop<VARIANT>);

impl Drop for Answer {
    fn drop(&mut self) {
        // SAFETY: the VARIANT is initialised and owned here, and dropped once:
        // reading its tag, then, when set, dropping it frees what it holds.
        unsafe {
            if self.0.Anonymous.Anonymous.vt != VT_EMPTY {
                ManuallyDrop::drop(&mut self.0);
            }
        }
    }
}

/// The EXCEPINFO a sink fills when it fails with DISP_E_EXCEPTION; frees its
/// strings when dropped.
struct Exception(EXCEPINFO);

impl Exception {
    fn into_error(mut self) -> Error {
        let info = &mut self.0;
        if let Some(fill) = info.pfnDeferredFillIn {
            // SAFETY: the sink asked for this to be called to fill `info`.
            // Its own failure leaves the fields as they are, still usable.
            let _ = unsafe { fill(info) };
        }
        let code = if info.scode < 0 {
            HRESULT(info.scode)
        } else {
            DISP_E_EXCEPTION
        };
        // Source and description travel as the thread's IErrorInfo, which
        // Error picks up. (Not Error::new: its RoOriginateErrorW is WinRT's,
        // aborts under Wine 8 and is missing before Windows 8.)
        // SAFETY: oleaut32 copies the NUL-terminated strings it is given.
        unsafe {
            if let Ok(created) = CreateErrorInfo() {
                let _ = created.SetSource(&HSTRING::from_wide(&info.bstrSource));
                let _ = created.SetDescription(&HSTRING::from_wide(&info.bstrDescription));
                if let Ok(error_info) = created.cast::<IErrorInfo>() {
                    let _ = SetErrorInfo(0, &error_info);
                }
            }
        }
        Error::from(code)
    }
}

impl Drop for Exception {
    fn drop(&mut self) {
        // SAFETY: the strings are null or owned by this EXCEPINFO, freed once.
        unsafe {
            ManuallyDrop::drop(&mut self.0.bstrSource);
            ManuallyDrop::drop(&mut self.0.bstrDescription);
            ManuallyDrop::drop(&mut self.0.bstrHelpFile);
        }
    }
}

/// A `Fire_` parameter as the VARIANT that carries it to `IDispatch::Invoke`,
/// of the VT its IDL type names. Values are copied (the VARIANT owns and
/// frees its copy); `&mut T` becomes `VT_x | VT_BYREF` pointing at the
/// caller's value, so what the sink writes is there after the call.
pub trait EventArg {
    /// The VARIANT carrying `self`.
    fn into_variant(self) -> VARIANT;
}

/// The VARIANT of type `vt` holding `value`, with nothing else set.
#[inline]
pub(crate) fn variant(vt: VARENUM, value: VARIANT_0_0_0) -> VARIANT {
    VARIANT {
        Anonymous: VARIANT_0 {
            Anonymous: ManuallyDrop::new(VARIANT_0_0 {
                vt,
                wReserved1: 0,
                wReserved2: 0,
                wReserved3: 0,
                Anonymous: value,
            }),
        },
    }
}

/// `[out]` and `[in, out]` parameters: `vt | VT_BYREF`, pointing at the caller's value,
/// which must outlive every use of the VARIANT.
#[inline]
pub fn by_ref<T>(vt: u16, value: &mut T) -> VARIANT {
    pointing_at(VARENUM(vt), (value as *mut T).cast())
}

/// The VARIANT `vt | VT_BYREF` that points at `data`.
#[inline]
pub(crate) fn pointing_at(vt: VARENUM, data: *mut core::ffi::c_void) -> VARIANT {
    variant(VARENUM(vt.0 | VT_BYREF.0), VARIANT_0_0_0 { byref: data })
}

/// Scalars: by value through the windows crate's `From`, by reference as
/// `VT_x | VT_BYREF`, `VT_x` being the type a receiving sink reads it as ([`Payload::VT`]), so
/// that sending and receiving cannot disagree.
macro_rules! scalar_args {
    ($($ty:ty),* $(,)?) => {$(
        impl EventArg for $ty {
            #[inline]
            fn into_variant(self) -> VARIANT {
                VARIANT::from(self)
            }
        }

        impl EventArg for &mut $ty {
            #[inline]
            fn into_variant(self) -> VARIANT {
                by_ref(<$ty as Payload>::VT.0, self)
            }
        }
    )*};
}

scalar_args!(i8, u8, i16, u16, i32, u32, i64, u64, f32, f64);

impl EventArg for VARIANT_BOOL {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(VT_BOOL, VARIANT_0_0_0 { boolVal: self })
    }
}

impl EventArg for &mut VARIANT_BOOL {
    #[inline]
    fn into_variant(self) -> VARIANT {
        by_ref(VT_BOOL.0, self)
    }
}

impl EventArg for &BSTR {
    #[inline]
    fn into_variant(self) -> VARIANT {
        VARIANT::from(self.clone())
    }
}

impl EventArg for &mut BSTR {
    #[inline]
    fn into_variant(self) -> VARIANT {
        by_ref(VT_BSTR.0, self)
    }
}

/// `VARIANT` by value: a copy, of the VARIANT's own type.
impl EventArg for &VARIANT {
    #[inline]
    fn into_variant(self) -> VARIANT {
        self.clone()
    }
}

impl EventArg for &mut VARIANT {
    #[inline]
    fn into_variant(self) -> VARIANT {
        by_ref(VT_VARIANT.0, self)
    }
}

impl EventArg for Option<&IDispatch> {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(
            VT_DISPATCH,
            VARIANT_0_0_0 {
                pdispVal: ManuallyDrop::new(self.cloned()),
            },
        )
    }
}

impl EventArg for &mut Option<IDispatch> {
    #[inline]
    fn into_variant(self) -> VARIANT {
        by_ref(VT_DISPATCH.0, self)
    }
}

impl EventArg for Option<&IUnknown> {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(
            VT_UNKNOWN,
            VARIANT_0_0_0 {
                punkVal: ManuallyDrop::new(self.cloned()),
            },
        )
    }
}

impl EventArg for &mut Option<IUnknown> {
    #[inline]
    fn into_variant(self) -> VARIANT {
        by_ref(VT_UNKNOWN.0, self)
    }
}

/// `[in] VARIANT*`: `VT_VARIANT | VT_BYREF` to the caller's VARIANT (the
/// parameter is `&VARIANT`, like a `VARIANT` by value, so cpgen wraps it).
pub struct InVariantRef<'a>(pub &'a VARIANT);

impl EventArg for InVariantRef<'_> {
    #[inline]
    fn into_variant(self) -> VARIANT {
        // VT_BYREF VARIANTs are never written through for an [in] parameter
        // and VariantClear does not free what they point to.
        variant(
            VARENUM(VT_VARIANT.0 | VT_BYREF.0),
            VARIANT_0_0_0 {
                pvarVal: (self.0 as *const VARIANT).cast_mut(),
            },
        )
    }
}

/// `int`: 32 bits like `long`, but `VT_INT`, as MIDL describes it in type libraries (cpgen
/// wraps the parameter). Laid out as the i32, which is how a sink receives it in place.
#[repr(transparent)]
pub struct Int(pub i32);

impl EventArg for Int {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(VT_INT, VARIANT_0_0_0 { intVal: self.0 })
    }
}

/// `unsigned int`: as [`Int`], a `u32` sent as `VT_UINT`.
#[repr(transparent)]
pub struct UInt(pub u32);

impl EventArg for UInt {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(VT_UINT, VARIANT_0_0_0 { uintVal: self.0 })
    }
}

/// `DATE`: an f64 like `double`, but `VT_DATE` (cpgen wraps the parameter).
/// Laid out as the f64, which is how a sink receives it in place.
#[repr(transparent)]
pub struct Date(pub f64);

impl EventArg for Date {
    #[inline]
    fn into_variant(self) -> VARIANT {
        variant(VT_DATE, VARIANT_0_0_0 { date: self.0 })
    }
}

/// `SAFEARRAY(T)`: `VT_ARRAY | T`, holding a copy of the caller's array (the VARIANT frees its
/// copy; the caller keeps its own). A null array is sent as a null `parray`.
///
/// # Safety
/// `array` is null or a valid SAFEARRAY.
pub unsafe fn safe_array(vt: u16, array: *mut SAFEARRAY) -> Result<VARIANT> {
    let copy = if array.is_null() {
        std::ptr::null_mut()
    } else {
        // SAFETY: per the contract.
        unsafe { SafeArrayCopy(array)? }
    };
    Ok(variant(VARENUM(vt), VARIANT_0_0_0 { parray: copy }))
}
