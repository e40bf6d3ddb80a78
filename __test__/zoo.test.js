// The leak zoo (issue 12): its manifest against the programs, and a smoke run of every program.
//
// Checks only what is true without any leak analysis: the manifest names real files and real
// lines (so it cannot drift silently when a program is edited), every program runs in a child
// process, writes valid heap snapshots and exits on its own, and series.js kills a child that
// hangs. What heapwise finds in these snapshots is tested elsewhere.
'use strict';
const { describe, it, test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { programs, byName, dir: PROGRAMS } = require('./zoo/manifest.js');
const { writeSeries } = require('./zoo/series.js');

const SERIES = path.join(__dirname, 'zoo', 'series.js');

function lines(file) {
  return fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
}

/** Parses a snapshot and checks the header and the node table's shape. */
function assertHeapSnapshot(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.ok(json.snapshot && json.snapshot.meta, `${file}: no snapshot.meta`);
  const fields = json.snapshot.meta.node_fields;
  assert.ok(Array.isArray(fields) && fields.length > 0, `${file}: no node_fields`);
  assert.ok(Array.isArray(json.nodes) && json.nodes.length > 0, `${file}: no nodes`);
  assert.strictEqual(json.nodes.length % fields.length, 0, `${file}: nodes not a whole number of rows`);
  assert.strictEqual(json.nodes.length / fields.length, json.snapshot.node_count, `${file}: node_count`);
  assert.ok(Array.isArray(json.strings) && json.strings.length > 0, `${file}: no strings`);
}

describe('zoo manifest', () => {
  it('lists every program once, 14 leaks and 3 controls at least', () => {
    const files = fs
      .readdirSync(PROGRAMS)
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(0, -3))
      .sort();
    assert.deepStrictEqual(programs.map((p) => p.name).sort(), files);
    assert.strictEqual(byName.size, programs.length, 'names are unique');
    assert.ok(programs.filter((p) => p.leaks).length >= 14);
    assert.ok(programs.filter((p) => !p.leaks).length >= 3);
  });

  for (const p of programs) {
    it(`${p.name}: file, fields and holder lines agree with the program`, () => {
      assert.ok(fs.existsSync(p.file), `${p.file} exists`);
      assert.strictEqual(p.file, path.join(PROGRAMS, `${p.name}.js`));
      const text = lines(p.file);
      assert.strictEqual(text[0], "'use strict';", `${p.name} is strict CommonJS`);
      assert.ok(text.length >= 10 && text.length <= 40, `${p.name}: ${text.length} lines, expected 10 to 40`);
      assert.match(text.join('\n'), /\bstep\b/, `${p.name} exports step()`);
      assert.strictEqual(typeof p.leaks, 'boolean');
      assert.ok(p.perCall === null || (Number.isInteger(p.perCall) && p.perCall >= 0), `perCall ${p.perCall}`);
      if (p.leaks) {
        assert.ok(p.holder instanceof RegExp, `${p.name}: a leak names its holder`);
        assert.ok(p.holderLines.length > 0, `${p.name}: a leak has holder lines`);
        assert.ok(p.perCall === null || p.perCall > 0, `${p.name}: a leak adds members`);
      } else {
        assert.strictEqual(p.perCall, 0, `${p.name}: a control adds nothing per call`);
      }
      assert.ok(p.holder === null || p.holder instanceof RegExp);
      if (p.holderName !== null) assert.match(p.holderName, p.holder, `${p.name}: holderName matches holder`);
      for (const n of p.holderLines) {
        assert.ok(Number.isInteger(n) && n >= 1 && n <= text.length, `${p.name}: line ${n} of ${text.length}`);
        const line = text[n - 1];
        assert.ok(
          (p.holder && p.holder.test(line)) || (p.holderName && line.includes(p.holderName)),
          `${p.name}:${n} does not mention the holder (${p.holder}): ${line}`,
        );
      }
      assert.deepStrictEqual(
        [...p.holderLines].sort((a, b) => a - b),
        p.holderLines,
        'holderLines ascending',
      );
    });
  }
});

// Two snapshots per program, three children at a time (about 1 s each on 2 cores).
describe('zoo series (smoke)', { concurrency: 3 }, () => {
  for (const p of programs) {
    it(`${p.name}: runs in a child, writes 2 valid snapshots and exits`, async (t) => {
      const series = await writeSeries(p.name, { snapshots: 2, warmup: 5, callsPerStep: 30, timeoutMs: 45_000 });
      t.after(() => series.cleanup());
      assert.strictEqual(series.callsPerStep, 30);
      assert.deepStrictEqual(
        series.files,
        [0, 1].map((i) => path.join(series.dir, `${i}.heapsnapshot`)),
      );
      assert.ok(path.basename(series.dir).startsWith('heapwise-zoo-'));
      assert.deepStrictEqual(fs.readdirSync(series.dir).sort(), ['0.heapsnapshot', '1.heapsnapshot']);
      for (const f of series.files) assertHeapSnapshot(f);
      series.cleanup();
      assert.ok(!fs.existsSync(series.dir), 'cleanup() removes the folder');
    });
  }
});

test('series.js kills a child that does not exit and rejects with its stderr; no files are left', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-zoo-test-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const hanging = path.join(tmp, 'hanging.js');
  fs.writeFileSync(
    hanging,
    "'use strict';\nlet timer;\nmodule.exports = {\n  setup() { timer = setInterval(() => {}, 1000); process.stderr.write('left a timer running\\n'); },\n  step() {},\n};\n",
  );
  const out = path.join(tmp, 'out');
  const started = Date.now();
  await assert.rejects(writeSeries(hanging, { snapshots: 1, warmup: 1, dir: out, timeoutMs: 3000 }), (error) => {
    assert.match(error.message, /still running after 3000 ms/);
    assert.match(error.message, /left a timer running/);
    return true;
  });
  assert.ok(Date.now() - started < 20_000);

  const throwing = path.join(tmp, 'throwing.js');
  fs.writeFileSync(throwing, "'use strict';\nmodule.exports = { step() { throw new Error('boom in step'); } };\n");
  // The folder writeSeries made for itself is removed when the child fails.
  const made = [];
  const mkdtempSync = fs.mkdtempSync;
  fs.mkdtempSync = (...args) => {
    made.push(mkdtempSync(...args));
    return made[made.length - 1];
  };
  try {
    await assert.rejects(writeSeries(throwing, { snapshots: 1, warmup: 1 }), /exited with code 1[\s\S]*boom in step/);
  } finally {
    fs.mkdtempSync = mkdtempSync;
  }
  assert.strictEqual(made.length, 1);
  assert.ok(!fs.existsSync(made[0]), `${made[0]} removed`);
});

test('series.js CLI: NAME OUTDIR --snapshots --calls prints the files it wrote', (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-zoo-test-'));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const out = path.join(tmp, 'series');
  const stdout = execFileSync(process.execPath, [SERIES, 'control-lazy-init', out, '--snapshots', '2', '--calls', '5', '--warmup', '2'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const files = stdout.trim().split('\n');
  assert.deepStrictEqual(
    files,
    [0, 1].map((i) => path.join(out, `${i}.heapsnapshot`)),
  );
  for (const f of files) assertHeapSnapshot(f);
  const usage = (() => {
    try {
      execFileSync(process.execPath, [SERIES, 'control-lazy-init'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      return error;
    }
  })();
  assert.strictEqual(usage.status, 2);
  assert.match(usage.stderr, /usage: node __test__\/zoo\/series\.js NAME OUTDIR/);
});
