//! The type library a generated file describes and builds at run time (`type_library()`, built by
//! `cpgen_runtime::type_library`): what widl's (and MIDL's) type library of the same `library`
//! block holds. Every enum, `[public]` typedef (as an alias), interface, dispinterface and
//! coclass the block declares, the connectable coclasses and everything they list, and every
//! type those use, each described in full: methods with their member ids, invoke kinds, flags,
//! parameter types, flags and `[defaultvalue]`s, properties, constants.
//!
//! One job per module: this one decides which types the library holds and in what order;
//! [`rows`] describes each type; [`members`] each method and parameter. Structs and unions
//! (`TKIND_RECORD`, `TKIND_UNION`) are not described yet: a record plugs in as one more
//! [`Entry`] kind, collected in [`Entries::uses`] and rendered by [`rows::row`].

mod members;
mod rows;

use std::collections::HashMap;

use super::oracle::{self, EventType};
use crate::Diagnostic;
use crate::model::{Coclass, Enum, Interface, Model, Typedef};

/// The library, as the `Library` table's fields (strings as Rust literals).
#[derive(Debug)]
pub struct Table {
    pub name: String,
    pub guid: String,
    pub major: u16,
    pub minor: u16,
    pub doc: String,
    pub types: Vec<Row>,
}

#[derive(Debug)]
pub struct Row {
    pub name: String,
    pub guid: String,
    pub kind: &'static str,
    pub flags: u32,
    pub doc: String,
    /// An alias's `Desc` expression: the type it stands for.
    pub alias: Option<String>,
    pub implements: Vec<Implemented>,
    pub funcs: Vec<Func>,
    pub vars: Vec<Var>,
}

#[derive(Debug)]
pub struct Implemented {
    /// A `Ref` expression.
    pub ty: String,
    pub flags: i32,
}

#[derive(Debug)]
pub struct Func {
    pub name: String,
    /// The MEMBERID literal.
    pub memid: String,
    pub invoke: i32,
    /// `FUNCFLAGS`.
    pub flags: u16,
    /// How many parameters are `[optional]` (`FUNCDESC::cParamsOpt`).
    pub optional: i16,
    pub params: Vec<FuncParam>,
    /// A `Desc` expression.
    pub returns: String,
    pub doc: String,
}

#[derive(Debug)]
pub struct FuncParam {
    pub name: String,
    pub ty: String,
    pub flags: u16,
    /// A `Value` expression: the `[defaultvalue]`.
    pub default: Option<String>,
}

#[derive(Debug)]
pub struct Var {
    pub name: String,
    /// The MEMBERID literal.
    pub memid: String,
    pub ty: String,
    pub value: Option<i32>,
    pub flags: u16,
    pub doc: String,
}

/// What the library holds, in order: every type after the types it derives from.
enum Entry<'m> {
    Enum(&'m Enum),
    Alias(&'m Typedef),
    Interface(&'m Interface),
    Coclass(&'m Coclass),
}

/// The table for `coclasses`, or none when they are not in a library with a uuid (there is no
/// LIBID to give it).
pub fn table(model: &Model, coclasses: &[&Coclass]) -> Result<Option<Table>, Diagnostic> {
    let Some(library) = coclasses
        .first()
        .and_then(|c| c.library.as_deref())
        .and_then(|name| model.libraries.iter().find(|l| l.name == name))
    else {
        return Ok(None);
    };
    let Some(guid) = library.uuid.as_deref() else {
        return Ok(None);
    };
    let mut entries = Entries {
        model,
        list: Vec::new(),
        index: HashMap::new(),
    };
    let declared_here = |owner: Option<&str>| owner == Some(library.name.as_str());
    for declared in model
        .enums
        .iter()
        .filter(|e| declared_here(e.library.as_deref()))
    {
        entries.enumeration(declared);
    }
    for alias in model
        .typedefs
        .iter()
        .filter(|t| t.public && declared_here(t.library.as_deref()))
    {
        entries.alias(alias)?;
    }
    for coclass in coclasses {
        for member in &coclass.members {
            entries.interface(&member.name)?;
        }
    }
    for interface in &model.interfaces {
        if declared_here(interface.library.as_deref()) && !interface.imported {
            entries.interface(&interface.name)?;
        }
    }
    let mut all_coclasses: Vec<&Coclass> = coclasses.to_vec();
    for coclass in &model.coclasses {
        if declared_here(coclass.library.as_deref())
            && !coclass.imported
            && !all_coclasses.iter().any(|c| c.name == coclass.name)
        {
            for member in &coclass.members {
                entries.interface(&member.name)?;
            }
            all_coclasses.push(coclass);
        }
    }
    for coclass in all_coclasses {
        entries.list.push(Entry::Coclass(coclass));
    }
    let (major, minor) = library
        .version
        .as_deref()
        .and_then(|v| v.split_once('.').or(Some((v, "0"))))
        .and_then(|(major, minor)| Some((major.trim().parse().ok()?, minor.trim().parse().ok()?)))
        .unwrap_or((0, 0));
    let local = |name: &str| entries.index.get(name).copied();
    let types = entries
        .list
        .iter()
        .map(|entry| rows::row(model, entry, &local))
        .collect::<Result<_, _>>()?;
    Ok(Some(Table {
        name: rows::literal(&library.name),
        guid: rows::guid_expr(Some(guid), &library.name)?,
        major,
        minor,
        doc: rows::literal(library.helpstring.as_deref().unwrap_or_default()),
        types,
    }))
}

struct Entries<'m> {
    model: &'m Model,
    list: Vec<Entry<'m>>,
    /// Each type's position in `list`, by name.
    index: HashMap<String, usize>,
}

impl<'m> Entries<'m> {
    fn push(&mut self, name: &str, entry: Entry<'m>) {
        self.index.insert(name.to_string(), self.list.len());
        self.list.push(entry);
    }

    fn enumeration(&mut self, declared: &'m Enum) {
        if !self.index.contains_key(&declared.name) {
            self.push(&declared.name, Entry::Enum(declared));
        }
    }

    /// Adds a `[public]` typedef, after the types it stands for.
    fn alias(&mut self, alias: &'m Typedef) -> Result<(), Diagnostic> {
        if self.index.contains_key(&alias.name) {
            return Ok(());
        }
        if let Some(ty) = oracle::value_type(self.model, &alias.ty_ref) {
            self.uses(&ty)?;
        }
        self.push(&alias.name, Entry::Alias(alias));
        Ok(())
    }

    /// Adds interface `name` after its bases, then what its members use; IUnknown and
    /// IDispatch are stdole2's.
    fn interface(&mut self, name: &str) -> Result<(), Diagnostic> {
        if matches!(name, "IUnknown" | "IDispatch") || self.index.contains_key(name) {
            return Ok(());
        }
        // An interface only a type library imported into the IDL knows has nothing to describe.
        let Some(interface) = self.model.interface(name) else {
            return Ok(());
        };
        // A cycle of bases would recurse forever; the model's interfaces have none (events
        // reject them), but the depth is bounded all the same.
        if self.index.len() > 4096 {
            return Err(Diagnostic::new(format!(
                "interface `{name}` derives from itself"
            )));
        }
        if let Some(base) = interface.base.as_deref() {
            self.interface(base)?;
        }
        if self.index.contains_key(name) {
            return Ok(());
        }
        self.push(name, Entry::Interface(interface));
        for ty in members::described_types(self.model, interface) {
            self.uses(&ty)?;
        }
        for alias in members::aliases_used(self.model, interface) {
            self.alias(alias)?;
        }
        Ok(())
    }

    /// Adds what a member's type refers to: an enum, or another interface.
    fn uses(&mut self, ty: &EventType) -> Result<(), Diagnostic> {
        match ty {
            EventType::Value { rust, .. } if oracle::is_enum(self.model, rust) => {
                if let Some(declared) = self.model.enums.iter().find(|e| &e.name == rust) {
                    self.enumeration(declared);
                }
                Ok(())
            }
            EventType::Interface { name, .. } => self.interface(name),
            EventType::Out(inner) | EventType::InRef(inner) => self.uses(inner),
            _ => Ok(()),
        }
    }
}

/// oleaut32 numbers a member given MEMBERID_NIL itself, when it lays the type out.
const MEMBERID_NIL: i32 = -1;
