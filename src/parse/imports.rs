//! The `import`s of a preprocessed file, found by a scan of its text instead of a parse, so that
//! the files it imports can be read while it is still being parsed (`model::load`). The grammar
//! stays the authority: the loader uses what this finds only after checking that the parse found
//! the same imports at the same places.

use super::ast::Name;
use super::build::unescape;
use super::nesting::skip_quoted;

/// The file names of every `import "a.idl", "b.idl";` in `text`, in order, each spanning its
/// string literal as the parser's [`Name`] does. Literals and comments are skipped; a statement
/// that does not scan as an import is ignored (the parse decides what it is).
pub fn scan(text: &str) -> Vec<Name> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = skip_quoted(bytes, i) + 1,
            b'/' if matches!(bytes.get(i + 1), Some(b'*' | b'/')) => i = skip_comment(text, i),
            b if is_ident(b) => {
                let start = i;
                while i < bytes.len() && is_ident(bytes[i]) {
                    i += 1;
                }
                if &text[start..i] == "import" {
                    i = names(text, i, &mut out);
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// Reads `"a.idl", "b.idl";` from `i` (just after `import`) into `out`; returns where it stopped.
fn names(text: &str, mut i: usize, out: &mut Vec<Name>) -> usize {
    let bytes = text.as_bytes();
    loop {
        i = skip_blank(text, i);
        if bytes.get(i) != Some(&b'"') {
            return i;
        }
        let end = skip_quoted(bytes, i);
        if bytes.get(end) != Some(&b'"') {
            return end;
        }
        out.push(Name {
            text: unescape(&text[i + 1..end]),
            span: i..end + 1,
        });
        i = skip_blank(text, end + 1);
        match bytes.get(i) {
            Some(b',') => i += 1,
            _ => return i,
        }
    }
}

/// Past whitespace and comments, as the grammar's `WHITESPACE` skips them.
fn skip_blank(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(i) {
            Some(b' ' | b'\t'..=b'\r') => i += 1,
            Some(b'/') if matches!(bytes.get(i + 1), Some(b'*' | b'/')) => {
                i = skip_comment(text, i)
            }
            _ => return i,
        }
    }
}

/// Past the comment that starts at `i` (an unterminated block comment runs to the end).
fn skip_comment(text: &str, i: usize) -> usize {
    if text.as_bytes()[i + 1] == b'*' {
        text[i + 2..]
            .find("*/")
            .map_or(text.len(), |end| i + 2 + end + 2)
    } else {
        text[i..].find('\n').map_or(text.len(), |end| i + end)
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, &str)> {
        scan(text)
            .into_iter()
            .map(|n| (n.text, &text[n.span]))
            .collect()
    }

    #[test]
    fn finds_imports_where_the_parser_does() {
        let text = "import \"a.idl\";\n[uuid(1)] library L { import /* x */ \"b.idl\" ,\n\"c\\\\d.idl\"; \
                    importlib(\"stdole2.tlb\"); };";
        assert_eq!(
            found(text),
            [
                ("a.idl".to_string(), "\"a.idl\""),
                ("b.idl".to_string(), "\"b.idl\""),
                ("c\\d.idl".to_string(), "\"c\\\\d.idl\""),
            ]
        );
    }

    #[test]
    fn skips_literals_comments_and_other_words() {
        let text = "cpp_quote(\"import \\\"x.idl\\\";\") // import \"y.idl\";\n\
                    /* import \"z.idl\"; */ long reimport; void f(long import); 'i' import";
        assert!(found(text).is_empty());
    }
}
