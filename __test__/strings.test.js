// Duplicated and largest strings (HeapAnalysis.duplicatedStrings / largestStrings /
// duplicatedStringIds): parity with DevTools' own Summary filter "Duplicated strings" (its
// getDuplicateStrings, run by tools/devtools/oracle.mjs) on snapshots Node writes at test time,
// and what the groups and the largest strings say about a program whose strings we know.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { analyze } = require('../index.js');
const { writeSnapshots } = require('./fixtures/write-snapshots');
const dt = require('./helpers/devtools');

// A program whose heap holds: 2000 flat copies of one header text (held by `headers`), 300 cons
// strings of one content (`joined`), sliced strings of one parent (`slices`), 50 copies of a
// 3000-character text and 50 of another that shares its first 2000 characters (`longs`), and one
// 2 MB base64 text (`blob.data`).
const PROGRAM = `
const v8 = require('node:v8');
const flat = (s) => Buffer.from(s, 'utf16le').toString('utf16le');
const parent = flat('p'.repeat(100) + 'parent-of-slices');
globalThis.kept = {
  headers: Array.from({ length: 2000 }, () => flat('x-request-id: 0123456789abcdef')),
  joined: Array.from({ length: 300 }, (_, i) => ['cons-left-part-', 'cons-right-part-' + (i % 2)].join('')),
  joined2: Array.from({ length: 300 }, (_, i) => 'cons-left-part-' + ('cons-right-part-' + (i % 2))),
  slices: Array.from({ length: 20 }, () => parent.slice(3, 60)),
  longs: Array.from({ length: 100 }, (_, i) => flat('L'.repeat(2000) + (i % 2 ? 'A' : 'B').repeat(1000))),
  blob: { data: JSON.parse(JSON.stringify('QUJD'.repeat(500000))) }, // flat, in the JS heap (not external)
};
v8.writeHeapSnapshot(process.argv[1]);
`;

/** @param {string} dir */
function writeProgramSnapshot(dir) {
  const file = path.join(dir, 'strings-program.heapsnapshot');
  execFileSync(process.execPath, ['-e', PROGRAM, file], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120000 });
  return file;
}

/** Every group of an analysis, with all their copies' ids up to 20 each. */
async function allGroups(a) {
  const groups = [];
  for (let offset = 0, total = Infinity; offset < total; offset += 10000) {
    const page = await a.duplicatedStrings({ offset, limit: 10000, copies: 20 });
    total = page.total;
    groups.push(...page.groups);
  }
  return groups;
}

describe('strings', () => {
  let dir;
  const files = new Map();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-strings-'));
    dt.ensureDevTools();
    files.set('program', writeProgramSnapshot(dir));
    for (const { name, file } of writeSnapshots(dir, { only: ['strings'] })) files.set(name, file);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['program', 'strings']) {
    it(`keeps the nodes DevTools' "Duplicated strings" keeps, in the same groups (${name})`, async () => {
      const file = files.get(name);
      const devtools = dt.runDevTools(file, dir, name).json.duplicated_strings.groups;
      const a = await analyze(file);
      try {
        const ids = await a.duplicatedStringIds();
        const want = devtools.flatMap((g) => g.ids).sort((x, y) => x - y);
        assert.ok(want.length > 0, 'DevTools finds duplicated strings');
        assert.deepEqual(ids, want);
        // Each group is one of DevTools' groups: same copies, same total size.
        const groupOf = new Map();
        for (const g of devtools) for (const id of g.ids) groupOf.set(id, g);
        const groups = await allGroups(a);
        assert.equal(groups.length, devtools.length);
        let copies = 0;
        for (const g of groups) {
          const d = groupOf.get(g.largest[0].node.id);
          assert.ok(d, `a DevTools group holds @${g.largest[0].node.id}`);
          assert.equal(g.copies, d.count);
          assert.equal(g.totalSize, d.total_self_size);
          for (const c of g.largest) assert.ok(d.ids.includes(c.node.id));
          assert.equal(g.wastedSize, g.totalSize - g.largest[0].node.shallowSize);
          copies += g.copies;
        }
        const first = await a.duplicatedStrings({ limit: 1 });
        assert.equal(first.copies, copies);
        assert.equal(first.total, groups.length);
      } finally {
        a.close();
      }
    });
  }

  it('names the copies, the waste and the holders of a program whose strings are known', async () => {
    const a = await analyze(files.get('program'));
    try {
      const page = await a.duplicatedStrings({ limit: 100 });
      const header = page.groups.find((g) => g.content.preview === '"x-request-id: 0123456789abcdef"');
      assert.ok(header, 'the header text is a group');
      assert.ok(header.copies >= 2000, `2000 copies or more, got ${header.copies}`);
      assert.equal(header.wastedSize, header.totalSize - header.largest[0].node.shallowSize);
      assert.equal(header.largest.length, 3);
      // Besides the program's own literal (held by its compiled code), the array holds them.
      const twenty = (await a.duplicatedStrings({ limit: 100, copies: 20 })).groups.find(
        (g) => g.content.preview === header.content.preview,
      );
      const inArray = twenty.largest.filter((c) => c.holder && c.holder.className === 'Array' && /headers\[\d+\]$/.test(c.pathText));
      assert.ok(inArray.length >= 18, `held by the headers array: ${twenty.largest.map((c) => c.pathText).join(', ')}`);
      // Groups come most wasted first.
      for (let i = 1; i < page.groups.length; i++) assert.ok(page.groups[i - 1].wastedSize >= page.groups[i].wastedSize);
      // V8 keeps 1024 characters of a string: the two long texts differ after 2000, so they
      // compare equal (one group of 100), as in DevTools.
      const long = page.groups.find((g) => g.content.preview.startsWith('"LLLL'));
      assert.ok(long);
      assert.equal(long.copies, 100);
      assert.equal(long.content.length, 1024);
      assert.match(long.content.preview, /…"$/);
      // The cons strings of one content are one group with any flat copy of it.
      const cons = page.groups.find((g) => g.content.preview === '"cons-left-part-cons-right-part-0"');
      assert.ok(cons && cons.copies >= 300, 'the concatenations compare by content');

      const largest = await a.largestStrings({ limit: 5 });
      assert.ok(largest.total > 2000);
      // The text and the temporaries it was made from (held from the stack) come first.
      const blob = largest.strings.find((s) => s.copy.pathText.endsWith('blob.data'));
      assert.ok(blob && blob.copy.node.shallowSize > 2000000, 'the base64 text is among the largest strings');
      assert.match(blob.copy.pathText, /blob\.data$/);
      assert.equal(blob.copy.holder && blob.copy.holder.className, 'Object');
      assert.match(blob.content.preview, /^"QUJDQUJD/);
      // Pages are windows of one order.
      const second = await a.largestStrings({ offset: 1, limit: 1 });
      assert.deepEqual(second.strings[0], largest.strings[1]);
      await assert.rejects(a.largestStrings({ limit: -1 }), { code: 'ERR_HEAPWISE_INVALID_ARGUMENT' });
      const before = a.memoryBytes;
      await a.duplicatedStrings();
      assert.equal(a.memoryBytes, before, 'the groups are built once');
    } finally {
      a.close();
    }
  });
});
