{%- for class in classes %}
/// Coclass `{{ class.name }}` as a COM server serves and registers it (CLSID, description,
/// ProgIDs, `ThreadingModel`), its objects made by `create`: your object type's constructor,
/// returning the object as `IUnknown`. A connectable object counts for `DllCanUnloadNow` (and
/// keeps an EXE server running) through the `ConnectionPoints` it holds.
pub const fn {{ class.name }}Class(create: cpgen_runtime::server::Constructor) -> cpgen_runtime::server::Class {
    cpgen_runtime::server::Class {
        clsid: CLSID_{{ class.name }},
        description: {{ class.description }},
        prog_id: {{ class.prog_id }},
        version_independent_prog_id: {{ class.version_independent_prog_id }},
        threading_model: cpgen_runtime::server::ThreadingModel::{{ class.threading_model }},
        create,
    }
}
{%- endfor %}

/// The COM server of `classes` (made by the `<Coclass>Class` functions){% if let Some(table) = table %},
/// registered with this file's type library (saved beside the server as `<module>.tlb`){% endif %}: what
/// `cpgen_runtime::dll_exports!` and `Server::local_main` act on.
pub const fn server(classes: &'static [cpgen_runtime::server::Class]) -> cpgen_runtime::server::Server {
    cpgen_runtime::server::Server {
        classes,
{%- if let Some(table) = table %}
        type_library: Some(cpgen_runtime::server::TypeLibrary {
            libid: LIBID_{{ library }},
            version: ({{ table.major }}, {{ table.minor }}),
            register: register_type_library,
            unregister: unregister_type_library,
        }),
{%- else %}
        type_library: None,
{%- endif %}
    }
}
