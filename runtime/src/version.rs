//! The check that a generated file and this crate belong together:
//! [`require_version!`](crate::require_version).

/// The version of the generated code's contract with this crate, `major.minor` (for 0.x,
/// `0.minor`): what a generated file passes to [`require_version!`](crate::require_version).
pub const VERSION: &str = "0.1";

/// Compiles to `()` when `$version` is this crate's [`VERSION`], and to a compile error
/// saying what to do otherwise. A generated file starts with
/// `const _: () = cpgen_runtime::require_version!("0.1");`, so a file generated for another
/// cpgen-runtime than the one the crate builds with fails with that one message rather than
/// with errors about the items that changed.
///
/// ```
/// const _: () = cpgen_runtime::require_version!("0.1");
/// ```
///
/// ```compile_fail
/// // error: this file was generated for cpgen-runtime 0.0, but the crate builds with
/// // cpgen-runtime 0.1: ...
/// const _: () = cpgen_runtime::require_version!("0.0");
/// ```
#[macro_export]
macro_rules! require_version {
    ("0.1") => {
        ()
    };
    ($other:literal) => {
        ::core::compile_error!(::core::concat!(
            "this file was generated for cpgen-runtime ",
            $other,
            ", but the crate builds with cpgen-runtime 0.1: regenerate the file with the cpgen \
             of cpgen-runtime 0.1 (`cpgen features <file.idl>` prints the dependencies it \
             needs), or depend on cpgen-runtime ",
            $other,
            " instead"
        ))
    };
}
