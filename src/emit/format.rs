//! The generated file formatted with prettyplease, one part at a time, on all cores.
//!
//! prettyplease prints the items of a module one after the other, each starting on a line of its
//! own at the module's indentation, and how it breaks an item's lines depends on that item alone.
//! So the module's body is the concatenation of its parts printed each inside a module of its own
//! (`mod m { PART }`, the same depth), which is the same bytes as printing the whole file at once.
//! Formatting part by part keeps one part's syntax tree in memory, not the file's (syn's tree
//! takes some fifty times the text it parses), and lets the parts, and windows-bindgen's render
//! of the bindings, run in parallel. A part that is one huge item (the proxy of a source
//! interface with thousands of events) is printed a chunk of its members at a time
//! ([`lists`]), so no thread holds the tree of more than a bounded piece of text.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::docs;

mod bindings;
mod cache;
mod lists;
use crate::Diagnostic;
use crate::model::Model;
use cache::Pieces;
pub use lists::{LIMITS, Limits, values};

/// The function that renders the bindings' items (windows-bindgen), called by the thread that
/// formats them.
pub type Render<'a> = &'a (dyn Fn() -> Result<String, Diagnostic> + Sync);

/// One part of the module's body, in the order of the file.
pub enum Part<'a> {
    /// Rust items rendered by a template.
    Items(String),
    /// The bindings of the input's own interfaces: `frame`, the module that holds them with
    /// [`PLACEHOLDER`] for its items, and `render`, which renders them. They are rendered when
    /// formatted, since windows-bindgen takes longest, then formatted a run of items at a time
    /// on all cores (they are most of a typical control's output) and given the helpstrings.
    Bindings { frame: String, render: Render<'a> },
}

/// The file: the module `module` (with `doc` and `#[allow(allowed)]`) holding `parts`, and the
/// `pub use` of everything in it; `limits` bound the text whose syntax tree is held at a time.
/// Each part's text is dropped once it is printed, and each printed piece once it is copied
/// into the file, so that the file's text is not held three times over.
pub fn file(
    model: &Model,
    module: &str,
    allowed: &str,
    parts: Vec<Part>,
    limits: &Limits,
    cache_dir: Option<&Path>,
) -> Result<String, Diagnostic> {
    // The input is the first file the model read.
    let input = model.files.first().map(PathBuf::as_path);
    let pieces = Pieces::open(cache_dir, input, || docs::bindings_helpstrings(model));
    // The module with a placeholder for its body, formatted like any part.
    let frame = print_piece(
        &pieces,
        &format!(
            "/// The connection points of the input, with the GUIDs and types they use.\n\
             #[allow({allowed})]\n\
             mod {module} {{ {PLACEHOLDER} }}\n\
             pub use {module}::*;\n"
        ),
        None,
        0,
    )?;
    let (before, after) = frame
        .split_once(&format!("    {PLACEHOLDER}\n"))
        .ok_or_else(|| internal("the module's placeholder is gone"))?;
    let bodies = bodies(model, parts, limits, &pieces)?;
    let size: usize = bodies.iter().flatten().map(String::len).sum();
    let mut out = String::with_capacity(before.len() + size + after.len());
    out.push_str(before);
    for piece in bodies.into_iter().flatten() {
        out.push_str(&piece);
    }
    out.push_str(after);
    pieces.save();
    Ok(out)
}

/// An item that no part can hold, which marks where a module's items go.
pub const PLACEHOLDER: &str = "const __CPGEN_MODULE_BODY__: () = ();";

/// Each part formatted at the module's depth, in pieces, windows-bindgen's first (it takes
/// longest), then the longest first.
fn bodies(
    model: &Model,
    parts: Vec<Part>,
    limits: &Limits,
    pieces: &Pieces,
) -> Result<Vec<Vec<String>>, Diagnostic> {
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| match &parts[i] {
        Part::Bindings { .. } => 0,
        Part::Items(text) => usize::MAX - text.len(),
    });
    // Each part is taken by the thread that prints it, and dropped there.
    let parts: Vec<Mutex<Option<Part>>> = parts.into_iter().map(|p| Mutex::new(Some(p))).collect();
    in_parallel(&order, |index| {
        let part = parts[index].lock().ok().and_then(|mut part| part.take());
        match part {
            Some(part) => body(model, &part, limits, pieces),
            None => Err(internal("a part was taken twice")),
        }
    })
}

/// `job(i)` for every `i` of `order`, by the calling thread and up to [`helpers`] others, each
/// taking the next `i` in `order` not yet taken; the results indexed by `i` (`order` holds
/// `0..order.len()`).
fn in_parallel<T: Send>(
    order: &[usize],
    job: impl Fn(usize) -> Result<T, Diagnostic> + Sync,
) -> Result<Vec<T>, Diagnostic> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<Result<T, Diagnostic>>>> =
        Mutex::new((0..order.len()).map(|_| None).collect());
    let work = || {
        while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let result = job(index);
            if let Ok(mut done) = done.lock() {
                done[index] = Some(result);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..helpers().min(order.len().saturating_sub(1)) {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new()
                .stack_size(STACK)
                .spawn_scoped(scope, work);
        }
        work();
    });
    let done = done
        .into_inner()
        .map_err(|_| internal("a formatting thread failed"))?;
    done.into_iter()
        .map(|result| result.unwrap_or_else(|| Err(internal("a part was not formatted"))))
        .collect()
}

/// How many threads format besides the calling one: the cores but one, at most [`MAX_HELPERS`].
fn helpers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores - 1).min(MAX_HELPERS)
}

/// Threads that format besides the calling one: enough for the few cores a build gets.
const MAX_HELPERS: usize = 3;

/// syn and prettyplease recurse per level of the code they read; a main thread's stack.
const STACK: usize = 8 << 20;

/// One part's lines, as they stand in the module, in pieces.
fn body(
    model: &Model,
    part: &Part,
    limits: &Limits,
    pieces: &Pieces,
) -> Result<Vec<String>, Diagnostic> {
    // A template's text, its huge lists a piece at a time.
    let print = |items: &str, frame: (&str, &str)| {
        lists::format(items, frame, limits, &|text| {
            print_piece(pieces, text, None, 0)
        })
    };
    match part {
        Part::Items(items) => nested(items, 1, &print),
        Part::Bindings { frame, render } => {
            let items = render()?;
            let frame = nested(frame, 1, &print)?.concat();
            let (before, after) = frame
                .split_once(&format!("        {PLACEHOLDER}\n"))
                .ok_or_else(|| internal("the bindings' placeholder is gone"))?;
            let mut out = vec![before.to_string()];
            out.extend(bindings::runs(&items, model, limits, pieces)?);
            out.push(after.to_string());
            Ok(out)
        }
    }
}

/// How [`nested`] prints `items` between the two texts of a frame: in pieces, in order.
type Print<'a> = &'a dyn Fn(&str, (&str, &str)) -> Result<Vec<String>, Diagnostic>;

/// The lines of `items` printed by `print` `depth` modules deep (`mod m { mod m { ... } }`), as
/// they stand there, in pieces.
fn nested(items: &str, depth: usize, print: Print) -> Result<Vec<String>, Diagnostic> {
    let mut pieces = print(
        items,
        (
            &"mod m {\n".repeat(depth),
            &format!("\n{}", "}\n".repeat(depth)),
        ),
    )?;
    let indent = |d: usize| "    ".repeat(d);
    let empty = format!(
        "{}{}mod m {{}}\n{}",
        (0..depth - 1)
            .map(|d| format!("{}mod m {{\n", indent(d)))
            .collect::<String>(),
        indent(depth - 1),
        (0..depth - 1)
            .rev()
            .map(|d| format!("{}}}\n", indent(d)))
            .collect::<String>(),
    );
    if pieces.len() == 1 && pieces[0] == empty {
        return Ok(Vec::new());
    }
    let open: String = (0..depth)
        .map(|d| format!("{}mod m {{\n", indent(d)))
        .collect();
    let close: String = (0..depth)
        .rev()
        .map(|d| format!("{}}}\n", indent(d)))
        .collect();
    if !lists::trim(&mut pieces, &open, &close) {
        return Err(internal("a part is not one module"));
    }
    Ok(pieces)
}

/// [`format_items`], or what the input's last run printed for the same text ([`cache`]).
fn print_piece(
    pieces: &Pieces,
    text: &str,
    document: Option<&Model>,
    depth: usize,
) -> Result<String, Diagnostic> {
    pieces.print(text, depth, document.is_some(), || {
        format_items(text, document, depth)
    })
}

/// `text` parsed by syn and printed by prettyplease; `document` is the model whose helpstrings
/// go on the items of the module `depth` modules deep.
fn format_items(text: &str, document: Option<&Model>, depth: usize) -> Result<String, Diagnostic> {
    let mut file = syn::parse_file(text).map_err(|error| {
        Diagnostic::new(format!(
            "internal error: the generated code does not parse ({error}); \
             please report it with the input"
        ))
    })?;
    if let Some(model) = document {
        let mut items = &mut file.items;
        for _ in 0..depth {
            items = items
                .iter_mut()
                .find_map(module_items)
                .ok_or_else(|| internal("a part is not one module"))?;
        }
        docs::document_bindings(items, model);
    }
    Ok(prettyplease::unparse(&file))
}

fn module_items(item: &mut syn::Item) -> Option<&mut Vec<syn::Item>> {
    match item {
        syn::Item::Mod(m) => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }
}

fn internal(what: &str) -> Diagnostic {
    Diagnostic::new(format!(
        "internal error: formatting the generated file: {what}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_print_as_the_whole_file_does() {
        let parts = [
            "const _: () = ();",
            "",
            "/// A doc.\n#[derive(Clone)] pub struct S(i32);\nimpl S { pub fn fire(&self, \
             first_argument: i32, second_argument: i32, third_argument: windows_core::BSTR) \
             -> windows_core::Result<()> { self.0.call(|sink| unsafe { sink.Event(first_argument, \
             second_argument, &third_argument) }) } }",
            "pub trait H { fn a(&self) {} }\npub struct T;",
        ];
        let items: Vec<Part> = parts.iter().map(|p| Part::Items(p.to_string())).collect();
        let by_parts = file(
            &Model::default(),
            "x_idl",
            "dead_code",
            items,
            &LIMITS,
            None,
        )
        .unwrap();
        let whole = prettyplease::unparse(
            &syn::parse_file(&format!(
                "/// The connection points of the input, with the GUIDs and types they use.\n\
                 #[allow(dead_code)]\nmod x_idl {{ {} }}\npub use x_idl::*;\n",
                parts.concat()
            ))
            .unwrap(),
        );
        assert_eq!(by_parts, whole);
        assert!(by_parts.contains("        first_argument: i32,\n"));
    }
}
