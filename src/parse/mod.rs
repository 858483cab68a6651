//! Parsing: preprocessed MIDL text to a syntax tree, with the pest grammar in `grammar/midl.pest`.

pub mod ast;
mod build;
pub mod imports;
mod nesting;
#[cfg(test)]
mod tests;

use pest::Parser as _;
use pest::error::{ErrorVariant, InputLocation};

use crate::diagnostic::Diagnostic;
use crate::preprocess;
use crate::source::SourceSet;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/midl.pest"]
struct MidlParser;

/// Parses one preprocessed file. Errors point into the real file through the preprocessor's map.
pub fn parse(
    sources: &SourceSet,
    input: &preprocess::Output,
) -> Result<Vec<ast::Statement>, Diagnostic> {
    if let Some(offset) = nesting::too_deep(&input.text) {
        let (loc, len) = locate(input, offset, 1);
        return Err(Diagnostic::at(
            sources,
            loc,
            len,
            format!(
                "nested too deeply: more than {} levels of brackets",
                nesting::MAX_NESTING
            ),
            "this one opens a level too many",
        ));
    }
    let mut pairs =
        MidlParser::parse(Rule::file, &input.text).map_err(|e| syntax_error(sources, input, &e))?;
    let file = pairs.next().expect("the file rule always yields one pair");
    build::file(file).map_err(|(span, message)| {
        let (loc, len) = locate(input, span.start, span.end - span.start);
        Diagnostic::at(sources, loc, len, message, "here")
    })
}

/// Parses one preprocessed file where no diagnostic is needed: `None` on any error, which the
/// caller finds again with [`parse`] to say what is wrong (`model::load`'s parallel path).
pub fn parse_quiet(text: &str) -> Option<Vec<ast::Statement>> {
    if nesting::too_deep(text).is_some() {
        return None;
    }
    let file = MidlParser::parse(Rule::file, text).ok()?.next()?;
    build::file(file).ok()
}

/// Turns pest's error into one that names the place, what was found and what was expected.
///
/// Only on this error path is the file parsed again with pest's attempt tracking on, which
/// knows the literal tokens (`;`, `]`) that would have fitted; the fast path never pays for it.
fn syntax_error(
    sources: &SourceSet,
    input: &preprocess::Output,
    error: &pest::error::Error<Rule>,
) -> Diagnostic {
    let (offset, expected) = detailed_expectation(&input.text).unwrap_or_else(|| {
        let offset = match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let expected = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives
                .iter()
                .map(|r| rule_name(*r).to_string())
                .collect(),
            ErrorVariant::CustomError { message } => vec![message.clone()],
        };
        (offset, expected)
    });
    let expected = join_alternatives(expected);
    let found = found_at(&input.text, offset);
    let (loc, len) = locate(input, offset, found.len().max(1));
    let shown = if found.is_empty() {
        "end of file".to_string()
    } else {
        format!("`{found}`")
    };
    Diagnostic::at(
        sources,
        loc,
        len,
        format!("syntax error: expected {expected}, found {shown}"),
        format!("expected {expected}"),
    )
}

/// Where parsing got furthest, and the tokens and constructs that would have fitted there.
fn detailed_expectation(text: &str) -> Option<(usize, Vec<String>)> {
    pest::set_error_detail(true);
    let result = MidlParser::parse(Rule::file, text);
    pest::set_error_detail(false);
    let error = result.err()?;
    let attempts = error.parse_attempts()?;
    // pest does not export its token type; its derived Debug form is `Sensitive { token: ";" }`.
    let mut expected: Vec<String> = attempts
        .expected_tokens()
        .iter()
        .filter_map(|token| {
            let debug = format!("{token:?}");
            let quoted = debug
                .strip_prefix("Sensitive { token: ")?
                .strip_suffix(" }")?;
            let token: String = serde_json::from_str(quoted).ok()?;
            // `/` is where a comment may start: whitespace, to a MIDL author.
            let noise = token.trim().is_empty() || ["/", "_"].contains(&token.as_str());
            (!noise).then(|| format!("`{token}`"))
        })
        .collect();
    // Where many tokens would fit (the start of a statement), the constructs say it better.
    // Closing tokens stay: a missing `}` is the usual reason.
    if expected.len() > 6 {
        expected.retain(|t| ["`}`", "`)`", "`]`", "`;`"].contains(&t.as_str()));
    }
    if let ErrorVariant::ParsingError { positives, .. } = &error.variant {
        expected.extend(positives.iter().map(|r| rule_name(*r).to_string()));
    }
    Some((attempts.max_position, expected))
}

/// The place in a real file of preprocessed bytes `offset..offset+len`. When the bytes came out
/// of a macro expansion the span shrinks to the macro's use.
fn locate(input: &preprocess::Output, offset: usize, len: usize) -> (crate::source::Loc, usize) {
    let loc = input.map.locate(offset).unwrap_or(crate::source::Loc {
        file: input.files.first().copied().unwrap_or(0),
        offset: 0,
    });
    let end = input.map.locate(offset + len);
    let len = match end {
        Some(end) if end.file == loc.file && end.offset == loc.offset + len => len,
        _ => 1,
    };
    (loc, len)
}

/// The token at `offset`: a word, a number, or one character.
fn found_at(text: &str, offset: usize) -> &str {
    let Some(rest) = text.get(offset..) else {
        return "";
    };
    let word_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if word_len > 0 {
        &rest[..word_len]
    } else {
        rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
    }
}

/// "`;`, `,` or a name": the alternatives in words a MIDL author knows.
fn join_alternatives(mut names: Vec<String>) -> String {
    names.retain(|n| n != "a token");
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn rule_name(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of file",
        definition => "a declaration",
        import | kw_import => "`import`",
        attributes => "attributes `[...]`",
        attribute | attr_name => "an attribute",
        attr_arg | raw_arg | type_arg => "an attribute argument",
        uuid_literal => "a uuid",
        decl_spec | named_type | int_type | int_sign | int_width | safearray_type => "a type",
        struct_type | kw_struct => "`struct`",
        union_type | kw_union => "`union`",
        enum_type | kw_enum => "`enum`",
        enum_member => "an enum member",
        field | field_declarator => "a field",
        declarator | direct_declarator | declarator_name | abstract_declarator
        | abstract_direct => "a name",
        pointer => "`*`",
        params => "`(`",
        param => "a parameter",
        array_suffix => "`[`",
        init_declarator => "a declarator",
        expr | unary | cast | size_of => "an expression",
        string | wide_string | string_body => "a string",
        ident => "an identifier",
        kw_interface => "`interface`",
        kw_dispinterface => "`dispinterface`",
        dispinterface_method => "a method",
        coclass_member => "`interface` or `dispinterface`",
        kw_properties => "`properties:`",
        kw_methods => "`methods:`",
        kw_typedef | typedef => "`typedef`",
        _ => "a token",
    }
}
