//! Type information without a registry: turns the static tables a generated
//! file holds (its library, connectable coclasses, their source interfaces and
//! the types those use) into an `ITypeLib`, with oleaut32's `CreateTypeLib2`
//! and `ICreateTypeInfo`, in memory: no .tlb file, no registration.
//!
//! A [`Cache`] builds the library once and hands out the same one after
//! (ATL's `CComTypeInfoHolder` shares its type information between threads
//! the same way: oleaut32's type libraries have no apartment).

use std::sync::OnceLock;

use windows::Win32::System::Com::{
    IDispatch, ITypeInfo, ITypeLib, TKIND_DISPATCH, TKIND_INTERFACE, TYPEKIND,
};
use windows::Win32::System::Ole::TYPEFLAG_FDUAL;
use windows::Win32::System::Variant::{VARENUM, VT_INT};
use windows_core::{GUID, HSTRING, IUnknown, Interface, Result};

mod build;
mod registration;

pub use registration::{register, save, unregister};

/// A type library as the generated file describes it.
pub struct Library {
    /// The library's name (`ClockLib`).
    pub name: &'static str,
    /// Its LIBID.
    pub guid: GUID,
    /// Its `version(major.minor)`.
    pub version: (u16, u16),
    /// Its help string, or empty.
    pub doc: &'static str,
    /// In an order where every type comes after the types it derives from.
    pub types: &'static [Type],
}

/// One type of the library: an enum, an alias, an interface, a dispinterface or a coclass.
pub struct Type {
    /// The type's name.
    pub name: &'static str,
    /// GUID_NULL for a type without one (an enum without `uuid`).
    pub guid: GUID,
    /// What kind of type it is.
    pub kind: Kind,
    /// `TYPEFLAGS`.
    pub flags: u32,
    /// Its help string, or empty.
    pub doc: &'static str,
    /// The type an alias stands for; none for every other kind.
    pub alias: Option<Desc>,
    /// A coclass's members, an interface's base.
    pub implements: &'static [Implemented],
    /// An interface's methods, a dispinterface's methods.
    pub funcs: &'static [Func],
    /// An enum's constants, a dispinterface's properties.
    pub vars: &'static [Var],
}

/// A type's `TYPEKIND`.
pub enum Kind {
    /// `TKIND_ENUM`.
    Enum,
    /// `TKIND_ALIAS`: a `typedef [public]`, standing for [`Type::alias`].
    Alias,
    /// `TKIND_INTERFACE`: a custom or dual interface.
    Interface,
    /// `TKIND_DISPATCH`: a dispinterface.
    Dispatch,
    /// `TKIND_COCLASS`.
    Coclass,
    /// `TKIND_RECORD`: a struct, whose `vars` are its fields (see [`Var::field`]).
    Record,
}

/// An interface a type implements: a coclass's member or an interface's base.
pub struct Implemented {
    /// The interface.
    pub ty: Ref,
    /// `IMPLTYPEFLAGS`.
    pub flags: i32,
}

impl Implemented {
    /// `ty` with `IMPLTYPEFLAGS` `flags`.
    pub const fn new(ty: Ref, flags: i32) -> Self {
        Self { ty, flags }
    }
}

/// A type a table refers to.
pub enum Ref {
    /// The library's type at this index.
    Local(usize),
    /// A type of stdole2.tlb (IUnknown, IDispatch), by GUID.
    Stdole(GUID),
}

impl Ref {
    /// stdole2.tlb's `IUnknown`.
    pub const IUNKNOWN: Ref = Ref::Stdole(IUnknown::IID);
    /// stdole2.tlb's `IDispatch`.
    pub const IDISPATCH: Ref = Ref::Stdole(IDispatch::IID);
}

/// A method.
pub struct Func {
    /// Its name.
    pub name: &'static str,
    /// Its MEMBERID (DISPID), or -1 (MEMBERID_NIL) for oleaut32 to number it.
    pub memid: i32,
    /// `INVOKEKIND`.
    pub invoke: i32,
    /// `FUNCFLAGS`.
    pub flags: u16,
    /// How many of its parameters are `[optional]` (`cParamsOpt`).
    pub optional: i16,
    /// A vtable interface's function: its slot in the vtable, the base interfaces' counted
    /// (`oVft` is this many pointers); -1 to let oleaut32 lay it out.
    pub slot: i16,
    /// Its parameters, first to last.
    pub params: &'static [Param],
    /// Its return type.
    pub returns: Desc,
    /// Its help string, or empty.
    pub doc: &'static str,
}

/// A method's parameter.
pub struct Param {
    /// Its name.
    pub name: &'static str,
    /// Its type.
    pub ty: Desc,
    /// `PARAMFLAGS`.
    pub flags: u16,
    /// Its `[defaultvalue]`, with `PARAMFLAG_FHASDEFAULT` in `flags`.
    pub default: Option<Value>,
}

impl Param {
    /// Parameter `name` of type `ty` with `PARAMFLAGS` `flags`.
    pub const fn new(name: &'static str, ty: Desc, flags: u16) -> Self {
        Self {
            name,
            ty,
            flags,
            default: None,
        }
    }

    /// Parameter `name` of type `ty` with `PARAMFLAGS` `flags` and default value `default`.
    pub const fn with_default(name: &'static str, ty: Desc, flags: u16, default: Value) -> Self {
        Self {
            name,
            ty,
            flags,
            default: Some(default),
        }
    }
}

/// A parameter's default value.
pub enum Value {
    /// A number of this VARIANT type (`VT_I4`, `VT_I2`, `VT_BOOL`, ...), whose bits fit 32.
    Int(VARENUM, i32),
    /// A `BSTR`.
    Str(&'static str),
}

/// A `TYPEDESC`.
pub enum Desc {
    /// A type of its own VARIANT type.
    Vt(VARENUM),
    /// `VT_PTR` to a type.
    Ptr(&'static Desc),
    /// `VT_SAFEARRAY` of a type.
    SafeArray(&'static Desc),
    /// `VT_USERDEFINED`: one of the library's types.
    Local(usize),
}

/// An enum's constant or a dispinterface's property.
pub struct Var {
    /// Its name.
    pub name: &'static str,
    /// Its MEMBERID, or -1 (MEMBERID_NIL) for oleaut32 to number it.
    pub memid: i32,
    /// Its type.
    pub ty: Desc,
    /// The value of an enum's constant, or the offset of a record's field; a property has none.
    pub value: Option<i32>,
    /// `VARFLAGS`.
    pub flags: u16,
    /// Its help string, or empty.
    pub doc: &'static str,
}

impl Var {
    /// Field `name` of a record, `offset` bytes into it, of type `ty`.
    pub const fn field(name: &'static str, offset: usize, ty: Desc) -> Self {
        Self {
            name,
            memid: -1,
            ty,
            value: Some(offset as i32),
            flags: 0,
            doc: "",
        }
    }

    /// Enum constant `name` of value `value`, numbered by oleaut32, described by `doc`.
    pub const fn constant(name: &'static str, value: i32, doc: &'static str) -> Self {
        Self {
            name,
            memid: -1,
            ty: Desc::Vt(VT_INT),
            value: Some(value),
            flags: 0,
            doc,
        }
    }
}

/// One library, built on first use.
#[derive(Default)]
pub struct Cache(OnceLock<Shared>);

/// The built library, handed to any thread.
struct Shared(ITypeLib);

// SAFETY: oleaut32's type libraries and type infos have no apartment and
// lock what they change; once laid out, nothing changes them.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Cache {
    /// An empty cache, for a `static`.
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The library `library` describes, built the first time (a failed
    /// build is tried again next time).
    pub fn get(&self, library: &'static Library) -> Result<ITypeLib> {
        if let Some(built) = self.0.get() {
            return Ok(built.0.clone());
        }
        // The file name is only where SaveAllChanges would write; it never runs.
        let built = build::create(library, &HSTRING::from("cpgen.tlb"))?.cast()?;
        Ok(self.0.get_or_init(|| Shared(built)).0.clone())
    }
}

/// The `IDispatch` type information for `guid` in `library`: a dual
/// interface's dispatch side (a built library hands out its interface side).
pub fn dispatch_of(library: &ITypeLib, guid: &GUID) -> Result<ITypeInfo> {
    side_of(library, guid, TKIND_INTERFACE)
}

/// The vtable type information for `guid` in `library`: a dual interface's
/// interface side, which `DispInvoke` calls through (a MIDL-compiled library
/// hands out its dispatch side).
pub fn vtable_of(library: &ITypeLib, guid: &GUID) -> Result<ITypeInfo> {
    side_of(library, guid, TKIND_DISPATCH)
}

/// The type information for `guid`, or, when it is the `other` side of a
/// dual interface, the side opposite.
fn side_of(library: &ITypeLib, guid: &GUID, other: TYPEKIND) -> Result<ITypeInfo> {
    // SAFETY: the GUID outlives the call; the TYPEATTR is read, then
    // released once.
    unsafe {
        let info = library.GetTypeInfoOfGuid(guid)?;
        let attr = info.GetTypeAttr()?;
        let flip = (*attr).typekind == other && (*attr).wTypeFlags & TYPEFLAG_FDUAL.0 as u16 != 0;
        info.ReleaseTypeAttr(attr);
        if flip {
            // Index -1: the other side of a dual.
            info.GetRefTypeInfo(info.GetRefTypeOfImplType(u32::MAX)?)
        } else {
            Ok(info)
        }
    }
}
