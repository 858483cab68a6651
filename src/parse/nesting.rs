//! How deeply the input nests, measured before pest sees it.
//!
//! pest's generated parser and the code that walks its pairs recurse once (and through many
//! frames) per level of brackets, so a few thousand `(` would end the process with a stack
//! overflow. This scan counts the levels in one pass without recursing and refuses the input,
//! at the bracket that goes too deep, long before the stack could run out, on a build script's
//! main thread as on a test's smaller one.

/// Levels of `(`, `[`, `{` and `?` one inside another that the parser accepts. Real MIDL uses a
/// handful (mshtml's DISPIDs, about five); widl's parser stack holds about 10,000 tokens.
pub const MAX_NESTING: usize = 256;

/// The offset of the first bracket (or `?`) that opens level [`MAX_NESTING`] + 1, if any.
///
/// Strings, character literals and comments are skipped, as the parser skips them. A `?` opens
/// a level (the parser recurses through `a ? b ? ...`, and through `a ? b : c ? ...` when it
/// builds the tree) that lasts until the end of the bracket, argument or statement it is in.
pub fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut stack: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' | b'\'' => i = skip_quoted(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| i + 2 + end + 2);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |end| i + end);
                continue;
            }
            b'(' | b'[' | b'{' | b'?' => {
                if stack.len() == MAX_NESTING {
                    return Some(i);
                }
                stack.push(b);
            }
            b')' | b']' | b'}' | b',' | b';' => {
                while stack.last() == Some(&b'?') {
                    stack.pop();
                }
                if matches!(b, b')' | b']' | b'}') {
                    stack.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset of the closing quote of the literal that opens at `start` (or of the line's end,
/// where an unterminated literal stops).
pub(super) fn skip_quoted(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    i.min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_brackets_and_conditionals_but_not_literals() {
        let deep = |n: usize| format!("x{}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(too_deep(&deep(MAX_NESTING)), None);
        assert_eq!(too_deep(&deep(MAX_NESTING + 1)), Some(MAX_NESTING + 1));
        let strings = format!("[helpstring(\"{}\")] '(' /* ( */", "(".repeat(1000));
        assert_eq!(too_deep(&strings), None);
        let chain = format!("const int x = {}0;", "1 ? 2 : ".repeat(MAX_NESTING + 1));
        assert!(too_deep(&chain).is_some());
        let many = "[id(1 ? 2 : 3)] void f(long a, long b);\n".repeat(1000);
        assert_eq!(too_deep(&many), None);
    }
}
