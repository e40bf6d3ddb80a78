// DevTools parity of `heapwise diff`: on same-process snapshot pairs written at test time,
// `heapwise diff A B --format json --include-internal` must report exactly what Chrome DevTools'
// own code (tools/devtools/oracle.mjs --diff) shows:
//   - the Comparison view (A as base, B as current): the same class keys, and per key the same
//     name, # New, # Deleted, # Delta, Alloc. Size, Freed Size, Size Delta; the same totals;
//   - the Summary of B filtered to "Objects allocated between Snapshot 1 and Snapshot 2"
//     (ids in (maxJSObjectId(A), maxJSObjectId(B)]): the same keys, names, counts, shallow and
//     retained sizes (and distances, when heapwise reports them);
//   - per snapshot: node count, total size and maxJSObjectId; sizeDelta;
//   - growers: retainedBefore / retainedAfter equal DevTools' retained sizes of that id;
//   - final mode (baseline / target / final): every leak candidate id is in target, not in
//     baseline, and still in final.
// `--include-internal` is given so that no class is filtered out.
//
// Env:
//   HEAPWISE_DIFF_KEEP=1            keep the temp dir (snapshots and both sides' JSON)
//   HEAPWISE_CLI=path/to/main.js    run this heapwise CLI instead of <repo>/lib/cli/main.js
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeSnapshots } = require('./fixtures/write-snapshots');
const dt = require('./helpers/devtools');

const PAIRS = [
  ['growth-before', 'growth-after'],
  ['leak-baseline', 'leak-target'],
  ['leak-target', 'leak-final'],
  ['leak-baseline', 'leak-final'],
];

// What each pair must show in DevTools, so that a change in Node / V8 cannot silently turn a
// fixture into something that no longer tests its case.
const byName = (rows, name) => rows.filter((r) => r.name === name);
const sum = (rows, f) => rows.reduce((s, r) => s + r[f], 0);
const FIXTURE_CHECKS = {
  'growth-before--growth-after': (d) => {
    assert.strictEqual(sum(byName(d.classes, 'NewComer'), 'newCount'), 1000);
    assert.strictEqual(sum(byName(d.classes, 'LeakyThing'), 'newCount'), 800);
    assert.strictEqual(sum(byName(d.classes, 'LeakyThing'), 'deletedCount'), 600);
  },
  'leak-baseline--leak-target': (d) => {
    assert.strictEqual(sum(byName(d.classes, 'Gone'), 'deletedCount'), 200, 'a class freed entirely');
    assert.strictEqual(sum(byName(d.classes, 'Gone'), 'newCount'), 0);
    assert.strictEqual(sum(byName(d.classes, 'Session'), 'newCount'), 300);
    assert.ok(byName(d.classes, '{p, q}').length, '{p, q} inferred in target, applied to baseline');
    assert.ok(sum(byName(d.classes, 'Object'), 'deletedCount') >= 400, '{u, v} of baseline counted as Object');
    assert.strictEqual(sum(byName(d.allocated, 'Session'), 'count'), 300);
  },
  'leak-target--leak-final': (d) => {
    assert.strictEqual(sum(byName(d.classes, 'Temporary'), 'deletedCount'), 500);
    assert.strictEqual(sum(byName(d.classes, 'Session'), 'deletedCount'), 100);
    assert.strictEqual(sum(byName(d.classes, 'Session'), 'newCount'), 50);
  },
};

describe('diff: DevTools Comparison parity', () => {
  let dir;
  const files = new Map();
  const retained = new Map(); // snapshot name -> loadNodesTsv() of DevTools' per-node dump

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-diff-parity-'));
    dt.ensureDevTools();
    const t0 = Date.now();
    for (const { name, file } of writeSnapshots(dir, { only: ['growth', 'leak-final'] })) files.set(name, file);
    process.stderr.write(`diff parity: ${files.size} snapshots in ${dir} (written in ${Date.now() - t0} ms)\n`);
  });

  after(() => {
    if (!dir) return;
    if (process.env.HEAPWISE_DIFF_KEEP) process.stderr.write(`diff parity: kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });

  // DevTools' per-node retained sizes of one snapshot (for the growers), computed once.
  function devtoolsNodes(name) {
    if (!retained.has(name)) retained.set(name, dt.runDevTools(files.get(name), dir, name).nodes);
    return retained.get(name);
  }

  for (const [a, b] of PAIRS) {
    const pair = `${a}--${b}`;
    describe(pair, () => {
      let expected, actual, heapwise;

      before(() => {
        const t0 = Date.now();
        expected = dt.normalizeDevToolsDiff(dt.runDevToolsDiff(files.get(a), files.get(b), dir, pair).json);
        const t1 = Date.now();
        heapwise = dt.runHeapwiseDiff([files.get(a), files.get(b), '--format', 'json', '--include-internal', '--top', '25']);
        const t2 = Date.now();
        process.stderr.write(`diff parity: ${pair}: devtools ${t1 - t0} ms, heapwise ${t2 - t1} ms\n`);
        if (process.env.HEAPWISE_DIFF_KEEP) fs.writeFileSync(path.join(dir, `${pair}.heapwise-diff.json`), heapwise.stdout);
        actual = heapwise.json;
      });

      test('the fixture shows what it is meant to (DevTools side)', () => {
        if (FIXTURE_CHECKS[pair]) FIXTURE_CHECKS[pair](expected);
        assert.ok(expected.classes.length > 0 && expected.allocated.length > 0);
      });

      test('heapwise diff runs and prints a HeapDiff', () => {
        assert.ok(
          heapwise.status === 0 || heapwise.status === 1,
          `heapwise diff exited ${heapwise.status} (${heapwise.signal || ''}): ${heapwise.stderr.slice(-3000)}`,
        );
        assert.ok(actual, `heapwise diff --format json printed no JSON: ${heapwise.stdout.slice(0, 500)}`);
        assert.strictEqual(actual.schemaVersion, 2);
        assert.strictEqual(actual.sameProcess, true, 'a same-process pair');
      });

      test("Comparison rows and totals equal DevTools'", () => {
        assert.ok(actual, 'no HeapDiff');
        const cmp = dt.compareComparison(expected, actual);
        assert.ok(cmp.ok, `${pair}:\n${cmp.report}`);
        // sorted as the Comparison view sorts by default: Alloc. Size, descending
        for (let i = 1; i < actual.classes.length; i++) {
          assert.ok(actual.classes[i - 1].allocSize >= actual.classes[i].allocSize, `classes not sorted by allocSize at ${i}`);
        }
      });

      test('allocated rows equal DevTools\' "Objects allocated between" Summary', () => {
        assert.ok(actual, 'no HeapDiff');
        const fields = ['name', 'count', 'shallowSize', 'retainedSize'];
        if (actual.allocated.length && actual.allocated.every((r) => typeof r.distance === 'number')) fields.push('distance');
        const cmp = dt.compareSummary(expected.allocated, actual.allocated, { fields, title: 'Allocated-between Summary' });
        assert.ok(cmp.ok, `${pair}:\n${cmp.report}`);
      });

      test("snapshot totals, maxJsObjectId and sizeDelta equal DevTools'", () => {
        assert.ok(actual, 'no HeapDiff');
        for (const side of ['before', 'after']) {
          for (const f of ['nodeCount', 'totalSize', 'maxJsObjectId']) {
            assert.strictEqual(actual[side][f], expected[side][f], `${side}.${f}`);
          }
        }
        assert.strictEqual(actual.sizeDelta, expected.after.totalSize - expected.before.totalSize, 'sizeDelta');
        assert.strictEqual(actual.final, undefined);
        assert.deepStrictEqual(actual.leaks, []);
      });

      test("growers: retained sizes before / after equal DevTools' for the same id", () => {
        assert.ok(actual, 'no HeapDiff');
        const nb = devtoolsNodes(a),
          na = devtoolsNodes(b);
        assert.ok(actual.growers.length <= 25, '--top 25');
        let prev = Infinity;
        for (const g of actual.growers) {
          const id = g.node.id;
          const ib = nb.index.get(id),
            ia = na.index.get(id);
          assert.ok(ib !== undefined && ia !== undefined, `grower @${id} is not in both snapshots`);
          assert.strictEqual(g.retainedBefore, nb.columns.retained_size[ib], `@${id} retainedBefore`);
          assert.strictEqual(g.retainedAfter, na.columns.retained_size[ia], `@${id} retainedAfter`);
          assert.strictEqual(g.node.retainedSize, g.retainedAfter, `@${id} node.retainedSize is the after one`);
          assert.strictEqual(g.growth, g.retainedAfter - g.retainedBefore, `@${id} growth`);
          assert.ok(g.growth > 0, `@${id} did not grow`);
          assert.ok(g.growth <= prev, 'growers sorted by growth, largest first');
          prev = g.growth;
          assert.ok(Array.isArray(g.retainerPath) && g.retainerPath.length > 0, `@${id} has a retainer path`);
          assert.strictEqual(g.retainerPath[g.retainerPath.length - 1].node.id, id, `@${id}: the path ends at the grower`);
        }
      });
    });
  }

  describe('final mode (leak-baseline, leak-target, leak-final)', () => {
    let r;
    before(() => {
      r = dt.runHeapwiseDiff([
        files.get('leak-baseline'),
        files.get('leak-target'),
        '--final',
        files.get('leak-final'),
        '--format',
        'json',
        '--include-internal',
        '--top',
        '1000',
      ]);
    });

    test('leak candidates: allocated between baseline and target, alive in final', () => {
      assert.ok(r.json, `no HeapDiff (exit ${r.status}): ${r.stderr.slice(-3000)}`);
      assert.strictEqual(r.status, r.json.verdict.ok ? 0 : 1, 'exit code follows the verdict');
      assert.ok(r.json.final && r.json.final.nodeCount > 0, 'final snapshot described');
      const ids = (name) => new Set(Array.from(devtoolsNodes(name).columns.id));
      const base = ids('leak-baseline'),
        target = ids('leak-target'),
        fin = ids('leak-final');
      let n = 0;
      for (const g of r.json.leaks) {
        assert.ok(g.ids.length > 0 && g.ids.length <= g.count, `${g.name}: ${g.ids.length} ids for a count of ${g.count}`);
        for (const id of g.ids) {
          n++;
          assert.ok(target.has(id) && !base.has(id) && fin.has(id), `leak id @${id} (${g.name}) breaks baseline/target/final`);
        }
      }
      assert.ok(n > 0, 'leak candidates found');
      const sessions = r.json.leaks.filter((g) => g.name === 'Session').reduce((s, g) => s + g.count, 0);
      assert.strictEqual(sessions, 200, 'the 200 Sessions allocated before target and alive in final');
      assert.ok(!r.json.leaks.some((g) => g.name === 'Temporary'), 'Temporaries were freed before final: not leaks');
      assert.strictEqual(r.json.verdict.ok, false, 'leaks found: verdict not ok');
      assert.strictEqual(r.status, 1);
    });
  });
});
