//! Reading attributes: by name, as flags, as text.

use super::*;

pub(super) fn attr<'x>(attrs: &'x [Attribute], name: &str) -> Option<&'x Attribute> {
    attrs.iter().find(|a| a.name.text == name)
}

/// The type-library flags attributes set, as widl sets them (`FUNCFLAGS`, `TYPEFLAGS`).
pub(super) const FUNC_FLAGS: &[(&str, u32)] = &[
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
pub(super) const TYPE_FLAGS: &[(&str, u32)] = &[
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
pub(super) fn flags(attrs: &[Attribute], table: &[(&str, u32)]) -> u32 {
    table
        .iter()
        .filter(|(name, _)| has(attrs, name))
        .fold(0, |all, (_, flag)| all | flag)
}

pub(super) fn has(attrs: &[Attribute], name: &str) -> bool {
    attr(attrs, name).is_some()
}

pub(super) fn helpstring(attrs: &[Attribute]) -> Option<String> {
    string_attr(attrs, "helpstring")
}

/// The string argument of attribute `name` (`progid("A.B.1")`).
pub(super) fn string_attr(attrs: &[Attribute], name: &str) -> Option<String> {
    match &attr(attrs, name)?.expr()?.kind {
        ast::ExprKind::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// An attribute's arguments as the IDL author wrote them (after preprocessing).
pub(super) fn arg_text(unit: &Unit, a: &Attribute) -> String {
    let text = unit.input.text.get(a.span.clone()).unwrap_or_default();
    match (text.find('('), text.rfind(')')) {
        (Some(open), Some(close)) if open < close => text[open + 1..close].trim().to_string(),
        _ => String::new(),
    }
}
