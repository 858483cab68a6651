//! The files read during one run, and the map from preprocessed text back into them.
//!
//! Every stage after the preprocessor works on preprocessed text; the [`LineMap`] turns an
//! offset in that text back into a [`Loc`] in a real file, so errors always point at what the
//! user wrote.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceSet`].
pub type FileId = usize;

/// A byte offset in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    pub file: FileId,
    pub offset: usize,
}

/// One file as it was read.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it was found (relative paths stay relative, so messages read like the command line).
    pub path: PathBuf,
    pub text: Arc<str>,
    /// The `#include` or `import` that brought this file in, if any.
    pub included_from: Option<Loc>,
    /// Start offset of each line, for line/column lookups.
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, column + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// All files of a run, owned in one place so that diagnostics can quote them.
#[derive(Debug, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a file's text and returns its id.
    pub fn add(&mut self, path: PathBuf, text: String, included_from: Option<Loc>) -> FileId {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        self.files.push(SourceFile {
            path,
            text: text.into(),
            included_from,
            line_starts,
        });
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The id of a file already read from `path`, if any.
    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate()
    }

    /// `path:line:column` of a location, as compilers print it.
    pub fn describe(&self, loc: Loc) -> String {
        let file = self.get(loc.file);
        let (line, column) = file.line_col(loc.offset);
        format!("{}:{line}:{column}", file.path.display())
    }
}

/// Maps offsets in preprocessed text back to the files they came from.
///
/// The output is a sequence of segments. In a *copied* segment, text was copied from its origin
/// byte for byte, so an offset maps to the same distance past the origin. In a *generated* segment
/// (a macro expansion), every offset maps to the origin itself: the macro's use.
#[derive(Debug, Default, Clone)]
pub struct LineMap {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    out_start: usize,
    origin: Loc,
    copied: bool,
}

impl LineMap {
    /// Each segment: where it starts in the output, where it came from, and whether it was
    /// copied (else generated); [`Self::copied`] and [`Self::generated`] rebuild the map.
    pub fn segments(&self) -> impl Iterator<Item = (usize, Loc, bool)> + '_ {
        self.segments
            .iter()
            .map(|s| (s.out_start, s.origin, s.copied))
    }

    /// Records that output from `out_start` on was copied from `origin` onwards.
    pub fn copied(&mut self, out_start: usize, origin: Loc) {
        self.push(Segment {
            out_start,
            origin,
            copied: true,
        });
    }

    /// Records that output from `out_start` on was produced by the macro use at `origin`.
    pub fn generated(&mut self, out_start: usize, origin: Loc) {
        self.push(Segment {
            out_start,
            origin,
            copied: false,
        });
    }

    fn push(&mut self, segment: Segment) {
        // A later segment at the same output offset replaces an earlier, empty one.
        if let Some(last) = self.segments.last_mut()
            && last.out_start == segment.out_start
        {
            *last = segment;
            return;
        }
        debug_assert!(
            self.segments
                .last()
                .is_none_or(|l| l.out_start < segment.out_start),
            "segments must be pushed in output order"
        );
        self.segments.push(segment);
    }

    /// The source location of an output offset. Returns `None` only for an empty map.
    pub fn locate(&self, out_offset: usize) -> Option<Loc> {
        let index = self
            .segments
            .partition_point(|s| s.out_start <= out_offset)
            .checked_sub(1)?;
        let segment = self.segments[index];
        let mut loc = segment.origin;
        if segment.copied {
            loc.offset += out_offset - segment.out_start;
        }
        Some(loc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_characters() {
        let mut sources = SourceSet::new();
        let id = sources.add("a.idl".into(), "ab\n\u{e9}cd\n".into(), None);
        let file = sources.get(id);
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(6), (2, 3)); // after the two-byte é
        assert_eq!(
            sources.describe(Loc {
                file: id,
                offset: 6
            }),
            "a.idl:2:3"
        );
    }

    #[test]
    fn map_follows_copied_and_generated_segments() {
        let mut map = LineMap::default();
        map.copied(
            0,
            Loc {
                file: 0,
                offset: 10,
            },
        );
        map.generated(
            5,
            Loc {
                file: 0,
                offset: 15,
            },
        );
        map.copied(9, Loc { file: 1, offset: 0 });
        assert_eq!(
            map.locate(3),
            Some(Loc {
                file: 0,
                offset: 13
            })
        );
        assert_eq!(
            map.locate(7),
            Some(Loc {
                file: 0,
                offset: 15
            })
        );
        assert_eq!(map.locate(12), Some(Loc { file: 1, offset: 3 }));
    }
}
