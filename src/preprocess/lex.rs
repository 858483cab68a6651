//! Preprocessing tokens.
//!
//! The [`Lexer`] works on the file's text in place and hands out byte ranges ([`Raw`]), so the
//! common case, text that passes through untouched, costs no allocation. Line splices
//! (`\` newline) are skipped wherever they occur, as translation phase 2 demands; a token that
//! contains one is flagged so that its text can be cleaned when it is needed. Only tokens that
//! take part in a directive or a macro expansion become owned [`Tok`]s.

use std::borrow::Cow;
use std::rc::Rc;

use crate::source::Loc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Ident,
    Number,
    Str,
    Char,
    Punct,
    /// Any other character (`@`, `` ` ``, a lone `\`, non-ASCII text).
    Other,
    /// Horizontal whitespace without splices; copied to the output as it is.
    Space,
    /// Comments, whitespace containing splices and a byte-order mark: replaced by spaces (newlines
    /// kept) in the output.
    Blank,
    Newline,
    /// A pasting placeholder for an empty macro argument; never leaves the expander.
    Placemarker,
}

/// One token as a range of the file's text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Raw {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// Whether a line splice occurs inside the token, so its text needs cleaning.
    pub spliced: bool,
}

/// A comment that never ends; carries the offset of its `/*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Unterminated(pub usize);

const PUNCT3: [&[u8]; 3] = [b"...", b"<<=", b">>="];
const PUNCT2: [&[u8]; 21] = [
    b"##", b"->", b"++", b"--", b"<<", b">>", b"<=", b">=", b"==", b"!=", b"&&", b"||", b"*=",
    b"/=", b"%=", b"+=", b"-=", b"&=", b"^=", b"|=", b"::",
];

pub(super) struct Lexer<'a> {
    src: &'a str,
    pub pos: usize,
    spliced: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer {
            src,
            pos: 0,
            spliced: false,
        }
    }

    pub fn src(&self) -> &'a str {
        self.src
    }

    /// The index of the next real character at or after `i`, skipping line splices.
    fn skip(&mut self, mut i: usize) -> usize {
        let b = self.src.as_bytes();
        while b.get(i) == Some(&b'\\') {
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(b'\n'), _) => i += 2,
                (Some(b'\r'), Some(b'\n')) => i += 3,
                _ => break,
            }
            self.spliced = true;
        }
        i
    }

    /// The character at `i` (after splices) and the index just past it.
    fn at(&mut self, i: usize) -> Option<(u8, usize)> {
        let j = self.skip(i);
        self.src.as_bytes().get(j).map(|&c| (c, j + 1))
    }

    /// The next token, `None` at the end of the text.
    pub fn next(&mut self) -> Result<Option<Raw>, Unterminated> {
        self.spliced = false;
        let start = self.pos;
        let Some((c, mut i)) = self.at(start) else {
            self.pos = self.src.len();
            // Trailing splices at the very end are whitespace.
            return Ok((start < self.pos).then_some(Raw {
                kind: Kind::Blank,
                start,
                end: self.pos,
                spliced: true,
            }));
        };
        if self.spliced && c != b' ' && c != b'\t' {
            // A splice before a token belongs to the whitespace in front of it.
            let end = self.skip(start);
            self.pos = end;
            return Ok(Some(Raw {
                kind: Kind::Blank,
                start,
                end,
                spliced: true,
            }));
        }
        let kind = match c {
            b'\n' => Kind::Newline,
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                while let Some((b' ' | b'\t' | b'\r' | 0x0b | 0x0c, n)) = self.at(i) {
                    i = n;
                }
                Kind::Space
            }
            b'/' => match self.at(i) {
                Some((b'*', n)) => {
                    i = self.block_comment(start, n)?;
                    Kind::Blank
                }
                Some((b'/', n)) => {
                    i = n;
                    while let Some((c, n)) = self.at(i) {
                        if c == b'\n' {
                            break;
                        }
                        i = n;
                    }
                    Kind::Blank
                }
                _ => self.punct(start, &mut i),
            },
            b'"' | b'\'' => {
                i = self.quoted(c, i);
                if c == b'"' { Kind::Str } else { Kind::Char }
            }
            b'0'..=b'9' => {
                i = self.number(i);
                Kind::Number
            }
            b'.' if matches!(self.at(i), Some((b'0'..=b'9', _))) => {
                i = self.number(i);
                Kind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                while let Some((c, n)) = self.at(i)
                    && (c.is_ascii_alphanumeric() || c == b'_' || c == b'$')
                {
                    i = n;
                }
                // Encoding prefixes: L"x", u8"x", u'x', ...
                match (&self.src.as_bytes()[start..i], self.at(i)) {
                    (b"L" | b"u" | b"U" | b"u8", Some((q @ (b'"' | b'\''), n))) => {
                        i = self.quoted(q, n);
                        if q == b'"' { Kind::Str } else { Kind::Char }
                    }
                    _ => Kind::Ident,
                }
            }
            0xEF if start == 0 && self.src.starts_with('\u{feff}') => {
                i = 3;
                Kind::Blank
            }
            0x80.. => {
                // A run of non-ASCII bytes always ends on a character boundary.
                let b = self.src.as_bytes();
                while b.get(i).is_some_and(|&c| c >= 0x80) {
                    i += 1;
                }
                Kind::Other
            }
            c if c.is_ascii_punctuation() && !matches!(c, b'@' | b'`' | b'\\') => {
                self.punct(start, &mut i)
            }
            _ => Kind::Other,
        };
        self.pos = i;
        // Looking ahead may have stepped over a splice just past the token.
        let spliced = self.spliced && has_splice(&self.src[start..i]);
        let kind = if kind == Kind::Space && spliced {
            Kind::Blank
        } else {
            kind
        };
        Ok(Some(Raw {
            kind,
            start,
            end: i,
            spliced,
        }))
    }

    /// The end of a `/* */` comment whose body starts at `i`.
    fn block_comment(&mut self, start: usize, mut i: usize) -> Result<usize, Unterminated> {
        let mut star = false;
        loop {
            let Some((c, n)) = self.at(i) else {
                return Err(Unterminated(start));
            };
            if star && c == b'/' {
                return Ok(n);
            }
            star = c == b'*';
            i = n;
        }
    }

    /// The end of a string or character literal whose body starts at `i`. A literal that is not
    /// closed on its line ends there: it is passed on as it is (an apostrophe in `#error` text or
    /// in a skipped block is no error).
    fn quoted(&mut self, quote: u8, mut i: usize) -> usize {
        while let Some((c, n)) = self.at(i) {
            match c {
                b'\n' => return i,
                b'\\' => match self.at(n) {
                    Some((b'\n', _)) | None => return n,
                    Some((_, n)) => i = n,
                },
                c if c == quote => return n,
                _ => i = n,
            }
        }
        i
    }

    /// The end of a pp-number whose first character ends at `i`.
    fn number(&mut self, mut i: usize) -> usize {
        while let Some((c, n)) = self.at(i) {
            match c {
                b'e' | b'E' | b'p' | b'P' => {
                    i = n;
                    if let Some((b'+' | b'-', n)) = self.at(i) {
                        i = n;
                    }
                }
                c if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' => i = n,
                _ => break,
            }
        }
        i
    }

    /// The longest punctuator starting at `start`; `i` is just past its first character.
    fn punct(&mut self, start: usize, i: &mut usize) -> Kind {
        let mut chars = [0u8; 3];
        let mut ends = [*i; 3];
        chars[0] = self.src.as_bytes()[self.skip(start)];
        for k in 1..3 {
            match self.at(ends[k - 1]) {
                Some((c, n)) => {
                    chars[k] = c;
                    ends[k] = n;
                }
                None => break,
            }
        }
        if PUNCT3.contains(&&chars[..]) {
            *i = ends[2];
        } else if PUNCT2.contains(&&chars[..2]) {
            *i = ends[1];
        }
        Kind::Punct
    }

    /// The text of a token, with any line splices removed.
    pub fn text(&self, raw: Raw) -> Cow<'a, str> {
        let text = &self.src[raw.start..raw.end];
        if raw.spliced {
            Cow::Owned(unsplice(text))
        } else {
            Cow::Borrowed(text)
        }
    }

    /// Whether the next line (the lexer being just past a newline) is a directive. Does not move.
    pub fn directive_follows(&mut self) -> bool {
        let save = self.pos;
        let found = self.directive_start().is_some();
        self.pos = save;
        found
    }

    /// If the rest of the current line starts with `#` (after whitespace and comments), moves
    /// past the `#` and returns its offset; otherwise does not move.
    pub fn directive_start(&mut self) -> Option<usize> {
        let save = self.pos;
        loop {
            match self.next() {
                Ok(Some(Raw {
                    kind: Kind::Space | Kind::Blank,
                    ..
                })) => continue,
                Ok(Some(raw)) if raw.kind == Kind::Punct && &*self.text(raw) == "#" => {
                    return Some(raw.start);
                }
                _ => {
                    self.pos = save;
                    return None;
                }
            }
        }
    }
}

fn has_splice(text: &str) -> bool {
    text.contains("\\\n") || text.contains("\\\r\n")
}

/// `text` without its line splices.
pub(super) fn unsplice(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('\n') {
            rest = r;
        } else if let Some(r) = after.strip_prefix("\r\n") {
            rest = r;
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The macros hidden from a token: those whose expansion produced it (C's "hide set", which is
/// what stops a macro from expanding inside its own expansion).
#[derive(Clone, Debug, Default)]
pub(super) struct HideSet(Option<Rc<[Rc<str>]>>);

impl HideSet {
    pub fn contains(&self, name: &str) -> bool {
        self.0
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|n| &**n == name)
    }

    fn names(&self) -> &[Rc<str>] {
        self.0.as_deref().unwrap_or_default()
    }

    /// This set plus `other`.
    pub fn union(&self, other: &HideSet) -> HideSet {
        if self.0.is_none() {
            return other.clone();
        }
        if other.names().iter().all(|n| self.contains(n)) {
            return self.clone();
        }
        let mut names = self.names().to_vec();
        names.extend(other.names().iter().filter(|n| !self.contains(n)).cloned());
        HideSet(Some(names.into()))
    }

    /// This set plus one name.
    pub fn with(&self, name: &Rc<str>) -> HideSet {
        self.union(&HideSet(Some(Rc::from([name.clone()]))))
    }

    /// Whether both are the same shared set (a cheap test that saves recomputing a union).
    pub fn same(&self, other: &HideSet) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }

    pub fn intersect(&self, other: &HideSet) -> HideSet {
        let names: Vec<_> = self
            .names()
            .iter()
            .filter(|n| other.contains(n))
            .cloned()
            .collect();
        HideSet((!names.is_empty()).then(|| names.into()))
    }
}

/// A token that takes part in a directive or a macro expansion.
#[derive(Clone, Debug)]
pub(super) struct Tok {
    pub kind: Kind,
    pub text: Rc<str>,
    /// Where the token was written, or, once it is part of an expansion, the macro use.
    pub loc: Loc,
    /// Whether whitespace came before it.
    pub space: bool,
    pub hide: HideSet,
}

impl Tok {
    pub fn new(kind: Kind, text: &str, loc: Loc, space: bool) -> Self {
        Tok {
            kind,
            text: text.into(),
            loc,
            space,
            hide: HideSet::default(),
        }
    }

    pub fn is(&self, punct: &str) -> bool {
        self.kind == Kind::Punct && &*self.text == punct
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> Vec<(Kind, String)> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        while let Some(raw) = lx.next().unwrap() {
            out.push((raw.kind, lx.text(raw).into_owned()));
        }
        out
    }

    fn kinds(src: &str) -> Vec<Kind> {
        lex(src).into_iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn splits_punctuators_longest_first() {
        let texts: Vec<_> = lex("a<<=b...##c->d").into_iter().map(|(_, t)| t).collect();
        assert_eq!(texts, ["a", "<<=", "b", "...", "##", "c", "->", "d"]);
    }

    #[test]
    fn comment_markers_inside_strings_are_text() {
        use Kind::*;
        assert_eq!(
            kinds("helpstring(\"http://x/*y*/\") // c\n"),
            [Ident, Punct, Str, Punct, Space, Blank, Newline]
        );
        assert_eq!(
            kinds("'\"' /* a\nb */ x"),
            [Char, Space, Blank, Space, Ident]
        );
    }

    #[test]
    fn splices_join_tokens_and_become_blank() {
        let toks = lex("ab\\\ncd \\\r\n+ x\\\n");
        assert_eq!(toks[0], (Kind::Ident, "abcd".into()));
        assert_eq!(toks[1], (Kind::Space, " ".into()));
        assert_eq!(toks[2], (Kind::Blank, "".into()));
        assert_eq!(toks[3], (Kind::Punct, "+".into()));
        assert_eq!(toks[5], (Kind::Ident, "x".into()));
        assert_eq!(toks[6], (Kind::Blank, "".into()));
        assert_eq!(unsplice("a\\\\\nb\\x"), "a\\b\\x");
    }

    #[test]
    fn numbers_literals_and_prefixes() {
        use Kind::*;
        assert_eq!(
            kinds("0x1Fu 1e+5 .5 L\"w\" u8'c' 'unterminated\nx"),
            [
                Number, Space, Number, Space, Number, Space, Str, Space, Char, Space, Char,
                Newline, Ident
            ]
        );
    }

    #[test]
    fn unterminated_comment_reports_its_start() {
        let mut lx = Lexer::new("a /* never");
        assert!(lx.next().unwrap().is_some());
        assert!(lx.next().unwrap().is_some());
        assert_eq!(lx.next().unwrap_err(), Unterminated(2));
    }

    #[test]
    fn non_ascii_and_bom_do_not_split_characters() {
        use Kind::*;
        assert_eq!(kinds("\u{feff}é€ x"), [Blank, Other, Space, Ident]);
        assert_eq!(kinds("a\\"), [Ident, Other]);
    }

    #[test]
    fn finds_directives_after_whitespace_and_comments() {
        let mut lx = Lexer::new("  /* c */ # define");
        assert_eq!(lx.directive_start(), Some(10));
        let mut lx = Lexer::new("  x # define");
        assert_eq!(lx.directive_start(), None);
        assert_eq!(lx.pos, 0);
    }

    #[test]
    fn hide_sets_union_and_intersect() {
        let a: Rc<str> = "A".into();
        let b: Rc<str> = "B".into();
        let ab = HideSet::default().with(&a).with(&b);
        let b_only = HideSet::default().with(&b);
        assert!(ab.contains("A") && ab.contains("B"));
        let both = ab.intersect(&b_only);
        assert!(!both.contains("A") && both.contains("B"));
        assert!(b_only.union(&ab).contains("A"));
    }
}
