'use strict';
// The native query primitives the JSON query layer builds on: pages (every page concatenated is
// the unpaged list), instances (a Summary row's objects, exactly as many as it counts), several
// retainer paths, explain, peek (the header's counts are the analysis'), diffAnalyses (equal to
// diff on the files) and Series.addAnalysis (equal to add). Snapshots are written by Node at test
// time.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { analyze, diff, diffAnalyses, diffBaseline, peek, Series, HeapwiseError } = require('heapwise');
const { writeSnapshots } = require('./fixtures/write-snapshots.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-query-'));
const files = Object.fromEntries(writeSnapshots(dir, { only: ['growth'] }).map((s) => [s.name, s.file]));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** @type {Map<string, Promise<import('heapwise').HeapAnalysis>>} */
const loaded = new Map();
/** @param {string} name */
function load(name) {
  if (!loaded.has(name)) loaded.set(name, analyze(files[name]));
  return /** @type {Promise<import('heapwise').HeapAnalysis>} */ (loaded.get(name));
}

/**
 * Every page of `page` from offset 0 on, `size` at a time, concatenated; checks `total` and
 * `offset` on the way.
 * @template T
 * @param {(o: { offset: number; limit: number }) => { total: number; offset: number } & Record<string, any>} page
 * @param {string} field
 * @param {number} size
 * @returns {T[]}
 */
function allPages(page, field, size) {
  const out = [];
  for (let offset = 0; ; offset += size) {
    const p = page({ offset, limit: size });
    assert.strictEqual(p.offset, Math.min(offset, p.total));
    out.push(...p[field]);
    if (offset + size >= p.total) {
      assert.strictEqual(out.length, p.total);
      return out;
    }
  }
}

/** Ids worth paging: the root (millions of children on a big heap), the largest objects and their holders. */
async function sampleIds() {
  const a = await load('growth-after');
  const top = a.top(15);
  const ids = new Set([top[0].retainerPath[0].node.id]);
  for (const t of top) {
    ids.add(t.node.id);
    for (const s of t.retainerPath) ids.add(s.node.id);
  }
  return [...ids];
}

test('every page of references, retainers and dominated concatenated is the whole list', async () => {
  const a = await load('growth-after');
  const ids = await sampleIds();
  let paged = 0;
  for (const id of ids) {
    for (const size of [1, 7, 500]) {
      assert.deepStrictEqual(
        allPages((o) => a.referencesPage(id, o), 'edges', size),
        a.references(id),
      );
      assert.deepStrictEqual(
        allPages((o) => a.retainersPage(id, o), 'edges', size),
        a.retainers(id),
      );
      assert.deepStrictEqual(
        allPages((o) => a.dominatedPage(id, o), 'nodes', size),
        a.dominated(id),
      );
    }
    if (a.dominated(id).length > 7 || a.references(id).length > 7) paged++;
  }
  assert.ok(paged >= 3, 'some lists span several pages');
  const root = ids[0];
  assert.ok(a.dominatedPage(root).total > 100, 'the root dominates many');
  assert.strictEqual(a.dominatedPage(root).nodes.length, 50, 'default limit 50');
  const big = a.summary().find((r) => r.count > 10000);
  assert.ok(big, 'a class of more than 10,000 objects');
  assert.strictEqual(a.instances(big.key, { limit: 1e9 }).nodes.length, 10000, 'limit clamped to 10,000');
  // Unknown ids: empty pages, as the unpaged lists are empty.
  for (const p of [a.referencesPage(2 ** 31), a.retainersPage(-1), a.dominatedPage(0.5)]) {
    assert.strictEqual(p.total, 0);
    assert.strictEqual(p.offset, 0);
  }
  assert.throws(
    () => a.referencesPage(root, { offset: -1 }),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
});

test('instances: every Summary row counts exactly its instances', async () => {
  const a = await load('growth-after');
  const rows = a.summary();
  for (const row of rows) {
    const p = a.instances(row.key, { limit: 0 });
    assert.strictEqual(p.total, row.count, row.key);
    assert.strictEqual(p.nodes.length, 0);
  }
  const leaky = rows.find((r) => r.name === 'LeakyThing');
  assert.ok(leaky);
  const all = allPages((o) => a.instances(leaky.key, o), 'nodes', 333);
  assert.strictEqual(all.length, leaky.count);
  assert.ok(all.every((n) => n.className === 'LeakyThing'));
  for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].retainedSize >= all[i].retainedSize);
  assert.strictEqual(
    all.reduce((s, n) => s + n.shallowSize, 0),
    leaky.shallowSize,
  );
  const byId = a.instances(leaky.key, { sort: 'id', limit: 10000 }).nodes.map((n) => n.id);
  assert.deepStrictEqual(
    byId,
    [...byId].sort((x, y) => x - y),
  );
  assert.strictEqual(a.instances('no such key').total, 0);
});

test('summaryPage: the default order is summary(), the filter is a case-insensitive substring', async () => {
  const a = await load('growth-after');
  const rows = a.summary();
  const first = a.summaryPage();
  assert.strictEqual(first.total, rows.length);
  assert.deepStrictEqual(first.rows, rows.slice(0, 50));
  assert.deepStrictEqual(
    allPages((o) => a.summaryPage(o), 'rows', 97),
    rows,
  );
  const leaky = a.summaryPage({ filter: 'leakything' });
  assert.deepStrictEqual(
    leaky.rows,
    rows.filter((r) => r.name.toLowerCase().includes('leakything')),
  );
  const byName = a.summaryPage({ sort: 'name', limit: 10000 }).rows.map((r) => r.name);
  for (let i = 1; i < byName.length; i++) assert.ok(Buffer.compare(Buffer.from(byName[i - 1]), Buffer.from(byName[i])) <= 0);
  const byCount = a.summaryPage({ sort: 'count', limit: 3 }).rows;
  assert.strictEqual(byCount[0].count, Math.max(...rows.map((r) => r.count)));
  assert.throws(
    () => a.summaryPage({ sort: /** @type {any} */ ('size') }),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
});

test('retainerPaths starts with retainerPath; explain says what holds an object', async () => {
  const a = await load('growth-after');
  const [t] = a.top(1);
  const leaky = a.instances(a.summaryPage({ filter: 'LeakyThing' }).rows[0].key, { limit: 1 }).nodes[0];
  for (const id of [t.node.id, leaky.id]) {
    const paths = a.retainerPaths(id);
    assert.ok(paths.length >= 1 && paths.length <= 5);
    assert.deepStrictEqual(paths[0].steps, a.retainerPath(id));
    assert.strictEqual(paths[0].pathText, a.explain(id).pathText, 'each path carries its text in the one notation');
    assert.ok(paths.every((p) => p.steps.length >= 1 && p.steps[p.steps.length - 1].node.id === id));
    assert.strictEqual(a.retainerPaths(id, 1).length, 1);
    const e = a.explain(id);
    assert.ok(e);
    assert.deepStrictEqual(e.node, a.node(id));
    assert.deepStrictEqual(e.paths, a.retainerPaths(id, 3));
    assert.deepStrictEqual(e.retainers, a.retainersPage(id, { limit: 10 }));
    assert.deepStrictEqual(e.dominated, a.dominatedPage(id, { limit: 10 }));
    assert.ok(e.sentence.startsWith(`${e.node.name.slice(0, 20)}`), e.sentence);
    assert.match(e.sentence, new RegExp(`@${id} \\(`));
    // The dominator chain climbs: each one's dominator is the next.
    let d = e.node.dominatorId;
    for (const n of e.dominators) {
      assert.strictEqual(n.id, d);
      d = n.dominatorId;
    }
  }
  assert.strictEqual(a.explain(t.node.id)?.pathText, t.pathText);
  assert.strictEqual(a.explain(2 ** 31), null);
  assert.deepStrictEqual(a.retainerPaths(2 ** 31), []);
});

test('peek reads the counts analyze finds, and memoryBytes is near its prediction', async () => {
  for (const name of ['growth-before', 'growth-after']) {
    const a = await load(name);
    const h = await peek(pathToFileURL(files[name]));
    assert.strictEqual(h.file, files[name]);
    assert.strictEqual(h.nodeCount, a.nodeCount);
    assert.strictEqual(h.edgeCount, a.edgeCount);
    assert.strictEqual(h.fileSize, fs.statSync(files[name]).size);
    assert.ok(h.nodeFields.includes('id') && h.edgeFields.includes('to_node'));
    assert.ok(h.hasLocations);
    assert.ok(h.v8, 'a Node snapshot has a known layout');
    const ratio = h.predictedMemoryBytes / a.memoryBytes;
    assert.ok(ratio > 0.7 && ratio < 1.3, `predicted ${h.predictedMemoryBytes}, measured ${a.memoryBytes}`);
    assert.ok(h.predictedPeakBytes > h.predictedMemoryBytes);
  }
  const notSnapshot = path.join(dir, 'not-a-snapshot.json');
  fs.writeFileSync(notSnapshot, `{"nodes":[${'1,'.repeat(600000)}1]}`);
  await assert.rejects(
    peek(notSnapshot),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_NOT_A_SNAPSHOT' && e.byteOffset === 1 << 20,
  );
  await assert.rejects(peek(path.join(dir, 'missing')), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_IO');
});

test('diffAnalyses equals diff on the same files', async () => {
  const [before, after] = [await load('growth-before'), await load('growth-after')];
  const options = { top: 5, maxGrowthBytes: 1000 };
  const fromFiles = await diff(files['growth-before'], files['growth-after'], options);
  const fromLoaded = await diffAnalyses(before, after, options);
  assert.deepStrictEqual(fromLoaded, fromFiles);
  assert.ok(fromLoaded.classes.length > 0 && fromLoaded.growers.length > 0);
  // Both analyses stay usable.
  assert.strictEqual(before.summary().length > 0 && after.nodeCount > 0, true);
  const closed = await analyze(files['growth-before']);
  closed.close();
  await assert.rejects(diffAnalyses(closed, after), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
});

test('a DiffBaseline compares like diff after its analysis is closed; findings: false leaves out only the findings', async () => {
  const options = { top: 5, maxGrowthBytes: 1000 };
  const fromFiles = await diff(files['growth-before'], files['growth-after'], options);
  assert.ok(fromFiles.findings.length > 0, 'the growth pair has findings');
  const first = await analyze(files['growth-before']);
  const baseline = await diffBaseline(first);
  first.close();
  assert.strictEqual(baseline.file, files['growth-before']);
  const after = await load('growth-after');
  assert.deepStrictEqual(await baseline.diff(after, options), fromFiles);
  // the same baseline serves every later comparison
  assert.deepStrictEqual(await baseline.diff(after, options), fromFiles);
  const noFindings = await diff(files['growth-before'], files['growth-after'], { ...options, findings: false });
  assert.deepStrictEqual(noFindings.findings, []);
  assert.deepStrictEqual({ ...noFindings, findings: fromFiles.findings, verdict: fromFiles.verdict }, fromFiles);
  assert.deepStrictEqual(await baseline.diff(after, { ...options, findings: false }), noFindings);
  await assert.rejects(diffBaseline(first), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
  await assert.rejects(
    baseline.diff(after, /** @type {any} */ ({ final: files['growth-after'] })),
    (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT',
  );
});

test('Series.addAnalysis finds what add finds', async () => {
  const byPath = new Series();
  const byAnalysis = new Series();
  for (const name of ['growth-before', 'growth-after']) {
    const fromPath = await byPath.add(files[name], { callsPerStep: 800 });
    const fromAnalysis = await byAnalysis.addAnalysis(await load(name), { callsPerStep: 800 });
    assert.deepStrictEqual(fromAnalysis, fromPath);
  }
  assert.strictEqual(byAnalysis.length, 2);
  const closed = await analyze(files['growth-before']);
  closed.close();
  await assert.rejects(byAnalysis.addAnalysis(closed), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
});

test('prepareQueries builds the id index and the name search ahead: the same answers, and a closed analysis rejects', async () => {
  const patterns = ['Object', 'Leaky', '{', 'zzzq', ''];
  const a = await analyze(files['growth-after']);
  const lazily = patterns.map((p) => a.findByName(p, 20).map((n) => n.id));
  const b = await analyze(files['growth-after']);
  await b.prepareQueries();
  assert.deepStrictEqual(
    patterns.map((p) => b.findByName(p, 20).map((n) => n.id)),
    lazily,
  );
  assert.ok(b.memoryBytes > 0);
  b.close();
  await assert.rejects(b.prepareQueries(), (e) => e instanceof HeapwiseError && e.code === 'ERR_HEAPWISE_INVALID_ARGUMENT');
  a.close();
});
