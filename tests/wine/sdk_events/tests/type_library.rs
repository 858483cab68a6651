//! The type libraries cpgen's output builds at run time for five of Wine's SDK IDL files: each
//! builds (oleaut32 lays out every type of the library block), a script host finds events by
//! name in them, at the DISPIDs the IDL gives, and each holds every type widl's type library of
//! the same file holds, with the same name, kind, GUID and implemented interfaces (the test
//! prints how each type differs in full, for the README's list of known differences).
#![deny(warnings)]

use cpgen_sdk_events::{exdisp, mshtml, msxml6, shldisp, wmp};
use windows::Win32::Foundation::E_UNEXPECTED;
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

/// Compares the built library with widl's, printing what differs in full, and returning the
/// differences in the parts every type must share: name, kind, GUID and implemented interfaces
/// (with their flags).
fn compare(name: &str, widl: &ITypeLib, built: &ITypeLib) -> Result<(usize, Vec<String>)> {
    let (compared, differences) = described::compare_libraries(widl, built)?;
    println!(
        "{name}: compared {compared} types in full, {} differ",
        differences.len()
    );
    for difference in &differences {
        println!("{name}: {difference}");
    }
    let mut structural = Vec::new();
    // SAFETY: plain COM calls.
    for index in 0..unsafe { widl.GetTypeInfoCount() } {
        let expected = described::describe(&unsafe { widl.GetTypeInfo(index)? })?;
        let found = if expected.guid == GUID::zeroed() {
            None
        } else {
            // SAFETY: the GUID outlives the call.
            unsafe { built.GetTypeInfoOfGuid(&expected.guid) }.ok()
        };
        let Some(found) = found else {
            // widl copies IUnknown into a library whose block names it; the built library
            // refers to stdole2's, as it does for every IUnknown and IDispatch.
            if expected.guid != GUID::zeroed() && expected.name != "iunknown" {
                structural.push(format!("{} is missing", expected.name));
            }
            continue;
        };
        let actual = described::describe(&found)?;
        let dual = |d: &described::Described| d.flags & 0x40 != 0;
        // A dual compares by either side's kind (oleaut32 hands out a loaded library's dual by
        // its dispatch side, a built one's by its interface side).
        let kind_matches = actual.kind == expected.kind || (dual(&actual) && dual(&expected));
        if actual.name != expected.name
            || !kind_matches
            || (!dual(&expected) && actual.implements != expected.implements)
        {
            structural.push(format!("{}: {expected:?} / {actual:?}", expected.name));
        }
    }
    println!("{name}: {} structural differences", structural.len());
    Ok((compared, structural))
}

#[test]
fn the_built_libraries_hold_every_type_of_the_sdk_files_as_widl_does() -> Result<()> {
    enter_mta();
    let mut all = Vec::new();
    type Build = fn() -> Result<ITypeLib>;
    let libraries: [(&str, Build, &[u8]); 5] = [
        (
            "exdisp",
            exdisp::type_library,
            include_bytes!(env!("EXDISP_TLB")),
        ),
        (
            "msxml6",
            msxml6::type_library,
            include_bytes!(env!("MSXML6_TLB")),
        ),
        (
            "shldisp",
            shldisp::type_library,
            include_bytes!(env!("SHLDISP_TLB")),
        ),
        ("wmp", wmp::type_library, include_bytes!(env!("WMP_TLB"))),
        (
            "mshtml",
            mshtml::type_library,
            include_bytes!(env!("MSHTML_TLB")),
        ),
    ];
    for (name, build, theirs) in libraries {
        let ours = build().unwrap_or_else(|e| panic!("{name} does not build: {e:?}"));
        let (compared, differences) = compare(name, &widl(name, theirs)?, &ours)?;
        assert!(compared > 10, "{name}: compared only {compared} types");
        all.extend(differences.into_iter().map(|d| format!("{name}: {d}")));
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
    Ok(())
}

#[test]
fn the_built_sdk_libraries_save_to_files_that_read_back_the_same() -> Result<()> {
    enter_mta();
    type Save = fn(&std::path::Path) -> Result<()>;
    type Build = fn() -> Result<ITypeLib>;
    let libraries: [(&str, Save, Build); 4] = [
        ("exdisp", exdisp::save_type_library, exdisp::type_library),
        ("msxml6", msxml6::save_type_library, msxml6::type_library),
        ("shldisp", shldisp::save_type_library, shldisp::type_library),
        ("wmp", wmp::save_type_library, wmp::type_library),
    ];
    for (name, save, build) in libraries {
        let path =
            std::env::temp_dir().join(format!("cpgen-saved-{name}-{}.tlb", std::process::id()));
        save(&path).unwrap_or_else(|e| panic!("{name}: SaveAllChanges: {e:?}"));
        // SAFETY: the path outlives the call.
        let saved = unsafe { LoadTypeLibEx(&HSTRING::from(path.as_os_str()), REGKIND_NONE) }
            .unwrap_or_else(|e| panic!("{name}: LoadTypeLibEx: {e:?}"));
        let (compared, differences) = described::compare_libraries(&saved, &build()?)?;
        println!(
            "{name}: saved and built, {compared} types compared, {} differ",
            differences.len()
        );
        // Wine 8's SaveAllChanges writes a VT_BOOL default of VARIANT_TRUE (-1) as 255, which
        // is what the file then reads back (msxml6's `pushNodeContext([defaultvalue(-1)]
        // VARIANT_BOOL fDeep)`); any other difference fails.
        let unexplained: Vec<&String> = differences
            .iter()
            .filter(|d| {
                let mut lines = d.lines().skip(1);
                let (saved, built) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
                saved
                    .get(7..)
                    .map(|s| s.replace("\"vt11 255\"", "\"vt11 -1\""))
                    != built.get(7..).map(str::to_string)
            })
            .collect();
        assert!(unexplained.is_empty(), "{name}: {unexplained:?}");
        std::fs::remove_file(&path).expect("remove the saved library");
    }
    // Wine 8's SaveAllChanges gives up on mshtml's library (579 types, which it builds and
    // describes in memory): E_UNEXPECTED, and no file to register.
    let path = std::env::temp_dir().join(format!("cpgen-saved-mshtml-{}.tlb", std::process::id()));
    let refused = mshtml::save_type_library(&path).unwrap_err();
    assert_eq!(refused.code(), E_UNEXPECTED);
    let _ = std::fs::remove_file(&path);
    Ok(())
}
