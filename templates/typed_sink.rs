{%- if let Some(doc) = doc %}
/// {{ doc }}
///
{%- endif %}
/// The events of `{{ name }}` as a Rust sink receives them: one method per event, taking what
/// `{{ name }}Proxy`'s `Fire_` method of the same event takes (by-reference parameters as
/// `&mut`, which the source sees after the call). Every method does nothing and returns Ok by
/// default, so a handler implements the events it wants; [`{{ name }}Sink`] makes it a COM sink.
#[allow(unused_variables)]
pub trait {{ name }}Handler {
    /*"items*/
{%- for m in handler.methods %}
    /*"-*/
    /// `{{ m.idl }}`
    {%- if let Some(doc) = m.doc %}
    ///
    /// {{ doc }}
    {%- endif %}
    fn {{ m.name }}(&self{% for p in m.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}) -> windows_core::Result<()> {
        Ok(())
    }
{%- endfor %}
    /*"end*/
}

/// The typed sink of `{{ name }}`: a COM object implementing `{{ name }}` by calling a
/// [`{{ name }}Handler`], made with `{{ name }}::from({{ name }}Sink(handler))`, or connected at
/// once with [`advise`](Self::advise). A handler's error is the HRESULT the source gets.
{%- if handler.dispatch %}
/// Through `Invoke`, a caller that passes an `EXCEPINFO` gets `DISP_E_EXCEPTION` with it filled
/// (source, the error's message, its HRESULT as `scode`), which `Fire_` turns back into the error.
///
/// `IDispatch::Invoke` calls the handler's method for the DISPID, after checking the argument
/// count (`DISP_E_BADPARAMCOUNT`; trailing `[defaultvalue]` and `[optional]` VARIANT parameters
/// may be left out and get their defaults), the named arguments (by the parameters' DISPIDs;
/// `DISP_E_PARAMNOTFOUND` for one that names none) and each argument's VARIANT type: by-reference, or of another
/// type that `VariantChangeType` converts, is accepted; anything else is `DISP_E_TYPEMISMATCH`,
/// with the argument's index in `puArgErr`. By-reference results are written back.
/// `GetIDsOfNames` knows the events' and their parameters' names.
{%- endif %}
pub struct {{ name }}Sink<H>(pub H);

impl<H> {{ name }}Sink<H>
where
    H: {{ name }}Handler + 'static,
{
    /*"items*/
    /*"-*/
    /// Connects `handler` to `source`'s connection point for `{{ name }}` until the returned
    /// `Connection` is dropped: ATL's `AtlAdvise` or `DispEventAdvise`, with the unadvise not
    /// left to chance.
    pub fn advise(source: &windows_core::IUnknown, handler: H) -> windows_core::Result<Connection> {
        advise(source, &{{ path }}::from(Self(handler)))
    }
{%- for s in handler.slots %}
    /*"-*/
    unsafe extern "system" fn {{ s.name }}(this: *mut core::ffi::c_void{% for p in s.params %}, {{ p.name }}: {{ p.ty }}{% endfor %}){% if s.hresult %} -> windows_core::HRESULT{% endif %} {
        // SAFETY: COM calls a slot on a live sink that `sink::Object::create` made for this
        // adapter, with arguments of the slot's types that the caller keeps alive for the call.
        unsafe {
        {%- for line in s.pre %}
            {{ line }}
        {%- endfor %}
            let handler = &sink::Object::<Self>::adapter(this).0;
            {% if !s.hresult %}let _ = {% endif %}sink::call(|| {
            {%- for line in s.receive %}
                {{ line }}
            {%- endfor %}
                {{ name }}Handler::{{ s.method }}(handler{% for a in s.args %}, {{ a }}{% endfor %})
            }){% if !s.hresult %};{% endif %}
        }
    }
{%- endfor %}
    /*"end*/
}

impl<H> From<{{ name }}Sink<H>> for {{ path }}
where
    H: {{ name }}Handler + 'static,
{
    fn from(sink: {{ name }}Sink<H>) -> Self {
        sink::Object::create(sink)
    }
}

impl<H> sink::Adapter for {{ name }}Sink<H>
where
    H: {{ name }}Handler + 'static,
{
    type Interface = {{ path }};
    const VTABLE: &'static {{ path }}_Vtbl = &{{ handler.vtable }};
    const IIDS: &'static [windows_core::GUID] = &[{% for iid in handler.iids %}{% if !loop.first %}, {% endif %}{{ iid }}{% endfor %}];
}
{%- if handler.dispatch %}

impl<H> receive::Dispatch for {{ name }}Sink<H>
where
    H: {{ name }}Handler + 'static,
{
{%- if type_library %}
    fn type_info() -> windows_core::Result<windows::Win32::System::Com::ITypeInfo> {
        cpgen_runtime::type_library::dispatch_of(&type_library()?, &<{{ path }} as windows_core::Interface>::IID)
    }

{%- endif %}
    const INTERFACE: &'static str = "{{ name }}";
    const MEMBERS: &'static [receive::Member] = &[
        /*"elements*/
    {%- for m in handler.members %}
        /*"-*/
        receive::Member::new("{{ m.name }}", {{ m.dispid }}, &[{% for p in m.params %}{% if !loop.first %}, {% endif %}"{{ p }}"{% endfor %}]){% if let Some(first) = m.optional_from %}.optional_from({{ first }}){% endif %},
    {%- endfor %}
        /*"end*/
    ];

{%- if handler.members.is_empty() %}

    fn invoke(&self, _dispid: i32, _args: &receive::Args<'_>) -> windows_core::Result<()> {
        Err(receive::member_not_found())
    }
{%- else %}

    fn invoke(&self, dispid: i32, args: &receive::Args<'_>) -> windows_core::Result<()> {
        match dispid {
            /*"arms*/
        {%- for m in handler.members %}
            /*"-*/
            {{ m.dispid }} => {
            {%- for line in m.receive %}
                {{ line }}
            {%- endfor %}
                args.handled({{ name }}Handler::{{ m.method }}(&self.0{% for a in m.args %}, {{ a }}{% endfor %}))?;
            {%- for line in m.after %}
                {{ line }}
            {%- endfor %}
                Ok(())
            }
        {%- endfor %}
            /*"end*/
            _ => Err(receive::member_not_found()),
        }
    }
{%- endif %}
}
{%- endif %}
