//! The C preprocessor subset that MIDL files rely on.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineMap, Loc, SourceSet};

/// What the command line says to the preprocessor.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `-I` folders, searched in order after the including file's own folder.
    pub include_dirs: Vec<PathBuf>,
    /// `-D NAME[=VALUE]`, in command-line order.
    pub defines: Vec<(String, Option<String>)>,
}

/// The preprocessed text of one file and the files it `#include`d.
#[derive(Debug)]
pub struct Output {
    pub text: String,
    pub map: LineMap,
    /// The file itself first, then every file it included, in the order they were first read.
    pub files: Vec<FileId>,
}

/// Preprocesses the file at `path`, adding it and every file it includes to `sources`.
/// `included_from` is the `import` that asked for it, if any.
pub fn preprocess(
    sources: &mut SourceSet,
    path: &Path,
    included_from: Option<Loc>,
    options: &Options,
) -> Result<Output, Diagnostic> {
    // Placeholder until the real preprocessor lands: copies the file as it is.
    let _ = options;
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(format!("cannot read {}: {e}", path.display())))?;
    let file = sources.add(path.to_path_buf(), text.clone(), included_from);
    let mut map = LineMap::default();
    map.copied(0, Loc { file, offset: 0 });
    Ok(Output { text, map, files: vec![file] })
}
