//! The resolved model of a MIDL file and everything it imports: plain data, what the generator
//! reads and what `cpgen inspect --json` prints.

mod consteval;
mod load;
mod resolve;
mod types;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::preprocess;
use crate::source::{Loc, SourceSet};

/// What to read and how to preprocess it.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub preprocess: preprocess::Options,
    /// A folder where imported files, preprocessed and parsed, are kept between runs (see
    /// `model/load/cache.rs`), and the printed pieces (`emit::Options::cache_dir`); none reads
    /// every file afresh on every run.
    pub cache_dir: Option<PathBuf>,
}

/// Reads `path`, every file it includes and imports, and resolves them into one model.
pub fn load(path: &Path, options: &Options) -> Result<Model, Diagnostic> {
    let units = load::load(path, options)?;
    resolve::resolve(units)
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Model {
    pub libraries: Vec<Library>,
    pub interfaces: Vec<Interface>,
    pub coclasses: Vec<Coclass>,
    pub enums: Vec<Enum>,
    /// Structs and unions with a body (not shown by `inspect`).
    #[serde(skip)]
    pub structs: Vec<Struct>,
    pub typedefs: Vec<Typedef>,
    pub constants: Vec<Constant>,
    /// Every file read: the input, what it included, what it imported (for `rerun-if-changed`).
    #[serde(skip)]
    pub files: Vec<PathBuf>,
    /// What is legal MIDL but likely a mistake in the input (never in its imports).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// The text of every file read, so that later stages place their errors in it.
    #[serde(skip)]
    pub sources: Arc<SourceSet>,
}

impl Model {
    /// The model of the declarations made in the input file and the files it includes, leaving
    /// out what came from imports: what `cpgen inspect` shows.
    pub fn own(&self) -> Model {
        fn own<T: Clone + Declared>(items: &[T]) -> Vec<T> {
            items.iter().filter(|i| !i.imported()).cloned().collect()
        }
        Model {
            libraries: own(&self.libraries),
            interfaces: own(&self.interfaces),
            coclasses: own(&self.coclasses),
            enums: own(&self.enums),
            structs: own(&self.structs),
            typedefs: own(&self.typedefs),
            constants: own(&self.constants),
            files: self.files.clone(),
            warnings: self.warnings.clone(),
            sources: self.sources.clone(),
        }
    }

    pub fn interface(&self, name: &str) -> Option<&Interface> {
        self.interfaces.iter().find(|i| i.name == name)
    }

    /// What coclass `name`, used as a type (`Presentation*`), stands for: its default interface
    /// (the `[default]` member that is not a source, else its first such member), as MIDL reads it.
    pub fn coclass_default(&self, name: &str) -> Option<&str> {
        let coclass = self.coclasses.iter().find(|c| c.name == name)?;
        let incoming = || coclass.members.iter().filter(|m| !m.source);
        incoming()
            .find(|m| m.default)
            .or_else(|| incoming().next())
            .map(|m| m.name.as_str())
    }
}

/// Something declared in a file, which may be the input or an import.
pub trait Declared {
    fn imported(&self) -> bool;
}

macro_rules! declared {
    ($($t:ty),*) => {$(
        impl Declared for $t {
            fn imported(&self) -> bool {
                self.imported
            }
        }
    )*};
}
declared!(Library, Interface, Coclass, Enum, Struct, Typedef, Constant);

#[derive(Debug, Clone, Serialize)]
pub struct Library {
    pub name: String,
    pub uuid: Option<String>,
    pub version: Option<String>,
    pub helpstring: Option<String>,
    #[serde(skip)]
    pub imported: bool,
    /// The interfaces and dispinterfaces declared elsewhere that its block names
    /// (`interface IFoo;`): its type library holds them too.
    #[serde(skip)]
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InterfaceKind {
    Dispinterface,
    Dual,
    Custom,
}

#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    pub name: String,
    pub kind: InterfaceKind,
    pub uuid: Option<String>,
    pub base: Option<String>,
    pub methods: Vec<Method>,
    /// A dispinterface's `properties:` section.
    pub properties: Vec<Property>,
    pub helpstring: Option<String>,
    /// The library the interface was declared in, if any.
    pub library: Option<String>,
    /// `[oleautomation]` (always so for dual interfaces).
    pub oleautomation: bool,
    #[serde(skip)]
    pub imported: bool,
    /// The `TYPEFLAGS` its attributes give it in a type library (`[hidden]`, `[restricted]`,
    /// ...), besides those its kind decides.
    #[serde(skip)]
    pub type_flags: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MethodKind {
    Method,
    Propget,
    Propput,
    Propputref,
}

#[derive(Debug, Clone, Serialize)]
pub struct Method {
    pub name: String,
    /// The dispatch id: `[id(n)]`, else MIDL's automatic number. `None` for custom interfaces.
    pub dispid: Option<i32>,
    pub kind: MethodKind,
    pub ret: String,
    pub params: Vec<Param>,
    pub helpstring: Option<String>,
    /// `[local]` methods have no type-library or proxy presence.
    pub local: bool,
    /// `[call_as(m)]`: the wire form of the local method `m`, not a vtable entry of its own.
    pub call_as: Option<String>,
    pub restricted: bool,
    pub hidden: bool,
    /// `[bindable]`: a property whose changes are announced through `IPropertyNotifySink`.
    #[serde(skip_serializing_if = "is_false")]
    pub bindable: bool,
    /// `[requestedit]`: a property whose changes are asked for through `IPropertyNotifySink`.
    #[serde(skip_serializing_if = "is_false")]
    pub requestedit: bool,
    /// The `FUNCFLAGS` its attributes give it in a type library.
    #[serde(skip)]
    pub func_flags: u16,
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Debug, Clone, Serialize)]
pub struct Param {
    pub name: String,
    /// The IDL type as written, typedef names kept: `VARIANT_BOOL*`, `SAFEARRAY(BSTR)`.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(rename = "in")]
    pub is_in: bool,
    #[serde(rename = "out")]
    pub is_out: bool,
    pub retval: bool,
    pub optional: bool,
    pub lcid: bool,
    /// `[in]` is written (MIDL's default direction is `[in]`, but a type library records only
    /// what is written).
    #[serde(skip)]
    pub in_written: bool,
    /// `[defaultvalue(...)]`, as written.
    pub defaultvalue: Option<String>,
    /// The `[defaultvalue(...)]`'s value, when it is a constant.
    #[serde(skip)]
    pub default: Option<ConstValue>,
    /// The type in structured form, for the generator.
    #[serde(skip)]
    pub ty_ref: TypeRef,
    /// Where the parameter is written (and its length), for the generator's errors.
    #[serde(skip)]
    pub at: Option<(Loc, usize)>,
}

impl Param {
    /// An error about this parameter, placed on it in the file when its place is known.
    pub fn error(&self, model: &Model, message: String) -> Diagnostic {
        match self.at {
            Some((loc, len)) => Diagnostic::at(&model.sources, loc, len, message, "this parameter"),
            None => Diagnostic::new(message),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Property {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub dispid: i32,
    pub readonly: bool,
    /// `[bindable]`, as on a method.
    #[serde(skip_serializing_if = "is_false")]
    pub bindable: bool,
    /// `[requestedit]`, as on a method.
    #[serde(skip_serializing_if = "is_false")]
    pub requestedit: bool,
}

/// A type reference: a named base type with pointers and array dimensions applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TypeRef {
    /// `BSTR`, `unsigned long`, `struct tagFOO`, `SAFEARRAY(BSTR)`.
    pub base: String,
    /// For `SAFEARRAY(T)`, the element type.
    pub safearray_of: Option<Box<TypeRef>>,
    pub pointers: usize,
    /// Dimensions of an array (`None` for `[]`).
    pub array: Vec<Option<u64>>,
    pub is_const: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Coclass {
    pub name: String,
    pub uuid: Option<String>,
    pub members: Vec<CoclassMember>,
    /// MIDL's default source interface: the `[default, source]` member, else the first source
    /// member that is not restricted.
    pub default_source: Option<String>,
    pub helpstring: Option<String>,
    pub library: Option<String>,
    pub noncreatable: bool,
    /// `[progid("Lib.Class.1")]`: the ProgID a server registers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progid: Option<String>,
    /// `[vi_progid("Lib.Class")]`: the version-independent ProgID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vi_progid: Option<String>,
    /// `[threading(both)]`: the threading model, as written (`apartment`, `both`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threading: Option<String>,
    #[serde(skip)]
    pub imported: bool,
    /// The `TYPEFLAGS` its attributes give it in a type library (`[control]`, `[hidden]`,
    /// ...), besides `TYPEFLAG_FCANCREATE`.
    #[serde(skip)]
    pub type_flags: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoclassMember {
    pub name: String,
    pub default: bool,
    pub source: bool,
    pub restricted: bool,
    /// Declared with `dispinterface` rather than `interface`.
    pub dispinterface: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Enum {
    /// The enum's tag or, for `typedef enum {...} X`, the typedef name.
    pub name: String,
    pub members: Vec<EnumMember>,
    /// `typedef [uuid(...)] enum`: its GUID in a type library.
    #[serde(skip)]
    pub uuid: Option<String>,
    #[serde(skip)]
    pub imported: bool,
    /// The library whose block declares it (its type library then holds it).
    #[serde(skip)]
    pub library: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnumMember {
    pub name: String,
    pub value: i64,
}

/// A struct or union with a body: `struct tagPOINT { long x; long y; }`.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Its tag or, for an untagged `typedef struct {...} X`, the typedef name.
    pub name: String,
    pub union: bool,
    pub fields: Vec<StructField>,
    /// `typedef [uuid(...)] struct ...`: the record's GUID in a type library (and an
    /// `IRecordInfo`'s `GetGuid`).
    pub uuid: Option<String>,
    pub imported: bool,
}

#[derive(Debug, Clone)]
pub struct StructField {
    pub name: String,
    pub ty_ref: TypeRef,
    /// Declared as a bit-field (`long flags : 3`).
    pub bit_field: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Typedef {
    pub name: String,
    /// The aliased type as written.
    #[serde(rename = "type")]
    pub ty: String,
    #[serde(skip)]
    pub ty_ref: TypeRef,
    #[serde(skip)]
    pub imported: bool,
    /// `typedef [public]`: a type library describes it as an alias (`TKIND_ALIAS`), not as the
    /// type it stands for.
    #[serde(skip)]
    pub public: bool,
    /// The library whose block declares it.
    #[serde(skip)]
    pub library: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Constant {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub value: ConstValue,
    #[serde(skip)]
    pub imported: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ConstValue {
    Int(i64),
    Float(f64),
    Str(String),
}
