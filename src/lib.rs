//! heapwise: the Node.js addon. Conversion only: options in, engine call, results out. The graph
//! engine is `heapwise-engine` (crates/engine).
#![deny(clippy::all)]

mod diff;

/// Large column buffers come straight from mmap and go back to the OS when freed (see
/// `heapwise_engine::alloc`).
#[global_allocator]
static ALLOCATOR: heapwise_engine::alloc::MmapLarge = heapwise_engine::alloc::MmapLarge;

mod error;
mod options;
mod results;

use heapwise_engine::{Analysis, NodeId, Observer, Phase};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use options::{AnalyzeOptions, Progress};
use results::{HeapEdge, HeapNode, PathStep, Statistics, SummaryRow, TopObject};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Reports progress to JS at most every 50 ms, and answers cancellation.
struct JsObserver {
    cancel: Arc<AtomicBool>,
    on_progress: Option<ThreadsafeFunction<Progress, (), Progress, Status, false, true>>,
    last: Mutex<Option<Instant>>,
    memory_limit: Option<u64>,
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

fn run_analysis(path: &str, obs: &dyn Observer) -> heapwise_engine::Result<Analysis> {
    match catch_unwind(AssertUnwindSafe(|| {
        // Lets the test suite check that a panic becomes a rejection, not a crash.
        if std::env::var_os("HEAPWISE_PANIC_FOR_TESTS").is_some() {
            panic!("panic requested by HEAPWISE_PANIC_FOR_TESTS");
        }
        Analysis::from_path(path.as_ref(), obs)
    })) {
        Ok(r) => r,
        Err(payload) => Err(error::panic_error(payload)),
    }
}

/// Compares two heap snapshots off the JS thread: DevTools' Comparison view per class, the objects
/// allocated between the snapshots, objects whose retained size grew (with retainer paths and
/// source locations), memlab-style leak detection with a third snapshot (`final`), and a verdict
/// against thresholds. The first snapshot is reduced to a few columns before the second is read,
/// so the diff never holds two full graphs. Rejects with a `HeapwiseError` as `analyze` does.
#[napi(ts_return_type = "Promise<HeapDiff>")]
pub fn diff<'env>(
    env: &'env Env,
    before: String,
    after: String,
    options: Option<diff::DiffOptions>,
) -> Result<Object<'env>> {
    match diff::engine_options(options) {
        Ok((opts, obs_opts)) => {
            let obs = observer(Some(obs_opts));
            spawn_promise(
                env,
                "diff",
                move || diff::run(&before, &after, &opts, &obs),
                diff::to_js,
            )
        }
        Err(e) => spawn_promise(env, "diff", move || Err(e), diff::to_js),
    }
}

/// Like `diff`, but blocks the calling thread until done.
#[napi]
pub fn diff_sync(
    env: &Env,
    before: String,
    after: String,
    options: Option<diff::DiffOptions>,
) -> Result<diff::HeapDiff> {
    let (opts, _) = diff::engine_options(options).map_err(|e| error::js_error(env, &e))?;
    diff::run(&before, &after, &opts, &heapwise_engine::Quiet)
        .map(diff::to_js)
        .map_err(|e| error::js_error(env, &e))
}

/// Runs `work` on a thread of its own (never the libuv pool) and settles the returned promise on
/// the JS thread: with `to_js` of the result, or with a `HeapwiseError`. Whatever `work` captured
/// (e.g. the progress callback) is dropped before the promise settles.
fn spawn_promise<'env, T, J>(
    env: &'env Env,
    name: &str,
    work: impl FnOnce() -> heapwise_engine::Result<T> + Send + 'static,
    to_js: fn(T) -> J,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    J: ToNapiValue + 'static,
{
    type Resolver<J> = Box<dyn FnOnce(Env) -> Result<J> + Send>;
    let (deferred, promise) = env.create_deferred::<J, Resolver<J>>()?;
    std::thread::Builder::new()
        .name(format!("heapwise-{name}"))
        .spawn(move || {
            let result = work();
            deferred.resolve(match result {
                Ok(v) => Box::new(move |_| Ok(to_js(v))),
                Err(e) => Box::new(move |env| Err(error::js_error(&env, &e))),
            })
        })
        .map_err(|e| Error::from_reason(format!("cannot start the {name} thread: {e}")))?;
    Ok(promise)
}

fn observer(options: Option<AnalyzeOptions>) -> JsObserver {
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

/// Reads and analyses a `.heapsnapshot` file, off the JS thread: parsing and analysis run on a
/// thread of their own (not on the libuv pool, which stays free for fs, dns and crypto), so the
/// event loop never waits. Resolves to a `HeapAnalysis` that keeps the graph in native memory;
/// call `close()` when done with it.
///
/// Numbers equal Chrome DevTools' Memory panel on the same file: Summary, Statistics, shallow
/// and retained sizes, distances, dominators.
///
/// Rejects with a `HeapwiseError` whose `code` (a `HeapwiseErrorCode`, listed with its meaning
/// by `errorCodes()`) says what went wrong; `byteOffset` tells where reading failed.
#[napi(ts_return_type = "Promise<HeapAnalysis>")]
pub fn analyze<'env>(
    env: &'env Env,
    path: String,
    options: Option<AnalyzeOptions>,
) -> Result<Object<'env>> {
    let obs = observer(options);
    spawn_promise(
        env,
        "analyze",
        move || run_analysis(&path, &obs),
        HeapAnalysis::new,
    )
}

/// Like `analyze`, but blocks the calling thread until done. For scripts and CLIs; in a
/// server, prefer `analyze`.
#[napi]
pub fn analyze_sync(env: &Env, path: String) -> Result<HeapAnalysis> {
    run_analysis(&path, &heapwise_engine::Quiet)
        .map(HeapAnalysis::new)
        .map_err(|e| error::js_error(env, &e))
}

/// An analysed heap snapshot. The graph stays in native memory; every method returns a small
/// copy of what it asks for. Call `close()` to free the memory early (it is also freed when the
/// object is garbage-collected).
#[napi]
pub struct HeapAnalysis {
    inner: Option<Arc<Analysis>>,
}

impl HeapAnalysis {
    fn new(a: Analysis) -> Self {
        HeapAnalysis {
            inner: Some(Arc::new(a)),
        }
    }

    fn get(&self) -> Result<&Analysis> {
        self.inner.as_deref().ok_or_else(|| {
            Error::new(
                Status::InvalidArg,
                "this HeapAnalysis was closed".to_string(),
            )
        })
    }

    fn ordinal(&self, id: f64) -> Result<Option<usize>> {
        let a = self.get()?;
        if !(0.0..=u32::MAX as f64).contains(&id) || id.fract() != 0.0 {
            return Ok(None);
        }
        Ok(a.ordinal_of(NodeId(id as u32)).map(|o| o.0 as usize))
    }
}

#[napi]
impl HeapAnalysis {
    /// Number of nodes (objects) in the snapshot.
    #[napi(getter)]
    pub fn node_count(&self) -> Result<f64> {
        Ok(self.get()?.node_count() as f64)
    }

    /// Number of edges (references).
    #[napi(getter)]
    pub fn edge_count(&self) -> Result<f64> {
        Ok(self.get()?.edge_count() as f64)
    }

    /// Total heap size in bytes, as DevTools shows under the snapshot's title.
    #[napi(getter)]
    pub fn total_size(&self) -> Result<f64> {
        Ok(self.get()?.total_size())
    }

    /// Problems that did not stop the analysis (unreachable nodes, header/array mismatches, …).
    #[napi(getter)]
    pub fn warnings(&self) -> Result<Vec<String>> {
        Ok(self.get()?.warnings.clone())
    }

    /// The Summary view: one row per class, largest retained size first.
    #[napi]
    pub fn summary(&self, env: &Env) -> Result<Vec<SummaryRow>> {
        error::guard(env, || {
            Ok(self
                .get()?
                .summary()
                .into_iter()
                .map(SummaryRow::from)
                .collect())
        })
    }

    /// The Statistics view.
    #[napi]
    pub fn statistics(&self, env: &Env) -> Result<Statistics> {
        error::guard(env, || Ok(Statistics::from(&self.get()?.statistics)))
    }

    /// The `n` (default 20) objects with the largest retained sizes, each with its retainer path
    /// from the root and its source location.
    #[napi]
    pub fn top(&self, n: Option<u32>, env: &Env) -> Result<Vec<TopObject>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(a.top(n.unwrap_or(20) as usize)
                .into_iter()
                .map(|o| {
                    let o = o.0 as usize;
                    TopObject {
                        node: results::node(a, o),
                        retainer_path: results::path(a, o),
                        location: results::location(a, o),
                    }
                })
                .collect())
        })
    }

    /// The object with V8 id `id`, or `null`.
    #[napi]
    pub fn node(&self, id: f64, env: &Env) -> Result<Option<HeapNode>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(self.ordinal(id)?.map(|o| results::node(a, o)))
        })
    }

    /// The references from object `id`, in snapshot order (DevTools' Containment view).
    #[napi]
    pub fn references(&self, id: f64, env: &Env) -> Result<Vec<HeapEdge>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(self
                .ordinal(id)?
                .map(|o| results::edges(a, a.references(o)))
                .unwrap_or_default())
        })
    }

    /// The references to object `id` (its retainers), in DevTools' order.
    #[napi]
    pub fn retainers(&self, id: f64, env: &Env) -> Result<Vec<HeapEdge>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(self
                .ordinal(id)?
                .map(|o| results::edges(a, a.retainers_of(o)))
                .unwrap_or_default())
        })
    }

    /// The objects that object `id` immediately dominates (its children in the dominator tree),
    /// largest retained size first.
    #[napi]
    pub fn dominated(&self, id: f64, env: &Env) -> Result<Vec<HeapNode>> {
        error::guard(env, || {
            let a = self.get()?;
            let Some(o) = self.ordinal(id)? else {
                return Ok(Vec::new());
            };
            Ok(a.dominated_by(o)
                .into_iter()
                .map(|c| results::node(a, c.0 as usize))
                .collect())
        })
    }

    /// The shortest retainer path from the root to object `id`, root first (empty if the object
    /// is unreachable or unknown).
    #[napi]
    pub fn retainer_path(&self, id: f64, env: &Env) -> Result<Vec<PathStep>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(self
                .ordinal(id)?
                .map(|o| results::path(a, o))
                .unwrap_or_default())
        })
    }

    /// Where object `id` was created: a closure's function, or the constructor of an object made
    /// by a script function (`null` if the snapshot has no location for it).
    #[napi]
    pub fn location(&self, id: f64, env: &Env) -> Result<Option<results::SourceLocation>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(self.ordinal(id)?.and_then(|o| results::location(a, o)))
        })
    }

    /// Objects whose name or class name contains `pattern` (case-sensitive), largest retained
    /// size first, at most `limit` (default 100).
    #[napi]
    pub fn find_by_name(
        &self,
        pattern: String,
        limit: Option<u32>,
        env: &Env,
    ) -> Result<Vec<HeapNode>> {
        error::guard(env, || {
            let a = self.get()?;
            Ok(a.find_by_name(&pattern, limit.unwrap_or(100) as usize)
                .into_iter()
                .map(|o| results::node(a, o.0 as usize))
                .collect())
        })
    }

    /// Writes one tab-separated line per node to `path`: `id self_size shallow_size
    /// retained_size distance dominator_id` (the DevTools oracle's `--nodes` format).
    #[napi]
    pub fn write_nodes(&self, path: String, env: &Env) -> Result<()> {
        error::guard(env, || {
            let a = self.get()?;
            let mut f = std::fs::File::create(&path)
                .map_err(|e| Error::from_reason(format!("cannot write {path}: {e}")))?;
            a.write_nodes_tsv(&mut f)
                .map_err(|e| Error::from_reason(format!("cannot write {path}: {e}")))
        })
    }

    /// Frees the native memory. Any later call throws.
    #[napi]
    pub fn close(&mut self) {
        self.inner = None;
    }

    /// True once `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_none()
    }
}
