// DevTools parity: for every test snapshot, heapwise must report exactly what Chrome DevTools'
// own heap snapshot code (chrome-devtools-frontend, run by tools/devtools/oracle.mjs) computes:
// per node (self / shallow / retained size, distance, dominator), every Summary row, the
// Statistics view and the totals.
//
// The snapshots are written at test time by __test__/fixtures/write-snapshots.js into a temp dir.
// Env:
//   HEAPWISE_PARITY_ONLY=name,name     only these snapshots / scenarios (e.g. strings,worker)
//   HEAPWISE_PARITY_FILES=a:b          also check these existing .heapsnapshot files
//                                      (path.delimiter-separated)
//   HEAPWISE_PARITY_KEEP=1             keep the temp dir (snapshots, JSON and TSV of both sides)
//   HEAPWISE_CLI=path/to/cli.js        run this heapwise CLI instead of <repo>/cli.js
'use strict';
const {describe, test, before, after} = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {SCENARIOS, writeSnapshots} = require('./fixtures/write-snapshots');
const dt = require('./helpers/devtools');

const only = (process.env.HEAPWISE_PARITY_ONLY || '').split(',').map(s => s.trim()).filter(Boolean);
const scenarios = Object.keys(SCENARIOS).filter(s => !only.length || only.includes(s) || SCENARIOS[s].files.some(f => only.includes(f)));
const extraFiles = (process.env.HEAPWISE_PARITY_FILES || '').split(path.delimiter).filter(Boolean);
const cases = [
  ...scenarios.flatMap(s => SCENARIOS[s].files.filter(f => !only.length || only.includes(s) || only.includes(f))
    .map(f => ({name: f, scenario: s}))),
  ...extraFiles.map(f => ({name: path.basename(f, '.heapsnapshot'), file: path.resolve(f)})),
];

// What each generated snapshot must contain (as DevTools sees it), so that a change in Node / V8
// cannot silently turn a fixture into something that no longer tests its case.
const row = (rows, name) => rows.find(r => r.name === name);
const FIXTURE_CHECKS = {
  'class-map': rows => assert.strictEqual(row(rows, 'LeakyThing')?.count, 3000),
  shapes: rows => {
    assert.ok(row(rows, '{a, b}') && row(rows, '{x, y, z}'), 'inferred interfaces {a, b} and {x, y, z}');
    assert.strictEqual(row(rows, 'Point')?.count, 150);
  },
  closures: rows => assert.strictEqual(row(rows, 'Secretive')?.count, 40),
  weak: rows => assert.ok(row(rows, 'WeakMap') && row(rows, 'WeakRef') && row(rows, '{back}')?.count >= 50),
  buffers: (rows, j) => assert.ok(j.statistics.view.typed_arrays > 256 * 1024, 'typed arrays in Statistics'),
  strings: rows => {
    assert.ok(rows.some(r => r.name.includes('\ud800')), 'a class name with a lone surrogate');
    assert.ok(rows.some(r => r.name.startsWith('{"a,b"')), 'an interface name with quoted property names');
    assert.ok(row(rows, '(sliced string)') && row(rows, '(concatenated string)'));
  },
  numbers: rows => assert.ok(row(rows, '(number)')?.count >= 100 && row(rows, '(bigint)')),
  internals: (rows, j, nodes) => {
    assert.strictEqual(nodes.columns.distance[nodes.index.get(1)], 0, 'no user roots: root distance 0');
    assert.strictEqual(j.total_self_size, j.total_shallow_size);
  },
  native: rows => assert.ok(row(rows, 'Detached Node / ContextifyScript') && row(rows, 'global')?.count >= 3),
  worker: rows => assert.strictEqual(row(rows, 'WorkerThing')?.count, 500),
  'growth-after': rows => assert.strictEqual(row(rows, 'NewComer')?.count, 1000),
  'alloc-trace': rows => assert.strictEqual(row(rows, 'Tracked')?.count, 800),
};

describe('DevTools parity', () => {
  let dir;
  const files = new Map();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-parity-'));
    dt.ensureDevTools();
    const t0 = Date.now();
    if (scenarios.length) for (const {name, file} of writeSnapshots(dir, {only: scenarios})) files.set(name, file);
    for (const c of cases) if (c.file) files.set(c.name, c.file);
    process.stderr.write(`parity: ${files.size} snapshots in ${dir} (written in ${Date.now() - t0} ms)\n`);
  });

  after(() => {
    if (!dir) return;
    if (process.env.HEAPWISE_PARITY_KEEP) process.stderr.write(`parity: kept ${dir}\n`);
    else fs.rmSync(dir, {recursive: true, force: true});
  });

  for (const c of cases) {
    describe(c.name, () => {
      let devtools, expected;
      let heapwise = null, heapwiseError = null;
      const getHeapwise = () => {
        if (heapwiseError) throw heapwiseError;
        if (!heapwise) {
          try {
            const r = dt.runHeapwise(files.get(c.name), dir, c.name);
            heapwise = {...r, common: dt.normalizeHeapwise(r.json)};
          } catch (e) {
            heapwiseError = e;
            throw e;
          }
        }
        return heapwise;
      };

      before(() => {
        const r = dt.runDevTools(files.get(c.name), dir, c.name);
        devtools = r;
        expected = dt.normalizeDevTools(r.json);
        assert.strictEqual(r.nodes.count, r.json.node_count, 'DevTools TSV has one line per node');
        assert.strictEqual(r.nodes.duplicateIds.length, 0, 'snapshot node ids are unique');
      });

      // needs no heapwise: checks the DevTools side and the fixture itself
      test('DevTools output is self-consistent and the snapshot covers its case', () => {
        const j = devtools.json;
        assert.strictEqual(j.total_size, j.root_retained_size + j.extra_native_bytes);
        assert.strictEqual(j.statistics.view.total, j.total_size);
        assert.strictEqual(j.summary.total_shallow_size, j.total_shallow_size);
        assert.strictEqual(j.total_self_size, j.total_shallow_size, 'shallow-size moves keep the total');
        const check = FIXTURE_CHECKS[c.name];
        if (check) check(j.summary.rows, j, devtools.nodes);
      });

      test('per-node self_size, shallow_size, retained_size, distance, dominator_id', () => {
        const hw = getHeapwise();
        const cmp = dt.compareNodes(devtools.nodes, hw.nodes);
        assert.ok(cmp.ok, `${c.name}: ${cmp.report}`);
      });

      test('Summary view rows (by class key)', () => {
        const hw = getHeapwise();
        const cmp = dt.compareSummary(expected.summary, hw.common.summary);
        assert.ok(cmp.ok, `${c.name}: ${cmp.report}`);
      });

      test('Statistics view, nodeCount, edgeCount, totalSize', () => {
        const hw = getHeapwise();
        const cmp = dt.compareTotals(expected, hw.common);
        assert.ok(cmp.ok, `${c.name}: ${cmp.report}`);
      });
    });
  }
});
