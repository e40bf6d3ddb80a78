// externalMemory(): memory outside the JS object graph on snapshots that Node 18, 20, 22 and 24
// (tools/node-versions) write at test time from one program: Buffers held in an array (the top
// holder of backing stores, with their exact bytes), small pooled Buffers, an ArrayBuffer with two
// views, a SharedArrayBuffer, a large latin1 string (external in Node), vm.Scripts (Node's
// ContextifyScript embedder objects, reported detached before Node 24). On each: the totals
// reconcile with statistics() (which parity.test.js and producers.test.js hold equal to DevTools'
// on the `buffers` and `native` scenarios), the CLI's text, JSON and Markdown carry the section,
// and the query layer's `external` query pages the holders.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { analyze } = require('..');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const MAJORS = Object.keys(require('../tools/node-versions/versions.json'));
const LEAKED = Array.from({ length: 20 }, (_, i) => 100_000 + i);

const PROGRAM = `
const v8 = require('v8');
const vm = require('vm');
globalThis.leak = ${JSON.stringify(LEAKED)}.map((n) => Buffer.alloc(n, 1));
globalThis.small = Array.from({ length: 50 }, (_, i) => Buffer.from('x' + i));
globalThis.ab = new ArrayBuffer(70000);
globalThis.views = [new Uint8Array(ab), new Int32Array(ab, 4, 10)];
globalThis.sab = new SharedArrayBuffer(50000);
globalThis.s1 = Buffer.alloc(2_000_000, 97).toString('latin1');
globalThis.scripts = Array.from({ length: 3 }, (_, i) => new vm.Script('var s' + i + ' = ' + i));
v8.writeHeapSnapshot(process.argv[2]);
`;

let dir;
/** @type {Map<string, string>} */
const files = new Map();

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-external-'));
  const program = path.join(dir, 'program.js');
  fs.writeFileSync(program, PROGRAM);
  const { ensureNode } = await import('../tools/node-versions/install.mjs');
  for (const major of MAJORS) {
    const { bin } = ensureNode(major);
    const file = path.join(dir, `node${major}.heapsnapshot`);
    execFileSync(bin, [program, file], { timeout: 60_000 });
    files.set(major, file);
  }
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const total = (x, kind) => x.totals.find((t) => t.kind === kind);

for (const major of MAJORS) {
  describe(`Node ${major}`, () => {
    test('totals reconcile with statistics()', async () => {
      const a = await analyze(files.get(major));
      try {
        const x = await a.externalMemory();
        const s = a.statistics();
        assert.deepStrictEqual(
          x.totals.map((t) => t.kind),
          ['arrayBuffers', 'externalStrings', 'extraNativeBytes', 'embedder', 'detachedEmbedder'],
        );
        assert.strictEqual(total(x, 'arrayBuffers').bytes, s.typedArrays);
        assert.strictEqual(
          total(x, 'embedder').bytes +
            total(x, 'detachedEmbedder').bytes +
            total(x, 'extraNativeBytes').bytes +
            x.reconcile.stringDataInNative,
          s.otherNonJsObjects,
        );
        assert.strictEqual(x.reconcile.typedArraysCheck, 0);
        assert.strictEqual(x.reconcile.otherNonJsCheck, 0);
        assert.strictEqual(x.reconcile.typedArrays, s.typedArrays);
        assert.ok(x.reconcile.externalStringsInStrings <= s.strings);
        // The leaked Buffers and the ArrayBuffers are counted; the SharedArrayBuffer is shared.
        const sum = LEAKED.reduce((p, n) => p + n, 0);
        assert.ok(total(x, 'arrayBuffers').bytes >= sum + 70_000 + 50_000);
        assert.deepStrictEqual(x.sharedArrayBuffers, { count: 1, bytes: 50_000 });
        assert.ok(total(x, 'externalStrings').count > 0, 'Node keeps its builtins and large latin1 strings external');
        assert.ok(total(x, 'embedder').count > 0, 'Node / … objects');
      } finally {
        a.close();
      }
    });

    test('the array of leaked Buffers is the top holder of backing stores', async () => {
      const a = await analyze(files.get(major));
      try {
        const x = await a.externalMemory({ kind: 'arrayBuffers', limit: 3 });
        const top = x.holders.items[0];
        assert.strictEqual(top.kind, 'arrayBuffers');
        assert.strictEqual(top.holder?.className, 'Array');
        assert.strictEqual(top.pathText, 'global.leak');
        assert.strictEqual(top.count, LEAKED.length);
        assert.strictEqual(
          top.bytes,
          LEAKED.reduce((p, n) => p + n, 0),
        );
        assert.strictEqual(top.largest.node.selfSize, Math.max(...LEAKED));
        assert.ok(x.holders.total > 1);
        assert.ok(x.holders.items.every((h) => h.kind === 'arrayBuffers'));
        // The next page starts where this one ended.
        const next = await a.externalMemory({ kind: 'arrayBuffers', offset: 1, limit: 1 });
        assert.deepStrictEqual(next.holders.items[0], x.holders.items[1]);
        // The ArrayBuffer with two views is held by the global object, its store at `global.ab`.
        const ab = x.holders.items.find((h) => h.largest.pathText.startsWith('global.ab'));
        assert.ok(ab, 'a holder whose largest store is global.ab');
        assert.strictEqual(ab.largest.node.selfSize, 70_000);
      } finally {
        a.close();
      }
    });

    test("the vm.Scripts' ContextifyScript objects, held by the scripts array", async () => {
      const a = await analyze(files.get(major));
      try {
        const x = await a.externalMemory({ limit: 10_000, classLimit: 10_000 });
        // Node 24 merges the wrapper into its embedder node and no longer reports it detached.
        const detached = Number(major) < 24;
        const name = `${detached ? 'Detached ' : ''}Node / ContextifyScript`;
        const c = x.classes.find((k) => k.name === name);
        assert.ok(c, `class ${name}`);
        assert.strictEqual(c.kind, detached ? 'detachedEmbedder' : 'embedder');
        assert.strictEqual(c.count, 3);
        assert.ok(c.largest.every((i) => i.pathText.startsWith('global.scripts[')));
        const h = x.holders.items.find((k) => k.kind === c.kind && k.pathText === 'global.scripts');
        assert.ok(h, 'the scripts array holds them');
        assert.strictEqual(h.count, 3);
        assert.strictEqual(h.holder?.className, 'Array');
      } finally {
        a.close();
      }
    });
  });
}

test('Node 24: a large latin1 string is external, its payload counted, held at global.s1', async (t) => {
  if (!files.has('24')) return t.skip('no Node 24');
  const a = await analyze(files.get('24'));
  try {
    const x = await a.externalMemory({ kind: 'externalStrings', limit: 100 });
    const h = x.holders.items.find((k) => k.largest.pathText === 'global.s1');
    assert.ok(h, 'a holder whose largest external string is global.s1');
    assert.ok(h.largest.node.selfSize >= 2_000_000);
    assert.strictEqual(h.largest.node.type, 'string');
  } finally {
    a.close();
  }
});

test('bad options reject with INVALID_ARGUMENT', async () => {
  const a = await analyze(files.get(MAJORS[0]));
  try {
    await assert.rejects(a.externalMemory({ kind: 'heap' }), { code: 'ERR_HEAPWISE_INVALID_ARGUMENT' });
    await assert.rejects(a.externalMemory({ limit: -1 }), { code: 'ERR_HEAPWISE_INVALID_ARGUMENT' });
  } finally {
    a.close();
  }
});

test('heapwise analyze: text, --json and Markdown carry the section', () => {
  const file = files.get(MAJORS[MAJORS.length - 1]);
  const text = spawnSync(process.execPath, [CLI, 'analyze', file], { encoding: 'utf8' });
  assert.strictEqual(text.status, 0, text.stderr);
  assert.match(text.stdout, /Outside the JS heap\n {2}Kind +Count +Size\n {2}ArrayBuffer backing stores/);
  assert.match(text.stdout, /2\.0 MB in 20 ArrayBuffer backing stores: Array @\d+\n {4}at global\.leak\n/);
  const json = spawnSync(process.execPath, [CLI, 'analyze', '--format', 'json', file], { encoding: 'utf8' });
  const r = JSON.parse(json.stdout);
  assert.ok(r.external.holders.items.some((h) => h.pathText === 'global.leak' && h.count === 20));
  assert.strictEqual(r.external.reconcile.typedArrays, r.statistics.typedArrays);
  const md = spawnSync(process.execPath, [CLI, 'analyze', '--format', 'markdown', file], { encoding: 'utf8' });
  assert.match(md.stdout, /### Outside the JS heap\n\n\| Kind \| Count \| Size \|/);
  assert.match(md.stdout, /\| `Array @\d+` `at global\.leak` \| ArrayBuffer backing stores \| 20 \| 2\.0 MB \|/);
});

test('the query layer: external pages the holders, by kind', async () => {
  const { Query } = require('../lib/query/index.js');
  const q = new Query();
  try {
    const file = files.get(MAJORS[MAJORS.length - 1]);
    const first = await q.run('external', { snapshot: file, kind: 'arrayBuffers', limit: 1 });
    assert.strictEqual(first.holders.length, 1);
    assert.strictEqual(first.holders[0].pathText, 'global.leak');
    assert.strictEqual(first.holders[0].holder.className, 'Array');
    assert.strictEqual(first.reconcile.typedArraysCheck, 0);
    assert.strictEqual(first.nextCursor, '1');
    const second = await q.run('external', { snapshot: file, kind: 'arrayBuffers', limit: 1, cursor: first.nextCursor });
    assert.strictEqual(second.offset, 1);
    assert.notDeepStrictEqual(second.holders[0], first.holders[0]);
    await assert.rejects(q.run('external', { snapshot: file, kind: 'heap' }), { code: 'ERR_HEAPWISE_INVALID_ARGUMENT' });
  } finally {
    q.closeAll();
  }
});

test('heapwise analyze --format html: the Outside the JS heap card', () => {
  const file = files.get(MAJORS[MAJORS.length - 1]);
  const out = path.join(dir, 'report.html');
  const r = spawnSync(process.execPath, [CLI, 'analyze', '--format', 'html', '-o', out, file], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  const page = fs.readFileSync(out, 'utf8');
  assert.match(page, /<h2>Outside the JS heap<span class="sub">typed arrays /);
  assert.match(page, /id="table-external-holders".*Array @\d+ <span class="muted">global\.leak<\/span>/s);
});
