'use strict';
// A program run under watch (`heapwise watch -- CMD ARGS…`, `watch({ command })`): starting it
// with heapwise's NODE_OPTIONS, telling its Node processes from the others, asking them for heap
// snapshots, reading what the preload (lib/watch/preload.js) samples, and splitting `--trace-gc`
// lines from the program's own output. docs/watch-run.md describes each piece.
//
// Terms:
// - the folder: where the program's Node processes write their snapshots (`--diagnostic-dir`)
//   and the preload its samples; a temporary folder removed at the end unless one is given.
// - a Node process of the run: a process of the program's tree (the program and its descendants)
//   that announced itself through the preload (so it is Node and took heapwise's NODE_OPTIONS,
//   `--heapsnapshot-signal` included) and whose start time (/proc/PID/stat) is the one it
//   announced (not a later process that reuses the pid). Only these are sent SNAPSHOT_SIGNAL,
//   and only while they catch it (/proc/PID/status): a process that does not will write no
//   snapshot.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { processTree, catchesSignal, startTime } = require('./process-memory.js');
const { gcLineStart } = require('../gc/parse.js');

/**
 * The signal that makes a Node process of the run write a snapshot (`--heapsnapshot-signal`).
 * SIGURG, whose default action is to ignore it: a process that no longer catches it (one that
 * reached its end and tore its handlers down between the check and the signal) is not killed,
 * as it was by SIGUSR2. Nothing in Node uses SIGURG, and the program's own SIGUSR2 handlers are
 * not run by heapwise's snapshots.
 */
const SNAPSHOT_SIGNAL = 'SIGURG';
/** How many snapshots V8 writes as the heap nears its limit (`--heapsnapshot-near-heap-limit`). */
const NEAR_HEAP_LIMIT_SNAPSHOTS = 1;
/** The preload's sample files in the folder. */
const MEMORY_FILE = /^heapwise-memory\.(\d+)\.jsonl$/;
/** Where the GC lines of `--trace-gc` go in the folder (kept with the snapshots when the folder is). */
const GC_LOG_FILE = 'trace-gc.log';
/** How long an incomplete line of the program's output is held back to see whether a GC line follows. */
const PARTIAL_LINE_MS = 50;

/**
 * A value of NODE_OPTIONS, quoted as Node's parser reads it when it holds a space, a quote or a
 * backslash.
 * @param {string} v
 */
function nodeOptionValue(v) {
  return /[\s"\\]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : v;
}

/**
 * The snapshot signal of a run whose caller's NODE_OPTIONS are `existing`: the caller's own
 * `--heapsnapshot-signal` if it gives one (the last, as Node reads them: the program and the
 * caller's tools keep the signal they expect), else SNAPSHOT_SIGNAL.
 * @param {string | undefined} existing
 */
function snapshotSignalFor(existing) {
  const given = [...(existing || '').matchAll(/(?:^|\s)--heapsnapshot-signal(?:=|\s+)"?(SIG[A-Z0-9]+)"?(?=\s|$)/g)];
  return given.length ? given[given.length - 1][1] : SNAPSHOT_SIGNAL;
}

/**
 * The NODE_OPTIONS of the program: `existing` (the caller's own, kept first) and heapwise's.
 * @param {string | undefined} existing
 * @param {string} dir
 */
function runNodeOptions(existing, dir) {
  const ours = [
    `--heapsnapshot-signal=${snapshotSignalFor(existing)}`,
    `--diagnostic-dir=${nodeOptionValue(dir)}`,
    `--heapsnapshot-near-heap-limit=${NEAR_HEAP_LIMIT_SNAPSHOTS}`,
    `--require=${nodeOptionValue(path.join(__dirname, 'preload.js'))}`,
  ];
  return [existing && existing.trim(), ...ours].filter(Boolean).join(' ');
}

/**
 * @typedef {object} RunSample what the preload wrote: process.memoryUsage() of one process
 * @property {number} t ms since the epoch
 * @property {number} heapUsed
 * @property {number} heapTotal
 * @property {number} external
 * @property {number} arrayBuffers
 * @property {number} rss
 */

/**
 * One run of a program. `start()` spawns it; 'exit' (code, signal), 'error' (it could not be
 * started) and 'gc-line' (a `--trace-gc` line, with `traceGc`) are its events.
 */
class ProgramRun extends require('node:events').EventEmitter {
  /**
   * @param {{ command: string[], dir?: string | null, traceGc?: boolean, sampleMs?: number,
   *   stdin?: 'inherit' | 'ignore' | 'pipe', stdout?: { write(chunk: Uint8Array | string): unknown } }} options
   */
  constructor({ command, dir = null, traceGc = false, sampleMs = 1000, stdin = 'inherit', stdout = process.stdout }) {
    super();
    this.command = command.slice();
    this.keep = !!dir;
    this.dir = dir ? path.resolve(dir) : fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-run-'));
    if (dir) fs.mkdirSync(this.dir, { recursive: true });
    this.traceGc = traceGc;
    this.sampleMs = sampleMs;
    this.stdinMode = stdin;
    this.out = stdout;
    /** @type {import('node:child_process').ChildProcess | null} */
    this.child = null;
    this.pid = null;
    /** @type {{ code: number | null, signal: string | null } | null} */
    this.exit = null;
    /** pid → { start, node, offset, partial, samples: RunSample[] } */
    this.processes = new Map();
    /** The signal the program's Node processes write a snapshot on (set by `start()`). */
    this.snapshotSignal = SNAPSHOT_SIGNAL;
    this._gcFd = null;
  }

  /** Spawns the program; resolves once it runs (its pid known), rejects when it cannot start. */
  start() {
    // The signal and the options from one reading of the caller's NODE_OPTIONS.
    const existing = process.env.NODE_OPTIONS;
    this.snapshotSignal = snapshotSignalFor(existing);
    const env = {
      ...process.env,
      NODE_OPTIONS: runNodeOptions(existing, this.dir),
      HEAPWISE_WATCH_DIR: this.dir,
      HEAPWISE_WATCH_SAMPLE_MS: String(this.sampleMs),
      ...(this.traceGc ? { HEAPWISE_WATCH_TRACE_GC: '1' } : {}),
    };
    const child = spawn(this.command[0], this.command.slice(1), {
      stdio: [this.stdinMode, this.traceGc ? 'pipe' : 'inherit', 'inherit'],
      env,
    });
    this.child = child;
    if (this.traceGc && child.stdout) this._splitGcLines(child.stdout);
    return new Promise((resolve, reject) => {
      child.once('spawn', () => {
        this.pid = child.pid;
        resolve(child.pid);
      });
      child.once('error', (e) => {
        if (this.pid === null) reject(e);
        else this.emit('error', e);
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        const done = () => this.emit('exit', this.exit);
        // the last output (and GC lines) first
        if (child.stdout && !child.stdout.readableEnded) child.stdout.once('end', done);
        else done();
      });
    });
  }

  /** True while the program runs. */
  get running() {
    return this.pid !== null && this.exit === null;
  }

  /** Sends `signal` to the program (not to its descendants: it decides what they get). */
  signal(signal) {
    if (!this.running || !this.child) return false;
    try {
      return this.child.kill(signal);
    } catch {
      return false;
    }
  }

  /**
   * The program's stdout, line by line: `--trace-gc` lines become 'gc-line' events (and go to
   * the folder's trace-gc.log); everything else is written to `this.out` byte for byte. An
   * incomplete last line is held back PARTIAL_LINE_MS to see whether V8 completes it with a GC
   * line (the program's text before a GC line on the same line is passed through, without the
   * newline, which belonged to the GC line).
   * @param {import('node:stream').Readable} stream
   */
  _splitGcLines(stream) {
    /** @type {Buffer} */
    let pending = Buffer.alloc(0);
    /** @type {NodeJS.Timeout | null} */
    let timer = null;
    const flushPartial = () => {
      timer = null;
      if (pending.length) {
        this.out.write(pending);
        pending = Buffer.alloc(0);
      }
    };
    stream.on('data', (/** @type {Buffer} */ chunk) => {
      if (timer) clearTimeout(timer);
      timer = null;
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let nl;
      while ((nl = buf.indexOf(10)) >= 0) {
        this._line(buf.subarray(0, nl + 1));
        buf = buf.subarray(nl + 1);
      }
      pending = Buffer.from(buf);
      if (pending.length) timer = setTimeout(flushPartial, PARTIAL_LINE_MS);
    });
    stream.on('end', () => {
      if (timer) clearTimeout(timer);
      if (pending.length) this._line(pending);
      pending = Buffer.alloc(0);
    });
  }

  /** @param {Buffer} line a line with its newline (or the last, without) */
  _line(line) {
    const text = line.toString('latin1');
    const at = gcLineStart(text);
    if (at < 0) {
      this.out.write(line);
      return;
    }
    if (at > 0) this.out.write(line.subarray(0, at));
    const gc = text.slice(at).replace(/\r?\n$/, '');
    try {
      if (this._gcFd === null) this._gcFd = fs.openSync(path.join(this.dir, GC_LOG_FILE), 'a', 0o600);
      fs.writeSync(this._gcFd, gc + '\n');
    } catch {}
    this.emit('gc-line', gc);
  }

  /**
   * Reads what the preload wrote since the last call: announcements and samples of each process.
   * Returns the new samples, `[{ pid, sample }]`.
   */
  async readMemory() {
    /** @type {Array<{ pid: number, sample: RunSample }>} */
    const out = [];
    let names;
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return out;
    }
    for (const name of names) {
      const m = name.match(MEMORY_FILE);
      if (!m) continue;
      const pid = Number(m[1]);
      let p = this.processes.get(pid);
      if (!p) this.processes.set(pid, (p = { start: undefined, node: null, exiting: false, offset: 0, partial: '', samples: [] }));
      let text;
      try {
        const fh = await fsp.open(path.join(this.dir, name), 'r');
        try {
          const { size } = await fh.stat();
          if (size <= p.offset) continue;
          const buf = Buffer.alloc(size - p.offset);
          const { bytesRead } = await fh.read(buf, 0, buf.length, p.offset);
          p.offset += bytesRead;
          text = p.partial + buf.subarray(0, bytesRead).toString('utf8');
        } finally {
          await fh.close();
        }
      } catch {
        continue;
      }
      const lines = text.split('\n');
      p.partial = lines.pop() || '';
      for (const l of lines) {
        let o;
        try {
          o = JSON.parse(l);
        } catch {
          continue;
        }
        if (o && o.pid === pid && p.start === undefined) {
          p.start = o.start;
          p.node = o.node;
        } else if (o && o.exiting === true) {
          p.exiting = true;
        } else if (o && typeof o.t === 'number' && typeof o.heapUsed === 'number') {
          p.samples.push(o);
          out.push({ pid, sample: o });
        }
      }
    }
    return out;
  }

  /**
   * The Node processes of the run now (see the terms above): pids of the program's tree that
   * announced themselves and still have the start time they announced.
   */
  async nodeProcesses() {
    if (!this.running || this.pid === null) return [];
    await this.readMemory();
    const tree = await processTree(this.pid);
    const pids = [];
    for (const pid of tree) {
      const p = this.processes.get(pid);
      // a process past its 'exit' event may have torn down its signal handlers
      if (!p || !p.start || p.exiting) continue;
      if ((await startTime(pid)) === p.start) pids.push(pid);
    }
    return pids;
  }

  /**
   * Asks every Node process of the run for a heap snapshot (`snapshotSignal`); never signals any
   * other process. Resolves to the pids signalled.
   */
  async snapshot() {
    const pids = await this.nodeProcesses();
    const sent = [];
    for (const pid of pids) {
      // not caught (an exiting process has torn its handler down; its announcement may not be
      // read yet): it would write no snapshot
      if (!(await catchesSignal(pid, this.snapshotSignal))) continue;
      try {
        process.kill(pid, this.snapshotSignal);
        sent.push(pid);
      } catch {
        // exited meanwhile
      }
    }
    return sent;
  }

  /** Removes the folder if it is a temporary one (after the last snapshot was analysed). */
  async dispose() {
    if (this._gcFd !== null) {
      try {
        fs.closeSync(this._gcFd);
      } catch {}
      this._gcFd = null;
    }
    if (!this.keep) await fsp.rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }

  /** The same, synchronously (a second Ctrl-C exits at once). */
  disposeSync() {
    if (!this.keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = {
  ProgramRun,
  runNodeOptions,
  snapshotSignalFor,
  nodeOptionValue,
  SNAPSHOT_SIGNAL,
  NEAR_HEAP_LIMIT_SNAPSHOTS,
  GC_LOG_FILE,
};
