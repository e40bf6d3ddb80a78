'use strict';
// Where a watcher's snapshots come from: a folder that snapshots land in, snapshots it captures
// itself (of this process or of a worker thread), or an explicit list of files.
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const { pipeline } = require('node:stream/promises');

/** The default file pattern: what v8.writeHeapSnapshot, --heapsnapshot-signal and Chrome write. */
const SNAPSHOT_FILE = /\.heapsnapshot$/;

/** Is `child` (a resolved path) inside folder `dir` (a resolved path)? */
function inside(dir, child) {
  const rel = path.relative(dir, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/**
 * A folder that snapshots land in. `scan()` lists it and returns the files that are ready to be
 * analysed and the files to report as skipped. A file is ready once its size and mtime did not
 * change between two scans and it is not empty; a file that changed between scans is still
 * being written (reported once); a zero-byte file that stays empty is reported as empty. Symbolic
 * links are followed only to files inside the folder; links that lead out of it, and anything
 * that is not a regular file, are reported and never read.
 */
class FolderSource {
  constructor(dir, { match = SNAPSHOT_FILE } = {}) {
    this.dir = path.resolve(dir);
    this.realDir = fs.realpathSync(this.dir);
    this.match = match;
    /** name -> { size, mtimeMs, target, state: 'seen'|'queued'|'done'|'failed', reported: Set<code> } */
    this.files = new Map();
  }

  /**
   * Lists the folder (messages of skipped files do not repeat the file's name). With `final` (a
   * last scan before the watch ends), files that appeared or changed since the previous scan are
   * counted in `fresh` (one more scan tells whether they are complete), and with `lastChance`
   * reported as still being written instead.
   * Returns `{ ready: [{ file, name, size, mtimeMs }], skipped: [{ file, code, message }], fresh }`.
   */
  async scan({ final = false, lastChance = false } = {}) {
    const ready = [];
    const skipped = [];
    let fresh = 0;
    const entries = await fsp.readdir(this.dir, { withFileTypes: true });
    const present = new Set();
    for (const ent of entries) {
      const name = ent.name;
      if (!this.match.test(name)) continue;
      present.add(name);
      const full = path.join(this.dir, name);
      let rec = this.files.get(name);
      if (!rec) {
        rec = { size: -1, mtimeMs: -1, target: null, state: 'new', reported: new Set() };
        this.files.set(name, rec);
      }
      /**
       * @param {import('../../index').HeapwiseErrorCode} code
       * @param {string} message
       * @param {string} [key]
       */
      const report = (code, message, key = `${code}:${rec.size}:${rec.mtimeMs}:${rec.target}`) => {
        if (rec.reported.has(key)) return;
        rec.reported.add(key);
        skipped.push({ file: full, code, message });
      };
      let target = full;
      let st;
      try {
        const lst = await fsp.lstat(full);
        if (lst.isSymbolicLink()) {
          try {
            target = await fsp.realpath(full);
          } catch (e) {
            rec.target = `(${e.code})`;
            report('ERR_HEAPWISE_IO', `a symbolic link to a missing file (${e.code})`);
            continue;
          }
          if (!inside(this.realDir, target)) {
            rec.target = target;
            report('ERR_HEAPWISE_OUTSIDE_FOLDER', `a symbolic link that leads out of ${this.dir} (to ${target}); not followed`);
            continue;
          }
          st = await fsp.stat(target);
        } else {
          st = lst;
          // the file is read through the folder's real path, so a later swap of a parent
          // directory cannot redirect it
          target = path.join(this.realDir, name);
        }
      } catch (e) {
        if (e.code === 'ENOENT') {
          this.files.delete(name);
          continue; // removed meanwhile
        }
        report('ERR_HEAPWISE_IO', `cannot be read: ${e.message}`);
        continue;
      }
      if (!st.isFile()) {
        rec.target = target;
        report('ERR_HEAPWISE_IO', 'not a regular file; not read');
        continue;
      }
      const unchanged = rec.size === st.size && rec.mtimeMs === st.mtimeMs && rec.target === target;
      if (!unchanged) {
        const wasNew = rec.state === 'new';
        const growing = rec.state === 'seen';
        rec.size = st.size;
        rec.mtimeMs = st.mtimeMs;
        rec.target = target;
        if (final) {
          // a last scan: a file that appeared or changed since the previous scan needs one more
          // look (the caller scans again); on the last of those looks it is still being written
          if (lastChance) {
            rec.state = 'failed';
            report('ERR_HEAPWISE_TRUNCATED', `still being written (${st.size} bytes so far); not analysed`);
          } else {
            if (wasNew) rec.mtimeMs0 = st.mtimeMs;
            rec.state = 'seen';
            fresh++;
          }
          continue;
        }
        if (growing) {
          report(
            'ERR_HEAPWISE_TRUNCATED',
            `still being written (${st.size} bytes so far); waiting until it is complete`,
            `growing:${rec.mtimeMs0}`,
          );
        } else {
          rec.mtimeMs0 = st.mtimeMs; // a new or rewritten file: one "still being written" report per write
        }
        rec.state = 'seen';
        continue;
      }
      if (rec.state !== 'seen') continue; // queued, done or failed at this size and mtime
      if (st.size === 0) {
        rec.state = 'failed';
        report('ERR_HEAPWISE_EMPTY', 'empty (0 bytes): the snapshot was not written; not analysed');
        continue;
      }
      rec.state = 'queued';
      ready.push({ file: target, name, size: st.size, mtimeMs: st.mtimeMs });
    }
    for (const name of this.files.keys()) if (!present.has(name)) this.files.delete(name);
    ready.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { ready, skipped, fresh };
  }

  /**
   * Records that `name` was analysed (`ok`) or failed, so it is not retried until it changes. A
   * file that grew after it was queued and before the analysis opened it was read whole (the
   * analysis read what the file held when opened, and it parsed): its new size and mtime are
   * taken, so that it is not analysed a second time.
   */
  async settle(name, ok, code) {
    const rec = this.files.get(name);
    if (!rec) return;
    rec.state = ok ? 'done' : 'failed';
    if (ok && rec.target) {
      try {
        const st = await fsp.stat(rec.target);
        rec.size = st.size;
        rec.mtimeMs = st.mtimeMs;
      } catch {}
    }
    if (!ok && code) rec.reported.add(`${code}:${rec.size}:${rec.mtimeMs}:${rec.target}`);
  }
}

function stamp(d) {
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}.${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/**
 * Captures snapshots into a folder: of this process with v8.writeHeapSnapshot (V8 stops this
 * process's JS thread while it writes), or of a worker thread with worker.getHeapSnapshot()
 * (only the worker stops; the stream is written to disk here without blocking). Files are named
 * as Node names them: Heap.<date>.<time>.<pid>.<threadId>.<seq>.heapsnapshot.
 */
class CaptureSource {
  /** @param {{ dir?: string, worker?: any }} [where] a worker_threads Worker (typed loosely, as WatchOptions.capture.worker is) */
  constructor({ dir, worker } = {}) {
    this.ownDir = !dir;
    this.dir = dir ? path.resolve(dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-watch-'));
    if (dir) fs.mkdirSync(this.dir, { recursive: true });
    this.worker = worker || null;
    this.seq = 0;
    this.exited = false;
    if (this.worker)
      this.worker.once('exit', () => {
        this.exited = true;
      });
  }

  /** The worker's heap snapshot stream; waits for a worker that is not running yet to start. */
  async workerSnapshot() {
    try {
      return await this.worker.getHeapSnapshot();
    } catch (e) {
      if (e.code !== 'ERR_WORKER_NOT_RUNNING' || this.exited) throw e;
    }
    const { once } = require('node:events');
    await once(this.worker, 'online', { signal: AbortSignal.timeout(10_000) });
    return this.worker.getHeapSnapshot();
  }

  /** Writes one snapshot and returns `{ file, time }`. */
  async capture() {
    const time = Date.now();
    const tid = this.worker ? this.worker.threadId : require('node:worker_threads').threadId;
    const name = `Heap.${stamp(new Date(time))}.${process.pid}.${tid}.${String(++this.seq).padStart(3, '0')}.heapsnapshot`;
    const file = path.join(this.dir, name);
    if (this.worker) {
      const partial = file + '.partial';
      const stream = await this.workerSnapshot();
      try {
        await pipeline(stream, fs.createWriteStream(partial, { mode: 0o600 }));
        await fsp.rename(partial, file);
      } catch (e) {
        await fsp.rm(partial, { force: true });
        throw e;
      }
    } else {
      v8.writeHeapSnapshot(file);
    }
    return { file, time };
  }

  /** Deletes a captured file (best effort). */
  async remove(file) {
    await fsp.rm(file, { force: true }).catch(() => {});
  }

  /** Deletes the folder if this source created it. */
  async dispose() {
    if (this.ownDir) await fsp.rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }
}

module.exports = { FolderSource, CaptureSource, SNAPSHOT_FILE, inside };
