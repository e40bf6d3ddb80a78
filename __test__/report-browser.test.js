// The HTML reports of analyze, diff and watch in a real headless Chromium (playwright-core
// driving Debian's /usr/bin/chromium): no network request at all, no console or page error, the
// charts are drawn (SVG with a size and the expected number of marks), a column sorts on click
// and the filter works, and the strings of a hostile snapshot (`<script>`, `</script>`, `<!--`,
// an onerror attribute, quotes, `&`, U+2028, a lone surrogate) show as text while no injected
// script runs. Each page is screenshotted; HEAPWISE_SCREENSHOTS=DIR keeps the screenshots there
// (their paths are printed), else they go with the test's temporary folder.
//
// Chromium missing: skipped with the reason, but a failure under CI (.ci/run installs it) unless
// .ci/run could not install it (HEAPWISE_NO_CHROMIUM says why): helpers/browser.js.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { findChromium, describeWithChromium, launch, openReport } = require('./helpers/browser');
const { HOSTILE, HOSTILE_CLASSES, LONE, writeHostileSnapshots } = require('./fixtures/hostile');
const { renderWatchHtml } = require('../lib/report/html.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const WATCH_FIXTURE = path.join(__dirname, 'fixtures', 'watch-series.json');
const KEEP_SHOTS = process.env.HEAPWISE_SCREENSHOTS;

describeWithChromium('HTML report in headless Chromium', { timeout: 90000, playwright: true }, () => {
  let dir;
  let shots;
  let browser;
  const files = {};

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-report-browser-'));
    shots = KEEP_SHOTS || path.join(dir, 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    const snaps = writeHostileSnapshots(dir);
    files.analyze = path.join(dir, 'analyze.html');
    let r = spawnSync(process.execPath, [CLI, 'analyze', snaps.after, '--format', 'html', '-o', files.analyze], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    files.diff = path.join(dir, 'diff.html');
    // a class limit on a hostile class name puts that name into a verdict reason
    r = spawnSync(
      process.execPath,
      [CLI, 'diff', snaps.before, snaps.after, '--max-class-count', `${HOSTILE_CLASSES[0]}=3`, '--format', 'html', '-o', files.diff],
      { encoding: 'utf8' },
    );
    assert.strictEqual(r.status, 1, `diff exits 1 on its failed verdict: ${r.stderr}`);
    files.watch = path.join(dir, 'watch.html');
    fs.writeFileSync(files.watch, renderWatchHtml(JSON.parse(fs.readFileSync(WATCH_FIXTURE, 'utf8'))));
    browser = await launch(findChromium().path);
  });

  after(async () => {
    if (browser) await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Opens a report, runs `check(page)`, then the checks every report must pass, and saves a screenshot. */
  async function withReport(t, kind, check) {
    const r = await openReport(browser.context, files[kind]);
    try {
      await check(r.page);
      assert.deepStrictEqual(r.requests, [r.url], 'the page requested nothing but itself');
      assert.deepStrictEqual(r.errors, [], 'no console or page errors');
      assert.deepStrictEqual(r.dialogs, [], 'no dialog (alert) opened');
      const state = await r.page.evaluate(() => ({
        pwned: window.__pwned === undefined ? null : String(window.__pwned),
        scripts: document.scripts.length,
        images: document.images.length,
        comments: document.createTreeWalker(document, NodeFilter.SHOW_COMMENT).nextNode() !== null,
      }));
      assert.deepStrictEqual(state, { pwned: null, scripts: 2, images: 0, comments: false }, 'no injected script, image or comment');
      const shot = path.join(shots, `${kind}.png`);
      await r.page.screenshot({ path: shot, fullPage: true });
      if (KEEP_SHOTS) t.diagnostic(`screenshot: ${shot}`);
    } finally {
      await r.page.close();
    }
  }

  /** The sizes and mark counts of the charts: [{chart, width, height, marks}] per svg[data-chart] under `sel`. */
  const charts = (page, sel) =>
    page.$$eval(`${sel} svg[data-chart]`, (list) =>
      list.map((s) => {
        const b = s.getBoundingClientRect();
        return { chart: s.dataset.chart, width: b.width, height: b.height, marks: s.querySelectorAll('.mark').length };
      }),
    );

  /** Text of the cells of column `col` (0-based) of the table in `sel`. */
  const column = (page, sel, col) => page.$$eval(`${sel} tbody tr`, (rows, c) => rows.map((r) => r.cells[c].textContent), col);
  const num = (s) => Number(s.replace(/[^\d.-]/g, ''));
  const bytes = (s) => {
    const m = /^([+-]?[\d.]+) (B|kB|MB|GB|TB)/.exec(s.trim());
    return Number(m[1]) * { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 }[m[2]];
  };
  const sorted = (list, dir) => list.every((v, i) => i === 0 || (dir === 'desc' ? list[i - 1] >= v : list[i - 1] <= v));

  test('analyze: statistics, dominator treemap, sortable Summary, hostile names as text', async (t) => {
    await withReport(t, 'analyze', async (page) => {
      // (the tree is too deep to hand over whole)
      const model = await page.evaluate(() => {
        const { data } = JSON.parse(document.getElementById('heapwise-data').textContent);
        const tree = data.dominatorTree;
        return {
          data: {
            statistics: data.statistics,
            summary: data.summary,
            dominatorTree: { children: tree.children.length, more: Boolean(tree.more) },
          },
        };
      });
      const stats = await charts(page, '#chart-statistics');
      assert.deepStrictEqual(
        stats.map((c) => c.chart),
        ['stacked', 'bar'],
      );
      const nonZero = ['code', 'strings', 'jsArrays', 'typedArrays', 'system', 'otherJsObjects', 'otherNonJsObjects'].filter(
        (k) => model.data.statistics[k] > 0,
      ).length;
      assert.strictEqual(stats[0].marks, nonZero, 'one stacked part per non-empty category');
      assert.strictEqual(stats[1].marks, 7, 'one bar per category');
      for (const c of stats) assert.ok(c.width > 300 && c.height > 20, `${c.chart} has a size`);
      const [tree] = await charts(page, '#chart-dominators');
      const top = model.data.dominatorTree.children + (model.data.dominatorTree.more ? 1 : 0);
      assert.ok(tree.width > 300 && tree.height > 300, 'treemap has a size');
      const outer = await page.$$eval('#chart-dominators svg > g > rect.mark:not(.child)', (l) => l.length);
      assert.ok(outer >= 3 && outer <= top, `a box per root child (${outer} of ${top})`);
      assert.ok(tree.marks > outer, 'and nested boxes');
      // zoom into the largest box and back
      await page.click('#chart-dominators svg > g:first-of-type > rect.mark:not(.child)', { position: { x: 6, y: 6 } }); // its header strip
      assert.strictEqual(await page.$$eval('#chart-dominators .crumbs button', (l) => l.length), 1, 'zoomed in one level');
      await page.click('#chart-dominators .crumbs button');
      assert.strictEqual(await page.$$eval('#chart-dominators .crumbs button', (l) => l.length), 0);

      // sorting: Count descending, then ascending; the default is Retained Size descending
      const sel = '#table-summary';
      assert.ok(sorted((await column(page, sel, 4)).map(bytes), 'desc'), 'sorted by retained size');
      await page.click(`${sel} th[data-key=count] button`);
      assert.strictEqual(await page.getAttribute(`${sel} th[data-key=count]`, 'aria-sort'), 'descending');
      const counts = (await column(page, sel, 2)).map(num);
      assert.strictEqual(counts.length, model.data.summary.length);
      assert.ok(sorted(counts, 'desc') && counts[0] > counts[counts.length - 1], 'Count descending');
      await page.click(`${sel} th[data-key=count] button`);
      assert.ok(sorted((await column(page, sel, 2)).map(num), 'asc'), 'Count ascending');
      await page.click(`${sel} th[data-key=name] button`);
      const names = await column(page, sel, 0);
      assert.deepStrictEqual(
        names,
        [...names].sort((a, b) => a.localeCompare(b)),
        'Constructor A-Z',
      );

      // every hostile class name is one Summary cell, as text
      for (const name of HOSTILE_CLASSES) assert.ok(names.includes(name), `Summary shows ${JSON.stringify(name)} as text`);
      await page.fill('.toolbar input[type=search]', '</script>');
      const filtered = await column(page, sel, 0);
      assert.ok(filtered.length >= 2 && filtered.every((n) => n.includes('</script>')), `filter matches text (${filtered.length} rows)`);
      // the holder of the hostile objects is reached through a hostile property name
      const paths = await page.$$eval('.path', (l) => l.map((p) => p.textContent));
      assert.ok(
        paths.some((p) => p.includes(`global[${JSON.stringify(HOSTILE[0])}]`)),
        'retainer path shows the hostile edge as text',
      );
      const heads = await page.$$eval('ol.items .head', (l) => l.map((p) => p.textContent));
      assert.ok(
        heads.some((h) => h.includes('(string)') && h.includes('retained')),
        'the hostile string is among the largest objects',
      );
    });
  });

  test('with JavaScript off the reports are still readable: tables, paths and verdict are in the page', async (t) => {
    for (const kind of ['analyze', 'diff']) {
      const r = await openReport(browser.context, files[kind], { javaScript: false });
      try {
        assert.strictEqual(await r.page.getAttribute('body', 'data-ready'), null, 'the script did not run');
        const table = kind === 'analyze' ? '#table-summary' : '#table-comparison';
        const names = await column(r.page, table, 0);
        assert.ok(names.length >= HOSTILE_CLASSES.length, `${kind}: the table is in the page (${names.length} rows)`);
        for (const name of HOSTILE_CLASSES) assert.ok(names.includes(name), `${kind}: ${JSON.stringify(name)} as text`);
        const paths = await r.page.$$eval('.path', (l) => l.length);
        assert.ok(paths > 0, `${kind}: retainer paths`);
        assert.deepStrictEqual(r.requests, [r.url]);
        assert.deepStrictEqual(r.dialogs, []);
        const shot = path.join(shots, `${kind}-no-js.png`);
        await r.page.screenshot({ path: shot, fullPage: true });
        if (KEEP_SHOTS) t.diagnostic(`screenshot: ${shot}`);
      } finally {
        await r.page.close();
      }
    }
  });

  test('diff: verdict, size-delta bars, treemap, sortable Comparison, hostile names as text', async (t) => {
    await withReport(t, 'diff', async (page) => {
      const model = await page.evaluate(() => JSON.parse(document.getElementById('heapwise-data').textContent));
      const reasons = await page.$$eval('#verdict li', (l) => l.map((x) => x.textContent));
      assert.ok(
        reasons.some((r) => r.includes(HOSTILE_CLASSES[0])),
        'the verdict names the hostile class as text',
      );
      const [bars] = await charts(page, '#chart-deltas');
      const movers = Math.min(15, model.data.classes.filter((c) => c.sizeDelta !== 0).length);
      assert.ok(movers > 5);
      assert.strictEqual(bars.marks, movers, 'one bar per changed class (at most 15)');
      assert.ok(bars.width > 300 && bars.height > 100);
      const [tree] = await charts(page, '#chart-diff-treemap');
      const allocated = model.data.allocated.filter((r) => r.retainedSize > 0).length;
      assert.ok(tree.width > 300 && tree.height > 200);
      assert.ok(
        tree.marks >= Math.min(allocated, 5) && tree.marks <= allocated,
        `a box per allocated class (${tree.marks} of ${allocated})`,
      );
      // switch the treemap to the growers
      await page.click('#chart-diff-treemap button[data-set=growers]');
      const growerBoxes = await page.$$eval('#chart-diff-treemap svg .mark', (l) => l.length);
      assert.ok(growerBoxes >= 1 && growerBoxes <= model.data.growers.length);

      const sel = '#table-comparison';
      await page.click(`${sel} th[data-key=newCount] button`);
      const news = (await column(page, sel, 1)).map(num);
      assert.strictEqual(news.length, model.data.classes.length);
      assert.ok(sorted(news, 'desc') && news[0] > news[news.length - 1], '# New descending');
      const names = await column(page, sel, 0);
      for (const name of HOSTILE_CLASSES) assert.ok(names.includes(name), `Comparison shows ${JSON.stringify(name)} as text`);
      const row = model.data.classes.find((c) => c.name === HOSTILE_CLASSES[0]);
      assert.strictEqual(news[names.indexOf(HOSTILE_CLASSES[0])], row.newCount, 'its row holds its numbers');
    });
  });

  test('watch: memory and growth timelines, growth list, hostile names as text', async (t) => {
    await withReport(t, 'watch', async (page) => {
      const model = await page.evaluate(() => JSON.parse(document.getElementById('heapwise-data').textContent));
      const [mem] = await charts(page, '#chart-memory');
      assert.strictEqual(mem.marks, 7, 'RSS, PSS, JS heap, heapUsed, heapTotal, external, arrayBuffers');
      assert.ok(mem.width > 300 && mem.height > 200);
      const series = await page.$$eval('#chart-memory path.mark', (l) => l.map((p) => p.dataset.series));
      assert.deepStrictEqual(series.slice(0, 3), ['RSS', 'PSS', 'JS heap (snapshot total)']);
      // PSS has a gap (one null sample): its path has two pieces
      const pss = await page.getAttribute('#chart-memory path.mark[data-series=PSS]', 'd');
      assert.strictEqual((pss.match(/M/g) || []).length, 2, 'a null sample is a gap');
      const count = await charts(page, '#chart-growth-count');
      const size = await charts(page, '#chart-growth-size');
      assert.strictEqual(count[0].marks, model.data.growth.length, 'a line per growing class');
      assert.strictEqual(size[0].marks, model.data.growth.length);
      const dots = await page.$$eval('#chart-growth-count circle.dot', (l) => l.length);
      assert.strictEqual(dots, model.data.growth.length * model.data.snapshots.length, 'a point per class and snapshot');
      // hiding a series from the legend
      await page.click('#chart-memory .legend button:first-child');
      assert.strictEqual(await page.$$eval('#chart-memory path.mark', (l) => l.length), 6);

      const sel = '#table-classes';
      await page.click(`${sel} th[data-key=count] button`);
      const counts = (await column(page, sel, 1)).map(num);
      assert.ok(sorted(counts, 'desc') && counts.length === model.data.snapshots.at(-1).classes.length);
      const names = await column(page, sel, 0);
      assert.ok(names.includes(LONE + ' & "q"'), 'a lone surrogate survives into the table as text');
      assert.ok(names.includes('</script><!--'));
      assert.ok(names.includes('<script>window.__pwned="watch"</script>'));
      const title = await page.textContent('header h1');
      assert.ok(title.includes('<script>alert("dir")</script>'), 'the folder name is text');
      const leaks = await page.$$eval('#verdict li', (l) => l.map((x) => x.textContent));
      assert.strictEqual(leaks.length, 2);
    });
  });
});
