#!/usr/bin/env node
// A small "service" for the event-loop case: it does steady background work on the event loop and
// the libuv thread pool, and measures how the loop and the pool fare, either while heapwise's
// `analyze` of a big snapshot runs in the same process or, as the baseline, without it.
//
//   node bench/workers/service.cjs analyze FILE
//   node bench/workers/service.cjs baseline SECONDS
//
// The workload is open-loop (started on a clock, not as fast as possible), like requests
// arriving at a service that is not saturated: every 5 ms a tick does a little JS work
// (building and serialising a small object) and starts one fs.readFile of a 64 KiB file; every
// 10 ms one crypto.pbkdf2 (1,000 SHA-256 iterations) and every 50 ms one dns.lookup('localhost')
// start. All three run on the libuv pool. If the pool were busy with the analysis, they would
// queue: fewer would complete in the window and their latency would grow.
//
// The window starts after 500 ms of warm-up and lasts as long as `await analyze(FILE)` (or
// SECONDS). Output, one JSON line: window_s, event-loop delay from perf_hooks.monitorEventLoopDelay
// at 1 ms resolution (p50/p99/max in ms; the histogram's values include the 1 ms sampling
// interval, as Node reports them), ticks, and per operation kind: started, completed,
// completed_per_s, latency p50/p99 ms (of the operations that completed in the window). With
// `analyze`: the analysis' node count and how long the synchronous summary() call took
// afterwards (outside the window).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const dns = require('node:dns');
const crypto = require('node:crypto');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');

const [mode, arg] = process.argv.slice(2);
if (!['analyze', 'baseline'].includes(mode) || !arg) {
  console.error('usage: service.cjs analyze FILE | service.cjs baseline SECONDS');
  process.exit(2);
}
const REPO = path.resolve(__dirname, '..', '..');

const dataFile = path.join(os.tmpdir(), `heapwise-bench-service-${process.pid}.bin`);
fs.writeFileSync(dataFile, crypto.randomBytes(64 * 1024));

const kinds = { fs: newKind(), crypto: newKind(), dns: newKind() };
function newKind() {
  return { started: 0, completed: 0, errors: 0, lat: [] };
}
let measuring = false;
// started: operations started inside the window; completed (and their latencies): operations that
// finished inside the window, whenever they started, so that a window's edges cost nothing in a
// steady state
function track(kind, start) {
  const k = kinds[kind];
  if (measuring) k.started++;
  const t0 = performance.now();
  start((err) => {
    if (!measuring) return;
    if (err) k.errors++;
    k.completed++;
    k.lat.push(performance.now() - t0);
  });
}

let ticks = 0,
  clock = 0,
  sink = 0;
const interval = setInterval(() => {
  clock++;
  if (measuring) ticks++;
  // a request's worth of JS work
  sink += JSON.stringify({ t: Date.now(), items: [clock, clock + 1, 'x' + clock], ok: true }).length;
  track('fs', (cb) => fs.readFile(dataFile, (err) => cb(err)));
  if (clock % 2 === 0) track('crypto', (cb) => crypto.pbkdf2('secret', 'salt', 1000, 32, 'sha256', (err) => cb(err)));
  if (clock % 10 === 0) track('dns', (cb) => dns.lookup('localhost', (err) => cb(err)));
}, 5);

const eld = monitorEventLoopDelay({ resolution: 1 });
const pct = (xs, p) => {
  if (!xs.length) return null;
  const v = xs.slice().sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)];
};
const r3 = (x) => (x == null ? null : Math.round(x * 1000) / 1000);

async function main() {
  await new Promise((r) => setTimeout(r, 500)); // warm-up: JIT, pool threads started
  eld.enable();
  measuring = true;
  const t0 = performance.now();
  let extra = {};
  if (mode === 'analyze') {
    const heapwise = require(path.join(REPO, 'index.js'));
    const analysis = await heapwise.analyze(arg);
    measuring = false;
    eld.disable();
    const w = performance.now() - t0;
    const s0 = performance.now();
    const rows = analysis.summary().length;
    extra = { nodes: analysis.nodeCount, summary_rows: rows, summary_sync_ms: r3(performance.now() - s0) };
    analysis.close();
    return report(w, extra);
  }
  await new Promise((r) => setTimeout(r, Number(arg) * 1000));
  measuring = false;
  eld.disable();
  return report(performance.now() - t0, extra);
}

function report(windowMs, extra) {
  clearInterval(interval);
  const window_s = windowMs / 1000;
  const ops = {};
  for (const [name, k] of Object.entries(kinds)) {
    ops[name] = {
      started: k.started,
      completed: k.completed,
      errors: k.errors,
      completed_per_s: r3(k.completed / window_s),
      latency_p50_ms: r3(pct(k.lat, 50)),
      latency_p99_ms: r3(pct(k.lat, 99)),
    };
  }
  const ms = (ns) => r3(ns / 1e6);
  const out = {
    mode,
    window_s: r3(window_s),
    ticks,
    ticks_expected: Math.floor(windowMs / 5),
    eld_ms: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), mean: ms(eld.mean), count: eld.count },
    ops,
    ...extra,
  };
  fs.rmSync(dataFile, { force: true });
  console.log(JSON.stringify(out));
  if (sink < 0) console.log(sink);
}

main().catch((e) => {
  fs.rmSync(dataFile, { force: true });
  console.error((e && e.stack) || e);
  process.exit(1);
});
