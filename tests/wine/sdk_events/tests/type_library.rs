//! The type libraries cpgen's output builds at run time for five of Wine's SDK IDL files: each
//! builds (oleaut32 lays out every coclass, source interface and type they use), and a script
//! host finds events by name in them, at the DISPIDs the IDL gives.
#![deny(warnings)]

use cpgen_sdk_events::{exdisp, mshtml, msxml6, shldisp, wmp};
use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx, ITypeLib};
use windows::Win32::System::Ole::DispGetIDsOfNames;
use windows::Win32::System::Ole::{LoadTypeLibEx, REGKIND_NONE};
use windows_core::{GUID, HSTRING, PCWSTR, Result, w};

/// How clock_events' tests read and compare type libraries, shared rather than copied.
#[allow(dead_code)]
#[path = "../../clock_events/tests/clock/described.rs"]
mod described;

fn enter_mta() {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }
        .ok()
        .unwrap();
}

/// The DISPID `library` gives event `name` of the interface `iid`.
fn dispid(library: &ITypeLib, iid: GUID, name: PCWSTR) -> Result<i32> {
    let mut id = 0;
    // SAFETY: the GUID outlives the call; one name in, one id out.
    unsafe {
        let info = library.GetTypeInfoOfGuid(&iid)?;
        DispGetIDsOfNames(&info, &name, 1, &mut id)?;
    }
    Ok(id)
}

#[test]
fn every_sdk_library_builds_and_names_its_events() -> Result<()> {
    enter_mta();
    let exdisp = exdisp::type_library()?;
    assert_eq!(
        dispid(
            &exdisp,
            exdisp::DIID_DWebBrowserEvents2,
            w!("BeforeNavigate2")
        )?,
        250
    );
    let mshtml = mshtml::type_library()?;
    assert_eq!(
        dispid(&mshtml, mshtml::DIID_HTMLDocumentEvents2, w!("onclick"))?,
        -600
    );
    let msxml6 = msxml6::type_library()?;
    assert_eq!(
        dispid(
            &msxml6,
            msxml6::DIID_XMLDOMDocumentEvents,
            w!("onreadystatechange")
        )?,
        -609
    );
    let shldisp = shldisp::type_library()?;
    assert_eq!(
        dispid(
            &shldisp,
            shldisp::DIID_DShellFolderViewEvents,
            w!("SelectionChanged")
        )?,
        200
    );
    // wmp's source interface has no events of its own, but the library builds.
    let wmp = wmp::type_library()?;
    // SAFETY: the GUID outlives the call.
    unsafe { wmp.GetTypeInfoOfGuid(&wmp::IID__WMPOCXEvents)? };
    Ok(())
}

/// widl's type library of Wine's `<name>.idl` (build.rs), loaded from a file of this process's.
fn widl(name: &str, bytes: &[u8]) -> Result<ITypeLib> {
    let path = std::env::temp_dir().join(format!("cpgen-sdk-{name}-{}.tlb", std::process::id()));
    std::fs::write(&path, bytes).expect("write the type library");
    // SAFETY: the path outlives the call.
    unsafe { LoadTypeLibEx(&HSTRING::from(path.as_os_str()), REGKIND_NONE) }
}

/// Compares the built library with widl's, printing and returning what differs.
fn compare(name: &str, widl: &ITypeLib, built: &ITypeLib) -> Result<(usize, Vec<String>)> {
    let (compared, differences) = described::compare_libraries(widl, built)?;
    println!("{name}: compared {compared} types, {} differ", differences.len());
    for difference in &differences {
        println!("{name}: {difference}");
    }
    Ok((compared, differences))
}

#[test]
fn the_built_libraries_describe_the_sdk_files_as_widl_does() -> Result<()> {
    enter_mta();
    let mut all = Vec::new();
    for (name, ours, theirs) in [
        ("exdisp", exdisp::type_library()?, include_bytes!(env!("EXDISP_TLB")).as_slice()),
        ("msxml6", msxml6::type_library()?, include_bytes!(env!("MSXML6_TLB")).as_slice()),
        ("shldisp", shldisp::type_library()?, include_bytes!(env!("SHLDISP_TLB")).as_slice()),
        ("wmp", wmp::type_library()?, include_bytes!(env!("WMP_TLB")).as_slice()),
        ("mshtml", mshtml::type_library()?, include_bytes!(env!("MSHTML_TLB")).as_slice()),
    ] {
        let (compared, differences) = compare(name, &widl(name, theirs)?, &ours)?;
        assert!(compared > 10, "{name}: compared only {compared} types");
        all.extend(differences.into_iter().map(|d| format!("{name}: {d}")));
    }
    assert!(all.is_empty(), "{} differences", all.len());
    Ok(())
}
