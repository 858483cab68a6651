//! The sink table of one connection point, and firing: [`Sinks`].
//!
//! Locking rule: the table's lock is held only to read or change the table, never while
//! calling out (QueryInterface, a sink's event, a sink's final Release; only the AddRef of a
//! snapshot runs under it, as in ATL), so sinks and other threads may advise and unadvise at
//! any time, even from inside an event.
//!
//! Firing takes no lock and touches no reference count while the sinks do not change: it reads
//! the snapshot of the connections that the last change left behind through an atomically
//! swapped pointer ([`arc_swap`]), whose deferred reclamation keeps that snapshot, and so its
//! sinks, alive until every fire reading it has ended, even when a sink is unadvised meanwhile.
//!
//! Lifetime rule: the container owns its sinks (through the proxies in its generated
//! `<Coclass>ConnectionPoints`); a connection point object holds the container, as in ATL,
//! where a connection point shares its container's reference count. Nothing the container
//! owns points back to it, so when clients release the container and every connection point
//! and enumerator they hold, the container goes, and with it every sink.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwapOption;

use windows::Win32::Foundation::{
    CO_E_OBJNOTCONNECTED, RPC_E_DISCONNECTED, RPC_E_SERVER_DIED, RPC_E_SERVER_DIED_DNE,
};
use windows::Win32::System::Com::{IConnectionPoint, IConnectionPointContainer};
use windows::Win32::System::Ole::{
    CONNECT_E_ADVISELIMIT, CONNECT_E_CANNOTCONNECT, CONNECT_E_NOCONNECTION,
};
use windows_core::{Error, HRESULT, IUnknown, Interface, Ref, Result};

use crate::connection_point::ConnectionPoint;
use crate::report::{Outcome, SinkFailure};

/// How a connection point keeps a sink between `Advise` and `Unadvise`, and
/// reaches it when firing. A sink itself (the pointer QueryInterface gave,
/// valid in the advising thread's apartment) is the default;
/// [`Global`](crate::apartment::Global), for cross-apartment sources, keeps
/// sinks in the Global Interface Table instead.
pub trait Hold<S>: Clone + Sized {
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
pub struct Sinks<S, H = S> {
    shared: Arc<Shared<S, H>>,
}

struct Shared<S, H> {
    table: Mutex<Table<H>>,
    /// Every connected sink, in advise order, shared with the fires in
    /// progress; read without the lock. `None` after a change, until the
    /// next fire or enumerator builds it again (under the lock, which every
    /// change also holds, so a snapshot never misses a change before it).
    snapshot: ArcSwapOption<Vec<(u32, H)>>,
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
}

/// The connections as they were when a fire or an enumerator started.
type Snapshot<H> = Arc<Vec<(u32, H)>>;

impl<H: Clone> Table<H> {
    /// Removes `cookie`'s sink, for the caller to release once the lock is
    /// gone.
    fn remove(&mut self, cookie: u32) -> Option<H> {
        let position = self.index.remove(&cookie)?;
        let (_, sink) = self.slots[position].take()?;
        self.holes += 1;
        if self.holes > self.index.len() && self.holes >= 16 {
            self.compact();
        }
        Some(sink)
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
pub(crate) fn is_gone(error: &Error) -> bool {
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
    /// An empty table: no sinks, pruning on.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                table: Mutex::new(Table {
                    last_cookie: 0,
                    slots: Vec::new(),
                    index: HashMap::new(),
                    holes: 0,
                }),
                snapshot: ArcSwapOption::empty(),
                prune: AtomicBool::new(true),
                source: PhantomData,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table<H>> {
        // No code that can panic runs under the lock, but a poisoned table is
        // still consistent: every change to it completes before the next.
        self.shared
            .table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn advise(&self, sink: Ref<IUnknown>) -> Result<u32> {
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
        let stale = self.shared.snapshot.swap(None);
        drop(table);
        // The old snapshot's references go after the lock.
        drop(stale);
        Ok(cookie)
    }

    pub(crate) fn unadvise(&self, cookie: u32) -> Result<()> {
        let removed = self.remove(cookie);
        // The sink and the stale snapshot are released here, after the lock:
        // the sink's last Release may run code that advises or unadvises.
        match removed {
            Some(_) => Ok(()),
            None => Err(Error::from_hresult(CONNECT_E_NOCONNECTION)),
        }
    }

    /// Removes `cookie`'s sink and the snapshot that still names it, both
    /// for the caller to release once the lock is gone.
    fn remove(&self, cookie: u32) -> Option<(H, Option<Snapshot<H>>)> {
        let mut table = self.lock();
        let sink = table.remove(cookie)?;
        Some((sink, self.shared.snapshot.swap(None)))
    }

    /// The connections now, as the last change left them.
    pub(crate) fn snapshot(&self) -> Snapshot<H> {
        if let Some(snapshot) = self.shared.snapshot.load_full() {
            return snapshot;
        }
        let table = self.lock();
        // Another thread may have built it meanwhile; a change would have
        // emptied it again, under the lock this thread now holds.
        if let Some(snapshot) = self.shared.snapshot.load_full() {
            return snapshot;
        }
        // Only the AddRef of each sink (or the clone of its holder) runs
        // under the lock, once per change rather than once per fire.
        let snapshot: Snapshot<H> = Arc::new(table.slots.iter().flatten().cloned().collect());
        self.shared.snapshot.store(Some(Arc::clone(&snapshot)));
        snapshot
    }

    /// Whether a fire unadvises the sinks it finds gone (on unless turned
    /// off).
    pub fn set_prune(&self, prune: bool) {
        self.shared.prune.store(prune, Ordering::Relaxed);
    }

    /// Calls `event` on every sink connected when firing starts, outside the
    /// lock, and tells `O` what each call did; every sink is called even
    /// after one fails. A sink whose call says it is gone is unadvised, unless
    /// pruning is off.
    #[inline]
    pub fn fire<O: Outcome>(&self, mut event: impl FnMut(&H::Target) -> Result<()>) -> O {
        // The common case: a snapshot exists and is read in place, with
        // neither the lock nor a reference count.
        let guard = self.shared.snapshot.load();
        let built;
        let snapshot = match (*guard).as_ref() {
            Some(snapshot) => snapshot,
            None => {
                built = self.snapshot();
                &built
            }
        };
        let mut outcome = O::start();
        for (cookie, sink) in snapshot.iter() {
            match sink.call(&mut event) {
                Ok(()) => outcome.reached(),
                Err(error) => {
                    let removed = if is_gone(&error) && self.shared.prune.load(Ordering::Relaxed) {
                        self.remove(*cookie)
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
    pub fn connection_point(&self, container: &IConnectionPointContainer) -> IConnectionPoint
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

impl<S: Interface, H: Hold<S>> Default for Sinks<S, H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S, H> Clone for Sinks<S, H> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The sink as `CONNECTDATA` reports it: the pointer QueryInterface returned
/// for `S`, as ATL and Wine's own connection points do (every interface
/// pointer is an IUnknown pointer).
pub(crate) fn unknown_of<S: Interface>(sink: &S) -> IUnknown {
    let raw = sink.as_raw();
    // SAFETY: raw is a live interface pointer, borrowed only to AddRef it.
    unsafe { IUnknown::from_raw_borrowed(&raw) }
        .expect("a held sink is never null")
        .clone()
}
