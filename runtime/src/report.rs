//! What a fire did: [`FireReport`] and [`SinkFailure`], and the [`Outcome`] a fire builds.

use windows_core::{Error, Result};

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
    /// What the sink's call returned.
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
pub trait Outcome {
    /// Before the first sink is called.
    fn start() -> Self;
    /// A sink's call succeeded.
    fn reached(&mut self);
    /// A sink's call failed.
    fn failed(&mut self, failure: SinkFailure);
}

impl Outcome for Result<()> {
    #[inline]
    fn start() -> Self {
        Ok(())
    }

    #[inline]
    fn reached(&mut self) {}

    #[inline]
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
