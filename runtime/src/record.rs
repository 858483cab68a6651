//! Structs in VARIANTs: a dispinterface event sends a struct of the IDL as `VT_RECORD` with an
//! `IRecordInfo` that tells the receiver (and oleaut32's `VariantCopy` and `VariantClear`) its
//! size, fields and how to copy and clear it.
//!
//! The `IRecordInfo` is this crate's own, made from a [`Record`] the generated file describes
//! each struct with (its size from `size_of`, each field's offset from `offset_of!` and its
//! VARIANT type from cpgen's type mapping). oleaut32 can make one from a type library
//! (`GetRecordInfoFromTypeInfo`), but a library built in memory with `CreateTypeLib2` lays a
//! record out with size 0 under Wine (its `ICreateTypeInfo::LayOut` never sizes records), which
//! makes every copy of the VARIANT an empty allocation.
//!
//! Fields are copied and cleared as oleaut32 does for its own records: `BSTR`s reallocated,
//! `VARIANT`s copied with `VariantCopy`, interface pointers `AddRef`ed, the rest bit for bit.

use std::ffi::c_void;
use std::mem::ManuallyDrop;
use std::sync::OnceLock;

use windows::Win32::Foundation::{
    DISP_E_TYPEMISMATCH, DISP_E_UNKNOWNNAME, E_INVALIDARG, E_POINTER,
};
use windows::Win32::System::Com::{CoTaskMemAlloc, CoTaskMemFree, ITypeInfo, ITypeLib};
use windows::Win32::System::Ole::{IRecordInfo, IRecordInfo_Impl};
use windows::Win32::System::Variant::{
    VAR_CHANGE_FLAGS, VARENUM, VARIANT, VARIANT_0_0, VARIANT_0_0_0, VARIANT_0_0_0_0, VT_BOOL,
    VT_BSTR, VT_BYREF, VT_DISPATCH, VT_EMPTY, VT_ERROR, VT_I1, VT_I2, VT_I4, VT_INT, VT_R4,
    VT_RECORD, VT_UI1, VT_UI2, VT_UI4, VT_UINT, VT_UNKNOWN, VT_VARIANT, VariantChangeType,
    VariantCopyInd,
};
use windows_core::{BOOL, BSTR, Error, GUID, IUnknown, PCWSTR, Ref, Result, implement};

use crate::dispatch::{pointing_at, variant};

/// A struct as the generated file describes it for its `IRecordInfo`.
pub struct Record {
    /// The struct's name.
    pub name: &'static str,
    /// Its `uuid`, or GUID_NULL.
    pub guid: GUID,
    /// `size_of` the Rust struct.
    pub size: usize,
    /// Its fields, in order.
    pub fields: &'static [Field],
    /// The type library that describes the struct (as `TKIND_RECORD`), for `GetTypeInfo`.
    pub library: Option<fn() -> Result<ITypeLib>>,
    info: OnceLock<Shared>,
}

/// One field of a [`Record`].
pub struct Field {
    /// The field's name.
    pub name: &'static str,
    /// `offset_of!` the field in the Rust struct.
    pub offset: usize,
    /// The VARIANT type the field is laid out as (`VT_I4`, `VT_BSTR`, ...).
    pub vt: VARENUM,
}

impl Field {
    /// Field `name` at `offset`, laid out as VARIANT type `vt`.
    pub const fn new(name: &'static str, offset: usize, vt: VARENUM) -> Self {
        Self { name, offset, vt }
    }
}

/// A Rust struct that a generated file describes as a record.
pub trait Described {
    /// Its description.
    fn record() -> &'static Record;
}

/// The one `IRecordInfo` of a record, handed to any thread.
struct Shared(IRecordInfo);

// SAFETY: the object behind it is this crate's `Info`, which holds only a `&'static Record` and
// has no apartment (it is called from any thread, as oleaut32's own record infos are).
unsafe impl Send for Shared {}
// SAFETY: as above; `Info` changes nothing.
unsafe impl Sync for Shared {}

impl Record {
    /// The record `name` of GUID `guid`, `size` bytes, with `fields`, described in `library`.
    pub const fn new(
        name: &'static str,
        guid: GUID,
        size: usize,
        fields: &'static [Field],
        library: Option<fn() -> Result<ITypeLib>>,
    ) -> Self {
        Self {
            name,
            guid,
            size,
            fields,
            library,
            info: OnceLock::new(),
        }
    }

    /// The record's `IRecordInfo` (one per record, made on first use).
    pub fn info(&'static self) -> &'static IRecordInfo {
        &self.info.get_or_init(|| Shared(Info(self).into())).0
    }

    fn field(&self, name: &PCWSTR) -> Result<&Field> {
        if name.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: a non-null name is NUL-terminated, per IRecordInfo's contract.
        let name = unsafe { name.to_string() }.map_err(|_| Error::from(E_INVALIDARG))?;
        self.fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| DISP_E_UNKNOWNNAME.into())
    }

    /// Copies the record at `from` into the uninitialised memory at `to`.
    ///
    /// # Safety
    /// `from` is a record of this layout, `to` has room for one.
    unsafe fn copy(&self, from: *const u8, to: *mut u8) {
        // SAFETY: per the contract; each owning field is then replaced by its own copy (the
        // bits copied are the source's, not owned by `to`, so they are overwritten unfreed).
        unsafe {
            std::ptr::copy_nonoverlapping(from, to, self.size);
            for field in self.fields {
                let (from, to) = (from.add(field.offset), to.add(field.offset));
                match field.vt {
                    VT_BSTR => clone_into::<BSTR>(from, to),
                    VT_VARIANT => clone_into::<VARIANT>(from, to),
                    VT_UNKNOWN | VT_DISPATCH => clone_into::<Option<IUnknown>>(from, to),
                    _ => {}
                }
            }
        }
    }

    /// Frees what the record at `data` owns and zeroes it.
    ///
    /// # Safety
    /// `data` is a record of this layout.
    unsafe fn clear(&self, data: *mut u8) {
        // SAFETY: per the contract: each owning field is dropped once, then zeroed.
        unsafe {
            for field in self.fields {
                clear_field(field.vt, data.add(field.offset));
            }
            std::ptr::write_bytes(data, 0, self.size);
        }
    }
}

/// Frees what a field of VARIANT type `vt` at `at` owns (leaving its bits as they are).
///
/// # Safety
/// `at` holds a valid field of that type.
unsafe fn clear_field(vt: VARENUM, at: *mut u8) {
    // SAFETY: per the contract, each owning type dropped once.
    unsafe {
        match vt {
            VT_BSTR => std::ptr::drop_in_place(at.cast::<BSTR>()),
            VT_VARIANT => std::ptr::drop_in_place(at.cast::<VARIANT>()),
            VT_UNKNOWN | VT_DISPATCH => std::ptr::drop_in_place(at.cast::<Option<IUnknown>>()),
            _ => {}
        }
    }
}

/// How many bytes of a VARIANT's value a field of VARIANT type `vt` (not `VT_VARIANT`) holds.
fn payload_size(vt: VARENUM) -> usize {
    match vt {
        VT_I1 | VT_UI1 => 1,
        VT_I2 | VT_UI2 | VT_BOOL => 2,
        VT_I4 | VT_UI4 | VT_INT | VT_UINT | VT_R4 | VT_ERROR => 4,
        VT_BSTR | VT_UNKNOWN | VT_DISPATCH => size_of::<usize>(),
        _ => 8,
    }
}

/// Writes a clone of the `T` at `from` to `to`, without dropping what `to` held.
///
/// # Safety
/// `from` holds a valid `T`; `to` has room for one (alignment as the struct's field).
unsafe fn clone_into<T: Clone>(from: *const u8, to: *mut u8) {
    // SAFETY: per the contract; the struct's field is aligned for `T`.
    unsafe { to.cast::<T>().write((*from.cast::<T>()).clone()) }
}

/// `VT_RECORD | VT_BYREF` pointing at the caller's struct, for `[in, out]`, `[out]` and `[in]`
/// pointers: what the sink writes there is the caller's after the call. The VARIANT does not
/// own a reference to the record's `IRecordInfo` (`VariantClear` leaves by-reference VARIANTs
/// alone), which lives as long as the program.
pub fn by_ref_arg<T: Described>(value: &mut T) -> VARIANT {
    let info = T::record().info();
    variant(
        VARENUM(VT_RECORD.0 | VT_BYREF.0),
        VARIANT_0_0_0 {
            Anonymous: ManuallyDrop::new(VARIANT_0_0_0_0 {
                pvRecord: std::ptr::from_mut(value).cast(),
                // SAFETY: the pointer, not a new reference (see above).
                pRecInfo: ManuallyDrop::new(unsafe { std::mem::transmute_copy(info) }),
            }),
        },
    )
}

/// `VT_RECORD` holding a copy of `value` (allocated and copied as `RecordCreateCopy` does, so
/// the receiver may copy it as any record), for a struct passed by value. [`free_copies`] frees
/// it after the call.
pub fn copy_arg<T: Described>(value: &T) -> Result<VARIANT> {
    let record = T::record();
    let info = record.info();
    let data = Info(record).create()?;
    // SAFETY: `value` is a record of this layout; `data` was just made for one.
    unsafe { record.copy(std::ptr::from_ref(value).cast(), data.cast()) };
    Ok(variant(
        VT_RECORD,
        VARIANT_0_0_0 {
            Anonymous: ManuallyDrop::new(VARIANT_0_0_0_0 {
                pvRecord: data,
                pRecInfo: ManuallyDrop::new(Some(info.clone())),
            }),
        },
    ))
}

/// Frees the copies [`copy_arg`] made in `args` (clearing and freeing each record, releasing
/// its `IRecordInfo`) and leaves those VARIANTs empty, whatever oleaut32's `VariantClear` would
/// do with the memory.
pub fn free_copies(args: &mut [VARIANT]) {
    for arg in args {
        // SAFETY: the VARIANTs copy_arg made: VT_RECORD with a record of our own making.
        unsafe {
            let inner = &mut *(&raw mut arg.Anonymous.Anonymous).cast::<VARIANT_0_0>();
            if inner.vt != VT_RECORD {
                continue;
            }
            let record = &mut inner.Anonymous.Anonymous;
            if let Some(info) = ManuallyDrop::take(&mut record.pRecInfo) {
                let _ = info.RecordDestroy(record.pvRecord);
            }
            inner.vt = VT_EMPTY;
        }
    }
}

/// The `IRecordInfo` behind every [`Record`].
#[implement(IRecordInfo)]
struct Info(&'static Record);

impl Info {
    fn create(&self) -> Result<*mut c_void> {
        // SAFETY: plain allocation, zeroed before use.
        unsafe {
            let data = CoTaskMemAlloc(self.0.size.max(1));
            if data.is_null() {
                return Err(windows::Win32::Foundation::E_OUTOFMEMORY.into());
            }
            std::ptr::write_bytes(data.cast::<u8>(), 0, self.0.size);
            Ok(data)
        }
    }
}

impl IRecordInfo_Impl for Info_Impl {
    fn RecordInit(&self, new: *mut c_void) -> Result<()> {
        if new.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: IRecordInfo's contract: room for one record.
        unsafe { std::ptr::write_bytes(new.cast::<u8>(), 0, self.0.size) };
        Ok(())
    }

    fn RecordClear(&self, existing: *const c_void) -> Result<()> {
        if existing.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: IRecordInfo's contract: a record of this type, the caller's to clear.
        unsafe { self.0.clear(existing.cast_mut().cast()) };
        Ok(())
    }

    fn RecordCopy(&self, existing: *const c_void, new: *mut c_void) -> Result<()> {
        if existing.is_null() || new.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: IRecordInfo's contract: a record, and room for its copy.
        unsafe { self.0.copy(existing.cast(), new.cast()) };
        Ok(())
    }

    fn GetGuid(&self) -> Result<GUID> {
        Ok(self.0.guid)
    }

    fn GetName(&self) -> Result<BSTR> {
        Ok(BSTR::from(self.0.name))
    }

    fn GetSize(&self) -> Result<u32> {
        Ok(self.0.size as u32)
    }

    fn GetTypeInfo(&self) -> Result<ITypeInfo> {
        let library = self.0.library.ok_or_else(|| Error::from(E_INVALIDARG))?()?;
        // SAFETY: a GUID that outlives the call.
        unsafe { library.GetTypeInfoOfGuid(&self.0.guid) }
    }

    fn GetField(&self, data: *const c_void, name: &PCWSTR) -> Result<VARIANT> {
        let field = self.0.field(name)?;
        if data.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: the field of the caller's record; VariantCopyInd copies what it points at.
        unsafe {
            let place = pointing_at(
                field.vt,
                data.cast::<u8>().add(field.offset).cast_mut().cast(),
            );
            let mut copy = VARIANT::default();
            VariantCopyInd(&mut copy, &place)?;
            Ok(copy)
        }
    }

    fn GetFieldNoCopy(
        &self,
        data: *const c_void,
        name: &PCWSTR,
        field_out: *mut VARIANT,
        place_out: *mut *mut c_void,
    ) -> Result<()> {
        let field = self.0.field(name)?;
        if data.is_null() || field_out.is_null() || place_out.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: the caller's record and out pointers; the VARIANT points into the record.
        unsafe {
            let place = data
                .cast::<u8>()
                .add(field.offset)
                .cast_mut()
                .cast::<c_void>();
            field_out.write(pointing_at(field.vt, place));
            place_out.write(place);
        }
        Ok(())
    }

    fn PutField(
        &self,
        _flags: u32,
        data: *mut c_void,
        name: &PCWSTR,
        value: *const VARIANT,
    ) -> Result<()> {
        let field = self.0.field(name)?;
        if data.is_null() || value.is_null() {
            return Err(E_POINTER.into());
        }
        // SAFETY: the caller's record and VARIANT. The field's old value is freed, then the
        // converted copy's value moves into it (the copy is left empty, owning nothing).
        unsafe {
            let mut converted = VARIANT::default();
            if field.vt == VT_VARIANT {
                VariantCopyInd(&mut converted, value)?;
            } else {
                VariantChangeType(&mut converted, value, VAR_CHANGE_FLAGS(0), field.vt)
                    .map_err(|_| Error::from(DISP_E_TYPEMISMATCH))?;
            }
            let at = data.cast::<u8>().add(field.offset);
            clear_field(field.vt, at);
            if field.vt == VT_VARIANT {
                at.cast::<VARIANT>().write(converted);
            } else {
                let inner = &mut *(&raw mut converted.Anonymous.Anonymous).cast::<VARIANT_0_0>();
                let from = (&raw const inner.Anonymous).cast::<u8>();
                std::ptr::copy_nonoverlapping(from, at, payload_size(field.vt));
                inner.vt = VT_EMPTY;
            }
        }
        Ok(())
    }

    fn PutFieldNoCopy(
        &self,
        flags: u32,
        data: *mut c_void,
        name: &PCWSTR,
        value: *const VARIANT,
    ) -> Result<()> {
        self.PutField(flags, data, name, value)
    }

    fn GetFieldNames(&self, count: *mut u32, names: *mut BSTR) -> Result<()> {
        if count.is_null() {
            return Err(E_INVALIDARG.into());
        }
        // SAFETY: IRecordInfo's contract: `names`, when not null, has room for `*count`.
        unsafe {
            if !names.is_null() {
                let room = (*count as usize).min(self.0.fields.len());
                for (index, field) in self.0.fields.iter().take(room).enumerate() {
                    names.add(index).write(BSTR::from(field.name));
                }
            }
            count.write(self.0.fields.len() as u32);
        }
        Ok(())
    }

    fn IsMatchingType(&self, other: Ref<IRecordInfo>) -> BOOL {
        let Some(other) = other.as_ref() else {
            return false.into();
        };
        // SAFETY: plain calls on a live IRecordInfo.
        let (guid, name) = unsafe { (other.GetGuid(), other.GetName()) };
        let same = if self.0.guid != GUID::zeroed() {
            guid.is_ok_and(|g| g == self.0.guid)
        } else {
            name.is_ok_and(|n| n == self.0.name)
        };
        same.into()
    }

    fn RecordCreate(&self) -> *mut c_void {
        self.create().unwrap_or(std::ptr::null_mut())
    }

    fn RecordCreateCopy(&self, source: *const c_void, dest: *mut *mut c_void) -> Result<()> {
        if source.is_null() || dest.is_null() {
            return Err(E_INVALIDARG.into());
        }
        let data = self.create()?;
        // SAFETY: a record of this type, and memory just made for its copy.
        unsafe {
            self.0.copy(source.cast(), data.cast());
            dest.write(data);
        }
        Ok(())
    }

    fn RecordDestroy(&self, record: *const c_void) -> Result<()> {
        if record.is_null() {
            return Ok(());
        }
        // SAFETY: a record RecordCreate (CoTaskMemAlloc) made: cleared, then freed.
        unsafe {
            self.0.clear(record.cast_mut().cast());
            CoTaskMemFree(Some(record));
        }
        Ok(())
    }
}
