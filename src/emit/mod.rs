//! Code generation from the model.

pub mod bindings;
