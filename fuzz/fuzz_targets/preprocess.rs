//! Any bytes through the preprocessor: a result or a located error, never a panic or a hang.
#![no_main]

use cpgen::preprocess::{Options, preprocess};
use cpgen::source::SourceSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut sources = SourceSet::new();
    // A file already in the source set is preprocessed from memory, not read from disk.
    let path = std::path::Path::new("fuzz.idl");
    sources.add(path.to_path_buf(), String::from_utf8_lossy(data).into_owned(), None);
    let _ = preprocess(&mut sources, path, None, &Options::default());
});
