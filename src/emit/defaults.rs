//! Parameters a caller may leave out of a typed sink's `Invoke`: the trailing ones with a
//! `[defaultvalue]` cpgen can write, and `[optional]` VARIANTs, which then hold `VT_ERROR` with
//! `DISP_E_PARAMNOTFOUND` as COM passes a missing argument. The handler's signature does not
//! change: it gets the default value.

use super::oracle::{EventType, is_enum, rust_type};
use crate::Diagnostic;
use crate::model::{ConstValue, Model, Param};

/// The index of the first of the trailing parameters that may be left out (`params.len()` when
/// none may).
pub fn first_omittable(
    model: &Model,
    params: &[Param],
    types: &[EventType],
) -> Result<usize, Diagnostic> {
    let mut first = params.len();
    while first > 0 && read(model, &params[first - 1], &types[first - 1], first - 1)?.is_some() {
        first -= 1;
    }
    Ok(first)
}

/// How `Invoke` reads parameter `index` (`param`, of type `ty`) that the caller may leave out,
/// as a `receive::Args` expression; none when it has no default cpgen can write.
pub fn read(
    model: &Model,
    param: &Param,
    ty: &EventType,
    index: usize,
) -> Result<Option<String>, Diagnostic> {
    let default = param.default.as_ref();
    Ok(match (ty, default) {
        (EventType::Variant { by_ref: false }, None) if param.optional => Some(format!(
            "args.variant_or({index}, receive::param_not_found)?"
        )),
        (EventType::Variant { by_ref: false }, Some(value)) => {
            let value = match value {
                ConstValue::Int(v) => format!("{v}_i32"),
                ConstValue::Float(f) => format!("{f:?}_f64"),
                ConstValue::Str(s) => format!("&windows_core::BSTR::from({s:?})"),
            };
            Some(format!(
                "args.variant_or({index}, || cpgen_runtime::dispatch::EventArg::into_variant({value}))?"
            ))
        }
        (EventType::Bstr, Some(ConstValue::Str(s))) => Some(format!(
            "args.value_or::<windows_core::BSTR>({index}, || windows_core::BSTR::from({s:?}))?"
        )),
        (EventType::Value { vt: "VT_DATE", .. }, _) => None,
        (EventType::Value { rust, .. }, Some(value)) => {
            let (read, literal) = if is_enum(model, rust) {
                ("i32".to_string(), "i32")
            } else {
                (rust_type(model, ty, true)?, rust.as_str())
            };
            let value = match (literal, value) {
                ("VARIANT_BOOL", ConstValue::Int(v)) => format!("{read}({v}_i16)"),
                (
                    "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "i64" | "u64" | "f32" | "f64",
                    ConstValue::Int(v),
                ) => format!("{v}_{literal}"),
                ("f32" | "f64", ConstValue::Float(f)) => format!("{f:?}_{literal}"),
                _ => return Ok(None),
            };
            Some(format!("args.value_or::<{read}>({index}, || {value})?"))
        }
        _ => None,
    })
}
