'use strict';
// The preload of `heapwise watch -- CMD`: loaded into every Node process of the program's tree
// through `NODE_OPTIONS=--require <this file>` (docs/watch-run.md). It is how heapwise knows which
// processes are Node processes that took its NODE_OPTIONS (only those are sent the snapshot
// signal, which no other process asked for), and it samples
// process.memoryUsage() (heapUsed, heapTotal, external, arrayBuffers, rss): cheap evidence of
// what grows, without a snapshot.
//
// Each process appends JSON lines to `heapwise-memory.<pid>.jsonl` in the folder named by
// HEAPWISE_WATCH_DIR: first `{ pid, ppid, start, node }` (`start`: field 22 of /proc/self/stat,
// the process's start time, so that heapwise can tell this process from a later one with the
// same pid), then `{ t, heapUsed, heapTotal, external, arrayBuffers, rss }` every
// HEAPWISE_WATCH_SAMPLE_MS ms (the first after one interval) and once at exit, followed by
// `{ exiting: true, t }`. With HEAPWISE_WATCH_TRACE_GC=1 it turns on V8's
// --trace-gc (which NODE_OPTIONS does not accept) with v8.setFlagsFromString.
//
// Harmless by design: it does nothing outside the main thread or without HEAPWISE_WATCH_DIR,
// every error is swallowed (a failed write stops the sampling), its timer is unref()'d (it never
// keeps the program alive), and it requires only node:fs, node:path, node:v8, node:worker_threads.
(function heapwisePreload() {
  try {
    const dir = process.env.HEAPWISE_WATCH_DIR;
    if (!dir || !require('node:worker_threads').isMainThread) return;
    const fs = require('node:fs');
    const path = require('node:path');
    if (process.env.HEAPWISE_WATCH_TRACE_GC === '1') require('node:v8').setFlagsFromString('--trace-gc');
    let start = null;
    try {
      const stat = fs.readFileSync('/proc/self/stat', 'latin1');
      start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || null;
    } catch {
      start = null; // no /proc: heapwise signals only what it can verify, so nothing
    }
    let fd = fs.openSync(path.join(dir, `heapwise-memory.${process.pid}.jsonl`), 'a', 0o600);
    const write = (/** @type {object} */ o) => {
      if (fd === null) return;
      try {
        fs.writeSync(fd, JSON.stringify(o) + '\n');
      } catch {
        try {
          fs.closeSync(fd);
        } catch {}
        fd = null;
      }
    };
    write({ pid: process.pid, ppid: process.ppid, start, node: process.version });
    const sample = () => {
      try {
        const m = process.memoryUsage();
        write({
          t: Date.now(),
          heapUsed: m.heapUsed,
          heapTotal: m.heapTotal,
          external: m.external,
          arrayBuffers: m.arrayBuffers,
          rss: m.rss,
        });
      } catch {}
    };
    // the first sample after one interval: one taken now would be of Node before the program ran
    const ms = Math.max(10, Number(process.env.HEAPWISE_WATCH_SAMPLE_MS) || 1000);
    setInterval(sample, ms).unref();
    process.once('exit', () => {
      sample();
      // past this point the process may tear down its signal handlers, and a snapshot signal
      // would kill it: heapwise signals no process that wrote this line
      write({ exiting: true, t: Date.now() });
    });
  } catch {
    // never disturb the program
  }
})();
