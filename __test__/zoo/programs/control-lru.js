'use strict';
// A bounded LRU cache of rendered pages: fills up to 20 entries, then evicts the least recently
// used one for every new entry. Busy but bounded.
class LruCache {
  constructor(max) {
    this.max = max;
    this.entries = new Map();
  }

  get(key) {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key, value) {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value);
  }
}

const pageCache = new LruCache(20);
let pageNo = 0;

function step() {
  const key = `/page/${++pageNo}`;
  if (!pageCache.get(key)) pageCache.set(key, { html: `<h1>${key}</h1>`.repeat(50), at: Date.now() });
  return pageCache.entries.size;
}

module.exports = { step };
