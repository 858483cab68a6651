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
    CALLCONV, CC_STDCALL, ELEMDESC, ELEMDESC_0, FUNC_DISPATCH, FUNC_PUREVIRTUAL, FUNCDESC,
    FUNCFLAGS, IDispatch, IMPLTYPEFLAGS, INVOKE_PROPERTYPUT, INVOKE_PROPERTYPUTREF, INVOKEKIND,
    ITypeInfo, ITypeLib, SYS_WIN32, SYS_WIN64, TKIND_COCLASS, TKIND_DISPATCH, TKIND_ENUM,
    TKIND_INTERFACE, TKIND_RECORD, TYPEDESC, TYPEDESC_0, VAR_CONST, VAR_DISPATCH, VAR_PERINSTANCE,
    VARDESC, VARDESC_0, VARFLAGS,
};
use windows::Win32::System::Ole::{
    CreateTypeLib2, ICreateTypeInfo, LoadRegTypeLib, PARAMDESC, PARAMFLAGS, TYPEFLAG_FDUAL,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_INT, VT_PTR, VT_SAFEARRAY, VT_USERDEFINED,
};
use windows_core::{Error, GUID, HSTRING, IUnknown, Interface, PCWSTR, Result, w};

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

/// One type of the library: an enum, an interface, a dispinterface or a coclass.
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
}

impl Param {
    /// Parameter `name` of type `ty` with `PARAMFLAGS` `flags`.
    pub const fn new(name: &'static str, ty: Desc, flags: u16) -> Self {
        Self { name, ty, flags }
    }
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
        let built = build(library)?;
        Ok(self.0.get_or_init(|| Shared(built)).0.clone())
    }
}

/// The `IDispatch` type information for `guid` in `library`: a dual
/// interface's dispatch side (a built library hands out its interface side).
pub fn dispatch_of(library: &ITypeLib, guid: &GUID) -> Result<ITypeInfo> {
    // SAFETY: the GUID outlives the call; the TYPEATTR is read, then
    // released once.
    unsafe {
        let info = library.GetTypeInfoOfGuid(guid)?;
        let attr = info.GetTypeAttr()?;
        let dual_interface = (*attr).typekind == TKIND_INTERFACE
            && (*attr).wTypeFlags & TYPEFLAG_FDUAL.0 as u16 != 0;
        info.ReleaseTypeAttr(attr);
        if dual_interface {
            // Index -1: the other side of a dual.
            info.GetRefTypeInfo(info.GetRefTypeOfImplType(u32::MAX)?)
        } else {
            Ok(info)
        }
    }
}

/// stdole2.tlb, where IUnknown and IDispatch are described.
const STDOLE: GUID = GUID::from_u128(0x00020430_0000_0000_c000_000000000046);

fn build(library: &Library) -> Result<ITypeLib> {
    let syskind = if cfg!(target_pointer_width = "64") {
        SYS_WIN64
    } else {
        SYS_WIN32
    };
    // SAFETY: plain oleaut32 calls; every pointer handed over outlives its
    // call (oleaut32 copies names, descriptions and GUIDs).
    unsafe {
        // The file name is only where SaveAllChanges would write; it never runs.
        let create = CreateTypeLib2(syskind, w!("cpgen.tlb"))?;
        create.SetName(&HSTRING::from(library.name))?;
        create.SetGuid(&library.guid)?;
        create.SetVersion(library.version.0, library.version.1)?;
        create.SetLcid(0)?;
        if !library.doc.is_empty() {
            create.SetDocString(&HSTRING::from(library.doc))?;
        }
        let stdole = LoadRegTypeLib(&STDOLE, 2, 0, 0)?;
        let created = library
            .types
            .iter()
            .map(|ty| create.CreateTypeInfo(&HSTRING::from(ty.name), ty.kind.tkind()))
            .collect::<Result<Vec<ICreateTypeInfo>>>()?;
        let infos = created
            .iter()
            .map(Interface::cast::<ITypeInfo>)
            .collect::<Result<Vec<_>>>()?;
        let target = |to: &Ref| match to {
            Ref::Local(index) => Ok(infos[*index].clone()),
            Ref::Stdole(guid) => stdole.GetTypeInfoOfGuid(guid),
        };
        // Wine's oleaut32 marks a type implementing the first imported type as IDispatch-able
        // when that first import is IDispatch (its handle then equals the first local type's):
        // importing IUnknown first keeps a coclass listing our first type as it is.
        if let Some(first) = created.first() {
            reference(first, &target(&Ref::Stdole(IUnknown::IID))?)?;
        }
        for (ty, info) in library.types.iter().zip(&created) {
            describe(ty, info, &target)?;
        }
        // Bases come first, so each is laid out before the types deriving from it.
        for info in &created {
            info.LayOut()?;
        }
        create.cast()
    }
}

/// The handle `info` refers to `to` by, in its own numbering.
fn reference(info: &ICreateTypeInfo, to: &ITypeInfo) -> Result<u32> {
    let mut href = 0u32;
    // SAFETY: `href` outlives the call, which writes it (the windows crate
    // declares the out parameter `*const`).
    unsafe { info.AddRefTypeInfo(to, std::ptr::from_mut(&mut href).cast_const())? };
    Ok(href)
}

impl Kind {
    fn tkind(&self) -> windows::Win32::System::Com::TYPEKIND {
        match self {
            Kind::Enum => TKIND_ENUM,
            Kind::Interface => TKIND_INTERFACE,
            Kind::Dispatch => TKIND_DISPATCH,
            Kind::Coclass => TKIND_COCLASS,
            Kind::Record => TKIND_RECORD,
        }
    }
}

/// Fills `info` with what `ty` says.
///
/// # Safety
/// `info` is a type info being created, not laid out yet.
unsafe fn describe(
    ty: &Type,
    info: &ICreateTypeInfo,
    target: &dyn Fn(&Ref) -> Result<ITypeInfo>,
) -> Result<()> {
    let reference = |to: &Ref| reference(info, &target(to)?);
    // SAFETY: plain oleaut32 calls on a type info being created; what they
    // are lent (names, descriptions, TYPEDESC trees) outlives each call.
    unsafe {
        if ty.guid != GUID::zeroed() {
            info.SetGuid(&ty.guid)?;
        }
        if !ty.doc.is_empty() {
            info.SetDocString(&HSTRING::from(ty.doc))?;
        }
        info.SetTypeFlags(ty.flags)?;
        for (index, implemented) in ty.implements.iter().enumerate() {
            info.AddImplType(index as u32, reference(&implemented.ty)?)?;
            if implemented.flags != 0 {
                info.SetImplTypeFlags(index as u32, IMPLTYPEFLAGS(implemented.flags))?;
            }
        }
        for (index, func) in ty.funcs.iter().enumerate() {
            let mut trees = Vec::new();
            let mut params = func
                .params
                .iter()
                .map(|param| {
                    Ok(ELEMDESC {
                        tdesc: typedesc(&param.ty, &reference, &mut trees)?,
                        Anonymous: ELEMDESC_0 {
                            paramdesc: PARAMDESC {
                                pparamdescex: std::ptr::null_mut(),
                                wParamFlags: PARAMFLAGS(param.flags),
                            },
                        },
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let desc = FUNCDESC {
                memid: func.memid,
                lprgscode: std::ptr::null_mut(),
                lprgelemdescParam: params.as_mut_ptr(),
                funckind: if matches!(ty.kind, Kind::Dispatch) {
                    FUNC_DISPATCH
                } else {
                    FUNC_PUREVIRTUAL
                },
                invkind: INVOKEKIND(func.invoke),
                callconv: CALLCONV(CC_STDCALL.0),
                cParams: params.len() as i16,
                cParamsOpt: 0,
                oVft: 0,
                cScodes: 0,
                elemdescFunc: ELEMDESC {
                    tdesc: typedesc(&func.returns, &reference, &mut trees)?,
                    Anonymous: ELEMDESC_0::default(),
                },
                wFuncFlags: FUNCFLAGS(0),
            };
            info.AddFuncDesc(index as u32, &desc)?;
            // A property setter's value parameter has no name in a type library.
            let named = if func.invoke & (INVOKE_PROPERTYPUT.0 | INVOKE_PROPERTYPUTREF.0) != 0 {
                func.params.len().saturating_sub(1)
            } else {
                func.params.len()
            };
            let names: Vec<HSTRING> = std::iter::once(func.name)
                .chain(func.params[..named].iter().map(|p| p.name))
                .map(HSTRING::from)
                .collect();
            let names: Vec<PCWSTR> = names.iter().map(|n| PCWSTR(n.as_ptr())).collect();
            info.SetFuncAndParamNames(index as u32, &names)?;
            if !func.doc.is_empty() {
                info.SetFuncDocString(index as u32, &HSTRING::from(func.doc))?;
            }
        }
        if matches!(ty.kind, Kind::Record) {
            record_alignment(info)?;
        }
        for (index, var) in ty.vars.iter().enumerate() {
            let mut trees = Vec::new();
            // A record's field is at an offset into the struct, not a constant.
            let field = matches!(ty.kind, Kind::Record).then(|| var.value.unwrap_or(0) as u32);
            let mut value = var.value.filter(|_| field.is_none()).map(VARIANT::from);
            let desc = VARDESC {
                memid: var.memid,
                lpstrSchema: windows_core::PWSTR::null(),
                Anonymous: match field {
                    Some(offset) => VARDESC_0 { oInst: offset },
                    None => VARDESC_0 {
                        lpvarValue: value
                            .as_mut()
                            .map_or(std::ptr::null_mut(), std::ptr::from_mut),
                    },
                },
                elemdescVar: ELEMDESC {
                    tdesc: typedesc(&var.ty, &reference, &mut trees)?,
                    Anonymous: ELEMDESC_0::default(),
                },
                wVarFlags: VARFLAGS(var.flags),
                varkind: match (field, &value) {
                    (Some(_), _) => VAR_PERINSTANCE,
                    (None, Some(_)) => VAR_CONST,
                    (None, None) => VAR_DISPATCH,
                },
            };
            info.AddVarDesc(index as u32, &desc)?;
            info.SetVarName(index as u32, &HSTRING::from(var.name))?;
            if !var.doc.is_empty() {
                info.SetVarDocString(index as u32, &HSTRING::from(var.doc))?;
            }
        }
    }
    Ok(())
}

/// A record's alignment, as MIDL gives a struct of the target's pointers (oleaut32 lays the
/// fields out at the offsets given, whatever it is).
///
/// # Safety
/// `info` is a record being created.
unsafe fn record_alignment(info: &ICreateTypeInfo) -> Result<()> {
    // SAFETY: per the contract.
    unsafe { info.SetAlignment(std::mem::align_of::<usize>() as u16) }
}

/// `desc` as a TYPEDESC, whose pointed-to parts live in `trees` (boxed, so
/// they stay where they are while `trees` grows).
#[allow(clippy::vec_box)]
fn typedesc(
    desc: &Desc,
    reference: &dyn Fn(&Ref) -> Result<u32>,
    trees: &mut Vec<Box<TYPEDESC>>,
) -> Result<TYPEDESC> {
    let inner = |vt: VARENUM, of: &Desc, trees: &mut Vec<Box<TYPEDESC>>| {
        let mut boxed = Box::new(typedesc(of, reference, trees)?);
        let pointer = std::ptr::from_mut(&mut *boxed);
        trees.push(boxed);
        Ok::<_, Error>(TYPEDESC {
            Anonymous: TYPEDESC_0 { lptdesc: pointer },
            vt,
        })
    };
    match desc {
        Desc::Vt(vt) => Ok(TYPEDESC {
            Anonymous: TYPEDESC_0 { hreftype: 0 },
            vt: *vt,
        }),
        Desc::Ptr(of) => inner(VT_PTR, of, trees),
        Desc::SafeArray(of) => inner(VT_SAFEARRAY, of, trees),
        Desc::Local(index) => Ok(TYPEDESC {
            Anonymous: TYPEDESC_0 {
                hreftype: reference(&Ref::Local(*index))?,
            },
            vt: VT_USERDEFINED,
        }),
    }
}
