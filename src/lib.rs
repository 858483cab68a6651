//! cpgen reads MIDL files and generates the Rust that makes a COM object connectable.
//!
//! The pipeline runs one way: [`preprocess`] → [`parse`] → [`model`] (resolve) → [`emit`] →
//! [`write`].

mod builder;
pub mod diagnostic;
pub mod emit;
pub mod model;
pub mod parse;
pub mod preprocess;
pub mod source;
pub mod write;

pub use builder::Builder;
pub use diagnostic::Diagnostic;
pub use model::{Model, load};

use std::path::Path;

/// The whole pipeline for one input, as `cpgen IDL -o OUT` and [`Builder`] run it: the text of
/// the generated file (header included, `out` being how its header names the output) and the
/// model it came from, whose `files` are everything read.
pub fn generate_file(
    idl: &Path,
    options: &model::Options,
    coclasses: &[String],
    out: &str,
) -> Result<(String, Model), Diagnostic> {
    let model = load(idl, options)?;
    let stem = idl.file_stem().unwrap_or_default().to_string_lossy();
    let generated = emit::generate(
        &model,
        &emit::Options {
            coclasses: coclasses.to_vec(),
            module: emit::module_name(&stem),
        },
    )?;
    let text = write::with_header(
        &generated.code,
        &write::Provenance {
            idl: &idl.to_string_lossy().replace('\\', "/"),
            out,
            options: write::command_options(&options.preprocess, coclasses),
            features: &generated.features,
        },
    );
    Ok((text, model))
}
