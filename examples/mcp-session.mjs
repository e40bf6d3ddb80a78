// An agent's session with `heapwise mcp`, scripted: the MCP SDK's client spawns the server, a
// leaking program of the leak zoo writes a series of snapshots (module-set: a Fastify-style request
// tracker whose module-level Set is never cleaned), and the client finds the leak in a few calls,
// printing each request and the essentials of each answer with its latency.
//
//   node examples/mcp-session.mjs [PROGRAM] [--snapshots 4] [--calls 100]
//
// PROGRAM is a program of __test__/zoo/programs (default module-set). The snapshots go to a
// temporary folder that is removed at the end.
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const require = createRequire(import.meta.url);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { writeSeries } = require('../__test__/zoo/series.js');

const { values, positionals } = parseArgs({
  options: { snapshots: { type: 'string', default: '4' }, calls: { type: 'string', default: '100' } },
  allowPositionals: true,
});
const program = positionals[0] ?? 'module-set';
const callsPerStep = Number(values.calls);
const series = await writeSeries(program, { snapshots: Number(values.snapshots), callsPerStep });
const client = new Client({ name: 'mcp-session-example', version: '1.0.0' });
await client.connect(
  new StdioClientTransport({ command: process.execPath, args: [path.join(REPO, 'lib', 'cli', 'main.js'), 'mcp'], stderr: 'ignore' }),
);

/** Calls a tool, prints the request, the latency and `show(answer)`. */
async function step(name, args, show) {
  const t0 = performance.now();
  const res = await client.callTool({ name, arguments: args });
  const ms = performance.now() - t0;
  const shown = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [
      k,
      k === 'files' ? v.map((f) => path.basename(f)) : typeof v === 'string' && v.includes(path.sep) ? path.basename(v) : v,
    ]),
  );
  console.log(`\n> ${name} ${JSON.stringify(shown)}   (${ms.toFixed(0)} ms)`);
  if (res.isError) {
    console.log(`< error: ${res.content[0].text}`);
    return null;
  }
  console.log(show(res.structuredContent).replace(/^/gm, '< '));
  return res.structuredContent;
}

try {
  const { tools } = await client.listTools();
  console.log(`${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`);
  console.log(`series: ${series.files.length} snapshots of ${program}, ${callsPerStep} requests between each`);
  const newest = series.files[series.files.length - 1];

  const f = await step('findings', { files: series.files, callsPerStep }, (a) =>
    a.findings
      .slice(0, 2)
      .map(
        (x) =>
          `#${x.rank} ${x.leak ? 'LEAK' : 'grows'}: ${x.message}\n   holder @${x.holder.id}: ${x.holder.description}\n   accumulates: ${x.accumulates.map((c) => `${c.count} ${c.className}`).join(', ')}\n   code: ${x.code.map((c) => `${c.role} ${c.location?.at}${c.text ? `  ${c.text}` : ''}`).join('; ')}`,
      )
      .join('\n'),
  );
  const holder = f?.findings[0]?.holder;
  if (holder) {
    await step('retainers', { snapshot: newest, id: holder.id, limit: 3 }, (a) =>
      [
        `${a.total} retainer(s) of @${a.node.id} ${a.node.className} (loaded as ${a.snapshot})`,
        ...a.edges.map((e) => `  ${e.edgeType} ${e.edge} <- ${e.node.className} @${e.node.id}`),
      ].join('\n'),
    );
    await step('explain', { snapshot: newest, id: holder.id }, (a) =>
      [
        a.sentence,
        `held by: ${a.heldBy.pathText}`,
        `dominates directly: ${a.holds.dominated.total}; holds by class: ${a.holds.classes
          .slice(0, 3)
          .map((c) => `${c.count} ${c.name}`)
          .join(', ')}`,
        `created at: ${a.location?.at ?? 'unknown'}`,
      ].join('\n'),
    );
    await step('instances', { snapshot: newest, class: f.findings[0].accumulates[0].className, limit: 2 }, (a) =>
      [
        `${a.total} objects of ${a.class.name}, ${a.class.retainedSize} bytes retained`,
        ...a.nodes.map((n) => `  @${n.id} ${n.name} retains ${n.retainedSize} B`),
      ].join('\n'),
    );
  }
} finally {
  await client.close();
  series.cleanup();
}
