//! The server plumbing a file generated with `--server` holds: for each creatable coclass, its
//! registration (CLSID, description, ProgIDs, threading model), and the file's `server()`,
//! which adds the type library. The class factories, exports, class objects and registry
//! writing are the runtime's (`cpgen_runtime::server`).

use crate::Diagnostic;
use crate::model::{Coclass, Model};

/// What `--server` was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerOptions {
    /// The `ThreadingModel` of every class (`--threading-model`), over the IDL's `threading`
    /// attribute; `Apartment` when neither says, as ATL's wizard does.
    pub threading_model: Option<String>,
    /// ProgIDs by coclass (`--progid COCLASS=PROGID`), over the IDL's `progid` attribute.
    pub prog_ids: Vec<(String, String)>,
}

/// One class as the template writes it (strings as Rust literals).
pub struct Class {
    pub name: String,
    pub description: String,
    pub prog_id: String,
    pub version_independent_prog_id: String,
    pub threading_model: &'static str,
}

/// The classes of the server: the creatable coclasses among `coclasses`.
pub fn classes(
    model: &Model,
    coclasses: &[&Coclass],
    options: &ServerOptions,
) -> Result<Vec<Class>, Diagnostic> {
    for (name, _) in &options.prog_ids {
        if !coclasses.iter().any(|c| &c.name == name && !c.noncreatable) {
            return Err(Diagnostic::new(format!(
                "--progid: `{name}` is not a creatable coclass of the output"
            )));
        }
    }
    let mut out = Vec::new();
    for coclass in coclasses.iter().filter(|c| !c.noncreatable) {
        let wanted = options
            .threading_model
            .as_deref()
            .or(coclass.threading.as_deref());
        let threading_model = match wanted {
            None => "Apartment",
            Some(model) => threading_model(model).ok_or_else(|| {
                Diagnostic::new(format!(
                    "coclass `{}`: threading model `{model}` is not one a server registers \
                     (apartment, free, both or neutral)",
                    coclass.name
                ))
            })?,
        };
        let option = options
            .prog_ids
            .iter()
            .find(|(name, _)| name == &coclass.name);
        let prog_id = match (option, &coclass.progid) {
            (Some((_, id)), _) => Some(id.clone()),
            (None, Some(id)) => Some(id.clone()),
            (None, None) => default_prog_id(model, coclass),
        };
        let independent = coclass
            .vi_progid
            .clone()
            .or_else(|| prog_id.as_deref().and_then(without_version));
        for id in prog_id.iter().chain(&independent) {
            check_prog_id(&coclass.name, id)?;
        }
        let literal = |s: Option<String>| match s {
            Some(s) => format!("Some({s:?})"),
            None => "None".to_string(),
        };
        out.push(Class {
            name: coclass.name.clone(),
            description: format!(
                "{:?}",
                coclass.helpstring.as_deref().unwrap_or(&coclass.name)
            ),
            prog_id: literal(prog_id),
            version_independent_prog_id: literal(independent),
            threading_model,
        });
    }
    Ok(out)
}

/// `ThreadingModel`'s registry spelling for MIDL's `threading` argument.
fn threading_model(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_matches('"');
    ["Apartment", "Free", "Both", "Neutral"]
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(name))
}

/// ATL's wizard's ProgID: `<Library>.<Coclass>.<major version>`.
fn default_prog_id(model: &Model, coclass: &Coclass) -> Option<String> {
    let library = model
        .libraries
        .iter()
        .find(|l| Some(&l.name) == coclass.library.as_ref())?;
    let major = library
        .version
        .as_deref()
        .and_then(|v| v.split('.').next())
        .and_then(|v| v.trim().parse::<u16>().ok())
        .unwrap_or(1);
    Some(format!("{}.{}.{major}", library.name, coclass.name))
}

/// `Lib.Class` for `Lib.Class.1`; nothing for a ProgID without a version.
fn without_version(prog_id: &str) -> Option<String> {
    let (rest, version) = prog_id.rsplit_once('.')?;
    let versioned = !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit());
    (versioned && rest.contains('.')).then(|| rest.to_string())
}

/// What Windows allows in a ProgID: up to 39 letters, digits and periods, not starting with
/// a digit.
fn check_prog_id(coclass: &str, id: &str) -> Result<(), Diagnostic> {
    let valid = !id.is_empty()
        && id.len() <= 39
        && !id.starts_with(|c: char| c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Diagnostic::new(format!(
            "coclass `{coclass}`: ProgID `{id}` is not valid (at most 39 letters, digits and \
             periods, not starting with a digit)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Options, generate};
    use super::*;

    fn generated(idl: &str, server: ServerOptions) -> Result<String, Diagnostic> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.idl");
        std::fs::write(&path, idl).unwrap();
        let model = crate::load(&path, &Default::default()).unwrap();
        let options = Options {
            module: "t_idl".into(),
            server: Some(server),
            ..Default::default()
        };
        let code = generate(&model, &options)?.code;
        let code: String = code.split_whitespace().collect();
        Ok(code.replace(",}", "}").replace(",)", ")"))
    }

    fn clock_idl() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn the_clock_gets_its_class_and_server() {
        let code = generated(&clock_idl(), ServerOptions::default()).unwrap();
        for expected in [
            "pubconstfnClockClass(create:cpgen_runtime::server::Constructor)->cpgen_runtime::server::Class",
            "clsid:CLSID_Clock,description:\"Aclockthatfiresevents\",",
            // ATL's wizard's ProgIDs and threading model, when the IDL names none.
            "prog_id:Some(\"ClockLib.Clock.1\"),version_independent_prog_id:Some(\"ClockLib.Clock\"),",
            "threading_model:cpgen_runtime::server::ThreadingModel::Apartment,create}",
            "pubconstfnserver(classes:&'static[cpgen_runtime::server::Class])->cpgen_runtime::server::Server",
            "libid:LIBID_ClockLib,version:(1,0),register:register_type_library,unregister:unregister_type_library}",
            // The object counts while it holds its connection points.
            "object_count:cpgen_runtime::server::ObjectCount}",
            "object_count:cpgen_runtime::server::ObjectCount::new()}",
        ] {
            assert!(code.contains(expected), "missing {expected}");
        }
    }

    #[test]
    fn without_the_flag_there_is_no_server() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
        let model = crate::load(&path, &Default::default()).unwrap();
        let options = Options {
            module: "t_idl".into(),
            ..Default::default()
        };
        let code = generate(&model, &options).unwrap().code;
        assert!(!code.contains("cpgen_runtime::server"));
    }

    const ATTRIBUTED: &str = r#"
        import "oaidl.idl";
        [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e8), version(2.3)] library L {
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9)] dispinterface E { properties: methods:
                [id(1)] void Fired(); };
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea), progid("Acme.Widget.7"),
             vi_progid("Acme.AnyWidget"), threading(both)]
            coclass Widget { [default, source] dispinterface E; };
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7eb), threading(free)]
            coclass Gadget { [default, source] dispinterface E; };
            [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ec), noncreatable]
            coclass Part { [default, source] dispinterface E; };
        };
    "#;

    #[test]
    fn the_idl_s_attributes_decide_and_options_override() {
        let code = generated(ATTRIBUTED, ServerOptions::default()).unwrap();
        for expected in [
            "prog_id:Some(\"Acme.Widget.7\"),version_independent_prog_id:Some(\"Acme.AnyWidget\"),threading_model:cpgen_runtime::server::ThreadingModel::Both,",
            "prog_id:Some(\"L.Gadget.2\"),version_independent_prog_id:Some(\"L.Gadget\"),threading_model:cpgen_runtime::server::ThreadingModel::Free,",
            "version:(2,3)",
        ] {
            assert!(code.contains(expected), "missing {expected}");
        }
        assert!(
            !code.contains("fnPartClass"),
            "a noncreatable coclass has no class"
        );
        let code = generated(
            ATTRIBUTED,
            ServerOptions {
                threading_model: Some("apartment".into()),
                prog_ids: vec![("Gadget".into(), "Acme.Gadget".into())],
            },
        )
        .unwrap();
        assert!(!code.contains("ThreadingModel::Both"));
        assert!(code.contains(
            "prog_id:Some(\"Acme.Gadget\"),version_independent_prog_id:None,threading_model:cpgen_runtime::server::ThreadingModel::Apartment,"
        ));
    }

    #[test]
    fn bad_options_are_refused() {
        let bad_model = ServerOptions {
            threading_model: Some("single".into()),
            ..Default::default()
        };
        let error = generated(ATTRIBUTED, bad_model).unwrap_err();
        assert!(
            error.to_string().contains("threading model `single`"),
            "{error}"
        );
        let unknown = ServerOptions {
            prog_ids: vec![("Part".into(), "Acme.Part".into())],
            ..Default::default()
        };
        let error = generated(ATTRIBUTED, unknown).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("`Part` is not a creatable coclass"),
            "{error}"
        );
    }

    #[test]
    fn version_independent_prog_ids_drop_a_numeric_suffix() {
        assert_eq!(
            without_version("ClockLib.Clock.1").as_deref(),
            Some("ClockLib.Clock")
        );
        assert_eq!(without_version("ClockLib.Clock"), None);
        assert_eq!(without_version("Clock.2"), None);
    }

    #[test]
    fn threading_models_are_matched_without_case() {
        assert_eq!(threading_model("both"), Some("Both"));
        assert_eq!(threading_model("Apartment"), Some("Apartment"));
        assert_eq!(threading_model("single"), None);
    }

    #[test]
    fn prog_ids_are_checked() {
        assert!(check_prog_id("C", "Lib.C.1").is_ok());
        assert!(check_prog_id("C", "1Lib.C").is_err());
        assert!(check_prog_id("C", "Lib C").is_err());
        assert!(check_prog_id("C", &"x".repeat(40)).is_err());
    }
}
