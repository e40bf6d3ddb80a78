'use strict';
// heapwise gc and gcLog(): GC logs written at test time by the pinned Node 18, 20, 22 and 24
// (tools/node-versions) from a leaking and a steady program, under --trace-gc and
// --trace-gc-nvp, and as v8.GCProfiler JSON; hand-written lines for what those runs do not
// print (several processes, interleaved output, Mark-sweep with (reduce)); bad input; the HTML
// report. Everything is written into one temporary folder, removed at the end.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { gcLog, HeapwiseError } = require('..');
const { parseGcLine } = require('../lib/gc/parse.js');
const { fitLine, THRESHOLDS } = require('../lib/gc/floor.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const MAJORS = [18, 20, 22, 24];

// Grows an array of objects by 20,000 a round while making garbage, with a full GC a round:
// 12 full GCs whose floor rises by about 1.5 MB each.
const LEAK = `
const keep = [];
let garbage = 0;
for (let round = 0; round < 12; round++) {
  for (let i = 0; i < 20000; i++) keep.push({ i, s: 'x' + i + round });
  for (let i = 0; i < 100000; i++) garbage += { a: i, b: [i] }.b.length;
  global.gc();
}
console.log('done', keep.length, garbage);
`;
// The same garbage and full GCs, with a fixed set of live objects: the floor does not move.
const STEADY = `
const keep = [];
for (let i = 0; i < 20000; i++) keep.push({ i });
let garbage = 0;
for (let round = 0; round < 12; round++) {
  for (let i = 0; i < 100000; i++) garbage += { a: i, b: [i] }.b.length;
  global.gc();
}
console.log('done', keep.length, garbage);
`;
// The leak under v8.GCProfiler, its result written to the file named by argv[2].
const PROFILED = `
const v8 = require('node:v8');
const fs = require('node:fs');
const profiler = new v8.GCProfiler();
profiler.start();
${LEAK}
fs.writeFileSync(process.argv[2], JSON.stringify(profiler.stop()));
`;

let dir;
/** @type {Map<number, {version: string, bin: string}>} */
const nodes = new Map();
/** Log files by `${major}-${name}`. */
const logs = new Map();

/** Runs `heapwise ARGS…`; returns {status, stdout, stderr}. */
function cli(...args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** Writes `text` to a file of the test folder; returns its path. */
function file(name, text) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-gc-'));
  const { ensureNode } = await import('../tools/node-versions/install.mjs');
  const programs = { leak: file('leak.js', LEAK), steady: file('steady.js', STEADY), profiled: file('profiled.js', PROFILED) };
  for (const major of MAJORS) {
    const { version, bin } = ensureNode(major);
    nodes.set(major, { version, bin });
    const run = (args) => execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    const flags = ['--expose-gc', '--max-old-space-size=64'];
    logs.set(`${major}-leak`, file(`${major}-leak.log`, run(['--trace-gc', ...flags, programs.leak])));
    logs.set(`${major}-steady`, file(`${major}-steady.log`, run(['--trace-gc', ...flags, programs.steady])));
    logs.set(`${major}-nvp`, file(`${major}-nvp.log`, run(['--trace-gc-nvp', ...flags, programs.leak])));
    const json = path.join(dir, `${major}-profiler.json`);
    run([...flags, programs.profiled, json]);
    logs.set(`${major}-profiler`, json);
  }
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

for (const major of MAJORS) {
  describe(`Node ${major}`, () => {
    test('--trace-gc of the leaking program: rising, exit 1', async () => {
      const r = await gcLog(logs.get(`${major}-leak`));
      assert.deepStrictEqual(r.formats, ['trace-gc']);
      assert.strictEqual(r.groups.length, 1, 'one process, one isolate');
      const g = r.groups[0];
      // Node 18's V8 names its full GC Mark-sweep, the later ones Mark-Compact
      const full = major === 18 ? 'mark-sweep' : 'mark-compact';
      assert.strictEqual(g.totals.byKind[full], 12, JSON.stringify(g.totals.byKind));
      assert.strictEqual(g.floor.length, 12);
      assert.ok(g.events.some((e) => e.kind === 'scavenge'));
      assert.ok(g.events.every((e) => e.pid > 0 && /^0x[0-9a-f]+$/.test(e.isolate) && e.time >= 0 && e.durationMs >= 0));
      assert.ok(g.events.filter((e) => e.kind === full).every((e) => e.reason === 'testing; GC in old space requested'));
      assert.strictEqual(r.verdict.kind, 'rising', r.verdict.message);
      assert.ok(g.fit.slopePerGc > 1e6 && g.fit.slopePerGc < 2.5e6, `about 1.5 MB per full GC: ${g.fit.slopePerGc}`);
      assert.ok(g.fit.slopePerMinute > 0 && g.fit.r2 > 0.9 && g.steadiness.roseFraction > 0.8);
      assert.ok(g.totals.pauseMs > 0 && g.totals.pausePercent > 0 && g.totals.pausePercent <= 100);
      const c = cli('gc', logs.get(`${major}-leak`));
      assert.strictEqual(c.status, 1, c.stderr);
      assert.match(c.stdout, /^RISING: the heap after each full GC rises steadily over 12 full GCs/m);
    });

    test('--trace-gc of the steady program: flat, exit 0', async () => {
      const r = await gcLog(logs.get(`${major}-steady`));
      const g = r.groups[0];
      assert.strictEqual(g.floor.length, 12);
      assert.strictEqual(r.verdict.kind, 'flat', r.verdict.message);
      assert.ok(Math.abs(g.fit.riseBytes) < 1e6, `${g.fit.riseBytes}`);
      const c = cli('gc', logs.get(`${major}-steady`), '--json');
      assert.strictEqual(c.status, 0, c.stderr);
      assert.strictEqual(JSON.parse(c.stdout).verdict.kind, 'flat');
    });

    test('--trace-gc-nvp parses: the same GCs, exact byte sizes', async () => {
      const r = await gcLog(logs.get(`${major}-nvp`));
      assert.deepStrictEqual(r.formats, ['trace-gc-nvp']);
      assert.deepStrictEqual(r.warnings, []);
      const g = r.groups[0];
      assert.strictEqual(g.floor.length, 12);
      assert.strictEqual(g.totals.byKind[major === 18 ? 'mark-sweep' : 'mark-compact'], 12);
      assert.ok(
        g.events.some((e) => e.after % 1024 !== 0),
        'sizes in bytes, not rounded MiB',
      );
      assert.strictEqual(r.verdict.kind, 'rising', r.verdict.message);
      assert.strictEqual(cli('gc', logs.get(`${major}-nvp`)).status, 1);
    });

    test('v8.GCProfiler JSON: the events without times, rising', async () => {
      const r = await gcLog(logs.get(`${major}-profiler`));
      assert.deepStrictEqual(r.formats, ['gc-profiler']);
      const g = r.groups[0];
      assert.strictEqual(g.pid, null);
      assert.ok(g.events.every((e) => e.time === null && e.before > 0 && e.after > 0));
      assert.strictEqual(g.totals.byKind['mark-compact'], 12, JSON.stringify(g.totals.byKind));
      assert.strictEqual(g.fit.slopePerMinute, null, 'no time per GC');
      assert.ok(g.totals.spanMs > 0, 'endTime - startTime');
      assert.strictEqual(r.verdict.kind, 'rising', r.verdict.message);
      const c = cli('gc', logs.get(`${major}-profiler`), '--format', 'markdown');
      assert.strictEqual(c.status, 1, c.stderr);
      assert.match(c.stdout, /^## heapwise gc: `\d+-profiler\.json`/);
    });
  });
}

describe('hand-written lines', () => {
  test('one line of each format and Node version', () => {
    // Node 18: Mark-sweep, one decimal, no pooled:
    let e = parseGcLine(
      '[16127:0x41e6bd00]       48 ms: Mark-sweep 6.1 (9.0) -> 4.4 (9.3) MB, 7.7 / 0.0 ms  (average mu = 1.000, current mu = 1.000) testing; GC in old space requested',
    ).event;
    assert.deepStrictEqual(
      { ...e },
      {
        kind: 'mark-sweep',
        time: 48,
        before: Math.round(6.1 * 1048576),
        after: Math.round(4.4 * 1048576),
        committedBefore: Math.round(9.0 * 1048576),
        committedAfter: Math.round(9.3 * 1048576),
        reduce: false,
        durationMs: 7.7,
        reason: 'testing; GC in old space requested',
        pid: 16127,
        isolate: '0x41e6bd00',
      },
    );
    // Node 24: pooled:, (interleaved) and a reason with an empty second part
    e = parseGcLine(
      '[16143:0x328db000]       88 ms: Scavenge (interleaved) 11.1 (16.0) -> 8.7 (24.0) MB, pooled: 0 MB, 6.12 / 0.00 ms  (average mu = 0.768, current mu = 0.625) allocation failure; ',
    ).event;
    assert.deepStrictEqual(
      [e.kind, e.before, e.after, e.durationMs, e.reason, e.reduce],
      ['scavenge', Math.round(11.1 * 1048576), Math.round(8.7 * 1048576), 6.12, 'allocation failure', false],
    );
    // Node 22 with --minor-ms; Node 20 with --minor-mc
    assert.strictEqual(
      parseGcLine(
        '[16404:0xbd38000]       44 ms: Minor Mark-Sweep 4.4 (5.1) -> 4.0 (5.1) MB, pooled: 0 MB, 0.60 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
      ).event.kind,
      'minor-ms',
    );
    assert.strictEqual(
      parseGcLine(
        '[16619:0x36ff4ce0]       20 ms: Minor Mark-Compact 3.9 (4.0) -> 3.6 (4.2) MB, 0.85 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
      ).event.kind,
      'minor-mc',
    );
    // incremental marking adds "(+ … since start of marking …)" before the mutator utilization
    e = parseGcLine(
      '[16650:0xb451cb0]       85 ms: Mark-Compact 19.2 (29.2) -> 16.4 (50.2) MB, 21.88 / 0.00 ms  (+ 0.1 ms in 1 steps since start of marking, biggest step 0.1 ms, walltime since start of marking 25 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via stack guard; GC in old space requested',
    ).event;
    assert.deepStrictEqual(
      [e.kind, e.durationMs, e.reason],
      ['mark-compact', 21.88, 'finalize incremental marking via stack guard; GC in old space requested'],
    );
    // Node 24's nvp prefix has a third field
    e = parseGcLine(
      '[16804:0x1dd78000:0]       39 ms: pause=5.8 mutator=1.4 gc=mc reduce_memory=1 time_to_safepoint=0.00 start_object_size=6465424 end_object_size=5337824 start_memory_size=10448896 end_memory_size=14905344',
    ).event;
    assert.deepStrictEqual(
      [e.kind, e.pid, e.isolate, e.time, e.before, e.after, e.committedAfter, e.reduce, e.durationMs],
      ['mark-compact', 16804, '0x1dd78000', 39, 6465424, 5337824, 14905344, true, 5.8],
    );
    assert.strictEqual(parseGcLine('done 240000 1200000'), null);
  });

  test('several processes and a worker: one group each, the log rising when one of them rises', async () => {
    // process 100 (main isolate 0xa): floor 10, 12, 14, 16 MB: rising
    // process 100 (worker isolate 0xb): floor 5, 5, 5 MB: flat
    // process 200: floor 8, 8 MB: insufficient (2 full GCs)
    const line = (pid, iso, t, kind, before, after) =>
      `[${pid}:${iso}]  ${t} ms: ${kind} ${before} (${before + 4}.0) -> ${after} (${before + 4}.0) MB, 1.5 / 0.0 ms  (average mu = 1.000, current mu = 1.000) testing; GC in old space requested`;
    const text = [
      line(100, '0xa', 100, 'Mark-Compact', 11.0, 10.0),
      line(100, '0xb', 105, 'Mark-Compact', 6.0, 5.0),
      line(200, '0xc', 110, 'Mark-Compact', 9.0, 8.0),
      line(100, '0xa', 200, 'Scavenge', 13.0, 12.5),
      line(100, '0xa', 300, 'Mark-Compact', 13.0, 12.0),
      line(100, '0xb', 305, 'Mark-Compact', 6.0, 5.0),
      line(200, '0xc', 310, 'Mark-Compact', 9.0, 8.0),
      line(100, '0xa', 500, 'Mark-Compact', 15.0, 14.0),
      line(100, '0xb', 505, 'Mark-Compact', 6.0, 5.0),
      line(100, '0xa', 700, 'Mark-Compact', 17.0, 16.0),
    ].join('\n');
    const r = await gcLog({ text });
    assert.deepStrictEqual(
      r.groups.map((g) => [g.pid, g.isolate, g.floor.length, g.verdict.kind]),
      [
        [100, '0xa', 4, 'rising'],
        [100, '0xb', 3, 'flat'],
        [200, '0xc', 2, 'insufficient'],
      ],
    );
    assert.strictEqual(r.verdict.kind, 'rising');
    assert.match(r.verdict.message, /^process 100, isolate 0xa: /);
    // per full GC +2 MiB; over time, +2 MiB per 200 ms = 600 MiB a minute
    const g = r.groups[0];
    assert.strictEqual(g.fit.slopePerGc, 2 * 1048576);
    assert.strictEqual(g.fit.slopePerMinute, 600 * 1048576);
    assert.strictEqual(g.fit.r2, 1);
    assert.deepStrictEqual(g.totals.byKind, { 'mark-compact': 4, scavenge: 1 });
    // 5 pauses of 1.5 ms in the 700 ms from the isolate's start to its last GC
    assert.strictEqual(g.totals.pausePercent, Math.round((100 * 7.5 * 100) / 700) / 100);
  });

  test("Mark-sweep (reduce) lines among the program's own output", async () => {
    // Node 18's names; the program's output written without a newline ends up before a GC line,
    // and whole lines of it between them: 4 full GCs, floor 3.0, 3.5, 4.0, 4.5 MiB: rising
    const text = [
      'server listening on :3000',
      '[7:0x1]       40 ms: Mark-sweep (reduce) 5.8 (8.9) -> 3.0 (5.1) MB, 8.4 / 0.0 ms  (average mu = 1.000, current mu = 1.000) heap profiler; GC in old space requested',
      'GET /a 200[7:0x1]       90 ms: Mark-sweep 6.0 (9.0) -> 3.5 (9.0) MB, 4.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
      '{"level":"info","msg":"a log line with a [7:0x1] in it"}',
      '[7:0x1]      140 ms: Scavenge 5.0 (9.0) -> 4.2 (9.0) MB, 0.5 / 0.0 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
      'GET /b 200',
      '[7:0x1]      190 ms: Mark-sweep 6.5 (9.0) -> 4.0 (9.0) MB, 4.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ',
      '[7:0x1]      240 ms: Mark-sweep (reduce) 6.9 (9.0) -> 4.5 (6.0) MB, 4.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) memory reducer; ',
    ].join('\n');
    const r = await gcLog({ text });
    const g = r.groups[0];
    assert.deepStrictEqual(
      g.events.map((e) => [e.line, e.kind, e.reduce]),
      [
        [2, 'mark-sweep', true],
        [3, 'mark-sweep', false],
        [5, 'scavenge', false],
        [7, 'mark-sweep', false],
        [8, 'mark-sweep', true],
      ],
    );
    assert.deepStrictEqual(
      g.floor.map((p) => p.bytes),
      [3.0, 3.5, 4.0, 4.5].map((m) => Math.round(m * 1048576)),
    );
    assert.strictEqual(r.verdict.kind, 'rising');
    assert.deepStrictEqual(r.warnings, []);
  });

  test('two full GCs are insufficient (exit 0); a line that looks like GC but does not read is a warning', () => {
    // 2 full GCs: insufficient; the third "Mark-Compact" line has no sizes: skipped with a warning
    const log = file(
      'two.log',
      [
        '[1:0x1]  10 ms: Mark-Compact 5.0 (8.0) -> 3.0 (8.0) MB, 2.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) testing; ',
        '[1:0x1]  20 ms: Mark-Compact 9.0 (12.0) -> 7.0 (12.0) MB, 2.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) testing; ',
        '[1:0x1]  30 ms: Mark-Compact garbled',
      ].join('\n'),
    );
    const c = cli('gc', log, '--json');
    assert.strictEqual(c.status, 0, c.stderr);
    const r = JSON.parse(c.stdout);
    assert.strictEqual(r.verdict.kind, 'insufficient');
    assert.match(r.warnings[0], /^1 lines look like GC lines but could not be read; skipped \(the first, line 3: /);
  });

  test('the rule: each condition of THRESHOLDS can make a floor flat', async () => {
    const mib = 1048576;
    const verdict = async (floors) => {
      const text = floors
        .map(
          (f, i) =>
            `[1:0x1]  ${(i + 1) * 1000} ms: Mark-Compact ${f + 1} (${f + 9}) -> ${f} (${f + 9}) MB, 1.0 / 0.0 ms  (average mu = 1.000, current mu = 1.000) testing; `,
        )
        .join('\n');
      return (await gcLog({ text })).verdict.kind;
    };
    assert.deepStrictEqual(THRESHOLDS, { minFullGcs: 3, minRoseFraction: 0.6, minR2: 0.5, minRiseRatio: 0.05, minRiseBytes: mib });
    assert.strictEqual(await verdict([10, 12, 14]), 'rising');
    // rose in 2 of 4 steps (50 % < 60 %), though the line rises
    assert.strictEqual(await verdict([10, 16, 16, 22, 22]), 'flat');
    // rose in 3 of 4 steps but falls back at the end: R² of the fit 0.01 < 0.5
    assert.strictEqual(await verdict([10, 11, 12, 13, 9.5]), 'flat');
    // steady, but 0.3 MB in all: under 1 MiB
    assert.strictEqual(await verdict([10, 10.1, 10.2, 10.3]), 'flat');
    // steady, 3 MiB in all, but under 5 % of a 100 MiB floor
    assert.strictEqual(await verdict([100, 101, 102, 103]), 'flat');
    assert.deepStrictEqual(
      fitLine([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
      { slope: 2, intercept: 1, r2: 1 },
    );
  });
});

describe('bad input', () => {
  test('no GC line, an empty file, a missing file, JSON of something else: exit 2 with the reason', () => {
    const cases = [
      [file('none.log', 'hello\nworld\n'), /has no GC line: expected the output of `node --trace-gc`.*\(ERR_HEAPWISE_INVALID_DATA\)/],
      [file('empty.log', ''), /is empty \(ERR_HEAPWISE_EMPTY\)/],
      [path.join(dir, 'missing.log'), /cannot read the GC log .*missing\.log: no such file \(ERR_HEAPWISE_IO\)/],
      [dir, /it is a directory \(ERR_HEAPWISE_IO\)/],
      [file('pkg.json', '{"name": "x"}'), /not a v8\.GCProfiler result .*\(ERR_HEAPWISE_INVALID_DATA\)/],
    ];
    for (const [p, message] of cases) {
      const c = cli('gc', p);
      assert.strictEqual(c.status, 2, `${p}: ${c.stdout}`);
      assert.strictEqual(c.stdout, '');
      assert.match(c.stderr, /^heapwise: /, p);
      assert.match(c.stderr, message, p);
    }
    assert.strictEqual(cli('gc').status, 2, 'no LOG');
  });

  test('gcLog() rejects with a HeapwiseError', async () => {
    await assert.rejects(gcLog({ text: 'no gc here' }), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_DATA');
    await assert.rejects(gcLog(/** @type {any} */ (42)), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
  });
});

test('the HTML report: a self-contained page with the chart of the heap after each GC', () => {
  const out = path.join(dir, 'gc.html');
  const c = cli('gc', logs.get('24-leak'), '--format', 'html', '-o', out);
  assert.strictEqual(c.status, 1, c.stderr);
  assert.match(c.stderr, /^heapwise: rising, last floor [\d.]+ MB; report written to /);
  const page = fs.readFileSync(out, 'utf8');
  assert.match(page, /<body data-kind="gc">/);
  assert.match(page, /<div id="chart-gc-0" data-chart-host="gc">/);
  assert.match(page, /The heap after each full GC rises/);
  assert.doesNotMatch(page, /<(?:link|img|script) [^>]*(?:src|href)=/, 'no outside resource');
  // the data the page's script draws: every GC, the 12 full GCs and the fitted line's two ends
  const model = JSON.parse(/<script type="application\/json" id="heapwise-data">(.*?)<\/script>/s.exec(page)[1]);
  assert.strictEqual(model.kind, 'gc');
  const chart = model.data.charts[0];
  assert.strictEqual(chart.timed, true);
  assert.strictEqual(chart.floor.length, 12);
  assert.strictEqual(chart.fit.length, 2);
  assert.ok(chart.fit[1][1] > chart.fit[0][1], 'the fitted floor rises');
  assert.ok(chart.after.length > chart.floor.length);
  // drawn by the one line chart of draw.js
  assert.match(page, /function lineChart\(/);
  assert.match(page, /else if \(MODEL\.kind === 'gc'\) gcPage\(MODEL\.data\)/);
});
