'use strict';
// Which classes a watch lists in each snapshot's summary: diff's rule (the engine's ClassFilter).
// What grows is not decided here: the engine's findings decide it, for watch as for diff and
// expectNoLeak.

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

module.exports = { classFilter };
