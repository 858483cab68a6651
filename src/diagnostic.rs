//! The one error type of every stage: a message, where it happened, and how the file got there.
//!
//! A [`Diagnostic`] is built with the [`SourceSet`] at hand, so it carries the quoted source with
//! it and can be rendered (by miette) long after the run's sources are gone.

mod excerpt;

use crate::source::{Loc, SourceSet};
use excerpt::Excerpt;

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct Diagnostic {
    message: String,
    /// A warning does not stop the run; everything else is an error.
    warning: bool,
    /// Boxed so that `Result<_, Diagnostic>` stays small on the happy path.
    place: Option<Box<Place>>,
    help: Option<String>,
}

/// The candidate closest to `name` in spelling, if one is close enough to be a likely typo (at
/// most one edit per three letters): the "did you mean" of every diagnostic that has one.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::levenshtein(candidate, name), candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len().max(3) / 3)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Where a diagnostic points.
#[derive(Debug, Clone)]
struct Place {
    /// `file:line:column`.
    location: String,
    source_code: Excerpt,
    label: String,
}

impl miette::Diagnostic for Diagnostic {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.place
            .as_ref()
            .map(|p| &p.source_code as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let place = self.place.as_ref()?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(place.label.clone()), place.source_code.span),
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.warning {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }

    fn help(&self) -> Option<Box<dyn std::fmt::Display + '_>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

impl Diagnostic {
    /// An error with no place in a source file (a missing input file, say).
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            warning: false,
            place: None,
            help: None,
        }
    }

    /// An error at `loc`, labelled `label`, covering `len` bytes.
    ///
    /// The include/import chain that led to the file is added to the help text.
    pub fn at(
        sources: &SourceSet,
        loc: Loc,
        len: usize,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let file = sources.get(loc.file);
        let offset = loc.offset.min(file.text.len());
        let len = len.min(file.text.len() - offset);
        let chain = Self::chain(sources, loc);
        Diagnostic {
            message: message.into(),
            warning: false,
            place: Some(Box::new(Place {
                location: sources.describe(loc),
                source_code: Excerpt::new(file, offset, len),
                label: label.into(),
            })),
            help: (!chain.is_empty()).then_some(chain),
        }
    }

    /// Adds a hint after the include chain (if any).
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        let help = help.into();
        self.help = Some(match self.help.take() {
            Some(chain) => format!("{help}\n{chain}"),
            None => help,
        });
        self
    }

    /// The same diagnostic as a warning: reported, but the run goes on.
    pub fn into_warning(mut self) -> Self {
        self.warning = true;
        self
    }

    pub fn is_warning(&self) -> bool {
        self.warning
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// `file:line:column` of the error, if it has a place.
    pub fn location(&self) -> Option<&str> {
        self.place.as_ref().map(|p| p.location.as_str())
    }

    /// The diagnostic as rustc-like text without colours: the message, `--> file:line:col`, the
    /// source line with its label, and the help.
    pub fn render_plain(&self) -> String {
        let mut out = String::new();
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_wrap_lines(false);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, self);
        out
    }

    fn chain(sources: &SourceSet, loc: Loc) -> String {
        let mut lines = Vec::new();
        let mut from = sources.get(loc.file).included_from;
        while let Some(at) = from {
            // An `#include` is located at its `#`, an `import` at the file's name.
            let file = sources.get(at.file);
            let line_start = file
                .text
                .get(..at.offset)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |i| i + 1);
            let how = if file.text[line_start..].trim_start().starts_with('#') {
                "included"
            } else {
                "imported"
            };
            lines.push(format!("{how} from {}", sources.describe(at)));
            from = sources.get(at.file).included_from;
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_place_line_and_include_chain() {
        let mut sources = SourceSet::new();
        let top = sources.add("top.idl".into(), "#include \"a.h\"\n".into(), None);
        let inner = sources.add(
            "a.h".into(),
            "int x;\nbad thing\n".into(),
            Some(Loc {
                file: top,
                offset: 0,
            }),
        );
        let diag = Diagnostic::at(
            &sources,
            Loc {
                file: inner,
                offset: 11,
            },
            5,
            "unexpected `thing`",
            "expected `;`",
        );
        assert_eq!(diag.location(), Some("a.h:2:5"));
        let text = diag.render_plain();
        assert!(text.contains("unexpected `thing`"), "{text}");
        assert!(text.contains("[a.h:2:5]"), "{text}");
        assert!(text.contains("bad thing"), "{text}");
        assert!(text.contains("included from top.idl:1:1"), "{text}");
    }
}
