//! The type oracle: how each event parameter of a source interface is passed to its `Fire_`
//! method (and to the typed sink's handler method, which takes the same Rust types), packed into
//! a VARIANT for `IDispatch::Invoke`, and laid out in a vtable call. Naming and type mapping live
//! here so that the templates only print what this decides.

use super::{mapping, paths};
use crate::Diagnostic;
use crate::model::{InterfaceKind, Model, Param, Struct, TypeRef};

const VARIANT: &str = "windows::Win32::System::Variant::VARIANT";

pub use super::mapping::Vt;

/// An event parameter's type, as `Fire_` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventType {
    /// Passed by value: `i32`, `f64`, `VARIANT_BOOL`, an enum; `rust` is the Rust type.
    Value { rust: String, vt: Vt },
    /// `&BSTR`.
    Bstr,
    /// `&VARIANT`: a `VARIANT` by value, or `[in] VARIANT*` sent as `VT_VARIANT | VT_BYREF`.
    Variant { by_ref: bool },
    /// `Option<&I>`: sent as `VT_DISPATCH` when `I` derives from `IDispatch`, else `VT_UNKNOWN`.
    Interface { name: String, dispatch: bool },
    /// `*mut SAFEARRAY`, sent as `VT_ARRAY | element`.
    SafeArray { element: Vt },
    /// `&T` for a struct of the input (`name`, its Rust name too), sent as `VT_RECORD` with the
    /// runtime's `IRecordInfo` for it.
    Record { name: String },
    /// `&mut T` for `[out]` and `[in, out]` pointers, sent as `VT_BYREF | T's tag`.
    Out(Box<EventType>),
    /// `&mut T` for an `[in]` pointer (`BSTR*`, `short*`): Visual Basic's `ByRef`, which the stock
    /// events use so the sink can change the value; passed as `[in, out]` is, but declared
    /// `*const T` in a vtable slot.
    InRef(Box<EventType>),
}

impl EventType {
    /// The VARIANT tag the value is sent with (before any `VT_BYREF`/`VT_ARRAY` flag).
    pub fn vt(&self) -> Vt {
        match self {
            EventType::Value { vt, .. } => vt,
            EventType::Bstr => "VT_BSTR",
            EventType::Variant { .. } => "VT_VARIANT",
            EventType::Interface { dispatch: true, .. } => "VT_DISPATCH",
            EventType::Interface { .. } => "VT_UNKNOWN",
            EventType::SafeArray { element } => element,
            EventType::Record { .. } => "VT_RECORD",
            EventType::Out(inner) | EventType::InRef(inner) => inner.vt(),
        }
    }

    /// The runtime's wrapper (`cpgen_runtime::dispatch::Date`) that carries a value whose
    /// VARIANT tag its Rust type does not tell: a `DATE` is an `f64` and an `int` an `i32`, but
    /// they travel as `VT_DATE` and `VT_INT`, not `VT_R8` and `VT_I4`.
    pub fn wrapper(&self) -> Option<&'static str> {
        match self {
            EventType::Value { vt: "VT_DATE", .. } => Some("Date"),
            EventType::Value { vt: "VT_INT", .. } => Some("Int"),
            EventType::Value { vt: "VT_UINT", .. } => Some("UInt"),
            _ => None,
        }
    }
}

/// The Rust type of a `Fire_` (and handler) parameter (`owned`: behind `&mut`).
pub fn rust_type(model: &Model, ty: &EventType, owned: bool) -> Result<String, Diagnostic> {
    Ok(match ty {
        EventType::Value { rust, .. } if rust == "VARIANT_BOOL" => {
            "windows::Win32::Foundation::VARIANT_BOOL".into()
        }
        EventType::Value { rust, .. } if is_enum(model, rust) => paths::enumeration(model, rust)?,
        EventType::Value { rust, .. } => rust.clone(),
        EventType::Bstr if owned => "windows_core::BSTR".into(),
        EventType::Bstr => "&windows_core::BSTR".into(),
        EventType::Variant { .. } if owned => VARIANT.into(),
        EventType::Variant { .. } => format!("&{VARIANT}"),
        EventType::Interface { name, .. } if owned => {
            format!("Option<{}>", paths::interface(model, name)?)
        }
        EventType::Interface { name, .. } => format!("Option<&{}>", paths::interface(model, name)?),
        EventType::SafeArray { .. } => "*mut windows::Win32::System::Com::SAFEARRAY".into(),
        EventType::Record { name } if owned => name.clone(),
        EventType::Record { name } => format!("&{name}"),
        EventType::Out(inner) | EventType::InRef(inner) => {
            format!("&mut {}", rust_type(model, inner, true)?)
        }
    })
}

/// The type of the parameter in the interface's vtable slot, exactly as windows-bindgen (and so
/// the windows crate) declares it: a sink's function must have the slot's very type.
pub fn abi_type(model: &Model, ty: &EventType) -> Result<String, Diagnostic> {
    const POINTER: &str = "*mut core::ffi::c_void";
    Ok(match ty {
        EventType::Value { .. } => rust_type(model, ty, true)?,
        EventType::Bstr | EventType::Interface { .. } => POINTER.into(),
        EventType::Variant { by_ref: false } => VARIANT.into(),
        EventType::Variant { by_ref: true } => format!("*const {VARIANT}"),
        EventType::SafeArray { .. } => "*const windows::Win32::System::Com::SAFEARRAY".into(),
        // windows-bindgen passes a struct by value as itself.
        EventType::Record { name } => name.clone(),
        EventType::Out(inner) => match inner.as_ref() {
            EventType::SafeArray { .. } => {
                "*mut *mut windows::Win32::System::Com::SAFEARRAY".into()
            }
            other => format!("*mut {}", abi_type(model, other)?),
        },
        EventType::InRef(inner) => format!("*const {}", abi_type(model, inner)?),
    })
}

/// The type of a value (a property, a return value) that no parameter attributes qualify.
pub fn value_type(model: &Model, ty: &TypeRef) -> Option<EventType> {
    classify(model, ty)
}

/// `ty` as a `Desc` expression (the TYPEDESC a type library gives it): enums and
/// interfaces other than `IUnknown` and `IDispatch` as `VT_USERDEFINED` references to the
/// library's own description of them, at the index `local` gives.
pub fn type_desc(ty: &EventType, local: &dyn Fn(&str) -> Option<usize>) -> Option<String> {
    let vt = |vt: &str| format!("Desc::Vt({vt})");
    Some(match ty {
        EventType::Value { rust, .. } if local(rust).is_some() => {
            format!("Desc::Local({})", local(rust)?)
        }
        EventType::Interface { name, .. } if !matches!(name.as_str(), "IUnknown" | "IDispatch") => {
            format!("Desc::Ptr(&Desc::Local({}))", local(name)?)
        }
        EventType::Variant { by_ref: true } => {
            format!("Desc::Ptr(&{})", vt("VT_VARIANT"))
        }
        EventType::SafeArray { element } => format!("Desc::SafeArray(&{})", vt(element)),
        EventType::Record { name } => format!("Desc::Local({})", local(name)?),
        EventType::Out(inner) | EventType::InRef(inner) => {
            format!("Desc::Ptr(&{})", type_desc(inner, local)?)
        }
        other => vt(other.vt()),
    })
}

/// The VARIANT tag of a value of `ty`, as a `u16` expression.
pub fn vt(ty: &EventType) -> String {
    let tag = |vt: &str| format!("windows::Win32::System::Variant::{vt}.0");
    match ty {
        EventType::SafeArray { element } => format!("{} | {}", tag("VT_ARRAY"), tag(element)),
        other => tag(other.vt()),
    }
}

/// Whether `rust`, a `Value`'s type, is an enum: the oracle names an enum by its IDL name, and
/// everything else by a Rust primitive or `VARIANT_BOOL`.
pub fn is_enum(model: &Model, rust: &str) -> bool {
    model.enums.iter().any(|e| e.name == rust)
}

/// How `param` of event `method` of source interface `interface` is passed, or an error that
/// names the parameter: cpgen never guesses a mapping.
pub fn event_type(
    model: &Model,
    interface: &str,
    method: &str,
    param: &Param,
) -> Result<EventType, Diagnostic> {
    let unsupported = |why: &str| {
        param.error(
            model,
            format!(
                "cannot fire `{interface}::{method}`: parameter `{}` has type `{}`, {why}",
                param.name, param.ty
            ),
        )
    };
    let ty = &param.ty_ref;
    if !ty.array.is_empty() {
        return Err(unsupported(
            "and arrays are not supported as event parameters",
        ));
    }
    if param.is_out {
        if ty.pointers == 0 {
            return Err(unsupported("but an [out] parameter must be a pointer"));
        }
        let pointee = TypeRef {
            pointers: ty.pointers - 1,
            ..ty.clone()
        };
        let inner =
            classify(model, &pointee).ok_or_else(|| unsupported(&why_unmapped(model, ty)))?;
        return Ok(EventType::Out(Box::new(inner)));
    }
    match classify(model, ty) {
        Some(t) => Ok(t),
        None if is_variant(model, &ty.base) && ty.pointers == 1 => {
            Ok(EventType::Variant { by_ref: true })
        }
        // `[in] T*`: by reference, as Visual Basic's ByRef.
        None if ty.pointers > 0 => {
            let pointee = TypeRef {
                pointers: ty.pointers - 1,
                ..ty.clone()
            };
            match classify(model, &pointee) {
                Some(inner) => Ok(EventType::InRef(Box::new(inner))),
                None => Err(unsupported(&why_unmapped(model, ty))),
            }
        }
        None => Err(unsupported(&why_unmapped(model, ty))),
    }
}

/// Why `ty` has no event mapping, for the error that names the parameter.
fn why_unmapped(model: &Model, ty: &TypeRef) -> String {
    let strip = |name: &str| -> String {
        let name = name.strip_prefix("struct ").unwrap_or(name);
        name.strip_prefix("union ").unwrap_or(name).to_string()
    };
    let name = strip(&ty.base);
    let aliased = model
        .typedefs
        .iter()
        .find(|t| t.name == name && t.ty_ref.pointers == 0)
        .map(|t| strip(&t.ty_ref.base));
    for candidate in [Some(name.as_str()), aliased.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Some(why) = model
            .structs
            .iter()
            .find(|s| s.name == candidate)
            .and_then(|s| record_refusal(model, s))
        {
            return why;
        }
    }
    if mapping::resolve(&name).is_some_and(|known| known.event.is_none()) {
        return "which the bindings map but no event VARIANT carries (see the README's type table)"
            .into();
    }
    "which has no event mapping (see the README's type table)".into()
}

/// Why struct `item` cannot travel as a record, if it cannot: a union, a bit-field, or a field
/// no VARIANT type describes (an array, a nested struct, a pointer).
pub fn record_refusal(model: &Model, item: &Struct) -> Option<String> {
    if item.union {
        return Some("a union, which no VARIANT carries (see the README's type table)".to_string());
    }
    if item.imported {
        return Some("a struct of an imported file, which cpgen does not generate".into());
    }
    item.fields.iter().find_map(|field| {
        let plain = !field.bit_field
            && field.ty_ref.array.is_empty()
            && matches!(
                classify(model, &field.ty_ref),
                Some(
                    EventType::Value { .. }
                        | EventType::Bstr
                        | EventType::Variant { by_ref: false }
                        | EventType::Interface { .. }
                )
            );
        (!plain).then(|| {
            format!(
                "a struct whose field `{}` (`{}{}`) has no VARIANT type a record can describe \
                 (see the README's type table)",
                field.name,
                field.ty_ref.base,
                "*".repeat(field.ty_ref.pointers)
            )
        })
    })
}

/// The by-value type of `ty` (for an interface, the `I*` that `Option<&I>` or, behind an `[out]`
/// pointer, `Option<I>` stands for).
fn classify(model: &Model, ty: &TypeRef) -> Option<EventType> {
    if let Some(element) = &ty.safearray_of {
        let element = classify(model, element)?;
        return (ty.pointers == 0).then(|| EventType::SafeArray {
            element: element.vt(),
        });
    }
    if let Some(interface) = interface(model, &ty.base) {
        return (ty.pointers == 1).then_some(interface);
    }
    if ty.pointers != 0 {
        return None;
    }
    // `enum X` names the enum `X` (stdole's `enum OLE_TRISTATE` included).
    let mut name = ty.base.strip_prefix("enum ").unwrap_or(&ty.base);
    // Typedef chains are short; the bound only stops a cycle.
    for _ in 0..16 {
        if let Some(known) = mapping::known(name) {
            let (rust, vt) = known.event?;
            return Some(EventType::Value {
                rust: rust.to_string(),
                vt,
            });
        }
        match name {
            "BSTR" => return Some(EventType::Bstr),
            "VARIANT" => return Some(EventType::Variant { by_ref: false }),
            _ => {}
        }
        if model.enums.iter().any(|e| e.name == name) {
            return Some(EventType::Value {
                rust: name.to_string(),
                vt: "VT_I4",
            });
        }
        // `struct X` (or a typedef of it) names the struct `X`: a record, when every field
        // has a VARIANT type.
        let tag = name.strip_prefix("struct ").unwrap_or(name);
        if let Some(item) = model.structs.iter().find(|s| s.name == tag) {
            return record_refusal(model, item)
                .is_none()
                .then(|| EventType::Record {
                    name: item.name.clone(),
                });
        }
        // Follow a typedef (the model's, else stdole's) one step.
        name = match model.typedefs.iter().find(|t| t.name == name) {
            Some(t) if t.ty_ref.pointers == 0 && t.ty_ref.array.is_empty() => t
                .ty_ref
                .base
                .strip_prefix("enum ")
                .unwrap_or(&t.ty_ref.base),
            Some(_) => return None,
            None => mapping::stdole_alias(name)?,
        };
    }
    None
}

fn is_variant(model: &Model, name: &str) -> bool {
    name == "VARIANT"
        || model
            .typedefs
            .iter()
            .any(|t| t.name == name && t.ty_ref.base == "VARIANT" && t.ty_ref.pointers == 0)
}

/// An interface type named `name` (a coclass standing for its default interface, as MIDL reads
/// it), with whether it is dispatchable.
fn interface(model: &Model, name: &str) -> Option<EventType> {
    let name = model.coclass_default(name).unwrap_or(name);
    let dispatch = match name {
        "IUnknown" => false,
        "IDispatch" => true,
        _ => {
            let mut current = model.interface(name)?;
            loop {
                if current.kind != InterfaceKind::Custom {
                    break true;
                }
                match current.base.as_deref() {
                    Some("IDispatch") => break true,
                    Some(base) => match model.interface(base) {
                        Some(b) => current = b,
                        None => break false,
                    },
                    None => break false,
                }
            }
        }
    };
    Some(EventType::Interface {
        name: name.to_string(),
        dispatch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Model {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
        crate::load(&path, &Default::default()).unwrap()
    }

    fn types(model: &Model, interface: &str) -> Vec<Result<EventType, String>> {
        let i = model.interface(interface).unwrap();
        i.methods
            .iter()
            .flat_map(|m| {
                m.params
                    .iter()
                    .map(|p| event_type(model, interface, &m.name, p).map_err(|e| e.to_string()))
            })
            .collect()
    }

    fn value(rust: &str, vt: Vt) -> Result<EventType, String> {
        Ok(EventType::Value {
            rust: rust.into(),
            vt,
        })
    }

    #[test]
    fn clock_events_map_as_the_contract_says() {
        let model = clock();
        assert_eq!(
            types(&model, "DClockEvents"),
            [
                value("i32", "VT_I4"),
                Ok(EventType::Bstr),
                Ok(EventType::Out(Box::new(EventType::Value {
                    rust: "VARIANT_BOOL".into(),
                    vt: "VT_BOOL"
                }))),
                value("ClockState", "VT_I4"),
                Ok(EventType::Interface {
                    name: "IDispatch".into(),
                    dispatch: true
                }),
            ]
        );
        assert_eq!(
            types(&model, "IClockSink")[..2],
            [value("i32", "VT_I4"), value("f64", "VT_R8")]
        );
    }

    #[test]
    fn typedefs_stdole_aliases_variants_and_safearrays() {
        let dir = tempfile::tempdir().unwrap();
        let idl = dir.path().join("t.idl");
        std::fs::write(
            &idl,
            r#"typedef long MYLONG; typedef MYLONG MYLONG2; typedef struct S { int x; } S;
               interface IOther : IUnknown {};
               [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ea)] dispinterface D { properties: methods:
                 void E([in] MYLONG2 a, [in] OLE_COLOR c, [in] VARIANT v, [in] VARIANT *pv,
                        [in] SAFEARRAY(BSTR) names, [in, out] IDispatch **pd, [in] IOther *o,
                        [in] DATE when, [in] S s, [in] long *p, [out] BSTR *out); };"#,
        )
        .unwrap();
        let model = crate::load(&idl, &Default::default()).unwrap();
        let got = types(&model, "D");
        assert_eq!(got[0], value("i32", "VT_I4"));
        assert_eq!(got[1], value("u32", "VT_UI4"));
        assert_eq!(got[2], Ok(EventType::Variant { by_ref: false }));
        assert_eq!(got[3], Ok(EventType::Variant { by_ref: true }));
        assert_eq!(got[4], Ok(EventType::SafeArray { element: "VT_BSTR" }));
        assert_eq!(
            got[5],
            Ok(EventType::Out(Box::new(EventType::Interface {
                name: "IDispatch".into(),
                dispatch: true
            })))
        );
        assert_eq!(
            got[6],
            Ok(EventType::Interface {
                name: "IOther".into(),
                dispatch: false
            })
        );
        assert_eq!(got[7], value("f64", "VT_DATE"));
        assert_eq!(got[8], Ok(EventType::Record { name: "S".into() }));
        assert_eq!(
            got[9],
            Ok(EventType::InRef(Box::new(EventType::Value {
                rust: "i32".into(),
                vt: "VT_I4"
            }))),
            "an [in] long* goes by reference, as VB's ByRef"
        );
        assert_eq!(got[10], Ok(EventType::Out(Box::new(EventType::Bstr))));
    }

    #[test]
    fn stock_events_by_reference_and_coclasses_as_types() {
        let dir = tempfile::tempdir().unwrap();
        let idl = dir.path().join("t.idl");
        std::fs::write(
            &idl,
            r#"[uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7eb)] dispinterface DApp { properties: methods: };
               [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ec)] coclass App { [default] dispinterface DApp; };
               [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ed)] dispinterface D { properties: methods:
                 void Error(short Number, BSTR* Description, boolean* CancelDisplay);
                 void KeyDown(short* KeyCode, short Shift);
                 void Opened(App* app, OLE_XPOS_PIXELS x, OLE_CANCELBOOL cancel); };"#,
        )
        .unwrap();
        let model = crate::load(&idl, &Default::default()).unwrap();
        let by_ref = |inner| Ok(EventType::InRef(Box::new(inner)));
        let short = EventType::Value {
            rust: "i16".into(),
            vt: "VT_I2",
        };
        assert_eq!(
            types(&model, "D"),
            [
                Ok(short.clone()),
                by_ref(EventType::Bstr),
                by_ref(EventType::Value {
                    rust: "u8".into(),
                    vt: "VT_UI1"
                }),
                by_ref(short.clone()),
                Ok(short),
                Ok(EventType::Interface {
                    name: "DApp".into(),
                    dispatch: true
                }),
                value("i32", "VT_I4"),
                value("VARIANT_BOOL", "VT_BOOL"),
            ]
        );
    }

    #[test]
    fn structs_are_records_unless_a_field_has_no_variant_type() {
        let dir = tempfile::tempdir().unwrap();
        let idl = dir.path().join("t.idl");
        std::fs::write(
            &idl,
            r#"typedef struct tagP { long x; BSTR name; VARIANT v; IDispatch* d; } P;
               typedef struct Nested { P inner; } Nested;
               typedef struct Arr { long xs[4]; } Arr;
               typedef union U { long l; double d; } U;
               [uuid(6f1a2b3c-4d5e-4f60-8172-93a4b5c6d7ee)] dispinterface D { properties: methods:
                 void E(P p, P* byref, Nested n, Arr a, U u); };"#,
        )
        .unwrap();
        let model = crate::load(&idl, &Default::default()).unwrap();
        let got = types(&model, "D");
        let record = EventType::Record {
            name: "tagP".into(),
        };
        assert_eq!(got[0], Ok(record.clone()));
        assert_eq!(got[1], Ok(EventType::InRef(Box::new(record))));
        for (at, why) in [
            (2, "field `inner` (`P`)"),
            (3, "field `xs` (`long`)"),
            (4, "a union"),
        ] {
            let error = got[at].as_ref().unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }
}
