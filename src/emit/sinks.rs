//! What each typed sink looks like: for every source interface, the handler trait's methods
//! (the `Fire_` methods' Rust parameters, seen from the receiving side) and the expressions that
//! turn what a source sends into those parameters, from `IDispatch::Invoke`'s DISPPARAMS
//! (`cpgen_runtime::receive`) or from a vtable call (`cpgen_runtime::sink`).

use super::defaults;
use super::events::{self, Event, RustParam};
use super::format;
use super::oracle::{self, EventType, is_enum, rust_type, vt};
use super::paths;
use crate::Diagnostic;
use crate::model::{Interface, InterfaceKind, MethodKind, Model};

/// The typed sink of one source interface: `<S>Handler` and `<S>Sink`.
#[derive(Debug)]
pub struct Handler {
    /// One trait method per event, in the order `Fire_` methods come.
    pub methods: Vec<HandlerMethod>,
    /// Whether the sink is called through `IDispatch::Invoke` (a dispinterface, or a vtable
    /// interface derived from `IDispatch`, whose sink answers both ways).
    pub dispatch: bool,
    /// The events `Invoke` reaches, by DISPID.
    pub members: Vec<Member>,
    /// For a vtable interface: one function per vtable slot.
    pub slots: Vec<Slot>,
    /// The interface's vtable, as a struct expression of the interface's `_Vtbl` type.
    pub vtable: String,
    /// What the sink answers QueryInterface for besides `IUnknown`: the interface and its bases.
    pub iids: Vec<String>,
}

#[derive(Debug)]
pub struct HandlerMethod {
    /// The Rust method name: the `Fire_` suffix, made legal.
    pub name: String,
    pub idl: String,
    pub doc: Option<String>,
    pub params: Vec<RustParam>,
}

/// An event as `IDispatch::Invoke` reaches it.
#[derive(Debug)]
pub struct Member {
    /// The IDL name, for `GetIDsOfNames`.
    pub name: String,
    pub dispid: String,
    /// The parameters' IDL names, for `GetIDsOfNames`.
    pub params: Vec<String>,
    /// The first of the trailing parameters a caller may leave out, if any may.
    pub optional_from: Option<usize>,
    /// The handler method.
    pub method: String,
    /// Statements that read the arguments from `args` (a `receive::Args`).
    pub receive: Vec<String>,
    /// The handler call's arguments.
    pub args: Vec<String>,
    /// Statements run after the handler returned Ok: by-reference results written back.
    pub after: Vec<String>,
}

/// A vtable slot of the sink: an `extern "system"` function with the slot's very signature.
#[derive(Debug)]
pub struct Slot {
    /// The function's name (the slot's).
    pub name: String,
    /// The handler method.
    pub method: String,
    pub params: Vec<RustParam>,
    /// Statements run first, before anything can fail (by-value VARIANTs the caller owns).
    pub pre: Vec<String>,
    /// Statements that check and borrow the arguments, inside the call that returns a `Result`.
    pub receive: Vec<String>,
    pub args: Vec<String>,
    /// The slot returns an HRESULT (else nothing: the handler's error goes nowhere).
    pub hresult: bool,
}

/// The typed sink of source interface `interface`, whose events (as the proxy fires them) are
/// `events`.
pub fn handler(
    model: &Model,
    interface: &Interface,
    events: &[Event],
) -> Result<Handler, Diagnostic> {
    let methods = events
        .iter()
        .map(|e| {
            let options = defaults::options(model, &e.method.params, &e.types)?;
            Ok(HandlerMethod {
                name: method_name(&e.name),
                idl: e.idl.clone(),
                doc: e.doc.clone(),
                params: e
                    .params
                    .iter()
                    .zip(options)
                    .map(|(p, option)| RustParam {
                        name: p.name.clone(),
                        ty: if option {
                            format!("Option<{}>", p.ty)
                        } else {
                            p.ty.clone()
                        },
                    })
                    .collect(),
            })
        })
        .collect::<Result<_, Diagnostic>>()?;
    let path = paths::interface(model, &interface.name)?;
    if interface.kind == InterfaceKind::Dispinterface {
        return Ok(Handler {
            methods,
            dispatch: true,
            members: events
                .iter()
                .map(|e| member(model, e, &e.dispid))
                .collect::<Result<_, _>>()?,
            slots: Vec::new(),
            vtable: format!("{path}_Vtbl {{ base__: sink::Object::<Self>::DISPATCH }}"),
            iids: vec![
                format!("<{path} as windows_core::Interface>::IID"),
                "<windows::Win32::System::Com::IDispatch as windows_core::Interface>::IID".into(),
            ],
        });
    }

    let chain = events::chain(model, interface)?;
    let dispatch = chain.last().and_then(|i| i.base.as_deref()) == Some("IDispatch");
    // Invoke reaches the events that have a DISPID (a dual interface's all).
    let members = if dispatch {
        events
            .iter()
            // Property accessors are not events, and a retval comes back in pVarResult,
            // which no event has.
            .filter(|e| e.method.kind == MethodKind::Method)
            .filter(|e| !e.method.params.iter().any(|p| p.retval))
            .filter_map(|e| e.method.dispid.map(|id| (e, dispid_literal(id))))
            .map(|(e, id)| member(model, e, &id))
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let slots: Vec<Slot> = events
        .iter()
        .map(|e| slot(model, e))
        .collect::<Result<_, _>>()?;
    let mut vtable = if dispatch {
        "sink::Object::<Self>::DISPATCH".to_string()
    } else {
        "sink::Object::<Self>::UNKNOWN".to_string()
    };
    let mut iids = Vec::new();
    for (level, declaring) in chain.iter().enumerate().rev() {
        let level_path = paths::interface(model, &declaring.name)?;
        let base = format!("base__: {vtable}");
        let fields = events
            .iter()
            .zip(&slots)
            .filter(|(e, _)| e.level == level)
            .map(|(_, slot)| format!("{0}: Self::{0}", slot.name));
        // Marked as a list: an interface of 100,000 methods makes it one huge expression.
        let fields = format::values(std::iter::once(base).chain(fields));
        vtable = format!("{level_path}_Vtbl {{{fields}}}");
        iids.insert(0, format!("<{level_path} as windows_core::Interface>::IID"));
    }
    if dispatch {
        iids.push(
            "<windows::Win32::System::Com::IDispatch as windows_core::Interface>::IID".into(),
        );
    }
    Ok(Handler {
        methods,
        dispatch,
        members,
        slots,
        vtable,
        iids,
    })
}

/// How `Invoke` reaches `event`: one statement per parameter reading it from `args` (the
/// parameter's position in the event; `receive` counts DISPPARAMS' reverse order itself), the
/// handler's arguments, and what is written back afterwards.
fn member(model: &Model, event: &Event, dispid: &str) -> Result<Member, Diagnostic> {
    let mut receive = Vec::new();
    let mut args = Vec::new();
    let mut after = Vec::new();
    let idl = &event.method.params;
    let optional_from = defaults::first_omittable(model, idl, &event.types)?;
    for (index, (param, ty)) in event.params.iter().zip(&event.types).enumerate() {
        let name = local(&param.name);
        let omittable = if index >= optional_from {
            defaults::read(model, &idl[index], ty, index)?
        } else {
            None
        };
        if let Some(read) = omittable {
            // The handler gets the default in a `Held`, which derefs to what it takes.
            receive.push(format!("let {name} = {read};"));
            if defaults::is_option(&idl[index], ty) {
                args.push(match ty {
                    EventType::Value { .. } if ty.wrapper().is_some() => {
                        format!("{name}.map(|v| v.0)")
                    }
                    EventType::Value { rust, .. } if is_enum(model, rust) => {
                        format!("{name}.map(|v| {}(*v))", paths::enumeration(model, rust)?)
                    }
                    EventType::Value { .. } => format!("{name}.map(|v| *v)"),
                    _ => format!("{name}.as_deref()"),
                });
                continue;
            }
            args.push(match ty {
                EventType::Value { rust, .. } if is_enum(model, rust) => {
                    format!("{}(*{name})", paths::enumeration(model, rust)?)
                }
                EventType::Value { .. } | EventType::SafeArray { .. } => format!("*{name}"),
                EventType::Interface { name: i, .. } if is_base(i) => format!("(*{name}).as_ref()"),
                EventType::Interface { .. } => format!("{name}.as_ref()"),
                _ => format!("&{name}"),
            });
            continue;
        }
        let (read, arg) = match ty {
            EventType::Value { .. } if let Some(wrapper) = ty.wrapper() => (
                format!("args.value::<cpgen_runtime::dispatch::{wrapper}>({index})?"),
                format!("{name}.0"),
            ),
            EventType::Value { rust, .. } if is_enum(model, rust) => (
                format!("args.value::<i32>({index})?"),
                format!("{}(*{name})", paths::enumeration(model, rust)?),
            ),
            EventType::Value { .. } | EventType::Bstr => (
                format!("args.value::<{}>({index})?", rust_type(model, ty, true)?),
                if matches!(ty, EventType::Bstr) {
                    format!("&{name}")
                } else {
                    format!("*{name}")
                },
            ),
            EventType::Variant { .. } => (format!("args.variant({index})?"), name.clone()),
            EventType::Interface { name: i, dispatch } if is_base(i) => (
                format!("args.value::<{}>({index})?", carrier(*dispatch)),
                format!("(*{name}).as_ref()"),
            ),
            EventType::Interface { name: i, dispatch } => (
                format!(
                    "args.interface::<{}>({index}, {dispatch})?",
                    paths::interface(model, i)?
                ),
                format!("{name}.as_ref()"),
            ),
            EventType::SafeArray { .. } => (
                format!("args.array({index}, {})?", vt(ty)),
                format!("*{name}"),
            ),
            EventType::Record { name: record } => {
                (format!("args.record::<{record}>({index})?"), name.clone())
            }
            EventType::Out(inner) | EventType::InRef(inner)
                if let EventType::Record { name: record } = inner.as_ref() =>
            {
                // The caller's struct, lent in place: the handler's writes are the caller's.
                (
                    format!("args.record_ref::<{record}>({index})?"),
                    name.clone(),
                )
            }
            EventType::Out(inner) | EventType::InRef(inner) => {
                let (read, arg) = match inner.as_ref() {
                    // `int*` arrives as `VT_INT | VT_BYREF`, not `VT_I4`'s: read as sent.
                    EventType::Value { .. } if let Some(wrapper) = inner.wrapper() => (
                        format!("args.by_ref::<cpgen_runtime::dispatch::{wrapper}>({index})?"),
                        format!("&mut {name}.0"),
                    ),
                    EventType::Value { rust, .. } if is_enum(model, rust) => {
                        // The handler takes the enum; the VARIANT holds its i32.
                        let value = format!("{name}__");
                        receive.push(format!("let mut {name} = args.by_ref::<i32>({index})?;"));
                        receive.push(format!(
                            "let mut {value} = {}(*{name});",
                            paths::enumeration(model, rust)?
                        ));
                        args.push(format!("&mut {value}"));
                        after.push(format!("*{name} = {value}.0;"));
                        after.push(format!("{name}.finish();"));
                        continue;
                    }
                    EventType::Value { .. } | EventType::Bstr => (
                        format!(
                            "args.by_ref::<{}>({index})?",
                            rust_type(model, inner, true)?
                        ),
                        format!("&mut {name}"),
                    ),
                    EventType::Variant { .. } => {
                        receive.push(format!("let {name} = args.variant_ref({index})?;"));
                        args.push(name);
                        continue;
                    }
                    EventType::Interface { name: i, dispatch } if is_base(i) => (
                        format!("args.by_ref::<{}>({index})?", carrier(*dispatch)),
                        format!("&mut {name}"),
                    ),
                    EventType::Interface { name: i, dispatch } => {
                        // The VARIANT carries an IDispatch (IUnknown) pointer: the handler
                        // gets it queried for its interface, and its result goes back as one.
                        // Read before the slot is lent, so the two never overlap.
                        let value = format!("{name}__");
                        receive.push(format!(
                            "let mut {value} = args.interface::<{}>({index}, {dispatch})?;",
                            paths::interface(model, i)?
                        ));
                        receive.push(format!(
                            "let mut {name} = args.by_ref::<{}>({index})?;",
                            carrier(*dispatch)
                        ));
                        args.push(format!("&mut {value}"));
                        after.push(format!(
                            "*{name} = {value}.map(|i| windows_core::Interface::cast(&i)).transpose()?;"
                        ));
                        after.push(format!("{name}.finish();"));
                        continue;
                    }
                    EventType::SafeArray { .. } => (
                        format!("args.array_ref({index}, {})?", vt(inner)),
                        format!("&mut {name}"),
                    ),
                    EventType::Out(_) | EventType::InRef(_) | EventType::Record { .. } => {
                        return Err(Diagnostic::new(format!(
                            "internal error: `{}` has a pointer to a by-reference parameter",
                            event.name
                        )));
                    }
                };
                receive.push(format!("let mut {name} = {read};"));
                args.push(arg);
                after.push(format!("{name}.finish();"));
                continue;
            }
        };
        receive.push(format!("let {name} = {read};"));
        args.push(arg);
    }
    Ok(Member {
        name: event.method.name.clone(),
        dispid: dispid.to_string(),
        params: event.method.params.iter().map(|p| p.name.clone()).collect(),
        optional_from: (optional_from < idl.len()).then_some(optional_from),
        method: method_name(&event.name),
        receive,
        args,
        after,
    })
}

/// The sink's function for the vtable slot of `event`.
fn slot(model: &Model, event: &Event) -> Result<Slot, Diagnostic> {
    let mut params = Vec::new();
    let mut pre = Vec::new();
    let mut receive = Vec::new();
    let mut args = Vec::new();
    let idl_params = &event.method.params;
    let options = defaults::options(model, idl_params, &event.types)?;
    for (((param, ty), idl), option) in event
        .params
        .iter()
        .zip(&event.types)
        .zip(idl_params)
        .zip(options)
    {
        let name = local(&param.name);
        params.push(RustParam {
            name: name.clone(),
            ty: oracle::abi_type(model, ty)?,
        });
        if option {
            // A vtable call always sends it; the handler takes it as `Option` for `Invoke`'s sake.
            args.push(match ty {
                EventType::Bstr => format!("Some(sink::borrow(&{name}))"),
                _ => format!("Some({name})"),
            });
            continue;
        }
        args.push(match ty {
            EventType::Value { .. } => name,
            // The caller's struct, borrowed for the call (its fields are the caller's to free).
            EventType::Record { .. } => format!("&{name}"),
            EventType::Bstr => format!("sink::borrow(&{name})"),
            EventType::Variant { by_ref: false } => {
                // The caller owns the VARIANT; the sink must not clear it.
                pre.push(format!(
                    "let {name} = core::mem::ManuallyDrop::new({name});"
                ));
                format!("&{name}")
            }
            EventType::Variant { by_ref: true } => {
                receive.push(format!("let {name} = sink::in_ref({name})?;"));
                name
            }
            EventType::Interface { .. } => {
                format!("windows_core::Interface::from_raw_borrowed(&{name})")
            }
            EventType::SafeArray { .. } => format!("{name}.cast_mut()"),
            EventType::InRef(_) => {
                // Declared `*const T` in the slot; the handler may still change the value.
                receive.push(format!(
                    "let {name} = sink::in_out({name}.cast_mut().cast())?;"
                ));
                name
            }
            EventType::Out(inner) => {
                let read = if idl.is_in {
                    format!("sink::in_out({name}.cast())?")
                } else {
                    // An [out] pointer's target is not initialised: the sink starts it empty.
                    let empty = match inner.as_ref() {
                        EventType::SafeArray { .. } => "core::ptr::null_mut()",
                        _ => "Default::default()",
                    };
                    format!("sink::out({name}.cast(), {empty})?")
                };
                receive.push(format!("let {name} = {read};"));
                name
            }
        });
    }
    Ok(Slot {
        name: event.name.clone(),
        method: method_name(&event.name),
        params,
        pre,
        receive,
        args,
        hresult: event.hresult,
    })
}

/// `IDispatch` and `IUnknown` travel in a VARIANT as themselves; other interfaces as one of them.
pub(super) fn is_base(interface: &str) -> bool {
    matches!(interface, "IDispatch" | "IUnknown")
}

/// The Rust type of the VARIANT field that carries an interface pointer.
pub(super) fn carrier(dispatch: bool) -> &'static str {
    if dispatch {
        "Option<windows::Win32::System::Com::IDispatch>"
    } else {
        "Option<windows_core::IUnknown>"
    }
}

/// A DISPID as a Rust literal: hexadecimal for MIDL's automatic ones.
pub(super) fn dispid_literal(dispid: i32) -> String {
    if dispid >= 0x10000 {
        format!("{dispid:#x}")
    } else {
        dispid.to_string()
    }
}

/// A handler method's name: the event's, made legal.
fn method_name(event: &str) -> String {
    match event {
        "self" | "Self" | "super" | "crate" | "_" => format!("{event}_"),
        name if events::is_keyword(name) => format!("r#{name}"),
        name => name.to_string(),
    }
}

/// A parameter's name as a local of the sink's code, kept clear of the names that code uses.
fn local(name: &str) -> String {
    match name {
        "args" | "this" | "handler" | "dispid" => format!("{name}_"),
        name => name.to_string(),
    }
}
