//! [`Args`]: an event's arguments as `Invoke` received them, each taken as the handler's Rust
//! type, converted where COM converts and written back where it is lent.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use windows::Win32::Foundation::{
    DISP_E_PARAMNOTFOUND, DISP_E_TYPEMISMATCH, E_POINTER, VARIANT_BOOL,
};
use windows::Win32::System::Com::{DISPPARAMS, IDispatch, SAFEARRAY};
use windows::Win32::System::Variant::{
    VAR_CHANGE_FLAGS, VARENUM, VARIANT, VARIANT_0_0, VARIANT_0_0_0_0, VT_BOOL, VT_BSTR, VT_BYREF,
    VT_DATE, VT_DISPATCH, VT_EMPTY, VT_ERROR, VT_I1, VT_I2, VT_I4, VT_I8, VT_INT, VT_R4, VT_R8,
    VT_RECORD, VT_UI1, VT_UI2, VT_UI4, VT_UI8, VT_UINT, VT_UNKNOWN, VT_VARIANT, VariantChangeType,
};
use windows_core::{BSTR, Error, GUID, HRESULT, IUnknown, Interface, Result};

use crate::dispatch::{Date, Int, UInt};
use crate::record::Described;

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
    Int => VT_INT,
    UInt => VT_UINT,
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

/// The other name of `vt`'s layout: `int` and `long` are both 32 bits, and sources disagree on
/// which type a reference to one carries (MIDL's type libraries say `VT_INT` for `int*`, code
/// that packs its VARIANTs by hand often `VT_I4`), so a reference of either is taken as the
/// other. A value needs no such rule: `VariantChangeType` converts it.
fn same_layout(vt: VARENUM) -> VARENUM {
    match vt {
        VT_INT => VT_I4,
        VT_I4 => VT_INT,
        VT_UINT => VT_UI4,
        VT_UI4 => VT_UINT,
        other => other,
    }
}

/// An event's arguments, as `Invoke` received them.
///
/// Each parameter is taken once, by its position in the event (first = 0):
/// where a named argument (`rgdispidNamedArgs`, by the parameter's DISPID,
/// which is its position) put it, else among the positional arguments
/// (DISPPARAMS holds them last first, which `Args` undoes).
pub struct Args<'a> {
    params: &'a DISPPARAMS,
    arg_err: *mut u32,
    /// The handler returned an error (see [`handled`](Args::handled)).
    raised: Cell<bool>,
    /// By-reference arguments are lent for the whole call.
    lent: PhantomData<&'a mut VARIANT>,
}

impl<'a> Args<'a> {
    /// The arguments of `params` (whose `rgvarg` holds `cArgs` VARIANTs, checked by
    /// `Invoke`), with `arg_err` (null or Invoke's `puArgErr`) for the index of a bad one.
    pub(super) fn new(params: &'a DISPPARAMS, arg_err: *mut u32) -> Self {
        Self {
            params,
            arg_err,
            raised: Cell::new(false),
            lent: PhantomData,
        }
    }

    /// The handler's `result`, passed on: an error is the handler's, which
    /// `Invoke` reports through the caller's `EXCEPINFO`.
    pub fn handled(&self, result: Result<()>) -> Result<()> {
        self.raised.set(result.is_err());
        result
    }

    /// Whether the handler's error is what ended the call.
    pub(super) fn raised(&self) -> bool {
        self.raised.get()
    }

    /// Where parameter `index` is in DISPPARAMS, if the caller sent it.
    #[inline]
    pub(super) fn position(&self, index: usize) -> Option<usize> {
        let (count, named) = (self.params.cArgs as usize, self.params.cNamedArgs as usize);
        if named != 0 {
            // SAFETY: Invoke checked that rgdispidNamedArgs holds cNamedArgs ids.
            let ids = unsafe { std::slice::from_raw_parts(self.params.rgdispidNamedArgs, named) };
            if let Some(at) = ids.iter().position(|&id| id as usize == index) {
                return Some(at);
            }
        }
        (index < count - named).then(|| count - 1 - index)
    }

    fn raw(&self, index: usize) -> Result<*mut VARIANT> {
        let position = self
            .position(index)
            .ok_or_else(|| Error::from_hresult(DISP_E_PARAMNOTFOUND))?;
        // SAFETY: Invoke checked that rgvarg holds cArgs VARIANTs.
        Ok(unsafe { self.params.rgvarg.add(position) })
    }

    /// `code` for parameter `index`, whose DISPPARAMS position goes to
    /// `puArgErr` as Invoke's contract says.
    fn error(&self, index: usize, code: HRESULT) -> Error {
        if let (false, Some(position)) = (self.arg_err.is_null(), self.position(index)) {
            // SAFETY: Invoke's caller lends puArgErr for the call.
            unsafe { self.arg_err.write(position as u32) };
        }
        Error::from_hresult(code)
    }

    /// Whether the caller left out parameter `index`: sent fewer arguments,
    /// named others, or sent `VT_ERROR` with `DISP_E_PARAMNOTFOUND`, as
    /// Visual Basic and oleaut32 do for an omitted optional argument.
    pub fn missing(&self, index: usize) -> bool {
        let Ok(arg) = self.raw(index) else {
            return true;
        };
        // SAFETY: `arg` is a live VARIANT; the field read is the one its type names.
        unsafe { vt_of(arg) == VT_ERROR && *payload::<i32>(arg) == DISP_E_PARAMNOTFOUND.0 }
    }

    /// A parameter of the handler's type `T` that the caller may leave out,
    /// `default()` when it did.
    pub fn value_or<T: Payload>(
        &self,
        index: usize,
        default: impl FnOnce() -> T,
    ) -> Result<Held<'a, T>> {
        if self.missing(index) {
            return Ok(Held::Owned(default()));
        }
        self.value(index)
    }

    /// An `[optional]` parameter without a default: `None` when the caller left
    /// it out, else its value as the handler's type `T`.
    pub fn value_opt<T: Payload>(&self, index: usize) -> Result<Option<Held<'a, T>>> {
        if self.missing(index) {
            return Ok(None);
        }
        self.value(index).map(Some)
    }

    /// A `VARIANT` parameter that the caller may leave out, `default()` when
    /// it did ([`param_not_found`](super::param_not_found) for an `[optional]` one).
    pub fn variant_or(
        &self,
        index: usize,
        default: impl FnOnce() -> VARIANT,
    ) -> Result<Held<'a, VARIANT>> {
        if self.missing(index) {
            return Ok(Held::Owned(default()));
        }
        self.variant(index).map(Held::Borrowed)
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
        let arg = self.raw(index)?;
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

    /// An `[optional]` SAFEARRAY parameter: null when the caller left it out.
    pub fn array_or_null(&self, index: usize, vt: u16) -> Result<Held<'a, *mut SAFEARRAY>> {
        if self.missing(index) {
            return Ok(Held::Owned(std::ptr::null_mut()));
        }
        self.array(index, vt)
    }

    /// A `VARIANT` (or `[in] VARIANT*`) parameter: the argument itself.
    pub fn variant(&self, index: usize) -> Result<&'a VARIANT> {
        // SAFETY: the caller's VARIANT, lent for the call.
        self.resolved(index).map(|v| unsafe { &*v })
    }

    /// An `[optional]` interface parameter: none when the caller left it out,
    /// else as [`interface`](Args::interface) reads it.
    pub fn interface_or_none<I: Interface>(
        &self,
        index: usize,
        dispatch: bool,
    ) -> Result<Option<I>> {
        if self.missing(index) {
            return Ok(None);
        }
        self.interface(index, dispatch)
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
        let arg = self.raw(index)?;
        // SAFETY: `arg` and what it points at are the caller's, lent for the
        // call; fields are read as their VARIANT type says.
        unsafe {
            let arg_vt = vt_of(arg);
            if arg_vt == by_ref(vt) || arg_vt == by_ref(same_layout(vt)) {
                return self.target(index, arg).map(Slot::Direct);
            }
            if arg_vt != by_ref(VT_VARIANT) {
                // A value cannot carry a result back.
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            let inner = self.resolved(index)?;
            let inner_vt = vt_of(inner);
            if inner_vt == vt || inner_vt == same_layout(vt) {
                return Ok(Slot::Direct(&mut *payload::<T>(inner)));
            }
            if inner_vt == by_ref(vt) || inner_vt == by_ref(same_layout(vt)) {
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

    /// A struct parameter, sent as `VT_RECORD` (or `VT_RECORD | VT_BYREF`) with an
    /// `IRecordInfo` of `T`'s size (and GUID, when `T` has one); borrowed in place.
    pub fn record<T: Described>(&self, index: usize) -> Result<&'a T> {
        let arg = self.resolved(index)?;
        // SAFETY: `arg` is a live VARIANT of a record type, whose BRECORD is read.
        unsafe {
            let vt = vt_of(arg);
            if vt != VT_RECORD && vt != by_ref(VT_RECORD) {
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            self.record_data::<T>(index, arg).map(|data| &*data)
        }
    }

    /// A by-reference struct parameter (`VT_RECORD | VT_BYREF`, or a `VT_VARIANT | VT_BYREF`
    /// to a `VT_RECORD`), lent in place: the handler's writes are the caller's.
    pub fn record_ref<T: Described>(&self, index: usize) -> Result<&'a mut T> {
        let arg = self.raw(index)?;
        // SAFETY: as in `record`; a by-reference record is the caller's to change.
        unsafe {
            let record = match vt_of(arg) {
                vt if vt == by_ref(VT_RECORD) => arg,
                vt if vt == by_ref(VT_VARIANT) => self.resolved(index)?,
                _ => return Err(self.error(index, DISP_E_TYPEMISMATCH)),
            };
            if vt_of(record).0 & !VT_BYREF.0 != VT_RECORD.0 {
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            self.record_data::<T>(index, record)
        }
    }

    /// The struct a record VARIANT points at, if its `IRecordInfo` describes `T`.
    ///
    /// # Safety
    /// `variant` is a live `VT_RECORD` VARIANT, by value or by reference.
    unsafe fn record_data<T: Described>(
        &self,
        index: usize,
        variant: *mut VARIANT,
    ) -> Result<&'a mut T> {
        let expected = T::record();
        // SAFETY: per the contract, the VARIANT holds a BRECORD.
        let record = unsafe { &*payload::<VARIANT_0_0_0_0>(variant) };
        let Some(info) = record.pRecInfo.as_ref() else {
            return Err(self.error(index, E_POINTER));
        };
        // SAFETY: plain calls on the caller's live IRecordInfo.
        let (size, guid) = unsafe { (info.GetSize(), info.GetGuid()) };
        let same_guid = expected.guid == GUID::zeroed() || guid.is_ok_and(|g| g == expected.guid);
        if !same_guid || size.ok() != Some(expected.size as u32) {
            return Err(self.error(index, DISP_E_TYPEMISMATCH));
        }
        // SAFETY: a record of `T`'s type and size, which the caller lends for the call.
        unsafe { record.pvRecord.cast::<T>().as_mut() }.ok_or_else(|| self.error(index, E_POINTER))
    }

    /// A by-reference `VARIANT*`: the VARIANT a `VT_VARIANT | VT_BYREF`
    /// argument points at.
    pub fn variant_ref(&self, index: usize) -> Result<&'a mut VARIANT> {
        let arg = self.raw(index)?;
        // SAFETY: `arg` is the caller's, and so is its target.
        unsafe {
            if vt_of(arg) != by_ref(VT_VARIANT) {
                return Err(self.error(index, DISP_E_TYPEMISMATCH));
            }
            self.target(index, arg)
        }
    }
}

/// A by-value argument: the caller's own value, a converted copy that frees
/// itself, or the default of an argument the caller left out.
pub enum Held<'a, T> {
    /// The caller's value, in its own VARIANT.
    Borrowed(&'a T),
    /// The parameter's default, the caller having left it out.
    Owned(T),
    /// A converted copy, freed on drop.
    Converted(VARIANT, PhantomData<T>),
}

impl<T> Deref for Held<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Held::Borrowed(value) => value,
            Held::Owned(value) => value,
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
