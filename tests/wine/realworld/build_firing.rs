//! Writes `$OUT_DIR/firing.rs`: for every source dispinterface of every connectable coclass of
//! a corpus file, a test that advises a recording sink and fires every event once, then checks
//! what arrived against a type library: widl's, built from the same file at build time when widl
//! compiles it, else the one cpgen generates from the model (`type_library()`), and that what
//! the sink wrote through by-reference arguments came back; for every vtable source interface, a
//! test that fires every event into a sink recording which slot each reached.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Where Wine keeps the IDL files and `stdole2.tlb` widl needs.
const WINE_IDL_DIR: &str = "/usr/include/wine/wine/windows";
const STDOLE2_DIR: &str = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows";

/// The tests for `idl`, whose generated code is module `module`.
pub fn tests(cpgen: &Path, idl: &Path, module: &str, out: &Path) -> String {
    let inspect = Command::new(cpgen)
        .args(["inspect", "--json"])
        .arg(idl)
        .output()
        .expect("run cpgen inspect");
    assert!(inspect.status.success(), "cpgen inspect {}", idl.display());
    let model: Value = serde_json::from_slice(&inspect.stdout).expect("inspect's JSON");
    let library = match widl_type_library(idl, module, out) {
        Some(tlb) => format!("Oracle::Widl(include_bytes!({tlb:?}))"),
        None => format!("Oracle::Model({module}::type_library)"),
    };
    let interfaces = model["interfaces"].as_array().expect("interfaces");
    let mut code = String::new();
    // Events take the file's enums by value.
    for item in model["enums"].as_array().expect("enums") {
        let name = item["name"].as_str().expect("a name");
        writeln!(
            code,
            "impl support::Arg for {module}::{name} {{ fn arg() -> Self {{ Self::default() }} }}"
        )
        .unwrap();
    }
    for coclass in model["coclasses"].as_array().expect("coclasses") {
        let coclass_name = coclass["name"].as_str().expect("a name");
        for member in coclass["members"].as_array().expect("members") {
            if member["source"] != true {
                continue;
            }
            let name = member["name"].as_str().expect("a name");
            let Some(interface) = interfaces.iter().find(|i| i["name"] == name) else {
                continue; // the windows crate's own (e.g. DWebBrowserEvents2)
            };
            let test = format!("{module}__{coclass_name}__{name}").to_lowercase();
            if interface["kind"] != "dispinterface" {
                code.push_str(&vtable_test(
                    &module_names(module, coclass_name, name),
                    interfaces,
                    interface,
                    &test,
                ));
                continue;
            }
            let mut fires = String::new();
            let mut expected = String::new();
            for method in interface["methods"].as_array().expect("methods") {
                let params = method["params"].as_array().expect("params").len();
                let args = vec!["arg()"; params].join(", ");
                let event = method["name"].as_str().expect("a name");
                writeln!(fires, "points.{name}.Fire_{event}({args})?;").unwrap();
                writeln!(expected, "({}, {params}),", method["dispid"]).unwrap();
            }
            writeln!(
                code,
                "#[windows_core::implement({module}::{name})]
struct Recorder_{test}(support::Calls);
impl {module}::{name}_Impl for Recorder_{test}_Impl {{}}
recording_dispatch!(Recorder_{test}_Impl);
#[test]
fn fire_{test}() -> Result<()> {{
    let points = {module}::{coclass_name}ConnectionPoints::new();
    let calls = support::Calls::default();
    let sink: {module}::{name} = Recorder_{test}(calls.clone()).into();
    let point = points.find_connection_point(&container(), &{module}::DIID_{name})?;
    // SAFETY: a live sink.
    let cookie = unsafe {{ point.Advise(&sink)? }};
    {fires}
    // SAFETY: the cookie Advise returned.
    unsafe {{ point.Unadvise(cookie)? }};
    check({library}, &{module}::DIID_{name}, &calls.lock().unwrap(), &[{expected}], \"{test}\")
}}"
            )
            .unwrap();
        }
    }
    code
}

/// The generated items a vtable test names: the module, the coclass and the source interface.
struct Names<'a> {
    module: &'a str,
    coclass: &'a str,
    source: &'a str,
}

fn module_names<'a>(module: &'a str, coclass: &'a str, source: &'a str) -> Names<'a> {
    Names {
        module,
        coclass,
        source,
    }
}

/// A test that fires every event of vtable source `interface` into a sink whose every slot
/// records its own index, and checks that each `Fire_` method reached its own slot, in order.
fn vtable_test(names: &Names<'_>, interfaces: &[Value], interface: &Value, test: &str) -> String {
    let Names {
        module,
        coclass,
        source,
    } = names;
    // The interface and its bases, root first, up to IUnknown or IDispatch.
    let mut chain = vec![interface];
    let mut root = "IUnknown";
    while let Some(base) = chain.last().and_then(|i| i["base"].as_str()) {
        if matches!(base, "IUnknown" | "IDispatch") {
            root = base;
            break;
        }
        match interfaces.iter().find(|i| i["name"] == base) {
            Some(next) => chain.push(next),
            None => break,
        }
    }
    chain.reverse();
    let mut fires = String::new();
    let mut slots = Vec::new();
    for declaring in chain {
        for method in declaring["methods"].as_array().expect("methods") {
            if !method["call_as"].is_null() {
                continue;
            }
            let name = method["name"].as_str().expect("a name");
            let event = match method["kind"].as_str() {
                Some("propput") => format!("Set{name}"),
                _ => name.to_string(),
            };
            let params = method["params"].as_array().expect("params").len();
            let args = vec!["arg()"; params].join(", ");
            writeln!(fires, "points.{source}.Fire_{event}({args})?;").unwrap();
            slots.push(format!("support::slot::<{}>", slots.len()));
        }
    }
    let count = slots.len();
    let slots = slots.join(", ");
    let dispatch = root == "IDispatch";
    format!(
        "#[test]
fn fire_{test}() -> Result<()> {{
    let points = {module}::{coclass}ConnectionPoints::new();
    let calls = support::Slots::default();
    let sink = support::vtable_sink(vec![{module}::IID_{source}], {dispatch}, &[{slots}], calls.clone());
    let point = points.find_connection_point(&container(), &{module}::IID_{source})?;
    // SAFETY: a live sink.
    let cookie = unsafe {{ point.Advise(&sink)? }};
    {fires}
    // SAFETY: the cookie Advise returned.
    unsafe {{ point.Unadvise(cookie)? }};
    support::check_slots(&calls.lock().unwrap(), {count}, \"{test}\")
}}
"
    )
}

/// `widl -t` of `idl` into `$OUT_DIR/<module>.tlb`, if widl is there and compiles it.
pub fn widl_type_library(idl: &Path, module: &str, out: &Path) -> Option<String> {
    let widl = ["/usr/lib/wine/widl", "/usr/bin/widl-stable", "widl"]
        .into_iter()
        .find(|w| !w.starts_with('/') || Path::new(w).is_file())?;
    let tlb = out.join(format!("{module}.tlb"));
    let status = Command::new(widl)
        .arg("-I")
        .arg(idl.parent()?)
        .args(["-I", WINE_IDL_DIR, "-I", &format!("{WINE_IDL_DIR}/..")])
        .args(["-L", STDOLE2_DIR, "-t", "-o"])
        .arg(&tlb)
        .arg(idl)
        .output()
        .ok()?
        .status;
    // widl writes no type library for a file whose library it leaves out.
    (status.success() && tlb.is_file()).then(|| tlb.display().to_string())
}
