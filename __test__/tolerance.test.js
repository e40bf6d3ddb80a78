'use strict';
// Issue 13, item 4: heapwise opens every file DevTools opens, with DevTools' numbers. Each test
// writes a tiny snapshot with one inconsistency (the graph is drawn above it), runs DevTools' own
// heap snapshot code on it (tools/devtools/oracle.mjs, in this process) and heapwise, and checks
// that both give the same per-node class name, self / shallow / retained size, distance and
// dominator, the same Summary rows and Statistics, and that heapwise reports the inconsistency
// in one warning (helpers/tolerance.js). Where DevTools fails, heapwise must fail too, with
// ERR_HEAPWISE_INVALID_DATA (or NOT_A_SNAPSHOT) and the byte offset of the record at fault.
//
// Graphs: [type, name, id, self size, { edges: [[type, name, target ordinal]], count, det }];
// past(k) is a string index k past the strings, nowhere(k) an edge target past the last node.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { analyzeSync, diffSync } = require('heapwise');
const { ensureDevTools } = require('./helpers/devtools');
const t = require('./helpers/tolerance');
const { V8_6_TYPES, past, nowhere, raw, same, bothFail, record } = t;

let dir, oracle;
before(async () => {
  ensureDevTools();
  oracle = await t.loadOracle();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-tolerance-'));
});
after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
const write = (...args) => t.write(dir, ...args);

describe('a type number past the type lists', () => {
  //   root ──shortcut──▶ global ──s──▶ symbol (type 12: V8 5–6 list only 12 types long)
  //                        └────e───▶ Foo (type 200)
  test('nodes: class (undefined), as DevTools shows a V8 6 symbol', async () => {
    // prettier-ignore
    const file = write('symbol-past-list', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 's', 2], ['property', 'e', 3]] }],
      [12, 'symbol', 5, 16],
      [200, 'Foo', 7, 20],
    ], { types: V8_6_TYPES });
    const dt = await same(file, /^2 nodes have a type number past snapshot.meta.node_types \(the first: @5, ordinal 2, type 12\)/);
    assert.equal(dt.get(5).className, '(undefined)');
    assert.equal(dt.get(7).className, '(undefined)');
  });

  //   root ──shortcut──▶ global ──a──▶ A (native, detached)
  //                                     ├─type 7 (DevTools' invisible)──▶ B: not detached
  //                                     └─type 9 (no type)──────────────▶ C: detached
  test("edges: one past the list is DevTools' invisible (the DOM-state walk skips it), beyond is no type", async () => {
    // prettier-ignore
    const file = write('edge-type-past-list', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['native', 'A', 5, 20, { det: 2, edges: [[7, 'inv', 3], [9, 'unk', 4]] }],
      ['native', 'B', 7, 30],
      ['native', 'C', 9, 30],
    ]);
    const dt = await same(file, /^2 edges have a type number past snapshot.meta.edge_types \(the first: edge 2, type 7\)/);
    assert.deepEqual([dt.get(7).className, dt.get(9).className], ['B', 'Detached C']);
  });
});

describe('a name index past the strings', () => {
  //   root ──shortcut──▶ global ──a──▶ Foo (object; name: 1 past the strings)
  //                        └─────h───▶ H (hidden: "(system)")
  test('a node name reads as the string DevTools appends at that index: the first is "(system)"', async () => {
    // prettier-ignore
    const file = write('node-name-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2], ['property', 'h', 3]] }],
      ['object', past(0), 5, 20],
      ['hidden', 'H', 7, 8],
    ]);
    const dt = await same(file, /^1 nodes name a string past the 7 strings \(the first: @5, string 7\)/);
    assert.equal(dt.get(5).className, '(system)');
  });

  //   root ──shortcut──▶ global ──n──▶ N1 (native, detached, name far past the strings)
  //                        ├─────m──▶ N2 (native, detached, "N")
  //                        └─────o──▶ N3 (native, detached, name = the first string added)
  test('detached native nodes become "Detached undefined", or "Detached Detached …"', async () => {
    // prettier-ignore
    const file = write('detached-name-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'n', 2], ['property', 'm', 3], ['property', 'o', 4]] }],
      ['native', past(90), 5, 20, { det: 2 }],
      ['native', 'N', 7, 30, { det: 2 }],
      ['native', past(1), 9, 40, { det: 2 }],
    ], { strings: ['<dummy>', '', '1', 'global', 'n', 'm', 'o', 'N'] });
    const dt = await same(file, /^2 nodes name a string past the 8 strings/);
    assert.deepEqual(
      [5, 7, 9].map((id) => dt.get(id).className),
      ['Detached undefined', 'Detached N', 'Detached Detached N'],
    );
  });

  //   root ──shortcut──▶ global ──a──▶ Foo (object, name 50 past the strings)
  test('an object named far past every string: DevTools fails making its class name', async () => {
    // prettier-ignore
    const file = write('node-name-far-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['object', past(50), 5, 20],
    ]);
    const error = await bothFail(file, { offset: record(file, /,3,\d+,5,20,/), message: /reading its class name/ });
    assert.match(error, /startsWith/);
  });

  //   (no detachedness field)  root ──shortcut──▶ global ──n──▶ N (native, name past the strings)
  test('an old snapshot\'s native node named past the strings: DevTools fails checking for "Detached "', async () => {
    // prettier-ignore
    const file = write('old-native-name-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'n', 2]] }],
      ['native', past(0), 5, 20],
    ], { old: true });
    await bothFail(file, { offset: record(file, /,8,\d+,5,20,/), message: /Detached/ });
  });

  //   root ──shortcut──▶ global ──p──▶ O1 {a, ⟨1 past the strings⟩} ──▶ V
  //                        └─────q──▶ O2 {a, ⟨1 past the strings⟩} ──▶ V
  test('a property name reads as DevTools reads it when it infers plain-object classes: {a, (system)}', async () => {
    // prettier-ignore
    const file = write('edge-name-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'p', 2], ['property', 'q', 3]] }],
      ['object', 'Object', 5, 20, { edges: [['property', 'a', 4], ['property', past(0), 4]] }],
      ['object', 'Object', 7, 20, { edges: [['property', 'a', 4], ['property', past(0), 4]] }],
      ['object', 'V', 9, 5],
    ], { strings: ['<dummy>', '', '1', 'global', 'p', 'q', 'Object', 'a', 'V'] });
    const dt = await same(file, /^2 edges name a string past the 9 strings \(the first: an edge of @5, string 9\)/);
    assert.equal(dt.get(5).className, '{a, (system)}');
  });

  //   root ──shortcut──▶ global ──internal ⟨1 past the strings⟩──▶ X
  test('an internal edge named past the strings: DevTools fails matching WeakMap edge names', async () => {
    // prettier-ignore
    const file = write('internal-edge-name-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['internal', past(0), 2]] }],
      ['object', 'X', 5, 20],
    ]);
    await bothFail(file, { offset: record(file, /,3,\d+,14]/), message: /WeakMap/ });
  });
});

describe('edge counts that do not add up to the edges array', () => {
  //   root ──shortcut──▶ global ─┬─a──▶ A      global's edge_count says 1: its second edge
  //                              └─b──▶ B      (b) becomes A's, A's (x) B's, and B, the last
  //                    A ──x──▶ B              node, gets the one left over (a self edge)
  test('fewer than the array holds: the last node gets the edges left over', async () => {
    // prettier-ignore
    const file = write('edge-counts-short', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { count: 1, edges: [['property', 'a', 2], ['property', 'b', 3]] }],
      ['object', 'A', 5, 20, { edges: [['property', 'x', 3]] }],
      ['object', 'B', 7, 30],
    ]);
    await same(
      file,
      /^the nodes' edge counts add up to 3 but the edges array has 4; as in DevTools, the last node \(@7\) gets the 1 edges left over$/,
    );
  });

  //   root ─shortcut─▶ global ──y──▶ Y ◀──y── X ◀──x── (GC roots) ◀─element── root
  //   global's edge_count says 2 and the array ends: the missing edge reads as node 0 in
  //   DevTools' page-owned walk, which then marks (GC roots) and X page-owned, so X → Y retains
  //   too: Y's dominator is the root, not global.
  test('more than the array holds: missing edges (the page-owned walk visits node 0)', async () => {
    // prettier-ignore
    const file = write('edge-counts-past', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 4], ['element', 2, 1]] }],
      ['synthetic', '(GC roots)', 3, 0, { edges: [['internal', 'x', 2]] }],
      ['object', 'X', 5, 10, { edges: [['property', 'y', 3]] }],
      ['object', 'Y', 7, 20],
      ['object', 'global', 9, 30, { count: 2, edges: [['property', 'y', 3]] }],
      ['object', 'Z', 11, 1],
    ]);
    const dt = await same(file, /the edge lists of 1 nodes \(the first: @9\) are cut short where the array ends$/);
    assert.equal(dt.get(7).dominatorId, 1);
  });

  //   root (edge_count 3; the array holds 1) ──element──▶ (GC roots)        Foo, (array)
  //   The root's 2 missing edges lead to no node, which DevTools counts as user roots:
  //   distances start at 100000000 (no user root otherwise: 0).
  test("the root's missing edges count as user roots", async () => {
    // prettier-ignore
    const file = write('root-edges-past', [
      ['synthetic', '', 1, 0, { count: 3, edges: [['element', 1, 1]] }],
      ['synthetic', '(GC roots)', 3, 0],
      ['object', 'Foo', 5, 10],
      ['array', '', 7, 20],
    ]);
    const dt = await same(file, /cut short where the array ends/);
    assert.equal(dt.get(1).distance, 100000000);
  });

  //   root ──shortcut──▶ global ──a──▶ A        edge_count 1 in the header: only the root's
  //   first edge is read; the root's second edge and global's are missing. In DevTools'
  //   page-owned walk global's missing edge visits node 0 (the root), whose missing edge
  //   pushes node 0 again, forever.
  test('node 0 with missing edges, reached in the page-owned walk: DevTools hangs', async () => {
    // prettier-ignore
    const file = write('page-owned-loop', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1], ['element', 2, 2]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['object', 'A', 5, 20],
    ], { edgeCount: 1 });
    const r = spawnSync(process.execPath, [oracle, file, '-'], { timeout: 5000, stdio: 'ignore' });
    assert.equal(r.signal, 'SIGTERM', 'DevTools is still at work after 5 s');
    assert.throws(() => analyzeSync(file), /never ends/);
  });
});

describe('an edge to a node past the last one', () => {
  //   root ──shortcut──▶ global ──a──▶ A ──b──▶ B ──l──▶ Last      A ──x──▶ (node index 350)
  //   The dangling edge leaves a retainer slot that DevTools gives the last node as "node 0
  //   through edge 0": the root's essential shortcut, so the root dominates Last, not B.
  test('the last node gets a retainer from node 0', async () => {
    // prettier-ignore
    const file = write('dangling-retainer', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['object', 'A', 5, 20, { edges: [['property', 'b', 3], ['property', 'x', nowhere(50)]] }],
      ['object', 'B', 7, 30, { edges: [['property', 'l', 4]] }],
      ['object', 'Last', 9, 40],
    ]);
    const dt = await same(file, /^1 edges point past the last node \(the first: edge 3 of @5, to_node 350; there are 5 nodes\)/);
    assert.equal(dt.get(9).dominatorId, 1);
  });

  //   root ──shortcut──▶ (node index 350)      root ──shortcut──▶ global ──a──▶ A ──▶ B ──▶ Last
  test('edge 0 itself points past the last node', async () => {
    // prettier-ignore
    const file = write('dangling-edge-0', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '0', nowhere(50)], ['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['object', 'A', 5, 20, { edges: [['property', 'b', 3]] }],
      ['object', 'B', 7, 30, { edges: [['property', 'l', 4]] }],
      ['object', 'Last', 9, 40],
    ]);
    const dt = await same(file, /edge 0 of @1/);
    assert.equal(dt.get(9).dominatorId, 1);
  });

  //   root ──element──▶ (GC roots) ──x──▶ Foo ──elements──▶ (array)     root ──element──▶ nowhere
  //   No user roots but for the dangling edge, which DevTools counts as one: the array's size
  //   moves to Foo and distances start at 100000000.
  test('from the root, it counts as a user root', async () => {
    // prettier-ignore
    const file = write('dangling-user-root', [
      ['synthetic', '', 1, 0, { edges: [['element', 1, 1], ['element', 2, nowhere(9)]] }],
      ['synthetic', '(GC roots)', 3, 0, { edges: [['internal', 'x', 2]] }],
      ['object', 'Foo', 5, 10, { edges: [['internal', 'elements', 3]] }],
      ['array', '', 7, 20],
    ]);
    const dt = await same(file, /point past the last node/);
    assert.deepEqual([dt.get(5).shallowSize, dt.get(1).distance], [30, 100000000]);
  });

  //   global ──a──▶ Array1 ──elements──▶ nowhere, then ──elements──▶ (array) 30
  //          └─b──▶ Array2 ──elements──▶ (array) 40
  test("an Array's first elements edge leading nowhere: Statistics count no backing store", async () => {
    // prettier-ignore
    const file = write('dangling-elements', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2], ['property', 'b', 4]] }],
      ['object', 'Array', 5, 16, { edges: [['internal', 'elements', nowhere(40)], ['internal', 'elements', 3]] }],
      ['array', '', 7, 30],
      ['object', 'Array', 9, 16, { edges: [['internal', 'elements', 5]] }],
      ['array', '', 11, 40],
      ['object', 'Z', 13, 1],
    ]);
    await same(file, /point past the last node/);
  });

  //   global ──p──▶ O1 {a ──▶ V, b ──▶ nowhere}     global ──q──▶ O2 {a ──▶ V, b ──▶ nowhere}
  test("plain objects' properties leading nowhere still name their class: {a, b}", async () => {
    // prettier-ignore
    const file = write('dangling-property', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'p', 2], ['property', 'q', 3]] }],
      ['object', 'Object', 5, 20, { edges: [['property', 'a', 4], ['property', 'b', nowhere(77)]] }],
      ['object', 'Object', 7, 20, { edges: [['property', 'a', 4], ['property', 'b', nowhere(78)]] }],
      ['object', 'V', 9, 5],
    ]);
    const dt = await same(file, /^2 edges point past the last node/);
    assert.deepEqual([dt.get(5).className, dt.get(5).name], ['{a, b}', '{a, b}']);
  });

  //   root ─shortcut─▶ global ──5 × nowhere, then a──▶ A ──b──▶ B ◀──b── C ◀─element─ root
  //   DevTools' page-owned walk keeps one stack entry per node (5): the push of A is lost, so
  //   B is not page-owned, C → B retains and the root dominates B.
  test("the page-owned walk's stack overflows and loses a node", async () => {
    const lost = [1, 2, 3, 4, 5].map((k) => ['property', `d${k}`, nowhere(9)]);
    // prettier-ignore
    const file = write('dangling-stack', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1], ['element', 2, 4]] }],
      ['object', 'global', 3, 10, { edges: [...lost, ['property', 'a', 2]] }],
      ['object', 'A', 5, 20, { edges: [['property', 'b', 3]] }],
      ['object', 'B', 7, 30],
      ['object', 'C', 9, 40, { edges: [['property', 'b', 3]] }],
    ]);
    const dt = await same(file, /^5 edges point past the last node/);
    assert.equal(dt.get(7).dominatorId, 1);
  });

  //   global ──internal native_context──▶ nowhere
  test('an internal native_context edge leading nowhere: DevTools fails reading its target', async () => {
    // prettier-ignore
    const file = write('dangling-native-context', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['internal', 'native_context', nowhere(9)]] }],
    ]);
    await bothFail(file, { offset: record(file, /,3,\d+,63]/), message: /native_context/ });
  });

  //   root ──shortcut──▶ global ──a──▶ (node index 15: not a multiple of 7)
  test('a to_node that is not a multiple of the node field count: DevTools fails', async () => {
    // prettier-ignore
    const file = write('to-node-not-multiple', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', raw(15)]] }],
      ['object', 'A', 5, 20],
    ]);
    const error = await bothFail(file, { offset: record(file, /,2,\d+,15]/) });
    assert.match(error, /Invalid toNodeIndex/);
  });
});

describe("the header's counts, which size DevTools' arrays", () => {
  //   root ──shortcut──▶ global ──a──▶ A ──b──▶ B
  // prettier-ignore
  const chain = [
    ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
    ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
    ['object', 'A', 5, 20, { edges: [['property', 'b', 3]] }],
    ['object', 'B', 7, 30],
  ];

  //   node_count 3: B is not read; A's edge to it points past the last node.
  test('fewer nodes than written: the rest is ignored', async () => {
    const file = write('header-fewer-nodes', chain, { nodeCount: 3 });
    await same(file, /^the header says 3 nodes but the nodes array has 4; as in DevTools, the header's count is used: the last 1 records/);
  });

  //   node_count 6, edge_count 5: two empty nodes (hidden, id 0) and two empty edges (to node 0,
  //   given to the last node).
  test('more nodes and edges than written: empty ones are added', async () => {
    const file = write('header-more', chain, { nodeCount: 6, edgeCount: 5 });
    await same(file, /^the header says 6 nodes but the nodes array has 4; .* 2 empty records \(all fields 0\) are added$/);
  });

  //   the nodes array ends with 3 values of a fifth record (object "global", id 9)
  test('a record cut short: DevTools reads 0 for the missing values', async () => {
    const edit = (text) => text.replace('],\n"edges"', ',3,3,9],\n"edges"');
    const file = write('header-partial-record', chain, { nodeCount: 5, edit });
    const dt = await same(file, /^the nodes array ends in the middle of a record \(3 of 7 values\); DevTools reads 0 for the missing/);
    assert.equal(dt.get(9).selfSize, 0);
  });

  test('node_count 0: DevTools fails', async () => {
    const file = write('header-no-nodes', chain, { nodeCount: 0 });
    await bothFail(file, { code: 'ERR_HEAPWISE_NOT_A_SNAPSHOT' });
  });
});

describe('other inconsistencies DevTools reads its own way', () => {
  //   root ──shortcut──▶ global ──a──▶ A (to_node 2^32 × 7 + 14: node index 14 modulo 2^32)
  test('values of 2^32 and more are kept modulo 2^32', async () => {
    // prettier-ignore
    const file = write('modulo-2-32', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', raw(2 ** 32 * 7 + 14)]] }],
      ['object', 'A', 5, 20],
    ]);
    const dt = await same(file);
    assert.equal(dt.get(5).distance, 2);
  });

  //   root ──shortcut──▶ global ─┬─a──▶ A (self_size 2^53 + 1: DevTools' digit-by-digit
  //                              │          double arithmetic rounds it to 2^53, ≡ 0 mod 2^32)
  //                              └─b──▶ B (self_size 2^64 + 5: 2^64 as a double, ≡ 0 mod 2^32)
  test("numbers past 2^53 are read as DevTools' doubles, modulo 2^32", async () => {
    // prettier-ignore
    const file = write('past-2-53', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2], ['property', 'b', 3]] }],
      ['object', 'A', 5, '9007199254740993'],
      ['object', 'B', 7, '18446744073709551621'],
    ]);
    const dt = await same(file);
    assert.deepEqual([dt.get(5).selfSize, dt.get(7).selfSize], [0, 0]);
  });

  //   root ──shortcut──▶ global ──a──▶ Array ("Array" and "elements" twice in the strings)
  //                                      └──elements (the second copy)──▶ (array)
  test('a string written twice counts as itself (Statistics: JS arrays)', async () => {
    // prettier-ignore
    const file = write('duplicate-strings', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1]] }],
      ['object', 'global', 3, 10, { edges: [['property', 'a', 2]] }],
      ['object', 8, 5, 16, { edges: [['internal', 9, 3]] }],
      ['array', '', 7, 30],
    ], { strings: ['<dummy>', '', 'Array', 'elements', '1', 'global', 'a', 'x', 'Array', 'elements'] });
    await same(file);
  });

  //   global ◀──shortcut── root (root_index: the second of three nodes) ──a──▶ A
  test('a root_index that is neither the first nor the last node: DevTools fails', async () => {
    // prettier-ignore
    const nodes = [
      ['object', 'global', 3, 10],
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 0], ['property', 'a', 2]] }],
      ['object', 'A', 5, 20],
    ];
    const rootIndex = (i) => (text) => text.replace('"trace_function_count":0', `"trace_function_count":0,"root_index":${i}`);
    const error = await bothFail(write('root-in-the-middle', nodes, { edit: rootIndex(7) }), { message: /neither the first nor the last/ });
    assert.match(error, /Root node is expected to be either first or last/);
    // Last is fine.
    // prettier-ignore
    const last = [
      ['object', 'global', 3, 10],
      ['object', 'A', 5, 20],
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 0], ['property', 'a', 1]] }],
    ];
    const dt = await same(write('root-last', last, { edit: rootIndex(14) }));
    assert.equal(dt.get(1).distance, 100000000);
  });

  //   root ══3 shortcuts══▶ A: DevTools queues A three times, more than the 2 nodes
  test('the root\'s edges queue more entries than there are nodes: DevTools fails ("BFS failed")', async () => {
    // prettier-ignore
    const file = write('bfs-overflow', [
      ['synthetic', '', 1, 0, { edges: [['shortcut', '1', 1], ['shortcut', '2', 1], ['shortcut', '3', 1]] }],
      ['object', 'A', 3, 10],
    ]);
    const error = await bothFail(file, { message: /BFS failed/ });
    assert.match(error, /BFS failed/);
    // Also as the first snapshot of a diff, which needs no distances: DevTools cannot load it.
    assert.throws(() => diffSync(file, file), /BFS failed/);
  });
});
