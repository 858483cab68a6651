//! Building a described library with oleaut32's `CreateTypeLib2` and `ICreateTypeInfo`: one
//! type info per [`Type`], filled from its table, laid out once every type exists.

use windows::Win32::System::Com::{
    CALLCONV, CC_STDCALL, ELEMDESC, ELEMDESC_0, FUNC_DISPATCH, FUNC_PUREVIRTUAL, FUNCDESC,
    FUNCFLAGS, IMPLTYPEFLAGS, INVOKE_PROPERTYPUT, INVOKE_PROPERTYPUTREF, INVOKEKIND, ITypeInfo,
    SYS_WIN32, SYS_WIN64, SYSKIND, TKIND_ALIAS, TKIND_COCLASS, TKIND_DISPATCH, TKIND_ENUM,
    TKIND_INTERFACE, TYPEDESC, TYPEDESC_0, VAR_CONST, VAR_DISPATCH, VARDESC, VARDESC_0, VARFLAGS,
};
use windows::Win32::System::Ole::{
    CreateTypeLib2, ICreateTypeInfo, ICreateTypeLib2, LoadRegTypeLib, PARAMDESC, PARAMDESCEX,
    PARAMFLAGS,
};
use windows::Win32::System::Variant::{VARENUM, VARIANT, VT_PTR, VT_SAFEARRAY, VT_USERDEFINED};
use windows_core::{Error, GUID, HSTRING, IUnknown, Interface, PCWSTR, Result};

use super::{Desc, Kind, Library, Ref, Type, Value};

impl Value {
    /// The value as a VARIANT of its type.
    fn variant(&self) -> VARIANT {
        match self {
            Value::Str(text) => VARIANT::from(*text),
            Value::Int(vt, value) => {
                let mut variant = VARIANT::from(*value);
                // The number's bits are where every integer VARIANT type keeps its value (the
                // low ones of `lVal`, on a little-endian machine), so only the tag changes.
                // SAFETY: writes the tag of a VARIANT holding no resource.
                unsafe { (*variant.Anonymous.Anonymous).vt = *vt };
                variant
            }
        }
    }
}

/// stdole2.tlb, where IUnknown and IDispatch are described.
const STDOLE: GUID = GUID::from_u128(0x00020430_0000_0000_c000_000000000046);

/// The system the library describes: this process's.
pub(super) fn syskind() -> SYSKIND {
    if cfg!(target_pointer_width = "64") {
        SYS_WIN64
    } else {
        SYS_WIN32
    }
}

/// `library`, created and laid out, to be saved as `file` (`SaveAllChanges`) or read as it is.
pub(super) fn create(library: &Library, file: &HSTRING) -> Result<ICreateTypeLib2> {
    // SAFETY: plain oleaut32 calls; every pointer handed over outlives its
    // call (oleaut32 copies names, descriptions and GUIDs).
    unsafe {
        let create = CreateTypeLib2(syskind(), file)?;
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
        Ok(create)
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
            Kind::Alias => TKIND_ALIAS,
            Kind::Interface => TKIND_INTERFACE,
            Kind::Dispatch => TKIND_DISPATCH,
            Kind::Coclass => TKIND_COCLASS,
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
        if let Some(alias) = &ty.alias {
            let mut trees = Vec::new();
            info.SetTypeDescAlias(&typedesc(alias, &reference, &mut trees)?)?;
        }
        for (index, implemented) in ty.implements.iter().enumerate() {
            info.AddImplType(index as u32, reference(&implemented.ty)?)?;
            if implemented.flags != 0 {
                info.SetImplTypeFlags(index as u32, IMPLTYPEFLAGS(implemented.flags))?;
            }
        }
        for (index, func) in ty.funcs.iter().enumerate() {
            let mut trees = Vec::new();
            #[allow(clippy::vec_box)]
            let mut defaults: Vec<Box<PARAMDESCEX>> = Vec::new();
            let mut params = func
                .params
                .iter()
                .map(|param| {
                    Ok(ELEMDESC {
                        tdesc: typedesc(&param.ty, &reference, &mut trees)?,
                        Anonymous: ELEMDESC_0 {
                            paramdesc: PARAMDESC {
                                pparamdescex: match &param.default {
                                    Some(value) => {
                                        let mut boxed = Box::new(PARAMDESCEX {
                                            cBytes: size_of::<PARAMDESCEX>() as u32,
                                            varDefaultValue: value.variant(),
                                        });
                                        let pointer = std::ptr::from_mut(&mut *boxed);
                                        defaults.push(boxed);
                                        pointer
                                    }
                                    None => std::ptr::null_mut(),
                                },
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
                cParamsOpt: func.optional,
                oVft: 0,
                cScodes: 0,
                elemdescFunc: ELEMDESC {
                    tdesc: typedesc(&func.returns, &reference, &mut trees)?,
                    Anonymous: ELEMDESC_0::default(),
                },
                wFuncFlags: FUNCFLAGS(func.flags),
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
        for (index, var) in ty.vars.iter().enumerate() {
            let mut trees = Vec::new();
            let mut value = var.value.map(VARIANT::from);
            let desc = VARDESC {
                memid: var.memid,
                lpstrSchema: windows_core::PWSTR::null(),
                Anonymous: VARDESC_0 {
                    lpvarValue: value
                        .as_mut()
                        .map_or(std::ptr::null_mut(), std::ptr::from_mut),
                },
                elemdescVar: ELEMDESC {
                    tdesc: typedesc(&var.ty, &reference, &mut trees)?,
                    Anonymous: ELEMDESC_0::default(),
                },
                wVarFlags: VARFLAGS(var.flags),
                varkind: if value.is_some() {
                    VAR_CONST
                } else {
                    VAR_DISPATCH
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
