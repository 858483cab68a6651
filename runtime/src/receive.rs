//! Typed sinks called through `IDispatch`: the receiving half of the
//! dispinterface runtime, for a sink that can be called that way (a
//! dispinterface, or a vtable interface derived from `IDispatch`).
//!
//! - the `IDispatch` part of a sink's vtable ([`Object::DISPATCH`]):
//!   `Invoke` checks what every event call must be (IID_NULL, a method call,
//!   no named arguments, the event's argument count) and hands the event's
//!   [`Args`] to the adapter's [`Dispatch::invoke`]; `GetIDsOfNames` answers
//!   from the adapter's [`Dispatch::MEMBERS`];
//! - [`Args`]: each argument as the handler's Rust type. It accepts what
//!   real sources send: the value's own VARIANT type, `VT_BYREF` to it,
//!   `VT_VARIANT | VT_BYREF` to a VARIANT holding either, and any type
//!   `VariantChangeType` converts; anything else is `DISP_E_TYPEMISMATCH`
//!   with the argument's index in DISPPARAMS in `puArgErr`. By-reference
//!   parameters are lent in place, or, through a `VT_VARIANT | VT_BYREF`
//!   of another type, converted and written back after the handler ran.

use std::ffi::c_void;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use windows::Win32::Foundation::{
    DISP_E_BADINDEX, DISP_E_BADPARAMCOUNT, DISP_E_MEMBERNOTFOUND, DISP_E_NONAMEDARGS,
    DISP_E_TYPEMISMATCH, DISP_E_UNKNOWNINTERFACE, DISP_E_UNKNOWNNAME, E_NOTIMPL, E_POINTER, S_OK,
    VARIANT_BOOL,
};
use windows::Win32::System::Com::{
    DISPATCH_FLAGS, DISPATCH_METHOD, DISPPARAMS, EXCEPINFO, IDispatch, IDispatch_Vtbl, ITypeInfo,
    SAFEARRAY,
};
use windows::Win32::System::Ole::DISPID_UNKNOWN;
use windows::Win32::System::Variant::{
    VAR_CHANGE_FLAGS, VARENUM, VARIANT, VARIANT_0_0, VT_BOOL, VT_BSTR, VT_BYREF, VT_DATE,
    VT_DISPATCH, VT_EMPTY, VT_I1, VT_I2, VT_I4, VT_I8, VT_R4, VT_R8, VT_UI1, VT_UI2, VT_UI4,
    VT_UI8, VT_UNKNOWN, VT_VARIANT, VariantChangeType,
};
use windows_core::{BSTR, Error, GUID, HRESULT, IUnknown, Interface, PCWSTR, Result};

use crate::dispatch::Date;
use crate::sink::{Adapter, Object};

/// What a generated `<S>Sink` tells `Invoke` and `GetIDsOfNames`.
pub trait Dispatch {
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
}

impl Member {
    /// Event `name`, of DISPID `dispid`, whose parameters are named `params`.
    pub const fn new(name: &'static str, dispid: i32, params: &'static [&'static str]) -> Self {
        Self {
            name,
            dispid,
            params,
        }
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
        _exception: *mut EXCEPINFO,
        arg_err: *mut u32,
    ) -> HRESULT {
        // SAFETY: COM calls Invoke on a live sink, with Invoke's pointers.
        unsafe { invoke(Self::adapter(this), dispid, riid, flags, params, arg_err) }.into()
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
/// whose `rgvarg` holds `cArgs` VARIANTs, `arg_err` null or writable.
unsafe fn invoke<A: Dispatch>(
    adapter: &A,
    dispid: i32,
    riid: *const GUID,
    flags: DISPATCH_FLAGS,
    params: *const DISPPARAMS,
    arg_err: *mut u32,
) -> Result<()> {
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
    if params.cNamedArgs != 0 {
        return Err(Error::from_hresult(DISP_E_NONAMEDARGS));
    }
    if params.cArgs as usize != member.params.len() {
        return Err(Error::from_hresult(DISP_E_BADPARAMCOUNT));
    }
    if params.cArgs != 0 && params.rgvarg.is_null() {
        return Err(Error::from_hresult(E_POINTER));
    }
    adapter.invoke(
        dispid,
        &Args {
            params,
            arg_err,
            lent: PhantomData,
        },
    )
}

/// A Rust type laid out as the field that a VARIANT of type `VT` holds
/// (every field of the VARIANT's union starts at the same place).
///
/// # Safety
/// The layout promise above, and a zeroed value is a valid (empty) one.
pub unsafe trait Payload {
    /// The VARIANT type whose field this is.
    const VT: VARENUM;
}

macro_rules! payloads {
    ($($ty:ty => $vt:ident),* $(,)?) => {$(
        // SAFETY: the VARIANT field for this VT has exactly this type (the
        // `ManuallyDrop` the windows crate wraps some in is transparent).
        unsafe impl Payload for $ty {
            const VT: VARENUM = $vt;
        }
    )*};
}

payloads!(
    i8 => VT_I1,
    u8 => VT_UI1,
    i16 => VT_I2,
    u16 => VT_UI2,
    i32 => VT_I4,
    u32 => VT_UI4,
    i64 => VT_I8,
    u64 => VT_UI8,
    f32 => VT_R4,
    f64 => VT_R8,
    Date => VT_DATE,
    VARIANT_BOOL => VT_BOOL,
    BSTR => VT_BSTR,
    Option<IDispatch> => VT_DISPATCH,
    Option<IUnknown> => VT_UNKNOWN,
);

/// Where a VARIANT keeps its value, as a `T`: address arithmetic only.
fn payload<T>(variant: *mut VARIANT) -> *mut T {
    // SAFETY: projections inside the VARIANT; nothing is read, no reference
    // is made (ManuallyDrop is transparent, so the cast is a projection).
    unsafe {
        let inner = (&raw mut (*variant).Anonymous.Anonymous).cast::<VARIANT_0_0>();
        (&raw mut (*inner).Anonymous).cast()
    }
}

/// The VARIANT's type.
///
/// # Safety
/// `variant` points at a VARIANT.
unsafe fn vt_of(variant: *mut VARIANT) -> VARENUM {
    // SAFETY: per the contract.
    unsafe { (*(&raw mut (*variant).Anonymous.Anonymous).cast::<VARIANT_0_0>()).vt }
}

fn by_ref(vt: VARENUM) -> VARENUM {
    VARENUM(vt.0 | VT_BYREF.0)
}

/// An event's arguments, as `Invoke` received them.
///
/// Each parameter is taken once, by its position in the event (first = 0;
/// DISPPARAMS holds them last first, which `Args` undoes).
pub struct Args<'a> {
    params: &'a DISPPARAMS,
    arg_err: *mut u32,
    /// By-reference arguments are lent for the whole call.
    lent: PhantomData<&'a mut VARIANT>,
}

impl<'a> Args<'a> {
    /// Where parameter `index` is in DISPPARAMS.
    #[inline]
    fn position(&self, index: usize) -> usize {
        self.params.cArgs as usize - 1 - index
    }

    fn raw(&self, index: usize) -> *mut VARIANT {
        // SAFETY: Invoke checked that rgvarg holds one VARIANT per parameter.
        unsafe { self.params.rgvarg.add(self.position(index)) }
    }

    /// `code` for parameter `index`, whose DISPPARAMS position goes to
    /// `puArgErr` as Invoke's contract says.
    fn error(&self, index: usize, code: HRESULT) -> Error {
        if !self.arg_err.is_null() {
            // SAFETY: Invoke's caller lends puArgErr for the call.
            unsafe { self.arg_err.write(self.position(index) as u32) };
        }
        Error::from_hresult(code)
    }

    /// The pointer a `VT_BYREF` VARIANT holds, as `&mut T`.
    ///
    /// # Safety
    /// `variant` is a live `VT_BYREF | T's type` VARIANT.
    unsafe fn target<T>(&self, index: usize, variant: *mut VARIANT) -> Result<&'a mut T> {
        // SAFETY: per the contract; the caller lends the target for the call.
        unsafe { (*payload::<*mut T>(variant)).as_mut() }
            .ok_or_else(|| self.error(index, E_POINTER))
    }

    /// Parameter `index`, or the VARIANT that a `VT_VARIANT | VT_BYREF`
    /// argument points at.
    fn resolved(&self, index: usize) -> Result<*mut VARIANT> {
        let arg = self.raw(index);
        // SAFETY: `arg` is one of the caller's VARIANTs.
        unsafe {
            if vt_of(arg) == by_ref(VT_VARIANT) {
                return self.target::<VARIANT>(index, arg).map(std::ptr::from_mut);
            }
        }
        Ok(arg)
    }

    /// A by-value parameter of VARIANT type `vt`, held as `T`.
    ///
    /// # Safety
    /// `T` is laid out as the field a VARIANT of type `vt` holds.
    unsafe fn held<T>(&self, index: usize, vt: VARENUM) -> Result<Held<'a, T>> {
        let arg = self.resolved(index)?;
        // SAFETY: `arg` is a live VARIANT; the field read is the one its
        // type names, of layout `T` per the contract.
        unsafe {
            let arg_vt = vt_of(arg);
            if arg_vt == vt {
                return Ok(Held::Borrowed(&*payload::<T>(arg)));
            }
            if arg_vt == by_ref(vt) {
                return self.target::<T>(index, arg).map(|t| Held::Borrowed(&*t));
            }
            let mut converted = VARIANT::default();
            VariantChangeType(&mut converted, arg, VAR_CHANGE_FLAGS(0), vt)
                .map_err(|_| self.error(index, DISP_E_TYPEMISMATCH))?;
            Ok(Held::Converted(converted, PhantomData))
        }
    }

    /// A by-value parameter of the handler's type `T`.
    pub fn value<T: Payload>(&self, index: usize) -> Result<Held<'a, T>> {
        // SAFETY: `Payload` promises the layout.
        unsafe { self.held(index, T::VT) }
    }

    /// A `SAFEARRAY(T)` parameter, of VARIANT type `vt` (`VT_ARRAY | T's`).
    pub fn array(&self, index: usize, vt: u16) -> Result<Held<'a, *mut SAFEARRAY>> {
        // SAFETY: a `VT_ARRAY` VARIANT holds a SAFEARRAY pointer.
        unsafe { self.held(index, VARENUM(vt)) }
    }

    /// A `VARIANT` (or `[in] VARIANT*`) parameter: the argument itself.
    pub fn variant(&self, index: usize) -> Result<&'a VARIANT> {
        // SAFETY: the caller's VARIANT, lent for the call.
        self.resolved(index).map(|v| unsafe { &*v })
    }

    /// An interface parameter that travels as `IDispatch` (`dispatch`) or
    /// `IUnknown`, queried for `I`; none for a null or empty argument.
    pub fn interface<I: Interface>(&self, index: usize, dispatch: bool) -> Result<Option<I>> {
        // SAFETY: `resolved` is a live VARIANT.
        if unsafe { vt_of(self.resolved(index)?) } == VT_EMPTY {
            return Ok(None);
        }
        let cast = |queried: Option<Result<I>>| {
            queried
                .transpose()
                .map_err(|_| self.error(index, DISP_E_TYPEMISMATCH))
        };
        if dispatch {
            cast(
                self.value::<Option<IDispatch>>(index)?
                    .as_ref()
                    .map(Interface::cast),
            )
        } else {
            cast(
                self.value::<Option<IUnknown>>(index)?
                    .as_ref()
                    .map(Interface::cast),
            )
        }
    }

    /// An `[out]` or `[in, out]` parameter of VARIANT type `vt`, as `T`.
    ///
    /// # Safety
    /// `T` is laid out as the field a VARIANT of type `vt` holds, and a
    /// zeroed `T` is valid.
    unsafe fn slot<T>(&self, index: usize, vt: VARENUM) -> Result<Slot<'a, T>> {
        let arg = self.raw(index);
        // SAFETY: `arg` and what it points at are the caller's, lent for the
        // call; fields are read as their VARIANT type says.
        unsafe {
            let arg_vt = vt_of(arg);
            if arg_vt == by_ref(vt) {
                return self.target(index, arg).map(Slot::Direct);
            }
            if arg_vt != by_ref(VT_VARIANT) {
                // A value cannot carry a result back.
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            let inner = self.resolved(index)?;
            let inner_vt = vt_of(inner);
            if inner_vt == vt {
                return Ok(Slot::Direct(&mut *payload::<T>(inner)));
            }
            if inner_vt == by_ref(vt) {
                return self.target(index, inner).map(Slot::Direct);
            }
            let mut value = VARIANT::default();
            if inner_vt == VT_EMPTY {
                // An empty VARIANT for an [out] parameter: start from zero.
                (*(&raw mut value.Anonymous.Anonymous).cast::<VARIANT_0_0>()).vt = vt;
            } else {
                VariantChangeType(&mut value, inner, VAR_CHANGE_FLAGS(0), vt)
                    .map_err(|_| self.error(index, DISP_E_TYPEMISMATCH))?;
            }
            Ok(Slot::Converted {
                value,
                target: &mut *inner,
                of: PhantomData,
            })
        }
    }

    /// A by-reference parameter of the handler's type `T`.
    pub fn by_ref<T: Payload>(&self, index: usize) -> Result<Slot<'a, T>> {
        // SAFETY: `Payload` promises the layout and the zero value.
        unsafe { self.slot(index, T::VT) }
    }

    /// A by-reference `SAFEARRAY(T)`, of VARIANT type `vt` (`VT_ARRAY | T's`).
    pub fn array_ref(&self, index: usize, vt: u16) -> Result<Slot<'a, *mut SAFEARRAY>> {
        // SAFETY: a `VT_ARRAY` VARIANT holds a SAFEARRAY pointer, null when empty.
        unsafe { self.slot(index, VARENUM(vt)) }
    }

    /// A by-reference `VARIANT*`: the VARIANT a `VT_VARIANT | VT_BYREF`
    /// argument points at.
    pub fn variant_ref(&self, index: usize) -> Result<&'a mut VARIANT> {
        let arg = self.raw(index);
        // SAFETY: `arg` is the caller's, and so is its target.
        unsafe {
            if vt_of(arg) != by_ref(VT_VARIANT) {
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            self.target(index, arg)
        }
    }
}

/// A by-value argument: the caller's own value, or a converted copy that
/// frees itself.
pub enum Held<'a, T> {
    /// The caller's value, in its own VARIANT.
    Borrowed(&'a T),
    /// A converted copy, freed on drop.
    Converted(VARIANT, PhantomData<T>),
}

impl<T> Deref for Held<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Held::Borrowed(value) => value,
            // SAFETY: `held` converted to the VARIANT type whose field is a `T`.
            Held::Converted(variant, _) => unsafe {
                &*payload::<T>(std::ptr::from_ref(variant).cast_mut())
            },
        }
    }
}

/// A by-reference argument: the caller's own storage, or a converted copy
/// of the VARIANT a `VT_VARIANT | VT_BYREF` argument points at, which
/// [`finish`](Slot::finish) writes back.
pub enum Slot<'a, T> {
    /// The caller's own storage.
    Direct(&'a mut T),
    /// A converted copy of the caller's VARIANT, written back by `finish`.
    Converted {
        /// The copy the handler changes.
        value: VARIANT,
        /// The caller's VARIANT.
        target: &'a mut VARIANT,
        /// The handler's type.
        of: PhantomData<T>,
    },
}

impl<T> Slot<'_, T> {
    /// Puts a converted value where the caller will find it (freeing what
    /// the caller's VARIANT held before, as a by-reference callee does).
    pub fn finish(self) {
        if let Slot::Converted { value, target, .. } = self {
            *target = value;
        }
    }
}

impl<T> Deref for Slot<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Slot::Direct(value) => value,
            // SAFETY: `slot` made a VARIANT whose field is a `T`.
            Slot::Converted { value, .. } => unsafe {
                &*payload::<T>(std::ptr::from_ref(value).cast_mut())
            },
        }
    }
}

impl<T> DerefMut for Slot<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match self {
            Slot::Direct(value) => value,
            // SAFETY: as in `deref`, and the VARIANT is this slot's own.
            Slot::Converted { value, .. } => unsafe { &mut *payload::<T>(value) },
        }
    }
}
