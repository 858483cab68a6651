//! The IDL's `helpstring`s as doc comments on the bindings windows-bindgen renders, which carry
//! none of their own: on each interface's `impl` block and trait `I_Impl`, and on their methods.
//!
//! windows-bindgen declares the interface struct itself through `define_interface!`, which takes
//! no attributes, so an interface's text goes on its inherent `impl` block instead (rustdoc shows
//! it with the methods).

use std::collections::HashMap;

use crate::model::{Interface, MethodKind, Model};

/// Adds the helpstrings of `model`'s own interfaces to `bindings`, the items windows-bindgen
/// rendered for them.
pub fn document_bindings(bindings: &mut [syn::Item], model: &Model) {
    let interfaces: HashMap<&str, &Interface> = model
        .interfaces
        .iter()
        .filter(|i| !i.imported)
        .map(|i| (i.name.as_str(), i))
        .collect();
    for item in bindings {
        match item {
            syn::Item::Impl(block) if block.trait_.is_none() => {
                let Some(interface) =
                    type_name(&block.self_ty).and_then(|n| interfaces.get(n.to_string().as_str()))
                else {
                    continue;
                };
                document(&mut block.attrs, interface.helpstring.as_deref());
                let docs = method_docs(interface);
                for member in &mut block.items {
                    if let syn::ImplItem::Fn(method) = member {
                        let name = method.sig.ident.to_string();
                        document(&mut method.attrs, docs.get(&name).copied());
                    }
                }
            }
            syn::Item::Trait(block) => {
                let ident = block.ident.to_string();
                let Some(interface) = ident.strip_suffix("_Impl").and_then(|n| interfaces.get(n))
                else {
                    continue;
                };
                document(&mut block.attrs, interface.helpstring.as_deref());
                let docs = method_docs(interface);
                for member in &mut block.items {
                    if let syn::TraitItem::Fn(method) = member {
                        let name = method.sig.ident.to_string();
                        document(&mut method.attrs, docs.get(&name).copied());
                    }
                }
            }
            _ => {}
        }
    }
}

/// Every helpstring [`document_bindings`] may put on the bindings of `model`, as one text: what
/// a printed piece of the bindings depends on besides its own text.
pub fn bindings_helpstrings(model: &Model) -> String {
    let mut text = String::new();
    for interface in model.interfaces.iter().filter(|i| !i.imported) {
        let mut methods: Vec<_> = method_docs(interface).into_iter().collect();
        methods.sort();
        text.push_str(&format!(
            "{} {:?} {methods:?}\n",
            interface.name, interface.helpstring
        ));
    }
    text
}

/// The helpstring of each method of `interface` that has one, by the name windows-bindgen gives
/// the method: `[propget] X` is `X`, `[propput] X` is `SetX`, `[propputref] X` is `putref_X`, and
/// a name met again in the interface gets its count appended (`X2`).
fn method_docs(interface: &Interface) -> HashMap<String, &str> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut docs = HashMap::new();
    for method in &interface.methods {
        let base = match method.kind {
            MethodKind::Method | MethodKind::Propget => method.name.clone(),
            MethodKind::Propput => format!("Set{}", method.name),
            MethodKind::Propputref => format!("putref_{}", method.name),
        };
        let count = seen.entry(base.clone()).or_insert(0);
        *count += 1;
        let name = if *count > 1 {
            format!("{base}{count}")
        } else {
            base
        };
        if let Some(help) = &method.helpstring {
            docs.insert(name, help.as_str());
        }
    }
    docs
}

fn type_name(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path.path.get_ident(),
        _ => None,
    }
}

/// Puts `text` first among `attrs` as `#[doc = text]`.
fn document(attrs: &mut Vec<syn::Attribute>, text: Option<&str>) {
    use syn::parse::Parser as _;
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        return;
    };
    // `{:?}` of a str is a valid Rust string literal.
    let attribute = format!("#[doc = {:?}]", format!(" {}", doc_text(text)));
    if let Ok(parsed) = syn::Attribute::parse_outer.parse_str(&attribute) {
        attrs.splice(0..0, parsed);
    }
}

/// A helpstring as the text of a one-line doc comment: whitespace runs as one space, and what
/// Markdown or rustdoc would read as markup (`[link]`, `<tag>`, `` `code` ``, `*`, `_`) escaped,
/// since a helpstring is plain text.
pub fn doc_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, word) in text.split_whitespace().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            if matches!(c, '\\' | '[' | ']' | '<' | '>' | '`' | '*' | '_') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_text_is_one_escaped_line() {
        assert_eq!(
            doc_text("  Fired when\n the [out] <value>\tchanges_now "),
            "Fired when the \\[out\\] \\<value\\> changes\\_now"
        );
    }

    #[test]
    fn method_names_follow_windows_bindgen() {
        let model = crate::model::load(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/clock.idl")),
            &Default::default(),
        )
        .unwrap();
        let clock = model.interface("IClock").unwrap();
        let docs = method_docs(clock);
        assert_eq!(docs.get("Seconds"), Some(&"Seconds since start"));
        assert_eq!(docs.len(), 1, "{docs:?}");
    }
}
