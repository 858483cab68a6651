//! Writes the input's own vtable interfaces, enums, structs and unions as ECMA-335 metadata, in the shape the
//! Win32 metadata gives the SDK's (so windows-bindgen renders them the way the windows crate
//! has its own): interfaces carry a `GuidAttribute` and implement their base, property
//! accessors are `get_X`/`put_X` special names, `[out, retval]` carries `RetValAttribute`,
//! and SDK types are `TypeRef`s by full name, which windows-bindgen resolves against the Win32
//! metadata it ships.

use windows_metadata::writer::{
    AttributeType, File, HasAttribute, HasConstant, MemberRefParent, TypeDefOrRef,
};
use windows_metadata::{
    FieldAttributes, MethodAttributes, MethodCallAttributes, ParamAttributes, Signature, Type,
    TypeAttributes, Value,
};

use super::types::{NAMESPACE, Types};
use crate::Diagnostic;
use crate::emit::parse_uuid;
use crate::model::{Enum, Interface, InterfaceKind, Method, MethodKind, Model, Param, Struct};

/// Where the attributes the Win32 metadata uses live (windows-bindgen matches them by name).
const ATTRIBUTES: &str = "Windows.Win32.Foundation.Metadata";

/// The .winmd bytes of `model`'s own custom and dual interfaces, enums, structs and unions.
/// An error about a parameter is placed on it in the file.
pub fn write(model: &Model) -> Result<Vec<u8>, Diagnostic> {
    let types = Types::new(model);
    let mut file = File::new(NAMESPACE);
    for item in model.enums.iter().filter(|e| !e.imported) {
        write_enum(&mut file, item).map_err(Diagnostic::new)?;
    }
    for item in model.structs.iter().filter(|s| !s.imported) {
        write_struct(&mut file, &types, item).map_err(Diagnostic::new)?;
    }
    for interface in model
        .interfaces
        .iter()
        .filter(|i| !i.imported && i.kind != InterfaceKind::Dispinterface)
    {
        write_interface(&mut file, &types, model, interface)?;
    }
    Ok(file.into_stream())
}

fn write_enum(file: &mut File, item: &Enum) -> Result<(), String> {
    let extends = TypeDefOrRef::TypeRef(file.TypeRef("System", "Enum"));
    file.TypeDef(
        NAMESPACE,
        &item.name,
        extends,
        TypeAttributes::Public | TypeAttributes::Sealed,
    );
    file.Field(
        "value__",
        &Type::I32,
        FieldAttributes::Private | FieldAttributes::SpecialName | FieldAttributes::RTSpecialName,
    );
    let ty = Types::enum_type(&item.name);
    for member in &item.members {
        // MIDL enums are 32 bits; C lets a member be written as its unsigned bit pattern.
        let value = i32::try_from(member.value)
            .or_else(|_| u32::try_from(member.value).map(|v| v as i32))
            .map_err(|_| {
                format!(
                    "enum `{}`: member `{}` = {} does not fit in 32 bits",
                    item.name, member.name, member.value
                )
            })?;
        let field = file.Field(
            &member.name,
            &ty,
            FieldAttributes::Public | FieldAttributes::Static | FieldAttributes::Literal,
        );
        file.Constant(HasConstant::Field(field), &Value::I32(value));
    }
    Ok(())
}

/// A struct (sequential layout) or union (explicit layout, every field at 0), as the Win32
/// metadata has them.
fn write_struct(file: &mut File, types: &Types, item: &Struct) -> Result<(), String> {
    let kind = if item.union { "union" } else { "struct" };
    let fields = item
        .fields
        .iter()
        .map(|field| {
            let ty = match field.bit_field {
                true => Err("bit-fields have no binding".to_string()),
                false => types.field(&field.ty_ref),
            };
            ty.map_err(|message| {
                format!("{kind} `{}`: field `{}`: {message}", item.name, field.name)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let layout = if item.union {
        TypeAttributes::ExplicitLayout
    } else {
        TypeAttributes::SequentialLayout
    };
    let extends = TypeDefOrRef::TypeRef(file.TypeRef("System", "ValueType"));
    file.TypeDef(
        NAMESPACE,
        &item.name,
        extends,
        TypeAttributes::Public | TypeAttributes::Sealed | layout,
    );
    for (field, ty) in item.fields.iter().zip(&fields) {
        file.Field(&field.name, ty, FieldAttributes::Public);
    }
    Ok(())
}

fn write_interface(
    file: &mut File,
    types: &Types,
    model: &Model,
    interface: &Interface,
) -> Result<(), Diagnostic> {
    let context = |message: String| format!("interface `{}`: {message}", interface.name);
    let fail = |message: String| Diagnostic::new(context(message));
    let uuid = interface
        .uuid
        .as_deref()
        .ok_or_else(|| fail("has no uuid, so it has no IID".into()))?;
    let guid = parse_uuid(uuid).ok_or_else(|| fail(format!("uuid `{uuid}` is malformed")))?;
    let base = interface
        .base
        .as_deref()
        .ok_or_else(|| fail("has no base interface".into()))?;
    let base = types.interface(base).map_err(fail)?;

    let def = file.TypeDef(
        NAMESPACE,
        &interface.name,
        TypeDefOrRef::default(),
        TypeAttributes::Public | TypeAttributes::Abstract | TypeAttributes::Interface,
    );
    guid_attribute(file, HasAttribute::TypeDef(def), guid);
    file.InterfaceImpl(def, &base);
    for method in &interface.methods {
        write_method(file, types, method).map_err(|(message, param)| {
            let message = context(format!("method `{}`{message}", method.name));
            match param {
                Some(param) => param.error(model, message),
                None => Diagnostic::new(message),
            }
        })?;
    }
    Ok(())
}

/// Errors start with `, parameter ...` or `: ...` to follow the method's name, with the
/// parameter they are about.
fn write_method<'m>(
    file: &mut File,
    types: &Types,
    method: &'m Method,
) -> Result<(), (String, Option<&'m Param>)> {
    let return_type = types
        .resolve_return(&method.ret)
        .map_err(|message| (format!(": return type: {message}"), None))?;
    let params = method
        .params
        .iter()
        .map(|param| {
            types.resolve(&param.ty_ref).map_err(|message| {
                let message = format!(", parameter `{}`: {message}", param.name);
                (message, Some(param))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    // The names MIDL gives the accessors in C; windows-bindgen turns the special `get_`/`put_`
    // names into `X`/`SetX` and keeps `putref_X`, as the windows crate has them.
    let mut flags = MethodAttributes::Public
        | MethodAttributes::HideBySig
        | MethodAttributes::Abstract
        | MethodAttributes::NewSlot
        | MethodAttributes::Virtual;
    let name = match method.kind {
        MethodKind::Method => method.name.clone(),
        MethodKind::Propget => format!("get_{}", method.name),
        MethodKind::Propput => format!("put_{}", method.name),
        MethodKind::Propputref => format!("putref_{}", method.name),
    };
    if matches!(method.kind, MethodKind::Propget | MethodKind::Propput) {
        flags |= MethodAttributes::SpecialName;
    }
    let signature = Signature {
        flags: MethodCallAttributes::HASTHIS,
        return_type,
        types: params.clone(),
    };
    file.MethodDef(&name, &signature, flags, Default::default());
    for (index, (param, ty)) in method.params.iter().zip(&params).enumerate() {
        write_param(file, param, ty, index).map_err(|message| (message, Some(param)))?;
    }
    Ok(())
}

fn write_param(file: &mut File, param: &Param, ty: &Type, index: usize) -> Result<(), String> {
    let sequence = u16::try_from(index + 1).map_err(|_| "has too many parameters".to_string())?;
    let mut flags = ParamAttributes::default();
    if param.is_in || !param.is_out {
        flags |= ParamAttributes::In;
    }
    if param.is_out {
        flags |= ParamAttributes::Out;
    }
    // `[optional]` pointers are the `Option<*const VARIANT>` of the windows crate's
    // IWebBrowser2::Navigate2; by-value optionals stay plain values.
    if param.optional && matches!(ty, Type::PtrMut(..)) {
        flags |= ParamAttributes::Optional;
    }
    let name = match param.name.as_str() {
        "" => format!("param{sequence}"),
        name => name.to_string(),
    };
    let row = file.Param(&name, sequence, flags);
    if param.retval {
        marker_attribute(file, HasAttribute::Param(row), "RetValAttribute");
    }
    Ok(())
}

fn marker_attribute(file: &mut File, target: HasAttribute, name: &str) {
    attribute(file, target, name, Vec::new());
}

fn guid_attribute(file: &mut File, target: HasAttribute, guid: u128) {
    let bytes = guid.to_be_bytes();
    let mut args = vec![
        Value::U32(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
        Value::U16(u16::from_be_bytes([bytes[4], bytes[5]])),
        Value::U16(u16::from_be_bytes([bytes[6], bytes[7]])),
    ];
    args.extend(bytes[8..].iter().map(|b| Value::U8(*b)));
    attribute(file, target, "GuidAttribute", args);
}

/// A custom attribute of the Win32 metadata's vocabulary, with positional arguments.
fn attribute(file: &mut File, target: HasAttribute, name: &str, args: Vec<Value>) {
    let class = file.TypeRef(ATTRIBUTES, name);
    let constructor = Signature {
        flags: MethodCallAttributes::HASTHIS,
        return_type: Type::Void,
        types: args.iter().map(Value::ty).collect(),
    };
    let constructor = file.MemberRef(".ctor", &constructor, MemberRefParent::TypeRef(class));
    let args: Vec<(String, Value)> = args.into_iter().map(|v| (String::new(), v)).collect();
    file.Attribute(target, AttributeType::MemberRef(constructor), &args);
}
