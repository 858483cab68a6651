//! Where each type the generated code names lives: in the generated file (the input's own
//! types) or in the windows crate (the SDK's), and the Rust path that reaches it.

use std::borrow::Cow;

use super::bindings::sdk::{self, Kind};
use crate::Diagnostic;
use crate::model::{Interface, InterfaceKind, Model};

/// `model` with every interface that the windows crate already has (same name, same IID) marked
/// as imported, so that it is used from there rather than generated again: Wine's exdisp.idl
/// declares `DWebBrowserEvents2`, which is `windows::Win32::UI::Shell::DWebBrowserEvents2`.
/// Copied only when there is one: the model holds every interface the SDK imports declare.
pub fn adopt_windows_crate_interfaces(model: &Model) -> Cow<'_, Model> {
    let in_windows_crate = |interface: &Interface| {
        !interface.imported
            && interface.uuid.as_deref().is_some_and(|uuid| {
                sdk::lookup(&interface.name)
                    .is_some_and(|t| t.kind == Kind::Interface && t.iid == Some(uuid))
            })
    };
    if !model.interfaces.iter().any(in_windows_crate) {
        return Cow::Borrowed(model);
    }
    let mut model = model.clone();
    for interface in &mut model.interfaces {
        interface.imported |= in_windows_crate(interface);
    }
    Cow::Owned(model)
}

/// The Rust path of interface `name`: the generated one for an interface of the input, else the
/// windows crate's.
pub fn interface(model: &Model, name: &str) -> Result<String, Diagnostic> {
    match name {
        "IUnknown" => return Ok("windows_core::IUnknown".into()),
        "IDispatch" => return Ok("windows::Win32::System::Com::IDispatch".into()),
        _ => {}
    }
    if let Some(own) = model.interface(name).filter(|i| !i.imported) {
        if own.uuid.is_none() {
            return Err(Diagnostic::new(format!(
                "interface `{name}` has no uuid, so it has no IID to connect with"
            )));
        }
        return Ok(name.to_string());
    }
    match sdk::lookup(name) {
        Some(t) if t.kind == Kind::Interface => Ok(t.rust_path(name)),
        _ => Err(Diagnostic::new(format!(
            "interface `{name}` is imported, and the windows crate does not have it"
        ))),
    }
}

/// The Rust path of enum `name` (as the type oracle names it).
pub fn enumeration(model: &Model, name: &str) -> Result<String, Diagnostic> {
    if model.enums.iter().any(|e| e.name == name && !e.imported) {
        return Ok(name.to_string());
    }
    match sdk::lookup(name) {
        Some(t) if t.kind == Kind::Value => Ok(t.rust_path(name)),
        _ => Err(Diagnostic::new(format!(
            "enum `{name}` is imported, and the windows crate does not have it"
        ))),
    }
}

/// Whether the generated file declares a Rust type for dispinterface `name` (the input's own,
/// unless the windows crate has it).
pub fn generates_dispinterface(model: &Model, name: &str) -> bool {
    model
        .interface(name)
        .is_some_and(|i| !i.imported && i.kind == InterfaceKind::Dispinterface && i.uuid.is_some())
}

/// The windows crate features that `code` needs: one per SDK namespace its paths name
/// (`windows::Win32::System::Com::IDispatch` needs `Win32_System_Com`), sorted.
pub fn features(code: &str) -> Vec<String> {
    let mut features: Vec<String> = code
        .match_indices("windows::Win32::")
        .filter_map(|(start, _)| {
            let path = code[start + "windows::".len()..]
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .next()?;
            // The longest prefix of the path that is a namespace: the rest is an item and
            // perhaps an associated name (`IDispatch::IID`).
            let segments: Vec<&str> = path.split("::").collect();
            (1..segments.len()).rev().find_map(|n| {
                let namespace = format!("Windows.{}", segments[..n].join("."));
                sdk::is_namespace(&namespace).then(|| sdk::feature(&namespace))
            })
        })
        .collect();
    features.sort();
    features.dedup();
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_come_from_the_namespaces_named() {
        let code = "fn f(a: &windows::Win32::System::Variant::VARIANT, \
                    b: windows::Win32::System::Com::IDispatch) { \
                    windows::Win32::System::Com::IDispatch::IID; windows::core::GUID::zeroed(); }";
        assert_eq!(features(code), ["Win32_System_Com", "Win32_System_Variant"]);
    }
}
