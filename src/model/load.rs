//! Reading the input and, transitively, every file it imports: each preprocessed on its own (MIDL
//! does not carry macros across `import`) and parsed once, however often it is imported.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::Options;
use crate::builtin;
use crate::diagnostic::Diagnostic;
use crate::parse::{self, ast};
use crate::preprocess;
use crate::source::{Loc, SourceSet};

mod cache;
mod parallel;

use cache::ImportCache;

/// One preprocessed and parsed file.
pub struct Unit {
    pub statements: Vec<ast::Statement>,
    pub input: preprocess::Output,
    /// Read because of an `import`, not the input file itself.
    pub imported: bool,
    /// Preprocessed and parsed by an earlier run: taken from the cache. Nothing downstream
    /// needs to know; the loaders' tests check that the cache is used.
    #[cfg_attr(not(test), allow(dead_code))]
    pub cached: bool,
}

/// The units in dependency order (each file after the files it imports), and their sources.
pub struct Loaded {
    pub sources: SourceSet,
    pub units: Vec<Unit>,
}

pub fn load(path: &Path, options: &Options) -> Result<Loaded, Diagnostic> {
    match std::fs::metadata(path) {
        Err(e) => {
            return Err(Diagnostic::new(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
        Ok(metadata) if metadata.is_dir() => {
            return Err(Diagnostic::new(format!(
                "cannot read {}: it is a folder, not an IDL file",
                path.display()
            )));
        }
        Ok(_) => {}
    }
    match parallel::load(path, options) {
        Some(loaded) => Ok(loaded),
        None => sequential(path, options),
    }
}

/// The sequential loader's result: what [`parallel::load`] must give, and what decides the
/// diagnostics.
fn sequential(path: &Path, options: &Options) -> Result<Loaded, Diagnostic> {
    let mut loader = Loader {
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

/// A file read by [`Files::read`]: its preprocessed text, and what the cache held for it.
struct Read {
    input: preprocess::Output,
    cached: Option<cache::Hit>,
}

/// What both loaders keep while they read: the sources, the files already read, and how much
/// preprocessed text they came to; and the steps they take alike, per file and per import.
struct Files<'a> {
    options: &'a Options,
    /// Where imported files, preprocessed and parsed, are kept between runs.
    cache: Option<ImportCache>,
    sources: SourceSet,
    /// Canonical paths of files already read or being read (an import cycle stops here).
    seen: HashSet<PathBuf>,
    /// Bytes of preprocessed text of every file so far (at most `preprocess::MAX_OUTPUT`).
    preprocessed: usize,
}

impl<'a> Files<'a> {
    fn new(options: &'a Options) -> Self {
        Self {
            options,
            cache: options.cache_dir.as_deref().map(ImportCache::new),
            sources: SourceSet::new(),
            seen: HashSet::new(),
            preprocessed: 0,
        }
    }

    /// `path` preprocessed (imported at `imported_at`), from the cache when it holds the file as
    /// it is; or none when it was read already.
    fn read(&mut self, path: &Path, imported_at: Option<Loc>) -> Result<Option<Read>, Diagnostic> {
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        if !self.seen.insert(key) {
            return Ok(None);
        }
        let cached = match (&self.cache, imported_at) {
            (Some(cache), Some(at)) => {
                cache.read(&mut self.sources, path, at, &self.options.preprocess)
            }
            _ => None,
        };
        let (input, cached) = match cached {
            Some((input, hit)) => (input, Some(hit)),
            None => {
                // The preprocessor reads a file already in the source set from there.
                if let Some(text) = builtin::text(path) {
                    self.sources
                        .add(path.to_path_buf(), text.to_string(), imported_at);
                }
                let input = preprocess::preprocess(
                    &mut self.sources,
                    path,
                    imported_at,
                    &self.options.preprocess,
                )?;
                (input, None)
            }
        };
        self.preprocessed += input.text.len();
        if self.preprocessed > preprocess::MAX_OUTPUT {
            let at = imported_at.unwrap_or(Loc {
                file: input.files[0],
                offset: 0,
            });
            return Err(preprocess::too_large(&self.sources, at));
        }
        Ok(Some(Read { input, cached }))
    }

    /// Keeps imported file `path`, just preprocessed to `input` and parsed to `statements`, which
    /// names `imports`, in the cache for later runs.
    fn store(
        &self,
        path: &Path,
        input: &preprocess::Output,
        imports: &[&ast::Name],
        statements: &[ast::Statement],
    ) {
        if let Some(cache) = &self.cache {
            cache.store(
                &self.sources,
                path,
                input,
                &self.options.preprocess,
                imports,
                statements,
            );
        }
    }

    /// Where import `name` of `input` stands, and the file it names.
    fn import(
        &self,
        input: &preprocess::Output,
        name: &ast::Name,
    ) -> Result<(Loc, PathBuf), Diagnostic> {
        let at = input.map.locate(name.span.start).unwrap_or(Loc {
            file: input.files[0],
            offset: 0,
        });
        Ok((
            at,
            find_import(&self.sources, self.options, &name.text, at)?,
        ))
    }
}

/// The sequential loader: each file parsed before the files it imports are read.
struct Loader<'a> {
    files: Files<'a>,
    units: Vec<Unit>,
    /// How many imports lead to the file being read (each one recurses).
    depth: usize,
}

/// How deeply imports may nest; real chains (mshtml.idl to ocidl.idl to ... wtypes.idl) are a few.
const MAX_IMPORT_DEPTH: usize = 64;

impl Loader<'_> {
    fn load(&mut self, path: &Path, imported_at: Option<Loc>) -> Result<(), Diagnostic> {
        let Some(Read { input, cached }) = self.files.read(path, imported_at)? else {
            return Ok(());
        };
        let (statements, cached) = match cached.and_then(|hit| hit.tree.statements()) {
            Some(statements) => (statements, true),
            None => (parse::parse(&self.files.sources, &input)?, false),
        };
        let mut imports = Vec::new();
        collect_imports(&statements, &mut imports);
        if !cached && imported_at.is_some() {
            self.files.store(path, &input, &imports, &statements);
        }
        for name in imports {
            let (at, found) = self.files.import(&input, name)?;
            if self.depth == MAX_IMPORT_DEPTH {
                return Err(Diagnostic::at(
                    &self.files.sources,
                    at,
                    name.text.len() + 2,
                    format!("imports nested too deeply: more than {MAX_IMPORT_DEPTH} levels"),
                    "this import is one level too many",
                ));
            }
            self.depth += 1;
            let loaded = self.load(&found, Some(at));
            self.depth -= 1;
            loaded?;
        }
        self.units.push(Unit {
            statements,
            input,
            imported: imported_at.is_some(),
            cached,
        });
        Ok(())
    }
}

/// Looks for an imported file beside the file that imports it, then in the `-I` folders.
fn find_import(
    sources: &SourceSet,
    options: &Options,
    name: &str,
    at: Loc,
) -> Result<PathBuf, Diagnostic> {
    let importer = &sources.get(at.file).path;
    let own_dir = importer.parent().map(Path::to_path_buf).unwrap_or_default();
    let dirs: Vec<PathBuf> = std::iter::once(own_dir)
        .chain(options.preprocess.include_dirs.iter().cloned())
        .collect();
    for dir in &dirs {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    if let Some(builtin) = builtin::path(name) {
        return Ok(builtin);
    }
    let searched: Vec<String> = dirs
        .iter()
        .map(|d| match d.as_os_str().is_empty() {
            true => ".".to_string(),
            false => d.display().to_string(),
        })
        .collect();
    Err(Diagnostic::at(
        sources,
        at,
        name.len() + 2,
        format!("cannot find imported file `{name}`"),
        "imported here",
    )
    .with_help(format!(
        "searched: {}; add its folder with -I",
        searched.join(", ")
    )))
}

/// `import` statements anywhere in the file (MIDL allows them inside a library too).
fn collect_imports<'a>(statements: &'a [ast::Statement], out: &mut Vec<&'a ast::Name>) {
    for statement in statements {
        match statement {
            ast::Statement::Import(names) => out.extend(names),
            ast::Statement::Definition(ast::Definition {
                kind:
                    ast::DefinitionKind::Library { body, .. }
                    | ast::DefinitionKind::Module { body, .. }
                    | ast::DefinitionKind::Interface { body, .. },
                ..
            }) => collect_imports(body, out),
            _ => {}
        }
    }
}
