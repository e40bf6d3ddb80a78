'use strict';
// Malformed-input corpus (issue 7, part 1). tools/corpus/make.mjs writes a real snapshot from a
// child Node process and derives every case from it, each declared with its expectation: a
// HeapwiseError with a given `code` and a `byteOffset` near the fault, or a result with given
// `warnings`. Each case runs in a child process (tools/corpus/run-one.js) with a time bound, so a
// crash or a hang fails that case instead of the run.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const RUN_ONE = path.join(ROOT, 'tools', 'corpus', 'run-one.js');
/** Per case; generous, because CI machines are shared. A healthy case takes well under 1 s. */
const CASE_TIMEOUT_MS = 10_000;

/** Runs run-one.js on `file`; resolves to its JSON line, or rejects on a crash or a hang. */
function runOne(file, extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_ONE, file, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no answer within ${CASE_TIMEOUT_MS} ms (a hang)`));
    }, CASE_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`the child exited with ${signal || code} (a crash)\n${err}`));
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`not one JSON line: ${out}\n${err}`));
      }
    });
  });
}

/**
 * Appends `source` to `file` from a child process: 64 KB at once, then 4 KB every 10 ms (about
 * 10 s for the 4 MB snapshot, so heapwise always opens it unfinished); resolves once the first
 * part is written.
 */
function startWriter(source, file) {
  const script = `
    const fs = require('fs');
    const [src, dst] = process.argv.slice(1);
    const data = fs.readFileSync(src);
    const fd = fs.openSync(dst, 'w');
    let at = 64 * 1024;
    fs.writeSync(fd, data, 0, at);
    process.stdout.write('ready\\n');
    const timer = setInterval(() => {
      const n = Math.min(4096, data.length - at);
      if (n <= 0) { clearInterval(timer); fs.closeSync(fd); return; }
      fs.writeSync(fd, data, at, n);
      at += n;
    }, 10);`;
  const child = spawn(process.execPath, ['-e', script, source, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
  });
}

function check(c, r) {
  const e = c.expect;
  const what = `${c.name} (${c.why}): got ${JSON.stringify(r)}`;
  if (e.ok) {
    assert.equal(r.ok, true, what);
    if (e.warnings.length === 0) assert.deepEqual(r.warnings, [], what);
    for (const re of e.warnings) {
      assert.ok(
        r.warnings.some((x) => re.test(x)),
        `${what}\nexpected a warning matching ${re}`,
      );
    }
    if (c.probeExpect !== undefined) assert.deepEqual(r.probe, [c.probeExpect], what);
    return;
  }
  assert.equal(r.ok, false, what);
  assert.equal(r.heapwiseError, true, `not a HeapwiseError: ${what}`);
  assert.equal(r.name, 'HeapwiseError', what);
  assert.equal(r.code, e.code, what);
  assert.notEqual(r.code, 'ERR_HEAPWISE_INTERNAL', what);
  if (e.offset === null) {
    assert.equal(r.byteOffset, null, `no position expected: ${what}`);
  } else if (e.offset !== undefined) {
    const [lo, hi] = e.offset;
    assert.equal(typeof r.byteOffset, 'number', `byteOffset expected: ${what}`);
    assert.ok(r.byteOffset >= lo && r.byteOffset <= hi, `byteOffset ${r.byteOffset} not in [${lo}, ${hi}]: ${what}`);
  }
  if (c.message) assert.match(r.message, c.message, what);
  // The message is a sentence about the file, never a Rust debug dump.
  assert.doesNotMatch(r.message, /panicked|unwrap|Some\(|Err\(/, what);
}

test('malformed-input corpus: every case gets a typed error or a documented result, within a bound', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-corpus-'));
  // (Removing a mode-000 file needs no permission on the file itself.)
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { realSnapshot, makeCases } = await import('../tools/corpus/make.mjs');
  const real = realSnapshot(path.join(dir, 'real.heapsnapshot'));
  const cases = makeCases(path.join(dir, 'cases'), real);
  assert.ok(cases.length >= 50, `only ${cases.length} cases`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

  // Two cases at a time (CI machines have 2 cores); each is a subtest of its own.
  const queue = [...cases];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      await t.test(c.name, async (st) => {
        const extra = c.probe ? ['--probe', c.probe] : [];
        if (c.kind === 'dir') fs.mkdirSync(c.file, { recursive: true });
        if (c.kind === 'noperm') {
          if (isRoot) {
            st.skip('running as root: permission checks do not apply, so a mode-000 file is readable');
            return;
          }
          fs.chmodSync(c.file, 0o000);
        }
        if (c.kind === 'growing') {
          const writer = await startWriter(c.source, c.file);
          try {
            const r = await runOne(c.file, extra);
            check(c, r);
            assert.ok(r.byteOffset < fs.statSync(c.source).size, `read past the written part: ${JSON.stringify(r)}`);
          } finally {
            writer.kill();
          }
          return;
        }
        check(c, await runOne(c.file, extra));
      });
    }
  };
  await Promise.all([worker(), worker()]);

  // A panic inside a query of an accepted snapshot (none is known: this forces one) is thrown
  // to JS as ERR_HEAPWISE_INTERNAL; it must not unwind into Node, which would abort the process.
  await t.test('a panic inside a HeapAnalysis method is an ERR_HEAPWISE_INTERNAL error, not an abort', async () => {
    const file = cases.find((x) => x.name === 'valid-small').file;
    const script = `
      const h = require(${JSON.stringify(path.join(ROOT, 'index.js'))});
      const heap = h.analyzeSync(process.argv[1]);
      const codes = [];
      for (const call of [() => heap.summary(), () => heap.top(3), () => heap.retainers(1), () => heap.findByName('x')]) {
        try { call(); codes.push('no error'); } catch (e) { codes.push(e.code + ' ' + e.message); }
      }
      console.log(JSON.stringify({ codes, nodeCount: heap.nodeCount }));`;
    const out = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script, file], {
        env: { ...process.env, HEAPWISE_PANIC_IN_QUERIES_FOR_TESTS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', (code, signal) => (code === 0 ? resolve(JSON.parse(text)) : reject(new Error(`exited with ${signal || code}`))));
    });
    assert.equal(out.codes.length, 4);
    for (const c of out.codes)
      assert.match(c, /^ERR_HEAPWISE_INTERNAL internal error \(a bug in heapwise, please report it\): panic requested/);
    assert.ok(out.nodeCount > 0, 'the object still works after the caught panics');
  });

  // analyzeSync takes the same path to the same errors.
  for (const name of [
    'empty',
    'truncated-inside-a-u-escape',
    'meta-renamed-edge_fields-to_node',
    'to-node-not-multiple',
    'lone-surrogates',
    'nesting-in-header',
  ]) {
    const c = cases.find((x) => x.name === name);
    await t.test(`${name} (analyzeSync)`, async () => {
      check(c, await runOne(c.file, ['--sync', ...(c.probe ? ['--probe', c.probe] : [])]));
    });
  }
});
