//! Reading a source file into text: bounded in size, in the encodings MIDL's preprocessor
//! reads, with every line ending made one the lexer knows.

use std::io::Read as _;
use std::path::Path;

/// The largest source file cpgen reads (the largest real IDL file, Wine's mshtml.idl, is 1.2 MB).
const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// A file's text (see [`decode`]), or a built-in SDK header's for its path.
pub(crate) fn read_source(path: &Path) -> std::io::Result<String> {
    if let Some(text) = crate::builtin::text(path) {
        return Ok(text.to_string());
    }
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("it is a folder, not a file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB",
            MAX_SOURCE_BYTES >> 20
        )));
    }
    Ok(decode(bytes))
}

/// Text from a file's bytes: UTF-16 when a byte-order mark says so (as files saved by Windows
/// tools are), else UTF-8, whose invalid bytes become U+FFFD rather than an error. A carriage
/// return alone (classic Mac OS line endings) becomes a newline, byte for byte, so offsets stay
/// put; CR LF stays as it is.
pub(super) fn decode(bytes: Vec<u8>) -> String {
    let text = match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
    };
    if !text.contains('\r') {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    String::from_utf8(bytes).expect("replacing ASCII by ASCII keeps UTF-8 valid")
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    if bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "import \"oaidl.idl\";\r\n// é\r\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(le), text);
        assert_eq!(decode(be), text);
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        assert_eq!(decode(b"// a\rx;\r\ny;\r".to_vec()), "// a\nx;\r\ny;\n");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(decode(b"a\xFFb".to_vec()), "a\u{FFFD}b");
    }
}
