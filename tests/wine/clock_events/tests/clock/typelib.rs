//! Wine's oleaut32 reading the type library widl compiles from the same
//! clock.idl (build.rs): it says what the identifiers, DISPIDs, enum values
//! and source members are, and backs IProvideClassInfo2 for atl.dll.

use std::ffi::c_void;
use std::sync::OnceLock;

use cpgen_clock_events::generated::{
    Alarmed, CConnectionPoints, CLSID_Clock, ClockState, DIID_DClockEvents, IID_IClock,
    IID_IClockSink, LIBID_ClockLib, Running, Stopped,
};
use windows::Win32::Foundation::E_INVALIDARG;
use windows::Win32::System::Com::{
    IMPLTYPEFLAG_FDEFAULT, IMPLTYPEFLAG_FSOURCE, ITypeInfo, ITypeLib, TKIND_COCLASS,
    TKIND_DISPATCH, TKIND_ENUM, TKIND_INTERFACE, TYPEKIND,
};
use windows::Win32::System::LibraryLoader::{GetProcAddress, LoadLibraryW};
use windows::Win32::System::Ole::{
    DispGetIDsOfNames, GUIDKIND_DEFAULT_SOURCE_DISP_IID, IProvideClassInfo2, LoadTypeLibEx,
    MEMBERID_NIL, REGKIND_NONE,
};
use windows::Win32::System::Variant::VT_I4;
use windows_core::{BSTR, Error, GUID, HRESULT, HSTRING, IUnknown, Interface, Result, s, w};

use crate::support::{Clock, Drops, enter_mta};

/// widl's type library of fixtures/clock.idl, loaded by oleaut32 from a
/// file (written once per process into Wine's temp directory).
pub fn type_lib() -> Result<ITypeLib> {
    // SAFETY: the path is a NUL-terminated string that outlives the call.
    unsafe { LoadTypeLibEx(type_lib_path(), REGKIND_NONE) }
}

/// Where [`type_lib`] loads the type library from.
pub fn type_lib_path() -> &'static HSTRING {
    static PATH: OnceLock<HSTRING> = OnceLock::new();
    PATH.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("cpgen-clock-{}.tlb", std::process::id()));
        std::fs::write(&path, include_bytes!(env!("CLOCK_TLB"))).expect("write clock.tlb");
        HSTRING::from(path.as_os_str())
    })
}

pub fn type_info(lib: &ITypeLib, guid: GUID) -> Result<ITypeInfo> {
    // SAFETY: the GUID outlives the call.
    unsafe { lib.GetTypeInfoOfGuid(&guid) }
}

fn kind_and_guid(info: &ITypeInfo) -> Result<(TYPEKIND, GUID)> {
    // SAFETY: the TYPEATTR is read, then released once.
    unsafe {
        let attr = info.GetTypeAttr()?;
        let answer = ((*attr).typekind, (*attr).guid);
        info.ReleaseTypeAttr(attr);
        Ok(answer)
    }
}

fn name(info: &ITypeInfo, memid: i32) -> Result<String> {
    let mut name = BSTR::new();
    // SAFETY: out pointers live for the call.
    unsafe { info.GetDocumentation(memid, Some(&mut name), None, &mut 0, None)? };
    Ok(name.to_string())
}

#[test]
fn identifiers_match_widls_type_library() -> Result<()> {
    enter_mta()?;
    let lib = type_lib()?;
    // SAFETY: the TLIBATTR is read, then released once.
    unsafe {
        let attr = lib.GetLibAttr()?;
        assert_eq!((*attr).guid, LIBID_ClockLib);
        lib.ReleaseTLibAttr(attr);
    }
    for (guid, kind, expected) in [
        (CLSID_Clock, TKIND_COCLASS, "Clock"),
        // A dual interface's GUID finds its dispatch side.
        (IID_IClock, TKIND_DISPATCH, "IClock"),
        (DIID_DClockEvents, TKIND_DISPATCH, "DClockEvents"),
        (IID_IClockSink, TKIND_INTERFACE, "IClockSink"),
    ] {
        let info = type_info(&lib, guid)?;
        assert_eq!(kind_and_guid(&info)?, (kind, guid), "{expected}");
        // A type library keeps one spelling per name, case-insensitively:
        // the first met, here StateChanged's parameter `clock` for Clock.
        assert!(name(&info, MEMBERID_NIL)?.eq_ignore_ascii_case(expected));
    }
    // The interface types carry the same IIDs.
    assert_eq!(
        cpgen_clock_events::generated::DClockEvents::IID,
        DIID_DClockEvents
    );
    assert_eq!(
        cpgen_clock_events::generated::IClockSink::IID,
        IID_IClockSink
    );
    Ok(())
}

#[test]
fn source_members_and_default_source_match_the_coclass() -> Result<()> {
    enter_mta()?;
    let coclass = type_info(&type_lib()?, CLSID_Clock)?;
    let mut sources = Vec::new();
    let mut default_source = None;
    for index in 0..3 {
        // SAFETY: plain COM calls on a live ITypeInfo.
        let (flags, member) = unsafe {
            let flags = coclass.GetImplTypeFlags(index)?;
            let member = coclass.GetRefTypeInfo(coclass.GetRefTypeOfImplType(index)?)?;
            (flags, kind_and_guid(&member)?.1)
        };
        if flags.0 & IMPLTYPEFLAG_FSOURCE.0 != 0 {
            sources.push(member);
            if flags.0 & IMPLTYPEFLAG_FDEFAULT.0 != 0 {
                default_source = Some(member);
            }
        }
    }
    // CConnectionPoints' fields (and EnumConnectionPoints) follow this order.
    assert_eq!(sources, [DIID_DClockEvents, IID_IClockSink]);
    assert_eq!(
        default_source,
        Some(CConnectionPoints::DEFAULT_SOURCE_DISP_IID)
    );
    Ok(())
}

#[test]
fn enum_values_match_widls_type_library() -> Result<()> {
    enter_mta()?;
    let lib = type_lib()?;
    let info = type_info(
        &lib,
        GUID::from_u128(0x6f1a2b3c_4d5e_4f60_8172_93a4b5c6d7f0),
    )?;
    assert_eq!(kind_and_guid(&info)?.0, TKIND_ENUM);
    let mut values = Vec::new();
    for index in 0..3 {
        // SAFETY: the VARDESC and its constant are read, then released once.
        unsafe {
            let var = info.GetVarDesc(index)?;
            let value = &*(*var).Anonymous.lpvarValue;
            assert_eq!(value.Anonymous.Anonymous.vt, VT_I4);
            values.push((
                name(&info, (*var).memid)?,
                ClockState(value.Anonymous.Anonymous.Anonymous.lVal),
            ));
            info.ReleaseVarDesc(var);
        }
    }
    assert_eq!(
        values,
        [
            ("Stopped".to_string(), Stopped),
            ("Running".to_string(), Running),
            ("Alarmed".to_string(), Alarmed),
        ]
    );
    Ok(())
}

#[test]
fn dispids_match_widls_type_library() -> Result<()> {
    enter_mta()?;
    let info = type_info(&type_lib()?, DIID_DClockEvents)?;
    let names = [w!("Tick"), w!("Alarm"), w!("StateChanged")];
    for (name, expected) in names.iter().zip([1, 2, 0x6000_0002]) {
        let mut id = 0;
        // SAFETY: one name in, one id out.
        unsafe { DispGetIDsOfNames(&info, name, 1, &mut id)? };
        assert_eq!(id, expected);
    }
    Ok(())
}

#[test]
fn provide_class_info2_answers_from_the_generated_code() -> Result<()> {
    enter_mta()?;
    let clock = Clock::with_type_lib(&Drops::default(), Some(type_lib()?));
    let info: IProvideClassInfo2 = clock.to_interface();
    // SAFETY: plain COM calls.
    unsafe {
        assert_eq!(
            info.GetGUID(GUIDKIND_DEFAULT_SOURCE_DISP_IID.0 as u32)?,
            DIID_DClockEvents
        );
        assert_eq!(info.GetGUID(0).unwrap_err().code(), E_INVALIDARG);
        assert_eq!(info.GetGUID(2).unwrap_err().code(), E_INVALIDARG);
        let class = info.GetClassInfo()?;
        assert_eq!(kind_and_guid(&class)?, (TKIND_COCLASS, CLSID_Clock));
    }
    Ok(())
}

/// `HRESULT AtlGetObjectSourceInterface(IUnknown *object, GUID *libid,
/// IID *iid, unsigned short *major, unsigned short *minor)`
type AtlGetObjectSourceInterface =
    unsafe extern "system" fn(*mut c_void, *mut GUID, *mut GUID, *mut u16, *mut u16) -> HRESULT;

/// What `AtlGetObjectSourceInterface` (Wine's atl.dll) finds for `object`: the LIBID, the
/// default source interface and the library's version, through IProvideClassInfo2.
pub fn atl_source_interface(object: &IUnknown) -> Result<(GUID, GUID, u16, u16)> {
    // SAFETY: w! and s! yield NUL-terminated static strings; the export has
    // exactly the signature above; the out pointers are live.
    unsafe {
        let module = LoadLibraryW(w!("atl.dll"))?;
        let export = GetProcAddress(module, s!("AtlGetObjectSourceInterface"))
            .ok_or_else(Error::from_thread)?;
        let call = std::mem::transmute::<
            unsafe extern "system" fn() -> isize,
            AtlGetObjectSourceInterface,
        >(export);
        let (mut libid, mut iid, mut major, mut minor) = (GUID::zeroed(), GUID::zeroed(), 0, 0);
        call(
            object.as_raw(),
            &mut libid,
            &mut iid,
            &mut major,
            &mut minor,
        )
        .ok()?;
        Ok((libid, iid, major, minor))
    }
}

#[test]
fn atl_finds_the_default_source_through_provide_class_info2() -> Result<()> {
    enter_mta()?;
    let clock = Clock::with_type_lib(&Drops::default(), Some(type_lib()?));
    assert_eq!(
        atl_source_interface(&clock.to_interface())?,
        (LIBID_ClockLib, DIID_DClockEvents, 1, 0)
    );
    Ok(())
}
