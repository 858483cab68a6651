//! Look-ups in the sorted text tables `build.rs` writes, straight in the text compiled into the
//! binary: a binary search by byte offset, so a run splits or parses nothing up front (the Win32
//! tables are megabytes, and a run looks up a few dozen names).

/// The lines of `text` (sorted by their first space-separated field) whose first field is `key`.
pub fn find<'a>(text: &'a str, key: &str) -> impl Iterator<Item = &'a str> {
    let (mut low, mut high) = (0, text.len());
    // Invariant: every line starting before `low` sorts before `key`, and the line starting at
    // `high` (if any) does not.
    while low < high {
        let middle = (low + high) / 2;
        let start = text[..middle].rfind('\n').map_or(0, |i| i + 1).max(low);
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        if first_field(&text[start..end]) < key {
            low = end + 1;
        } else {
            high = start;
        }
    }
    text[low.min(text.len())..]
        .lines()
        .take_while(move |line| first_field(line) == key)
}

fn first_field(line: &str) -> &str {
    line.split(' ').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_every_line_of_a_key_and_nothing_else() {
        let text = "a 1\nb 1\nb 2\nc 1\nd 1\n";
        assert_eq!(find(text, "b").collect::<Vec<_>>(), ["b 1", "b 2"]);
        assert_eq!(find(text, "a").collect::<Vec<_>>(), ["a 1"]);
        assert_eq!(find(text, "d").collect::<Vec<_>>(), ["d 1"]);
        for absent in ["", "0", "bb", "e"] {
            assert_eq!(find(text, absent).count(), 0, "{absent}");
        }
        assert_eq!(find("", "a").count(), 0);
        assert_eq!(find("only", "only").collect::<Vec<_>>(), ["only"]);
    }
}
