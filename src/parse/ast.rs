//! The syntax tree of one preprocessed MIDL file: what was written, nothing resolved.
//!
//! Spans are byte ranges in the preprocessed text; the preprocessor's line map turns them into
//! places in real files.

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub type Span = Range<usize>;

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Statement {
    Import(Vec<Name>),
    ImportLib(Name),
    CppQuote(String),
    Definition(Definition),
}

/// Anything that may carry attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub attrs: Vec<Attribute>,
    pub kind: DefinitionKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DefinitionKind {
    /// A MIDL 3 construct; the text is the keyword that starts it.
    WinRt(String),
    Library {
        name: Name,
        body: Vec<Statement>,
    },
    Module {
        name: Name,
        body: Vec<Statement>,
    },
    Interface {
        name: Name,
        base: Option<Name>,
        body: Vec<Statement>,
    },
    /// `interface X;`
    InterfaceRef(Name),
    DispInterface {
        name: Name,
        body: DispBody,
    },
    /// `dispinterface X;`
    DispInterfaceRef(Name),
    Coclass {
        name: Name,
        members: Vec<CoclassMember>,
    },
    /// `coclass X;`
    CoclassRef(Name),
    Typedef {
        /// Attributes written after `typedef` (those before it are on the definition).
        inner_attrs: Vec<Attribute>,
        spec: DeclSpec,
        declarators: Vec<Declarator>,
    },
    /// `struct X {...};`, `enum Y {...};`
    TypeDecl(TypeSpec),
    /// Functions, methods, constants and variables.
    Declaration {
        spec: DeclSpec,
        declarators: Vec<InitDeclarator>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DispBody {
    /// `dispinterface D { interface I; }`: D dispatches I's methods.
    Interface(Name),
    Members {
        properties: Vec<Field>,
        methods: Vec<Method>,
    },
}

/// A method of a dispinterface's `methods:` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Method {
    pub attrs: Vec<Attribute>,
    pub spec: DeclSpec,
    pub declarator: Declarator,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoclassMember {
    pub attrs: Vec<Attribute>,
    pub dispinterface: bool,
    pub name: Name,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub name: Name,
    pub args: Vec<AttrArg>,
    pub span: Span,
}

impl Attribute {
    /// The first argument, if it is an expression.
    pub fn expr(&self) -> Option<&Expr> {
        match self.args.first() {
            Some(AttrArg::Expr(e)) => Some(e),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AttrArg {
    Uuid(String),
    Expr(Expr),
    Type(TypeName),
    /// Text no other form fits, kept as written.
    Raw(String),
}

/// The part of a declaration before the declarator: `const unsigned long`, `struct X {...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclSpec {
    pub is_const: bool,
    pub ty: TypeSpec,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TypeSpec {
    /// A typedef name or a MIDL base type (`BSTR`, `void`, `double`).
    Named(Name),
    /// C's integer words, normalised to single spaces: `unsigned long`, `long long`.
    Int(String),
    SafeArray(Box<TypeName>),
    Struct(Aggregate),
    Union(Union),
    Enum(Enum),
}

/// A type with no declared name: a cast's or `SAFEARRAY(...)`'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeName {
    pub spec: DeclSpec,
    pub declarator: Declarator,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub name: Option<Name>,
    /// `None` for a reference such as `struct X *`.
    pub fields: Option<Vec<Field>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Union {
    pub name: Option<Name>,
    /// `switch (type name)` of an encapsulated union.
    pub switch: Option<Box<(DeclSpec, Name)>>,
    /// Arms; `case`/`default` labels of an encapsulated union become `case`/`default` attributes.
    pub fields: Option<Vec<Field>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub name: Option<Name>,
    pub members: Option<Vec<EnumMember>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumMember {
    pub name: Name,
    pub value: Option<Expr>,
}

/// A struct member, union arm or dispinterface property. An empty union arm has no spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub attrs: Vec<Attribute>,
    pub spec: Option<DeclSpec>,
    pub declarators: Vec<Declarator>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitDeclarator {
    pub declarator: Declarator,
    pub init: Option<Expr>,
}

/// A C declarator, flattened: the name and what is applied to the base type, read from the name
/// outwards. `*a[3]` is `[Array(3), Pointer]` (an array of pointers); `(*f)(int)` is
/// `[Pointer, Function]` (a pointer to a function).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Declarator {
    pub name: Option<Name>,
    pub derived: Vec<Derived>,
    /// Bit-field width of a struct member.
    pub bits: Option<Expr>,
    pub span: Span,
}

impl Declarator {
    /// The parameters, if this declares a function (not a pointer to one).
    pub fn function_params(&self) -> Option<&[Param]> {
        match self.derived.first() {
            Some(Derived::Function(params)) => Some(params),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Derived {
    Pointer {
        is_const: bool,
    },
    /// `[n]`, `[]` or `[*]` (the last two have no size).
    Array(Option<Expr>),
    Function(Vec<Param>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub attrs: Vec<Attribute>,
    pub spec: DeclSpec,
    pub declarator: Declarator,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    /// An integer literal; `unsigned` if it had a `u` suffix or did not fit `i64`.
    Int {
        value: u64,
        unsigned: bool,
    },
    Float(f64),
    Str(String),
    Char(i64),
    Ident(String),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(Box<TypeName>, Box<Expr>),
    SizeOf(Box<TypeName>),
    Member(Box<Expr>, Name),
    Arrow(Box<Expr>, Name),
    Index(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    BitNot,
    Deref,
    AddressOf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    LogOr,
    LogAnd,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}
