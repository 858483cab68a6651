//! Any text through the parser (after the preprocessor, as cpgen runs it): a syntax tree or a
//! located error, never a panic.
#![no_main]

use cpgen::preprocess::{Options, preprocess};
use cpgen::source::SourceSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceSet::new();
    let path = std::path::Path::new("fuzz.idl");
    sources.add(path.to_path_buf(), String::from_utf8_lossy(data).into_owned(), None);
    if let Ok(output) = preprocess(&mut sources, path, None, &Options::default()) {
        let _ = cpgen::parse::parse(&sources, &output);
    }
});
