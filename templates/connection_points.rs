{%- if let Some(doc) = doc %}
/// {{ doc }}
///
{%- endif %}
/// The connection points of coclass `{{ name }}`, one field per `[source]` member, in declaration
/// order. The object holds one, fires through its fields, and implements
/// `IConnectionPointContainer` by delegating to [`find_connection_point`](Self::find_connection_point)
/// and [`enum_connection_points`](Self::enum_connection_points) with `&self.to_interface()`.
pub struct {{ name }}ConnectionPoints {
{%- for s in sources %}
    pub {{ s.name }}: {{ s.name }}Proxy,
{%- endfor %}
{%- if counted %}
    /// Counts the object holding these for the server's `DllCanUnloadNow` (and an EXE
    /// server's lifetime).
    object_count: cpgen_runtime::server::ObjectCount,
{%- endif %}
}

impl Default for {{ name }}ConnectionPoints {
    fn default() -> Self {
        Self::new()
    }
}

impl {{ name }}ConnectionPoints {
{%- if let Some(default_source) = default_source %}
    /// The coclass's default source interface, the answer to
    /// `IProvideClassInfo2::GetGUID(GUIDKIND_DEFAULT_SOURCE_DISP_IID)`.
    pub const DEFAULT_SOURCE_DISP_IID: windows_core::GUID = <{{ default_source }} as windows_core::Interface>::IID;

{%- endif %}
    pub fn new() -> Self {
        Self {
        {%- for s in sources %}
            {{ s.name }}: {{ s.name }}Proxy::default(),
        {%- endfor %}
        {%- if counted %}
            object_count: cpgen_runtime::server::ObjectCount::new(),
        {%- endif %}
        }
    }

    /// `IConnectionPointContainer::FindConnectionPoint` for `container`, the object holding
    /// these connection points (`&self.to_interface()`); `riid` is the pointer COM passed, null
    /// or valid.
    pub fn find_connection_point(
        &self,
        container: &windows::Win32::System::Com::IConnectionPointContainer,
        riid: *const windows_core::GUID,
    ) -> windows_core::Result<windows::Win32::System::Com::IConnectionPoint> {
        // SAFETY: COM passes null or a valid GUID, as `riid`'s contract says.
        let iid = unsafe { cpgen_runtime::requested_iid(riid) }?;
    {%- for s in sources %}
        if iid == <{{ s.path }} as windows_core::Interface>::IID {
            return Ok(self.{{ s.name }}.0.connection_point(container));
        }
    {%- endfor %}
        Err(cpgen_runtime::no_connection_point())
    }

    /// `IConnectionPointContainer::EnumConnectionPoints` for `container`.
    pub fn enum_connection_points(
        &self,
        container: &windows::Win32::System::Com::IConnectionPointContainer,
    ) -> windows_core::Result<windows::Win32::System::Com::IEnumConnectionPoints> {
        Ok(cpgen_runtime::enum_connection_points(vec![
        {%- for s in sources %}
            self.{{ s.name }}.0.connection_point(container),
        {%- endfor %}
        ]))
    }
{%- if default_source.is_some() %}

    /// `IProvideClassInfo2::GetGUID`: the default source interface for
    /// `GUIDKIND_DEFAULT_SOURCE_DISP_IID`, `E_INVALIDARG` for any other kind.
    pub fn get_guid(&self, kind: u32) -> windows_core::Result<windows_core::GUID> {
        cpgen_runtime::default_source_guid(kind, Self::DEFAULT_SOURCE_DISP_IID)
    }
{%- endif %}

    /// `IProvideClassInfo::GetClassInfo`, from a type library: the one this file builds
    /// (`type_library()`, no .tlb file or registration needed), or one the user loaded
    /// (`LoadRegTypeLib` or `LoadTypeLibEx` of the IDL's library).
    pub fn class_info(
        &self,
        type_lib: &windows::Win32::System::Com::ITypeLib,
    ) -> windows_core::Result<windows::Win32::System::Com::ITypeInfo> {
        // SAFETY: the GUID outlives the call.
        unsafe { type_lib.GetTypeInfoOfGuid(&CLSID_{{ name }}) }
    }
{%- if notify %}
{%- for p in notified %}

    /// The DISPID of property `{{ p.name }}`{% if p.bindable %} (`[bindable]`{% if p.requestedit %}, `[requestedit]`{% endif %}){% else %} (`[requestedit]`){% endif %}, as `IPropertyNotifySink` names it.
    pub const DISPID_{{ p.name }}: i32 = {{ p.dispid }};
{%- endfor %}

    /// Tells every `IPropertyNotifySink` sink that property `dispid` changed (`OnChanged`):
    /// ATL's `CFirePropNotifyEvent::FireOnChanged`, MFC's `BoundPropertyChanged`. Every sink
    /// is called, even after one fails; the first error, if any.
    pub fn changed(&self, dispid: i32) -> windows_core::Result<()> {
        self.IPropertyNotifySink.Fire_OnChanged(dispid)
    }

    /// Asks every `IPropertyNotifySink` sink whether property `dispid` may change
    /// (`OnRequestEdit`): ATL's `CFirePropNotifyEvent::FireOnRequestEdit`, MFC's
    /// `BoundPropertyRequestEdit`. `Ok(false)` when a sink refused (`S_FALSE`), else the first
    /// sink's error, else `Ok(true)`; see `cpgen_runtime::property_notify::request_edit`.
    pub fn request_edit(&self, dispid: i32) -> windows_core::Result<bool> {
        cpgen_runtime::property_notify::request_edit(&self.IPropertyNotifySink.0, dispid)
    }
{%- for p in notified %}
{%- if p.bindable %}

    /// `[bindable]` property `{{ p.name }}` changed: [`changed`](Self::changed) of its DISPID.
    pub fn {{ p.name }}_changed(&self) -> windows_core::Result<()> {
        self.changed(Self::DISPID_{{ p.name }})
    }
{%- endif %}
{%- if p.requestedit %}

    /// Whether `[requestedit]` property `{{ p.name }}` may change:
    /// [`request_edit`](Self::request_edit) of its DISPID.
    pub fn {{ p.name }}_request_edit(&self) -> windows_core::Result<bool> {
        self.request_edit(Self::DISPID_{{ p.name }})
    }
{%- endif %}
{%- endfor %}
{%- endif %}
}
{%- if only %}

/// The connection points of `{{ name }}`, the input's one connectable coclass.
pub type CConnectionPoints = {{ name }}ConnectionPoints;
{%- endif %}
