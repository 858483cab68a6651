//! The type library a generated file describes and builds at run time (`type_library()`, built by
//! `cpgen_runtime::type_library`): the library of the connectable coclasses, those coclasses, every interface they
//! list, and the types their source interfaces use. Source interfaces (and their bases) are
//! described in full, as widl's type library describes them; other interfaces by name, GUID,
//! kind and base only; enums with their constants.

use std::collections::HashMap;

use super::oracle::{self, EventType};
use super::parse_uuid;
use super::sinks::dispid_literal;
use crate::Diagnostic;
use crate::model::{
    Coclass, Enum, Interface, InterfaceKind, Method, MethodKind, Model, Param, Struct, TypeRef,
};

/// The library, as the `Library` table's fields (strings as Rust literals).
#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub guid: String,
    pub major: u16,
    pub minor: u16,
    pub doc: String,
    pub types: Vec<Row>,
}

#[derive(Debug)]
pub struct Row {
    pub name: String,
    pub guid: String,
    pub kind: &'static str,
    pub flags: u32,
    pub doc: String,
    pub implements: Vec<Implemented>,
    pub funcs: Vec<Func>,
    pub vars: Vec<Var>,
}

#[derive(Debug)]
pub struct Implemented {
    /// A `Ref` expression.
    pub ty: String,
    pub flags: i32,
}

#[derive(Debug)]
pub struct Func {
    pub name: String,
    /// The MEMBERID literal.
    pub memid: String,
    pub invoke: i32,
    pub params: Vec<FuncParam>,
    /// A `Desc` expression.
    pub returns: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct FuncParam {
    pub name: String,
    pub ty: String,
    pub flags: u16,
}

#[derive(Debug)]
pub struct Var {
    pub name: String,
    /// The MEMBERID literal.
    pub memid: String,
    pub ty: String,
    pub value: Option<i32>,
    pub flags: u16,
    pub doc: String,
}

// TYPEFLAGS, IMPLTYPEFLAGS, PARAMFLAGS, VARFLAGS and INVOKEKIND values, as oleaut32 defines them.
const TYPEFLAG_FCANCREATE: u32 = 0x2;
const TYPEFLAG_FDUAL: u32 = 0x40;
const TYPEFLAG_FOLEAUTOMATION: u32 = 0x100;
const TYPEFLAG_FDISPATCHABLE: u32 = 0x1000;
const IMPLTYPEFLAG_FDEFAULT: i32 = 0x1;
const IMPLTYPEFLAG_FSOURCE: i32 = 0x2;
const IMPLTYPEFLAG_FRESTRICTED: i32 = 0x4;
const PARAMFLAG_FIN: u16 = 0x1;
const PARAMFLAG_FOUT: u16 = 0x2;
const PARAMFLAG_FLCID: u16 = 0x4;
const PARAMFLAG_FRETVAL: u16 = 0x8;
const PARAMFLAG_FOPT: u16 = 0x10;
const VARFLAG_FREADONLY: u16 = 0x1;
/// oleaut32 numbers a member given MEMBERID_NIL itself, when it lays the type out.
pub(super) const MEMBERID_NIL: i32 = -1;

const IDISPATCH: &str = "Ref::IDISPATCH";
const IUNKNOWN: &str = "Ref::IUNKNOWN";

/// What the library holds, in order: every type after the types it derives from.
enum Entry<'m> {
    Enum(&'m Enum),
    Interface {
        interface: &'m Interface,
        full: bool,
    },
    Coclass(&'m Coclass),
    /// A struct an event sends (see [`super::record_rows`]).
    Record(&'m Struct),
}

/// The table for `coclasses`, or none when they are not in a library with a uuid (there is no
/// LIBID to give it).
pub fn table(model: &Model, coclasses: &[&Coclass]) -> Result<Option<Table>, Diagnostic> {
    let Some(library) = coclasses
        .first()
        .and_then(|c| c.library.as_deref())
        .and_then(|name| model.libraries.iter().find(|l| l.name == name))
    else {
        return Ok(None);
    };
    let Some(guid) = library.uuid.as_deref() else {
        return Ok(None);
    };
    let mut entries = Entries {
        model,
        list: Vec::new(),
        index: HashMap::new(),
    };
    for coclass in coclasses {
        for member in &coclass.members {
            entries.interface(&member.name, member.source)?;
        }
    }
    // What the fully described interfaces use (they are all in the list by now).
    let full: Vec<&Interface> = entries
        .list
        .iter()
        .filter_map(|e| match e {
            Entry::Interface {
                interface,
                full: true,
            } => Some(*interface),
            _ => None,
        })
        .collect();
    for interface in full {
        for ty in described_types(model, interface) {
            entries.uses(&ty)?;
        }
    }
    for coclass in coclasses {
        entries.list.push(Entry::Coclass(coclass));
    }
    let (major, minor) = library
        .version
        .as_deref()
        .and_then(|v| v.split_once('.').or(Some((v, "0"))))
        .and_then(|(major, minor)| Some((major.trim().parse().ok()?, minor.trim().parse().ok()?)))
        .unwrap_or((0, 0));
    let local = |name: &str| entries.index.get(name).copied();
    let types = entries
        .list
        .iter()
        .map(|entry| row(model, entry, &local))
        .collect::<Result<_, _>>()?;
    Ok(Some(Table {
        name: literal(&library.name),
        guid: guid_expr(Some(guid), &library.name)?,
        major,
        minor,
        doc: literal(library.helpstring.as_deref().unwrap_or_default()),
        types,
    }))
}

struct Entries<'m> {
    model: &'m Model,
    list: Vec<Entry<'m>>,
    /// Each type's position in `list`, by name.
    index: HashMap<String, usize>,
}

impl<'m> Entries<'m> {
    /// Adds interface `name` (after its bases), described in full or not; IUnknown and IDispatch
    /// are stdole2's.
    fn interface(&mut self, name: &str, full: bool) -> Result<(), Diagnostic> {
        if matches!(name, "IUnknown" | "IDispatch") {
            return Ok(());
        }
        // An interface only a type library imported into the IDL knows has nothing to describe.
        let Some(interface) = self.model.interface(name) else {
            return Ok(());
        };
        if let Some(&at) = self.index.get(name) {
            if let Entry::Interface { full: was, .. } = &mut self.list[at]
                && full
                && !*was
            {
                *was = true;
                if let Some(base) = interface.base.as_deref() {
                    self.interface(base, true)?;
                }
            }
            return Ok(());
        }
        if let Some(base) = interface.base.as_deref() {
            // A cycle would recurse forever; the model's interfaces have none (events reject
            // them), but a name is marked before its base is visited all the same.
            if self.index.len() > 4096 {
                return Err(Diagnostic::new(format!(
                    "interface `{name}` derives from itself"
                )));
            }
            self.interface(base, full)?;
        }
        if !self.index.contains_key(name) {
            self.index.insert(name.to_string(), self.list.len());
            self.list.push(Entry::Interface { interface, full });
        }
        Ok(())
    }

    /// Adds what a fully described member's type refers to: an enum, or another interface.
    fn uses(&mut self, ty: &EventType) -> Result<(), Diagnostic> {
        match ty {
            EventType::Value { rust, .. } if oracle::is_enum(self.model, rust) => {
                if !self.index.contains_key(rust.as_str())
                    && let Some(declared) = self.model.enums.iter().find(|e| &e.name == rust)
                {
                    self.index.insert(rust.clone(), self.list.len());
                    self.list.push(Entry::Enum(declared));
                }
                Ok(())
            }
            EventType::Interface { name, .. } => self.interface(name, false),
            EventType::Record { name } => self.record(name),
            EventType::Out(inner) | EventType::InRef(inner) => self.uses(inner),
            _ => Ok(()),
        }
    }
}

impl<'m> Entries<'m> {
    /// Adds struct `name` as a record, and what its fields refer to.
    fn record(&mut self, name: &str) -> Result<(), Diagnostic> {
        if self.index.contains_key(name) {
            return Ok(());
        }
        let Some(item) = self.model.structs.iter().find(|s| s.name == name) else {
            return Ok(());
        };
        self.index.insert(name.to_string(), self.list.len());
        self.list.push(Entry::Record(item));
        for field in &item.fields {
            if let Some(ty) = oracle::value_type(self.model, &field.ty_ref) {
                self.uses(&ty)?;
            }
        }
        Ok(())
    }
}

/// The types of the members of `interface` that the table describes.
fn described_types(model: &Model, interface: &Interface) -> Vec<EventType> {
    let mut types = Vec::new();
    for method in described_methods(interface) {
        if let Some((params, returns)) = signature(model, interface, method) {
            types.extend(params);
            types.extend(returns);
        }
    }
    for property in &interface.properties {
        types.extend(property_type(model, &property.ty));
    }
    types
}

/// The methods a type library lists for `interface`: all of a dispinterface's, and a vtable
/// interface's own (not the `[call_as]` wire forms of `[local]` methods).
fn described_methods(interface: &Interface) -> impl Iterator<Item = &Method> {
    interface.methods.iter().filter(|m| m.call_as.is_none())
}

/// A method's parameter types and return type (none for `void` and `HRESULT`), or none when the
/// oracle has no mapping for one of them: such a member is left out of the type information.
fn signature(
    model: &Model,
    interface: &Interface,
    method: &Method,
) -> Option<(Vec<EventType>, Option<EventType>)> {
    let params = method
        .params
        .iter()
        .map(|p| oracle::event_type(model, &interface.name, &method.name, p).ok())
        .collect::<Option<Vec<_>>>()?;
    let returns = match method.ret.as_str() {
        "void" | "HRESULT" => None,
        other => Some(property_type(model, other)?),
    };
    Some((params, returns))
}

/// A property's or return value's type, written as the IDL writes it (`long`, `IDispatch*`).
fn property_type(model: &Model, written: &str) -> Option<EventType> {
    let base = written.trim_end_matches(['*', ' ']);
    let ty = TypeRef {
        base: base.to_string(),
        pointers: written.matches('*').count(),
        ..TypeRef::default()
    };
    oracle::value_type(model, &ty)
}

fn row(
    model: &Model,
    entry: &Entry<'_>,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Result<Row, Diagnostic> {
    Ok(match entry {
        Entry::Enum(declared) => Row {
            name: literal(&declared.name),
            guid: guid_expr(declared.uuid.as_deref(), &declared.name)?,
            kind: "Enum",
            flags: 0,
            doc: literal(""),
            implements: Vec::new(),
            funcs: Vec::new(),
            vars: declared
                .members
                .iter()
                .map(|member| Var {
                    name: literal(&member.name),
                    memid: dispid_literal(MEMBERID_NIL),
                    // MIDL types an enum's constants `int`.
                    ty: "Desc::Vt(VT_INT)".into(),
                    value: Some(member.value as i32),
                    flags: 0,
                    doc: literal(""),
                })
                .collect(),
        },
        Entry::Interface { interface, full } => interface_row(model, interface, *full, local)?,
        Entry::Record(item) => super::record_rows::row(model, item, local)?,
        Entry::Coclass(coclass) => Row {
            name: literal(&coclass.name),
            guid: guid_expr(coclass.uuid.as_deref(), &coclass.name)?,
            kind: "Coclass",
            flags: if coclass.noncreatable {
                0
            } else {
                TYPEFLAG_FCANCREATE
            },
            doc: literal(coclass.helpstring.as_deref().unwrap_or_default()),
            implements: coclass
                .members
                .iter()
                .filter(|m| {
                    matches!(m.name.as_str(), "IUnknown" | "IDispatch") || local(&m.name).is_some()
                })
                .map(|member| {
                    let flags = [
                        (member.default, IMPLTYPEFLAG_FDEFAULT),
                        (member.source, IMPLTYPEFLAG_FSOURCE),
                        (member.restricted, IMPLTYPEFLAG_FRESTRICTED),
                    ]
                    .iter()
                    .filter(|(set, _)| *set)
                    .fold(0, |all, (_, flag)| all | flag);
                    Implemented {
                        ty: reference(&member.name, local),
                        flags,
                    }
                })
                .collect(),
            funcs: Vec::new(),
            vars: Vec::new(),
        },
    })
}

fn interface_row(
    model: &Model,
    interface: &Interface,
    full: bool,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Result<Row, Diagnostic> {
    let dispinterface = interface.kind == InterfaceKind::Dispinterface;
    let derives_from_dispatch = dispinterface || root_base(model, interface) == "IDispatch";
    let mut flags = 0;
    if interface.kind == InterfaceKind::Dual {
        flags |= TYPEFLAG_FDUAL;
    }
    if interface.oleautomation {
        flags |= TYPEFLAG_FOLEAUTOMATION;
    }
    if derives_from_dispatch {
        flags |= TYPEFLAG_FDISPATCHABLE;
    }
    let base = match interface.base.as_deref() {
        _ if dispinterface => Some("IDispatch"),
        base => base,
    };
    let mut funcs = Vec::new();
    let mut vars = Vec::new();
    if full {
        for method in described_methods(interface) {
            if let Some(func) = func(model, interface, method, local) {
                funcs.push(func);
            }
        }
        for property in &interface.properties {
            let Some(ty) =
                property_type(model, &property.ty).and_then(|ty| oracle::type_desc(&ty, local))
            else {
                continue;
            };
            vars.push(Var {
                name: literal(&property.name),
                memid: dispid_literal(property.dispid),
                ty,
                value: None,
                flags: if property.readonly {
                    VARFLAG_FREADONLY
                } else {
                    0
                },
                doc: literal(""),
            });
        }
    }
    Ok(Row {
        name: literal(&interface.name),
        guid: guid_expr(interface.uuid.as_deref(), &interface.name)?,
        kind: if dispinterface {
            "Dispatch"
        } else {
            "Interface"
        },
        flags,
        doc: literal(interface.helpstring.as_deref().unwrap_or_default()),
        implements: base
            .map(|base| Implemented {
                ty: reference(base, local),
                flags: 0,
            })
            .into_iter()
            .collect(),
        funcs,
        vars,
    })
}

/// The interface a vtable interface's chain of bases ends at.
fn root_base<'m>(model: &'m Model, interface: &'m Interface) -> &'m str {
    let mut current = interface;
    for _ in 0..64 {
        match current.base.as_deref() {
            Some(base @ ("IUnknown" | "IDispatch")) => return base,
            Some(base) => match model.interface(base) {
                Some(next) => current = next,
                None => return base,
            },
            None => return "IUnknown",
        }
    }
    "IUnknown"
}

fn func(
    model: &Model,
    interface: &Interface,
    method: &Method,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Option<Func> {
    let (types, returns) = signature(model, interface, method)?;
    let params = method
        .params
        .iter()
        .zip(&types)
        .map(|(param, ty)| {
            Some(FuncParam {
                name: literal(&param.name),
                ty: oracle::type_desc(ty, local)?,
                flags: param_flags(param),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let returns = match (&returns, method.ret.as_str()) {
        (Some(ty), _) => oracle::type_desc(ty, local)?,
        (None, "HRESULT") => "Desc::Vt(VT_HRESULT)".into(),
        (None, _) => "Desc::Vt(VT_VOID)".into(),
    };
    Some(Func {
        name: literal(&method.name),
        memid: dispid_literal(method.dispid.unwrap_or(MEMBERID_NIL)),
        invoke: match method.kind {
            MethodKind::Method => 1,
            MethodKind::Propget => 2,
            MethodKind::Propput => 4,
            MethodKind::Propputref => 8,
        },
        params,
        returns,
        doc: literal(method.helpstring.as_deref().unwrap_or_default()),
    })
}

fn param_flags(param: &Param) -> u16 {
    [
        (param.is_in, PARAMFLAG_FIN),
        (param.is_out, PARAMFLAG_FOUT),
        (param.lcid, PARAMFLAG_FLCID),
        (param.retval, PARAMFLAG_FRETVAL),
        (param.optional, PARAMFLAG_FOPT),
    ]
    .iter()
    .filter(|(set, _)| *set)
    .fold(0, |all, (_, flag)| all | flag)
}

/// A `Ref` to interface `name`.
fn reference(name: &str, local: &dyn Fn(&str) -> Option<usize>) -> String {
    match (name, local(name)) {
        ("IDispatch", _) => IDISPATCH.into(),
        (_, Some(index)) => format!("Ref::Local({index})"),
        _ => IUNKNOWN.into(),
    }
}

/// A GUID expression: GUID_NULL for a type without a uuid.
pub(super) fn guid_expr(uuid: Option<&str>, owner: &str) -> Result<String, Diagnostic> {
    let Some(uuid) = uuid else {
        return Ok("GUID::zeroed()".into());
    };
    let value = parse_uuid(uuid)
        .ok_or_else(|| Diagnostic::new(format!("{owner}: uuid `{uuid}` is malformed")))?;
    Ok(format!("GUID::from_u128({value:#034x})"))
}

/// `text` as a Rust string literal.
pub(super) fn literal(text: &str) -> String {
    format!("{text:?}")
}
