//! The structs that events send, described for the runtime's `IRecordInfo`
//! (`cpgen_runtime::record`): each one's name, GUID, and fields with the VARIANT types the one
//! mapping gives them. The Rust struct is the one windows-bindgen renders; its size and field
//! offsets are the compiler's (`size_of`, `offset_of!`), never computed here.

use super::events::Event;
use super::oracle::{self, EventType};
use super::parse_uuid;
use crate::Diagnostic;
use crate::model::{Model, TypeRef};

/// One struct as a record.
#[derive(Debug)]
pub struct Record {
    /// The struct's name, which is its Rust name too.
    pub name: String,
    /// A `GUID` expression: its uuid, or GUID_NULL.
    pub guid: String,
    pub fields: Vec<RecordField>,
}

#[derive(Debug)]
pub struct RecordField {
    pub name: String,
    /// The Rust field: the name, raw where it is a keyword (`r#type`), as windows-bindgen writes it.
    pub ident: String,
    /// The `VT_*` name the field is laid out as.
    pub vt: &'static str,
}

/// The structs `events` send, in the order the input declares them.
pub fn records<'e>(
    model: &Model,
    events: impl Iterator<Item = &'e Event>,
) -> Result<Vec<Record>, Diagnostic> {
    let mut used: Vec<&str> = Vec::new();
    for ty in events.flat_map(|e| &e.types) {
        let ty = match ty {
            EventType::Out(inner) | EventType::InRef(inner) => inner.as_ref(),
            other => other,
        };
        if let EventType::Record { name } = ty
            && !used.contains(&name.as_str())
        {
            used.push(name);
        }
    }
    model
        .structs
        .iter()
        .filter(|s| used.contains(&s.name.as_str()))
        .map(|item| {
            let guid = match item.uuid.as_deref() {
                Some(uuid) => {
                    let value = parse_uuid(uuid).ok_or_else(|| {
                        Diagnostic::new(format!("{}: uuid `{uuid}` is malformed", item.name))
                    })?;
                    format!("windows_core::GUID::from_u128({value:#034x})")
                }
                None => "windows_core::GUID::zeroed()".into(),
            };
            let fields = item
                .fields
                .iter()
                .map(|field| {
                    // The oracle made this struct a record only if every field has a type.
                    let vt = oracle::value_type(model, &field.ty_ref)
                        .map(|ty| ty.vt())
                        .ok_or_else(|| unmapped(&item.name, &field.name, &field.ty_ref))?;
                    Ok(RecordField {
                        name: field.name.clone(),
                        ident: field_ident(&field.name),
                        vt,
                    })
                })
                .collect::<Result<_, Diagnostic>>()?;
            Ok(Record {
                name: item.name.clone(),
                guid,
                fields,
            })
        })
        .collect()
}

fn unmapped(record: &str, field: &str, ty: &TypeRef) -> Diagnostic {
    Diagnostic::new(format!(
        "internal error: struct `{record}`: field `{field}` of type `{}` has no VARIANT type",
        ty.base
    ))
}

/// The Rust name windows-bindgen gives struct field `name`.
pub fn field_ident(name: &str) -> String {
    if super::events::is_keyword(name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}
