// Public types of heapwise: the generated native types (binding.d.ts) plus HeapwiseError and watch().
export * from './binding';
import type {
  AnalyzeOptions,
  ClassLimitOptions,
  DiffOptions,
  Finding,
  HeapAnalysis,
  HeapDiff,
  HeapwiseErrorCode,
  Progress,
  SeriesAddOptions,
  SeriesStep,
  SnapshotHeader,
} from './binding';

declare global {
  // As @types/node and lib.esnext.disposable declare it, so that the types need neither.
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}

/** Every heapwise function rejects (or throws) with this error. */
export declare class HeapwiseError extends Error {
  /** Stable error code; `errorCodes()` lists every one with its meaning (README, Errors). */
  code: HeapwiseErrorCode;
  /** Byte offset in the file where reading failed, or `null`. */
  byteOffset: number | null;
}

/** `maxMemory` as a number of bytes or a size string: `'512MB'`, `'2GB'`, `'1.5GiB'`. */
export type MaxMemory = number | string;

/**
 * Reads and analyses a snapshot off the JS thread (accepts a path or a `file:` URL). Calls beyond
 * the concurrency limit (see `setConcurrency`) wait their turn; `onProgress` then first reports
 * the phase `queued`.
 */
export declare function analyze(
  path: string | URL,
  options?: (Omit<AnalyzeOptions, 'maxMemory'> & { maxMemory?: MaxMemory }) | null,
): Promise<HeapAnalysis>;
/** Like `analyze`, with the same options, blocking the calling thread. */
export declare function analyzeSync(
  path: string | URL,
  options?: (Omit<AnalyzeOptions, 'maxMemory'> & { maxMemory?: MaxMemory }) | null,
): HeapAnalysis;
/** Compares two snapshots off the JS thread (paths or `file:` URLs; `final` likewise). */
export declare function diff(
  before: string | URL,
  after: string | URL,
  options?: (Omit<DiffOptions, 'final' | 'maxMemory'> & { final?: string | URL; maxMemory?: MaxMemory }) | null,
): Promise<HeapDiff>;
/** Like `diff`, with the same options, blocking the calling thread. */
export declare function diffSync(
  before: string | URL,
  after: string | URL,
  options?: (Omit<DiffOptions, 'final' | 'maxMemory'> & { final?: string | URL; maxMemory?: MaxMemory }) | null,
): HeapDiff;
/**
 * The diff of two analyses already loaded, off the JS thread (queued like `diff`): equal to `diff`
 * on their files, without parsing either again. No `final`. Both stay loaded (their memory adds
 * up, where `diff` never holds two graphs). A closed analysis rejects with
 * `ERR_HEAPWISE_INVALID_ARGUMENT`.
 */
export declare function diffAnalyses(
  before: HeapAnalysis,
  after: HeapAnalysis,
  options?: (Omit<DiffOptions, 'final' | 'maxMemory'> & { maxMemory?: MaxMemory }) | null,
): Promise<HeapDiff>;
/**
 * Reduces a loaded analysis, off the JS thread, to what `diff` keeps of its first snapshot (ids,
 * sizes, classes, retained sizes: a few columns), so that the analysis can be closed and later
 * snapshots compared with it without reading its file again (what `watch` does with its
 * baseline). Not queued. A closed analysis rejects with `ERR_HEAPWISE_INVALID_ARGUMENT`.
 */
export declare function diffBaseline(analysis: HeapAnalysis): Promise<DiffBaseline>;
/** The first snapshot of later comparisons, reduced (see `diffBaseline`); kept in native memory. */
export declare class DiffBaseline {
  private constructor();
  /** The file the baseline was read from. */
  readonly file: string;
  /**
   * The diff of this baseline with a loaded analysis, off the JS thread (queued like
   * `diffAnalyses`): the same result as `diffAnalyses` of the analysis it was reduced from and
   * `after`. `after` stays loaded.
   */
  diff(after: HeapAnalysis, options?: (Omit<DiffOptions, 'final' | 'maxMemory'> & { maxMemory?: MaxMemory }) | null): Promise<HeapDiff>;
}
/**
 * Reads only the header at the start of a snapshot (at most 1 MB, whatever the file's size; a
 * path or a `file:` URL): counts, layout, the V8 version range, and the memory `analyze` will
 * need. Not queued.
 */
export declare function peek(path: string | URL): Promise<SnapshotHeader>;
/**
 * Snapshots of one process added one at a time, oldest first: each `add()` parses the snapshot
 * off the JS thread (queued like `analyze()`), resolves to the findings of the series so far, and
 * keeps only a footprint of it (at most six are kept), so memory stays flat over any number of
 * snapshots. Findings' locations are mapped through source maps. What `watch` and `expectNoLeak`
 * use.
 */
export declare class Series {
  constructor();
  add(path: string | URL, options?: (Omit<SeriesAddOptions, 'maxMemory'> & { maxMemory?: MaxMemory }) | null): Promise<SeriesStep>;
  /** Like `add`, from an analysis already loaded (no parsing; it stays usable): the same findings. */
  addAnalysis(
    analysis: HeapAnalysis,
    options?: (Omit<SeriesAddOptions, 'maxMemory'> & { maxMemory?: MaxMemory }) | null,
  ): Promise<SeriesStep>;
  /** How many snapshots were added. */
  readonly length: number;
}
/**
 * Sets how many `analyze()` / `diff()` calls may run at once (default 1, or the
 * `HEAPWISE_CONCURRENCY` environment variable): later calls wait in order, without a thread.
 */
export declare function setConcurrency(limit: number): void;

// ---------------------------------------------------------------------------------------------
// watch()

/** Options of `watch`: one source (`dir`, `capture`, `files` or `command`), and/or a `pid` to sample, and/or a `gcLog`. */
export interface WatchOptions {
  /**
   * Start this program (`[program, ...arguments]`; `heapwise watch -- CMD ARGS…`) and watch it:
   * its process tree is sampled, its Node processes write snapshots into `dir` (kept) or a
   * temporary folder (removed on close) through NODE_OPTIONS (docs/watch-run.md), and the watch
   * finishes when it exits. Linux only (the tree is read from /proc).
   */
  command?: Array<string>;
  /** With `command`: ask the program's Node processes for a snapshot this often, in ms (default: only on `snapshot()`). */
  snapshotIntervalMs?: number;
  /** With `command`: turn on V8's `--trace-gc` in its Node processes; the GC lines are taken out of its stdout and read (`series().gc`). */
  traceGc?: boolean;
  /** With `command`: the program's stdin (default `'inherit'`). */
  stdin?: 'inherit' | 'ignore' | 'pipe';
  /** With `command`: where the program's stdout goes (default `process.stdout`; read only with `traceGc`, which pipes it). */
  stdout?: { write(chunk: Uint8Array | string): unknown };
  /** A GC log being written (`node --trace-gc` output, `--trace-gc-nvp`), tailed: its floor and verdict are in `series().gc`. */
  gcLog?: string | URL;
  /** A folder that snapshots land in (`--heapsnapshot-signal`, `--heapsnapshot-near-heap-limit`, `v8.writeHeapSnapshot()`). */
  dir?: string | URL;
  /** Which file names in `dir` are snapshots (default `/\.heapsnapshot$/`). */
  match?: RegExp;
  /**
   * Capture snapshots of this process every `intervalMs` (default 60000) with
   * `v8.writeHeapSnapshot()`, which stops this process's JS thread while it writes; or, with
   * `worker`, of a worker thread through `worker.getHeapSnapshot()` (only the worker stops).
   * Files go to `dir` (kept), or to a temporary folder that is removed on close (only the first
   * and the latest capture are kept meanwhile; `keep: true` keeps all).
   */
  capture?:
    | true
    | { intervalMs?: number; dir?: string; worker?: { readonly threadId: number; getHeapSnapshot(): Promise<unknown> }; keep?: boolean };
  /** An explicit, ordered list of snapshot files; the watcher closes after the last one. */
  files?: Array<string | URL>;
  /** Sample the memory of this process and its descendants (default: this process with `capture`, none otherwise). */
  pid?: number | false;
  /** How often the folder is scanned and memory sampled, in ms (default 1000). */
  intervalMs?: number;
  /** How often memory is sampled, in ms (default `intervalMs`). */
  sampleIntervalMs?: number;
  /** Most samples kept; beyond it every other sample is dropped, so the series still spans the whole watch (default 10000). */
  maxSamples?: number;
  /** Process what is in `dir` now (files still being written are reported, not waited for), then close. */
  once?: boolean;
  /** How many times the suspected action runs between snapshots: findings give growth per call. */
  callsPerStep?: number;
  /** Flag leaks only for the thresholds below, never for the findings. */
  onlyThresholds?: boolean;
  /** Leak: the heap's total size grew by more than this between the first and the latest snapshot (as `diff`'s verdict). */
  maxGrowthBytes?: number;
  /** Leak: more objects than this are new since the first snapshot (diff's Comparison `newCount`). */
  maxNewObjects?: number;
  /** Leak: per-class limits since the first snapshot, as `diff`'s. */
  classLimits?: Record<string, ClassLimitOptions>;
  /** Class names to leave out of growth and thresholds: a substring, or `/regex/flags`. */
  ignore?: Array<string>;
  /** Keep internal classes (`(system)`, `system / …`, …) in growth and thresholds. */
  includeInternal?: boolean;
  /** Passed to `analyze` and `diff` (bytes or a size such as `'2GB'`); a snapshot over it gives an `'error'` with `ERR_HEAPWISE_OUT_OF_MEMORY`. */
  maxMemory?: number | string;
  /** Progress of the analysis (or, with `diff: true`, the threshold comparison) of a snapshot. */
  onProgress?: (progress: Progress & { file: string; diff?: boolean }) => void;
}

/** One snapshot of a watch: its compact summary. */
export interface WatchSnapshot {
  /** Position in the series, from 0. */
  index: number;
  /** The file (absolute). */
  file: string;
  /** Capture time or file mtime, ms since the epoch. */
  time: number;
  nodeCount: number;
  edgeCount: number;
  /** DevTools' total size (ArrayBuffer backing stores included). */
  totalSize: number;
  /** The largest classes by retained size (up to 50); rows of the same name are merged. */
  classes: Array<{ name: string; count: number; shallowSize: number; retainedSize: number }>;
  /** The process id in a Node-named file (`Heap.<date>.<time>.<pid>.<tid>.<seq>.heapsnapshot`). */
  pid?: number;
  /** True when it is the first snapshot of a process after another's (a restart): its growth windows and leak baseline are its own. */
  restart?: boolean;
  /** DevTools' Statistics of the snapshot (`typedArrays`: ArrayBuffer backing stores; `v8Heap`: the heap without native memory). */
  statistics?: import('./binding').Statistics;
  /**
   * Memory outside the JS object graph in this snapshot (`HeapAnalysis.externalMemory()`): bytes
   * per kind, and the 10 holders with the most of it. The verdict across layers names the holder
   * whose share grew most when ArrayBuffers or other external memory grow.
   */
  external?: WatchExternal;
}

/** A snapshot's memory outside the JS object graph, compact (see `externalMemory()`). */
export interface WatchExternal {
  /** Bytes per kind: `arrayBuffers`, `externalStrings`, `extraNativeBytes`, `embedder`, `detachedEmbedder`. */
  bytes: Record<string, number>;
  /** The holders with the most bytes, largest first. */
  holders: Array<{
    kind: import('./binding').ExternalHolder['kind'];
    /** The holding object (`null` when held from roots only). */
    holder: { id: number; name: string; className: string } | null;
    pathText: string;
    count: number;
    bytes: number;
  }>;
}

/** One memory sample of the watched process tree, in bytes. */
export interface WatchSample {
  /** ms since the epoch. */
  time: number;
  /** RSS summed over the process and its descendants. */
  rss: number;
  /** PSS summed likewise (`/proc/PID/smaps_rollup`), or null where the OS does not tell. */
  pss: number | null;
  /** How many processes the tree had. */
  processes: number;
  /** `process.memoryUsage()` figures when the watched process is the current one, or summed over the Node processes of a `command` (the preload's), null otherwise. */
  heapUsed: number | null;
  heapTotal: number | null;
  external: number | null;
  arrayBuffers: number | null;
}

/** What grows: a finding of the engine (the same rule as `diff` and `expectNoLeak`), at a snapshot. */
export interface WatchGrowth {
  /** The holder's name (`sessionCache`, `bus._events['x']`, …). */
  name: string;
  /** `name (kind, scope)`. */
  description: string;
  /** The evidence says leak (steady growth). */
  leak: boolean;
  /** The finding's sentence. */
  message: string;
  /** The snapshot at which this was found. */
  index: number;
  /** In how many of the steps the engine kept it grew, and how many there are. */
  grewIn: number;
  window: number;
  /** Series index of the first of `snapshots`. */
  fromIndex: number;
  /** Which snapshots `counts` / `sizes` are of (series indexes). */
  snapshots: Array<number>;
  /** Members added, and retained bytes gained, from the first to the last of `snapshots`. */
  countDelta: number;
  sizeDelta: number;
  /** Members added up to each of `snapshots`, and the holder's retained size at each. */
  counts: Array<number>;
  sizes: Array<number>;
  /** The path to the holder, in heapwise's notation. */
  pathText: string;
  /** The whole finding. */
  finding: Finding;
  /** The process whose snapshots it was found in (Node's file names), when known. */
  pid?: number;
}

/** A leak: a finding the evidence calls a leak, or a threshold crossed between the first (baseline) and a later snapshot. */
export interface WatchLeak {
  /** The holder's name (`finding`), the class name, or `(heap)` for `maxGrowthBytes`, `(new objects)` for `maxNewObjects`. */
  name: string;
  /** The sentence, with the snapshots compared. */
  reason: string;
  kind: 'finding' | 'maxGrowthBytes' | 'maxNewObjects' | 'maxCount' | 'maxSize' | 'gcFloor';
  /** The finding, for `kind: 'finding'`. */
  finding?: Finding;
  /** The snapshot compared with the baseline (-1 for `gcFloor`). */
  index: number;
  baseline: number;
  /** The process, when its snapshots are named by Node. */
  pid?: number;
}

/** One layer of memory judged by watch's layer rule (lib/watch/layers.js, docs/watch-run.md). */
export interface WatchLayer {
  layer: 'rss' | 'pss' | 'jsHeap' | 'arrayBuffers' | 'otherExternal';
  /** `RSS`, `PSS`, `JS heap`, `ArrayBuffers`, `other external`. */
  label: string;
  /** Measured from the memory samples, or from the snapshots' Statistics (no samples). */
  source: 'samples' | 'snapshots';
  /** How many values it had. */
  points: number;
  first: number;
  last: number;
  change: number;
  verdict: 'grows' | 'flat' | 'insufficient';
  /** The fitted rise over the levels, the levels' steps that rose, the fit's R², the slope per minute; null when insufficient. */
  rise: number | null;
  rose: number | null;
  steps: number | null;
  r2: number | null;
  perMinute: number | null;
}

/** The verdict across layers: where the growth is, and what holds it. */
export interface WatchLayers {
  /** `js-heap`, `array-buffers` (Buffers and ArrayBuffers), `external` (other external memory), `native` (only RSS/PSS), `none`, `insufficient`. */
  kind: 'js-heap' | 'array-buffers' | 'external' | 'native' | 'none' | 'insufficient';
  /** `JS heap flat (-0.6 MB), GC floor flat, ArrayBuffers +35.4 MB, …, RSS +83.8 MB: the growth is in Buffers and ArrayBuffers … held by …`. */
  message: string;
  /** The holder of the growth: the top finding, when its retained growth is the layer's growth. */
  holder: {
    name: string;
    description: string;
    pathText: string;
    leak: boolean;
    sizeDelta: number;
    /** What the holder's growth is made of: ArrayBuffer backing stores, or JS objects. */
    made: 'arrayBuffers' | 'jsHeap';
    source: 'finding' | 'externalMemory';
  } | null;
  layers: Array<WatchLayer>;
}

/** The GC log of a watch (`traceGc`, `gcLog`): `heapwise gc`'s analysis without the events. */
export interface WatchGc {
  /** The log tailed, or null for the lines of the program's stdout. */
  file: string | null;
  formats: GcReport['formats'];
  verdict: GcReport['verdict'];
  groups: Array<Omit<GcGroup, 'events'> & { eventCount: number }>;
  thresholds: GcReport['thresholds'];
  warnings: Array<string>;
}

/** The program of `watch({ command })`. */
export interface WatchRun {
  command: Array<string>;
  pid: number | null;
  /** Its exit code, or the signal that ended it; both null while it runs. */
  exitCode: number | null;
  signal: string | null;
  /** The Node processes that took heapwise's NODE_OPTIONS (announced by the preload). */
  nodeProcesses: Array<{ pid: number; node: string | null }>;
  /** The folder of its snapshots when kept (`dir`), else null (a temporary folder, removed). */
  keptDir: string | null;
  traceGc: boolean;
  /** Why it could not be started. */
  error?: string;
}

/** A file that was not analysed. */
export interface WatchSkipped {
  time: number;
  file: string;
  /** Why: `ERR_HEAPWISE_EMPTY`, `ERR_HEAPWISE_TRUNCATED` (incomplete or still being written), `ERR_HEAPWISE_OUTSIDE_FOLDER`, … */
  code: HeapwiseErrorCode;
  message: string;
}

/** What `watcher.series()` returns and `heapwise watch --format json` prints. */
export interface WatchSeries {
  schemaVersion: 1;
  source: {
    kind: 'dir' | 'capture' | 'files' | 'command' | 'none';
    dir?: string;
    pid?: number;
    files?: Array<string>;
    threadId?: number;
    command?: Array<string>;
    gcLog?: string;
  };
  /** ms since the epoch. */
  startedAt: number;
  snapshots: Array<WatchSnapshot>;
  samples: Array<WatchSample>;
  /** Every holder found growing, with its latest figures. */
  growth: Array<WatchGrowth>;
  /** The latest snapshot's findings against the earlier ones of its process, ranked (as `diff`'s). */
  findings: Array<Finding>;
  leaks: Array<WatchLeak>;
  skipped: Array<WatchSkipped>;
  errors: Array<{ time: number; code: HeapwiseErrorCode | null; message: string }>;
  /** The program started with `command`. */
  run?: WatchRun;
  /** The GC log's floor and verdict (`traceGc`, `gcLog`); null before the first GC line. */
  gc?: WatchGc | null;
  /** The verdict across layers; null when there is nothing to judge. */
  layers: WatchLayers | null;
}

/** The events of a watcher, as its async iterator yields them. */
export type WatchEvent =
  | ({ type: 'snapshot' } & WatchSnapshot)
  | ({ type: 'growth' } & WatchGrowth)
  | ({ type: 'leak' } & WatchLeak)
  | ({ type: 'sample' } & WatchSample)
  | ({ type: 'skipped' } & WatchSkipped)
  | { type: 'start'; pid: number; command: Array<string>; dir: string }
  | { type: 'signal'; pids: Array<number>; time: number }
  | { type: 'exit'; pid: number; code: number | null; signal: string | null }
  | { type: 'error'; error: HeapwiseError };

/**
 * A running watch: an EventEmitter (node:events) and an async iterable of `WatchEvent`s (ending
 * on close). Its timers never keep the process alive.
 */
export declare class Watcher implements AsyncIterable<WatchEvent> {
  /** True once `close()` was called. */
  readonly closed: boolean;
  /** The folder read or captured into, if any. */
  readonly dir: string | undefined;
  /** The series so far (a JSON-serialisable copy). */
  series(): WatchSeries;
  /** Stops now: timers cleared, the analysis under way aborted. */
  close(): Promise<void>;
  /** Processes the work at hand (a last scan of the folder, the capture under way, the rest of the files), then closes. */
  finish(): Promise<void>;
  /** The pid of the program started with `command` (once it runs), or of `pid`; else null. */
  readonly pid: number | null;
  /** With `command`: asks each Node process of the program's tree for a heap snapshot (never signals another process); resolves to the pids signalled. */
  snapshot(): Promise<Array<number>>;
  /** With `command`: sends `signal` (default SIGINT) to the program and finishes once it has exited; otherwise `finish()`. */
  stop(signal?: 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT' | 'SIGKILL'): Promise<void>;
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent>;
  [Symbol.asyncDispose](): Promise<void>;
  on(event: 'snapshot', listener: (ev: { type: 'snapshot' } & WatchSnapshot) => void): this;
  on(event: 'growth', listener: (ev: { type: 'growth' } & WatchGrowth) => void): this;
  on(event: 'leak', listener: (ev: { type: 'leak' } & WatchLeak) => void): this;
  on(event: 'sample', listener: (ev: { type: 'sample' } & WatchSample) => void): this;
  on(event: 'skipped', listener: (ev: { type: 'skipped' } & WatchSkipped) => void): this;
  on(event: 'start', listener: (ev: { type: 'start'; pid: number; command: Array<string>; dir: string }) => void): this;
  on(event: 'signal', listener: (ev: { type: 'signal'; pids: Array<number>; time: number }) => void): this;
  on(event: 'exit', listener: (ev: { type: 'exit'; pid: number; code: number | null; signal: string | null }) => void): this;
  on(event: 'error', listener: (error: HeapwiseError) => void): this;
  on(event: 'close', listener: () => void): this;
  once(event: 'snapshot', listener: (ev: { type: 'snapshot' } & WatchSnapshot) => void): this;
  once(event: 'growth', listener: (ev: { type: 'growth' } & WatchGrowth) => void): this;
  once(event: 'leak', listener: (ev: { type: 'leak' } & WatchLeak) => void): this;
  once(event: 'sample', listener: (ev: { type: 'sample' } & WatchSample) => void): this;
  once(event: 'skipped', listener: (ev: { type: 'skipped' } & WatchSkipped) => void): this;
  once(event: 'start', listener: (ev: { type: 'start'; pid: number; command: Array<string>; dir: string }) => void): this;
  once(event: 'signal', listener: (ev: { type: 'signal'; pids: Array<number>; time: number }) => void): this;
  once(event: 'exit', listener: (ev: { type: 'exit'; pid: number; code: number | null; signal: string | null }) => void): this;
  once(event: 'error', listener: (error: HeapwiseError) => void): this;
  once(event: 'close', listener: () => void): this;
  off(event: string, listener: (...args: any[]) => void): this;
  removeListener(event: string, listener: (...args: any[]) => void): this;
  removeAllListeners(event?: string): this;
  listenerCount(event: string): number;
  emit(event: string, ...args: any[]): boolean;
}

/**
 * Follows a series of snapshots (a folder, captures on a schedule, or a list of files) and the
 * memory of a process tree; reports each snapshot, persistently growing classes and leaks
 * (diff's thresholds crossed since the first snapshot). Throws a `HeapwiseError` on bad options.
 */
export declare function watch(options: WatchOptions): Watcher;

/** One GC of a GC log (`node --trace-gc`, `--trace-gc-nvp`, or v8.GCProfiler). */
export interface GcEvent {
  /** Full GCs are `mark-compact` and `mark-sweep` (Node 18's name for it); `minor-ms` / `minor-mc` are V8's minor mark-sweep / mark-compact. */
  kind: 'scavenge' | 'mark-compact' | 'mark-sweep' | 'minor-ms' | 'minor-mc' | 'incremental-marking' | 'weak-callbacks';
  /** ms since the isolate started (V8's clock); `null` for v8.GCProfiler, which has no time per GC. */
  time: number | null;
  /** The heap's used size before and after the GC, in bytes (V8's "MB" are MiB; trace lines are precise to 0.1 MiB). */
  before: number;
  after: number;
  /** The heap's committed size before and after (the numbers in parentheses), in bytes, when the log has it. */
  committedBefore: number | null;
  committedAfter: number | null;
  /** A GC that shrinks the heap (`(reduce)`, `reduce_memory=1`). */
  reduce: boolean;
  /** The pause, in ms. */
  durationMs: number;
  /** Why V8 collected (`allocation failure`, `testing; GC in old space requested`); `null` in nvp and v8.GCProfiler data. */
  reason: string | null;
  /** The process, `null` for v8.GCProfiler data. */
  pid: number | null;
  /** The isolate's address (`0x…`; a worker thread is an isolate of its own), `null` for v8.GCProfiler data. */
  isolate: string | null;
  /** The line of the log (1-based). */
  line: number;
}

/** The verdict on a GC floor: `rising` when it rises steadily (docs/gc.md gives the rule). */
export interface GcVerdict {
  kind: 'rising' | 'flat' | 'insufficient';
  message: string;
}

/** The GC events of one process and isolate, and their floor (the heap after each full GC). */
export interface GcGroup {
  pid: number | null;
  isolate: string | null;
  events: Array<GcEvent>;
  /** The heap after each full GC; `event` is its index in `events`. */
  floor: Array<{ time: number | null; bytes: number; event: number }>;
  /** The least-squares line through the floor; `null` with fewer than 2 full GCs. */
  fit: {
    slopePerGc: number;
    /** Against time; `null` when the events have no time (v8.GCProfiler). */
    slopePerMinute: number | null;
    /** R² of the fit per full GC. */
    r2: number;
    /** The fit against time: bytes at time 0 and per ms (`null` without times). */
    interceptBytes: number | null;
    bytesPerMs: number | null;
    /** The fit per full GC at the first one, and its rise to the last. */
    firstBytes: number;
    riseBytes: number;
  } | null;
  /** In how many of the steps from one full GC to the next the floor rose. */
  steadiness: { rose: number; steps: number; roseFraction: number | null };
  totals: {
    count: number;
    byKind: Partial<Record<GcEvent['kind'], number>>;
    fullGcs: number;
    pauseMs: number;
    /** From the isolate's start to the last GC (v8.GCProfiler: from start() to stop()). */
    spanMs: number | null;
    pausePercent: number | null;
  };
  verdict: GcVerdict;
}

/** What `gcLog()` returns and `heapwise gc --format json` prints. */
export interface GcReport {
  /** The path read, or `null` for a log passed as text. */
  file: string | null;
  formats: Array<'trace-gc' | 'trace-gc-nvp' | 'gc-profiler'>;
  /** The log's verdict: `rising` when any group rises, else `flat` when any has enough full GCs, else `insufficient`. */
  verdict: GcVerdict & { rising: boolean };
  /** One per process and isolate, in the order first seen. */
  groups: Array<GcGroup>;
  thresholds: { minFullGcs: number; minRoseFraction: number; minR2: number; minRiseRatio: number; minRiseBytes: number };
  /** Lines that looked like GC lines but did not read, and the like. */
  warnings: Array<string>;
}

/**
 * Reads a GC log (a path or `file:` URL, or the log itself as bytes, e.g. a Buffer, or `{ text }`): the
 * output of `node --trace-gc` or `--trace-gc-nvp` (Node 18 to 24) or a v8.GCProfiler result, and
 * tells whether the heap after each full GC rises. The JS API of `heapwise gc`. Rejects with a
 * `HeapwiseError`: `ERR_HEAPWISE_IO`, `ERR_HEAPWISE_EMPTY`, `ERR_HEAPWISE_INVALID_DATA` (no GC line).
 */
export declare function gcLog(source: string | URL | Uint8Array | { text: string }): Promise<GcReport>;

/** Bytes and blocks (allocations) of a DHAT profile or site. */
export interface DhatAmount {
  bytes: number;
  blocks: number;
}

/** A frame of a DHAT profile as DHAT's viewer shows it: `0x…: function (file:line)`, split. */
export interface DhatFrame {
  /** `0x…`; `null` when the frame had none. */
  address: string | null;
  /** The function, `???` when valgrind had no symbol. */
  function: string;
  /** `file:line` (`file:line:column` from the dhat crate), `in /lib/x.so`, or `null`. */
  location: string | null;
  /** The frame without its address: `function (location)`. */
  text: string;
}

/** An allocation site: the program points with the same innermost frames outside the allocator (docs/dhat.md). */
export interface DhatSite {
  /** The frames that name it (`matchFrames` at most), each `function (file)`, without line or address. */
  key: Array<string>;
  /** The frames of its heaviest program point, innermost first, without `[root]`. */
  frames: Array<DhatFrame>;
  /** How many of the profile's program points (`pps`) it adds up. */
  programPoints: number;
  /** Allocated over the run. */
  total: DhatAmount;
  /** Live at t-gmax (the peak); `null` without block lifetimes (`bklt`: valgrind's copy and ad-hoc modes). */
  gmax: DhatAmount | null;
  /** Live at t-end (still allocated when the profile was written); `null` without block lifetimes. */
  end: DhatAmount | null;
}

/** What `dhatProfile()` returns and `heapwise dhat A.json --format json` prints. */
export interface DhatProfile {
  /** The path read, or `null` for a profile passed as bytes or text. */
  file: string | null;
  /** `heap`, `copy`, `ad-hoc` (valgrind), `rust-heap`, `rust-ad-hoc` (the dhat crate). */
  mode: string;
  verb: string;
  command: string;
  pid: number | null;
  /** Whether the profile has block lifetimes (`bklt`: t-gmax and t-end amounts) and accesses (`bkacc`). */
  blockLifetimes: boolean;
  blockAccesses: boolean;
  /** The unit of `times` (`tu`): `instrs` (valgrind), `µs` (the dhat crate). */
  timeUnit: string;
  times: { gmax: number | null; end: number | null };
  /** The whole profile: allocated, at t-gmax and at t-end (`null` without block lifetimes). */
  totals: { total: DhatAmount; gmax: DhatAmount | null; end: DhatAmount | null };
  /** How many program points (`pps`) and sites the profile has. */
  programPoints: number;
  siteCount: number;
  /** How many frames outside the allocator name a site (3). */
  matchFrames: number;
  /** The sites with the most bytes at t-end, at t-gmax and allocated in all, most first (`top` of each). */
  top: { end: Array<DhatSite>; gmax: Array<DhatSite>; total: Array<DhatSite> };
}

/** A total of A and B, and B − A. */
export interface DhatTotalChange {
  a: DhatAmount;
  b: DhatAmount;
  delta: DhatAmount;
}

/** A site of A and B matched by its key, and how it changed. */
export interface DhatSiteChange {
  key: Array<string>;
  /** B's frames (A's for a site that disappeared). */
  frames: Array<DhatFrame>;
  a: DhatAmount;
  b: DhatAmount;
  delta: DhatAmount;
}

/** The sites that changed at one moment (t-end or t-gmax), the largest change first. */
export interface DhatSiteChanges {
  /** In both, with more (fewer) bytes in B. */
  grew: Array<DhatSiteChange>;
  shrank: Array<DhatSiteChange>;
  /** Only in B (only in A), with bytes at that moment. */
  appeared: Array<DhatSiteChange>;
  disappeared: Array<DhatSiteChange>;
  /** How many of each there were before the lists were cut to `top`. */
  counts: { grew: number; shrank: number; appeared: number; disappeared: number };
}

/** What `dhatDiff()` returns and `heapwise dhat A.json B.json --format json` prints. */
export interface DhatDiff {
  a: DhatProfile;
  b: DhatProfile;
  matchFrames: number;
  totals: { total: DhatTotalChange; gmax: DhatTotalChange | null; end: DhatTotalChange | null };
  /** `null` unless both profiles have block lifetimes. */
  end: DhatSiteChanges | null;
  gmax: DhatSiteChanges | null;
}

/** A DHAT profile: a path or `file:` URL, its bytes (e.g. a Buffer), or `{ text }`. */
export type DhatSource = string | URL | Uint8Array | { text: string };

/**
 * Reads a DHAT profile (`dhatFileVersion` 2: valgrind's `--tool=dhat`, the Rust `dhat` crate's
 * `dhat-heap.json`): its totals and the `top` (default 10) sites with the most bytes at t-end, at
 * t-gmax and allocated. The JS API of `heapwise dhat A.json`. Needs no native addon. Rejects with a
 * `HeapwiseError`: `ERR_HEAPWISE_IO`, `ERR_HEAPWISE_EMPTY`, `ERR_HEAPWISE_NOT_JSON`,
 * `ERR_HEAPWISE_INVALID_DATA` (not DHAT, or another `dhatFileVersion`).
 */
export declare function dhatProfile(source: DhatSource, options?: { top?: number }): Promise<DhatProfile>;

/**
 * Compares two DHAT profiles, A then B (two builds of a program): the totals' differences and the
 * sites that grew, shrank, appeared or disappeared at t-end and at t-gmax, matched by their
 * innermost 3 frames outside the allocator (docs/dhat.md). The JS API of `heapwise dhat A.json
 * B.json`. Rejects as `dhatProfile()` does.
 */
export declare function dhatDiff(a: DhatSource, b: DhatSource, options?: { top?: number }): Promise<DhatDiff>;
