// watch(): a series of snapshots and a process's memory (issue 6, parts 1, 2 and 4).
//
// Real child processes write real snapshots into folders while a watcher follows them: one leaks
// steadily (flagged within a bounded number of snapshots, the growing class reported with its
// retainer path), one stays steady (not flagged), one grows only in native memory held by a
// grandchild (RSS/PSS of the process tree climb, the heap stays flat). A process that watches
// itself while holding Buffers shows them in arrayBuffers/RSS with heapUsed flat, and ends on its
// own after close(). Partial, zero-byte and still-growing files are reported, not analysed;
// symbolic links out of the folder are not followed. The CLI's exit codes, formats and SIGINT.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const { watch, analyzeSync, HeapwiseError, ClassFilter } = require('heapwise');
const { classFilter } = require('../lib/watch/class-filter.js');
const { parentOf, stateOf, startTime, processTree } = require('../lib/watch/process-memory.js');
const { parseWatchArgs, parseDuration, renderText, renderMarkdown } = require('../lib/cli/watch.js');
const { layerVerdict } = require('../lib/watch/layers.js');

const CHILD = path.join(__dirname, 'fixtures', 'watch-child.js');
const SELF = path.join(__dirname, 'fixtures', 'watch-self.js');
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const LINUX = process.platform === 'linux';
/** Snapshots each child writes: enough for a full growth window (n + 1 = 5) and one more. */
const STEPS = 6;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-watch-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function folder(name) {
  const d = path.join(tmp, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** Runs the child of watch-child.js; resolves to its exit code. */
function runChild(mode, dir, steps = STEPS, stepMs = 40, env = {}) {
  const child = spawn(process.execPath, [CHILD, mode, dir, String(steps), String(stepMs)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

/** Collects a watcher's events by type; `until(events)` decides when to finish the watch. */
function collect(w) {
  const events = [];
  for (const type of ['snapshot', 'skipped', 'growth', 'leak', 'sample']) w.on(type, (ev) => events.push(ev));
  w.on('error', (error) => events.push({ type: 'error', error }));
  return events;
}

/**
 * Growth of a sample field once the process has settled (started up and written its first
 * snapshot, which raises its RSS for good), ignoring short spikes (a snapshot being written):
 * lowest value of the last quarter minus lowest of the first quarter.
 */
function lowGrowth(series, field, samples = series.samples) {
  const v = samples.filter((x) => x.time >= series.snapshots[0].time).map((x) => x[field]);
  assert.ok(v.length >= 8, `${v.length} samples`);
  const q = Math.max(1, Math.floor(v.length / 4));
  return Math.min(...v.slice(-q)) - Math.min(...v.slice(0, q));
}

const snapshotFiles = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot'));

/** Waits until `cond()` holds (checked every 50 ms) or `ms` passed; returns whether it held. */
async function waitFor(cond, ms = 30_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/** Runs the CLI; resolves to { status, stdout, stderr }. */
function cli(args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => {
      stdout += d;
    });
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    if (opts.onStdout) p.stdout.on('data', () => opts.onStdout(stdout, p));
    if (opts.onStderr) p.stderr.on('data', () => opts.onStderr(stderr, p));
    p.on('exit', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------------------------

// JS heap or native memory: the verdict across layers (lib/watch/layers.js) is tested in
// watch-run.test.js ("the layer rule"); the native test below checks it on a real process tree.

describe('class filter', () => {
  test('internal classes and ignore patterns are filtered as in diff', () => {
    const keep = classFilter(ClassFilter, { ignore: ['Foo', '/^bar$/i'] });
    assert.deepStrictEqual(['(system)', '(compiled code)', 'system / Context', '(string)', 'FooBar', 'BAR', 'Baz'].filter(keep), [
      '(string)',
      'Baz',
    ]);
    assert.ok(classFilter(ClassFilter, { includeInternal: true })('(system)'));
    assert.throws(() => classFilter(ClassFilter, { ignore: ['/x/z'] }), /unsupported/);
  });

  test('the k-of-n class rule is gone: findings decide what grows', () => {
    assert.throws(() => watch({ files: [], growth: { k: 3, n: 4 } }), { code: 'ERR_HEAPWISE_INVALID_ARGUMENT', message: /findings/ });
  });
});

describe('process memory', () => {
  test('the parent pid is read after the last ")" of /proc/PID/stat', () => {
    assert.strictEqual(parentOf('123 (a) b (c)) S 77 123 123 0'), 77);
    assert.strictEqual(parentOf('5 (node) R 1 5 5'), 1);
    assert.strictEqual(stateOf('123 (a) Z (c)) S 77 123 123 0'), 'S');
    assert.strictEqual(parentOf('no command name'), null);
    assert.strictEqual(stateOf('no command name'), null);
  });

  test('the start time is field 22 of /proc/PID/stat', { skip: !LINUX }, async () => {
    const fields = fs.readFileSync('/proc/self/stat', 'latin1').split(' ');
    // This process's command name (node) has no space: fields can be counted from the start.
    assert.match(fields[21], /^\d+$/);
    assert.strictEqual(await startTime(process.pid), fields[21]);
    assert.strictEqual(await startTime(2 ** 22 + 1), null);
  });

  test('the process tree holds the children of a process', { skip: !LINUX }, async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' });
    try {
      await waitFor(() => fs.existsSync(`/proc/${child.pid}`), 5000);
      const tree = await processTree(process.pid);
      assert.strictEqual(tree[0], process.pid);
      assert.ok(tree.includes(child.pid), `${child.pid} in ${tree}`);
    } finally {
      child.kill();
    }
  });
});

describe('watch a folder of snapshots from live processes', () => {
  const leakDir = folder('leak');
  const steadyDir = folder('steady');

  test(
    'a process that leaks steadily is flagged within a few snapshots, and the finding names the array from the second snapshot on',
    { timeout: 60_000 },
    async () => {
      const w = watch({ dir: leakDir, intervalMs: 50, maxGrowthBytes: 600_000 });
      const events = collect(w);
      const { exited } = runChild('leak', leakDir);
      assert.strictEqual(await exited, 0);
      const files = snapshotFiles(leakDir);
      assert.strictEqual(files.length, STEPS);
      assert.ok(await waitFor(() => events.filter((e) => e.type === 'snapshot').length >= STEPS), 'all snapshots analysed');
      await w.close();
      assert.ok(w.closed);
      const snaps = events.filter((e) => e.type === 'snapshot');
      assert.deepStrictEqual(
        snaps.map((s) => s.index),
        [...Array(STEPS).keys()],
      );
      assert.deepStrictEqual(snaps.map((s) => path.basename(s.file)).sort(), files.sort(), 'each file once');
      // every snapshot is complete: its figures are those of the finished file
      const last = analyzeSync(snaps[STEPS - 1].file);
      assert.strictEqual(snaps[STEPS - 1].nodeCount, last.nodeCount);
      assert.strictEqual(snaps[STEPS - 1].totalSize, last.totalSize);
      last.close();
      for (let i = 1; i < STEPS; i++) assert.ok(snaps[i].totalSize > snaps[i - 1].totalSize, 'the heap grows at every step');

      const leaks = events.filter((e) => e.type === 'leak');
      assert.strictEqual(leaks.length, 1, 'one threshold, flagged once');
      assert.strictEqual(leaks[0].name, '(heap)');
      assert.match(leaks[0].reason, /^the heap grew by .* more than the allowed 600\.0 kB/);
      assert.ok(leaks[0].index <= 4, `flagged at snapshot ${leaks[0].index}`);

      const growth = events.filter((e) => e.type === 'growth' && e.name === 'globalThis.leakedRecords');
      assert.ok(growth.length >= 1, 'globalThis.leakedRecords reported as growing');
      assert.strictEqual(growth[0].index, 1, 'first reported from the second snapshot on');
      const g = growth[growth.length - 1];
      assert.ok(g.leak && g.finding.growth.steady, 'steady growth: a leak');
      assert.ok(g.grewIn >= 3 && g.countDelta >= 6000 && g.sizeDelta > 0, JSON.stringify({ ...g, finding: undefined }));
      assert.strictEqual(g.counts.length, g.snapshots.length);
      assert.strictEqual(g.finding.accumulates[0].className, 'LeakyRecord');
      assert.strictEqual(Math.round(g.finding.growth.membersPerSnapshot), 2000);
      assert.match(g.pathText, /leakedRecords$/);
      const fills = g.finding.code.find((c) => c.role === 'fills');
      assert.ok(fills && fills.location.scriptName.endsWith('watch-child.js'), JSON.stringify(g.finding.code));

      const s = w.series();
      assert.strictEqual(s.schemaVersion, 1);
      assert.deepStrictEqual(s.source, { kind: 'dir', dir: leakDir });
      assert.strictEqual(s.snapshots.length, STEPS);
      assert.ok(s.snapshots[0].classes.length > 10 && s.snapshots[0].classes.length <= 50);
      for (const c of s.snapshots[STEPS - 1].classes)
        assert.deepStrictEqual(Object.keys(c).sort(), ['count', 'name', 'retainedSize', 'shallowSize']);
      assert.strictEqual(s.growth[0].name, 'globalThis.leakedRecords', 'the leak first');
      assert.strictEqual(s.findings[0].holder.name, 'globalThis.leakedRecords', 'the ranked findings, as in diff');
      assert.ok(!s.growth.some((x) => x.name === 'globalThis'), 'what holds the array is not reported');
      assert.strictEqual(s.leaks.length, 1);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(s)), s, 'plain JSON');
    },
  );

  test('a steady process is not flagged and nothing is reported as leaking', { timeout: 60_000 }, async () => {
    // (maxNewObjects would count the cache's churn: 2000 records replaced per step are new objects)
    const { child, exited } = runChild('steady', steadyDir);
    const w = watch({
      dir: steadyDir,
      pid: LINUX ? child.pid : false,
      intervalMs: 40,
      maxGrowthBytes: 600_000,
      classLimits: { CachedRecord: { maxCount: 100 } },
    });
    const events = collect(w);
    assert.strictEqual(await exited, 0);
    assert.ok(await waitFor(() => events.filter((e) => e.type === 'snapshot').length >= STEPS), 'all snapshots analysed');
    await w.close();
    assert.deepStrictEqual(
      events.filter((e) => e.type === 'leak'),
      [],
    );
    assert.deepStrictEqual(
      events.filter((e) => e.type === 'growth' && e.leak).map((e) => e.message),
      [],
    );
    assert.deepStrictEqual(
      events.filter((e) => e.type === 'error' && e.error.code !== 'ERR_HEAPWISE_PROCESS_EXITED'),
      [],
    );
    const cached = w.series().snapshots.map((s) => s.classes.find((c) => c.name === 'CachedRecord').count);
    assert.deepStrictEqual(cached, Array(STEPS).fill(2000), 'busy but flat');
    if (LINUX) {
      // the control for the native test below: without a grandchild, the tree's RSS stays flat
      const growth = lowGrowth(w.series(), 'rss');
      assert.ok(growth < 12e6, `RSS grew by ${growth}`);
    }
  });

  test(
    'native growth (a grandchild holding Buffers) shows in RSS/PSS of the tree while the heap stays flat',
    { skip: !LINUX, timeout: 60_000 },
    async () => {
      const dir = folder('native');
      const { child, exited } = runChild('native', dir, STEPS, 100);
      const w = watch({ dir, pid: child.pid, intervalMs: 40 });
      const events = collect(w);
      assert.strictEqual(await exited, 0);
      const exitedEvents = () => events.filter((e) => e.type === 'error' && e.error.code === 'ERR_HEAPWISE_PROCESS_EXITED');
      assert.ok(await waitFor(() => exitedEvents().length > 0, 10_000), 'the exit is noticed');
      const samplesAtExit = w.series().samples.length;
      await new Promise((r) => setTimeout(r, 200));
      await w.finish(); // the last scan and analysis, then close
      const s = w.series();
      assert.strictEqual(s.source.pid, child.pid);
      assert.strictEqual(s.snapshots.length, STEPS);
      // while the grandchild lives (it holds 8 MB more at each of the 6 steps), from the first
      // snapshot on (before it, the grandchild starts up: a rise that happens once)
      const samples = s.samples.filter((x) => x.processes >= 2 && x.time >= s.snapshots[0].time);
      const rssGrowth = lowGrowth(s, 'rss', samples);
      assert.ok(rssGrowth >= 20e6, `RSS grew by ${rssGrowth}`);
      if (samples.every((x) => x.pss !== null)) {
        const pssGrowth = lowGrowth(s, 'pss', samples);
        assert.ok(pssGrowth >= 20e6, `PSS grew by ${pssGrowth}`);
      }
      assert.ok(
        samples.every((x) => x.heapUsed === null),
        'no heap figures for another process',
      );
      const totals = s.snapshots.map((x) => x.totalSize);
      assert.ok(Math.max(...totals) - Math.min(...totals) < 500_000, `heap flat: ${totals}`);
      assert.deepStrictEqual(
        events.filter((e) => e.type === 'growth' && e.leak),
        [],
      );
      // the watched process exited: reported once, sampling stopped
      assert.strictEqual(exitedEvents().length, 1);
      assert.strictEqual(s.samples.length, samplesAtExit, 'no sample after the exit');
      assert.strictEqual(s.errors.filter((e) => e.code === 'ERR_HEAPWISE_PROCESS_EXITED').length, 1);
      // judged over the samples while the grandchild lives: RSS grows, the JS heap (the snapshots' v8Heap) does not
      const layers = layerVerdict({ ...s, samples });
      assert.strictEqual(layers.kind, 'native', layers.message);
      assert.match(
        renderText({ ...s, samples, layers }),
        /Verdict across layers: JS heap flat .*RSS \+[\d.]+ MB.*: the growth is outside what V8 and Node count/,
      );
    },
  );

  test(
    'a process that watches itself: Buffers show in arrayBuffers and RSS, heapUsed stays flat, and after close() it exits on its own',
    { timeout: 60_000 },
    () => {
      const r = spawnSync(process.execPath, [SELF], { encoding: 'utf8', timeout: 30_000 });
      assert.strictEqual(r.signal, null, `the process did not exit by itself within 30 s\n${r.stderr}`);
      assert.strictEqual(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.strictEqual(out.errors, 0);
      assert.strictEqual(out.series.source.kind, 'capture');
      assert.ok(out.series.snapshots.length >= 3);
      assert.strictEqual(out.dirExists, false, 'the temporary capture folder is removed on close');
      const s = out.series.samples;
      const first = s[0];
      const last = s[s.length - 1];
      assert.ok(last.arrayBuffers - first.arrayBuffers >= 55e6, `arrayBuffers ${first.arrayBuffers} -> ${last.arrayBuffers}`);
      assert.ok(last.external - first.external >= 55e6, 'external includes them');
      assert.ok(last.rss - first.rss >= 40e6, `RSS ${first.rss} -> ${last.rss}`);
      assert.ok(Math.abs(last.heapUsed - first.heapUsed) < 10e6, `heapUsed ${first.heapUsed} -> ${last.heapUsed}`);
    },
  );

  test("capture of a worker thread's heap (worker.getHeapSnapshot())", { timeout: 60_000 }, () => {
    const r = spawnSync(process.execPath, [SELF, 'worker'], { encoding: 'utf8', timeout: 30_000 });
    assert.strictEqual(r.signal, null, r.stderr);
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.errors, 0);
    assert.ok(out.series.source.threadId >= 1);
    // the worker's heap does not hold the main thread's Buffers
    for (const snap of out.series.snapshots) assert.ok(snap.totalSize < 20e6, `worker heap ${snap.totalSize}`);
    assert.match(
      path.basename(out.series.snapshots[0].file),
      new RegExp(`^Heap\\.\\d{8}\\.\\d{6}\\.\\d+\\.${out.series.source.threadId}\\.001\\.heapsnapshot$`),
    );
  });

  describe('heapwise watch (CLI)', () => {
    test('--once on the leaking folder: exit 1, JSON series', async () => {
      const r = await cli(['watch', leakDir, '--once', '--max-growth', '600kB', '--format', 'json']);
      assert.strictEqual(r.status, 1, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.strictEqual(s.schemaVersion, 1);
      assert.strictEqual(s.snapshots.length, STEPS);
      assert.ok(s.growth.some((g) => g.name === 'globalThis.leakedRecords' && g.leak && g.pathText.endsWith('leakedRecords')));
      assert.strictEqual(s.leaks[0].name, '(heap)');
      assert.match(r.stderr, /LEAK: the heap grew/, 'live lines go to stderr when the report is on stdout');
    });

    test('--once on the steady folder: exit 0, text report', async () => {
      const r = await cli(['watch', steadyDir, '--once', '--max-growth', '600kB', '--interval', '200ms']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, /^snapshot 0 Heap\..*\.heapsnapshot: [\d,]+ objects/m);
      assert.doesNotMatch(r.stdout, /LEAK /);
      assert.match(r.stdout, /ok: no leak flagged/);
    });

    test('markdown to a file, with --calls and class limits', async () => {
      const out = path.join(tmp, 'watch.md');
      const r = await cli([
        'watch',
        leakDir,
        '--once',
        '--calls',
        '2000',
        '--max-class-count',
        'LeakyRecord=1000',
        '--format',
        'markdown',
        '-o',
        out,
      ]);
      assert.strictEqual(r.status, 1, r.stderr);
      const md = fs.readFileSync(out, 'utf8');
      assert.match(md, /^### heapwise watch: \*\*Leak flagged\*\*/);
      assert.match(md, /- LeakyRecord gained \d+ objects, more than the allowed 1000/);
      assert.match(md, new RegExp(`\\| globalThis\\.leakedRecords \\| ${STEPS - 1} of ${STEPS - 1} \\|`));
      assert.match(r.stderr, new RegExp(`LEAK flagged: ${STEPS} snapshots; report written to`));
    });

    test('--format html writes the self-contained report of the series', async () => {
      const out = path.join(tmp, 'watch.html');
      const r = await cli(['watch', leakDir, '--once', '--max-growth', '600kB', '--format', 'html', '-o', out]);
      assert.strictEqual(r.status, 1, r.stderr);
      const page = fs.readFileSync(out, 'utf8');
      assert.match(page, /^<!DOCTYPE html>/i);
      assert.match(page, /Leak flagged/);
      assert.match(page, /LeakyRecord/);
      assert.match(page, /id="chart-memory"/);
      assert.doesNotMatch(page, /<script[^>]+src=|<link[^>]+href="?https?:/i, 'no network resources');
    });

    test('usage and input errors exit 2', async () => {
      for (const args of [
        ['watch'],
        ['watch', leakDir, steadyDir],
        ['watch', leakDir, '--bogus'],
        ['watch', leakDir, '--interval', '5x'],
        ['watch', leakDir, '--growth', '5/4'],
        ['watch', leakDir, '--format', 'pdf'],
        ['watch', path.join(tmp, 'missing')],
        ['watch', CHILD],
        ['watch', leakDir, '--max-growth', '2m'],
      ]) {
        const r = await cli(args);
        assert.strictEqual(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /^heapwise: /, args.join(' '));
      }
      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      const r = await cli(['watch', leakDir, '--pid', String(dead)]);
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /no process with pid/);
    });

    test(
      '--pid: the watch ends by itself once the process has exited and its last snapshots are analysed',
      { skip: !LINUX, timeout: 60_000 },
      async () => {
        const dir = folder('cli-pid');
        const go = path.join(tmp, 'cli-pid-go');
        const { child, exited } = runChild('leak', dir, STEPS, 40, { WATCH_CHILD_GO: go });
        // the child starts once the watch has sampled it for the first time
        const run = cli(['watch', dir, '--pid', String(child.pid), '--interval', '100ms', '--max-growth', '600kB', '--format', 'json'], {
          onStderr: (text) => {
            if (/^memory: RSS/m.test(text) && !fs.existsSync(go)) fs.writeFileSync(go, '');
          },
        });
        assert.strictEqual(await exited, 0);
        const r = await run;
        assert.strictEqual(r.status, 1, r.stderr);
        const s = JSON.parse(r.stdout);
        assert.strictEqual(s.source.pid, child.pid);
        assert.strictEqual(s.snapshots.length, STEPS, 'every snapshot, the last ones included');
        assert.ok(s.samples.length >= 1);
        assert.strictEqual(s.leaks[0].name, '(heap)');
        assert.match(r.stderr, /process \d+ exited; memory sampling stopped \(ERR_HEAPWISE_PROCESS_EXITED\)/);
      },
    );

    test('SIGINT ends a live watch cleanly with the report', async () => {
      let sent = false;
      const r = await cli(['watch', steadyDir, '--interval', '100ms', '--max-growth', '600kB'], {
        onStdout: (text, p) => {
          if (!sent && new RegExp(`^snapshot ${STEPS - 1} `, 'm').test(text)) {
            sent = true;
            p.kill('SIGINT');
          }
        },
      });
      assert.ok(sent, r.stdout + r.stderr);
      assert.strictEqual(r.signal, null);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`${STEPS} snapshots`));
      assert.match(r.stdout, /ok: no leak flagged/);
    });

    test('argument parsing', () => {
      assert.strictEqual(parseDuration('500ms'), 500);
      assert.strictEqual(parseDuration('5s'), 5000);
      assert.strictEqual(parseDuration('2'), 2000);
      assert.strictEqual(parseDuration('1.5m'), 90000);
      assert.strictEqual(parseDuration('1h'), 3600000);
      for (const bad of ['', '5x', '-1s', '1ms', 's']) assert.throws(() => parseDuration(bad), /duration/, bad);
      const o = parseWatchArgs([
        'd',
        '--pid',
        '12',
        '--interval=1s',
        '--max-growth',
        '2MB',
        '--max-class-size',
        'A=1kB',
        '--json',
        '-o',
        'x',
      ]);
      assert.deepStrictEqual(
        [o._, o.pid, o.intervalMs, o.maxGrowthBytes, o.classLimits, o.format, o.output],
        [['d'], 12, 1000, 2e6, { A: { maxSize: 1000 } }, 'json', 'x'],
      );
    });
  });
});

describe('files that are not (yet) snapshots', () => {
  let good;
  before(() => {
    const d = folder('source');
    execFileSync(process.execPath, [CHILD, 'steady', d, '1', '0']);
    good = path.join(d, snapshotFiles(d)[0]);
  });

  test(
    'zero-byte, truncated, still-growing, non-regular and outside-the-folder files are reported, not analysed',
    { timeout: 60_000 },
    async () => {
      const dir = folder('partial');
      const outside = folder('partial-outside'); // a sibling whose name starts with the folder's
      const data = fs.readFileSync(good);
      fs.writeFileSync(path.join(dir, 'empty.heapsnapshot'), '');
      fs.writeFileSync(path.join(dir, 'cut.heapsnapshot'), data.subarray(0, Math.floor(data.length / 2)));
      fs.writeFileSync(path.join(outside, 'secret.heapsnapshot'), data);
      fs.symlinkSync(path.join(outside, 'secret.heapsnapshot'), path.join(dir, 'escape.heapsnapshot'));
      fs.symlinkSync('../partial-outside/secret.heapsnapshot', path.join(dir, 'relative-escape.heapsnapshot'));
      fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd.heapsnapshot'));
      fs.writeFileSync(path.join(dir, 'kept.data'), data); // not a snapshot name: not picked up by itself
      fs.symlinkSync('kept.data', path.join(dir, 'inside.heapsnapshot')); // a link inside the folder is fine
      fs.mkdirSync(path.join(dir, 'dir.heapsnapshot'));
      let fifo = false;
      if (LINUX) {
        try {
          execFileSync('mkfifo', [path.join(dir, 'pipe.heapsnapshot')]);
          fifo = true;
        } catch {}
      }
      const w = watch({ dir, intervalMs: 40 });
      const events = collect(w);
      // a snapshot written slowly, in pieces, while the watcher looks
      const slow = path.join(dir, 'slow.heapsnapshot');
      const pieces = 8;
      for (let i = 0; i < pieces; i++) {
        fs.appendFileSync(slow, data.subarray(Math.floor((i * data.length) / pieces), Math.floor(((i + 1) * data.length) / pieces)));
        await new Promise((r) => setTimeout(r, 120));
      }
      assert.ok(await waitFor(() => events.some((e) => e.type === 'snapshot' && e.file.endsWith('slow.heapsnapshot')), 20_000));
      assert.ok(await waitFor(() => events.filter((e) => e.type === 'snapshot').length >= 2, 20_000));
      await new Promise((r) => setTimeout(r, 300)); // a few more scans: nothing is reported twice
      await w.close();

      const snaps = events.filter((e) => e.type === 'snapshot');
      assert.deepStrictEqual(
        snaps.map((s) => path.basename(s.file)).sort(),
        ['kept.data', 'slow.heapsnapshot'],
        'only complete files inside the folder are analysed',
      );
      const full = analyzeSync(good);
      for (const s of snaps) assert.strictEqual(s.nodeCount, full.nodeCount, `${s.file} analysed complete`);
      full.close();
      const skipped = new Map();
      for (const e of events.filter((x) => x.type === 'skipped')) {
        const name = path.basename(e.file);
        if (!skipped.has(name)) skipped.set(name, []);
        skipped.get(name).push(e.code);
      }
      assert.deepStrictEqual(skipped.get('empty.heapsnapshot'), ['ERR_HEAPWISE_EMPTY']);
      assert.deepStrictEqual(skipped.get('cut.heapsnapshot'), ['ERR_HEAPWISE_TRUNCATED']);
      assert.deepStrictEqual(skipped.get('escape.heapsnapshot'), ['ERR_HEAPWISE_OUTSIDE_FOLDER']);
      assert.deepStrictEqual(skipped.get('relative-escape.heapsnapshot'), ['ERR_HEAPWISE_OUTSIDE_FOLDER']);
      assert.deepStrictEqual(skipped.get('passwd.heapsnapshot'), ['ERR_HEAPWISE_OUTSIDE_FOLDER']);
      assert.deepStrictEqual(skipped.get('dir.heapsnapshot'), ['ERR_HEAPWISE_IO']);
      if (fifo) assert.deepStrictEqual(skipped.get('pipe.heapsnapshot'), ['ERR_HEAPWISE_IO']);
      assert.ok(
        skipped.get('slow.heapsnapshot').length >= 1 && skipped.get('slow.heapsnapshot').every((c) => c === 'ERR_HEAPWISE_TRUNCATED'),
        `the slow file is reported while written: ${skipped.get('slow.heapsnapshot')}`,
      );
      assert.ok(!skipped.has('inside.heapsnapshot'));
      assert.deepStrictEqual(
        events.filter((e) => e.type === 'error'),
        [],
      );
      assert.ok(w.series().skipped.length >= 7);
    },
  );

  test("a restart (a new pid in Node's file names) starts the findings' series and the leak baseline again", async () => {
    const src = folder('restart-source');
    execFileSync(process.execPath, [CHILD, 'leak', src, '6', '0']);
    const leakFiles = snapshotFiles(src)
      .sort()
      .map((f) => path.join(src, f));
    // Six snapshots of a leak (about +300 kB each), named as if the first three came from process
    // 111 and the last three from process 222. Across the six, the heap grows by about 1.5 MB and
    // the threshold below holds; within either process, only by about 0.6 MB, in 2 steps.
    const dir = folder('restart');
    const files = leakFiles.map((f, i) => {
      const to = path.join(dir, `Heap.20260101.000000.${i < 3 ? 111 : 222}.0.00${(i % 3) + 1}.heapsnapshot`);
      fs.copyFileSync(f, to);
      return to;
    });
    const sizes = leakFiles.map((f) => analyzeSync(f)).map((a) => [a.totalSize, a.close()][0]);
    assert.ok(sizes[5] - sizes[0] > 1_200_000 && sizes[2] - sizes[0] < 1_200_000 && sizes[5] - sizes[3] < 1_200_000, `${sizes}`);
    const w = watch({ files, maxGrowthBytes: 1_200_000 });
    const events = [];
    for await (const ev of w) events.push(ev);
    const snaps = events.filter((e) => e.type === 'snapshot');
    assert.deepStrictEqual(
      snaps.map((s) => s.pid),
      [111, 111, 111, 222, 222, 222],
    );
    assert.deepStrictEqual(
      snaps.map((s) => !!s.restart),
      [false, false, false, true, false, false],
    );
    const growth = events.filter((e) => e.type === 'growth');
    assert.ok(growth.length > 0, 'growth is found within each process');
    for (const g of growth) {
      const inFirst = g.snapshots.every((i) => i < 3);
      const inSecond = g.snapshots.every((i) => i >= 3);
      assert.ok(inFirst || inSecond, `no finding spans the restart: ${g.snapshots}`);
    }
    assert.deepStrictEqual(
      events.filter((e) => e.type === 'leak'),
      [],
      "the leak baseline is the new process's first snapshot",
    );
    // the same files under one pid: growth and a leak, each file read once (the thresholds compare
    // with the first snapshot reduced in memory, not read again)
    let parses = 0;
    const phase = new Map();
    const same = watch({
      files: leakFiles,
      maxGrowthBytes: 1_200_000,
      onProgress: (p) => {
        if (p.phase === 'parse' && phase.get(p.file) !== 'parse') parses++;
        phase.set(p.file, p.phase);
      },
    });
    const kinds = [];
    const leaks = [];
    for await (const ev of same) {
      kinds.push(ev.type);
      if (ev.type === 'leak') leaks.push(ev);
    }
    assert.ok(kinds.includes('growth') && kinds.includes('leak'), kinds.join(' '));
    assert.ok(
      leaks.some((l) => l.kind === 'maxGrowthBytes' && l.baseline === 0),
      'the size threshold is crossed against the first snapshot',
    );
    assert.strictEqual(parses, leakFiles.length, 'one parse per snapshot');
  });

  test('a last scan gives a file that appeared since the previous scan one more look', async () => {
    const { FolderSource } = require('../lib/watch/sources.js');
    const dir = folder('last-scan');
    fs.copyFileSync(good, path.join(dir, 'a.heapsnapshot'));
    const src = new FolderSource(dir);
    assert.deepStrictEqual((await src.scan()).ready, [], 'a first look never makes a file ready');
    fs.copyFileSync(good, path.join(dir, 'b.heapsnapshot')); // lands while the watch is ending
    const last = await src.scan({ final: true });
    assert.deepStrictEqual(
      last.ready.map((f) => f.name),
      ['a.heapsnapshot'],
    );
    assert.strictEqual(last.fresh, 1);
    const again = await src.scan({ final: true });
    assert.deepStrictEqual(
      again.ready.map((f) => f.name),
      ['b.heapsnapshot'],
    );
    assert.strictEqual(again.fresh, 0);
    // a file that changed since the previous look (its writer finished meanwhile) gets another
    // look too; on the last chance, a file that still changes is reported as being written
    const c = path.join(dir, 'c.heapsnapshot');
    fs.writeFileSync(c, fs.readFileSync(good).subarray(0, 1000));
    await src.scan();
    fs.copyFileSync(good, c);
    fs.utimesSync(c, new Date(), new Date(Date.now() + 5000));
    assert.deepStrictEqual(
      [(await src.scan({ final: true })).fresh, (await src.scan({ final: true })).ready.map((f) => f.name)],
      [1, ['c.heapsnapshot']],
    );
    const d = path.join(dir, 'd.heapsnapshot');
    fs.writeFileSync(d, '{');
    await src.scan();
    fs.appendFileSync(d, ' ');
    const lastChance = await src.scan({ final: true, lastChance: true });
    assert.deepStrictEqual(
      lastChance.skipped.map((x) => [path.basename(x.file), x.code]),
      [['d.heapsnapshot', 'ERR_HEAPWISE_TRUNCATED']],
    );
    assert.strictEqual(lastChance.fresh, 0);
  });

  test('--once reports a file still being written and does not wait for it', async () => {
    const dir = folder('once-growing');
    const f = path.join(dir, 'growing.heapsnapshot');
    fs.writeFileSync(f, '{"snapshot":');
    const writer = setInterval(() => fs.appendFileSync(f, ' '), 20);
    try {
      const r = await cli(['watch', dir, '--once', '--interval', '300ms', '--format', 'json']);
      assert.strictEqual(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.strictEqual(s.snapshots.length, 0);
      assert.deepStrictEqual(
        s.skipped.map((x) => x.code),
        ['ERR_HEAPWISE_TRUNCATED'],
      );
      assert.match(s.skipped[0].message, /still being written/);
    } finally {
      clearInterval(writer);
    }
  });

  test('a list of files: an async iterable that ends after the last one; asyncDispose closes', async () => {
    const missing = path.join(tmp, 'missing.heapsnapshot');
    const w = watch({ files: [good, missing, new URL(`file://${good}`)] });
    const seen = [];
    for await (const ev of w) seen.push(`${ev.type}:${ev.type === 'skipped' ? ev.code : ev.index}`);
    assert.deepStrictEqual(seen, ['snapshot:0', 'skipped:ERR_HEAPWISE_IO', 'snapshot:1']);
    assert.ok(w.closed);
    assert.deepStrictEqual(w.series().source, { kind: 'files', files: [good, missing, good] });
    // an iterator made after close ends at once
    const it = w[Symbol.asyncIterator]();
    assert.deepStrictEqual(await it.next(), { value: undefined, done: true });

    const w2 = watch({ dir: path.dirname(good), intervalMs: 1000 });
    assert.strictEqual(typeof w2[Symbol.asyncDispose], 'function');
    await w2[Symbol.asyncDispose]();
    assert.ok(w2.closed);
  });

  test('memory stays flat over a long series (each analysis is closed at once)', { timeout: 60_000 }, () => {
    // 30 analyses of the same snapshot in a fresh process; the JS heap (after a GC) and the RSS
    // after the 30th are those after the 5th, but for the series itself (a few kB a snapshot)
    const script = `
      const { watch } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))});
      const w = watch({ files: Array(30).fill(${JSON.stringify(good)}) });
      const at = {};
      w.on('snapshot', (ev) => {
        global.gc();
        if (ev.index === 4 || ev.index === 29) at[ev.index] = process.memoryUsage();
      });
      w.on('close', () => process.stdout.write(JSON.stringify({ at, seriesBytes: JSON.stringify(w.series()).length })));
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 50_000 });
    assert.strictEqual(r.status, 0, r.stderr);
    const { at, seriesBytes } = JSON.parse(r.stdout);
    const heap = at[29].heapUsed - at[4].heapUsed;
    const rss = at[29].rss - at[4].rss;
    assert.ok(heap < 2 * seriesBytes + 500_000, `JS heap grew by ${heap} bytes over 25 snapshots (series ${seriesBytes} bytes as JSON)`);
    assert.ok(rss < 25e6, `RSS grew by ${rss} bytes over 25 snapshots of ${fs.statSync(good).size} bytes`);
  });

  test('bad options throw a HeapwiseError with a code', () => {
    const cases = [
      [undefined, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{}, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ dir: path.join(tmp, 'nope') }, 'ERR_HEAPWISE_IO'],
      [{ dir: good }, 'ERR_HEAPWISE_IO'],
      [{ dir: tmp, files: [good] }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ dir: tmp, intervalMs: 0 }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ dir: tmp, growth: { k: 5, n: 4 } }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ dir: tmp, maxGrowthBytes: -1 }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ dir: tmp, pid: 0 }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ files: 'a' }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
      [{ capture: { intervalMs: 'x' } }, 'ERR_HEAPWISE_INVALID_ARGUMENT'],
    ];
    for (const [opts, code] of cases) {
      assert.throws(
        () => watch(opts),
        (e) => e instanceof HeapwiseError && e.code === code,
        JSON.stringify(opts),
      );
    }
  });

  test('an error nobody listens to becomes a process warning, not a crash', async () => {
    // a process that exists when watch() checks it, and exits soon after
    const p = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)']);
    const w = watch({ pid: p.pid, intervalMs: 30 });
    const warnings = [];
    const onWarning = (wn) => warnings.push(wn);
    process.on('warning', onWarning);
    try {
      await new Promise((r) => p.on('exit', r));
      assert.ok(await waitFor(() => warnings.length > 0, 10_000));
      assert.strictEqual(warnings[0].code, 'ERR_HEAPWISE_PROCESS_EXITED');
      assert.ok(w.series().samples.length >= 1);
    } finally {
      process.removeListener('warning', onWarning);
      await w.close();
    }
  });

  test('markdown and text renderers escape and summarise a hand-made series', () => {
    const series = {
      schemaVersion: 1,
      source: { kind: 'dir', dir: '/x' },
      startedAt: 0,
      snapshots: [{ index: 0, file: '/x/a', time: 0, nodeCount: 1, edgeCount: 0, totalSize: 100, classes: [] }],
      samples: [],
      growth: [{ name: 'A|<b>', grewIn: 3, window: 4, countDelta: 5, sizeDelta: 50, counts: [], sizes: [], retainerPath: [] }],
      leaks: [{ name: 'A|<b>', reason: 'A|<b> gained 5 objects' }],
      skipped: [],
    };
    const md = renderMarkdown(series);
    assert.match(md, /\| A\\\|\\<b\\> \| 3 of 4 \|/);
    assert.match(md, /- A\\\|\\<b\\> gained 5 objects/);
    assert.match(renderText(series), /LEAK\n {2}A\|<b>: A\|<b> gained 5 objects/);
  });
});
