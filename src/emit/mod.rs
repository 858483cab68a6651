//! Code generation from the model: the Rust file that makes a coclass connectable.
//!
//! [`generate`] is the one entry point. The file it returns is one module (so that it works
//! both as a checked-in `mod events;` and through `include!`), holding, in this order (one
//! function of [`parts`] and one template of `templates/` each): the check of the
//! `cpgen-runtime` version it was made for and the runtime items it names; the GUIDs of the
//! input's library, interfaces and coclasses; the bindings of its own vtable interfaces and
//! enums ([`bindings`], windows-bindgen); a Rust interface type for each of its own
//! dispinterfaces; one `<S>Proxy` per source interface `S` with its `Fire_` methods
//! ([`events`] decides their parameters, [`oracle`] the type mapping); the typed sinks
//! `<S>Handler` and `<S>Sink` ([`sinks`]); one `<C>ConnectionPoints` per connectable coclass
//! `C`; `type_library()`'s tables ([`type_info`]); and, with `--server`, the classes' registrations
//! and `server()` ([`server`]). What is the same for every IDL is the
//! `cpgen-runtime` crate's, named, not written. The text is formatted with prettyplease, so the
//! same model gives the same bytes on every machine; [`format`] does it a part at a time, on all
//! cores, with windows-bindgen's render running beside the rest, and a huge part a chunk of its
//! members at a time.

pub mod bindings;
mod defaults;
mod docs;
mod events;
mod format;
mod mapping;
mod notify;
pub mod oracle;
mod parts;
mod paths;
mod records;
mod server;
mod sinks;
mod type_info;

use crate::Diagnostic;
use crate::model::{Coclass, Model};
use events::Event;
use format::Part;
pub use server::ServerOptions;

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
    /// Every coclass of the output gets an `IPropertyNotifySink` connection point and the
    /// methods that announce its `[bindable]` and `[requestedit]` properties (a coclass that
    /// lists `IPropertyNotifySink` as a source gets them anyway).
    pub property_notify: bool,
    /// The server plumbing (`--server`): class registrations and `server()`, and every
    /// `<C>ConnectionPoints` counting its object.
    pub server: Option<ServerOptions>,
    /// A folder where the printed pieces of the input's last run are kept, so that a run prints
    /// only what changed (see `format/cache.rs`); none prints everything.
    pub cache_dir: Option<std::path::PathBuf>,
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

/// The version of cpgen-runtime the generated code is written for: what it passes to
/// `cpgen_runtime::require_version!` (the runtime's `VERSION`).
pub const RUNTIME_VERSION: &str = "0.1";

/// The connection-point code for the connectable coclasses of `model`'s input (or those that
/// `options` names).
pub fn generate(model: &Model, options: &Options) -> Result<Generated, Diagnostic> {
    generate_within(model, options, &format::LIMITS)
}

/// [`generate`], formatting with `limits` (tests print in the smallest pieces, and strictly).
fn generate_within(
    model: &Model,
    options: &Options,
    limits: &format::Limits,
) -> Result<Generated, Diagnostic> {
    let coclasses = connectable_coclasses(model, &options.coclasses)?;
    let mut own = paths::adopt_windows_crate_interfaces(model);
    if coclasses
        .iter()
        .any(|c| notify::wanted(c, options.property_notify))
    {
        notify::declare_sink(own.to_mut());
    }
    let file = parts::File::new(
        &own,
        &coclasses,
        &options.cross_apartment,
        options.property_notify,
        options.server.as_ref(),
    )?;
    // The bindings are rendered by the thread that formats them, while others format the rest;
    // a part per source interface and coclass, so that no part is the whole file.
    let bindings = || file.bindings();
    let mut parts = vec![
        Part::Items(file.runtime_version()?),
        Part::Items(file.runtime_items()?),
        Part::Items(parts::identifiers(model)?),
    ];
    if file.has_bindings() {
        parts.push(Part::Bindings {
            frame: file.bindings_frame(format::PLACEHOLDER)?,
            render: &bindings,
        });
    }
    for items in [
        file.dispinterfaces()?,
        file.records()?,
        file.proxies()?,
        file.typed_sinks()?,
        file.connection_points()?,
        vec![file.type_library()?],
        vec![file.server()?],
    ] {
        parts.extend(items.into_iter().map(Part::Items));
    }
    let code = format::file(
        model,
        &options.module,
        ALLOWED,
        parts,
        limits,
        options.cache_dir.as_deref(),
    )?;
    let features = paths::features(&code);
    Ok(Generated { code, features })
}

/// Lints the generated module allows: its names are the IDL's (`Fire_Tick`, `DIID_DClock`,
/// `IClock_Impl`), an event has as many parameters as the IDL gives it, a user uses part of
/// it, and `SAFEARRAY(T)` parameters are raw pointers by the contract.
const ALLOWED: &str = "non_snake_case, non_upper_case_globals, non_camel_case_types, dead_code, \
     clippy::too_many_arguments, clippy::not_unsafe_ptr_arg_deref";

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
    // A set, not a search per event: an interface may have 100,000 events.
    let names: std::collections::HashSet<&str> = events.iter().map(|e| e.name.as_str()).collect();
    for event in events {
        let report = format!("{}_report", event.name);
        if names.contains(report.as_str()) {
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

/// `6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7e9` as a number, most significant byte first.
pub(crate) fn parse_uuid(uuid: &str) -> Option<u128> {
    let groups: Vec<&str> = uuid.trim().split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths != [8, 4, 4, 4, 12] {
        return None;
    }
    u128::from_str_radix(&groups.concat(), 16).ok()
}

#[cfg(test)]
mod tests;
