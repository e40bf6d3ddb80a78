//! Progress reports and cancellation, passed down through every phase.

use std::sync::atomic::{AtomicBool, Ordering};

/// A phase of the work, as reported to [`Observer::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Reading and parsing the file (fraction = bytes read / file size).
    Parse,
    /// Building edge and retainer indexes, DOM state, flags.
    Index,
    /// Shallow sizes, dominator tree and retained sizes.
    Dominators,
    /// Distances from the roots.
    Distances,
    /// Class names, interface inference, Summary and Statistics.
    Classes,
    /// Everything is done.
    Done,
}

impl Phase {
    /// A short lowercase name (`"parse"`, `"dominators"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Phase::Parse => "parse",
            Phase::Index => "index",
            Phase::Dominators => "dominators",
            Phase::Distances => "distances",
            Phase::Classes => "classes",
            Phase::Done => "done",
        }
    }
}

/// Receives progress and answers whether the work should stop. Called from worker threads.
pub trait Observer: Sync {
    /// `fraction` of `phase` is done (0.0 to 1.0).
    fn progress(&self, _phase: Phase, _fraction: f64) {}
    /// True if the work should stop with [`crate::ErrorKind::Cancelled`] as soon as it can.
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// An observer that reports nothing and never cancels.
pub struct Quiet;
impl Observer for Quiet {}

/// An observer driven by a shared flag: set it to cancel.
pub struct CancelFlag<'a>(pub &'a AtomicBool);
impl Observer for CancelFlag<'_> {
    fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Returns `Err(Cancelled)` if the observer asks to stop.
pub(crate) fn check(obs: &dyn Observer) -> crate::Result<()> {
    if obs.is_cancelled() {
        Err(crate::Error::cancelled())
    } else {
        Ok(())
    }
}
