//! The connection-point runtime: the part of cpgen's output that is the same
//! for every IDL. cpgen writes it once into each generated file, as the
//! private module `runtime` of that file, so a user crate needs no extra
//! dependency; the per-IDL code around it only names the items below.
//!
//! - [`Sinks`]: one connection point's sinks, cookies and firing;
//! - `ConnectionPoint`: the `IConnectionPoint` object handed to clients;
//! - `EnumConnections` / `EnumConnectionPoints`: snapshot enumerators.
//!
//! How a dispinterface event reaches a sink is in the sibling module
//! `dispatch`, which cpgen writes only when a source
//! interface is a dispinterface.
//!
//! Locking rule: the sink table's lock is held only to read or change the
//! table, never while calling out (QueryInterface, a sink's event, a sink's
//! final Release; only the AddRef of a snapshot runs under it, as in ATL),
//! so sinks and other threads may advise and unadvise at any time, even
//! from inside an event.
//!
//! Lifetime rule: the container owns its sinks (through the proxies in its
//! `<Coclass>ConnectionPoints`); a connection point object holds the container, as
//! in ATL, where a connection point shares its container's reference count.
//! Nothing the container owns points back to it, so when clients release the
//! container and every connection point and enumerator they hold, the
//! container goes, and with it every sink.

use std::mem::ManuallyDrop;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use windows::Win32::Foundation::{E_POINTER, S_FALSE, S_OK};
use windows::Win32::System::Com::{
    CONNECTDATA, IConnectionPoint, IConnectionPoint_Impl, IConnectionPointContainer,
    IEnumConnectionPoints, IEnumConnectionPoints_Impl, IEnumConnections, IEnumConnections_Impl,
};
use windows::Win32::System::Ole::{
    CONNECT_E_ADVISELIMIT, CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION,
};
use windows_core::{Error, GUID, HRESULT, IUnknown, Interface, Ref, Result, implement};

/// The sinks connected to one connection point, for outgoing interface `S`.
///
/// Shared (cheap clones) by the proxy that fires the events and by every
/// `IConnectionPoint` object handed out for it, so a sink advised through one
/// connection point object can be unadvised through another.
pub(super) struct Sinks<S> {
    table: Arc<Mutex<Table<S>>>,
}

struct Table<S> {
    /// The last cookie handed out; cookies only grow, so none is reused.
    last_cookie: u32,
    /// (cookie, sink) in the order the sinks were advised.
    connections: Vec<(u32, S)>,
}

impl<S: Interface> Sinks<S> {
    pub(super) fn new() -> Self {
        Self {
            table: Arc::new(Mutex::new(Table {
                last_cookie: 0,
                connections: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table<S>> {
        // No code that can panic runs under the lock, but a poisoned table is
        // still consistent: every change to it is a single push or remove.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn advise(&self, sink: Ref<IUnknown>) -> Result<u32> {
        let sink = sink.ok()?;
        // QueryInterface is a call out of the runtime: no lock held.
        let sink: S = sink
            .cast()
            .map_err(|_| Error::from_hresult(CONNECT_E_CANNOTCONNECT))?;
        let mut table = self.lock();
        let cookie = table
            .last_cookie
            .checked_add(1)
            .ok_or_else(|| Error::from_hresult(CONNECT_E_ADVISELIMIT))?;
        table.last_cookie = cookie;
        table.connections.push((cookie, sink));
        Ok(cookie)
    }

    fn unadvise(&self, cookie: u32) -> Result<()> {
        let removed = {
            let mut table = self.lock();
            let index = table
                .connections
                .iter()
                .position(|(held, _)| *held == cookie);
            index.map(|index| table.connections.remove(index))
        };
        // The sink is released here, after the lock: its last Release may run
        // code that advises or unadvises.
        match removed {
            Some(_) => Ok(()),
            None => Err(Error::from_hresult(CONNECT_E_NOCONNECTION)),
        }
    }

    fn connections(&self) -> Vec<(u32, S)> {
        self.lock().connections.clone()
    }

    /// Calls `event` on every sink connected when firing starts, outside the
    /// lock; every sink is called even after one fails, and the first error
    /// is returned (Ok when no sink is connected).
    pub(super) fn fire(&self, mut event: impl FnMut(&S) -> Result<()>) -> Result<()> {
        let snapshot: Vec<S> = self
            .lock()
            .connections
            .iter()
            .map(|(_, sink)| sink.clone())
            .collect();
        let mut outcome = Ok(());
        for sink in &snapshot {
            let result = event(sink);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// A connection point object for these sinks, answering for `container`.
    pub(super) fn connection_point(&self, container: &IConnectionPointContainer) -> IConnectionPoint
    where
        S: 'static,
    {
        ConnectionPoint {
            sinks: self.clone(),
            container: container.clone(),
        }
        .into()
    }
}

impl<S> Clone for Sinks<S> {
    fn clone(&self) -> Self {
        Self {
            table: Arc::clone(&self.table),
        }
    }
}

/// The IID a client asked `FindConnectionPoint` for.
///
/// `riid` comes straight from `IConnectionPointContainer::FindConnectionPoint`,
/// whose contract makes it null or a valid GUID.
pub(super) fn requested_iid(riid: *const GUID) -> Result<GUID> {
    // SAFETY: per FindConnectionPoint's contract, riid is null or points to
    // a GUID that outlives the call.
    unsafe { riid.as_ref() }
        .copied()
        .ok_or_else(|| Error::from_hresult(E_POINTER))
}

/// The `IConnectionPointContainer::FindConnectionPoint` answer for an IID the
/// container has no connection point for.
pub(super) fn no_connection_point() -> Error {
    Error::from_hresult(CONNECT_E_NOCONNECTION)
}

/// An `IEnumConnectionPoints` over `points`, in that order.
pub(super) fn enum_connection_points(points: Vec<IConnectionPoint>) -> IEnumConnectionPoints {
    EnumConnectionPoints {
        cursor: Cursor::new(points),
    }
    .into()
}

/// `IConnectionPoint` for outgoing interface `S`.
#[implement(IConnectionPoint)]
struct ConnectionPoint<S>
where
    S: Interface + 'static,
{
    sinks: Sinks<S>,
    /// Strong, as ATL's connection points share the container's reference
    /// count: a client holding only a connection point keeps the container
    /// alive. No cycle, since the container never holds this object.
    container: IConnectionPointContainer,
}

impl<S> IConnectionPoint_Impl for ConnectionPoint_Impl<S>
where
    S: Interface + 'static,
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
        let connections = self
            .sinks
            .connections()
            .into_iter()
            .map(|(cookie, sink)| (cookie, unknown_of(&sink)))
            .collect();
        Ok(EnumConnections {
            cursor: Cursor::new(connections),
        }
        .into())
    }
}

/// The sink as `CONNECTDATA` reports it: the pointer QueryInterface returned
/// for `S`, as ATL and Wine's own connection points do (every interface
/// pointer is an IUnknown pointer).
fn unknown_of<S: Interface>(sink: &S) -> IUnknown {
    let raw = sink.as_raw();
    // SAFETY: raw is a live interface pointer, borrowed only to AddRef it.
    unsafe { IUnknown::from_raw_borrowed(&raw) }
        .expect("a held sink is never null")
        .clone()
}

/// A snapshot taken when the enumerator was made, and a position in it.
/// Clones share the snapshot and start at the same position.
struct Cursor<T> {
    items: Arc<[T]>,
    position: Mutex<usize>,
}

impl<T: Clone> Cursor<T> {
    fn new(items: Vec<T>) -> Self {
        Self {
            items: items.into(),
            position: Mutex::new(0),
        }
    }

    fn position(&self) -> MutexGuard<'_, usize> {
        self.position.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `IEnumXxx::Next`: writes up to `wanted` items converted by `convert`
    /// into `out`, the count into `fetched`; S_FALSE when fewer were left.
    fn next<U>(
        &self,
        wanted: u32,
        out: *mut U,
        fetched: *mut u32,
        convert: impl Fn(&T) -> U,
    ) -> HRESULT {
        // `fetched` may be null only when one item is asked for.
        if out.is_null() || (fetched.is_null() && wanted != 1) {
            return E_POINTER;
        }
        let mut position = self.position();
        let start = *position;
        let count = (self.items.len() - start).min(wanted as usize);
        for (index, item) in self.items[start..start + count].iter().enumerate() {
            // SAFETY: the caller provides room for `wanted` items at `out`,
            // uninitialised, which `write` fills without dropping.
            unsafe { out.add(index).write(convert(item)) };
        }
        *position = start + count;
        if !fetched.is_null() {
            // SAFETY: checked non-null; count <= wanted, a u32.
            unsafe { fetched.write(count as u32) };
        }
        if count == wanted as usize {
            S_OK
        } else {
            S_FALSE
        }
    }

    /// `IEnumXxx::Skip`: S_FALSE (as an error value, which the vtable turns
    /// back into the HRESULT) when fewer than `count` items were left.
    fn skip(&self, count: u32) -> Result<()> {
        let mut position = self.position();
        let left = self.items.len() - *position;
        *position += left.min(count as usize);
        if left >= count as usize {
            Ok(())
        } else {
            Err(Error::from_hresult(S_FALSE))
        }
    }

    fn reset(&self) {
        *self.position() = 0;
    }

    fn fork(&self) -> Self {
        Self {
            items: Arc::clone(&self.items),
            position: Mutex::new(*self.position()),
        }
    }
}

#[implement(IEnumConnections)]
struct EnumConnections {
    cursor: Cursor<(u32, IUnknown)>,
}

impl IEnumConnections_Impl for EnumConnections_Impl {
    fn Next(&self, count: u32, connections: *mut CONNECTDATA, fetched: *mut u32) -> HRESULT {
        self.cursor
            .next(count, connections, fetched, |(cookie, sink)| CONNECTDATA {
                pUnk: ManuallyDrop::new(Some(sink.clone())),
                dwCookie: *cookie,
            })
    }

    fn Skip(&self, count: u32) -> Result<()> {
        self.cursor.skip(count)
    }

    fn Reset(&self) -> Result<()> {
        self.cursor.reset();
        Ok(())
    }

    fn Clone(&self) -> Result<IEnumConnections> {
        Ok(EnumConnections {
            cursor: self.cursor.fork(),
        }
        .into())
    }
}

#[implement(IEnumConnectionPoints)]
struct EnumConnectionPoints {
    cursor: Cursor<IConnectionPoint>,
}

impl IEnumConnectionPoints_Impl for EnumConnectionPoints_Impl {
    fn Next(
        &self,
        count: u32,
        points: *mut Option<IConnectionPoint>,
        fetched: *mut u32,
    ) -> HRESULT {
        self.cursor
            .next(count, points, fetched, |point| Some(point.clone()))
    }

    fn Skip(&self, count: u32) -> Result<()> {
        self.cursor.skip(count)
    }

    fn Reset(&self) -> Result<()> {
        self.cursor.reset();
        Ok(())
    }

    fn Clone(&self) -> Result<IEnumConnectionPoints> {
        Ok(EnumConnectionPoints {
            cursor: self.cursor.fork(),
        }
        .into())
    }
}
