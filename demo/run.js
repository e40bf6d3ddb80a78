#!/usr/bin/env node
'use strict';
// The heapwise demo: start a leaking HTTP service (demo/service.js), load it over loopback, take
// a heap snapshot before and after the load, analyse both with heapwise and report what grew,
// what holds it and where it was created. Everything in the report is computed from the
// snapshots.
//
//   node demo/run.js [--out DIR] [--warmup N] [--requests N]
//
// Exit codes: 0 the run worked and the leak was found, 1 it ran but found no growing class,
// 2 usage error or failure (service, load or analysis).
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const { analyze } = require('../heapwise.js');
const { formatBytes, summaryTable } = require('../lib/format.js');

const SERVICE = path.join(__dirname, 'service.js');
const DEADLINE_MS = 120_000; // the whole run, whatever happens
const REQUEST_TIMEOUT_MS = 10_000;
const SNAPSHOT_TIMEOUT_MS = 60_000;
const CONCURRENCY = 8;
const SUSPECTS = ['RequestRecord', 'RequestContext']; // always shown in the growth table

function parseArgs(argv) {
  const opts = { out: path.join(__dirname, 'out'), warmup: 300, requests: 2000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const count = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`${a} needs a whole number from 1 to 100000`);
      return n;
    };
    if (a === '--out') opts.out = path.resolve(value());
    else if (a === '--warmup') opts.warmup = count(value());
    else if (a === '--requests') opts.requests = count(value());
    else if (a === '--help' || a === '-h') opts.help = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

// ---------------------------------------------------------------- the service as a child process

/** Starts demo/service.js; resolves to {child, port} once it prints its port. */
function startService(outDir) {
  // cwd = outDir so that a SIGUSR2 snapshot (Node's own file name) also lands there.
  const child = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', SERVICE, '--snapshot-dir', outDir], {
    cwd: outDir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('the service did not start within 10 s')), 10_000);
    const lines = createInterface({ input: child.stdout });
    const fail = (e) => {
      clearTimeout(timer);
      lines.close();
      reject(Object.assign(e, { child }));
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`the service exited early (${signal || 'code ' + code})`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => {});
      let ready;
      try {
        ready = JSON.parse(line);
      } catch {
        return fail(new Error(`unexpected first line from the service: ${line.slice(0, 200)}`));
      }
      if (!Number.isInteger(ready.port)) return fail(new Error(`no port in ${line.slice(0, 200)}`));
      lines.on('line', () => {}); // keep draining stdout
      resolve({ child, port: ready.port });
    });
  });
}

/** Stops the child: SIGTERM, then SIGKILL if it is still there after 3 s. */
function stopService(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------- HTTP over loopback

function request(agent, port, method, urlPath, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers: { 'user-agent': 'heapwise-demo/1' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`${method} ${urlPath}: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`${method} ${urlPath}: not JSON: ${body.slice(0, 200)}`));
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sends `n` GET requests, CONCURRENCY at a time. */
async function load(agent, port, n, firstId) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = firstId + next++;
      await request(agent, port, 'GET', `/orders/${i}?page=${i % 7}`, REQUEST_TIMEOUT_MS);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
}

async function snapshot(agent, port, name) {
  const { path: file } = await request(agent, port, 'POST', `/__snapshot?name=${encodeURIComponent(name)}`, SNAPSHOT_TIMEOUT_MS);
  if (typeof file !== 'string' || !fs.existsSync(file)) throw new Error(`the service did not write ${name}: ${file}`);
  return file;
}

// ---------------------------------------------------------------- analysis helpers

function progressLine(label) {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const width = 30;
    const done = Math.round(p.fraction * width);
    process.stderr.write(`\r${label} ${p.phase.padEnd(10)} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${Math.round(p.fraction * 100)}%`);
    if (p.phase === 'done') process.stderr.write('\r' + ' '.repeat(label.length + 50) + '\r');
  };
}

async function analyzeTimed(file, label) {
  const t0 = process.hrtime.bigint();
  const a = await analyze(file, { onProgress: progressLine(label) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { a, ms };
}

/** Summary rows grouped by class name (a class defined twice has two rows). */
function byClass(rows) {
  const m = new Map();
  for (const r of rows) {
    const c = m.get(r.name) || { name: r.name, count: 0, shallowSize: 0, retainedSize: 0, keys: [] };
    c.count += r.count;
    c.shallowSize += r.shallowSize;
    c.retainedSize += r.retainedSize;
    c.keys.push(r.key);
    m.set(r.name, c);
  }
  return m;
}

/** A user-defined class: its Summary key carries a source location (`scriptId,line,column,Name`). */
function locatedKey(key) {
  const m = /^(\d+),(\d+),(\d+),/.exec(key);
  return m ? { scriptId: Number(m[1]), line: Number(m[2]), column: Number(m[3]) } : null;
}

function edgeTarget(a, id, ...names) {
  for (const name of names) {
    const e = a.references(id).find((r) => r.name === name);
    if (e) return e.node;
  }
  return null;
}

/** The script a closure, or an object's constructor, comes from (closure → shared → script → name). */
function scriptNameOf(a, node) {
  let closure = node.type === 'closure' ? node : null;
  if (!closure) {
    // The constructor: map → constructor (a root map), else map → prototype → constructor, else
    // __proto__ → constructor.
    const map = edgeTarget(a, node.id, 'map');
    const proto = (map && edgeTarget(a, map.id, 'prototype')) || edgeTarget(a, node.id, '__proto__');
    const candidates = [map && edgeTarget(a, map.id, 'constructor'), proto && edgeTarget(a, proto.id, 'constructor')];
    closure = candidates.find((c) => c && c.type === 'closure') || null;
  }
  const shared = closure && edgeTarget(a, closure.id, 'shared');
  const script = shared && edgeTarget(a, shared.id, 'script', 'script_or_debug_info');
  const name = script && edgeTarget(a, script.id, 'name');
  return name && name.name ? name.name : null;
}

function formatLocation(loc) {
  if (!loc) return 'unknown';
  let file = loc.scriptName || `script ${loc.scriptId}`;
  if (path.isAbsolute(file)) {
    const rel = path.relative(process.cwd(), file);
    if (!rel.startsWith('..')) file = rel;
  }
  return `${file}:${loc.line + 1}:${loc.column + 1}`;
}

/** One retainer-path step as DevTools' Retainers view names it. */
function stepLabel(step) {
  if (step.edge === undefined) return '(root)';
  if (step.edgeType === 'element' || step.edgeType === 'hidden') return `[${step.edge}]`;
  if (step.edgeType === 'shortcut') return step.node.name || step.node.className;
  return step.edge;
}
const pathText = (steps) => steps.map(stepLabel).join(' \u2192 ');
/** The path's root, an ellipsis and its last `keep` steps. */
function shortPath(steps, keep = 3) {
  if (steps.length <= keep + 2) return pathText(steps);
  return ['(root)', '\u2026', ...steps.slice(-keep).map(stepLabel)].join(' \u2192 ');
}

/**
 * What holds the instances of `className`: walk the dominator tree up from an instance to the first
 * ordinary object (not an internal `(array)` or a context) that retains at least 90 % of what the
 * class retains. For a Set that is the Set; for listeners, the listener array.
 */
function findHolder(a, className, classRetained) {
  const sample = a.findByName(className, 50).filter((n) => n.className === className);
  if (!sample.length) return null;
  const seen = new Set();
  let n = sample[0];
  const chain = [];
  while (n && !seen.has(n.id) && n.distance > 0) {
    seen.add(n.id);
    const dom = n.dominatorId !== undefined && n.dominatorId !== n.id ? a.node(n.dominatorId) : null;
    if (!dom) break;
    if (dom.className === '(synthetic)' || dom.distance <= 0) break;
    chain.push(dom);
    const ordinary = !dom.className.startsWith('(') && !dom.className.startsWith('system') && dom.className !== className;
    if (ordinary && dom.retainedSize >= 0.9 * classRetained) return { holder: dom, instance: sample[0], chain };
    n = dom;
  }
  return { holder: null, instance: sample[0], chain };
}

/** The first `type === 'closure'` among top(n) named `name`, for its location. */
function findClosureInTop(a, name, max) {
  for (let n = 500; ; n = Math.min(n * 4, max)) {
    const hit = a.top(n).find((t) => t.node.type === 'closure' && t.node.name === name);
    if (hit || n >= max) return hit || null;
  }
}

// ---------------------------------------------------------------- report

function growthTable(rows) {
  const head = ['Class', 'Count before', 'after', '\u0394', 'Retained before', 'after', '\u0394'];
  const signed = (v, f = String) => (v > 0 ? '+' : v < 0 ? '\u2212' : '') + f(Math.abs(v));
  const body = rows.map((r) => [
    r.name,
    String(r.before.count),
    String(r.after.count),
    signed(r.after.count - r.before.count),
    formatBytes(r.before.retainedSize),
    formatBytes(r.after.retainedSize),
    signed(r.after.retainedSize - r.before.retainedSize, formatBytes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].map((l) => '  ' + l).join('\n');
}

async function main() {
  const tStart = Date.now();
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`demo: ${e.message}\nusage: node demo/run.js [--out DIR] [--warmup N] [--requests N]\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write('usage: node demo/run.js [--out DIR] [--warmup N] [--requests N]\n');
    return 0;
  }
  fs.mkdirSync(opts.out, { recursive: true });
  const out = (s = '') => process.stdout.write(s + '\n');
  const rel = (p) => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };

  out('heapwise demo: a leaking HTTP service, snapshotted before and after load');
  out('');

  // 1. Run the service, load it, take the two snapshots.
  let child = null;
  const killOnExit = () => child && child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const files = {};
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const started = await startService(opts.out);
    child = started.child;
    const { port } = started;
    out(`Service  demo/service.js, pid ${child.pid}, listening on 127.0.0.1:${port}`);
    const t0 = Date.now();
    await load(agent, port, opts.warmup, 0);
    files.before = await snapshot(agent, port, 'before');
    const t1 = Date.now();
    await load(agent, port, opts.requests, opts.warmup);
    files.after = await snapshot(agent, port, 'after');
    const t2 = Date.now();
    out(`Load     ${opts.warmup} warm-up requests + snapshot in ${((t1 - t0) / 1000).toFixed(1)} s, ` +
      `${opts.requests} more requests + snapshot in ${((t2 - t1) / 1000).toFixed(1)} s`);
    for (const k of ['before', 'after']) out(`  ${k.padEnd(6)}  ${rel(files[k])} (${formatBytes(fs.statSync(files[k]).size)})`);
  } catch (e) {
    if (e && e.child) child = e.child;
    throw e;
  } finally {
    agent.destroy();
    await stopService(child);
  }
  out('');

  // 2. Analyse both snapshots (one after the other: each takes both cores' worth of memory bandwidth).
  const res = {};
  try {
    for (const k of ['before', 'after']) {
      const { a, ms } = await analyzeTimed(files[k], k);
      res[k] = { a, ms, rows: a.summary() };
      out(`Analysed ${k.padEnd(6)} in ${(ms / 1000).toFixed(2)} s: ${a.nodeCount.toLocaleString('en-US')} objects, ` +
        `${a.edgeCount.toLocaleString('en-US')} references, total ${formatBytes(a.totalSize)}`);
      for (const w of a.warnings) out(`  warning: ${w}`);
    }
    return report(opts, res, out, tStart);
  } finally {
    for (const k of Object.keys(res)) res[k].a.close();
  }
}

function report(opts, res, out, tStart) {
  const { before, after } = res;
  const a = after.a;
  const stB = before.a.statistics();
  const stA = a.statistics();
  out(`Heap     ${formatBytes(before.a.totalSize)} \u2192 ${formatBytes(a.totalSize)} ` +
    `(+${formatBytes(a.totalSize - before.a.totalSize)}); strings ${formatBytes(stB.strings)} \u2192 ${formatBytes(stA.strings)}, ` +
    `JS arrays ${formatBytes(stB.jsArrays)} \u2192 ${formatBytes(stA.jsArrays)}, other JS objects ` +
    `${formatBytes(stB.otherJsObjects)} \u2192 ${formatBytes(stA.otherJsObjects)}`);
  out('');
  out('Summary of AFTER (largest retained size first)');
  out(summaryTable(after.rows.slice(0, 12), a.totalSize));
  out('');

  // 3. Which classes grew with the load: user classes (their Summary key has a source location)
  // whose count grew by at least half the number of requests sent in between.
  const cb = byClass(before.rows);
  const ca = byClass(after.rows);
  const empty = { count: 0, shallowSize: 0, retainedSize: 0, keys: [] };
  const growth = [];
  for (const [name, c] of ca) {
    const b = cb.get(name) || empty;
    const grew = c.count - b.count >= opts.requests / 2 && c.keys.some(locatedKey);
    if (grew || SUSPECTS.includes(name)) growth.push({ name, before: b, after: c, leaking: grew });
  }
  for (const name of SUSPECTS) if (!ca.has(name)) growth.push({ name, before: cb.get(name) || empty, after: empty, leaking: false });
  growth.sort((x, y) => (y.after.retainedSize - y.before.retainedSize) - (x.after.retainedSize - x.before.retainedSize));
  out(`Growth between the snapshots (${opts.requests} requests apart), from the Summary rows`);
  out(growthTable(growth));
  out('');

  // 4. For each leaking class: what holds it (dominator tree), the path from the root to the
  // holder, where the objects are created; for closures that capture them, the closure's location.
  const leaks = [];
  out('Largest leaking objects in AFTER');
  for (const g of growth.filter((x) => x.leaking)) {
    const found = findHolder(a, g.name, g.after.retainedSize);
    const key = g.after.keys.map(locatedKey).find(Boolean);
    const created = key && found && found.instance ? { ...key, scriptName: scriptNameOf(a, found.instance) } : null;
    const leak = { ...g, holder: found && found.holder, created };
    leaks.push(leak);
    if (!leak.holder) {
      out(`  ${g.name}: no single object holds most of them (instance path: ${found ? pathText(a.retainerPath(found.instance.id)) : 'none'})`);
      continue;
    }
    const h = leak.holder;
    leak.path = a.retainerPath(h.id);
    out(`  ${h.className} @${h.id}  retained ${formatBytes(h.retainedSize)}, holds ${g.after.count} ${g.name} ` +
      `(created at ${formatLocation(created)})`);
    out(`    retainer path: ${pathText(leak.path)}`);
    // The step between the holder and the instances: a closure (listener) or the elements themselves.
    const below = found.chain.slice(0, found.chain.indexOf(h)).reverse();
    const closure = below.find((n) => n.type === 'closure');
    if (closure) {
      const count = a.findByName(closure.name, 1e6).filter((n) => n.type === 'closure' && n.name === closure.name).length;
      const hit = findClosureInTop(a, closure.name, Math.min(a.nodeCount, 20000));
      const loc = hit ? hit.location : null;
      leak.closure = { name: closure.name, count, loc };
      out(`    through ${count} closures '${closure.name}' (retained ${formatBytes(closure.retainedSize)} each) at ${formatLocation(loc)}`);
      const p = a.retainerPath(closure.id);
      out(`    closure path:  ${pathText(p)}`);
    }
  }
  if (!leaks.length) out('  (none: no class grew with the load)');
  // And what top() lists among the very largest objects, for comparison.
  out('');
  out('Largest objects in AFTER (top 5 by retained size)');
  for (const t of a.top(5)) {
    const where = t.location && !t.location.scriptName ? { ...t.location, scriptName: scriptNameOf(a, t.node) } : t.location;
    const loc = where ? ` at ${formatLocation(where)}` : '';
    out(`  ${t.node.className} @${t.node.id}  ${formatBytes(t.node.retainedSize)}${loc}  ${shortPath(t.retainerPath, 4)}`);
  }
  out('');
  out(`Timings  analyse before ${(before.ms / 1000).toFixed(2)} s, after ${(after.ms / 1000).toFixed(2)} s; ` +
    `whole run ${((Date.now() - tStart) / 1000).toFixed(1)} s`);

  // 5. The verdict, from the numbers above.
  const found = leaks.filter((l) => l.holder);
  if (!found.length) {
    out('Verdict: no leak found (no user class grew with the load)');
    return 1;
  }
  const parts = found.map((l) => {
    const via = l.closure ? ` via ${l.closure.count} '${l.closure.name}' closures` : '';
    return `${l.name} grew from ${l.before.count} to ${l.after.count} objects ` +
      `(+${formatBytes(l.after.retainedSize - l.before.retainedSize)} retained), held by ${shortPath(l.path)}${via}`;
  });
  out(`Verdict: LEAK \u2014 ${parts.join('; ')}`);
  return 0;
}

process.on('SIGINT', () => process.exit(130)); // the 'exit' handler kills the service
const watchdog = setTimeout(() => {
  process.stderr.write(`demo: gave up after ${DEADLINE_MS / 1000} s\n`);
  process.exit(2);
}, DEADLINE_MS);
watchdog.unref();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    const msg = e && e.code && String(e.code).startsWith('ERR_HEAPWISE_') ? `${e.message} (${e.code})` : (e && e.message) || String(e);
    process.stderr.write(`demo: ${msg}\n`);
    process.exitCode = 2;
  },
);
