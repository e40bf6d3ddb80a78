//! Leak findings and the verdict handed to JS, converted from the engine's (`From` impls), and
//! `Series`: findings of snapshots added one at a time (what `watch` follows).

use crate::error::{catch_panic, ENTRY_PANIC_HOOK};
use crate::options::{AnalyzeOptions, JsObserver, ProgressCallback};
use crate::owned::Owned;
use crate::results::{all, HeapNode, PathStep, SourceLocation, SummaryRow};
use heapwise_engine::diff as engine;
use heapwise_engine::findings as f;
use heapwise_engine::Analysis;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::{Arc, Mutex};

/// The object where a leak's growth enters the heap.
#[napi(object)]
pub struct Holder {
    /// The object (for a variable of a closure context: the context that holds it).
    pub node: HeapNode,
    /// Its name as a person writes it: `sessionCache`, `globalThis.auditLog`,
    /// `bus._events["config-changed"]`, `Connection.registry`, `theThing → someMethod → …`.
    pub name: String,
    /// What it is: `Map`, `Set`, `Array`, `Object`, `Array of functions`, `string`, a class.
    pub kind: String,
    /// Where the name lives: `a variable of lib/session.js's module scope`, `a property of the
    /// global object`, `a property of the function Connection`, `a variable captured by …`.
    pub scope: Option<String>,
    /// `name (kind, scope)`.
    pub description: String,
}

impl From<f::Holder> for Holder {
    fn from(h: f::Holder) -> Self {
        Holder {
            node: h.node.into(),
            name: h.name,
            kind: h.kind,
            scope: h.scope,
            description: h.description,
        }
    }
}

/// How a holder grows over the snapshots.
#[napi(object)]
pub struct Growth {
    /// Which snapshots the values below are of (0 = the first of the series).
    pub snapshots: Vec<u32>,
    /// The holder's retained size in each of them (less that of holders below it reported on
    /// their own; `NaN` where it did not exist).
    pub retained: Vec<f64>,
    /// Members added in each step (index `i`: between snapshots `i - 1` and `i`; `[0]` is 0),
    /// counted in the class that accumulates most.
    pub members: Vec<f64>,
    /// Bytes per snapshot (least-squares slope of `retained`).
    pub bytes_per_snapshot: f64,
    /// Members added per step, on average.
    pub members_per_snapshot: f64,
    /// Bytes per call, when `callsPerStep` was given.
    pub bytes_per_call: Option<f64>,
    /// Members per call, when `callsPerStep` was given.
    pub members_per_call: Option<f64>,
    /// Whether every step's member count is a whole multiple of the calls (when given).
    pub whole_multiple: Option<bool>,
    /// Steps in which the retained size rose.
    pub steps_grown: u32,
    /// Steps in the series (snapshots − 1).
    pub steps: u32,
    /// Rose in every step of a series of three or more snapshots.
    pub steady: bool,
    /// The members are the links of a chain that gets longer.
    pub chain: bool,
}

impl From<f::Growth> for Growth {
    fn from(g: f::Growth) -> Self {
        Growth {
            snapshots: g.snapshots,
            retained: g.retained,
            members: g.members.into_iter().map(|m| m as f64).collect(),
            bytes_per_snapshot: g.bytes_per_snapshot,
            members_per_snapshot: g.members_per_snapshot,
            bytes_per_call: g.bytes_per_call,
            members_per_call: g.members_per_call,
            whole_multiple: g.whole_multiple,
            steps_grown: g.steps_grown,
            steps: g.steps,
            steady: g.steady,
            chain: g.chain,
        }
    }
}

/// One class of what accumulates in a holder.
#[napi(object)]
pub struct Accumulated {
    /// Class name.
    pub class_name: String,
    /// Members of this class added since the first snapshot.
    pub count: f64,
    /// Their retained size (chain links: self size).
    pub size: f64,
    /// V8 id of the largest of them (`@id` in DevTools).
    pub example_id: f64,
    /// Where its constructor or function is defined.
    pub location: Option<SourceLocation>,
}

impl From<f::Accumulated> for Accumulated {
    fn from(a: f::Accumulated) -> Self {
        Accumulated {
            class_name: a.class_name.to_lossy().into_owned(),
            count: a.count as f64,
            size: a.size,
            example_id: a.example.0 as f64,
            location: a.location.map(Into::into),
        }
    }
}

/// A line of code to look at.
#[napi(object)]
pub struct CodeRef {
    /// Why: `fills` (adds to the holder), `accumulates` (a function whose instances pile up),
    /// `allocates` (allocation tracking), `defines`, `captures` (a closure sharing the context),
    /// `constructor`, `uses`.
    #[napi(
        ts_type = "'fills' | 'accumulates' | 'allocates' | 'defines' | 'captures' | 'constructor' | 'uses'"
    )]
    pub role: String,
    /// Where (0-based line and column, as every location of the API).
    pub location: SourceLocation,
    /// The function there, when known.
    pub function: Option<String>,
    /// The line's text, trimmed, when the source is known.
    pub text: Option<String>,
}

impl From<f::CodeRef> for CodeRef {
    fn from(c: f::CodeRef) -> Self {
        CodeRef {
            role: c.role.as_str().into(),
            location: c.location.into(),
            function: c.function,
            text: c.text,
        }
    }
}

/// A closure sharing a context that keeps a leaking variable.
#[napi(object)]
pub struct SharingClosure {
    /// Function name (`(anonymous)` when it has none).
    pub name: String,
    /// Where it is defined.
    pub location: Option<SourceLocation>,
    /// Whether its source mentions the variable (absent: source unknown).
    pub reads: Option<bool>,
}

/// For a leak through a closure context: which variable is kept, and by which closures.
#[napi(object)]
pub struct ClosureLeak {
    /// The kept variable.
    pub variable: String,
    /// The closures sharing the context that holds it.
    pub closures: Vec<SharingClosure>,
    /// One sentence.
    pub message: String,
}

impl From<f::ClosureLeak> for ClosureLeak {
    fn from(c: f::ClosureLeak) -> Self {
        ClosureLeak {
            variable: c.variable,
            closures: c
                .closures
                .into_iter()
                .map(|s| SharingClosure {
                    name: s.name,
                    location: s.location.map(Into::into),
                    reads: s.reads,
                })
                .collect(),
            message: c.message,
        }
    }
}

/// A leak finding: the object that holds the growth, how fast it grows, what accumulates and
/// the code to change.
#[napi(object)]
pub struct Finding {
    /// Where the growth enters.
    pub holder: Holder,
    /// How it grows.
    pub growth: Growth,
    /// What accumulates in it, largest first.
    pub accumulates: Vec<Accumulated>,
    /// A readable path from the root to the holder, root first (whole).
    pub path: Vec<PathStep>,
    /// That path in heapwise's one notation (`global.x → y.z`).
    pub path_text: String,
    /// The code to change, most direct first.
    pub code: Vec<CodeRef>,
    /// For a variable kept by a closure context.
    pub closure: Option<ClosureLeak>,
    /// True if the evidence says leak: steady growth over three or more snapshots, or with two
    /// snapshots at least 10 members (or links) and 16 kB.
    pub leak: bool,
    /// One sentence for people.
    pub message: String,
}

impl From<f::Finding> for Finding {
    fn from(x: f::Finding) -> Self {
        Finding {
            holder: x.holder.into(),
            growth: x.growth.into(),
            accumulates: all(x.accumulates),
            path: all(x.path),
            path_text: x.path_text,
            code: all(x.code),
            closure: x.closure.map(Into::into),
            leak: x.leak,
            message: x.message,
        }
    }
}

/// Why a verdict is not ok.
#[napi(object)]
pub struct Reason {
    /// What it is about.
    #[napi(
        ts_type = "'growth' | 'new-objects' | 'class-count' | 'class-size' | 'leak-group' | 'finding'"
    )]
    pub kind: String,
    /// Index into `findings` when `kind` is `finding`.
    pub finding: Option<u32>,
    /// The class, for class limits and leak groups.
    pub class_name: Option<String>,
    /// The measured value (bytes, or objects for counts).
    pub actual: f64,
    /// The limit it exceeded, for thresholds.
    pub limit: Option<f64>,
    /// One sentence for people.
    pub message: String,
}

impl From<engine::Reason> for Reason {
    fn from(r: engine::Reason) -> Self {
        Reason {
            kind: r.kind.as_str().into(),
            finding: r.finding.map(|i| i as u32),
            class_name: r.class_name,
            actual: r.actual,
            limit: r.limit,
            message: r.message,
        }
    }
}

/// The verdict: data, with a message per reason for people.
#[napi(object)]
pub struct Verdict {
    /// True if no threshold was exceeded and nothing leaks.
    pub ok: bool,
    /// One per exceeded threshold, leak group, or (with no threshold set, unless
    /// `onlyThresholds`) finding the evidence calls a leak.
    pub reasons: Vec<Reason>,
}

impl From<engine::Verdict> for Verdict {
    fn from(v: engine::Verdict) -> Self {
        Verdict {
            ok: v.ok,
            reasons: all(v.reasons),
        }
    }
}

/// Options of `Series.add`.
#[napi(object, object_to_js = false)]
pub struct SeriesAddOptions {
    /// How many times the suspected action ran since the previous snapshot (growth per call).
    pub calls_per_step: Option<f64>,
    /// How many findings to return (default 10).
    pub top: Option<u32>,
    /// Progress reports, as for `analyze`.
    #[napi(ts_type = "(progress: Progress) => void")]
    pub on_progress: Option<ProgressCallback>,
    /// Cancels the work, as for `analyze`.
    pub signal: Option<AbortSignal>,
    /// The most memory the analysis may use, as for `analyze`.
    pub max_memory: Option<f64>,
}

/// What `Series.add` answers for one snapshot.
#[napi(object)]
pub struct SeriesStep {
    /// Index of the snapshot in the series (0 = the first).
    pub index: u32,
    /// Number of nodes.
    pub node_count: f64,
    /// Number of edges.
    pub edge_count: f64,
    /// DevTools' total size.
    pub total_size: f64,
    /// The snapshot's largest Summary rows (at most 200, largest retained size first).
    pub classes: Vec<SummaryRow>,
    /// Findings of the series so far (none for the first snapshot).
    pub findings: Vec<Finding>,
    /// Caps that applied.
    pub warnings: Vec<String>,
}

/// The engine's answer for one added snapshot.
pub struct Added {
    index: u32,
    node_count: usize,
    edge_count: usize,
    total_size: f64,
    classes: Vec<heapwise_engine::SummaryRow>,
    found: f::Findings,
}

/// How many Summary rows `Series.add` hands back.
const SERIES_CLASSES: usize = 200;

impl From<Added> for SeriesStep {
    fn from(a: Added) -> Self {
        SeriesStep {
            index: a.index,
            node_count: a.node_count as f64,
            edge_count: a.edge_count as f64,
            total_size: a.total_size,
            classes: all(a.classes),
            findings: all(a.found.findings),
            warnings: a.found.warnings,
        }
    }
}

/// `Series.add`'s options split into the findings' options and the observer.
fn add_options(options: Option<SeriesAddOptions>) -> (f::FindingsOptions, JsObserver) {
    match options {
        Some(o) => (
            f::FindingsOptions {
                calls_per_step: o.calls_per_step,
                top: o.top.unwrap_or(10) as usize,
            },
            JsObserver::new(Some(AnalyzeOptions {
                on_progress: o.on_progress,
                signal: o.signal,
                max_memory: o.max_memory,
            })),
        ),
        None => (f::FindingsOptions::default(), JsObserver::new(None)),
    }
}

/// Adds analysis `a` to `series` and collects the step's answer.
fn step(
    series: &mut f::Series,
    a: &Analysis,
    opts: &f::FindingsOptions,
    obs: &JsObserver,
) -> heapwise_engine::Result<Added> {
    let index = series.len() as u32;
    let found = series.add(a, opts, obs)?;
    let mut classes = a.summary();
    classes.truncate(SERIES_CLASSES);
    Ok(Added {
        index,
        node_count: a.node_count(),
        edge_count: a.edge_count(),
        total_size: a.total_size(),
        classes,
        found,
    })
}

/// Snapshots of one process added one at a time, oldest first: each is analysed off the JS
/// thread, its findings computed against the earlier ones, then reduced to a footprint of 12
/// bytes per node; at most six footprints are kept (the first always), so memory stays flat
/// over any number of snapshots. One parse per snapshot.
#[napi]
pub struct Series {
    inner: Owned<Mutex<f::Series>>,
}

impl Series {
    /// The series, for the thread of a call (a series is never closed).
    fn series(&self) -> Arc<Mutex<f::Series>> {
        self.inner.shared().expect("a series is never closed")
    }
}

#[napi]
impl Series {
    /// An empty series.
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Series {
            inner: Owned::new(Mutex::new(f::Series::new())),
        }
    }

    /// Analyses the next snapshot of the series and resolves to the findings so far. Calls are
    /// taken in order (a call waits for the previous one).
    #[napi(ts_return_type = "Promise<SeriesStep>")]
    pub fn add<'env>(
        &self,
        env: &'env Env,
        path: String,
        options: Option<SeriesAddOptions>,
    ) -> Result<Object<'env>> {
        let inner = self.series();
        let (opts, obs) = add_options(options);
        crate::spawn_promise::<_, SeriesStep>(env, "series", move || {
            catch_panic(
                ENTRY_PANIC_HOOK,
                || {
                    // Held while the snapshot is analysed, so calls are taken in order.
                    let mut series = inner.lock().unwrap_or_else(|e| e.into_inner());
                    let a = Analysis::from_path(path.as_ref(), &obs)?;
                    step(&mut series, &a, &opts, &obs)
                },
                |e| e,
            )
        })
    }

    /// Adds an analysis already loaded as the next snapshot of the series (no parsing): the
    /// same findings as `add` on its file. The analysis stays usable. A closed analysis rejects
    /// with `ERR_HEAPWISE_INVALID_ARGUMENT`.
    #[napi(ts_return_type = "Promise<SeriesStep>")]
    pub fn add_analysis<'env>(
        &self,
        env: &'env Env,
        analysis: &crate::HeapAnalysis,
        options: Option<SeriesAddOptions>,
    ) -> Result<Object<'env>> {
        let inner = self.series();
        let a = analysis.shared();
        let (opts, obs) = add_options(options);
        crate::spawn_promise::<_, SeriesStep>(env, "series", move || {
            let a = a?;
            catch_panic(
                ENTRY_PANIC_HOOK,
                || {
                    let mut series = inner.lock().unwrap_or_else(|e| e.into_inner());
                    step(&mut series, &a, &opts, &obs)
                },
                |e| e,
            )
        })
    }

    /// How many snapshots were added.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.series()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len() as u32
    }
}
