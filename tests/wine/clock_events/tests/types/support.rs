//! The source object, the objects passed as event arguments, a handler of every source interface
//! that records what it receives, and SAFEARRAY and VARIANT helpers.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use cpgen_clock_events::sinks::{
    Blue, CConnectionPoints, Color, DAllTypesHandler, IDualEventsHandler, IDualPeer,
    IDualPeer_Impl, IPeer, IPeer_Impl, IVtableEventsHandler,
};
use windows::Win32::Foundation::{E_NOTIMPL, VARIANT_BOOL, VARIANT_TRUE};
use windows::Win32::System::Com::{
    COINIT_MULTITHREADED, CoInitializeEx, DISPATCH_FLAGS, DISPPARAMS, EXCEPINFO, IConnectionPoint,
    IConnectionPointContainer, IConnectionPointContainer_Impl, IDispatch, IDispatch_Impl,
    IEnumConnectionPoints, SAFEARRAY,
};
use windows::Win32::System::Ole::{
    SafeArrayCreateVector, SafeArrayDestroy, SafeArrayGetElement, SafeArrayGetUBound,
    SafeArrayPutElement,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BSTR, VT_BYREF, VT_DATE, VT_DISPATCH, VT_I4, VT_R8, VT_UNKNOWN,
};
use windows_core::{
    BSTR, ComObject, Error, GUID, IUnknown, IUnknownImpl, Interface, Result, implement,
};

/// Joins the calling thread (each test has its own) to the MTA.
pub fn enter_mta() -> Result<()> {
    // SAFETY: no reserved pointer; COM stays initialised until the thread ends.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()
}

pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The connectable object: `Source`'s generated connection points.
#[implement(IConnectionPointContainer)]
pub struct Source {
    pub events: CConnectionPoints,
}

impl Source {
    pub fn new() -> ComObject<Self> {
        ComObject::new(Self {
            events: CConnectionPoints::new(),
        })
    }
}

impl IConnectionPointContainer_Impl for Source_Impl {
    fn EnumConnectionPoints(&self) -> Result<IEnumConnectionPoints> {
        self.events.enum_connection_points(&self.to_interface())
    }

    fn FindConnectionPoint(&self, riid: *const GUID) -> Result<IConnectionPoint> {
        self.events
            .find_connection_point(&self.to_interface(), riid)
    }
}

/// An object with both peer interfaces, passed as event arguments.
#[implement(IPeer, IDualPeer)]
pub struct Peer;

impl Peer {
    pub fn new() -> ComObject<Self> {
        ComObject::new(Self)
    }
}

/// A peer's IDispatch: its IDualPeer, which derives from it.
pub fn dispatch_of(peer: &ComObject<Peer>) -> IDispatch {
    let dual: IDualPeer = peer.to_interface();
    (*dual).clone()
}

impl IPeer_Impl for Peer_Impl {
    fn Ping(&self) -> Result<i32> {
        Ok(1)
    }
}

impl IDualPeer_Impl for Peer_Impl {
    fn Hello(&self) -> Result<i32> {
        Ok(2)
    }
}

impl IDispatch_Impl for Peer_Impl {
    cpgen_wine_support::dispatch_without_type_info!();

    fn Invoke(
        &self,
        _dispid: i32,
        _riid: *const GUID,
        _lcid: u32,
        _flags: DISPATCH_FLAGS,
        _params: *const DISPPARAMS,
        _result: *mut VARIANT,
        _exception: *mut EXCEPINFO,
        _arg_err: *mut u32,
    ) -> Result<()> {
        Err(Error::from_hresult(E_NOTIMPL))
    }
}

/// The raw pointer of an interface (0 for none), to compare identities.
pub fn raw<T: Interface>(interface: Option<&T>) -> usize {
    interface.map_or(0, |i| i.as_raw() as usize)
}

/// A new one-dimensional SAFEARRAY of BSTRs.
pub fn bstr_array(items: &[&str]) -> *mut SAFEARRAY {
    // SAFETY: a fresh vector of BSTRs, filled in bounds (PutElement copies each BSTR).
    unsafe {
        let array = SafeArrayCreateVector(VT_BSTR, 0, items.len() as u32);
        for (index, item) in items.iter().enumerate() {
            let item = BSTR::from(*item);
            SafeArrayPutElement(array, &(index as i32), item.as_ptr().cast()).unwrap();
        }
        array
    }
}

/// A new one-dimensional SAFEARRAY of longs.
pub fn long_array(items: &[i32]) -> *mut SAFEARRAY {
    // SAFETY: a fresh vector of longs, filled in bounds.
    unsafe {
        let array = SafeArrayCreateVector(VT_I4, 0, items.len() as u32);
        for (index, item) in items.iter().enumerate() {
            SafeArrayPutElement(array, &(index as i32), std::ptr::from_ref(item).cast()).unwrap();
        }
        array
    }
}

/// The elements of a one-dimensional SAFEARRAY of `T` (BSTR or i32), or none for a null one.
pub fn elements<T: Default>(array: *mut SAFEARRAY) -> Vec<T> {
    if array.is_null() {
        return Vec::new();
    }
    // SAFETY: a live one-dimensional array of `T`; GetElement copies each element out.
    unsafe {
        let upper = SafeArrayGetUBound(array, 1).unwrap();
        (0..=upper)
            .map(|index| {
                let mut item = T::default();
                SafeArrayGetElement(array, &index, std::ptr::from_mut(&mut item).cast()).unwrap();
                item
            })
            .collect()
    }
}

pub fn destroy(array: *mut SAFEARRAY) {
    if !array.is_null() {
        // SAFETY: an array this test owns, destroyed once.
        unsafe { SafeArrayDestroy(array) }.unwrap();
    }
}

/// A VARIANT's type and, for the types the tests use, its value (interfaces by raw pointer).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    I4(i32),
    R8(f64),
    Date(f64),
    Bool(VARIANT_BOOL),
    Bstr(String),
    Dispatch(usize),
    Unknown(usize),
    Other(u16),
}

impl Value {
    pub fn of(variant: &VARIANT) -> Self {
        // SAFETY: the field read is the one the type names.
        unsafe {
            let inner = &variant.Anonymous.Anonymous;
            let value = &inner.Anonymous;
            match inner.vt {
                VT_I4 => Value::I4(value.lVal),
                VT_R8 => Value::R8(value.dblVal),
                VT_DATE => Value::Date(value.date),
                VT_BOOL => Value::Bool(value.boolVal),
                VT_BSTR => Value::Bstr(value.bstrVal.to_string()),
                VT_DISPATCH => Value::Dispatch(raw(value.pdispVal.as_ref())),
                VT_UNKNOWN => Value::Unknown(raw(value.punkVal.as_ref())),
                other => Value::Other(other.0),
            }
        }
    }
}

/// A VARIANT of type `vt | VT_BYREF` pointing at `target`.
pub fn by_ref<T>(vt: VARENUM, target: &mut T) -> VARIANT {
    let mut variant = VARIANT::default();
    // SAFETY: writes the type and the pointer of a fresh VARIANT, which frees nothing it
    // points at.
    unsafe {
        let inner = &mut *variant.Anonymous.Anonymous;
        inner.vt = VARENUM(vt.0 | VT_BYREF.0);
        inner.Anonymous.byref = std::ptr::from_mut(target).cast();
    }
    variant
}

/// One event as the handler received it.
#[derive(Clone, Debug, PartialEq)]
pub enum Heard {
    Ints(i8, u8, i16, u16, i32, u32, i64, u64),
    Floats(f32, f64, f64, VARIANT_BOOL, Color),
    Objects {
        text: String,
        any: Value,
        any_ref: Value,
        disp: usize,
        unk: usize,
        peer: usize,
        dual: usize,
        names: Vec<String>,
    },
    /// What the by-reference parameters held on arrival.
    Outs {
        l: i32,
        d: f64,
        when: f64,
        flag: VARIANT_BOOL,
        color: Color,
        text: String,
        any: Value,
        disp: usize,
        unk: usize,
        dual: usize,
        numbers: Vec<i32>,
    },
    Negative,
    Renamed(i32, i32, i32),
    Started(i32),
    Scalars(
        i8,
        u8,
        i16,
        u16,
        i32,
        u32,
        i64,
        u64,
        f32,
        f64,
        f64,
        VARIANT_BOOL,
        Color,
    ),
    /// As `Objects`, without `dual`.
    VtableObjects {
        text: String,
        any: Value,
        any_ref: Value,
        disp: usize,
        unk: usize,
        peer: usize,
        names: Vec<String>,
    },
    /// Whether the [out] parameters arrived empty, and what the [in, out] ones held.
    VtableOuts {
        empty: bool,
        d: f64,
        flag: VARIANT_BOOL,
        color: Color,
        kept: String,
        peer: usize,
    },
    Notify(i32),
    Level(i32),
    Ping(i32, String),
    Swap(i32),
    Tagged(i32, Option<i32>, Option<String>),
}

/// A handler of every source interface: records each event and writes fixed results through
/// by-reference parameters (`reply` for interfaces).
pub struct Handler {
    pub heard: Arc<Mutex<Vec<Heard>>>,
    pub reply: ComObject<Peer>,
}

impl Handler {
    pub fn new() -> (Self, Arc<Mutex<Vec<Heard>>>) {
        let heard = Arc::default();
        let handler = Self {
            heard: Arc::clone(&heard),
            reply: Peer::new(),
        };
        (handler, heard)
    }

    fn record(&self, heard: Heard) -> Result<()> {
        lock(&self.heard).push(heard);
        Ok(())
    }
}

/// A handler's `[in, out]` double: doubled.
pub const fn doubled(d: f64) -> f64 {
    d * 2.0
}

impl DAllTypesHandler for Handler {
    fn Ints(&self, c: i8, b: u8, s: i16, us: u16, l: i32, ul: u32, h: i64, uh: u64) -> Result<()> {
        self.record(Heard::Ints(c, b, s, us, l, ul, h, uh))
    }

    fn Floats(&self, f: f32, d: f64, when: f64, flag: VARIANT_BOOL, color: Color) -> Result<()> {
        self.record(Heard::Floats(f, d, when, flag, color))
    }

    fn Objects(
        &self,
        text: &BSTR,
        any: &VARIANT,
        any_ref: &VARIANT,
        disp: Option<&IDispatch>,
        unk: Option<&IUnknown>,
        peer: Option<&IPeer>,
        dual: Option<&IDualPeer>,
        names: *mut SAFEARRAY,
    ) -> Result<()> {
        self.record(Heard::Objects {
            text: text.to_string(),
            any: Value::of(any),
            any_ref: Value::of(any_ref),
            disp: raw(disp),
            unk: raw(unk),
            peer: raw(peer),
            dual: raw(dual),
            names: elements::<BSTR>(names)
                .iter()
                .map(BSTR::to_string)
                .collect(),
        })
    }

    fn Outs(
        &self,
        l: &mut i32,
        d: &mut f64,
        when: &mut f64,
        flag: &mut VARIANT_BOOL,
        color: &mut Color,
        text: &mut BSTR,
        any: &mut VARIANT,
        disp: &mut Option<IDispatch>,
        unk: &mut Option<IUnknown>,
        dual: &mut Option<IDualPeer>,
        numbers: &mut *mut SAFEARRAY,
    ) -> Result<()> {
        self.record(Heard::Outs {
            l: *l,
            d: *d,
            when: *when,
            flag: *flag,
            color: *color,
            text: text.to_string(),
            any: Value::of(any),
            disp: raw(disp.as_ref()),
            unk: raw(unk.as_ref()),
            dual: raw(dual.as_ref()),
            numbers: elements(*numbers),
        })?;
        *l = 7;
        *d = doubled(*d);
        *when += 1.0;
        *flag = VARIANT_TRUE;
        *color = Blue;
        *text = BSTR::from(format!("{text}!"));
        *any = VARIANT::from(99);
        *disp = Some(dispatch_of(&self.reply));
        *unk = None;
        *dual = Some(self.reply.to_interface());
        // A by-reference array is the callee's to replace, and so to free.
        destroy(std::mem::replace(numbers, long_array(&[1, 2, 3])));
        Ok(())
    }

    fn Negative(&self) -> Result<()> {
        self.record(Heard::Negative)
    }

    fn Renamed(&self, r#type: i32, args: i32, handler: i32) -> Result<()> {
        self.record(Heard::Renamed(r#type, args, handler))
    }
}

impl IVtableEventsHandler for Handler {
    fn Started(&self, id: i32) -> Result<()> {
        self.record(Heard::Started(id))
    }

    fn Scalars(
        &self,
        c: i8,
        b: u8,
        s: i16,
        us: u16,
        l: i32,
        ul: u32,
        h: i64,
        uh: u64,
        f: f32,
        d: f64,
        when: f64,
        flag: VARIANT_BOOL,
        color: Color,
    ) -> Result<()> {
        self.record(Heard::Scalars(
            c, b, s, us, l, ul, h, uh, f, d, when, flag, color,
        ))
    }

    fn Objects(
        &self,
        text: &BSTR,
        any: &VARIANT,
        any_ref: &VARIANT,
        disp: Option<&IDispatch>,
        unk: Option<&IUnknown>,
        peer: Option<&IPeer>,
        names: *mut SAFEARRAY,
    ) -> Result<()> {
        self.record(Heard::VtableObjects {
            text: text.to_string(),
            any: Value::of(any),
            any_ref: Value::of(any_ref),
            disp: raw(disp),
            unk: raw(unk),
            peer: raw(peer),
            names: elements::<BSTR>(names)
                .iter()
                .map(BSTR::to_string)
                .collect(),
        })
    }

    fn Outs(
        &self,
        l: &mut i32,
        d: &mut f64,
        flag: &mut VARIANT_BOOL,
        color: &mut Color,
        text: &mut BSTR,
        kept: &mut BSTR,
        any: &mut VARIANT,
        disp: &mut Option<IDispatch>,
        peer: &mut Option<IPeer>,
        numbers: &mut *mut SAFEARRAY,
    ) -> Result<()> {
        self.record(Heard::VtableOuts {
            empty: *l == 0
                && text.is_empty()
                && any.vt().0 == 0
                && disp.is_none()
                && numbers.is_null(),
            d: *d,
            flag: *flag,
            color: *color,
            kept: kept.to_string(),
            peer: raw(peer.as_ref()),
        })?;
        *l = 7;
        *d = doubled(*d);
        *flag = VARIANT_TRUE;
        *color = Blue;
        *text = BSTR::from("out");
        *kept = BSTR::from(format!("{kept}!"));
        *any = VARIANT::from(BSTR::from("any"));
        *disp = Some(dispatch_of(&self.reply));
        *peer = None;
        *numbers = long_array(&[4, 5]);
        Ok(())
    }

    fn Notify(&self, code: i32) -> Result<()> {
        self.record(Heard::Notify(code))
    }

    fn SetLevel(&self, level: i32) -> Result<()> {
        self.record(Heard::Level(level))
    }
}

impl IDualEventsHandler for Handler {
    fn Ping(&self, n: i32, note: &BSTR) -> Result<()> {
        self.record(Heard::Ping(n, note.to_string()))
    }

    fn Swap(&self, value: &mut i32) -> Result<()> {
        self.record(Heard::Swap(*value))?;
        *value = -*value;
        Ok(())
    }

    fn Tagged(&self, n: i32, count: Option<i32>, label: Option<&BSTR>) -> Result<()> {
        self.record(Heard::Tagged(n, count, label.map(BSTR::to_string)))
    }
}
