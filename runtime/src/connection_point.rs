//! The `IConnectionPoint` object handed to clients, and the helpers a generated
//! `<Coclass>ConnectionPoints` answers `IConnectionPointContainer` with.

use windows::Win32::Foundation::{E_INVALIDARG, E_POINTER};
use windows::Win32::System::Com::{
    IConnectionPoint, IConnectionPoint_Impl, IConnectionPointContainer, IEnumConnectionPoints,
    IEnumConnections,
};
use windows::Win32::System::Ole::{CONNECT_E_NOCONNECTION, GUIDKIND_DEFAULT_SOURCE_DISP_IID};
use windows_core::{Error, GUID, IUnknown, Interface, Ref, Result, implement};

use crate::enumerators::{EnumConnectionPoints, EnumConnections};
use crate::sinks::{Hold, Sinks};

/// The IID a client asked `FindConnectionPoint` for.
///
/// `E_POINTER` for a null `riid`.
///
/// # Safety
/// `riid` is null or points at a GUID, as `IConnectionPointContainer::FindConnectionPoint`'s
/// contract makes the pointer it receives.
pub unsafe fn requested_iid(riid: *const GUID) -> Result<GUID> {
    // SAFETY: per the contract.
    unsafe { riid.as_ref() }
        .copied()
        .ok_or_else(|| Error::from_hresult(E_POINTER))
}

/// The `IConnectionPointContainer::FindConnectionPoint` answer for an IID the
/// container has no connection point for.
pub fn no_connection_point() -> Error {
    Error::from_hresult(CONNECT_E_NOCONNECTION)
}

/// `IProvideClassInfo2::GetGUID(kind)` of a coclass whose default source interface is
/// `default_source`: that IID for `GUIDKIND_DEFAULT_SOURCE_DISP_IID`, `E_INVALIDARG` for any
/// other kind.
pub fn default_source_guid(kind: u32, default_source: GUID) -> Result<GUID> {
    if kind == GUIDKIND_DEFAULT_SOURCE_DISP_IID.0 as u32 {
        Ok(default_source)
    } else {
        Err(Error::from_hresult(E_INVALIDARG))
    }
}

/// An `IEnumConnectionPoints` over `points`, in that order: the answer to
/// `IConnectionPointContainer::EnumConnectionPoints`.
pub fn enum_connection_points(points: Vec<IConnectionPoint>) -> IEnumConnectionPoints {
    EnumConnectionPoints::over(points)
}

/// `IConnectionPoint` for outgoing interface `S`, made by [`Sinks::connection_point`].
#[implement(IConnectionPoint)]
pub(crate) struct ConnectionPoint<S, H>
where
    S: Interface + 'static,
    H: Hold<S> + 'static,
{
    pub(crate) sinks: Sinks<S, H>,
    /// Strong, as ATL's connection points share the container's reference
    /// count: a client holding only a connection point keeps the container
    /// alive. No cycle, since the container never holds this object.
    pub(crate) container: IConnectionPointContainer,
}

impl<S, H> IConnectionPoint_Impl for ConnectionPoint_Impl<S, H>
where
    S: Interface + 'static,
    H: Hold<S> + 'static,
{
    fn GetConnectionInterface(&self) -> Result<GUID> {
        Ok(S::IID)
    }

    fn GetConnectionPointContainer(&self) -> Result<IConnectionPointContainer> {
        Ok(self.container.clone())
    }

    fn Advise(&self, sink: Ref<IUnknown>) -> Result<u32> {
        self.sinks.advise(sink)
    }

    fn Unadvise(&self, cookie: u32) -> Result<()> {
        self.sinks.unadvise(cookie)
    }

    fn EnumConnections(&self) -> Result<IEnumConnections> {
        // Outside the lock: a held sink may take a call out to reach. One
        // that cannot be reached from this thread is left out.
        let connections = self
            .sinks
            .snapshot()
            .iter()
            .filter_map(|(cookie, sink)| Some((*cookie, sink.unknown().ok()?)))
            .collect();
        Ok(EnumConnections::over(connections))
    }
}
