{%- if let Some(doc) = doc %}
/// {{ doc }}
///
{%- endif %}
/// Dispinterface `{{ name }}`: an `IDispatch` that answers QueryInterface for `DIID_{{ name }}`;
/// a sink is `#[implement({{ name }})]` with an empty `{{ name }}_Impl` and its own
/// `IDispatch_Impl`.
#[windows_core::interface("{{ uuid }}")]
pub unsafe trait {{ name }}: windows::Win32::System::Com::IDispatch {}

// Converts, casts and passes as the windows crate's interfaces do (`point.Advise(&sink)`): the
// attribute above gives `From<{{ name }}>` for `IUnknown` and `Deref` to `IDispatch` only.
windows_core::imp::interface_hierarchy!({{ name }}, windows::Win32::System::Com::IDispatch);
impl windows_core::imp::CanInto<windows_core::IUnknown> for {{ name }} {}
impl<'a> From<&'a {{ name }}> for &'a windows_core::IUnknown {
    fn from(value: &'a {{ name }}) -> Self {
        // SAFETY: an interface is one COM pointer, whatever its type (as `interface_hierarchy!`).
        unsafe { core::mem::transmute::<&{{ name }}, &windows_core::IUnknown>(value) }
    }
}
