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

use std::collections::HashMap;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use windows::Win32::Foundation::{
    CO_E_OBJNOTCONNECTED, E_POINTER, RPC_E_DISCONNECTED, RPC_E_SERVER_DIED,
    RPC_E_SERVER_DIED_DNE, S_FALSE, S_OK,
};
use windows::Win32::System::Com::{
    CONNECTDATA, IConnectionPoint, IConnectionPoint_Impl, IConnectionPointContainer,
    IEnumConnectionPoints, IEnumConnectionPoints_Impl, IEnumConnections, IEnumConnections_Impl,
};
use windows::Win32::System::Ole::{
    CONNECT_E_ADVISELIMIT, CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION,
};
use windows_core::{Error, GUID, HRESULT, IUnknown, Interface, Ref, Result, implement};

/// How a connection point keeps a sink between `Advise` and `Unadvise`, and
/// reaches it when firing. A sink itself (the pointer QueryInterface gave,
/// valid in the advising thread's apartment) is the default; the sibling
/// module `apartment`, written for cross-apartment sources, keeps sinks in
/// the Global Interface Table instead.
pub(super) trait Hold<S>: Clone + Sized {
    /// The interface an event is sent through.
    type Target: Interface;

    /// Keeps `sink`; called in the advising thread, without the table's lock.
    fn hold(sink: S) -> Result<Self>;

    /// Calls `event` with the sink as the calling thread may use it.
    fn call(&self, event: &mut impl FnMut(&Self::Target) -> Result<()>) -> Result<()>;

    /// The sink as `CONNECTDATA` reports it, for the calling thread.
    fn unknown(&self) -> Result<IUnknown>;
}

impl<S: Interface> Hold<S> for S {
    type Target = S;

    fn hold(sink: S) -> Result<S> {
        Ok(sink)
    }

    fn call(&self, event: &mut impl FnMut(&S) -> Result<()>) -> Result<()> {
        event(self)
    }

    fn unknown(&self) -> Result<IUnknown> {
        Ok(unknown_of(self))
    }
}

/// The sinks connected to one connection point, for outgoing interface `S`,
/// each kept as an `H`.
///
/// Shared (cheap clones) by the proxy that fires the events and by every
/// `IConnectionPoint` object handed out for it, so a sink advised through one
/// connection point object can be unadvised through another.
pub(super) struct Sinks<S, H = S> {
    shared: Arc<Shared<S, H>>,
}

struct Shared<S, H> {
    table: Mutex<Table<H>>,
    /// Unadvise a sink whose call says it is gone (see [`is_gone`]).
    prune: AtomicBool,
    source: PhantomData<fn() -> S>,
}

/// The connections, kept so that Advise and Unadvise cost O(1) amortised
/// and a fire allocates nothing while they do not change.
struct Table<H> {
    /// The last cookie handed out; cookies only grow, so none is reused.
    last_cookie: u32,
    /// (cookie, sink) in the order the sinks were advised; `None` where a
    /// sink was unadvised, until the holes outnumber the sinks and
    /// [`Table::compact`] closes them.
    slots: Vec<Option<(u32, H)>>,
    /// Where each cookie's sink is in `slots`.
    index: HashMap<u32, usize>,
    holes: usize,
    /// Every connected sink, in advise order, shared with the fires in
    /// progress; `None` after a change, until the next fire or enumerator
    /// builds it again.
    snapshot: Option<Snapshot<H>>,
}

/// The connections as they were when a fire or an enumerator started.
type Snapshot<H> = Arc<[(u32, H)]>;

impl<H: Clone> Table<H> {
    /// Removes `cookie`'s sink, and the snapshot that still names it: both
    /// for the caller to release once the lock is gone.
    fn remove(&mut self, cookie: u32) -> Option<(H, Option<Snapshot<H>>)> {
        let position = self.index.remove(&cookie)?;
        let (_, sink) = self.slots[position].take()?;
        self.holes += 1;
        if self.holes > self.index.len() && self.holes >= 16 {
            self.compact();
        }
        Some((sink, self.snapshot.take()))
    }

    /// Closes the holes in `slots`: O(slots), run when at least half of
    /// them are holes, so O(1) amortised over the Unadvise calls that made
    /// them. Moves sinks without AddRef or Release.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        for (position, (cookie, _)) in self.slots.iter().flatten().enumerate() {
            self.index.insert(*cookie, position);
        }
        self.holes = 0;
    }

    fn snapshot(&mut self) -> Snapshot<H> {
        // Only the AddRef of each sink (or the clone of its holder) runs
        // under the lock, once per change rather than once per fire.
        let slots = &self.slots;
        Arc::clone(
            self.snapshot
                .get_or_insert_with(|| slots.iter().flatten().cloned().collect()),
        )
    }
}

/// RPC_S_SERVER_UNAVAILABLE as an HRESULT (HRESULT_FROM_WIN32(1722)): the
/// sink's process is gone.
const RPC_S_SERVER_UNAVAILABLE: HRESULT = HRESULT(0x800706BA_u32 as i32);
/// RPC_S_UNKNOWN_IF as an HRESULT (HRESULT_FROM_WIN32(1717)): what Wine's
/// proxies answer once the sink's apartment has ended, since its RPC
/// interface is no longer served.
const RPC_S_UNKNOWN_IF: HRESULT = HRESULT(0x800706B5_u32 as i32);

/// Whether a call failed because its sink no longer exists, which every later
/// call would say again: its apartment or process went away
/// (RPC_E_DISCONNECTED, RPC_S_SERVER_UNAVAILABLE, RPC_E_SERVER_DIED,
/// RPC_E_SERVER_DIED_DNE, RPC_S_UNKNOWN_IF), or it was disconnected from its
/// proxies (CO_E_OBJNOTCONNECTED).
fn is_gone(error: &Error) -> bool {
    [
        RPC_E_DISCONNECTED,
        RPC_S_SERVER_UNAVAILABLE,
        RPC_E_SERVER_DIED,
        RPC_E_SERVER_DIED_DNE,
        RPC_S_UNKNOWN_IF,
        CO_E_OBJNOTCONNECTED,
    ]
    .contains(&error.code())
}

impl<S: Interface, H: Hold<S>> Sinks<S, H> {
    pub(super) fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                table: Mutex::new(Table {
                    last_cookie: 0,
                    slots: Vec::new(),
                    index: HashMap::new(),
                    holes: 0,
                    snapshot: None,
                }),
                prune: AtomicBool::new(true),
                source: PhantomData,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table<H>> {
        // No code that can panic runs under the lock, but a poisoned table is
        // still consistent: every change to it completes before the next.
        self.shared.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn advise(&self, sink: Ref<IUnknown>) -> Result<u32> {
        let sink = sink.ok()?;
        // QueryInterface and the holder's work are calls out: no lock held.
        let sink: S = sink
            .cast()
            .map_err(|_| Error::from_hresult(CONNECT_E_CANNOTCONNECT))?;
        let held = H::hold(sink)?;
        let mut table = self.lock();
        let Some(cookie) = table.last_cookie.checked_add(1) else {
            drop(table);
            // Released here, after the lock.
            drop(held);
            return Err(Error::from_hresult(CONNECT_E_ADVISELIMIT));
        };
        table.last_cookie = cookie;
        let position = table.slots.len();
        table.slots.push(Some((cookie, held)));
        table.index.insert(cookie, position);
        let stale = table.snapshot.take();
        drop(table);
        // The old snapshot's references go after the lock.
        drop(stale);
        Ok(cookie)
    }

    fn unadvise(&self, cookie: u32) -> Result<()> {
        let removed = self.lock().remove(cookie);
        // The sink and the stale snapshot are released here, after the lock:
        // the sink's last Release may run code that advises or unadvises.
        match removed {
            Some(_) => Ok(()),
            None => Err(Error::from_hresult(CONNECT_E_NOCONNECTION)),
        }
    }

    fn snapshot(&self) -> Snapshot<H> {
        self.lock().snapshot()
    }

    /// Whether a fire unadvises the sinks it finds gone (on unless turned
    /// off).
    pub(super) fn set_prune(&self, prune: bool) {
        self.shared.prune.store(prune, Ordering::Relaxed);
    }

    /// Calls `event` on every sink connected when firing starts, outside the
    /// lock, and tells `O` what each call did; every sink is called even
    /// after one fails. A sink whose call says it is gone is unadvised, unless
    /// pruning is off.
    pub(super) fn fire<O: Outcome>(&self, mut event: impl FnMut(&H::Target) -> Result<()>) -> O {
        let snapshot = self.snapshot();
        let mut outcome = O::start();
        for (cookie, sink) in snapshot.iter() {
            match sink.call(&mut event) {
                Ok(()) => outcome.reached(),
                Err(error) => {
                    let removed = if is_gone(&error) && self.shared.prune.load(Ordering::Relaxed) {
                        self.lock().remove(*cookie)
                    } else {
                        None
                    };
                    let pruned = removed.is_some();
                    // The sink stays alive in `snapshot` until this fire ends.
                    drop(removed);
                    outcome.failed(SinkFailure {
                        cookie: *cookie,
                        error,
                        pruned,
                    });
                }
            }
        }
        outcome
    }

    /// A connection point object for these sinks, answering for `container`.
    pub(super) fn connection_point(&self, container: &IConnectionPointContainer) -> IConnectionPoint
    where
        S: 'static,
        H: 'static,
    {
        ConnectionPoint {
            sinks: self.clone(),
            container: container.clone(),
        }
        .into()
    }
}

impl<S, H> Clone for Sinks<S, H> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// What one fire did: how many sinks it reached and, for each sink whose
/// call failed, its cookie and error.
#[derive(Debug, Default)]
pub struct FireReport {
    /// The sinks whose call succeeded.
    pub reached: usize,
    /// The sinks whose call failed, in the order they were called.
    pub failures: Vec<SinkFailure>,
}

/// A sink whose call failed during a fire.
#[derive(Debug, Clone)]
pub struct SinkFailure {
    /// The sink's connection, as `Advise` returned it.
    pub cookie: u32,
    pub error: Error,
    /// The sink was gone (RPC_E_DISCONNECTED, RPC_S_SERVER_UNAVAILABLE,
    /// CO_E_OBJNOTCONNECTED and the like), and this fire unadvised it.
    pub pruned: bool,
}

impl FireReport {
    /// The sinks whose call failed and which stay connected.
    pub fn failed(&self) -> usize {
        self.failures.iter().filter(|f| !f.pruned).count()
    }

    /// The sinks found gone and unadvised.
    pub fn pruned(&self) -> usize {
        self.failures.iter().filter(|f| f.pruned).count()
    }

    /// What `Fire_` returns for the same calls: the first failure's error, Ok
    /// when every call succeeded (or no sink is connected).
    pub fn into_result(self) -> Result<()> {
        match self.failures.into_iter().next() {
            Some(failure) => Err(failure.error),
            None => Ok(()),
        }
    }
}

/// What a fire makes of the sinks' answers: `Fire_` keeps the first error
/// (`Result<()>`, which costs nothing while calls succeed), `Fire_<E>_report`
/// keeps everything ([`FireReport`]).
pub(super) trait Outcome {
    fn start() -> Self;
    fn reached(&mut self);
    fn failed(&mut self, failure: SinkFailure);
}

impl Outcome for Result<()> {
    fn start() -> Self {
        Ok(())
    }

    fn reached(&mut self) {}

    fn failed(&mut self, failure: SinkFailure) {
        if self.is_ok() {
            *self = Err(failure.error);
        }
    }
}

impl Outcome for FireReport {
    fn start() -> Self {
        Self::default()
    }

    fn reached(&mut self) {
        self.reached += 1;
    }

    fn failed(&mut self, failure: SinkFailure) {
        self.failures.push(failure);
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
struct ConnectionPoint<S, H>
where
    S: Interface + 'static,
    H: Hold<S> + 'static,
{
    sinks: Sinks<S, H>,
    /// Strong, as ATL's connection points share the container's reference
    /// count: a client holding only a connection point keeps the container
    /// alive. No cycle, since the container never holds this object.
    container: IConnectionPointContainer,
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
        Ok(EnumConnections {
            cursor: Cursor::new(connections),
        }
        .into())
    }
}

/// The sink as `CONNECTDATA` reports it: the pointer QueryInterface returned
/// for `S`, as ATL and Wine's own connection points do (every interface
/// pointer is an IUnknown pointer).
pub(super) fn unknown_of<S: Interface>(sink: &S) -> IUnknown {
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
