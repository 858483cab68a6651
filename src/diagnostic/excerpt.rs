//! The few lines a diagnostic quotes, each cut down around the place it points at.
//!
//! A diagnostic carries its quote so that it can be rendered after the run's sources are gone.
//! Quoting the whole file would hand miette a 50 MB line to echo (and columns past what it
//! renders), so only the line of the place and its neighbours are kept, long ones shortened.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::source::SourceFile;

/// How many bytes of a line are quoted on each side of the place.
const HALF_WIDTH: usize = 80;

/// The quoted lines, and what miette needs to say where they are in the file.
#[derive(Debug, Clone)]
pub(super) struct Excerpt {
    name: String,
    text: String,
    /// 0-based line in the file of the excerpt's first line.
    first_line: usize,
    /// The place, in the excerpt.
    pub span: SourceSpan,
    /// 0-based line and column (in characters) of the place in the file.
    line: usize,
    column: usize,
}

impl Excerpt {
    /// The lines around `file.text[offset..offset + len]`: the place's line cut to `HALF_WIDTH`
    /// bytes either side of the place, its neighbours to their first `2 * HALF_WIDTH` bytes.
    pub fn new(file: &SourceFile, offset: usize, len: usize) -> Self {
        let text: &str = &file.text;
        let (line, column) = file.line_col(offset);
        let start = line_start(text, offset);
        let end = line_end(text, offset);
        let mut out = String::new();
        let mut first_line = line - 1;
        if start > 0 {
            let before = line_start(text, start - 1);
            out.push_str(&cut(text, before, start - 1));
            out.push('\n');
            first_line -= 1;
        }
        let from = floor(text, offset.saturating_sub(HALF_WIDTH).max(start));
        // A long span is quoted (and underlined) only as far as its first `HALF_WIDTH` bytes.
        let to = ceil(
            text,
            (offset + len.clamp(1, HALF_WIDTH) + HALF_WIDTH).min(end),
        );
        if from > start {
            out.push('…');
        }
        let span_start = out.len() + (offset - from);
        let span_len = len.min(to.saturating_sub(offset));
        out.push_str(&text[from..to]);
        if to < end {
            out.push('…');
        }
        if end < text.len() {
            out.push('\n');
            out.push_str(&cut(text, end + 1, line_end(text, end + 1)));
        }
        Excerpt {
            name: file.path.display().to_string(),
            text: out,
            first_line,
            span: (span_start, span_len).into(),
            line: line - 1,
            column: column - 1,
        }
    }
}

/// The whole line `text[from..to]`, or its first `2 * HALF_WIDTH` bytes and `…`.
fn cut(text: &str, from: usize, to: usize) -> String {
    let short = ceil(text, to.min(from + 2 * HALF_WIDTH));
    if short < to {
        format!("{}…", &text[from..short])
    } else {
        text[from..to].to_string()
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

fn floor(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn ceil(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset += 1;
    }
    offset
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        // The place itself is where the header's `file:line:column` comes from.
        let (line, column) = if span.offset() == self.span.offset() && before == 0 {
            (self.line, self.column)
        } else {
            (self.first_line + inner.line(), inner.column())
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            line,
            column,
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Loc, SourceSet};

    #[test]
    fn long_lines_are_cut_around_the_place() {
        let mut sources = SourceSet::new();
        let line = format!("{}bad{}", "x".repeat(100_000), "y".repeat(100_000));
        let text = format!(
            "{}\nfirst\n{line}\n{}\n",
            "p".repeat(1000),
            "n".repeat(1000)
        );
        let id = sources.add("long.idl".into(), text.clone(), None);
        let offset = text.find("bad").unwrap();
        let excerpt = Excerpt::new(sources.get(id), offset, 3);
        assert!(excerpt.text.len() < 4 * HALF_WIDTH + 40, "{}", excerpt.text);
        let (start, len) = (excerpt.span.offset(), excerpt.span.len());
        assert_eq!(&excerpt.text[start..start + len], "bad");
        assert!(excerpt.text.starts_with("first\n…x"), "{}", excerpt.text);
        assert!(
            excerpt
                .text
                .ends_with(&format!("y…\n{}…", "n".repeat(2 * HALF_WIDTH))),
            "{}",
            excerpt.text
        );
        let diagnostic = crate::Diagnostic::at(
            &sources,
            Loc { file: id, offset },
            3,
            "syntax error",
            "here",
        );
        let rendered = diagnostic.render_plain();
        assert!(rendered.contains("[long.idl:3:100001]"), "{rendered}");
        assert!(rendered.contains(" │ …xxx"), "{rendered}");
        assert!(rendered.contains("xbadyyy"), "{rendered}");
        assert!(rendered.len() < 2000, "{rendered}");
    }
}
