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
    /// The most memory, in bytes, the engine may hold (its own allocations, as counted by
    /// [`crate::alloc::MmapLarge`]); `None` for no limit. Checked wherever cancellation is.
    fn memory_limit(&self) -> Option<u64> {
        None
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

/// Returns `Err(Cancelled)` if the observer asks to stop, or `Err(OutOfMemory)` if the engine
/// holds more than the observer's memory limit.
pub(crate) fn check(obs: &dyn Observer) -> crate::Result<()> {
    if obs.is_cancelled() {
        return Err(crate::Error::cancelled());
    }
    require_held(obs, |held| held)
}

/// Fails with `Err(OutOfMemory)` when the observer's memory limit is below `needed` bytes: the
/// check made before a phase whose memory can be estimated from the input's size.
pub(crate) fn require(obs: &dyn Observer, needed: u64) -> crate::Result<()> {
    match obs.memory_limit() {
        Some(limit) if needed > limit => Err(crate::Error::memory_limit(needed, limit)),
        _ => Ok(()),
    }
}

/// Fails with `Err(OutOfMemory)` when the observer's memory limit is below `needed(held)`,
/// `held` being the bytes the engine holds. Before failing, it waits for the values being freed
/// in the background ([`crate::alloc::in_use_settled`]) and asks again, so that memory on its
/// way back to the OS does not fail the limit.
pub(crate) fn require_held(obs: &dyn Observer, needed: impl Fn(u64) -> u64) -> crate::Result<()> {
    if let Some(limit) = obs.memory_limit() {
        let mut used = needed(crate::alloc::in_use() as u64);
        if used > limit {
            used = needed(crate::alloc::in_use_settled() as u64);
        }
        if used > limit {
            return Err(crate::Error::memory_limit(used, limit));
        }
    }
    Ok(())
}

/// How many [`Poll::tick`] calls pass between two looks at the observer. A tick stands for one
/// node or edge of work (10 ns to 1 µs), so the observer is asked every 0.2 to 15 ms.
const STRIDE: u32 = 1 << 14;

/// Cancellation and memory-limit polling from the inner loops of a phase, cheap enough to call
/// once per node or edge: an abort takes effect within milliseconds in every phase.
pub(crate) struct Poll<'a> {
    obs: &'a dyn Observer,
    left: u32,
}

impl<'a> Poll<'a> {
    /// A poller over `obs`.
    pub(crate) fn new(obs: &'a dyn Observer) -> Self {
        Poll { obs, left: STRIDE }
    }

    /// The observer polled (to poll it from another core too).
    pub(crate) fn observer(&self) -> &'a dyn Observer {
        self.obs
    }

    /// Counts one step; every [`STRIDE`] steps, [`check`]s the observer.
    #[inline(always)]
    pub(crate) fn tick(&mut self) -> crate::Result<()> {
        self.left -= 1;
        if self.left == 0 {
            self.left = STRIDE;
            return check(self.obs);
        }
        Ok(())
    }
}
