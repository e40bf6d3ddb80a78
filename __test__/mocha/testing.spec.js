'use strict';
// heapwise/testing under Mocha (`npx mocha __test__/mocha`): the same helper, no runner-specific
// code. A leaking function must fail with a HeapLeakError naming the class and what holds it; a
// clean one must pass.
const assert = require('node:assert');
const fs = require('node:fs');
const { expectNoLeak, HeapLeakError } = require('heapwise/testing');

class LeakyRecord {
  constructor(i) {
    this.id = i;
    const b = Buffer.alloc(1024, '.');
    b.write(`record ${i} `, 'latin1');
    this.payload = b.toString('latin1');
  }
}
const leakedRecords = [];
let serial = 0;

describe('heapwise/testing under Mocha', function () {
  // Each run writes six heap snapshots of this process and diffs them.
  this.timeout(60_000);

  let kept = null;
  afterEach(() => {
    if (kept) fs.rmSync(kept, { recursive: true, force: true });
    kept = null;
  });

  it('fails on a leaking function with a HeapLeakError naming the array, LeakyRecord, the line that fills it and where its snapshots are', async () => {
    let error = null;
    try {
      await expectNoLeak(() => {
        leakedRecords.push(new LeakyRecord(serial++));
      });
    } catch (e) {
      error = e;
    }
    // A failure keeps its snapshots (the evidence) and says where: this test removes them.
    kept = error && error.directory;
    assert.ok(error instanceof HeapLeakError, `expected a HeapLeakError, got ${error && error.stack}`);
    assert.strictEqual(error.name, 'HeapLeakError');
    assert.match(error.message, /leakedRecords \(Array, a variable of .*testing\.spec\.js's module scope\)/);
    assert.match(error.message, /LeakyRecord ×100/);
    assert.match(error.message, /testing\.spec\.js:\d+:\d+ +fills +leakedRecords\.push/);
    assert.strictEqual(error.leaks[0].holder.name, 'leakedRecords');
    assert.strictEqual(error.leaks[0].accumulates[0].className, 'LeakyRecord');
    assert.ok(error.message.includes(`the snapshots are kept in ${error.directory} `));
    assert.strictEqual(error.snapshots.length, 6);
    for (const f of error.snapshots) assert.ok(error.message.includes(f) && fs.existsSync(f));
  });

  it('passes on a clean function', async function () {
    const report = await expectNoLeak(async () => {
      const records = [];
      for (let i = 0; i < 50; i++) records.push(new LeakyRecord(i));
      await new Promise((resolve) => setImmediate(resolve));
      return records.length;
    });
    assert.strictEqual(report.ok, true);
    assert.deepStrictEqual(report.snapshots, []);
  });
});
