'use strict';
// watch(): follows a series of heap snapshots (a folder they land in, snapshots captured on a
// schedule, or a list of files) and the memory of a process tree; reports each snapshot's compact
// summary, what grows (the engine's findings: the object that holds each growth, how fast it
// grows, the code that fills it; the same rule as diff and expectNoLeak), leaks (a finding the
// evidence calls a leak, or diff's verdict thresholds crossed between the first and the latest
// snapshot) and memory samples. Each snapshot is added to a native Series (one parse, off the JS
// thread; the Series keeps at most six footprints), so memory stays flat over a long series; the
// snapshots of each process (the pid in Node's file names) are a series of their own. With
// `command`, it starts the program itself (lib/watch/run.js: NODE_OPTIONS, the snapshot signal,
// the preload's samples); with `gcLog` or `traceGc` it reads a GC log (lib/watch/gc-feed.js); and
// `series().layers` is the verdict across layers (lib/watch/layers.js).
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { FolderSource, CaptureSource, SNAPSHOT_FILE } = require('./sources.js');
const { classFilter } = require('./class-filter.js');
const { sampleTree, processExists, hasProcfs } = require('./process-memory.js');
const { ProgramRun } = require('./run.js');
const { GcFeed } = require('./gc-feed.js');
const { layerVerdict } = require('./layers.js');
const { HeapwiseError, invalidArgument: invalid, toPath } = require('../core.js');

/**
 * What a Watcher uses of the API, handed over by the entry (index.js).
 * @typedef {object} WatchApi
 * @property {typeof import('../../index').analyze} analyze
 * @property {typeof import('../../index').diffBaseline} diffBaseline
 * @property {() => { addAnalysis(analysis: import('../../index').HeapAnalysis, options?: Record<string, any>): Promise<import('../../binding').SeriesStep> }} newSeries
 * @property {typeof import('../../binding').ClassFilter} ClassFilter
 */

/**
 * One process's series: its findings (`engine`), its snapshots' watch indexes, its first snapshot
 * (`baseline`) and, with thresholds, that snapshot reduced (`reduced`) and the latest comparison
 * with it not yet checked (`compared`).
 * @typedef {object} WatchedProcess
 * @property {ReturnType<WatchApi['newSeries']>} engine
 * @property {number[]} indexes
 * @property {{ file: string, index: number } | null} baseline
 * @property {import('../../index').DiffBaseline | null} reduced
 * @property {{ index: number, diff: import('../../index').HeapDiff } | null} compared
 * @property {number} checkedIndex
 * @property {import('../../index').WatchSnapshot | null} last
 */

/** How many holders of memory outside the JS object graph each snapshot keeps. */
const EXTERNAL_HOLDERS = 10;

/**
 * externalMemory()'s result as a WatchSnapshot keeps it: bytes per kind, the holders' ids, names,
 * paths and amounts.
 * @param {import('../../binding').ExternalMemory} x
 * @returns {import('../../index').WatchExternal}
 */
function compactExternal(x) {
  return {
    bytes: Object.fromEntries(x.totals.map((t) => [t.kind, t.bytes])),
    holders: x.holders.items.map((h) => ({
      kind: h.kind,
      holder: h.holder ? { id: h.holder.id, name: h.holder.name.slice(0, 200), className: h.holder.className } : null,
      pathText: h.pathText,
      count: h.count,
      bytes: h.bytes,
    })),
  };
}

/** How many classes each snapshot of the series keeps (largest retained size first). */
const SERIES_CLASSES = 50;
/** Node's snapshot file names (v8.writeHeapSnapshot(), --heapsnapshot-signal, near-heap-limit). */
const NODE_SNAPSHOT_NAME = /^Heap\.\d{8}\.\d{6}\.(\d+)\.\d+\.\d+\.heapsnapshot$/;

function wholeMs(v, what, min = 1) {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw invalid(`${what} must be a number of milliseconds >= ${min}, got ${v}`);
  return Math.round(v);
}

/**
 * Codes of analyze() that mean "this file is not a usable snapshot" (skipped, not an error of the
 * watcher): a choice among the codes, which are defined once, by the engine (errorCodes()).
 * @type {Array<import('../../index').HeapwiseErrorCode>}
 */
const SKIP_CODE_LIST = [
  'ERR_HEAPWISE_IO',
  'ERR_HEAPWISE_EMPTY',
  'ERR_HEAPWISE_TRUNCATED',
  'ERR_HEAPWISE_NOT_JSON',
  'ERR_HEAPWISE_NOT_A_SNAPSHOT',
  'ERR_HEAPWISE_UNSUPPORTED_VERSION',
  'ERR_HEAPWISE_INVALID_DATA',
];
const SKIP_CODES = new Set(SKIP_CODE_LIST);

/**
 * A running watch. An EventEmitter ('snapshot', 'skipped', 'growth', 'leak', 'sample', 'error',
 * 'close') and an async iterable of the same events as `{ type, ... }` objects, which ends when
 * the watcher closes. Its timers are unref()'d: it never keeps the process alive by itself.
 */
class Watcher extends EventEmitter {
  /**
   * @param {import('../../index').WatchOptions} options
   * @param {WatchApi} api the entry's analyze() and diff() (queued, errors adopted) and the
   *   engine's ClassFilter: watch never loads the addon itself
   */
  constructor(options, api) {
    super();
    this._api = api;
    const o = options || {};
    if (typeof o !== 'object') throw invalid('watch() takes an options object');
    const sources = ['dir', 'capture', 'files', 'command'].filter((k) => o[k] !== undefined && o[k] !== null);
    // with `command`, `dir` is where the program's snapshots go (and stay)
    const clash = o.command !== undefined && o.command !== null ? sources.filter((k) => k !== 'dir') : sources;
    if (clash.length > 1) throw invalid(`watch() takes one source, got ${clash.join(' and ')}`);
    this._opts = o;
    this._intervalMs = o.intervalMs === undefined ? 1000 : wholeMs(o.intervalMs, 'intervalMs', 10);
    this._sampleMs = o.sampleIntervalMs === undefined ? this._intervalMs : wholeMs(o.sampleIntervalMs, 'sampleIntervalMs', 10);
    if (/** @type {any} */ (o).growth !== undefined && /** @type {any} */ (o).growth !== null) {
      throw invalid('growth (the k-of-n class rule) was replaced by findings: what grows is what the engine finds holding the growth');
    }
    try {
      this._keep = classFilter(api.ClassFilter, { ignore: o.ignore || [], includeInternal: !!o.includeInternal });
    } catch (e) {
      throw invalid(e.message);
    }
    if (o.callsPerStep !== undefined && o.callsPerStep !== null && !(typeof o.callsPerStep === 'number' && o.callsPerStep > 0)) {
      throw invalid(`callsPerStep must be a number > 0, got ${o.callsPerStep}`);
    }
    this._callsPerStep = o.callsPerStep || null;
    this._onlyThresholds = !!o.onlyThresholds;
    this._thresholds = {};
    for (const k of ['maxGrowthBytes', 'maxNewObjects']) {
      if (o[k] === undefined || o[k] === null) continue;
      if (typeof o[k] !== 'number' || !(o[k] >= 0)) throw invalid(`${k} must be a number >= 0, got ${o[k]}`);
      this._thresholds[k] = o[k];
    }
    if (o.classLimits && Object.keys(o.classLimits).length) this._thresholds.classLimits = o.classLimits;
    this._maxMemory = o.maxMemory === undefined || o.maxMemory === null ? null : o.maxMemory;
    this._maxSamples = o.maxSamples === undefined ? 10000 : Math.max(2, Math.round(o.maxSamples));
    this._onProgress = typeof o.onProgress === 'function' ? o.onProgress : null;

    /** @type {Record<string, any>} */
    const source = { kind: o.command !== undefined && o.command !== null ? 'command' : sources[0] || 'none' };
    this._run = null;
    if (source.kind === 'command') {
      if (!Array.isArray(o.command) || !o.command.length || !o.command.every((a) => typeof a === 'string') || !o.command[0])
        throw invalid('command must be an array of strings: [program, ...arguments]');
      if (o.pid !== undefined && o.pid !== null)
        throw invalid('command and pid exclude each other: the program started is the process sampled');
      if (!hasProcfs()) throw invalid("command needs /proc (Linux): the program's process tree is read from it");
      if (o.dir !== undefined && o.dir !== null && typeof o.dir !== 'string' && !(o.dir instanceof URL))
        throw invalid('dir must be a path (string or file: URL)');
      this._snapshotMs =
        o.snapshotIntervalMs === undefined || o.snapshotIntervalMs === null
          ? null
          : wholeMs(o.snapshotIntervalMs, 'snapshotIntervalMs', 10);
      const stdin = o.stdin === undefined ? 'inherit' : o.stdin;
      if (!['inherit', 'ignore', 'pipe'].includes(stdin)) throw invalid(`stdin must be 'inherit', 'ignore' or 'pipe', got ${stdin}`);
      this._run = new ProgramRun({
        command: o.command,
        dir: o.dir === undefined || o.dir === null ? null : toPath(o.dir),
        traceGc: !!o.traceGc,
        sampleMs: this._sampleMs,
        stdin,
        stdout: o.stdout || process.stdout,
      });
      this._folder = new FolderSource(this._run.dir);
      source.dir = this._run.dir;
      source.command = o.command.slice();
    } else if (o.traceGc) {
      throw invalid('traceGc needs command: it turns on --trace-gc in the program heapwise starts');
    }
    this._gc = null;
    if (o.gcLog !== undefined && o.gcLog !== null) {
      if (typeof o.gcLog !== 'string' && !(o.gcLog instanceof URL)) throw invalid('gcLog must be a path (string or file: URL)');
      this._gc = new GcFeed(path.resolve(toPath(o.gcLog)));
      source.gcLog = this._gc.file;
    } else if (this._run && o.traceGc) {
      this._gc = new GcFeed(null);
    }
    if (this._gc && this._run && o.traceGc) this._run.on('gc-line', (line) => /** @type {GcFeed} */ (this._gc).line(line));
    if (source.kind === 'command') {
      // the folder is the program's (set above)
    } else if (o.dir !== undefined && o.dir !== null) {
      if (typeof o.dir !== 'string' && !(o.dir instanceof URL)) throw invalid('dir must be a path (string or file: URL)');
      const dir = toPath(o.dir);
      let st;
      try {
        st = fs.statSync(dir);
      } catch (e) {
        throw new HeapwiseError(`cannot watch ${dir}: ${e.code === 'ENOENT' ? 'no such folder' : e.message}`, 'ERR_HEAPWISE_IO');
      }
      if (!st.isDirectory()) {
        throw new HeapwiseError(`cannot watch ${dir}: not a folder`, 'ERR_HEAPWISE_IO');
      }
      const match = o.match === undefined ? SNAPSHOT_FILE : o.match;
      if (!(match instanceof RegExp)) throw invalid('match must be a RegExp');
      this._folder = new FolderSource(dir, { match });
      source.dir = this._folder.dir;
    } else if (o.capture !== undefined && o.capture !== null) {
      const c = o.capture === true ? {} : o.capture;
      if (typeof c !== 'object') throw invalid('capture must be an object { intervalMs, dir?, worker? }');
      this._captureMs = c.intervalMs === undefined ? 60_000 : wholeMs(c.intervalMs, 'capture.intervalMs', 10);
      if (c.worker && typeof c.worker.getHeapSnapshot !== 'function') throw invalid('capture.worker must be a worker_threads Worker');
      this._capture = new CaptureSource({ dir: c.dir, worker: c.worker });
      this._keepCaptures = c.keep === undefined ? !this._capture.ownDir : !!c.keep;
      source.dir = this._capture.dir;
      if (c.worker) source.threadId = c.worker.threadId;
    } else if (o.files !== undefined && o.files !== null) {
      if (!Array.isArray(o.files)) throw invalid('files must be an array of paths');
      this._files = o.files.map((f) => {
        if (typeof f !== 'string' && !(f instanceof URL)) throw invalid('files must be an array of paths (strings or file: URLs)');
        return path.resolve(toPath(f));
      });
      source.files = this._files.slice();
    }

    let pid = o.pid;
    if (pid === undefined) pid = this._capture ? process.pid : null;
    if (this._run) {
      this._pid = null; // the program's, once it runs
    } else if (pid !== null && pid !== false) {
      if (!Number.isSafeInteger(pid) || pid <= 0) throw invalid(`pid must be a process id, got ${pid}`);
      if (pid !== process.pid && !hasProcfs())
        throw invalid('sampling another process needs /proc (Linux); only this process can be sampled here');
      if (!processExists(pid)) {
        throw new HeapwiseError(`no process with pid ${pid}`, 'ERR_HEAPWISE_INVALID_ARGUMENT');
      }
      this._pid = pid;
      source.pid = pid;
    } else {
      this._pid = null;
    }
    if (source.kind === 'none' && this._pid === null && !this._gc)
      throw invalid('watch() needs a source: dir, capture, files or command (or a pid to sample, or a gcLog)');

    this._series = {
      schemaVersion: 1,
      source,
      startedAt: Date.now(),
      snapshots: [],
      samples: [],
      growth: [],
      findings: [],
      leaks: [],
      skipped: [],
      errors: [],
    };
    /**
     * Per process (the pid of Node's file names; 'unknown' for other names): its native Series,
     * the watch indexes of its snapshots (the Series' own indexes are positions in this list),
     * its leak baseline and the last snapshot checked against it.
     * @type {Map<number | 'unknown', WatchedProcess>}
     */
    this._processes = new Map();
    this._lastPid = undefined;
    this._growthByName = new Map();
    this._leakKeys = new Map();
    this._iterators = new Set();
    this._timers = new Set();
    this._inflight = null;
    this._closed = false;
    this._closing = null;
    this._busy = Promise.resolve();
    this._once = !!o.once || !!this._files;

    // A one-shot run (files, once) is finite work the caller waits for, so it keeps the process
    // alive until done; the periodic timers of a live watch never do.
    setImmediate(() => this._start());
  }

  /** True once close() was called. */
  get closed() {
    return this._closed;
  }

  /** The folder snapshots are read from or captured into, if any. */
  get dir() {
    return this._series.source.dir;
  }

  /** The series so far: a plain, JSON-serialisable WatchSeries (a copy). */
  series() {
    const s = JSON.parse(JSON.stringify(this._series));
    if (this._gc) s.gc = this._gc.report();
    s.layers = layerVerdict(s);
    return s;
  }

  /** The program started with `command`, while it runs: its pid; else null. */
  get pid() {
    return this._run ? this._run.pid : this._pid;
  }

  /**
   * With `command`: asks every Node process of the program's tree for a heap snapshot (the
   * snapshot signal; never sent to any other process). Resolves to the pids signalled.
   * @returns {Promise<number[]>}
   */
  async snapshot() {
    if (!this._run || this._closed) return [];
    const pids = await this._run.snapshot();
    this._event({ type: 'signal', pids, time: Date.now() });
    return pids;
  }

  /**
   * Ends the watch: with `command`, sends `signal` (default SIGINT) to the program and finishes
   * once it has exited (the snapshots written are analysed); otherwise as finish().
   * @param {'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'SIGQUIT' | 'SIGKILL'} [signal]
   */
  stop(signal = 'SIGINT') {
    if (this._run && this._run.running) {
      this._run.signal(signal);
      return this._closed ? this._closing : new Promise((resolve) => this.once('close', resolve));
    }
    return this.finish();
  }

  /** Stops watching: timers cleared, the analysis under way aborted; resolves once all is settled. */
  close() {
    if (this._closing) return this._closing;
    this._closed = true;
    for (const t of this._timers) clearTimeout(t);
    this._timers.clear();
    if (this._inflight) this._inflight.abort();
    this._closing = (async () => {
      await this._busy.catch(() => {});
      if (this._capture && !this._keepCaptures) await this._capture.dispose();
      if (this._run) {
        // a program still running when the watch closes is ended: heapwise started it
        if (this._run.running) {
          this._run.signal('SIGTERM');
          await new Promise((resolve) => {
            const t = setTimeout(() => {
              if (this._run) this._run.signal('SIGKILL');
            }, 5000);
            /** @type {ProgramRun} */ (this._run).once('exit', () => {
              clearTimeout(t);
              resolve(undefined);
            });
          });
        }
        this._series.run = this._runInfo();
        await this._run.dispose();
      }
      for (const it of this._iterators) it.end();
      this._iterators.clear();
      this.emit('close');
    })();
    return this._closing;
  }

  /**
   * Stops after the work at hand: a folder is scanned once more (files still being written are
   * reported, not waited for) and what is ready is analysed; a capture under way is finished; a
   * list of files is worked through. Then the watcher closes. Resolves once it is closed.
   */
  finish() {
    if (!this._closed && !this._finishing) {
      this._finishing = true;
      this._once = true;
      if (this._folder) {
        if (this._pollTimer) {
          clearTimeout(this._pollTimer);
          this._timers.delete(this._pollTimer);
          this._pollTimer = null;
          this._poll();
        }
        // else a scan is under way (or about to start) and ends the watch, seeing _once
      } else if (this._capture) {
        if (this._captureTimer) {
          clearTimeout(this._captureTimer);
          this._timers.delete(this._captureTimer);
          this._serial(() => {}).then(() => this.close());
        }
      } else if (!this._files) {
        this.close();
      }
    }
    return this._closed ? this._closing : new Promise((resolve) => this.once('close', resolve));
  }

  [Symbol.asyncDispose]() {
    return this.close();
  }

  [Symbol.asyncIterator]() {
    const queue = [];
    let wake = null;
    let ended = false;
    const it = {
      push: (ev) => {
        queue.push(ev);
        if (wake) wake();
      },
      end: () => {
        ended = true;
        if (wake) wake();
      },
    };
    if (this._closed) ended = true;
    else this._iterators.add(it);
    const self = this;
    return {
      async next() {
        while (queue.length === 0) {
          if (ended) return { value: undefined, done: true };
          await new Promise((resolve) => {
            wake = () => {
              wake = null;
              resolve();
            };
          });
        }
        return { value: queue.shift(), done: false };
      },
      async return() {
        ended = true;
        self._iterators.delete(it);
        queue.length = 0;
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  // -------------------------------------------------------------------------------------------

  _event(ev) {
    for (const it of this._iterators) it.push(ev);
    if (ev.type === 'error') {
      // An 'error' nobody listens to must not crash the process that watches (often a service):
      // it becomes a process warning instead.
      if (this.listenerCount('error') > 0) this.emit('error', ev.error);
      else if (this._iterators.size === 0) process.emitWarning(ev.error.message, { code: ev.error.code, type: 'HeapwiseWatchWarning' });
      return;
    }
    this.emit(ev.type, ev);
  }

  /**
   * @param {string | Error} message
   * @param {import('../../index').HeapwiseErrorCode | undefined} code
   * @param {Record<string, unknown>} [extra]
   */
  _error(message, code, extra = {}) {
    /** @type {Error & { code?: string }} */
    const error = message instanceof Error ? message : new HeapwiseError(message, code);
    if (!error.code && code) error.code = code;
    Object.assign(error, extra);
    this._series.errors.push({ time: Date.now(), code: error.code || null, message: error.message, ...extra });
    this._event({ type: 'error', error });
  }

  /** A timer that never keeps the process alive (unless `ref`: bounded one-shot work). */
  _timer(ms, fn, ref = false) {
    const t = setTimeout(() => {
      this._timers.delete(t);
      if (!this._closed) fn();
    }, ms);
    if (!ref) t.unref();
    this._timers.add(t);
    return t;
  }

  /**
   * Runs `fn` after everything queued before it (snapshots are processed one at a time); an
   * unexpected exception becomes an 'error' event.
   */
  _serial(fn) {
    const run = this._busy
      .then(() => (this._closed ? undefined : fn()))
      .catch((e) => {
        if (!this._closed) this._error(e instanceof Error ? e : new Error(String(e)), e && e.code ? e.code : 'ERR_HEAPWISE_INTERNAL');
      });
    this._busy = run;
    return run;
  }

  /** What the series says of the program started with `command`. */
  _runInfo() {
    const r = /** @type {ProgramRun} */ (this._run);
    return {
      command: r.command.slice(),
      pid: r.pid,
      exitCode: r.exit ? r.exit.code : null,
      signal: r.exit ? r.exit.signal : null,
      nodeProcesses: [...r.processes.entries()].filter(([, p]) => p.start !== undefined).map(([pid, p]) => ({ pid, node: p.node })),
      keptDir: r.keep ? r.dir : null,
      traceGc: r.traceGc,
    };
  }

  async _startRun() {
    const run = /** @type {ProgramRun} */ (this._run);
    try {
      this._pid = await run.start();
    } catch (e) {
      this._series.run = { ...this._runInfo(), error: e.message };
      this._error(`cannot start ${run.command[0]}: ${e.message}`, 'ERR_HEAPWISE_INVALID_ARGUMENT', { command: run.command });
      this.close();
      return;
    }
    this._series.source.pid = this._pid;
    this._series.run = this._runInfo();
    this._event({ type: 'start', pid: this._pid, command: run.command.slice(), dir: run.dir });
    run.once('exit', (exit) => {
      if (this._snapshotTimer) {
        clearTimeout(this._snapshotTimer);
        this._timers.delete(this._snapshotTimer);
        this._snapshotTimer = null;
      }
      this._series.run = this._runInfo();
      this._event({ type: 'exit', pid: this._pid, code: exit.code, signal: exit.signal });
      // the last samples, GC lines and snapshots, then the end
      this._sampleOnce().finally(() => this.finish());
    });
    if (this._snapshotMs) {
      const tick = () => {
        if (!run.running) return;
        this._snapshotTimer = this._timer(/** @type {number} */ (this._snapshotMs), () => {
          this.snapshot().finally(tick);
        });
      };
      tick();
    }
  }

  _start() {
    if (this._closed) return;
    if (this._run) {
      this._startRun().then(() => {
        if (this._closed) return;
        this._sample();
        this._poll();
      });
      return;
    }
    if (this._pid !== null || this._gc) this._sample();
    if (this._folder) this._poll();
    else if (this._capture) this._captureNext();
    else if (this._files) {
      this._serial(async () => {
        for (const file of this._files) {
          if (this._closed) return;
          await this._analyse({ file, time: null });
        }
        await this._leaksDue();
      }).then(() => this.close());
    }
  }

  /**
   * One sample of the process tree (with `command`, process.memoryUsage() of its Node processes
   * from the preload, summed over those in the tree) and a read of the GC log. Resolves to the
   * sample, null when the process is gone, undefined when it could not be taken.
   */
  async _sampleOnce() {
    if (this._gc) {
      const problem = await this._gc.poll();
      if (problem) this._error(problem, 'ERR_HEAPWISE_IO', { file: this._gc.file });
      this._gcLeak();
    }
    if (this._pid === null) return undefined;
    const run = this._run;
    if (run) await run.readMemory();
    try {
      return await sampleTree(this._pid, run ? { runtime: (pids) => this._runtimeOf(pids) } : undefined);
    } catch (e) {
      this._error(`cannot sample the memory of process ${this._pid}: ${e.message}`, 'ERR_HEAPWISE_IO');
      return undefined;
    }
  }

  /**
   * process.memoryUsage() summed over the Node processes among `pids` whose latest preload sample
   * is recent (3 sample intervals); null when none is.
   * @param {number[]} pids
   */
  _runtimeOf(pids) {
    const run = /** @type {ProgramRun} */ (this._run);
    const now = Date.now();
    const sum = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
    let any = false;
    for (const pid of pids) {
      const p = run.processes.get(pid);
      const last = p && p.samples[p.samples.length - 1];
      if (!last || now - last.t > 3 * this._sampleMs + 1000) continue;
      any = true;
      for (const k of /** @type {Array<keyof typeof sum>} */ (Object.keys(sum))) sum[k] += last[k];
    }
    if (run.processes.size > 0)
      for (const p of run.processes.values()) if (p.samples.length > 200) p.samples.splice(0, p.samples.length - 1);
    return any ? sum : null;
  }

  /** Flags a GC floor that rises (the rule of `heapwise gc`), as a finding is flagged. */
  _gcLeak() {
    if (!this._gc || this._onlyThresholds || Object.keys(this._thresholds).length) return;
    const r = this._gc.report();
    if (!r || r.verdict.kind !== 'rising') return;
    this._flag({ name: '(GC floor)', kind: 'gcFloor', reason: r.verdict.message, index: -1, baseline: -1 });
  }

  async _sample() {
    const s = await this._sampleOnce();
    if (this._closed) return;
    if (s === null) {
      if (!this._run)
        this._error(`process ${this._pid} exited; memory sampling stopped`, 'ERR_HEAPWISE_PROCESS_EXITED', { pid: this._pid });
      return;
    }
    if (s) {
      const samples = this._series.samples;
      samples.push(s);
      if (samples.length > this._maxSamples) {
        // halve the resolution of the history instead of dropping its start: the series keeps
        // covering the whole watch
        const kept = samples.filter((_, i) => i % 2 === 0 || i === samples.length - 1);
        samples.length = 0;
        samples.push(...kept);
      }
      this._event({ type: 'sample', ...s });
    }
    this._timer(this._sampleMs, () => this._sample());
  }

  async _poll(final = false) {
    this._polling = true;
    try {
      await this._pollOnce(final);
    } finally {
      this._polling = false;
    }
  }

  async _pollOnce(final) {
    let scan;
    try {
      scan = await this._folder.scan({ final, lastChance: (this._extraScans || 0) >= 3 });
    } catch (e) {
      this._error(`cannot list ${this._folder.dir}: ${e.message}`, 'ERR_HEAPWISE_IO');
      scan = { ready: [], skipped: [], fresh: 0 };
    }
    if (this._closed) return;
    for (const s of scan.skipped) this._skip(s);
    await this._serial(async () => {
      for (const f of scan.ready) {
        if (this._closed) return;
        const ok = await this._analyse({ file: f.file, time: f.mtimeMs, name: f.name });
        if (ok !== undefined) await this._folder.settle(f.name, ok === true, ok === true ? null : ok);
        if (ok === true) {
          // reported while it was being written, analysed now: no longer a skipped file
          const names = new Set([f.file, path.join(this._folder.dir, f.name)]);
          this._series.skipped = this._series.skipped.filter((x) => !names.has(x.file));
        }
      }
      if (this._once) await this._leaksDue();
    });
    if (this._closed) return;
    if (this._once) {
      // one-shot (or finishing): a second scan after a short pause tells complete files from
      // growing ones; files that appeared or changed meanwhile get another (at most 3 more, the
      // last of which reports what still changes)
      if (final && !(scan.fresh > 0 && (this._extraScans = (this._extraScans || 0) + 1) <= 3)) return this.close();
      return this._timer(Math.min(this._intervalMs, 1000), () => this._poll(true), true);
    }
    this._pollTimer = this._timer(this._intervalMs, () => {
      this._pollTimer = null;
      this._poll();
    });
  }

  _captureNext() {
    this._serial(async () => {
      let shot;
      try {
        shot = await this._capture.capture();
      } catch (e) {
        if (this._capture.exited) {
          this._captureDone = true;
          this._error('the worker thread exited; capture stopped', 'ERR_HEAPWISE_PROCESS_EXITED', {
            threadId: this._series.source.threadId,
          });
        } else {
          this._error(`cannot capture a heap snapshot: ${e.message}`, 'ERR_HEAPWISE_IO');
        }
        return;
      }
      if (this._closed) return;
      const prev = this._series.snapshots.length ? this._series.snapshots[this._series.snapshots.length - 1].file : null;
      await this._analyse(shot);
      if (this._once) await this._leaksDue();
      // Without keep, only the baseline and the latest capture stay on disk (diff compares them).
      const base = [...this._processes.values()].map((p) => p.baseline && p.baseline.file);
      if (!this._keepCaptures && prev && prev !== shot.file && !base.includes(prev)) {
        await this._capture.remove(prev);
      }
    }).finally(() => {
      if (this._closed || this._captureDone) return;
      if (this._once) this.close();
      else this._captureTimer = this._timer(this._captureMs, () => this._captureNext());
    });
  }

  /** @param {{ file: string, code: import('../../index').HeapwiseErrorCode, message: string }} skipped */
  _skip({ file, code, message }) {
    const entry = { time: Date.now(), file, code, message };
    this._series.skipped.push(entry);
    this._event({ type: 'skipped', ...entry });
  }

  /**
   * Analyses one file. Returns true when it became a snapshot of the series, the error code
   * when it was skipped, undefined when the watcher closed meanwhile.
   * @param {{ file: string, time: number | null, name?: string }} what
   */
  async _analyse({ file, time }) {
    const ctrl = new AbortController();
    this._inflight = ctrl;
    const progress = this._onProgress ? (p) => this._onProgress({ file, ...p }) : undefined;
    // Node names its snapshots Heap.<date>.<time>.<pid>.<tid>.<seq>.heapsnapshot: a new pid is
    // a new process (a restart), whose heap is not comparable with the old one's. The findings'
    // series and the leak baseline start again from its first snapshot.
    // Snapshots of several processes (the Node processes of a program's tree) are series of
    // their own, never compared with each other.
    const m = NODE_SNAPSHOT_NAME.exec(path.basename(file));
    const pid = m ? Number(m[1]) : undefined;
    const key = pid === undefined ? 'unknown' : pid;
    const restart = pid !== undefined && this._lastPid !== undefined && pid !== this._lastPid && !this._processes.has(pid);
    const index = this._series.snapshots.length ? this._series.snapshots[this._series.snapshots.length - 1].index + 1 : 0;
    let proc = this._processes.get(key);
    const fresh = !proc;
    if (!proc)
      proc = { engine: this._api.newSeries(), indexes: [], baseline: null, reduced: null, compared: null, checkedIndex: -1, last: null };
    let step;
    let statistics;
    let external;
    const opts = {
      signal: ctrl.signal,
      onProgress: progress,
      ...(this._maxMemory !== null ? { maxMemory: this._maxMemory } : {}),
    };
    try {
      // one parse: the analysis gives the Statistics (typed arrays: the ArrayBuffer layer), the
      // Series the findings
      const analysis = await this._api.analyze(file, opts);
      try {
        statistics = analysis.statistics();
        external = compactExternal(await analysis.externalMemory({ limit: EXTERNAL_HOLDERS, classLimit: 0 }));
        step = await proc.engine.addAnalysis(analysis, {
          signal: ctrl.signal,
          top: 10,
          ...(this._callsPerStep ? { callsPerStep: this._callsPerStep } : {}),
        });
        // The thresholds compare each snapshot with the process's first one, reduced and kept in
        // native memory (a DiffBaseline): no file is read twice.
        if (Object.keys(this._thresholds).length) {
          if (!proc.reduced) proc.reduced = await this._api.diffBaseline(analysis);
          else proc.compared = { index, diff: await proc.reduced.diff(analysis, this._diffOptions(ctrl.signal, file)) };
        }
      } finally {
        analysis.close();
      }
    } catch (e) {
      this._inflight = null;
      if (this._closed) return undefined;
      if (e instanceof HeapwiseError && SKIP_CODES.has(e.code)) {
        const why = e.code === 'ERR_HEAPWISE_TRUNCATED' ? ' (killed while writing, or still being written)' : '';
        this._skip({ file, code: e.code, message: `${e.message}${why}; not analysed` });
        return e.code;
      }
      this._error(e, e.code, { file });
      return e.code || 'ERR_HEAPWISE_INTERNAL';
    }
    this._inflight = null;
    if (time === null) {
      try {
        time = fs.statSync(file).mtimeMs;
      } catch {
        time = Date.now();
      }
    }
    const byName = new Map();
    for (const r of step.classes) {
      if (!this._keep(r.name)) continue;
      const c = byName.get(r.name);
      if (c) {
        c.count += r.count;
        c.shallowSize += r.shallowSize;
        c.retainedSize += r.retainedSize;
      } else {
        byName.set(r.name, { name: r.name, count: r.count, shallowSize: r.shallowSize, retainedSize: r.retainedSize });
      }
    }
    const classes = [...byName.values()].sort((x, y) => y.retainedSize - x.retainedSize);
    const snap = /** @type {import('../../index').WatchSnapshot} */ ({
      index,
      file: path.resolve(file),
      time: Math.round(time),
      nodeCount: step.nodeCount,
      edgeCount: step.edgeCount,
      totalSize: step.totalSize,
      statistics,
      external,
      classes: classes.slice(0, SERIES_CLASSES),
    });
    if (pid !== undefined) snap.pid = pid;
    if (fresh) this._processes.set(key, proc);
    proc.indexes.push(index);
    proc.last = snap;
    if (restart) {
      snap.restart = true;
      // a restarted service: what grew in the old process is not what grows now
      if (!this._run) this._growthByName.clear();
    }
    if (pid !== undefined) this._lastPid = pid;
    this._series.snapshots.push(snap);
    if (!proc.baseline) proc.baseline = { file: snap.file, index: snap.index };
    this._event({ type: 'snapshot', ...snap });
    // What grows: the engine's findings against the earlier snapshots of this process, as soon
    // as there are two; more snapshots, more evidence (steady growth).
    const growth = step.findings.map((f) => this._growthEntry(f, snap.index, /** @type {NonNullable<typeof proc>} */ (proc), pid));
    // The latest ranked findings, as diff's JSON carries them.
    this._series.findings = step.findings;
    for (const g of growth) {
      this._growthByName.set(`${pid ?? ''}:${g.name}`, g);
      this._event({ type: 'growth', ...g });
    }
    this._series.growth = [...this._growthByName.values()].sort((x, y) => Number(y.leak) - Number(x.leak) || y.sizeDelta - x.sizeDelta);
    if (!this._onlyThresholds && !Object.keys(this._thresholds).length) {
      for (const g of growth.filter((x) => x.leak)) {
        this._flag({
          name: g.name,
          kind: 'finding',
          reason: `${g.finding.message} (snapshot ${proc.baseline.index} to ${snap.index}${this._processes.size > 1 && pid !== undefined ? `, process ${pid}` : ''})`,
          index: snap.index,
          baseline: proc.baseline.index,
          finding: g.finding,
          ...(pid !== undefined ? { pid } : {}),
        });
      }
    }
    // A live watch checks every snapshot; a one-shot run (a backlog of files) checks the latest
    // one of each batch, which _leaksDue() does.
    if (!this._once) await this._checkLeaks(proc);
    return true;
  }

  /**
   * A growth entry of the series from a finding at snapshot `index`: the holder's name, its
   * growth over the snapshots the engine kept (watch indexes), and the finding itself.
   * @param {import('../../binding').Finding} f
   * @param {number} index
   * @param {{ indexes: number[] }} proc the process whose Series found it
   * @param {number | undefined} pid
   */
  _growthEntry(f, index, proc, pid) {
    const g = f.growth;
    const snapshots = g.snapshots.map((i) => proc.indexes[i]);
    let members = 0;
    const counts = g.members.map((k) => (members += k));
    const known = g.retained.filter((v) => Number.isFinite(v));
    return {
      name: f.holder.name,
      description: f.holder.description,
      leak: f.leak,
      message: f.message,
      index,
      grewIn: g.stepsGrown,
      window: g.steps,
      fromIndex: snapshots[0],
      snapshots,
      countDelta: members,
      sizeDelta: known.length ? known[known.length - 1] - known[0] : 0,
      counts,
      sizes: g.retained,
      pathText: f.pathText,
      finding: f,
      ...(pid !== undefined ? { pid } : {}),
    };
  }

  /**
   * The options of the thresholds' comparison: the thresholds, only them in the verdict, no
   * findings (the Series has them), the class filter.
   * @param {AbortSignal} signal
   * @param {string} file the snapshot compared (for progress)
   */
  _diffOptions(signal, file) {
    const o = this._opts;
    /** @type {Record<string, any>} */
    const opts = { ...this._thresholds, signal, top: 1, onlyThresholds: true, findings: false };
    if (this._maxMemory !== null) opts.maxMemory = this._maxMemory;
    if (o.ignore) opts.ignore = o.ignore;
    if (o.includeInternal) opts.includeInternal = true;
    if (this._onProgress) opts.onProgress = (p) => this._onProgress({ file, diff: true, ...p });
    return opts;
  }

  /** Records a leak once per kind and name; the first time, an event. */
  _flag(leak) {
    const key = `${leak.kind}:${leak.pid ?? ''}:${leak.name}`;
    const known = this._leakKeys.has(key);
    this._leakKeys.set(key, leak);
    if (!known) this._event({ type: 'leak', ...leak });
    this._series.leaks = [...this._leakKeys.values()];
  }

  /** Checks the thresholds on the latest snapshot of each process if that was not done yet. */
  async _leaksDue() {
    for (const proc of this._processes.values()) if (!this._closed) await this._checkLeaks(proc);
  }

  /**
   * Evaluates diff's verdict thresholds between a process's baseline (its first snapshot) and its
   * latest snapshot.
   * @param {WatchedProcess} proc
   */
  async _checkLeaks(proc) {
    const snap = proc.last;
    if (
      this._closed ||
      !snap ||
      !proc.baseline ||
      !Object.keys(this._thresholds).length ||
      snap.index === proc.baseline.index ||
      snap.index === proc.checkedIndex
    )
      return;
    const compared = proc.compared;
    if (!compared || compared.index !== snap.index) return;
    proc.checkedIndex = snap.index;
    proc.compared = null;
    const baseline = proc.baseline;
    const d = compared.diff;
    // The verdict is data: each reason says which threshold, for which class.
    const names = { growth: '(heap)', 'new-objects': '(new objects)' };
    const kinds = { growth: 'maxGrowthBytes', 'new-objects': 'maxNewObjects', 'class-count': 'maxCount', 'class-size': 'maxSize' };
    for (const r of d.verdict.reasons) {
      if (!(r.kind in kinds)) continue;
      this._flag({
        name: names[r.kind] || r.className || '(class)',
        reason: `${r.message} (snapshot ${baseline.index} to ${snap.index})`,
        kind: kinds[r.kind],
        index: snap.index,
        baseline: baseline.index,
      });
    }
  }
}

module.exports = { Watcher };
