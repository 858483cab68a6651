//! Snapshot enumerators: `IEnumConnections` and `IEnumConnectionPoints`, with `Next`
//! (S_FALSE when short), `Skip`, `Reset` and `Clone` as COM specifies.

use std::mem::ManuallyDrop;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use windows::Win32::Foundation::{E_POINTER, S_FALSE, S_OK};
use windows::Win32::System::Com::{
    CONNECTDATA, IConnectionPoint, IEnumConnectionPoints, IEnumConnectionPoints_Impl,
    IEnumConnections, IEnumConnections_Impl,
};
use windows_core::{Error, HRESULT, IUnknown, Result, implement};

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

/// `IEnumConnections` over a connection point's sinks as they were when it was made.
#[implement(IEnumConnections)]
pub(crate) struct EnumConnections {
    cursor: Cursor<(u32, IUnknown)>,
}

impl EnumConnections {
    /// An enumerator over `connections` (cookie, sink), in that order.
    pub(crate) fn over(connections: Vec<(u32, IUnknown)>) -> IEnumConnections {
        Self {
            cursor: Cursor::new(connections),
        }
        .into()
    }
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

/// `IEnumConnectionPoints` over a container's connection points.
#[implement(IEnumConnectionPoints)]
pub(crate) struct EnumConnectionPoints {
    cursor: Cursor<IConnectionPoint>,
}

impl EnumConnectionPoints {
    /// An enumerator over `points`, in that order.
    pub(crate) fn over(points: Vec<IConnectionPoint>) -> IEnumConnectionPoints {
        Self {
            cursor: Cursor::new(points),
        }
        .into()
    }
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
