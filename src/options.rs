//! Options coming in from JS, and what they become for the engine: the engine's diff options,
//! and an [`Observer`] that reports progress, answers cancellation and sets the memory limit.

use heapwise_engine::diff::{self as engine, ClassLimit, Pattern};
use heapwise_engine::{Error as EngineError, ErrorKind, Observer, Phase};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// The `onProgress` callback, called on the JS thread.
pub type ProgressCallback = ThreadsafeFunction<Progress, (), Progress, Status, false, true>;

/// Options of `analyze` and `analyzeSync`.
#[napi(object, object_to_js = false)]
pub struct AnalyzeOptions {
    /// Called from time to time with the phase and the fraction done, on the JS thread between
    /// other work. Calls are queued by the analysis thread (at most every 50 ms), so the last
    /// ones can arrive just after the promise settles.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressCallback>,
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

/// Per-class limits of the verdict.
#[napi(object)]
pub struct ClassLimitOptions {
    /// Most objects the class may gain (Comparison `deltaCount`).
    pub max_count: Option<f64>,
    /// Most bytes the class may gain (Comparison `sizeDelta`).
    pub max_size: Option<f64>,
}

/// Options of `diff` and `diffSync`.
#[napi(object, object_to_js = false)]
pub struct DiffOptions {
    /// A third snapshot: memlab's baseline/target/final rule (`before` = baseline, `after` =
    /// target). Objects allocated between baseline and target that are still alive in `final` are
    /// leak candidates, grouped by retainer path and ranked by retained size.
    pub r#final: Option<String>,
    /// Class names to leave out: a substring, or `/regex/flags`.
    pub ignore: Option<Vec<String>>,
    /// Leave out growers, leak groups and allocated rows that retain less than this many bytes.
    pub min_retained_size: Option<f64>,
    /// Keep internal/system classes (`(system)`, `(compiled code)`, `system / …`, …), which are
    /// left out by default. Set it to compare with DevTools' unfiltered Comparison view.
    pub include_internal: Option<bool>,
    /// How many growers and leak groups to detail with retainer paths (default 10).
    pub top: Option<u32>,
    /// Verdict: most bytes the heap may grow (`after.totalSize - before.totalSize`).
    pub max_growth_bytes: Option<f64>,
    /// Verdict: most new objects (the Comparison's total `newCount`, after filters).
    pub max_new_objects: Option<f64>,
    /// Verdict: limits per class name.
    pub class_limits: Option<HashMap<String, ClassLimitOptions>>,
    /// How many times the suspected action ran between the snapshots: the findings then give
    /// growth per call, and say whether members grew by whole multiples of it.
    pub calls_per_step: Option<f64>,
    /// Verdict: count only the thresholds. By default, with no threshold set, a finding the
    /// evidence calls a leak makes the verdict fail.
    pub only_thresholds: Option<bool>,
    /// `false` leaves out the leak findings (`findings` is empty and the verdict counts only the
    /// thresholds): the Comparison, allocated objects and growers a little sooner. Default `true`.
    pub findings: Option<bool>,
    /// Progress reports, as for `analyze`.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressCallback>,
    /// Cancels the work: the promise rejects with code `ERR_HEAPWISE_ABORTED`.
    pub signal: Option<AbortSignal>,
    /// The most memory the diff may use, in bytes, as for `analyze`.
    pub max_memory: Option<f64>,
}

/// Parses `ignore` patterns (a substring, or `/regex/flags`).
fn patterns(ignore: &[String]) -> std::result::Result<Vec<Pattern>, EngineError> {
    ignore
        .iter()
        .map(|p| Pattern::parse(p))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|m| EngineError::new(ErrorKind::InvalidArgument, m))
}

/// `diff`'s options split into the engine's options and the observer.
pub fn diff_options(
    o: Option<DiffOptions>,
) -> std::result::Result<(engine::DiffOptions, JsObserver), EngineError> {
    let Some(o) = o else {
        return Ok((engine::DiffOptions::default(), JsObserver::new(None)));
    };
    let ignore = patterns(&o.ignore.unwrap_or_default())?;
    let mut class_limits: Vec<ClassLimit> = o
        .class_limits
        .unwrap_or_default()
        .into_iter()
        .map(|(name, l)| ClassLimit {
            name,
            max_count: l.max_count,
            max_size: l.max_size,
        })
        .collect();
    class_limits.sort_by(|a, b| a.name.cmp(&b.name));
    let engine_options = engine::DiffOptions {
        final_snapshot: o.r#final.map(Into::into),
        ignore,
        min_retained_size: o.min_retained_size.unwrap_or(0.0),
        include_internal: o.include_internal.unwrap_or(false),
        top: o.top.unwrap_or(10) as usize,
        max_growth_bytes: o.max_growth_bytes,
        max_new_objects: o.max_new_objects,
        class_limits,
        calls_per_step: o.calls_per_step,
        only_thresholds: o.only_thresholds.unwrap_or(false),
        skip_findings: !o.findings.unwrap_or(true),
    };
    let observer = JsObserver::new(Some(AnalyzeOptions {
        on_progress: o.on_progress,
        signal: o.signal,
        max_memory: o.max_memory,
    }));
    Ok((engine_options, observer))
}

/// Reports progress to JS at most every 50 ms, and answers cancellation.
pub struct JsObserver {
    cancel: Arc<AtomicBool>,
    on_progress: Option<ProgressCallback>,
    last: Mutex<Option<Instant>>,
    memory_limit: Option<u64>,
}

impl JsObserver {
    /// The observer for `options` (none: no progress, no cancellation, no limit).
    pub fn new(options: Option<AnalyzeOptions>) -> JsObserver {
        let cancel = Arc::new(AtomicBool::new(false));
        let (on_progress, signal, max_memory) = match options {
            Some(o) => (o.on_progress, o.signal, o.max_memory),
            None => (None, None, None),
        };
        if let Some(signal) = signal {
            let flag = cancel.clone();
            signal.on_abort(move || flag.store(true, Ordering::Relaxed));
        }
        JsObserver {
            cancel,
            on_progress,
            last: Mutex::new(None),
            // Validated in heapwise.js; a negative or NaN value would mean "nothing fits".
            memory_limit: max_memory.map(|m| m.max(0.0) as u64),
        }
    }
}

impl Observer for JsObserver {
    fn progress(&self, phase: Phase, fraction: f64) {
        let Some(f) = &self.on_progress else { return };
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(50));
        if due || phase == Phase::Done || fraction == 0.0 {
            *last = Some(Instant::now());
            f.call(
                Progress {
                    phase: phase.name().into(),
                    fraction,
                },
                ThreadsafeFunctionCallMode::NonBlocking,
            );
        }
    }
    fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
    fn memory_limit(&self) -> Option<u64> {
        self.memory_limit
    }
}

/// `diff`'s rule for which classes are reported (the `ignore` patterns and `includeInternal`),
/// for code that filters class names itself, such as `watch`: one rule for both.
#[napi]
pub struct ClassFilter {
    options: engine::DiffOptions,
}

#[napi]
impl ClassFilter {
    /// A filter from `ignore` patterns (a substring, or `/regex/flags`) and whether internal
    /// classes (`(…)` other than the string kinds, `system / …`) are kept. A bad pattern throws
    /// a `HeapwiseError` with code `ERR_HEAPWISE_INVALID_ARGUMENT`.
    #[napi(constructor)]
    pub fn new(env: &Env, ignore: Vec<String>, include_internal: bool) -> Result<Self> {
        let ignore = patterns(&ignore).map_err(|e| crate::error::js_error(env, &e))?;
        Ok(ClassFilter {
            options: engine::DiffOptions {
                ignore,
                include_internal,
                ..Default::default()
            },
        })
    }

    /// True if `diff` would report a class of this name.
    #[napi]
    pub fn keeps(&self, name: String) -> bool {
        self.options.keeps_class(&name)
    }
}
