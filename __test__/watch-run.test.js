// `heapwise watch -- CMD ARGS…` (issue 16, parts 6, 4 and 3): real Node programs run under watch
// at test time. A Buffer leak is judged as ArrayBuffers/RSS growth with a flat JS heap and the
// holder named (exit 1); a steady program is not (exit 0); --trace-gc lines are taken out of the
// program's stdout (its own output unchanged) and read as a GC floor; SIGUSR2 sent to heapwise
// asks for a snapshot; a non-Node process of the tree is never sent the snapshot signal and
// survives, and the snapshot signal does not kill a Node process that does not catch it; SIGINT
// to heapwise reaches the program and the report still follows; the temporary folder is
// removed. The layer rule on hand-made series; a GC log tailed while it is written.
'use strict';
const { describe, test, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { watch } = require('heapwise');
const { judgeLayer, layerVerdict } = require('../lib/watch/layers.js');
const { runNodeOptions, snapshotSignalFor, SNAPSHOT_SIGNAL } = require('../lib/watch/run.js');
const { catchesSignal } = require('../lib/watch/process-memory.js');
const { renderText, renderMarkdown } = require('../lib/cli/watch.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const LINUX = process.platform === 'linux';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-watch-run-test-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes a program into the test folder; returns its path. */
function program(name, text) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A module-scope array that holds a 256 kB Buffer more every 5 ms, for `ms`. */
const BUFFER_LEAK = (ms) => `
const held = [];
const t = setInterval(() => held.push(Buffer.alloc(256 * 1024)), 5);
setTimeout(() => clearInterval(t), ${ms});
`;
/** Busy but flat: Buffers and objects made and dropped (a ring of 32 slots, overwritten). */
const STEADY = (ms) => `
const make = () => ({ buffer: Buffer.alloc(64 * 1024), at: Date.now(), text: 'x'.repeat(100) });
const ring = Array.from({ length: 32 }, make);
let i = 0;
const t = setInterval(() => (ring[i++ % 32] = make()), 5);
setTimeout(() => clearInterval(t), ${ms});
`;

/** Runs the CLI; resolves to { status, signal, stdout, stderr }. `onStderr(text, child)` sees stderr as it comes. */
function cli(args, { onStderr, env } = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => {
      stderr += d;
      if (onStderr) onStderr(stderr, p);
    });
    p.on('exit', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('heapwise watch -- CMD', { skip: !LINUX && 'the process tree is read from /proc' }, () => {
  test('the snapshot signal is sent only to a process that catches it (one exiting has torn its handler down)', async () => {
    const started = (code) =>
      new Promise((resolve) => {
        const p = spawn(process.execPath, ['-e', `${code}; console.log('ready'); setTimeout(() => {}, 30000)`], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        p.stdout.once('data', () => resolve(p));
      });
    const plain = await started('');
    const catching = await started("process.on('SIGUSR2', () => {})");
    try {
      assert.strictEqual(await catchesSignal(plain.pid, 'SIGUSR2'), false);
      assert.strictEqual(await catchesSignal(catching.pid, 'SIGUSR2'), true);
      assert.strictEqual(await catchesSignal(catching.pid, 'SIGHUP'), false);
    } finally {
      plain.kill();
      catching.kill();
    }
    assert.strictEqual(await catchesSignal(2 ** 22 + 7, 'SIGUSR2'), false, 'no such process');
  });

  test('the snapshot signal does not kill a Node process that does not catch it', async () => {
    // What a program that reaches its end between heapwise's check and the signal is: the
    // signal's default action must be to ignore it.
    const p = spawn(process.execPath, ['-e', "console.log('ready'); setTimeout(() => console.log('done'), 600)"], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    const exited = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise((resolve) => p.stdout.once('data', resolve));
    assert.strictEqual(await catchesSignal(p.pid, SNAPSHOT_SIGNAL), false);
    process.kill(p.pid, SNAPSHOT_SIGNAL);
    assert.deepStrictEqual(await exited, { code: 0, signal: null });
    assert.strictEqual(out, 'ready\ndone\n');
  });

  test(
    'a Buffer leak: ArrayBuffers and RSS grow, the JS heap is flat, the holder is named; exit 1; the temporary folder is removed',
    { timeout: 60_000 },
    async () => {
      const prog = program('buffer-leak.js', BUFFER_LEAK(3000));
      const out = path.join(tmp, 'leak.json');
      const r = await cli(['watch', '--snapshot-every', '500ms', '--interval', '100ms', '--json', '-o', out, '--', process.execPath, prog]);
      assert.strictEqual(r.status, 1, r.stderr);
      const s = readJson(out);
      assert.strictEqual(s.source.kind, 'command');
      assert.strictEqual(s.run.exitCode, 0, JSON.stringify(s.run));
      assert.deepStrictEqual(
        s.run.nodeProcesses.map((p) => p.pid),
        [s.run.pid],
      );
      assert.ok(s.snapshots.length >= 3, `${s.snapshots.length} snapshots`);
      assert.ok(
        s.snapshots.every((x) => x.pid === s.run.pid && x.statistics && x.external),
        'snapshots of the program, with their Statistics and memory outside the JS heap',
      );
      const lastExternal = s.snapshots[s.snapshots.length - 1].external;
      assert.strictEqual(lastExternal.holders[0].kind, 'arrayBuffers');
      assert.strictEqual(lastExternal.holders[0].holder.className, 'Array', JSON.stringify(lastExternal.holders[0]));
      assert.ok(lastExternal.bytes.arrayBuffers >= s.snapshots[0].external.bytes.arrayBuffers + 256 * 1024);
      const layer = (k) => s.layers.layers.find((l) => l.layer === k);
      assert.strictEqual(layer('arrayBuffers').verdict, 'grows', JSON.stringify(layer('arrayBuffers')));
      assert.strictEqual(layer('rss').verdict, 'grows', JSON.stringify(layer('rss')));
      assert.notStrictEqual(layer('jsHeap').verdict, 'grows', JSON.stringify(layer('jsHeap')));
      assert.ok(Math.abs(layer('jsHeap').change) < 8e6, `JS heap change ${layer('jsHeap').change}`);
      assert.strictEqual(s.layers.kind, 'array-buffers', s.layers.message);
      assert.strictEqual(s.layers.holder.name, 'held');
      assert.strictEqual(s.layers.holder.made, 'arrayBuffers');
      assert.match(
        s.layers.message,
        /ArrayBuffers \+[\d.]+ MB.*RSS \+[\d.]+ MB.*: the growth is in Buffers and ArrayBuffers .*held by held \(Array/,
      );
      assert.ok(
        s.leaks.some((l) => l.kind === 'finding' && l.name === 'held'),
        JSON.stringify(s.leaks.map((l) => l.name)),
      );
      assert.strictEqual(fs.existsSync(s.source.dir), false, `${s.source.dir} removed`);
      // the same series in the text and Markdown reports
      assert.match(renderText(s), /Verdict across layers: .*held by held/);
      assert.match(renderMarkdown(s), /\*\*Verdict across layers\*\*: .*held by held/);
    },
  );

  test('a steady program: no layer grows, nothing is flagged; exit 0', { timeout: 60_000 }, async () => {
    const prog = program('steady.js', STEADY(2500));
    const out = path.join(tmp, 'steady.json');
    const r = await cli(['watch', '--snapshot-every', '400ms', '--interval', '100ms', '--json', '-o', out, '--', process.execPath, prog]);
    assert.strictEqual(r.status, 0, r.stderr);
    const s = readJson(out);
    assert.ok(s.snapshots.length >= 3, `${s.snapshots.length} snapshots`);
    assert.deepStrictEqual(s.leaks, []);
    for (const k of ['jsHeap', 'arrayBuffers']) {
      const l = s.layers.layers.find((x) => x.layer === k);
      assert.notStrictEqual(l.verdict, 'grows', JSON.stringify(l));
    }
    assert.ok(['none', 'native'].includes(s.layers.kind), s.layers.message);
  });

  test(
    "--trace-gc: the GC lines are read as a floor and kept out of the program's output, which is unchanged",
    { timeout: 60_000 },
    async () => {
      const prog = program(
        'gc-output.js',
        `
require('node:v8').setFlagsFromString('--expose-gc');
const gc = require('node:vm').runInNewContext('gc');
const keep = [];
for (let i = 0; i < 6; i++) {
  keep.push(new Array(20000).fill(i));
  process.stdout.write('line ' + i + '\\n');
  gc();
}
process.stdout.write('no newline at the end');
`,
      );
      const kept = path.join(tmp, 'kept-gc');
      const out = path.join(tmp, 'gc.json');
      const r = await cli([
        'watch',
        '--trace-gc',
        '--keep-snapshots',
        kept,
        '--interval',
        '100ms',
        '--json',
        '-o',
        out,
        '--',
        process.execPath,
        prog,
      ]);
      assert.strictEqual(r.status, 0, r.stderr);
      const expected = [0, 1, 2, 3, 4, 5].map((i) => `line ${i}\n`).join('') + 'no newline at the end';
      assert.strictEqual(r.stdout, expected);
      const s = readJson(out);
      assert.ok(s.gc && s.gc.groups.length === 1, JSON.stringify(s.gc && s.gc.groups.length));
      assert.ok(s.gc.groups[0].floor.length >= 6, `${s.gc.groups[0].floor.length} full GCs`);
      assert.strictEqual(s.gc.groups[0].pid, s.run.pid);
      assert.ok(['rising', 'flat'].includes(s.gc.verdict.kind));
      // the lines themselves are kept with the snapshots
      const log = fs.readFileSync(path.join(kept, 'trace-gc.log'), 'utf8');
      assert.match(log, /^\[\d+:0x[0-9a-f]+\] +[\d.]+ ms: (Scavenge|Mark-Compact)/m);
      assert.doesNotMatch(log, /line \d/);
      assert.ok(fs.existsSync(kept), 'a folder given is kept');
    },
  );

  test('SIGUSR2 sent to heapwise asks the program for a snapshot', { timeout: 60_000 }, async () => {
    const prog = program('idle.js', `setTimeout(() => {}, 2500); const keep = [Buffer.alloc(1e6)];`);
    const out = path.join(tmp, 'signal.json');
    let sent = 0;
    const r = await cli(['watch', '--interval', '100ms', '--json', '-o', out, '--', process.execPath, prog], {
      onStderr: (text, p) => {
        // the program announces itself through the preload: ask once it was sampled
        if (sent === 0 && /memory: .*heap/.test(text)) {
          sent++;
          p.kill('SIGUSR2');
        }
      },
    });
    assert.strictEqual(sent, 1, r.stderr);
    assert.match(r.stderr, /snapshot asked of pid \d+/);
    const s = readJson(out);
    assert.strictEqual(s.snapshots.length, 1, r.stderr);
    assert.strictEqual(s.snapshots[0].pid, s.run.pid);
    assert.strictEqual(r.status, 0);
  });

  test('a process of the tree that is not Node is never sent the snapshot signal and survives', { timeout: 60_000 }, async () => {
    const prog = program('child-of-sh.js', `setTimeout(() => {}, 1500);`);
    const out = path.join(tmp, 'sh.json');
    // sh starts a Node grandchild (NODE_OPTIONS inherited), waits, then prints: if sh were sent
    // the snapshot signal, its trap would print first
    const script = `trap "echo got the signal" ${SNAPSHOT_SIGNAL.slice(3)}; "${process.execPath}" "${prog}" & sleep 1.5; echo sh survived; wait`;
    const r = await cli(['watch', '--snapshot-every', '200ms', '--interval', '100ms', '--json', '-o', out, '--', 'sh', '-c', script]);
    assert.strictEqual(r.stdout, 'sh survived\n', r.stderr);
    const s = readJson(out);
    assert.strictEqual(s.run.exitCode, 0, JSON.stringify(s.run));
    assert.strictEqual(s.run.signal, null);
    const nodes = s.run.nodeProcesses.map((p) => p.pid);
    assert.strictEqual(nodes.length, 1, 'only the Node grandchild announced itself');
    assert.notStrictEqual(nodes[0], s.run.pid, 'sh is not one of them');
    assert.ok(s.snapshots.length >= 1, 'the Node grandchild was snapshotted');
    assert.ok(s.snapshots.every((x) => x.pid === nodes[0]));
    // and a program that is not Node at all
    const only = await cli([
      'watch',
      '--snapshot-every',
      '100ms',
      '--interval',
      '100ms',
      '--json',
      '-o',
      out,
      '--',
      'sh',
      '-c',
      'sleep 1; echo alive',
    ]);
    assert.strictEqual(only.stdout, 'alive\n', only.stderr);
    assert.strictEqual(readJson(out).run.exitCode, 0);
    assert.match(only.stderr, /no Node process to snapshot/);
    assert.strictEqual(only.status, 0);
  });

  test('Ctrl-C (SIGINT to heapwise) reaches the program; the report still follows', { timeout: 60_000 }, async () => {
    const prog = program('forever.js', `const keep = []; setInterval(() => keep.push(Buffer.alloc(128 * 1024)), 10);`);
    let sent = false;
    const r = await cli(['watch', '--snapshot-every', '300ms', '--interval', '100ms', '--', process.execPath, prog], {
      onStderr: (text, p) => {
        if (!sent && /^snapshot 1 /m.test(text)) {
          sent = true;
          p.kill('SIGINT');
        }
      },
    });
    assert.ok(sent, r.stderr);
    assert.match(r.stdout, /^heapwise watch: .*forever\.js/m);
    assert.match(r.stdout, /exited with signal SIGINT/);
    assert.match(r.stdout, /Verdict across layers: /);
    assert.ok([0, 1].includes(r.status), `exit ${r.status}: ${r.stderr}`);
    const dir = /snapshots in (\S+)/.exec(r.stderr)[1];
    assert.strictEqual(fs.existsSync(dir), false, `${dir} removed`);
  });

  test('a program that cannot be started: exit 2; usage errors: exit 2', { timeout: 30_000 }, async () => {
    const r = await cli(['watch', '--', path.join(tmp, 'no-such-program')]);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /cannot start .*no-such-program/);
    assert.strictEqual((await cli(['watch', 'somedir', '--', 'node'])).status, 2);
    assert.strictEqual((await cli(['watch', '--snapshot-every', '1s', 'somedir'])).status, 2);
    assert.strictEqual((await cli(['watch', '--pid', '1', '--', 'node'])).status, 2);
  });

  test("NODE_OPTIONS: the caller's own options are kept first; paths with spaces are quoted", () => {
    const o = runNodeOptions('--max-old-space-size=100', '/tmp/a b');
    assert.match(
      o,
      /^--max-old-space-size=100 --heapsnapshot-signal=SIGURG --diagnostic-dir="\/tmp\/a b" --heapsnapshot-near-heap-limit=1 --require=/,
    );
  });

  test("the snapshot signal: SIGURG, or the caller's own --heapsnapshot-signal, which is kept", () => {
    assert.strictEqual(snapshotSignalFor(undefined), 'SIGURG');
    assert.strictEqual(snapshotSignalFor('--max-old-space-size=100'), 'SIGURG');
    assert.strictEqual(snapshotSignalFor('--heapsnapshot-signal=SIGUSR2 --max-old-space-size=100'), 'SIGUSR2');
    // Node takes the last of them, with '=' or a space, quoted or not
    assert.strictEqual(snapshotSignalFor('--heapsnapshot-signal=SIGUSR2 --heapsnapshot-signal "SIGUSR1"'), 'SIGUSR1');
    assert.strictEqual(snapshotSignalFor('--heapsnapshot-signals=SIGUSR2'), 'SIGURG', 'another option');
    const o = runNodeOptions('--heapsnapshot-signal=SIGUSR2', '/tmp/d');
    assert.deepStrictEqual(o.match(/--heapsnapshot-signal=\S+/g), ['--heapsnapshot-signal=SIGUSR2', '--heapsnapshot-signal=SIGUSR2']);
  });

  test('watch({ command }) from the API: snapshot() on demand, the program and its series', { timeout: 60_000 }, async () => {
    const prog = program('api.js', BUFFER_LEAK(1500));
    const w = watch({ command: [process.execPath, prog], intervalMs: 100 });
    const types = [];
    for (const t of ['start', 'signal', 'exit', 'snapshot']) w.on(t, () => types.push(t));
    await new Promise((resolve) => w.once('start', resolve));
    const dir = w.dir;
    assert.ok(fs.existsSync(dir));
    // once the preload announced the program, snapshot() signals it
    let pids = [];
    for (let i = 0; i < 50 && !pids.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pids = await w.snapshot();
    }
    assert.deepStrictEqual(pids, [w.pid]);
    await new Promise((resolve) => w.once('close', resolve));
    const s = w.series();
    assert.ok(types.includes('exit') && types.includes('snapshot'), types.join(' '));
    assert.strictEqual(s.run.exitCode, 0, JSON.stringify(s.run));
    assert.ok(
      s.samples.some((x) => x.arrayBuffers > 1e6),
      'the preload samples the program',
    );
    assert.strictEqual(fs.existsSync(dir), false);
  });
});

describe('the layer rule', () => {
  const t0 = 1_000_000;
  // each value sampled 4 times (a stretch: its lowest is a level)
  const pts = (values, every = 100) => values.flatMap((v) => [v, v, v, v]).map((v, i) => [t0 + i * every, v]);
  const MB = 1024 * 1024;
  test('a steady rise grows; noise around a level, a warm-up that stays, and too few points do not', () => {
    assert.strictEqual(judgeLayer('rss', pts([50, 60, 70, 80, 90, 100, 110, 120].map((m) => m * MB)), 'samples').verdict, 'grows');
    assert.strictEqual(judgeLayer('rss', pts([50, 53, 49, 52, 50, 51, 49, 52].map((m) => m * MB)), 'samples').verdict, 'flat');
    assert.strictEqual(judgeLayer('rss', pts([20, 60, 80, 80, 80, 80, 80, 80].map((m) => m * MB)), 'samples').verdict, 'flat', 'warm-up');
    assert.strictEqual(judgeLayer('rss', pts([50, 90].map((m) => m * MB)), 'samples').verdict, 'insufficient');
    // RSS needs 8 MiB of fitted rise; the JS heap 1 MiB
    const small = [10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5].map((m) => m * MB);
    assert.strictEqual(judgeLayer('rss', pts(small), 'samples').verdict, 'flat');
    assert.strictEqual(judgeLayer('jsHeap', pts(small), 'samples').verdict, 'grows');
  });
  test('the low envelope: spikes (a snapshot being written) do not make growth', () => {
    const v = [];
    for (let i = 0; i < 64; i++) v.push((i % 8 === 4 ? 150 : 50) * MB + (i % 3) * 1000);
    const l = judgeLayer('rss', pts(v), 'samples');
    assert.strictEqual(l.verdict, 'flat', JSON.stringify(l));
  });
  const series = ({ rss, heapUsed, arrayBuffers, leak = false, made = 'jsHeap' }) => ({
    snapshots: [
      { index: 0, time: t0, pid: 1, statistics: { typedArrays: 0, v8Heap: 5e6 } },
      { index: 1, time: t0 + 700, pid: 1, statistics: { typedArrays: made === 'arrayBuffers' ? 60e6 : 0, v8Heap: 5e6 } },
    ],
    samples: rss
      .flatMap((r, i) => [r, r, r, r].map(() => i))
      .map((i, j) => ({
        time: t0 + j * 100,
        rss: rss[i] * MB,
        pss: null,
        processes: 1,
        heapUsed: heapUsed[i] * MB,
        heapTotal: null,
        external: arrayBuffers[i] * MB + MB,
        arrayBuffers: arrayBuffers[i] * MB,
      })),
    growth: leak ? [{ name: 'cache', description: 'cache (Map)', pathText: 'cache', leak: true, sizeDelta: 50e6, snapshots: [0, 1] }] : [],
    gc: null,
  });
  const up = [50, 60, 70, 80, 90, 100, 110, 120];
  const flat = [5, 5, 5, 5, 5, 5, 5, 5];
  test('ArrayBuffers grow with RSS, the JS heap flat: Buffers, held by the finding whose growth they are', () => {
    const v = layerVerdict(
      /** @type {any} */ (series({ rss: up, heapUsed: flat, arrayBuffers: up.map((x) => x - 45), leak: true, made: 'arrayBuffers' })),
    );
    assert.strictEqual(v.kind, 'array-buffers');
    assert.strictEqual(v.holder.name, 'cache');
    assert.match(
      v.message,
      /^JS heap flat \(0 B\), ArrayBuffers \+73\.4 MB, .*RSS \+73\.4 MB: the growth is in Buffers and ArrayBuffers .* held by cache \(Map\)$/,
    );
  });
  test('ArrayBuffers grow and no finding holds them: the externalMemory() holder that grew most since the first snapshot', () => {
    const s = series({ rss: up, heapUsed: flat, arrayBuffers: up.map((x) => x - 45) });
    const holder = (id, name, bytes, kind = 'arrayBuffers') => ({
      kind,
      holder: { id, name, className: 'Map' },
      pathText: `global.${name}`,
      count: 1,
      bytes,
    });
    // `pool` is the largest in both snapshots but steady; `uploads` grew from nothing; the
    // external string grew more but is not an ArrayBuffer
    s.snapshots[0].external = { bytes: {}, holders: [holder(7, 'pool', 40e6)] };
    s.snapshots[1].external = {
      bytes: {},
      holders: [holder(7, 'pool', 40e6), holder(9, 'uploads', 30e6), holder(11, 'texts', 90e6, 'externalStrings')],
    };
    const v = layerVerdict(/** @type {any} */ (s));
    assert.strictEqual(v.kind, 'array-buffers');
    assert.strictEqual(v.holder.source, 'externalMemory');
    assert.strictEqual(v.holder.name, 'uploads');
    assert.strictEqual(v.holder.sizeDelta, 30e6);
    assert.match(v.message, /held by Map @9, at global\.uploads$/);
  });
  test('only RSS grows: outside what V8 and Node count; never while a finding says the JS heap leaks', () => {
    assert.strictEqual(layerVerdict(/** @type {any} */ (series({ rss: up, heapUsed: flat, arrayBuffers: flat }))).kind, 'native');
    const v = layerVerdict(/** @type {any} */ (series({ rss: up, heapUsed: flat, arrayBuffers: flat, leak: true })));
    assert.strictEqual(v.kind, 'js-heap');
    assert.doesNotMatch(v.message, /outside/);
    assert.strictEqual(v.holder.made, 'jsHeap');
  });
  test('the JS heap grows: the growth is in the JS heap', () => {
    const v = layerVerdict(/** @type {any} */ (series({ rss: up, heapUsed: up.map((x) => x - 40), arrayBuffers: flat })));
    assert.strictEqual(v.kind, 'js-heap');
    assert.match(v.message, /^JS heap \+73\.4 MB, ArrayBuffers flat \(0 B\), .*: the growth is in the JS heap$/);
  });
});

describe('--gc-log: a GC log tailed while it is written', () => {
  test('the floor and its verdict follow the lines appended; a rising floor is flagged as a leak', { timeout: 30_000 }, async () => {
    const log = path.join(tmp, 'tailed-gc.log');
    const line = (ms, after) =>
      `[77:0x1a2b3c]     ${ms} ms: Mark-Compact ${(after + 2).toFixed(1)} (20.0) -> ${after.toFixed(1)} (20.0) MB, pooled: 0 MB, 3.00 / 0.00 ms  (average mu = 0.9, current mu = 0.9) allocation failure; GC in old space requested\n`;
    fs.writeFileSync(log, 'app started\n' + line(100, 10));
    const w = watch({ gcLog: log, intervalMs: 50 });
    const until = async (cond) => {
      for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
      return cond();
    };
    assert.ok(await until(() => w.series().gc !== null));
    assert.strictEqual(w.series().gc.verdict.kind, 'insufficient');
    // written in pieces, a line split across two writes
    const more = [200, 300, 400, 500, 600].map((ms, i) => line(ms, 12 + 2 * i)).join('');
    fs.appendFileSync(log, more.slice(0, 150));
    await new Promise((r) => setTimeout(r, 120));
    fs.appendFileSync(log, more.slice(150));
    assert.ok(await until(() => w.series().gc.groups[0].floor.length === 6), JSON.stringify(w.series().gc));
    // the leak is flagged on watch's next tick after the floor is read, not at once
    assert.ok(await until(() => w.series().leaks.some((l) => l.kind === 'gcFloor')), JSON.stringify(w.series().leaks));
    const s = w.series();
    assert.strictEqual(s.gc.verdict.kind, 'rising');
    assert.strictEqual(s.gc.file, log);
    assert.match(renderText(s), /GC floor: rising: the heap after each full GC rises steadily over 6 full GCs/);
    await w.close();
  });
});
