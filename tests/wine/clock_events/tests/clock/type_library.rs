//! The type library cpgen's output builds at run time (`type_library()`), held against the one
//! widl compiles from the same IDL, every type in full (`described.rs`): the same names, GUIDs,
//! kinds, flags, aliases, member ids, parameter types, flags and defaults; and what clients do with
//! it: ATL finds the default source interface through IProvideClassInfo2, a scripting client
//! maps event names to DISPIDs and has oleaut32 build a sink from it, and the typed sinks hand
//! it out from `IDispatch::GetTypeInfo`.

use std::sync::{Mutex, OnceLock};

use cpgen_clock_events::{generated, library, sinks};
use windows::Win32::Foundation::{DISP_E_BADINDEX, VARIANT_FALSE, VARIANT_TRUE};
use windows::Win32::System::Com::{ITypeLib, TKIND_DISPATCH, TKIND_INTERFACE};
use windows::Win32::System::Ole::{
    DispGetIDsOfNames, IProvideClassInfo, IProvideClassInfo2, LoadTypeLibEx, REGKIND_NONE,
};
use windows_core::{BSTR, HSTRING, Interface, Result, w};

use crate::described::{compare_libraries, describe, is_dual, kind, other_side};

use crate::std_dispatch::{ClockEventMethods, Methods, Typed, std_dispatch_from};
use crate::support::{Clock, Drops, Forwarder, advise, enter_mta, find, lock};
use crate::typelib::atl_source_interface;

/// widl's type library of fixtures/sinks.idl (build.rs), loaded from a file.
fn widl_sinks() -> Result<ITypeLib> {
    static PATH: OnceLock<HSTRING> = OnceLock::new();
    load(&PATH, "sinks", include_bytes!(env!("SINKS_TLB")))
}

/// widl's type library of fixtures/library.idl (build.rs), loaded from a file.
fn widl_library() -> Result<ITypeLib> {
    static PATH: OnceLock<HSTRING> = OnceLock::new();
    load(&PATH, "library", include_bytes!(env!("LIBRARY_TLB")))
}

/// The type library `bytes`, written once to a file of this process's named after `stem`.
fn load(path: &OnceLock<HSTRING>, stem: &str, bytes: &[u8]) -> Result<ITypeLib> {
    let path = path.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("cpgen-{stem}-{}.tlb", std::process::id()));
        std::fs::write(&path, bytes).expect("write the type library");
        HSTRING::from(path.as_os_str())
    });
    // SAFETY: path is a NUL-terminated string that outlives the call.
    unsafe { LoadTypeLibEx(path, REGKIND_NONE) }
}

/// Asserts that the two libraries describe the same types, having compared more than `least`.
fn assert_same_library(widl: &ITypeLib, cpgen: &ITypeLib, least: usize) -> Result<()> {
    let (compared, differences) = compare_libraries(widl, cpgen)?;
    println!("compared {compared} types, {} differ", differences.len());
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert!(compared > least, "compared only {compared} types");
    Ok(())
}

#[test]
fn the_built_library_describes_clock_idl_as_widl_does() -> Result<()> {
    enter_mta()?;
    assert_same_library(&crate::typelib::type_lib()?, &generated::type_library()?, 5)
}

#[test]
fn the_built_library_describes_every_kind_of_source_as_widl_does() -> Result<()> {
    enter_mta()?;
    assert_same_library(&widl_sinks()?, &sinks::type_library()?, 8)
}

#[test]
fn the_built_library_describes_what_else_a_library_holds_as_widl_does() -> Result<()> {
    enter_mta()?;
    assert_same_library(&widl_library()?, &library::type_library()?, 8)
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
