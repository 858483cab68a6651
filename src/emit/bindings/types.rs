//! The type oracle of the bindings: an IDL type becomes the metadata type windows-bindgen
//! renders, by one set of rules, in this order:
//! 1. C's own types (`long`, `unsigned short`, `double`, ...) become primitives;
//! 2. enums and vtable interfaces declared in the input become types of the input's namespace;
//! 3. a name of cpgen's one type mapping ([`crate::emit::mapping`]: `DWORD`, `DATE`,
//!    `LPWSTR`, `CURRENCY`, stdole's `OLE_COLOR`, ...) becomes what the mapping says, the very
//!    type the event oracle gives it;
//! 4. a coclass stands for its default interface;
//! 5. a name the Win32 metadata has (`BSTR`, `HWND`, `IDispatch`) becomes a reference to it, so
//!    the output uses the windows crate's type;
//! 6. other typedefs are followed to what they alias.
//!
//! Anything else is an error the caller places on a parameter: nothing is guessed.

use windows_metadata::Type;

use super::sdk::{self, Kind};
use crate::emit::mapping::{self, Binding};
use crate::model::{InterfaceKind, Model, TypeRef};

/// The namespace of the input's own types in the .winmd. It never shows in the output (which is
/// flat), but must not collide with the SDK's `Windows.*`.
pub const NAMESPACE: &str = "Idl";

/// How deep typedef chains are followed before the oracle gives up on a cycle.
const MAX_TYPEDEF_DEPTH: usize = 16;

/// Resolves the names of one model.
pub struct Types<'m> {
    model: &'m Model,
}

impl<'m> Types<'m> {
    pub fn new(model: &'m Model) -> Self {
        Types { model }
    }

    /// The metadata type of `ty`, as a parameter, return or base type.
    pub fn resolve(&self, ty: &TypeRef) -> Result<Type, String> {
        self.resolve_at(ty, 0)
    }

    /// A method's return type, which the model keeps as written (`HRESULT`, `ULONG`, `void*`).
    pub fn resolve_return(&self, written: &str) -> Result<Type, String> {
        let base = written.trim_end_matches(['*', ' ']);
        let ty = TypeRef {
            base: base.to_string(),
            pointers: written[base.len()..].matches('*').count(),
            ..TypeRef::default()
        };
        self.resolve(&ty)
    }

    /// The base interface of an interface: an interface declared in the input or in the SDK.
    pub fn interface(&self, name: &str) -> Result<Type, String> {
        match self.named(name, 0)? {
            (ty, true) => Ok(ty),
            (_, false) => Err(format!("`{name}` is not an interface")),
        }
    }

    /// The name an enum of the input gets: the name the model gave it (its typedef name, else
    /// its tag).
    pub fn enum_type(name: &str) -> Type {
        Type::value_named(NAMESPACE, name)
    }

    fn resolve_at(&self, ty: &TypeRef, depth: usize) -> Result<Type, String> {
        // An array parameter is a pointer to its first element, as in C.
        let mut pointers = ty.pointers + ty.array.len();
        let base = if ty.safearray_of.is_some() {
            // SAFEARRAY(T) is MIDL's spelling of `SAFEARRAY*`; the element type is not in the
            // C signature.
            pointers += 1;
            self.sdk("SAFEARRAY")?.0
        } else {
            let (base, is_interface) = self.named(&ty.base, depth)?;
            if is_interface {
                // COM interfaces are references in metadata: `IDispatch*` is `IDispatch`.
                pointers = pointers.checked_sub(1).ok_or_else(|| {
                    format!("interface `{}` is passed by value, not by pointer", ty.base)
                })?;
            }
            base
        };
        Ok(match pointers {
            0 => base,
            n => Type::PtrMut(Box::new(base), n),
        })
    }

    /// The metadata type of a name without pointers, and whether it is an interface (which a
    /// pointer in the IDL refers to).
    fn named(&self, name: &str, depth: usize) -> Result<(Type, bool), String> {
        let words: Vec<&str> = name.split_whitespace().collect();
        if let Some(ty) = primitive(&words) {
            return Ok((ty, false));
        }
        if let ["enum", tag] = words.as_slice() {
            return match (self.own_enum(tag), mapping::resolve(tag)) {
                (Some(ty), _) => Ok((ty, false)),
                // stdole's enums (`enum OLE_TRISTATE`) are what the one mapping says.
                (None, Some(_)) => self.named(tag, depth + 1),
                (None, None) => Err(format!("`enum {tag}` is not declared in the input")),
            };
        }
        if let [keyword @ ("struct" | "union"), tag] = words.as_slice() {
            return self.own_struct(tag).map(|ty| (ty, false)).ok_or_else(|| {
                format!("`{keyword} {tag}` is not defined (with its fields) in the input")
            });
        }
        if let Some(ty) = self.own_enum(name).or_else(|| self.own_struct(name)) {
            return Ok((ty, false));
        }
        if let Some(interface) = self.model.interfaces.iter().find(|i| i.name == name)
            && !interface.imported
        {
            return match interface.kind {
                InterfaceKind::Dispinterface => Err(format!(
                    "dispinterface `{name}` as a vtable parameter has no binding"
                )),
                _ => Ok((Type::class_named(NAMESPACE, name), true)),
            };
        }
        let typedef = self.model.typedefs.iter().find(|t| t.name == name);
        if let Some(typedef) = typedef.filter(|t| !t.imported) {
            return self.alias(name, &typedef.ty_ref, depth);
        }
        if let Some(known) = mapping::resolve(name) {
            return match known.binding {
                Binding::Primitive(p) => Ok((p.metadata(), false)),
                Binding::Sdk(sdk_name) => self.sdk(sdk_name),
                Binding::Guid => Ok((Type::value_named("System", "Guid"), false)),
            };
        }
        if let Some(default) = self.model.coclass_default(name) {
            // A coclass used as a type stands for its default interface, as MIDL reads it.
            return self.named(default, depth + 1);
        }
        if let Ok(found) = self.sdk(name) {
            return Ok(found);
        }
        if let Some(typedef) = typedef {
            return self.alias(name, &typedef.ty_ref, depth);
        }
        if self.model.interfaces.iter().any(|i| i.name == name) {
            return Err(format!(
                "interface `{name}` is imported, and the windows crate does not have it"
            ));
        }
        Err(format!(
            "type `{name}` is neither declared in the input nor known to the windows crate"
        ))
    }

    /// Follows typedef `name` to the type it aliases. An alias of an interface is an interface
    /// (its pointers are stripped as the interface's are); `typedef IFoo *LPFOO` is already the
    /// reference.
    fn alias(&self, name: &str, ty: &TypeRef, depth: usize) -> Result<(Type, bool), String> {
        if depth >= MAX_TYPEDEF_DEPTH {
            return Err(format!("typedef `{name}` does not resolve (a cycle?)"));
        }
        if ty.pointers == 0 && ty.array.is_empty() && ty.safearray_of.is_none() {
            return self.named(&ty.base, depth + 1);
        }
        Ok((self.resolve_at(ty, depth + 1)?, false))
    }

    /// The metadata type of a struct field: a fixed-size array (`BYTE Data4[8]`) is an array of
    /// its elements, not a pointer as a parameter's is.
    pub fn field(&self, ty: &TypeRef) -> Result<Type, String> {
        let Some(Some(len)) = ty.array.last() else {
            return self.resolve(ty);
        };
        let element = TypeRef {
            array: ty.array[..ty.array.len() - 1].to_vec(),
            ..ty.clone()
        };
        let len = usize::try_from(*len).map_err(|_| format!("array of {len} is too long"))?;
        Ok(Type::ArrayFixed(Box::new(self.field(&element)?), len))
    }

    /// A struct or union defined in the input, by its tag or untagged typedef name.
    fn own_struct(&self, name: &str) -> Option<Type> {
        self.model
            .structs
            .iter()
            .find(|s| s.name == name && !s.imported)
            .map(|s| Type::value_named(NAMESPACE, &s.name))
    }

    /// An enum declared in the input, by its name or by a typedef of it.
    fn own_enum(&self, name: &str) -> Option<Type> {
        let own = |n: &str| {
            self.model
                .enums
                .iter()
                .find(|e| e.name == n && !e.imported)
                .map(|e| Self::enum_type(&e.name))
        };
        own(name).or_else(|| {
            self.model
                .typedefs
                .iter()
                .filter(|t| !t.imported && t.ty_ref.pointers == 0)
                .find(|t| t.ty_ref.base.strip_prefix("enum ") == Some(name))
                .and_then(|t| own(&t.name))
        })
    }

    fn sdk(&self, name: &str) -> Result<(Type, bool), String> {
        let found =
            sdk::lookup(name).ok_or_else(|| format!("the windows crate has no type `{name}`"))?;
        Ok(match found.kind {
            Kind::Interface => (Type::class_named(found.namespace, name), true),
            Kind::Value => (Type::value_named(found.namespace, name), false),
        })
    }
}

/// MIDL's base types, by their words (`unsigned long`, `__int64`).
fn primitive(words: &[&str]) -> Option<Type> {
    let (unsigned, rest) = match words {
        ["unsigned", rest @ ..] => (true, rest),
        ["signed", rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    let signed = |ty, unsigned_ty| Some(if unsigned { unsigned_ty } else { ty });
    match rest {
        [] if unsigned => Some(Type::U32),
        ["char" | "small"] => signed(Type::I8, Type::U8),
        ["short"] | ["short", "int"] | ["__int16"] => signed(Type::I16, Type::U16),
        ["int"] | ["long"] | ["long", "int"] | ["__int32"] => signed(Type::I32, Type::U32),
        ["hyper"] | ["__int64"] | ["long", "long"] => signed(Type::I64, Type::U64),
        ["__int3264"] => signed(Type::ISize, Type::USize),
        _ if unsigned => None,
        ["byte" | "boolean"] => Some(Type::U8),
        ["wchar_t"] => Some(Type::U16),
        ["float"] => Some(Type::F32),
        ["double"] => Some(Type::F64),
        ["void"] => Some(Type::Void),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Enum, Typedef};

    fn named(base: &str, pointers: usize) -> TypeRef {
        TypeRef {
            base: base.into(),
            pointers,
            ..TypeRef::default()
        }
    }

    fn typedef(name: &str, ty: TypeRef, imported: bool) -> Typedef {
        Typedef {
            name: name.into(),
            ty: String::new(),
            ty_ref: ty,
            imported,
            public: false,
            library: None,
        }
    }

    #[test]
    fn primitives_follow_midl() {
        let model = Model::default();
        let types = Types::new(&model);
        assert_eq!(types.resolve(&named("long", 0)), Ok(Type::I32));
        assert_eq!(types.resolve(&named("unsigned   long", 0)), Ok(Type::U32));
        assert_eq!(types.resolve(&named("unsigned", 0)), Ok(Type::U32));
        assert_eq!(types.resolve(&named("boolean", 0)), Ok(Type::U8));
        assert_eq!(
            types.resolve(&named("double", 2)),
            Ok(Type::PtrMut(Box::new(Type::F64), 2))
        );
    }

    #[test]
    fn sdk_interfaces_lose_one_pointer() {
        let model = Model::default();
        let types = Types::new(&model);
        let dispatch = Type::class_named("Windows.Win32.System.Com", "IDispatch");
        assert_eq!(types.resolve(&named("IDispatch", 1)), Ok(dispatch.clone()));
        assert_eq!(
            types.resolve(&named("IDispatch", 2)),
            Ok(Type::PtrMut(Box::new(dispatch), 1))
        );
        let by_value = types.resolve(&named("IDispatch", 0)).unwrap_err();
        assert!(by_value.contains("by value"), "{by_value}");
    }

    #[test]
    fn typedefs_are_followed_unless_the_sdk_has_the_name() {
        let model = Model {
            typedefs: vec![
                typedef("DWORD", named("unsigned long", 0), true),
                typedef("BSTR", named("OLECHAR", 1), true),
                typedef("LPDISPATCH", named("IDispatch", 1), true),
                typedef("Loop", named("Loop", 0), false),
            ],
            ..Model::default()
        };
        let types = Types::new(&model);
        assert_eq!(
            types.resolve(&named("DWORD", 1)),
            Ok(Type::PtrMut(Box::new(Type::U32), 1))
        );
        assert_eq!(
            types.resolve(&named("BSTR", 0)),
            Ok(Type::value_named("Windows.Win32.Foundation", "BSTR"))
        );
        assert_eq!(
            types.resolve(&named("LPDISPATCH", 1)),
            Ok(Type::PtrMut(
                Box::new(Type::class_named("Windows.Win32.System.Com", "IDispatch")),
                1
            ))
        );
        assert!(
            types
                .resolve(&named("Loop", 0))
                .unwrap_err()
                .contains("cycle")
        );
    }

    #[test]
    fn own_enums_by_name_or_tag() {
        let model = Model {
            enums: vec![Enum {
                name: "State".into(),
                members: vec![],
                uuid: None,
                imported: false,
                library: None,
            }],
            typedefs: vec![typedef("State", named("enum tagState", 0), false)],
            ..Model::default()
        };
        let types = Types::new(&model);
        let state = Type::value_named(NAMESPACE, "State");
        assert_eq!(types.resolve(&named("State", 0)), Ok(state.clone()));
        assert_eq!(types.resolve(&named("enum tagState", 0)), Ok(state));
        let unknown = types.resolve(&named("Nowhere", 0)).unwrap_err();
        assert!(unknown.contains("`Nowhere`"), "{unknown}");
    }
}
