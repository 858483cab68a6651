{%- if let Some(doc) = doc %}
/// {{ doc }}
///
{%- endif %}
/// Dispinterface `{{ name }}`: an `IDispatch` that answers QueryInterface for `DIID_{{ name }}`;
/// a sink is `#[implement({{ name }})]` with an empty `{{ name }}_Impl` and its own
/// `IDispatch_Impl`.
#[windows_core::interface("{{ uuid }}")]
pub unsafe trait {{ name }}: windows::Win32::System::Com::IDispatch {}
