//! The parts of a generated file, one function each, in the order the file holds them (see
//! [`super::generate`]). Every part renders its own template of `templates/`; what is the same
//! for every IDL is not rendered at all but named in the `cpgen-runtime` crate.

use askama::Template;

use super::events::{self, Event};
use super::notify::{self, Notified};
use super::server::{self as server_plumbing, ServerOptions};
use super::sinks::{self, Handler};
use super::{
    CrossApartment, RUNTIME_VERSION, bindings, check_cross_apartment, check_free,
    check_report_names, docs, parse_uuid, paths, records, type_info,
};
use crate::Diagnostic;
use crate::model::{Coclass, Interface, InterfaceKind, Model};

/// What a file holds, worked out once: its coclasses, their source interfaces with their
/// events and typed sinks, and the type library's table.
pub struct File<'m> {
    model: &'m Model,
    coclasses: &'m [&'m Coclass],
    sources: Vec<Source<'m>>,
    table: Option<type_info::Table>,
    /// Every coclass gets an `IPropertyNotifySink` connection point.
    property_notify: bool,
    /// The server plumbing's classes, with `--server`.
    server: Option<Vec<server_plumbing::Class>>,
}

/// One source interface of the file.
struct Source<'m> {
    name: &'m str,
    interface: &'m Interface,
    /// The Rust path of the interface type.
    path: String,
    dispatch: bool,
    cross_apartment: bool,
    events: Vec<Event>,
    handler: Handler,
}

impl<'m> File<'m> {
    /// The file for `coclasses` of `model` (the input with the windows crate's own interfaces
    /// adopted, and `IPropertyNotifySink` declared when `property_notify` needs it).
    pub fn new(
        model: &'m Model,
        coclasses: &'m [&'m Coclass],
        cross_apartment: &CrossApartment,
        property_notify: bool,
        server: Option<&ServerOptions>,
    ) -> Result<Self, Diagnostic> {
        let mut names: Vec<&'m str> = Vec::new();
        for name in coclasses
            .iter()
            .flat_map(|c| notify::source_names(c, property_notify))
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let table = type_info::table(model, coclasses)?;
        check_cross_apartment(cross_apartment, &names)?;
        let sources = names
            .into_iter()
            .map(|name| {
                let interface = model.interface(name).ok_or_else(|| {
                    Diagnostic::new(format!("source interface `{name}` is never declared"))
                })?;
                let events = events::events(model, interface)?;
                check_report_names(name, &events)?;
                check_free(model, name)?;
                Ok(Source {
                    name,
                    interface,
                    path: paths::interface(model, name)?,
                    dispatch: interface.kind == InterfaceKind::Dispinterface,
                    cross_apartment: cross_apartment.covers(name),
                    handler: sinks::handler(model, interface, &events)?,
                    events,
                })
            })
            .collect::<Result<_, Diagnostic>>()?;
        let server = server
            .map(|options| server_plumbing::classes(model, coclasses, options))
            .transpose()?;
        Ok(Self {
            model,
            coclasses,
            sources,
            table,
            property_notify,
            server,
        })
    }

    /// The check that the crate builds with the cpgen-runtime the file was made for.
    pub fn runtime_version(&self) -> Result<String, Diagnostic> {
        render(&RuntimeVersionTemplate {
            version: RUNTIME_VERSION,
        })
    }

    /// The runtime's modules the file names, and the runtime types its API shows.
    pub fn runtime_items(&self) -> Result<String, Diagnostic> {
        let any = |f: fn(&Source) -> bool| self.sources.iter().any(f);
        let mut modules = Vec::new();
        if any(|s| s.cross_apartment) {
            modules.push("apartment");
        }
        if any(|s| s.dispatch && !s.events.is_empty()) {
            modules.push("dispatch");
        }
        if any(|s| s.handler.dispatch) {
            modules.push("receive");
        }
        modules.push("sink");
        render(&RuntimeItemsTemplate {
            modules,
            event_args: any(|s| {
                s.events
                    .iter()
                    .any(|e| e.args.iter().any(|a| a.ends_with(".into_variant()")))
            }),
        })
    }

    /// Whether the input declares vtable interfaces, enums or structs of its own, for
    /// windows-bindgen.
    pub fn has_bindings(&self) -> bool {
        let model = self.model;
        model.enums.iter().any(|e| !e.imported)
            || model.structs.iter().any(|s| !s.imported)
            || model
                .interfaces
                .iter()
                .any(|i| !i.imported && i.kind != InterfaceKind::Dispinterface)
    }

    /// The module that holds the bindings, with `placeholder` where its items go.
    pub fn bindings_frame(&self, placeholder: &str) -> Result<String, Diagnostic> {
        render(&BindingsTemplate {
            bindings: placeholder,
        })
    }

    /// The bindings of the input's own vtable interfaces and enums, by windows-bindgen.
    pub fn bindings(&self) -> Result<String, Diagnostic> {
        bindings::render(self.model)
    }

    /// An interface type for each of the input's own dispinterfaces.
    pub fn dispinterfaces(&self) -> Result<Vec<String>, Diagnostic> {
        let model = self.model;
        model
            .interfaces
            .iter()
            .filter(|i| paths::generates_dispinterface(model, &i.name))
            .map(|interface| {
                render(&DispinterfaceTemplate {
                    name: &interface.name,
                    uuid: interface.uuid.as_deref().unwrap_or_default(),
                    doc: doc(interface.helpstring.as_deref()),
                })
            })
            .collect()
    }

    /// The runtime's record description of each struct an event sends.
    pub fn records(&self) -> Result<Vec<String>, Diagnostic> {
        let records = records::records(self.model, self.sources.iter().flat_map(|s| &s.events))?;
        if records.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![render(&RecordsTemplate {
            records,
            type_library: self.table.is_some(),
        })?])
    }

    /// `<S>Proxy` with its `Fire_` methods, for each source interface `S`.
    pub fn proxies(&self) -> Result<Vec<String>, Diagnostic> {
        self.sources
            .iter()
            .map(|source| {
                render(&ProxyTemplate {
                    name: source.name,
                    path: &source.path,
                    doc: doc(source.interface.helpstring.as_deref()),
                    dispatch: source.dispatch,
                    cross_apartment: source.cross_apartment,
                    events: &source.events,
                })
            })
            .collect()
    }

    /// `<S>Handler` and `<S>Sink`, for each source interface `S`.
    pub fn typed_sinks(&self) -> Result<Vec<String>, Diagnostic> {
        self.sources
            .iter()
            .map(|source| {
                render(&TypedSinkTemplate {
                    name: source.name,
                    path: &source.path,
                    doc: doc(source.interface.helpstring.as_deref()),
                    handler: &source.handler,
                    type_library: self.table.is_some(),
                })
            })
            .collect()
    }

    /// `<C>ConnectionPoints` for each connectable coclass `C` (and `CConnectionPoints` for the
    /// only one).
    pub fn connection_points(&self) -> Result<Vec<String>, Diagnostic> {
        let mut out = Vec::new();
        for coclass in self.coclasses {
            let sources = notify::source_names(coclass, self.property_notify)
                .into_iter()
                .map(|name| {
                    Ok(CoclassSource {
                        name,
                        path: paths::interface(self.model, name)?,
                    })
                })
                .collect::<Result<Vec<_>, Diagnostic>>()?;
            let default_source = match &coclass.default_source {
                Some(name) => Some(paths::interface(self.model, name)?),
                None => None,
            };
            out.push(render(&ConnectionPointsTemplate {
                name: &coclass.name,
                doc: doc(coclass.helpstring.as_deref()),
                sources,
                default_source,
                only: self.coclasses.len() == 1 && coclass.name != "C",
                notify: notify::wanted(coclass, self.property_notify),
                notified: notify::properties(self.model, coclass),
                counted: self.server.is_some(),
            })?);
        }
        Ok(out)
    }

    /// With `--server`: `<C>Class` for each creatable coclass `C`, and `server()`.
    pub fn server(&self) -> Result<String, Diagnostic> {
        match &self.server {
            Some(classes) => render(&ServerTemplate {
                classes,
                table: self.table.as_ref(),
                library: self
                    .coclasses
                    .first()
                    .and_then(|c| c.library.as_deref())
                    .unwrap_or_default(),
            }),
            None => Ok(String::new()),
        }
    }

    /// `type_library()`, when the coclasses are in a library with a uuid.
    pub fn type_library(&self) -> Result<String, Diagnostic> {
        match &self.table {
            Some(table) => render(&TypeLibraryTemplate { table }),
            None => Ok(String::new()),
        }
    }
}

impl type_info::Table {
    /// Whether some type description or default value names a VARIANT type (`Desc::Vt(VT_I4)`),
    /// for which the table's code imports them.
    pub fn names_variant_types(&self) -> bool {
        let descs = self.types.iter().flat_map(|ty| {
            let funcs = ty.funcs.iter().flat_map(|f| {
                let params = f
                    .params
                    .iter()
                    .flat_map(|p| std::iter::once(&p.ty).chain(p.default.as_ref()));
                std::iter::once(&f.returns).chain(params)
            });
            let vars = ty.vars.iter().filter(|v| v.value.is_none()).map(|v| &v.ty);
            funcs.chain(vars).chain(ty.alias.as_ref())
        });
        descs.into_iter().any(|desc| desc.contains("VT_"))
    }
}

/// `LIBID_`, `IID_`/`DIID_` and `CLSID_` constants for what the input declares.
pub fn identifiers(model: &Model) -> Result<String, Diagnostic> {
    let mut constants = Vec::new();
    let mut constant = |prefix: &str,
                        name: &str,
                        uuid: Option<&str>,
                        helpstring: Option<&str>|
     -> Result<(), Diagnostic> {
        let Some(uuid) = uuid else { return Ok(()) };
        if parse_uuid(uuid).is_none() {
            return Err(Diagnostic::new(format!(
                "{name}: uuid `{uuid}` is malformed"
            )));
        }
        constants.push(Identifier {
            name: format!("{prefix}{name}"),
            of: name.to_string(),
            hex: uuid.trim().replace('-', "_"),
            doc: doc(helpstring),
        });
        Ok(())
    };
    for library in model.libraries.iter().filter(|l| !l.imported) {
        let (uuid, help) = (library.uuid.as_deref(), library.helpstring.as_deref());
        constant("LIBID_", &library.name, uuid, help)?;
    }
    for interface in model.interfaces.iter().filter(|i| !i.imported) {
        let prefix = match interface.kind {
            InterfaceKind::Dispinterface => "DIID_",
            _ => "IID_",
        };
        let (uuid, help) = (interface.uuid.as_deref(), interface.helpstring.as_deref());
        constant(prefix, &interface.name, uuid, help)?;
    }
    for coclass in model.coclasses.iter().filter(|c| !c.imported) {
        let (uuid, help) = (coclass.uuid.as_deref(), coclass.helpstring.as_deref());
        constant("CLSID_", &coclass.name, uuid, help)?;
    }
    render(&IdentifiersTemplate { constants })
}

fn doc(helpstring: Option<&str>) -> Option<String> {
    helpstring.map(docs::doc_text)
}

fn render(template: &impl Template) -> Result<String, Diagnostic> {
    let mut text = template
        .render()
        .map_err(|e| Diagnostic::new(format!("internal error: rendering a template: {e}")))?;
    // The text grew by doubling; a huge interface's parts are held until they are formatted.
    text.shrink_to_fit();
    Ok(text)
}

#[derive(Template)]
#[template(path = "runtime_version.rs", escape = "none")]
struct RuntimeVersionTemplate<'a> {
    version: &'a str,
}

#[derive(Template)]
#[template(path = "runtime_items.rs", escape = "none")]
struct RuntimeItemsTemplate {
    modules: Vec<&'static str>,
    /// Some `Fire_` method turns a parameter into a VARIANT with `EventArg::into_variant`.
    event_args: bool,
}

struct Identifier {
    name: String,
    /// What the uuid is of.
    of: String,
    hex: String,
    doc: Option<String>,
}

#[derive(Template)]
#[template(path = "identifiers.rs", escape = "none")]
struct IdentifiersTemplate {
    constants: Vec<Identifier>,
}

#[derive(Template)]
#[template(path = "bindings.rs", escape = "none")]
struct BindingsTemplate<'a> {
    bindings: &'a str,
}

#[derive(Template)]
#[template(path = "dispinterface.rs", escape = "none")]
struct DispinterfaceTemplate<'a> {
    name: &'a str,
    uuid: &'a str,
    doc: Option<String>,
}

#[derive(Template)]
#[template(path = "records.rs", escape = "none")]
struct RecordsTemplate {
    records: Vec<records::Record>,
    /// The file has `type_library()`, which describes the structs.
    type_library: bool,
}

#[derive(Template)]
#[template(path = "proxy.rs", escape = "none")]
struct ProxyTemplate<'a> {
    name: &'a str,
    path: &'a str,
    doc: Option<String>,
    dispatch: bool,
    cross_apartment: bool,
    events: &'a [Event],
}

#[derive(Template)]
#[template(path = "typed_sink.rs", escape = "none")]
struct TypedSinkTemplate<'a> {
    name: &'a str,
    path: &'a str,
    doc: Option<String>,
    handler: &'a Handler,
    /// The file has `type_library()`, which describes the interface.
    type_library: bool,
}

struct CoclassSource<'a> {
    name: &'a str,
    path: String,
}

#[derive(Template)]
#[template(path = "connection_points.rs", escape = "none")]
struct ConnectionPointsTemplate<'a> {
    name: &'a str,
    doc: Option<String>,
    sources: Vec<CoclassSource<'a>>,
    default_source: Option<String>,
    /// The file's only connectable coclass, also named `CConnectionPoints`.
    only: bool,
    /// The coclass has an `IPropertyNotifySink` connection point, through which it announces
    /// `notified`.
    notify: bool,
    notified: Vec<Notified>,
    /// The object counts for the server's `DllCanUnloadNow` while it holds these (`--server`).
    counted: bool,
}

#[derive(Template)]
#[template(path = "server.rs", escape = "none")]
struct ServerTemplate<'a> {
    classes: &'a [server_plumbing::Class],
    table: Option<&'a type_info::Table>,
    /// The name of the coclasses' library, whose `LIBID_` the table's GUID is.
    library: &'a str,
}

#[derive(Template)]
#[template(path = "type_library.rs", escape = "none")]
struct TypeLibraryTemplate<'a> {
    table: &'a type_info::Table,
}
