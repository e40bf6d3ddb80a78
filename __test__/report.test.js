// The HTML report (lib/report): escaping of every snapshot string, the data block (it parses
// back to the input and cannot end its element), the page's Content-Security-Policy, the
// dominator tree built for analyze, and the CLI's --format html / markdown and -o for analyze
// and diff. The report in a real browser: report-browser.test.js.
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { esc, html, raw, jsonForScript } = require('../lib/report/escape.js');
const { renderAnalyzeHtml, renderDiffHtml, renderWatchHtml } = require('../lib/report/html.js');
const { dominatorTree } = require('../lib/report/dominators.js');
const { writeSnapshots } = require('./fixtures/write-snapshots');
const { HOSTILE, LONE } = require('./fixtures/hostile');
const { analyzeSync } = require('heapwise');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const WATCH_FIXTURE = path.join(__dirname, 'fixtures', 'watch-series.json');
const EVIL = [...HOSTILE, LONE, 'nul\u0000byte', ']]>', '<![CDATA[x]]>', '\u2028\u2029', '<svg onload=alert(1)>', '`${x}`'];

let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-report-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Hand-made inputs whose every string is hostile

const node = (id, name, className, type = 'object', retainedSize = 1000) => ({
  id,
  name,
  type,
  className,
  selfSize: 32,
  shallowSize: 32,
  retainedSize,
  distance: 3,
  dominatorId: 1,
  detached: false,
});
const rootStep = { node: node(1, '', '(synthetic)', 'synthetic', 10000) };
const pathThrough = (edges, leaf) => [
  rootStep,
  ...edges.map((e, i) => ({ edge: e, edgeType: 'property', node: node(100 + i, e, e) })),
  { edge: EVIL[0], edgeType: 'property', node: leaf },
];

function hostileAnalyzeResult() {
  const summary = EVIL.map((name, i) => ({
    name,
    key: `,${name}`,
    count: 10 + i,
    distance: 2 + i,
    shallowSize: 1000 * (i + 1),
    retainedSize: 5000 * (EVIL.length - i),
  }));
  return {
    schemaVersion: 1,
    file: `/tmp/${EVIL[1]}.heapsnapshot`,
    nodeCount: 1234,
    edgeCount: 5678,
    totalSize: 100000,
    statistics: {
      total: 100000,
      v8Heap: 90000,
      native: 10000,
      code: 20000,
      strings: 15000,
      jsArrays: 10000,
      typedArrays: 5000,
      system: 8000,
      otherJsObjects: 30000,
      otherNonJsObjects: 2000,
    },
    summary,
    top: EVIL.map((name, i) => ({
      node: node(200 + i, name, name, i % 2 ? 'string' : 'closure', 4000 - i),
      retainerPath: pathThrough(EVIL.slice(0, 3), node(200 + i, name, name)),
      pathText: `global${EVIL.slice(0, 3)
        .map((e) => `[${JSON.stringify(e)}]`)
        .join('')}`,
      location: { scriptId: 7, line: 3, column: 4, scriptName: `file:///app/${EVIL[2]}.js` },
    })),
    warnings: [EVIL[3]],
    dominatorTree: {
      ...node(1, '', '(synthetic)', 'synthetic', 100000),
      children: EVIL.map((n, i) => node(300 + i, n, n, 'object', 5000 + i)),
      more: { count: 3, retainedSize: 50 },
    },
  };
}

function hostileDiff() {
  const classes = EVIL.map((name, i) => ({
    name,
    key: `,${name}`,
    newCount: 10 + i,
    deletedCount: i,
    deltaCount: 10,
    allocSize: 1000 + i,
    freedSize: i,
    sizeDelta: 1000,
  }));
  const totals = { newCount: 0, deletedCount: 0, deltaCount: 0, allocSize: 0, freedSize: 0, sizeDelta: 0 };
  for (const r of classes) for (const k in totals) totals[k] += r[k];
  const side = (f) => ({ file: `/snaps/${EVIL[0]}-${f}.heapsnapshot`, nodeCount: 1000, totalSize: 50000, maxJsObjectId: 999 });
  return {
    schemaVersion: 1,
    before: side('before'),
    after: side('after'),
    final: side('final'),
    sameProcess: true,
    sizeDelta: 12345,
    classes,
    totals,
    allocated: EVIL.map((name, i) => ({
      name,
      key: `,${name}`,
      count: i + 1,
      distance: 3,
      shallowSize: 100 * (i + 1),
      retainedSize: 200 * (i + 1),
    })),
    growers: EVIL.slice(0, 4).map((name, i) => ({
      node: node(400 + i, name, name),
      retainedBefore: 100,
      retainedAfter: 900 + i,
      growth: 800 + i,
      retainerPath: pathThrough([name], node(400 + i, name, name)),
      pathText: `global[${JSON.stringify(name)}]`,
      location: { scriptId: 3, line: 0, column: 0, scriptName: EVIL[1] },
    })),
    leaks: EVIL.slice(0, 3).map((name, i) => ({
      name,
      count: 5,
      retainedSize: 500 + i,
      retainerPath: pathThrough([name], node(500 + i, name, name)),
      pathText: `global[${JSON.stringify(name)}]`,
      ids: [500 + i],
    })),
    findings: EVIL.slice(0, 2).map((name, i) => ({
      holder: { node: node(600 + i, name, name), name, kind: 'Map', scope: `a variable of ${EVIL[1]}`, description: `${name} (Map)` },
      growth: {
        snapshots: [0, 1],
        retained: [100, 900],
        members: [0, 10],
        bytesPerSnapshot: 800,
        membersPerSnapshot: 10,
        stepsGrown: 1,
        steps: 1,
        steady: false,
        chain: false,
      },
      accumulates: [{ className: name, count: 10, size: 800, exampleId: 700 + i }],
      path: [],
      pathText: `global[${JSON.stringify(name)}]`,
      code: [{ role: 'fills', location: { scriptId: 3, line: 1, column: 2, scriptName: EVIL[1] }, text: name }],
      leak: true,
      message: `${name} grows`,
    })),
    verdict: {
      ok: false,
      reasons: EVIL.map((e) => ({ kind: 'growth', finding: null, className: null, actual: 2, limit: 1, message: `leak: ${e} grew` })),
    },
    warnings: [EVIL[2]],
  };
}

/**
 * Checks a rendered page: only the two scripts of the report (no hostile string opened another
 * element), no comment, the CSP names the inline script's hash, and the data block parses back.
 * Returns the parsed data block.
 */
function checkPage(page) {
  assert.strictEqual((page.match(/<script/gi) || []).length, 2, 'exactly two script elements: the data block and the report script');
  assert.strictEqual((page.match(/<\/script/gi) || []).length, 2, 'exactly two script end tags');
  assert.ok(!page.includes('<!--'), 'no comment opener anywhere');
  for (const tag of ['<img', '<svg', '<b>bold', '<![CDATA['])
    assert.ok(!page.toLowerCase().includes(tag.toLowerCase()), `no ${tag} in the page`);
  assert.ok(!/https?:\/\//.test(page.replace(/http:\/\/www\.w3\.org\/2000\/svg/g, '')), 'no URL the page could load');
  const m = /<script type="application\/json" id="heapwise-data">([\s\S]*?)<\/script>\n<script>([\s\S]*?)<\/script>/.exec(page);
  assert.ok(m, 'data block followed by the script');
  const [, json, script] = m;
  for (const c of ['<', '>', '&', '\u2028', '\u2029']) assert.ok(!json.includes(c), `data block has no raw ${JSON.stringify(c)}`);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page);
  assert.ok(csp, 'a CSP meta element');
  const policy = csp[1].replace(/&#39;/g, "'");
  const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
  assert.match(policy, /default-src 'none'/);
  assert.ok(policy.includes(`script-src 'sha256-${hash}'`), 'the CSP allows exactly the inline script');
  return JSON.parse(json);
}

// ---------------------------------------------------------------------------------------------

describe('escaping', () => {
  test('esc writes entities for every HTML special', () => {
    assert.strictEqual(esc(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    assert.strictEqual(esc('nul\u0000'), 'nul\uFFFD');
    assert.strictEqual(esc(42), '42');
  });
  test('html`` escapes interpolations unless they are SafeHtml', () => {
    const x = html`<p title="${EVIL[0]}">${EVIL[1]}${raw('<i>ok</i>')}${[EVIL[2], html`<b>${EVIL[3]}</b>`]}${null}${false}</p>`.text;
    assert.ok(!x.includes('<script') && !x.includes('<!--') && !x.includes('<img'));
    assert.ok(x.includes('<i>ok</i>') && x.includes('<b>&lt;img/src=x/onerror=window.__pwned=&quot;img&quot;&gt;</b>'));
    assert.ok(x.startsWith('<p title="&lt;script&gt;window.__pwned=&quot;script&quot;'));
  });
  test('jsonForScript: no <, >, &, U+2028/2029 and it parses back, lone surrogates included', () => {
    const value = { names: EVIL, nested: [{ s: '</script><script>', c: '<!--' }], lone: ['\uD800', '\uDFFF', 'a\uDC00b'], n: [1, 2.5, -3] };
    const text = jsonForScript(value);
    assert.ok(!/[<>&\u2028\u2029]/.test(text), text);
    assert.deepStrictEqual(JSON.parse(text), value);
  });
});

describe('renderAnalyzeHtml', () => {
  test('hostile strings are text; the data block is the input', () => {
    const input = hostileAnalyzeResult();
    const page = renderAnalyzeHtml(input);
    const model = checkPage(page);
    assert.strictEqual(model.kind, 'analyze');
    assert.deepStrictEqual(model.data, input, 'data block parses back to the input');
    // the static (no-JS) parts show every class name and the path edges, escaped
    for (const name of EVIL.filter((s) => !s.includes('\u0000') && !/[\uD800-\uDFFF]/.test(s))) {
      assert.ok(page.includes(`<td class="name">${esc(name)}</td>`), `Summary row of ${JSON.stringify(name)}`);
    }
    assert.ok(page.includes(`<td class="name">lone \uFFFD surrogate</td>`) || page.includes(`<td class="name">${LONE}</td>`));
    assert.ok(page.includes(esc(EVIL[3])), 'warning shown');
    assert.match(page, /class="path"/);
    assert.ok(page.includes(esc(JSON.stringify(EVIL[0]))), 'a non-identifier edge is quoted and escaped in the path');
    assert.ok(page.includes(`<title>${esc(`${EVIL[1]}.heapsnapshot`)}</title>`) || page.includes('<title>'), 'title');
  });
  test('large Summaries are cut in the data block and in the static table, and say so', () => {
    const input = hostileAnalyzeResult();
    input.summary = Array.from({ length: 6000 }, (_, i) => ({
      name: `C${i}`,
      key: `,C${i}`,
      count: 1,
      distance: 2,
      shallowSize: 10,
      retainedSize: 6000 - i,
    }));
    const page = renderAnalyzeHtml(input);
    const model = checkPage(page);
    assert.strictEqual(model.data.summary.length, 5000);
    assert.strictEqual(model.summaryRows, 6000);
    assert.strictEqual((page.match(/<td class="name">C\d+<\/td>/g) || []).length, 200);
    assert.match(page, /the first 200 of 6,000 classes/);
  });
});

describe('renderDiffHtml', () => {
  test('hostile strings are text; verdict, growers and leak groups are in the page; the data block is the input', () => {
    const input = hostileDiff();
    const page = renderDiffHtml(input);
    const model = checkPage(page);
    assert.strictEqual(model.kind, 'diff');
    assert.deepStrictEqual(model.data, input);
    assert.match(page, /Verdict: FAILED \(13 reasons\)/);
    for (const r of input.verdict.reasons.map((x) => x.message).filter((s) => !/[\uD800-\uDFFF\u0000]/.test(s)))
      assert.ok(page.includes(`<li>${esc(r)}</li>`), r);
    assert.match(page, /Top growers/);
    assert.match(page, /Leak candidates/);
    assert.ok(page.includes(esc(EVIL[1])), 'script name of a location');
  });
  test('an ok diff says ok', () => {
    const input = hostileDiff();
    input.verdict = { ok: true, reasons: [] };
    input.final = undefined;
    input.leaks = [];
    const page = renderDiffHtml(input);
    checkPage(page);
    assert.match(page, /Verdict: ok/);
    assert.doesNotMatch(page, /Leak candidates/);
  });
});

describe('renderWatchHtml', () => {
  test('the WatchSeries fixture renders; hostile strings are text; the data block is the input', () => {
    const series = JSON.parse(fs.readFileSync(WATCH_FIXTURE, 'utf8'));
    const page = renderWatchHtml(series);
    const model = checkPage(page);
    assert.strictEqual(model.kind, 'watch');
    assert.deepStrictEqual(model.data, series);
    assert.match(page, /Leaks flagged/);
    for (const g of series.growth) assert.ok(page.includes(esc(g.name)), g.name);
    for (const l of series.leaks) assert.ok(page.includes(esc(l.reason)), l.reason);
    assert.match(page, /id="chart-memory"/);
    assert.match(page, /id="chart-growth-count"/);
  });
  test('a long series is thinned to 5,000 samples, first and last kept', () => {
    const series = JSON.parse(fs.readFileSync(WATCH_FIXTURE, 'utf8'));
    const t0 = series.startedAt;
    series.samples = Array.from({ length: 12000 }, (_, i) => ({
      time: t0 + i * 1000,
      rss: 1e6 + i,
      pss: null,
      processes: 1,
      heapUsed: null,
      heapTotal: null,
      external: null,
      arrayBuffers: null,
    }));
    const model = checkPage(renderWatchHtml(series));
    assert.strictEqual(model.data.samples.length, 5000);
    assert.deepStrictEqual(model.data.samples[0], series.samples[0]);
    assert.deepStrictEqual(model.data.samples[4999], series.samples[11999]);
  });
});

describe('dominator tree and the CLI', () => {
  let files;
  before(() => {
    files = Object.fromEntries(writeSnapshots(dir, { only: ['class-map', 'growth'] }).map((s) => [s.name, s.file]));
  });

  test('dominatorTree: the root, the largest objects under their dominators, largest first, a bounded size', () => {
    const heap = analyzeSync(files['class-map']);
    try {
      const tree = dominatorTree(heap, { maxNodes: 300 });
      assert.strictEqual(tree.id, 1);
      assert.strictEqual(tree.retainedSize, heap.totalSize);
      let count = 0;
      let registry = false;
      const walk = (n) => {
        count++;
        if (n.className === 'Map' && heap.retainerPath(n.id).some((s) => s.edge === 'registry')) registry = true;
        const kids = n.children || [];
        for (let i = 1; i < kids.length; i++) assert.ok(kids[i - 1].retainedSize >= kids[i].retainedSize, 'largest first');
        const sum = kids.reduce((a, k) => a + k.retainedSize, 0) + (n.more ? n.more.retainedSize : 0);
        assert.ok(sum <= n.retainedSize, `children of @${n.id} retain no more than it`);
        for (const k of kids) {
          assert.strictEqual(heap.node(k.id).dominatorId, n.id, `@${k.id} is dominated by @${n.id}`);
          walk(k);
        }
      };
      walk(tree);
      assert.ok(count > 250 && count <= 310, `node budget kept: 300 objects and their synthetic dominators (${count})`);
      assert.ok(registry, 'the registry Map is in the tree');
    } finally {
      heap.close();
    }
  });

  test('analyze --format html -o writes a page with the tree; markdown, json and bad formats', () => {
    const out = path.join(dir, 'analyze.html');
    const r = spawnSync(process.execPath, [CLI, 'analyze', files['class-map'], '--format', 'html', '-o', out, '--top', '5'], {
      encoding: 'utf8',
    });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(r.stdout, '');
    assert.match(r.stderr, /report written to/);
    const model = checkPage(fs.readFileSync(out, 'utf8'));
    assert.strictEqual(model.data.top.length, 5);
    assert.ok(model.data.dominatorTree && model.data.dominatorTree.children.length > 0);
    assert.ok(model.data.summary.some((s) => s.name === 'LeakyThing'));
    assert.strictEqual(model.data.fileSize, fs.statSync(files['class-map']).size);

    const md = execFileSync(process.execPath, [CLI, 'analyze', files['class-map'], '--format', 'markdown'], { encoding: 'utf8' });
    assert.match(md, /^## heapwise analyze: `class-map\.heapsnapshot`/);
    assert.match(md, /\| `LeakyThing` \| 4 \| 3,000 \|/);
    assert.match(md, /### Largest objects/);

    const json = JSON.parse(
      execFileSync(process.execPath, [CLI, 'analyze', files['class-map'], '--format', 'json', '--top', '2'], { encoding: 'utf8' }),
    );
    assert.strictEqual(json.top.length, 2);
    assert.strictEqual(json.dominatorTree, undefined, 'the tree is built for html only');

    const bad = spawnSync(process.execPath, [CLI, 'analyze', files['class-map'], '--format', 'pdf'], { encoding: 'utf8' });
    assert.strictEqual(bad.status, 2);
    assert.match(bad.stderr, /--format must be one of text, json, markdown, html/);
    const unwritable = spawnSync(
      process.execPath,
      [CLI, 'analyze', files['class-map'], '--format', 'html', '-o', path.join(dir, 'no', 'such', 'dir', 'x.html')],
      { encoding: 'utf8' },
    );
    assert.strictEqual(unwritable.status, 2);
    assert.match(unwritable.stderr, /cannot write/);
  });

  test('diff --format html -o: the page, and the exit code still follows the verdict', () => {
    const out = path.join(dir, 'diff.html');
    const page = (f) => fs.readFileSync(f, 'utf8');
    const fail = spawnSync(
      process.execPath,
      [CLI, 'diff', files['growth-before'], files['growth-after'], '--max-growth', '1kB', '--format', 'html', '-o', out],
      { encoding: 'utf8' },
    );
    assert.strictEqual(fail.status, 1, fail.stderr);
    assert.match(fail.stderr, /FAILED: size delta \+.*report written to/);
    const model = checkPage(fs.readFileSync(out, 'utf8'));
    assert.strictEqual(model.kind, 'diff');
    assert.ok(model.data.classes.some((c) => c.name === 'NewComer' && c.newCount === 1000));
    assert.strictEqual(model.data.verdict.ok, false);
    assert.ok(model.data.findings.length > 0 && page(out).includes('Findings'), 'the findings are in the page');
    const ok = spawnSync(
      process.execPath,
      [CLI, 'diff', files['growth-before'], files['growth-after'], '--only-thresholds', '--format', 'html'],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    );
    assert.strictEqual(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^<!DOCTYPE html>/);
    assert.match(ok.stdout, /Verdict: ok/);
  });
});
