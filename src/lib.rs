//! cpgen reads MIDL files and generates the Rust that makes a COM object connectable.
//!
//! The pipeline runs one way: [`preprocess`] → [`parse`] → [`model`] (resolve).

pub mod diagnostic;
pub mod preprocess;
pub mod source;

pub use diagnostic::Diagnostic;
