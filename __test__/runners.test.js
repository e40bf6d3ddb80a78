'use strict';
// heapwise/testing under the test runners people use, run for real: Jest and Vitest (Mocha has
// __test__/mocha, node:test __test__/testing.test.js). Each runs a leaking test (a listener per
// call on a module-level EventEmitter, the leak Jest used to hide) and a clean one; the leaking
// one must fail with the finding's holder and line in its message, and nothing runner-specific
// (no `[object Object]` from a field a runner reads as an assertion diff).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const DIR = path.join(__dirname, 'runners');
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * A temporary folder for one runner's run (its TMPDIR, so also where expectNoLeak puts its
 * snapshots), removed after the test.
 */
function runnerTmp(t, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `heapwise-${name}-`));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Checks one runner's results: `[{ title, status, message }]`; `tmp` is the runner's TMPDIR. */
function check(results, output, tmp) {
  const leak = results.find((r) => r.title === 'a listener per call leaks');
  const clean = results.find((r) => r.title === 'a clean function passes');
  assert.ok(leak && clean, `both tests ran: ${output.slice(-2000)}`);
  assert.strictEqual(clean.status, 'passed', clean.message);
  assert.strictEqual(leak.status, 'failed');
  assert.match(leak.message, /HeapLeakError/);
  assert.match(leak.message, /_events\.reload/, 'the holder: the listener list');
  assert.match(leak.message, /1 per call/);
  assert.match(leak.message, /leak-cases\.cjs:13:\d+/, 'the line that adds the listener');
  assert.doesNotMatch(output, /\[object Object\]/, 'no field of ours read as an assertion diff');
  // the failure keeps its snapshots and says where (this test removes them with `tmp`)
  const kept = leak.message.match(/the snapshots are kept in (\S+) /);
  assert.ok(kept && path.dirname(kept[1]) === tmp && fs.readdirSync(kept[1]).length === 4, `the snapshots' folder: ${leak.message}`);
}

test('Jest 30: the leaking test fails with the finding, the clean one passes', { timeout: 120_000 }, (t) => {
  const cache = runnerTmp(t, 'jest-cache');
  const tmp = runnerTmp(t, 'jest-tmp');
  const r = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--cacheDirectory',
      cache,
      '--rootDir',
      DIR,
      '--testMatch',
      '**/*.jest.cjs',
      '--runInBand',
      '--ci',
      '--json',
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 110_000, maxBuffer: 64 << 20, env: { ...process.env, TMPDIR: tmp } },
  );
  assert.strictEqual(r.status, 1, `jest exits 1 on the failing test: ${r.stderr.slice(-2000)}`);
  const json = JSON.parse(r.stdout);
  const results = json.testResults.flatMap((f) =>
    f.assertionResults.map((a) => ({ title: a.title, status: a.status, message: a.failureMessages.join('\n') })),
  );
  check(results, r.stdout + r.stderr, tmp);
});

test(
  'Vitest 4 (forks pool): the leaking test fails with the finding, the clean one passes',
  { timeout: 120_000, skip: NODE_MAJOR < 20 ? `Vitest 4 needs Node 20 or later (this is Node ${process.versions.node})` : false },
  (t) => {
    const cache = runnerTmp(t, 'vitest-cache');
    const tmp = runnerTmp(t, 'vitest-tmp');
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', DIR, '--config', 'vitest.config.mjs', '--reporter=json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 110_000,
        maxBuffer: 64 << 20,
        env: { ...process.env, NO_COLOR: '1', HEAPWISE_VITEST_CACHE: cache, TMPDIR: tmp },
      },
    );
    assert.strictEqual(r.status, 1, `vitest exits 1 on the failing test: ${r.stderr.slice(-2000)}`);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    const results = json.testResults.flatMap((f) =>
      f.assertionResults.map((a) => ({ title: a.title, status: a.status, message: (a.failureMessages || []).join('\n') })),
    );
    check(results, r.stdout + r.stderr, tmp);
    assert.ok(!fs.existsSync(path.join(DIR, 'node_modules')), 'no cache left beside the tests');
  },
);
