'use strict';
// Mutation fuzzing (issue 7, part 2). Seeds are small snapshots cut from a real one that a child
// Node process writes now (tools/corpus/make.mjs `shrink`); tools/corpus/fuzz-child.js mutates
// them for a bounded time and checks every input through the JS API: a HeapwiseError with a known
// code (never ERR_HEAPWISE_INTERNAL), or a result whose invariants hold. The child is watched from
// here, so a crash or a hang fails the test too. Every failing input is saved as
// __test__/fixtures/corpus/fuzz-<hash>.heapsnapshot, and every run first replays all the files of
// that folder.
//
//   HEAPWISE_FUZZ_SECONDS=600 node --test __test__/fuzz.test.js     fuzz longer (default 20 s)
//   HEAPWISE_FUZZ_SEED=1234 node --test __test__/fuzz.test.js       replay one run's sequence
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const readline = require('node:readline');
const { spawn } = require('node:child_process');

const CHILD = path.join(__dirname, '..', 'tools', 'corpus', 'fuzz-child.js');
const REGRESSIONS = path.join(__dirname, 'fixtures', 'corpus');
const SECONDS = Number(process.env.HEAPWISE_FUZZ_SECONDS || 20);
/** A single input never takes this long (they are a few KB); silence this long is a hang. */
const HANG_MS = 15_000;

/** Runs fuzz-child.js; calls `onLine` with each JSON line; resolves to {code, signal, hung}. */
function runChild(args, onLine) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    let hung = false;
    let timer;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, HANG_MS);
    };
    arm();
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      arm();
      onLine(JSON.parse(line));
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, hung, stderr });
    });
  });
}

/** Copies a failing input into the regression folder; returns its new path. */
function keep(file, prefix) {
  const data = fs.readFileSync(file);
  const hash = crypto.createHash('sha1').update(data).digest('hex').slice(0, 12);
  fs.mkdirSync(REGRESSIONS, { recursive: true });
  const dest = path.join(REGRESSIONS, `${prefix}-${hash}.heapsnapshot`);
  fs.writeFileSync(dest, data);
  return dest;
}

test('fuzz regressions: every saved input gives a typed error or a sound result', async (t) => {
  const files = fs
    .readdirSync(REGRESSIONS)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .sort()
    .map((f) => path.join(REGRESSIONS, f));
  assert.ok(files.length > 0, `no regression inputs in ${REGRESSIONS}`);
  const results = [];
  const run = await runChild(['replay', ...files], (r) => results.push(r));
  assert.equal(run.hung, false, `replay hung after ${results.length} files (next: ${files[results.length]})`);
  assert.equal(run.code, 0, `replay crashed (${run.signal || run.code}) on ${files[results.length]}\n${run.stderr}`);
  assert.equal(results.length, files.length);
  for (const r of results) assert.equal(r.problem, null, `${path.basename(r.file)}: ${r.problem}`);
  const kinds = results.reduce((m, r) => ((m[r.kind] = (m[r.kind] || 0) + 1), m), {});
  t.diagnostic(`${files.length} regression inputs: ${JSON.stringify(kinds)}`);
});

test(
  `fuzz: ${SECONDS} s of mutations of small real snapshots; no panic, no hang, invariants hold`,
  { timeout: (SECONDS + 120) * 1000 },
  async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-fuzz-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const { realSnapshot, shrink, serialize } = await import('../tools/corpus/make.mjs');
    const real = JSON.parse(fs.readFileSync(realSnapshot(path.join(dir, 'real.heapsnapshot')), 'utf8'));
    const seeds = path.join(dir, 'seeds');
    const work = path.join(dir, 'work');
    fs.mkdirSync(seeds);
    fs.mkdirSync(work);
    for (const n of [12, 40, 120]) fs.writeFileSync(path.join(seeds, `seed-${n}.heapsnapshot`), serialize(shrink(real, n)).text, 'latin1');

    const seed = Number(process.env.HEAPWISE_FUZZ_SEED || crypto.randomInt(2 ** 31));
    t.diagnostic(`fuzz seed ${seed} (HEAPWISE_FUZZ_SEED=${seed} repeats this run's sequence)`);
    const findings = [];
    let done = null;
    const run = await runChild(['fuzz', seeds, work, String(SECONDS), String(seed)], (m) => {
      if (m.finding) findings.push({ file: keep(m.file, 'fuzz'), problem: m.problem });
      if (m.done) done = m;
    });
    if (run.hung || run.code !== 0) {
      const file = keep(path.join(work, 'input.heapsnapshot'), run.hung ? 'fuzz-hang' : 'fuzz-crash');
      assert.fail(
        `${run.hung ? `no progress for ${HANG_MS} ms (a hang)` : `the fuzzing process died (${run.signal || run.code})`} on an input saved as ${file}\n${run.stderr}`,
      );
    }
    assert.ok(done, 'the fuzzer did not report its totals');
    t.diagnostic(`${done.execs} executions: ${done.errors} typed errors, ${done.results} accepted inputs, ${done.findings} failing`);
    assert.ok(done.execs > 0 && done.results > 0 && done.errors > 0, `the mutations reach both outcomes: ${JSON.stringify(done)}`);
    assert.deepEqual(findings, [], 'failing inputs (saved as regression cases)');
  },
);
