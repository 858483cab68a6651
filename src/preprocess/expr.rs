//! `#if` expressions: C integer constant expressions, computed in the preprocessor's widths
//! (`intmax_t` and `uintmax_t`, i.e. i64 and u64) with C's rules for which operations are
//! unsigned. Arithmetic wraps as the two's complement machines widl runs on do; division by zero
//! is an error only where it is evaluated (`0 && 1/0` is fine, as in C).

use super::lex::{Kind, Tok};
use crate::source::Loc;

/// How deeply parentheses and unary operators may nest (each level recurses).
const MAX_DEPTH: usize = 256;

/// Why an expression could not be evaluated, and where.
#[derive(Debug)]
pub(super) struct ExprError {
    pub loc: Loc,
    pub len: usize,
    pub message: String,
    pub label: String,
}

/// Whether the (macro-expanded) `#if` expression `tokens` is true. `end` is the end of the line.
pub(super) fn evaluate(tokens: &[Tok], end: Loc) -> std::result::Result<bool, ExprError> {
    let mut parser = Parser {
        tokens,
        pos: 0,
        end,
        depth: 0,
    };
    let value = parser.comma(true)?;
    if let Some(tok) = parser.peek() {
        return Err(parser.error_at(
            tok,
            format!("unexpected `{}` in `#if`", tok.text),
            "expected an operator or the end of the line",
        ));
    }
    Ok(value.bits != 0)
}

/// A value of type `intmax_t` (`unsigned == false`) or `uintmax_t`, as its bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Value {
    bits: u64,
    unsigned: bool,
}

impl Value {
    fn signed(v: i64) -> Value {
        Value {
            bits: v as u64,
            unsigned: false,
        }
    }

    fn truth(b: bool) -> Value {
        Value::signed(b.into())
    }

    fn is_true(self) -> bool {
        self.bits != 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    OrOr,
    AndAnd,
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl Op {
    /// The operator and its precedence (higher binds tighter).
    fn binary(tok: &Tok) -> Option<(Op, u8)> {
        if tok.kind != Kind::Punct {
            return None;
        }
        Some(match &*tok.text {
            "||" => (Op::OrOr, 1),
            "&&" => (Op::AndAnd, 2),
            "|" => (Op::Or, 3),
            "^" => (Op::Xor, 4),
            "&" => (Op::And, 5),
            "==" => (Op::Eq, 6),
            "!=" => (Op::Ne, 6),
            "<" => (Op::Lt, 7),
            ">" => (Op::Gt, 7),
            "<=" => (Op::Le, 7),
            ">=" => (Op::Ge, 7),
            "<<" => (Op::Shl, 8),
            ">>" => (Op::Shr, 8),
            "+" => (Op::Add, 9),
            "-" => (Op::Sub, 9),
            "*" => (Op::Mul, 10),
            "/" => (Op::Div, 10),
            "%" => (Op::Rem, 10),
            _ => return None,
        })
    }
}

struct Parser<'t> {
    tokens: &'t [Tok],
    pos: usize,
    end: Loc,
    depth: usize,
}

type Result<T> = std::result::Result<T, ExprError>;

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, punct: &str) -> bool {
        let found = self.peek().is_some_and(|t| t.is(punct));
        if found {
            self.pos += 1;
        }
        found
    }

    fn error_at(&self, tok: &Tok, message: String, label: &str) -> ExprError {
        ExprError {
            loc: tok.loc,
            len: tok.text.len(),
            message,
            label: label.into(),
        }
    }

    /// An error at the next token, or at the end of the line if there is none.
    fn error_here(&self, message: &str, label: &str) -> ExprError {
        match self.peek() {
            Some(tok) => self.error_at(tok, format!("{message}, found `{}`", tok.text), label),
            None => ExprError {
                loc: self.end,
                len: 0,
                message: format!("{message}, found the end of the line"),
                label: label.into(),
            },
        }
    }

    /// `a, b`: evaluates to `b`.
    fn comma(&mut self, eval: bool) -> Result<Value> {
        let mut value = self.conditional(eval)?;
        while self.eat(",") {
            value = self.conditional(eval)?;
        }
        Ok(value)
    }

    /// `c ? a : b`; only the chosen branch is evaluated, but both decide the type.
    fn conditional(&mut self, eval: bool) -> Result<Value> {
        let cond = self.binary(1, eval)?;
        if !self.eat("?") {
            return Ok(cond);
        }
        let yes = self.comma(eval && cond.is_true())?;
        if !self.eat(":") {
            return Err(self.error_here("`?` without `:` in `#if`", "expected `:`"));
        }
        let no = self.nested(|p| p.conditional(eval && !cond.is_true()))?;
        let mut value = if cond.is_true() { yes } else { no };
        value.unsigned = yes.unsigned || no.unsigned;
        Ok(value)
    }

    /// Binary operators binding at least as tightly as `min`, by precedence climbing.
    fn binary(&mut self, min: u8, eval: bool) -> Result<Value> {
        let mut lhs = self.unary(eval)?;
        while let Some(tok) = self.peek()
            && let Some((op, prec)) = Op::binary(tok)
            && prec >= min
        {
            self.pos += 1;
            let rhs_eval = match op {
                Op::AndAnd => eval && lhs.is_true(),
                Op::OrOr => eval && !lhs.is_true(),
                _ => eval,
            };
            let rhs = self.binary(prec + 1, rhs_eval)?;
            lhs = self.apply(op, lhs, rhs, rhs_eval, tok)?;
        }
        Ok(lhs)
    }

    /// Runs `f` one nesting level deeper, refusing to recurse without bound.
    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Result<Value>) -> Result<Value> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_here(
                "`#if` expression nested too deeply",
                &format!("expected at most {MAX_DEPTH} levels of parentheses and operators"),
            ));
        }
        self.depth += 1;
        let value = f(self);
        self.depth -= 1;
        value
    }

    fn unary(&mut self, eval: bool) -> Result<Value> {
        let Some(tok) = self.peek() else {
            return Err(self.error_here("missing value in `#if`", "expected a value"));
        };
        let op = match (tok.kind, &*tok.text) {
            (Kind::Punct, op @ ("-" | "+" | "~" | "!")) => op,
            _ => return self.primary(eval),
        };
        self.pos += 1;
        let v = self.nested(|p| p.unary(eval))?;
        Ok(match op {
            "-" => Value {
                bits: v.bits.wrapping_neg(),
                ..v
            },
            "~" => Value { bits: !v.bits, ..v },
            "!" => Value::truth(!v.is_true()),
            _ => v,
        })
    }

    fn primary(&mut self, eval: bool) -> Result<Value> {
        let Some(tok) = self.peek() else {
            return Err(self.error_here("missing value in `#if`", "expected a value"));
        };
        let value = match tok.kind {
            Kind::Number => number(&tok.text)
                .map_err(|m| self.error_at(tok, m, "expected an integer constant"))?,
            Kind::Char => character(&tok.text)
                .map_err(|m| self.error_at(tok, m, "expected a character constant"))?,
            // Identifiers left after macro expansion are 0, as C says.
            Kind::Ident => Value::signed(0),
            Kind::Punct if tok.is("(") => {
                self.pos += 1;
                let value = self.nested(|p| p.comma(eval))?;
                if !self.eat(")") {
                    return Err(self.error_here("unclosed `(` in `#if`", "expected `)`"));
                }
                return Ok(value);
            }
            _ => return Err(self.error_here("expected a value in `#if`", "expected a value")),
        };
        self.pos += 1;
        Ok(value)
    }

    /// `lhs op rhs` with C's usual arithmetic conversions; `eval` is false in a branch that is
    /// not evaluated, where dividing by zero is harmless.
    fn apply(&self, op: Op, lhs: Value, rhs: Value, eval: bool, tok: &Tok) -> Result<Value> {
        let unsigned = lhs.unsigned || rhs.unsigned;
        let (a, b) = (lhs.bits, rhs.bits);
        let (sa, sb) = (a as i64, b as i64);
        let arith = |bits: u64| Value { bits, unsigned };
        let order = if unsigned { a.cmp(&b) } else { sa.cmp(&sb) };
        Ok(match op {
            Op::OrOr | Op::AndAnd => Value::truth(if op == Op::OrOr {
                lhs.is_true() || rhs.is_true()
            } else {
                lhs.is_true() && rhs.is_true()
            }),
            Op::Or => arith(a | b),
            Op::Xor => arith(a ^ b),
            Op::And => arith(a & b),
            Op::Eq => Value::truth(a == b),
            Op::Ne => Value::truth(a != b),
            Op::Lt => Value::truth(order.is_lt()),
            Op::Gt => Value::truth(order.is_gt()),
            Op::Le => Value::truth(order.is_le()),
            Op::Ge => Value::truth(order.is_ge()),
            Op::Shl | Op::Shr => shift(op == Op::Shl, lhs, rhs),
            Op::Add => arith(a.wrapping_add(b)),
            Op::Sub => arith(a.wrapping_sub(b)),
            Op::Mul => arith(a.wrapping_mul(b)),
            Op::Div | Op::Rem if b == 0 => {
                if eval {
                    return Err(self.error_at(
                        tok,
                        "division by zero in `#if`".into(),
                        "expected a divisor other than 0",
                    ));
                }
                arith(0)
            }
            Op::Div if unsigned => arith(a / b),
            Op::Div => arith(sa.wrapping_div(sb) as u64),
            Op::Rem if unsigned => arith(a % b),
            Op::Rem => arith(sa.wrapping_rem(sb) as u64),
        })
    }
}

/// `lhs << rhs` or `lhs >> rhs`. The result has the left operand's type; a negative count shifts
/// the other way and a count of 64 or more shifts every bit out, as GCC's preprocessor does.
fn shift(left: bool, lhs: Value, rhs: Value) -> Value {
    let count = rhs.bits as i64;
    let (left, count) = if !rhs.unsigned && count < 0 {
        (!left, count.unsigned_abs())
    } else {
        (left, rhs.bits)
    };
    let bits = if left {
        if count >= 64 { 0 } else { lhs.bits << count }
    } else if lhs.unsigned {
        if count >= 64 { 0 } else { lhs.bits >> count }
    } else {
        ((lhs.bits as i64) >> count.min(63)) as u64
    };
    Value {
        bits,
        unsigned: lhs.unsigned,
    }
}

/// An integer constant: decimal, `0x` hex, `0b` binary or leading-zero octal, with any of C's
/// `u`/`l` suffixes. A value too large for `intmax_t` is unsigned, as GCC treats it.
fn number(text: &str) -> std::result::Result<Value, String> {
    let digits_end = text.trim_end_matches(['u', 'U', 'l', 'L']).len();
    let (digits, suffix) = text.split_at(digits_end);
    if suffix.len() > 3 {
        return Err(format!("invalid suffix on integer constant `{text}`"));
    }
    let (radix, digits) = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, hex)
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, bin)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() {
        return Err(format!("invalid integer constant `{text}`"));
    }
    let mut value: u64 = 0;
    for c in digits.chars() {
        let digit = c
            .to_digit(radix)
            .ok_or_else(|| format!("invalid integer constant `{text}`"))?;
        value = value
            .checked_mul(radix.into())
            .and_then(|v| v.checked_add(digit.into()))
            .ok_or_else(|| format!("integer constant `{text}` is too large"))?;
    }
    Ok(Value {
        bits: value,
        unsigned: suffix.contains(['u', 'U']) || value > i64::MAX as u64,
    })
}

/// A character constant: `'a'`, `'\n'`, `'\x41'`, `'\101'`, multi-character `'ab'`, or wide
/// `L'a'`. A plain one-character constant is a (signed) `char`, as on widl's targets.
fn character(text: &str) -> std::result::Result<Value, String> {
    let (prefix, rest) = text.split_at(text.find('\'').unwrap_or(0));
    let body = rest
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| format!("invalid character constant `{text}`"))?;
    let bytes = body.as_bytes();
    let mut chars: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            chars.push(bytes[i].into());
            i += 1;
            continue;
        }
        let Some(&e) = bytes.get(i + 1) else {
            return Err(format!("invalid escape in `{text}`"));
        };
        i += 2;
        let value = match e {
            b'n' => 10,
            b't' => 9,
            b'r' => 13,
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'e' => 27,
            b'x' => {
                let start = i;
                let mut v: u32 = 0;
                while let Some(d) = bytes.get(i).and_then(|&b| (b as char).to_digit(16)) {
                    v = v.wrapping_mul(16).wrapping_add(d);
                    i += 1;
                }
                if i == start {
                    return Err(format!("`\\x` without hex digits in `{text}`"));
                }
                v
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                let mut n = 1;
                while n < 3
                    && let Some(&d @ b'0'..=b'7') = bytes.get(i)
                {
                    v = v * 8 + u32::from(d - b'0');
                    i += 1;
                    n += 1;
                }
                v
            }
            other => other.into(),
        };
        chars.push(value);
    }
    let wide = !prefix.is_empty();
    let value = match (wide, chars.as_slice()) {
        (true, [.., last]) => i64::from(*last),
        (false, [c]) => i64::from(*c as u8 as i8),
        // Multi-character constants are implementation-defined; GCC packs them into an int.
        (false, cs) => i64::from(cs.iter().fold(0i32, |v, &c| (v << 8) | (c as u8 as i32))),
        (true, []) => 0,
    };
    Ok(Value::signed(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::lex::Lexer;

    fn toks(src: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        while let Some(raw) = lx.next().unwrap() {
            if !matches!(raw.kind, Kind::Space | Kind::Blank | Kind::Newline) {
                let loc = Loc {
                    file: 0,
                    offset: raw.start,
                };
                out.push(Tok::new(raw.kind, &lx.text(raw), loc, false));
            }
        }
        out
    }

    fn eval(src: &str) -> Result<bool> {
        let end = Loc {
            file: 0,
            offset: src.len(),
        };
        evaluate(&toks(src), end)
    }

    fn yes(src: &str) {
        assert!(eval(src).unwrap(), "{src} should be true");
    }

    fn no(src: &str) {
        assert!(!eval(src).unwrap(), "{src} should be false");
    }

    #[test]
    fn arithmetic_and_precedence() {
        yes("1 + 2 * 3 == 7");
        yes("(1 + 2) * 3 == 9");
        yes("10 - 4 - 3 == 3");
        yes("7 / 2 == 3 && 7 % 2 == 1");
        yes("-7 / 2 == -3 && -7 % 2 == -1");
        yes("+5 == 5 && - -5 == 5");
        no("2 - 2");
    }

    #[test]
    fn bitwise_and_shifts() {
        yes("(6 & 3) == 2 && (6 | 3) == 7 && (6 ^ 3) == 5");
        yes("~0 == -1 && ~0u == 0xffffffffffffffff");
        yes("1 << 4 == 16 && 256 >> 4 == 16");
        yes("-16 >> 2 == -4");
        yes("1 << 64 == 0 && -1 >> 70 == -1 && 8 >> -1 == 16");
        yes("0x8000000000000000 >> 63 == 1");
    }

    #[test]
    fn comparisons_are_unsigned_when_either_side_is() {
        yes("-1 < 0");
        no("-1 < 0u");
        yes("-1 > 0U");
        yes("1 <= 1 && 1 >= 1 && 2 > 1 && 1 != 2");
        yes("(1 ? -1 : 0u) > 0");
    }

    #[test]
    fn logical_operators_short_circuit() {
        yes("1 || 1 / 0");
        no("0 && 1 / 0");
        yes("!0 && !!5");
        assert!(eval("1 && 1 / 0").is_err());
        assert!(eval("1 % 0").is_err());
    }

    #[test]
    fn conditional_and_comma() {
        yes("1 ? 2 : 0");
        no("0 ? 2 : 0");
        yes("0 ? 1 / 0 : 3");
        yes("1 ? 1 : 0 ? 0 : 0");
        yes("(0, 1)");
        no("1, 0");
    }

    #[test]
    fn numbers_in_every_base_with_suffixes() {
        yes("0x10 == 16 && 0X1f == 31 && 010 == 8 && 0b101 == 5");
        yes("10u == 10 && 10UL == 10 && 10ll == 10 && 10LLU == 10 && 0x1Fl == 31");
        yes("0xffffffffffffffff == -1");
        yes("18446744073709551615 > 0");
        yes("0 == 0");
        assert!(
            eval("08")
                .unwrap_err()
                .message
                .contains("invalid integer constant")
        );
        assert!(eval("1.5").is_err());
        assert!(
            eval("99999999999999999999")
                .unwrap_err()
                .message
                .contains("too large")
        );
    }

    #[test]
    fn character_constants() {
        yes("'a' == 97 && '\\n' == 10 && '\\x41' == 65 && '\\101' == 65 && '\\0' == 0");
        yes("'\\'' == 39 && '\\\\' == 92");
        yes("'\\xff' == -1 && L'\\xff' == 255");
        yes("'ab' == 24930");
        assert!(eval("''").is_err());
    }

    #[test]
    fn identifiers_are_zero() {
        no("UNKNOWN");
        yes("UNKNOWN == 0 && !UNKNOWN");
    }

    #[test]
    fn wraps_instead_of_overflowing() {
        yes("0x7fffffffffffffff + 1 < 0");
        yes("(-0x7fffffffffffffff - 1) / -1 < 0");
        yes("0x7fffffffffffffff * 2 == -2");
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        let e = eval("1 +").unwrap_err();
        assert_eq!(
            e.message,
            "missing value in `#if`, found the end of the line"
        );
        assert_eq!(e.loc.offset, 3);
        let e = eval("(1").unwrap_err();
        assert_eq!(e.label, "expected `)`");
        let e = eval("1 2").unwrap_err();
        assert_eq!(
            (e.loc.offset, e.label.as_str()),
            (2, "expected an operator or the end of the line")
        );
        let e = eval("1 ? 2").unwrap_err();
        assert_eq!(e.label, "expected `:`");
        assert!(eval(")").is_err());
        assert!(eval("\"s\"").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(
            eval(&deep)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
        let unary = format!("{}1", "- ".repeat(10_000));
        assert!(eval(&unary).is_err());
    }
}
