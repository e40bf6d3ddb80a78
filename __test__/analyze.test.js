'use strict';
// The JS API: results, navigation, errors with stable codes, cancellation, progress, and that
// analysis never blocks the event loop. Snapshots are written by Node at test time.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { execFileSync, spawnSync } = require('node:child_process');
const { analyze, analyzeSync, HeapwiseError, HeapAnalysis } = require('heapwise');
const { writeSnapshots } = require('./fixtures/write-snapshots.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-api-'));
const files = Object.fromEntries(writeSnapshots(dir, { only: ['class-map', 'closures'] }).map((s) => [s.name, s.file]));
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name, content) {
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}

test('analyze finds a class retained by a Map, with DevTools-style rows', async () => {
  const a = await analyze(files['class-map']);
  assert.ok(a instanceof HeapAnalysis);
  assert.ok(a.nodeCount > 1000 && a.edgeCount > a.nodeCount);
  const rows = a.summary();
  const leaky = rows.find((r) => r.name === 'LeakyThing');
  assert.ok(leaky, 'LeakyThing row present');
  assert.strictEqual(leaky.count, 3000);
  assert.match(leaky.key, /^\d+,\d+,\d+,LeakyThing$/, 'class key carries the constructor location');
  assert.ok(leaky.retainedSize > leaky.shallowSize && leaky.distance > 1);
  assert.ok(!rows.some((r) => r.name === 'NeverAllocated'));
  // Summary is sorted by retained size and its shallow sizes add up to the total.
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1].retainedSize >= rows[i].retainedSize);
  const shallowSum = rows.reduce((s, r) => s + r.shallowSize, 0);
  assert.strictEqual(shallowSum, a.totalSize);
  const st = a.statistics();
  assert.strictEqual(st.total, a.totalSize);
  assert.strictEqual(st.v8Heap + st.native, st.total);
  a.close();
});

test('top objects carry a retainer path from the root and a location', async () => {
  const a = await analyze(pathToFileURL(files['class-map']));
  const top = a.top(30);
  assert.strictEqual(top.length, 30);
  for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].node.retainedSize >= top[i].node.retainedSize);
  const map = top.find((t) => t.node.className === 'Map' && t.retainerPath.some((p) => p.edge === 'registry'));
  assert.ok(map, 'the registry Map is among the largest objects, reached through `registry`');
  const p = map.retainerPath;
  assert.strictEqual(p[0].edge, undefined, 'the path starts at the root');
  assert.strictEqual(p[p.length - 1].node.id, map.node.id, 'and ends at the object');
  // Each step is a real edge: the next node is among the references of the previous one.
  for (let i = 1; i < p.length; i++) {
    const refs = a.references(p[i - 1].node.id);
    assert.ok(
      refs.some((r) => r.node.id === p[i].node.id && r.name === p[i].edge),
      `step ${i} is an edge`,
    );
  }
  const closure = top.find((t) => t.node.type === 'closure' && t.location);
  if (closure) assert.ok(closure.location.line >= 0 && closure.location.scriptId > 0);
  a.close();
});

test('navigation: node, references, retainers, dominated, findByName agree with each other', async () => {
  const a = await analyze(files['closures']);
  const [first] = a.top(1);
  const id = first.node.id;
  assert.deepStrictEqual(a.node(id), first.node);
  assert.strictEqual(a.node(123456789.5), null);
  const children = a.dominated(id);
  assert.ok(children.length > 0);
  let sum = first.node.shallowSize;
  for (const c of children) {
    assert.strictEqual(c.dominatorId, id);
    sum += c.retainedSize;
  }
  assert.strictEqual(sum, first.node.retainedSize, 'retained = shallow + children retained');
  for (const r of a.references(id).slice(0, 20)) {
    assert.ok(
      a.retainers(r.node.id).some((back) => back.node.id === id),
      'every reference is a retainer the other way',
    );
  }
  const found = a.findByName('Function', 5);
  assert.ok(found.length > 0 && found.every((n) => n.className === 'Function' || n.name.includes('Function')));
  a.close();
});

test('close() frees the handle; later calls throw', async () => {
  const a = analyzeSync(files['closures']);
  assert.strictEqual(a.closed, false);
  a.close();
  assert.strictEqual(a.closed, true);
  assert.throws(
    () => a.summary(),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT' && /closed/.test(e.message),
  );
});

test('wrong argument types to methods and options throw a HeapwiseError with ERR_HEAPWISE_INVALID_ARGUMENT', async () => {
  const a = analyzeSync(files['closures']);
  assert.throws(
    () => a.top('ten'),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
  assert.throws(
    () => a.node('x'),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
  a.close();
  await assert.rejects(
    analyze(files['closures'], { onProgress: 5 }),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
});

test('bad input rejects with a HeapwiseError and a stable code', async (t) => {
  const real = fs.readFileSync(files['closures']);
  const cases = [
    ['empty file', write('empty.heapsnapshot', ''), 'ERR_HEAPWISE_EMPTY'],
    ['whitespace only', write('ws.heapsnapshot', ' \n\t '), 'ERR_HEAPWISE_EMPTY'],
    ['truncated in nodes', write('trunc1.heapsnapshot', real.subarray(0, Math.floor(real.length / 5))), 'ERR_HEAPWISE_TRUNCATED'],
    ['truncated in strings', write('trunc2.heapsnapshot', real.subarray(0, real.length - 100)), 'ERR_HEAPWISE_TRUNCATED'],
    ['not JSON', write('text.heapsnapshot', 'hello world'), 'ERR_HEAPWISE_NOT_JSON'],
    ['JSON, not a snapshot', write('obj.heapsnapshot', '{"hello": [1, 2, 3]}'), 'ERR_HEAPWISE_NOT_A_SNAPSHOT'],
    ['a JSON array', write('arr.heapsnapshot', '[1, 2]'), 'ERR_HEAPWISE_NOT_A_SNAPSHOT'],
    ['missing path', path.join(dir, 'does-not-exist.heapsnapshot'), 'ERR_HEAPWISE_IO'],
    ['a directory', dir, 'ERR_HEAPWISE_IO'],
  ];
  for (const [what, file, code] of cases) {
    await t.test(what, async () => {
      const e = await analyze(file).then(
        () => null,
        (err) => err,
      );
      assert.ok(e instanceof HeapwiseError, `${what}: ${e}`);
      assert.ok(e instanceof Error);
      assert.strictEqual(e.code, code, `${what}: ${e.message}`);
      assert.strictEqual(e.name, 'HeapwiseError');
      if (code === 'ERR_HEAPWISE_TRUNCATED') {
        assert.strictEqual(typeof e.byteOffset, 'number');
        assert.ok(e.byteOffset > 0 && e.byteOffset <= fs.statSync(file).size);
      }
      assert.throws(
        () => analyzeSync(file),
        (err) => err instanceof HeapwiseError && err.code === code,
      );
    });
  }
  await assert.rejects(analyze(42), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
});

test('an AbortSignal cancels the analysis', async () => {
  const before = new AbortController();
  before.abort();
  await assert.rejects(analyze(files['class-map'], { signal: before.signal }), { code: 'ERR_HEAPWISE_ABORTED' });
  const during = new AbortController();
  const p = analyze(files['class-map'], { signal: during.signal });
  during.abort();
  await assert.rejects(p, (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_ABORTED');
  // Not aborting leaves it alone.
  const ok = await analyze(files['class-map'], { signal: new AbortController().signal });
  assert.ok(ok.nodeCount > 0);
  ok.close();
});

test('onProgress reports phases with fractions in [0, 1], ending with done', async () => {
  const seen = [];
  const a = await analyze(files['class-map'], { onProgress: (p) => seen.push(p) });
  // Progress calls are queued from the worker thread; let the queue drain.
  await new Promise((r) => setImmediate(r));
  assert.ok(seen.length >= 2, `got ${seen.length} progress calls`);
  for (const p of seen) {
    assert.strictEqual(typeof p.phase, 'string');
    assert.ok(p.fraction >= 0 && p.fraction <= 1);
  }
  assert.ok(seen.some((p) => p.phase === 'parse'));
  a.close();
});

test('the event loop keeps running while a snapshot is analysed', async () => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = ticks;
  const jobs = [analyze(files['class-map']), analyze(files['closures']), analyze(files['class-map'])];
  // While the three analyses run on their own threads, timers must keep firing.
  const results = await Promise.all(jobs);
  clearInterval(timer);
  assert.ok(ticks > started, 'timers fired during the analysis');
  for (const r of results) r.close();
});

test('CLI: analyze --json prints the API objects, --nodes writes the per-node table, exit codes', () => {
  const tsv = path.join(dir, 'nodes.tsv');
  const out = execFileSync(process.execPath, [CLI, 'analyze', files['class-map'], '--json', '--top', '3', '--nodes', tsv], {
    maxBuffer: 1 << 28,
  });
  const r = JSON.parse(out);
  assert.strictEqual(r.top.length, 3);
  assert.ok(r.summary.some((row) => row.name === 'LeakyThing' && row.count === 3000));
  const lines = fs.readFileSync(tsv, 'utf8').trimEnd().split('\n');
  assert.strictEqual(lines[0], 'id\tself_size\tshallow_size\tretained_size\tdistance\tdominator_id');
  assert.strictEqual(lines.length - 1, r.nodeCount);
  const text = execFileSync(process.execPath, [CLI, 'analyze', files['class-map'], '--top', '2'], { encoding: 'utf8' });
  assert.match(text, /Constructor\s+Distance/);
  assert.match(text, /LeakyThing/);
  const status = (args) => {
    try {
      execFileSync(process.execPath, [CLI, ...args], { stdio: 'pipe' });
      return 0;
    } catch (e) {
      return e.status;
    }
  };
  assert.strictEqual(status(['analyze', path.join(dir, 'nope.heapsnapshot')]), 2);
  assert.strictEqual(status(['analyze', write('bad.heapsnapshot', '{"snapshot":')]), 2);
  assert.strictEqual(status(['frobnicate']), 2);
  assert.strictEqual(status(['analyze', files['closures'], '--top']), 2);
  assert.strictEqual(status(['--help']), 0);
});

test('a panic inside the engine rejects the promise and leaves the process running', () => {
  const script = `
    const { analyze, analyzeSync, HeapwiseError } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))});
    const file = ${JSON.stringify(files['closures'])};
    analyze(file).then(
      () => { console.log('resolved'); process.exit(3); },
      (e) => {
        let sync = 'none';
        try { analyzeSync(file); } catch (err) { sync = err.code; }
        console.log(JSON.stringify({ code: e.code, isHeapwise: e instanceof HeapwiseError, sync, message: e.message }));
      });`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: { ...process.env, HEAPWISE_PANIC_FOR_TESTS: '1', RUST_BACKTRACE: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const r = JSON.parse(out.trim().split('\n').pop());
  assert.strictEqual(r.code, 'ERR_HEAPWISE_INTERNAL');
  assert.strictEqual(r.isHeapwise, true);
  assert.strictEqual(r.sync, 'ERR_HEAPWISE_INTERNAL');
  assert.match(r.message, /panic requested/);
});

test('close() and garbage collection free the native memory off the JS thread', () => {
  // The test-hooks build reports on stderr which thread freed an analysis. Both the one closed
  // and the one collected must be freed on heapwise's own thread: freeing a 1 GB analysis takes
  // a fifth of a second, which the event loop would otherwise wait for.
  const script = `
    const { analyze } = require(${JSON.stringify(path.join(__dirname, '..', 'index.js'))});
    const file = ${JSON.stringify(files['closures'])};
    (async () => {
      const closed = await analyze(file);
      closed.close();
      let collected = await analyze(file);
      console.error('nodes ' + collected.nodeCount);
      collected = null;
      for (let i = 0; i < 20; i++) {
        global.gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], {
    env: { ...process.env, HEAPWISE_REPORT_FREE_FOR_TESTS: '1' },
    encoding: 'utf8',
  });
  assert.strictEqual(r.status, 0, r.stderr);
  const freed = r.stderr.split('\n').filter((l) => l.startsWith('heapwise: freed on thread'));
  assert.deepStrictEqual(freed, ['heapwise: freed on thread heapwise-free', 'heapwise: freed on thread heapwise-free'], r.stderr);
});
