/// The input's type library, described from the IDL and built in memory by oleaut32
/// (`CreateTypeLib2`) the first time it is asked for, then shared: no .tlb file, no
/// registration. It describes the connectable coclasses (what `class_info` of their
/// `ConnectionPoints` answers `IProvideClassInfo::GetClassInfo` with), their source interfaces
/// in full (names, DISPIDs, parameter types and flags, as MIDL would write them), the enums those
/// use, and every other interface they list or take by name, GUID, kind and base. The typed
/// sinks answer `IDispatch::GetTypeInfo` from it.
pub fn type_library() -> windows_core::Result<windows::Win32::System::Com::ITypeLib> {
    use cpgen_runtime::type_library::*;
{%- if table.names_variant_types() %}
    use windows::Win32::System::Variant::*;
{%- endif %}
    use windows_core::GUID;
    static LIBRARY: Library = Library {
        name: {{ table.name }},
        guid: {{ table.guid }},
        version: ({{ table.major }}, {{ table.minor }}),
        doc: {{ table.doc }},
        types: &[
        {%- for ty in table.types %}
            Type {
                name: {{ ty.name }},
                guid: {{ ty.guid }},
                kind: Kind::{{ ty.kind }},
                flags: {{ "{:#x}"|format(ty.flags) }},
                doc: {{ ty.doc }},
                implements: &[
                {%- for i in ty.implements %}
                    Implemented::new({{ i.ty }}, {{ "{:#x}"|format(i.flags) }}),
                {%- endfor %}
                ],
                funcs: &[
                {%- for f in ty.funcs %}
                    Func {
                        name: {{ f.name }},
                        memid: {{ f.memid }},
                        invoke: {{ f.invoke }},
                        params: &[
                        {%- for p in f.params %}
                            Param::new({{ p.name }}, {{ p.ty }}, {{ "{:#x}"|format(p.flags) }}),
                        {%- endfor %}
                        ],
                        returns: {{ f.returns }},
                        doc: {{ f.doc }},
                    },
                {%- endfor %}
                ],
                vars: &[
                {%- for v in ty.vars %}
                {%- if ty.kind == "Record" %}
                    Var::field({{ v.name }}, core::mem::offset_of!({{ ty.ident() }}, {{ v.ident() }}), {{ v.ty }}),
                {%- else if let Some(value) = v.value %}
                    Var::constant({{ v.name }}, {{ value }}, {{ v.doc }}),
                {%- else %}
                    Var {
                        name: {{ v.name }},
                        memid: {{ v.memid }},
                        ty: {{ v.ty }},
                        value: None,
                        flags: {{ "{:#x}"|format(v.flags) }},
                        doc: {{ v.doc }},
                    },
                {%- endif %}
                {%- endfor %}
                ],
            },
        {%- endfor %}
        ],
    };
    static CACHE: Cache = Cache::new();
    CACHE.get(&LIBRARY)
}
