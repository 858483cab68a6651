//! Every `EventArg` conversion: the VARIANT type and payload each `Fire_`
//! parameter type is sent as (clock.idl uses only some of them).

use windows::Win32::Foundation::{VARIANT_BOOL, VARIANT_TRUE};
use windows::Win32::System::Com::IDispatch;
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BSTR, VT_BYREF, VT_DATE, VT_DISPATCH, VT_I1, VT_I2, VT_I4, VT_I8,
    VT_R4, VT_R8, VT_UI1, VT_UI2, VT_UI4, VT_UNKNOWN, VT_VARIANT,
};
use windows_core::{BSTR, IUnknown};

use cpgen_runtime::dispatch::{Date, EventArg, InVariantRef};

fn vt(variant: &VARIANT) -> VARENUM {
    variant.vt()
}

fn byref(vt: VARENUM) -> VARENUM {
    VARENUM(vt.0 | VT_BYREF.0)
}

/// The pointer a by-reference VARIANT carries.
fn target(variant: &VARIANT) -> *mut core::ffi::c_void {
    // SAFETY: by-reference VARIANTs carry a pointer in `byref`.
    unsafe { variant.Anonymous.Anonymous.Anonymous.byref }
}

macro_rules! check_scalars {
    ($($value:expr => $vt:ident . $field:ident),* $(,)?) => {$({
        let mut value = $value;
        let by_value = value.into_variant();
        assert_eq!(vt(&by_value), $vt, stringify!($value));
        // SAFETY: the payload field the VT names.
        assert_eq!(unsafe { by_value.Anonymous.Anonymous.Anonymous.$field }, $value);
        let by_reference = (&mut value).into_variant();
        assert_eq!(vt(&by_reference), byref($vt), stringify!($value));
        assert_eq!(target(&by_reference), (&raw mut value).cast());
    })*};
}

#[test]
fn scalars_by_value_and_by_reference() {
    check_scalars!(
        -5i8 => VT_I1.cVal,
        200u8 => VT_UI1.bVal,
        -300i16 => VT_I2.iVal,
        60000u16 => VT_UI2.uiVal,
        -70000i32 => VT_I4.lVal,
        4_000_000_000u32 => VT_UI4.ulVal,
        -5_000_000_000i64 => VT_I8.llVal,
        0.5f32 => VT_R4.fltVal,
        0.25f64 => VT_R8.dblVal,
    );
}

#[test]
fn variant_bool() {
    let by_value = VARIANT_TRUE.into_variant();
    assert_eq!(vt(&by_value), VT_BOOL);
    // SAFETY: VT_BOOL payload.
    assert_eq!(
        unsafe { by_value.Anonymous.Anonymous.Anonymous.boolVal },
        VARIANT_TRUE
    );
    let mut flag = VARIANT_BOOL(0);
    let by_reference = (&mut flag).into_variant();
    assert_eq!(vt(&by_reference), byref(VT_BOOL));
    assert_eq!(target(&by_reference), (&raw mut flag).cast());
}

#[test]
fn bstr_is_copied_or_referenced() {
    let mut text = BSTR::from("label");
    let by_value = (&text).into_variant();
    assert_eq!(vt(&by_value), VT_BSTR);
    // SAFETY: VT_BSTR payload.
    let copy = unsafe { &*by_value.Anonymous.Anonymous.Anonymous.bstrVal };
    assert_eq!(*copy, text);
    assert_ne!(copy.as_ptr(), text.as_ptr(), "a copy the VARIANT owns");
    drop(by_value);
    let by_reference = (&mut text).into_variant();
    assert_eq!(vt(&by_reference), byref(VT_BSTR));
    assert_eq!(target(&by_reference), (&raw mut text).cast());
    drop(by_reference);
    assert_eq!(
        text, "label",
        "clearing a by-reference VARIANT frees nothing"
    );
}

#[test]
fn variants_by_value_by_reference_and_in_pointer() {
    let mut value = VARIANT::from(BSTR::from("seven"));
    let by_value = (&value).into_variant();
    assert_eq!(vt(&by_value), VT_BSTR);
    // SAFETY: VT_BSTR payloads.
    unsafe {
        let (copy, original) = (
            &by_value.Anonymous.Anonymous.Anonymous.bstrVal,
            &value.Anonymous.Anonymous.Anonymous.bstrVal,
        );
        assert_eq!(**copy, **original);
        assert_ne!(
            copy.as_ptr(),
            original.as_ptr(),
            "a deep copy (VariantCopy)"
        );
    }
    let by_reference = (&mut value).into_variant();
    assert_eq!(vt(&by_reference), byref(VT_VARIANT));
    assert_eq!(target(&by_reference), (&raw mut value).cast());
    let in_pointer = InVariantRef(&value).into_variant();
    assert_eq!(vt(&in_pointer), byref(VT_VARIANT));
    assert_eq!(target(&in_pointer), (&raw const value).cast_mut().cast());
}

#[test]
fn interfaces_null_or_not() {
    let none = None::<&IDispatch>.into_variant();
    assert_eq!(vt(&none), VT_DISPATCH);
    // SAFETY: VT_DISPATCH payload.
    assert!(unsafe { none.Anonymous.Anonymous.Anonymous.pdispVal.is_none() });
    let none = None::<&IUnknown>.into_variant();
    assert_eq!(vt(&none), VT_UNKNOWN);
    let mut slot: Option<IDispatch> = None;
    let by_reference = (&mut slot).into_variant();
    assert_eq!(vt(&by_reference), byref(VT_DISPATCH));
    assert_eq!(target(&by_reference), (&raw mut slot).cast());
    let mut slot: Option<IUnknown> = None;
    let by_reference = (&mut slot).into_variant();
    assert_eq!(vt(&by_reference), byref(VT_UNKNOWN));
}

#[test]
fn date_is_vt_date() {
    let date = Date(45_000.5).into_variant();
    assert_eq!(vt(&date), VT_DATE);
    // SAFETY: VT_DATE payload.
    assert_eq!(unsafe { date.Anonymous.Anonymous.Anonymous.date }, 45_000.5);
}
