'use strict';
// The loaded snapshots of a query session: each one a `HeapAnalysis` behind a handle id (`h1`,
// `h2`, …), found again by its file (the real path, size and modification time must all match, so
// a rewritten file is loaded anew). Memory is bounded by `maxMemory`: before a load, the least
// recently used snapshots are closed until the loaded ones plus the new file's predicted peak
// (`peek().predictedPeakBytes`) fit; a snapshot a query is using is never closed under it.
//
// Terms: a *handle* is the id a load returns; an *entry* is what the registry keeps for it.
const fs = require('node:fs');
const path = require('node:path');
const { HeapwiseError, invalidArgument } = require('../core.js');

/**
 * @typedef {object} Entry
 * @property {string} id the handle (`h1`)
 * @property {string} file the absolute path
 * @property {string} key real path, size and mtime: the same file unchanged
 * @property {number} fileSize
 * @property {import('../../binding').HeapAnalysis} analysis
 * @property {number} loadMs how long the load took
 * @property {number} lastUsed a counter, larger = more recent
 * @property {number} busy queries using it now (async ones: diff, findings)
 */

/**
 * @typedef {object} LoadOptions
 * @property {AbortSignal} [signal]
 * @property {(p: import('../../binding').Progress) => void} [onProgress]
 */

const HANDLE = /^h[1-9]\d*$/;

class Registry {
  /**
   * @param {object} deps
   * @param {typeof import('../../index').analyze} deps.analyze
   * @param {typeof import('../../index').peek} deps.peek
   * @param {number} deps.maxMemory bytes the loaded snapshots may hold together
   */
  constructor({ analyze, peek, maxMemory }) {
    this.analyze = analyze;
    this.peek = peek;
    this.maxMemory = maxMemory;
    /** @type {Map<string, Entry>} by handle */
    this.entries = new Map();
    /** @type {Map<string, Promise<Entry>>} loads under way, by file key */
    this.loading = new Map();
    this.next = 1;
    this.clock = 0;
  }

  /** True if `ref` names a handle rather than a file. */
  static isHandle(ref) {
    return HANDLE.test(ref);
  }

  /** Bytes the loaded snapshots hold now (read anew: a name search keeps a small index). */
  memoryBytes() {
    let sum = 0;
    for (const e of this.entries.values()) sum += e.analysis.memoryBytes;
    return sum;
  }

  /** The loaded snapshots, most recently used first. */
  list() {
    return [...this.entries.values()].sort((a, b) => b.lastUsed - a.lastUsed);
  }

  /**
   * The entry of a handle or a file (a file is loaded on first use).
   * @param {string} ref
   * @param {LoadOptions} [options]
   * @returns {Promise<{ entry: Entry, loaded: boolean }>} `loaded`: this call read the file
   */
  async resolve(ref, options = {}) {
    if (typeof ref !== 'string' || ref === '') throw invalidArgument('expected a snapshot: a file path or a handle such as "h1"');
    if (Registry.isHandle(ref)) {
      const entry = this.entries.get(ref);
      if (!entry) {
        const known = [...this.entries.keys()];
        throw new HeapwiseError(
          `no loaded snapshot has the handle ${ref}${known.length ? ` (loaded: ${known.join(', ')})` : ' (none is loaded)'}; it was closed or evicted, pass the file path to load it again`,
          'ERR_HEAPWISE_NOT_FOUND',
        );
      }
      this.touch(entry);
      return { entry, loaded: false };
    }
    return this.load(ref, options);
  }

  /**
   * Loads `file`, or finds it loaded.
   * @param {string} file
   * @param {LoadOptions} [options]
   * @returns {Promise<{ entry: Entry, loaded: boolean }>}
   */
  async load(file, options = {}) {
    const abs = path.resolve(file);
    const key = fileKey(abs);
    for (const entry of this.entries.values()) {
      if (entry.key === key) {
        this.touch(entry);
        return { entry, loaded: false };
      }
    }
    let pending = this.loading.get(key);
    if (pending) return { entry: await pending, loaded: false };
    pending = this.read(abs, key, options);
    this.loading.set(key, pending);
    try {
      return { entry: await pending, loaded: true };
    } finally {
      this.loading.delete(key);
    }
  }

  /**
   * @param {string} abs
   * @param {string} key
   * @param {LoadOptions} options
   */
  async read(abs, key, options) {
    const head = await this.peek(abs);
    this.makeRoom(head.predictedPeakBytes);
    const started = performance.now();
    const analysis = await this.analyze(abs, {
      signal: options.signal,
      onProgress: options.onProgress,
      maxMemory: this.maxMemory,
    });
    // What the first query by id and the first name search would build, built now off the JS
    // thread: no query pays for it.
    await analysis.prepareQueries();
    /** @type {Entry} */
    const entry = {
      id: `h${this.next++}`,
      file: abs,
      key,
      fileSize: head.fileSize,
      analysis,
      loadMs: Math.round(performance.now() - started),
      lastUsed: ++this.clock,
      busy: 0,
    };
    this.entries.set(entry.id, entry);
    this.makeRoom(0);
    return entry;
  }

  /**
   * Closes least recently used snapshots (not busy ones) until `needed` more bytes fit.
   * @param {number} needed
   */
  makeRoom(needed) {
    const idle = this.list()
      .reverse()
      .filter((e) => e.busy === 0);
    let used = this.memoryBytes();
    for (const e of idle) {
      if (used + needed <= this.maxMemory) break;
      // The newest snapshot stays even alone over the limit: it was just asked for.
      if (needed === 0 && e.lastUsed === this.clock) break;
      used -= e.analysis.memoryBytes;
      this.close(e.id);
    }
  }

  /** @param {Entry} entry */
  touch(entry) {
    entry.lastUsed = ++this.clock;
  }

  /**
   * Runs `work` with the entry marked busy, so that no load evicts it meanwhile.
   * @template T
   * @param {Entry} entry
   * @param {() => Promise<T>} work
   */
  async using(entry, work) {
    entry.busy++;
    try {
      return await work();
    } finally {
      entry.busy--;
    }
  }

  /**
   * Keeps a snapshot loaded whatever the memory limit says (the explorer's own snapshots): it is
   * never closed to make room.
   * @param {string} id
   */
  pin(id) {
    const entry = this.entries.get(id);
    if (entry) entry.busy++;
  }

  /**
   * Frees a snapshot; false if no snapshot has that handle.
   * @param {string} id
   */
  close(id) {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.analysis.close();
    return true;
  }

  /** Frees every snapshot. */
  closeAll() {
    for (const id of this.entries.keys()) this.close(id);
  }
}

/**
 * The identity of a file's current content: real path, size and modification time.
 * @param {string} abs
 */
function fileKey(abs) {
  try {
    const st = fs.statSync(abs);
    return `${fs.realpathSync(abs)}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    // peek() reports the error with its code.
    return abs;
  }
}

module.exports = { Registry };
