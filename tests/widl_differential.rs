//! Differential test against widl: for every Wine IDL file whose coclasses
//! have `[source]` members (the files cpgen exists for), widl's type library
//! is the oracle. Every interface's and coclass's GUID, every coclass
//! member's default/source/restricted flags and every DISPID of dispatch
//! methods that cpgen reports must equal what the `.tlb` says.
//!
//! A type library holds only a `library` block and what it references, and
//! `cpgen inspect` only FILE and its #includes (not its imports), so items in
//! just one of them are not compared; an item the file itself declares but
//! cpgen leaves out is a mismatch.

mod common;
#[path = "widl_differential/scan.rs"]
mod scan;

use common::Wine;
use common::typelib::{self, Href, InvokeKind, TYPEFLAG_FDUAL, TypeKind, TypeLib};
use scan::{definitions, has_source_member, tokens, with_stdole2_import};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

const CPGEN: &str = env!("CARGO_BIN_EXE_cpgen");

/// Files the scan must find: the real-world event sources cpgen is built for.
const KNOWN_SOURCES: [&str; 9] = [
    "exdisp.idl",
    "mshtml.idl",
    "msxml2.idl",
    "msxml6.idl",
    "shldisp.idl",
    "wmp.idl",
    "dhtmled.idl",
    "msado15_backcompat.idl",
    "documenttarget.idl",
];

#[test]
fn cpgen_agrees_with_widl_type_libraries() {
    let Some(wine) = common::wine_or_skip("widl_differential") else {
        return;
    };
    let candidates = event_sources(&wine);
    let reports = common::parallel_map(&candidates, |(file, defined)| {
        let mut report = Report::new(file);
        match load(&wine, file) {
            Ok((lib, model)) => compare(&lib, &model, defined, &mut report),
            Err(e) => report.mismatches.push(format!("{file}: {e}")),
        }
        report
    });

    let compared: usize = reports.iter().map(|r| r.compared).sum();
    for r in &reports {
        common::announce(&format!(
            "widl differential: {}: {} items compared, {} mismatches, {} types of imported files skipped",
            r.file,
            r.compared,
            r.mismatches.len(),
            r.skipped
        ));
    }
    let mismatches: Vec<String> = reports.iter().flat_map(|r| r.mismatches.clone()).collect();
    assert!(
        mismatches.is_empty(),
        "{} disagreement(s) with widl's type libraries ({compared} items compared):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    for r in &reports {
        assert!(
            r.source_members > 0,
            "{}: no [source] coclass member was compared",
            r.file
        );
    }
    // Wine 8's libraries hold about 29,000 such items, 25,000 of them in
    // mshtml: a small total means the comparison quietly matched nothing.
    assert!(compared >= 10_000, "only {compared} items compared");
}

/// The sample everyone runs first: cpgen reads it with its built-in SDK files, widl with Wine's,
/// and both must agree on every uuid, member flag and DISPID (unnumbered ones included).
#[test]
fn clock_sample_agrees_with_widl() {
    let Some(wine) = common::wine_or_skip("widl_differential (clock sample)") else {
        return;
    };
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tlb = wine
        .type_library(&repo.join("fixtures/clock.idl"))
        .unwrap_or_else(|e| panic!("{e}"));
    let lib = typelib::parse(&tlb).unwrap();
    let out = std::process::Command::new(CPGEN)
        .current_dir(repo)
        .args(["inspect", "fixtures/clock.idl", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let model: Value = serde_json::from_slice(&out.stdout).unwrap();
    let defined: HashSet<String> = ["interfaces", "coclasses"]
        .iter()
        .flat_map(|key| model[*key].as_array().unwrap().iter())
        .map(|item| folded(item["name"].as_str().unwrap()))
        .collect();
    let mut report = Report::new("clock.idl");
    compare(&lib, &model, &defined, &mut report);
    assert!(report.mismatches.is_empty(), "{:#?}", report.mismatches);
    assert!(
        report.compared >= 15,
        "only {} items compared",
        report.compared
    );
    assert!(
        report.source_members == 2,
        "{} source members",
        report.source_members
    );
}

/// The Wine files widl accepts that have a `[source]` coclass member (after
/// #includes: msxml.idl has its events in xmldom.idl), each with the names
/// of the types it defines. The ones cpgen is built for must be among them.
fn event_sources(wine: &Wine) -> Vec<(String, HashSet<String>)> {
    let candidates: Vec<(String, HashSet<String>)> =
        common::parallel_map(&wine.idl_files(), |file| {
            if !wine.widl_accepts(file) {
                return None;
            }
            let text = wine.preprocessed(file);
            let tokens: Vec<&str> = tokens(&text).into_iter().map(|(_, t)| t).collect();
            has_source_member(&tokens).then(|| (file.clone(), definitions(&tokens)))
        })
        .into_iter()
        .flatten()
        .collect();
    let found: Vec<&str> = candidates.iter().map(|(f, _)| f.as_str()).collect();
    for known in KNOWN_SOURCES {
        assert!(
            found.contains(&known),
            "the scan for [source] members missed {known} (found {found:?})"
        );
    }
    candidates
}

/// widl's type library and cpgen's model of one Wine IDL file.
fn load(wine: &Wine, file: &str) -> Result<(TypeLib, Value), String> {
    let path = wine.idl_dir.join(file);
    let source = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let idl = match with_stdole2_import(&source) {
        // widl 8 crashes (SIGSEGV) on a dispinterface in a library without
        // importlib("stdole2.tlb") (documenttarget.idl); a copy that adds the
        // importlib only changes where IDispatch's description comes from.
        Some(patched) => {
            let copy = wine.scratch_dir("patched").join(file);
            std::fs::write(&copy, patched).map_err(|e| e.to_string())?;
            copy
        }
        None => path,
    };
    let tlb = wine.type_library(&idl)?;
    let lib = typelib::parse(&tlb).map_err(|e| format!("reading widl's type library: {e}"))?;
    let out = wine.cpgen_inspect(CPGEN, file);
    if !out.status.success() {
        return Err(format!(
            "cpgen inspect failed: {}",
            common::first_lines(&out.stderr, 6)
        ));
    }
    let model = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cpgen's stdout is not JSON: {e}"))?;
    Ok((lib, model))
}

/// What was compared in one file, and every disagreement.
struct Report {
    file: String,
    compared: usize,
    /// Types in the library that come from imported files, outside cpgen's model.
    skipped: usize,
    source_members: usize,
    mismatches: Vec<String>,
}

impl Report {
    fn new(file: &str) -> Report {
        Report {
            file: file.to_owned(),
            compared: 0,
            skipped: 0,
            source_members: 0,
            mismatches: Vec::new(),
        }
    }

    /// Compares one item: widl's value against cpgen's (absent = `None`).
    fn item(&mut self, what: impl FnOnce() -> String, widl: Value, cpgen: Option<&Value>) {
        self.compared += 1;
        if cpgen != Some(&widl) {
            let cpgen = cpgen.map_or("(missing)".to_owned(), Value::to_string);
            self.mismatches.push(format!(
                "{}: {}: widl {widl}, cpgen {cpgen}",
                self.file,
                what()
            ));
        }
    }

    fn missing(&mut self, what: String) {
        self.mismatches.push(format!(
            "{}: {what}: in widl's type library, missing from cpgen's model",
            self.file
        ));
    }
}

/// A name as a type library knows it. Names in a type library are
/// case-insensitive: widl stores each once, spelled as first seen, so a
/// method `Mode` reads back as `mode` after a parameter called `mode`.
fn folded(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// The case-folded `name` of a model item, as a JSON value.
fn folded_name(item: &Value) -> Option<Value> {
    item["name"].as_str().map(|n| folded(n).into())
}

/// Compares every interface and coclass of `lib` that cpgen's `model` has too;
/// `defined` names (case-folded) what the file itself declares: those must be
/// in the model.
fn compare(lib: &TypeLib, model: &Value, defined: &HashSet<String>, r: &mut Report) {
    let by_name = |key: &str| -> HashMap<String, &Value> {
        let items = model[key].as_array().map_or(&[][..], Vec::as_slice);
        items
            .iter()
            .filter_map(|v| Some((folded(v["name"].as_str()?), v)))
            .collect()
    };
    let (interfaces, coclasses) = (by_name("interfaces"), by_name("coclasses"));
    for ti in &lib.types {
        let (noun, ours) = match ti.kind {
            TypeKind::Interface | TypeKind::Dispatch => {
                ("interface", interfaces.get(&folded(&ti.name)))
            }
            TypeKind::Coclass => ("coclass", coclasses.get(&folded(&ti.name))),
            _ => continue,
        };
        let Some(ours) = ours else {
            if defined.contains(&folded(&ti.name)) {
                r.missing(format!("{noun} {}", ti.name));
            } else {
                r.skipped += 1;
            }
            continue;
        };
        let name = &ti.name;
        let uuid = ti.guid.map_or(Value::Null, |g| g.to_string().into());
        r.item(|| format!("{noun} {name} uuid"), uuid, ours.get("uuid"));
        match ti.kind {
            TypeKind::Coclass => compare_members(lib, ti, ours, r),
            TypeKind::Dispatch => {
                let kind = if ti.flags & TYPEFLAG_FDUAL != 0 {
                    "dual"
                } else {
                    "dispinterface"
                };
                r.item(
                    || format!("interface {name} kind"),
                    kind.into(),
                    ours.get("kind"),
                );
                compare_dispids(ti, ours, r);
            }
            _ => r.item(
                || format!("interface {name} kind"),
                "custom".into(),
                ours.get("kind"),
            ),
        }
    }
}

/// Coclass members, in declaration order: the interface named and its flags.
fn compare_members(lib: &TypeLib, ti: &typelib::TypeInfo, ours: &Value, r: &mut Report) {
    let members = ours["members"].as_array().map_or(&[][..], Vec::as_slice);
    let class = &ti.name;
    r.item(
        || format!("coclass {class} member count"),
        ti.impl_types.len().into(),
        Some(&members.len().into()),
    );
    for (i, (theirs, ours)) in ti.impl_types.iter().zip(members).enumerate() {
        // An interface of an imported library is named only by GUID in the .tlb.
        if let Href::Local(target) = theirs.target {
            r.item(
                || format!("coclass {class} member {i} name (case-folded)"),
                folded(&lib.types[target].name).into(),
                folded_name(ours).as_ref(),
            );
        }
        let member = ours["name"].as_str().unwrap_or("?");
        for (flag, bit) in [("default", 1), ("source", 2), ("restricted", 4)] {
            let set = theirs.flags & bit != 0;
            r.item(
                || format!("coclass {class} member {member} {flag}"),
                set.into(),
                ours.get(flag),
            );
        }
        r.source_members += usize::from(theirs.flags & 2 != 0);
    }
}

/// DISPIDs of a dispinterface's or dual interface's methods, matched by
/// (case-folded) name and invoke kind, as a property's get and put share a
/// name. widl leaves `[local]` methods out of the library, so cpgen-only
/// methods are not errors.
fn compare_dispids(ti: &typelib::TypeInfo, ours: &Value, r: &mut Report) {
    let methods = ours["methods"].as_array().map_or(&[][..], Vec::as_slice);
    let by_key: HashMap<(String, &str), &Value> = methods
        .iter()
        .filter_map(|m| Some(((folded(m["name"].as_str()?), m["kind"].as_str()?), m)))
        .collect();
    let iface = &ti.name;
    for func in &ti.funcs {
        let kind = match func.invoke {
            InvokeKind::Func => "method",
            InvokeKind::PropGet => "propget",
            InvokeKind::PropPut => "propput",
            InvokeKind::PropPutRef => "propputref",
        };
        let name = func.name.as_str();
        match by_key.get(&(folded(name), kind)) {
            Some(m) => r.item(
                || format!("{iface}.{name} ({kind}) dispid"),
                func.memid.into(),
                m.get("dispid"),
            ),
            None => r.missing(format!(
                "{iface}.{name} ({kind}) with dispid {}",
                func.memid
            )),
        }
    }
}

/// The comparison must report exactly the disagreements planted in a model
/// of fixtures/typelib/events.idl, and nothing when the model is right.
#[test]
fn comparison_reports_each_disagreement() {
    let Some(wine) = common::wine_or_skip("widl_differential") else {
        return;
    };
    let idl = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/typelib/events.idl");
    let tlb = wine.type_library(&idl).expect("widl builds the fixture");
    let lib = typelib::parse(&tlb).expect("parse the fixture's type library");
    let guid = |c: char| format!("5f3c7a1{c}-1b2c-4d3e-8f40-a1b2c3d4e5f6");
    let method = |name: &str, kind: &str, dispid: Value| serde_json::json!({"name": name, "kind": kind, "dispid": dispid});
    let member = |name: &str, d: bool, s: bool, r: bool| serde_json::json!({"name": name, "default": d, "source": s, "restricted": r});
    let right = serde_json::json!({
        "interfaces": [
            {"name": "IClock", "kind": "dual", "uuid": guid('2'), "methods": [
                method("Start", "method", 3.into()), method("Stop", "method", 0x6002_0001.into()),
                method("Running", "propget", 0x6002_0002.into())]},
            {"name": "IClockAdmin", "kind": "custom", "uuid": guid('3'), "methods": [
                method("Reset", "method", Value::Null)]},
            {"name": "_ClockEvents", "kind": "dispinterface", "uuid": guid('1'), "methods": [
                method("Tick", "method", 1.into()), method("Alarm", "method", 0x20.into()),
                method("Stopped", "method", 0x6000_0002.into()), method("Interval", "propget", 7.into()),
                method("Interval", "propput", 7.into())]},
            {"name": "_ClockLegacyEvents", "kind": "dispinterface", "uuid": guid('4'), "methods": [
                method("Tick", "method", 1.into())]},
        ],
        "coclasses": [{"name": "Clock", "uuid": guid('5'), "members": [
            member("IClock", true, false, false), member("IClockAdmin", false, false, true),
            member("_ClockEvents", true, true, false), member("_ClockLegacyEvents", false, true, true)]}],
    });
    let defined: HashSet<String> = [
        "iclock",
        "iclockadmin",
        "_clockevents",
        "_clocklegacyevents",
        "clock",
    ]
    .map(String::from)
    .into();
    let run = |model: &Value| {
        let mut report = Report::new("events.idl");
        compare(&lib, model, &defined, &mut report);
        report
    };
    let report = run(&right);
    assert_eq!(report.mismatches, Vec::<String>::new());
    // 5 uuids, 4 kinds, 9 DISPIDs, 1 member count, 4 member names, 12 member flags.
    assert_eq!(report.compared, 35);
    assert_eq!(report.source_members, 2);

    // Type libraries are case-insensitive, so the comparison is too.
    let mut recased = right.clone();
    recased["interfaces"][2]["methods"][0]["name"] = "TICK".into();
    recased["coclasses"][0]["members"][1]["name"] = "iclockadmin".into();
    assert_eq!(run(&recased).mismatches, Vec::<String>::new());

    let mut wrong = right.clone();
    wrong["interfaces"][2]["methods"][2]["dispid"] = 3.into();
    wrong["interfaces"][0]["kind"] = "dispinterface".into();
    wrong["coclasses"][0]["members"][3]["restricted"] = false.into();
    wrong["coclasses"][0]["uuid"] = guid('6').into();
    wrong["interfaces"][3]["methods"] = serde_json::json!([]);
    wrong["interfaces"].as_array_mut().unwrap().remove(1);
    assert_eq!(
        run(&wrong).mismatches,
        [
            "events.idl: interface IClock kind: widl \"dual\", cpgen \"dispinterface\"",
            "events.idl: interface IClockAdmin: in widl's type library, missing from cpgen's model",
            "events.idl: _ClockEvents.Stopped (method) dispid: widl 1610612738, cpgen 3",
            "events.idl: _ClockLegacyEvents.Tick (method) with dispid 1: in widl's type library, missing from cpgen's model",
            "events.idl: coclass Clock uuid: widl \"5f3c7a15-1b2c-4d3e-8f40-a1b2c3d4e5f6\", cpgen \"5f3c7a16-1b2c-4d3e-8f40-a1b2c3d4e5f6\"",
            "events.idl: coclass Clock member _ClockLegacyEvents restricted: widl true, cpgen false",
        ]
    );
}
