//! Turns pest's pairs into the syntax tree. The grammar fixes the shape of every pair, so this
//! only walks it; the one thing it can reject is a number too large for 64 bits.

use std::cell::Cell;
use std::sync::LazyLock;

use pest::iterators::Pair;
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::Rule;
use super::ast::*;

/// A message about a span of the preprocessed text.
pub type Error = (Span, String);
type Result<T> = std::result::Result<T, Error>;

pub fn file(pair: Pair<Rule>) -> Result<Vec<Statement>> {
    statements(pair.into_inner())
}

/// How deep the syntax tree may grow. Brackets are limited before parsing (see `nesting`), but
/// `-x`, `a + b + c` and `a[1][2]` chains grow the tree without them, and everything that walks
/// it later (constant evaluation, dropping it) recurses once per level.
const MAX_DEPTH: usize = 1000;

thread_local! {
    /// The depth of the node being built: the sum of the [`Level`]s alive.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// `levels` more levels of the tree, for as long as this lives.
struct Level(usize);

impl Drop for Level {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get() - self.0));
    }
}

/// Enters `levels` levels of tree for `pair`, or refuses if that goes past [`MAX_DEPTH`].
fn enter(pair: &Pair<Rule>, levels: usize) -> Result<Level> {
    DEPTH.with(|depth| {
        let now = depth.get() + levels;
        if now > MAX_DEPTH {
            return Err((
                span(pair),
                format!(
                    "nested too deeply: more than {MAX_DEPTH} levels of operators, declarators \
                     and blocks"
                ),
            ));
        }
        depth.set(now);
        Ok(Level(levels))
    })
}

fn statements<'a>(pairs: impl Iterator<Item = Pair<'a, Rule>>) -> Result<Vec<Statement>> {
    let mut out = Vec::new();
    for pair in pairs {
        if let Some(statement) = statement(pair)? {
            out.push(statement);
        }
    }
    Ok(out)
}

fn statement(pair: Pair<Rule>) -> Result<Option<Statement>> {
    Ok(Some(match pair.as_rule() {
        Rule::import => Statement::Import(
            pair.into_inner()
                .filter(|p| p.as_rule() == Rule::string)
                .map(string_name)
                .collect(),
        ),
        Rule::importlib => Statement::ImportLib(string_name(last(pair))),
        Rule::cpp_quote => Statement::CppQuote(string_value(last(pair))),
        Rule::definition => Statement::Definition(definition(pair)?),
        // midl_pragma (warnings only), EOI.
        _ => return Ok(None),
    }))
}

fn definition(pair: Pair<Rule>) -> Result<Definition> {
    let _level = enter(&pair, 1)?;
    let span = span(&pair);
    let mut inner = pair.into_inner().peekable();
    let attrs = match inner.peek() {
        Some(p) if p.as_rule() == Rule::attributes => attributes(inner.next().unwrap())?,
        _ => Vec::new(),
    };
    let Some(body) = inner.next() else {
        unreachable!("definition without a body")
    };
    let rule = body.as_rule();
    let body_text = body.as_str();
    let mut parts = body
        .into_inner()
        .filter(|p| !is_keyword(p.as_rule()))
        .peekable();
    let kind = match rule {
        Rule::winrt => {
            let word = body_text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            DefinitionKind::WinRt(match word {
                "interface" => "parameterized interface".to_string(),
                other => other.to_string(),
            })
        }
        Rule::library => DefinitionKind::Library {
            name: name(parts.next().unwrap()),
            body: statements(parts)?,
        },
        Rule::module => DefinitionKind::Module {
            name: name(parts.next().unwrap()),
            body: statements(parts)?,
        },
        Rule::interface => {
            let name = name(parts.next().unwrap());
            let base = match parts.peek() {
                Some(p) if p.as_rule() == Rule::ident => Some(self::name(parts.next().unwrap())),
                _ => None,
            };
            DefinitionKind::Interface {
                name,
                base,
                body: statements(parts)?,
            }
        }
        Rule::interface_ref => DefinitionKind::InterfaceRef(name(parts.next().unwrap())),
        Rule::dispinterface => {
            let name = name(parts.next().unwrap());
            let body = parts.next().unwrap();
            DefinitionKind::DispInterface {
                name,
                body: disp_body(body)?,
            }
        }
        Rule::dispinterface_ref => DefinitionKind::DispInterfaceRef(name(parts.next().unwrap())),
        Rule::coclass => DefinitionKind::Coclass {
            name: name(parts.next().unwrap()),
            members: parts.map(coclass_member).collect::<Result<_>>()?,
        },
        Rule::coclass_ref => DefinitionKind::CoclassRef(name(parts.next().unwrap())),
        Rule::typedef => {
            let inner_attrs = match parts.peek() {
                Some(p) if p.as_rule() == Rule::attributes => attributes(parts.next().unwrap())?,
                _ => Vec::new(),
            };
            DefinitionKind::Typedef {
                inner_attrs,
                spec: decl_spec(parts.next().unwrap())?,
                declarators: parts.map(declarator).collect::<Result<_>>()?,
            }
        }
        Rule::type_decl => DefinitionKind::TypeDecl(type_spec(parts.next().unwrap())?),
        Rule::declaration => {
            let spec = decl_spec(parts.next().unwrap())?;
            DefinitionKind::Declaration {
                spec,
                declarators: parts.map(init_declarator).collect::<Result<_>>()?,
            }
        }
        other => unreachable!("unexpected definition {other:?}"),
    };
    Ok(Definition { attrs, kind, span })
}

fn disp_body(pair: Pair<Rule>) -> Result<DispBody> {
    match pair.as_rule() {
        Rule::dispinterface_of => Ok(DispBody::Interface(name(last(pair)))),
        _ => {
            let mut properties = Vec::new();
            let mut methods = Vec::new();
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::field => properties.push(field(part)?),
                    Rule::dispinterface_method => methods.push(method(part)?),
                    _ => {}
                }
            }
            Ok(DispBody::Members {
                properties,
                methods,
            })
        }
    }
}

fn method(pair: Pair<Rule>) -> Result<Method> {
    let span = span(&pair);
    let mut attrs = Vec::new();
    let mut declaration = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::attributes => attrs = attributes(part)?,
            _ => declaration = Some(part),
        }
    }
    let mut parts = declaration.unwrap().into_inner();
    let spec = decl_spec(parts.next().unwrap())?;
    let declarator = init_declarator(parts.next().unwrap())?.declarator;
    Ok(Method {
        attrs,
        spec,
        declarator,
        span,
    })
}

fn coclass_member(pair: Pair<Rule>) -> Result<CoclassMember> {
    let mut attrs = Vec::new();
    let mut dispinterface = false;
    let mut member_name = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::attributes => attrs = attributes(part)?,
            Rule::kw_dispinterface => dispinterface = true,
            Rule::ident => member_name = Some(name(part)),
            _ => {}
        }
    }
    Ok(CoclassMember {
        attrs,
        dispinterface,
        name: member_name.unwrap(),
    })
}

// ---------------------------------------------------------------------------------------------
// Attributes

fn attributes(pair: Pair<Rule>) -> Result<Vec<Attribute>> {
    pair.into_inner().map(attribute).collect()
}

fn attribute(pair: Pair<Rule>) -> Result<Attribute> {
    let span = span(&pair);
    let mut parts = pair.into_inner();
    let name = name(parts.next().unwrap());
    let args = parts.map(attr_arg).collect::<Result<_>>()?;
    Ok(Attribute { name, args, span })
}

fn attr_arg(pair: Pair<Rule>) -> Result<AttrArg> {
    let inner = pair.into_inner().next().unwrap();
    Ok(match inner.as_rule() {
        Rule::uuid_literal => AttrArg::Uuid(inner.as_str().trim_matches('"').to_ascii_lowercase()),
        Rule::expr => AttrArg::Expr(expr(inner)?),
        Rule::type_arg => AttrArg::Type(type_name(inner)?),
        _ => AttrArg::Raw(inner.as_str().trim().to_string()),
    })
}

// ---------------------------------------------------------------------------------------------
// Types

fn decl_spec(pair: Pair<Rule>) -> Result<DeclSpec> {
    let span = span(&pair);
    let mut is_const = false;
    let mut ty = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::storage_class => {}
            Rule::type_qualifier => is_const |= part.as_str().starts_with("const"),
            _ => ty = Some(type_spec(part)?),
        }
    }
    Ok(DeclSpec {
        is_const,
        ty: ty.unwrap(),
        span,
    })
}

fn type_spec(pair: Pair<Rule>) -> Result<TypeSpec> {
    let _level = enter(&pair, 1)?;
    let has_body = pair.as_str().contains('{');
    Ok(match pair.as_rule() {
        Rule::named_type => TypeSpec::Named(name(pair)),
        Rule::int_type => TypeSpec::Int(
            pair.as_str()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Rule::safearray_type => TypeSpec::SafeArray(Box::new(type_name(pair)?)),
        Rule::struct_type => {
            let mut name = None;
            let mut fields = Vec::new();
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::ident => name = Some(self::name(part)),
                    Rule::field => fields.push(field(part)?),
                    _ => {}
                }
            }
            TypeSpec::Struct(Aggregate {
                name,
                fields: has_body.then_some(fields),
            })
        }
        Rule::union_type => {
            let mut name = None;
            let mut switch = None;
            let mut fields = Vec::new();
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::ident => name = Some(self::name(part)),
                    Rule::union_switch => {
                        let mut parts =
                            part.into_inner().filter(|p| p.as_rule() != Rule::kw_switch);
                        let spec = decl_spec(parts.next().unwrap())?;
                        switch = Some(Box::new((spec, self::name(parts.next().unwrap()))));
                    }
                    Rule::field => fields.push(field(part)?),
                    Rule::union_case => fields.push(union_case(part)?),
                    _ => {}
                }
            }
            TypeSpec::Union(Union {
                name,
                switch,
                fields: has_body.then_some(fields),
            })
        }
        Rule::enum_type => {
            let mut name = None;
            let mut members = Vec::new();
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::ident => name = Some(self::name(part)),
                    Rule::enum_member => members.push(enum_member(part)?),
                    _ => {}
                }
            }
            TypeSpec::Enum(Enum {
                name,
                members: has_body.then_some(members),
            })
        }
        other => unreachable!("unexpected type {other:?}"),
    })
}

/// `case 1: case 2: long x;` becomes the field `[case(1), case(2)] long x;`.
fn union_case(pair: Pair<Rule>) -> Result<Field> {
    let mut labels = Vec::new();
    let mut result = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::case_label => {
                let span = span(&part);
                let mut inner = part.into_inner();
                let keyword = inner.next().unwrap();
                let (word, args) = match inner.next() {
                    Some(e) => ("case", vec![AttrArg::Expr(expr(e)?)]),
                    None => (keyword.as_str(), Vec::new()),
                };
                labels.push(Attribute {
                    name: Name {
                        text: word.to_string(),
                        span: span.clone(),
                    },
                    args,
                    span,
                });
            }
            _ => result = Some(field(part)?),
        }
    }
    let mut field = result.unwrap();
    field.attrs.extend(labels);
    Ok(field)
}

fn enum_member(pair: Pair<Rule>) -> Result<EnumMember> {
    let mut member_name = None;
    let mut value = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::ident => member_name = Some(name(part)),
            Rule::expr => value = Some(expr(part)?),
            _ => {}
        }
    }
    Ok(EnumMember {
        name: member_name.unwrap(),
        value,
    })
}

fn field(pair: Pair<Rule>) -> Result<Field> {
    let span = span(&pair);
    let mut attrs = Vec::new();
    let mut spec = None;
    let mut declarators = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::attributes => attrs = attributes(part)?,
            Rule::decl_spec => spec = Some(decl_spec(part)?),
            Rule::field_declarator => {
                let mut d = Declarator {
                    span: self::span(&part),
                    ..Declarator::default()
                };
                for inner in part.into_inner() {
                    match inner.as_rule() {
                        Rule::declarator => {
                            let bits = d.bits.take();
                            d = declarator(inner)?;
                            d.bits = bits;
                        }
                        _ => d.bits = Some(expr(inner)?),
                    }
                }
                declarators.push(d);
            }
            _ => {}
        }
    }
    Ok(Field {
        attrs,
        spec,
        declarators,
        span,
    })
}

fn type_name(pair: Pair<Rule>) -> Result<TypeName> {
    let mut spec = None;
    let mut decl = Declarator::default();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::decl_spec => spec = Some(decl_spec(part)?),
            Rule::abstract_declarator => decl = declarator(part)?,
            _ => {}
        }
    }
    Ok(TypeName {
        spec: spec.unwrap(),
        declarator: decl,
    })
}

// ---------------------------------------------------------------------------------------------
// Declarators

fn init_declarator(pair: Pair<Rule>) -> Result<InitDeclarator> {
    let mut parts = pair.into_inner();
    let declarator = declarator(parts.next().unwrap())?;
    let init = parts.next().map(expr).transpose()?;
    Ok(InitDeclarator { declarator, init })
}

/// Flattens a (possibly abstract) declarator: the inner declarator's derivations apply first,
/// then this level's suffixes, then its pointers from the innermost out.
fn declarator(pair: Pair<Rule>) -> Result<Declarator> {
    let _level = enter(&pair, 1)?;
    let span = span(&pair);
    let mut pointers = Vec::new();
    let mut inner = Declarator::default();
    let mut suffixes = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::pointer => pointers.push(Derived::Pointer {
                is_const: part.into_inner().any(|q| q.as_str().starts_with("const")),
            }),
            Rule::direct_declarator | Rule::abstract_direct => {
                for piece in part.into_inner() {
                    match piece.as_rule() {
                        Rule::declarator_name => inner.name = Some(name(piece)),
                        Rule::declarator | Rule::abstract_declarator => inner = declarator(piece)?,
                        Rule::array_suffix => suffixes.push(Derived::Array(
                            piece
                                .into_inner()
                                .find(|p| p.as_rule() == Rule::expr)
                                .map(expr)
                                .transpose()?,
                        )),
                        Rule::params => suffixes.push(Derived::Function(
                            piece
                                .into_inner()
                                .filter(|p| p.as_rule() == Rule::param)
                                .map(param)
                                .collect::<Result<_>>()?,
                        )),
                        _ => {}
                    }
                }
            }
            _ => {} // callconv
        }
    }
    inner.derived.extend(suffixes);
    inner.derived.extend(pointers.into_iter().rev());
    inner.span = span;
    Ok(inner)
}

fn param(pair: Pair<Rule>) -> Result<Param> {
    let span = span(&pair);
    let mut attrs = Vec::new();
    let mut spec = None;
    let mut decl = Declarator::default();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::attributes => attrs = attributes(part)?,
            Rule::decl_spec => spec = Some(decl_spec(part)?),
            _ => decl = declarator(part)?,
        }
    }
    Ok(Param {
        attrs,
        spec: spec.unwrap(),
        declarator: decl,
        span,
    })
}

// ---------------------------------------------------------------------------------------------
// Expressions

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

fn expr(pair: Pair<Rule>) -> Result<Expr> {
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

fn binary_op(rule: Rule) -> BinaryOp {
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
fn unary(pair: Pair<Rule>) -> Result<Expr> {
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

fn primary(pair: Pair<Rule>) -> Result<Expr> {
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
fn integer(text: &str) -> Option<ExprKind> {
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
fn char_value(text: &str) -> i64 {
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

// ---------------------------------------------------------------------------------------------
// Tokens

fn span(pair: &Pair<Rule>) -> Span {
    pair.as_span().start()..pair.as_span().end()
}

fn name(pair: Pair<Rule>) -> Name {
    Name {
        text: pair.as_str().to_string(),
        span: span(&pair),
    }
}

/// A string literal's text with C escapes undone.
fn string_value(pair: Pair<Rule>) -> String {
    unescape(pair.into_inner().next().map_or("", |b| b.as_str()))
}

/// The value of a string literal's body (what is between its quotes).
pub(super) fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// A string literal as a name (import file names), spanning the literal.
fn string_name(pair: Pair<Rule>) -> Name {
    let span = span(&pair);
    Name {
        text: string_value(pair),
        span,
    }
}

fn last(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner().last().unwrap()
}

fn is_keyword(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_import
            | kw_importlib
            | kw_cpp_quote
            | kw_midl_pragma
            | kw_library
            | kw_module
            | kw_interface
            | kw_dispinterface
            | kw_coclass
            | kw_properties
            | kw_methods
            | kw_typedef
            | kw_struct
            | kw_union
            | kw_enum
            | kw_switch
            | kw_case
            | kw_default
            | kw_int
            | kw_sizeof
            | kw_safearray
    )
}
