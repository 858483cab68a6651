//! The lists of windows-bindgen's text marked as the templates mark theirs (see
//! [`super::super::lists`]), so that an interface of thousands of methods, whose `impl`, `_Vtbl`
//! struct, `_Vtbl::new` and `_Impl` trait are each one item, is printed a chunk at a time.
//!
//! windows-bindgen writes its items as a token stream's text, so the lists are found by their
//! brackets: a `{...}` group after `impl ...` or `trait ...` holds items, after `struct Name`
//! fields, after a function's signature items (its nested `extern "system" fn`s) and then an
//! expression, and after a bare path (`Self`) a struct expression's fields. A list found wrong
//! does not parse in pieces or does not print as its frame says, and then its text is printed
//! whole.

use std::ops::Range;

/// Groups with less text than this are left unmarked (they are far from worth a piece).
const MIN_GROUP: usize = 1024;

/// `text` with its large lists marked.
pub fn mark(text: &str) -> String {
    let mut insertions: Vec<(usize, &'static str)> = Vec::new();
    for (head, inside) in groups(text) {
        if inside.len() < MIN_GROUP {
            continue;
        }
        let Some((opening, members)) = list(text, &text[head], inside) else {
            continue;
        };
        if members.len() < 2 {
            continue;
        }
        insertions.push((members[0].start, opening));
        for member in &members {
            insertions.push((member.start, "\n/*\"-*/\n"));
        }
        insertions.push((members[members.len() - 1].end, "\n/*\"end*/\n"));
    }
    // Groups come in the order they close, inner ones first; at one offset the markers keep
    // the order they were found in.
    insertions.sort_by_key(|&(at, _)| at);
    let mut out = String::with_capacity(text.len() + insertions.len() * 12);
    let mut copied = 0;
    for (at, marker) in insertions {
        out.push_str(&text[copied..at]);
        out.push_str(marker);
        copied = at;
    }
    out.push_str(&text[copied..]);
    out
}

/// The opening marker and the members of the `{...}` group whose inside is `inside`, by `head`,
/// what comes before it since the item or statement it is in began.
fn list(text: &str, head: &str, inside: Range<usize>) -> Option<(&'static str, Vec<Range<usize>>)> {
    let words: Vec<&str> = head
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let body = &text[inside.clone()];
    let at = |ranges: Vec<Range<usize>>| -> Vec<Range<usize>> {
        ranges
            .into_iter()
            .map(|r| r.start + inside.start..r.end + inside.start)
            .filter(|r| !text[r.clone()].trim().is_empty())
            .collect()
    };
    if words.first() == Some(&"impl")
        || words.starts_with(&["unsafe", "impl"])
        || words.contains(&"trait")
    {
        return Some(("\n/*\"items*/\n", at(members(body, Separator::Items))));
    }
    if words.contains(&"struct") {
        return Some(("\n/*\"fields*/\n", at(members(body, Separator::Comma))));
    }
    if words.contains(&"fn") {
        // The nested functions, up to the statement or expression the body ends with.
        let mut items = at(members(body, Separator::Items));
        if let Some(statement) = items.iter().position(|m| !is_item(&text[m.clone()])) {
            items.truncate(statement);
        }
        return Some(("\n/*\"items*/\n", items));
    }
    let path = head.trim();
    let is_path = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == ':')
        && !matches!(
            path,
            "unsafe" | "else" | "loop" | "async" | "move" | "const"
        );
    is_path.then(|| ("\n/*\"values*/\n", at(members(body, Separator::Comma))))
}

/// Whether a member of a function's body is a nested function (an item, which prints the same
/// wherever it stands), not a statement or the final expression (an `unsafe { ... }` block).
fn is_item(member: &str) -> bool {
    let mut rest = member.trim_start();
    while let Some(after) = ["pub ", "const ", "unsafe ", "extern \"system\" "]
        .iter()
        .find_map(|prefix| rest.strip_prefix(prefix))
    {
        rest = after.trim_start();
    }
    rest.starts_with("fn ")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// Items: each ends at a `;` outside brackets, or at a `}` closing a group that no `;`
    /// follows.
    Items,
    /// Fields: each ends after a `,` outside brackets (and turbofish angle brackets).
    Comma,
}

/// The members of a group's inside `body`, by `separator`.
fn members(body: &str, separator: Separator) -> Vec<Range<usize>> {
    let mut members = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    let mut angles = 0usize;
    scan(body, |at, byte| {
        match byte {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' => {
                depth = depth.saturating_sub(1);
                let follows_semicolon = body[at + 1..].trim_start().starts_with(';');
                if separator == Separator::Items && depth == 0 && !follows_semicolon {
                    members.push(start..at + 1);
                    start = at + 1;
                }
            }
            b';' if separator == Separator::Items && depth == 0 => {
                members.push(start..at + 1);
                start = at + 1;
            }
            // `::<` opens a turbofish, whose commas are not the fields'.
            b'<' if body[..at].trim_end().ends_with("::") => angles += 1,
            b'>' if angles > 0 && !body[..at].ends_with('-') => angles -= 1,
            b',' if separator == Separator::Comma && depth == 0 && angles == 0 => {
                members.push(start..at + 1);
                start = at + 1;
            }
            _ => {}
        }
    });
    if separator == Separator::Comma && !body[start..].trim().is_empty() {
        members.push(start..body.len());
    }
    members
}

/// Every `{...}` group of `text`, in the order they close: what comes before it since the item
/// or statement it is in began (after the last `;`, `{` or `}` at its depth), and its inside.
fn groups(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    // For each open `{`: where its inside starts, and where the current item or statement in
    // it began.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut began = 0;
    let mut groups = Vec::new();
    scan(text, |at, byte| match byte {
        b'{' => {
            open.push((at + 1, began));
            began = at + 1;
        }
        b'}' => {
            if let Some((start, outer)) = open.pop() {
                let head_start = outer;
                groups.push((head_start..start - 1, start..at));
            }
            began = at + 1;
        }
        b';' => began = at + 1,
        _ => {}
    });
    groups
}

/// Calls `visit` with each byte of `text` outside string and character literals (a `'` that
/// does not close within a character or an escape is a lifetime), and its offset.
pub(super) fn scan(text: &str, mut visit: impl FnMut(usize, u8)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 3;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                } else if let Some(close) = text[i + 1..].char_indices().nth(1)
                    && text[i + 1 + close.0..].starts_with('\'')
                {
                    i += 1 + close.0;
                }
            }
            byte => visit(i, byte),
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_functions_items_are_its_nested_functions() {
        assert!(is_item(" unsafe extern \"system\" fn f ( ) { }"));
        assert!(is_item("pub const fn new ( ) -> Self { }"));
        assert!(!is_item(" unsafe { f ( ) }"));
        assert!(!is_item("Self { a : 1 }"));
        assert!(!is_item("let x = 1 ;"));
    }

    #[test]
    fn fields_split_at_commas_outside_brackets_and_turbofish() {
        let body = " a : f:: < A , B > ( x , y ) , b : [ 1 , 2 ] , c : F -> G ";
        let members: Vec<&str> = members(body, Separator::Comma)
            .into_iter()
            .map(|m| body[m].trim())
            .collect();
        assert_eq!(
            members,
            [
                "a : f:: < A , B > ( x , y ) ,",
                "b : [ 1 , 2 ] ,",
                "c : F -> G"
            ]
        );
    }

    #[test]
    fn lists_are_told_by_what_comes_before_them() {
        let method =
            |n: usize| format!("pub fn f{n} ( & self ) -> u32 {{ \"}}\" . len ( ) as u32 }} ");
        let field =
            |n: usize| format!("pub f{n} : unsafe extern \"system\" fn ( i32 , u32 ) -> i32 , ");
        let value = |n: usize| format!("f{n} : f{n}:: < A , B > , ");
        let text = format!(
            "impl X {{ {} }} # [ repr ( C ) ] pub struct X_Vtbl {{ {} }} \
             impl X_Vtbl {{ pub const fn new < A , B > ( ) -> Self {{ {} Self {{ {} }} }} }}",
            (0..40).map(method).collect::<String>(),
            (0..40).map(field).collect::<String>(),
            (0..40)
                .map(|n| format!("unsafe extern \"system\" fn f{n} ( ) {{ }} "))
                .collect::<String>(),
            (0..60).map(value).collect::<String>(),
        );
        let marked = mark(&text);
        let count = |marker: &str| marked.lines().filter(|l| l.trim() == marker).count();
        assert_eq!(count("/*\"items*/"), 2, "{marked}");
        assert_eq!(count("/*\"fields*/"), 1);
        assert_eq!(count("/*\"values*/"), 1);
        assert_eq!(count("/*\"-*/"), 40 + 40 + 40 + 60);
        assert_eq!(count("/*\"end*/"), 4);
        let unmarked: String = marked
            .lines()
            .filter(|l| !l.trim().starts_with("/*"))
            .collect();
        assert_eq!(
            unmarked.split_whitespace().collect::<String>(),
            text.split_whitespace().collect::<String>()
        );
    }
}
