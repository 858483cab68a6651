//! From syntax trees to the model: constants evaluated, interfaces classified, DISPIDs numbered
//! the way MIDL (and widl, the reference) number them, coclass members checked.

use std::collections::HashMap;

use super::consteval::{self, Scope};
use super::load::{Loaded, Unit};
use super::types::{render, type_ref};
use super::*;
use crate::parse::ast::{self, AttrArg, Attribute, DefinitionKind, DispBody, Statement};

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
    // Interfaces

    fn resolve_interfaces(&mut self) -> Result<(), Diagnostic> {
        // Bases by name, to count an interface's ancestors (part of MIDL's automatic DISPIDs).
        let bases: HashMap<&str, Option<&str>> = self
            .raw_interfaces
            .iter()
            .filter_map(|raw| match &raw.definition.kind {
                DefinitionKind::Interface { name, base, .. } => {
                    Some((name.text.as_str(), base.as_ref().map(|b| b.text.as_str())))
                }
                _ => None,
            })
            .collect();
        let mut interfaces = Vec::with_capacity(self.raw_interfaces.len());
        for raw in &self.raw_interfaces {
            if let DefinitionKind::Interface { name, base, body } = &raw.definition.kind {
                interfaces.push(self.interface(raw, name, base.as_ref(), body, &bases)?);
            }
        }
        // A dispinterface may dispatch an interface defined anywhere, so these come second.
        let mut dispinterfaces = Vec::new();
        for raw in &self.raw_interfaces {
            if let DefinitionKind::DispInterface { name, body } = &raw.definition.kind {
                dispinterfaces.push(self.dispinterface(raw, name, body, &interfaces)?);
            }
        }
        // Keep declaration order across both kinds.
        let mut by_position: Vec<(usize, Interface)> = Vec::new();
        let (mut i, mut d) = (interfaces.into_iter(), dispinterfaces.into_iter());
        for (index, raw) in self.raw_interfaces.iter().enumerate() {
            let next = match raw.definition.kind {
                DefinitionKind::Interface { .. } => i.next(),
                _ => d.next(),
            };
            by_position.extend(next.map(|x| (index, x)));
        }
        self.model.interfaces = by_position.into_iter().map(|(_, x)| x).collect();
        Ok(())
    }

    /// A warning for each event of the input's own source dispinterfaces that has no `[id]`.
    fn unnumbered_events(&self) -> Vec<Diagnostic> {
        let is_source = |name: &str| {
            self.model
                .coclasses
                .iter()
                .any(|c| c.members.iter().any(|m| m.source && m.name == name))
        };
        let mut warnings = Vec::new();
        for raw in self.raw_interfaces.iter().filter(|r| !r.unit.imported) {
            let DefinitionKind::DispInterface {
                name,
                body: DispBody::Members { methods, .. },
            } = &raw.definition.kind
            else {
                continue;
            };
            if !is_source(&name.text) {
                continue;
            }
            let numbered = self.model.interface(&name.text).map(|i| &i.methods);
            for method in methods.iter().filter(|m| !has(&m.attrs, "id")) {
                let Some(event) = &method.declarator.name else {
                    continue;
                };
                let dispid = numbered
                    .and_then(|ms| ms.iter().find(|m| m.name == event.text))
                    .and_then(|m| m.dispid)
                    .unwrap_or_default();
                let (loc, len) = self.locate(raw.unit, &event.span);
                let warning = Diagnostic::at(
                    self.sources,
                    loc,
                    len,
                    format!("event `{}` of `{}` has no [id]", event.text, name.text),
                    format!("MIDL numbers it {dispid:#x}"),
                )
                .with_help(
                    "an automatic DISPID follows the method's position, so adding or moving a \
                     method before it changes the DISPID that compiled clients dispatch on; give \
                     it an explicit [id(...)]",
                )
                .into_warning();
                warnings.push(warning);
            }
        }
        warnings
    }

    fn interface(
        &self,
        raw: &RawInterface,
        name: &ast::Name,
        base: Option<&ast::Name>,
        body: &[Statement],
        bases: &HashMap<&str, Option<&str>>,
    ) -> Result<Interface, Diagnostic> {
        let attrs = &raw.definition.attrs;
        let kind = if has(attrs, "dual") {
            InterfaceKind::Dual
        } else {
            InterfaceKind::Custom
        };
        // widl: the automatic id is 0x6000_0000 | (number of ancestors << 16) | method index.
        let mut ancestors = 0;
        let mut next = base.map(|b| b.text.as_str());
        while let Some(current) = next {
            ancestors += 1;
            next = match bases.get(current) {
                Some(base) => *base,
                // Known from stdole2.tlb even when no IDL declares it.
                None if current == "IDispatch" => Some("IUnknown"),
                None => None,
            };
            if ancestors > 64 {
                break; // a cycle; widl rejects those, and the count no longer matters
            }
        }
        let declarations = body.iter().filter_map(|s| match s {
            Statement::Definition(ast::Definition {
                attrs,
                kind: DefinitionKind::Declaration { spec, declarators },
                span,
            }) => declarators
                .first()
                .filter(|d| d.declarator.function_params().is_some())
                .map(|d| (attrs, spec, &d.declarator, span)),
            _ => None,
        });
        let mut methods = Vec::new();
        let mut numbering = Numbering::new(0x6000 | ancestors);
        for (attrs, spec, declarator, span) in declarations {
            let mut method = self.method(raw.unit, attrs, spec, declarator, span)?;
            method.dispid = match kind {
                InterfaceKind::Dual => {
                    Some(numbering.assign(&method, attrs, declarator, raw.unit, self)?)
                }
                _ => None,
            };
            methods.push(method);
        }
        Ok(Interface {
            name: name.text.clone(),
            kind,
            uuid: self.uuid(raw.unit, attrs)?,
            base: base.map(|b| b.text.clone()),
            methods,
            properties: Vec::new(),
            helpstring: helpstring(attrs),
            library: raw.library.clone(),
            oleautomation: kind == InterfaceKind::Dual || has(attrs, "oleautomation"),
            imported: raw.unit.imported,
            type_flags: flags(attrs, TYPE_FLAGS),
        })
    }

    fn dispinterface(
        &self,
        raw: &RawInterface,
        name: &ast::Name,
        body: &DispBody,
        interfaces: &[Interface],
    ) -> Result<Interface, Diagnostic> {
        let attrs = &raw.definition.attrs;
        let (methods, properties) = match body {
            DispBody::Interface(of) => {
                let methods = dispatched_methods(&of.text, interfaces).ok_or_else(|| {
                    self.error(
                        raw.unit,
                        &of.span,
                        format!(
                            "dispinterface `{}` dispatches `{}`, which is not a defined interface",
                            name.text, of.text
                        ),
                    )
                })?;
                (methods, Vec::new())
            }
            DispBody::Members {
                properties,
                methods,
            } => {
                // widl's type library numbers an unnumbered dispinterface method
                // 0x6000_0000 + index (a dual's carry its ancestor count, 0x6002_0000 + index);
                // properties are numbered after the methods, from 0x4000_0000.
                let mut numbering = Numbering::new(0x6000);
                let mut out = Vec::new();
                for m in methods {
                    let mut method =
                        self.method(raw.unit, &m.attrs, &m.spec, &m.declarator, &m.span)?;
                    method.dispid =
                        Some(numbering.assign(&method, &m.attrs, &m.declarator, raw.unit, self)?);
                    out.push(method);
                }
                let mut props = Vec::new();
                let first_property_index = out.len() as i32;
                for field in properties {
                    let Some(spec) = &field.spec else { continue };
                    for declarator in &field.declarators {
                        let Some(prop_name) = &declarator.name else {
                            continue;
                        };
                        let index = first_property_index + props.len() as i32;
                        let id_attr = attr(&field.attrs, "id");
                        let dispid = match id_attr.and_then(Attribute::expr) {
                            Some(e) => self.int_attr(raw.unit, e)?,
                            None => 0x4000_0000 + index,
                        };
                        let span = id_attr.map_or(&prop_name.span, |a| &a.span);
                        numbering.claim(&prop_name.text, dispid, span, raw.unit, self)?;
                        props.push(Property {
                            name: prop_name.text.clone(),
                            ty: render(&type_ref(spec, &declarator.derived, &self.scope)),
                            dispid,
                            readonly: has(&field.attrs, "readonly"),
                            bindable: has(&field.attrs, "bindable"),
                            requestedit: has(&field.attrs, "requestedit"),
                        });
                    }
                }
                (out, props)
            }
        };
        Ok(Interface {
            name: name.text.clone(),
            kind: InterfaceKind::Dispinterface,
            uuid: self.uuid(raw.unit, attrs)?,
            base: None,
            methods,
            properties,
            helpstring: helpstring(attrs),
            library: raw.library.clone(),
            oleautomation: true,
            imported: raw.unit.imported,
            type_flags: flags(attrs, TYPE_FLAGS),
        })
    }

    fn method(
        &self,
        unit: &Unit,
        attrs: &[Attribute],
        spec: &ast::DeclSpec,
        declarator: &ast::Declarator,
        span: &ast::Span,
    ) -> Result<Method, Diagnostic> {
        let name = declarator
            .name
            .as_ref()
            .ok_or_else(|| self.error(unit, span, "a method needs a name"))?;
        let ret = type_ref(spec, &declarator.derived[1..], &self.scope);
        let params = declarator.function_params().unwrap_or_default();
        let params = match params {
            // `f(void)` has no parameters.
            [only]
                if only.declarator.name.is_none()
                    && only.declarator.derived.is_empty()
                    && matches!(&only.spec.ty, ast::TypeSpec::Named(n) if n.text == "void") =>
            {
                &[]
            }
            all => all,
        };
        let kind = if has(attrs, "propget") {
            MethodKind::Propget
        } else if has(attrs, "propput") {
            MethodKind::Propput
        } else if has(attrs, "propputref") {
            MethodKind::Propputref
        } else {
            MethodKind::Method
        };
        Ok(Method {
            name: name.text.clone(),
            dispid: None,
            kind,
            ret: render(&ret),
            params: params.iter().map(|p| self.param(unit, p)).collect(),
            helpstring: helpstring(attrs),
            local: has(attrs, "local"),
            call_as: attr(attrs, "call_as").map(|a| arg_text(unit, a)),
            restricted: has(attrs, "restricted"),
            hidden: has(attrs, "hidden"),
            bindable: has(attrs, "bindable"),
            requestedit: has(attrs, "requestedit"),
            func_flags: flags(attrs, FUNC_FLAGS) as u16,
        })
    }

    fn param(&self, unit: &Unit, p: &ast::Param) -> Param {
        let ty_ref = type_ref(&p.spec, &p.declarator.derived, &self.scope);
        let is_out = has(&p.attrs, "out");
        Param {
            name: p
                .declarator
                .name
                .as_ref()
                .map(|n| n.text.clone())
                .unwrap_or_default(),
            ty: render(&ty_ref),
            // MIDL's default direction is [in].
            is_in: has(&p.attrs, "in") || !is_out,
            in_written: has(&p.attrs, "in"),
            is_out,
            retval: has(&p.attrs, "retval"),
            optional: has(&p.attrs, "optional"),
            lcid: has(&p.attrs, "lcid"),
            defaultvalue: attr(&p.attrs, "defaultvalue").map(|a| arg_text(unit, a)),
            default: attr(&p.attrs, "defaultvalue")
                .and_then(Attribute::expr)
                .and_then(|e| consteval::eval(e, &self.scope).ok()),
            ty_ref,
            at: Some(self.locate(unit, &p.span)),
        }
    }

    fn int_attr(&self, unit: &Unit, expr: &ast::Expr) -> Result<i32, Diagnostic> {
        consteval::eval_int(expr, &self.scope)
            .map(|v| v as i32)
            .map_err(|(span, message)| self.error(unit, &span, message))
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

/// The methods a `dispinterface D { interface I; }` dispatches: I's and its ancestors', below
/// IDispatch.
fn dispatched_methods(name: &str, interfaces: &[Interface]) -> Option<Vec<Method>> {
    let mut chain = Vec::new();
    let mut next = Some(name);
    while let Some(current) = next {
        if matches!(current, "IDispatch" | "IUnknown") || chain.len() > 64 {
            break;
        }
        let interface = interfaces.iter().find(|i| i.name == current);
        match interface {
            Some(i) => {
                chain.push(i);
                next = i.base.as_deref();
            }
            None if chain.is_empty() => return None,
            None => break,
        }
    }
    Some(
        chain
            .iter()
            .rev()
            .flat_map(|i| i.methods.iter().cloned())
            .collect(),
    )
}

/// MIDL's automatic DISPIDs: `[id(n)]` when given; otherwise `prefix << 16 | index`, where the
/// index counts the non-local methods before this one; a method whose name was already seen
/// (a property's get and put) shares that method's id.
struct Numbering {
    prefix: i32,
    index: i32,
    by_name: HashMap<String, i32>,
    /// Which method took each DISPID, and where (the `[id]` attribute, else the name).
    by_id: HashMap<i32, (String, ast::Span)>,
}

impl Numbering {
    fn new(prefix: i32) -> Self {
        Numbering {
            prefix,
            index: 0,
            by_name: HashMap::new(),
            by_id: HashMap::new(),
        }
    }

    /// The DISPID of `method`: its `[id]`, else MIDL's automatic number; the accessors of one
    /// property share the first one's. Two methods of different names on one DISPID are an
    /// error: `Invoke` could not tell them apart.
    fn assign(
        &mut self,
        method: &Method,
        attrs: &[Attribute],
        declarator: &ast::Declarator,
        unit: &Unit,
        resolver: &Resolver,
    ) -> Result<i32, Diagnostic> {
        let mut id = (self.prefix << 16) | self.index;
        let id_attr = attr(attrs, "id");
        if let Some(expr) = id_attr.and_then(Attribute::expr) {
            id = consteval::eval_int(expr, &resolver.scope)
                .map(|v| v as i32)
                .map_err(|(span, message)| resolver.error(unit, &span, message))?;
        }
        if let Some(&same_name) = self.by_name.get(&method.name) {
            id = same_name;
        }
        if method.local {
            return Ok(id);
        }
        let span = match (id_attr, &declarator.name) {
            (Some(a), _) => &a.span,
            (None, Some(name)) => &name.span,
            (None, None) => &declarator.span,
        };
        self.claim(&method.name, id, span, unit, resolver)?;
        self.by_name.entry(method.name.clone()).or_insert(id);
        self.index += 1;
        Ok(id)
    }

    /// Takes DISPID `id` for the member `name` (a method, or a dispinterface's property) declared
    /// at `span`; another member already on it is an error.
    fn claim(
        &mut self,
        name: &str,
        id: i32,
        span: &ast::Span,
        unit: &Unit,
        resolver: &Resolver,
    ) -> Result<(), Diagnostic> {
        if let Some((other, other_span)) = self.by_id.get(&id)
            && other != name
        {
            let first = resolver
                .sources
                .describe(resolver.locate(unit, other_span).0);
            return Err(resolver
                .error(
                    unit,
                    span,
                    format!("`{name}` and `{other}` have the same DISPID {id:#x}"),
                )
                .with_help(format!(
                    "`{other}` took DISPID {id:#x} at {}; give each member its own [id], since \
                     a client's Invoke names the member by DISPID alone",
                    first
                )));
        }
        self.by_id
            .entry(id)
            .or_insert((name.to_string(), span.clone()));
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Attributes

fn attr<'x>(attrs: &'x [Attribute], name: &str) -> Option<&'x Attribute> {
    attrs.iter().find(|a| a.name.text == name)
}

/// The type-library flags attributes set, as widl sets them (`FUNCFLAGS`, `TYPEFLAGS`).
const FUNC_FLAGS: &[(&str, u32)] = &[
    ("restricted", 0x1),
    ("source", 0x2),
    ("bindable", 0x4),
    ("requestedit", 0x8),
    ("displaybind", 0x10),
    ("defaultbind", 0x20),
    ("hidden", 0x40),
    ("usesgetlasterror", 0x80),
    ("defaultcollelem", 0x100),
    ("uidefault", 0x200),
    ("nonbrowsable", 0x400),
    ("immediatebind", 0x1000),
];
const TYPE_FLAGS: &[(&str, u32)] = &[
    ("appobject", 0x1),
    ("licensed", 0x4),
    ("predeclid", 0x8),
    ("hidden", 0x10),
    ("control", 0x20),
    ("nonextensible", 0x80),
    ("restricted", 0x200),
    ("aggregatable", 0x400),
    ("replaceable", 0x800),
];

/// The flags of `table` that `attrs` name.
fn flags(attrs: &[Attribute], table: &[(&str, u32)]) -> u32 {
    table
        .iter()
        .filter(|(name, _)| has(attrs, name))
        .fold(0, |all, (_, flag)| all | flag)
}

fn has(attrs: &[Attribute], name: &str) -> bool {
    attr(attrs, name).is_some()
}

fn helpstring(attrs: &[Attribute]) -> Option<String> {
    string_attr(attrs, "helpstring")
}

/// The string argument of attribute `name` (`progid("A.B.1")`).
fn string_attr(attrs: &[Attribute], name: &str) -> Option<String> {
    match &attr(attrs, name)?.expr()?.kind {
        ast::ExprKind::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// An attribute's arguments as the IDL author wrote them (after preprocessing).
fn arg_text(unit: &Unit, a: &Attribute) -> String {
    let text = unit.input.text.get(a.span.clone()).unwrap_or_default();
    match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close => text[open + 1..close].trim().to_string(),
        _ => String::new(),
    }
}
