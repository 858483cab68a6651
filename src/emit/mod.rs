//! Code generation from the model: the Rust file that makes a coclass connectable.
//!
//! [`generate`] is the one entry point. The file it returns is one module (so that it works
//! both as a checked-in `mod events;` and through `include!`), holding, in this order:
//! the GUIDs of the input's library, interfaces and coclasses; the bindings of its own vtable
//! interfaces and enums ([`bindings`], windows-bindgen); a Rust interface type for each of its
//! own dispinterfaces; one `<S>Proxy` per source interface `S` with its `Fire_` methods
//! ([`events`] decides their parameters, [`oracle`] the type mapping); one
//! `<C>ConnectionPoints` per connectable coclass `C`; and the connection-point runtime that
//! every output shares (`templates/runtime.rs`, and `templates/dispatch.rs` when a source is a
//! dispinterface). The text is formatted with prettyplease, so the same model gives the same
//! bytes on every machine.

pub mod bindings;
mod docs;
mod events;
mod mapping;
pub mod oracle;
mod paths;
mod sinks;
mod type_info;

use askama::Template;

use crate::Diagnostic;
use crate::model::{Coclass, InterfaceKind, Model};
use events::Event;

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these coclasses (by IDL name); all connectable ones when empty.
    pub coclasses: Vec<String>,
    /// The name of the module that holds the output (see [`module_name`]).
    pub module: String,
    /// The source interfaces whose sinks are kept in the Global Interface Table, so that any
    /// thread may fire into any apartment.
    pub cross_apartment: CrossApartment,
}

/// Which source interfaces fire across apartments (`--cross-apartment[=SOURCE]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CrossApartment {
    /// None: sinks are called through the pointers `Advise` received.
    #[default]
    None,
    /// Every source interface of the output.
    All,
    /// These source interfaces (by IDL name).
    Sources(Vec<String>),
}

impl CrossApartment {
    fn covers(&self, source: &str) -> bool {
        match self {
            Self::None => false,
            Self::All => true,
            Self::Sources(names) => names.iter().any(|n| n == source),
        }
    }
}

/// A generated file's code and what it needs from the windows crate.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Formatted Rust, without the header the writer adds.
    pub code: String,
    /// The windows crate features the code uses, sorted (`Win32_System_Com`, ...).
    pub features: Vec<String>,
}

/// The module name for the output of input `stem` (`clock` → `clock_idl`).
pub fn module_name(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name + "_idl"
}

/// The connection-point code for the connectable coclasses of `model`'s input (or those that
/// `options` names).
pub fn generate(model: &Model, options: &Options) -> Result<Generated, Diagnostic> {
    let coclasses = connectable_coclasses(model, &options.coclasses)?;
    let own = paths::adopt_windows_crate_interfaces(model);

    let mut items = identifiers(model)?;
    let renders_bindings = own.enums.iter().any(|e| !e.imported)
        || own
            .interfaces
            .iter()
            .any(|i| !i.imported && i.kind != InterfaceKind::Dispinterface);
    if renders_bindings {
        // windows-bindgen's own files allow what its output trips; the rest of the file does not.
        items.push_str(&format!(
            "#[allow(clippy::all)]\nmod bindings {{ {} }}\npub use bindings::*;\n",
            bindings::render(&own)?
        ));
    }
    for interface in &own.interfaces {
        if paths::generates_dispinterface(&own, &interface.name) {
            let uuid = interface.uuid.as_deref().unwrap_or_default();
            items.push_str(&render(&DispinterfaceTemplate {
                name: &interface.name,
                uuid,
                doc: interface.helpstring.as_deref().map(docs::doc_text),
            })?);
        }
    }

    let mut sources: Vec<&str> = Vec::new();
    for coclass in &coclasses {
        for member in coclass.members.iter().filter(|m| m.source) {
            if !sources.contains(&member.name.as_str()) {
                sources.push(&member.name);
            }
        }
    }
    let table = type_info::table(&own, &coclasses)?;
    check_cross_apartment(&options.cross_apartment, &sources)?;
    let mut any_dispatch = false;
    let mut any_cross_apartment = false;
    let mut converts_args = false;
    let mut receives_dispatch = false;
    for name in &sources {
        let interface = own.interface(name).ok_or_else(|| {
            Diagnostic::new(format!("source interface `{name}` is never declared"))
        })?;
        let dispatch = interface.kind == InterfaceKind::Dispinterface;
        any_dispatch |= dispatch;
        let events = events::events(&own, interface)?;
        check_report_names(name, &events)?;
        let cross_apartment = options.cross_apartment.covers(name);
        any_cross_apartment |= cross_apartment;
        converts_args |= events
            .iter()
            .any(|e| e.args.iter().any(|a| a.ends_with(".into_variant()")));
        check_free(&own, name)?;
        let handler = sinks::handler(&own, interface, &events)?;
        receives_dispatch |= handler.dispatch;
        let path = paths::interface(&own, name)?;
        items.push_str(&render(&ProxyTemplate {
            name,
            path: path.clone(),
            doc: interface.helpstring.as_deref().map(docs::doc_text),
            dispatch,
            cross_apartment,
            events,
        })?);
        items.push_str(&render(&HandlerTemplate {
            name,
            path,
            doc: interface.helpstring.as_deref().map(docs::doc_text),
            handler,
            type_library: table.is_some(),
        })?);
    }
    for coclass in &coclasses {
        let sources = coclass
            .members
            .iter()
            .filter(|m| m.source)
            .map(|m| {
                Ok(Source {
                    name: &m.name,
                    path: paths::interface(&own, &m.name)?,
                })
            })
            .collect::<Result<Vec<_>, Diagnostic>>()?;
        let default_source = match &coclass.default_source {
            Some(name) => Some(paths::interface(&own, name)?),
            None => None,
        };
        items.push_str(&render(&CoclassTemplate {
            name: &coclass.name,
            doc: coclass.helpstring.as_deref().map(docs::doc_text),
            sources,
            default_source,
        })?);
    }
    if let [only] = coclasses.as_slice()
        && only.name != "C"
    {
        items.push_str(&format!(
            "/// The connection points of `{0}`, the input's one connectable coclass.\n\
             pub type CConnectionPoints = {0}ConnectionPoints;\n",
            only.name
        ));
    }
    if let Some(table) = &table {
        items.push_str(&render(&TypeLibraryTemplate { table })?);
        items.push_str(&format!("mod type_info {{ {TYPE_INFO} }}\n"));
    }
    items.push_str(&format!(
        "mod runtime {{ {RUNTIME} }}\npub use runtime::{{FireReport, SinkFailure}};\n"
    ));
    if any_cross_apartment {
        items.push_str(&format!("mod apartment {{ {APARTMENT} }}\n"));
    }
    items.push_str(&format!(
        "mod sink {{ {SINK} }}\nmod connection {{ {CONNECTION} }}\n\
         pub use connection::{{Connection, advise, advise_iid}};\n"
    ));
    if any_dispatch || receives_dispatch {
        items.push_str(&format!("mod dispatch {{ {DISPATCH} }}\n"));
    }
    if receives_dispatch {
        items.push_str(&format!("mod receive {{ {RECEIVE} }}\n"));
    }
    if converts_args {
        items.push_str("use dispatch::EventArg as _;\n");
    }

    let module = &options.module;
    let file = format!(
        "/// The connection points of the input, with the GUIDs and types they use.\n\
         #[allow({ALLOWED})]\n\
         mod {module} {{\n{items}\n}}\n\
         pub use {module}::*;\n"
    );
    let mut file = syn::parse_file(&file).map_err(|error| {
        Diagnostic::new(format!(
            "internal error: the generated code does not parse ({error}); \
             please report it with the input"
        ))
    })?;
    if let Some(bindings) = bindings_module(&mut file) {
        docs::document_bindings(bindings, model);
    }
    let code = prettyplease::unparse(&file);
    let features = paths::features(&code);
    Ok(Generated { code, features })
}

/// The items of `mod bindings` inside the output's one module, if there are bindings.
fn bindings_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    let output = file.items.iter_mut().find_map(module_items)?;
    output.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "bindings" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

fn module_items(item: &mut syn::Item) -> Option<&mut Vec<syn::Item>> {
    match item {
        syn::Item::Mod(m) => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }
}

/// Lints the generated module allows: its names are the IDL's (`Fire_Tick`, `DIID_DClock`,
/// `IClock_Impl`), an event has as many parameters as the IDL gives it, a user uses part of
/// it, and `SAFEARRAY(T)` parameters are raw pointers by the contract.
const ALLOWED: &str = "non_snake_case, non_upper_case_globals, non_camel_case_types, dead_code, \
     clippy::too_many_arguments, clippy::not_unsafe_ptr_arg_deref";

/// The runtime every output shares, and its dispinterface half.
const RUNTIME: &str = include_str!("../../templates/runtime.rs");
const DISPATCH: &str = include_str!("../../templates/dispatch.rs");
/// The typed sinks' runtime: the COM object, advise guards, and the `IDispatch` half.
const SINK: &str = include_str!("../../templates/sink.rs");
const CONNECTION: &str = include_str!("../../templates/connection.rs");
const RECEIVE: &str = include_str!("../../templates/receive.rs");
/// The builder of the type library `type_library()` describes.
const TYPE_INFO: &str = include_str!("../../templates/type_info.rs");
/// Sinks kept in the Global Interface Table, for cross-apartment sources.
const APARTMENT: &str = include_str!("../../templates/apartment.rs");

/// Refuses a source interface whose typed sink's names (`<S>Handler`, `<S>Sink`) are taken by
/// something the input declares, which would otherwise be two items of one name.
fn check_free(model: &Model, source: &str) -> Result<(), Diagnostic> {
    for name in [format!("{source}Handler"), format!("{source}Sink")] {
        let taken = model.interfaces.iter().any(|i| i.name == name)
            || model
                .enums
                .iter()
                .any(|e| e.name == name || e.members.iter().any(|m| m.name == name));
        if taken {
            return Err(Diagnostic::new(format!(
                "`{name}` names both something the input declares and the typed sink cpgen \
                 generates for source interface `{source}`"
            )));
        }
    }
    Ok(())
}

/// Refuses `--cross-apartment=NAME` for a NAME that is no source interface of the output.
fn check_cross_apartment(wanted: &CrossApartment, sources: &[&str]) -> Result<(), Diagnostic> {
    let CrossApartment::Sources(names) = wanted else {
        return Ok(());
    };
    for name in names {
        if !sources.contains(&name.as_str()) {
            let mut message =
                format!("--cross-apartment: `{name}` is not a source interface of the output");
            if let Some(close) = crate::diagnostic::closest(name, sources.iter().copied()) {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            return Err(Diagnostic::new(message));
        }
    }
    Ok(())
}

/// Refuses a source interface where `Fire_<A>_report` would also be `Fire_<B>` for an event
/// `B` named `<A>_report`.
fn check_report_names(source: &str, events: &[Event]) -> Result<(), Diagnostic> {
    for event in events {
        let report = format!("{}_report", event.name);
        if events.iter().any(|e| e.name == report) {
            return Err(Diagnostic::new(format!(
                "source interface `{source}`: `Fire_{report}` would name both event `{report}` \
                 and the report form of event `{}`",
                event.name
            )));
        }
    }
    Ok(())
}

/// The input's coclasses that have `[source]` members: all of them, or those named.
fn connectable_coclasses<'m>(
    model: &'m Model,
    wanted: &[String],
) -> Result<Vec<&'m Coclass>, Diagnostic> {
    let own: Vec<&Coclass> = model.coclasses.iter().filter(|c| !c.imported).collect();
    for name in wanted {
        let Some(coclass) = own.iter().find(|c| &c.name == name) else {
            let mut message = format!("there is no coclass `{name}` in the input");
            if let Some(close) =
                crate::diagnostic::closest(name, own.iter().map(|c| c.name.as_str()))
            {
                message.push_str(&format!("; did you mean `{close}`?"));
            }
            return Err(Diagnostic::new(message));
        };
        if !coclass.members.iter().any(|m| m.source) {
            return Err(Diagnostic::new(format!(
                "coclass `{name}` has no [source] interface, so it has no connection points"
            )));
        }
    }
    let selected: Vec<&Coclass> = own
        .into_iter()
        .filter(|c| c.members.iter().any(|m| m.source))
        .filter(|c| wanted.is_empty() || wanted.contains(&c.name))
        .collect();
    if selected.is_empty() {
        return Err(Diagnostic::new(
            "no coclass in the input has a [source] interface: there are no connection points \
             to generate",
        ));
    }
    Ok(selected)
}

/// `LIBID_`, `IID_`/`DIID_` and `CLSID_` constants for what the input declares.
fn identifiers(model: &Model) -> Result<String, Diagnostic> {
    let mut out = String::new();
    let mut constant = |prefix: &str,
                        name: &str,
                        uuid: Option<&str>,
                        doc: Option<&str>|
     -> Result<(), Diagnostic> {
        let Some(uuid) = uuid else { return Ok(()) };
        if let Some(doc) = doc {
            out.push_str(&format!("/// {}\n///\n", docs::doc_text(doc)));
        }
        let hex = uuid.replace('-', "_");
        if parse_uuid(uuid).is_none() {
            return Err(Diagnostic::new(format!(
                "{name}: uuid `{uuid}` is malformed"
            )));
        }
        out.push_str(&format!(
            "/// The uuid of `{name}`.\n\
             pub const {prefix}{name}: windows_core::GUID = windows_core::GUID::from_u128(0x{hex});\n"
        ));
        Ok(())
    };
    for library in model.libraries.iter().filter(|l| !l.imported) {
        constant(
            "LIBID_",
            &library.name,
            library.uuid.as_deref(),
            library.helpstring.as_deref(),
        )?;
    }
    for interface in model.interfaces.iter().filter(|i| !i.imported) {
        let prefix = match interface.kind {
            InterfaceKind::Dispinterface => "DIID_",
            _ => "IID_",
        };
        constant(
            prefix,
            &interface.name,
            interface.uuid.as_deref(),
            interface.helpstring.as_deref(),
        )?;
    }
    for coclass in model.coclasses.iter().filter(|c| !c.imported) {
        constant(
            "CLSID_",
            &coclass.name,
            coclass.uuid.as_deref(),
            coclass.helpstring.as_deref(),
        )?;
    }
    Ok(out)
}

/// `6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9` as a number, most significant byte first.
pub(crate) fn parse_uuid(uuid: &str) -> Option<u128> {
    let groups: Vec<&str> = uuid.trim().split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths != [8, 4, 4, 4, 12] {
        return None;
    }
    u128::from_str_radix(&groups.concat(), 16).ok()
}

fn render(template: &impl Template) -> Result<String, Diagnostic> {
    template
        .render()
        .map_err(|e| Diagnostic::new(format!("internal error: rendering a template: {e}")))
}

#[derive(Template)]
#[template(path = "proxy.rs", escape = "none")]
struct ProxyTemplate<'a> {
    name: &'a str,
    path: String,
    doc: Option<String>,
    dispatch: bool,
    cross_apartment: bool,
    events: Vec<Event>,
}

#[derive(Template)]
#[template(path = "handler.rs", escape = "none")]
struct HandlerTemplate<'a> {
    name: &'a str,
    path: String,
    doc: Option<String>,
    handler: sinks::Handler,
    /// The file has `type_library()`, which describes the interface.
    type_library: bool,
}

#[derive(Template)]
#[template(path = "type_library.rs", escape = "none")]
struct TypeLibraryTemplate<'a> {
    table: &'a type_info::Table,
}

#[derive(Template)]
#[template(path = "dispinterface.rs", escape = "none")]
struct DispinterfaceTemplate<'a> {
    name: &'a str,
    uuid: &'a str,
    doc: Option<String>,
}

struct Source<'a> {
    name: &'a str,
    path: String,
}

#[derive(Template)]
#[template(path = "coclass.rs", escape = "none")]
struct CoclassTemplate<'a> {
    name: &'a str,
    doc: Option<String>,
    sources: Vec<Source<'a>>,
    default_source: Option<String>,
}

#[cfg(test)]
mod tests;
