//! The grammar on the constructs real MIDL files use, and on what must be refused.

use super::ast::*;
use crate::preprocess::Output;
use crate::source::{LineMap, Loc, SourceSet};

fn parse(text: &str) -> Result<Vec<Statement>, crate::Diagnostic> {
    let mut sources = SourceSet::new();
    let file = sources.add("t.idl".into(), text.to_string(), None);
    let mut map = LineMap::default();
    map.copied(0, Loc { file, offset: 0 });
    let output = Output {
        text: text.to_string(),
        map,
        files: vec![file],
        included_at: Vec::new(),
    };
    super::parse(&sources, &output)
}

fn definitions(text: &str) -> Vec<Definition> {
    parse(text)
        .unwrap_or_else(|e| panic!("{}", e.render_plain()))
        .into_iter()
        .filter_map(|s| match s {
            Statement::Definition(d) => Some(d),
            _ => None,
        })
        .collect()
}

fn only(text: &str) -> Definition {
    let mut all = definitions(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.remove(0)
}

#[test]
fn import_lists_importlib_cpp_quote_and_pragmas() {
    let statements = parse(
        r##"import "oaidl.idl", "ocidl.idl";
           cpp_quote("#define X \"y\"")
           midl_pragma warning( disable : 2111 2112 )
           library L { importlib("stdole2.tlb"); };"##,
    )
    .unwrap();
    assert!(
        matches!(&statements[0], Statement::Import(names) if names.len() == 2 && names[1].text == "ocidl.idl")
    );
    assert!(matches!(&statements[1], Statement::CppQuote(s) if s == "#define X \"y\""));
    let Statement::Definition(Definition {
        kind: DefinitionKind::Library { body, .. },
        ..
    }) = &statements[2]
    else {
        panic!("{statements:#?}")
    };
    assert!(matches!(&body[0], Statement::ImportLib(n) if n.text == "stdole2.tlb"));
}

#[test]
fn interface_with_attributes_base_and_methods() {
    let d = only(
        r#"[object, uuid(8856F961-340A-11D0-A96B-00C04FD705A2), dual, helpstring("A \"b\"")]
           interface IFoo : IDispatch {
               [propget, id(0xfffffdd8)] HRESULT Value([out, retval] VARIANT_BOOL *p);
               HRESULT Put([in, defaultvalue((VARIANT_BOOL)0)] VARIANT_BOOL b, [in] long in, [in] BSTR event);
               HRESULT Get([out, size_is(*pcb)] BYTE *buf, [in, out] ULONG *pcb);
               HRESULT Arr([in] SAFEARRAY(BSTR) names, [out] SAFEARRAY(VARIANT) *values);
           }"#,
    );
    assert_eq!(d.attrs.len(), 4);
    assert!(
        matches!(&d.attrs[1].args[0], AttrArg::Uuid(u) if u == "8856f961-340a-11d0-a96b-00c04fd705a2")
    );
    let DefinitionKind::Interface { name, base, body } = &d.kind else {
        panic!()
    };
    assert_eq!(name.text, "IFoo");
    assert_eq!(base.as_ref().unwrap().text, "IDispatch");
    assert_eq!(body.len(), 4);
    let Statement::Definition(Definition {
        kind: DefinitionKind::Declaration { declarators, .. },
        ..
    }) = &body[1]
    else {
        panic!()
    };
    let params = declarators[0].declarator.function_params().unwrap();
    let names: Vec<_> = params
        .iter()
        .map(|p| p.declarator.name.as_ref().unwrap().text.as_str())
        .collect();
    assert_eq!(names, ["b", "in", "event"]);
    let AttrArg::Expr(Expr {
        kind: ExprKind::Cast(..),
        ..
    }) = &params[0].attrs[1].args[0]
    else {
        panic!("{:?}", params[0].attrs[1])
    };
}

#[test]
fn dispinterface_in_both_forms_and_coclass_members() {
    let all = definitions(
        r#"[uuid(34a715a0-6587-11d0-924a-0020afc7ac4d)]
           dispinterface DEvents {
               properties:
                   [id(1)] long Count;
               methods:
                   [id(102)] void StatusTextChange([in] BSTR Text);
                   [id(0x10)] void Other();
           };
           dispinterface DOf { interface IFoo; };
           [uuid(8856f961-340a-11d0-a96b-00c04fd705a2)]
           coclass C {
               [default] interface IFoo;
               [default, source] dispinterface DEvents;
               [source, restricted] interface ISink;
           };
           interface IFwd; dispinterface DFwd; coclass CFwd;"#,
    );
    let DefinitionKind::DispInterface {
        body: DispBody::Members {
            properties,
            methods,
        },
        ..
    } = &all[0].kind
    else {
        panic!()
    };
    assert_eq!((properties.len(), methods.len()), (1, 2));
    assert!(
        matches!(&all[1].kind, DefinitionKind::DispInterface { body: DispBody::Interface(n), .. } if n.text == "IFoo")
    );
    let DefinitionKind::Coclass { members, .. } = &all[2].kind else {
        panic!()
    };
    assert!(members[1].dispinterface && members[1].attrs.len() == 2);
    assert!(matches!(all[3].kind, DefinitionKind::InterfaceRef(_)));
    assert!(matches!(all[4].kind, DefinitionKind::DispInterfaceRef(_)));
    assert!(matches!(all[5].kind, DefinitionKind::CoclassRef(_)));
}

#[test]
fn typedefs_of_every_shape() {
    let all = definitions(
        r#"typedef [v1_enum] enum tagE { A = 1 << 2, B, C = A | B, } E;
           typedef struct tagS { long a; [size_is(a)] BYTE *b; struct { int x : 3; } inner; } S, *PS;
           typedef [switch_type(DWORD)] union U { [case(1)] long l; [case(2, 3)] double d; [default] ; } U;
           typedef union switch (DWORD tyspec) u { case 1: long a; case 2: case 3: BSTR b; default: ; } ENC;
           typedef HRESULT (__stdcall *PFN)(void *ctx, [in] int n);
           typedef unsigned long long ULL;
           typedef const WCHAR *LPCWSTR;
           typedef BYTE GUIDBYTES[16];
           typedef SAFEARRAY *LPSAFEARRAY;
           typedef struct tagSAFEARRAY { USHORT cDims; SAFEARRAYBOUND rgsabound[]; } SAFEARRAY;
           const unsigned long MAX = 0x10UL;
           const WCHAR NAME[] = L"name";"#,
    );
    assert_eq!(all.len(), 12);
    let DefinitionKind::Typedef { declarators, .. } = &all[4].kind else {
        panic!()
    };
    assert!(matches!(
        declarators[0].derived.as_slice(),
        [Derived::Pointer { .. }, Derived::Function(params)] if params.len() == 2
    ));
    let DefinitionKind::Typedef { spec, .. } = &all[5].kind else {
        panic!()
    };
    assert_eq!(spec.ty, TypeSpec::Int("unsigned long long".into()));
    let DefinitionKind::Typedef { spec, .. } = &all[6].kind else {
        panic!()
    };
    assert!(spec.is_const);
}

#[test]
fn attribute_arguments_of_any_shape() {
    let d = only(
        r#"[custom(0F21F359-AB84-41e8-9A78-36D110E6D2F9, "x.y"), endpoint("a", "b"),
            transmit_as(unsigned long), threading(both), version(1.0), switch_is(p->tag)]
           interface I { }"#,
    );
    let names: Vec<_> = d.attrs.iter().map(|a| a.name.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "custom",
            "endpoint",
            "transmit_as",
            "threading",
            "version",
            "switch_is"
        ]
    );
    assert!(matches!(&d.attrs[0].args[0], AttrArg::Uuid(_)));
    assert!(
        matches!(&d.attrs[2].args[0], AttrArg::Type(_)),
        "{:?}",
        d.attrs[2]
    );
}

#[test]
fn modules_and_declarations() {
    let d = only(
        r#"[dllname("x.dll")] module M {
               [entry("F")] HRESULT __stdcall F([in] int a);
               const int K = -1;
           };"#,
    );
    assert!(matches!(d.kind, DefinitionKind::Module { ref body, .. } if body.len() == 2));
}

#[test]
fn winrt_is_recognised_at_its_first_construct() {
    let statements =
        parse("import \"x.idl\";\nnamespace Windows.Foo { runtimeclass X {} }").unwrap();
    assert!(matches!(
        &statements[1],
        Statement::Definition(Definition { kind: DefinitionKind::WinRt(w), .. }) if w == "namespace"
    ));
}

#[test]
fn syntax_errors_name_place_and_expectation() {
    let error = parse("interface I {\n  HRESULT F([in] long x)\n}").unwrap_err();
    assert_eq!(error.location(), Some("t.idl:3:1"));
    assert!(error.message().contains("expected"), "{}", error.message());
    assert!(error.message().contains("found `}`"), "{}", error.message());

    let error = parse("[uuid(1)] coclass C { interface ; };").unwrap_err();
    assert_eq!(error.location(), Some("t.idl:1:33"));
}

#[test]
fn too_large_literal_is_an_error_not_a_panic() {
    let error = parse("const int X = 0x1FFFFFFFFFFFFFFFFF;").unwrap_err();
    assert!(error.message().contains("64 bits"));
}

#[test]
fn no_input_makes_it_panic() {
    for text in [
        "",
        "[",
        "((((((((((((((((((((",
        "interface",
        "typedef struct {",
        "\u{0}\u{ff}\u{feff}",
        "const int x = 'a",
        "coclass C { [default interface I; }",
        &"(".repeat(5000),
        &"[a(".repeat(2000),
    ] {
        let _ = parse(text);
    }
}
