'use strict';
// heapwise/testing: leak tests for any test runner (node:test, Jest, Mocha, Vitest).
//
// `await expectNoLeak(fn, options)` calls `fn` many times, writes heap snapshots between rounds of
// calls, diffs them with heapwise's `diff` and rejects with a `HeapLeakError` when a class of
// objects keeps growing. No runner-specific API is used: the helper is a promise that resolves
// (no leak) or rejects (a leak), which every runner understands.
//
// How it measures:
//   1. `warmup` rounds of `repeat` calls (caches, lazy initialisation and JIT settle down);
//   2. garbage collection, then the baseline snapshot;
//   3. `iterations` rounds of `repeat` calls, each followed by garbage collection and a snapshot.
// Then it diffs every pair of consecutive snapshots (one diff per round) and the baseline against
// the last snapshot. A class (DevTools' class key) is reported only when its object count grew in
// at least `minGrowingRounds` rounds AND by at least `minObjectsPerCall` objects per call from
// the baseline to the last snapshot: repeated growth decides, not one noisy pair.
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
const { formatBytes, formatSignedBytes: signedBytes } = require('../format.js');

const DEFAULTS = Object.freeze({
  warmup: 5,
  iterations: 5,
  repeat: 20,
  minObjectsPerCall: 0.5,
  top: 3,
  keepSnapshots: false,
});

/** The error `expectNoLeak` rejects with when the heap keeps growing. */
class HeapLeakError extends Error {
  constructor(message, { leaks = [], snapshots = [], diff = null, rounds = [], reasons = [], directory = null } = {}) {
    super(message);
    /** The growing classes, largest retained size first. */
    this.leaks = leaks;
    /** Paths of the snapshots kept on disk: the baseline, then one per measured round. */
    this.snapshots = snapshots;
    /** The folder that holds them. */
    this.directory = directory;
    /** The HeapDiff of the baseline against the last snapshot. */
    this.diff = diff;
    /** One HeapDiff per measured round (snapshot i-1 against snapshot i). */
    this.rounds = rounds;
    /** The verdict's reasons when a threshold (`maxGrowthBytes`, `maxNewObjects`, `classLimits`) failed. */
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

function normalizeOptions(options) {
  if (options == null) options = {};
  if (typeof options !== 'object') throw invalidArgument('expectNoLeak: options must be an object');
  const o = {};
  o.warmup = checkCount(options, 'warmup', 0);
  o.iterations = checkCount(options, 'iterations', 1);
  o.repeat = checkCount(options, 'repeat', 1);
  o.top = checkCount(options, 'top', 1);
  const mgr = options.minGrowingRounds;
  if (mgr === undefined) {
    o.minGrowingRounds = Math.max(1, o.iterations - 1);
  } else {
    o.minGrowingRounds = wholeNumber(mgr, 'expectNoLeak: options.minGrowingRounds', { min: 1, max: o.iterations });
  }
  const mopc = options.minObjectsPerCall;
  if (mopc === undefined) {
    o.minObjectsPerCall = DEFAULTS.minObjectsPerCall;
  } else if (typeof mopc !== 'number' || !(mopc > 0) || !Number.isFinite(mopc)) {
    throw invalidArgument(`expectNoLeak: options.minObjectsPerCall must be a positive number, got ${String(mopc)}`);
  } else {
    o.minObjectsPerCall = mopc;
  }
  o.keepSnapshots = Boolean(options.keepSnapshots);
  o.dir = options.dir === undefined ? os.tmpdir() : String(options.dir);
  // Passed through to diff().
  const ignore = options.ignore === undefined ? [] : Array.isArray(options.ignore) ? options.ignore : [options.ignore];
  o.ignore = ignore.map((p) => (p instanceof RegExp ? `/${p.source}/${p.flags}` : String(p)));
  o.includeInternal = Boolean(options.includeInternal);
  o.minRetainedSize = options.minRetainedSize;
  o.maxGrowthBytes = options.maxGrowthBytes;
  o.maxNewObjects = options.maxNewObjects;
  o.classLimits = options.classLimits;
  return o;
}

const signed = (n) => (n > 0 ? `+${n}` : String(n));

/** `file:line:column` (1-based, as editors count), or null. */
function formatLocation(loc) {
  if (!loc) return null;
  const file = loc.scriptName || `script ${loc.scriptId}`;
  return `${file}:${loc.line + 1}:${loc.column + 1}`;
}

/** A retainer path as its edge names joined with ' → ', root first: `(root) → … → leaks → [42]`. */
function formatPath(steps) {
  if (!steps || steps.length === 0) return '(unreachable)';
  return steps
    .map((s, i) => {
      if (i === 0 || s.edge === undefined || s.edge === null) return s.node && s.node.name ? s.node.name : '(root)';
      // Synthetic roots ((GC roots), (Stack roots), …) say more by their name than by an index.
      if (s.node && s.node.type === 'synthetic' && s.node.name) return s.node.name;
      return s.edgeType === 'element' ? `[${s.edge}]` : String(s.edge);
    })
    .join(' → ');
}

const STRING_CLASSES = new Set(['(string)', '(concatenated string)', '(sliced string)']);

function rowsByKey(rows) {
  const m = new Map();
  for (const r of rows || []) m.set(r.key, r);
  return m;
}

function diffOptions(o, withThresholds) {
  const d = { includeInternal: o.includeInternal, top: 20 };
  if (o.ignore.length) d.ignore = o.ignore;
  if (o.minRetainedSize !== undefined) d.minRetainedSize = o.minRetainedSize;
  if (withThresholds) {
    if (o.maxGrowthBytes !== undefined) d.maxGrowthBytes = o.maxGrowthBytes;
    if (o.maxNewObjects !== undefined) d.maxNewObjects = o.maxNewObjects;
    if (o.classLimits !== undefined) d.classLimits = o.classLimits;
  }
  return d;
}

/**
 * Classes whose count grew in enough rounds and by enough objects in all, with their per-round
 * numbers; largest retained size of the objects allocated since the baseline first.
 */
function findGrowingClasses(o, rounds, total) {
  const perRound = rounds.map((d) => rowsByKey(d.classes));
  const totalRows = rowsByKey(total.classes);
  const allocated = new Map();
  for (const a of total.allocated || []) allocated.set(a.key, a);
  const calls = o.repeat * o.iterations;
  const minTotal = Math.max(1, Math.ceil(o.minObjectsPerCall * calls));
  const keys = new Set();
  for (const m of perRound) for (const k of m.keys()) keys.add(k);
  const leaks = [];
  for (const key of keys) {
    const counts = perRound.map((m) => (m.has(key) ? m.get(key).deltaCount : 0));
    const sizes = perRound.map((m) => (m.has(key) ? m.get(key).sizeDelta : 0));
    const growingRounds = counts.filter((c) => c > 0).length;
    if (growingRounds < o.minGrowingRounds) continue;
    const t = totalRows.get(key);
    const totalCount = t ? t.deltaCount : counts.reduce((s, c) => s + c, 0);
    const totalSize = t ? t.sizeDelta : sizes.reduce((s, c) => s + c, 0);
    if (totalCount < minTotal) continue;
    const name = (t || perRound.find((m) => m.has(key)).get(key)).name;
    const alloc = allocated.get(key);
    leaks.push({
      name,
      key,
      counts,
      sizes,
      growingRounds,
      totalCount,
      totalSize,
      perCall: totalCount / calls,
      allocatedCount: alloc ? alloc.count : null,
      retainedSize: alloc ? alloc.retainedSize : null,
      example: null,
    });
  }
  // Holders before what they hold: strings hold nothing, so a growing string class is explained
  // by another growing class when there is one. Then the largest retained size first.
  const isString = (l) => STRING_CLASSES.has(l.name);
  leaks.sort(
    (a, b) => isString(a) - isString(b) || (b.retainedSize ?? b.totalSize) - (a.retainedSize ?? a.totalSize) || b.totalSize - a.totalSize,
  );
  return leaks;
}

function edgeTo(heap, id, ...names) {
  const refs = heap.references(id);
  for (const name of names) {
    const e = refs.find((r) => r.name === name);
    if (e) return e.node;
  }
  return null;
}

/**
 * The file a closure (or an object's constructor) comes from, when `location()` did not say:
 * object → map (→ back_pointer…) → constructor, or → prototype → constructor; then the closure's
 * shared → script → name.
 */
function scriptNameOf(heap, node) {
  try {
    let closure = node.type === 'closure' ? node : null;
    if (!closure) {
      let map = edgeTo(heap, node.id, 'map');
      for (let i = 0; map && !closure && i < 64; i++) {
        const c = edgeTo(heap, map.id, 'constructor', 'constructor_or_back_pointer');
        if (c && c.type === 'closure') closure = c;
        else {
          const proto = edgeTo(heap, map.id, 'prototype');
          const pc = proto ? edgeTo(heap, proto.id, 'constructor') : null;
          if (pc && pc.type === 'closure') closure = pc;
          else map = edgeTo(heap, map.id, 'back_pointer') || (c && c.name === 'system / Map' ? c : null);
        }
      }
    }
    if (!closure) return null;
    const shared = edgeTo(heap, closure.id, 'shared');
    const script = shared ? edgeTo(heap, shared.id, 'script', 'script_or_debug_info') : null;
    const name = script ? edgeTo(heap, script.id, 'name') : null;
    return name && /string/.test(name.type) && name.name ? name.name : null;
  } catch {
    return null;
  }
}

function locate(heap, node, location) {
  if (!location) return null;
  if (location.scriptName) return location;
  const scriptName = scriptNameOf(heap, node);
  return scriptName ? { ...location, scriptName } : location;
}

/**
 * For the top growing classes: one object of the class allocated after the baseline and still
 * alive in the last snapshot, with its retainer path and source location. Fills in the script
 * name of the holder's location too.
 */
async function attachExamples(leaks, holder, lastFile, baselineMaxId, top) {
  if (leaks.length === 0 && !holder) return;
  const heap = await heapwise.analyze(lastFile);
  try {
    for (const leak of leaks.slice(0, top)) {
      const nodes = heap.findByName(leak.name, 5000).filter((n) => n.className === leak.name);
      if (nodes.length === 0) continue;
      const fresh = baselineMaxId > 0 ? nodes.filter((n) => n.id > baselineMaxId) : nodes;
      // Prefer an object reachable from the root: its path says what holds it.
      const candidates = fresh.length ? fresh : nodes;
      let node = candidates[0];
      let retainerPath = heap.retainerPath(node.id);
      for (const n of candidates.slice(1, 20)) {
        if (retainerPath.length) break;
        node = n;
        retainerPath = heap.retainerPath(n.id);
      }
      leak.example = { node, retainerPath, location: locate(heap, node, heap.location(node.id)) };
    }
    if (holder && holder.location && !holder.location.scriptName) {
      holder.location = locate(heap, holder.node, holder.location);
    }
  } finally {
    heap.close();
  }
}

/** The object of `total.growers` that best explains the growth: near the largest growth, deepest. */
function pickHolder(total) {
  const growers = (total.growers || []).filter((g) => g.growth > 0 && g.node);
  if (growers.length === 0) return null;
  const max = Math.max(...growers.map((g) => g.growth));
  const near = growers.filter((g) => g.growth >= 0.9 * max);
  near.sort((a, b) => (b.retainerPath ? b.retainerPath.length : 0) - (a.retainerPath ? a.retainerPath.length : 0));
  return near[0];
}

function buildMessage(o, leaks, holder, reasons, snapshots, directory) {
  const calls = o.repeat * o.iterations;
  const lines = [];
  if (leaks.length) {
    lines.push(
      `heap grew: ${leaks.length} class${leaks.length === 1 ? '' : 'es'} kept growing over ${o.iterations} measured rounds of ${o.repeat} calls ` +
        `(after ${o.warmup} warm-up rounds; reported when growing in >= ${o.minGrowingRounds} rounds and by >= ${o.minObjectsPerCall} objects per call)`,
    );
    lines.push('growing classes (objects and shallow bytes added per round; in all from the baseline to the last snapshot):');
    const width = Math.min(40, Math.max(...leaks.slice(0, 10).map((l) => l.name.length)));
    for (const l of leaks.slice(0, 10)) {
      const retained = l.retainedSize != null ? `, retaining ${formatBytes(l.retainedSize)}` : '';
      lines.push(
        `  ${l.name.padEnd(width)}  objects ${l.counts.map(signed).join(' ')} = ${signed(l.totalCount)} (${(Math.round(l.perCall * 100) / 100).toString()} per call)` +
          `  bytes ${l.sizes.map(signedBytes).join(' ')} = ${signedBytes(l.totalSize)}${retained}`,
      );
    }
    if (leaks.length > 10) lines.push(`  … and ${leaks.length - 10} more (see error.leaks)`);
    let first = true;
    for (const l of leaks.slice(0, o.top)) {
      if (!l.example) continue;
      const { node, retainerPath, location } = l.example;
      const where = formatLocation(location);
      lines.push(
        `${first ? 'top grower' : 'also'}: ${l.name} @${node.id} (retained ${formatBytes(node.retainedSize)})${where ? `, created at ${where}` : ''}`,
      );
      lines.push(`  retainer path: ${formatPath(retainerPath)}`);
      first = false;
    }
  }
  if (holder) {
    const where = formatLocation(holder.location);
    lines.push(
      `growing holder: ${holder.node.className || holder.node.name} @${holder.node.id} retained ${formatBytes(holder.retainedBefore)} → ${formatBytes(holder.retainedAfter)} ` +
        `(${signedBytes(holder.growth)})${where ? `, at ${where}` : ''}`,
    );
    lines.push(`  retainer path: ${formatPath(holder.retainerPath)}`);
  }
  if (reasons.length) {
    lines.push(leaks.length ? 'thresholds exceeded:' : `thresholds exceeded after ${calls} calls (baseline → last snapshot):`);
    for (const r of reasons) lines.push(`  ${r}`);
  }
  lines.push(`snapshots kept in ${directory}:`);
  for (const s of snapshots) lines.push(`  ${s}`);
  return lines.join('\n');
}

/** Runs the async `jobs` with at most `limit` at a time; results in order. */
async function runLimited(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
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

  let keep = o.keepSnapshots;
  try {
    for (let w = 0; w < o.warmup; w++) await round();
    await snapshot(files[0]);
    for (let r = 1; r < snapshotCount; r++) {
      await round();
      await snapshot(files[r]);
    }

    // Measurement done: diff the rounds, then the baseline against the last snapshot.
    // Each diff runs on a thread of its own; two at a time.
    const jobs = [];
    for (let r = 1; r < snapshotCount; r++) jobs.push(() => heapwise.diff(files[r - 1], files[r], diffOptions(o, false)));
    jobs.push(() => heapwise.diff(files[0], files[snapshotCount - 1], diffOptions(o, true)));
    const results = await runLimited(jobs, 2);
    const total = results.pop();
    const rounds = results;

    const leaks = findGrowingClasses(o, rounds, total);
    const thresholdsGiven = o.maxGrowthBytes !== undefined || o.maxNewObjects !== undefined || o.classLimits !== undefined;
    const reasons = thresholdsGiven && total.verdict && !total.verdict.ok ? total.verdict.reasons.slice() : [];
    const report = {
      ok: true,
      snapshots: o.keepSnapshots ? files : [],
      directory: o.keepSnapshots ? directory : null,
      diff: total,
      rounds,
      gc: gcSource,
    };
    if (leaks.length === 0 && reasons.length === 0) return report;

    const holder = leaks.length ? pickHolder(total) : null;
    await attachExamples(leaks, holder, files[snapshotCount - 1], total.before ? total.before.maxJsObjectId || 0 : 0, o.top);
    keep = true;
    throw new HeapLeakError(buildMessage(o, leaks, holder, reasons, files, directory), {
      leaks,
      snapshots: files,
      diff: total,
      rounds,
      reasons,
      directory,
    });
  } finally {
    if (!keep) fs.rmSync(directory, { recursive: true, force: true });
  }
}

module.exports = { expectNoLeak, HeapLeakError, collectGarbage, DEFAULTS };
