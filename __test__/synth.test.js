// The synthetic snapshot writer (tools/synth/write.mjs): its small outputs must be valid V8 heap
// snapshots in Node 20's exact layout, load in Chrome DevTools' own heap snapshot code without
// errors, have the intended shape (classes, chains, WeakMap ephemerons, shallow-size moves,
// only the deliberate unreachable nodes), and heapwise must agree with DevTools on every node.
//
// Env: HEAPWISE_SYNTH_KEEP=1 keeps the temp dir (snapshots, DevTools and heapwise dumps).
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const dt = require('./helpers/devtools');

const WRITER = path.join(dt.REPO, 'tools', 'synth', 'write.mjs');
const CASES = [
  { name: 'synth-5MB-seed1', size: '5MB', bytes: 5e6, seed: 1, threads: 2 },
  { name: 'synth-5MB-seed7', size: '5MB', bytes: 5e6, seed: 7, threads: 0 },
  { name: 'synth-20MB-seed2', size: '20MB', bytes: 20e6, seed: 2, threads: 2 },
];
// Node 20 / V8 11.3 writes exactly this before node_count (captured from v8.writeHeapSnapshot()).
const NODE20_HEAD =
  '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],' +
  '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string",' +
  '"sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],' +
  '"edge_fields":["type","name_or_index","to_node"],"edge_types":[["context","element","property","internal","hidden","shortcut",' +
  '"weak"],"string_or_number","node"],"trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],' +
  '"trace_node_fields":["id","function_info_index","count","size","children"],"sample_fields":["timestamp_us","last_assigned_id"],' +
  '"location_fields":["object_index","script_id","line","column"]},';
const EXPECTED_CLASSES = [
  'User',
  'Customer',
  'Account',
  'Order',
  'Product',
  'Request',
  'CacheEntry',
  'Invoice',
  'Profile',
  'Token',
  'TokenData',
  'TreeNode',
  'ListNode',
  'EventEmitter',
  'Map',
  'WeakMap',
  'WeakRef',
  'Array',
  'Uint8Array',
  'ArrayBuffer',
  'system / Context',
  'system / JSArrayBufferData',
  '{data, close}',
  '(string)',
  '(concatenated string)',
  '(sliced string)',
  'Function',
  'RegExp',
  '(number)',
  '(array)',
  '(system)',
  '(compiled code)',
  '(object shape)',
  'Detached Node / TCPWrap',
  'global',
];
const sha1 = (f) => crypto.createHash('sha1').update(fs.readFileSync(f)).digest('hex');

describe('synthetic snapshot writer', () => {
  let dir, synth;
  const written = new Map(); // name -> {file, summary, layout}

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-synth-'));
    dt.ensureDevTools();
    synth = await import(require('url').pathToFileURL(WRITER).href);
    for (const c of CASES) {
      const file = path.join(dir, `${c.name}.heapsnapshot`);
      const summary = await synth.writeSnapshot(file, { size: c.size, seed: c.seed, threads: c.threads });
      written.set(c.name, { file, summary, layout: synth.layoutFor({ size: c.size, seed: c.seed }) });
    }
  });

  after(() => {
    if (!dir) return;
    if (process.env.HEAPWISE_SYNTH_KEEP) process.stderr.write(`synth: kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the CLI writes the same bytes as the module, with or without worker threads', () => {
    const { execFileSync } = require('child_process');
    const w = written.get('synth-5MB-seed1');
    const out = path.join(dir, 'cli.heapsnapshot');
    const stdout = execFileSync(process.execPath, [WRITER, out, '--size', '5MB', '--seed', '1', '--threads', '0', '--quiet'], {
      encoding: 'utf8',
    });
    assert.strictEqual(JSON.parse(stdout).bytes, w.summary.bytes);
    assert.strictEqual(sha1(out), sha1(w.file), 'threads 0 (CLI) and threads 2 (module) give identical files');
    fs.rmSync(out);
    assert.notStrictEqual(sha1(written.get('synth-5MB-seed7').file), sha1(w.file), 'another seed, another file');
  });

  for (const c of CASES) {
    describe(c.name, () => {
      let w, devtools, text, json;
      const col = (name, id) => devtools.nodes.columns[name][devtools.nodes.index.get(id)];

      before(() => {
        w = written.get(c.name);
        devtools = dt.runDevTools(w.file, dir, c.name);
      });

      test('size within 5% of the request, V8 layout and whitespace', () => {
        assert.ok(Math.abs(w.summary.bytes - c.bytes) <= 0.05 * c.bytes, `${w.summary.bytes} bytes for ${c.size}`);
        text = fs.readFileSync(w.file, 'latin1');
        assert.ok(text.startsWith(NODE20_HEAD), 'Node 20 meta, byte for byte');
        assert.ok(
          text.includes(
            `"node_count":${w.summary.nodeCount},"edge_count":${w.summary.edgeCount},"trace_function_count":0},\n"nodes":[9,1,1,0,3,0,0\n,9,2,3,0,`,
          ),
          'header counts, root record',
        );
        let at = 0;
        for (const sep of [
          '\n],\n"edges":[1,1,7\n,5,',
          '\n],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[',
          '\n],\n"strings":["<dummy>",\n"",\n"(GC roots)",\n"(Internalized strings)"',
        ]) {
          const i = text.indexOf(sep, at);
          assert.ok(i > at, `section separator ${JSON.stringify(sep)} in order`);
          at = i;
        }
        assert.ok(text.endsWith('"]}'), 'ends like V8 (no trailing newline)');
        assert.ok(!/[^\x00-\x7f]/.test(text), 'pure ASCII: non-ASCII is \\uXXXX-escaped');
        assert.ok(text.includes('\\u00E9') && text.includes('\\"') && text.includes('\\n') && text.includes('\\\\'), 'V8 escapes');
        json = JSON.parse(text);
        assert.deepStrictEqual(Object.keys(json), [
          'snapshot',
          'nodes',
          'edges',
          'trace_function_infos',
          'trace_tree',
          'samples',
          'locations',
          'strings',
        ]);
        const { nodes, edges, strings } = json;
        const n = nodes.length / 7;
        assert.strictEqual(n, w.summary.nodeCount);
        assert.strictEqual(edges.length / 3, w.summary.edgeCount);
        assert.strictEqual(strings.length, w.summary.stringCount);
        assert.strictEqual(new Set(strings).size, strings.length, 'the string table is deduplicated');
        assert.ok(
          strings.every((s) => s.length <= 1024),
          'names truncated to 1024 UTF-16 units',
        );
        let edgeSum = 0;
        for (let i = 0; i < n; i++) {
          if (nodes[i * 7 + 2] !== 2 * i + 1) assert.fail(`node ${i}: id ${nodes[i * 7 + 2]}, expected ${2 * i + 1}`);
          edgeSum += nodes[i * 7 + 4];
        }
        assert.strictEqual(edgeSum, w.summary.edgeCount, 'edge_count of the nodes adds up to the edges array');
        for (let e = 0; e < edges.length; e += 3) {
          const to = edges[e + 2];
          if (to % 7 !== 0 || to / 7 >= n) assert.fail(`edge ${e / 3}: to_node ${to}`);
        }
        assert.ok(json.locations.length >= 4 && json.locations.length % 4 === 0);
        text = null;
        json = null;
      });

      test('DevTools loads it: counts, warnings name only the deliberate unreachable nodes', () => {
        const j = devtools.json;
        assert.strictEqual(j.node_count, w.summary.nodeCount);
        assert.strictEqual(j.edge_count, w.summary.edgeCount);
        assert.strictEqual(devtools.nodes.count, w.summary.nodeCount);
        assert.strictEqual(j.total_self_size, w.summary.selfSizeTotal);
        assert.strictEqual(j.total_size, w.summary.selfSizeTotal, 'every node is in the dominator tree');
        assert.strictEqual(j.total_self_size, j.total_shallow_size, 'shallow-size moves keep the total');
        assert.strictEqual(j.warnings.length, 2, j.warnings.join('\n'));
        assert.match(
          j.warnings[0],
          /^Heap snapshot: 5 nodes are unreachable from the root\.\n {2}The following nodes have only weak retainers:\n {2}Zombie @\d+$/,
        );
        assert.match(
          j.warnings[1],
          /^Heap snapshot: Still found 3 unreachable nodes:\n {2}Leaked @\d+\n {2}Leaked @\d+\n {2}LeakedChild @\d+$/,
        );
        const unreachable = [];
        const dist = devtools.nodes.columns.distance,
          ids = devtools.nodes.columns.id;
        for (let i = 0; i < devtools.nodes.count; i++) if (dist[i] === -5) unreachable.push(ids[i]);
        assert.deepStrictEqual(unreachable, w.layout.unreachable);
      });

      test('class histogram: the intended classes with the intended counts', () => {
        const rows = devtools.json.summary.rows;
        const byName = new Map();
        for (const r of rows) byName.set(r.name, (byName.get(r.name) || 0) + r.count);
        for (const name of EXPECTED_CLASSES) assert.ok(byName.get(name) > 0, `class ${name} in the Summary`);
        for (const [name, count] of Object.entries(w.summary.classes)) {
          if (name === 'Object' || name === 'Node / TCPWrap') continue; // renamed: {data, close}, Detached …
          assert.strictEqual(byName.get(name), count, `count of ${name}`);
        }
        const U = w.layout.U;
        assert.strictEqual(byName.get('{data, close}'), U, 'plain objects grouped by their inferred interface');
        assert.strictEqual(byName.get('TreeNode'), 3 * U + 1);
        assert.strictEqual(byName.get('Token'), U + 1);
        assert.strictEqual(byName.get('User') + byName.get('Customer') + byName.get('Account'), U + 3);
        assert.strictEqual(rows.filter((r) => r.name === 'Config').length, 2, 'an object with a location gets its own class key');
      });

      test('shape: ephemerons, chains, shallow-size moves, huge objects', () => {
        const L = w.layout,
          O = L.offsets,
          id = (u, k) => L.unitId(u, k);
        let maxDepth = 0;
        for (let u = 0; u < L.U; u++) {
          // WeakMap: the value is dominated by the key (table -> value is not essential), and its
          // distance is max(key, table) + 1
          const tok = id(u, O.TOKEN),
            tab = id(u, O.ETAB),
            val = id(u, O.TDATA);
          assert.strictEqual(col('dominator_id', val), tok, `unit ${u}: TokenData dominated by its key`);
          assert.ok(col('distance', tab) > col('distance', tok));
          assert.strictEqual(col('distance', val), Math.max(col('distance', tok), col('distance', tab)) + 1);
          // the linked list: each node dominates the next, distances grow along the chain
          const head = u - (u % L.chainLength);
          assert.strictEqual(col('distance', id(u, O.LIST)), col('distance', id(head, O.LIST)) + (u - head));
          if (u !== head) assert.strictEqual(col('dominator_id', id(u, O.LIST)), id(u - 1, O.LIST));
          maxDepth = Math.max(maxDepth, u - head);
          // hidden/array storage owned by one object moves into it; shared storage stays put
          assert.strictEqual(col('shallow_size', id(u, O.RPROPS)), 0);
          assert.strictEqual(col('shallow_size', id(u, O.REC)), col('self_size', id(u, O.REC)) + col('self_size', id(u, O.RPROPS)));
          assert.strictEqual(
            col('shallow_size', id(u, O.PROF)),
            col('self_size', id(u, O.PROF)) + col('self_size', id(u, O.DICT)) + col('self_size', id(u, O.DICTX)),
          );
          assert.strictEqual(col('shallow_size', id(u, O.SHARR)), col('self_size', id(u, O.SHARR)));
          assert.strictEqual(col('dominator_id', id(u, O.TREE_C)), id(u, O.TREE_A), 'self-edges do not dominate');
        }
        assert.ok(maxDepth >= Math.min(L.U, L.chainLength) - 1, `a chain ${maxDepth + 1} long`);
        const big = L.prefixId('bigbuffer');
        assert.ok(col('retained_size', big) > 64 * 1024 * 1024, 'a 64 MiB ArrayBuffer');
        assert.ok(col('distance', L.prefixId('persistent')) > 1e8, 'held by (Global handles) only: a system distance');
      });

      test('heapwise agrees with DevTools on every node (self, shallow, retained, distance, dominator)', () => {
        const hw = dt.runHeapwise(w.file, dir, c.name);
        const cmp = dt.compareNodes(devtools.nodes, hw.nodes);
        assert.ok(cmp.ok, `${c.name}: ${cmp.report}`);
        assert.strictEqual(cmp.shared, w.summary.nodeCount);
        const expected = dt.normalizeDevTools(devtools.json),
          actual = dt.normalizeHeapwise(hw.json);
        const totals = dt.compareTotals(expected, actual);
        assert.ok(totals.ok, `${c.name}: ${totals.report}`);
        const summary = dt.compareSummary(expected.summary, actual.summary);
        assert.ok(summary.ok, `${c.name}: ${summary.report}`);
      });
    });
  }
});
