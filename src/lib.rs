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
