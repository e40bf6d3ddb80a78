//! heapwise: the Node.js addon. Conversion only: options in (`options`), one engine call, results
//! out (`results`), errors out (`error`). The graph engine is `heapwise-engine` (crates/engine).
#![deny(clippy::all)]

/// Large column buffers come straight from mmap and go back to the OS when freed (see
/// `heapwise_engine::alloc`).
#[global_allocator]
static ALLOCATOR: heapwise_engine::alloc::MmapLarge = heapwise_engine::alloc::MmapLarge;

mod error;
mod external;
mod findings;
mod options;
mod owned;
mod query;
mod results;
mod strings;

use error::{catch_panic, guard, js_error, ENTRY_PANIC_HOOK};
use heapwise_engine::{diff as engine, Analysis, ErrorKind, NodeId, NodeOrd, Observer};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use options::{diff_options, AnalyzeOptions, DiffOptions, JsObserver};
use owned::Owned;
use query::{
    EdgePage, Explanation, InstancesOptions, NodePage, PageOptions, SnapshotHeader, SummaryPage,
    SummaryPageOptions,
};
use results::{
    ErrorCodeInfo, HeapDiff, HeapEdge, HeapNode, PathStep, Statistics, SummaryRow, TopObject,
};
use std::sync::Arc;

/// Parses and analyses `path`, panics caught.
fn run_analysis(path: &str, obs: &dyn Observer) -> heapwise_engine::Result<Analysis> {
    catch_panic(
        ENTRY_PANIC_HOOK,
        || Analysis::from_path(path.as_ref(), obs),
        |e| e,
    )
}

/// Diffs `before` and `after`, panics caught.
fn run_diff(
    before: &str,
    after: &str,
    opts: &engine::DiffOptions,
    obs: &dyn Observer,
) -> heapwise_engine::Result<engine::HeapDiff> {
    catch_panic(
        ENTRY_PANIC_HOOK,
        || engine::diff(before.as_ref(), after.as_ref(), opts, obs),
        |e| e,
    )
}

/// Runs `work` on a thread of its own (never the libuv pool) and settles the returned promise on
/// the JS thread: with the JS conversion of the result, or with a `HeapwiseError`. Whatever
/// `work` captured (e.g. the progress callback) is dropped before the promise settles.
pub(crate) fn spawn_promise<'env, T, J>(
    env: &'env Env,
    name: &str,
    work: impl FnOnce() -> heapwise_engine::Result<T> + Send + 'static,
) -> Result<Object<'env>>
where
    T: Send + 'static,
    J: From<T> + ToNapiValue + 'static,
{
    type Resolver<J> = Box<dyn FnOnce(Env) -> Result<J> + Send>;
    let (deferred, promise) = env.create_deferred::<J, Resolver<J>>()?;
    std::thread::Builder::new()
        .name(format!("heapwise-{name}"))
        .spawn(move || {
            let result = work();
            deferred.resolve(match result {
                Ok(v) => Box::new(move |_| Ok(J::from(v))),
                Err(e) => Box::new(move |env| Err(js_error(&env, &e))),
            })
        })
        .map_err(|e| Error::from_reason(format!("cannot start the {name} thread: {e}")))?;
    Ok(promise)
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
    let obs = JsObserver::new(options);
    spawn_promise::<_, HeapAnalysis>(env, "analyze", move || run_analysis(&path, &obs))
}

/// Like `analyze`, with the same options, but blocks the calling thread until done. For
/// scripts and CLIs; in a server, prefer `analyze`.
#[napi]
pub fn analyze_sync(
    env: &Env,
    path: String,
    options: Option<AnalyzeOptions>,
) -> Result<HeapAnalysis> {
    run_analysis(&path, &JsObserver::new(options))
        .map(HeapAnalysis::from)
        .map_err(|e| js_error(env, &e))
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
    options: Option<DiffOptions>,
) -> Result<Object<'env>> {
    let options = diff_options(options);
    spawn_promise::<_, HeapDiff>(env, "diff", move || {
        let (opts, obs) = options?;
        run_diff(&before, &after, &opts, &obs)
    })
}

/// Like `diff`, with the same options, but blocks the calling thread until done.
#[napi]
pub fn diff_sync(
    env: &Env,
    before: String,
    after: String,
    options: Option<DiffOptions>,
) -> Result<HeapDiff> {
    diff_options(options)
        .and_then(|(opts, obs)| run_diff(&before, &after, &opts, &obs))
        .map(HeapDiff::from)
        .map_err(|e| js_error(env, &e))
}

/// Reads only the header at the start of a snapshot file (at most 1 MB of it, however big the
/// file): node and edge counts, the layout, what V8 version wrote it, and how much memory
/// `analyze` will need. Rejects with a `HeapwiseError` (`ERR_HEAPWISE_NOT_A_SNAPSHOT` with a
/// `byteOffset` when no header is found there).
#[napi(ts_return_type = "Promise<SnapshotHeader>")]
pub fn peek<'env>(env: &'env Env, path: String) -> Result<Object<'env>> {
    spawn_promise::<_, SnapshotHeader>(env, "peek", move || {
        catch_panic(
            ENTRY_PANIC_HOOK,
            || heapwise_engine::parse::peek(path.as_ref()),
            |e| e,
        )
    })
}

/// The diff of two analyses already loaded, off the JS thread: the same result as `diff` on
/// their files (without `final`), with no parsing. Both analyses stay loaded. A closed analysis
/// rejects with `ERR_HEAPWISE_INVALID_ARGUMENT`.
#[napi(ts_return_type = "Promise<HeapDiff>")]
pub fn diff_analyses<'env>(
    env: &'env Env,
    before: &HeapAnalysis,
    after: &HeapAnalysis,
    #[napi(ts_arg_type = "Omit<DiffOptions, 'final'>")] options: Option<DiffOptions>,
) -> Result<Object<'env>> {
    let analyses = before.shared().and_then(|a| Ok((a, after.shared()?)));
    let options = diff_options(options);
    spawn_promise::<_, HeapDiff>(env, "diff", move || {
        let (a, b) = analyses?;
        let (opts, obs) = options?;
        catch_panic(
            ENTRY_PANIC_HOOK,
            || engine::diff_analyses(&a, &b, &opts, &obs),
            |e| e,
        )
    })
}

/// Reduces an analysis to the baseline of later comparisons, off the JS thread: what `diff`
/// keeps of its first snapshot (a few columns), so the analysis can be closed and each later
/// snapshot compared with it without reading the first file again.
#[napi(ts_return_type = "Promise<DiffBaseline>")]
pub fn diff_baseline<'env>(env: &'env Env, analysis: &HeapAnalysis) -> Result<Object<'env>> {
    let analysis = analysis.shared();
    spawn_promise::<_, DiffBaseline>(env, "baseline", move || {
        let a = analysis?;
        catch_panic(
            ENTRY_PANIC_HOOK,
            || engine::Baseline::of(&a, &heapwise_engine::Quiet),
            |e| e,
        )
    })
}

/// The first snapshot of a comparison, reduced (see `diffBaseline`); kept in native memory.
#[napi]
pub struct DiffBaseline {
    inner: Owned<engine::Baseline>,
}

impl From<engine::Baseline> for DiffBaseline {
    fn from(b: engine::Baseline) -> Self {
        DiffBaseline {
            inner: Owned::new(b),
        }
    }
}

#[napi]
impl DiffBaseline {
    /// The file the baseline was read from.
    #[napi(getter)]
    pub fn file(&self) -> String {
        let base = self.inner.get().expect("a baseline is never closed");
        base.info().file.clone()
    }

    /// The diff of this baseline with a loaded analysis, off the JS thread: the same result as
    /// `diffAnalyses` of the analysis it was reduced from and `after`. `after` stays loaded.
    #[napi(ts_return_type = "Promise<HeapDiff>")]
    pub fn diff<'env>(
        &self,
        env: &'env Env,
        after: &HeapAnalysis,
        #[napi(ts_arg_type = "Omit<DiffOptions, 'final'>")] options: Option<DiffOptions>,
    ) -> Result<Object<'env>> {
        let base = self.inner.shared().expect("a baseline is never closed");
        let after = after.shared();
        let options = diff_options(options);
        spawn_promise::<_, HeapDiff>(env, "diff", move || {
            let b = after?;
            let (opts, obs) = options?;
            catch_panic(ENTRY_PANIC_HOOK, || base.diff(&b, &opts, &obs), |e| e)
        })
    }
}

/// Every error code heapwise uses (the engine's and those only `watch` raises), with a one-line
/// meaning each, in a stable order.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    ErrorKind::ALL.iter().map(|&k| k.into()).collect()
}

/// An analysed heap snapshot. The graph stays in native memory; every method returns a small
/// copy of what it asks for. Call `close()` to free the memory early (it is also freed when the
/// object is garbage-collected).
#[napi]
pub struct HeapAnalysis {
    inner: Owned<Analysis>,
}

impl From<Analysis> for HeapAnalysis {
    fn from(a: Analysis) -> Self {
        HeapAnalysis {
            inner: Owned::new(a),
        }
    }
}

impl HeapAnalysis {
    /// The analysis, shared (for work on another thread); a closed one is an invalid argument.
    pub(crate) fn shared(&self) -> heapwise_engine::Result<Arc<Analysis>> {
        self.inner.shared().ok_or_else(|| {
            heapwise_engine::Error::new(ErrorKind::InvalidArgument, "this HeapAnalysis was closed")
        })
    }

    fn get(&self) -> Result<&Analysis> {
        self.inner.get().ok_or_else(|| {
            Error::new(
                Status::InvalidArg,
                "this HeapAnalysis was closed".to_string(),
            )
        })
    }

    /// The analysis and the ordinal of the object with V8 id `id` (`None` if there is none).
    fn find(&self, id: f64) -> Result<(&Analysis, Option<NodeOrd>)> {
        let a = self.get()?;
        if !(0.0..=u32::MAX as f64).contains(&id) || id.fract() != 0.0 {
            return Ok((a, None));
        }
        Ok((a, a.ordinal_of(NodeId(id as u32))))
    }
}

/// Converts the nodes `list` of `a`.
fn nodes(a: &Analysis, list: Vec<NodeOrd>) -> Vec<HeapNode> {
    list.into_iter().map(|o| a.node(o).into()).collect()
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

    /// The largest id of a V8 heap object (odd ids): `instances(key, {newerThan})` with an
    /// earlier snapshot's value gives the objects allocated since.
    #[napi(getter)]
    pub fn max_js_object_id(&self) -> Result<f64> {
        Ok(self.get()?.max_js_object_id() as f64)
    }

    /// V8 id of the root (the top of the dominator tree; 1 in V8's snapshots).
    #[napi(getter)]
    pub fn root_id(&self) -> Result<f64> {
        let a = self.get()?;
        Ok(a.node(a.root()).id.0 as f64)
    }

    /// Problems that did not stop the analysis (unreachable nodes, header/array mismatches, …).
    #[napi(getter)]
    pub fn warnings(&self) -> Result<Vec<String>> {
        Ok(self.get()?.warnings().to_vec())
    }

    /// The Summary view: one row per class, largest retained size first.
    #[napi]
    pub fn summary(&self, env: &Env) -> Result<Vec<SummaryRow>> {
        guard(env, || {
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
        guard(env, || Ok(Statistics::from(self.get()?.statistics())))
    }

    /// The `n` (default 20) objects with the largest retained sizes, each with its retainer path
    /// from the root and its source location.
    #[napi]
    pub fn top(&self, n: Option<u32>, env: &Env) -> Result<Vec<TopObject>> {
        guard(env, || {
            let a = self.get()?;
            Ok(a.top(n.unwrap_or(20) as usize)
                .into_iter()
                .map(|o| TopObject::from((a, o)))
                .collect())
        })
    }

    /// The object with V8 id `id`, or `null`.
    #[napi]
    pub fn node(&self, id: f64, env: &Env) -> Result<Option<HeapNode>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map(|o| a.node(o).into()))
        })
    }

    /// The references from object `id`, in snapshot order (DevTools' Containment view).
    #[napi]
    pub fn references(&self, id: f64, env: &Env) -> Result<Vec<HeapEdge>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map(|o| a.references(o)).map_or_else(Vec::new, |list| {
                list.into_iter().map(|e| HeapEdge::from((a, e))).collect()
            }))
        })
    }

    /// The references to object `id` (its retainers), in DevTools' order.
    #[napi]
    pub fn retainers(&self, id: f64, env: &Env) -> Result<Vec<HeapEdge>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map(|o| a.retainers_of(o)).map_or_else(Vec::new, |list| {
                list.into_iter().map(|e| HeapEdge::from((a, e))).collect()
            }))
        })
    }

    /// The objects that object `id` immediately dominates (its children in the dominator tree),
    /// largest retained size first.
    #[napi]
    pub fn dominated(&self, id: f64, env: &Env) -> Result<Vec<HeapNode>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(Vec::new, |o| nodes(a, a.dominated_by(o))))
        })
    }

    /// The shortest retainer path from the root to object `id`, root first (empty if the object
    /// is unreachable or unknown).
    #[napi]
    pub fn retainer_path(&self, id: f64, env: &Env) -> Result<Vec<PathStep>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(Vec::new, |o| {
                a.path_steps(o).into_iter().map(PathStep::from).collect()
            }))
        })
    }

    /// Where object `id` was created: a closure's function, or the constructor of an object made
    /// by a script function (`null` if the snapshot has no location for it).
    #[napi]
    pub fn location(&self, id: f64, env: &Env) -> Result<Option<results::SourceLocation>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.and_then(|o| a.location(o)).map(Into::into))
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
        guard(env, || {
            let a = self.get()?;
            Ok(nodes(
                a,
                a.find_by_name(&pattern, limit.unwrap_or(100) as usize),
            ))
        })
    }

    /// Writes one tab-separated line per node to `path`: `id self_size shallow_size
    /// retained_size distance dominator_id` (the DevTools oracle's `--nodes` format).
    #[napi]
    pub fn write_nodes(&self, path: String, env: &Env) -> Result<()> {
        guard(env, || {
            let a = self.get()?;
            let cannot =
                |e: std::io::Error| Error::from_reason(format!("cannot write {path}: {e}"));
            let mut f = std::fs::File::create(&path).map_err(cannot)?;
            a.write_nodes_tsv(&mut f).map_err(cannot)
        })
    }

    /// Bytes of native memory this analysis holds (its columns and tables).
    #[napi(getter)]
    pub fn memory_bytes(&self) -> Result<f64> {
        Ok(self.get()?.heap_bytes() as f64)
    }

    /// A page of the Summary view: the rows whose class name contains `filter`
    /// (case-insensitive), sorted (default: largest retained size first, as `summary()`), and
    /// the number of matching rows.
    #[napi]
    pub fn summary_page(
        &self,
        options: Option<SummaryPageOptions>,
        env: &Env,
    ) -> Result<SummaryPage> {
        guard(env, || {
            let a = self.get()?;
            let (filter, sort, descending, w) =
                query::summary_args(options).map_err(|e| js_error(env, &e))?;
            Ok(a.summary_page(&filter, sort, descending, w).into())
        })
    }

    /// A page of the objects the Summary row with key `key` (`SummaryRow.key`) counts (`total`
    /// equals the row's `count`), largest retained size first by default. An unknown key gives
    /// an empty page.
    #[napi]
    pub fn instances(
        &self,
        key: String,
        options: Option<InstancesOptions>,
        env: &Env,
    ) -> Result<NodePage> {
        guard(env, || {
            let a = self.get()?;
            let (sort, descending, newer_than, w) =
                query::instances_args(options).map_err(|e| js_error(env, &e))?;
            Ok((
                a,
                a.instances(key.as_bytes(), sort, descending, newer_than, w),
            )
                .into())
        })
    }

    /// A page of `references(id)`, in the same order (an unknown id gives an empty page).
    #[napi]
    pub fn references_page(
        &self,
        id: f64,
        options: Option<PageOptions>,
        env: &Env,
    ) -> Result<EdgePage> {
        guard(env, || {
            let w = PageOptions::window_of(options).map_err(|e| js_error(env, &e))?;
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(EdgePage::empty, |o| (a, a.references_page(o, w)).into()))
        })
    }

    /// A page of `retainers(id)`, in the same order (an unknown id gives an empty page).
    #[napi]
    pub fn retainers_page(
        &self,
        id: f64,
        options: Option<PageOptions>,
        env: &Env,
    ) -> Result<EdgePage> {
        guard(env, || {
            let w = PageOptions::window_of(options).map_err(|e| js_error(env, &e))?;
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(EdgePage::empty, |o| (a, a.retainers_page(o, w)).into()))
        })
    }

    /// A page of `dominated(id)`, in the same order: largest retained size first (an unknown
    /// id gives an empty page).
    #[napi]
    pub fn dominated_page(
        &self,
        id: f64,
        options: Option<PageOptions>,
        env: &Env,
    ) -> Result<NodePage> {
        guard(env, || {
            let w = PageOptions::window_of(options).map_err(|e| js_error(env, &e))?;
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(NodePage::empty, |o| (a, a.dominated_page(o, w)).into()))
        })
    }

    /// Up to `limit` (default 5, at most 50) retainer paths of object `id`, root first each:
    /// the first is `retainerPath(id)`, the others leave it at one step through another
    /// retainer, shortest first. Empty if the object is unreachable or unknown.
    #[napi]
    pub fn retainer_paths(
        &self,
        id: f64,
        limit: Option<u32>,
        env: &Env,
    ) -> Result<Vec<query::RetainerPath>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map_or_else(Vec::new, |o| {
                a.retainer_paths(o, limit.unwrap_or(5) as usize)
                    .into_iter()
                    .map(|p| a.steps_of(p).into())
                    .collect()
            }))
        })
    }

    /// What holds object `id`, what it holds and where it was created, with one sentence that
    /// says it (`null` for an unknown id).
    #[napi]
    pub fn explain(&self, id: f64, env: &Env) -> Result<Option<Explanation>> {
        guard(env, || {
            let (a, o) = self.find(id)?;
            Ok(o.map(|o| (a, a.explain(o)).into()))
        })
    }

    /// Builds, off the JS thread, what the first query by id (an index of the ids) and the first
    /// `findByName` (the plain objects and the display names of their property lists) would
    /// build, so that no query pays for them.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn prepare_queries<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let shared = self.shared();
        spawn_promise::<_, ()>(env, "prepare", move || {
            let a = shared?;
            catch_panic(
                ENTRY_PANIC_HOOK,
                || {
                    a.prepare_queries();
                    Ok(())
                },
                |e| e,
            )
        })
    }

    /// Memory outside the JS object graph, off the JS thread: ArrayBuffer backing stores,
    /// external strings, `extra_native_bytes`, embedder objects (`Node / …`) and detached ones,
    /// each with count and bytes; the embedder classes; the objects that hold the most of each
    /// kind (a page, largest bytes first); and how these sums reconcile with `statistics()`.
    /// Computed on the first call and kept, so later pages cost little.
    #[napi(ts_return_type = "Promise<ExternalMemory>")]
    pub fn external_memory<'env>(
        &self,
        options: Option<external::ExternalMemoryOptions>,
        env: &'env Env,
    ) -> Result<Object<'env>> {
        let shared = self.shared();
        let args = external::ExternalArgs::of(options);
        spawn_promise::<_, external::ExternalMemory>(env, "external", move || {
            let (a, args) = (shared?, args?);
            catch_panic(
                ENTRY_PANIC_HOOK,
                || external::external_memory(&a, &args),
                |e| e,
            )
        })
    }

    /// Frees the native memory, on a thread of its own (the JS thread does not wait for it).
    /// Any later call throws.
    #[napi]
    pub fn close(&mut self) {
        self.inner.close();
    }

    /// True once `close()` was called.
    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.inner.is_closed()
    }
}
