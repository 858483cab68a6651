//! Reading Wine's IDL text without a parser: which files have `[source]`
//! coclass members, which types a file defines, and the importlib patch that
//! keeps widl 8 from crashing.

use std::collections::HashSet;

/// The identifiers and punctuation of preprocessed IDL, with their byte
/// offsets; string literals are skipped, so quoted text cannot look like code.
pub fn tokens(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push((start, &text[start..i]));
            continue;
        }
        i += 1;
        if b == b'"' {
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
        } else if b.is_ascii_punctuation() {
            out.push((start, &text[start..i]));
        }
    }
    out
}

/// Whether some coclass body has a member whose attributes include `source`.
pub fn has_source_member(tokens: &[&str]) -> bool {
    tokens.windows(3).enumerate().any(|(i, w)| {
        w[0] == "coclass" && w[2] == "{" && {
            let body = &tokens[i + 3..];
            let body = &body[..body.iter().position(|&t| t == "}").unwrap_or(body.len())];
            body.split(|&t| t == "]")
                .any(|attrs| attrs.contains(&"[") && attrs.contains(&"source"))
        }
    })
}

/// Case-folded names of the interfaces, dispinterfaces and coclasses the text
/// defines (a body or a base follows the name; `interface X;` only refers to one).
pub fn definitions(tokens: &[&str]) -> HashSet<String> {
    tokens
        .windows(3)
        .filter(|w| {
            matches!(w[0], "interface" | "dispinterface" | "coclass") && matches!(w[2], "{" | ":")
        })
        .map(|w| w[1].to_ascii_lowercase())
        .collect()
}

/// `source` with `importlib("stdole2.tlb");` added at the start of its
/// library block, or `None` when it already imports a library (or has none).
pub fn with_stdole2_import(source: &str) -> Option<String> {
    let tokens = tokens(source);
    if tokens.iter().any(|&(_, t)| t == "importlib") {
        return None;
    }
    let open = tokens
        .windows(3)
        .find(|w| w[0].1 == "library" && w[2].1 == "{")?[2]
        .0;
    Some(format!(
        "{}\nimportlib(\"stdole2.tlb\");\n{}",
        &source[..=open],
        &source[open + 1..]
    ))
}

#[test]
fn scanner_finds_source_members_and_definitions() {
    let text = r#"
        cpp_quote("coclass Fake { [source] interface IFake; }")
        interface IFwd;
        [uuid(1)] dispinterface DEvents { properties: methods: };
        interface IThing : IUnknown { };
        coclass Plain { [default] interface IThing; };
        coclass Events { [default] interface IThing; [default, source] dispinterface DEvents; };
    "#;
    let toks: Vec<&str> = tokens(text).into_iter().map(|(_, t)| t).collect();
    assert!(has_source_member(&toks));
    let defined = definitions(&toks);
    let mut defined: Vec<&str> = defined.iter().map(String::as_str).collect();
    defined.sort();
    assert_eq!(defined, ["devents", "events", "ithing", "plain"]);

    let plain: Vec<&str> = tokens("coclass P { [default] interface I; }; [source] interface J;")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert!(!has_source_member(&plain));
}

#[test]
fn stdole2_import_is_added_only_when_missing() {
    let patched = with_stdole2_import("/* library X */\nlibrary Lib\n{\n coclass C {}; }").unwrap();
    assert_eq!(
        patched,
        "/* library X */\nlibrary Lib\n{\nimportlib(\"stdole2.tlb\");\n\n coclass C {}; }"
    );
    assert_eq!(
        with_stdole2_import("library Lib { importlib(\"stdole32.tlb\"); }"),
        None
    );
    assert_eq!(with_stdole2_import("interface I : IUnknown {}"), None);
}
