#!/usr/bin/env node
'use strict';
// The heapwise demo: start a leaking HTTP service (demo/service.js), load it over loopback, take
// heap snapshots before the load, after it and after some more requests, and diff them with
// heapwise: DevTools' Comparison of the classes that grew, the objects whose retained size grew
// (with their retainer paths and the source locations of what they hold), the objects allocated
// between the snapshots, the verdict, and memlab's final-mode leak groups. Everything in the report
// is computed from the snapshots.
//
//   node demo/run.js [--out DIR] [--warmup N] [--requests N] [--more N]
//
// Exit codes: 0 the run worked and the leak was found, 1 it ran but found no leak,
// 2 usage error or failure (service, load or analysis).
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { createInterface } = require('node:readline');
const { analyze, diff, watch } = require('../index.js');
const { renderDiffHtml, renderWatchHtml } = require('../lib/report/html.js');
const { formatBytes, formatSignedBytes, formatCount, formatSignedCount, formatDistance, textTable, clip } = require('../lib/format.js');
const { formatLocation, scriptNames, nodeLabel, comparisonCells, COMPARISON_HEAD } = require('../lib/report/diff.js');
const { renderFindingsText, shortPath: shortPathText } = require('../lib/report/findings.js');

const SERVICE = path.join(__dirname, 'service.js');
const DEADLINE_MS = 120_000; // the whole run, whatever happens
const REQUEST_TIMEOUT_MS = 10_000;
const SNAPSHOT_TIMEOUT_MS = 60_000;
const CONCURRENCY = 8;
const TOP = 10; // growers / leak groups the diff details
const GROWTH_BUDGET = 2_000_000; // maxGrowthBytes of the diff's verdict: 2 MB, as in the README's CI example
const COMPARISON_ROWS = 10;
const ALLOCATED_ROWS = 8;
const LEAK_ROWS = 6;
const WIDTH = 110; // retainer paths are wrapped at this width

function parseArgs(argv) {
  const opts = { out: path.join(__dirname, 'out'), warmup: 300, requests: 2000, more: 500 };
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
    else if (a === '--more') opts.more = count(value());
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
    const req = http.request(
      { host: '127.0.0.1', port, method, path: urlPath, agent, headers: { 'user-agent': 'heapwise-demo/1' } },
      (res) => {
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
      },
    );
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

// ---------------------------------------------------------------- helpers

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

function progressLine(label) {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    const width = 30;
    const done = Math.round(p.fraction * width);
    process.stderr.write(
      `\r${label} ${p.phase.padEnd(10)} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${Math.round(p.fraction * 100)}%`,
    );
    if (p.phase === 'done') process.stderr.write('\r' + ' '.repeat(label.length + 50) + '\r');
  };
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** The path of a result (its `pathText`, heapwise's one notation), wrapped at ` → ` to WIDTH columns. */
function wrappedPath(label, item, indent) {
  const text = item && item.pathText;
  if (!text) return [];
  const parts = text.split(' \u2192 ');
  const lines = [];
  let line = `${indent}${label}`;
  parts.forEach((p, i) => {
    const piece = (i ? ' \u2192 ' : '') + p;
    if (i && line.length + piece.length > WIDTH) {
      lines.push(line + ' \u2192');
      line = `${indent}${' '.repeat(label.length)}${p}`;
    } else {
      line += piece;
    }
  });
  lines.push(line);
  return lines;
}

/** The path of a result, shortened at scope boundaries (the end, the holder's name, kept whole). */
function shortPath(item, max = 70) {
  return item && item.pathText ? shortPathText(item.pathText, max) : '(root)';
}

const INTERNAL_STORE = (n) =>
  n.type === 'array' || n.type === 'hidden' || n.className === '(object elements)' || n.className.startsWith('system / ');

/**
 * What an object holds, from the dominator tree of `a`: below it, through internal stores (a
 * Set's hash table, an array's elements), the largest group of objects of one class (closures
 * by function name), with their count, retained size and the source location of one of them.
 */
function contentsOf(a, id) {
  let node = a.node(id);
  for (let depth = 0; node && depth < 3; depth++) {
    const groups = new Map();
    for (const k of a.dominated(node.id)) {
      const label = nodeLabel(k);
      const g = groups.get(label) || { label, count: 0, retainedSize: 0, sample: k };
      g.count++;
      g.retainedSize += k.retainedSize;
      groups.set(label, g);
    }
    const best = [...groups.values()].sort((x, y) => y.retainedSize - x.retainedSize)[0];
    if (!best) return null;
    if (best.count === 1 && INTERNAL_STORE(best.sample)) {
      node = best.sample;
      continue;
    }
    return { ...best, location: a.location(best.sample.id) };
  }
  return null;
}

/** Script names by id from every location we have (one process: ids are the isolate's). */
function allScriptNames(diffs, locations) {
  const names = new Map();
  for (const d of diffs) for (const [id, name] of scriptNames(d)) if (!names.has(id)) names.set(id, name);
  for (const l of locations) if (l && l.scriptName && !names.has(l.scriptId)) names.set(l.scriptId, l.scriptName);
  return names;
}

// ---------------------------------------------------------------- main

async function main() {
  const tStart = Date.now();
  let opts;
  const usage = 'usage: node demo/run.js [--out DIR] [--warmup N] [--requests N] [--more N]\n';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`demo: ${e.message}\n${usage}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (typeof diff !== 'function') throw new Error('this build of heapwise has no diff (rebuild the addon: npm run build)');
  fs.mkdirSync(opts.out, { recursive: true });
  const out = (s = '') => process.stdout.write(s + '\n');
  const rel = (p) => {
    const r = path.relative(process.cwd(), p);
    return r.startsWith('..') ? p : r;
  };

  out('heapwise demo: a leaking HTTP service, snapshotted before, after and after more load, then diffed');
  out('');

  // 1. Run the service, load it, take the three snapshots.
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
    const steps = [
      ['before', opts.warmup, 'warm-up requests'],
      ['after', opts.requests, 'requests'],
      ['final', opts.more, 'more requests'],
    ];
    const done = [];
    let sent = 0;
    for (const [name, n, what] of steps) {
      const t0 = Date.now();
      await load(agent, port, n, sent);
      sent += n;
      files[name] = await snapshot(agent, port, name);
      done.push(`${n} ${what} + snapshot ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    out(`Load     ${done.join(', ')}`);
    for (const k of Object.keys(files)) out(`  ${k.padEnd(6)}  ${rel(files[k])} (${formatBytes(fs.statSync(files[k]).size)})`);
  } catch (e) {
    if (e && e.child) child = e.child;
    throw e;
  } finally {
    agent.destroy();
    await stopService(child);
  }
  out('');

  // 2. The diffs (each reads its snapshots off the JS thread), and one analysis of `after` to see
  // what the growers hold (the diff ranks them; the dominator tree says what is inside).
  const diffOpts = { top: TOP, maxGrowthBytes: GROWTH_BUDGET };
  const d1 = await timed(() => diff(files.before, files.after, { ...diffOpts, onProgress: progressLine('diff') }));
  const d2 = await timed(() => diff(files.before, files.after, { top: TOP, final: files.final, onProgress: progressLine('diff --final') }));
  const an = await timed(() => analyze(files.after, { onProgress: progressLine('analyze') }));
  const a = an.value;
  let code;
  try {
    code = report(opts, { d: d1.value, ms: d1.ms }, { d: d2.value, ms: d2.ms }, { a, ms: an.ms }, out, tStart);
  } finally {
    a.close();
  }
  await htmlReports(opts, files, d2.value, out, rel);
  return code;
}

/**
 * 3. The same run as pages to open in a browser: the diff (with final mode), and `watch` over
 * the three snapshots as a series (the growth it flags, with timelines).
 */
async function htmlReports(opts, files, d, out, rel) {
  const diffPage = path.join(opts.out, 'diff-report.html');
  fs.writeFileSync(diffPage, renderDiffHtml(d));
  const watcher = watch({ files: [files.before, files.after, files.final], maxGrowthBytes: GROWTH_BUDGET });
  const growing = new Set();
  for await (const ev of watcher) {
    if (ev.type === 'growth' && ev.leak) growing.add(ev.name);
  }
  const watchPage = path.join(opts.out, 'watch-report.html');
  fs.writeFileSync(watchPage, renderWatchHtml(watcher.series()));
  out('');
  out(
    `Reports  ${rel(diffPage)} (this diff, final mode included), ${rel(watchPage)} (watch over the three ` +
      `snapshots; growing in both steps: ${[...growing].join(', ') || 'none'})`,
  );
}

function report(opts, first, second, analysis, out, tStart) {
  const d = first.d;
  const fd = second.d;
  const a = analysis.a;
  const t = d.totals;

  out(`diff(before, after, { top: ${TOP}, maxGrowthBytes: ${formatBytes(GROWTH_BUDGET)} }) in ${seconds(first.ms)}`);
  out(`  before  ${formatCount(d.before.nodeCount)} objects, total ${formatBytes(d.before.totalSize)}`);
  out(`  after   ${formatCount(d.after.nodeCount)} objects, total ${formatBytes(d.after.totalSize)}  (${formatSignedBytes(d.sizeDelta)})`);
  out(
    `  Comparison: ${formatCount(t.newCount)} new, ${formatCount(t.deletedCount)} deleted (${formatSignedCount(t.deltaCount)} objects), ` +
      `allocated ${formatBytes(t.allocSize)}, freed ${formatBytes(t.freedSize)}, size delta ${formatSignedBytes(t.sizeDelta)}`,
  );
  for (const w of d.warnings) out(`  warning: ${w}`);
  out('');

  // The answer first: the findings of the three snapshots (final mode: more evidence), as
  // `heapwise diff BEFORE AFTER --final FINAL` prints them.
  for (const l of renderFindingsText(fd.findings, 3)) out(l);
  out('');

  // The Comparison rows of the classes that gained objects, largest Alloc. Size first.
  const grown = d.classes.filter((r) => r.deltaCount > 0);
  out(
    `Comparison (DevTools' Comparison view): the ${formatCount(grown.length)} classes that gained objects, of ${formatCount(d.classes.length)} changed`,
  );
  if (grown.length) {
    out(
      textTable(
        COMPARISON_HEAD,
        grown.slice(0, COMPARISON_ROWS).map((r) => [clip(r.name, 40), ...comparisonCells(r)]),
      ),
    );
    if (grown.length > COMPARISON_ROWS)
      out(
        `  \u2026 ${grown.length - COMPARISON_ROWS} more, each +${formatCount(Math.max(...grown.slice(COMPARISON_ROWS).map((r) => r.deltaCount)))} or less`,
      );
  } else {
    out('  (none)');
  }
  out('');

  // The growers: objects in both snapshots whose retained size grew. The large ones, with what
  // they hold (from the analysis of `after`, same ids), their retainer paths and locations.
  const significant = (g) => g.growth >= Math.max(64 * 1024, 0.05 * d.sizeDelta);
  const big = d.growers.filter(significant);
  const small = d.growers.filter((g) => !significant(g));
  for (const g of big) g.contents = contentsOf(a, g.node.id);
  const names = allScriptNames(
    [d, fd],
    big.map((g) => g.contents && g.contents.location),
  );
  const where = (loc) => formatLocation(loc, names);
  out('Top growers (objects in both snapshots whose retained size grew, largest growth first)');
  big.forEach((g, i) => {
    const n = g.node;
    out(
      `  ${i + 1}. ${nodeLabel(n)} @${n.id}  retained ${formatBytes(g.retainedBefore)} \u2192 ${formatBytes(g.retainedAfter)} ` +
        `(${formatSignedBytes(g.growth)}), held at ${shortPath(g)}${g.location ? `, created at ${where(g.location)}` : ''}`,
    );
    const c = g.contents;
    if (c) {
      out(
        `     holds ${formatCount(c.count)} ${c.label}${c.sample.type === 'closure' ? ' closures' : ''} (${formatBytes(c.retainedSize)})` +
          `${c.location ? `, created at ${where(c.location)}` : ''}`,
      );
    }
    for (const l of wrappedPath('retained by: ', g, '     ')) out(l);
  });
  if (!big.length) out('  (none grew by 64 kB or more)');
  if (small.length) {
    const sum = small.reduce((s, g) => s + g.growth, 0);
    out(
      `  \u2026 and ${small.length} smaller growers (${formatSignedBytes(sum)} in all), the largest ${nodeLabel(small[0].node)} @${small[0].node.id} ` +
        `${formatSignedBytes(small[0].growth)}${small[0].location ? ` at ${where(small[0].location)}` : ''}`,
    );
  }
  out('');

  // The objects allocated between the snapshots, as DevTools' Summary of them.
  if (d.allocated.length) {
    const count = d.allocated.reduce((s, r) => s + r.count, 0);
    const shallow = d.allocated.reduce((s, r) => s + r.shallowSize, 0);
    out(
      `Allocated between the snapshots (in after, ids above before's largest): ${formatCount(count)} objects, ` +
        `shallow ${formatBytes(shallow)}; largest retained first`,
    );
    out(
      textTable(
        ['Constructor', 'Distance', 'Count', 'Shallow Size', 'Retained Size'],
        d.allocated
          .slice(0, ALLOCATED_ROWS)
          .map((r) => [
            clip(r.name, 40),
            formatDistance(r.distance),
            `\u00d7${formatCount(r.count)}`,
            formatBytes(r.shallowSize),
            formatBytes(r.retainedSize),
          ]),
      ),
    );
    if (d.allocated.length > ALLOCATED_ROWS) out(`  \u2026 ${d.allocated.length - ALLOCATED_ROWS} more classes`);
  } else {
    out('Allocated between the snapshots: nothing');
  }
  out('');
  out(`Diff verdict: ${d.verdict.ok ? 'ok' : 'FAILED'}`);
  for (const r of d.verdict.reasons) out(`  - ${r.message}`);
  out('');

  // Final mode: allocated between before and after, still alive after `opts.more` more requests.
  out(
    `diff(before, after, { final, top: ${TOP} }) in ${seconds(second.ms)}: final ${formatCount(fd.final.nodeCount)} objects, ` +
      `total ${formatBytes(fd.final.totalSize)} (${formatSignedBytes(fd.final.totalSize - fd.after.totalSize)} after ${opts.more} more requests)`,
  );
  for (const w of fd.warnings) out(`  warning: ${w}`);
  if (fd.leaks.length) {
    const shown = fd.leaks.slice(0, LEAK_ROWS);
    out(`Leak groups (allocated between before and after, still alive in final; grouped by retainer path, largest retained first)`);
    shown.forEach((g, i) => {
      const loc = where(g.location);
      out(
        `  ${i + 1}. ${clip(g.name, 40)} \u00d7${formatCount(g.count)}  retained ${formatBytes(g.retainedSize)}` +
          `${loc ? `  at ${loc}` : ''}  held at ${shortPath(g, 90)}`,
      );
    });
    const rest = fd.leaks.slice(LEAK_ROWS);
    if (rest.length) {
      out(
        `  \u2026 ${rest.length} more groups (${formatCount(rest.reduce((s, g) => s + g.count, 0))} objects, ` +
          `${formatBytes(rest.reduce((s, g) => s + g.retainedSize, 0))} retained)`,
      );
    }
    out('  retainer path of group 1:');
    for (const l of wrappedPath('', shown[0], '    ')) out(l);
  } else {
    out('Leak groups: none (nothing allocated between before and after is alive in final)');
  }
  out(
    `Diff verdict (final mode): ${fd.verdict.ok ? 'ok' : `FAILED, ${fd.verdict.reasons.length} reason${fd.verdict.reasons.length === 1 ? '' : 's'}`}`,
  );
  if (fd.verdict.reasons.length)
    out(`  - ${fd.verdict.reasons[0].message}${fd.verdict.reasons.length > 1 ? ` (\u2026 ${fd.verdict.reasons.length - 1} more)` : ''}`);
  out('');

  out(
    `Timings  diff ${seconds(first.ms)}, final-mode diff ${seconds(second.ms)}, analyze(after) ${seconds(analysis.ms)} ` +
      `(${formatCount(a.nodeCount)} objects, ${formatCount(a.edgeCount)} references); whole run ${((Date.now() - tStart) / 1000).toFixed(1)} s`,
  );

  // The one-line verdict: the findings the evidence calls leaks (three snapshots, final mode).
  const leaking = fd.findings.filter((f) => f.leak);
  if (!leaking.length) {
    out(`Verdict: no leak found over ${opts.requests} requests`);
    return 1;
  }
  out(`Verdict: LEAK \u2014 ${leaking.map((f) => f.message).join('; ')}`);
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
