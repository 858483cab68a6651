//! The type library's description of the structs events send: a `TKIND_RECORD` row per struct,
//! one field per `Var`, each at the offset the compiler gives the Rust struct's field
//! (`offset_of!`, written by the template), typed as the one mapping types it.

use super::rows::{guid_expr, literal};
use super::{MEMBERID_NIL, Row, Var};
use crate::Diagnostic;
use crate::emit::oracle;
use crate::emit::sinks::dispid_literal;
use crate::model::{Model, Struct};

/// The row of struct `item`.
pub fn row(
    model: &Model,
    item: &Struct,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Result<Row, Diagnostic> {
    let vars = item
        .fields
        .iter()
        .map(|field| {
            let ty = oracle::value_type(model, &field.ty_ref)
                .and_then(|ty| oracle::type_desc(&ty, local))
                .ok_or_else(|| {
                    Diagnostic::new(format!(
                        "internal error: struct `{}`: field `{}` has no type description",
                        item.name, field.name
                    ))
                })?;
            Ok(Var {
                name: literal(&field.name),
                memid: dispid_literal(MEMBERID_NIL),
                ty,
                value: None,
                flags: 0,
                doc: literal(""),
            })
        })
        .collect::<Result<_, Diagnostic>>()?;
    Ok(Row {
        name: literal(&item.name),
        guid: guid_expr(item.uuid.as_deref(), &item.name)?,
        kind: "Record",
        flags: 0,
        doc: literal(""),
        alias: None,
        implements: Vec::new(),
        funcs: Vec::new(),
        vars,
    })
}

impl Row {
    /// The Rust name of the type (its IDL name, which the row holds as a literal).
    pub fn ident(&self) -> &str {
        self.name.trim_matches('"')
    }
}

impl Var {
    /// The Rust name of a record's field.
    pub fn ident(&self) -> String {
        crate::emit::records::field_ident(self.name.trim_matches('"'))
    }
}
