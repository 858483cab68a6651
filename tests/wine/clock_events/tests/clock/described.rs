//! Type libraries as a client reads them, type by type, and the comparison of two: what the
//! tests hold cpgen's built type libraries against widl's with (this crate's
//! `type_library.rs`, and sdk_events' for Wine's SDK libraries, which includes this file).

use windows::Win32::System::Com::{
    ELEMDESC, ITypeInfo, ITypeLib, TKIND_ALIAS, TKIND_DISPATCH, TYPEDESC, VAR_CONST,
};
use windows::Win32::System::Ole::{MEMBERID_NIL, PARAMFLAG_FHASDEFAULT, TYPEFLAG_FDUAL};
use windows::Win32::System::Variant::{
    VARIANT, VT_BOOL, VT_BSTR, VT_I1, VT_I2, VT_PTR, VT_SAFEARRAY, VT_UI1, VT_UI2, VT_USERDEFINED,
};
use windows_core::{BSTR, GUID, Result};

/// A type as a type library describes it, in the parts a client reads. Names are compared
/// case-insensitively, as COM compares them (a library keeps one spelling of each name).
#[derive(Debug, PartialEq)]
pub struct Described {
    pub name: String,
    pub doc: String,
    pub guid: GUID,
    pub kind: i32,
    pub flags: u16,
    /// What an alias stands for.
    pub alias: Option<String>,
    /// Each implemented interface's name and IMPLTYPEFLAGS.
    pub implements: Vec<(String, i32)>,
    pub funcs: Vec<Func>,
    pub vars: Vec<Var>,
}

#[derive(Debug, PartialEq)]
pub struct Func {
    /// The function's name and its parameters'.
    pub names: Vec<String>,
    pub memid: i32,
    pub invkind: i32,
    pub funckind: i32,
    /// FUNCFLAGS.
    pub flags: u16,
    /// cParamsOpt.
    pub optional: i16,
    /// Each parameter's type, PARAMFLAGS and default value.
    pub params: Vec<(String, u16, Option<String>)>,
    pub returns: String,
    pub vtable_offset: i16,
    pub doc: String,
}

#[derive(Debug, PartialEq)]
pub struct Var {
    pub name: String,
    pub memid: i32,
    pub ty: String,
    pub value: Option<i32>,
    pub varkind: i32,
    pub flags: u16,
}

fn documentation(info: &ITypeInfo, memid: i32) -> Result<(String, String)> {
    let (mut name, mut doc) = (BSTR::new(), BSTR::new());
    // SAFETY: out pointers live for the call.
    unsafe { info.GetDocumentation(memid, Some(&mut name), Some(&mut doc), &mut 0, None)? };
    Ok((name.to_string().to_lowercase(), doc.to_string()))
}

/// A TYPEDESC as text: `vtN`, `*` for a pointer, `[]` for a safe array, and a referenced
/// type by name.
fn render(info: &ITypeInfo, desc: &TYPEDESC) -> Result<String> {
    // SAFETY: the union member read is the one the VT names.
    unsafe {
        Ok(match desc.vt {
            VT_PTR => format!("{}*", render(info, &*desc.Anonymous.lptdesc)?),
            VT_SAFEARRAY => format!("{}[]", render(info, &*desc.Anonymous.lptdesc)?),
            VT_USERDEFINED => {
                let referenced = info.GetRefTypeInfo(desc.Anonymous.hreftype)?;
                documentation(&referenced, MEMBERID_NIL)?.0
            }
            vt => format!("vt{}", vt.0),
        })
    }
}

fn element(info: &ITypeInfo, element: &ELEMDESC) -> Result<(String, u16, Option<String>)> {
    // SAFETY: a parameter's ELEMDESC holds a PARAMDESC, whose PARAMDESCEX is there with
    // PARAMFLAG_FHASDEFAULT.
    let (flags, default) = unsafe {
        let desc = &element.Anonymous.paramdesc;
        let default = (desc.wParamFlags.0 & PARAMFLAG_FHASDEFAULT.0 != 0
            && !desc.pparamdescex.is_null())
        .then(|| value(&(*desc.pparamdescex).varDefaultValue));
        (desc.wParamFlags.0, default)
    };
    Ok((render(info, &element.tdesc)?, flags, default))
}

/// A default value as text: its VARIANT type and its value.
fn value(variant: &VARIANT) -> String {
    // SAFETY: the union member read is the one the VT names.
    unsafe {
        let inner = &variant.Anonymous.Anonymous;
        // Each type's own field: the bits above a 16- or 8-bit value are not part of it.
        let number = match inner.vt {
            VT_BSTR => return format!("bstr {}", &*inner.Anonymous.bstrVal),
            VT_I2 | VT_UI2 | VT_BOOL => i64::from(inner.Anonymous.iVal),
            VT_I1 | VT_UI1 => i64::from(inner.Anonymous.bVal),
            _ => i64::from(inner.Anonymous.lVal),
        };
        format!("vt{} {number}", inner.vt.0)
    }
}

/// The indexes of the functions `info` declares itself, of its `count`: a dispatch type lists
/// the seven functions of IUnknown and IDispatch first when its library counts inherited
/// functions (oleaut32 does, for a dual's dispatch side, and for the dispinterfaces of a library
/// it builds; widl's dispinterfaces leave them out).
pub fn own_functions(info: &ITypeInfo, count: u32) -> Result<std::ops::Range<u32>> {
    // SAFETY: the TYPEATTR and FUNCDESC are read, then released once.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let dispatch = (*attr).typekind == TKIND_DISPATCH;
        info.ReleaseTypeAttr(attr);
        if !dispatch || count == 0 {
            return Ok(0..count);
        }
        let first = info.GetFuncDesc(0)?;
        let inherited = (*first).memid == 0x6000_0000 && (*first).oVft == 0 && count >= 7 && {
            // Its name, looked up by position, not by its DISPID, which an event may share.
            let mut names = [BSTR::new()];
            let mut named = 0;
            let base = info.GetRefTypeInfo(info.GetRefTypeOfImplType(0)?)?;
            base.GetNames(0x6000_0000, &mut names, &mut named).is_ok()
                && names[0] == "QueryInterface"
        };
        info.ReleaseFuncDesc(first);
        Ok(if inherited { 7..count } else { 0..count })
    }
}

pub fn describe(info: &ITypeInfo) -> Result<Described> {
    // SAFETY: every TYPEATTR, FUNCDESC and VARDESC is read, then released once.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let (guid, kind, flags, funcs, vars, impls) = (
            (*attr).guid,
            (*attr).typekind.0,
            (*attr).wTypeFlags,
            (*attr).cFuncs,
            (*attr).cVars,
            (*attr).cImplTypes,
        );
        let alias = if kind == TKIND_ALIAS.0 {
            Some(render(info, &(*attr).tdescAlias)?)
        } else {
            None
        };
        info.ReleaseTypeAttr(attr);
        let (name, doc) = documentation(info, MEMBERID_NIL)?;
        let mut implements = Vec::new();
        for index in 0..impls as u32 {
            let referenced = info.GetRefTypeInfo(info.GetRefTypeOfImplType(index)?)?;
            implements.push((
                documentation(&referenced, MEMBERID_NIL)?.0,
                info.GetImplTypeFlags(index)?.0,
            ));
        }
        let mut described_funcs = Vec::new();
        for index in own_functions(info, funcs.into())? {
            let desc = info.GetFuncDesc(index)?;
            let d = &*desc;
            let mut names = vec![BSTR::new(); d.cParams as usize + 1];
            let mut count = 0;
            info.GetNames(d.memid, &mut names, &mut count)?;
            let params = (0..d.cParams as usize)
                .map(|i| element(info, &*d.lprgelemdescParam.add(i)))
                .collect::<Result<_>>()?;
            described_funcs.push(Func {
                names: names[..count as usize]
                    .iter()
                    .map(|n| n.to_string().to_lowercase())
                    .collect(),
                memid: d.memid,
                invkind: d.invkind.0,
                funckind: d.funckind.0,
                flags: d.wFuncFlags.0,
                optional: d.cParamsOpt,
                params,
                returns: render(info, &d.elemdescFunc.tdesc)?,
                // A dispinterface's functions have no vtable slot: an offset says nothing (widl
                // writes 0, oleaut32 lays them out after IDispatch's).
                vtable_offset: if kind == TKIND_DISPATCH.0 && flags & TYPEFLAG_FDUAL.0 as u16 == 0 {
                    0
                } else {
                    d.oVft
                },
                doc: documentation(info, d.memid)?.1,
            });
            info.ReleaseFuncDesc(desc);
        }
        let mut described_vars = Vec::new();
        for index in 0..vars as u32 {
            let desc = info.GetVarDesc(index)?;
            let d = &*desc;
            described_vars.push(Var {
                name: documentation(info, d.memid)?.0,
                memid: d.memid,
                ty: render(info, &d.elemdescVar.tdesc)?,
                value: (d.varkind == VAR_CONST).then(|| {
                    (&*d.Anonymous.lpvarValue)
                        .Anonymous
                        .Anonymous
                        .Anonymous
                        .lVal
                }),
                varkind: d.varkind.0,
                flags: d.wVarFlags.0,
            });
            info.ReleaseVarDesc(desc);
        }
        Ok(Described {
            name,
            doc,
            guid,
            kind,
            flags,
            alias,
            implements,
            funcs: described_funcs,
            vars: described_vars,
        })
    }
}

/// A dual interface's other side (its dispatch side for its interface side and back).
pub fn other_side(info: &ITypeInfo) -> Result<ITypeInfo> {
    // SAFETY: plain COM calls.
    unsafe { info.GetRefTypeInfo(info.GetRefTypeOfImplType(u32::MAX)?) }
}

pub fn is_dual(info: &ITypeInfo) -> Result<bool> {
    // SAFETY: the TYPEATTR is read, then released once.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let dual = (*attr).wTypeFlags & TYPEFLAG_FDUAL.0 as u16 != 0;
        info.ReleaseTypeAttr(attr);
        Ok(dual)
    }
}

pub fn kind(info: &ITypeInfo) -> Result<i32> {
    Ok(describe(info)?.kind)
}

/// The type of `library` named `name` (a type without a GUID: an alias, an enum without uuid).
fn type_named(library: &ITypeLib, name: &str) -> Result<Option<ITypeInfo>> {
    // SAFETY: plain COM calls.
    unsafe {
        for index in 0..library.GetTypeInfoCount() {
            let info = library.GetTypeInfo(index)?;
            if documentation(&info, MEMBERID_NIL)?.0 == name {
                return Ok(Some(info));
            }
        }
    }
    Ok(None)
}

/// Holds every type of widl's library against cpgen's, in full (both sides of a dual): the
/// library's attributes, then each type's name, kind, flags, GUID, alias, implemented
/// interfaces with their flags, functions (names, member ids, invoke kinds, flags, parameter
/// types, flags and defaults, return types, vtable offsets, help strings) and variables.
/// Returns how many types it compared and how each that differed differs.
pub fn compare_libraries(widl: &ITypeLib, cpgen: &ITypeLib) -> Result<(usize, Vec<String>)> {
    // SAFETY: each TLIBATTR is read, then released once; plain COM calls.
    unsafe {
        let (a, b) = (widl.GetLibAttr()?, cpgen.GetLibAttr()?);
        assert_eq!(
            ((*a).guid, (*a).wMajorVerNum, (*a).wMinorVerNum),
            ((*b).guid, (*b).wMajorVerNum, (*b).wMinorVerNum)
        );
        widl.ReleaseTLibAttr(a);
        cpgen.ReleaseTLibAttr(b);
        let library_doc = |lib: &ITypeLib| -> Result<(String, String)> {
            let (mut name, mut doc) = (BSTR::new(), BSTR::new());
            lib.GetDocumentation(-1, Some(&mut name), Some(&mut doc), &mut 0, None)?;
            Ok((name.to_string().to_lowercase(), doc.to_string()))
        };
        assert_eq!(library_doc(widl)?, library_doc(cpgen)?);
    }
    let mut compared = 0;
    let mut differences = Vec::new();
    // SAFETY: plain COM calls.
    let (theirs_count, ours_count) = unsafe { (widl.GetTypeInfoCount(), cpgen.GetTypeInfoCount()) };
    if theirs_count != ours_count {
        differences.push(format!(
            "{theirs_count} types in widl's library, {ours_count} built"
        ));
    }
    for index in 0..theirs_count {
        // SAFETY: plain COM call.
        let theirs = unsafe { widl.GetTypeInfo(index)? };
        let expected = describe(&theirs)?;
        let ours = if expected.guid == GUID::zeroed() {
            type_named(cpgen, &expected.name)?
        } else {
            // SAFETY: the GUID outlives the call.
            unsafe { cpgen.GetTypeInfoOfGuid(&expected.guid) }.ok()
        };
        let Some(ours) = ours else {
            differences.push(format!("{} is missing", expected.name));
            continue;
        };
        // oleaut32 hands out a library's dual by its dispatch side when it loaded the library,
        // by its interface side when it built it: compare side by side.
        let ours = if is_dual(&ours)? && kind(&ours)? != expected.kind {
            other_side(&ours)?
        } else {
            ours
        };
        let mut pairs = vec![(expected, describe(&ours)?)];
        if is_dual(&theirs)? {
            pairs.push((
                describe(&other_side(&theirs)?)?,
                describe(&other_side(&ours)?)?,
            ));
        }
        for (expected, actual) in pairs {
            if actual != expected {
                differences.push(format!(
                    "{}:\n widl  {expected:?}\n built {actual:?}",
                    expected.name
                ));
            }
            compared += 1;
        }
    }
    Ok((compared, differences))
}
