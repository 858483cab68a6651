//! Macro definitions and their expansion.
//!
//! Expansion follows Prosser's algorithm (the one the C standard's rules were written from):
//! every token carries the set of macros whose expansion produced it, and a macro is not
//! expanded in a token that has it in its set. Expanded text is pushed back in front of the input
//! and rescanned, so a function-like macro produced by an expansion can take its arguments from
//! the text that follows, as in C.

use std::collections::HashMap;
use std::rc::Rc;

use super::lex::{HideSet, Kind, Lexer, Tok};
use crate::diagnostic::Diagnostic;
use crate::source::{Loc, SourceSet};

/// Tokens one top-level expansion may produce before it is taken for runaway recursion.
const MAX_EXPANSION_TOKENS: usize = 1 << 20;
/// How deeply macro calls may nest inside arguments (each level recurses).
const MAX_ARGUMENT_NESTING: usize = 200;

pub(super) type Macros = HashMap<Rc<str>, Macro>;

#[derive(Debug)]
pub(super) enum Macro {
    Object(Vec<BodyTok>),
    Function {
        /// Parameter names; a variadic macro's last one is `__VA_ARGS__` (or its GNU name).
        params: Vec<Rc<str>>,
        variadic: bool,
        body: Vec<BodyTok>,
    },
    /// `__FILE__`: the current file's path as a string literal.
    File,
    /// `__LINE__`: the current line number.
    Line,
}

/// A token of a macro body; `param` says which argument replaces it.
#[derive(Debug)]
pub(super) struct BodyTok {
    pub tok: Tok,
    pub param: Option<usize>,
}

impl Macro {
    pub fn is_function(&self) -> bool {
        matches!(self, Macro::Function { .. })
    }
}

/// Where an expansion reads the tokens that follow it (a function-like macro's arguments).
pub(super) trait Input {
    /// The next token; `Err` is an unterminated comment at that location.
    fn next(&mut self) -> Result<Option<Tok>, Loc>;
    /// Whether the next token is `(`, without consuming anything.
    fn peek_lparen(&mut self) -> Result<bool, Loc>;
}

/// The input of an expansion that must not read past its own tokens (a directive's line, an
/// argument being expanded on its own).
pub(super) struct NoInput;

impl Input for NoInput {
    fn next(&mut self) -> Result<Option<Tok>, Loc> {
        Ok(None)
    }
    fn peek_lparen(&mut self) -> Result<bool, Loc> {
        Ok(false)
    }
}

pub(super) struct Expander<'a> {
    macros: &'a Macros,
    sources: &'a SourceSet,
    /// In `#if`, `defined` is an operator.
    in_if: bool,
    budget: usize,
    depth: usize,
    /// The first macro expanded, which the user wrote, for messages about the whole expansion.
    root: Option<Rc<str>>,
}

impl<'a> Expander<'a> {
    pub fn new(macros: &'a Macros, sources: &'a SourceSet, in_if: bool) -> Self {
        Expander {
            macros,
            sources,
            in_if,
            budget: MAX_EXPANSION_TOKENS,
            depth: 0,
            root: None,
        }
    }

    fn error(&self, tok: &Tok, message: impl Into<String>, label: &str) -> Diagnostic {
        Diagnostic::at(self.sources, tok.loc, tok.text.len(), message, label)
    }

    /// Expands the tokens of `pending` (a stack: the next token is last), reading from `input`
    /// only what a macro call needs, and appends the result to `out`.
    pub fn run(
        &mut self,
        pending: &mut Vec<Tok>,
        input: &mut dyn Input,
        out: &mut Vec<Tok>,
    ) -> Result<(), Diagnostic> {
        while let Some(tok) = pending.pop() {
            if tok.kind != Kind::Ident {
                out.push(tok);
                continue;
            }
            if self.in_if && &*tok.text == "defined" {
                let value = self.defined(&tok, pending, input)?;
                out.push(value);
                continue;
            }
            let macros = self.macros;
            let Some((name, mac)) = macros.get_key_value(&*tok.text) else {
                out.push(tok);
                continue;
            };
            if tok.hide.contains(name) {
                out.push(tok);
                continue;
            }
            if self.root.is_none() {
                self.root = Some(name.clone());
            }
            let expansion = match mac {
                Macro::File => {
                    let path = self.sources.get(tok.loc.file).path.display().to_string();
                    out.push(Tok::new(Kind::Str, &quote(&path), tok.loc, tok.space));
                    continue;
                }
                Macro::Line => {
                    let line = self.sources.get(tok.loc.file).line_col(tok.loc.offset).0;
                    out.push(Tok::new(
                        Kind::Number,
                        &line.to_string(),
                        tok.loc,
                        tok.space,
                    ));
                    continue;
                }
                Macro::Object(body) => {
                    let hide = tok.hide.with(name);
                    self.substitute(body, Vec::new(), None, &tok, &hide)?
                }
                Macro::Function {
                    params,
                    variadic,
                    body,
                } => {
                    let lparen = match pending.last() {
                        Some(next) => next.is("("),
                        None => input.peek_lparen().map_err(|at| self.unterminated(at))?,
                    };
                    if !lparen {
                        out.push(tok);
                        continue;
                    }
                    next_tok(pending, input).map_err(|at| self.unterminated(at))?;
                    let (args, rparen) =
                        self.arguments(&tok, params.len(), *variadic, pending, input)?;
                    let hide = tok.hide.intersect(&rparen.hide).with(name);
                    self.substitute(body, args, Some(*variadic), &tok, &hide)?
                }
            };
            self.budget = self
                .budget
                .checked_sub(expansion.len())
                .ok_or_else(|| {
                    let root = self.root.as_deref().unwrap_or(name);
                    self.error(
                        &tok,
                        format!("the expansion of macro `{root}` is too large"),
                        "expected a macro that expands to a reasonable amount of text",
                    )
                    .with_help(format!(
                        "it grew past {MAX_EXPANSION_TOKENS} tokens; do its macros double it at every level?"
                    ))
                })?;
            pending.extend(expansion.into_iter().rev());
        }
        Ok(())
    }

    fn unterminated(&self, at: Loc) -> Diagnostic {
        Diagnostic::at(
            self.sources,
            at,
            2,
            "unterminated comment",
            "expected `*/` before the end of the file",
        )
    }

    /// `defined NAME` or `defined ( NAME )` in `#if`, as the token `1` or `0`.
    fn defined(
        &self,
        op: &Tok,
        pending: &mut Vec<Tok>,
        input: &mut dyn Input,
    ) -> Result<Tok, Diagnostic> {
        let mut next = || next_tok(pending, input).map_err(|at| self.unterminated(at));
        let mut tok = next()?;
        let paren = tok.as_ref().is_some_and(|t| t.is("("));
        if paren {
            tok = next()?;
        }
        let name = match tok {
            Some(t) if t.kind == Kind::Ident => t,
            other => {
                return Err(self.error(
                    other.as_ref().unwrap_or(op),
                    "`defined` needs a macro name",
                    "expected a macro name after `defined`",
                ));
            }
        };
        if paren {
            let close = next()?;
            if !close.as_ref().is_some_and(|t| t.is(")")) {
                return Err(self.error(
                    close.as_ref().unwrap_or(&name),
                    "unclosed `defined(`",
                    "expected `)`",
                ));
            }
        }
        let value = if self.macros.contains_key(&*name.text) {
            "1"
        } else {
            "0"
        };
        Ok(Tok::new(Kind::Number, value, op.loc, op.space))
    }

    /// The arguments of a call whose `(` has been read, and its `)`.
    fn arguments(
        &mut self,
        call: &Tok,
        params: usize,
        variadic: bool,
        pending: &mut Vec<Tok>,
        input: &mut dyn Input,
    ) -> Result<(Vec<Vec<Tok>>, Tok), Diagnostic> {
        let mut args = vec![Vec::new()];
        let mut depth = 0usize;
        let rparen = loop {
            let Some(tok) = next_tok(pending, input).map_err(|at| self.unterminated(at))? else {
                return Err(self
                    .error(
                        call,
                        format!("unterminated call of macro `{}`", call.text),
                        "expected `)` to close this macro's arguments",
                    )
                    .with_help(
                        "the arguments run to the end of the line (in a directive) or of the file, \
                         or into a directive, which cannot appear inside macro arguments",
                    ));
            };
            if tok.is("(") {
                // Each level of a nested call is expanded on its own (recursing): refuse
                // before collecting them all.
                if depth == MAX_ARGUMENT_NESTING {
                    return Err(self.nested_too_deeply(&tok));
                }
                depth += 1;
            } else if tok.is(")") {
                if depth == 0 {
                    break tok;
                }
                depth -= 1;
            } else if tok.is(",") && depth == 0 && !(variadic && args.len() == params) {
                args.push(Vec::new());
                continue;
            }
            if let Some(arg) = args.last_mut() {
                arg.push(tok);
            }
        };
        if variadic && args.len() + 1 == params {
            args.push(Vec::new());
        }
        let no_params_empty_call = params == 0 && args.len() == 1 && args[0].is_empty();
        if args.len() != params && !no_params_empty_call {
            let given = if args.len() == 1 && args[0].is_empty() {
                0
            } else {
                args.len()
            };
            let expected = if variadic {
                format!("at least {}", params - 1)
            } else {
                params.to_string()
            };
            return Err(self.error(
                call,
                format!(
                    "macro `{}` takes {expected} argument{}, but {given} {} given",
                    call.text,
                    if params == 1 && !variadic { "" } else { "s" },
                    if given == 1 { "was" } else { "were" },
                ),
                &format!("expected {expected} argument(s)"),
            ));
        }
        if params == 0 {
            args.clear();
        }
        Ok((args, rparen))
    }

    /// A macro body with its arguments substituted, ready to be rescanned. `variadic` is `None`
    /// for an object-like macro.
    ///
    /// An argument that only appears expanded is moved into its expansion, and the expansion
    /// into its last use, rather than copied: a call nested in an argument then costs memory in
    /// proportion to its tokens, not to its tokens times its depth.
    fn substitute(
        &mut self,
        body: &[BodyTok],
        mut args: Vec<Vec<Tok>>,
        variadic: Option<bool>,
        call: &Tok,
        hide: &HideSet,
    ) -> Result<Vec<Tok>, Diagnostic> {
        let function = variadic.is_some();
        let is_paste = |i: usize| body.get(i).is_some_and(|b| b.tok.is("##"));
        // Uses of each parameter that take it expanded, and whether any takes it as written.
        let mut expanded_uses = vec![0usize; args.len()];
        let mut raw_use = vec![false; args.len()];
        for (i, item) in body.iter().enumerate() {
            if let Some(p) = item.param.filter(|&p| p < args.len()) {
                let stringized = function && i > 0 && body[i - 1].tok.is("#");
                if stringized || is_paste(i + 1) || (i > 0 && is_paste(i - 1)) {
                    raw_use[p] = true;
                } else {
                    expanded_uses[p] += 1;
                }
            }
        }
        let mut expanded: Vec<Option<Vec<Tok>>> = vec![None; args.len()];
        let mut out: Vec<Tok> = Vec::new();
        let mut paste_next = false;
        let mut i = 0;
        while i < body.len() {
            let item = &body[i];
            if is_paste(i) {
                paste_next = true;
                i += 1;
                continue;
            }
            let pasted_before = i > 0 && is_paste(i - 1);
            let stringize =
                function && item.tok.is("#") && body.get(i + 1).is_some_and(|b| b.param.is_some());
            let last = if stringize { i + 1 } else { i };
            let pasted_after = is_paste(last + 1);
            // GNU: `, ## __VA_ARGS__` drops the comma when there are no variable arguments.
            if item.tok.is(",")
                && pasted_after
                && let Some(p) = body.get(last + 2).and_then(|b| b.param)
                && variadic == Some(true)
                && p + 1 == args.len()
            {
                if args[p].is_empty() {
                    i = last + 3;
                } else {
                    out.push(item.tok.clone());
                    out.extend(args[p].iter().cloned());
                    i = last + 3;
                }
                paste_next = false;
                continue;
            }
            let mut operand = if stringize {
                let p = body[i + 1].param.unwrap_or_default();
                vec![stringized(&args[p], item.tok.space, call.loc)]
            } else if let Some(p) = item.param {
                if pasted_before || pasted_after {
                    args[p].clone()
                } else {
                    if expanded[p].is_none() {
                        let arg = if raw_use[p] {
                            args[p].clone()
                        } else {
                            std::mem::take(&mut args[p])
                        };
                        expanded[p] = Some(self.expand_argument(arg, call)?);
                    }
                    expanded_uses[p] = expanded_uses[p].saturating_sub(1);
                    let mut toks = if expanded_uses[p] == 0 {
                        expanded[p].take().unwrap_or_default()
                    } else {
                        expanded[p].clone().unwrap_or_default()
                    };
                    if let Some(first) = toks.first_mut() {
                        first.space = item.tok.space;
                    }
                    toks
                }
            } else {
                vec![item.tok.clone()]
            };
            if operand.is_empty() && (pasted_before || pasted_after) {
                operand.push(Tok::new(Kind::Placemarker, "", call.loc, false));
            }
            let mut operand = operand.into_iter();
            if paste_next && let Some(rhs) = operand.next() {
                paste_next = false;
                match out.pop() {
                    Some(lhs) => out.extend(paste(lhs, rhs)),
                    None => out.push(rhs),
                }
            }
            out.extend(operand);
            i = last + 1;
        }
        out.retain(|t| t.kind != Kind::Placemarker);
        // Tokens from one argument share a hide set: compute each union once.
        let mut last: Option<(HideSet, HideSet)> = None;
        for (k, tok) in out.iter_mut().enumerate() {
            tok.loc = call.loc;
            tok.hide = match &last {
                Some((from, to)) if from.same(&tok.hide) => to.clone(),
                _ => {
                    let to = tok.hide.union(hide);
                    last = Some((std::mem::replace(&mut tok.hide, to.clone()), to.clone()));
                    to
                }
            };
            if k == 0 {
                tok.space = call.space;
            }
        }
        Ok(out)
    }

    fn nested_too_deeply(&self, at: &Tok) -> Diagnostic {
        self.error(
            at,
            "macro calls are nested too deeply inside arguments",
            &format!("expected at most {MAX_ARGUMENT_NESTING} levels of nesting"),
        )
    }

    /// An argument fully macro-expanded on its own, as C requires before substitution.
    fn expand_argument(&mut self, mut arg: Vec<Tok>, call: &Tok) -> Result<Vec<Tok>, Diagnostic> {
        if self.depth >= MAX_ARGUMENT_NESTING {
            return Err(self.nested_too_deeply(call));
        }
        self.depth += 1;
        arg.reverse();
        let mut pending = arg;
        let mut out = Vec::new();
        let result = self.run(&mut pending, &mut NoInput, &mut out);
        self.depth -= 1;
        result.map(|()| out)
    }
}

fn next_tok(pending: &mut Vec<Tok>, input: &mut dyn Input) -> Result<Option<Tok>, Loc> {
    match pending.pop() {
        Some(tok) => Ok(Some(tok)),
        None => input.next(),
    }
}

/// `#arg`: the argument's spelling as a string literal, whitespace runs made single spaces.
fn stringized(arg: &[Tok], space: bool, loc: Loc) -> Tok {
    let mut s = String::from("\"");
    for (k, tok) in arg.iter().enumerate() {
        if k > 0 && tok.space {
            s.push(' ');
        }
        if matches!(tok.kind, Kind::Str | Kind::Char) {
            for c in tok.text.chars() {
                if c == '"' || c == '\\' {
                    s.push('\\');
                }
                s.push(c);
            }
        } else {
            s.push_str(&tok.text);
        }
    }
    s.push('"');
    Tok::new(Kind::Str, &s, loc, space)
}

/// `lhs ## rhs`. Text that does not form one token stays two tokens, as MSVC leaves it (GCC
/// rejects it); MIDL files written for either compile.
fn paste(lhs: Tok, rhs: Tok) -> Vec<Tok> {
    if lhs.kind == Kind::Placemarker {
        return vec![rhs];
    }
    if rhs.kind == Kind::Placemarker {
        return vec![lhs];
    }
    let text = format!("{}{}", lhs.text, rhs.text);
    let mut lx = Lexer::new(&text);
    if let Ok(Some(raw)) = lx.next()
        && raw.end == text.len()
        && !matches!(raw.kind, Kind::Space | Kind::Blank | Kind::Newline)
    {
        return vec![Tok::new(raw.kind, &text, lhs.loc, lhs.space)];
    }
    let rhs = Tok {
        space: false,
        ..rhs
    };
    vec![lhs, rhs]
}

/// `text` as a C string literal.
fn quote(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}
