//! Options coming in from JS.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

/// Progress of a long operation.
#[napi(object)]
#[derive(Clone)]
pub struct Progress {
    /// The current phase: `queued` (waiting for an earlier call to finish), `parse`, `index`,
    /// `dominators`, `distances`, `classes` or `done`.
    pub phase: String,
    /// How much of that phase is done, from 0 to 1.
    pub fraction: f64,
}

/// Options of `analyze` and `analyzeSync`.
#[napi(object, object_to_js = false)]
pub struct AnalyzeOptions {
    /// Called from time to time with the phase and the fraction done, on the JS thread between
    /// other work. Calls are queued by the analysis thread (at most every 50 ms), so the last
    /// ones can arrive just after the promise settles.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ThreadsafeFunction<Progress, (), Progress, Status, false, true>>,
    /// Cancels the work: the promise rejects with code `ERR_HEAPWISE_ABORTED`. Takes effect
    /// within milliseconds in every phase.
    pub signal: Option<AbortSignal>,
    /// The most memory the analysis may use, in bytes (the engine's own allocations, outside
    /// the JS heap). Checked before parsing (against the file's size), before the analysis
    /// (against an estimate from the node and edge counts) and continually during the work;
    /// going over rejects with `ERR_HEAPWISE_OUT_OF_MEMORY` instead of the process being
    /// killed by the operating system. Strings such as `'2GB'` are accepted by `heapwise`.
    pub max_memory: Option<f64>,
}
