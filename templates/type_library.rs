/// The input's type library, described from the IDL and built in memory by oleaut32
/// (`CreateTypeLib2`) the first time it is asked for, then shared: no .tlb file, no
/// registration. It describes the connectable coclasses (what `class_info` of their
/// `ConnectionPoints` answers `IProvideClassInfo::GetClassInfo` with), their source interfaces
/// in full (names, DISPIDs, parameter types and flags, as MIDL would write them), the enums those
/// use, and every other interface they list or take by name, GUID, kind and base. The typed
/// sinks answer `IDispatch::GetTypeInfo` from it.
pub fn type_library() -> windows_core::Result<windows::Win32::System::Com::ITypeLib> {
    static LIBRARY: type_info::Library = type_info::Library {
        name: {{ table.name }},
        guid: {{ table.guid }},
        version: ({{ table.major }}, {{ table.minor }}),
        doc: {{ table.doc }},
        types: &[
        {%- for ty in table.types %}
            type_info::Type {
                name: {{ ty.name }},
                guid: {{ ty.guid }},
                kind: type_info::Kind::{{ ty.kind }},
                flags: {{ "{:#x}"|format(ty.flags) }},
                doc: {{ ty.doc }},
                implements: &[
                {%- for i in ty.implements %}
                    type_info::Implemented { ty: {{ i.ty }}, flags: {{ "{:#x}"|format(i.flags) }} },
                {%- endfor %}
                ],
                funcs: &[
                {%- for f in ty.funcs %}
                    type_info::Func {
                        name: {{ f.name }},
                        memid: {{ f.memid }},
                        invoke: {{ f.invoke }},
                        params: &[
                        {%- for p in f.params %}
                            type_info::Param { name: {{ p.name }}, ty: {{ p.ty }}, flags: {{ "{:#x}"|format(p.flags) }} },
                        {%- endfor %}
                        ],
                        returns: {{ f.returns }},
                        doc: {{ f.doc }},
                    },
                {%- endfor %}
                ],
                vars: &[
                {%- for v in ty.vars %}
                    type_info::Var {
                        name: {{ v.name }},
                        memid: {{ v.memid }},
                        ty: {{ v.ty }},
                        value: {% if let Some(value) = v.value %}Some({{ value }}){% else %}None{% endif %},
                        flags: {{ "{:#x}"|format(v.flags) }},
                        doc: {{ v.doc }},
                    },
                {%- endfor %}
                ],
            },
        {%- endfor %}
        ],
    };
    static CACHE: type_info::Cache = type_info::Cache::new();
    CACHE.get(&LIBRARY)
}
