//! The type libraries cpgen's output builds at run time for five of Wine's SDK IDL files: each
//! builds (oleaut32 lays out every coclass, source interface and type they use), and a script
//! host finds events by name in them, at the DISPIDs the IDL gives.
#![deny(warnings)]

use cpgen_sdk_events::{exdisp, mshtml, msxml6, shldisp, wmp};
use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx, ITypeLib};
use windows::Win32::System::Ole::DispGetIDsOfNames;
use windows_core::{GUID, PCWSTR, Result, w};

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
