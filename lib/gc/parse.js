'use strict';
// Reading V8's GC logs: `node --trace-gc` lines, `node --trace-gc-nvp` name=value records, and the
// JSON of `v8.GCProfiler` (`new v8.GCProfiler().start()` ... `.stop()`), as Node 18, 20, 22 and 24
// print them (docs/gc.md has a real line of each). Pure functions, no I/O and no native code:
// `parseGcLine(line)` reads one line, `parseGcText(text)` a whole log, so that `heapwise gc` and,
// later, `watch` read GC logs the same way.
//
// A `--trace-gc` line (V8's GCTracer::Print), as Node 24 prints it:
//
//   [16143:0x328db000]       54 ms: Mark-Compact 9.4 (15.0) -> 5.1 (14.5) MB, pooled: 0 MB, 7.48 / 0.00 ms  (average mu = 0.845, current mu = 0.845) testing; GC in old space requested
//    pid   isolate         time     kind        before (committed) -> after (committed)      pause / external
//
// Node 18 prints `Mark-sweep` for the full GC and no `pooled:`; a modifier may follow the kind:
// `(reduce)` (a GC that shrinks the heap: memory reducer, heap snapshot, low memory),
// `(interleaved)` (a young GC during incremental marking, Node 24); incremental marking adds
// `(+ 4.4 ms in 14 steps since start of marking, …)` after the pause. V8's "MB" are MiB.
// The prefix may be anywhere in a line: the program's own output, written without a newline,
// precedes it on the same line.

/** The kinds of GC, from V8's names in each format. Full GCs are 'mark-compact' and 'mark-sweep'. */
const TRACE_KINDS = new Map([
  ['Scavenge', 'scavenge'],
  ['Mark-Compact', 'mark-compact'],
  ['Mark-sweep', 'mark-sweep'],
  ['Minor Mark-Sweep', 'minor-ms'],
  ['Minor Mark-Compact', 'minor-mc'],
]);
/** `gc=` of `--trace-gc-nvp` (V8's GCTracer::PrintNVP); Node 18's V8 writes `ms` for its full GC. */
const NVP_KINDS = new Map([
  ['s', 'scavenge'],
  ['mc', 'mark-compact'],
  ['ms', 'mark-sweep'],
  ['mms', 'minor-ms'],
  ['mmc', 'minor-mc'],
]);
/** `gcType` of v8.GCProfiler's statistics (Node's names of v8::GCType). */
const PROFILER_KINDS = new Map([
  ['Scavenge', 'scavenge'],
  ['MarkSweepCompact', 'mark-compact'],
  ['MinorMarkSweep', 'minor-ms'],
  ['MinorMarkCompact', 'minor-mc'],
  ['IncrementalMarking', 'incremental-marking'],
  ['ProcessWeakCallbacks', 'weak-callbacks'],
]);
/** The kinds that collect the whole heap: the heap after them is the floor (lib/gc/floor.js). */
const FULL_KINDS = new Set(['mark-compact', 'mark-sweep']);

const MIB = 1024 * 1024;
const NUM = String.raw`(\d+(?:\.\d+)?)`;
const PREFIX = String.raw`\[(\d+):(0x[0-9a-fA-F]+)(?::\d+)?\]\s+${NUM} ms: `;
const TRACE_LINE = new RegExp(
  PREFIX +
    String.raw`(Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep|Minor Mark-Compact)((?: \([a-z -]+\))*) ` +
    String.raw`${NUM} \(${NUM}\) -> ${NUM} \(${NUM}\) MB, (?:pooled: ${NUM} MB, )?${NUM} / ${NUM} ms\b(.*)$`,
);
const NVP_LINE = new RegExp(PREFIX + String.raw`(pause=.*)$`);
/** What marks a line as meant to be a GC line, to warn about the ones that do not read. */
const LOOKS_LIKE_GC = new RegExp(PREFIX + String.raw`(?:Scavenge|Mark|Minor|pause=)`);

/**
 * @typedef {object} GcEvent
 * @property {'scavenge' | 'mark-compact' | 'mark-sweep' | 'minor-ms' | 'minor-mc' | 'incremental-marking' | 'weak-callbacks'} kind
 * @property {number | null} time ms since the isolate started (V8's clock); null for v8.GCProfiler, which has no time per GC
 * @property {number} before the heap's used size before the GC, in bytes
 * @property {number} after the heap's used size after it, in bytes
 * @property {number | null} committedBefore the heap's committed size before (the number in parentheses), in bytes
 * @property {number | null} committedAfter and after
 * @property {boolean} reduce a GC that shrinks the heap (`(reduce)`, `reduce_memory=1`)
 * @property {number} durationMs the pause
 * @property {string | null} reason why V8 says it collected (`allocation failure`, `testing; GC in old space requested`); null in nvp and profiler data
 * @property {number | null} pid the process (null for v8.GCProfiler data)
 * @property {string | null} isolate the isolate's address, `0x…` (one per thread: workers have their own)
 * @property {number} line the line of the log it was read from (1-based)
 */

/**
 * One `--trace-gc` or `--trace-gc-nvp` line as an event (without `line`), or null when the line
 * holds neither.
 * @param {string} text
 * @returns {{ format: 'trace-gc' | 'trace-gc-nvp', event: Omit<GcEvent, 'line'> } | null}
 */
function parseGcLine(text) {
  const t = TRACE_LINE.exec(text);
  if (t) {
    const [, pid, isolate, time, name, modifiers, before, committedBefore, after, committedAfter, , pause, , tail] = t;
    return {
      format: 'trace-gc',
      event: {
        kind: /** @type {GcEvent['kind']} */ (TRACE_KINDS.get(name)),
        time: Number(time),
        before: Math.round(Number(before) * MIB),
        after: Math.round(Number(after) * MIB),
        committedBefore: Math.round(Number(committedBefore) * MIB),
        committedAfter: Math.round(Number(committedAfter) * MIB),
        reduce: / \(reduce\)/.test(modifiers),
        durationMs: Number(pause),
        reason: reasonOf(tail),
        pid: Number(pid),
        isolate,
      },
    };
  }
  const n = NVP_LINE.exec(text);
  if (!n) return null;
  const [, pid, isolate, time, pairs] = n;
  /** @type {Record<string, string>} */
  const f = {};
  for (const m of pairs.matchAll(/([a-z_.]+)=(\S*)/g)) if (!(m[1] in f)) f[m[1]] = m[2];
  const kind = NVP_KINDS.get(f.gc);
  // Node 18-22 write total_size_before/after, Node 24 start/end_object_size (and the committed
  // start/end_memory_size): the same numbers as --trace-gc's, in bytes.
  const before = num(f.total_size_before ?? f.start_object_size);
  const after = num(f.total_size_after ?? f.end_object_size);
  const pause = num(f.pause);
  if (!kind || before === null || after === null || pause === null) return null;
  return {
    format: 'trace-gc-nvp',
    event: {
      kind: /** @type {GcEvent['kind']} */ (kind),
      time: Number(time),
      before,
      after,
      committedBefore: num(f.start_memory_size),
      committedAfter: num(f.end_memory_size),
      reduce: f.reduce_memory === '1',
      durationMs: pause,
      reason: null,
      pid: Number(pid),
      isolate,
    },
  };
}

/** @param {string | undefined} v */
function num(v) {
  if (v === undefined || !/^\d+(?:\.\d+)?$/.test(v)) return null;
  return Number(v);
}

/**
 * The reason at the end of a trace line: after `(average mu = …, current mu = …)`, without the
 * trailing `; ` V8 writes when there is no second part.
 * @param {string} tail
 */
function reasonOf(tail) {
  const m = /\(average mu = [\d.]+, current mu = [\d.]+\)\s*(.*)$/.exec(tail);
  const r = (m ? m[1] : '').replace(/[;\s]+$/, '').trim();
  return r || null;
}

/**
 * The events of one v8.GCProfiler result (`{version, startTime, endTime, statistics}`); throws
 * an Error saying what is missing when `data` is not one.
 * @param {any} data
 * @param {number} line the log line it came from
 * @param {string[]} warnings
 * @returns {GcEvent[]}
 */
function profilerEvents(data, line, warnings) {
  if (!data || typeof data !== 'object' || !Array.isArray(data.statistics)) {
    throw new Error('JSON that is not a v8.GCProfiler result (an object with a `statistics` array)');
  }
  /** @type {GcEvent[]} */
  const out = [];
  let unknown = 0;
  for (const s of data.statistics) {
    const kind = s && PROFILER_KINDS.get(s.gcType);
    const b = s && s.beforeGC && s.beforeGC.heapStatistics;
    const a = s && s.afterGC && s.afterGC.heapStatistics;
    if (!kind || !b || !a || typeof b.usedHeapSize !== 'number' || typeof a.usedHeapSize !== 'number') {
      unknown++;
      continue;
    }
    out.push({
      kind: /** @type {GcEvent['kind']} */ (kind),
      time: null,
      before: b.usedHeapSize,
      after: a.usedHeapSize,
      committedBefore: typeof b.totalHeapSize === 'number' ? b.totalHeapSize : null,
      committedAfter: typeof a.totalHeapSize === 'number' ? a.totalHeapSize : null,
      reduce: false,
      // `cost` is in microseconds
      durationMs: typeof s.cost === 'number' ? s.cost / 1000 : 0,
      reason: null,
      pid: null,
      isolate: null,
      line,
    });
  }
  if (unknown) warnings.push(`${unknown} v8.GCProfiler statistics entries have an unknown gcType or no heapStatistics; skipped`);
  return out;
}

/**
 * @typedef {object} GcLog
 * @property {GcEvent[]} events in the order of the log
 * @property {Array<'trace-gc' | 'trace-gc-nvp' | 'gc-profiler'>} formats the formats found, in the order first seen
 * @property {number | null} profilerSpanMs v8.GCProfiler only: endTime − startTime, summed over its results
 * @property {string[]} warnings what could not be read
 */

/**
 * A whole GC log, read line by line: `--trace-gc` and `--trace-gc-nvp` lines anywhere in a line,
 * a v8.GCProfiler result as the whole text or as one line of it (a program's
 * `console.log(JSON.stringify(profiler.stop()))` among its other output). Other lines are skipped.
 * @param {string} text
 * @returns {GcLog}
 */
function parseGcText(text) {
  /** @type {string[]} */
  const warnings = [];
  /** @type {GcEvent[]} */
  const events = [];
  /** @type {Set<GcLog['formats'][number]>} */
  const formats = new Set();
  let profilerSpanMs = null;
  const addProfiler = (/** @type {any} */ data, /** @type {number} */ line) => {
    events.push(...profilerEvents(data, line, warnings));
    formats.add('gc-profiler');
    if (typeof data.startTime === 'number' && typeof data.endTime === 'number')
      profilerSpanMs = (profilerSpanMs || 0) + (data.endTime - data.startTime);
  };
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    // the whole text may be one (pretty-printed) result, or an array of them
    let data;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (data !== undefined) {
      for (const d of Array.isArray(data) ? data : [data]) addProfiler(d, 1);
      return { events, formats: [...formats], profilerSpanMs, warnings };
    }
  }
  let unread = 0;
  let firstUnread = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const r = parseGcLine(line);
    if (r) {
      events.push({ ...r.event, line: i + 1 });
      formats.add(r.format);
      continue;
    }
    const brace = line.indexOf('{"');
    if (brace >= 0 && line.includes('"statistics"')) {
      try {
        addProfiler(JSON.parse(line.slice(brace)), i + 1);
        continue;
      } catch {
        // not JSON after all: an unknown line
      }
    }
    if (LOOKS_LIKE_GC.test(line)) {
      unread++;
      if (firstUnread === null) firstUnread = `line ${i + 1}: ${line.length > 160 ? line.slice(0, 159) + '\u2026' : line}`;
    }
  }
  if (unread) warnings.push(`${unread} lines look like GC lines but could not be read; skipped (the first, ${firstUnread})`);
  return { events, formats: [...formats], profilerSpanMs, warnings };
}

/**
 * Where a GC line (`--trace-gc` or `--trace-gc-nvp`) starts in `text`, or -1: what precedes it on
 * the same line is the program's own output, written without a newline (`heapwise watch
 * --trace-gc` passes that part through and keeps the GC line).
 * @param {string} text
 */
function gcLineStart(text) {
  const m = LOOKS_LIKE_GC.exec(text);
  return m ? m.index : -1;
}

module.exports = { parseGcLine, parseGcText, gcLineStart, FULL_KINDS };
