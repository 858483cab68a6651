//! What each `Fire_` method looks like: for every event of a source interface, its Rust
//! parameters and the expressions that hand them to a sink, through `IDispatch::Invoke` (one
//! VARIANT each, last parameter first) or through the sink's vtable (COM's ABI).

use super::oracle::{self, EventType, is_enum, rust_type, vt};
use super::paths;
use crate::Diagnostic;
use crate::model::{Interface, InterfaceKind, Method, MethodKind, Model, Param};

/// One event of a source interface: a `Fire_` method of its proxy.
#[derive(Debug)]
pub struct Event {
    /// The `Fire_` suffix: the method's name (for a vtable property accessor, its vtable slot).
    pub name: String,
    /// The method as the IDL declares it, for the doc comment.
    pub idl: String,
    pub doc: Option<String>,
    pub params: Vec<RustParam>,
    /// Statements run once per fire, before the sinks are called.
    pub prelude: Vec<String>,
    /// One expression per argument: VARIANTs in reverse order for a dispinterface, ABI values
    /// in order for a vtable call.
    pub args: Vec<String>,
    /// The DISPID literal, for a dispinterface event.
    pub dispid: String,
    /// The vtable slot, `base__.` repeated once per base interface it is inherited from.
    pub slot: String,
    /// The vtable method returns an HRESULT (else nothing).
    pub hresult: bool,
    /// For a vtable event, how many interfaces up the chain (see [`chain`]) declares it.
    pub level: usize,
    /// A dispinterface event sends a copy of a struct (`VT_RECORD`), which the proxy frees after
    /// the sinks were called.
    pub copies_records: bool,
    /// The method as the model has it, and its parameters' types as the oracle maps them.
    pub method: Method,
    pub types: Vec<EventType>,
}

#[derive(Debug)]
pub struct RustParam {
    pub name: String,
    pub ty: String,
}

/// The events of source interface `interface`, in vtable or DISPID order as the IDL declares.
pub fn events(model: &Model, interface: &Interface) -> Result<Vec<Event>, Diagnostic> {
    if interface.kind == InterfaceKind::Dispinterface {
        // A dispinterface's events are its methods; property accessors are not events.
        return interface
            .methods
            .iter()
            .filter(|m| m.kind == MethodKind::Method)
            .map(|m| dispatch_event(model, interface, m))
            .collect();
    }
    let chain = chain(model, interface)?;
    let mut events = Vec::new();
    for (level, declaring) in chain.iter().enumerate().rev() {
        for method in declaring.methods.iter().filter(|m| m.call_as.is_none()) {
            events.push(vtable_event(model, interface, method, level)?);
        }
    }
    Ok(events)
}

/// A vtable interface and the interfaces it derives from, itself first, up to (not including)
/// `IUnknown` or `IDispatch`.
pub fn chain<'m>(
    model: &'m Model,
    interface: &'m Interface,
) -> Result<Vec<&'m Interface>, Diagnostic> {
    let mut chain = vec![interface];
    while let Some(base) = chain.last().and_then(|i| i.base.as_deref()) {
        if matches!(base, "IUnknown" | "IDispatch") {
            break;
        }
        let next = model.interface(base).ok_or_else(|| {
            Diagnostic::new(format!(
                "source interface `{}` derives from `{base}`, which is never declared",
                interface.name
            ))
        })?;
        if chain.len() > 64 || chain.iter().any(|i| i.name == next.name) {
            return Err(Diagnostic::new(format!(
                "interface `{}` derives from itself",
                next.name
            )));
        }
        chain.push(next);
    }
    Ok(chain)
}

fn dispatch_event(
    model: &Model,
    interface: &Interface,
    method: &Method,
) -> Result<Event, Diagnostic> {
    let dispid = method.dispid.ok_or_else(|| {
        Diagnostic::new(format!(
            "dispinterface `{}`: method `{}` has no DISPID",
            interface.name, method.name
        ))
    })?;
    let (mut event, typed) = event_shell(model, interface, method, method.name.clone())?;
    event.dispid = if dispid >= 0x10000 {
        format!("{dispid:#x}")
    } else {
        dispid.to_string()
    };
    for (rust, ty) in typed.iter().rev() {
        let arg = match ty {
            EventType::Out(inner) | EventType::InRef(inner)
                if matches!(inner.as_ref(), EventType::Record { .. }) =>
            {
                format!("cpgen_runtime::record::by_ref_arg(&mut *{rust})")
            }
            EventType::Record { .. } => {
                event.copies_records = true;
                format!("cpgen_runtime::record::copy_arg({rust})?")
            }
            EventType::Out(inner) | EventType::InRef(inner) => {
                let target = match inner.as_ref() {
                    EventType::Value { rust: r, .. } if is_enum(model, r) => {
                        format!("&mut {rust}.0")
                    }
                    _ => format!("&mut *{rust}"),
                };
                format!("dispatch::by_ref({}, {target})", vt(inner))
            }
            EventType::Value { .. } if let Some(wrapper) = ty.wrapper() => {
                format!("dispatch::{wrapper}({rust}).into_variant()")
            }
            EventType::Value { rust: r, .. } if is_enum(model, r) => {
                format!("{rust}.0.into_variant()")
            }
            EventType::Variant { by_ref: true } => {
                format!("dispatch::InVariantRef({rust}).into_variant()")
            }
            EventType::SafeArray { .. } => {
                // The contract's `*mut SAFEARRAY` parameter is null or valid.
                format!("unsafe {{ dispatch::safe_array({}, {rust}) }}?", vt(ty))
            }
            EventType::Interface { name, dispatch } => {
                let base = if *dispatch { "IDispatch" } else { "IUnknown" };
                if name != base {
                    // The VARIANT holds the pointer as IDispatch (or IUnknown): one
                    // QueryInterface per fire, not per sink.
                    let base = paths::interface(model, base)?;
                    event.prelude.push(format!(
                        "let {rust}: Option<{base}> = {rust}.map(windows_core::Interface::cast).transpose()?;"
                    ));
                    format!("{rust}.as_ref().into_variant()")
                } else {
                    format!("{rust}.into_variant()")
                }
            }
            _ => format!("{rust}.into_variant()"),
        };
        event.args.push(arg);
    }
    Ok(event)
}

fn vtable_event(
    model: &Model,
    interface: &Interface,
    method: &Method,
    level: usize,
) -> Result<Event, Diagnostic> {
    // windows-bindgen's vtable slots: `Name` for a method or getter, `SetName` for a setter.
    let slot = match method.kind {
        MethodKind::Method | MethodKind::Propget => method.name.clone(),
        MethodKind::Propput => format!("Set{}", method.name),
        MethodKind::Propputref => {
            return Err(Diagnostic::new(format!(
                "cannot fire `{}::{}`: a [propputref] method is not an event cpgen can call",
                interface.name, method.name
            )));
        }
    };
    let (mut event, typed) = event_shell(model, interface, method, slot.clone())?;
    event.slot = format!("{}{slot}", "base__.".repeat(level));
    event.level = level;
    event.hresult = match method.ret.as_str() {
        "HRESULT" => true,
        "void" => false,
        other => {
            return Err(Diagnostic::new(format!(
                "cannot fire `{}::{}`: it returns `{other}`; an event returns HRESULT or void",
                interface.name, method.name
            )));
        }
    };
    for (rust, ty) in typed {
        event.args.push(match ty {
            EventType::Value { .. } => rust,
            EventType::Bstr | EventType::Variant { by_ref: false } | EventType::Record { .. } => {
                // The callee borrows the BSTR (VARIANT, struct) for the call: its bits, not a
                // copy.
                format!("core::mem::transmute_copy({rust})")
            }
            EventType::Variant { by_ref: true } => format!("core::ptr::from_ref({rust})"),
            EventType::Interface { .. } => {
                format!("{rust}.map_or(core::ptr::null_mut(), windows_core::Interface::as_raw)")
            }
            EventType::SafeArray { .. } => format!("{rust} as _"),
            EventType::Out(_) => format!("core::ptr::from_mut(&mut *{rust}).cast()"),
            EventType::InRef(_) => format!("core::ptr::from_mut(&mut *{rust}).cast_const().cast()"),
        });
    }
    Ok(event)
}

/// The parts of an event that do not depend on how it is sent (name, doc, Rust parameters), and
/// each parameter's Rust name with its type as the oracle maps it.
fn event_shell(
    model: &Model,
    interface: &Interface,
    method: &Method,
    name: String,
) -> Result<(Event, Vec<(String, EventType)>), Diagnostic> {
    let typed = method
        .params
        .iter()
        .zip(names(&method.params))
        .map(|(param, name)| {
            Ok((
                name,
                oracle::event_type(model, &interface.name, &method.name, param)?,
            ))
        })
        .collect::<Result<Vec<_>, Diagnostic>>()?;
    let params = typed
        .iter()
        .map(|(name, ty)| {
            Ok(RustParam {
                name: name.clone(),
                ty: rust_type(model, ty, false)?,
            })
        })
        .collect::<Result<_, Diagnostic>>()?;
    let event = Event {
        name,
        idl: idl_signature(method),
        doc: method.helpstring.as_deref().map(super::docs::doc_text),
        params,
        prelude: Vec::new(),
        args: Vec::new(),
        dispid: String::new(),
        slot: String::new(),
        hresult: true,
        level: 0,
        copies_records: false,
        method: method.clone(),
        types: typed.iter().map(|(_, ty)| ty.clone()).collect(),
    };
    Ok((event, typed))
}

/// Rust names for the parameters: the IDL's, made legal (`type` → `r#type`, a missing name →
/// `arg1`) and kept clear of the names the generated body uses.
fn names(params: &[Param]) -> Vec<String> {
    params
        .iter()
        .enumerate()
        .map(|(index, param)| match param.name.as_str() {
            "" => format!("arg{}", index + 1),
            "self" | "Self" | "super" | "crate" | "sink" | "_" => format!("{}_", param.name),
            name if is_keyword(name) => format!("r#{name}"),
            name => name.to_string(),
        })
        .collect()
}

pub(super) fn is_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in",
        "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
        "return", "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&name)
}

/// `void Alarm([in] BSTR label, [in, out] VARIANT_BOOL* snooze)`.
fn idl_signature(method: &Method) -> String {
    let params: Vec<String> = method
        .params
        .iter()
        .map(|p| {
            let mut attributes = Vec::new();
            if p.is_in {
                attributes.push("in");
            }
            if p.is_out {
                attributes.push("out");
            }
            if p.retval {
                attributes.push("retval");
            }
            let attributes = if attributes.is_empty() {
                String::new()
            } else {
                format!("[{}] ", attributes.join(", "))
            };
            format!("{attributes}{} {}", p.ty, p.name)
                .trim_end()
                .to_string()
        })
        .collect();
    format!("{} {}({})", method.ret, method.name, params.join(", "))
}
