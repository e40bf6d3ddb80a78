// One DevTools parity case, shared by parity.test.js (snapshots of this Node) and
// producers.test.js (other Node versions, Chrome): a describe block that runs DevTools' worker
// code (tools/devtools/oracle.mjs) and `heapwise analyze` on one snapshot and checks, node by
// node, self / shallow / retained size, distance and dominator, then every Summary row, then the
// Statistics and totals. FIXTURE_CHECKS says what each generated snapshot must contain (as
// DevTools sees it), so that a change in Node / V8 cannot silently turn a fixture into something
// that no longer tests its case.
'use strict';
const { describe, test, before } = require('node:test');
const assert = require('node:assert');
const dt = require('./devtools');

const row = (rows, name) => rows.find((r) => r.name === name);

/** Checks per fixture name: (summaryRows, devtoolsJson, devtoolsNodes) => asserts. */
const FIXTURE_CHECKS = {
  'class-map': (rows) => assert.strictEqual(row(rows, 'LeakyThing')?.count, 3000),
  shapes: (rows) => {
    assert.ok(row(rows, '{a, b}') && row(rows, '{x, y, z}'), 'inferred interfaces {a, b} and {x, y, z}');
    assert.strictEqual(row(rows, 'Point')?.count, 150);
  },
  closures: (rows) => assert.strictEqual(row(rows, 'Secretive')?.count, 40),
  weak: (rows) => assert.ok(row(rows, 'WeakMap') && row(rows, 'WeakRef') && row(rows, '{back}')?.count >= 50),
  buffers: (rows, j) => assert.ok(j.statistics.view.typed_arrays > 256 * 1024, 'typed arrays in Statistics'),
  strings: (rows) => {
    assert.ok(
      rows.some((r) => r.name.includes('\ud800')),
      'a class name with a lone surrogate',
    );
    assert.ok(
      rows.some((r) => r.name.startsWith('{"a,b"')),
      'an interface name with quoted property names',
    );
    assert.ok(row(rows, '(sliced string)') && row(rows, '(concatenated string)'));
  },
  numbers: (rows) => assert.ok(row(rows, '(number)')?.count >= 100 && row(rows, '(bigint)')),
  internals: (rows, j, nodes) => {
    assert.strictEqual(nodes.columns.distance[nodes.index.get(1)], 0, 'no user roots: root distance 0');
    assert.strictEqual(j.total_self_size, j.total_shallow_size);
  },
  native: (rows) => assert.ok(row(rows, 'Detached Node / ContextifyScript') && row(rows, 'global')?.count >= 3),
  worker: (rows) => assert.strictEqual(row(rows, 'WorkerThing')?.count, 500),
  'growth-after': (rows) => assert.strictEqual(row(rows, 'NewComer')?.count, 1000),
  'alloc-trace': (rows) => assert.strictEqual(row(rows, 'Tracked')?.count, 800),
  'alloc-timeline': (rows) => assert.strictEqual(row(rows, 'Timeline')?.count, 600),
  'alloc-timeline-inprocess': (rows) => assert.strictEqual(row(rows, 'Timeline')?.count, 600),
};

/**
 * Defines the parity tests of one snapshot. `name` labels the case (and its output files);
 * opts: file() -> the snapshot, dir() -> where outputs go (both called in the before hook, after
 * the caller's own before hooks wrote them; when file() gives nothing, its producer failed and
 * said so in a test of its own, and the case's tests are skipped rather than cancelled one by
 * one), devtoolsFile() -> the file DevTools reads when it is
 * not the same (default file()), check(rows, json, nodes) -> the fixture's own assertions,
 * report({name, nodes, equal, summaryRows}) -> called with the per-node figures once compared.
 */
function parityCase(name, { file, dir, devtoolsFile = file, check = FIXTURE_CHECKS[name], report } = {}) {
  describe(name, () => {
    let devtools, expected;
    let noSnapshot = null;
    let heapwise = null,
      heapwiseError = null;
    const getHeapwise = () => {
      if (heapwiseError) throw heapwiseError;
      if (!heapwise) {
        try {
          const r = dt.runHeapwise(file(), dir(), name);
          heapwise = { ...r, common: dt.normalizeHeapwise(r.json) };
        } catch (e) {
          heapwiseError = e;
          throw e;
        }
      }
      return heapwise;
    };

    before(() => {
      if (!file()) {
        noSnapshot = `no snapshot for ${name}: its producer failed (see its test)`;
        return;
      }
      const r = dt.runDevTools(devtoolsFile(), dir(), name);
      devtools = r;
      expected = dt.normalizeDevTools(r.json);
      assert.strictEqual(r.nodes.count, r.json.node_count, 'DevTools TSV has one line per node');
      assert.strictEqual(r.nodes.duplicateIds.length, 0, 'snapshot node ids are unique');
    });

    // needs no heapwise: checks the DevTools side and the fixture itself
    test('DevTools output is self-consistent and the snapshot covers its case', (t) => {
      if (noSnapshot) return t.skip(noSnapshot);
      const j = devtools.json;
      assert.strictEqual(j.total_size, j.root_retained_size + j.extra_native_bytes);
      assert.strictEqual(j.statistics.view.total, j.total_size);
      assert.strictEqual(j.summary.total_shallow_size, j.total_shallow_size);
      assert.strictEqual(j.total_self_size, j.total_shallow_size, 'shallow-size moves keep the total');
      if (check) check(j.summary.rows, j, devtools.nodes);
    });

    test('per-node self_size, shallow_size, retained_size, distance, dominator_id', (t) => {
      if (noSnapshot) return t.skip(noSnapshot);
      const hw = getHeapwise();
      const cmp = dt.compareNodes(devtools.nodes, hw.nodes);
      if (report) report({ name, nodes: devtools.nodes.count, equal: cmp.shared - cmp.badNodes, summaryRows: expected.summary.length });
      assert.ok(cmp.ok, `${name}: ${cmp.report}`);
    });

    test('Summary view rows (by class key)', (t) => {
      if (noSnapshot) return t.skip(noSnapshot);
      const hw = getHeapwise();
      const cmp = dt.compareSummary(expected.summary, hw.common.summary);
      assert.ok(cmp.ok, `${name}: ${cmp.report}`);
    });

    test('Statistics view, nodeCount, edgeCount, totalSize', (t) => {
      if (noSnapshot) return t.skip(noSnapshot);
      const hw = getHeapwise();
      const cmp = dt.compareTotals(expected, hw.common);
      assert.ok(cmp.ok, `${name}: ${cmp.report}`);
    });
  });
}

module.exports = { parityCase, FIXTURE_CHECKS };
