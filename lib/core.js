'use strict';
// The plumbing every JS module of heapwise shares: the HeapwiseError class and the adoption of
// the addon's errors, path and `file:` URL handling, option checks, size literals (`maxMemory`,
// the CLI's sizes) and the queue that analyze() and diff() calls wait in. It loads no native code
// and requires no other heapwise module, so the entry (index.js), watch, the test helpers and
// the CLI can all use it without a cycle.
const fs = require('node:fs');
const { fileURLToPath } = require('node:url');

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * @typedef {import('../index').HeapwiseErrorCode} HeapwiseErrorCode
 */

/** The error every heapwise function rejects or throws with; see `code` and `byteOffset`. */
class HeapwiseError extends Error {
  /**
   * @param {string} message
   * @param {HeapwiseErrorCode} code
   * @param {number | null} [byteOffset]
   */
  constructor(message, code, byteOffset = null) {
    super(message);
    /** @type {HeapwiseErrorCode} */
    this.code = code;
    /** @type {number | null} */
    this.byteOffset = byteOffset;
  }
}
Object.defineProperty(HeapwiseError.prototype, 'name', { value: 'HeapwiseError', writable: true, configurable: true });

/**
 * A HeapwiseError with code `ERR_HEAPWISE_INVALID_ARGUMENT`: an option or argument is wrong.
 * @param {string} message
 */
function invalidArgument(message) {
  return new HeapwiseError(message, 'ERR_HEAPWISE_INVALID_ARGUMENT');
}

// napi-rs' argument errors (a wrong type, a closed handle) are reported as INVALID_ARGUMENT.
const NAPI_ARGUMENT_STATUS = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
]);

/**
 * Gives an error of the addon the HeapwiseError class (and `byteOffset: null` when it has none),
 * so that `e instanceof HeapwiseError` holds for every error heapwise throws. Other values are
 * returned as they are.
 * @param {unknown} e
 * @returns {unknown}
 */
function adopt(e) {
  if (!e || typeof e !== 'object') return e;
  const err = /** @type {{ code?: unknown, byteOffset?: unknown }} */ (e);
  if (typeof err.code === 'string' && NAPI_ARGUMENT_STATUS.has(err.code)) err.code = 'ERR_HEAPWISE_INVALID_ARGUMENT';
  if (typeof err.code === 'string' && err.code.startsWith('ERR_HEAPWISE_')) {
    Object.setPrototypeOf(err, HeapwiseError.prototype);
    if (!('byteOffset' in err)) err.byteOffset = null;
  }
  return e;
}

// ---------------------------------------------------------------------------------------------
// Paths and options

/**
 * A file path from a string or a `file:` URL; throws INVALID_ARGUMENT for anything else.
 * @param {unknown} p
 * @param {string} [what] how the message names the argument
 * @returns {string}
 */
function toPath(p, what = 'a file path') {
  if (p instanceof URL) return fileURLToPath(p);
  if (typeof p !== 'string') {
    throw invalidArgument(`expected ${what} (string or URL), got ${p === null ? 'null' : typeof p}`);
  }
  return p;
}

/**
 * A whole number option `>= min` (and `<= max` when given), or `fallback` when `value` is
 * undefined; throws INVALID_ARGUMENT naming `what` otherwise.
 * @param {unknown} value
 * @param {string} what
 * @param {{ min?: number, max?: number, fallback?: number }} [limits]
 * @returns {number}
 */
function wholeNumber(value, what, { min = 0, max = Infinity, fallback } = {}) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `from ${min} to ${max}`;
    throw invalidArgument(`${what} must be a whole number ${range}, got ${String(value)}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Sizes and counts

// Decimal units are powers of 1000 (as DevTools and `formatBytes` show sizes), binary ones powers
// of 1024. Unit names are case-insensitive ("2mb" = "2MB" = 2,000,000); "B" or nothing = bytes.
// Bare "k" / "m" / "g" are refused: tools disagree on whether they mean 1000 or 1024.
const UNITS = new Map([
  ['', 1],
  ['b', 1],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
  ['kib', 1024],
  ['mib', 1024 ** 2],
  ['gib', 1024 ** 3],
  ['tib', 1024 ** 4],
]);

/**
 * Parses a size: `1000`, `512kB`, `2MB`, `1.5GiB`, `2 MB`, `10_000`. Returns whole bytes (rounded
 * to the nearest byte) or throws an Error that says what is accepted.
 * @param {string | number} text
 * @returns {number}
 */
function parseSize(text) {
  const s = String(text).trim();
  const m = /^(\d+(?:_\d+)*(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(s);
  const unit = m && UNITS.get(m[2].toLowerCase());
  if (!m || unit === undefined || unit === null) {
    throw new Error(
      `invalid size ${JSON.stringify(String(text))}: expected a number of bytes with an optional unit, ` +
        'e.g. 1000, 512kB, 2MB, 1.5GiB (kB/MB/GB = 1000^n bytes, KiB/MiB/GiB = 1024^n)',
    );
  }
  const bytes = Math.round(Number(m[1].replace(/_/g, '')) * unit);
  if (!Number.isSafeInteger(bytes)) throw new Error(`size ${JSON.stringify(String(text))} is too large`);
  return bytes;
}

/**
 * Parses a whole, non-negative count (`1000`, `10_000`); throws otherwise.
 * @param {string | number} text
 * @param {string} [what]
 * @returns {number}
 */
function parseCount(text, what = 'count') {
  const s = String(text).trim();
  if (!/^\d+(?:_\d+)*$/.test(s)) throw new Error(`${what} needs a whole number >= 0, got ${JSON.stringify(String(text))}`);
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isSafeInteger(n)) throw new Error(`${what} ${JSON.stringify(String(text))} is too large`);
  return n;
}

/**
 * `options` with `maxMemory` as bytes: a number, or a size string such as '2GB' or '1.5GiB'.
 * @template {{ maxMemory?: unknown } | null | undefined} T
 * @param {T} options
 * @returns {T}
 */
function withMaxMemory(options) {
  if (!options || options.maxMemory === undefined || options.maxMemory === null) return options;
  let bytes = options.maxMemory;
  if (typeof bytes === 'string') {
    try {
      bytes = parseSize(bytes);
    } catch (e) {
      throw invalidArgument(`maxMemory: ${/** @type {Error} */ (e).message}`);
    }
  }
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes <= 0) {
    throw invalidArgument(`maxMemory must be a positive number of bytes or a size such as '2GB', got ${String(options.maxMemory)}`);
  }
  return { ...options, maxMemory: bytes };
}

// ---------------------------------------------------------------------------------------------
// The call queue

/**
 * @typedef {object} QueueEntry
 * @property {() => unknown} job
 * @property {(v: any) => void} resolve
 * @property {(e: unknown) => void} reject
 * @property {AbortSignal | undefined} signal
 * @property {(() => void) | null} onAbort
 */

// A first-in, first-out queue that runs at most `limit` async jobs at a time. heapwise puts every
// analyze() and diff() through one, so that a burst of calls (a service asked for many reports at
// once) cannot start dozens of analyses that each want all cores and hundreds of MB. Waiting
// happens in JS (no thread is started for a queued job) and an aborted job leaves the queue at
// once.
class Queue {
  /** @param {number} limit */
  constructor(limit) {
    this.limit = 1;
    this.running = 0;
    /** @type {QueueEntry[]} */
    this.waiting = [];
    this.setLimit(limit);
  }

  /** @param {unknown} limit */
  setLimit(limit) {
    this.limit = wholeNumber(limit, 'the concurrency limit', { min: 1 });
    this.drain();
  }

  /**
   * Runs `job()` (which returns a promise) when a slot is free. `onWait` is called if the job has
   * to wait; `signal` (an AbortSignal) removes a waiting job, rejecting with `abortError()`.
   * @template T
   * @param {() => T | Promise<T>} job
   * @param {{ signal?: AbortSignal, onWait?: (waiting: number) => void, abortError?: () => Error }} [how]
   * @returns {Promise<T>}
   */
  run(job, { signal, onWait, abortError = () => new Error('aborted') } = {}) {
    return new Promise((resolve, reject) => {
      /** @type {QueueEntry} */
      const entry = { job, resolve, reject, signal, onAbort: null };
      if (this.running < this.limit) {
        this.start(entry);
        return;
      }
      if (signal) {
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(abortError());
          }
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
      if (onWait) onWait(this.waiting.length);
    });
  }

  /** @param {QueueEntry} entry */
  start(entry) {
    if (entry.onAbort && entry.signal) entry.signal.removeEventListener('abort', entry.onAbort);
    this.running++;
    let p;
    try {
      p = Promise.resolve(entry.job());
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(entry.resolve, entry.reject).finally(() => {
      this.running--;
      this.drain();
    });
  }

  drain() {
    while (this.running < this.limit && this.waiting.length) {
      this.start(/** @type {QueueEntry} */ (this.waiting.shift()));
    }
  }
}

// analyze() and diff() calls beyond this many wait their turn (HEAPWISE_CONCURRENCY, default 1:
// one analysis already uses every core, and memory is what runs out first).
const queue = new Queue(concurrencyFromEnv());

function concurrencyFromEnv() {
  const v = process.env.HEAPWISE_CONCURRENCY;
  const n = v === undefined || v === '' ? 1 : Number(v);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/**
 * Sets how many analyze()/diff() calls may run at once; later calls wait in order.
 * @param {number} limit
 */
function setConcurrency(limit) {
  queue.setLimit(limit);
}

/**
 * Runs one native call through the queue, reporting `queued` progress while it waits.
 * @template T
 * @param {string} what how the abort message names the call
 * @param {{ signal?: AbortSignal | null, onProgress?: unknown } | null | undefined} options
 * @param {() => Promise<T>} call
 * @returns {Promise<T>}
 */
function queued(what, options, call) {
  const signal = (options && options.signal) || undefined;
  const aborted = () => new HeapwiseError(`the ${what} was aborted`, 'ERR_HEAPWISE_ABORTED');
  if (signal && signal.aborted) return Promise.reject(aborted());
  const onProgress = options && typeof options.onProgress === 'function' ? options.onProgress : null;
  return queue.run(
    () => {
      if (signal && signal.aborted) throw aborted();
      return call();
    },
    {
      signal,
      abortError: aborted,
      onWait: onProgress ? () => onProgress({ phase: 'queued', fraction: 0 }) : undefined,
    },
  );
}

/**
 * The text of a source that may be a path, a `file:` URL, bytes or `{ text }`, and the file it
 * came from (null for bytes or text). An unreadable file is an `ERR_HEAPWISE_IO` HeapwiseError
 * naming `what` (`the GC log`, `the DHAT profile`); a wrong kind of source is an invalid argument
 * naming the API function `fn`.
 * @param {string | URL | Uint8Array | { text: string }} source
 * @param {{ fn: string, what: string }} names
 * @returns {Promise<{ text: string, file: string | null }>}
 */
async function readSource(source, { fn, what }) {
  if (source instanceof Uint8Array) {
    return { text: Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8'), file: null };
  }
  if (source && typeof source === 'object' && !(source instanceof URL)) {
    const t = /** @type {{ text?: unknown }} */ (source).text;
    if (typeof t !== 'string') throw invalidArgument(`${fn}() takes a path, a file: URL, a Buffer or { text: string }`);
    return { text: t, file: null };
  }
  const file = toPath(source, `${what.replace(/^the /, 'a ')}: a path, a file: URL, a Buffer or { text }`);
  try {
    return { text: await fs.promises.readFile(file, 'utf8'), file };
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
    throw new HeapwiseError(`cannot read ${what} ${file}: ${why}`, 'ERR_HEAPWISE_IO');
  }
}

/**
 * An error as the servers (MCP, the explorer) report it: its heapwise code (`ERR_HEAPWISE_INTERNAL`
 * for anything that is not a HeapwiseError), message and byte offset.
 * @param {unknown} e
 * @returns {{ code: string, message: string, byteOffset: number | null }}
 */
function errorInfo(e) {
  const err = /** @type {{ code?: unknown, message?: string, byteOffset?: number | null }} */ (e);
  const code = typeof err?.code === 'string' && err.code.startsWith('ERR_HEAPWISE_') ? err.code : 'ERR_HEAPWISE_INTERNAL';
  return { code, message: err && err.message ? err.message : String(e), byteOffset: err?.byteOffset ?? null };
}

module.exports = {
  HeapwiseError,
  invalidArgument,
  adopt,
  toPath,
  wholeNumber,
  parseSize,
  parseCount,
  withMaxMemory,
  Queue,
  setConcurrency,
  queued,
  readSource,
  errorInfo,
};
