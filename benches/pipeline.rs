//! cpgen's pipeline, stage by stage, in-process: `cargo bench --bench pipeline`.
//!
//! Inputs: the sample (`fixtures/clock.idl`), and Wine's exdisp.idl and mshtml.idl (the largest
//! real file, 30,000 lines, importing 15 more) with Wine's include path, as
//! `cpgen FILE -I <wine>/windows -I <wine> -o OUT` reads them. Without libwine-dev the Wine inputs
//! are skipped with a message. `benches/vs_widl.sh` times whole processes against widl;
//! BENCHMARKS.md has the figures.
//!
//! - `preprocess`: the input file alone through the preprocessor (its `#include`s, not imports);
//! - `front_end`: `cpgen::load`, the input and every import preprocessed, parsed and resolved;
//! - `emit`: `emit::generate` on that model (windows-bindgen, templates, prettyplease);
//! - `generate_file`: the whole of what `cpgen FILE -o OUT` computes before writing;
//! - `wine_folder_front_end`, `wine_folder_each_file_alone`: every file of Wine's folder through
//!   the front end with its imports, and each file alone (what a cache of parsed imports would
//!   leave).

use std::path::{Path, PathBuf};

use cpgen::model::Options;
use cpgen::source::SourceSet;
use divan::Bencher;

fn main() {
    divan::main();
}

const WINE_IDL_DIR: &str = "/usr/include/wine/wine/windows";
const INPUTS: &[&str] = &["clock", "exdisp", "mshtml"];

/// The path and options of an input, or `None` (and a message) when it is not installed.
fn input(name: &str) -> Option<(PathBuf, Options)> {
    if name == "clock" {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/clock.idl");
        return Some((path, Options::default()));
    }
    let dir = Path::new(WINE_IDL_DIR);
    let path = dir.join(format!("{name}.idl"));
    if !path.is_file() {
        eprintln!(
            "skipped {name}: {} is missing (install libwine-dev)",
            path.display()
        );
        return None;
    }
    let mut options = Options::default();
    options.preprocess.include_dirs = vec![dir.to_path_buf(), dir.join("..")];
    Some((path, options))
}

#[divan::bench(args = INPUTS, sample_count = 10, sample_size = 1)]
fn preprocess(bencher: Bencher, name: &str) {
    let Some((path, options)) = input(name) else {
        return;
    };
    bencher.bench(|| {
        let mut sources = SourceSet::new();
        cpgen::preprocess::preprocess(&mut sources, &path, None, &options.preprocess)
            .expect("preprocesses")
    });
}

#[divan::bench(args = INPUTS, sample_count = 10, sample_size = 1)]
fn front_end(bencher: Bencher, name: &str) {
    let Some((path, options)) = input(name) else {
        return;
    };
    bencher.bench(|| cpgen::load(&path, &options).expect("loads"));
}

#[divan::bench(args = INPUTS, sample_count = 10, sample_size = 1)]
fn emit(bencher: Bencher, name: &str) {
    let Some((path, options)) = input(name) else {
        return;
    };
    let model = cpgen::load(&path, &options).expect("loads");
    let emit_options = cpgen::emit::Options {
        coclasses: Vec::new(),
        module: cpgen::emit::module_name(name),
        cross_apartment: Default::default(),
        property_notify: false,
        server: None,
        cache_dir: None,
    };
    bencher.bench(|| cpgen::emit::generate(&model, &emit_options).expect("generates"));
}

#[divan::bench(args = INPUTS, sample_count = 10, sample_size = 1)]
fn generate_file(bencher: Bencher, name: &str) {
    let Some((path, options)) = input(name) else {
        return;
    };
    bencher.bench(|| {
        cpgen::generate_file(
            &path,
            &options,
            &[],
            &Default::default(),
            false,
            None,
            "out.rs",
        )
        .expect("generates")
    });
}

/// Every IDL file of Wine's folder, each on its own, preprocessed and parsed (imports not
/// followed): what a per-file run would cost if the files every input imports (unknwn, objidl,
/// oaidl, ocidl ...) were never parsed again. Files cpgen refuses (WinRT) count as far as they get.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn wine_folder_each_file_alone(bencher: Bencher) {
    let Some(files) = wine_folder() else {
        return;
    };
    let options = cpgen::preprocess::Options {
        include_dirs: vec![
            PathBuf::from(WINE_IDL_DIR),
            Path::new(WINE_IDL_DIR).join(".."),
        ],
        ..Default::default()
    };
    bencher.bench(|| {
        for path in &files {
            let mut sources = SourceSet::new();
            if let Ok(output) = cpgen::preprocess::preprocess(&mut sources, path, None, &options) {
                let _ = divan::black_box(cpgen::parse::parse(&sources, &output));
            }
        }
    });
}

/// Every IDL file of Wine's folder through the front end with its imports (`cpgen::load`), as
/// the per-file runs of `benches/vs_widl.sh` do it, less the process start and the generation.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn wine_folder_front_end(bencher: Bencher) {
    let Some(files) = wine_folder() else {
        return;
    };
    let (_, options) = input("mshtml").expect("the folder is there");
    bencher.bench(|| {
        for path in &files {
            let _ = divan::black_box(cpgen::load(path, &options));
        }
    });
}

/// The `.idl` files of Wine's folder, sorted, or `None` (and a message) without libwine-dev.
fn wine_folder() -> Option<Vec<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(WINE_IDL_DIR) else {
        eprintln!("skipped: {WINE_IDL_DIR} is missing (install libwine-dev)");
        return None;
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "idl"))
        .collect();
    files.sort();
    Some(files)
}
