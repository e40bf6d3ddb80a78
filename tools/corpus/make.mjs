#!/usr/bin/env node
// Malformed-input corpus for heapwise (issue 7, part 1), generated from real V8 heap snapshots.
//
//   node tools/corpus/make.mjs OUTDIR      writes the cases and OUTDIR/manifest.json, prints a summary
//   import { realSnapshot, shrink, makeCases } from './tools/corpus/make.mjs'
//
// A child Node process writes a real snapshot under --track-heap-objects, so every section V8 can
// write is present (nodes, edges, trace_function_infos, trace_tree, samples, locations, strings).
// `shrink` cuts it down to a few KB (the root's breadth-first neighbourhood, with its strings,
// locations and allocation traces) for the structural cases and as fuzzing seeds. Each case is
// declared with what heapwise must do with it, and why:
//
//   expect: { code, offset: [lo, hi] | null }   a HeapwiseError with that code; byteOffset within
//                                               [lo, hi], or null when there is no position
//   expect: { ok: true, warnings: [RegExp…] }   a result; every RegExp matches one of `warnings`
//                                               (no RegExp: `warnings` must be empty)
//
// Special kinds the runner sets up itself: 'dir' (a folder), 'missing', 'noperm' (mode 000; does
// not apply to root) and 'growing' (a child keeps appending `source` to the file while it is read).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the child process keeps alive before writing its snapshot. */
const CHILD_SCRIPT = `
class CorpusRecord { constructor(i) { this.id = i; this.label = 'record-' + i; this.tags = [i, String(i)]; } }
globalThis.records = Array.from({ length: 200 }, (_, i) => new CorpusRecord(i));
globalThis.texts = {
  escapes: 'quote " backslash \\\\ tab \\t newline \\n',
  latin: 'caf\\u00e9 na\\u00efve',
  astral: 'emoji \\u{1F600} end',
  lone: 'corpus-lone \\uD800 marker',
};
globalThis.byKey = new Map(records.map((r) => ['k' + r.id, r]));
require('v8').writeHeapSnapshot(process.argv[1]);
`;

/** Writes a real snapshot (with allocation tracking) to `file` from a fresh Node process. */
export function realSnapshot(file) {
  execFileSync(process.execPath, ['--track-heap-objects', '-e', CHILD_SCRIPT, file], { stdio: 'inherit' });
  return file;
}

// ---------------------------------------------------------------------------------------------
// Serialising in V8's own layout (one node / edge record per line, ASCII strings with \u escapes).

/** A value written verbatim (e.g. `-1`, `1.5`, `1e3`), to put malformed numbers into arrays. */
export class Raw {
  constructor(text) {
    this.text = text;
  }
}

const FAULT = '\u0000FAULT\u0000';

function escapeString(s) {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += s[i];
  }
  return out + '"';
}

function numbers(arr, perLine) {
  let out = '';
  for (let i = 0; i < arr.length; i++) {
    if (i > 0) out += perLine && i % perLine === 0 ? '\n,' : ',';
    const v = arr[i];
    out += v instanceof Raw ? FAULT + v.text : String(v);
  }
  return out;
}

function traceTree(tree) {
  return tree.map((v) => (Array.isArray(v) ? '[' + traceTree(v) + ']' : v instanceof Raw ? FAULT + v.text : String(v))).join(',');
}

/**
 * Serialises a snapshot object the way V8 does. Returns `{ text, fault }`: `fault` is the byte
 * offset of the first `Raw` value (or of a string containing `FAULT`), or -1.
 */
export function serialize(s) {
  const parts = [];
  parts.push('{"snapshot":' + JSON.stringify(s.snapshot));
  // Records are laid out by the field counts; a case that breaks the meta keeps V8's 7 and 3.
  const fields = (k, dflt) => (Array.isArray(s.snapshot.meta?.[k]) ? s.snapshot.meta[k].length : dflt);
  const nf = fields('node_fields', 7);
  const ef = fields('edge_fields', 3);
  for (const key of Object.keys(s)) {
    if (key === 'snapshot') continue;
    const v = s[key];
    let body;
    if (key === 'nodes') body = '[' + numbers(v, nf) + ']';
    else if (key === 'edges') body = '[' + numbers(v, ef) + ']';
    else if (key === 'trace_tree') body = '[' + traceTree(v) + ']';
    else if (key === 'strings') body = '[' + v.map(escapeString).join(',\n') + ']';
    else if (key === 'trace_function_infos' || key === 'samples' || key === 'locations') body = '[' + numbers(v, 0) + ']';
    else body = v instanceof Raw ? v.text : JSON.stringify(v);
    parts.push('\n' + JSON.stringify(key) + ':' + body);
  }
  let text = parts.join(',') + '}';
  const at = text.indexOf(FAULT);
  if (at >= 0) text = text.split(FAULT).join('');
  return { text, fault: at >= 0 ? Buffer.byteLength(text.slice(0, at)) : -1 };
}

// ---------------------------------------------------------------------------------------------
// Shrinking a real snapshot to a few KB.

/**
 * The first `maxNodes` nodes in breadth-first order from the root, the edges among them, their
 * strings, locations and a pruned allocation trace tree: a small snapshot with a real layout.
 */
export function shrink(snap, maxNodes = 120) {
  const meta = snap.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const f = (name) => meta.node_fields.indexOf(name);
  const [ecOff, nameOff, traceOff] = [f('edge_count'), f('name'), f('trace_node_id')];
  const [eTypeOff, eNameOff, eToOff] = ['type', 'name_or_index', 'to_node'].map((n) => meta.edge_fields.indexOf(n));
  const nodeCount = snap.nodes.length / nf;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) firstEdge[i + 1] = firstEdge[i] + snap.nodes[i * nf + ecOff];
  const indexNamed = new Set(['element', 'hidden'].map((n) => meta.edge_types[0].indexOf(n)));

  const keep = new Map([[0, 0]]);
  const order = [0];
  for (let q = 0; q < order.length && order.length < maxNodes; q++) {
    const o = order[q];
    for (let e = firstEdge[o]; e < firstEdge[o + 1] && order.length < maxNodes; e++) {
      const to = snap.edges[e * ef + eToOff] / nf;
      if (!keep.has(to)) {
        keep.set(to, order.length);
        order.push(to);
      }
    }
  }
  const strings = [];
  const stringIndex = new Map();
  const str = (i) => {
    if (!stringIndex.has(i)) {
      stringIndex.set(i, strings.length);
      strings.push(snap.strings[i]);
    }
    return stringIndex.get(i);
  };
  str(0);
  const nodes = [];
  const edges = [];
  for (const o of order) {
    const rec = snap.nodes.slice(o * nf, o * nf + nf);
    rec[nameOff] = str(rec[nameOff]);
    const kept = [];
    for (let e = firstEdge[o]; e < firstEdge[o + 1]; e++) {
      const er = snap.edges.slice(e * ef, e * ef + ef);
      const to = keep.get(er[eToOff] / nf);
      if (to === undefined) continue;
      er[eToOff] = to * nf;
      if (!indexNamed.has(er[eTypeOff])) er[eNameOff] = str(er[eNameOff]);
      kept.push(...er);
    }
    rec[ecOff] = kept.length / ef;
    if (traceOff >= 0) rec[traceOff] = 0;
    nodes.push(...rec);
    edges.push(...kept);
  }
  const lf = (meta.location_fields || []).length;
  const locations = [];
  for (let i = 0; lf && i < snap.locations.length; i += lf) {
    const to = keep.get(snap.locations[i] / nf);
    if (to !== undefined) locations.push(to * nf, ...snap.locations.slice(i + 1, i + lf));
  }
  // Allocation traces: the first few functions, and a pre-order prefix of the tree using them.
  const tf = (meta.trace_function_info_fields || []).length;
  const fnCount = Math.min(8, tf ? snap.trace_function_infos.length / tf : 0);
  const tfi = [];
  for (let i = 0; i < fnCount; i++) {
    const r = snap.trace_function_infos.slice(i * tf, i * tf + tf);
    r[1] = str(r[1]);
    r[2] = str(r[2]);
    tfi.push(...r);
  }
  let budget = 12;
  const prune = (list) => {
    const out = [];
    for (let i = 0; i + 4 < list.length && budget > 0; i += 5) {
      budget--;
      out.push(list[i], fnCount ? list[i + 1] % fnCount : 0, list[i + 2], list[i + 3], prune(list[i + 4]));
    }
    return out;
  };
  const out = {
    snapshot: { ...snap.snapshot, node_count: nodes.length / nf, edge_count: edges.length / ef, trace_function_count: fnCount },
    nodes,
    edges,
    trace_function_infos: tfi,
    trace_tree: fnCount ? prune(snap.trace_tree) : [],
    samples: [1000, 1, 2000, 5],
    locations,
    strings,
  };
  return out;
}

// ---------------------------------------------------------------------------------------------
// The cases.

const clone = (o) => structuredClone(o);

/** Offsets of `"key":[` for every top-level section in V8's text. */
function sectionOffsets(text) {
  const out = {};
  for (const key of ['nodes', 'edges', 'trace_function_infos', 'trace_tree', 'samples', 'locations', 'strings']) {
    const at = text.indexOf('\n"' + key + '":[');
    if (at >= 0) out[key] = [at + key.length + 5, -1];
  }
  const keys = Object.keys(out).sort((a, b) => out[a][0] - out[b][0]);
  keys.forEach((k, i) => {
    out[k][1] = i + 1 < keys.length ? out[keys[i + 1]][0] - keys[i + 1].length - 6 : text.length - 1;
  });
  out.snapshot = [0, text.indexOf('\n"nodes"')];
  return out;
}

/**
 * Builds every case into `dir` from the real snapshot at `realFile`. Returns the case list
 * (name, file, expect, why), also written to `dir/manifest.json`.
 */
export function makeCases(dir, realFile) {
  fs.mkdirSync(dir, { recursive: true });
  const realText = fs.readFileSync(realFile, 'latin1');
  const real = JSON.parse(fs.readFileSync(realFile, 'utf8'));
  const small = shrink(real);
  const smallText = serialize(small).text;
  const cases = [];
  const file = (name) => path.join(dir, name + '.heapsnapshot');
  const add = (name, content, expect, why, extra = {}) => {
    const f = extra.kind ? (extra.file ?? file(name)) : file(name);
    if (content !== null) fs.writeFileSync(f, typeof content === 'string' ? Buffer.from(content, 'latin1') : content);
    cases.push({ name, file: f, expect, why, ...extra });
  };
  /** `lo` null: no position; 'unchecked': the runner checks it itself. */
  const err = (code, lo = null, hi = lo) => ({ code, offset: lo === null ? null : lo === 'unchecked' ? undefined : [lo, hi] });
  const ok = (...warnings) => ({ ok: true, warnings });
  /** A structural edit of the small snapshot; expects an error near the edited value. */
  const edit = (name, fn, code, why, slack = 96) => {
    const s = clone(small);
    fn(s);
    const { text, fault } = serialize(s);
    if (fault < 0) throw new Error(`case ${name}: no fault marker`);
    add(name, text, err(code, Math.max(0, fault - slack), fault + 8), why);
  };
  const editOk = (name, fn, warnings, why) => {
    const s = clone(small);
    fn(s);
    add(name, serialize(s).text, ok(...warnings), why);
  };
  const meta = small.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const nodeField = (n) => meta.node_fields.indexOf(n);
  const edgeField = (n) => meta.edge_fields.indexOf(n);

  // -- Well-formed inputs first: the corpus must also prove they work.
  add('valid-small', smallText, ok(), 'the shrunk real snapshot itself');
  add('valid-real', realText, ok(), 'the real snapshot, every section filled');

  // -- Empty and truncated.
  add('empty', '', err('ERR_HEAPWISE_EMPTY', 0), '0 bytes: the writer never wrote anything');
  add('whitespace-only', '  \n\t\n', err('ERR_HEAPWISE_EMPTY', 0, 6), 'only whitespace');
  const sections = sectionOffsets(realText);
  const cut = (name, at, why) =>
    add(`truncated-${name}`, realText.slice(0, at), err('ERR_HEAPWISE_TRUNCATED', Math.max(0, at - 16), at), why);
  for (const [section, [start, end]] of Object.entries(sections)) {
    const len = end - start;
    const first = start === 0 ? 1 : 0; // a cut at byte 0 is the empty file, a case of its own
    const points = len > 8 ? [first, Math.floor(len / 3), Math.floor((2 * len) / 3), len - 1] : [first];
    for (const p of new Set(points)) cut(`${section}-at-${p}`, start + p, `the file ends inside "${section}" (${p} of ${len} bytes)`);
  }
  {
    // Inside a number: a multi-digit value in "nodes", cut after its first digit.
    const m = /,(\d{3,}),/g;
    m.lastIndex = sections.nodes[0] + 1000;
    const hit = m.exec(realText);
    cut('inside-a-number', hit.index + 2, 'the file ends in the middle of a number of "nodes"');
    const e = realText.indexOf('\\u', sections.strings[0]);
    cut('inside-a-u-escape', e + 4, 'the file ends inside a \\uXXXX escape of a string');
    const q = realText.indexOf('\\"', sections.strings[0]);
    if (q > 0) cut('inside-a-quote-escape', q + 1, 'the file ends right after a backslash in a string');
    cut('before-closing-brace', realText.length - 1, 'everything but the final "}"');
    cut('inside-a-key', sections.edges[0] - 6, 'the file ends inside the key "edges"');
  }

  // -- Not JSON.
  add('not-json-text', 'this is not a heap snapshot\n', err('ERR_HEAPWISE_NOT_JSON', 0), 'plain text');
  add(
    'not-json-html',
    '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>',
    err('ERR_HEAPWISE_NOT_JSON', 0),
    'an HTML error page saved by a download',
  );
  add(
    'not-json-gzip',
    Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56]),
    err('ERR_HEAPWISE_NOT_JSON', 0),
    'a gzip-compressed snapshot (the message says so)',
    { message: /gzip/ },
  );
  add(
    'not-json-binary',
    Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)),
    err('ERR_HEAPWISE_NOT_JSON', 0),
    'binary garbage',
  );
  add('not-json-bad-key', '{snapshot: {}}', err('ERR_HEAPWISE_NOT_JSON', 1), 'an unquoted key (JavaScript, not JSON)');
  {
    const at = smallText.indexOf('\n"edges"');
    add(
      'not-json-missing-comma',
      smallText.slice(0, at - 1) + smallText.slice(at),
      err('ERR_HEAPWISE_NOT_JSON', at - 8, at + 2),
      'a comma between sections dropped',
    );
    const n = smallText.indexOf(',', smallText.indexOf('"nodes":[') + 12);
    add(
      'not-json-letter-in-nodes',
      smallText.slice(0, n) + ',x' + smallText.slice(n),
      err('ERR_HEAPWISE_NOT_JSON', n, n + 2),
      'a letter among the node values',
    );
  }
  add(
    'bom-then-snapshot',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(smallText, 'latin1')]),
    ok(),
    'a UTF-8 byte order mark (an editor saved the file): skipped, as browsers decode it',
  );

  // -- JSON that is not a snapshot.
  add('json-array', '[1, 2, 3]', err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0), 'a JSON array');
  add('json-empty-array', '[]', err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0), 'an empty JSON array');
  add('json-number', '42', err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0), 'a JSON number');
  add('json-null', 'null', err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0), 'JSON null');
  add('json-empty-object', '{}', err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0, 2), 'an empty object');
  add(
    'json-package',
    JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { a: '^1' } }, null, 2),
    err('ERR_HEAPWISE_NOT_A_SNAPSHOT', null),
    'a package.json',
  );
  add(
    'json-cpuprofile',
    JSON.stringify({ nodes: [{ id: 1, callFrame: {} }], startTime: 0, endTime: 1, samples: [1] }),
    err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0, 12),
    'a .cpuprofile (its "nodes" is not a heap snapshot\'s)',
  );
  add(
    'json-snapshot-without-meta',
    '{"snapshot":{"node_count":0},"nodes":[],"edges":[],"strings":[]}',
    err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 12),
    'a "snapshot" object without "meta"',
  );
  {
    const s = clone(small);
    delete s.nodes;
    const noNodes = serialize(s).text;
    const edgesAt = noNodes.indexOf('"edges"');
    add(
      'json-no-nodes',
      noNodes,
      err('ERR_HEAPWISE_NOT_A_SNAPSHOT', edgesAt, edgesAt + 1),
      'no "nodes" array (the error points at "edges", which needs them)',
    );
    const t = clone(small);
    delete t.strings;
    add('json-no-strings', serialize(t).text, err('ERR_HEAPWISE_NOT_A_SNAPSHOT', null), 'no "strings" array');
    const u = clone(small);
    u.nodes = [];
    u.edges = [];
    add(
      'header-counts-empty-arrays',
      serialize(u).text,
      ok(/the header says \d+ nodes but the nodes array has 0/),
      'empty "nodes" and "edges" arrays under a header that counts them: DevTools reads that many empty ones',
    );
    u.snapshot.node_count = 0;
    u.snapshot.edge_count = 0;
    add('json-zero-nodes', serialize(u).text, err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0, 2000), 'no nodes at all: no root (DevTools fails too)');
  }

  // -- Meta fields missing or renamed.
  const headerEnd = smallText.indexOf('\n"nodes"');
  const metaCase = (name, fn, code, why) => {
    const s = clone(small);
    fn(s.snapshot.meta, s);
    add(name, serialize(s).text, err(code, 0, headerEnd), why);
  };
  metaCase('meta-no-node-fields', (m) => delete m.node_fields, 'ERR_HEAPWISE_UNSUPPORTED_VERSION', 'snapshot.meta without node_fields');
  metaCase('meta-no-edge-fields', (m) => delete m.edge_fields, 'ERR_HEAPWISE_UNSUPPORTED_VERSION', 'snapshot.meta without edge_fields');
  metaCase('meta-no-node-types', (m) => delete m.node_types, 'ERR_HEAPWISE_UNSUPPORTED_VERSION', 'snapshot.meta without node_types');
  metaCase('meta-no-edge-types', (m) => delete m.edge_types, 'ERR_HEAPWISE_UNSUPPORTED_VERSION', 'snapshot.meta without edge_types');
  metaCase(
    'meta-node-fields-not-array',
    (m) => (m.node_fields = 'type,name'),
    'ERR_HEAPWISE_UNSUPPORTED_VERSION',
    'node_fields is a string',
  );
  for (const [list, from, to] of [
    ['edge_fields', 'to_node', 'target'],
    ['edge_fields', 'name_or_index', 'name'],
    ['edge_fields', 'type', 'kind'],
    ['node_fields', 'edge_count', 'edges'],
    ['node_fields', 'name', 'label'],
    ['node_fields', 'id', 'uid'],
    ['node_fields', 'self_size', 'size'],
    ['node_fields', 'type', 'kind'],
  ]) {
    metaCase(
      `meta-renamed-${list}-${from}`,
      (m) => (m[list][m[list].indexOf(from)] = to),
      'ERR_HEAPWISE_UNSUPPORTED_VERSION',
      `${list}: "${from}" renamed to "${to}"`,
    );
  }
  editOk(
    'meta-extra-node-fields',
    (s) => {
      // A future V8 with 14 more node fields: unknown fields are skipped by name.
      const m = s.snapshot.meta;
      const extra = Array.from({ length: 14 }, (_, i) => `future_${i}`);
      const old = m.node_fields.length;
      m.node_fields = [...m.node_fields, ...extra];
      m.node_types = [...m.node_types, ...extra.map(() => 'number')];
      const nodes = [];
      for (let i = 0; i < s.nodes.length; i += old) nodes.push(...s.nodes.slice(i, i + old), ...extra.map((_, k) => k));
      s.nodes = nodes;
      const nfNew = m.node_fields.length;
      const to = m.edge_fields.indexOf('to_node');
      for (let i = to; i < s.edges.length; i += m.edge_fields.length) s.edges[i] = (s.edges[i] / old) * nfNew;
      const lf = m.location_fields.length;
      for (let i = 0; i < s.locations.length; i += lf) s.locations[i] = (s.locations[i] / old) * nfNew;
    },
    [],
    'node_fields with 21 entries (14 unknown to heapwise): read by name, the rest skipped',
  );
  editOk(
    'meta-unknown-type-name',
    (s) => s.snapshot.meta.node_types[0].push('future type'),
    [],
    'a node type name heapwise does not know (a newer V8): accepted; such nodes count as plain objects',
  );

  // -- Values that contradict the layout. What DevTools reads despite them (issue 13, item 4)
  // gives a result with one warning per kind, checked against DevTools' own code by
  // __test__/tolerance.test.js; where DevTools fails (or hangs), an error.
  const typeCount = meta.node_types[0].length;
  const edgeTypeCount = meta.edge_types[0].length;
  editOk(
    'node-type-out-of-range',
    (s) => (s.nodes[nf * 3 + nodeField('type')] = new Raw(String(typeCount + 3))),
    [/1 nodes have a type number past snapshot\.meta\.node_types/],
    'a node type number past node_types (V8 5–6 wrote symbols so): class (undefined), as in DevTools',
  );
  editOk(
    'edge-type-out-of-range',
    (s) => (s.edges[ef * 2 + edgeField('type')] = new Raw(String(edgeTypeCount))),
    [/1 edges have a type number past snapshot\.meta\.edge_types/],
    "an edge type number one past edge_types: DevTools' own type invisible",
  );
  editOk(
    'to-node-out-of-range',
    (s) => (s.edges[ef * 4 + edgeField('to_node')] = new Raw(String(s.nodes.length))),
    [/1 edges point past the last node/],
    'to_node one node past the end: the edge leads nowhere, as in DevTools',
  );
  editOk(
    'to-node-huge',
    (s) => (s.edges[ef * 4 + edgeField('to_node')] = new Raw('4294967296000')),
    [/unreachable from the root/],
    'to_node far past 2^32: kept modulo 2^32 (node index 0, the root), as DevTools stores it',
  );
  edit(
    'to-node-not-multiple',
    (s) => (s.edges[ef * 4 + edgeField('to_node')] = new Raw(String(nf + 1))),
    'ERR_HEAPWISE_INVALID_DATA',
    'to_node not a multiple of the node field count',
  );
  edit(
    'node-name-out-of-range',
    (s) => (s.nodes[nf * 5 + nodeField('name')] = new Raw(String(s.strings.length + 10))),
    'ERR_HEAPWISE_INVALID_DATA',
    'a node name index past the strings and past what DevTools appends to them: DevTools fails on it',
  );
  {
    const prop = meta.edge_types[0].indexOf('property');
    const k = small.edges.findIndex((v, i) => i % ef === edgeField('type') && v === prop);
    editOk(
      'edge-name-out-of-range',
      (s) => (s.edges[k + edgeField('name_or_index') - edgeField('type')] = new Raw(String(s.strings.length))),
      [/1 edges name a string past the \d+ strings/],
      'a property edge naming a string past the strings: read as the string DevTools appends there, as in DevTools',
    );
    const elem = meta.edge_types[0].indexOf('element');
    const j = small.edges.findIndex((v, i) => i % ef === edgeField('type') && v === elem);
    if (j >= 0) {
      editOk(
        'element-index-huge',
        (s) => (s.edges[j + edgeField('name_or_index') - edgeField('type')] = 4000000000),
        [],
        'an element edge with index 4e9: a number, not a string index, so fine',
      );
    }
  }
  editOk(
    'header-node-count-wrong',
    (s) => (s.snapshot.node_count += 5),
    [/header says \d+ nodes .* the header's count is used: 5 empty records/],
    'snapshot.node_count says 5 more nodes than the array has: DevTools reads 5 empty ones',
  );
  {
    // DevTools reads 3 edges: the others are missing, the root's too, and its page-owned walk,
    // led back to the root by them, never ends.
    const s = clone(small);
    s.snapshot.edge_count = 3;
    add(
      'header-edge-count-wrong',
      serialize(s).text,
      err('ERR_HEAPWISE_INVALID_DATA', null),
      'snapshot.edge_count says 3 edges: DevTools reads only those, and hangs on the rest missing',
      { message: /never ends/ },
    );
  }
  {
    const s = clone(small);
    s.nodes[nf * 2 + nodeField('edge_count')] += 2;
    add(
      'edge-counts-exceed-edges',
      serialize(s).text,
      ok(/the nodes' edge counts add up to \d+ but the edges array has \d+; .* cut short where the array ends/),
      "the nodes' edge counts add up to more than the edges array holds: the last lists are cut short, as in DevTools",
    );
    s.nodes[nf * 2 + nodeField('edge_count')] -= 4;
    add(
      'edge-counts-short-of-edges',
      serialize(s).text,
      ok(/the last node \(@\d+\) gets the 2 edges left over/),
      "the nodes' edge counts add up to less than the edges array holds: the last node gets the rest, as in DevTools",
    );
  }
  editOk(
    'nodes-partial-record',
    (s) => s.nodes.push(new Raw('3')),
    [/the nodes array ends in the middle of a record \(1 of \d+ values\); past the header's count, so ignored/],
    'the nodes array ends in the middle of a record, past the header count: ignored, as in DevTools',
  );
  {
    const at = smallText.indexOf('\n"edges"');
    const dup = smallText.slice(0, at) + '\n"nodes":[],' + smallText.slice(at);
    add('duplicate-nodes-array', dup, err('ERR_HEAPWISE_INVALID_DATA', at, at + 10), 'two "nodes" arrays');
    const early = '{"nodes":[]' + ',' + smallText.slice(1);
    add('nodes-before-header', early, err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 1, 2), '"nodes" before the "snapshot" header');
  }
  editOk('root-index-present', (s) => (s.snapshot.root_index = 0), [], 'root_index 0, as Chrome writes it');
  {
    const s = clone(small);
    s.snapshot.root_index = nf * 100000 + 1;
    add('root-index-out-of-range', serialize(s).text, err('ERR_HEAPWISE_INVALID_DATA', 0, headerEnd), 'snapshot.root_index is not a node');
  }
  add(
    'trailing-garbage',
    smallText + '\n\u0000garbage after the end',
    ok(/ignored data after the snapshot/),
    'bytes after the closing brace: ignored, with a warning',
  );
  add('trailing-newline', smallText + '\n', ok(), 'a newline after the closing brace (as `jq` writes it)');
  editOk(
    'sections-reordered',
    (s) => {
      const { strings, ...rest } = s;
      for (const k of Object.keys(s)) delete s[k];
      Object.assign(s, { snapshot: rest.snapshot, strings, ...rest });
    },
    [],
    '"strings" before "nodes" (key order is not fixed by JSON)',
  );
  editOk('unknown-top-level-key', (s) => (s.future_section = { a: [1, 2, { b: 'c' }] }), [], 'an unknown top-level section: skipped');

  // -- Numbers.
  const sizeAt = nf * 7 + nodeField('self_size');
  edit('negative-self-size', (s) => (s.nodes[sizeAt] = new Raw('-16')), 'ERR_HEAPWISE_INVALID_DATA', 'a negative self_size');
  edit('fractional-self-size', (s) => (s.nodes[sizeAt] = new Raw('16.5')), 'ERR_HEAPWISE_INVALID_DATA', 'a fractional self_size');
  edit('exponent-self-size', (s) => (s.nodes[sizeAt] = new Raw('1e3')), 'ERR_HEAPWISE_INVALID_DATA', 'a self_size in exponent notation');
  edit(
    'negative-to-node',
    (s) => (s.edges[ef * 3 + edgeField('to_node')] = new Raw('-7')),
    'ERR_HEAPWISE_INVALID_DATA',
    'a negative to_node',
  );
  editOk(
    'overflow-2-64',
    (s) => (s.nodes[sizeAt] = new Raw('18446744073709551616')),
    [],
    "a self_size of 2^64: 0 modulo 2^32, as DevTools' Uint32Array stores it",
  );
  editOk(
    'overflow-huge',
    (s) => (s.nodes[nf * 2 + nodeField('id')] = new Raw('9'.repeat(400))),
    [],
    "a 400-digit id: infinite in DevTools' double arithmetic, stored as 0",
  );
  editOk(
    'self-size-above-2-53',
    (s) => (s.nodes[sizeAt] = new Raw('9007199254740993')),
    [],
    "a self_size above 2^53: rounded as DevTools' double arithmetic rounds it (to 2^53), then modulo 2^32 as its Uint32Array stores it",
  );
  editOk(
    'id-above-2-32',
    (s) => (s.nodes[nf * 9 + nodeField('id')] = new Raw('4294967297')),
    [],
    'an id above 2^32: kept modulo 2^32, as in DevTools',
  );
  editOk(
    'edge-count-wraps-u64',
    (s) => (s.nodes[nf * 1 + nodeField('edge_count')] = new Raw('18446744073709551615')),
    [/the last node \(@\d+\) gets the \d+ edges left over/],
    "an edge_count of 2^64 - 1 (found by fuzzing): 2^64 in DevTools' double arithmetic, 0 modulo 2^32",
  );
  editOk(
    'edge-count-overflows-u32',
    (s) => (s.nodes[nf * 1 + nodeField('edge_count')] = new Raw('4294967296')),
    [/the last node \(@\d+\) gets the \d+ edges left over/],
    'an edge_count of 2^32: 0 modulo 2^32, as in DevTools',
  );
  edit(
    'edge-count-total-too-big',
    (s) => (s.nodes[nf * 1 + nodeField('edge_count')] = new Raw('4294967295')),
    'ERR_HEAPWISE_INVALID_DATA',
    "an edge_count of 2^32 - 1: the total overflows DevTools' 32-bit edge indexes",
  );

  // -- Strings. The marker strings name a node that findByName can return (self size > 0).
  const typeNames = meta.node_types[0];
  let probeNode = 0;
  for (let o = 1; o * nf < small.nodes.length; o++) {
    const t = typeNames[small.nodes[o * nf + nodeField('type')]];
    if (small.nodes[o * nf + nodeField('self_size')] > 0 && (t === 'string' || t === 'object')) {
      probeNode = o;
      break;
    }
  }
  {
    const s = clone(small);
    const i = s.strings.push('\u0000INVALIDUTF8\u0000') - 1;
    s.nodes[nf * probeNode + nodeField('name')] = i;
    const text = serialize(s).text.replace('\\u0000INVALIDUTF8\\u0000', 'bad \u00ff\u00fe bytes \u00c3( end');
    add(
      'invalid-utf8-in-string',
      text,
      ok(/not valid UTF-8/),
      'bytes that are not UTF-8 in a string: shown as U+FFFD (as a browser decodes them), with a warning',
      { probe: 'bad ', probeExpect: 'bad \ufffd\ufffd bytes \ufffd( end' },
    );
    const h = smallText.replace('"node_fields":["type"', '"node_fields":["type\u00ff"');
    add('invalid-utf8-in-header', h, err('ERR_HEAPWISE_NOT_JSON', 0, headerEnd), 'bytes that are not UTF-8 inside the header');
    const u = clone(small);
    const j = u.strings.push('corpus-lone \ud800 marker, pair \ud83d\ude00, low \udc00 end') - 1;
    u.nodes[nf * probeNode + nodeField('name')] = j;
    add(
      'lone-surrogates',
      serialize(u).text,
      ok(),
      'lone surrogates in \\u escapes (V8 writes them): kept, and JS gets them back as they were',
      { probe: 'corpus-lone', probeExpect: 'corpus-lone \ud800 marker, pair \ud83d\ude00, low \udc00 end' },
    );
    const b = smallText.indexOf('",\n"', smallText.indexOf('"strings":[') + 12);
    add(
      'bad-escape',
      smallText.slice(0, b) + '\\q' + smallText.slice(b),
      err('ERR_HEAPWISE_NOT_JSON', b, b + 3),
      'an invalid escape (\\q) in a string',
    );
    add(
      'bad-u-escape',
      smallText.slice(0, b) + '\\u12G4' + smallText.slice(b),
      err('ERR_HEAPWISE_NOT_JSON', b, b + 6),
      'a \\u escape with a non-hex digit',
    );
    add(
      'raw-control-char',
      smallText.slice(0, b) + '\u0001' + smallText.slice(b),
      err('ERR_HEAPWISE_NOT_JSON', b, b + 1),
      'a raw control character inside a string',
    );
  }

  // -- Nesting.
  const million = '['.repeat(1_000_000);
  add('nesting-whole-file', million, err('ERR_HEAPWISE_NOT_A_SNAPSHOT', 0), 'a million "[" as the whole file');
  {
    const at = smallText.indexOf('\n"nodes"');
    add(
      'nesting-unknown-key',
      smallText.slice(0, at) + '\n"deep":' + million + smallText.slice(at),
      err('ERR_HEAPWISE_INVALID_DATA', at, at + 200),
      'a million "[" as the value of an unknown section',
    );
    const m = smallText.indexOf('"meta":{') + 8;
    add(
      'nesting-in-header',
      smallText.slice(0, m) + '"deep":' + million + smallText.slice(m),
      err('ERR_HEAPWISE_INVALID_DATA', m, m + 200),
      'a million "[" inside the header',
    );
    const t = smallText.indexOf('"trace_tree":[') + 14;
    add(
      'nesting-in-trace-tree',
      smallText.slice(0, t) + million + smallText.slice(t),
      err('ERR_HEAPWISE_INVALID_DATA', t - 1, t + 1),
      'a million "[" inside trace_tree',
    );
    const n = smallText.indexOf('"nodes":[') + 9;
    add(
      'nesting-in-nodes',
      smallText.slice(0, n) + million + smallText.slice(n),
      err('ERR_HEAPWISE_NOT_JSON', n, n + 1),
      'a million "[" inside nodes',
    );
  }

  // -- The file system.
  add('a-directory', null, err('ERR_HEAPWISE_IO', null), 'a folder instead of a file', {
    kind: 'dir',
    file: path.join(dir, 'a-directory.heapsnapshot'),
  });
  add('missing-path', null, err('ERR_HEAPWISE_IO', null), 'a path that does not exist', {
    kind: 'missing',
    file: path.join(dir, 'no-such-file.heapsnapshot'),
  });
  add('no-permission', smallText, err('ERR_HEAPWISE_IO', null), 'a file without read permission (mode 000)', { kind: 'noperm' });
  add(
    'growing-file',
    null,
    err('ERR_HEAPWISE_TRUNCATED', 'unchecked'),
    'a snapshot still being written: a child appends to it while heapwise reads it; heapwise reads what was there when it opened the file',
    {
      kind: 'growing',
      source: realFile,
      message: /being written/,
    },
  );
  const seen = new Set();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`duplicate case ${c.name}`);
    seen.add(c.name);
  }
  const manifest = cases.map((c) => ({
    ...c,
    expect: { ...c.expect, warnings: c.expect.warnings?.map(String) },
    message: c.message && String(c.message),
  }));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return cases;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node tools/corpus/make.mjs OUTDIR');
    process.exit(2);
  }
  fs.mkdirSync(out, { recursive: true });
  const real = realSnapshot(path.join(out, 'real.heapsnapshot'));
  const cases = makeCases(out, real);
  for (const c of cases) console.log(`${c.name.padEnd(40)} ${c.expect.ok ? 'ok' : c.expect.code}  ${c.why}`);
  console.log(`${cases.length} cases in ${out}`);
}
