#!/usr/bin/env node
// DevTools oracle for the parity tests: runs Chrome DevTools' own heap snapshot worker code
// (HeapSnapshotLoader, JSHeapSnapshot, SecondaryInitManager from chrome-devtools-frontend, bundled
// unmodified by install.mjs) on one .heapsnapshot file and reports what DevTools computes:
//
//   - per node: id, self_size (raw, from the file), shallow_size (after DevTools'
//     calculateShallowSizes), retained_size, distance, dominator_id
//   - the Summary view ("All objects"): aggregatesWithFilter(new NodeFilter()), one row per class
//     key: {key, name, count, distance, shallow_size, retained_size}
//   - the Statistics view (HeapSnapshotView.retrieveStatistics): total, code, strings, js_arrays,
//     typed_arrays, system_objects, other_js_objects, other_non_js_objects
//   - node_count, edge_count, total_size (root retained size + extra_native_bytes, the "Total"
//     DevTools shows)
//   - the duplicated strings (the Summary filter "Duplicated strings"): getDuplicateStrings(),
//     which groups the nodes its createDuplicatedStringsFilter keeps: {groups: [{value (clipped
//     to 200 characters), value_length, count, total_self_size, truncated, ids}]}
//
// With --diff BASE CURRENT it runs DevTools' Comparison view instead (what
// HeapSnapshotDiffDataGrid does: interfaceDefinitions() of CURRENT, aggregatesForDiff() of BASE
// with them, calculateSnapshotDiff() on CURRENT), one row per class key:
//   {key, name, new_count, deleted_count, delta_count, alloc_size, freed_size, size_delta} + totals,
// and the Summary view of CURRENT filtered to "Objects allocated between Snapshot 1 and Snapshot 2"
// (HeapSnapshotConstructorsDataGrid.filterSelectIndexChanged): aggregatesWithFilter(new
// NodeFilter(maxJSObjectId(BASE), maxJSObjectId(CURRENT))), i.e. nodes with
// maxJSObjectId(BASE) < id <= maxJSObjectId(CURRENT), where maxJSObjectId is the largest odd
// (JS object) id of a snapshot (HeapSnapshot.maxJsNodeId via updateStaticData()).
//
// usage:  node --max-old-space-size=4096 tools/devtools/oracle.mjs SNAPSHOT OUT.json [--nodes OUT.tsv]
//         (OUT.json may be "-" for stdout; the TSV header is
//          id self_size shallow_size retained_size distance dominator_id, one line per node)
//         node --max-old-space-size=4096 tools/devtools/oracle.mjs --diff BASE CURRENT OUT.json
// module: const r = await runDevTools(file)  ->  the same fields as OUT.json, plus r.nodes:
//         {id, self_size, shallow_size, retained_size, distance, dominator_id}, each a typed array
//         in snapshot node order (index i = i-th node of the file), and r.nodeIndexById(id).
//         const d = await runDevToolsDiff(base, current)  ->  the --diff JSON's fields, plus
//         (with {retained: true}) d.retained: {base, current}, each a Map(id -> retained size).
//
// DevTools runs its secondary init (retainers, dominators, retained sizes) in a second worker; here
// it runs in-process on a MessageChannel (as DevTools' own unit tests do), which gives the same
// numbers. The only hook: JSHeapSnapshot.prototype.calculateShallowSizes is wrapped to copy the raw
// self sizes first; it then calls the original.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ensureDevTools } from './install.mjs';

// Node 20 lacks Promise.withResolvers (Node >= 22 has it); DevTools' code uses it.
if (!Promise.withResolvers) {
  Promise.withResolvers = function () {
    let resolve, reject;
    const promise = new Promise((a, b) => {
      resolve = a;
      reject = b;
    });
    return { promise, resolve, reject };
  };
}

export const TSV_HEADER = 'id\tself_size\tshallow_size\tretained_size\tdistance\tdominator_id';

let dtPromise = null;
/** Loads (installing first if needed) the DevTools bundle: {HeapSnapshotWorker, HeapSnapshotModel}. */
export function loadDevTools() {
  if (!dtPromise) {
    dtPromise = (async () => {
      const bundle = process.env.DEVTOOLS_BUNDLE || (await ensureDevTools());
      const DT = await import(pathToFileURL(bundle).href);
      let version = 'unknown';
      try {
        version = fs.readFileSync(path.join(path.dirname(bundle), 'VERSION'), 'utf8').trim();
      } catch {}
      const proto = DT.HeapSnapshotWorker.HeapSnapshot.JSHeapSnapshot.prototype;
      if (!proto.__heapwiseHooked) {
        const orig = proto.calculateShallowSizes;
        proto.calculateShallowSizes = function () {
          const n = this.nodeCount,
            fc = this.nodeFieldCount,
            off = this.nodeSelfSizeOffset;
          const raw = new Float64Array(n);
          for (let i = 0; i < n; i++) raw[i] = this.nodes.getValue(i * fc + off);
          this.__rawSelfSizes = raw;
          return orig.call(this);
        };
        proto.__heapwiseHooked = true;
      }
      return { ...DT, version, bundle };
    })();
  }
  return dtPromise;
}

/** Parses a snapshot file the way the DevTools front end does and returns the JSHeapSnapshot. */
export async function loadSnapshot(file, warnings = []) {
  const DT = await loadDevTools();
  const { HeapSnapshot, HeapSnapshotLoader, HeapSnapshotWorkerDispatcher } = DT.HeapSnapshotWorker;
  const t0 = process.hrtime.bigint();
  const dispatcher = new HeapSnapshotWorkerDispatcher.HeapSnapshotWorkerDispatcher(() => {});
  const loader = new HeapSnapshotLoader.HeapSnapshotLoader(dispatcher);
  // DevTools reads files with ChunkedFileReader(file, 10000000) + a streaming TextDecoder.
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(10000000);
    const decoder = new TextDecoder();
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
      loader.write(decoder.decode(buf.subarray(0, n), { stream: true }));
      await new Promise((r) => setImmediate(r)); // let the loader consume the chunk
    }
    loader.write(decoder.decode());
  } finally {
    fs.closeSync(fd);
  }
  loader.close();
  await loader.parsingComplete;
  const t1 = process.hrtime.bigint();
  const channel = new MessageChannel();
  new HeapSnapshot.SecondaryInitManager(channel.port2);
  const origWarn = console.warn;
  console.warn = (...a) => {
    warnings.push(a.join(' ').slice(0, 2000));
  };
  let snapshot;
  try {
    snapshot = await loader.buildSnapshot(channel.port1);
  } finally {
    console.warn = origWarn;
    channel.port1.close();
    channel.port2.close();
  }
  const t2 = process.hrtime.bigint();
  return { snapshot, parseMs: Number(t1 - t0) / 1e6, initMs: Number(t2 - t1) / 1e6 };
}

/** The Statistics view's records, as HeapSnapshotView.retrieveStatistics builds them. */
export function statisticsView(s) {
  const st = s.getStatistics();
  const { v8heap, native } = st;
  return {
    total: st.total,
    code: v8heap.code,
    strings: v8heap.strings,
    js_arrays: v8heap.jsArrays,
    typed_arrays: native.typedArrays,
    system_objects: v8heap.system,
    other_js_objects: v8heap.total - v8heap.code - v8heap.strings - v8heap.jsArrays - v8heap.system,
    other_non_js_objects: native.total - native.typedArrays,
  };
}

/**
 * The Summary filter "Duplicated strings": DevTools' own getDuplicateStrings() (the groups of the
 * nodes its createDuplicatedStringsFilter keeps), largest total retained size first.
 */
export function duplicatedStringsView(s) {
  const groups = s.getDuplicateStrings().map((g) => ({
    value: g.value.slice(0, 200),
    value_length: g.value.length,
    count: g.count,
    total_self_size: g.totalSelfSize,
    truncated: g.truncated,
    ids: g.nodes.map((n) => n.id),
  }));
  return { groups };
}

/** The Summary view ("All objects"): aggregatesWithFilter(new NodeFilter()), one row per class key. */
export function summaryView(s, Model) {
  const aggregates = s.aggregatesWithFilter(new Model.NodeFilter());
  let totalCount = 0,
    totalSize = 0;
  const rows = [];
  for (const key in aggregates) {
    const a = aggregates[key];
    totalCount += a.count;
    totalSize += a.self;
    rows.push({ key, name: a.name, count: a.count, distance: a.distance, shallow_size: a.self, retained_size: a.maxRet });
  }
  rows.sort((a, b) => b.retained_size - a.retained_size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { total_count: totalCount, total_shallow_size: totalSize, rows };
}

function perNode(s) {
  const n = s.nodeCount,
    fc = s.nodeFieldCount;
  const idOff = s.nodeIdOffset;
  const raw = s.__rawSelfSizes;
  const nodes = {
    id: new Float64Array(n),
    self_size: new Float64Array(n),
    shallow_size: new Float64Array(n),
    retained_size: new Float64Array(n),
    distance: new Float64Array(n),
    dominator_id: new Float64Array(n),
  };
  const node = s.createNode(0);
  for (let i = 0; i < n; i++) {
    node.nodeIndex = i * fc;
    nodes.id[i] = s.nodes.getValue(i * fc + idOff);
    nodes.self_size[i] = raw ? raw[i] : node.selfSize();
    nodes.shallow_size[i] = node.selfSize();
    nodes.retained_size[i] = s.retainedSizes[i];
    nodes.distance[i] = s.nodeDistances[i];
  }
  for (let i = 0; i < n; i++) nodes.dominator_id[i] = nodes.id[s.dominatorsTree[i]];
  return nodes;
}

/**
 * Runs DevTools on one snapshot file. Returns
 * {tool, version, snapshot, node_count, edge_count, total_size, root_retained_size,
 *  extra_native_bytes, total_self_size, total_shallow_size, statistics: {view, raw},
 *  summary: {total_count, total_shallow_size, rows}, duplicated_strings: {groups}, warnings, timing_ms,
 *  nodes, nodeIndexById}.
 */
export async function runDevTools(file) {
  const DT = await loadDevTools();
  const tStart = process.hrtime.bigint();
  const warnings = [];
  const { snapshot: s, parseMs, initMs } = await loadSnapshot(file, warnings);
  const tA = process.hrtime.bigint();
  const summary = summaryView(s, DT.HeapSnapshotModel);
  const stats = statisticsView(s);
  const nodes = perNode(s);
  let totalRaw = 0,
    totalShallow = 0;
  for (let i = 0; i < nodes.id.length; i++) {
    totalRaw += nodes.self_size[i];
    totalShallow += nodes.shallow_size[i];
  }
  const rootOrd = s.rootNodeIndex / s.nodeFieldCount;
  let index = null;
  const result = {
    tool: 'devtools',
    version: DT.version,
    snapshot: path.resolve(file),
    node_count: s.nodeCount,
    edge_count: s.containmentEdges.length / s.edgeFieldsCount,
    total_size: s.totalSize, // root retained + snapshot.extra_native_bytes
    root_retained_size: s.retainedSizes[rootOrd],
    extra_native_bytes: s.profile.snapshot.extra_native_bytes ?? 0,
    total_self_size: totalRaw,
    total_shallow_size: totalShallow,
    statistics: { view: stats, raw: s.getStatistics() },
    summary,
    duplicated_strings: duplicatedStringsView(s),
    warnings,
    timing_ms: {
      parse: parseMs,
      init: initMs,
      report: Number(process.hrtime.bigint() - tA) / 1e6,
      total: Number(process.hrtime.bigint() - tStart) / 1e6,
    },
    nodes,
    nodeIndexById(id) {
      if (!index) {
        index = new Map();
        for (let i = 0; i < nodes.id.length; i++) index.set(nodes.id[i], i);
      }
      const i = index.get(Number(id));
      return i === undefined ? -1 : i;
    },
  };
  return result;
}

/** Writes the per-node TSV (same format as the team's devtools-oracle.mjs --nodes). */
export async function writeNodesTsv(nodes, file) {
  const ws = fs.createWriteStream(file);
  const done = new Promise((resolve, reject) => {
    ws.on('finish', resolve);
    ws.on('error', reject);
  });
  ws.write(TSV_HEADER + '\n');
  let b = '';
  const n = nodes.id.length;
  for (let i = 0; i < n; i++) {
    b += `${nodes.id[i]}\t${nodes.self_size[i]}\t${nodes.shallow_size[i]}\t${nodes.retained_size[i]}\t${nodes.distance[i]}\t${nodes.dominator_id[i]}\n`;
    if (b.length > 1 << 20) {
      ws.write(b);
      b = '';
    }
  }
  ws.end(b);
  await done;
}

/** The JSON-serialisable part of a runDevTools() result (everything but the per-node arrays). */
export function toJson(result) {
  const { nodes, nodeIndexById, ...rest } = result;
  return { ...rest, max_rss_kb: process.resourceUsage().maxRSS };
}

/** The largest JS object id (odd id) of a loaded snapshot, as DevTools' StaticData has it. */
export function maxJsObjectId(s) {
  return s.updateStaticData().maxJSObjectId;
}

function retainedById(s) {
  const n = s.nodeCount,
    fc = s.nodeFieldCount,
    idOff = s.nodeIdOffset;
  const m = new Map();
  for (let i = 0; i < n; i++) m.set(s.nodes.getValue(i * fc + idOff), s.retainedSizes[i]);
  return m;
}

/**
 * Runs DevTools' Comparison view (BASE -> CURRENT) and the "Objects allocated between" Summary of
 * CURRENT. Returns {tool, version, mode, base, current, base_node_count, current_node_count,
 * base_total_size, current_total_size, base_max_js_object_id, current_max_js_object_id, totals,
 * rows, by_name, allocated: {min_node_id, max_node_id, total_count, total_shallow_size, rows},
 * warnings, timing_ms, retained}; with {retained: true}, retained is {base, current}, Maps id ->
 * DevTools' retained size (not in the JSON), otherwise null.
 */
export async function runDevToolsDiff(baseFile, currentFile, { retained = false } = {}) {
  const DT = await loadDevTools();
  const Model = DT.HeapSnapshotModel;
  const tStart = process.hrtime.bigint();
  const warnings = [];
  const a = await loadSnapshot(baseFile, warnings);
  const b = await loadSnapshot(currentFile, warnings);
  const t1 = process.hrtime.bigint();
  // HeapSnapshotDiffDataGrid.populateChildren: snapshot = current (b), baseSnapshot = a.
  const interfaceDefinitions = b.snapshot.interfaceDefinitions();
  const aggregatesForDiff = a.snapshot.aggregatesForDiff(interfaceDefinitions);
  const diffByClassKey = b.snapshot.calculateSnapshotDiff(1, aggregatesForDiff);
  const rows = [];
  const totals = { new_count: 0, deleted_count: 0, delta_count: 0, alloc_size: 0, freed_size: 0, size_delta: 0 };
  const byName = new Map();
  for (const key in diffByClassKey) {
    const d = diffByClassKey[key];
    const r = {
      key,
      name: d.name,
      new_count: d.addedCount,
      deleted_count: d.removedCount,
      delta_count: d.countDelta,
      alloc_size: d.addedSize,
      freed_size: d.removedSize,
      size_delta: d.sizeDelta,
    };
    rows.push(r);
    for (const k in totals) totals[k] += r[k];
    let m = byName.get(d.name);
    if (!m) byName.set(d.name, (m = { new_count: 0, deleted_count: 0, delta_count: 0, alloc_size: 0, freed_size: 0, size_delta: 0 }));
    for (const k in m) m[k] += r[k];
  }
  // the Comparison view's default sort: "Alloc. Size" descending
  rows.sort((x, y) => y.alloc_size - x.alloc_size || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const t2 = process.hrtime.bigint();
  // Summary view of CURRENT, filter "Objects allocated between <base> and <current>"
  // (HeapSnapshotConstructorsDataGrid.filterSelectIndexChanged: NodeFilter(profiles[i - 1]
  // .maxJSObjectId, profiles[i].maxJSObjectId); the worker keeps ids with min < id <= max).
  const minNodeId = maxJsObjectId(a.snapshot);
  const maxNodeId = maxJsObjectId(b.snapshot);
  const aggregates = b.snapshot.aggregatesWithFilter(new Model.NodeFilter(minNodeId, maxNodeId));
  const allocRows = [];
  let allocCount = 0,
    allocShallow = 0;
  for (const key in aggregates) {
    const g = aggregates[key];
    allocCount += g.count;
    allocShallow += g.self;
    allocRows.push({ key, name: g.name, count: g.count, distance: g.distance, shallow_size: g.self, retained_size: g.maxRet });
  }
  allocRows.sort((x, y) => y.retained_size - x.retained_size || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const t3 = process.hrtime.bigint();
  const result = {
    tool: 'devtools',
    version: DT.version,
    mode: 'comparison',
    base: path.resolve(baseFile),
    current: path.resolve(currentFile),
    base_node_count: a.snapshot.nodeCount,
    current_node_count: b.snapshot.nodeCount,
    base_total_size: a.snapshot.totalSize,
    current_total_size: b.snapshot.totalSize,
    base_max_js_object_id: minNodeId,
    current_max_js_object_id: maxNodeId,
    totals,
    rows,
    by_name: Object.fromEntries([...byName.entries()].sort((x, y) => y[1].alloc_size - x[1].alloc_size)),
    allocated: {
      min_node_id: minNodeId,
      max_node_id: maxNodeId,
      total_count: allocCount,
      total_shallow_size: allocShallow,
      rows: allocRows,
    },
    warnings,
    timing_ms: {
      base_parse: a.parseMs,
      base_init: a.initMs,
      current_parse: b.parseMs,
      current_init: b.initMs,
      diff: Number(t2 - t1) / 1e6,
      allocated: Number(t3 - t2) / 1e6,
      total: Number(process.hrtime.bigint() - tStart) / 1e6,
    },
    retained: retained ? { base: retainedById(a.snapshot), current: retainedById(b.snapshot) } : null,
  };
  return result;
}

/** The JSON-serialisable part of a runDevToolsDiff() result. */
export function diffToJson(result) {
  const { retained, ...rest } = result;
  return { ...rest, max_rss_kb: process.resourceUsage().maxRSS };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--diff' || args.includes('--diff')) {
    const pos = args.filter((x) => x !== '--diff');
    if (pos.length !== 3 || pos.some((x) => x.startsWith('--'))) {
      console.error('usage: node tools/devtools/oracle.mjs --diff BASE CURRENT OUT.json   (OUT.json "-" = stdout)');
      process.exit(2);
    }
    const [baseFile, currentFile, outFile] = pos;
    const d = await runDevToolsDiff(baseFile, currentFile);
    const json = JSON.stringify(diffToJson(d), null, 1) + '\n';
    if (outFile === '-') process.stdout.write(json);
    else fs.writeFileSync(outFile, json);
    const t = d.totals;
    console.error(
      `devtools oracle --diff: ${d.rows.length} classes changed, +${t.new_count} -${t.deleted_count}, ` +
        `size delta ${t.size_delta}; ${d.allocated.total_count} objects allocated between ` +
        `(${d.allocated.min_node_id}, ${d.allocated.max_node_id}]`,
    );
    return;
  }
  const pos = [];
  let nodesTsv = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nodes') nodesTsv = args[++i];
    else pos.push(args[i]);
  }
  if (pos.length !== 2 || (args.includes('--nodes') && !nodesTsv)) {
    console.error(
      'usage: node tools/devtools/oracle.mjs SNAPSHOT OUT.json [--nodes OUT.tsv]   (OUT.json "-" = stdout)\n' +
        '       node tools/devtools/oracle.mjs --diff BASE CURRENT OUT.json',
    );
    process.exit(2);
  }
  const [file, outFile] = pos;
  const r = await runDevTools(file);
  if (nodesTsv) await writeNodesTsv(r.nodes, nodesTsv);
  const json = JSON.stringify(toJson(r), null, 1) + '\n';
  if (outFile === '-') process.stdout.write(json);
  else fs.writeFileSync(outFile, json);
  console.error(
    `devtools oracle: ${path.basename(file)}: ${r.node_count} nodes, ${r.edge_count} edges, ` +
      `total ${r.total_size}, ${r.summary.rows.length} summary rows, parse ${r.timing_ms.parse.toFixed(0)} ms, ` +
      `init ${r.timing_ms.init.toFixed(0)} ms`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (e) {
    console.error((e && e.stack) || e);
    process.exit(1);
  }
}
