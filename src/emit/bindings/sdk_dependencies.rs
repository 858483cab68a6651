//! The SDK types a metadata type's definition names: what decides which parts of the Win32
//! metadata a render needs. Shared by `build.rs` (through `sdk_reference.rs`, for every Win32
//! type) and the library (`reference.rs`, for the input's own types).

use std::collections::BTreeSet;

use windows_metadata::Type;
use windows_metadata::reader::{Index, TypeDef};

/// A type's full name, `(namespace, name)`.
pub type Name = (String, String);

/// The Win32 types named in `def`'s definition: field types (nested types' too), implemented
/// interfaces and method signatures. Types of other metadata (`System.Guid`) are not Win32's.
pub fn dependencies(index: &Index, def: TypeDef) -> BTreeSet<Name> {
    let mut names = BTreeSet::new();
    collect_dependencies(index, def, &mut names);
    names
}

fn collect_dependencies(index: &Index, def: TypeDef, names: &mut BTreeSet<Name>) {
    let mut add = |ty: &Type| type_names(ty, names);
    for field in def.fields() {
        add(&field.ty());
    }
    for map in def.interface_impls() {
        add(&map.interface(&[]));
    }
    for method in def.methods() {
        let signature = method.signature(&[]);
        add(&signature.return_type);
        signature.types.iter().for_each(&mut add);
    }
    for inner in index.nested(def) {
        collect_dependencies(index, inner, names);
    }
}

fn type_names(ty: &Type, names: &mut BTreeSet<Name>) {
    match ty {
        Type::ClassName(name) | Type::ValueName(name) => {
            if name.namespace.starts_with("Windows.") {
                names.insert((name.namespace.clone(), name.name.clone()));
            }
            name.generics.iter().for_each(|ty| type_names(ty, names));
        }
        Type::Array(ty)
        | Type::RefMut(ty)
        | Type::RefConst(ty)
        | Type::PtrMut(ty, _)
        | Type::PtrConst(ty, _)
        | Type::ArrayFixed(ty, _) => type_names(ty, names),
        _ => {}
    }
}
