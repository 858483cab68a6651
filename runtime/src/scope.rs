//! Where a registration goes: for every user of the machine, or for the current user only.

/// Where registration writes: the type library's and the server's keys alike.
///
/// `Machine` is what `regsvr32` and ATL's registrar do by default (`HKEY_CLASSES_ROOT`,
/// `RegisterTypeLib`; elevation needed on Windows). `User` is a per-user install
/// (`HKEY_CURRENT_USER\Software\Classes`, `RegisterTypeLibForUser`), which needs none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every user of the machine.
    Machine,
    /// The current user only.
    User,
}
