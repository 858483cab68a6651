//! Constant expressions: enum members, `const` declarations, `[id(...)]` values. Integers are
//! evaluated in 64 bits, as widl does before it narrows a value to the type that holds it.

use std::collections::HashMap;

use super::ConstValue;
use crate::parse::ast::{BinaryOp, Expr, ExprKind, Span, TypeName, TypeSpec, UnaryOp};

/// The constants visible so far (enum members and `const` declarations, imports included).
pub type Scope = HashMap<String, ConstValue>;

/// Why an expression has no constant value, and where.
pub type Error = (Span, String);

pub fn eval_int(expr: &Expr, scope: &Scope) -> Result<i64, Error> {
    match eval(expr, scope)? {
        ConstValue::Int(v) => Ok(v),
        ConstValue::Float(f) => Ok(f as i64),
        ConstValue::Str(_) => Err((
            expr.span.clone(),
            "expected an integer, found a string".into(),
        )),
    }
}

pub fn eval(expr: &Expr, scope: &Scope) -> Result<ConstValue, Error> {
    let int = |e: &Expr| eval_int(e, scope);
    Ok(ConstValue::Int(match &expr.kind {
        ExprKind::Int { value, .. } => *value as i64,
        ExprKind::Char(c) => *c,
        ExprKind::Float(f) => return Ok(ConstValue::Float(*f)),
        ExprKind::Str(s) => return Ok(ConstValue::Str(s.clone())),
        ExprKind::Ident(name) => match (scope.get(name), name.as_str()) {
            (Some(value), _) => return Ok(value.clone()),
            (None, "TRUE") => 1,
            (None, "FALSE" | "NULL") => 0,
            (None, _) => {
                return Err((
                    expr.span.clone(),
                    format!("`{name}` is not a known constant"),
                ));
            }
        },
        ExprKind::Unary(op, operand) => {
            let v = int(operand)?;
            match op {
                UnaryOp::Neg => v.wrapping_neg(),
                UnaryOp::Pos => v,
                UnaryOp::Not => (v == 0) as i64,
                UnaryOp::BitNot => !v,
                UnaryOp::Deref | UnaryOp::AddressOf => {
                    return Err((expr.span.clone(), "pointers are not constants".into()));
                }
            }
        }
        ExprKind::Binary(op, lhs, rhs) => binary(*op, int(lhs)?, int(rhs)?)
            .ok_or_else(|| (expr.span.clone(), "division by zero".to_string()))?,
        ExprKind::Conditional(cond, a, b) => {
            return if int(cond)? != 0 {
                eval(a, scope)
            } else {
                eval(b, scope)
            };
        }
        ExprKind::Cast(ty, operand) => match eval(operand, scope)? {
            ConstValue::Int(v) => narrow(ty, v),
            ConstValue::Float(f) => narrow(ty, f as i64),
            other => return Ok(other),
        },
        ExprKind::SizeOf(ty) => size_of(ty).ok_or_else(|| {
            (
                expr.span.clone(),
                "cannot take the size of this type".to_string(),
            )
        })?,
        ExprKind::Member(..) | ExprKind::Arrow(..) | ExprKind::Index(..) => {
            return Err((expr.span.clone(), "not a constant expression".into()));
        }
    }))
}

fn binary(op: BinaryOp, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        BinaryOp::LogOr => (a != 0 || b != 0) as i64,
        BinaryOp::LogAnd => (a != 0 && b != 0) as i64,
        BinaryOp::BitOr => a | b,
        BinaryOp::BitXor => a ^ b,
        BinaryOp::BitAnd => a & b,
        BinaryOp::Eq => (a == b) as i64,
        BinaryOp::Ne => (a != b) as i64,
        BinaryOp::Lt => (a < b) as i64,
        BinaryOp::Gt => (a > b) as i64,
        BinaryOp::Le => (a <= b) as i64,
        BinaryOp::Ge => (a >= b) as i64,
        BinaryOp::Shl => a.wrapping_shl(b as u32),
        BinaryOp::Shr => a.wrapping_shr(b as u32),
        BinaryOp::Add => a.wrapping_add(b),
        BinaryOp::Sub => a.wrapping_sub(b),
        BinaryOp::Mul => a.wrapping_mul(b),
        BinaryOp::Div => a.checked_div(b)?,
        BinaryOp::Rem => a.checked_rem(b)?,
    })
}

/// A cast to a known integer type keeps the bits that type holds: `(LONG)0x80000000` is negative.
fn narrow(ty: &TypeName, v: i64) -> i64 {
    if !ty.declarator.derived.is_empty() {
        return v;
    }
    let name = match &ty.spec.ty {
        TypeSpec::Named(n) => n.text.as_str(),
        TypeSpec::Int(words) => words.as_str(),
        _ => return v,
    };
    match name {
        "char" | "signed char" | "small" | "CHAR" => v as i8 as i64,
        "unsigned char" | "byte" | "BYTE" | "UCHAR" | "boolean" => v as u8 as i64,
        "short" | "signed short" | "short int" | "SHORT" | "VARIANT_BOOL" => v as i16 as i64,
        "unsigned short" | "unsigned short int" | "USHORT" | "WORD" | "WCHAR" | "wchar_t" => {
            v as u16 as i64
        }
        "long" | "int" | "signed long" | "signed int" | "long int" | "LONG" | "INT" | "HRESULT"
        | "DISPID" | "MEMBERID" | "BOOL" | "SCODE" | "__int32" => v as i32 as i64,
        "unsigned long" | "unsigned int" | "unsigned" | "unsigned long int" | "ULONG" | "UINT"
        | "DWORD" | "OLE_COLOR" => v as u32 as i64,
        _ => v,
    }
}

fn size_of(ty: &TypeName) -> Option<i64> {
    if !ty.declarator.derived.is_empty() {
        return Some(8);
    }
    let name = match &ty.spec.ty {
        TypeSpec::Named(n) => n.text.as_str(),
        TypeSpec::Int(words) => words.as_str(),
        _ => return None,
    };
    let words: Vec<&str> = name
        .split(' ')
        .filter(|w| !matches!(*w, "signed" | "unsigned" | "int"))
        .collect();
    Some(match words.as_slice() {
        [] => 4,
        ["char" | "small" | "__int8"] => 1,
        ["short" | "__int16"] => 2,
        ["long" | "__int32"] => 4,
        ["long", "long"] | ["hyper" | "__int64" | "__int3264"] => 8,
        ["byte" | "BYTE" | "boolean" | "CHAR" | "UCHAR"] => 1,
        ["WCHAR" | "wchar_t" | "WORD" | "SHORT" | "USHORT" | "VARIANT_BOOL"] => 2,
        ["LONG" | "ULONG" | "DWORD" | "INT" | "UINT" | "BOOL" | "HRESULT" | "float" | "FLOAT"] => 4,
        ["double" | "DOUBLE" | "DATE" | "LONGLONG" | "ULONGLONG"] => 8,
        ["GUID" | "IID" | "CLSID"] => 16,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(value: u64) -> Expr {
        Expr {
            kind: ExprKind::Int {
                value,
                unsigned: false,
            },
            span: 0..1,
        }
    }

    #[test]
    fn arithmetic_follows_c() {
        let scope = Scope::new();
        let e = Expr {
            kind: ExprKind::Binary(BinaryOp::Shl, Box::new(int(1)), Box::new(int(4))),
            span: 0..1,
        };
        assert_eq!(eval_int(&e, &scope), Ok(16));
        let div = Expr {
            kind: ExprKind::Binary(BinaryOp::Div, Box::new(int(1)), Box::new(int(0))),
            span: 0..1,
        };
        assert!(eval_int(&div, &scope).is_err());
    }

    #[test]
    fn identifiers_come_from_scope() {
        let mut scope = Scope::new();
        scope.insert("DISPID_X".into(), ConstValue::Int(102));
        let e = Expr {
            kind: ExprKind::Ident("DISPID_X".into()),
            span: 0..1,
        };
        assert_eq!(eval_int(&e, &scope), Ok(102));
        let unknown = Expr {
            kind: ExprKind::Ident("NOPE".into()),
            span: 0..4,
        };
        assert!(eval_int(&unknown, &scope).unwrap_err().1.contains("NOPE"));
    }
}
