//! The one mapping from IDL type names to what cpgen generates for them: the metadata type the
//! bindings of the IDL's own interfaces are written with (and so the Rust type windows-bindgen
//! gives them), and, where an event can carry the type in a VARIANT, the Rust type of a `Fire_`
//! and handler parameter with its VARIANT tag. The event oracle ([`super::oracle`]), the typed
//! sinks, the type library ([`super::type_info`]) and the bindings ([`super::bindings`]) all read
//! their base types from here, so they cannot disagree. The README's type table lists it.
//!
//! Names this table does not know are resolved by the model's typedefs (and for the bindings,
//! by the Windows metadata: `HWND`, `BSTR`, `IDispatch`); anything else is an error at the
//! parameter that names it.

use windows_metadata::Type;

/// A VARIANT type tag (`VT_*`), by name: the templates print `windows::Win32::System::Variant::VT_I4`.
pub type Vt = &'static str;

/// How the bindings declare a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// A primitive: `i32`, `f64`, `isize`.
    Primitive(Prim),
    /// A type of the Windows metadata, by name (`PWSTR` in `Windows.Win32.Foundation`).
    Sdk(&'static str),
    /// `System.Guid`, which the windows crate renders as `GUID`.
    Guid,
}

/// The primitives [`Binding::Primitive`] names (`windows_metadata::Type` has no `const` form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prim {
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F32,
    F64,
    ISize,
    USize,
}

impl Prim {
    pub fn metadata(self) -> Type {
        match self {
            Prim::Bool => Type::Bool,
            Prim::I8 => Type::I8,
            Prim::U8 => Type::U8,
            Prim::I16 => Type::I16,
            Prim::U16 => Type::U16,
            Prim::I32 => Type::I32,
            Prim::U32 => Type::U32,
            Prim::I64 => Type::I64,
            Prim::U64 => Type::U64,
            Prim::F32 => Type::F32,
            Prim::F64 => Type::F64,
            Prim::ISize => Type::ISize,
            Prim::USize => Type::USize,
        }
    }
}

/// One named type: how the bindings declare it, and how an event passes it (`None`: an event
/// parameter of this type is refused, naming the parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub binding: Binding,
    /// The Rust type of a `Fire_` parameter and the VARIANT tag it is sent with.
    pub event: Option<(&'static str, Vt)>,
}

use Binding::{Guid, Primitive as P, Sdk};
use Prim::*;

const fn both(binding: Binding, rust: &'static str, vt: Vt) -> Known {
    Known {
        binding,
        event: Some((rust, vt)),
    }
}

const fn binding_only(binding: Binding) -> Known {
    Known {
        binding,
        event: None,
    }
}

/// The base types and the SDK's scalar typedefs, by IDL name.
const KNOWN: &[(&str, Known)] = &[
    // `int` is 32 bits like `long`, but MIDL describes it as VT_INT (and `unsigned int` as
    // VT_UINT) in type libraries, so that is what an event sends.
    ("long", both(P(I32), "i32", "VT_I4")),
    ("LONG", both(P(I32), "i32", "VT_I4")),
    ("int", both(P(I32), "i32", "VT_INT")),
    ("INT", both(P(I32), "i32", "VT_INT")),
    ("signed long", both(P(I32), "i32", "VT_I4")),
    ("long int", both(P(I32), "i32", "VT_I4")),
    ("__int32", both(P(I32), "i32", "VT_I4")),
    ("short", both(P(I16), "i16", "VT_I2")),
    ("SHORT", both(P(I16), "i16", "VT_I2")),
    ("unsigned long", both(P(U32), "u32", "VT_UI4")),
    ("ULONG", both(P(U32), "u32", "VT_UI4")),
    ("DWORD", both(P(U32), "u32", "VT_UI4")),
    ("unsigned int", both(P(U32), "u32", "VT_UINT")),
    ("UINT", both(P(U32), "u32", "VT_UINT")),
    ("unsigned short", both(P(U16), "u16", "VT_UI2")),
    ("USHORT", both(P(U16), "u16", "VT_UI2")),
    ("WORD", both(P(U16), "u16", "VT_UI2")),
    ("BYTE", both(P(U8), "u8", "VT_UI1")),
    ("byte", both(P(U8), "u8", "VT_UI1")),
    ("unsigned char", both(P(U8), "u8", "VT_UI1")),
    ("UCHAR", both(P(U8), "u8", "VT_UI1")),
    // MIDL's `boolean` is one byte, described as VT_UI1 in type libraries.
    ("boolean", both(P(U8), "u8", "VT_UI1")),
    ("char", both(P(I8), "i8", "VT_I1")),
    ("CHAR", both(P(I8), "i8", "VT_I1")),
    ("small", both(P(I8), "i8", "VT_I1")),
    ("hyper", both(P(I64), "i64", "VT_I8")),
    ("__int64", both(P(I64), "i64", "VT_I8")),
    ("LONGLONG", both(P(I64), "i64", "VT_I8")),
    ("long long", both(P(I64), "i64", "VT_I8")),
    ("INT64", both(P(I64), "i64", "VT_I8")),
    ("unsigned hyper", both(P(U64), "u64", "VT_UI8")),
    ("ULONGLONG", both(P(U64), "u64", "VT_UI8")),
    ("UINT64", both(P(U64), "u64", "VT_UI8")),
    ("INT8", both(P(I8), "i8", "VT_I1")),
    ("UINT8", both(P(U8), "u8", "VT_UI1")),
    ("INT16", both(P(I16), "i16", "VT_I2")),
    ("UINT16", both(P(U16), "u16", "VT_UI2")),
    ("INT32", both(P(I32), "i32", "VT_I4")),
    ("UINT32", both(P(U32), "u32", "VT_UI4")),
    ("LONG32", both(P(I32), "i32", "VT_I4")),
    ("ULONG32", both(P(U32), "u32", "VT_UI4")),
    ("DWORD32", both(P(U32), "u32", "VT_UI4")),
    ("LONG64", both(P(I64), "i64", "VT_I8")),
    ("ULONG64", both(P(U64), "u64", "VT_UI8")),
    ("DWORD64", both(P(U64), "u64", "VT_UI8")),
    ("float", both(P(F32), "f32", "VT_R4")),
    ("FLOAT", both(P(F32), "f32", "VT_R4")),
    ("double", both(P(F64), "f64", "VT_R8")),
    ("DOUBLE", both(P(F64), "f64", "VT_R8")),
    ("DATE", both(P(F64), "f64", "VT_DATE")),
    (
        "VARIANT_BOOL",
        both(Sdk("VARIANT_BOOL"), "VARIANT_BOOL", "VT_BOOL"),
    ),
    // A C++ `bool` is one byte; no VARIANT type carries it.
    ("bool", binding_only(P(Bool))),
    ("SCODE", binding_only(P(I32))),
    ("INT_PTR", binding_only(P(ISize))),
    ("LONG_PTR", binding_only(P(ISize))),
    ("SSIZE_T", binding_only(P(ISize))),
    ("UINT_PTR", binding_only(P(USize))),
    ("ULONG_PTR", binding_only(P(USize))),
    ("DWORD_PTR", binding_only(P(USize))),
    ("SIZE_T", binding_only(P(USize))),
    ("LPWSTR", binding_only(Sdk("PWSTR"))),
    ("LPOLESTR", binding_only(Sdk("PWSTR"))),
    // The Win32 metadata has no PCWSTR/PCSTR: a const string is its PWSTR/PSTR.
    ("LPCWSTR", binding_only(Sdk("PWSTR"))),
    ("LPCOLESTR", binding_only(Sdk("PWSTR"))),
    ("LPSTR", binding_only(Sdk("PSTR"))),
    ("LPCSTR", binding_only(Sdk("PSTR"))),
    ("CY", binding_only(Sdk("CY"))),
    ("CURRENCY", binding_only(Sdk("CY"))),
    ("DECIMAL", binding_only(Sdk("DECIMAL"))),
    ("GUID", binding_only(Guid)),
];

/// stdole2's aliases, which reach an IDL through `importlib("stdole2.tlb")` rather than a
/// typedef cpgen can read: each stands for the type it names here.
const STDOLE_ALIASES: &[(&str, &str)] = &[
    ("OLE_COLOR", "DWORD"),
    ("OLE_HANDLE", "UINT"),
    ("OLE_XPOS_PIXELS", "long"),
    ("OLE_YPOS_PIXELS", "long"),
    ("OLE_XSIZE_PIXELS", "long"),
    ("OLE_YSIZE_PIXELS", "long"),
    ("OLE_XPOS_HIMETRIC", "long"),
    ("OLE_YPOS_HIMETRIC", "long"),
    ("OLE_XSIZE_HIMETRIC", "long"),
    ("OLE_YSIZE_HIMETRIC", "long"),
    ("OLE_XPOS_CONTAINER", "float"),
    ("OLE_YPOS_CONTAINER", "float"),
    ("OLE_XSIZE_CONTAINER", "float"),
    ("OLE_YSIZE_CONTAINER", "float"),
    ("OLE_OPTEXCLUSIVE", "VARIANT_BOOL"),
    ("OLE_CANCELBOOL", "VARIANT_BOOL"),
    ("OLE_ENABLEDEFAULTBOOL", "VARIANT_BOOL"),
    // An enum of Unchecked, Checked and Gray: its values travel as the enum's 32 bits.
    ("OLE_TRISTATE", "long"),
    ("FONTSIZE", "CY"),
];

/// What `name` is, if the mapping knows it directly.
pub fn known(name: &str) -> Option<Known> {
    KNOWN.iter().find(|(idl, _)| *idl == name).map(|(_, k)| *k)
}

/// The name stdole's alias `name` stands for.
pub fn stdole_alias(name: &str) -> Option<&'static str> {
    STDOLE_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, target)| *target)
}

/// `name` (or `enum name`) with stdole's aliases followed to a name [`known`] knows.
pub fn resolve(name: &str) -> Option<Known> {
    let name = name.strip_prefix("enum ").unwrap_or(name);
    known(name).or_else(|| known(stdole_alias(name)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sdk_type_is_in_the_windows_metadata() {
        for (idl, known) in KNOWN {
            if let Binding::Sdk(name) = known.binding {
                assert!(
                    crate::emit::bindings::sdk::lookup(name).is_some(),
                    "{idl}: {name}"
                );
            }
        }
    }

    #[test]
    fn every_alias_ends_in_a_known_type() {
        for (alias, _) in STDOLE_ALIASES {
            assert!(resolve(alias).is_some(), "{alias}");
        }
    }

    #[test]
    fn events_and_bindings_agree_on_the_width() {
        for (idl, k) in KNOWN {
            let Some((rust, _)) = k.event else { continue };
            let width = match k.binding {
                Binding::Primitive(p) => format!("{:?}", p.metadata()),
                Binding::Sdk(name) => name.to_string(),
                Binding::Guid => "GUID".into(),
            };
            let expected = match rust {
                "i8" => "I8",
                "u8" => "U8",
                "i16" => "I16",
                "u16" => "U16",
                "i32" => "I32",
                "u32" => "U32",
                "i64" => "I64",
                "u64" => "U64",
                "f32" => "F32",
                "f64" => "F64",
                other => other,
            };
            assert_eq!(width, expected, "{idl}");
        }
    }
}
