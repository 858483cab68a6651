//! cpgen's built-in SDK files (used when an import is found nowhere) must say what the SDK says:
//! every interface they declare has the uuid, base and methods of Wine's file of the same name,
//! and every typedef they declare exists there too.

mod common;

use std::path::Path;

use cpgen::model::Options;

const IMPORTS: &str = "import \"wtypes.idl\"; import \"unknwn.idl\"; import \"objidl.idl\";
import \"oaidl.idl\"; import \"ocidl.idl\";";

fn load(include_dirs: Vec<std::path::PathBuf>) -> cpgen::Model {
    let dir = tempfile::tempdir().unwrap();
    let idl = dir.path().join("imports.idl");
    std::fs::write(&idl, IMPORTS).unwrap();
    let mut options = Options::default();
    options.preprocess.include_dirs = include_dirs;
    cpgen::load(&idl, &options).unwrap_or_else(|e| panic!("{}", e.render_plain()))
}

#[test]
fn builtin_sdk_agrees_with_wines() {
    let builtin = load(Vec::new());
    assert!(
        builtin.files[1..]
            .iter()
            .all(|f| f.starts_with("<cpgen built-in SDK>")),
        "the built-in files should be used when nothing is on the search path: {:?}",
        builtin.files
    );
    assert!(builtin.interface("IConnectionPoint").is_some());
    let Some(wine) = common::wine_or_skip("builtin_sdk_agrees_with_wines") else {
        return;
    };
    let real = load(vec![wine.idl_dir.clone(), wine.idl_dir.join("..")]);
    let mut checked = 0;
    for ours in &builtin.interfaces {
        let theirs = real
            .interface(&ours.name)
            .unwrap_or_else(|| panic!("Wine's SDK has no interface {}", ours.name));
        assert_eq!(ours.uuid, theirs.uuid, "{}", ours.name);
        assert_eq!(ours.base, theirs.base, "{}", ours.name);
        let names = |i: &cpgen::model::Interface| -> Vec<String> {
            // [call_as] methods are wire forms, not vtable entries.
            i.methods
                .iter()
                .filter(|m| m.call_as.is_none())
                .map(|m| m.name.clone())
                .collect()
        };
        assert_eq!(names(ours), names(theirs), "{}", ours.name);
        checked += 1;
    }
    for typedef in &builtin.typedefs {
        assert!(
            real.typedefs.iter().any(|t| t.name == typedef.name),
            "Wine's SDK has no typedef {}",
            typedef.name
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} declarations checked");
}

/// `#define DISPID_NAME value` lines of a header, as (name, value).
fn dispids(text: &str) -> Vec<(String, i64)> {
    text.lines()
        .filter_map(|l| {
            let mut words = l.strip_prefix("#define DISPID_")?.split_whitespace();
            let name = words.next()?.to_string();
            let value = words.next()?.trim_matches(['(', ')']).parse().ok()?;
            Some((name, value))
        })
        .collect()
}

#[test]
fn builtin_olectl_and_idispids_have_wines_dispids() {
    let Some(wine) = common::wine_or_skip("builtin_olectl_and_idispids_have_wines_dispids") else {
        return;
    };
    let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/builtin_idl");
    for header in ["olectl.h", "idispids.h"] {
        let ours = dispids(&std::fs::read_to_string(builtin.join(header)).unwrap());
        let theirs = dispids(&std::fs::read_to_string(wine.idl_dir.join(header)).unwrap());
        assert!(!theirs.is_empty(), "no DISPID in Wine's {header}");
        for (name, value) in &theirs {
            assert_eq!(
                ours.iter().find(|(n, _)| n == name).map(|(_, v)| v),
                Some(value),
                "{header}: DISPID_{name}"
            );
        }
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{header}: DISPIDs Wine's file lacks"
        );
    }
}
