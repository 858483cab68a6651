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

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use super::{Files, Loaded, MAX_IMPORT_DEPTH, Options, Unit, collect_imports};
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
    let (jobs, queue) = mpsc::channel::<(usize, String)>();
    let queue = Mutex::new(queue);
    let (results, parsed) = mpsc::channel();
    let failed = AtomicBool::new(false);
    let next = || queue.lock().ok()?.recv().ok();
    let work = || {
        while let Some((index, text)) = next() {
            let statements = match failed.load(Ordering::Relaxed) {
                true => None,
                false => parse::parse_quiet(&text),
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
    let mut statements: Vec<Option<Vec<ast::Statement>>> = vec![None; reader.read.len()];
    for (index, parsed) in parsed {
        statements[index] = Some(parsed?);
    }
    let mut units = Vec::with_capacity(reader.read.len());
    for file in reader.read {
        let statements = statements[file.job].take()?;
        let mut imports = Vec::new();
        collect_imports(&statements, &mut imports);
        if !imports.iter().copied().eq(file.imports.iter()) {
            return None;
        }
        units.push(Unit {
            statements,
            input: file.input,
            imported: file.imported,
        });
    }
    Some(Loaded {
        sources: reader.files.sources,
        units,
    })
}

/// A preprocessed file, and the imports its scan found.
struct Read {
    /// Its number in the order the files were read (and sent to be parsed).
    job: usize,
    input: preprocess::Output,
    imports: Vec<ast::Name>,
    imported: bool,
}

/// The sequential loader's walk, with the scan in place of the parse.
struct Reader<'a> {
    files: Files<'a>,
    /// In the order the sequential loader keeps its units: each file after those it imports.
    read: Vec<Read>,
}

impl Reader<'_> {
    /// Reads `path` and what it imports, sending each preprocessed text to `jobs` to be parsed.
    fn read(
        &mut self,
        path: &Path,
        imported_at: Option<Loc>,
        depth: usize,
        jobs: &mpsc::Sender<(usize, String)>,
    ) -> Option<()> {
        let Some(input) = self.files.preprocess(path, imported_at).ok()? else {
            return Some(());
        };
        let job = self.files.seen.len() - 1;
        jobs.send((job, input.text.clone())).ok()?;
        let imports = parse::imports::scan(&input.text);
        for name in &imports {
            let (at, found) = self.files.import(&input, name).ok()?;
            if depth == MAX_IMPORT_DEPTH {
                return None;
            }
            self.read(&found, Some(at), depth + 1, jobs)?;
        }
        self.read.push(Read {
            job,
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

    /// The sequential loader's result, for comparison.
    fn sequential(path: &Path, options: &Options) -> Result<Loaded, crate::Diagnostic> {
        let mut loader = super::super::Loader {
            files: Files::new(options),
            units: Vec::new(),
            depth: 0,
        };
        loader.load(path, None)?;
        Ok(Loaded {
            sources: loader.files.sources,
            units: loader.units,
        })
    }

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
