//! A text with huge items printed a bounded piece at a time.
//!
//! syn's tree of an item takes some fifty times its text, and a source interface of 100,000
//! events makes items of tens of megabytes: its proxy's `impl`, its handler trait, the `match`
//! of its sink's `invoke`, the type library's table of its functions. The templates mark the
//! members of such lists with comment lines, which syn drops, so a text printed whole prints
//! the same with them: `/*"items*/` (items of a module, an `impl` or a trait), `/*"arms*/` (a
//! `match`'s arms), `/*"fields*/` (a struct's fields), `/*"elements*/` (an array's elements,
//! each with its comma) or `/*"values*/` (a struct expression's fields, each with its comma; see
//! [`values`]) opens a list, `/*"-*/` starts each member and `/*"end*/` closes it. A marker is a line of its own, and no
//! text from the input can make such a line: helpstrings become doc comments with `*` escaped,
//! names are identifiers and strings are `{:?}` literals, whose `"` is escaped.
//!
//! Why a list prints the same in pieces: prettyplease starts each member of such a list on a
//! line of its own at the list's indentation (items, arms and fields after a hard break; elements after
//! the breaks of an array or struct expression too long for one line, which then breaks after
//! every element), and how it breaks a member's lines depends only on the member, that
//! indentation and what follows it up to the next break, which is the same in every place but
//! one: the last element is followed by no comma of its own. So a large list is replaced in the text by two
//! stand-in members, `S` and `E` (the frame), and printed a chunk of members at a time, each
//! between `S` and `E` in the frame, or after `S` alone for the chunk that ends the list (so an
//! element is last where it is last in the list). A chunk's lines are those between the frame's
//! lines up to `S` and from `E` (or past `E`); a print that does not have those lines around the
//! chunk is refused, and the text is printed whole instead.

use std::ops::Range;

use crate::Diagnostic;

/// How large a text is printed whole, and how large the chunks of a list are (in bytes of text):
/// syn's tree of a piece of this size takes some megabytes.
pub const LIMITS: Limits = Limits {
    whole: 128 << 10,
    chunk: 128 << 10,
    strict: false,
};

/// See [`LIMITS`].
pub struct Limits {
    pub whole: usize,
    pub chunk: usize,
    /// A text whose pieces do not print as the frame says is an error rather than printed whole
    /// (for tests, where it is a template's or this module's mistake).
    pub strict: bool,
}

/// A list is printed in pieces only if its members have this many bytes of code besides
/// whitespace: far more than a line holds, so that printed whole it breaks after every member.
const MIN_LIST: usize = 1024;

/// What prints a text parsed as a file (syn and prettyplease).
pub type Print<'a> = &'a dyn Fn(&str) -> Result<String, Diagnostic>;

/// `text` between the two texts of `frame` as `print` prints it, in pieces (in order), holding
/// the syntax tree of at most about `limits.whole` bytes of text at a time where the text's
/// lists allow.
pub fn format(
    text: &str,
    frame: (&str, &str),
    limits: &Limits,
    print: Print,
) -> Result<Vec<String>, Diagnostic> {
    printed(text, frame, limits, print, 0)
}

/// [`format`] of a text `level` lists deep in the one given to it.
fn printed(
    text: &str,
    frame: (&str, &str),
    limits: &Limits,
    print: Print,
    level: usize,
) -> Result<Vec<String>, Diagnostic> {
    if text.len() > limits.whole {
        match in_pieces(text, frame, limits, print, level) {
            Ok(Some(printed)) => return Ok(printed),
            Ok(None) => {}
            Err(error) if limits.strict => return Err(error),
            // Whole, it prints right, with a larger tree.
            Err(_) => {}
        }
    }
    let (open, close) = frame;
    Ok(vec![print(&format!("{open}{text}{close}"))?])
}

/// `text` in `frame` printed with its large lists in chunks; `None` if it has none.
fn in_pieces(
    text: &str,
    frame: (&str, &str),
    limits: &Limits,
    print: Print,
    level: usize,
) -> Result<Option<Vec<String>>, Diagnostic> {
    let lists: Vec<List> = lists(text)?
        .into_iter()
        .filter(|list| list.weight >= MIN_LIST)
        .collect();
    if lists.is_empty() {
        return Ok(None);
    }
    let stand_ins = StandIns {
        lists: &lists,
        level,
        frame,
    };
    let (frame_text, _) = stand_ins.around(text, None);
    let printed_frame = printed(&frame_text, ("", ""), limits, print, level + 1)?.concat();
    // Each list's place in the printed frame: the lines up to and with `S`, the lines from `E`.
    let mut places = Vec::with_capacity(lists.len());
    for index in 0..lists.len() {
        let start = line_of(&printed_frame, &stand_ins.name(index, START))?;
        let end = line_of(&printed_frame, &stand_ins.name(index, END))?;
        if start.end != end.start {
            return Err(refused("a list's stand-ins are apart"));
        }
        places.push((start, end));
    }
    let mut out = Vec::new();
    let mut copied = 0;
    for (index, list) in lists.iter().enumerate() {
        let (start, end) = places[index].clone();
        out.push(printed_frame[copied..start.start].to_string());
        copied = end.end;
        let chunks = chunks(&list.members, limits.chunk);
        for (number, chunk) in chunks.iter().enumerate() {
            let last = number + 1 == chunks.len();
            let piece = Piece {
                list: index,
                members: chunk.clone(),
                last,
            };
            // The members are a slice of `text` (with the markers between them, comments), so
            // that a huge one is not copied: its own lists are printed in pieces in turn.
            let members = &list.members[piece.members.clone()];
            let members = &text[members[0].start..members[members.len() - 1].end];
            let (open, close) = stand_ins.around(text, Some(&piece));
            let mut printed = printed(members, (&open, &close), limits, print, level + 1)?;
            let before = &printed_frame[..start.end];
            let after = &printed_frame[if last { end.end } else { end.start }..];
            if !trim(&mut printed, before, after) {
                return Err(refused("a chunk of a list printed out of its frame"));
            }
            // Held until the file is put together: without the room prettyplease's output grew.
            out.extend(printed.into_iter().map(|mut piece| {
                piece.shrink_to_fit();
                piece
            }));
        }
    }
    out.push(printed_frame[copied..].to_string());
    Ok(Some(out))
}

/// Takes `before` off the start of `pieces` and `after` off their end, in place; false if they
/// do not start and end so, within the first and last piece.
pub fn trim(pieces: &mut [String], before: &str, after: &str) -> bool {
    let fits = match pieces {
        [] => false,
        [only] => only.len() >= before.len() + after.len(),
        _ => true,
    };
    let (Some(first), true) = (pieces.first(), fits) else {
        return false;
    };
    let last = pieces.last().map_or("", String::as_str);
    if !first.starts_with(before) || !last.ends_with(after) {
        return false;
    }
    if let Some(last) = pieces.last_mut() {
        last.truncate(last.len() - after.len());
    }
    if let Some(first) = pieces.first_mut() {
        first.drain(..before.len());
    }
    true
}

/// The fields of a struct expression (`name: value`), marked as a list, for code written in Rust
/// rather than in a template.
pub fn values(fields: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("\n/*\"values*/\n");
    for field in fields {
        out.push_str(&format!("/*\"-*/\n{field},\n"));
    }
    out.push_str("/*\"end*/\n");
    out
}

fn refused(what: &str) -> Diagnostic {
    Diagnostic::new(format!(
        "internal error: printing the generated code in pieces: {what}"
    ))
}

/// What a list holds, by its opening marker.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Items,
    Arms,
    Fields,
    Elements,
    Values,
}

const MEMBER: &str = "/*\"-*/";
const CLOSE: &str = "/*\"end*/";

fn opening(line: &str) -> Option<Kind> {
    match line {
        "/*\"items*/" => Some(Kind::Items),
        "/*\"arms*/" => Some(Kind::Arms),
        "/*\"fields*/" => Some(Kind::Fields),
        "/*\"elements*/" => Some(Kind::Elements),
        "/*\"values*/" => Some(Kind::Values),
        _ => None,
    }
}

/// A list of the text, not inside another.
#[derive(Debug)]
struct List {
    kind: Kind,
    /// From its opening marker's line to the end of its closing marker's line.
    span: Range<usize>,
    /// The text of each member, between its marker's line and the next marker's.
    members: Vec<Range<usize>>,
    /// Bytes of the members' code, besides whitespace and markers.
    weight: usize,
}

/// The lists of `text` that are inside none other; refused if its markers do not pair up or
/// something other than whitespace stands before a list's first member.
fn lists(text: &str) -> Result<Vec<List>, Diagnostic> {
    let unpaired = || refused("the list markers do not pair up");
    let mut lists = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<List> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let (start, end) = (offset, offset + line.len());
        offset = end;
        let marker = line.trim();
        if let Some(kind) = opening(marker) {
            depth += 1;
            if depth == 1 {
                current = Some(List {
                    kind,
                    span: start..end,
                    members: Vec::new(),
                    weight: 0,
                });
                continue;
            }
        } else if marker == CLOSE {
            depth = depth.checked_sub(1).ok_or_else(unpaired)?;
            if depth == 0 {
                let mut list = current.take().ok_or_else(unpaired)?;
                if let Some(last) = list.members.last_mut() {
                    last.end = start;
                }
                list.span.end = end;
                lists.push(list);
                continue;
            }
        } else if marker == MEMBER && depth == 1 {
            let list = current.as_mut().ok_or_else(unpaired)?;
            if let Some(last) = list.members.last_mut() {
                last.end = start;
            }
            list.members.push(end..end);
            continue;
        }
        if let Some(list) = current.as_mut() {
            let code = line.bytes().filter(|b| !b.is_ascii_whitespace()).count();
            if list.members.is_empty() && code > 0 {
                return Err(refused("code before a list's first member"));
            }
            if opening(marker).is_none() && marker != CLOSE && marker != MEMBER {
                list.weight += code;
            }
        }
    }
    if depth != 0 {
        return Err(unpaired());
    }
    Ok(lists)
}

/// A chunk of the members of `lists[list]`.
struct Piece {
    list: usize,
    members: Range<usize>,
    /// The chunk ends the list.
    last: bool,
}

/// The stand-in members of a text's lists, `level` lists deep in the text [`format`] got, whose
/// names no other stand-in of the text and no name in it has.
struct StandIns<'a> {
    lists: &'a [List],
    level: usize,
    /// What the text stands between.
    frame: (&'a str, &'a str),
}

const START: &str = "start";
const END: &str = "end";

impl StandIns<'_> {
    fn name(&self, index: usize, which: &str) -> String {
        format!("__cpgen_{}_{index}_{which}_", self.level)
    }

    /// The member that stands for others at `which` end of list `index`: an empty item, an arm
    /// with an empty block, or an element or field too long for a line with others.
    fn member(&self, index: usize, which: &str) -> String {
        let name = self.name(index, which);
        match self.lists[index].kind {
            Kind::Items => format!("fn {name}() {{}}\n"),
            Kind::Arms => format!("{name} => {{}}\n"),
            Kind::Fields => format!("{name}: (),\n"),
            Kind::Elements => format!("{name}{},\n", "x".repeat(100)),
            Kind::Values => format!("{name}{}: 0,\n", "x".repeat(100)),
        }
    }

    /// `text` with every list replaced by its stand-ins: the frame; or with `piece`, the frame
    /// up to and with `S` of the piece's list, and from `E` (unless the chunk ends the list), the
    /// texts that the chunk of members stands between.
    fn around(&self, text: &str, piece: Option<&Piece>) -> (String, String) {
        let mut out = String::from(self.frame.0);
        let mut before = None;
        let mut copied = 0;
        for (index, list) in self.lists.iter().enumerate() {
            out.push_str(&text[copied..list.span.start]);
            copied = list.span.end;
            out.push_str(&self.member(index, START));
            match piece.filter(|p| p.list == index) {
                Some(piece) => {
                    before = Some(std::mem::take(&mut out));
                    if !piece.last {
                        out.push_str(&self.member(index, END));
                    }
                }
                None => out.push_str(&self.member(index, END)),
            }
        }
        out.push_str(&text[copied..]);
        out.push_str(self.frame.1);
        match before {
            Some(before) => (before, out),
            None => (out, String::new()),
        }
    }
}

/// The members grouped in runs of at most `size` bytes (or one member, if larger).
fn chunks(members: &[Range<usize>], size: usize) -> Vec<Range<usize>> {
    let mut chunks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (index, member) in members.iter().enumerate() {
        if index > start && bytes + member.len() > size {
            chunks.push(start..index);
            (start, bytes) = (index, 0);
        }
        bytes += member.len();
    }
    if start < members.len() {
        chunks.push(start..members.len());
    }
    chunks
}

/// The line of `printed` that holds `name`, if exactly one does.
fn line_of(printed: &str, name: &str) -> Result<Range<usize>, Diagnostic> {
    let mut found = printed.match_indices(name);
    let (Some((at, _)), None) = (found.next(), found.next()) else {
        return Err(refused("a stand-in is not on one line of its own"));
    };
    let start = printed[..at].rfind('\n').map_or(0, |n| n + 1);
    let end = printed[at..]
        .find('\n')
        .map_or(printed.len(), |n| at + n + 1);
    Ok(start..end)
}

#[cfg(test)]
mod tests;
