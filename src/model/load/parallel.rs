//! The fast path of [`super::load`]: the input and the files it imports parsed on all cores.
//!
//! Parsing (pest) is most of the front end's time, and a typical input imports a dozen SDK files
//! (the sample, with Wine's folder on the include path: oaidl, ocidl, objidl, urlmon, ...). Which
//! files a file imports is known only once it is parsed, so the sequential loader parses them one
//! after another. Here the calling thread reads and preprocesses the files in the sequential
//! loader's order, finding each one's imports by a scan of its text ([`parse::imports`]), and
//! hands each preprocessed text to the threads that parse, itself joining them when every file is
//! read. The result counts only if every file parsed and each parse found exactly the imports the
//! scan did, at the same places; on any error or difference the caller loads sequentially, so
//! diagnostics, the order of files and the model are always the sequential loader's.
//!
//! An imported file the cache holds ([`super::cache`]) is neither preprocessed nor scanned: the
//! cache gives its text and imports, and the threads that parse read its stored tree.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use super::cache::Tree;
use super::{Files, Loaded, MAX_IMPORT_DEPTH, Options, Read, Unit, collect_imports};
use crate::parse::{self, ast};
use crate::preprocess;
use crate::source::Loc;

/// Threads that parse besides the calling one: enough for the few cores a build gets.
const MAX_HELPERS: usize = 3;

/// The parse's stack, as large as a main thread's: the grammar recurses per bracket level.
const STACK: usize = 8 << 20;

/// The loaded files, or `None` when the sequential loader must run (an error, or a file whose
/// imports the scan did not find as the parser does) or would be as fast (one core).
pub fn load(path: &Path, options: &Options) -> Option<Loaded> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let helpers = (cores - 1).min(MAX_HELPERS);
    if helpers == 0 {
        return None;
    }
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Mutex::new(queue);
    let (results, parsed) = mpsc::channel();
    let failed = AtomicBool::new(false);
    let next = || queue.lock().ok()?.recv().ok();
    let work = || {
        while let Some(Job { index, text, tree }) = next() {
            let statements = match failed.load(Ordering::Relaxed) {
                true => None,
                // A stored tree that cannot be read is parsed from its (checked) text.
                false => match tree.as_ref().and_then(Tree::statements) {
                    Some(statements) => Some((statements, false)),
                    None => parse::parse_quiet(&text).map(|statements| (statements, true)),
                },
            };
            if statements.is_none() {
                failed.store(true, Ordering::Relaxed);
            }
            if results.send((index, statements)).is_err() {
                return;
            }
        }
    };
    let mut reader = Reader {
        files: Files::new(options),
        read: Vec::new(),
    };
    let read = std::thread::scope(|scope| {
        for _ in 0..helpers {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new()
                .stack_size(STACK)
                .spawn_scoped(scope, work);
        }
        let read = reader.read(path, None, 0, &jobs);
        if read.is_none() {
            failed.store(true, Ordering::Relaxed);
        }
        // No more jobs: the helpers stop once the queue is empty, and this thread helps.
        drop(jobs);
        work();
        read
    });
    drop(results);
    read?;
    let mut statements: Vec<Option<(Vec<ast::Statement>, bool)>> = vec![None; reader.read.len()];
    for (index, parsed) in parsed {
        statements[index] = Some(parsed?);
    }
    let mut units = Vec::with_capacity(reader.read.len());
    for file in reader.read {
        let (statements, parsed) = statements[file.job].take()?;
        let mut imports = Vec::new();
        collect_imports(&statements, &mut imports);
        if !imports.iter().copied().eq(file.imports.iter()) {
            return None;
        }
        if parsed && file.imported {
            reader
                .files
                .store(&file.path, &file.input, &imports, &statements);
        }
        units.push(Unit {
            statements,
            input: file.input,
            imported: file.imported,
            cached: !parsed,
        });
    }
    Some(Loaded {
        sources: reader.files.sources,
        units,
    })
}

/// A file for the threads that parse: its number in the order the files were read, its
/// preprocessed text, and its syntax tree when the cache held it.
struct Job {
    index: usize,
    text: String,
    tree: Option<Tree>,
}

/// A preprocessed file, and the imports its scan found (or the cache held).
struct Parsing {
    /// Its number in the order the files were read (and sent to be parsed).
    job: usize,
    path: PathBuf,
    input: preprocess::Output,
    imports: Vec<ast::Name>,
    imported: bool,
}

/// The sequential loader's walk, with the scan in place of the parse.
struct Reader<'a> {
    files: Files<'a>,
    /// In the order the sequential loader keeps its units: each file after those it imports.
    read: Vec<Parsing>,
}

impl Reader<'_> {
    /// Reads `path` and what it imports, sending each preprocessed text to `jobs` to be parsed.
    fn read(
        &mut self,
        path: &Path,
        imported_at: Option<Loc>,
        depth: usize,
        jobs: &mpsc::Sender<Job>,
    ) -> Option<()> {
        let Some(Read { input, cached }) = self.files.read(path, imported_at).ok()? else {
            return Some(());
        };
        let job = self.files.seen.len() - 1;
        let (imports, tree) = match cached {
            Some(hit) => (hit.imports, Some(hit.tree)),
            None => (parse::imports::scan(&input.text), None),
        };
        jobs.send(Job {
            index: job,
            text: input.text.clone(),
            tree,
        })
        .ok()?;
        for name in &imports {
            let (at, found) = self.files.import(&input, name).ok()?;
            if depth == MAX_IMPORT_DEPTH {
                return None;
            }
            self.read(&found, Some(at), depth + 1, jobs)?;
        }
        self.read.push(Parsing {
            job,
            path: path.to_path_buf(),
            input,
            imports,
            imported: imported_at.is_some(),
        });
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::sequential;

    fn summary(loaded: &Loaded) -> Vec<String> {
        let files = loaded
            .sources
            .files()
            .map(|(id, file)| format!("{id} {} {:?}", file.path.display(), file.included_from));
        let units = loaded.units.iter().map(|unit| {
            format!(
                "{:?} {} {:?}",
                unit.input.files, unit.imported, unit.statements
            )
        });
        files.chain(units).collect()
    }

    #[test]
    fn gives_what_the_sequential_loader_gives() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write(
            "a.idl",
            "import \"b.idl\", \"c.idl\";\n#include \"d.h\"\ninterface A : B {}\n",
        );
        write("b.idl", "import \"c.idl\";\ninterface B : C {}\n");
        write("c.idl", "/* import \"x.idl\"; */ interface C {}\n");
        write("d.h", "typedef long D;\n");
        let options = Options::default();
        let path = dir.path().join("a.idl");
        let Some(parallel) = load(&path, &options) else {
            // One core: nothing to compare.
            assert_eq!(
                std::thread::available_parallelism().map_or(1, |n| n.get()),
                1
            );
            return;
        };
        assert_eq!(parallel.units.len(), 3);
        assert_eq!(
            summary(&parallel),
            summary(&sequential(&path, &options).unwrap())
        );
    }

    #[test]
    fn a_warm_parse_cache_loads_what_parsing_loads() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.idl", "import \"b.idl\";\ninterface A : B {}\n");
        write(
            "b.idl",
            "import \"c.idl\";\ninterface B : C { HRESULT F(); }\n",
        );
        write("c.idl", "interface C {}\n");
        let path = dir.path().join("a.idl");
        let uncached = summary(&sequential(&path, &Options::default()).unwrap());
        // Apart from the files: a cache folder created beside them would change their folder.
        let cache = tempfile::tempdir().unwrap();
        let options = Options {
            cache_dir: Some(cache.path().to_path_buf()),
            ..Options::default()
        };
        let cached =
            |loaded: &Loaded| -> Vec<bool> { loaded.units.iter().map(|u| u.cached).collect() };
        // Cold (fills the cache), then warm, through both loaders. Units: c, b, a.
        let cold = sequential(&path, &options).unwrap();
        assert_eq!(
            (summary(&cold), cached(&cold)),
            (uncached.clone(), vec![false; 3])
        );
        let warm = sequential(&path, &options).unwrap();
        assert_eq!(
            (summary(&warm), cached(&warm)),
            (uncached.clone(), vec![true, true, false])
        );
        if let Some(parallel) = load(&path, &options) {
            assert_eq!(
                (summary(&parallel), cached(&parallel)),
                (uncached, vec![true, true, false])
            );
        }
        // An import changed since: read again, by either loader.
        write("c.idl", "interface C { HRESULT G(); }\n");
        let uncached = summary(&sequential(&path, &Options::default()).unwrap());
        if let Some(parallel) = load(&path, &options) {
            assert_eq!(summary(&parallel), uncached);
            assert!(!parallel.units[0].cached);
        }
        let again = sequential(&path, &options).unwrap();
        assert_eq!(summary(&again), uncached);
        let mut entries: Vec<_> = std::fs::read_dir(cache.path())
            .unwrap()
            .flat_map(|parser| std::fs::read_dir(parser.unwrap().path()).unwrap())
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        entries.sort();
        assert_eq!(entries.len(), 2, "b.idl and c.idl, not a.idl: {entries:?}");
        assert!(entries[0].starts_with("b.idl.") && entries[1].starts_with("c.idl."));
    }

    #[test]
    fn leaves_errors_to_the_sequential_loader() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
        write("a.idl", "import \"b.idl\";\ninterface A {}\n");
        write("b.idl", "interface B {\n");
        write("c.idl", "import \"missing.idl\";\n");
        let options = Options::default();
        assert!(load(&dir.path().join("a.idl"), &options).is_none());
        assert!(load(&dir.path().join("c.idl"), &options).is_none());
    }
}
