'use strict';
// watch(): follows a series of heap snapshots (a folder they land in, snapshots captured on a
// schedule, or a list of files) and the memory of a process tree; reports each snapshot's compact
// summary, what grows (the engine's findings: the object that holds each growth, how fast it
// grows, the code that fills it; the same rule as diff and expectNoLeak), leaks (a finding the
// evidence calls a leak, or diff's verdict thresholds crossed between the first and the latest
// snapshot) and memory samples. Each snapshot is added to a native Series (one parse, off the JS
// thread; the Series keeps at most six footprints), so memory stays flat over a long series.
const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const { FolderSource, CaptureSource, SNAPSHOT_FILE } = require('./sources.js');
const { classFilter } = require('./class-filter.js');
const { sampleTree, processExists, hasProcfs } = require('./process-memory.js');
const { HeapwiseError, invalidArgument: invalid, toPath } = require('../core.js');

/**
 * What a Watcher uses of the API, handed over by the entry (index.js).
 * @typedef {object} WatchApi
 * @property {typeof import('../../index').diff} diff
 * @property {() => { add(file: string, options?: Record<string, any>): Promise<import('../../binding').SeriesStep> }} newSeries
 * @property {typeof import('../../binding').ClassFilter} ClassFilter
 */

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
    const sources = ['dir', 'capture', 'files'].filter((k) => o[k] !== undefined && o[k] !== null);
    if (sources.length > 1) throw invalid(`watch() takes one source, got ${sources.join(' and ')}`);
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

    const source = { kind: sources[0] || 'none' };
    if (o.dir !== undefined && o.dir !== null) {
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
    if (pid !== null && pid !== false) {
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
    if (source.kind === 'none' && this._pid === null) throw invalid('watch() needs a source: dir, capture or files (or a pid to sample)');

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
    this._engine = null; // the native Series of the current process (a restart starts another)
    this._engineStart = 0; // watch index of the engine series' first snapshot
    this._growthByName = new Map();
    this._leakKeys = new Map();
    this._baseline = null;
    this._iterators = new Set();
    this._timers = new Set();
    this._inflight = null;
    this._closed = false;
    this._closing = null;
    this._busy = Promise.resolve();
    this._once = !!o.once || !!this._files;
    this._checkedIndex = -1;

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
    return JSON.parse(JSON.stringify(this._series));
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

  _start() {
    if (this._closed) return;
    if (this._pid !== null) this._sample();
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

  async _sample() {
    let s;
    try {
      s = await sampleTree(this._pid);
    } catch (e) {
      s = undefined;
      this._error(`cannot sample the memory of process ${this._pid}: ${e.message}`, 'ERR_HEAPWISE_IO');
    }
    if (this._closed) return;
    if (s === null) {
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
      if (!this._keepCaptures && prev && prev !== shot.file && (!this._baseline || prev !== this._baseline.file)) {
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
    const m = NODE_SNAPSHOT_NAME.exec(path.basename(file));
    const pid = m ? Number(m[1]) : undefined;
    const restart = pid !== undefined && this._lastPid !== undefined && pid !== this._lastPid;
    const index = this._series.snapshots.length ? this._series.snapshots[this._series.snapshots.length - 1].index + 1 : 0;
    if (!this._engine || restart) {
      this._engine = this._api.newSeries();
      this._engineStart = index;
    }
    let step;
    try {
      step = await this._engine.add(file, {
        signal: ctrl.signal,
        onProgress: progress,
        top: 10,
        ...(this._callsPerStep ? { callsPerStep: this._callsPerStep } : {}),
        ...(this._maxMemory !== null ? { maxMemory: this._maxMemory } : {}),
      });
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
      classes: classes.slice(0, SERIES_CLASSES),
    });
    if (pid !== undefined) snap.pid = pid;
    if (restart) {
      snap.restart = true;
      this._baseline = null;
      this._growthByName.clear();
    }
    if (pid !== undefined) this._lastPid = pid;
    this._series.snapshots.push(snap);
    if (!this._baseline) this._baseline = { file: snap.file, index: snap.index };
    this._event({ type: 'snapshot', ...snap });
    // What grows: the engine's findings against the earlier snapshots of this process, as soon
    // as there are two; more snapshots, more evidence (steady growth).
    const growth = step.findings.map((f) => this._growthEntry(f, snap.index));
    // The latest ranked findings, as diff's JSON carries them.
    this._series.findings = step.findings;
    for (const g of growth) {
      this._growthByName.set(g.name, g);
      this._event({ type: 'growth', ...g });
    }
    this._series.growth = [...this._growthByName.values()].sort((x, y) => Number(y.leak) - Number(x.leak) || y.sizeDelta - x.sizeDelta);
    if (!this._onlyThresholds && !Object.keys(this._thresholds).length) {
      for (const g of growth.filter((x) => x.leak)) {
        this._flag({
          name: g.name,
          kind: 'finding',
          reason: `${g.finding.message} (snapshot ${this._baseline.index} to ${snap.index})`,
          index: snap.index,
          baseline: this._baseline.index,
          finding: g.finding,
        });
      }
    }
    // A live watch checks every snapshot; a one-shot run (a backlog of files) checks the latest
    // one of each batch, which _leaksDue() does.
    if (!this._once) await this._checkLeaks(snap);
    return true;
  }

  /**
   * A growth entry of the series from a finding at snapshot `index`: the holder's name, its
   * growth over the snapshots the engine kept (watch indexes), and the finding itself.
   * @param {import('../../binding').Finding} f
   * @param {number} index
   */
  _growthEntry(f, index) {
    const g = f.growth;
    const snapshots = g.snapshots.map((i) => i + this._engineStart);
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
    };
  }

  /** Records a leak once per kind and name; the first time, an event. */
  _flag(leak) {
    const key = `${leak.kind}:${leak.name}`;
    const known = this._leakKeys.has(key);
    this._leakKeys.set(key, leak);
    if (!known) this._event({ type: 'leak', ...leak });
    this._series.leaks = [...this._leakKeys.values()];
  }

  /** Checks the thresholds on the latest snapshot if that was not done yet. */
  async _leaksDue() {
    const snaps = this._series.snapshots;
    if (snaps.length && !this._closed) await this._checkLeaks(snaps[snaps.length - 1]);
  }

  /** Evaluates diff's verdict thresholds between the baseline (first snapshot) and `snap`. */
  async _checkLeaks(snap) {
    if (
      this._closed ||
      !this._baseline ||
      !Object.keys(this._thresholds).length ||
      snap.index === this._baseline.index ||
      snap.index === this._checkedIndex
    )
      return;
    this._checkedIndex = snap.index;
    const { diff } = this._api;
    const o = this._opts;
    const ctrl = new AbortController();
    this._inflight = ctrl;
    /** @type {Record<string, any>} */
    const opts = { ...this._thresholds, signal: ctrl.signal, top: 1, onlyThresholds: true };
    if (this._maxMemory !== null) opts.maxMemory = this._maxMemory;
    if (o.ignore) opts.ignore = o.ignore;
    if (o.includeInternal) opts.includeInternal = true;
    if (this._onProgress) opts.onProgress = (p) => this._onProgress({ file: snap.file, diff: true, ...p });
    let d;
    try {
      d = await diff(this._baseline.file, snap.file, opts);
    } catch (e) {
      this._inflight = null;
      if (this._closed) return;
      if (e.code === 'ERR_HEAPWISE_IO' || e.code === 'ERR_HEAPWISE_EMPTY') {
        // the baseline was removed or rotated away: the current snapshot becomes the baseline
        this._error(
          `cannot compare with the first snapshot ${this._baseline.file} (${e.message}); ` + `snapshot ${snap.index} is the new baseline`,
          e.code,
          { file: this._baseline.file },
        );
        this._baseline = { file: snap.file, index: snap.index };
      } else {
        this._error(e, e.code, { file: snap.file });
      }
      return;
    }
    this._inflight = null;
    // The verdict is data: each reason says which threshold, for which class.
    const names = { growth: '(heap)', 'new-objects': '(new objects)' };
    const kinds = { growth: 'maxGrowthBytes', 'new-objects': 'maxNewObjects', 'class-count': 'maxCount', 'class-size': 'maxSize' };
    for (const r of d.verdict.reasons) {
      if (!(r.kind in kinds)) continue;
      this._flag({
        name: names[r.kind] || r.className || '(class)',
        reason: `${r.message} (snapshot ${this._baseline.index} to ${snap.index})`,
        kind: kinds[r.kind],
        index: snap.index,
        baseline: this._baseline.index,
      });
    }
  }
}

module.exports = { Watcher };
