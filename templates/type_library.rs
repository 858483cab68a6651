/// The input's type library, described from the IDL and built in memory by oleaut32
/// (`CreateTypeLib2`) the first time it is asked for, then shared (`register_type_library`
/// saves it to a file and registers it). It describes what the type library MIDL compiles from
/// the `library` block holds: its enums, `[public]` typedefs (as aliases), interfaces,
/// dispinterfaces and coclasses, and the types they use, with every method (member ids, invoke
/// kinds, flags, parameter types and flags, `[defaultvalue]`s, help strings). Connectable
/// coclasses' `ConnectionPoints::class_info` and the typed sinks' `IDispatch::GetTypeInfo`
/// answer from it.
pub fn type_library() -> windows_core::Result<windows::Win32::System::Com::ITypeLib> {
    static CACHE: cpgen_runtime::type_library::Cache = cpgen_runtime::type_library::Cache::new();
    CACHE.get(type_library_table())
}

/// Writes the type library `type_library()` describes to the `.tlb` file `path`
/// (`ICreateTypeLib2::SaveAllChanges`), for an installer to ship or register.
pub fn save_type_library(path: &std::path::Path) -> windows_core::Result<()> {
    cpgen_runtime::type_library::save(type_library_table(), path)
}

/// Saves the type library to `path` and registers it there (`RegisterTypeLib` per machine,
/// `RegisterTypeLibForUser` per user), so that clients looking it up by LIBID find it
/// (`LoadRegTypeLib`: VBA, pywin32's makepy, .NET interop) and oleaut32 marshals its
/// `[oleautomation]` and dual interfaces between apartments and processes. `path` must stay.
pub fn register_type_library(
    path: &std::path::Path,
    scope: cpgen_runtime::Scope,
) -> windows_core::Result<()> {
    cpgen_runtime::type_library::register(type_library_table(), path, scope)
}

/// Undoes `register_type_library` in `scope` (the library's LIBID and version, LCID 0).
pub fn unregister_type_library(scope: cpgen_runtime::Scope) -> windows_core::Result<()> {
    cpgen_runtime::type_library::unregister(type_library_table(), scope)
}

/// The tables `type_library()` and the registration functions build the library from.
fn type_library_table() -> &'static cpgen_runtime::type_library::Library {
    // `Option`'s variants by path: the input may declare a `None` (an enum member).
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
            /*"elements*/
        {%- for ty in table.types %}
            /*"-*/
            Type {
                name: {{ ty.name }},
                guid: {{ ty.guid }},
                kind: Kind::{{ ty.kind }},
                flags: {{ "{:#x}"|format(ty.flags) }},
                doc: {{ ty.doc }},
                alias: {% if let Some(alias) = ty.alias %}::core::option::Option::Some({{ alias }}){% else %}::core::option::Option::None{% endif %},
                implements: &[
                {%- for i in ty.implements %}
                    Implemented::new({{ i.ty }}, {{ "{:#x}"|format(i.flags) }}),
                {%- endfor %}
                ],
                funcs: &[
                    /*"elements*/
                {%- for f in ty.funcs %}
                    /*"-*/
                    Func {
                        name: {{ f.name }},
                        memid: {{ f.memid }},
                        invoke: {{ f.invoke }},
                        flags: {{ "{:#x}"|format(f.flags) }},
                        optional: {{ f.optional }},
                        slot: {{ f.slot }},
                        params: &[
                        {%- for p in f.params %}
                        {%- if let Some(default) = p.default %}
                            Param::with_default({{ p.name }}, {{ p.ty }}, {{ "{:#x}"|format(p.flags) }}, {{ default }}),
                        {%- else %}
                            Param::new({{ p.name }}, {{ p.ty }}, {{ "{:#x}"|format(p.flags) }}),
                        {%- endif %}
                        {%- endfor %}
                        ],
                        returns: {{ f.returns }},
                        doc: {{ f.doc }},
                    },
                {%- endfor %}
                    /*"end*/
                ],
                vars: &[
                    /*"elements*/
                {%- for v in ty.vars %}
                    /*"-*/
                {%- if ty.kind == "Record" %}
                    Var::field({{ v.name }}, core::mem::offset_of!({{ ty.ident() }}, {{ v.ident() }}), {{ v.ty }}),
                {%- else if let Some(value) = v.value %}
                    Var::constant({{ v.name }}, {{ value }}, {{ v.doc }}),
                {%- else %}
                    Var {
                        name: {{ v.name }},
                        memid: {{ v.memid }},
                        ty: {{ v.ty }},
                        value: ::core::option::Option::None,
                        flags: {{ "{:#x}"|format(v.flags) }},
                        doc: {{ v.doc }},
                    },
                {%- endif %}
                {%- endfor %}
                    /*"end*/
                ],
            },
        {%- endfor %}
            /*"end*/
        ],
    };
    &LIBRARY
}
