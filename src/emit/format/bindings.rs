//! windows-bindgen's items formatted a run at a time, on all cores: they are most of the output
//! of an input with many dual interfaces (a typical control's), and one thread printing them all
//! was the longest part of its run.
//!
//! windows-bindgen's text is cut at its top-level items (an item ends at a `;` outside brackets,
//! or at a `{...}` that no `;` follows) into runs of about equal numbers of items, and each run
//! is printed at the bindings' depth as [`super`] prints parts. A cut in the wrong place leaves a
//! run that does not parse; then the items are printed as one run.

mod marks;

use super::lists::{self, Limits};
use super::{format_items, helpers, in_parallel, nested};
use crate::Diagnostic;
use crate::model::Model;

/// How deep the bindings stand: in `mod bindings`, in the file's module.
const DEPTH: usize = 2;

/// The formatted lines of `items`, in order, with `model`'s helpstrings; a run larger than
/// `limits.whole` has its lists marked and printed a chunk at a time.
pub fn runs(items: &str, model: &Model, limits: &Limits) -> Result<Vec<String>, Diagnostic> {
    let helpers = helpers();
    let runs = match helpers {
        0 => None,
        _ => split(items, 2 * (helpers + 1)),
    };
    // Printed whole, with the helpstrings of `model` on the items `DEPTH` modules deep.
    let print = |items: &str, frame: (&str, &str)| {
        let whole = |text: &str| format_items(text, Some(model), DEPTH);
        if items.len() <= limits.whole {
            let (open, close) = frame;
            return Ok(vec![whole(&format!("{open}{items}{close}"))?]);
        }
        lists::format(&marks::mark(items), frame, limits, &whole)
    };
    let Some(runs) = runs else {
        return nested(items, DEPTH, &print);
    };
    let order: Vec<usize> = (0..runs.len()).collect();
    let printed = in_parallel(&order, |index| nested(runs[index], DEPTH, &print));
    // A run that does not parse was cut in the wrong place: the items as one run say whether
    // they parse at all.
    match printed {
        Ok(runs) => Ok(runs.into_iter().flatten().collect()),
        Err(_) => nested(items, DEPTH, &print),
    }
}

/// `items` cut into at most `pieces` runs of whole items; `None` when it is too small to be worth
/// cutting.
fn split(items: &str, pieces: usize) -> Option<Vec<&str>> {
    let ends = item_ends(items);
    if ends.len() < 2 * pieces {
        return None;
    }
    let per_run = ends.len().div_ceil(pieces);
    let mut runs = Vec::new();
    let mut start = 0;
    for &end in ends.chunks(per_run).filter_map(|chunk| chunk.last()) {
        runs.push(&items[start..end]);
        start = end;
    }
    if !items[start..].trim().is_empty() {
        runs.push(&items[start..]);
    }
    Some(runs)
}

/// The offsets just past each top-level item of `text`: a `;` outside brackets, or a `}` that
/// closes the outermost bracket and is not followed by `;`. String and character literals are
/// skipped (a `'` that does not close within a character or an escape is a lifetime).
fn item_ends(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut depth = 0usize;
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
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'}' => {
                depth = depth.saturating_sub(1);
                let next = text[i + 1..].trim_start();
                if depth == 0 && !next.starts_with(';') {
                    ends.push(i + 1);
                }
            }
            b';' if depth == 0 => ends.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_items_only() {
        let text = "pub const A: S = S { a: 1 }; impl X { fn f<'a>(&'a self) -> &'a str { \"};}\" } } \
                    const C: char = '}'; const D: char = '\\''; pub struct T(pub i32);";
        let items: Vec<&str> = std::iter::once(0)
            .chain(item_ends(text))
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| text[w[0]..w[1]].trim())
            .collect();
        assert_eq!(
            items,
            [
                "pub const A: S = S { a: 1 };",
                "impl X { fn f<'a>(&'a self) -> &'a str { \"};}\" } }",
                "const C: char = '}';",
                "const D: char = '\\'';",
                "pub struct T(pub i32);",
            ]
        );
    }
}
