// `heapwise diff` on the command line (docs/diff-contract.md): exit codes both ways (0 within the
// thresholds, 1 over one or a leak found, 2 for usage and input errors), the three formats and
// -o, size literals, and the report renderers on a hand-made HeapDiff.
//
// The snapshots (a same-process pair, a baseline/target/final triple and a snapshot of another
// process) are written at test time by __test__/fixtures/write-snapshots.js.
// Env: HEAPWISE_CLI=path/to/main.js runs this CLI instead of <repo>/lib/cli/main.js.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeSnapshots } = require('./fixtures/write-snapshots');
const { runHeapwiseDiff: run } = require('./helpers/devtools');
const { parseSize, parseCount } = require('../lib/core.js');
const { renderText, renderMarkdown, mdCode, formatRetainerPath } = require('../lib/report/diff.js');

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const COMPARISON_KEYS = ['name', 'key', 'newCount', 'deletedCount', 'deltaCount', 'allocSize', 'freedSize', 'sizeDelta'];

/** Asserts that `d` has the HeapDiff shape of docs/diff-contract.md. */
function assertHeapDiff(d, { final = false } = {}) {
  assert.strictEqual(d.schemaVersion, 2);
  for (const side of ['before', 'after', ...(final ? ['final'] : [])]) {
    const s = d[side];
    assert.ok(s && typeof s.file === 'string' && path.isAbsolute(s.file), `${side}.file`);
    for (const f of ['nodeCount', 'totalSize', 'maxJsObjectId']) assert.ok(isNum(s[f]) && s[f] > 0, `${side}.${f}`);
  }
  if (!final) assert.strictEqual(d.final, undefined, 'no final without --final');
  assert.strictEqual(typeof d.sameProcess, 'boolean');
  assert.strictEqual(d.sizeDelta, d.after.totalSize - d.before.totalSize, 'sizeDelta');
  assert.ok(Array.isArray(d.classes));
  const sums = { newCount: 0, deletedCount: 0, deltaCount: 0, allocSize: 0, freedSize: 0, sizeDelta: 0 };
  for (const r of d.classes) {
    assert.deepStrictEqual(Object.keys(r).sort(), [...COMPARISON_KEYS].sort(), `class row keys of ${r.name}`);
    assert.ok(r.newCount > 0 || r.deletedCount > 0, `${r.key}: classes with nothing new or deleted are omitted`);
    assert.strictEqual(r.deltaCount, r.newCount - r.deletedCount, `${r.key} deltaCount`);
    assert.strictEqual(r.sizeDelta, r.allocSize - r.freedSize, `${r.key} sizeDelta`);
    for (const k in sums) sums[k] += r[k];
  }
  for (let i = 1; i < d.classes.length; i++) assert.ok(d.classes[i - 1].allocSize >= d.classes[i].allocSize, 'sorted by allocSize');
  assert.deepStrictEqual(d.totals, sums, 'totals are the sums of the rows');
  for (const r of d.allocated) {
    assert.ok(typeof r.name === 'string' && typeof r.key === 'string', 'allocated name/key');
    for (const f of ['count', 'shallowSize', 'retainedSize']) assert.ok(isNum(r[f]), `allocated ${r.key}.${f}`);
  }
  for (const g of d.growers) {
    for (const f of ['id', 'name', 'type', 'className', 'selfSize', 'shallowSize', 'retainedSize', 'distance', 'dominatorId', 'detached']) {
      assert.ok(f in g.node, `grower node.${f}`);
    }
    assert.strictEqual(g.growth, g.retainedAfter - g.retainedBefore);
    // root first; every step but the first says which edge leads to it (as analyze's top())
    assert.ok(
      Array.isArray(g.retainerPath) &&
        g.retainerPath.every((s, i) => s.node && (i === 0 || (typeof s.edge === 'string' && typeof s.edgeType === 'string'))),
    );
    // no location: absent (as in analyze's top()) or null
    assert.ok(g.location == null || (isNum(g.location.line) && isNum(g.location.column) && 'scriptName' in g.location));
  }
  assert.ok(Array.isArray(d.leaks));
  if (!final) assert.strictEqual(d.leaks.length, 0);
  for (const g of d.leaks) {
    assert.ok(typeof g.name === 'string' && isNum(g.count) && isNum(g.retainedSize) && Array.isArray(g.ids));
    assert.ok(Array.isArray(g.retainerPath));
  }
  assert.strictEqual(typeof d.verdict.ok, 'boolean');
  const KINDS = ['growth', 'new-objects', 'class-count', 'class-size', 'leak-group', 'finding'];
  for (const r of d.verdict.reasons) {
    assert.ok(KINDS.includes(r.kind) && typeof r.message === 'string' && r.message.length > 0 && isNum(r.actual), JSON.stringify(r));
    if (r.kind === 'finding') assert.ok(d.findings[r.finding] && d.findings[r.finding].leak, 'a finding reason points at a leak finding');
    else if (r.kind !== 'leak-group') assert.ok(isNum(r.limit) && r.actual > r.limit, 'a threshold reason: actual over its limit');
  }
  assert.ok(Array.isArray(d.findings));
  for (const f of d.findings) {
    assert.ok(f.holder && typeof f.holder.name === 'string' && typeof f.message === 'string' && typeof f.pathText === 'string');
    assert.ok(Array.isArray(f.code) && f.code.every((c) => c.location && isNum(c.location.line)));
  }
  assert.strictEqual(d.verdict.ok, d.verdict.reasons.length === 0, 'ok exactly when there is no reason');
  assert.ok(Array.isArray(d.warnings));
}

describe('size literals', () => {
  test('accepted', () => {
    const cases = {
      1000: 1000,
      0: 0,
      '2MB': 2e6,
      '512kB': 512000,
      '512KB': 512000,
      '1.5GiB': 1.5 * 2 ** 30,
      '2 MB': 2e6,
      '1KiB': 1024,
      '3MiB': 3 * 2 ** 20,
      '1GB': 1e9,
      '1TB': 1e12,
      '10B': 10,
      '.5kB': 500,
      '10_000': 10000,
      '1.0005kB': 1001,
    };
    for (const [text, bytes] of Object.entries(cases)) assert.strictEqual(parseSize(text), bytes, text);
  });
  test('refused', () => {
    for (const text of ['', '-1', '2m', '2k', '1e3', 'MB', '1.2.3', 'abc', '2 M B', '5 lb', 'Infinity', '0x10']) {
      assert.throws(() => parseSize(text), /invalid size/, text);
    }
  });
  test('counts', () => {
    assert.strictEqual(parseCount('1_000'), 1000);
    assert.strictEqual(parseCount('0'), 0);
    for (const t of ['-1', '1.5', '', 'ten', '1e3']) assert.throws(() => parseCount(t), /whole number/, t);
  });
});

describe('report renderers (hand-made HeapDiff)', () => {
  const node = (id, className, type = 'object', name = className) => ({
    id,
    name,
    type,
    className,
    selfSize: 16,
    shallowSize: 16,
    retainedSize: 64,
    distance: 2,
    dominatorId: 1,
    detached: false,
  });
  const pathTo = [
    { edge: null, edgeType: null, node: node(1, '(root)', 'synthetic', '') },
    { edge: '1', edgeType: 'shortcut', node: node(3, 'global') },
    { edge: 'weird key', edgeType: 'property', node: node(5, 'Map') },
    { edge: 'table', edgeType: 'internal', node: node(6, '(object elements)', 'array') },
    { edge: '7', edgeType: 'element', node: node(9, 'A|B`C') },
  ];
  const d = {
    schemaVersion: 1,
    before: { file: '/x/a.heapsnapshot', nodeCount: 10, totalSize: 1000, maxJsObjectId: 11 },
    after: { file: '/x/b.heapsnapshot', nodeCount: 12, totalSize: 3500, maxJsObjectId: 21 },
    sameProcess: true,
    sizeDelta: 2500,
    classes: [{ name: 'A|B`C', key: ',A|B`C', newCount: 2, deletedCount: 0, deltaCount: 2, allocSize: 64, freedSize: 0, sizeDelta: 64 }],
    totals: { newCount: 2, deletedCount: 0, deltaCount: 2, allocSize: 64, freedSize: 0, sizeDelta: 64 },
    allocated: [{ name: 'A|B`C', key: ',A|B`C', count: 2, distance: 4, shallowSize: 32, retainedSize: 64 }],
    growers: [
      {
        node: node(5, 'Map'),
        retainedBefore: 100,
        retainedAfter: 2600,
        growth: 2500,
        retainerPath: pathTo.slice(0, 3),
        pathText: "global['weird key']",
        location: { scriptId: 7, line: 9, column: 2, scriptName: path.join(process.cwd(), 'src', 'app.js') },
      },
    ],
    leaks: [],
    findings: [],
    verdict: {
      ok: false,
      reasons: [
        {
          kind: 'growth',
          finding: null,
          className: null,
          actual: 2500,
          limit: 1000,
          message: 'the heap grew by 2.5 kB, more than 1 kB <allowed> *really*',
        },
      ],
    },
    warnings: ['a warning'],
  };
  test("a result's path is its pathText (the engine's one notation), cut only at scope boundaries", () => {
    assert.strictEqual(formatRetainerPath({ pathText: 'global.a.b' }), 'global.a.b');
    const long = ['global.CustomEvent', 'process.mainModule.children[0].exports.step', 'x'.repeat(50), 'sessionCache'].join(' → ');
    assert.strictEqual(formatRetainerPath({ pathText: long }, 90), `global.CustomEvent → … → ${'x'.repeat(50)} → sessionCache`);
    const holder = 'veryLongHolderName'.repeat(10);
    assert.ok(formatRetainerPath({ pathText: `global.a → b → ${holder}` }, 20).endsWith(holder), "the holder's name is never cut");
  });
  test('text', () => {
    const t = renderText(d);
    assert.match(t, /^ {2}before \/x\/a\.heapsnapshot {2}10 objects, total 1\.0 kB$/m);
    assert.match(t, /Class\s+# New\s+# Deleted\s+# Delta\s+Alloc\. Size\s+Freed Size\s+Size Delta/);
    assert.match(t, /1\. Map @5 {2}retained 100 B → 2\.6 kB \(\+2\.5 kB\) {2}at src[/\\]app\.js:10:3/);
    assert.match(t, /retained by: global\['weird key'\]/);
    assert.match(t, /Findings: nothing grew/);
    assert.match(t, /Verdict: FAILED\n {2}- the heap grew by 2\.5 kB/);
    assert.match(t, /warning: a warning/);
  });
  test('markdown escapes what GitHub would render', () => {
    const m = renderMarkdown(d);
    assert.match(m, /^## ❌ heapwise diff: 1 problem$/m);
    assert.match(m, /^\| Class \| # New \| # Deleted \| # Delta \| Alloc\. Size \| Freed Size \| Size Delta \|$/m);
    assert.match(m, /^\| --- \| ---: \| ---: \| ---: \| ---: \| ---: \| ---: \|$/m);
    assert.ok(m.includes('| ``A\\|B`C`` | 2 | 0 | +2 |'), 'pipes escaped and backticks fenced in table cells');
    assert.ok(m.includes('- the heap grew by 2.5 kB, more than 1 kB \\<allowed\\> \\*really\\*'), 'reason escaped');
    assert.match(
      m,
      /`Map @5`: 100 B → 2\.6 kB \(\*\*\+2\.5 kB\*\*\), at `src[/\\]app\.js:10:3`\\\n {3}retained by `global\['weird key'\]`/,
    );
    assert.ok(
      renderMarkdown({ ...d, verdict: { ok: true, reasons: [] } }).startsWith('## ✅ heapwise diff: no leak found, heap within limits\n'),
    );
    assert.strictEqual(mdCode('a`b'), '``a`b``');
    assert.strictEqual(mdCode('`x'), '`` `x ``');
  });
});

describe('heapwise diff (CLI)', () => {
  let dir, A, B, BASE, TARGET, FINAL, OTHER, okJson;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-cli-diff-'));
    const files = new Map(writeSnapshots(dir, { only: ['growth', 'leak-final', 'bare'] }).map((w) => [w.name, w.file]));
    A = files.get('growth-before');
    B = files.get('growth-after');
    BASE = files.get('leak-baseline');
    TARGET = files.get('leak-target');
    FINAL = files.get('leak-final');
    OTHER = files.get('bare');
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const json = (args, expectStatus) => {
    const r = run([...args, '--format', 'json']);
    assert.strictEqual(r.status, expectStatus, `exit ${r.status}, expected ${expectStatus}: ${r.stderr.slice(-2000)}`);
    assert.ok(r.json, `no JSON on stdout: ${r.stdout.slice(0, 300)}`);
    return r.json;
  };

  test('json: a HeapDiff as the contract says; without thresholds the findings decide (exit 1 on a leak, 0 with --only-thresholds)', () => {
    const leaking = json([A, B], 1);
    assertHeapDiff(leaking);
    assert.strictEqual(leaking.findings[0].holder.name, 'globalThis.registry');
    assert.ok(leaking.findings[0].leak);
    const reason = leaking.verdict.reasons.find((r) => r.kind === 'finding');
    assert.ok(reason && reason.finding === 0 && /globalThis\.registry/.test(reason.message), JSON.stringify(leaking.verdict));
    okJson = json([A, B, '--only-thresholds'], 0);
    assertHeapDiff(okJson);
    assert.strictEqual(okJson.sameProcess, true);
    assert.strictEqual(okJson.before.file, path.resolve(A));
    assert.ok(okJson.verdict.ok);
    assert.ok(okJson.sizeDelta > 0, 'the growth fixture grows');
    assert.ok(okJson.growers.length > 0 && okJson.growers.length <= 10, 'default --top 10');
    // internal classes are left out by default
    const internal = (n) =>
      (n.startsWith('(') && !['(string)', '(concatenated string)', '(sliced string)'].includes(n)) || n.startsWith('system / ');
    assert.ok(!okJson.classes.some((r) => internal(r.name)), 'no internal class without --include-internal');
    assert.ok(!okJson.allocated.some((r) => internal(r.name)), 'no internal allocated row without --include-internal');
    const all = json([A, B, '--include-internal', '--only-thresholds'], 0);
    assert.ok(
      all.classes.some((r) => internal(r.name)),
      '--include-internal keeps them',
    );
    assert.ok(all.classes.length > okJson.classes.length);
  });

  test('--max-growth: over -> 1, at or under -> 0', () => {
    const delta = okJson.sizeDelta;
    const over = json([A, B, '--max-growth', String(delta - 1)], 1);
    assert.strictEqual(over.verdict.ok, false);
    assert.strictEqual(over.verdict.reasons.length, 1);
    assert.strictEqual(json([A, B, '--max-growth', String(delta)], 0).verdict.ok, true);
    assert.strictEqual(run([A, B, '--max-growth', '1kB']).status, 1);
    assert.strictEqual(run([A, B, '--max-growth', '1.5GiB']).status, 0);
    assert.strictEqual(run([A, B, '--max-growth=2MB']).status, 0);
  });

  test('--max-new-objects: over -> 1, at -> 0', () => {
    const n = okJson.totals.newCount;
    assert.strictEqual(json([A, B, '--max-new-objects', String(n - 1)], 1).verdict.reasons.length, 1);
    assert.strictEqual(run([A, B, '--max-new-objects', String(n)]).status, 0);
  });

  test('--max-class-count / --max-class-size: per-class limits', () => {
    const rows = okJson.classes.filter((r) => r.name === 'NewComer');
    const dc = rows.reduce((s, r) => s + r.deltaCount, 0),
      ds = rows.reduce((s, r) => s + r.sizeDelta, 0);
    assert.strictEqual(dc, 1000);
    assert.strictEqual(run([A, B, '--max-class-count', `NewComer=${dc - 1}`]).status, 1);
    assert.strictEqual(run([A, B, '--max-class-count', `NewComer=${dc}`]).status, 0);
    assert.strictEqual(run([A, B, '--max-class-size', `NewComer=${ds - 1}`]).status, 1);
    assert.strictEqual(run([A, B, '--max-class-size', `NewComer=${ds}`, '--max-class-count', `NewComer=${dc}`]).status, 0);
  });

  test('two thresholds exceeded: two reasons, each readable on its own', () => {
    const d = json([A, B, '--max-growth', '1kB', '--max-new-objects', '1'], 1);
    assert.strictEqual(d.verdict.reasons.length, 2);
  });

  test('--ignore: substring and /regexp/flags, repeatable', () => {
    const names = (d) => new Set(d.classes.map((r) => r.name));
    assert.ok(names(okJson).has('NewComer') && names(okJson).has('LeakyThing'));
    const a = json([A, B, '--ignore', 'Comer', '--only-thresholds'], 0);
    assert.ok(!names(a).has('NewComer') && names(a).has('LeakyThing'));
    const b = json([A, B, '--ignore', '/^newcomer$/i', '--ignore', 'Leaky', '--only-thresholds'], 0);
    assert.ok(!names(b).has('NewComer') && !names(b).has('LeakyThing'));
    assert.ok(!b.allocated.some((r) => r.name === 'NewComer'), 'ignored in allocated too');
  });

  test('final mode: a leak found -> 1', () => {
    const d = json([BASE, TARGET, '--final', FINAL], 1);
    assertHeapDiff(d, { final: true });
    assert.ok(d.leaks.length > 0 && !d.verdict.ok);
    assert.ok(d.leaks.some((g) => g.name === 'Session'));
  });

  test('snapshots of different processes: class-level diff with a warning', () => {
    const d = json([OTHER, B], 0);
    assert.strictEqual(d.sameProcess, false);
    assert.ok(d.warnings.length > 0, 'says so in a warning');
  });

  test('text: totals, Comparison table, growers, allocated, verdict', () => {
    const r = run([A, B, '--max-growth', '1kB', '--top', '3']);
    assert.strictEqual(r.status, 1);
    assert.match(r.stdout, /^Comparison: [\d,]+ new, [\d,]+ deleted/m);
    assert.match(r.stdout, /Class\s+# New\s+# Deleted\s+# Delta\s+Alloc\. Size\s+Freed Size\s+Size Delta/);
    assert.match(r.stdout, /^ {2}NewComer\s+1,000\s+0\s+\+1,000\s/m);
    assert.match(r.stdout, /Top growers/);
    const growers = r.stdout.slice(r.stdout.indexOf('Top growers'), r.stdout.indexOf('Allocated between'));
    assert.ok((growers.match(/^ {2}\d+\. /gm) || []).length <= 3, '--top 3');
    assert.match(r.stdout, /^Findings \(/m);
    assert.match(r.stdout, /retained by: /);
    assert.match(r.stdout, /Allocated between the snapshots/);
    assert.match(r.stdout, /Verdict: FAILED\n {2}- /);
    assert.strictEqual(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const ok = run([A, B, '--only-thresholds']);
    assert.strictEqual(ok.status, 0);
    assert.match(ok.stdout, /Verdict: ok/);
  });

  test('markdown: heading, table, growers with code spans, reasons', () => {
    const bad = run([A, B, '--format', 'markdown', '--max-growth', '1kB']);
    assert.strictEqual(bad.status, 1);
    assert.match(bad.stdout, /^## ❌ heapwise diff: 1 problem$/m);
    assert.match(bad.stdout, /^- .+/m);
    assert.match(bad.stdout, /^\| Class \| # New \| # Deleted \| # Delta \| Alloc\. Size \| Freed Size \| Size Delta \|$/m);
    assert.match(bad.stdout, /^\| `NewComer` \| 1,000 \| 0 \| \+1,000 \|/m);
    assert.match(bad.stdout, /### Top growers\n\n1\. `.+ @\d+`: /);
    assert.match(bad.stdout, /retained by `global\./);
    assert.match(bad.stdout, /### Findings\n\n1\. \*\*Leak\*\*: `globalThis\.registry`/);
    const good = run([A, B, '--format', 'markdown', '--only-thresholds']);
    assert.strictEqual(good.status, 0);
    assert.match(good.stdout, /^## ✅ heapwise diff: no leak found, heap within limits$/m);
    const leak = run([BASE, TARGET, '--final', FINAL, '--format', 'markdown']);
    assert.strictEqual(leak.status, 1);
    assert.match(leak.stdout, /### Leak candidates\n\n.*\n\n1\. `/);
  });

  test('-o FILE writes the report there, not to stdout; exit code still follows the verdict', () => {
    for (const [format, check] of [
      ['json', (s) => assertHeapDiff(JSON.parse(s))],
      ['markdown', (s) => assert.match(s, /^## [✅❌] heapwise diff/)],
      ['text', (s) => assert.match(s, /^heapwise diff\n/)],
    ]) {
      const out = path.join(dir, `report.${format}`);
      const r = run([A, B, '--format', format, '-o', out, '--max-new-objects', '1']);
      assert.strictEqual(r.status, 1, r.stderr);
      assert.strictEqual(r.stdout, '');
      assert.match(r.stderr, /FAILED.*report written to/);
      check(fs.readFileSync(out, 'utf8'));
    }
    const out = path.join(dir, 'ok.md');
    const r = run([A, B, '--format', 'markdown', '--output', out, '--only-thresholds']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(fs.readFileSync(out, 'utf8'), /✅/);
  });

  test('usage errors -> 2, before any file is read', () => {
    const cases = [
      [],
      [A],
      [A, B, 'C'],
      [A, B, '--format', 'xml'],
      [A, B, '--format'],
      [A, B, '--max-growth', '2m'],
      [A, B, '--max-growth', '-1'],
      [A, B, '--max-new-objects', '1.5'],
      [A, B, '--top', '0'],
      [A, B, '--bogus'],
      [A, B, '--max-class-count', 'NewComer'],
      [A, B, '--include-internal=yes'],
      ['/nonexistent/a.heapsnapshot', B, '--max-growth', 'lots'],
    ];
    for (const args of cases) {
      const r = run(args);
      assert.strictEqual(r.status, 2, `diff ${args.join(' ')}: exit ${r.status}`);
      assert.strictEqual(r.stdout, '', `diff ${args.join(' ')}: nothing on stdout`);
      assert.match(r.stderr, /^heapwise: /, `diff ${args.join(' ')}: a message`);
    }
  });

  test('input errors -> 2', () => {
    const missing = path.join(dir, 'missing.heapsnapshot');
    for (const args of [
      [missing, B],
      [A, missing],
      [A, B, '--final', missing],
    ]) {
      const r = run(args);
      assert.strictEqual(r.status, 2, `diff ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
      assert.match(r.stderr, /ERR_HEAPWISE_IO/);
    }
    const notSnap = path.join(dir, 'not.heapsnapshot');
    fs.writeFileSync(notSnap, '{"hello": "world"}');
    assert.strictEqual(run([notSnap, B]).status, 2);
    const bad = run([A, B, '--ignore', '/(unclosed/']);
    assert.strictEqual(bad.status, 2, 'an invalid regular expression');
    assert.match(bad.stderr, /^heapwise: /);
  });

  test('--help prints the usage with diff, exit 0', () => {
    const r = run(['--help']);
    assert.strictEqual(r.status, 0);
    assert.match(r.stdout, /heapwise diff BEFORE AFTER/);
    assert.match(r.stdout, /--max-growth SIZE/);
  });
});
