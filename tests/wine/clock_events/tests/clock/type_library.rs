//! The type library cpgen's output builds at run time (`type_library()`), held against the one
//! widl compiles from the same IDL: the same names, GUIDs, DISPIDs, parameter types and flags
//! for the coclasses, their source interfaces and the types those use; and what clients do with
//! it: ATL finds the default source interface through IProvideClassInfo2, a scripting client
//! maps event names to DISPIDs and has oleaut32 build a sink from it, and the typed sinks hand
//! it out from `IDispatch::GetTypeInfo`.

use std::sync::{Mutex, OnceLock};

use cpgen_clock_events::{generated, sinks};
use windows::Win32::Foundation::{DISP_E_BADINDEX, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{
    ELEMDESC, ITypeInfo, ITypeLib, TKIND_COCLASS, TKIND_DISPATCH, TKIND_INTERFACE, TYPEDESC,
    VAR_CONST,
};
use windows::Win32::System::Ole::{
    DispGetIDsOfNames, IProvideClassInfo, IProvideClassInfo2, LoadTypeLibEx, MEMBERID_NIL,
    REGKIND_NONE, TYPEFLAG_FDUAL,
};
use windows::Win32::System::Variant::{VT_PTR, VT_SAFEARRAY, VT_USERDEFINED};
use windows_core::{BSTR, GUID, HSTRING, Interface, Result, w};

use crate::std_dispatch::{ClockEventMethods, Methods, Typed, std_dispatch_from};
use crate::support::{Clock, Drops, Forwarder, advise, enter_mta, find, lock};
use crate::typelib::{atl_source_interface, type_info};

/// A type as a type library describes it, in the parts a client reads. Names are compared
/// case-insensitively, as COM compares them (a library keeps one spelling of each name).
#[derive(Debug, PartialEq)]
pub struct Described {
    pub name: String,
    pub doc: String,
    pub guid: GUID,
    pub kind: i32,
    pub flags: u16,
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
    /// Each parameter's type and PARAMFLAGS.
    pub params: Vec<(String, u16)>,
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

fn element(info: &ITypeInfo, element: &ELEMDESC) -> Result<(String, u16)> {
    // SAFETY: a parameter's ELEMDESC holds a PARAMDESC.
    let flags = unsafe { element.Anonymous.paramdesc.wParamFlags.0 };
    Ok((render(info, &element.tdesc)?, flags))
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

fn kind(info: &ITypeInfo) -> Result<i32> {
    Ok(describe(info)?.kind)
}

/// widl's type library of fixtures/sinks.idl (build.rs), loaded from a file.
fn widl_sinks() -> Result<ITypeLib> {
    static PATH: OnceLock<HSTRING> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("cpgen-sinks-{}.tlb", std::process::id()));
        std::fs::write(&path, include_bytes!(env!("SINKS_TLB"))).expect("write sinks.tlb");
        HSTRING::from(path.as_os_str())
    });
    // SAFETY: path is a NUL-terminated string that outlives the call.
    unsafe { LoadTypeLibEx(path, REGKIND_NONE) }
}

/// The GUIDs of the source interfaces of the coclasses of `library`, and of their bases.
fn sources(library: &ITypeLib) -> Result<Vec<GUID>> {
    let mut found = Vec::new();
    // SAFETY: plain COM calls on live type infos.
    unsafe {
        for index in 0..library.GetTypeInfoCount() {
            let coclass = library.GetTypeInfo(index)?;
            let attr = describe(&coclass)?;
            if attr.kind != TKIND_COCLASS.0 {
                continue;
            }
            for member in 0..attr.implements.len() as u32 {
                if coclass.GetImplTypeFlags(member)?.0 & 2 == 0 {
                    continue;
                }
                let mut interface =
                    coclass.GetRefTypeInfo(coclass.GetRefTypeOfImplType(member)?)?;
                loop {
                    let described = describe(&interface)?;
                    if found.contains(&described.guid) || described.name == "idispatch" {
                        break;
                    }
                    found.push(described.guid);
                    match interface.GetRefTypeOfImplType(0) {
                        Ok(base) => interface = interface.GetRefTypeInfo(base)?,
                        Err(_) => break,
                    }
                }
            }
        }
    }
    Ok(found)
}

/// Holds every type of widl's library against cpgen's: the library's attributes; coclasses,
/// enums and source interfaces (and their bases) in full, both sides of a dual; every other
/// interface by name, GUID, kind, flags and base.
fn assert_same_library(widl: &ITypeLib, cpgen: &ITypeLib) -> Result<()> {
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
    let sources = sources(widl)?;
    let mut compared = 0;
    // SAFETY: plain COM calls.
    for index in 0..unsafe { widl.GetTypeInfoCount() } {
        let theirs = unsafe { widl.GetTypeInfo(index)? };
        let expected = describe(&theirs)?;
        let ours = type_info(cpgen, expected.guid)
            .unwrap_or_else(|e| panic!("{} is missing: {e:?}", expected.name));
        // oleaut32 hands out a library's dual by its dispatch side when it loaded the library,
        // by its interface side when it built it: compare side by side.
        let ours = if is_dual(&ours)? && kind(&ours)? != expected.kind {
            other_side(&ours)?
        } else {
            ours
        };
        let full = expected.kind == TKIND_COCLASS.0
            || expected.kind == 0 // TKIND_ENUM
            || sources.contains(&expected.guid);
        let mut pairs = vec![(expected, describe(&ours)?)];
        if full && is_dual(&theirs)? {
            pairs.push((
                describe(&other_side(&theirs)?)?,
                describe(&other_side(&ours)?)?,
            ));
        }
        for (mut expected, mut actual) in pairs {
            if !full {
                // Described by name, GUID, kind, flags and base only.
                expected.funcs.clear();
                expected.vars.clear();
                actual.funcs.clear();
                actual.vars.clear();
                expected.doc.clear();
                actual.doc.clear();
            }
            assert_eq!(actual, expected, "{}", expected.name);
            compared += 1;
        }
    }
    assert!(compared > 3, "compared only {compared} types");
    Ok(())
}

#[test]
fn the_built_library_describes_clock_idl_as_widl_does() -> Result<()> {
    enter_mta()?;
    assert_same_library(&crate::typelib::type_lib()?, &generated::type_library()?)
}

#[test]
fn the_built_library_describes_every_kind_of_source_as_widl_does() -> Result<()> {
    enter_mta()?;
    assert_same_library(&widl_sinks()?, &sinks::type_library()?)
}

#[test]
fn the_library_is_built_once() -> Result<()> {
    enter_mta()?;
    let first = generated::type_library()?;
    let again = std::thread::spawn(|| {
        enter_mta().and_then(|()| generated::type_library().map(|lib| lib.as_raw() as usize))
    })
    .join()
    .expect("the other thread");
    assert_eq!(again?, first.as_raw() as usize);
    Ok(())
}

#[test]
fn atl_finds_the_default_source_with_no_type_library_file() -> Result<()> {
    enter_mta()?;
    let clock = Clock::with_type_lib(&Drops::default(), Some(generated::type_library()?));
    assert_eq!(
        atl_source_interface(&clock.to_interface())?,
        (
            generated::LIBID_ClockLib,
            generated::DIID_DClockEvents,
            1,
            0
        )
    );
    Ok(())
}

#[test]
fn a_scripting_client_maps_names_and_builds_a_sink_from_class_info() -> Result<()> {
    enter_mta()?;
    let clock = Clock::with_type_lib(&Drops::default(), Some(generated::type_library()?));
    // What a script host does: the default source interface's GUID, then its description
    // among the coclass's members.
    let provider: IProvideClassInfo2 = clock.to_interface();
    // SAFETY: plain COM calls.
    let (default_source, class) = unsafe {
        (
            provider.GetGUID(1)?,
            IProvideClassInfo::GetClassInfo(&provider)?,
        )
    };
    let mut events = None;
    // SAFETY: plain COM calls on live type infos.
    unsafe {
        for member in 0..3 {
            let info = class.GetRefTypeInfo(class.GetRefTypeOfImplType(member)?)?;
            if describe(&info)?.guid == default_source {
                events = Some(info);
            }
        }
    }
    let events = events.expect("the default source among the coclass's members");
    for (name, dispid) in [
        (w!("Tick"), 1),
        (w!("alarm"), 2),
        (w!("StateChanged"), 0x6000_0002),
    ] {
        let mut id = 0;
        // SAFETY: one name in, one id out.
        unsafe { DispGetIDsOfNames(&events, &name, 1, &mut id)? };
        assert_eq!(id, dispid);
    }
    // oleaut32 builds the sink from that description.
    let methods_object: ClockEventMethods = Methods(Mutex::new(Vec::new())).into();
    let dispatch = std_dispatch_from(&events, &methods_object)?;
    advise(
        &find(&clock.to_interface(), generated::DIID_DClockEvents)?,
        &Forwarder::sink(dispatch),
    )?;
    clock.events.DClockEvents.Fire_Tick(7)?;
    let mut snooze = VARIANT_FALSE;
    clock
        .events
        .DClockEvents
        .Fire_Alarm(&BSTR::from("up"), &mut snooze)?;
    clock
        .events
        .DClockEvents
        .Fire_StateChanged(generated::Running, None)?;
    assert_eq!(snooze, VARIANT_TRUE);
    // SAFETY: the Methods object is the one made above.
    let received =
        lock(&unsafe { windows_core::AsImpl::<Methods>::as_impl(&methods_object) }.0).clone();
    assert_eq!(
        received,
        [
            Typed::Tick(7),
            Typed::Alarm("up".into(), 0),
            Typed::StateChanged(generated::Running, 0),
        ]
    );
    Ok(())
}

#[test]
fn typed_sinks_hand_out_their_interfaces_type_information() -> Result<()> {
    enter_mta()?;
    let sink = generated::DClockEvents::from(generated::DClockEventsSink(Quiet));
    // SAFETY: plain COM calls.
    unsafe {
        assert_eq!(sink.GetTypeInfoCount()?, 1);
        let info = sink.GetTypeInfo(0, 0)?;
        let described = describe(&info)?;
        assert_eq!(
            (described.guid, described.kind),
            (generated::DIID_DClockEvents, TKIND_DISPATCH.0)
        );
        assert_eq!(sink.GetTypeInfo(1, 0).unwrap_err().code(), DISP_E_BADINDEX);
    }
    // A dual source's sink gives its dispatch side.
    let dual = sinks::IDualEvents::from(sinks::IDualEventsSink(Quiet));
    // SAFETY: plain COM call.
    let info = unsafe { dual.GetTypeInfo(0, 0)? };
    let described = describe(&info)?;
    assert_eq!(
        (described.guid, described.kind),
        (sinks::IID_IDualEvents, TKIND_DISPATCH.0)
    );
    assert!(is_dual(&info)?);
    assert_eq!(kind(&other_side(&info)?)?, TKIND_INTERFACE.0);
    Ok(())
}

struct Quiet;

impl generated::DClockEventsHandler for Quiet {}
impl sinks::IDualEventsHandler for Quiet {}
