'use strict';
// One verdict across the layers of a process's memory, for watch's report: which layer grows, and
// what holds the growth. Pure: a WatchSeries in, `{ kind, message, holder, layers }` out.
//
// Terms:
// - a layer: one measure of memory over time, in bytes.
//     rss, pss        the process tree's resident and proportional set size (the samples; /proc)
//     jsHeap          the V8 heap: `heapUsed` of process.memoryUsage() (the samples: this process,
//                     or the Node processes of `watch -- CMD` through the preload, summed), else
//                     the snapshots' Statistics `v8Heap` (DevTools' total without native memory)
//     arrayBuffers    ArrayBuffer and Buffer backing stores: `arrayBuffers` of the samples, else the
//                     snapshots' Statistics `typedArrays`
//     otherExternal   `external − arrayBuffers` of the samples: other memory V8 is told JS objects
//                     hold outside its heap (external strings, addons' objects)
//   plus the GC floor (the heap after each full GC), which has its own rule (lib/gc/floor.js) and
//   is taken as that rule's verdict.
// - the levels of a layer: its points cut into at most LEVELS stretches of equal length (in
//   order) of at least STRETCH points each, each stretch's lowest value (the low envelope: writing a snapshot or a burst of work
//   raises RSS for a moment; what stays is what counts). Snapshot points are levels as they are.
// - a step rises when the next level is not below the previous one (a level that stays: the
//   process was paused, e.g. while it wrote a snapshot, and did not allocate).
// - a layer grows when, over at least MIN_LEVELS levels, (1) the levels rose in at least
//   floor.js's minRoseFraction of the steps (steadily), (2) the least-squares line through them
//   (floor.js's fitLine) fits with R² of at least floor.js's minR2, (3) the fitted rise over the
//   series is at least floor.js's minRiseRatio of the first level and at least the layer's
//   MIN_RISE (noise: allocators and the OS move RSS by megabytes), and (4) it still rises: the
//   last level is above the middle one by at least a quarter of the fitted rise (a warm-up that
//   rises once and stays is not growth). Fewer levels: `insufficient`; otherwise `flat`.
// This rule is about totals of a layer. What grows among the heap's objects, and who holds it, is
// the engine's findings (its Series): the one rule for objects. The holder named here is the top
// finding's, when that finding's growth is the layer's growth.
const { fitLine, THRESHOLDS } = require('../gc/floor.js');
const { formatSignedBytes } = require('../format.js');

/** Stretches a layer's samples are cut into (its levels). */
const LEVELS = 8;
/** Samples a stretch holds at least (its lowest is a level: a stretch of one or two is not a floor). */
const STRETCH = 4;
/** Levels a verdict needs (floor.js asks as many full GCs). */
const MIN_LEVELS = THRESHOLDS.minFullGcs;
/** The smallest fitted rise that counts, per layer (RSS and PSS move by megabytes on their own). */
const MIN_RISE = Object.freeze({
  rss: 8 * 1024 * 1024,
  pss: 8 * 1024 * 1024,
  jsHeap: THRESHOLDS.minRiseBytes,
  arrayBuffers: THRESHOLDS.minRiseBytes,
  otherExternal: THRESHOLDS.minRiseBytes,
});
/** What the reports call each layer. */
const LABELS = Object.freeze({
  rss: 'RSS',
  pss: 'PSS',
  jsHeap: 'JS heap',
  arrayBuffers: 'ArrayBuffers',
  otherExternal: 'other external',
  gcFloor: 'GC floor',
});
/** A finding holds a layer's growth when its retained growth is at least this share of it. */
const HOLDS_SHARE = 0.5;

/**
 * The levels of a layer's points (see the terms above).
 * @param {Array<[number, number]>} points [time, bytes], in time order
 * @param {boolean} envelope take each stretch's lowest value (samples) or every point (snapshots)
 * @returns {Array<[number, number]>}
 */
function levelsOf(points, envelope) {
  if (!envelope) return points.slice();
  const n = Math.min(LEVELS, Math.floor(points.length / STRETCH));
  const out = [];
  for (let k = 0; k < n; k++) {
    const part = points.slice(Math.floor((k * points.length) / n), Math.floor(((k + 1) * points.length) / n));
    let low = part[0];
    for (const p of part) if (p[1] < low[1]) low = p;
    out.push(low);
  }
  return out;
}

/**
 * The verdict on one layer.
 * @param {import('../../index').WatchLayer['layer']} layer
 * @param {Array<[number, number]>} points [time, bytes]
 * @param {'samples' | 'snapshots'} source
 * @returns {import('../../index').WatchLayer}
 */
function judgeLayer(layer, points, source) {
  const levels = levelsOf(points, source === 'samples');
  const first = points.length ? points[0][1] : 0;
  const last = points.length ? points[points.length - 1][1] : 0;
  const base = { layer, label: LABELS[layer], source, points: points.length, first, last, change: last - first };
  if (levels.length < MIN_LEVELS)
    return { ...base, verdict: 'insufficient', rise: null, r2: null, rose: null, steps: null, perMinute: null };
  const fit = /** @type {NonNullable<ReturnType<typeof fitLine>>} */ (fitLine(levels.map((p, k) => [k, p[1]])));
  const timed = fitLine(levels.map((p) => [p[0], p[1]]));
  const rise = fit ? fit.slope * (levels.length - 1) : 0;
  let rose = 0;
  for (let k = 1; k < levels.length; k++) if (levels[k][1] >= levels[k - 1][1]) rose++;
  const steps = levels.length - 1;
  const mid = levels[Math.floor((levels.length - 1) / 2)][1];
  const lastLevel = levels[levels.length - 1][1];
  const grows =
    rose >= THRESHOLDS.minRoseFraction * steps &&
    !!fit &&
    fit.r2 >= THRESHOLDS.minR2 &&
    rise >= THRESHOLDS.minRiseRatio * levels[0][1] &&
    rise >= (MIN_RISE[layer] || THRESHOLDS.minRiseBytes) &&
    lastLevel - mid >= rise / 4;
  return {
    ...base,
    verdict: grows ? 'grows' : 'flat',
    rise: Math.round(rise),
    r2: fit ? Math.round(fit.r2 * 1e4) / 1e4 : null,
    rose,
    steps,
    perMinute: timed ? Math.round(timed.slope * 60_000) : null,
  };
}

/**
 * The points of a sample field, in time order (nulls left out).
 * @param {Array<Record<string, any>>} samples
 * @param {(s: Record<string, any>) => number | null} get
 * @returns {Array<[number, number]>}
 */
function samplePoints(samples, get) {
  const out = [];
  for (const s of samples) {
    const v = get(s);
    if (typeof v === 'number' && Number.isFinite(v)) out.push(/** @type {[number, number]} */ ([s.time, v]));
  }
  return out;
}

/**
 * The snapshots of the series' current process (the pid of the latest snapshot) that carry
 * Statistics.
 * @param {import('../../index').WatchSeries} series
 */
function processSnapshots(series) {
  const snaps = series.snapshots.filter((s) => s.statistics);
  if (!snaps.length) return [];
  const pid = snaps[snaps.length - 1].pid;
  return snaps.filter((s) => s.pid === pid);
}

/**
 * Which growth entry holds a layer's growth, if any: the top entry (leaks first, then the largest
 * retained growth) whose retained growth, over the snapshots it spans, is at least HOLDS_SHARE of
 * the layer's change over the same snapshots. `made` says what its growth is made of: ArrayBuffer
 * backing stores (the snapshots' typedArrays grew by at least HOLDS_SHARE of it) or JS objects.
 * @param {import('../../index').WatchSeries} series
 */
function growthHolder(series) {
  const entries = [...(series.growth || [])].filter((g) => g.sizeDelta > 0);
  entries.sort((a, b) => Number(b.leak) - Number(a.leak) || b.sizeDelta - a.sizeDelta);
  const top = entries[0];
  if (!top) return null;
  const byIndex = new Map(series.snapshots.map((s) => [s.index, s]));
  const from = byIndex.get(top.snapshots[0]);
  const to = byIndex.get(top.snapshots[top.snapshots.length - 1]);
  const typed = from && to && from.statistics && to.statistics ? to.statistics.typedArrays - from.statistics.typedArrays : null;
  const made = typed !== null && typed >= HOLDS_SHARE * top.sizeDelta ? 'arrayBuffers' : 'jsHeap';
  return {
    name: top.name,
    description: top.description,
    pathText: top.pathText,
    leak: top.leak,
    sizeDelta: top.sizeDelta,
    made: /** @type {'arrayBuffers' | 'jsHeap'} */ (made),
    source: /** @type {'finding' | 'externalMemory'} */ ('finding'),
  };
}

/** The kinds of externalMemory() each native layer is made of. */
const LAYER_KINDS = {
  arrayBuffers: ['arrayBuffers'],
  otherExternal: ['externalStrings', 'embedder', 'detachedEmbedder'],
};

/**
 * The holder of a native layer's growth that no finding explains, from the snapshots'
 * `HeapAnalysis.externalMemory()` holders: among the holders of the layer's kinds in the latest
 * snapshot of the process, the one whose bytes grew most since the first snapshot (a holder
 * missing from the first snapshot's list grew from 0); none when no holder grew.
 * @param {import('../../index').WatchSeries} series
 * @param {'arrayBuffers' | 'otherExternal'} layer
 * @returns {null | { name: string, description: string, pathText: string, leak: boolean, sizeDelta: number, made: 'arrayBuffers' | 'jsHeap', source: 'externalMemory' }}
 */
function externalMemoryHolder(series, layer) {
  const snaps = processSnapshots(series).filter((s) => s.external);
  if (snaps.length < 2) return null;
  const kinds = LAYER_KINDS[layer];
  /** @param {import('../../index').WatchExternal['holders'][number]} h */
  const key = (h) => `${h.kind} ${h.holder ? h.holder.id : h.pathText}`;
  const first = new Map();
  for (const h of /** @type {import('../../index').WatchExternal} */ (snaps[0].external).holders) first.set(key(h), h.bytes);
  let best = null;
  let bestGrowth = 0;
  for (const h of /** @type {import('../../index').WatchExternal} */ (snaps[snaps.length - 1].external).holders) {
    if (!kinds.includes(h.kind)) continue;
    const growth = h.bytes - (first.get(key(h)) || 0);
    if (growth > bestGrowth) [best, bestGrowth] = [h, growth];
  }
  if (!best) return null;
  const what = best.holder ? `${best.holder.className} @${best.holder.id}` : 'roots only';
  return {
    name: best.holder ? best.holder.name || best.holder.className : best.pathText,
    description: `${what}, at ${best.pathText}`,
    pathText: best.pathText,
    leak: false,
    sizeDelta: bestGrowth,
    made: layer === 'arrayBuffers' ? 'arrayBuffers' : 'jsHeap',
    source: 'externalMemory',
  };
}

/** `RSS +200 MB`, `JS heap flat (+0.3 MB)`, `PSS ?` … @param {import('../../index').WatchLayer} l */
function layerPhrase(l) {
  if (l.verdict === 'grows') return `${l.label} ${formatSignedBytes(l.change)}`;
  if (l.verdict === 'flat') return `${l.label} flat (${formatSignedBytes(l.change)})`;
  return `${l.label} ${formatSignedBytes(l.change)} (too few points to judge)`;
}

/**
 * The verdict across layers of a WatchSeries (the `layers` field of `watcher.series()`).
 * @param {import('../../index').WatchSeries} series
 * @returns {import('../../index').WatchLayers | null} null when there is nothing to judge
 */
function layerVerdict(series) {
  const samples = series.samples || [];
  const snaps = processSnapshots(series);
  /** @type {import('../../index').WatchLayer[]} */
  const layers = [];
  const add = (
    /** @type {import('../../index').WatchLayer['layer']} */ layer,
    /** @type {Array<[number, number]>} */ pts,
    /** @type {'samples' | 'snapshots'} */ source,
  ) => {
    if (pts.length) layers.push(judgeLayer(layer, pts, source));
  };
  add(
    'rss',
    samplePoints(samples, (s) => s.rss),
    'samples',
  );
  add(
    'pss',
    samplePoints(samples, (s) => s.pss),
    'samples',
  );
  const heapUsed = samplePoints(samples, (s) => s.heapUsed);
  if (heapUsed.length >= MIN_LEVELS) add('jsHeap', heapUsed, 'samples');
  else
    add(
      'jsHeap',
      snaps.map((s) => /** @type {[number, number]} */ ([s.time, /** @type {any} */ (s.statistics).v8Heap])),
      'snapshots',
    );
  const ab = samplePoints(samples, (s) => s.arrayBuffers);
  if (ab.length >= MIN_LEVELS) add('arrayBuffers', ab, 'samples');
  else
    add(
      'arrayBuffers',
      snaps.map((s) => /** @type {[number, number]} */ ([s.time, /** @type {any} */ (s.statistics).typedArrays])),
      'snapshots',
    );
  add(
    'otherExternal',
    samplePoints(samples, (s) => (s.external === null || s.arrayBuffers === null ? null : s.external - s.arrayBuffers)),
    'samples',
  );
  const gc = series.gc || null;
  if (!layers.length && !gc) return null;

  const get = (/** @type {string} */ k) => layers.find((l) => l.layer === k);
  const grows = (/** @type {string} */ k) => get(k)?.verdict === 'grows';
  const floorRising = !!gc && gc.verdict.kind === 'rising';
  const jsGrows = grows('jsHeap') || floorRising;
  let holder = growthHolder(series);
  const nativeLayer = grows('arrayBuffers') ? 'arrayBuffers' : grows('otherExternal') ? 'otherExternal' : null;
  if (nativeLayer && (!holder || holder.made !== 'arrayBuffers' || nativeLayer !== 'arrayBuffers')) {
    holder = externalMemoryHolder(series, nativeLayer) || (holder && holder.made === 'arrayBuffers' ? holder : null);
  }
  const by = holder ? ` held by ${holder.description || holder.name}` : '';

  const phrases = ['jsHeap', 'arrayBuffers', 'otherExternal', 'rss', 'pss']
    .map(get)
    .filter(Boolean)
    .map((l) => layerPhrase(/** @type {any} */ (l)));
  if (gc) phrases.splice(1, 0, `GC floor ${gc.verdict.kind}`);
  /** @type {import('../../index').WatchLayers['kind']} */
  let kind;
  let why;
  // a finding that says the JS heap leaks decides for the JS heap, whatever the totals say
  const jsLeak = !!holder && holder.leak && holder.made === 'jsHeap';
  if (jsGrows || jsLeak) {
    kind = 'js-heap';
    why = `the growth is in the JS heap${holder && holder.made === 'jsHeap' ? by : ''}`;
  } else if (nativeLayer === 'arrayBuffers') {
    kind = 'array-buffers';
    why = `the growth is in Buffers and ArrayBuffers (their backing stores, outside the JS heap)${by}`;
  } else if (nativeLayer === 'otherExternal') {
    kind = 'external';
    why = `the growth is in external memory other than ArrayBuffers (external strings, addons' objects)${by}`;
  } else if (grows('rss') || grows('pss')) {
    kind = 'native';
    const procs = samples.length ? samples[samples.length - 1].processes : 1;
    why =
      'the growth is outside what V8 and Node count: native code and addons, the allocator' +
      (procs > 1 ? `, or the ${procs} processes of the tree (PSS shows what they cost together)` : ', or child processes');
  } else if (layers.every((l) => l.verdict === 'insufficient') && (!gc || gc.verdict.kind === 'insufficient')) {
    kind = 'insufficient';
    why = 'too few samples to judge';
  } else {
    kind = 'none';
    why = 'no layer grows';
  }
  return {
    kind,
    message: `${phrases.join(', ')}: ${why}`,
    holder: kind === 'none' || kind === 'insufficient' || kind === 'native' ? null : holder,
    layers,
  };
}

module.exports = {
  layerVerdict,
  judgeLayer,
  levelsOf,
  growthHolder,
  externalMemoryHolder,
  LABELS,
  MIN_RISE,
  LEVELS,
  STRETCH,
  MIN_LEVELS,
  HOLDS_SHARE,
};
