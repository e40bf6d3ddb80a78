'use strict';
// heapwise/testing under node:test: expectNoLeak fails on real leaks (with a message naming the
// leaking class, what holds it and where it was created) and passes on clean code. Each leak
// test writes six real heap snapshots of this process, so the timeouts are generous.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { EventEmitter } = require('node:events');
const { expectNoLeak, HeapLeakError, collectGarbage, DEFAULTS } = require('heapwise/testing');
const { HeapwiseError } = require('heapwise');

const TIMEOUT = 60_000;
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-testing-'));
test.after(() => fs.rmSync(parent, { recursive: true, force: true }));

// A flat (not concatenated) string of `length` characters starting with `prefix`.
function flatString(prefix, length) {
  const b = Buffer.alloc(length, '.');
  b.write(prefix, 'latin1');
  return b.toString('latin1');
}

// A leak: every call keeps a new LeakyRecord (with a flat 1 KB string) in a module-level array.
class LeakyRecord {
  constructor(i) {
    this.id = i;
    this.payload = flatString(`record ${i} `, 1024);
  }
}
const retained = [];
let serial = 0;
function leaky() {
  retained.push(new LeakyRecord(serial++));
}

// Clean: creates objects (and strings) and drops them.
class CleanRecord {
  constructor(i) {
    this.id = i;
    this.payload = flatString(`clean ${i} `, 1024);
  }
}
function clean() {
  const batch = [];
  for (let i = 0; i < 50; i++) batch.push(new CleanRecord(i));
  const index = new Map(batch.map((r) => [r.id, r]));
  return index.size + JSON.stringify(batch.slice(0, 3)).length;
}

const entries = (dir) => fs.readdirSync(dir);

test(
  'a leaking function rejects with a HeapLeakError whose top finding names the array, what accumulates and the line that fills it',
  { timeout: TIMEOUT },
  async () => {
    const dir = fs.mkdtempSync(path.join(parent, 'leaky-'));
    // the default: a failure keeps its snapshots
    const err = await expectNoLeak(leaky, { dir }).then(
      () => assert.fail('expectNoLeak resolved on a leaking function'),
      (e) => e,
    );
    assert.ok(err instanceof HeapLeakError, `a HeapLeakError, got ${err && err.stack}`);
    assert.ok(err instanceof Error);
    assert.strictEqual(err.name, 'HeapLeakError');
    const msg = err.message;
    // The top finding: the module-level array `retained`, one LeakyRecord per call, every round.
    const top = err.leaks[0];
    assert.ok(top && top.leak, 'a leak finding');
    assert.strictEqual(top.holder.name, 'retained');
    assert.strictEqual(top.holder.kind, 'Array');
    assert.match(top.holder.scope, /module scope/);
    assert.strictEqual(top.accumulates[0].className, 'LeakyRecord');
    assert.deepStrictEqual(top.growth.members, [0, 20, 20, 20, 20, 20]);
    assert.strictEqual(top.growth.membersPerCall, 1);
    assert.ok(top.growth.steady && top.growth.wholeMultiple);
    assert.ok(top.growth.bytesPerCall > 1024, `each record keeps its 1 KB string (${top.growth.bytesPerCall} B per call)`);
    // The line that fills it, in this file.
    const fills = top.code.find((c) => c.role === 'fills');
    assert.ok(fills, 'a line that fills the holder');
    assert.match(fills.location.scriptName, /testing\.test\.js$/);
    assert.strictEqual(fills.text, 'retained.push(new LeakyRecord(serial++));');
    assert.match(msg, /retained \(Array, a variable of .*testing\.test\.js's module scope\)/);
    assert.match(msg, /LeakyRecord ×100/);
    assert.match(msg, /testing\.test\.js:\d+:\d+ +fills +retained\.push/);
    assert.ok(err.findings.length >= err.leaks.length);
    assert.strictEqual(err.heapDiff, null, 'no thresholds, no diff');
    // Kept by default on a failure: the folder and the snapshots are named in the message.
    assert.strictEqual(err.snapshots.length, 6);
    assert.ok(msg.includes(`the snapshots are kept in ${err.directory} `), msg);
    for (const f of err.snapshots) {
      assert.ok(fs.existsSync(f), `${f} kept`);
      assert.ok(msg.includes(f), `${f} named in the message`);
    }
    assert.strictEqual(path.dirname(err.snapshots[0]), err.directory);
    assert.strictEqual(path.dirname(err.directory), dir);
    console.log(`--- the failure message ---\n${msg}\n---`);
    fs.rmSync(err.directory, { recursive: true });
  },
);

test('keepSnapshots: false removes the snapshots of a failure too, and the message says so', { timeout: TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(parent, 'leaky-unkept-'));
  const err = await expectNoLeak(leaky, { dir, iterations: 3, repeat: 10, keepSnapshots: false }).then(
    () => assert.fail('expectNoLeak resolved on a leaking function'),
    (e) => e,
  );
  assert.ok(err instanceof HeapLeakError);
  assert.deepStrictEqual(err.snapshots, []);
  assert.strictEqual(err.directory, null);
  assert.deepStrictEqual(entries(dir), [], 'nothing left in the folder');
  assert.match(err.message, /the snapshots were removed \(keepSnapshots: false\)$/);
  // Fields test runners read for assertion diffs carry nothing of ours.
  assert.strictEqual(err.diff, undefined);
  assert.strictEqual(err.expected, undefined);
  assert.strictEqual(err.actual, undefined);
});

test('a clean function passes and its snapshots are deleted', { timeout: TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(parent, 'clean-'));
  const report = await expectNoLeak(clean, { dir });
  assert.strictEqual(report.ok, true);
  assert.deepStrictEqual(report.snapshots, []);
  assert.deepStrictEqual(entries(dir), [], 'the temporary folder is gone');
  assert.ok(Array.isArray(report.findings) && report.findings.every((f) => !f.leak), 'no finding leaks');
  assert.ok(DEFAULTS.iterations >= 2, 'steady growth needs three snapshots or more');
  assert.match(report.gc, /gc/);
});

test('an async clean function passes; keepSnapshots keeps the snapshots', { timeout: TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(parent, 'async-clean-'));
  const report = await expectNoLeak(
    async () => {
      const emitter = new EventEmitter();
      const done = new Promise((resolve) => emitter.once('done', resolve));
      setImmediate(() => emitter.emit('done', { payload: 'x'.repeat(256) }));
      return (await done).payload.length;
    },
    { dir, keepSnapshots: true, iterations: 3, repeat: 10 },
  );
  assert.strictEqual(report.snapshots.length, 4);
  for (const f of report.snapshots) assert.ok(fs.existsSync(f));
  fs.rmSync(report.directory, { recursive: true });
});

test('HEAPWISE_KEEP_SNAPSHOTS=1 keeps the snapshots of a passing run', { timeout: TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(parent, 'env-keep-'));
  process.env.HEAPWISE_KEEP_SNAPSHOTS = '1';
  let report;
  try {
    report = await expectNoLeak(clean, { dir, iterations: 3, repeat: 10 });
  } finally {
    delete process.env.HEAPWISE_KEEP_SNAPSHOTS;
  }
  assert.strictEqual(report.snapshots.length, 4);
  assert.strictEqual(path.dirname(report.directory), dir);
  for (const f of report.snapshots) assert.ok(fs.existsSync(f));
  fs.rmSync(report.directory, { recursive: true });
});

test(
  'an async closure leak (a listener per call) is found: the listener list, the listener and its line',
  { timeout: TIMEOUT },
  async () => {
    const dir = fs.mkdtempSync(path.join(parent, 'listeners-'));
    const bus = new EventEmitter();
    bus.setMaxListeners(0);
    class Subscription {
      constructor(n) {
        this.n = n;
      }
    }
    const err = await expectNoLeak(
      async () => {
        // oxlint-disable-next-line unicorn/no-unnecessary-await -- an async function that really yields, on purpose
        await null;
        const sub = new Subscription(serial++);
        bus.on('message', function onMessage() {
          return sub.n;
        });
      },
      { dir },
    ).then(
      () => assert.fail('expectNoLeak resolved on a leaking function'),
      (e) => e,
    );
    assert.ok(err instanceof HeapLeakError, String(err && err.stack));
    const top = err.leaks[0];
    assert.match(top.holder.name, /^bus\._events\.message$/);
    assert.strictEqual(top.growth.membersPerCall, 1);
    const listener = top.code.find((c) => c.role === 'accumulates');
    assert.ok(listener && listener.function === 'onMessage', JSON.stringify(top.code));
    assert.match(err.message, /bus\._events\.message/);
    assert.match(err.message, /onMessage/);
  },
);

test('an error thrown by fn rejects with that error and leaves no snapshots behind', { timeout: TIMEOUT }, async () => {
  const dir = fs.mkdtempSync(path.join(parent, 'throws-'));
  let calls = 0;
  await assert.rejects(
    expectNoLeak(
      () => {
        if (++calls === 130) throw new Error('boom');
      },
      { dir },
    ),
    /boom/,
  );
  assert.deepStrictEqual(entries(dir), []);
});

test('bad arguments reject with HeapwiseError ERR_HEAPWISE_INVALID_ARGUMENT, as every heapwise function', async () => {
  const invalid = { name: 'HeapwiseError', code: 'ERR_HEAPWISE_INVALID_ARGUMENT' };
  await assert.rejects(expectNoLeak('nope'), invalid);
  await assert.rejects(
    expectNoLeak(() => {}, { keepSnapshots: 'always' }),
    invalid,
  );
  await assert.rejects(
    expectNoLeak(() => {}, { iterations: 0 }),
    invalid,
  );
  await assert.rejects(
    expectNoLeak(() => {}, { repeat: 1.5 }),
    invalid,
  );
  await assert.rejects(
    expectNoLeak(() => {}, { minGrowingRounds: 9 }),
    invalid,
  );
  await assert.rejects(
    expectNoLeak(() => {}, { minObjectsPerCall: -1 }),
    invalid,
  );
  await assert.rejects(
    expectNoLeak(() => {}, { minObjectsPerCall: -1 }),
    HeapwiseError,
  );
});

test('collectGarbage works without --expose-gc', async () => {
  assert.strictEqual(typeof globalThis.gc, 'undefined', 'this test runs without --expose-gc');
  let ref;
  (() => {
    ref = new WeakRef({ big: 'z'.repeat(1000) });
  })();
  await collectGarbage();
  assert.strictEqual(ref.deref(), undefined, 'the object was collected');
});
