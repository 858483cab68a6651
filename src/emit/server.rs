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
    use super::*;

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
