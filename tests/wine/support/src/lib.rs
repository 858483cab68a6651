//! What cpgen's Windows-target test crates (`tests/wine/*`, `examples/clock_server`) share,
//! instead of a copy each:
//!
//! - [`build`], for their build scripts (a build dependency, run on the Linux build host):
//!   running cpgen on an IDL file, and widl's type library of it, with the stdole2.tlb and
//!   Wine IDL folders Debian's packages install;
//! - for their COM objects (a dependency, compiled for Windows): [`Calls`], what a recording
//!   sink received, and [`dispatch_without_type_info!`], the `IDispatch` methods of an object
//!   that has no type information.

pub mod build;
mod calls;

pub use calls::Calls;

/// The `GetTypeInfoCount`, `GetTypeInfo` and `GetIDsOfNames` of an `IDispatch_Impl` for an
/// object without type information (no type info, `E_NOTIMPL`), so that the impl block writes
/// only its `Invoke`. Expands against the calling crate's `windows` and `windows_core`.
///
/// ```text
/// impl IDispatch_Impl for Sink_Impl {
///     cpgen_wine_support::dispatch_without_type_info!();
///     fn Invoke(/* ... */) -> Result<()> { /* ... */ }
/// }
/// ```
#[macro_export]
macro_rules! dispatch_without_type_info {
    () => {
        fn GetTypeInfoCount(&self) -> ::windows_core::Result<u32> {
            Ok(0)
        }

        fn GetTypeInfo(
            &self,
            _index: u32,
            _lcid: u32,
        ) -> ::windows_core::Result<::windows::Win32::System::Com::ITypeInfo> {
            Err(::windows::Win32::Foundation::E_NOTIMPL.into())
        }

        fn GetIDsOfNames(
            &self,
            _riid: *const ::windows_core::GUID,
            _names: *const ::windows_core::PCWSTR,
            _count: u32,
            _lcid: u32,
            _ids: *mut i32,
        ) -> ::windows_core::Result<()> {
            Err(::windows::Win32::Foundation::E_NOTIMPL.into())
        }
    };
}
