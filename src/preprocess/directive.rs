//! Directive lines: conditionals, `#define`/`#undef`, `#include`, `#error`, and the ones MIDL
//! has no use for (`#pragma`, `#line`, line markers), which are dropped.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::expr::{self, ExprError};
use super::lex::{Kind, Lexer, Raw, Tok};
use super::macros::{BodyTok, Expander, Macro, NoInput};
use super::{Cond, CondState, Cursor, MAX_INCLUDE_DEPTH, Preprocessor, read_source};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Loc};

/// One directive line, read up to (not including) its newline.
struct Line {
    /// The directive's name (`define`), if the line has more than `#`.
    name: Option<Tok>,
    /// The tokens after the name.
    args: Vec<Tok>,
    /// Where the `#` is, where the text after the name starts, and where the line ends.
    hash: usize,
    rest: usize,
    end: usize,
}

impl Line {
    fn end_loc(&self, file: FileId) -> Loc {
        Loc {
            file,
            offset: self.end,
        }
    }
}

impl Preprocessor<'_> {
    /// Handles the directive whose `#` is at `hash`; the lexer is just past the `#`.
    pub(super) fn directive(
        &mut self,
        cur: &mut Cursor,
        lx: &mut Lexer,
        line_start: usize,
        hash: usize,
    ) -> Result<(), Diagnostic> {
        let file = cur.file;
        let line = read_line(lx, file, hash).map_err(|at| self.unterminated_at(at))?;
        // Step over the newline too: the line is dropped as a whole.
        let after = match lx.next() {
            Ok(Some(raw)) => raw.end,
            _ => lx.pos,
        };
        let src = lx.src();
        let directive = Loc { file, offset: hash };
        let Some(name) = &line.name else {
            // `#` alone is the null directive.
            self.drop_text(cur, src, line_start, after);
            return Ok(());
        };
        let active = self.active();
        match (name.kind, &*name.text) {
            (Kind::Ident, "if" | "ifdef" | "ifndef") => {
                let state = if !active {
                    CondState::Done
                } else if self.condition(&name.text, &line, file)? {
                    CondState::Active
                } else {
                    CondState::Pending
                };
                self.conds.push(Cond {
                    loc: directive,
                    len: name.loc.offset + name.text.len() - hash,
                    state,
                    seen_else: false,
                });
            }
            (Kind::Ident, "elif" | "else") => {
                let is_else = &*name.text == "else";
                let Some(top) = self
                    .conds
                    .len()
                    .checked_sub(1)
                    .filter(|&i| i >= cur.cond_base)
                else {
                    return Err(self.error(
                        name,
                        format!("`#{}` without `#if`", name.text),
                        "expected an `#if` before this",
                    ));
                };
                if self.conds[top].seen_else {
                    return Err(self.error(
                        name,
                        format!("`#{}` after `#else`", name.text),
                        "expected `#endif`",
                    ));
                }
                self.conds[top].state = match self.conds[top].state {
                    CondState::Pending if is_else => CondState::Active,
                    CondState::Pending => {
                        if self.condition("elif", &line, file)? {
                            CondState::Active
                        } else {
                            CondState::Pending
                        }
                    }
                    CondState::Active | CondState::Done => CondState::Done,
                };
                self.conds[top].seen_else = is_else;
            }
            (Kind::Ident, "endif") => {
                if self.conds.len() <= cur.cond_base {
                    return Err(self.error(
                        name,
                        "`#endif` without `#if`",
                        "expected an `#if` before this",
                    ));
                }
                self.conds.pop();
            }
            _ if !active => {}
            (Kind::Ident, "define") => {
                let end = line.end_loc(file);
                self.define(name, line.args, end)?;
            }
            (Kind::Ident, "undef") => {
                let target = macro_name(&line.args).ok_or_else(|| {
                    self.error_after(
                        &line,
                        file,
                        "`#undef` needs a macro name",
                        "expected a macro name",
                    )
                })?;
                self.macros.remove(&*target.text);
            }
            (Kind::Ident, "include") => self.include(cur, lx, &line, line_start)?,
            (Kind::Ident, "error") => {
                let text = spell(&line.args);
                return Err(Diagnostic::at(
                    self.sources,
                    directive,
                    line.end - hash,
                    format!("#error {text}"),
                    "`#error` directive",
                ));
            }
            (Kind::Ident, "pragma") if line.args.first().is_some_and(|t| &*t.text == "once") => {
                let path = canonical(&self.sources.get(file).path);
                self.once.insert(path);
            }
            // Nothing for MIDL in these; line markers (`# 12 "file"`) are covered by the map.
            (Kind::Ident, "pragma" | "warning" | "line" | "ident" | "sccs") => {}
            (Kind::Number, _) => {}
            _ => {
                return Err(self.error(
                    name,
                    format!("unknown directive `#{}`", name.text),
                    "expected a directive such as `define`, `include`, `if` or `endif`",
                ));
            }
        }
        self.drop_text(cur, src, line_start, after);
        Ok(())
    }

    fn error(&self, at: &Tok, message: impl Into<String>, label: &str) -> Diagnostic {
        Diagnostic::at(self.sources, at.loc, at.text.len(), message, label)
    }

    /// An error at the first token after the directive's name, or at the end of the line.
    fn error_after(&self, line: &Line, file: FileId, message: &str, label: &str) -> Diagnostic {
        match line.args.first() {
            Some(tok) => self.error(tok, message, label),
            None => Diagnostic::at(self.sources, line.end_loc(file), 0, message, label),
        }
    }

    /// Whether the condition of `#if`, `#ifdef`, `#ifndef` or `#elif` holds.
    fn condition(&self, kind: &str, line: &Line, file: FileId) -> Result<bool, Diagnostic> {
        if kind == "ifdef" || kind == "ifndef" {
            let target = macro_name(&line.args).ok_or_else(|| {
                self.error_after(
                    line,
                    file,
                    &format!("`#{kind}` needs a macro name"),
                    "expected a macro name",
                )
            })?;
            return Ok(self.macros.contains_key(&*target.text) == (kind == "ifdef"));
        }
        if line.args.is_empty() {
            return Err(self.error_after(
                line,
                file,
                &format!("`#{kind}` needs an expression"),
                "expected an expression",
            ));
        }
        let mut pending: Vec<Tok> = line.args.iter().rev().cloned().collect();
        let mut expanded = Vec::new();
        Expander::new(&self.macros, self.sources, true).run(
            &mut pending,
            &mut NoInput,
            &mut expanded,
        )?;
        expr::evaluate(&expanded, line.end_loc(file))
            .map_err(|e: ExprError| Diagnostic::at(self.sources, e.loc, e.len, e.message, e.label))
    }

    /// `#define NAME body` or `#define NAME(params) body`.
    fn define(&mut self, directive: &Tok, args: Vec<Tok>, end: Loc) -> Result<(), Diagnostic> {
        let mut toks = args.into_iter().peekable();
        let name = match toks.next() {
            Some(t) if t.kind == Kind::Ident => t,
            Some(t) => {
                return Err(self.error(
                    &t,
                    "`#define` needs a macro name",
                    "expected a macro name",
                ));
            }
            None => {
                return Err(self.error(
                    directive,
                    "`#define` needs a macro name",
                    "expected a macro name after this",
                ));
            }
        };
        if &*name.text == "defined" {
            return Err(self.error(
                &name,
                "`defined` cannot be defined",
                "expected another macro name",
            ));
        }
        let function = toks.peek().is_some_and(|t| t.is("(") && !t.space);
        let mut params: Vec<Rc<str>> = Vec::new();
        let mut variadic = false;
        if function {
            toks.next();
            loop {
                let tok = toks.next();
                let expected = if params.is_empty() {
                    "expected a parameter name, `...` or `)`"
                } else {
                    "expected a parameter name or `...`"
                };
                match tok {
                    Some(t) if t.is(")") && params.is_empty() => break,
                    Some(t) if t.is("...") => {
                        variadic = true;
                        params.push("__VA_ARGS__".into());
                    }
                    Some(t) if t.kind == Kind::Ident && &*t.text != "__VA_ARGS__" => {
                        if params.contains(&t.text) {
                            return Err(self.error(
                                &t,
                                format!("duplicate macro parameter `{}`", t.text),
                                "expected a new name",
                            ));
                        }
                        params.push(t.text.clone());
                        // GNU `name...`: a named variadic parameter.
                        if toks.peek().is_some_and(|t| t.is("...")) {
                            toks.next();
                            variadic = true;
                        }
                    }
                    Some(t) => {
                        return Err(self.error(
                            &t,
                            format!("unexpected `{}` in macro parameters", t.text),
                            expected,
                        ));
                    }
                    None => {
                        return Err(Diagnostic::at(
                            self.sources,
                            end,
                            0,
                            "unterminated macro parameter list",
                            expected,
                        ));
                    }
                }
                match toks.next() {
                    Some(t) if t.is(")") => break,
                    Some(t) if t.is(",") && !variadic => {}
                    Some(t) => {
                        let expected = if variadic {
                            "expected `)`"
                        } else {
                            "expected `,` or `)`"
                        };
                        return Err(self.error(
                            &t,
                            format!("unexpected `{}` in macro parameters", t.text),
                            expected,
                        ));
                    }
                    None => {
                        return Err(Diagnostic::at(
                            self.sources,
                            end,
                            0,
                            "unterminated macro parameter list",
                            "expected `)`",
                        ));
                    }
                }
            }
        }
        let mut body: Vec<BodyTok> = toks
            .map(|tok| {
                let param = if function && tok.kind == Kind::Ident {
                    params.iter().position(|p| *p == tok.text)
                } else {
                    None
                };
                BodyTok { tok, param }
            })
            .collect();
        if let Some(first) = body.first_mut() {
            first.tok.space = false;
        }
        for (i, item) in body.iter().enumerate() {
            let at_end = i == 0 || i + 1 == body.len();
            if item.tok.is("##") && at_end {
                return Err(self.error(
                    &item.tok,
                    "`##` cannot start or end a macro body",
                    "expected a token on both sides of `##`",
                ));
            }
            if function && item.tok.is("#") && body.get(i + 1).is_none_or(|b| b.param.is_none()) {
                return Err(self.error(
                    &item.tok,
                    "`#` is not followed by a macro parameter",
                    "expected a parameter name after `#`",
                ));
            }
        }
        let mac = if function {
            Macro::Function {
                params,
                variadic,
                body,
            }
        } else {
            Macro::Object(body)
        };
        self.macros.insert(name.text, mac);
        Ok(())
    }

    /// `#include "file"` or `#include <file>` (also spelled by a macro): reads the file, found
    /// through the search path, in place of the directive.
    fn include(
        &mut self,
        cur: &mut Cursor,
        lx: &Lexer,
        line: &Line,
        line_start: usize,
    ) -> Result<(), Diagnostic> {
        let src = lx.src();
        let directive = Loc {
            file: cur.file,
            offset: line.hash,
        };
        let (file_name, angled) = self.include_name(lx, line, cur.file)?;
        let at = |pp: &Self, message: String, label: &str| {
            Diagnostic::at(
                pp.sources,
                directive,
                line.end - directive.offset,
                message,
                label,
            )
        };
        if self.include_depth >= MAX_INCLUDE_DEPTH {
            return Err(at(
                self,
                format!("`#include` nested more than {MAX_INCLUDE_DEPTH} levels deep"),
                "expected an include guard in the file that includes itself",
            ));
        }
        let path = match self.find_include(&file_name, angled, cur.file) {
            Ok(path) => path,
            Err(searched) => {
                let help = if searched.is_empty() {
                    "the path is absolute, so no folder was searched".to_string()
                } else {
                    let folders: Vec<String> = searched
                        .iter()
                        .map(|d| format!("  {}", display_dir(d)))
                        .collect();
                    format!(
                        "searched these folders, in order:\n{}\nadd the file's folder with `-I`",
                        folders.join("\n")
                    )
                };
                return Err(at(
                    self,
                    format!("cannot find include file `{file_name}`"),
                    "expected a file in one of the searched folders",
                )
                .with_help(help));
            }
        };
        let id = match self.sources.find(&path) {
            Some(id) => id,
            None => {
                let text = read_source(&path).map_err(|e| {
                    at(
                        self,
                        format!("cannot read `{}`: {e}", path.display()),
                        "included here",
                    )
                })?;
                self.sources.add(path, text, Some(directive))
            }
        };
        if !self.files.contains(&id) {
            self.files.push(id);
            self.included_at.push(directive);
        }
        if self.once.contains(&canonical(&self.sources.get(id).path)) {
            return Ok(());
        }
        // Everything before the directive goes out first; the file takes the directive's place.
        self.copy_to(cur, src, line_start);
        self.include_depth += 1;
        let result = self.run_file(id);
        self.include_depth -= 1;
        cur.resync = true;
        result
    }

    /// The file name of an `#include` and whether it was `<angled>`.
    fn include_name(
        &self,
        lx: &Lexer,
        line: &Line,
        file: FileId,
    ) -> Result<(String, bool), Diagnostic> {
        let src = lx.src();
        let raw = Raw {
            kind: Kind::Other,
            start: line.rest,
            end: line.end,
            spliced: src[line.rest..line.end].contains('\\'),
        };
        let text = lx.text(raw);
        let spec = text.trim_start();
        let quoted = |open: char, close: char, spec: &str| {
            spec.strip_prefix(open)
                .and_then(|r| r.find(close).map(|i| r[..i].to_string()))
        };
        let expected = "expected \"FILE\" or <FILE>";
        let found = if spec.starts_with('"') {
            quoted('"', '"', spec).map(|n| (n, false))
        } else if spec.starts_with('<') {
            quoted('<', '>', spec).map(|n| (n, true))
        } else {
            // A macro that spells the name.
            let mut pending: Vec<Tok> = line.args.iter().rev().cloned().collect();
            let mut expanded = Vec::new();
            Expander::new(&self.macros, self.sources, false).run(
                &mut pending,
                &mut NoInput,
                &mut expanded,
            )?;
            match expanded.first() {
                Some(t) if t.kind == Kind::Str => quoted('"', '"', &t.text).map(|n| (n, false)),
                Some(t) if t.is("<") => {
                    let close = expanded.iter().position(|t| t.is(">"));
                    close.map(|c| (spell(&expanded[1..c]), true))
                }
                _ => None,
            }
        };
        match found {
            Some((n, angled)) if !n.is_empty() => Ok((n, angled)),
            _ => Err(self.error_after(line, file, "`#include` needs a file name", expected)),
        }
    }

    /// Where `#include` finds `name`: for `"name"`, the including file's folder, then the `-I`
    /// folders in order; for `<name>`, the `-I` folders, then the including file's folder (widl's
    /// default search path holds Wine's headers, which a `-I` must name here); then cpgen's
    /// built-in SDK headers. `Err` lists the folders searched.
    fn find_include(
        &self,
        name: &str,
        angled: bool,
        from: FileId,
    ) -> Result<PathBuf, Vec<PathBuf>> {
        let exists = |p: &Path| self.sources.find(p).is_some() || p.is_file();
        if Path::new(name).is_absolute() {
            let path = PathBuf::from(name);
            return if exists(&path) {
                Ok(path)
            } else {
                Err(Vec::new())
            };
        }
        let own = self
            .sources
            .get(from)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut dirs: Vec<PathBuf> = self.include_dirs.to_vec();
        if angled {
            dirs.push(own);
        } else {
            dirs.insert(0, own);
        }
        for dir in &dirs {
            let path = dir.join(name);
            if exists(&path) {
                return Ok(path);
            }
        }
        // Found nowhere: cpgen's own copy of an SDK header (olectl.h, idispids.h), if it has one.
        crate::builtin::path(name).ok_or(dirs)
    }
}

/// A file's path with links and `..` resolved, so `#pragma once` knows it under any name.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Reads the rest of a directive line as tokens, leaving the lexer on its newline.
fn read_line(lx: &mut Lexer, file: FileId, hash: usize) -> Result<Line, Loc> {
    let mut toks = Vec::new();
    let mut space = false;
    let mut rest = None;
    let end = loop {
        let save = lx.pos;
        let raw = match lx.next() {
            Ok(Some(raw)) => raw,
            Ok(None) => break lx.pos,
            Err(e) => return Err(Loc { file, offset: e.0 }),
        };
        match raw.kind {
            Kind::Newline => {
                lx.pos = save;
                break save;
            }
            Kind::Space | Kind::Blank => space = true,
            kind => {
                let loc = Loc {
                    file,
                    offset: raw.start,
                };
                toks.push(Tok::new(kind, &lx.text(raw), loc, space));
                space = false;
                if rest.is_none() {
                    rest = Some(raw.end);
                }
            }
        }
    };
    let mut toks = toks.into_iter();
    let name = toks.next();
    Ok(Line {
        hash,
        name,
        args: toks.collect(),
        rest: rest.unwrap_or(end),
        end,
    })
}

/// The first token, if it is an identifier.
fn macro_name(args: &[Tok]) -> Option<&Tok> {
    args.first().filter(|t| t.kind == Kind::Ident)
}

/// Tokens as text, one space where the source had whitespace.
fn spell(toks: &[Tok]) -> String {
    let mut s = String::new();
    for (k, tok) in toks.iter().enumerate() {
        if k > 0 && tok.space {
            s.push(' ');
        }
        s.push_str(&tok.text);
    }
    s
}

/// A folder for a message: the current folder (an empty path) as `.`.
fn display_dir(dir: &Path) -> String {
    if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.display().to_string()
    }
}
