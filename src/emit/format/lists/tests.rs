use std::path::{Path, PathBuf};

use super::*;
use crate::emit::{CrossApartment, Options, generate, generate_within};

/// Every text in pieces, one member a piece, and a refusal an error.
const SMALLEST: Limits = Limits {
    whole: 0,
    chunk: 0,
    strict: true,
};

fn print(text: &str) -> Result<String, Diagnostic> {
    Ok(prettyplease::unparse(
        &syn::parse_file(text).map_err(|e| Diagnostic::new(e.to_string()))?,
    ))
}

/// An array of calls whose names grow a letter at a time, so that one of them is the longest
/// that fits a line with its comma and the next fits only without it.
fn members(count: usize) -> String {
    let mut text = String::from("const MEMBERS: &[Member] = &[\n/*\"elements*/\n");
    for n in 0..count {
        text.push_str(&format!(
            "/*\"-*/\nMember::new(\"{}\", {n}, &[\"first\", \"second\"]),\n",
            "a".repeat(30 + n)
        ));
    }
    text.push_str("/*\"end*/\n];\n");
    text
}

#[test]
fn an_element_is_last_in_a_piece_only_where_it_is_last_in_the_list() {
    // The test can fail: some element prints otherwise as the last than before another.
    let long = "z".repeat(100);
    let differs = (0..40).any(|n| {
        let element = format!(
            "Member::new(\"{}\", {n}, &[\"first\", \"second\"])",
            "a".repeat(30 + n)
        );
        let array = |tail: &str| {
            let text =
                format!("mod m {{ mod m {{ const X: &[M] = &[{long}, {element}{tail}]; }} }}");
            print(&text).unwrap().lines().nth(4).unwrap().to_string()
        };
        array("") != array(", y")
    });
    assert!(differs);
    for count in [20, 40] {
        let text = format!("mod m {{ impl T {{\n{} }} }}\n", members(count));
        let whole = print(&text).unwrap();
        assert_eq!(
            format(&text, ("", ""), &SMALLEST, &print).unwrap().concat(),
            whole
        );
        let pieces = in_pieces(&text, ("", ""), &SMALLEST, &print, 0).unwrap();
        assert_eq!(pieces.map(|p| p.concat()).as_deref(), Some(whole.as_str()));
    }
}

#[test]
fn a_struct_expressions_fields_print_as_whole() {
    // As with elements, some field prints otherwise as the last than before another.
    let field = |n: usize| {
        format!(
            "{}: Member::new(\"first\", \"second\", {n})",
            "f".repeat(30 + n)
        )
    };
    let long = "z".repeat(100);
    let differs = (0..40).any(|n| {
        let value = |tail: &str| {
            let text = format!(
                "mod m {{ mod m {{ const X: V = V {{ {long}: 0, {}{tail} }}; }} }}",
                field(n)
            );
            print(&text).unwrap().lines().nth(4).unwrap().to_string()
        };
        value("") != value(", y: 0")
    });
    assert!(differs);
    let inner = values((0..40).map(field));
    let outer =
        values(std::iter::once(format!("base__: Inner {{{inner}}}")).chain((0..40).map(field)));
    let text = format!("mod m {{ impl T {{ const V: Outer = Outer {{{outer}}}; }} }}\n");
    let whole = print(&text).unwrap();
    let pieces = in_pieces(&text, ("", ""), &SMALLEST, &print, 0).unwrap();
    assert_eq!(pieces.map(|p| p.concat()).as_deref(), Some(whole.as_str()));
}

#[test]
fn items_arms_and_nested_lists_print_as_whole() {
    let mut text = String::from("mod m {\n/*\"items*/\n");
    for n in 0..30 {
        text.push_str(&format!(
            "/*\"-*/\n/// Item {n}.\npub fn f{n}(x: i32) -> i32 {{ match x {{\n/*\"arms*/\n"
        ));
        for arm in 0..8 {
            text.push_str(&format!(
                "/*\"-*/\n{arm} => {{ let value = compute_something_long(x, {arm}, \"{}\"); \
                 value }}\n",
                "b".repeat(arm * 7)
            ));
        }
        text.push_str("/*\"end*/\n_ => 0 } }\n");
    }
    text.push_str("/*\"end*/\n}\n");
    let whole = print(&text).unwrap();
    let pieces = in_pieces(&text, ("", ""), &SMALLEST, &print, 0).unwrap();
    assert_eq!(pieces.map(|p| p.concat()).as_deref(), Some(whole.as_str()));
    let bounded = Limits {
        whole: 2000,
        chunk: 700,
        strict: true,
    };
    assert_eq!(
        format(&text, ("", ""), &bounded, &print).unwrap().concat(),
        whole
    );
}

#[test]
fn unpaired_markers_print_whole_or_are_refused() {
    let text = "mod m {\n/*\"items*/\n/*\"-*/\nfn f() {}\n}\n";
    assert!(lists(text).is_err());
    let lenient = format(text, ("", ""), &LIMITS_NONE, &print).unwrap();
    assert_eq!(lenient.concat(), print(text).unwrap());
    assert!(format(text, ("", ""), &SMALLEST, &print).is_err());
}

#[test]
fn trim_takes_the_frame_off_the_first_and_last_pieces() {
    let mut pieces = vec!["mod m {\n    a\n".to_string(), "    b\n}\n".to_string()];
    assert!(trim(&mut pieces, "mod m {\n", "}\n"));
    assert_eq!(pieces, ["    a\n", "    b\n"]);
    let mut only = vec!["mod m {\n}\n".to_string()];
    assert!(trim(&mut only, "mod m {\n", "}\n"));
    assert_eq!(only, [""]);
    assert!(!trim(&mut ["mod m {}\n".to_string()], "mod m {\n", "}\n"));
    assert!(!trim(&mut Vec::new(), "", ""));
}

/// Every text given to [`in_pieces`], leniently.
const LIMITS_NONE: Limits = Limits {
    whole: 0,
    chunk: 0,
    strict: false,
};

#[test]
fn text_from_the_input_makes_no_marker() {
    let dir = tempfile::tempdir().unwrap();
    let idl = dir.path().join("t.idl");
    // A marker is a line of its own with a `"`: IDL strings hold no `"`, and a helpstring
    // becomes one line of doc comment with `*` escaped.
    let mut text = String::from(
        "import \"oaidl.idl\";\n\
         [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8), helpstring(\"*/ end\")] library L {\n\
         [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9), helpstring(\"/*-*/\")]\n\
         dispinterface E { properties: methods:\n",
    );
    for n in 0..40 {
        text.push_str(&format!(
            "[id({n}), helpstring(\"/*items*/\")] \
             void Event{n}([in, defaultvalue(\"/*end*/\")] BSTR a);\n"
        ));
    }
    text.push_str(
        "}; [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] \
         coclass C { [default, source] dispinterface E; }; };\n",
    );
    std::fs::write(&idl, text).unwrap();
    let model =
        crate::load(&idl, &Default::default()).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    let options = Options {
        module: "t_idl".into(),
        ..Options::default()
    };
    let whole = generate(&model, &options).unwrap().code;
    assert_eq!(
        generate_within(&model, &options, &SMALLEST).unwrap().code,
        whole
    );
}

#[test]
fn a_vtable_sources_sink_prints_the_same_in_pieces() {
    let dir = tempfile::tempdir().unwrap();
    let idl = dir.path().join("t.idl");
    let mut text = String::from(
        "import \"oaidl.idl\";\n\
         [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8)] library L {\n\
         [object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] interface IBase : IUnknown {\n",
    );
    for n in 0..30 {
        text.push_str(&format!(
            "HRESULT BaseEventWithALongName{n}([in] long a);\n"
        ));
    }
    text.push_str(
        "};\n[object, uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] interface IEvents : IBase {\n",
    );
    for n in 0..40 {
        text.push_str(&format!("HRESULT Event{}([in] long a);\n", "x".repeat(n)));
    }
    text.push_str(
        "}; [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7eb)] \
         coclass C { [default, source] interface IEvents; }; };\n",
    );
    std::fs::write(&idl, text).unwrap();
    let model =
        crate::load(&idl, &Default::default()).unwrap_or_else(|e| panic!("{}", e.render_plain()));
    let options = Options {
        module: "t_idl".into(),
        ..Options::default()
    };
    let whole = generate(&model, &options).unwrap().code;
    assert!(
        whole.contains("Eventxxxxxxxxxx: Self::Eventxxxxxxxxxx,"),
        "{whole}"
    );
    assert_eq!(
        generate_within(&model, &options, &SMALLEST).unwrap().code,
        whole
    );
}

/// The fixtures, the real-world corpus and some of Wine's IDL (when installed).
fn corpus() -> Vec<(PathBuf, Vec<PathBuf>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<(PathBuf, Vec<PathBuf>)> = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if dir.ends_with("fixtures") && !path.ends_with("realworld") {
                    continue;
                }
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "idl") {
                files.push((path, Vec::new()));
            }
        }
    }
    let wine = Path::new("/usr/include/wine/wine/windows");
    if wine.is_dir() {
        for name in ["exdisp", "shldisp", "wmp"] {
            let includes = vec![wine.to_path_buf(), wine.parent().unwrap().to_path_buf()];
            files.push((wine.join(format!("{name}.idl")), includes));
        }
    }
    files.sort();
    files
}

#[test]
fn generated_files_print_the_same_in_the_smallest_pieces() {
    let mut compared = 0;
    for (path, include_dirs) in corpus() {
        let mut load = crate::model::Options::default();
        load.preprocess.include_dirs = include_dirs;
        let Ok(model) = crate::load(&path, &load) else {
            continue;
        };
        for (cross_apartment, property_notify) in [
            (CrossApartment::None, false),
            (CrossApartment::All, false),
            (CrossApartment::None, true),
        ] {
            let options = Options {
                module: "t_idl".into(),
                cross_apartment,
                property_notify,
                ..Options::default()
            };
            let Ok(whole) = generate(&model, &options) else {
                continue;
            };
            let pieces = generate_within(&model, &options, &SMALLEST)
                .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render_plain()));
            assert!(
                pieces.code == whole.code,
                "{} prints otherwise in pieces",
                path.display()
            );
            compared += 1;
        }
    }
    assert!(compared >= 60, "{compared} files compared");
}
