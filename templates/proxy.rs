{%- if let Some(doc) = doc %}
/// {{ doc }}
///
{%- endif %}
/// The connection point for `{{ name }}`: its sinks, and one `Fire_` method per event,
{%- if dispatch %}
/// sent through `IDispatch::Invoke`.
{%- else %}
/// a direct call through each sink's vtable.
{%- endif %}
pub struct {{ name }}Proxy(runtime::Sinks<{{ path }}>);

impl Default for {{ name }}Proxy {
    fn default() -> Self {
        Self(runtime::Sinks::new())
    }
}

impl {{ name }}Proxy {
{%- if dispatch %}
{%- for event in events %}
    /// The DISPID of `{{ event.name }}`, the first argument of the sink's `Invoke` for it.
    pub const DISPID_{{ event.name }}: i32 = {{ event.dispid }};
{%- endfor %}
{% endif %}
{%- for event in events %}
{%- if !loop.first %}
{% endif %}
    /// `{{ event.idl }}`
    {%- if let Some(doc) = event.doc %}
    ///
    /// {{ doc }}
    {%- endif %}
    pub fn Fire_{{ event.name }}(&self{% for p in event.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}) -> windows_core::Result<()> {
    {%- for line in event.prelude %}
        {{ line }}
    {%- endfor %}
    {%- if dispatch %}
        self.0.fire(|sink| dispatch::invoke(sink, Self::DISPID_{{ event.name }}, &mut [{% for a in event.args %}{% if !loop.first %}, {% endif %}{{ a }}{% endfor %}]))
    {%- else %}
        self.0.fire(|sink| {
            // SAFETY: a call through a live sink's vtable, with the arguments COM's ABI expects;
            // borrowed arguments outlive the call.
            unsafe {
                (windows_core::Interface::vtable(sink).{{ event.slot }})(windows_core::Interface::as_raw(sink){% for a in event.args %}, {{ a }}{% endfor %}){% if event.hresult %}.ok(){% else %};
                Ok(()){% endif %}
            }
        })
    {%- endif %}
    }
{%- endfor %}
}
