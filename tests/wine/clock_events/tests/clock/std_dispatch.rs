//! A sink nobody here wrote: oleaut32's CreateStdDispatch over the
//! dispinterface's description in widl's type library, so Wine, not these
//! tests, matches each event's DISPID and checks its argument count, order
//! and types before the call reaches a plain vtable object.

use std::ffi::c_void;
use std::sync::Mutex;

use cpgen_clock_events::generated::{
    Alarmed, ClockState, DClockEvents, DIID_DClockEvents, Stopped,
};
use windows::Win32::Foundation::{
    DISP_E_BADPARAMCOUNT, DISP_E_MEMBERNOTFOUND, DISP_E_TYPEMISMATCH, E_INVALIDARG, E_NOINTERFACE,
    VARIANT_BOOL, VARIANT_FALSE, VARIANT_TRUE,
};
use windows::Win32::System::Com::{
    CC_STDCALL, DISPATCH_METHOD, DISPPARAMS, FUNC_DISPATCH, FUNCDESC, IDispatch, ITypeInfo,
    TKIND_ALIAS, TKIND_DISPATCH, TKIND_ENUM, TKIND_INTERFACE, TYPEDESC,
};
use windows::Win32::System::Ole::{
    CreateDispTypeInfo, CreateStdDispatch, INTERFACEDATA, METHODDATA, PARAMDATA,
};
use windows::Win32::System::Variant::{
    VARENUM, VARIANT, VT_BOOL, VT_BYREF, VT_DISPATCH, VT_I4, VT_PTR, VT_UNKNOWN, VT_USERDEFINED,
};
use windows_core::{AsImpl, BSTR, Error, GUID, HRESULT, Interface, PWSTR, Ref, Result, implement};

use crate::support::{Arg, Clock, DispSink, Drops, Forwarder, advise, enter_mta, find, lock};
use crate::typelib::{type_info, type_lib};

/// The dispinterface's methods as a vtable, in the type library's order: the
/// object behind CreateStdDispatch, which oleaut32 calls (DispCallFunc)
/// after matching the DISPID and coercing each argument to the parameter
/// type the type library gives.
#[windows_core::interface("0c7d3e1a-5b2f-4a6e-9d48-2f1e6a7b8c90")]
pub unsafe trait ClockEventMethods: windows_core::IUnknown {
    fn tick(&self, seconds: i32) -> HRESULT;
    fn alarm(&self, label: Ref<BSTR>, snooze: *mut VARIANT_BOOL) -> HRESULT;
    fn state_changed(&self, state: i32, clock: *mut c_void) -> HRESULT;
}

/// What oleaut32 delivered, typed by the type library.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed {
    Tick(i32),
    /// The label and the value `snooze` pointed at on arrival.
    Alarm(String, i16),
    StateChanged(ClockState, usize),
}

#[implement(ClockEventMethods)]
pub struct Methods(pub Mutex<Vec<Typed>>);

impl ClockEventMethods_Impl for Methods_Impl {
    unsafe fn tick(&self, seconds: i32) -> HRESULT {
        lock(&self.0).push(Typed::Tick(seconds));
        HRESULT(0)
    }

    unsafe fn alarm(&self, label: Ref<BSTR>, snooze: *mut VARIANT_BOOL) -> HRESULT {
        // SAFETY: oleaut32 passes the [in, out] pointer it was given.
        let before = unsafe { std::mem::replace(&mut *snooze, VARIANT_TRUE) };
        lock(&self.0).push(Typed::Alarm(label.to_string(), before.0));
        HRESULT(0)
    }

    unsafe fn state_changed(&self, state: i32, clock: *mut c_void) -> HRESULT {
        lock(&self.0).push(Typed::StateChanged(ClockState(state), clock as usize));
        HRESULT(0)
    }
}

/// The VT a parameter of `info` has as a `PARAMDATA` (which has no
/// user-defined types): enums are VT_I4, pointers VT_BYREF.
fn param_vt(info: &ITypeInfo, desc: &TYPEDESC) -> Result<VARENUM> {
    // SAFETY: the union member read is the one the VT names.
    unsafe {
        if desc.vt == VT_PTR {
            let pointee = &*desc.Anonymous.lptdesc;
            let vt = param_vt(info, pointee)?;
            return Ok(if vt == VT_DISPATCH || vt == VT_UNKNOWN {
                vt
            } else {
                VARENUM(vt.0 | VT_BYREF.0)
            });
        }
        if desc.vt != VT_USERDEFINED {
            return Ok(desc.vt);
        }
        let referenced = info.GetRefTypeInfo(desc.Anonymous.hreftype)?;
        let attr = referenced.GetTypeAttr()?;
        let (kind, alias) = ((*attr).typekind, (*attr).tdescAlias);
        referenced.ReleaseTypeAttr(attr);
        match kind {
            TKIND_ENUM => Ok(VT_I4),
            TKIND_DISPATCH => Ok(VT_DISPATCH),
            TKIND_INTERFACE => Ok(VT_UNKNOWN),
            TKIND_ALIAS => param_vt(&referenced, &alias),
            _ => Err(Error::from_hresult(E_INVALIDARG)),
        }
    }
}

/// One dispinterface method as read from widl's type library.
struct Method {
    name: Vec<u16>,
    params: Vec<(Vec<u16>, VARENUM)>,
    dispid: i32,
    flags: u16,
    returns: VARENUM,
}

/// The methods of the dispinterface `info`, in the type library's order.
fn methods(info: &ITypeInfo) -> Result<Vec<Method>> {
    // SAFETY: every FUNCDESC and TYPEATTR is read, then released once.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let count = (*attr).cFuncs;
        info.ReleaseTypeAttr(attr);
        let mut methods = Vec::new();
        for index in crate::described::own_functions(info, count.into())? {
            let desc: *mut FUNCDESC = info.GetFuncDesc(index)?;
            let func = &*desc;
            assert_eq!(func.funckind, FUNC_DISPATCH);
            let mut names = vec![BSTR::new(); func.cParams as usize + 1];
            let mut named = 0;
            info.GetNames(func.memid, &mut names, &mut named)?;
            let mut params = Vec::new();
            for (slot, param_name) in names[1..].iter().enumerate() {
                let elem = &*func.lprgelemdescParam.add(slot);
                params.push((wide(param_name), param_vt(info, &elem.tdesc)?));
            }
            methods.push(Method {
                name: wide(&names[0]),
                params,
                dispid: func.memid,
                flags: func.invkind.0 as u16,
                returns: func.elemdescFunc.tdesc.vt,
            });
            info.ReleaseFuncDesc(desc);
        }
        Ok(methods)
    }
}

fn wide(text: &BSTR) -> Vec<u16> {
    text.iter().copied().chain([0]).collect()
}

/// CreateStdDispatch over `info` and the object at `this`.
fn std_dispatch_over(info: &ITypeInfo, this: *mut c_void) -> Result<IDispatch> {
    let mut unknown = None;
    // SAFETY: the caller keeps the object at `this` alive longer.
    unsafe { CreateStdDispatch(None, this, info, &mut unknown)? };
    unknown.expect("CreateStdDispatch's object").cast()
}

/// `IDispatch` made by oleaut32 (CreateDispTypeInfo + CreateStdDispatch)
/// from the dispinterface's description in widl's type library, over
/// `methods`. Wine's ITypeInfo::Invoke only forwards a pure dispinterface's
/// FUNC_DISPATCH members to the object's own IDispatch, so the description
/// is rebuilt as a vtable interface: same names, DISPIDs, parameter types
/// and order, with slot 3 + i for the i-th method.
fn std_dispatch(methods_object: &ClockEventMethods) -> Result<IDispatch> {
    std_dispatch_from(&type_info(&type_lib()?, DIID_DClockEvents)?, methods_object)
}

/// The same over `disp`, any description of DClockEvents.
pub fn std_dispatch_from(
    disp: &ITypeInfo,
    methods_object: &ClockEventMethods,
) -> Result<IDispatch> {
    let mut described = methods(disp)?;
    let names: Vec<String> = described
        .iter()
        .map(|m| String::from_utf16_lossy(&m.name[..m.name.len() - 1]))
        .collect();
    assert_eq!(
        names,
        ["Tick", "Alarm", "StateChanged"],
        "ClockEventMethods' order"
    );
    let mut params: Vec<Vec<PARAMDATA>> = described
        .iter_mut()
        .map(|m| {
            m.params
                .iter_mut()
                .map(|(name, vt)| PARAMDATA {
                    szName: PWSTR(name.as_mut_ptr()),
                    vt: *vt,
                })
                .collect()
        })
        .collect();
    let mut data: Vec<METHODDATA> = described
        .iter_mut()
        .zip(params.iter_mut())
        .enumerate()
        .map(|(slot, (m, p))| METHODDATA {
            szName: PWSTR(m.name.as_mut_ptr()),
            ppdata: p.as_mut_ptr(),
            dispid: m.dispid,
            iMeth: 3 + slot as u32,
            cc: CC_STDCALL,
            cArgs: p.len() as u32,
            wFlags: m.flags,
            vtReturn: m.returns,
        })
        .collect();
    let mut interface = INTERFACEDATA {
        pmethdata: data.as_mut_ptr(),
        cMembers: data.len() as u32,
    };
    let mut class = None;
    // SAFETY: the descriptions outlive CreateDispTypeInfo, which copies them.
    let vtable = unsafe {
        CreateDispTypeInfo(&mut interface, 0, &mut class)?;
        let class = class.expect("CreateDispTypeInfo's type info");
        class.GetRefTypeInfo(class.GetRefTypeOfImplType(0)?)?
    };
    // The caller keeps methods_object alive longer than the dispatch object.
    std_dispatch_over(&vtable, methods_object.as_raw())
}

#[test]
fn a_sink_built_by_oleaut32_from_the_type_library_receives_every_event() -> Result<()> {
    enter_mta()?;
    let methods_object: ClockEventMethods = Methods(Mutex::new(Vec::new())).into();
    let dispatch = std_dispatch(&methods_object)?;
    let clock = Clock::new(&Drops::default());
    advise(
        &find(&clock.to_interface(), DIID_DClockEvents)?,
        &Forwarder::sink(dispatch.clone()),
    )?;
    let events = &clock.events.DClockEvents;

    events.Fire_Tick(42)?;
    let mut snooze = VARIANT_FALSE;
    events.Fire_Alarm(&BSTR::from("wake up"), &mut snooze)?;
    assert_eq!(
        snooze, VARIANT_TRUE,
        "the write through [in, out] came back"
    );
    events.Fire_StateChanged(Alarmed, Some(&dispatch))?;
    events.Fire_StateChanged(Stopped, None)?;

    // SAFETY: the Methods object is the one made above.
    let received = lock(&unsafe { methods_object.as_impl() }.0).clone();
    assert_eq!(
        received,
        [
            Typed::Tick(42),
            Typed::Alarm("wake up".into(), 0),
            Typed::StateChanged(Alarmed, dispatch.as_raw() as usize),
            Typed::StateChanged(Stopped, 0),
        ]
    );
    Ok(())
}

/// Invokes `dispatch` directly with `args` (already in DISPPARAMS order).
fn invoke_raw(dispatch: &IDispatch, dispid: i32, args: &mut [VARIANT]) -> HRESULT {
    let params = DISPPARAMS {
        rgvarg: args.as_mut_ptr(),
        rgdispidNamedArgs: std::ptr::null_mut(),
        cArgs: args.len() as u32,
        cNamedArgs: 0,
    };
    let mut argerr = 0;
    // SAFETY: params and its arguments outlive the call.
    unsafe {
        dispatch.Invoke(
            dispid,
            &GUID::zeroed(),
            0,
            DISPATCH_METHOD,
            &params,
            None,
            None,
            Some(&mut argerr),
        )
    }
    .map_or_else(|e| e.code(), |()| HRESULT(0))
}

#[test]
fn the_oleaut32_sink_catches_wrong_dispids_counts_types_and_order() -> Result<()> {
    // The oracle has teeth: what a wrong Fire_ would send fails, or arrives
    // visibly wrong. (oleaut32 coerces what it can: a VT_R8 for a long
    // passes, rounded, so the exact VTs are checked by the Rust sink of
    // firing.rs; and Wine accepts a by-value argument for an [in, out]
    // parameter, passing a zeroed temporary.)
    enter_mta()?;
    let methods_object: ClockEventMethods = Methods(Mutex::new(Vec::new())).into();
    let dispatch = std_dispatch(&methods_object)?;
    // SAFETY: the Methods object is the one made above.
    let received = || lock(&unsafe { methods_object.as_impl() }.0).clone();
    assert_eq!(
        invoke_raw(&dispatch, 3, &mut [VARIANT::from(1)]),
        DISP_E_MEMBERNOTFOUND
    );
    assert_eq!(
        invoke_raw(
            &dispatch,
            0x6002_0002,
            &mut [VARIANT::default(), VARIANT::from(1)]
        ),
        DISP_E_MEMBERNOTFOUND,
        "a dual interface's numbering for the unnumbered StateChanged"
    );
    assert_eq!(invoke_raw(&dispatch, 1, &mut []), DISP_E_BADPARAMCOUNT);
    assert_eq!(
        invoke_raw(&dispatch, 1, &mut [VARIANT::from(BSTR::from("x"))]),
        DISP_E_TYPEMISMATCH
    );
    // StateChanged's arguments in IDL order instead of reversed.
    let mut in_idl_order = [VARIANT::from(1), VARIANT::default()];
    // SAFETY: a null VT_DISPATCH, as Fire_StateChanged(.., None) sends.
    unsafe { (*in_idl_order[1].Anonymous.Anonymous).vt = VT_DISPATCH };
    // (Wine 8 says DISP_E_BADVARTYPE: no enum from a VT_DISPATCH.)
    assert!(invoke_raw(&dispatch, 0x6000_0002, &mut in_idl_order).is_err());
    assert!(received().is_empty());

    // Alarm's arguments in IDL order: accepted, but nothing arrives right.
    let mut snooze = VARIANT_FALSE;
    let mut snooze_ref = VARIANT::default();
    // SAFETY: a by-reference tag and pointer; clearing frees nothing.
    unsafe {
        let inner = &mut *snooze_ref.Anonymous.Anonymous;
        inner.vt = VARENUM(VT_BOOL.0 | VT_BYREF.0);
        inner.Anonymous.pboolVal = &mut snooze;
    }
    let mut in_idl_order = [VARIANT::from(BSTR::from("wake up")), snooze_ref];
    assert_eq!(invoke_raw(&dispatch, 2, &mut in_idl_order), HRESULT(0));
    drop(in_idl_order);
    assert_eq!(received(), [Typed::Alarm("0".into(), 0)]);
    assert_eq!(
        snooze, VARIANT_FALSE,
        "the sink's write went to a temporary"
    );
    Ok(())
}

#[test]
fn std_dispatch_over_the_pure_dispinterface_only_forwards() -> Result<()> {
    // Why std_dispatch rebuilds the description: the dispinterface's own
    // members are FUNC_DISPATCH, and Wine's ITypeInfo::Invoke does not call
    // a vtable slot for them but the object's own IDispatch::Invoke
    // (QueryInterface on pvThis), after checking only that the DISPID exists.
    enter_mta()?;
    let disp = type_info(&type_lib()?, DIID_DClockEvents)?;
    let methods_object: ClockEventMethods = Methods(Mutex::new(Vec::new())).into();
    let dispatch = std_dispatch_over(&disp, methods_object.as_raw())?;
    assert_eq!(
        invoke_raw(&dispatch, 1, &mut [VARIANT::from(5)]),
        E_NOINTERFACE
    );
    // SAFETY: the Methods object is the one made above.
    assert!(lock(&unsafe { methods_object.as_impl() }.0).is_empty());

    let sink = DispSink::new(&Drops::default());
    let as_source: DClockEvents = sink.to_interface();
    let dispatch = std_dispatch_over(&disp, as_source.as_raw())?;
    assert_eq!(
        invoke_raw(&dispatch, 77, &mut [VARIANT::from(5)]),
        DISP_E_MEMBERNOTFOUND
    );
    // No count or type check: a BSTR for Tick's long reaches the object.
    let mut wrong = [VARIANT::from(BSTR::from("x")), VARIANT::from(1)];
    assert_eq!(invoke_raw(&dispatch, 1, &mut wrong), HRESULT(0));
    let calls = sink.0.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].args, [Arg::Bstr("x".into()), Arg::I4(1)]);
    Ok(())
}
