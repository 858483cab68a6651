//! Parameters a caller may leave out of a typed sink's `Invoke`: the trailing ones with a
//! `[defaultvalue]` cpgen can write, and `[optional]` VARIANTs, which then hold `VT_ERROR` with
//! `DISP_E_PARAMNOTFOUND` as COM passes a missing argument: the handler gets the default value.
//! An `[optional]` scalar or BSTR without a default has none to give: the handler takes it as an
//! `Option`, `None` when the caller left it out (`Fire_` still sends it, so still takes it plain).
//! An `[optional]` interface or SAFEARRAY without one is null, which its type already holds.

use super::oracle::{EventType, is_enum, rust_type, vt};
use super::paths;
use super::sinks::{carrier, is_base};
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
    if is_option(param, ty) {
        let read = match ty {
            EventType::Value { .. } if let Some(wrapper) = ty.wrapper() => {
                format!("cpgen_runtime::dispatch::{wrapper}")
            }
            EventType::Value { rust, .. } if is_enum(model, rust) => "i32".to_string(),
            _ => rust_type(model, ty, true)?,
        };
        return Ok(Some(format!("args.value_opt::<{read}>({index})?")));
    }
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
        // Left out, an interface is null and a SAFEARRAY a null pointer, which their types hold.
        (EventType::Interface { name, dispatch }, None) if param.optional => {
            Some(if is_base(name) {
                format!("args.value_or::<{}>({index}, || None)?", carrier(*dispatch))
            } else {
                format!(
                    "args.interface_or_none::<{}>({index}, {dispatch})?",
                    paths::interface(model, name)?
                )
            })
        }
        (EventType::SafeArray { .. }, None) if param.optional => {
            Some(format!("args.array_or_null({index}, {})?", vt(ty)))
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

/// For each parameter, whether the handler takes it as an `Option` (see [`is_option`]).
pub fn options(
    model: &Model,
    params: &[Param],
    types: &[EventType],
) -> Result<Vec<bool>, Diagnostic> {
    let from = first_omittable(model, params, types)?;
    Ok(params
        .iter()
        .zip(types)
        .enumerate()
        .map(|(index, (param, ty))| index >= from && is_option(param, ty))
        .collect())
}

/// Whether the handler takes parameter `param` (of type `ty`) as an `Option`: an `[optional]`
/// scalar or BSTR without a `[defaultvalue]`, when it is among the trailing ones a caller may
/// leave out.
pub fn is_option(param: &Param, ty: &EventType) -> bool {
    param.optional
        && param.default.is_none()
        && matches!(ty, EventType::Value { .. } | EventType::Bstr)
}

#[cfg(test)]
mod tests {
    use super::super::{Options, generate};

    fn sink_code(methods: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let idl = dir.path().join("t.idl");
        let text = format!(
            r#"[uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a21)] library L {{
                typedef enum {{ Low = 1, High = 2 }} Range;
                [uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a22)]
                dispinterface DEvents {{ properties: methods: {methods} }};
                [uuid(3c0e6a51-2b7d-4e1f-9a60-5d8f0c2b1a23)]
                coclass C {{ [default, source] dispinterface DEvents; }};
            }};"#
        );
        std::fs::write(&idl, text).unwrap();
        let model = crate::load(&idl, &Default::default()).unwrap();
        let options = Options {
            module: "t_idl".into(),
            ..Default::default()
        };
        let code: String = generate(&model, &options)
            .unwrap()
            .code
            .split_whitespace()
            .collect();
        // Without the trailing commas prettyplease puts where it breaks lines.
        code.replace(",)", ")")
            .replace(",>", ">")
            .replace(",]", "]")
    }

    #[test]
    fn trailing_defaults_are_read_with_their_values() {
        let code = sink_code(
            r#"[id(1)] void E([in] long a, [in, defaultvalue(-1)] VARIANT_BOOL b,
                [in, defaultvalue(High)] Range r, [in, defaultvalue(1.5)] double d,
                [in, defaultvalue("x")] BSTR s, [in, defaultvalue(4)] VARIANT v,
                [in, optional] VARIANT o);"#,
        );
        for expected in [
            "receive::Member::new(\"E\",1,&[\"a\",\"b\",\"r\",\"d\",\"s\",\"v\",\"o\"]).optional_from(1)",
            "letb=args.value_or::<windows::Win32::Foundation::VARIANT_BOOL>(1,||windows::Win32::Foundation::VARIANT_BOOL(-1_i16))?;",
            "letr=args.value_or::<i32>(2,||2_i32)?;",
            "letd=args.value_or::<f64>(3,||1.5_f64)?;",
            "lets=args.value_or::<windows_core::BSTR>(4,||windows_core::BSTR::from(\"x\"))?;",
            "letv=args.variant_or(5,||cpgen_runtime::dispatch::EventArg::into_variant(4_i32))?;",
            "leto=args.variant_or(6,receive::param_not_found)?;",
            "DEventsHandler::E(&self.0,*a,*b,Range(*r),*d,&s,&v,&o)",
        ] {
            assert!(code.contains(expected), "{expected} not in {code}");
        }
    }

    #[test]
    fn a_parameter_without_a_default_keeps_those_before_it_required() {
        let code = sink_code(
            "[id(1)] void E([in, defaultvalue(1)] long a, [in, optional] long* b, \
             [in, defaultvalue(2)] long c);",
        );
        assert!(
            code.contains("receive::Member::new(\"E\",1,&[\"a\",\"b\",\"c\"]).optional_from(2)"),
            "{code}"
        );
        assert!(code.contains("leta=args.value::<i32>(0)?;"), "{code}");
    }

    #[test]
    fn optional_scalars_and_strings_without_a_default_are_options() {
        let code = sink_code(
            "[id(1)] void E([in] long a, [in, optional] long n, [in, optional] Range r, \
             [in, optional] DATE when, [in, optional] BSTR s, [in, optional] IDispatch *d, \
             [in, optional] SAFEARRAY(long) l);",
        );
        for expected in [
            "receive::Member::new(\"E\",1,&[\"a\",\"n\",\"r\",\"when\",\"s\",\"d\",\"l\"]).optional_from(1)",
            "letd=args.value_or::<Option<windows::Win32::System::Com::IDispatch>>(5,||None)?;",
            "letl=args.array_or_null(6,windows::Win32::System::Variant::VT_ARRAY.0|windows::Win32::System::Variant::VT_I4.0)?;",
            "letn=args.value_opt::<i32>(1)?;",
            "letr=args.value_opt::<i32>(2)?;",
            "letwhen=args.value_opt::<cpgen_runtime::dispatch::Date>(3)?;",
            "lets=args.value_opt::<windows_core::BSTR>(4)?;",
            "DEventsHandler::E(&self.0,*a,n.map(|v|*v),r.map(|v|Range(*v)),when.map(|v|v.0),s.as_deref(),(*d).as_ref(),*l)",
            "fnE(&self,a:i32,n:Option<i32>,r:Option<Range>,when:Option<f64>,s:Option<&windows_core::BSTR>,d:Option<&windows::Win32::System::Com::IDispatch>,",
        ] {
            assert!(code.contains(expected), "{expected} not in {code}");
        }
    }
}
