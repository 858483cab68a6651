//! [`Calls`]: what a recording sink received, shared with the test that reads it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The calls a recording sink received, in order. Clones share them, so a sink keeps one and
/// the test another; a panic in a sink (a failed assertion) does not hide what was recorded.
#[derive(Debug)]
pub struct Calls<T>(Arc<Mutex<Vec<T>>>);

impl<T> Calls<T> {
    fn lock(&self) -> MutexGuard<'_, Vec<T>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `call` after those before it.
    pub fn record(&self, call: T) {
        self.lock().push(call);
    }

    /// The calls recorded since the last `take`, which starts afresh.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *self.lock())
    }
}

impl<T: Clone> Calls<T> {
    /// Every call recorded so far.
    pub fn seen(&self) -> Vec<T> {
        self.lock().clone()
    }
}

impl<T> Clone for Calls<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Default for Calls<T> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Vec::new())))
    }
}

#[cfg(test)]
mod tests {
    use super::Calls;

    #[test]
    fn clones_share_the_calls_and_take_starts_afresh() {
        let calls = Calls::default();
        calls.clone().record(1);
        calls.record(2);
        assert_eq!(calls.seen(), [1, 2]);
        assert_eq!(calls.take(), [1, 2]);
        assert!(calls.seen().is_empty());
    }
}
