//! Types and declarators: what a declaration says about the type of each name it declares.

use pest::iterators::Pair;

use super::*;

pub(super) fn decl_spec(pair: Pair<Rule>) -> Result<DeclSpec> {
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

pub(super) fn type_spec(pair: Pair<Rule>) -> Result<TypeSpec> {
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
pub(super) fn union_case(pair: Pair<Rule>) -> Result<Field> {
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

pub(super) fn enum_member(pair: Pair<Rule>) -> Result<EnumMember> {
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

pub(super) fn field(pair: Pair<Rule>) -> Result<Field> {
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

pub(super) fn type_name(pair: Pair<Rule>) -> Result<TypeName> {
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

pub(super) fn init_declarator(pair: Pair<Rule>) -> Result<InitDeclarator> {
    let mut parts = pair.into_inner();
    let declarator = declarator(parts.next().unwrap())?;
    let init = parts.next().map(expr).transpose()?;
    Ok(InitDeclarator { declarator, init })
}

/// Flattens a (possibly abstract) declarator: the inner declarator's derivations apply first,
/// then this level's suffixes, then its pointers from the innermost out.
pub(super) fn declarator(pair: Pair<Rule>) -> Result<Declarator> {
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

pub(super) fn param(pair: Pair<Rule>) -> Result<Param> {
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
