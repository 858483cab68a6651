//! From syntax trees to the model: constants evaluated, interfaces classified, DISPIDs numbered
//! the way MIDL (and widl, the reference) number them, coclass members checked.

use std::collections::HashMap;

use super::consteval::{self, Scope};
use super::load::{Loaded, Unit};
use super::types::{render, type_ref};
use super::*;
use crate::parse::ast::{self, AttrArg, Attribute, DefinitionKind, DispBody, Statement};

mod attributes;
mod interfaces;

use attributes::*;

/// Interfaces that come from `importlib("stdole2.tlb")` rather than from an IDL import.
const STDOLE_INTERFACES: &[&str] = &[
    "IUnknown",
    "IDispatch",
    "IEnumVARIANT",
    "IFont",
    "IFontDisp",
    "IFontEventsDisp",
    "FontEvents",
    "IPicture",
    "IPictureDisp",
];

pub fn resolve(loaded: Loaded) -> Result<Model, Diagnostic> {
    let mut resolver = Resolver {
        sources: &loaded.sources,
        scope: Scope::new(),
        model: Model::default(),
        raw_interfaces: Vec::new(),
        raw_coclasses: Vec::new(),
    };
    for unit in &loaded.units {
        resolver.collect(unit, &unit.statements, None)?;
    }
    resolver.resolve_interfaces()?;
    resolver.resolve_coclasses()?;
    let warnings = resolver.unnumbered_events();
    let mut model = resolver.model;
    model.warnings = warnings;
    model.files = loaded
        .sources
        .files()
        .map(|(_, f)| f.path.clone())
        .collect();
    model.sources = std::sync::Arc::new(loaded.sources);
    Ok(model)
}

/// An interface or dispinterface definition waiting for every declaration to be seen.
struct RawInterface<'a> {
    unit: &'a Unit,
    definition: &'a ast::Definition,
    library: Option<String>,
}

struct RawCoclass<'a> {
    unit: &'a Unit,
    definition: &'a ast::Definition,
    library: Option<String>,
}

struct Resolver<'a> {
    sources: &'a crate::source::SourceSet,
    scope: Scope,
    model: Model,
    raw_interfaces: Vec<RawInterface<'a>>,
    raw_coclasses: Vec<RawCoclass<'a>>,
}

impl<'a> Resolver<'a> {
    fn error(&self, unit: &Unit, span: &ast::Span, message: impl Into<String>) -> Diagnostic {
        let (loc, len) = self.locate(unit, span);
        Diagnostic::at(self.sources, loc, len, message, "here")
    }

    /// Where `span` of `unit`'s preprocessed text came from, and how many bytes it covers there.
    fn locate(&self, unit: &Unit, span: &ast::Span) -> (crate::source::Loc, usize) {
        let loc = unit
            .input
            .map
            .locate(span.start)
            .unwrap_or(crate::source::Loc {
                file: unit.input.files[0],
                offset: 0,
            });
        let len = match unit.input.map.locate(span.end) {
            Some(end) if end.file == loc.file && end.offset >= loc.offset => {
                end.offset - loc.offset
            }
            _ => 1,
        };
        (loc, len.max(1))
    }

    /// First pass, in file order: constants and enums are evaluated as they appear (later ones
    /// refer to earlier ones); interfaces and coclasses are kept for the second pass.
    fn collect(
        &mut self,
        unit: &'a Unit,
        statements: &'a [Statement],
        library: Option<&str>,
    ) -> Result<(), Diagnostic> {
        for statement in statements {
            let Statement::Definition(definition) = statement else {
                continue;
            };
            let enums = self.model.enums.len();
            self.definition(unit, definition, library)?;
            // The enums this statement declared belong to the library it is in (those of a
            // library statement got theirs inside it).
            if let Some(library) = library {
                for declared in &mut self.model.enums[enums..] {
                    declared.library.get_or_insert_with(|| library.to_string());
                }
            }
        }
        Ok(())
    }

    /// One definition of [`Self::collect`]'s pass.
    fn definition(
        &mut self,
        unit: &'a Unit,
        definition: &'a ast::Definition,
        library: Option<&str>,
    ) -> Result<(), Diagnostic> {
        {
            match &definition.kind {
                DefinitionKind::Library { name, body } => {
                    self.model.libraries.push(Library {
                        name: name.text.clone(),
                        uuid: self.uuid(unit, &definition.attrs)?,
                        version: attr(&definition.attrs, "version").map(|a| arg_text(unit, a)),
                        helpstring: helpstring(&definition.attrs),
                        imported: unit.imported,
                        references: Vec::new(),
                    });
                    self.collect(unit, body, Some(&name.text))?;
                }
                DefinitionKind::Module { body, .. } => self.collect(unit, body, library)?,
                DefinitionKind::Interface { body, .. } => {
                    self.raw_interfaces.push(RawInterface {
                        unit,
                        definition,
                        library: library.map(str::to_string),
                    });
                    self.collect(unit, body, library)?;
                }
                DefinitionKind::DispInterface { .. } => self.raw_interfaces.push(RawInterface {
                    unit,
                    definition,
                    library: library.map(str::to_string),
                }),
                DefinitionKind::Coclass { .. } => self.raw_coclasses.push(RawCoclass {
                    unit,
                    definition,
                    library: library.map(str::to_string),
                }),
                DefinitionKind::Typedef {
                    inner_attrs,
                    spec,
                    declarators,
                } => {
                    let enums = self.model.enums.len();
                    let structs = self.model.structs.len();
                    self.collect_type(unit, &spec.ty, declarators.first())?;
                    // `typedef [uuid(...)] enum {...} X`: the enum's type-library GUID.
                    let uuid =
                        attr(inner_attrs, "uuid").or_else(|| attr(&definition.attrs, "uuid"));
                    if let Some(Attribute { args, .. }) = uuid
                        && let Some(AttrArg::Uuid(uuid)) = args.first()
                    {
                        for declared in &mut self.model.enums[enums..] {
                            declared.uuid = Some(uuid.clone());
                        }
                        // ... and a struct's, as a record (the typedef's own struct is collected
                        // after the structs nested in it).
                        if let Some(declared) = self.model.structs[structs..].last_mut() {
                            declared.uuid = Some(uuid.clone());
                        }
                    }
                    for declarator in declarators {
                        let Some(name) = &declarator.name else {
                            continue;
                        };
                        let ty_ref = type_ref(spec, &declarator.derived, &self.scope);
                        self.model.typedefs.push(Typedef {
                            name: name.text.clone(),
                            ty: render(&ty_ref),
                            ty_ref,
                            imported: unit.imported,
                            public: attr(inner_attrs, "public")
                                .or_else(|| attr(&definition.attrs, "public"))
                                .is_some(),
                            library: library.map(str::to_string),
                        });
                    }
                }
                DefinitionKind::TypeDecl(ty) => self.collect_type(unit, ty, None)?,
                DefinitionKind::Declaration { spec, declarators } => {
                    self.collect_type(unit, &spec.ty, None)?;
                    for d in declarators {
                        if let (Some(init), Some(name)) = (&d.init, &d.declarator.name) {
                            self.constant(unit, spec, d, name, init)?;
                        }
                    }
                }
                DefinitionKind::WinRt(word) => {
                    return Err(self
                        .error(
                            unit,
                            &definition.span,
                            format!("WinRT IDL is not supported (found `{word}`)"),
                        )
                        .with_help(
                            "cpgen reads classic COM MIDL; MIDL 3 files (namespace, runtimeclass, \
                             apicontract, delegate, parameterized interfaces) are for WinRT",
                        ));
                }
                DefinitionKind::InterfaceRef(name) | DefinitionKind::DispInterfaceRef(name) => {
                    if let Some(library) = library
                        && let Some(declared) =
                            self.model.libraries.iter_mut().rfind(|l| l.name == library)
                    {
                        declared.references.push(name.text.clone());
                    }
                }
                DefinitionKind::CoclassRef(_) => {}
            }
        }
        Ok(())
    }

    fn constant(
        &mut self,
        unit: &Unit,
        spec: &ast::DeclSpec,
        declarator: &ast::InitDeclarator,
        name: &ast::Name,
        init: &ast::Expr,
    ) -> Result<(), Diagnostic> {
        let value = consteval::eval(init, &self.scope)
            .map_err(|(span, message)| self.error(unit, &span, message))?;
        let ty_ref = type_ref(spec, &declarator.declarator.derived, &self.scope);
        self.scope.insert(name.text.clone(), value.clone());
        self.model.constants.push(Constant {
            name: name.text.clone(),
            ty: render(&ty_ref),
            value,
            imported: unit.imported,
        });
        Ok(())
    }

    /// Enums (possibly inside a typedef or struct) become model enums and their members
    /// constants.
    fn collect_type(
        &mut self,
        unit: &Unit,
        ty: &ast::TypeSpec,
        typedef_name: Option<&ast::Declarator>,
    ) -> Result<(), Diagnostic> {
        match ty {
            ast::TypeSpec::Enum(ast::Enum {
                name,
                members: Some(members),
            }) => {
                let name = typedef_name
                    .and_then(|d| d.name.as_ref())
                    .or(name.as_ref())
                    .map(|n| n.text.clone())
                    .unwrap_or_default();
                let mut next = 0i64;
                let mut out = Vec::new();
                for member in members {
                    let value = match &member.value {
                        Some(expr) => consteval::eval_int(expr, &self.scope)
                            .map_err(|(span, message)| self.error(unit, &span, message))?,
                        None => next,
                    };
                    next = value.wrapping_add(1);
                    self.scope
                        .insert(member.name.text.clone(), ConstValue::Int(value));
                    out.push(EnumMember {
                        name: member.name.text.clone(),
                        value,
                    });
                }
                self.model.enums.push(Enum {
                    name,
                    members: out,
                    uuid: None,
                    imported: unit.imported,
                    library: None,
                });
            }
            ast::TypeSpec::Struct(ast::Aggregate {
                fields: Some(fields),
                name,
            })
            | ast::TypeSpec::Union(ast::Union {
                fields: Some(fields),
                name,
                ..
            }) => {
                let mut out = Vec::new();
                for field in fields {
                    let Some(spec) = &field.spec else { continue };
                    self.collect_type(unit, &spec.ty, None)?;
                    for declarator in &field.declarators {
                        if let Some(field_name) = &declarator.name {
                            out.push(StructField {
                                name: field_name.text.clone(),
                                ty_ref: type_ref(spec, &declarator.derived, &self.scope),
                                bit_field: declarator.bits.is_some(),
                            });
                        }
                    }
                }
                let name = name
                    .as_ref()
                    .or_else(|| typedef_name.and_then(|d| d.name.as_ref()));
                if let Some(name) = name {
                    self.model.structs.push(Struct {
                        name: name.text.clone(),
                        union: matches!(ty, ast::TypeSpec::Union(_)),
                        fields: out,
                        uuid: None,
                        imported: unit.imported,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn uuid(&self, unit: &Unit, attrs: &[Attribute]) -> Result<Option<String>, Diagnostic> {
        let Some(a) = attr(attrs, "uuid") else {
            return Ok(None);
        };
        match a.args.first() {
            Some(AttrArg::Uuid(u)) => Ok(Some(u.clone())),
            _ => Err(self.error(
                unit,
                &a.span,
                "malformed uuid: expected 8-4-4-4-12 hexadecimal digits",
            )),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Coclasses

    fn resolve_coclasses(&mut self) -> Result<(), Diagnostic> {
        let mut coclasses = Vec::new();
        for raw in &self.raw_coclasses {
            let DefinitionKind::Coclass { name, members } = &raw.definition.kind else {
                continue;
            };
            let mut members = members
                .iter()
                .map(|m| {
                    let source = has(&m.attrs, "source");
                    // widl accepts any name here; cpgen needs the source interfaces it fires.
                    if source {
                        self.check_source_member(raw.unit, &m.name)?;
                    }
                    Ok(CoclassMember {
                        name: m.name.text.clone(),
                        default: has(&m.attrs, "default"),
                        source,
                        restricted: has(&m.attrs, "restricted"),
                        dispinterface: m.dispinterface,
                    })
                })
                .collect::<Result<Vec<_>, Diagnostic>>()?;
            mark_implicit_defaults(&mut members);
            let default_source = members
                .iter()
                .find(|m| m.source && m.default)
                .or_else(|| members.iter().find(|m| m.source && !m.restricted))
                .map(|m| m.name.clone());
            let attrs = &raw.definition.attrs;
            coclasses.push(Coclass {
                name: name.text.clone(),
                uuid: self.uuid(raw.unit, attrs)?,
                members,
                default_source,
                helpstring: helpstring(attrs),
                library: raw.library.clone(),
                noncreatable: has(attrs, "noncreatable"),
                progid: string_attr(attrs, "progid"),
                vi_progid: string_attr(attrs, "vi_progid"),
                threading: attr(attrs, "threading").map(|a| arg_text(raw.unit, a)),
                imported: raw.unit.imported,
                type_flags: flags(attrs, TYPE_FLAGS),
            });
        }
        self.model.coclasses = coclasses;
        Ok(())
    }

    /// A source member must name an interface the file declares or imports (or stdole's).
    fn check_source_member(&self, unit: &Unit, name: &ast::Name) -> Result<(), Diagnostic> {
        let known = |n: &str| {
            STDOLE_INTERFACES.contains(&n)
                || self
                    .raw_interfaces
                    .iter()
                    .any(|raw| defines(raw.definition, n))
                || self.declared_only(n)
        };
        if known(&name.text) {
            return Ok(());
        }
        let error = self.error(
            unit,
            &name.span,
            format!("source interface `{}` is not declared", name.text),
        );
        let closest = crate::diagnostic::closest(
            &name.text,
            self.raw_interfaces
                .iter()
                .filter_map(|raw| definition_name(raw.definition)),
        );
        Err(match closest {
            Some(n) => error.with_help(format!("did you mean `{n}`?")),
            None => error.with_help("declare or import the interface before the coclass"),
        })
    }

    /// Interfaces only forward-declared (`interface X;`) are accepted as coclass members too:
    /// widl accepts them, and their definition may live in a type library.
    fn declared_only(&self, name: &str) -> bool {
        fn walk(statements: &[Statement], name: &str) -> bool {
            statements.iter().any(|s| match s {
                Statement::Definition(d) => match &d.kind {
                    DefinitionKind::InterfaceRef(n) | DefinitionKind::DispInterfaceRef(n) => {
                        n.text == name
                    }
                    DefinitionKind::Library { body, .. } => walk(body, name),
                    _ => false,
                },
                _ => false,
            })
        }
        self.raw_coclasses
            .iter()
            .map(|raw| raw.unit)
            .chain(self.raw_interfaces.iter().map(|raw| raw.unit))
            .any(|unit| walk(&unit.statements, name))
    }
}

/// MIDL's rule (widl's too): with no `[default]` among the incoming members, the first that is
/// not restricted is the default; likewise among the source members.
fn mark_implicit_defaults(members: &mut [CoclassMember]) {
    for source in [false, true] {
        let side = || members.iter().filter(move |m| m.source == source);
        if side().any(|m| m.default) {
            continue;
        }
        if let Some(first) = members
            .iter_mut()
            .find(|m| m.source == source && !m.restricted)
        {
            first.default = true;
        }
    }
}

fn definition_name(definition: &ast::Definition) -> Option<&str> {
    match &definition.kind {
        DefinitionKind::Interface { name, .. } | DefinitionKind::DispInterface { name, .. } => {
            Some(&name.text)
        }
        _ => None,
    }
}

fn defines(definition: &ast::Definition, name: &str) -> bool {
    definition_name(definition) == Some(name)
}
