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
{%- if cross_apartment %}
///
/// Cross-apartment: each sink is kept in the Global Interface Table and called through a
/// pointer valid in the firing thread's apartment, so any thread that has joined an apartment
/// (`CoInitializeEx`) may fire, and a sink living in a single-threaded apartment runs on its
/// own thread. A clone (`Send` and `Sync`) shares the sinks, for a worker thread to fire.
{%- else %}
///
/// A clone shares the sinks. A sink is called through the pointer `Advise` received, valid in
/// the object's apartment: fire from threads of that apartment only.
{%- endif %}
#[derive(Clone)]
pub struct {{ name }}Proxy(cpgen_runtime::Sinks<{{ path }}{% if cross_apartment %}, apartment::Global<{% if dispatch %}windows::Win32::System::Com::IDispatch{% else %}{{ path }}{% endif %}>{% endif %}>);

impl Default for {{ name }}Proxy {
    fn default() -> Self {
        Self(cpgen_runtime::Sinks::new())
    }
}

impl {{ name }}Proxy {
    /*"items*/
{%- if dispatch %}
{%- for event in events %}
    /*"-*/
    /// The DISPID of `{{ event.name }}`, the first argument of the sink's `Invoke` for it.
    pub const DISPID_{{ event.name }}: i32 = {{ event.dispid }};
{%- endfor %}
{% endif %}
    /*"-*/
    /// Whether a fire unadvises the sinks it finds gone (on by default; see
    /// [`Sinks::set_prune`](cpgen_runtime::Sinks::set_prune)).
    pub fn set_prune_dead_sinks(&self, prune: bool) {
        self.0.set_prune(prune);
    }
{%- for event in events %}
    /*"-*/
    /// `{{ event.idl }}`
    {%- if let Some(doc) = event.doc %}
    ///
    /// {{ doc }}
    {%- endif %}
    ///
    /// Calls every sink connected when it starts, even after one fails; the first error, if any.
    pub fn Fire_{{ event.name }}(&self{% for p in event.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}) -> windows_core::Result<()> {
        // The outer error is an argument that could not be prepared, the inner one a sink's.
        self.send_{{ event.name }}::<windows_core::Result<()>>({% for p in event.params %}{% if !loop.first %}, {% endif %}{{ p.name }}{% endfor %})?
    }

    /// [`Fire_{{ event.name }}`](Self::Fire_{{ event.name }}), reporting what each sink's call did.
    pub fn Fire_{{ event.name }}_report(&self{% for p in event.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}) -> windows_core::Result<FireReport> {
        self.send_{{ event.name }}({% for p in event.params %}{% if !loop.first %}, {% endif %}{{ p.name }}{% endfor %})
    }

    fn send_{{ event.name }}<O: cpgen_runtime::report::Outcome>(&self{% for p in event.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}) -> windows_core::Result<O> {
    {%- for line in event.prelude %}
        {{ line }}
    {%- endfor %}
    {%- if dispatch %}
        // Built once for every sink, as IDispatch::Invoke's [in] arguments are the caller's.
        let mut args = [{% for a in event.args %}{% if !loop.first %}, {% endif %}{{ a }}{% endfor %}];
        {%- if event.copies_records %}
        let fired = self.0.fire(|sink| dispatch::invoke(sink, Self::DISPID_{{ event.name }}, &mut args));
        // The struct copies sent by value are the proxy's to free.
        cpgen_runtime::record::free_copies(&mut args);
        Ok(fired)
        {%- else %}
        Ok(self.0.fire(|sink| dispatch::invoke(sink, Self::DISPID_{{ event.name }}, &mut args)))
        {%- endif %}
    {%- else %}
        Ok(self.0.fire(|sink| {
            // SAFETY: a call through a live sink's vtable, with the arguments COM's ABI expects;
            // borrowed arguments outlive the call.
            unsafe {
                (windows_core::Interface::vtable(sink).{{ event.slot }})(windows_core::Interface::as_raw(sink){% for a in event.args %}, {{ a }}{% endfor %}){% if event.hresult %}.ok(){% else %};
                Ok(()){% endif %}
            }
        }))
    {%- endif %}
    }
{%- endfor %}
    /*"end*/
}
