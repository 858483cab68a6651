//! An interface's methods and properties as a type library describes them: member ids, invoke
//! kinds, `FUNCFLAGS`, parameter types (from the one mapping, through the oracle, or a
//! `[public]` alias by name), `PARAMFLAGS` and `[defaultvalue]`s, as widl writes them.

use super::super::oracle::{self, EventType};
use super::super::sinks::dispid_literal;
use super::rows::literal;
use super::{Func, FuncParam, MEMBERID_NIL};
use crate::model::{ConstValue, Interface, Method, MethodKind, Model, Param, TypeRef, Typedef};

// PARAMFLAGS and FUNCFLAGS values, as oleaut32 defines them.
const PARAMFLAG_FIN: u16 = 0x1;
const PARAMFLAG_FOUT: u16 = 0x2;
const PARAMFLAG_FLCID: u16 = 0x4;
const PARAMFLAG_FRETVAL: u16 = 0x8;
const PARAMFLAG_FOPT: u16 = 0x10;
const PARAMFLAG_FHASDEFAULT: u16 = 0x20;
const FUNCFLAG_FRESTRICTED: u16 = 0x1;
const FUNCFLAG_FBINDABLE: u16 = 0x4;
const FUNCFLAG_FREQUESTEDIT: u16 = 0x8;
const FUNCFLAG_FHIDDEN: u16 = 0x40;

/// The types of the members of `interface` that the table describes.
pub(super) fn described_types(model: &Model, interface: &Interface) -> Vec<EventType> {
    let mut types = Vec::new();
    for method in described_methods(interface) {
        if let Some((params, returns)) = signature(model, interface, method) {
            types.extend(params);
            types.extend(returns);
        }
    }
    for property in &interface.properties {
        types.extend(property_type(model, &property.ty));
    }
    types
}

/// The `[public]` typedefs the members of `interface` name.
pub(super) fn aliases_used<'m>(model: &'m Model, interface: &Interface) -> Vec<&'m Typedef> {
    described_methods(interface)
        .flat_map(|m| m.params.iter().map(|p| &p.ty_ref))
        .filter_map(|ty| public_alias(model, &ty.base))
        .collect()
}

/// The `[public]` typedef `name`, if it is one.
fn public_alias<'m>(model: &'m Model, name: &str) -> Option<&'m Typedef> {
    model.typedefs.iter().find(|t| t.public && t.name == name)
}

/// The methods a type library lists for `interface`: all of a dispinterface's, and a vtable
/// interface's own (not the `[call_as]` wire forms of `[local]` methods).
fn described_methods(interface: &Interface) -> impl Iterator<Item = &Method> {
    interface.methods.iter().filter(|m| m.call_as.is_none())
}

/// A method's parameter types and return type (none for `void` and `HRESULT`), or none when the
/// oracle has no mapping for one of them: such a member is left out of the type information.
fn signature(
    model: &Model,
    interface: &Interface,
    method: &Method,
) -> Option<(Vec<EventType>, Option<EventType>)> {
    let params = method
        .params
        .iter()
        .map(|p| oracle::event_type(model, &interface.name, &method.name, p).ok())
        .collect::<Option<Vec<_>>>()?;
    let returns = match method.ret.as_str() {
        "void" | "HRESULT" => None,
        other => Some(property_type(model, other)?),
    };
    Some((params, returns))
}

/// A property's or return value's type, written as the IDL writes it (`long`, `IDispatch*`).
pub(super) fn property_type(model: &Model, written: &str) -> Option<EventType> {
    let base = written.trim_end_matches(['*', ' ']);
    let ty = TypeRef {
        base: base.to_string(),
        pointers: written.matches('*').count(),
        ..TypeRef::default()
    };
    oracle::value_type(model, &ty)
}

/// The methods of `interface` as the table's functions.
pub(super) fn funcs(
    model: &Model,
    interface: &Interface,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Vec<Func> {
    described_methods(interface)
        .filter_map(|method| func(model, interface, method, local))
        .collect()
}

fn func(
    model: &Model,
    interface: &Interface,
    method: &Method,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Option<Func> {
    let (types, returns) = signature(model, interface, method)?;
    let params = method
        .params
        .iter()
        .zip(&types)
        .map(|(param, ty)| {
            let default = param
                .defaultvalue
                .as_ref()
                .and_then(|_| default(model, param, ty));
            let mut flags = param_flags(param);
            // A [defaultvalue] makes the parameter optional; the flag that a value is recorded
            // goes with the value (oleaut32 reads one wherever the flag is).
            if param.defaultvalue.is_some() {
                flags |= PARAMFLAG_FOPT;
            }
            if default.is_some() {
                flags |= PARAMFLAG_FHASDEFAULT;
            }
            Some(FuncParam {
                name: literal(&param.name),
                ty: alias_desc(model, &param.ty_ref, local)
                    .or_else(|| oracle::type_desc(ty, local))?,
                flags,
                default,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let returns = match (&returns, method.ret.as_str()) {
        (Some(ty), _) => oracle::type_desc(ty, local)?,
        (None, "HRESULT") => "Desc::Vt(VT_HRESULT)".into(),
        (None, _) => "Desc::Vt(VT_VOID)".into(),
    };
    let flags = [
        (method.restricted, FUNCFLAG_FRESTRICTED),
        (method.bindable, FUNCFLAG_FBINDABLE),
        (method.requestedit, FUNCFLAG_FREQUESTEDIT),
        (method.hidden, FUNCFLAG_FHIDDEN),
    ]
    .iter()
    .filter(|(set, _)| *set)
    .fold(0, |all, (_, flag)| all | flag);
    Some(Func {
        name: literal(&method.name),
        memid: dispid_literal(method.dispid.unwrap_or(MEMBERID_NIL)),
        invoke: match method.kind {
            MethodKind::Method => 1,
            MethodKind::Propget => 2,
            MethodKind::Propput => 4,
            MethodKind::Propputref => 8,
        },
        flags,
        // widl counts `[optional]` parameters only (a `[defaultvalue]` one is optional too, by
        // its PARAMFLAGS).
        optional: method.params.iter().filter(|p| p.optional).count() as i16,
        params,
        returns,
        doc: literal(method.helpstring.as_deref().unwrap_or_default()),
    })
}

/// `ty` as a `Desc` of the `[public]` alias it names (behind its pointers), if it names one the
/// library describes.
fn alias_desc(
    model: &Model,
    ty: &TypeRef,
    local: &dyn Fn(&str) -> Option<usize>,
) -> Option<String> {
    let alias = public_alias(model, &ty.base)?;
    let mut desc = format!("Desc::Local({})", local(&alias.name)?);
    for _ in 0..ty.pointers {
        desc = format!("Desc::Ptr(&{desc})");
    }
    Some(desc)
}

fn param_flags(param: &Param) -> u16 {
    [
        (param.is_in, PARAMFLAG_FIN),
        (param.is_out, PARAMFLAG_FOUT),
        (param.lcid, PARAMFLAG_FLCID),
        (param.retval, PARAMFLAG_FRETVAL),
        (param.optional, PARAMFLAG_FOPT),
    ]
    .iter()
    .filter(|(set, _)| *set)
    .fold(0, |all, (_, flag)| all | flag)
}

/// A `[defaultvalue]` as a `Value` expression, as widl writes it: a string for a `BSTR`; a
/// number as `VT_I4` for an enum, as the pointee's type behind a pointer, else as the
/// parameter's own type when that is one of the integer types, `VT_R4`, `VT_BOOL` or
/// `VT_HRESULT`. Any other (a `double`, a `DATE`, a `VARIANT`) has none, as widl writes none.
fn default(model: &Model, param: &Param, ty: &EventType) -> Option<String> {
    match (param.default.as_ref()?, ty) {
        (ConstValue::Str(text), EventType::Bstr) => Some(format!("Value::Str({text:?})")),
        (ConstValue::Int(value), _) => {
            let by_value = match ty {
                EventType::Out(inner) | EventType::InRef(inner) => inner,
                other => other,
            };
            let vt = match by_value {
                EventType::Value { rust, .. } if oracle::is_enum(model, rust) => "VT_I4",
                EventType::Value { vt, .. } => vt,
                _ => return None,
            };
            const WRITTEN: &[&str] = &[
                "VT_I2", "VT_I4", "VT_BOOL", "VT_I1", "VT_UI1", "VT_UI2", "VT_UI4", "VT_INT",
                "VT_UINT",
            ];
            WRITTEN
                .contains(&vt)
                .then(|| format!("Value::Int({vt}, {})", *value as i32))
        }
        _ => None,
    }
}
