'use strict';
// The floor of a GC log: the heap's size after each full GC (Mark-Compact, or Mark-sweep as Node
// 18 names it), the live data plus what V8 did not bother to collect. A floor that keeps rising
// across full GCs means the live set grows: the cheap evidence of a leak, with no snapshot.
// Pure: GC events (lib/gc/parse.js) in, an analysis out; events of several processes or
// isolates are analysed apart, one group each.
const { FULL_KINDS } = require('./parse.js');
const { formatBytes, formatSignedBytes } = require('../format.js');

/**
 * The rule for `rising` (docs/gc.md explains each). A floor rises when, over at least
 * MIN_FULL_GCS full GCs:
 * - it rose from one full GC to the next in at least MIN_ROSE_FRACTION of the steps (steadily,
 *   not once),
 * - the least-squares line through it (heap after the k-th full GC against k) fits with an R² of
 *   at least MIN_R2 (a trend, not noise), and
 * - that line rises, across the series, by at least MIN_RISE_RATIO of the first floor and at
 *   least MIN_RISE_BYTES (so that a creep of a few kB, code compiled and caches warmed, is not
 *   a leak; V8 prints sizes to 0.1 MB).
 * Fewer full GCs than MIN_FULL_GCS: `insufficient`. Anything else: `flat`.
 */
const THRESHOLDS = Object.freeze({
  minFullGcs: 3,
  minRoseFraction: 0.6,
  minR2: 0.5,
  minRiseRatio: 0.05,
  minRiseBytes: 1024 * 1024,
});

/**
 * The least-squares line y = intercept + slope·x through points [x, y], with its R² (0 when y
 * does not vary: a flat line explains nothing).
 * @param {Array<[number, number]>} points
 */
function fitLine(points) {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0,
    sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n,
    my = sy / n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (const [x, y] of points) {
    sxx += (x - mx) * (x - mx);
    sxy += (x - mx) * (y - my);
    syy += (y - my) * (y - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept: my - slope * mx, r2 };
}

/**
 * @typedef {import('./parse.js').GcEvent} GcEvent
 * @typedef {{ time: number | null, bytes: number, event: number }} FloorPoint `event`: its index in the group's events
 */

/**
 * The analysis of one process's (one isolate's) events, in log order.
 * @param {GcEvent[]} events
 * @param {{ spanMs?: number | null }} [opts] the time span when the events carry no time (v8.GCProfiler)
 */
function analyzeGroup(events, opts = {}) {
  /** @type {FloorPoint[]} */
  const floor = [];
  events.forEach((e, i) => {
    if (FULL_KINDS.has(e.kind)) floor.push({ time: e.time, bytes: e.after, event: i });
  });
  /** @type {Record<string, number>} */
  const byKind = {};
  let pauseMs = 0;
  for (const e of events) {
    byKind[e.kind] = (byKind[e.kind] || 0) + 1;
    pauseMs += e.durationMs;
  }
  const times = events.map((e) => e.time).filter((t) => t !== null);
  // V8's times count from the isolate's start: the span is that start to the last GC
  const spanMs = times.length ? Math.max(...times) : (opts.spanMs ?? null);
  const totals = {
    count: events.length,
    byKind,
    fullGcs: floor.length,
    pauseMs: round(pauseMs, 3),
    spanMs,
    pausePercent: spanMs ? round((100 * pauseMs) / spanMs, 2) : null,
  };

  const perGc = fitLine(floor.map((p, k) => [k, p.bytes]));
  const timed = floor.every((p) => p.time !== null);
  const perMs = timed ? fitLine(floor.map((p) => [/** @type {number} */ (p.time), p.bytes])) : null;
  let rose = 0;
  for (let k = 1; k < floor.length; k++) if (floor[k].bytes > floor[k - 1].bytes) rose++;
  const steps = Math.max(0, floor.length - 1);
  const fit = perGc
    ? {
        slopePerGc: Math.round(perGc.slope),
        slopePerMinute: perMs ? Math.round(perMs.slope * 60_000) : null,
        r2: round(perGc.r2, 4),
        // the fitted line over time, for the chart: bytes at time 0, per ms
        interceptBytes: perMs ? Math.round(perMs.intercept) : null,
        bytesPerMs: perMs ? perMs.slope : null,
        // the fitted line at the first full GC, and its rise from the first full GC to the last
        firstBytes: Math.round(perGc.intercept),
        riseBytes: Math.round(perGc.slope * steps),
      }
    : null;
  const steadiness = { rose, steps, roseFraction: steps ? round(rose / steps, 4) : null };
  return {
    floor,
    fit,
    steadiness,
    totals,
    verdict: verdictOf(floor, fit, steadiness),
  };
}

/**
 * `rising`, `flat` or `insufficient` by THRESHOLDS, with the numbers it was decided on and a
 * sentence for people.
 * @param {FloorPoint[]} floor
 * @param {import('../../index').GcGroup['fit']} fit
 * @param {import('../../index').GcGroup['steadiness']} s
 * @returns {{ kind: 'rising' | 'flat' | 'insufficient', message: string }}
 */
function verdictOf(floor, fit, s) {
  const T = THRESHOLDS;
  if (floor.length < T.minFullGcs || !fit) {
    return {
      kind: 'insufficient',
      message: `${floor.length} full GC${floor.length === 1 ? '' : 's'}: at least ${T.minFullGcs} are needed to tell whether the heap after them rises`,
    };
  }
  const minRise = Math.max(T.minRiseBytes, T.minRiseRatio * floor[0].bytes);
  // every unmet condition; the message gives the first
  const reasons = [];
  if (s.roseFraction < T.minRoseFraction) reasons.push(`it rose in ${s.rose} of ${s.steps} steps (${T.minRoseFraction * 100} % needed)`);
  if (fit.r2 < T.minR2) reasons.push(`the fitted line explains little of it (R² ${fit.r2.toFixed(2)} < ${T.minR2})`);
  if (fit.riseBytes < minRise)
    reasons.push(`the fitted rise, ${formatSignedBytes(fit.riseBytes)}, is under ${formatBytes(Math.round(minRise))}`);
  const numbers = `${formatSignedBytes(fit.slopePerGc)} per full GC, R² ${fit.r2.toFixed(2)}`;
  if (!reasons.length)
    return {
      kind: 'rising',
      message: `the heap after each full GC rises steadily over ${floor.length} full GCs: it rose in ${s.rose} of ${s.steps} steps (${numbers})`,
    };
  return {
    kind: 'flat',
    message: `the heap after each full GC does not rise steadily over ${floor.length} full GCs: ${reasons[0]} (${numbers})`,
  };
}

/** @param {number} v @param {number} digits */
function round(v, digits) {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * The events grouped by process and isolate (a worker thread is an isolate of its own), each
 * analysed, and the verdict of the whole log: `rising` when any group rises, else `flat` when any
 * group has enough full GCs, else `insufficient`.
 * @param {GcEvent[]} events
 * @param {{ profilerSpanMs?: number | null }} [opts]
 */
function analyzeGcEvents(events, opts = {}) {
  /** @type {Map<string, GcEvent[]>} */
  const groups = new Map();
  for (const e of events) {
    const key = e.pid === null ? 'profiler' : `${e.pid}:${e.isolate}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(e);
  }
  const warnings = [];
  const analysed = [...groups.values()].map((list) => {
    const first = list[0];
    for (let i = 1; i < list.length; i++) {
      if (list[i].time !== null && list[i - 1].time !== null && list[i].time < list[i - 1].time) {
        warnings.push(
          `the times of process ${first.pid}, isolate ${first.isolate} go back at line ${list[i].line} ` +
            '(two runs with the same process id and isolate address?); their events are analysed as one series',
        );
        break;
      }
    }
    return {
      pid: first.pid,
      isolate: first.isolate,
      events: list,
      ...analyzeGroup(list, { spanMs: first.pid === null ? opts.profilerSpanMs : null }),
    };
  });
  const kinds = analysed.map((g) => g.verdict.kind);
  /** @type {import('../../index').GcVerdict['kind']} */
  const kind = kinds.includes('rising') ? 'rising' : kinds.includes('flat') ? 'flat' : 'insufficient';
  const pick = analysed.find((g) => g.verdict.kind === kind);
  const who = (/** @type {typeof pick} */ g) => (g.pid === null ? '' : `process ${g.pid}, isolate ${g.isolate}: `);
  const verdict = {
    kind,
    rising: kind === 'rising',
    message: analysed.length > 1 && pick ? who(pick) + pick.verdict.message : pick ? pick.verdict.message : 'no GC events',
  };
  return { verdict, groups: analysed, thresholds: THRESHOLDS, warnings };
}

module.exports = { analyzeGcEvents, analyzeGroup, fitLine, THRESHOLDS };
