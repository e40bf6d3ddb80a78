// Helpers of __test__/tolerance.test.js: write a tiny snapshot from a compact description, run
// DevTools' own heap snapshot code on it (tools/devtools/oracle.mjs, in this process) and
// heapwise, and compare what both give.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { analyzeSync, HeapwiseError } = require('heapwise');

const ORACLE = path.join(__dirname, '..', '..', 'tools', 'devtools', 'oracle.mjs');
const NODE_TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic'];
/** V8 5–6 (Chrome ≈ 2017, Node 8): no symbol, bigint or object shape. */
const V8_6_TYPES = [...NODE_TYPES, 'concatenated string', 'sliced string'];
const V8_TYPES = [...V8_6_TYPES, 'symbol', 'bigint', 'object shape'];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];

/** A string index past the table: `past(k)` is the k-th index after the last string. */
const past = (k) => ({ past: k });
/** An edge target past the last node: node index `k × node field count`. */
const nowhere = (k) => ({ nowhere: k });
/** A value written as is (an edge's `to_node`). */
const raw = (v) => ({ raw: v });

let oracle = null;
/** Loads the DevTools oracle (tools/devtools/oracle.mjs); call in `before`. */
async function loadOracle() {
  oracle = await import(pathToFileURL(ORACLE).href);
  return ORACLE;
}

/**
 * Writes snapshot `name` into `dir` and returns its path. `nodes`: [type, name, id, selfSize,
 * { det, count, edges }] with `edges` [type, name, target ordinal] (`element` / `hidden` names
 * are numbers); types, names and targets may be numbers (raw values) or `past()`, `nowhere()`,
 * `raw()`. Options: `types` (the node type list), `old` (no detachedness field, as before
 * 2021), `nodeCount` / `edgeCount` (the header's; default: as written), `strings` (the first
 * strings), `edit` (a function of the serialised text).
 */
function write(dir, name, nodes, { types = V8_TYPES, old = false, nodeCount, edgeCount, strings = ['<dummy>', ''], edit } = {}) {
  const fields = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', ...(old ? [] : ['detachedness'])];
  const nf = fields.length;
  const str = (s) => (typeof s === 'string' ? (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1) : s);
  const flatNodes = [];
  const flatEdges = [];
  for (const [type, nm, id, size, o = {}] of nodes) {
    const edges = o.edges || [];
    flatNodes.push(typeof type === 'string' ? types.indexOf(type) : type, str(nm), id, size, o.count ?? edges.length, 0);
    if (!old) flatNodes.push(o.det || 0);
    for (const [et, en, to] of edges) {
      const named = !(et === 'element' || et === 'hidden');
      flatEdges.push(typeof et === 'string' ? EDGE_TYPES.indexOf(et) : et, named ? str(en) : en, typeof to === 'number' ? to * nf : to);
    }
  }
  const fix = (v) => {
    if (v && v.past !== undefined) return strings.length + v.past;
    if (v && v.nowhere !== undefined) return v.nowhere * nf;
    return v && v.raw !== undefined ? v.raw : v;
  };
  const meta = {
    node_fields: fields,
    node_types: [types, 'string', 'number', 'number', 'number', 'number', ...(old ? [] : ['number'])],
    edge_fields: ['type', 'name_or_index', 'to_node'],
    edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
    location_fields: ['object_index', 'script_id', 'line', 'column'],
  };
  const header = { meta, node_count: nodeCount ?? nodes.length, edge_count: edgeCount ?? flatEdges.length / 3, trace_function_count: 0 };
  let text =
    `{"snapshot":${JSON.stringify(header)},\n"nodes":[${flatNodes.map(fix).join(',')}],\n` +
    `"edges":[${flatEdges.map(fix).join(',')}],\n"locations":[],\n"strings":${JSON.stringify(strings)}}`;
  if (edit) text = edit(text);
  const file = path.join(dir, `${name}.heapsnapshot`);
  fs.writeFileSync(file, text);
  return file;
}

/** What DevTools computes for `file` (or `{ error }` if it fails). */
async function devtools(file) {
  let s;
  try {
    s = (await oracle.loadSnapshot(file, [])).snapshot;
  } catch (e) {
    return { error: String((e && e.message) || e) };
  }
  const dt = await oracle.loadDevTools();
  const node = s.createNode(0);
  const nodes = [];
  for (let i = 0; i < s.nodeCount; i++) {
    node.nodeIndex = i * s.nodeFieldCount;
    nodes.push({
      id: node.id(),
      name: node.name(),
      className: node.className(),
      selfSize: s.__rawSelfSizes[i],
      shallowSize: node.selfSize(),
      retainedSize: s.retainedSizes[i],
      distance: s.nodeDistances[i],
      dominatorId: s.createNode(s.dominatorsTree[i] * s.nodeFieldCount).id(),
    });
  }
  const st = oracle.statisticsView(s);
  const { total, code, strings, js_arrays, typed_arrays, system_objects, other_js_objects, other_non_js_objects } = st;
  return {
    nodeCount: s.nodeCount,
    edgeCount: s.containmentEdges.length / s.edgeFieldsCount,
    totalSize: s.totalSize,
    nodes,
    statistics: [total, code, strings, js_arrays, typed_arrays, system_objects, other_js_objects, other_non_js_objects],
    summary: oracle
      .summaryView(s, dt.HeapSnapshotModel)
      .rows.map((r) => [r.key, r.name, r.count, r.distance, r.shallow_size, r.retained_size])
      .sort(),
  };
}

/**
 * Checks that heapwise gives DevTools' numbers on `file` (per node: display and class name, self /
 * shallow / retained size, distance, dominator; Summary rows, Statistics, counts, total) and exactly one
 * warning matching `warning`; returns DevTools' nodes by id.
 */
async function same(file, warning) {
  const expected = await devtools(file);
  assert.equal(expected.error, undefined, `DevTools opens it: ${expected.error}`);
  const a = analyzeSync(file);
  try {
    assert.equal(a.nodeCount, expected.nodeCount, 'node count');
    assert.equal(a.edgeCount, expected.edgeCount, 'edge count');
    assert.equal(a.totalSize, expected.totalSize, 'total size');
    for (const want of expected.nodes) {
      const { id, name, className, selfSize, shallowSize, retainedSize, distance, dominatorId } = a.node(want.id);
      const got = { id, name, className, selfSize, shallowSize, retainedSize, distance, dominatorId };
      assert.deepEqual(got, want, `node @${want.id}`);
    }
    const st = a.statistics();
    const stats = [st.total, st.code, st.strings, st.jsArrays, st.typedArrays, st.system, st.otherJsObjects, st.otherNonJsObjects];
    assert.deepEqual(stats, expected.statistics, 'Statistics');
    const rows = a.summary().map((r) => [r.key, r.name, r.count, r.distance, r.shallowSize, r.retainedSize]);
    assert.deepEqual(rows.sort(), expected.summary, 'Summary');
    if (warning) {
      assert.equal(a.warnings.filter((w) => warning.test(w)).length, 1, `one warning ${warning}: ${JSON.stringify(a.warnings)}`);
    }
    return new Map(expected.nodes.map((n) => [n.id, n]));
  } finally {
    a.close();
  }
}

/** Checks that DevTools fails on `file` and heapwise refuses it with `code` (at `offset`); returns DevTools' error. */
async function bothFail(file, { code = 'ERR_HEAPWISE_INVALID_DATA', offset, message } = {}) {
  const expected = await devtools(file);
  assert.ok(expected.error, 'DevTools fails on it');
  assert.throws(
    () => analyzeSync(file),
    (e) => {
      assert.ok(e instanceof HeapwiseError, String(e));
      assert.equal(e.code, code, e.message);
      if (offset !== undefined) assert.equal(e.byteOffset, offset, e.message);
      if (message) assert.match(e.message, message);
      return true;
    },
  );
  return expected.error;
}

/** The byte offset of the record that `pattern` (starting with the comma before it) finds in `file`. */
function record(file, pattern) {
  const m = pattern.exec(fs.readFileSync(file, 'latin1'));
  assert.ok(m, `${pattern} in ${file}`);
  return m.index + 1;
}

module.exports = { V8_6_TYPES, past, nowhere, raw, loadOracle, write, same, bothFail, record };
