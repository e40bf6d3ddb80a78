// `npm run bench:mcp`: heapwise's MCP server as an agent uses it, timed. The MCP SDK's client spawns
// `heapwise mcp`, loads each input through the `load` tool, then calls every query tool several
// times and prints, per file: load time, the server's peak RSS (VmHWM) against the file's size, and
// the median and worst latency of each tool as the client sees it (JSON-RPC over stdio included),
// against the targets of the MCP issue: peak RSS below 1.5x the file for the 2 GB snapshot (the
// target applies from 1 GB: below, Node's and the SDK's fixed ~80 MB weigh on the ratio), every
// query under 100 ms (load and findings excepted).
//
//   node bench/mcp.mjs                 # the 187 MB "big" input and a 2 GB synthetic snapshot
//   node bench/mcp.mjs --quick         # the small inputs (smoke test, targets shown, not applied)
//   node bench/mcp.mjs FILE...         # these files
//   node bench/mcp.mjs --runs 9        # calls per tool (default 5)
//
// Inputs are generated into .cache/bench/ when missing (bench/gen/big.cjs; tools/synth/write.mjs
// --size 2GB --seed 1). Results go to .cache/bench/mcp-<time>.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REPO, BENCH_CACHE, log, stats } from './lib/util.mjs';
import { ensureInputs, warm } from './lib/inputs.mjs';

const { values, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, runs: { type: 'string', default: '5' } },
  allowPositionals: true,
});
const RUNS = Number(values.runs);
const QUERY_MS = 100;
const RSS_RATIO = 1.5;

/** A synthetic snapshot of `size` (2 GB; 20 MB with --quick), written once. */
function synthetic(size) {
  const file = path.join(BENCH_CACHE, `synth-${size}.heapsnapshot`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(BENCH_CACHE, { recursive: true });
    log(`generating ${path.relative(REPO, file)}: node tools/synth/write.mjs --size ${size} --seed 1`);
    const tmp = `${file}.tmp`;
    execFileSync(process.execPath, [path.join(REPO, 'tools', 'synth', 'write.mjs'), tmp, '--size', size, '--seed', '1', '--quiet'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    fs.renameSync(tmp, file);
  }
  return file;
}

const files = positionals.length
  ? positionals.map((f) => path.resolve(f))
  : [ensureInputs(['big'], { quick: values.quick }).big.files[0].path, synthetic(values.quick ? '20MB' : '2GB')];

/** Peak and current RSS of a process, in bytes (Linux). */
function memoryOf(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/** Calls a tool; returns [ms, structured answer]. */
async function timed(client, name, args) {
  const t0 = performance.now();
  const res = await client.callTool({ name, arguments: args }, undefined, { timeout: 3_600_000 });
  const ms = performance.now() - t0;
  if (res.isError) throw new Error(`${name} ${JSON.stringify(args)}: ${res.content[0].text}`);
  return [ms, res.structuredContent];
}

const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
const results = [];
for (const file of files) {
  const size = fs.statSync(file).size;
  log(`${path.basename(file)} (${mb(size)}): reading it once into the page cache`);
  warm(file);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(REPO, 'lib', 'cli', 'main.js'), 'mcp', '--max-memory', '20GB'],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'heapwise-bench', version: '1.0.0' });
  await client.connect(transport);
  const pid = transport.pid;
  const before = memoryOf(pid);
  const [peekMs, head] = await timed(client, 'peek', { file });
  const [loadMs, loaded] = await timed(client, 'load', { file });
  const afterLoad = memoryOf(pid);
  const h = loaded.snapshot;

  // Ids to ask about: the largest object, the largest class, a name to find.
  const [, top] = await timed(client, 'top', { snapshot: h, limit: 1 });
  const id = top.objects[0].node.id;
  const [, sum] = await timed(client, 'summary', { snapshot: h, limit: 3 });
  const cls = sum.rows.find((r) => !r.name.startsWith('(')) ?? sum.rows[0];
  const rootId = (await timed(client, 'node', { snapshot: h, id: top.objects[0].node.dominatorId }))[1].node.id;
  const calls = {
    peek: { file },
    summary: { snapshot: h, limit: 25 },
    'summary (page 2)': { snapshot: h, limit: 25, cursor: '25' },
    'summary (filter, by count)': { snapshot: h, filter: 'a', sort: 'count', limit: 25 },
    instances: { snapshot: h, class: cls.key, limit: 25 },
    'instances (page 100)': { snapshot: h, class: cls.key, limit: 25, cursor: String(Math.min(2475, Math.max(0, cls.count - 25))) },
    statistics: { snapshot: h },
    node: { snapshot: h, id },
    references: { snapshot: h, id, limit: 25 },
    retainers: { snapshot: h, id, limit: 25 },
    dominated: { snapshot: h, id: rootId, limit: 25 },
    'dominated (page 2)': { snapshot: h, id: rootId, limit: 25, cursor: '25' },
    retainer_paths: { snapshot: h, id, limit: 5 },
    find: { snapshot: h, name: cls.name.slice(0, 12), limit: 25 },
    top: { snapshot: h, limit: 10 },
    explain: { snapshot: h, id },
    snapshots: {},
  };
  const tools = {};
  for (const [label, args] of Object.entries(calls)) {
    const name = label.split(' ')[0];
    const ms = [];
    for (let i = 0; i < RUNS; i++) ms.push((await timed(client, name, args))[0]);
    tools[label] = stats(ms);
  }
  const end = memoryOf(pid);
  await client.close();
  results.push({
    file,
    size,
    nodes: head.nodeCount,
    edges: head.edgeCount,
    peekMs,
    loadMs,
    memoryBytes: loaded.memoryBytes,
    predicted: head.predictedPeakBytes,
    rss: { before, afterLoad, end },
    tools,
  });

  const ratio = end.peak / size;
  const slow = Object.entries(tools).filter(([, s]) => s.max >= QUERY_MS);
  const applies = !values.quick;
  const rssApplies = applies && size >= 1e9;
  console.log(
    `\n${path.basename(file)}: ${mb(size)}, ${head.nodeCount.toLocaleString('en')} nodes, ${head.edgeCount.toLocaleString('en')} edges`,
  );
  console.log(
    `  load ${(loadMs / 1000).toFixed(2)} s; server peak RSS ${mb(end.peak)} = ${ratio.toFixed(2)}x the file (target < ${RSS_RATIO}x from 1 GB: ${!rssApplies ? 'n/a' : ratio < RSS_RATIO ? 'met' : 'MISSED'}); engine memory ${mb(loaded.memoryBytes)} (peek predicted a peak of ${mb(head.predictedPeakBytes)})`,
  );
  console.log(`  ${'tool'.padEnd(28)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)}`);
  for (const [label, s] of Object.entries(tools))
    console.log(`  ${label.padEnd(28)} ${s.median.toFixed(1).padStart(10)} ${s.max.toFixed(1).padStart(8)}`);
  console.log(
    `  every query < ${QUERY_MS} ms: ${!applies ? 'n/a (--quick)' : slow.length === 0 ? 'met' : `MISSED (${slow.map(([l]) => l).join(', ')})`}`,
  );
}
// Two snapshots of one process (the "pair" input, 186 + 174 MB): diff and findings, loaded or
// from their paths (then each is parsed once and not kept).
let pair = null;
if (!positionals.length) {
  const [before, after] = ensureInputs(['pair'], { quick: values.quick }).pair.files.map((f) => f.path);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(REPO, 'lib', 'cli', 'main.js'), 'mcp'],
    stderr: 'ignore',
  });
  const client = new Client({ name: 'heapwise-bench', version: '1.0.0' });
  await client.connect(transport);
  const [findingsPathsMs, fromPaths] = await timed(client, 'findings', { files: [before, after] });
  await timed(client, 'load', { file: before });
  await timed(client, 'load', { file: after });
  const [diffMs] = await timed(client, 'diff', { before, after });
  const [findingsLoadedMs] = await timed(client, 'findings', { files: [before, after] });
  const peak = memoryOf(transport.pid).peak;
  await client.close();
  pair = { before, after, findingsPathsMs, diffMs, findingsLoadedMs, peak, findings: fromPaths.findings.length };
  console.log(
    `\npair (${path.basename(before)} + ${path.basename(after)}, ${mb(fs.statSync(before).size)} + ${mb(fs.statSync(after).size)}):`,
  );
  console.log(`  findings from the two paths (each parsed once, not kept): ${(findingsPathsMs / 1000).toFixed(2)} s`);
  console.log(
    `  diff of the two loaded snapshots: ${(diffMs / 1000).toFixed(2)} s; findings of the two loaded: ${(findingsLoadedMs / 1000).toFixed(2)} s`,
  );
  console.log(`  server peak RSS with both loaded: ${mb(peak)}`);
}

const out = path.join(BENCH_CACHE, `mcp-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
fs.mkdirSync(BENCH_CACHE, { recursive: true });
fs.writeFileSync(out, JSON.stringify({ node: process.version, runs: RUNS, results, pair }, null, 1));
log(`results: ${path.relative(REPO, out)}`);
