//! Advise guards: connecting a sink to a connectable object (a generated
//! file re-exports these items).
//!
//! [`advise`] is ATL's `AtlAdvise` and the [`Connection`] it returns is
//! `AtlUnadvise` done by `Drop`: a sink cannot be left connected because an
//! early return or a panic skipped the unadvise. It works with any object
//! that implements `IConnectionPointContainer`, not only cpgen's.

use windows::Win32::System::Com::{IConnectionPoint, IConnectionPointContainer};
use windows_core::{GUID, IUnknown, Interface, Result};

/// A sink connected to a connection point; dropping it unadvises.
pub struct Connection {
    point: IConnectionPoint,
    cookie: u32,
}

impl Connection {
    /// The cookie `Advise` returned.
    pub fn cookie(&self) -> u32 {
        self.cookie
    }

    /// The connection point the sink is connected to.
    pub fn point(&self) -> &IConnectionPoint {
        &self.point
    }

    /// Unadvises now, and says what `Unadvise` answered (dropping a
    /// `Connection` unadvises too, but has nowhere to report an error).
    pub fn unadvise(self) -> Result<()> {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the point is
        // moved out of it exactly once.
        let point = unsafe { std::ptr::read(&this.point) };
        // SAFETY: a plain COM call on a live connection point.
        unsafe { point.Unadvise(this.cookie) }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: a plain COM call on a live connection point. An error
        // (the source already dropped the sink) leaves nothing to undo.
        let _ = unsafe { self.point.Unadvise(self.cookie) };
    }
}

/// Connects `sink` to `source`'s connection point for `S`, until the
/// returned [`Connection`] is dropped.
pub fn advise<S: Interface>(source: &IUnknown, sink: &S) -> Result<Connection> {
    advise_iid(source, &S::IID, &sink.cast()?)
}

/// Connects `sink` to `source`'s connection point for the outgoing
/// interface `iid` (for a sink whose Rust type is not that interface, such
/// as an `IDispatch` built by oleaut32), until the [`Connection`] is dropped.
pub fn advise_iid(source: &IUnknown, iid: &GUID, sink: &IUnknown) -> Result<Connection> {
    let container: IConnectionPointContainer = source.cast()?;
    // SAFETY: plain COM calls; `iid` and `sink` outlive them.
    let point = unsafe { container.FindConnectionPoint(iid)? };
    // SAFETY: as above.
    let cookie = unsafe { point.Advise(sink)? };
    Ok(Connection { point, cookie })
}
