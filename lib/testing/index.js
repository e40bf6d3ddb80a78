'use strict';
// heapwise/testing: leak tests for any test runner (node:test, Jest, Mocha, Vitest).
//
// `await expectNoLeak(fn, options)` calls `fn` many times, writes heap snapshots between rounds of
// calls, and rejects with a `HeapLeakError` when heapwise's findings (the engine's one growth
// rule, the same as `diff` and `watch` use) say something leaks. No runner-specific API is used:
// the helper is a promise that resolves (no leak) or rejects (a leak), which every runner
// understands.
//
// How it measures:
//   1. `warmup` rounds of `repeat` calls (caches, lazy initialisation and JIT settle down);
//   2. garbage collection, then the baseline snapshot;
//   3. `iterations` rounds of `repeat` calls, each followed by garbage collection and a snapshot.
// The snapshots go through a `Series` (one parse each, off the JS thread) with `callsPerStep =
// repeat`; a finding whose holder grew in every round (`leak: true`) fails the test, and the
// message is the top findings: the holder by name, how fast it grows per call, what accumulates
// and the lines of code that fill it. With thresholds (`maxGrowthBytes`, `maxNewObjects`,
// `classLimits`), the baseline and the last snapshot are also diffed against them.
//
// The snapshots are the evidence of a failure: by default a failing run keeps them, and its
// HeapLeakError says where (in the message, and as `directory` and `snapshots`); a passing run
// removes them. `keepSnapshots: true` (or HEAPWISE_KEEP_SNAPSHOTS=1) keeps them always, `false`
// never.
//
// Garbage collection: `global.gc` when the process runs with `--expose-gc`; otherwise the helper
// turns the V8 flag on at run time (`v8.setFlagsFromString('--expose-gc')`) and takes `gc` from a
// fresh context (`vm.runInNewContext('gc')`). `v8.writeHeapSnapshot` also performs a full garbage
// collection of its own before it writes, so the snapshots never count garbage either way.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
// The real timers, not the ones a runner may fake (jest.useFakeTimers, sinon, vi.useFakeTimers).
const { setImmediate: realSetImmediate } = require('node:timers');
const heapwise = require('../../index.js');
const { invalidArgument, wholeNumber } = require('../core.js');
const { findingLines } = require('../report/findings.js');

const DEFAULTS = Object.freeze({
  warmup: 5,
  iterations: 5,
  repeat: 20,
  top: 3,
  keepSnapshots: 'on-failure',
});

/** The values of the keepSnapshots option. */
const KEEP = new Set([true, false, 'on-failure']);

/** The error `expectNoLeak` rejects with when something leaks. */
class HeapLeakError extends Error {
  constructor(message, { findings = [], snapshots = [], heapDiff = null, reasons = [], directory = null } = {}) {
    super(message);
    /** Every finding of the series, ranked (the leaks first): see `Finding` in heapwise's types. */
    this.findings = findings;
    /** The findings that leak (the reason the test failed). */
    this.leaks = findings.filter((f) => f.leak);
    /** Paths of the snapshots (the baseline, then one per round); empty when `keepSnapshots: false` removed them. */
    this.snapshots = snapshots;
    /** The folder that holds them, yours to remove; null when they were removed. */
    this.directory = directory;
    /**
     * The HeapDiff of the baseline against the last snapshot when thresholds were given (named
     * so that test runners, which read `diff`, `expected` and `actual`, leave it alone).
     */
    this.heapDiff = heapDiff;
    /** The verdict's reasons (`{ kind, message, actual, limit, … }`) when a threshold failed. */
    this.reasons = reasons;
  }
}
Object.defineProperty(HeapLeakError.prototype, 'name', { value: 'HeapLeakError', writable: true, configurable: true });

let gcFunction = null;
let gcSource = null;
/**
 * The garbage collector: `global.gc` under `--expose-gc`, else one obtained by turning on the V8
 * flag at run time. Returns a no-op when neither works (the snapshot's own GC still applies).
 */
function getGc() {
  if (typeof globalThis.gc === 'function') {
    gcSource = 'global.gc';
    return globalThis.gc;
  }
  if (gcFunction) return gcFunction;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc');
    if (typeof fn === 'function') {
      gcSource = "v8.setFlagsFromString('--expose-gc')";
      gcFunction = fn;
      return fn;
    }
  } catch {
    // fall through: writeHeapSnapshot collects garbage anyway
  }
  gcSource = 'none (v8.writeHeapSnapshot collects garbage itself)';
  gcFunction = () => {};
  return gcFunction;
}

const tick = () => new Promise((resolve) => realSetImmediate(resolve));

/**
 * Lets pending callbacks run, then collects garbage twice (the second pass frees what weak
 * callbacks and finalizers released during the first).
 */
async function collectGarbage() {
  const gc = getGc();
  await tick();
  gc();
  await tick();
  gc();
}

/**
 * @param {Record<string, unknown>} options
 * @param {'warmup' | 'iterations' | 'repeat' | 'top'} name
 * @param {number} min
 */
function checkCount(options, name, min) {
  return wholeNumber(options[name], `expectNoLeak: options.${name}`, { min, fallback: DEFAULTS[name] });
}

/** The options expectNoLeak knows (an unknown one is a typo, or an option of an older version). */
const OPTIONS = new Set([
  'warmup',
  'iterations',
  'repeat',
  'top',
  'keepSnapshots',
  'dir',
  'ignore',
  'includeInternal',
  'maxGrowthBytes',
  'maxNewObjects',
  'classLimits',
]);

function normalizeOptions(options) {
  if (options == null) options = {};
  if (typeof options !== 'object') throw invalidArgument('expectNoLeak: options must be an object');
  for (const k of Object.keys(options)) {
    if (!OPTIONS.has(k)) throw invalidArgument(`expectNoLeak: unknown option ${k} (options: ${[...OPTIONS].join(', ')})`);
  }
  const o = {};
  o.warmup = checkCount(options, 'warmup', 0);
  o.iterations = checkCount(options, 'iterations', 1);
  o.repeat = checkCount(options, 'repeat', 1);
  o.top = checkCount(options, 'top', 1);
  const keep = options.keepSnapshots === undefined ? DEFAULTS.keepSnapshots : options.keepSnapshots;
  if (!KEEP.has(keep))
    throw invalidArgument(`expectNoLeak: options.keepSnapshots must be true, false or 'on-failure', not ${String(keep)}`);
  const env = process.env.HEAPWISE_KEEP_SNAPSHOTS;
  o.keepSnapshots = env !== undefined && env !== '' && env !== '0' ? true : keep;
  o.dir = options.dir === undefined ? os.tmpdir() : String(options.dir);
  // Passed through to diff() when thresholds are given.
  const ignore = options.ignore === undefined ? [] : Array.isArray(options.ignore) ? options.ignore : [options.ignore];
  o.ignore = ignore.map((p) => (p instanceof RegExp ? `/${p.source}/${p.flags}` : String(p)));
  o.includeInternal = Boolean(options.includeInternal);
  o.maxGrowthBytes = options.maxGrowthBytes;
  o.maxNewObjects = options.maxNewObjects;
  o.classLimits = options.classLimits;
  return o;
}

function thresholdOptions(o) {
  const d = { includeInternal: o.includeInternal, onlyThresholds: true, top: 1 };
  if (o.ignore.length) d.ignore = o.ignore;
  if (o.maxGrowthBytes !== undefined) d.maxGrowthBytes = o.maxGrowthBytes;
  if (o.maxNewObjects !== undefined) d.maxNewObjects = o.maxNewObjects;
  if (o.classLimits !== undefined) d.classLimits = o.classLimits;
  return d;
}

function buildMessage(o, findings, reasons, snapshots, directory) {
  const calls = o.repeat * o.iterations;
  const leaks = findings.filter((f) => f.leak);
  const lines = [];
  if (leaks.length) {
    lines.push(
      `heap grew: ${leaks.length === 1 ? 'one object keeps' : `${leaks.length} objects keep`} growing over ${o.iterations} rounds of ${o.repeat} calls ` +
        `(after ${o.warmup} warm-up rounds)`,
    );
    leaks.slice(0, o.top).forEach((f, i) => lines.push(...findingLines(f, i, '')));
    if (leaks.length > o.top) lines.push(`… and ${leaks.length - o.top} more (error.findings lists all)`);
  }
  if (reasons.length) {
    lines.push(leaks.length ? 'thresholds exceeded:' : `thresholds exceeded after ${calls} calls (baseline → last snapshot):`);
    for (const r of reasons) lines.push(`  ${r.message}`);
  }
  if (directory) {
    lines.push(`the snapshots are kept in ${directory} (remove it when done; keepSnapshots: false removes them):`);
    for (const s of snapshots) lines.push(`  ${s}`);
  } else {
    lines.push('the snapshots were removed (keepSnapshots: false)');
  }
  return lines.join('\n');
}

/**
 * Runs `fn` repeatedly and rejects with a `HeapLeakError` if the heap keeps growing.
 * Resolves with a report when it does not. See index.d.ts beside this file for the options.
 */
async function expectNoLeak(fn, options) {
  if (typeof fn !== 'function') throw invalidArgument('expectNoLeak: the first argument must be a function');
  const o = normalizeOptions(options);
  const snapshotCount = o.iterations + 1;

  // Everything the measurement needs is allocated before the baseline, so the helper itself
  // adds nothing to the heap between snapshots.
  const directory = fs.mkdtempSync(path.join(o.dir, 'heapwise-leak-'));
  const files = [];
  for (let i = 0; i < snapshotCount; i++) {
    files.push(path.join(directory, i === 0 ? 'baseline.heapsnapshot' : `round-${i}.heapsnapshot`));
  }
  const gc = getGc();
  const repeat = o.repeat;
  const round = async () => {
    for (let i = 0; i < repeat; i++) await fn();
  };
  const snapshot = async (file) => {
    await tick();
    gc();
    await tick();
    gc();
    v8.writeHeapSnapshot(file);
  };

  // Removed in `finally` unless kept: always with `true`; with 'on-failure', once a HeapLeakError
  // holds their paths (an error of fn or of the analysis leaves no evidence of a leak).
  let keep = o.keepSnapshots === true;
  try {
    for (let w = 0; w < o.warmup; w++) await round();
    await snapshot(files[0]);
    for (let r = 1; r < snapshotCount; r++) {
      await round();
      await snapshot(files[r]);
    }

    // Measurement done: the series' findings, one parse per snapshot, off the JS thread.
    const series = new heapwise.Series();
    let step = null;
    for (const f of files) step = await series.add(f, { callsPerStep: repeat, top: 10 });
    const findings = step ? step.findings : [];
    const thresholdsGiven = o.maxGrowthBytes !== undefined || o.maxNewObjects !== undefined || o.classLimits !== undefined;
    const heapDiff = thresholdsGiven ? await heapwise.diff(files[0], files[snapshotCount - 1], thresholdOptions(o)) : null;
    const reasons = heapDiff && !heapDiff.verdict.ok ? heapDiff.verdict.reasons.slice() : [];
    const passed = !findings.some((f) => f.leak) && reasons.length === 0;
    keep = o.keepSnapshots === true || (o.keepSnapshots === 'on-failure' && !passed);
    const kept = keep ? { snapshots: files, directory } : { snapshots: [], directory: null };
    if (passed) return { ok: true, findings, heapDiff, gc: gcSource, ...kept };
    throw new HeapLeakError(buildMessage(o, findings, reasons, kept.snapshots, kept.directory), {
      findings,
      heapDiff,
      reasons,
      ...kept,
    });
  } finally {
    if (!keep) fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { expectNoLeak, HeapLeakError, collectGarbage, DEFAULTS };
