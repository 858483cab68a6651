//! Type references: from a declaration's spec and declarator to a [`TypeRef`], and back to the
//! text an IDL author would write.

use super::TypeRef;
use super::consteval::{self, Scope};
use crate::parse::ast::{DeclSpec, Derived, TypeSpec};

/// The type of a declarator over `spec`, skipping a leading function derivation (a method's
/// declarator describes its return type that way).
pub fn type_ref(spec: &DeclSpec, derived: &[Derived], scope: &Scope) -> TypeRef {
    let mut ty = TypeRef {
        base: base_name(&spec.ty, scope),
        safearray_of: match &spec.ty {
            TypeSpec::SafeArray(inner) => Some(Box::new(type_ref(
                &inner.spec,
                &inner.declarator.derived,
                scope,
            ))),
            _ => None,
        },
        is_const: spec.is_const,
        ..TypeRef::default()
    };
    for d in derived {
        match d {
            Derived::Pointer { .. } => ty.pointers += 1,
            Derived::Array(size) => ty.array.push(
                size.as_ref()
                    .and_then(|e| consteval::eval_int(e, scope).ok())
                    .and_then(|v| u64::try_from(v).ok()),
            ),
            Derived::Function(_) => {}
        }
    }
    ty
}

fn base_name(spec: &TypeSpec, scope: &Scope) -> String {
    match spec {
        TypeSpec::Named(name) => name.text.clone(),
        TypeSpec::Int(words) => words.clone(),
        TypeSpec::SafeArray(inner) => {
            let inner = type_ref(&inner.spec, &inner.declarator.derived, scope);
            format!("SAFEARRAY({})", render(&inner))
        }
        TypeSpec::Struct(s) => tagged("struct", s.name.as_ref().map(|n| n.text.as_str())),
        TypeSpec::Union(u) => tagged("union", u.name.as_ref().map(|n| n.text.as_str())),
        TypeSpec::Enum(e) => tagged("enum", e.name.as_ref().map(|n| n.text.as_str())),
    }
}

fn tagged(keyword: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{keyword} {name}"),
        None => keyword.to_string(),
    }
}

/// `const WCHAR*`, `IDispatch**`, `SAFEARRAY(BSTR)*`, `BYTE[16]`.
pub fn render(ty: &TypeRef) -> String {
    let mut out = String::new();
    if ty.is_const {
        out.push_str("const ");
    }
    out.push_str(&ty.base);
    for _ in 0..ty.pointers {
        out.push('*');
    }
    for dim in &ty.array {
        match dim {
            Some(n) => out.push_str(&format!("[{n}]")),
            None => out.push_str("[]"),
        }
    }
    out
}
