//! windows-bindgen's items formatted a run at a time, on all cores: they are most of the output
//! of an input with many dual interfaces (a typical control's), and one thread printing them all
//! was the longest part of its run.
//!
//! windows-bindgen's text is cut at its top-level items (an item ends at a `;` outside brackets,
//! or at a `{...}` that no `;` follows) into runs of about equal numbers of items, and each run
//! is printed at the bindings' depth as [`super`] prints parts. A cut in the wrong place leaves a
//! run that does not parse; then the items are printed as one run. An item larger than the
//! limit (the `impl` of an interface of thousands of methods) is printed a chunk of its members
//! at a time ([`marks`]).

mod marks;

use std::hash::{DefaultHasher, Hash, Hasher};

use super::cache::Pieces;
use super::lists::{self, Limits};
use super::{in_parallel, nested, print_piece};
use crate::Diagnostic;
use crate::model::Model;

/// How deep the bindings stand: in `mod bindings`, in the file's module.
const DEPTH: usize = 2;

/// The formatted lines of `items`, in order, with `model`'s helpstrings; an item larger than
/// `limits.whole` has its lists marked and printed a chunk at a time; `pieces` holds what the
/// last run printed.
pub fn runs(
    items: &str,
    model: &Model,
    limits: &Limits,
    pieces: &Pieces,
) -> Result<Vec<String>, Diagnostic> {
    let runs = split(items);
    let order: Vec<usize> = (0..runs.len()).collect();
    let printed = in_parallel(&order, |index| run(runs[index], model, limits, pieces));
    // A run that does not parse was cut in the wrong place: the items as one run, printed
    // whole, say whether they parse at all.
    match printed {
        Ok(runs) => Ok(runs.into_iter().flatten().collect()),
        Err(_) => nested(items, DEPTH, &|items, frame| {
            whole(items, frame, model, pieces)
        }),
    }
}

/// The formatted lines of a run of items: printed in groups of about `limits.whole` bytes of
/// text (a module's items print each on its own, so apart as together), and an item larger than
/// that alone, its lists marked and printed in chunks, so that a chunk's frame is that item's.
fn run(
    items: &str,
    model: &Model,
    limits: &Limits,
    pieces: &Pieces,
) -> Result<Vec<String>, Diagnostic> {
    let print = |items: &str, frame: (&str, &str)| {
        if items.len() <= limits.whole {
            return whole(items, frame, model, pieces);
        }
        let print = |text: &str| print_piece(pieces, text, Some(model), DEPTH);
        lists::format(&marks::mark(items), frame, limits, &print)
    };
    if items.len() <= limits.whole {
        return nested(items, DEPTH, &print);
    }
    let mut out = Vec::new();
    let mut start = 0;
    let ends = item_ends(items);
    for (index, &end) in ends.iter().enumerate() {
        let next = ends.get(index + 1).copied();
        if next.is_none_or(|next| next - start > limits.whole) {
            out.extend(nested(&items[start..end], DEPTH, &print)?);
            start = end;
        }
    }
    if !items[start..].trim().is_empty() {
        out.extend(nested(&items[start..], DEPTH, &print)?);
    }
    Ok(out)
}

/// `items` between the texts of `frame`, printed whole with the helpstrings of `model` on the
/// items `DEPTH` modules deep.
fn whole(
    items: &str,
    (open, close): (&str, &str),
    model: &Model,
    pieces: &Pieces,
) -> Result<Vec<String>, Diagnostic> {
    let text = format!("{open}{items}{close}");
    Ok(vec![print_piece(pieces, &text, Some(model), DEPTH)?])
}

/// `items` cut into runs of whole items where the items themselves say: after each item whose
/// text hashes to a multiple of [`RUN`], so about `RUN` items a run. The cuts do not move when
/// items are added or changed elsewhere, so a run an edit left alone is the same text as in the
/// last run, which the cache of printed pieces then holds.
fn split(items: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let mut start = 0;
    for end in item_ends(items) {
        let mut hasher = DefaultHasher::new();
        items[start..end].hash(&mut hasher);
        if hasher.finish().is_multiple_of(RUN) {
            runs.push(&items[start..end]);
            start = end;
        }
    }
    if !items[start..].trim().is_empty() {
        runs.push(&items[start..]);
    }
    runs
}

/// How many items a run of bindings holds, on average.
const RUN: u64 = 8;

/// The offsets just past each top-level item of `text`: a `;` outside brackets, or a `}` that
/// closes the outermost bracket and is not followed by `;`. String and character literals are
/// skipped (a `'` that does not close within a character or an escape is a lifetime).
fn item_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut depth = 0usize;
    marks::scan(text, |i, byte| match byte {
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
    });
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
