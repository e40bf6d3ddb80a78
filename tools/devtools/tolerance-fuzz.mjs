#!/usr/bin/env node
// Differential fuzzing of the inconsistencies heapwise reads as DevTools does (docs/tolerance.md):
// random small snapshots with node and edge types past the type lists, names past the strings,
// edges to nodes past the last one, edge counts and header counts that disagree with the arrays,
// run through DevTools' own heap snapshot code (oracle.mjs, in this process) and heapwise. Both
// must fail, or give the same per-node figures (id, self / shallow / retained size, distance,
// dominator, class name), Summary rows, Statistics and edge count.
//
//   node tools/devtools/tolerance-fuzz.mjs [--seed N] [--count N]
//
// Prints one line per mismatch (its snapshot is kept, in a temp dir it names) and a summary;
// exits 1 on a mismatch. Snapshots heapwise refuses because DevTools' page-owned walk would never
// end are not given to DevTools (it would hang this process). Names that make cons strings
// reference themselves are not generated: DevTools' naming walk of such a string grows without
// bound (docs/tolerance.md, last section).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadSnapshot, loadDevTools, statisticsView, summaryView } from './oracle.mjs';

const require = createRequire(import.meta.url);
const heapwise = require('../../index.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
let seed = arg('--seed', Date.now() % 1e9);
const count = arg('--count', 300);
const firstSeed = seed;

const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const below = (n) => Math.floor(random() * n);
const pick = (list) => list[below(list.length)];
const TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'];
const ALL_TYPES = [...TYPES, 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
const NAMES = ['', 'Object', 'Array', 'Foo', 'system / NativeContext', '(Document DOM trees)', 'system / ExternalStringData'];
const EDGE_NAMES = ['elements', 'a', 'b', 'map', '<div id=x>', 'Detached <p class=y>', 'sloppy_function_map', '__proto__', 'x,y'];
const STRINGS = ['<dummy>', ...NAMES, ...EDGE_NAMES];

/** One random snapshot as text. */
function snapshot() {
  const n = 3 + below(8);
  const nf = 7;
  const s = STRINGS.length;
  const types = random() < 0.3 ? ALL_TYPES.slice(0, 12) : ALL_TYPES;
  const nodes = [];
  const edges = [];
  const ids = new Set();
  for (let o = 0; o < n; o++) {
    const type = o === 0 ? 9 : random() < 0.15 ? types.length + below(3) : below(types.length);
    const name = o === 0 ? 1 : random() < 0.2 ? s + below(12) : 1 + below(NAMES.length);
    let id;
    do id = 1 + 2 * below(1000);
    while (ids.has(id));
    ids.add(id);
    const out = o === 0 ? 1 + below(3) : below(4);
    for (let k = 0; k < out; k++) {
      let et = o === 0 ? pick([5, 5, 1, 6, 3]) : pick([0, 1, 2, 2, 2, 3, 3, 4, 5, 6]);
      if (random() < 0.05) et = 7 + below(2);
      const to = (random() < 0.2 ? n + below(5) : below(n)) * nf;
      const indexed = et === 1 || et === 4;
      let en = indexed ? below(50) : 1 + NAMES.length + below(EDGE_NAMES.length);
      if (!indexed && et !== 3 && random() < 0.2) en = s + below(12);
      edges.push(et, en, to);
    }
    const counted = random() < 0.25 ? Math.max(0, out + below(5) - 2) : out;
    nodes.push(type, name, id, below(5) === 0 ? 0 : below(100), counted, 0, type === 8 && random() < 0.5 ? 1 + below(2) : 0);
  }
  let edgeCount = edges.length / 3;
  if (random() < 0.3) edgeCount = Math.max(0, edgeCount - 1 - below(3));
  const nodeCount = random() < 0.05 ? n - 1 : n;
  const meta = {
    node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    node_types: [types, 'string', 'number', 'number', 'number', 'number', 'number'],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'], 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  const header = { meta, node_count: nodeCount, edge_count: edgeCount, trace_function_count: 0 };
  return `{"snapshot":${JSON.stringify(header)},\n"nodes":[${nodes}],\n"edges":[${edges}],\n"locations":[],\n"strings":${JSON.stringify(STRINGS)}}`;
}

/** heapwise's figures, per node in file order (or {error}). */
function fromHeapwise(file, tsv) {
  try {
    const a = heapwise.analyzeSync(file);
    a.writeNodes(tsv);
    const rows = fs.readFileSync(tsv, 'utf8').trim().split('\n').slice(1);
    const st = a.statistics();
    return {
      nodes: rows.map((line) => `${line}\t${a.node(Number(line.split('\t')[0])).className}`),
      statistics: [st.total, st.code, st.strings, st.jsArrays, st.typedArrays, st.system, st.otherJsObjects, st.otherNonJsObjects],
      summary: a
        .summary()
        .map((r) => [r.key, r.name, r.count, r.distance, r.shallowSize, r.retainedSize])
        .sort(),
      edgeCount: a.edgeCount,
    };
  } catch (e) {
    return { error: `${e.code} ${e.message}` };
  }
}

/** DevTools' figures, in the same shape (or {error}). */
async function fromDevTools(file, model) {
  try {
    const { snapshot: s } = await loadSnapshot(file, []);
    const fc = s.nodeFieldCount;
    const node = s.createNode(0);
    const nodes = [];
    for (let i = 0; i < s.nodeCount; i++) {
      node.nodeIndex = i * fc;
      const dominator = s.nodes.getValue(s.dominatorsTree[i] * fc + s.nodeIdOffset);
      const cells = [node.id(), s.__rawSelfSizes[i], node.selfSize(), s.retainedSizes[i], s.nodeDistances[i], dominator];
      nodes.push(`${cells.join('\t')}\t${node.className()}`);
    }
    const v = statisticsView(s);
    return {
      nodes,
      statistics: [v.total, v.code, v.strings, v.js_arrays, v.typed_arrays, v.system_objects, v.other_js_objects, v.other_non_js_objects],
      summary: summaryView(s, model)
        .rows.map((r) => [r.key, r.name, r.count, r.distance, r.shallow_size, r.retained_size])
        .sort(),
      edgeCount: s.containmentEdges.length / s.edgeFieldsCount,
    };
  } catch (e) {
    return { error: String((e && e.message) || e) };
  }
}

const dt = await loadDevTools();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-tolerance-fuzz-'));
const tally = { same: 0, bothFail: 0, mismatch: 0, hangs: 0 };
for (let i = 0; i < count; i++) {
  const file = path.join(dir, `case-${seed}.heapsnapshot`);
  fs.writeFileSync(file, snapshot());
  const h = fromHeapwise(file, path.join(dir, 'nodes.tsv'));
  if (h.error && /never ends/.test(h.error)) {
    tally.hangs++;
    fs.rmSync(file);
    continue;
  }
  const d = await fromDevTools(file, dt.HeapSnapshotModel);
  const bad = [];
  if (h.error && d.error) tally.bothFail++;
  else if (h.error || d.error) bad.push(`DevTools: ${d.error || 'opens it'}; heapwise: ${h.error || 'opens it'}`);
  else {
    for (const k of ['nodes', 'statistics', 'summary', 'edgeCount']) {
      if (JSON.stringify(h[k]) !== JSON.stringify(d[k]))
        bad.push(`${k}: DevTools ${JSON.stringify(d[k])}, heapwise ${JSON.stringify(h[k])}`);
    }
    if (!bad.length) tally.same++;
  }
  if (bad.length) {
    tally.mismatch++;
    console.log(`MISMATCH ${file}\n  ${bad.join('\n  ')}`);
  } else fs.rmSync(file);
}
fs.rmSync(path.join(dir, 'nodes.tsv'), { force: true });
if (!tally.mismatch) fs.rmSync(dir, { recursive: true, force: true });
console.log(
  `seed ${firstSeed}, ${count} snapshots: ${tally.same} read alike, ${tally.bothFail} refused by both, ` +
    `${tally.hangs} refused where DevTools would hang, ${tally.mismatch} mismatches`,
);
process.exitCode = tally.mismatch ? 1 : 0;
