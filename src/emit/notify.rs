//! Property change notification: which coclasses get an `IPropertyNotifySink` connection point
//! (ATL's `IPropertyNotifySinkCP`, which MIDL files seldom list), and the `[bindable]` and
//! `[requestedit]` properties of their interfaces, which the generated `<C>ConnectionPoints`
//! announces through it.

use super::sinks::dispid_literal;
use crate::model::{Coclass, Interface, InterfaceKind, Method, MethodKind, Model, Param, TypeRef};

/// The source interface that carries property change notifications.
pub const SINK: &str = "IPropertyNotifySink";

/// Whether `coclass` notifies property changes: on request, or because it lists the sink
/// interface as a source.
pub fn wanted(coclass: &Coclass, requested: bool) -> bool {
    requested || coclass.members.iter().any(|m| m.source && m.name == SINK)
}

/// The source interfaces of `coclass`, in declaration order, then `IPropertyNotifySink` when
/// requested and not listed.
pub fn source_names(coclass: &Coclass, requested: bool) -> Vec<&str> {
    let mut names: Vec<&str> = coclass
        .members
        .iter()
        .filter(|m| m.source)
        .map(|m| m.name.as_str())
        .collect();
    if requested && !names.contains(&SINK) {
        names.push(SINK);
    }
    names
}

/// `model` with `IPropertyNotifySink` declared, as the windows crate has it, when it is needed
/// and the input does not import it (`ocidl.idl` declares it).
pub fn declare_sink(model: &mut Model) {
    if model.interface(SINK).is_some() {
        return;
    }
    let method = |name: &str| Method {
        name: name.into(),
        dispid: None,
        kind: MethodKind::Method,
        ret: "HRESULT".into(),
        params: vec![Param {
            name: "dispID".into(),
            ty: "LONG".into(),
            is_in: true,
            in_written: true,
            is_out: false,
            retval: false,
            optional: false,
            lcid: false,
            defaultvalue: None,
            default: None,
            ty_ref: TypeRef {
                base: "LONG".into(),
                ..TypeRef::default()
            },
            at: None,
        }],
        helpstring: None,
        local: false,
        call_as: None,
        restricted: false,
        hidden: false,
        bindable: false,
        requestedit: false,
        func_flags: 0,
    };
    model.interfaces.push(Interface {
        name: SINK.into(),
        kind: InterfaceKind::Custom,
        uuid: Some("9bfbbc02-eff1-101a-84ed-00aa00341d07".into()),
        base: Some("IUnknown".into()),
        methods: vec![method("OnChanged"), method("OnRequestEdit")],
        properties: Vec::new(),
        helpstring: None,
        library: None,
        oleautomation: false,
        imported: true,
        type_flags: 0,
    });
}

/// A property that takes part in change notification.
#[derive(Debug)]
pub struct Notified {
    pub name: String,
    /// The DISPID, as a Rust literal.
    pub dispid: String,
    /// `[bindable]`: announced after a change.
    pub bindable: bool,
    /// `[requestedit]`: asked for before a change.
    pub requestedit: bool,
}

/// The `[bindable]` and `[requestedit]` properties of the interfaces `coclass` implements (and
/// their bases), once each, in declaration order. A property is both when any of its
/// accessors says so. Only properties with a DISPID can be named to a sink.
pub fn properties(model: &Model, coclass: &Coclass) -> Vec<Notified> {
    let mut out: Vec<Notified> = Vec::new();
    let mut add = |name: &str, dispid: i32, bindable: bool, requestedit: bool| {
        if !(bindable || requestedit) {
            return;
        }
        match out.iter_mut().find(|p| p.name == name) {
            Some(known) => {
                known.bindable |= bindable;
                known.requestedit |= requestedit;
            }
            None => out.push(Notified {
                name: name.to_string(),
                dispid: dispid_literal(dispid),
                bindable,
                requestedit,
            }),
        }
    };
    for member in coclass.members.iter().filter(|m| !m.source) {
        let mut next = model.interface(&member.name);
        let mut seen = 0;
        while let Some(interface) = next.filter(|_| seen < 64) {
            for method in interface
                .methods
                .iter()
                .filter(|m| m.kind != MethodKind::Method)
            {
                if let Some(dispid) = method.dispid {
                    add(&method.name, dispid, method.bindable, method.requestedit);
                }
            }
            for property in &interface.properties {
                let (bindable, requestedit) = (property.bindable, property.requestedit);
                add(&property.name, property.dispid, bindable, requestedit);
            }
            next = interface.base.as_deref().and_then(|b| model.interface(b));
            seen += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests;
