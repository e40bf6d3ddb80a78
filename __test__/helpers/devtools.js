// Helpers for the DevTools parity tests: run Chrome DevTools' heap snapshot code (through
// tools/devtools/oracle.mjs, in a child process) and heapwise's CLI on a snapshot, load their
// per-node TSV dumps, bring both outputs to one shape and compare them with readable reports.
// For `diff`: runDevToolsDiff (DevTools' Comparison view and "Objects allocated between" Summary,
// oracle.mjs --diff), runHeapwiseDiff (`heapwise diff ... --format json`), normalizeDevToolsDiff
// and compareComparison / compareSummary(..., {fields}) on the results.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const REPO = path.resolve(__dirname, '..', '..');
const INSTALL = path.join(REPO, 'tools', 'devtools', 'install.mjs');
const ORACLE = path.join(REPO, 'tools', 'devtools', 'oracle.mjs');
// HEAPWISE_CLI: run another build of the CLI (e.g. an installed package's lib/cli/main.js)
const CLI = path.resolve(process.env.HEAPWISE_CLI || path.join(REPO, 'lib', 'cli', 'main.js'));
const NODE_COLUMNS = ['self_size', 'shallow_size', 'retained_size', 'distance', 'dominator_id'];
const MAX_BUFFER = 1 << 30;
const HEAP_MB = process.env.HEAPWISE_ORACLE_HEAP_MB || '4096';

/** Installs DevTools' bundle into .cache/devtools if needed (idempotent); returns its path. */
function ensureDevTools() {
  const out = execFileSync(process.execPath, [INSTALL], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: MAX_BUFFER,
  });
  return out.trim().split('\n').pop();
}

/**
 * Runs DevTools on `file` in a child Node process; the JSON and TSV go to outDir/<name>.devtools.*.
 * Returns {json (oracle.mjs's JSON), nodes (loadNodesTsv), jsonFile, tsvFile}.
 */
function runDevTools(file, outDir, name = path.basename(file, '.heapsnapshot')) {
  const jsonFile = path.join(outDir, `${name}.devtools.json`);
  const tsvFile = path.join(outDir, `${name}.devtools.tsv`);
  execFileSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ORACLE, file, jsonFile, '--nodes', tsvFile], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: MAX_BUFFER,
  });
  return { json: JSON.parse(fs.readFileSync(jsonFile, 'utf8')), nodes: loadNodesTsv(tsvFile), jsonFile, tsvFile };
}

/**
 * Runs `heapwise analyze FILE --json --nodes OUT.tsv` (the heapwise CLI contract). Returns
 * {json (its stdout, parsed), nodes (loadNodesTsv), tsvFile}.
 */
function runHeapwise(file, outDir, name = path.basename(file, '.heapsnapshot')) {
  if (!fs.existsSync(CLI)) {
    throw new Error(`heapwise CLI not found at ${CLI} (is the addon and its lib/cli/main.js written yet?)`);
  }
  const tsvFile = path.join(outDir, `${name}.heapwise.tsv`);
  fs.rmSync(tsvFile, { force: true });
  let stdout;
  try {
    stdout = execFileSync(process.execPath, [CLI, 'analyze', file, '--json', '--nodes', tsvFile], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: MAX_BUFFER,
    });
  } catch (e) {
    const stderr = e.stderr ? String(e.stderr).slice(-4000) : '';
    throw new Error(`heapwise analyze ${file} failed (${e.status ?? e.signal ?? e.code}): ${stderr || e.message}`);
  }
  let json;
  try {
    json = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`heapwise analyze --json printed invalid JSON (${e.message}): ${stdout.slice(0, 500)}`);
  }
  if (!fs.existsSync(tsvFile)) throw new Error(`heapwise analyze did not write ${tsvFile}`);
  return { json, nodes: loadNodesTsv(tsvFile), tsvFile };
}

/**
 * Reads a per-node TSV (header `id self_size shallow_size retained_size distance dominator_id`,
 * columns in any order). Returns {count, columns: {name: Float64Array}, index: Map(id -> row),
 * duplicateIds: [...]}.
 */
function loadNodesTsv(file) {
  const text = fs.readFileSync(file, 'utf8');
  let pos = text.indexOf('\n');
  if (pos < 0) pos = text.length;
  const header = text.slice(0, pos).replace(/\r$/, '').split('\t');
  const needed = ['id', ...NODE_COLUMNS];
  const missing = needed.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`${file}: header lacks ${missing.join(', ')} (header: ${header.join(' ')})`);
  const lines = text.slice(pos + 1).split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const count = lines.length;
  const columns = {};
  for (const c of needed) columns[c] = new Float64Array(count);
  const colIdx = needed.map((c) => header.indexOf(c));
  const index = new Map();
  const duplicateIds = [];
  for (let r = 0; r < count; r++) {
    const f = lines[r].replace(/\r$/, '').split('\t');
    for (let k = 0; k < needed.length; k++) {
      const v = Number(f[colIdx[k]]);
      if (f[colIdx[k]] === undefined || f[colIdx[k]] === '' || Number.isNaN(v)) {
        throw new Error(`${file}:${r + 2}: bad ${needed[k]} value ${JSON.stringify(f[colIdx[k]])}`);
      }
      columns[needed[k]][r] = v;
    }
    const id = columns.id[r];
    if (index.has(id)) duplicateIds.push(id);
    else index.set(id, r);
  }
  return { count, columns, index, duplicateIds };
}

/**
 * Compares per-node data, keyed by node id. Returns {ok, shared, missing, extra, mismatches:
 * {column: count}, examples: [...first maxExamples], report}.
 */
function compareNodes(expected, actual, { columns = NODE_COLUMNS, maxExamples = 10, labels = ['devtools', 'heapwise'] } = {}) {
  const [le, la] = labels;
  const mismatches = Object.fromEntries(columns.map((c) => [c, 0]));
  const examples = [];
  const missingIds = [];
  let shared = 0,
    missing = 0,
    badNodes = 0;
  for (let r = 0; r < expected.count; r++) {
    const id = expected.columns.id[r];
    const a = actual.index.get(id);
    if (a === undefined) {
      missing++;
      if (missingIds.length < maxExamples) missingIds.push(id);
      continue;
    }
    shared++;
    let bad = false;
    for (const c of columns) {
      const ve = expected.columns[c][r],
        va = actual.columns[c][a];
      if (ve !== va) {
        mismatches[c]++;
        bad = true;
        if (examples.length < maxExamples) examples.push({ id, column: c, [le]: ve, [la]: va });
      }
    }
    if (bad) badNodes++;
  }
  const extraIds = [];
  let extra = 0;
  for (const [id] of actual.index) {
    if (!expected.index.has(id)) {
      extra++;
      if (extraIds.length < maxExamples) extraIds.push(id);
    }
  }
  const ok = badNodes === 0 && missing === 0 && extra === 0 && actual.duplicateIds.length === 0;
  const lines = [];
  if (!ok) {
    lines.push(
      `per-node mismatch: ${expected.count} nodes in ${le}, ${actual.count} in ${la}, ${shared} shared, ` +
        `${badNodes} nodes differ; ${missing} missing in ${la}, ${extra} extra in ${la}, ${actual.duplicateIds.length} duplicate ids in ${la}`,
    );
    lines.push('  differing nodes per column: ' + columns.map((c) => `${c} ${mismatches[c]}`).join(', '));
    if (missingIds.length) lines.push(`  missing ids (first ${missingIds.length}): ${missingIds.join(', ')}`);
    if (extraIds.length) lines.push(`  extra ids (first ${extraIds.length}): ${extraIds.join(', ')}`);
    if (actual.duplicateIds.length) lines.push(`  duplicate ids: ${actual.duplicateIds.slice(0, maxExamples).join(', ')}`);
    if (examples.length) {
      lines.push(`  first ${examples.length} mismatches:`);
      for (const e of examples) lines.push(`    id ${e.id} ${e.column}: ${le} ${e[le]}, ${la} ${e[la]}`);
    }
  }
  return { ok, shared, missing, extra, badNodes, mismatches, examples, report: lines.join('\n') };
}

/** The statistics / totals / Summary of an oracle.mjs JSON, in the common (heapwise) shape. */
function normalizeDevTools(json) {
  const v = json.statistics.view;
  const raw = json.statistics.raw || {};
  return {
    nodeCount: json.node_count,
    edgeCount: json.edge_count,
    totalSize: json.total_size,
    statistics: {
      total: v.total,
      code: v.code,
      strings: v.strings,
      jsArrays: v.js_arrays,
      typedArrays: v.typed_arrays,
      system: v.system_objects,
      otherJsObjects: v.other_js_objects,
      otherNonJsObjects: v.other_non_js_objects,
      v8Heap: raw.v8heap ? raw.v8heap.total : undefined,
      native: raw.native ? raw.native.total : undefined,
    },
    summary: json.summary.rows.map((r) => ({
      key: r.key,
      name: r.name,
      count: r.count,
      distance: r.distance,
      shallowSize: r.shallow_size,
      retainedSize: r.retained_size,
    })),
  };
}

/** The heapwise `analyze --json` output in the common shape. */
function normalizeHeapwise(json) {
  const s = json.statistics || {};
  return {
    nodeCount: json.nodeCount,
    edgeCount: json.edgeCount,
    totalSize: json.totalSize,
    statistics: {
      total: s.total,
      code: s.code,
      strings: s.strings,
      jsArrays: s.jsArrays,
      typedArrays: s.typedArrays,
      system: s.system,
      otherJsObjects: s.otherJsObjects,
      otherNonJsObjects: s.otherNonJsObjects,
      v8Heap: s.v8Heap,
      native: s.native,
    },
    summary: (json.summary || []).map((r) => ({
      key: r.key,
      name: r.name,
      count: r.count,
      distance: r.distance,
      shallowSize: r.shallowSize,
      retainedSize: r.retainedSize,
    })),
  };
}

const SUMMARY_FIELDS = ['name', 'count', 'distance', 'shallowSize', 'retainedSize'];
const q = (s) => JSON.stringify(s); // shows escapes, lone surrogates and control characters plainly

/**
 * Compares Summary rows matched by key (fields: which to compare, default SUMMARY_FIELDS).
 * Returns {ok, report, missing, extra, differing}.
 */
function compareSummary(
  expectedRows,
  actualRows,
  {
    maxExamples = 10,
    labels = ['devtools', 'heapwise'],
    fields = SUMMARY_FIELDS,
    title = 'Summary',
    describe = (r) => `count ${r.count}, retained ${r.retainedSize}`,
  } = {},
) {
  const [le, la] = labels;
  const lines = [];
  const dupes = (rows) => {
    const seen = new Set(),
      d = [];
    for (const r of rows) {
      if (seen.has(r.key)) d.push(r.key);
      seen.add(r.key);
    }
    return d;
  };
  const dupA = dupes(actualRows);
  const exp = new Map(expectedRows.map((r) => [r.key, r]));
  const act = new Map(actualRows.map((r) => [r.key, r]));
  const missing = [...exp.keys()].filter((k) => !act.has(k));
  const extra = [...act.keys()].filter((k) => !exp.has(k));
  const differing = [];
  for (const [key, e] of exp) {
    const a = act.get(key);
    if (!a) continue;
    const bad = fields.filter((f) => e[f] !== a[f]);
    if (bad.length) differing.push({ key, fields: bad, e, a });
  }
  const ok = !missing.length && !extra.length && !differing.length && !dupA.length;
  if (!ok) {
    lines.push(
      `${title} mismatch: ${exp.size} rows in ${le}, ${act.size} in ${la}; ${missing.length} keys missing in ${la}, ` +
        `${extra.length} extra keys in ${la}, ${differing.length} matched rows differ, ${dupA.length} duplicate keys in ${la}`,
    );
    const show = (title, list) => {
      if (list.length)
        lines.push(`  ${title} (first ${Math.min(list.length, maxExamples)}): ${list.slice(0, maxExamples).map(q).join(', ')}`);
    };
    show(
      `missing in ${la}`,
      missing.map((k) => `${k} (${describe(exp.get(k))})`),
    );
    show(
      `extra in ${la}`,
      extra.map((k) => `${k} (${describe(act.get(k))})`),
    );
    show(`duplicate keys in ${la}`, dupA);
    for (const d of differing.slice(0, maxExamples)) {
      lines.push(`  ${q(d.key)}: ` + d.fields.map((f) => `${f} ${le} ${q(d.e[f])} ${la} ${q(d.a[f])}`).join('; '));
    }
  }
  return { ok, missing, extra, differing, report: lines.join('\n') };
}

const STAT_FIELDS = ['total', 'code', 'strings', 'jsArrays', 'typedArrays', 'system', 'otherJsObjects', 'otherNonJsObjects'];

/**
 * Compares statistics and totals. v8Heap / native are compared only when the actual side has
 * them. Returns {ok, report}.
 */
function compareTotals(expected, actual, { labels = ['devtools', 'heapwise'] } = {}) {
  const [le, la] = labels;
  const diffs = [];
  for (const f of ['nodeCount', 'edgeCount', 'totalSize']) {
    if (expected[f] !== actual[f]) diffs.push(`${f}: ${le} ${expected[f]}, ${la} ${actual[f]}`);
  }
  const fields = [...STAT_FIELDS, ...['v8Heap', 'native'].filter((f) => actual.statistics[f] !== undefined)];
  for (const f of fields) {
    if (expected.statistics[f] !== actual.statistics[f]) {
      diffs.push(`statistics.${f}: ${le} ${expected.statistics[f]}, ${la} ${actual.statistics[f]}`);
    }
  }
  return { ok: diffs.length === 0, report: diffs.length ? 'totals / statistics mismatch:\n  ' + diffs.join('\n  ') : '' };
}

// ---------------------------------------------------------------------------------------------
// diff: DevTools' Comparison view and "Objects allocated between Snapshot 1 and Snapshot 2"

/**
 * Runs `oracle.mjs --diff BASE CURRENT` in a child Node process; the JSON goes to
 * outDir/<name>.devtools-diff.json. Returns {json, jsonFile}.
 */
function runDevToolsDiff(
  base,
  current,
  outDir,
  name = `${path.basename(base, '.heapsnapshot')}--${path.basename(current, '.heapsnapshot')}`,
) {
  const jsonFile = path.join(outDir, `${name}.devtools-diff.json`);
  execFileSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, ORACLE, '--diff', base, current, jsonFile], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: MAX_BUFFER,
  });
  return { json: JSON.parse(fs.readFileSync(jsonFile, 'utf8')), jsonFile };
}

/**
 * Runs `heapwise diff ...args` (spawnSync, never throws on a non-zero exit). Returns
 * {status, stdout, stderr, json (stdout parsed when it is JSON, else null), ms}.
 */
function runHeapwiseDiff(args, { env } = {}) {
  const { spawnSync } = require('child_process');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'diff', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: MAX_BUFFER,
    env: env ? { ...process.env, ...env } : process.env,
  });
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, json, ms: Date.now() - t0 };
}

const COMPARISON_FIELDS = ['name', 'newCount', 'deletedCount', 'deltaCount', 'allocSize', 'freedSize', 'sizeDelta'];

/** oracle.mjs --diff JSON in the HeapDiff shape: {totals, classes, allocated, maxJsObjectId}. */
function normalizeDevToolsDiff(json) {
  const row = (r) => ({
    key: r.key,
    name: r.name,
    newCount: r.new_count,
    deletedCount: r.deleted_count,
    deltaCount: r.delta_count,
    allocSize: r.alloc_size,
    freedSize: r.freed_size,
    sizeDelta: r.size_delta,
  });
  const t = json.totals;
  return {
    before: { nodeCount: json.base_node_count, totalSize: json.base_total_size, maxJsObjectId: json.base_max_js_object_id },
    after: { nodeCount: json.current_node_count, totalSize: json.current_total_size, maxJsObjectId: json.current_max_js_object_id },
    totals: {
      newCount: t.new_count,
      deletedCount: t.deleted_count,
      deltaCount: t.delta_count,
      allocSize: t.alloc_size,
      freedSize: t.freed_size,
      sizeDelta: t.size_delta,
    },
    classes: json.rows.map(row),
    allocated: json.allocated.rows.map((r) => ({
      key: r.key,
      name: r.name,
      count: r.count,
      distance: r.distance,
      shallowSize: r.shallow_size,
      retainedSize: r.retained_size,
    })),
  };
}

/**
 * Compares Comparison rows (matched by key) and totals. Returns {ok, report, missing, extra,
 * differing}.
 */
function compareComparison(expected, actual, { maxExamples = 10, labels = ['devtools', 'heapwise'] } = {}) {
  const [le, la] = labels;
  const rows = compareSummary(expected.classes, actual.classes, {
    maxExamples,
    labels,
    fields: COMPARISON_FIELDS,
    title: 'Comparison',
    describe: (r) => `new ${r.newCount}, deleted ${r.deletedCount}, alloc ${r.allocSize}, freed ${r.freedSize}`,
  });
  const lines = rows.report ? [rows.report] : [];
  const totalDiffs = [];
  for (const f of COMPARISON_FIELDS.slice(1)) {
    if (!actual.totals || expected.totals[f] !== actual.totals[f]) {
      totalDiffs.push(`${f} ${le} ${expected.totals[f]} ${la} ${actual.totals ? actual.totals[f] : undefined}`);
    }
  }
  if (totalDiffs.length) lines.push('Comparison totals mismatch: ' + totalDiffs.join('; '));
  return { ...rows, ok: rows.ok && !totalDiffs.length, report: lines.join('\n') };
}

module.exports = {
  REPO,
  CLI,
  NODE_COLUMNS,
  STAT_FIELDS,
  SUMMARY_FIELDS,
  COMPARISON_FIELDS,
  ensureDevTools,
  runDevTools,
  runHeapwise,
  loadNodesTsv,
  normalizeDevTools,
  normalizeHeapwise,
  compareNodes,
  compareSummary,
  compareTotals,
  runDevToolsDiff,
  runHeapwiseDiff,
  normalizeDevToolsDiff,
  compareComparison,
};
