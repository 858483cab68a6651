//! Build-time half of the bindings' reference metadata (included by the crate's `build.rs`, not
//! part of the library; `reference.rs` is the run-time half): the Win32 metadata windows-bindgen
//! resolves an IDL's SDK references in, split so that a render loads only what the IDL needs.
//!
//! windows-bindgen indexes every type, function and constant it is given before it looks at the
//! input, and its bundled `default` set is 32 MB (WinRT, Win32 and WDK): three quarters of cpgen's
//! time on a small IDL went there, although an IDL's bindings name a few dozen SDK types. So the
//! build splits the Win32 metadata by namespace, every type copied as it is (fields, methods,
//! attributes, layouts, nested types), without the `Apis` classes of functions and constants,
//! which no interface names; and for every type it records the namespaces that the types its
//! definition names, transitively, live in. A render hands bindgen only the namespaces the
//! input's own references reach, so bindgen resolves every reference to the definition it found
//! before, and indexes a few percent of the rows.

use std::collections::{BTreeMap, BTreeSet};

use windows_metadata::reader::{self, HasAttributes, Index, TypeCategory};
use windows_metadata::writer;

use super::sdk_dependencies::{Name, dependencies};

/// The Win32 `winmd` as one metadata file per namespace (without `Apis`), and the closure table
/// `reference.rs` reads: a first line naming the namespaces in the order the
/// files come, then `Namespace.Name n,n,...` per type, sorted, each number a namespace that type
/// needs (its own included).
pub fn split(winmd: Vec<u8>) -> Result<(Vec<Vec<u8>>, String), String> {
    let file = reader::File::new(winmd).ok_or("not an ECMA-335 metadata file")?;
    let index = Index::new(vec![file]);
    let mut by_namespace: BTreeMap<&str, Vec<reader::TypeDef>> = BTreeMap::new();
    for def in index.types() {
        if !(def.category() == TypeCategory::Class && def.name() == "Apis") {
            by_namespace.entry(def.namespace()).or_default().push(def);
        }
    }
    let namespaces: Vec<&str> = by_namespace.keys().copied().collect();
    let number = |namespace: &str| namespaces.binary_search(&namespace).ok();

    // Each type's own namespace and the types it names; then the namespaces of everything it
    // reaches, to a fixed point (the type graph has cycles: interfaces that take each other).
    let mut needs: BTreeMap<Name, (BTreeSet<usize>, BTreeSet<Name>)> = BTreeMap::new();
    for (namespace, defs) in &by_namespace {
        for def in defs {
            let entry = needs
                .entry((namespace.to_string(), def.name().to_string()))
                .or_default();
            entry.0.extend(number(namespace));
            entry.1.extend(dependencies(&index, *def));
        }
    }
    loop {
        let mut changed = false;
        let names: Vec<Name> = needs.keys().cloned().collect();
        for name in &names {
            let reached: BTreeSet<usize> = needs[name]
                .1
                .iter()
                .filter_map(|dependency| needs.get(dependency))
                .flat_map(|(namespaces, _)| namespaces.iter().copied())
                .collect();
            let own = &mut needs.get_mut(name).expect("a key of the map").0;
            let before = own.len();
            own.extend(reached);
            changed |= own.len() != before;
        }
        if !changed {
            break;
        }
    }

    // Sorted as text, which is how `reference.rs` searches it.
    let mut lines: Vec<String> = needs
        .iter()
        .map(|((namespace, name), (reached, _))| {
            let reached: Vec<String> = reached.iter().map(usize::to_string).collect();
            format!("{namespace}.{name} {}\n", reached.join(","))
        })
        .collect();
    lines.sort();
    let table = format!("{}\n{}", namespaces.join(" "), lines.concat());
    let files = by_namespace
        .iter()
        .map(|(namespace, defs)| {
            let mut out = writer::File::new(namespace);
            let mut defs = defs.clone();
            // The same bytes on every build, whatever the index's hash order.
            defs.sort_by_key(|def| def.name());
            for def in defs {
                copy_type(&mut out, &index, def, None);
            }
            out.into_stream()
        })
        .collect();
    Ok((files, table))
}

fn copy_type(
    out: &mut writer::File,
    index: &Index,
    def: reader::TypeDef,
    outer: Option<writer::TypeDef>,
) {
    let extends = def
        .extends()
        .map(|base| writer::TypeDefOrRef::TypeRef(out.TypeRef(base.namespace(), base.name())))
        .unwrap_or_default();
    let type_def = out.TypeDef(def.namespace(), def.name(), extends, def.flags());
    if let Some(outer) = outer {
        out.NestedClass(type_def, outer);
    }
    for field in def.fields() {
        let field_def = out.Field(field.name(), &field.ty(), field.flags());
        if let Some(constant) = field.constant() {
            out.Constant(writer::HasConstant::Field(field_def), &constant.value());
        }
        copy_attributes(out, writer::HasAttribute::Field(field_def), field);
    }
    copy_attributes(out, writer::HasAttribute::TypeDef(type_def), def);
    for map in def.interface_impls() {
        let implements = out.InterfaceImpl(type_def, &map.interface(&[]));
        copy_attributes(out, writer::HasAttribute::InterfaceImpl(implements), map);
    }
    // Win32 metadata has no generic types, and no WinRT classes whose methods a copy would
    // have to leave out.
    for method in def.methods() {
        let method_def = out.MethodDef(
            method.name(),
            &method.signature(&[]),
            method.flags(),
            method.impl_flags(),
        );
        for param in method.params() {
            let param_def = out.Param(param.name(), param.sequence(), param.flags());
            copy_attributes(out, writer::HasAttribute::Param(param_def), param);
        }
        copy_attributes(out, writer::HasAttribute::MethodDef(method_def), method);
        if let Some(map) = method.impl_map() {
            out.ImplMap(
                method_def,
                map.flags(),
                map.import_name(),
                map.import_scope().name(),
            );
        }
    }
    if let Some(layout) = def.class_layout() {
        out.ClassLayout(type_def, layout.packing_size(), layout.class_size());
    }
    for inner in index.nested(def) {
        copy_type(out, index, inner, Some(type_def));
    }
}

fn copy_attributes<'a>(
    out: &mut writer::File,
    parent: writer::HasAttribute,
    row: impl HasAttributes<'a>,
) {
    for attribute in row.attributes() {
        let ctor = attribute.ctor();
        let ty = ctor.parent();
        let owner = writer::MemberRefParent::TypeRef(out.TypeRef(ty.namespace(), ty.name()));
        let ctor_ref = out.MemberRef(".ctor", &ctor.signature(&[]), owner);
        out.Attribute(
            parent,
            writer::AttributeType::MemberRef(ctor_ref),
            &attribute.value(),
        );
    }
}
