'use strict';
// Allocation sites of a DHAT profile, and the difference between two profiles by site.
//
// A site is named by its innermost MATCH_FRAMES frames that are not allocator internals (malloc
// and friends, C++'s operator new and std::allocator, Rust's `alloc` crate — Box, Vec, String,
// raw_vec — the global allocator and the `dhat` crate itself), each frame as its function and its
// file without line and column, and never its address. So the same site matches in two builds of
// a program even when the addresses differ and lines moved. Program points with the same name are
// added together; a site shows the frames of its heaviest program point. docs/dhat.md has the rule.

/**
 * How many frames outside the allocator name a site: the function that allocates, its caller and
 * the caller's caller. One frame would merge every call of a helper (`make_buffer()` called from
 * ten places); more than three splits one site in two when an outer caller changed between the
 * builds (a refactored main loop), which hides the very growth a diff looks for.
 */
const MATCH_FRAMES = 3;

/** Functions that are the allocator, not the program's allocation site. */
const ALLOCATOR_FUNCTIONS = [
  // C: valgrind's replacements and glibc's, and libc functions that only allocate for their caller
  /^(malloc|calloc|realloc|reallocarray|free|memalign|posix_memalign|aligned_alloc|valloc|pvalloc|strdup|strndup)$/,
  /^__libc_(malloc|calloc|realloc|memalign)$/,
  // C++
  /^operator new(\[\])?\b/,
  /^(std::(__\d+::)?(allocator|__new_allocator|allocator_traits)|__gnu_cxx::new_allocator)\b/,
  // Rust: the global allocator's shims, the alloc crate (Box, Vec, String, raw_vec), the dhat crate
  /^(__rustc::)?__(rust|rdl|rg)_(alloc|alloc_zeroed|realloc|dealloc)$/,
  /^(alloc|core::alloc|std::alloc|dhat)::/,
  /^<(alloc|core::alloc|std::alloc|dhat)::/,
  / as (alloc|core::alloc|std::alloc)::[^>]*>::/,
];

/** @param {import('./parse.js').Frame} f */
function isAllocatorFrame(f) {
  if (f.location && /vgpreload_/.test(f.location)) return true;
  return ALLOCATOR_FUNCTIONS.some((re) => re.test(f.function));
}

/**
 * A frame as a site's name holds it: the function and its file, without line, column or address;
 * a frame with no symbol (`???`) keeps its address, the only thing that tells it apart (such a
 * frame matches in another build only when the code did not move).
 * @param {import('./parse.js').Frame} f
 */
function frameKey(f) {
  if (f.function === '???' && f.address) return `??? ${f.address}${f.location ? ` (${f.location})` : ''}`;
  return f.location ? `${f.function} (${f.location.replace(/(:\d+){1,2}$/, '')})` : f.function;
}

/**
 * The frames that name a site: the innermost MATCH_FRAMES outside the allocator (or, when every
 * frame is the allocator's, the innermost frames).
 * @param {import('./parse.js').Frame[]} frames
 */
function siteKey(frames) {
  const own = frames.filter((f) => !isAllocatorFrame(f));
  return (own.length ? own : frames).slice(0, MATCH_FRAMES).map(frameKey);
}

const ZERO = () => ({ bytes: 0, blocks: 0 });

/**
 * @typedef {import('./parse.js').Amount} Amount
 * @typedef {object} Site
 * @property {string[]} key   the frames that name it (MATCH_FRAMES at most)
 * @property {import('./parse.js').Frame[]} frames  its heaviest program point's frames, innermost first
 * @property {number} programPoints  how many program points it adds up
 * @property {Amount} total
 * @property {Amount | null} gmax
 * @property {Amount | null} end
 */

/**
 * The sites of a profile, in the order first seen.
 * @param {ReturnType<typeof import('./parse.js').readDhat>} profile
 * @returns {Site[]}
 */
function sitesOf(profile) {
  /** @type {Map<string, Site & { weight: number }>} */
  const byKey = new Map();
  for (const pp of profile.pps) {
    const key = siteKey(pp.frames);
    const id = key.join('\n');
    let s = byKey.get(id);
    if (!s) {
      s = { key, frames: pp.frames, programPoints: 0, total: ZERO(), gmax: pp.gmax && ZERO(), end: pp.end && ZERO(), weight: -1 };
      byKey.set(id, s);
    }
    s.programPoints++;
    for (const k of /** @type {const} */ (['total', 'gmax', 'end'])) {
      const a = pp[k];
      const t = s[k];
      if (a && t) {
        t.bytes += a.bytes;
        t.blocks += a.blocks;
      }
    }
    const weight = pp.end ? pp.end.bytes * 2 ** 20 + pp.total.bytes : pp.total.bytes;
    if (weight > s.weight) {
      s.frames = pp.frames;
      s.weight = weight;
    }
  }
  return [...byKey.values()].map(({ weight: _, ...s }) => s);
}

/**
 * The `top` sites with the most bytes at `metric`, most first (sites with none left out).
 * @param {Site[]} sites
 * @param {'total' | 'gmax' | 'end'} metric
 * @param {number} top
 */
function topSites(sites, metric, top) {
  return sites
    .filter((s) => s[metric] && /** @type {Amount} */ (s[metric]).bytes > 0)
    .sort((x, y) => /** @type {Amount} */ (y[metric]).bytes - /** @type {Amount} */ (x[metric]).bytes)
    .slice(0, top);
}

/**
 * @typedef {object} SiteChange
 * @property {string[]} key
 * @property {import('./parse.js').Frame[]} frames  B's frames (A's for a site that disappeared)
 * @property {Amount} a
 * @property {Amount} b
 * @property {Amount} delta  b − a
 */

/**
 * The sites that changed at `metric` between A and B: grew, shrank (in both), appeared (only in
 * B, with bytes), disappeared (only in A, with bytes); each list largest change first, cut to
 * `top`, with how many there were in `counts`.
 * @param {Site[]} a
 * @param {Site[]} b
 * @param {'total' | 'gmax' | 'end'} metric
 * @param {number} top
 */
function changes(a, b, metric, top) {
  const id = (/** @type {Site} */ s) => s.key.join('\n');
  const inA = new Map(a.map((s) => [id(s), s]));
  const inB = new Map(b.map((s) => [id(s), s]));
  /** @type {Record<'grew' | 'shrank' | 'appeared' | 'disappeared', SiteChange[]>} */
  const lists = { grew: [], shrank: [], appeared: [], disappeared: [] };
  const amount = (/** @type {Site | undefined} */ s) => (s && s[metric]) || ZERO();
  for (const [k, sb] of inB) {
    const sa = inA.get(k);
    const x = amount(sa);
    const y = amount(sb);
    const change = { key: sb.key, frames: sb.frames, a: x, b: y, delta: { bytes: y.bytes - x.bytes, blocks: y.blocks - x.blocks } };
    if (!sa) {
      if (y.bytes > 0) lists.appeared.push(change);
    } else if (change.delta.bytes > 0) lists.grew.push(change);
    else if (change.delta.bytes < 0) lists.shrank.push(change);
  }
  for (const [k, sa] of inA) {
    if (inB.has(k)) continue;
    const x = amount(sa);
    if (x.bytes > 0)
      lists.disappeared.push({ key: sa.key, frames: sa.frames, a: x, b: ZERO(), delta: { bytes: -x.bytes, blocks: -x.blocks } });
  }
  const counts = { grew: 0, shrank: 0, appeared: 0, disappeared: 0 };
  for (const k of /** @type {const} */ (['grew', 'shrank', 'appeared', 'disappeared'])) {
    counts[k] = lists[k].length;
    lists[k] = lists[k].sort((x, y) => Math.abs(y.delta.bytes) - Math.abs(x.delta.bytes)).slice(0, top);
  }
  return { ...lists, counts };
}

module.exports = { MATCH_FRAMES, isAllocatorFrame, frameKey, siteKey, sitesOf, topSites, changes };
