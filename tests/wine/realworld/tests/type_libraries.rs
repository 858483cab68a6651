//! Every real-world file's built type library (`type_library()`, the whole library block
//! described in full) builds under Wine's oleaut32, and holds its coclasses.

use windows::Win32::System::Com::{COINIT_MULTITHREADED, CoInitializeEx, ITypeLib, TKIND_COCLASS};
use windows_core::Result;

use cpgen_realworld::*;

type Build = fn() -> Result<ITypeLib>;

/// `(module, type_library)` for every generated file that has one (build.rs).
const LIBRARIES: &[(&str, Build)] = include!(concat!(env!("OUT_DIR"), "/libraries.rs"));

#[test]
fn every_built_type_library_builds() -> Result<()> {
    // SAFETY: plain COM initialisation of the test's thread.
    unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
    assert!(LIBRARIES.len() > 10, "only {} libraries", LIBRARIES.len());
    let mut failed = Vec::new();
    for (module, build) in LIBRARIES {
        match build() {
            Ok(library) => {
                // SAFETY: plain COM calls; each TYPEATTR is released once read.
                let (types, coclasses) = unsafe {
                    let count = library.GetTypeInfoCount();
                    let mut coclasses = 0;
                    for index in 0..count {
                        let info = library.GetTypeInfo(index)?;
                        let attr = info.GetTypeAttr()?;
                        coclasses += usize::from((*attr).typekind == TKIND_COCLASS);
                        info.ReleaseTypeAttr(attr);
                    }
                    (count, coclasses)
                };
                println!("{module}: {types} types, {coclasses} coclasses");
                assert!(coclasses > 0, "{module}: no coclass");
            }
            Err(error) => failed.push(format!("{module}: {error:?}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    Ok(())
}
