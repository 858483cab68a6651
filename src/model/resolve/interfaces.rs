//! Interfaces and dispinterfaces: their methods and parameters, and the DISPIDs MIDL gives
//! them (`Numbering`).

use super::*;

impl Resolver<'_> {
    pub(super) fn resolve_interfaces(&mut self) -> Result<(), Diagnostic> {
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
    pub(super) fn unnumbered_events(&self) -> Vec<Diagnostic> {
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
