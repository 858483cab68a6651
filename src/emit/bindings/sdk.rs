//! The SDK oracle: which types the windows crate has, in which namespace, and of what kind,
//! read from the index that `build.rs` writes from the very metadata windows-bindgen 0.66
//! renders against (see `sdk_index.rs`), so a type is referenced where bindgen will find it.

use super::sorted_lines;

/// `name namespace kind [iid]` lines, sorted by name.
static INDEX: &str = include_str!(concat!(env!("OUT_DIR"), "/win32_types.txt"));

/// The namespaces of those types, one a line, sorted.
static NAMESPACES: &str = include_str!(concat!(env!("OUT_DIR"), "/win32_namespaces.txt"));

/// What a type of the Win32 metadata is, as far as encoding a reference to it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A COM interface: referenced without the pointer the IDL writes (`IDispatch*`).
    Interface,
    /// A struct (including handles and typedefs such as `BSTR`), enum or callback.
    Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdkType {
    pub namespace: &'static str,
    pub kind: Kind,
    /// An interface's IID, lowercase as the model keeps uuids.
    pub iid: Option<&'static str>,
}

impl SdkType {
    /// The type's path in the windows crate: `windows::Win32::System::Com::IDispatch`.
    pub fn rust_path(&self, name: &str) -> String {
        let namespace = self
            .namespace
            .strip_prefix("Windows.")
            .unwrap_or(self.namespace);
        format!("windows::{}::{name}", namespace.replace('.', "::"))
    }
}

/// The windows crate feature of a metadata namespace (`Windows.Win32.System.Com` →
/// `Win32_System_Com`).
pub fn feature(namespace: &str) -> String {
    namespace
        .strip_prefix("Windows.")
        .unwrap_or(namespace)
        .replace('.', "_")
}

/// Whether `namespace` (`Windows.Win32.System.Com`) holds any type of the Win32 metadata.
pub fn is_namespace(namespace: &str) -> bool {
    sorted_lines::find(NAMESPACES, namespace).next().is_some()
}

/// The Win32 type named `name`, if the metadata has exactly one namespace for it.
///
/// A name declared in two namespaces is left out rather than guessed.
pub fn lookup(name: &str) -> Option<SdkType> {
    let mut found = sorted_lines::find(INDEX, name).filter_map(|line| {
        let mut fields = line.split(' ').skip(1);
        let namespace = fields.next()?;
        let kind = match fields.next()? {
            "I" => Kind::Interface,
            _ => Kind::Value,
        };
        let iid = fields.next();
        Some(SdkType {
            namespace,
            kind,
            iid,
        })
    });
    let first = found.next()?;
    found
        .all(|other| other.namespace == first.namespace)
        .then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_com_types_where_the_windows_crate_has_them() {
        let dispatch = lookup("IDispatch").unwrap();
        assert_eq!(dispatch.namespace, "Windows.Win32.System.Com");
        assert_eq!(dispatch.kind, Kind::Interface);
        assert_eq!(
            lookup("VARIANT_BOOL").unwrap().namespace,
            "Windows.Win32.Foundation"
        );
        assert_eq!(
            lookup("VARIANT").unwrap().namespace,
            "Windows.Win32.System.Variant"
        );
        assert_eq!(lookup("BSTR").unwrap().kind, Kind::Value);
        assert_eq!(lookup("NoSuchTypeAnywhere"), None);
    }
}
