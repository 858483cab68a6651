//! Wine's oleaut32 for real: BSTR allocation and VARIANT copy, coercion and
//! clearing. VARIANT fields are read directly: Wine 8 leaves the propsys
//! helpers behind windows-core's conversions unimplemented.
#![deny(warnings)]

use std::mem::ManuallyDrop;

use windows::Win32::Foundation::{SysAllocString, SysStringByteLen, SysStringLen};
use windows::Win32::System::Variant::{
    VAR_CHANGE_FLAGS, VARIANT, VT_BSTR, VT_EMPTY, VT_I4, VariantChangeType, VariantClear,
    VariantCopy, VariantInit,
};
use windows_core::{BSTR, Result, w};

#[test]
fn bstr_round_trip() {
    // SAFETY: w! yields a NUL-terminated static string.
    let bstr = unsafe { SysAllocString(w!("connectable")) };
    // SAFETY: bstr is a live BSTR from oleaut32.
    assert_eq!(unsafe { SysStringLen(&bstr) }, 11);
    // SAFETY: as above.
    assert_eq!(unsafe { SysStringByteLen(&bstr) }, 22);
    assert_eq!(bstr.to_string(), "connectable");
    // windows-core's own BSTR goes through the same oleaut32 allocator.
    assert_eq!(bstr, BSTR::from("connectable"));
}

#[test]
fn variant_copy_coerce_clear() -> Result<()> {
    // SAFETY: VariantInit only writes the out value.
    let mut source: VARIANT = unsafe { VariantInit() };
    // SAFETY: reading the tag of an initialised VARIANT.
    assert_eq!(unsafe { source.Anonymous.Anonymous.vt }, VT_EMPTY);

    // SAFETY: writing a matching tag and payload; VariantClear frees it.
    unsafe {
        let inner = &mut *source.Anonymous.Anonymous;
        inner.vt = VT_BSTR;
        inner.Anonymous.bstrVal = ManuallyDrop::new(BSTR::from("42"));
    }

    let mut copy = VARIANT::default();
    // SAFETY: both point to live VARIANTs; copy starts as VT_EMPTY.
    unsafe { VariantCopy(&mut copy, &source)? };
    // SAFETY: VariantCopy set a VT_BSTR tag and a fresh BSTR.
    unsafe {
        let (a, b) = (&source.Anonymous.Anonymous, &copy.Anonymous.Anonymous);
        assert_eq!(b.vt, VT_BSTR);
        assert_eq!(*b.Anonymous.bstrVal, *a.Anonymous.bstrVal);
        assert_ne!(b.Anonymous.bstrVal.as_ptr(), a.Anonymous.bstrVal.as_ptr());
    }

    // Coercion in place parses the string with oleaut32's VarI4FromStr.
    let mut number = VARIANT::default();
    // SAFETY: live VARIANTs; number starts as VT_EMPTY.
    unsafe { VariantChangeType(&mut number, &copy, VAR_CHANGE_FLAGS(0), VT_I4)? };
    // SAFETY: VariantChangeType set a VT_I4 tag.
    unsafe {
        assert_eq!(number.Anonymous.Anonymous.vt, VT_I4);
        assert_eq!(number.Anonymous.Anonymous.Anonymous.lVal, 42);
    }

    for variant in [&mut source, &mut copy, &mut number] {
        // SAFETY: each VARIANT owns its payload; clearing frees it once.
        unsafe {
            VariantClear(variant)?;
            assert_eq!(variant.Anonymous.Anonymous.vt, VT_EMPTY);
        }
    }
    Ok(())
}
