//! The formatted pieces of an input's last run, kept on disk and reused for the pieces this run
//! prints again.
//!
//! Formatting (syn parsing the generated text, prettyplease printing it) is most of what emitting
//! costs: for a typical control's IDL, nine tenths of it, since windows-bindgen's bindings of its
//! dual interfaces are most of the output. An IDL changes between runs an interface or an event
//! at a time, and the pieces that do not change (another interface's bindings, proxy or sink)
//! are the same text, printed the same way. A piece's printed form depends on its text, the depth
//! it is printed at, the helpstrings put on it (the bindings'), and the formatter, so an entry
//! keeps each piece's text beside its printed form, and is used only with the same helpstrings
//! and by the same cpgen executable (its path, size and modification time), whose syn and
//! prettyplease printed it.
//!
//! One entry per input file holds the pieces of its last run only, about twice its output, for
//! the last [`MAX_ENTRIES`] inputs ([`cache_folder`] writes and bounds them). Any failure is a
//! miss, never an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::Diagnostic;
use crate::cache_folder;

/// The largest entry, pieces' texts and printed forms together (about twice the output): past it,
/// an input's pieces are not kept, since a run holds them in memory besides the output.
const MAX_KEPT: usize = 64 << 20;

/// Entries larger than this are not read (they are written only up to about [`MAX_KEPT`]).
const MAX_ENTRY: u64 = 2 * MAX_KEPT as u64;

/// The most inputs whose pieces are kept (the last written).
const MAX_ENTRIES: usize = 100;

/// A piece: the depth it is printed at, whether it carries the bindings' helpstrings, its text.
type Key = (usize, bool, String);

#[derive(Serialize, Deserialize)]
struct Entry {
    /// The executable that printed the pieces: path, size, modification time.
    printer: String,
    /// The helpstrings the documented pieces carry.
    docs: String,
    pieces: Vec<(Key, String)>,
}

pub struct Pieces {
    /// Where this input's entry is, when there is a cache.
    entry: Option<PathBuf>,
    printer: String,
    docs: String,
    /// The last run's printed pieces.
    old: HashMap<Key, String>,
    /// This run's.
    new: Mutex<Kept>,
}

/// This run's pieces, in the order they were printed.
#[derive(Default)]
struct Kept {
    pieces: Vec<(Key, String)>,
    /// Their texts' and printed forms' bytes.
    size: usize,
    /// Whether a piece was printed here rather than taken from the last run.
    missed: bool,
    /// Past [`MAX_KEPT`]: none is kept any longer.
    too_large: bool,
}

impl Pieces {
    /// The pieces the last run of `input` printed, kept under `dir`, for a run whose documented
    /// pieces carry `docs()`; without a cache, every piece is printed and nothing kept.
    pub fn open(dir: Option<&Path>, input: Option<&Path>, docs: impl FnOnce() -> String) -> Self {
        let (Some(dir), Some(input)) = (dir, input) else {
            return Self::none();
        };
        let Some(printer) = printer() else {
            return Self::none();
        };
        let docs = docs();
        let entry = entry(dir, input);
        let old = cache_folder::read(&entry, MAX_ENTRY)
            .and_then(|bytes| postcard::from_bytes::<Entry>(&bytes).ok())
            .filter(|stored| stored.printer == printer)
            .map(|stored| {
                let same_docs = stored.docs == docs;
                stored
                    .pieces
                    .into_iter()
                    .filter(|((_, documented, _), _)| same_docs || !documented)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            entry: Some(entry),
            printer,
            docs,
            old,
            new: Mutex::default(),
        }
    }

    /// No cache: every piece printed, nothing kept.
    fn none() -> Self {
        Self {
            entry: None,
            printer: String::new(),
            docs: String::new(),
            old: HashMap::new(),
            new: Mutex::default(),
        }
    }

    /// `text` printed `depth` modules deep (with the bindings' helpstrings when `documented`):
    /// as the last run printed it, else by `print`.
    pub fn print(
        &self,
        text: &str,
        depth: usize,
        documented: bool,
        print: impl FnOnce() -> Result<String, Diagnostic>,
    ) -> Result<String, Diagnostic> {
        if self.entry.is_none() {
            return print();
        }
        let key = (depth, documented, text.to_string());
        let (printed, missed) = match self.old.get(&key) {
            Some(printed) => (printed.clone(), false),
            None => (print()?, true),
        };
        if let Ok(mut new) = self.new.lock()
            && !new.too_large
        {
            new.missed |= missed;
            new.size += key.2.len() + printed.len();
            if new.size > MAX_KEPT {
                // The entry will not be written: what was kept for it goes now.
                *new = Kept {
                    too_large: true,
                    ..Kept::default()
                };
            } else {
                new.pieces.push((key, printed.clone()));
            }
        }
        Ok(printed)
    }

    /// Keeps this run's pieces for the next run, unless they are the last run's.
    pub fn save(self) {
        let Some(path) = self.entry else {
            return;
        };
        let Ok(new) = self.new.into_inner() else {
            return;
        };
        if new.too_large || (!new.missed && new.pieces.len() == self.old.len()) {
            return;
        }
        let entry = Entry {
            printer: self.printer,
            docs: self.docs,
            pieces: new.pieces,
        };
        if let Ok(bytes) = postcard::to_stdvec(&entry) {
            cache_folder::write(&path, &bytes, MAX_ENTRIES);
        }
    }
}

/// The running executable, as `path size seconds.nanoseconds`: rebuilt, it prints anew.
fn printer() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let metadata = std::fs::metadata(&exe).ok()?;
    let changed = metadata.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some(format!(
        "{} {} {}.{:09}",
        exe.display(),
        metadata.len(),
        changed.as_secs(),
        changed.subsec_nanos()
    ))
}

/// Input `input`'s entry, in `dir`'s folder `printed`.
fn entry(dir: &Path, input: &Path) -> PathBuf {
    cache_folder::entry(&dir.join("printed"), input)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(text: &str) -> impl FnOnce() -> Result<String, Diagnostic> + '_ {
        move || Ok(text.to_uppercase())
    }

    /// What a run over `texts` printed, and which texts it printed itself (not from the cache).
    fn run(
        dir: &Path,
        input: &Path,
        docs: &str,
        texts: &[(&str, bool)],
    ) -> (Vec<String>, Vec<String>) {
        let pieces = Pieces::open(Some(dir), Some(input), || docs.to_string());
        let printed_here = Mutex::new(Vec::new());
        let out = texts
            .iter()
            .map(|&(text, documented)| {
                pieces
                    .print(text, 1, documented, || {
                        printed_here.lock().unwrap().push(text.to_string());
                        upper(text)()
                    })
                    .unwrap()
            })
            .collect();
        pieces.save();
        (out, printed_here.into_inner().unwrap())
    }

    #[test]
    fn prints_again_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("x.idl");
        std::fs::write(&input, "").unwrap();
        let texts = [("a", false), ("b", true), ("c", false)];
        let (out, printed) = run(dir.path(), &input, "docs", &texts);
        assert_eq!(
            (out, printed.len()),
            (vec!["A".into(), "B".into(), "C".into()], 3)
        );
        let (out, printed) = run(dir.path(), &input, "docs", &texts);
        assert_eq!(
            (out, printed),
            (vec!["A".into(), "B".into(), "C".into()], vec![])
        );
        // One piece edited: only it is printed; the entry then holds this run's pieces.
        let edited = [("a", false), ("b2", true), ("c", false)];
        assert_eq!(run(dir.path(), &input, "docs", &edited).1, ["b2"]);
        assert_eq!(run(dir.path(), &input, "docs", &texts).1, ["b"]);
        // Other helpstrings: the documented pieces are printed again, the others are not.
        assert_eq!(run(dir.path(), &input, "other docs", &texts).1, ["b"]);
        // Another input has an entry of its own.
        let other = dir.path().join("y.idl");
        std::fs::write(&other, "").unwrap();
        assert_eq!(run(dir.path(), &other, "other docs", &texts).1.len(), 3);
        assert_eq!(run(dir.path(), &input, "other docs", &texts).1.len(), 0);
    }

    #[test]
    fn an_entry_of_another_printer_or_damaged_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("x.idl");
        std::fs::write(&input, "").unwrap();
        let texts = [("a", false)];
        run(dir.path(), &input, "", &texts);
        let path = entry(dir.path(), &input);
        let mut stored: Entry = postcard::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
        stored.printer.push_str(" (another build)");
        stored.pieces[0].1 = "wrong".into();
        std::fs::write(&path, postcard::to_stdvec(&stored).unwrap()).unwrap();
        assert_eq!(
            run(dir.path(), &input, "", &texts),
            (vec!["A".into()], vec!["a".into()])
        );
        std::fs::write(&path, b"\xff\xff\xff").unwrap();
        assert_eq!(run(dir.path(), &input, "", &texts).1, ["a"]);
        // No cache: everything printed, nothing written.
        let pieces = Pieces::open(None, Some(&input), String::new);
        assert_eq!(pieces.print("a", 1, false, upper("a")).unwrap(), "A");
        pieces.save();
    }
}
