//! One row of the table per type: its kind, GUID, `TYPEFLAGS`, help string, implemented
//! interfaces, functions, variables, and an alias's target.

use super::super::oracle;
use super::super::parse_uuid;
use super::super::sinks::dispid_literal;
use super::members::{self, property_type};
use super::{Entry, Implemented, MEMBERID_NIL, Row, Var};
use crate::Diagnostic;
use crate::model::{Coclass, Interface, InterfaceKind, Model};

// TYPEFLAGS, IMPLTYPEFLAGS and VARFLAGS values, as oleaut32 defines them.
const TYPEFLAG_FCANCREATE: u32 = 0x2;
const TYPEFLAG_FDUAL: u32 = 0x40;
const TYPEFLAG_FOLEAUTOMATION: u32 = 0x100;
const TYPEFLAG_FDISPATCHABLE: u32 = 0x1000;
const IMPLTYPEFLAG_FDEFAULT: i32 = 0x1;
const IMPLTYPEFLAG_FSOURCE: i32 = 0x2;
const IMPLTYPEFLAG_FRESTRICTED: i32 = 0x4;
const VARFLAG_FREADONLY: u16 = 0x1;

const IDISPATCH: &str = "Ref::IDISPATCH";
const IUNKNOWN: &str = "Ref::IUNKNOWN";

/// The row of `entry`; `local` gives each type's index in the table.
pub(super) fn row(
    model: &Model,
    entry: &Entry<'_>,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Result<Row, Diagnostic> {
    let plain = |name: &str, guid: String, kind: &'static str| Row {
        name: literal(name),
        guid,
        kind,
        flags: 0,
        doc: literal(""),
        alias: None,
        implements: Vec::new(),
        funcs: Vec::new(),
        vars: Vec::new(),
    };
    Ok(match entry {
        Entry::Enum(declared) => Row {
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
            ..plain(
                &declared.name,
                guid_expr(declared.uuid.as_deref(), &declared.name)?,
                "Enum",
            )
        },
        Entry::Alias(alias) => Row {
            alias: Some(
                oracle::value_type(model, &alias.ty_ref)
                    .and_then(|ty| oracle::type_desc(&ty, local))
                    .ok_or_else(|| {
                        Diagnostic::new(format!(
                            "typedef [public] `{}`: its type `{}` has no type-library mapping",
                            alias.name, alias.ty
                        ))
                    })?,
            ),
            ..plain(&alias.name, "GUID::zeroed()".into(), "Alias")
        },
        Entry::Interface(interface) => interface_row(model, interface, local)?,
        Entry::Coclass(coclass) => coclass_row(coclass, local)?,
    })
}

fn coclass_row(
    coclass: &Coclass,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Result<Row, Diagnostic> {
    Ok(Row {
        name: literal(&coclass.name),
        guid: guid_expr(coclass.uuid.as_deref(), &coclass.name)?,
        kind: "Coclass",
        flags: if coclass.noncreatable {
            0
        } else {
            TYPEFLAG_FCANCREATE
        },
        doc: literal(coclass.helpstring.as_deref().unwrap_or_default()),
        alias: None,
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
    })
}

fn interface_row(
    model: &Model,
    interface: &Interface,
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
    let vars = interface
        .properties
        .iter()
        .filter_map(|property| {
            let ty = oracle::type_desc(&property_type(model, &property.ty)?, local)?;
            Some(Var {
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
            })
        })
        .collect();
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
        alias: None,
        implements: base
            .map(|base| Implemented {
                ty: reference(base, local),
                flags: 0,
            })
            .into_iter()
            .collect(),
        funcs: members::funcs(model, interface, local),
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
