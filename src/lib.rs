//! cpgen reads MIDL files and generates the Rust that makes a COM object connectable.
//!
//! The pipeline runs one way: [`preprocess`] → [`parse`] → [`model`] (resolve) → [`emit`] →
//! [`write`].

mod builder;
mod builtin;
mod cache_folder;
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

/// A generated file, and what the run learnt on the way.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// The file's text, header included.
    pub text: String,
    /// The windows crate features the code needs, sorted.
    pub features: Vec<String>,
    /// Every file read: the input, what it included, what it imported.
    pub files: Vec<std::path::PathBuf>,
    /// Located warnings about the input (see [`Model::warnings`]).
    pub warnings: Vec<Diagnostic>,
}

/// The whole pipeline for one input, as `cpgen IDL -o OUT` and [`Builder`] run it; `out` is how
/// the header names the output.
pub fn generate_file(
    idl: &Path,
    options: &model::Options,
    coclasses: &[String],
    cross_apartment: &emit::CrossApartment,
    property_notify: bool,
    server: Option<&emit::ServerOptions>,
    out: &str,
) -> Result<GeneratedFile, Diagnostic> {
    let model = load(idl, options)?;
    let stem = idl.file_stem().unwrap_or_default().to_string_lossy();
    let generated = emit::generate(
        &model,
        &emit::Options {
            coclasses: coclasses.to_vec(),
            module: emit::module_name(&stem),
            cross_apartment: cross_apartment.clone(),
            property_notify,
            server: server.cloned(),
            cache_dir: options.cache_dir.clone(),
        },
    )?;
    let text = write::put_header(
        generated.code,
        &write::Provenance {
            idl: &idl.to_string_lossy().replace('\\', "/"),
            out,
            options: write::command_options(
                &options.preprocess,
                coclasses,
                cross_apartment,
                property_notify,
                server,
            ),
            features: &generated.features,
        },
    );
    Ok(GeneratedFile {
        text,
        features: generated.features,
        files: model.files,
        warnings: model.warnings,
    })
}
