//! Turns pest's pairs into the syntax tree. The grammar fixes the shape of every pair, so this
//! only walks it; the one thing it can reject is a number too large for 64 bits.

mod expr;
mod types;

use std::cell::Cell;

use pest::iterators::Pair;

use super::Rule;
use super::ast::*;
use expr::*;
use types::*;

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
