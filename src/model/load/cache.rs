//! Imported files as an earlier run read them, kept on disk: preprocessed, and parsed.
//!
//! Most of the front end's time goes to the files an input imports: the SDK's oaidl.idl,
//! ocidl.idl and the dozen files they import, the same in every run (the sample with Wine's IDL
//! folder on the include path: 310 M of its 387 M instructions to preprocess and parse them). A
//! file's preprocessed text depends only on the text of the files it reads, the `-I`/`-D` options
//! and which file each `#include` finds; its syntax tree only on that text and the parser. So an
//! entry holds all of them, and is used only when
//! - it was written by a build of the same preprocessor, grammar, parser and cache (its folder is
//!   named after them: `CPGEN_FRONT_END_ID`, from the build script),
//! - the options are the same,
//! - every file it read holds the same text now (compared in full: the files are read anyway,
//!   since diagnostics quote them),
//! - and no folder an `#include` search looked in has changed since (a file added there could
//!   be found first).
//!
//! An entry is named after its file's canonical path, so the cache holds one entry per imported
//! file however often the file changes ([`cache_folder`] writes and bounds them). Every failure
//! here is a miss, never an error. The input file itself is never cached: it is the file that
//! changes between runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::cache_folder;
use crate::parse::ast;
use crate::preprocess;
use crate::source::{FileId, LineMap, Loc, SourceSet};

/// The build's front end: its version and a fingerprint of the preprocessor, the grammar, the
/// parser and this module.
const FRONT_END_ID: &str = env!("CPGEN_FRONT_END_ID");

/// Entries larger than this are not read (a real one is a few times its files' text, which the
/// preprocessor bounds at 6 MiB for a whole run).
const MAX_ENTRY: u64 = 256 << 20;

/// The most imported files the cache keeps (the last written): Wine's whole SDK folder imports
/// 114 files.
const MAX_ENTRIES: usize = 1000;

pub struct ImportCache {
    dir: PathBuf,
}

/// What the cache held for a file: the imports it names and its syntax tree.
pub struct Hit {
    pub imports: Vec<ast::Name>,
    pub tree: Tree,
}

/// A syntax tree as stored, read when needed (by the thread that would have parsed the file).
pub struct Tree {
    bytes: Vec<u8>,
    start: usize,
}

impl Tree {
    /// The tree, or `None` when the entry is damaged (the caller parses the file then).
    pub fn statements(&self) -> Option<Vec<ast::Statement>> {
        postcard::from_bytes(self.bytes.get(self.start..)?).ok()
    }
}

/// An entry before its tree: what decides the file's preprocessing, and what it gave.
#[derive(Serialize, Deserialize)]
struct Header<'a> {
    /// The `-I` folders and `-D` macros, as [`options_key`] writes them.
    options: &'a str,
    /// Every file the preprocessing read, in [`preprocess::Output::files`]'s order.
    #[serde(borrow)]
    files: Vec<StoredFile<'a>>,
    /// Every folder an `#include` search may have looked in, and when it last changed.
    #[serde(borrow)]
    folders: Vec<(&'a str, Option<(u64, u32)>)>,
    /// The preprocessed text.
    text: &'a str,
    /// The line map: where each segment starts, the index in `files` and offset it came from,
    /// and whether it was copied.
    map: Vec<(usize, usize, usize, bool)>,
    /// The `import`s in the syntax tree: name and span.
    #[serde(borrow)]
    imports: Vec<(&'a str, usize, usize)>,
}

#[derive(Serialize, Deserialize)]
struct StoredFile<'a> {
    path: &'a str,
    text: &'a str,
    /// Where the `#include` that read it stands: an index into the files before it, an offset.
    included_at: Option<(usize, usize)>,
}

impl ImportCache {
    /// The cache kept under `root`, created when first written.
    pub fn new(root: &Path) -> Self {
        Self {
            dir: root.join(FRONT_END_ID),
        }
    }

    /// Imported file `path` (imported at `imported_at`) as the cache holds it, when preprocessing
    /// it again would give the same output; its files are then added to `sources`, as the
    /// preprocessor adds them.
    pub fn read(
        &self,
        sources: &mut SourceSet,
        path: &Path,
        imported_at: Loc,
        options: &preprocess::Options,
    ) -> Option<(preprocess::Output, Hit)> {
        let bytes = cache_folder::read(&self.entry(path), MAX_ENTRY)?;
        let (header, tree) = postcard::take_from_bytes::<Header>(&bytes).ok()?;
        let start = bytes.len() - tree.len();
        if header.options != options_key(options)
            || header.files.first()?.path != path.to_str()?
            || header
                .map
                .iter()
                .any(|&(_, file, _, _)| file >= header.files.len())
            || header
                .folders
                .iter()
                .any(|(dir, at)| changed(Path::new(dir)) != *at)
        {
            return None;
        }
        // Every file must hold its stored text before any is added to `sources`.
        let mut texts = Vec::with_capacity(header.files.len());
        for (index, file) in header.files.iter().enumerate() {
            // The first file is the one imported; each other one was included by one before it.
            match file.included_at {
                None if index == 0 => {}
                Some((by, _)) if by < index => {}
                _ => return None,
            }
            let file_path = Path::new(file.path);
            // `None`: in `sources` already, with this text.
            let text = match sources.find(file_path) {
                Some(id) if *sources.get(id).text == *file.text => None,
                Some(_) => return None,
                None => Some(preprocess::read_source(file_path).ok()?),
            };
            if text.as_deref().is_some_and(|text| text != file.text) {
                return None;
            }
            texts.push(text);
        }
        let mut ids: Vec<FileId> = Vec::with_capacity(texts.len());
        let mut included_at = Vec::new();
        for (file, text) in header.files.iter().zip(texts) {
            let from = match file.included_at {
                Some((by, offset)) => Loc {
                    file: ids[by],
                    offset,
                },
                None => imported_at,
            };
            let id = match text {
                Some(text) => sources.add(PathBuf::from(file.path), text, Some(from)),
                None => sources.find(Path::new(file.path))?,
            };
            if !ids.is_empty() {
                included_at.push(from);
            }
            ids.push(id);
        }
        let mut map = LineMap::default();
        for &(out_start, file, offset, copied) in &header.map {
            let origin = Loc {
                file: ids[file],
                offset,
            };
            match copied {
                true => map.copied(out_start, origin),
                false => map.generated(out_start, origin),
            }
        }
        let imports = header
            .imports
            .iter()
            .map(|&(text, start, end)| ast::Name {
                text: text.to_string(),
                span: start..end,
            })
            .collect();
        let input = preprocess::Output {
            text: header.text.to_string(),
            map,
            files: ids,
            included_at,
        };
        Some((
            input,
            Hit {
                imports,
                tree: Tree { bytes, start },
            },
        ))
    }

    /// Stores imported file `path`: `input`, its preprocessed text (whose files are in `sources`),
    /// with `options`, and `statements`, its syntax tree, which names `imports`.
    pub fn store(
        &self,
        sources: &SourceSet,
        path: &Path,
        input: &preprocess::Output,
        options: &preprocess::Options,
        imports: &[&ast::Name],
        statements: &[ast::Statement],
    ) {
        let Some(bytes) = encode(sources, path, input, options, imports, statements) else {
            return;
        };
        if !self.dir.exists() {
            self.forget_other_builds();
        }
        cache_folder::write(&self.entry(path), &bytes, MAX_ENTRIES);
    }

    /// Removes what other builds of cpgen kept beside this one's folder (another version, or a
    /// front end changed since), so that the cache holds one build's entries, not every build's.
    fn forget_other_builds(&self) {
        let (Some(root), Some(own)) = (self.dir.parent(), self.dir.file_name()) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name != own && is_build_folder(&name.to_string_lossy()) {
                // Another run may be using it; what it cannot remove stays.
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }

    fn entry(&self, path: &Path) -> PathBuf {
        cache_folder::entry(&self.dir, path)
    }
}

/// The entry's bytes: its [`Header`], then the tree; `None` for what cannot be stored (a path
/// that is not UTF-8).
fn encode(
    sources: &SourceSet,
    path: &Path,
    input: &preprocess::Output,
    options: &preprocess::Options,
    imports: &[&ast::Name],
    statements: &[ast::Statement],
) -> Option<Vec<u8>> {
    let index = |id: FileId| input.files.iter().position(|&f| f == id);
    let mut files = Vec::with_capacity(input.files.len());
    let mut folders = BTreeSet::new();
    for (number, &id) in input.files.iter().enumerate() {
        let file = sources.get(id);
        let included_at = match number.checked_sub(1) {
            None => None,
            Some(i) => {
                let at = input.included_at.get(i)?;
                Some((index(at.file)?, at.offset))
            }
        };
        files.push(StoredFile {
            path: file.path.to_str()?,
            text: &file.text,
            included_at,
        });
        folders.insert(file.path.parent()?.to_str()?);
    }
    if files.first()?.path != path.to_str()? {
        return None;
    }
    for dir in &options.include_dirs {
        folders.insert(dir.to_str()?);
    }
    let mut map = Vec::new();
    for (out_start, origin, copied) in input.map.segments() {
        map.push((out_start, index(origin.file)?, origin.offset, copied));
    }
    let options = options_key(options);
    let header = Header {
        options: &options,
        files,
        folders: folders
            .into_iter()
            .map(|dir| (dir, changed(Path::new(dir))))
            .collect(),
        text: &input.text,
        map,
        imports: imports
            .iter()
            .map(|name| (name.text.as_str(), name.span.start, name.span.end))
            .collect(),
    };
    let mut bytes = postcard::to_stdvec(&header).ok()?;
    bytes.extend(postcard::to_stdvec(statements).ok()?);
    Some(bytes)
}

/// Whether `name` is a folder named as [`FRONT_END_ID`] names this build's: `<version>-<16 hex
/// digits>`. Nothing else under the root is touched.
fn is_build_folder(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(version, hash)| {
        hash.len() == 16
            && hash.bytes().all(|b| b.is_ascii_hexdigit())
            && version.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The options that decide a preprocessing, as text to compare.
fn options_key(options: &preprocess::Options) -> String {
    format!("{:?} {:?}", options.include_dirs, options.defines)
}

/// When folder `dir` last changed (a file added, removed or renamed in it), if it can be told.
fn changed(dir: &Path) -> Option<(u64, u32)> {
    let since = std::fs::metadata(dir)
        .ok()?
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?;
    Some((since.as_secs(), since.subsec_nanos()))
}

#[cfg(test)]
mod tests;
