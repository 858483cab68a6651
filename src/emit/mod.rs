//! Code generation from the model.

pub mod bindings;
pub mod oracle;
