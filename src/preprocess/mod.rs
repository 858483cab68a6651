//! The C preprocessor subset that MIDL files rely on.
//!
//! MIDL runs its input through a C preprocessor: Wine's IDL files include C headers for `DISPID_*`
//! constants, erase attributes with empty macros and pick branches with `#ifdef __WIDL__`. This
//! module does that work itself (widl has its own preprocessor, wpp, too) so that it can keep a
//! [`LineMap`] from every byte of output back to the file and offset it came from.
//!
//! Text that passes through is copied byte for byte, comments turned into spaces of the same
//! length, so one map segment covers a whole run of it; directive lines and skipped branches
//! leave only their newlines, and a macro expansion maps wholly to the macro's use. Lines stay
//! where they were, so positions in the output read like positions in the file.

mod directive;
mod expr;
mod lex;
mod macros;
mod read;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineMap, Loc, SourceSet};
use lex::{Kind, Lexer, Raw, Tok, Unterminated};
use macros::{Expander, Input, Macro, Macros};
pub(crate) use read::read_source;

/// What the command line says to the preprocessor.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-I` folders, searched in order after the including file's own folder.
    pub include_dirs: Vec<PathBuf>,
    /// `-D NAME[=VALUE]`, in command-line order.
    pub defines: Vec<(String, Option<String>)>,
}

/// The preprocessed text of one file and the files it `#include`d.
#[derive(Debug)]
pub struct Output {
    pub text: String,
    pub map: LineMap,
    /// The file itself first, then every file it included, in the order they were first read.
    pub files: Vec<FileId>,
    /// For each of `files` after the first, the `#include` that first read it here.
    pub included_at: Vec<Loc>,
}

/// The macros widl 8 defines before reading a file, so that Wine's SDK files (written for widl)
/// take the same branches here. From tools/widl/widl.c: `__WIDL__` is the widl version as
/// 0xMMmmpp (`add_widl_version_define`; 8.0, the version the test bench runs, gives 0x80000) and
/// `_WIN32` is 1. wpp adds `__FILE__` and `__LINE__` (built in, below) and `__DATE__`/`__TIME__`,
/// which are left out so that the output is the same on every run. widl defines neither `__midl`
/// (Microsoft's MIDL does, and Wine's headers test `__midl || __WIDL__`) nor `_WIN64`, whatever
/// the target; `-D` adds them for files that need them.
const PREDEFINED: &str = "#define __WIDL__ 0x80000\n#define _WIN32 1\n";

/// How deeply `#include`s may nest before a file is taken to include itself.
const MAX_INCLUDE_DEPTH: usize = 64;

/// The most preprocessed text one run reads, all its files together: several times what the
/// largest real IDL file (Wine's mshtml.idl, with all it imports, 2.8 MiB) gives, and little
/// enough that parsing and resolving it take seconds and well under 2 GB, whatever it holds.
pub const MAX_OUTPUT: usize = 6 << 20;

/// The error for a run whose preprocessed text outgrew [`MAX_OUTPUT`], at `at`.
pub fn too_large(sources: &SourceSet, at: Loc) -> Diagnostic {
    Diagnostic::at(
        sources,
        at,
        1,
        format!(
            "the preprocessed input is larger than {} MiB",
            MAX_OUTPUT >> 20
        ),
        "it passed the limit here",
    )
    .with_help("is a macro expanding to far more text than intended?")
}

/// Preprocesses the file at `path`, adding it and every file it includes to `sources`.
/// `included_from` is the `import` that asked for it, if any.
///
/// A file already in `sources` is not read again. Macros do not carry over from one call to the
/// next: each file starts from the predefined macros and `options.defines`, as each MIDL
/// `import` does.
pub fn preprocess(
    sources: &mut SourceSet,
    path: &Path,
    included_from: Option<Loc>,
    options: &Options,
) -> Result<Output, Diagnostic> {
    let macros = predefined(options)?;
    let file = match sources.find(path) {
        Some(id) => id,
        None => {
            let text = read_source(path).map_err(|e| {
                let message = format!("cannot read `{}`: {e}", path.display());
                match included_from {
                    Some(at) => Diagnostic::at(sources, at, 1, message, "required here"),
                    None => Diagnostic::new(message),
                }
            })?;
            sources.add(path.to_path_buf(), text, included_from)
        }
    };
    let mut pp = Preprocessor::new(sources, &options.include_dirs, macros);
    pp.files.push(file);
    pp.run_file(file)?;
    Ok(Output {
        text: pp.out,
        map: pp.map,
        files: pp.files,
        included_at: pp.included_at,
    })
}

/// The predefined macros plus `-D`s, read as `#define` lines of a `<command line>` file that
/// lives only here (it is no input to report or to watch), so a bad `-D` gets a located message.
fn predefined(options: &Options) -> Result<Macros, Diagnostic> {
    let one_line = |s: &str| s.replace(['\r', '\n'], " ");
    let mut text = String::from(PREDEFINED);
    for (name, value) in &options.defines {
        let value = value.as_deref().unwrap_or("1");
        text.push_str(&format!("#define {} {}\n", one_line(name), one_line(value)));
    }
    let mut scratch = SourceSet::new();
    let id = scratch.add(PathBuf::from("<command line>"), text, None);
    let mut macros = Macros::new();
    macros.insert("__FILE__".into(), Macro::File);
    macros.insert("__LINE__".into(), Macro::Line);
    let mut pp = Preprocessor::new(&mut scratch, &[], macros);
    pp.run_file(id)?;
    Ok(pp.macros)
}

/// One `#if` group being read.
struct Cond {
    /// The `#if` itself, for "unterminated" errors.
    loc: Loc,
    len: usize,
    state: CondState,
    seen_else: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CondState {
    /// This branch is being read.
    Active,
    /// No branch has been taken yet; a later `#elif`/`#else` may be.
    Pending,
    /// A branch was taken, or the whole group is inside a skipped branch.
    Done,
}

struct Preprocessor<'a> {
    sources: &'a mut SourceSet,
    include_dirs: &'a [PathBuf],
    macros: Macros,
    conds: Vec<Cond>,
    out: String,
    map: LineMap,
    files: Vec<FileId>,
    included_at: Vec<Loc>,
    include_depth: usize,
    /// Files that said `#pragma once`, by canonical path.
    once: HashSet<PathBuf>,
}

/// How far one file has been written to the output.
struct Cursor {
    file: FileId,
    /// Text from here on has not been written yet.
    copy_from: usize,
    /// The output no longer lines up with `copy_from`: the next copy needs a new map segment.
    resync: bool,
    /// `conds` entries below this belong to the files that included this one.
    cond_base: usize,
}

impl<'a> Preprocessor<'a> {
    fn new(sources: &'a mut SourceSet, include_dirs: &'a [PathBuf], macros: Macros) -> Self {
        Preprocessor {
            sources,
            include_dirs,
            macros,
            conds: Vec::new(),
            out: String::new(),
            map: LineMap::default(),
            files: Vec::new(),
            included_at: Vec::new(),
            include_depth: 0,
            once: HashSet::new(),
        }
    }

    fn active(&self) -> bool {
        self.conds
            .last()
            .is_none_or(|c| c.state == CondState::Active)
    }

    fn run_file(&mut self, file: FileId) -> Result<(), Diagnostic> {
        let text = self.sources.get(file).text.clone();
        let src: &str = &text;
        let mut lx = Lexer::new(src);
        let mut cur = Cursor {
            file,
            copy_from: 0,
            resync: true,
            cond_base: self.conds.len(),
        };
        while lx.pos < src.len() {
            let line_start = lx.pos;
            if let Some(hash) = lx.directive_start() {
                self.directive(&mut cur, &mut lx, line_start, hash)?;
            } else if self.active() {
                self.text_line(&mut cur, &mut lx)?;
                if self.out.len() + lx.pos.saturating_sub(cur.copy_from) > MAX_OUTPUT {
                    let at = Loc {
                        file,
                        offset: line_start,
                    };
                    return Err(too_large(self.sources, at));
                }
            } else {
                self.skip_line(&cur, &mut lx)?;
                self.drop_text(&mut cur, src, line_start, lx.pos);
            }
        }
        self.copy_to(&mut cur, src, src.len());
        if let Some(open) = self.conds.get(cur.cond_base) {
            let name = self.sources.get(file).path.display().to_string();
            return Err(Diagnostic::at(
                self.sources,
                open.loc,
                open.len,
                "unterminated conditional directive",
                format!("expected `#endif` for this before the end of `{name}`"),
            ));
        }
        Ok(())
    }

    /// Reads one line of text in an active branch, expanding macros.
    fn text_line(&mut self, cur: &mut Cursor, lx: &mut Lexer) -> Result<(), Diagnostic> {
        loop {
            let raw = match lx.next() {
                Ok(Some(raw)) => raw,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.unterminated(cur.file, e)),
            };
            match raw.kind {
                Kind::Newline => return Ok(()),
                Kind::Blank => self.blank(cur, lx.src(), raw.start, raw.end),
                Kind::Ident => {
                    let name = lx.text(raw);
                    let expand = match self.macros.get(&*name) {
                        None => false,
                        Some(m) if m.is_function() => {
                            let mut input = FileInput { lx, file: cur.file };
                            input.peek_lparen().map_err(|at| self.unterminated_at(at))?
                        }
                        Some(_) => true,
                    };
                    if expand {
                        self.expand_in_text(cur, lx, raw)?;
                        if self.out.len() > MAX_OUTPUT {
                            let at = Loc {
                                file: cur.file,
                                offset: raw.start,
                            };
                            return Err(too_large(self.sources, at));
                        }
                    } else if raw.spliced {
                        self.cleaned(cur, lx, raw);
                    }
                }
                _ if raw.spliced => self.cleaned(cur, lx, raw),
                _ => {}
            }
        }
    }

    /// Skips one line of a branch that is not taken.
    fn skip_line(&self, cur: &Cursor, lx: &mut Lexer) -> Result<(), Diagnostic> {
        loop {
            match lx.next() {
                Ok(Some(Raw {
                    kind: Kind::Newline,
                    ..
                }))
                | Ok(None) => return Ok(()),
                Ok(Some(_)) => {}
                Err(e) => return Err(self.unterminated(cur.file, e)),
            }
        }
    }

    /// Replaces the macro use at `raw` (and the arguments it takes from the text after it) by
    /// its expansion.
    fn expand_in_text(
        &mut self,
        cur: &mut Cursor,
        lx: &mut Lexer,
        raw: Raw,
    ) -> Result<(), Diagnostic> {
        let src = lx.src();
        let at = Loc {
            file: cur.file,
            offset: raw.start,
        };
        let mut pending = vec![Tok::new(Kind::Ident, &lx.text(raw), at, false)];
        let mut expansion = Vec::new();
        let mut input = FileInput { lx, file: cur.file };
        Expander::new(&self.macros, self.sources, false).run(
            &mut pending,
            &mut input,
            &mut expansion,
        )?;
        let end = lx.pos;
        self.copy_to(cur, src, raw.start);
        self.map.generated(self.out.len(), at);
        write_tokens(&mut self.out, &expansion);
        // Newlines inside the call stay, so the text after it stays on its line.
        let newlines = count_newlines(&src[raw.start..end]);
        if newlines == 0
            && let (Some(&last), Some(&next)) =
                (self.out.as_bytes().last(), src.as_bytes().get(end))
            && glues(last, next)
        {
            self.out.push(' ');
        }
        self.out.extend(std::iter::repeat_n('\n', newlines));
        cur.copy_from = end;
        cur.resync = true;
        Ok(())
    }

    /// Copies the file's text up to `upto` unchanged.
    fn copy_to(&mut self, cur: &mut Cursor, src: &str, upto: usize) {
        if upto > cur.copy_from {
            self.resync(cur);
            self.out.push_str(&src[cur.copy_from..upto]);
            cur.copy_from = upto;
        }
    }

    fn resync(&mut self, cur: &mut Cursor) {
        if cur.resync {
            let origin = Loc {
                file: cur.file,
                offset: cur.copy_from,
            };
            self.map.copied(self.out.len(), origin);
            cur.resync = false;
        }
    }

    /// Writes `src[start..end]` (a comment) as spaces, newlines kept: same length, so the map
    /// segment that covers the text around it stays valid.
    fn blank(&mut self, cur: &mut Cursor, src: &str, start: usize, end: usize) {
        self.copy_to(cur, src, start);
        self.resync(cur);
        let blanks = src.as_bytes()[start..end]
            .iter()
            .map(|&b| if b == b'\n' { '\n' } else { ' ' });
        self.out.extend(blanks);
        cur.copy_from = end;
    }

    /// Writes a token that contains line splices without them, padded to its length with the
    /// removed newlines so that the text after it keeps its place and line.
    fn cleaned(&mut self, cur: &mut Cursor, lx: &Lexer, raw: Raw) {
        let src = lx.src();
        self.copy_to(cur, src, raw.start);
        self.resync(cur);
        let text = lx.text(raw);
        let newlines = count_newlines(&src[raw.start..raw.end]);
        let spaces = (raw.end - raw.start).saturating_sub(text.len() + newlines);
        self.out.push_str(&text);
        self.out.extend(std::iter::repeat_n(' ', spaces));
        self.out.extend(std::iter::repeat_n('\n', newlines));
        cur.copy_from = raw.end;
    }

    /// Leaves `src[start..end]` (a directive, a skipped line) out but for its newlines, which map
    /// to the text that follows.
    fn drop_text(&mut self, cur: &mut Cursor, src: &str, start: usize, end: usize) {
        self.copy_to(cur, src, start);
        let newlines = count_newlines(&src[start..end]);
        if newlines > 0 {
            let next = Loc {
                file: cur.file,
                offset: end,
            };
            self.map.generated(self.out.len(), next);
            self.out.extend(std::iter::repeat_n('\n', newlines));
        }
        cur.copy_from = end;
        cur.resync = true;
    }

    fn unterminated(&self, file: FileId, Unterminated(offset): Unterminated) -> Diagnostic {
        self.unterminated_at(Loc { file, offset })
    }

    fn unterminated_at(&self, at: Loc) -> Diagnostic {
        Diagnostic::at(
            self.sources,
            at,
            2,
            "unterminated comment",
            "expected `*/` before the end of the file",
        )
    }
}

/// The text after a macro use, from which a function-like macro takes its arguments. Arguments
/// may span lines but not run into a directive.
struct FileInput<'l, 'a> {
    lx: &'l mut Lexer<'a>,
    file: FileId,
}

impl Input for FileInput<'_, '_> {
    fn next(&mut self) -> Result<Option<Tok>, Loc> {
        let mut space = false;
        loop {
            let raw = match self.lx.next() {
                Ok(Some(raw)) => raw,
                Ok(None) => return Ok(None),
                Err(Unterminated(offset)) => {
                    return Err(Loc {
                        file: self.file,
                        offset,
                    });
                }
            };
            match raw.kind {
                Kind::Space | Kind::Blank => space = true,
                Kind::Newline if self.lx.directive_follows() => return Ok(None),
                Kind::Newline => space = true,
                kind => {
                    let loc = Loc {
                        file: self.file,
                        offset: raw.start,
                    };
                    return Ok(Some(Tok::new(kind, &self.lx.text(raw), loc, space)));
                }
            }
        }
    }

    fn peek_lparen(&mut self) -> Result<bool, Loc> {
        let save = self.lx.pos;
        let next = self.next();
        self.lx.pos = save;
        Ok(next?.is_some_and(|t| t.is("(")))
    }
}

/// Writes expanded tokens, with a space where the source had whitespace or where two tokens
/// would otherwise run together into one.
fn write_tokens(out: &mut String, toks: &[Tok]) {
    for (k, tok) in toks.iter().enumerate() {
        let glued = match (out.as_bytes().last(), tok.text.as_bytes().first()) {
            (Some(&a), Some(&b)) => glues(a, b),
            _ => false,
        };
        if (k > 0 && tok.space) || glued {
            out.push(' ');
        }
        out.push_str(&tok.text);
    }
}

/// Whether the characters `a` and `b` written side by side could read as one token.
fn glues(a: u8, b: u8) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    let op = |c: u8| b"+-*/%<>=!&|^#:.".contains(&c);
    (word(a) && (word(b) || b == b'"' || b == b'\'')) || (op(a) && op(b)) || (a == b'.' && word(b))
}

fn count_newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}
