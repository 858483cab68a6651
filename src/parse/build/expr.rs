//! Constant expressions, by precedence (pest's Pratt parser), and C literals.

use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::*;

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    use Rule::*;
    PrattParser::new()
        .op(Op::infix(conditional, Assoc::Right))
        .op(Op::infix(log_or, Assoc::Left))
        .op(Op::infix(log_and, Assoc::Left))
        .op(Op::infix(bit_or, Assoc::Left))
        .op(Op::infix(bit_xor, Assoc::Left))
        .op(Op::infix(bit_and, Assoc::Left))
        .op(Op::infix(eq, Assoc::Left) | Op::infix(ne, Assoc::Left))
        .op(Op::infix(lt, Assoc::Left)
            | Op::infix(gt, Assoc::Left)
            | Op::infix(le, Assoc::Left)
            | Op::infix(ge, Assoc::Left))
        .op(Op::infix(shl, Assoc::Left) | Op::infix(shr, Assoc::Left))
        .op(Op::infix(add, Assoc::Left) | Op::infix(sub, Assoc::Left))
        .op(Op::infix(mul, Assoc::Left) | Op::infix(div, Assoc::Left) | Op::infix(rem, Assoc::Left))
});

pub(super) fn expr(pair: Pair<Rule>) -> Result<Expr> {
    // Operands and operators alternate; each operator may add a level.
    let _level = enter(&pair, pair.clone().into_inner().count() / 2 + 1)?;
    PRATT
        .map_primary(unary)
        .map_infix(|lhs, op, rhs| {
            let (lhs, rhs) = (lhs?, rhs?);
            let span = lhs.span.start..rhs.span.end;
            let kind = match op.as_rule() {
                Rule::conditional => {
                    let middle = expr(op.into_inner().next().unwrap())?;
                    ExprKind::Conditional(Box::new(lhs), Box::new(middle), Box::new(rhs))
                }
                rule => ExprKind::Binary(binary_op(rule), Box::new(lhs), Box::new(rhs)),
            };
            Ok(Expr { kind, span })
        })
        .parse(pair.into_inner())
}

pub(super) fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::log_or => BinaryOp::LogOr,
        Rule::log_and => BinaryOp::LogAnd,
        Rule::bit_or => BinaryOp::BitOr,
        Rule::bit_xor => BinaryOp::BitXor,
        Rule::bit_and => BinaryOp::BitAnd,
        Rule::eq => BinaryOp::Eq,
        Rule::ne => BinaryOp::Ne,
        Rule::lt => BinaryOp::Lt,
        Rule::gt => BinaryOp::Gt,
        Rule::le => BinaryOp::Le,
        Rule::ge => BinaryOp::Ge,
        Rule::shl => BinaryOp::Shl,
        Rule::shr => BinaryOp::Shr,
        Rule::add => BinaryOp::Add,
        Rule::sub => BinaryOp::Sub,
        Rule::mul => BinaryOp::Mul,
        Rule::div => BinaryOp::Div,
        Rule::rem => BinaryOp::Rem,
        other => unreachable!("not a binary operator: {other:?}"),
    }
}

/// `prefix* primary postfix*`: postfixes bind tighter than prefixes.
pub(super) fn unary(pair: Pair<Rule>) -> Result<Expr> {
    // Every prefix and postfix is a level above the primary.
    let _level = enter(&pair, pair.clone().into_inner().count())?;
    let mut prefixes = Vec::new();
    let mut value: Option<Expr> = None;
    for part in pair.into_inner() {
        let part_span = span(&part);
        match part.as_rule() {
            Rule::cast
            | Rule::neg
            | Rule::pos
            | Rule::not
            | Rule::bit_not
            | Rule::deref
            | Rule::address_of => prefixes.push(part),
            Rule::member | Rule::arrow | Rule::index => {
                let base = Box::new(value.take().unwrap());
                let span = base.span.start..part_span.end;
                let rule = part.as_rule();
                let inner = part.into_inner().next().unwrap();
                let kind = match rule {
                    Rule::member => ExprKind::Member(base, name(inner)),
                    Rule::arrow => ExprKind::Arrow(base, name(inner)),
                    _ => ExprKind::Index(base, Box::new(expr(inner)?)),
                };
                value = Some(Expr { kind, span });
            }
            _ => value = Some(primary(part)?),
        }
    }
    let mut value = value.unwrap();
    for prefix in prefixes.into_iter().rev() {
        let span = prefix.as_span().start()..value.span.end;
        let operand = Box::new(value);
        let kind = match prefix.as_rule() {
            Rule::cast => ExprKind::Cast(Box::new(type_name(prefix)?), operand),
            Rule::neg => ExprKind::Unary(UnaryOp::Neg, operand),
            Rule::pos => ExprKind::Unary(UnaryOp::Pos, operand),
            Rule::not => ExprKind::Unary(UnaryOp::Not, operand),
            Rule::bit_not => ExprKind::Unary(UnaryOp::BitNot, operand),
            Rule::deref => ExprKind::Unary(UnaryOp::Deref, operand),
            _ => ExprKind::Unary(UnaryOp::AddressOf, operand),
        };
        value = Expr { kind, span };
    }
    Ok(value)
}

pub(super) fn primary(pair: Pair<Rule>) -> Result<Expr> {
    let span = span(&pair);
    let text = pair.as_str();
    let kind = match pair.as_rule() {
        Rule::expr => return expr(pair),
        Rule::hex_int | Rule::dec_int => integer(text).ok_or_else(|| {
            (
                span.clone(),
                format!("integer literal `{text}` does not fit in 64 bits"),
            )
        })?,
        Rule::float => ExprKind::Float(text.trim_end_matches(['f', 'F']).parse().unwrap_or(0.0)),
        Rule::string => ExprKind::Str(string_value(pair)),
        Rule::wide_string => ExprKind::Str(string_value(pair.into_inner().next().unwrap())),
        Rule::char_lit => ExprKind::Char(char_value(text)),
        Rule::size_of => ExprKind::SizeOf(Box::new(type_name(pair)?)),
        _ => ExprKind::Ident(text.to_string()),
    };
    Ok(Expr { kind, span })
}

/// A C integer literal: hex, octal (leading 0) or decimal, with `u`/`l` suffixes.
pub(super) fn integer(text: &str) -> Option<ExprKind> {
    let unsigned_suffix = text.contains(['u', 'U']) && !text.starts_with("0x") || {
        let t = text.trim_start_matches("0x").trim_start_matches("0X");
        t.ends_with(['u', 'U']) || t.ends_with("uL") || t.ends_with("UL") || t.contains("Ul")
    };
    let digits = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let value = if let Some(hex) = digits.strip_prefix("0x").or(digits.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        u64::from_str_radix(&digits[1..], 8).ok()?
    } else {
        digits.parse().ok()?
    };
    Some(ExprKind::Int {
        value,
        unsigned: unsigned_suffix || value > i64::MAX as u64,
    })
}

/// The value of a character constant such as `'a'`, `'\n'`, `'\x41'` or `L'x'`.
pub(super) fn char_value(text: &str) -> i64 {
    let body = text.trim_start_matches('L').trim_matches('\'');
    let mut chars = body.chars();
    match (chars.next(), chars.next()) {
        (Some('\\'), Some(escape)) => match escape {
            'n' => 10,
            't' => 9,
            'r' => 13,
            '0'..='7' => i64::from_str_radix(&body[1..], 8).unwrap_or(0),
            'x' => i64::from_str_radix(&body[2..], 16).unwrap_or(0),
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'v' => 11,
            other => other as i64,
        },
        (Some(c), _) => c as i64,
        (None, _) => 0,
    }
}
