'use strict';
// Persistent growth across a series of snapshots: a class grows persistently when its object
// count or its retained size rose in at least `k` of the last `n` snapshots (each compared with
// the snapshot before it) and, over that window, it gained at least `minCount` objects or
// `minSize` bytes of retained size. One noisy pair does not make growth; a class that keeps
// rising does. Classes that only hold a growing class (their own count flat) are left out.

/** Default growth options. */
const GROWTH_DEFAULTS = Object.freeze({ k: 3, n: 4, minCount: 10, minSize: 64 * 1024 });

/**
 * A class-name filter (with the addon's `ClassFilter` class, handed over by the entry) from diff's `ignore` patterns (a substring, or `/regex/flags`) and
 * `includeInternal`: the engine's own rule (`ClassFilter`), so that watch leaves out exactly the
 * classes `diff` does. Throws on a bad pattern.
 */
function classFilter(ClassFilter, { ignore = [], includeInternal = false } = {}) {
  for (const p of ignore) {
    if (typeof p !== 'string' || p === '') throw new TypeError(`ignore patterns are non-empty strings, got ${JSON.stringify(p)}`);
  }
  let filter;
  try {
    filter = new ClassFilter(ignore, !!includeInternal);
  } catch (e) {
    throw new TypeError(e.message);
  }
  return (name) => filter.keeps(name);
}

/**
 * Validates and completes growth options `{ k, n, minCount, minSize }`; throws a TypeError with
 * a readable message.
 */
function growthOptions(o = {}) {
  const g = { ...GROWTH_DEFAULTS };
  for (const key of Object.keys(GROWTH_DEFAULTS)) {
    if (o[key] === undefined || o[key] === null) continue;
    const v = o[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new TypeError(`growth.${key} must be a whole number >= 0, got ${v}`);
    g[key] = v;
  }
  if (g.n < 1) throw new TypeError(`growth.n must be at least 1, got ${g.n}`);
  if (g.k < 1 || g.k > g.n) throw new TypeError(`growth.k must be between 1 and growth.n (${g.n}), got ${g.k}`);
  return g;
}

/**
 * Finds the persistently growing classes. `history` is the per-class figures of the snapshots,
 * oldest first: `[{ index, classes: Map<name, {count, retainedSize}> }]`; only the last `n + 1`
 * are looked at. `keep(name)` says which classes to consider. Returns
 * `[{ name, grewIn, window, fromIndex, countDelta, sizeDelta, counts, sizes }]`, largest size
 * growth first. `counts`/`sizes` hold the window's snapshots preceded by the one before the
 * window (when there is one), oldest first; `fromIndex` is the series index of their first entry.
 */
/**
 * @param {Array<{ index: number, classes: Map<string, { count: number, retainedSize: number }> }>} history
 * @param {{ k: number, n: number, minCount: number, minSize: number }} options
 * @param {(name: string) => boolean} [keep]
 * @returns {Array<Record<string, any>>}
 */
function findGrowth(history, options, keep = () => true) {
  const { k, n, minCount, minSize } = options;
  const slice = history.slice(-(n + 1));
  const steps = slice.length - 1;
  if (steps < k) return [];
  const names = new Set();
  for (const s of slice) for (const name of s.classes.keys()) names.add(name);
  const out = [];
  for (const name of names) {
    if (!keep(name)) continue;
    const counts = slice.map((s) => (s.classes.get(name) || { count: 0 }).count);
    const sizes = slice.map((s) => (s.classes.get(name) || { retainedSize: 0 }).retainedSize);
    let grewIn = 0;
    for (let i = 1; i < slice.length; i++) {
      if (counts[i] > counts[i - 1] || sizes[i] > sizes[i - 1]) grewIn++;
    }
    if (grewIn < k) continue;
    const countDelta = counts[counts.length - 1] - counts[0];
    const sizeDelta = sizes[sizes.length - 1] - sizes[0];
    const enough =
      (minCount > 0 && countDelta >= minCount) ||
      (minSize > 0 && sizeDelta >= minSize) ||
      (minCount === 0 && minSize === 0 && (countDelta > 0 || sizeDelta > 0));
    if (!enough) continue;
    out.push({ name, grewIn, window: steps, fromIndex: slice[0].index, countDelta, sizeDelta, counts, sizes });
  }
  // A class whose count did not grow but whose retained size did only holds growth (`global`
  // holding a growing array): it is left out when a class whose objects multiply explains at
  // least half of its growth.
  const multiplying = out.filter((g) => g.countDelta > 0);
  const kept = out.filter((g) => g.countDelta > 0 || !multiplying.some((h) => h.sizeDelta * 2 >= g.sizeDelta));
  kept.sort((a, b) => b.sizeDelta - a.sizeDelta || b.countDelta - a.countDelta || (a.name < b.name ? -1 : 1));
  return kept;
}

module.exports = { findGrowth, growthOptions, classFilter, GROWTH_DEFAULTS };
