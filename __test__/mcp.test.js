'use strict';
// `heapwise mcp`, driven as an agent's client drives it: the MCP SDK's own Client spawns the CLI
// over stdio. A leaking series of the leak zoo (module-set: a Fastify-style request tracker that
// never deletes from a module-level Set) is written at test time; the client lists the tools,
// asks for the findings, follows the top one with retainers, paths and explain, pages through a
// summary, cancels the load of a synthetic snapshot, and gets tool errors with heapwise's codes.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const { writeSeries } = require('./zoo/series.js');
const { QUERIES, SNAPSHOT_PARAMS } = require('../lib/query/index.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

/** A client connected to a new `heapwise mcp` process (with `args` after `mcp`). */
async function connect(args = []) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], stderr: 'pipe' });
  const client = new Client({ name: 'heapwise-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** Calls a tool; returns its structured answer, failing on a tool error. */
async function call(client, name, args, options) {
  const res = await client.callTool({ name, arguments: args }, undefined, options);
  assert.ok(!res.isError, `${name} failed: ${res.content?.[0]?.text}`);
  assert.deepStrictEqual(JSON.parse(res.content[0].text), res.structuredContent, 'the text block is the same JSON');
  return res.structuredContent;
}

/** Calls a tool that must fail; returns its error. */
async function callError(client, name, args) {
  const res = await client.callTool({ name, arguments: args });
  assert.strictEqual(res.isError, true, `${name} should fail, answered ${res.content?.[0]?.text}`);
  const text = res.content[0].text;
  const code = /^(ERR_HEAPWISE_[A-Z_]+): /.exec(text)?.[1];
  assert.ok(code, `the error text starts with a code: ${text}`);
  if (res.structuredContent) assert.strictEqual(res.structuredContent.error.code, code);
  return { code, text };
}

describe('heapwise mcp', () => {
  let series;
  let client;
  let dir;

  before(async () => {
    series = await writeSeries('module-set', { snapshots: 4, callsPerStep: 100 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-mcp-'));
    client = await connect();
  });

  after(async () => {
    await client?.close();
    series?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lists one tool per query, each with a JSON Schema and a description for an agent', async () => {
    const { tools } = await client.listTools();
    assert.deepStrictEqual(tools.map((t) => t.name).sort(), Object.keys(QUERIES).sort());
    // The parameters that name a snapshot are exactly SNAPSHOT_PARAMS (the explorer checks those).
    const named = new Set();
    for (const q of Object.values(QUERIES)) {
      for (const [key, schema] of Object.entries(q.params)) {
        if (
          /^A \.heapsnapshot file path .* or a handle|earlier snapshot|snapshot: a file path or a handle/.test(schema.description ?? '')
        ) {
          named.add(key);
        }
      }
    }
    assert.deepStrictEqual([...named].sort(), [...SNAPSHOT_PARAMS].sort());
    for (const t of tools) {
      assert.strictEqual(t.inputSchema.type, 'object', t.name);
      assert.ok(t.description.length > 60, `${t.name} has a description`);
      assert.deepStrictEqual(Object.keys(t.inputSchema.properties || {}).sort(), Object.keys(QUERIES[t.name].params).sort(), t.name);
    }
    const findings = tools.find((t) => t.name === 'findings');
    assert.deepStrictEqual(findings.inputSchema.required, ['files']);
    assert.strictEqual(findings.inputSchema.properties.files.type, 'array');
  });

  test('the guide is a prompt and a resource', async () => {
    const { prompts } = await client.listPrompts();
    assert.ok(prompts.some((p) => p.name === 'investigate-leak'));
    const prompt = await client.getPrompt({ name: 'investigate-leak' });
    assert.match(prompt.messages[0].content.text, /findings/);
    const { contents } = await client.readResource({ uri: 'heapwise://guide' });
    assert.strictEqual(contents[0].text, prompt.messages[0].content.text);
  });

  test('finds the Set leak of the series and follows it to the code, in a handful of calls', async () => {
    const f = await call(client, 'findings', { files: series.files, callsPerStep: 100 });
    assert.strictEqual(f.snapshots.length, 4);
    const top = f.findings[0];
    assert.ok(top, 'a finding');
    assert.strictEqual(top.holder.name, 'inflightRequests');
    assert.strictEqual(top.holder.kind, 'Set');
    assert.strictEqual(top.leak, true);
    assert.ok(Math.abs(top.growth.membersPerCall - 1) < 0.05, `1 record per request, got ${top.growth.membersPerCall}`);
    assert.ok(top.accumulates.some((a) => a.className === 'RequestRecord'));
    const lines = top.code.map((c) => c.location && c.location.at).filter(Boolean);
    assert.ok(
      lines.some((l) => /module-set\.js:(6|22):/.test(l)),
      `the code to change: ${lines.join(', ')}`,
    );

    // Follow the holder in the newest snapshot, by path: loaded on first use.
    const last = series.files[3];
    const r = await call(client, 'retainers', { snapshot: last, id: top.holder.id });
    assert.ok(r.total >= 1 && r.edges.length >= 1);
    assert.strictEqual(r.node.id, top.holder.id);
    const paths = await call(client, 'retainer_paths', { snapshot: r.snapshot, id: `@${top.holder.id}` });
    assert.ok(paths.paths.length >= 1);
    assert.match(paths.paths[0].text, /inflightRequests/);
    const x = await call(client, 'explain', { snapshot: r.snapshot, id: top.holder.id });
    assert.strictEqual(x.node.id, top.holder.id);
    assert.strictEqual(x.node.className, 'Set');
    const records = x.holds.classes.find((c) => c.name === 'RequestRecord');
    assert.ok(records && records.count >= 300, `the Set holds the 300+ records: ${JSON.stringify(x.holds.classes)}`);
    assert.ok(x.holds.dominated.total >= 1);
    assert.match(x.sentence, /Set/);
    assert.deepStrictEqual(x.heldBy.paths[0].text, paths.paths[0].text);
  });

  test('diff of two snapshots: the Comparison, what grew, and the same finding', async () => {
    const d = await call(client, 'diff', { before: series.files[0], after: series.files[3], limit: 5 });
    assert.strictEqual(d.sameProcess, true);
    assert.ok(d.sizeDelta > 0);
    assert.ok(d.classes.rows.length <= 5 && d.classes.total >= d.classes.rows.length);
    const rec = await call(client, 'diff', { before: d.before, after: d.after, limit: 200 });
    assert.strictEqual(rec.classes.rows.find((r) => r.name === 'RequestRecord')?.newCount, 300);
    assert.strictEqual(d.findings[0].holder.name, 'inflightRequests');
  });

  test('loads once: a path and its handle are the same snapshot; progress is reported while loading', async () => {
    const progress = [];
    // files[1]: no earlier test loaded it (findings parse without loading).
    const first = await call(client, 'load', { file: series.files[1] }, { onprogress: (p) => progress.push(p.progress) });
    assert.match(first.snapshot, /^h\d+$/);
    const root = await call(client, 'node', { snapshot: first.snapshot, id: first.rootId });
    assert.strictEqual(root.node.dominatorId, first.rootId, 'the root dominates itself');
    assert.ok(progress.length >= 1, 'progress notifications');
    assert.deepStrictEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      'progress only grows',
    );
    const again = await call(client, 'load', { file: series.files[1] });
    assert.strictEqual(again.snapshot, first.snapshot);
    assert.strictEqual(again.alreadyLoaded, true);
    const byHandle = await call(client, 'statistics', { snapshot: first.snapshot });
    const byPath = await call(client, 'statistics', { snapshot: series.files[1] });
    assert.deepStrictEqual(byHandle, byPath);
    const list = await call(client, 'snapshots', {});
    assert.ok(list.snapshots.some((s) => s.snapshot === first.snapshot && s.file === series.files[1]));
  });

  test('pages through the whole summary with cursors', async () => {
    const file = series.files[3];
    /** Every row, in pages of `limit`; checks the pages' counts and totals. */
    const all = async (limit) => {
      const rows = [];
      let cursor;
      let pages = 0;
      let total;
      do {
        const page = await call(client, 'summary', { snapshot: file, limit, ...(cursor ? { cursor } : {}) });
        total ??= page.total;
        assert.strictEqual(page.total, total);
        assert.ok(page.rows.length <= limit);
        rows.push(...page.rows);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.strictEqual(rows.length, total);
      assert.strictEqual(pages, Math.ceil(total / limit));
      return rows;
    };
    const big = await all(500);
    assert.ok(big.length > 40, `a real heap has many classes: ${big.length}`);
    assert.deepStrictEqual(await all(7), big);
    assert.deepStrictEqual(
      big.map((r) => r.retainedSize),
      big.map((r) => r.retainedSize).sort((a, b) => b - a),
      'largest retained size first',
    );
    const filtered = await call(client, 'summary', { snapshot: file, filter: 'requestrecord' });
    assert.deepStrictEqual(
      filtered.rows.map((r) => r.name),
      ['RequestRecord'],
    );
    const inst = await call(client, 'instances', { snapshot: file, class: 'RequestRecord', limit: 10 });
    assert.strictEqual(inst.total, filtered.rows[0].count);
    assert.strictEqual(inst.nodes.length, 10);
    assert.ok(inst.nextCursor);
    // The records allocated since the first snapshot: the 300 of the three steps (not the warm-up's).
    const fresh = await call(client, 'instances', { snapshot: file, class: 'RequestRecord', newSince: series.files[0], limit: 1 });
    assert.strictEqual(fresh.total, 300);
    assert.strictEqual(fresh.newSince.startsWith('h'), true);
    const byKey = await call(client, 'instances', { snapshot: file, class: inst.class.key, limit: 10 });
    assert.deepStrictEqual(byKey, inst, 'a class by its key, as summary gives it');
  });

  test('bad arguments, unknown ids and handles, and missing files are tool errors with codes', async () => {
    const file = series.files[0];
    assert.strictEqual((await callError(client, 'node', { snapshot: file, id: 'abc' })).code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    assert.strictEqual((await callError(client, 'summary', { snapshot: file, limit: 100000 })).code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    assert.strictEqual((await callError(client, 'findings', { files: [file] })).code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    assert.strictEqual((await callError(client, 'summary', { snapshot: file, cursor: 'x' })).code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    assert.strictEqual((await callError(client, 'no_such_tool', {})).code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    assert.strictEqual((await callError(client, 'node', { snapshot: file, id: 4294967295 })).code, 'ERR_HEAPWISE_NOT_FOUND');
    assert.strictEqual((await callError(client, 'summary', { snapshot: 'h999' })).code, 'ERR_HEAPWISE_NOT_FOUND');
    assert.strictEqual((await callError(client, 'instances', { snapshot: file, class: 'NoSuchClass' })).code, 'ERR_HEAPWISE_NOT_FOUND');
    const missing = await callError(client, 'summary', { snapshot: path.join(dir, 'missing.heapsnapshot') });
    assert.strictEqual(missing.code, 'ERR_HEAPWISE_IO');
    const bad = path.join(dir, 'cut.heapsnapshot');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(bad, text.slice(0, Math.floor(text.length / 2)));
    const cut = await client.callTool({ name: 'load', arguments: { file: bad } });
    assert.strictEqual(cut.isError, true);
    assert.strictEqual(cut.structuredContent.error.code, 'ERR_HEAPWISE_TRUNCATED');
    assert.ok(cut.structuredContent.error.byteOffset > 0, 'the byte offset where reading failed');
    // The server is still there.
    assert.ok((await call(client, 'snapshots', {})).snapshots.length >= 1);
  });

  test('a load is cancelled from the client; the server stays up and loads nothing', async () => {
    const synth = await import(pathToFileURL(path.join(__dirname, '..', 'tools', 'synth', 'write.mjs')).href);
    const big = path.join(dir, 'big.heapsnapshot');
    await synth.writeSnapshot(big, { size: '150MB', seed: 3, threads: 2 });
    const own = await connect();
    try {
      const controller = new AbortController();
      let notified = 0;
      const started = Date.now();
      const pending = own.callTool({ name: 'load', arguments: { file: big } }, undefined, {
        signal: controller.signal,
        onprogress: () => {
          if (++notified === 1) controller.abort();
        },
      });
      await assert.rejects(pending, (e) => /abort|cancel/i.test(String(e && (e.message || e.name))));
      assert.ok(notified >= 1, 'progress came before the cancel');
      // The server dropped the load: nothing is loaded, and it answers at once.
      const list = await call(own, 'snapshots', {});
      assert.deepStrictEqual(list.snapshots, []);
      assert.ok(Date.now() - started < 60_000);
      const peek = await call(own, 'peek', { file: big });
      assert.ok(peek.nodeCount > 100_000);
    } finally {
      await own.close();
      fs.rmSync(big, { force: true });
    }
  });

  test('the least recently used snapshot is closed when --max-memory is reached', async () => {
    const own = await connect([]);
    let limit;
    try {
      const a = await call(own, 'load', { file: series.files[0] });
      limit = a.memoryBytes * 1.5;
    } finally {
      await own.close();
    }
    const small = await connect(['--max-memory', String(Math.round(limit))]);
    try {
      const a = await call(small, 'load', { file: series.files[0] });
      const b = await call(small, 'load', { file: series.files[1] });
      const list = await call(small, 'snapshots', {});
      assert.deepStrictEqual(
        list.snapshots.map((s) => s.snapshot),
        [b.snapshot],
        'the first was closed to make room',
      );
      assert.ok(list.memoryBytes <= list.maxMemory);
      assert.strictEqual((await callError(small, 'summary', { snapshot: a.snapshot })).code, 'ERR_HEAPWISE_NOT_FOUND');
      // Its path loads it again.
      assert.ok((await call(small, 'summary', { snapshot: series.files[0], limit: 1 })).rows.length === 1);
    } finally {
      await small.close();
    }
  });
});
