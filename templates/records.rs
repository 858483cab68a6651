{%- for r in records %}

/// `{{ r.name }}` as a record: what its `IRecordInfo` (the runtime's) tells a sink and oleaut32
/// when a dispinterface event sends it as `VT_RECORD`.
impl cpgen_runtime::record::Described for {{ r.name }} {
    fn record() -> &'static cpgen_runtime::record::Record {
        use windows::Win32::System::Variant::*;
        static RECORD: cpgen_runtime::record::Record = cpgen_runtime::record::Record::new(
            "{{ r.name }}",
            {{ r.guid }},
            core::mem::size_of::<{{ r.name }}>(),
            &[
            {%- for f in r.fields %}
                cpgen_runtime::record::Field::new("{{ f.name }}", core::mem::offset_of!({{ r.name }}, {{ f.ident }}), {{ f.vt }}),
            {%- endfor %}
            ],
            {% if type_library %}Some(type_library){% else %}None{% endif %},
        );
        &RECORD
    }
}
{%- endfor %}
