//! The module's live objects and `LockServer` locks: what `DllCanUnloadNow` answers from and
//! how long an EXE server runs.

use std::sync::{Condvar, Mutex, PoisonError};

/// Objects alive plus locks held, and whether the count was ever above zero (an EXE server
/// stops when it falls back to zero, not before its first object).
static COUNT: Mutex<(usize, bool)> = Mutex::new((0, false));
static CHANGED: Condvar = Condvar::new();

/// One live object of the module, for as long as it is held: `DllCanUnloadNow` answers
/// `S_FALSE` and an EXE server keeps running while any exists.
///
/// The `<Coclass>ConnectionPoints` of a file generated with `--server` holds one, so every
/// connectable object counts without more code; another object type holds one as a field.
#[derive(Debug)]
pub struct ObjectCount(());

impl ObjectCount {
    /// Counts one more object until the value is dropped.
    pub fn new() -> Self {
        add();
        Self(())
    }
}

impl Default for ObjectCount {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ObjectCount {
    fn drop(&mut self) {
        release();
    }
}

/// One more object or lock.
pub(super) fn add() {
    let mut count = COUNT.lock().unwrap_or_else(PoisonError::into_inner);
    count.0 += 1;
    count.1 = true;
}

/// One object or lock fewer (never below zero: an unbalanced `LockServer(FALSE)` is ignored).
pub(super) fn release() {
    let mut count = COUNT.lock().unwrap_or_else(PoisonError::into_inner);
    count.0 = count.0.saturating_sub(1);
    if count.0 == 0 {
        CHANGED.notify_all();
    }
}

/// Whether any object lives or any lock is held.
pub(super) fn in_use() -> bool {
    COUNT.lock().unwrap_or_else(PoisonError::into_inner).0 > 0
}

/// Waits until the count, having been above zero, is back at zero, or until `idle` passes
/// with the count never used (a server started by hand, or a client that gave up).
pub(super) fn wait_until_unused(idle: std::time::Duration) {
    let count = COUNT.lock().unwrap_or_else(PoisonError::into_inner);
    let (count, timeout) = CHANGED
        .wait_timeout_while(count, idle, |c| !c.1)
        .unwrap_or_else(PoisonError::into_inner);
    if timeout.timed_out() && !count.1 {
        return;
    }
    let _count = CHANGED
        .wait_while(count, |c| c.0 > 0)
        .unwrap_or_else(PoisonError::into_inner);
}
