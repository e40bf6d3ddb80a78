//! Options coming in from JS.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;

/// Progress of a long operation.
#[napi(object)]
#[derive(Clone)]
pub struct Progress {
    /// The current phase: `parse`, `index`, `dominators`, `distances`, `classes` or `done`.
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
    /// Cancels the work: the promise rejects with code `ERR_HEAPWISE_ABORTED`.
    pub signal: Option<AbortSignal>,
}
