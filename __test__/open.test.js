// `heapwise open` (lib/open, lib/cli/open.js): the command is spawned as a user runs it, on a
// leaking series of the zoo written at test time, and its page is driven in headless Chromium
// (playwright-core): the findings come first and lead to the holder's retainers tree, trees expand
// and page with "more…", search by @id and by name, Comparison, the view in the URL (reload, back),
// keyboard navigation, hostile strings shown as text, the token / Host / Origin checks, the CSP,
// and a 2 GB synthetic snapshot (the times to its first view and to expand a retainers node are
// printed, not asserted; HEAPWISE_OPEN_SIZE sets another size).
// The browser may reach nothing but the server under test. HEAPWISE_SCREENSHOTS=DIR keeps
// screenshots of the views there.
//
// Chromium missing: skipped with the reason, but a failure under CI (helpers/browser.js).
'use strict';
const { test, describe, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { findChromium, describeWithChromium, launch } = require('./helpers/browser');
const { writeSeries } = require('./zoo/series.js');
const { HOSTILE, writeHostileSnapshots } = require('./fixtures/hostile');
const { parseCommand } = require('../lib/cli/args.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const KEEP_SHOTS = process.env.HEAPWISE_SCREENSHOTS;
/** The size of the large synthetic snapshot (the issue asks for 2 GB). */
const LARGE = process.env.HEAPWISE_OPEN_SIZE || '2GB';

/**
 * Spawns `heapwise open ARGS --no-browser --port 0` and resolves once it printed its URL.
 * stop() sends `signal` and resolves with the exit code.
 */
function startOpen(args) {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'open', ...args, '--no-browser', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (c) => {
      stdout += c;
      const m = /(http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))/.exec(stdout);
      if (m) {
        resolve({
          child,
          started,
          url: m[1],
          port: Number(m[2]),
          token: m[3],
          stderr: () => stderr,
          async stop(signal = 'SIGINT') {
            child.kill(signal);
            return exited;
          },
        });
      }
    });
    exited.then((code) => reject(new Error(`heapwise open exited (${code}) before printing a URL: ${stderr}`)));
  });
}

/** A raw HTTP request to the server (headers as given, Host included). */
function request(port, { method = 'GET', path: p = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('heapwise open: arguments', () => {
  test('open takes FILE then any number of BASELINEs; --no-browser is a switch, --port a number', () => {
    const o = parseCommand('open', ['last', 'b1', 'b2', '--no-browser', '--port', '8123', '--max-memory', '2GB']);
    assert.deepStrictEqual(o._, ['last', 'b1', 'b2']);
    assert.strictEqual(o.noBrowser, true);
    assert.strictEqual(o.port, 8123);
    assert.strictEqual(o.maxMemory, 2e9);
    assert.strictEqual(parseCommand('open', ['only']).noBrowser, false);
    assert.throws(() => parseCommand('open', []), /open takes FILE/);
    assert.throws(() => parseCommand('open', ['f', '--port', '70000']), /--port/);
    assert.throws(() => parseCommand('open', ['f', '--no-browser=yes']), /no-browser/);
  });

  test('exit code 2 on a usage error and on a file that cannot be loaded', () => {
    let r = spawnSync(process.execPath, [CLI, 'open'], { encoding: 'utf8' });
    assert.strictEqual(r.status, 2, r.stderr);
    r = spawnSync(process.execPath, [CLI, 'open', path.join(os.tmpdir(), 'heapwise-no-such.heapsnapshot'), '--no-browser'], {
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /ERR_HEAPWISE_/);
    assert.strictEqual(r.stdout, '', 'no URL printed for a file that cannot be read');
  });
});

describeWithChromium('heapwise open in headless Chromium', { timeout: 300000, playwright: true }, () => {
  let series;
  let dir;
  let shots;
  let browser;
  let open;
  let hostile;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-open-'));
    shots = KEEP_SHOTS || path.join(dir, 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    series = await writeSeries('module-set', { snapshots: 3 });
    const [base1, base2, last] = series.files;
    open = await startOpen([last, base1, base2]);
    browser = await launch(findChromium().path, { offline: false });
  });

  after(async () => {
    if (browser) await browser.close();
    if (open) {
      const code = await open.stop('SIGINT');
      assert.strictEqual(code, 0, `exit code 0 after Ctrl-C: ${open.stderr()}`);
    }
    if (hostile) await hostile.stop('SIGTERM');
    if (series) series.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A new page that may reach only `server`; records errors and dialogs. */
  async function newPage(server) {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20000);
    const log = { errors: [], dialogs: [], foreign: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.errors.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => log.errors.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      log.dialogs.push(`${d.type()}: ${d.message()}`);
      d.dismiss().catch(() => {});
    });
    const origin = `http://127.0.0.1:${server.port}/`;
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(origin)) return route.continue();
      log.foreign.push(u);
      return route.abort();
    });
    return { page, log };
  }

  /** Waits until the page shows `view` for the current hash. */
  const shown = (page, view) => page.waitForSelector(`body[data-ready=true][data-view=${view}]`);

  async function shot(t, page, name) {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    if (KEEP_SHOTS) t.diagnostic(`screenshot: ${file}`);
  }

  function clean(log) {
    assert.deepStrictEqual(log.errors, [], 'no console or page errors');
    assert.deepStrictEqual(log.dialogs, [], 'no dialog');
    assert.deepStrictEqual(log.foreign, [], 'nothing requested from another server');
  }

  test('the findings come first; the holder leads to its retainers tree, which expands and pages', async (t) => {
    const { page, log } = await newPage(open);
    await page.goto(open.url);
    await shown(page, 'findings');
    const first = page.locator('ol.findings > li').first();
    assert.strictEqual(await first.locator('.holder').textContent(), 'inflightRequests');
    assert.match(await first.textContent(), /LEAK/);
    assert.match(await first.textContent(), /RequestRecord/);
    assert.match(await first.textContent(), /module-set\.js:22:3/, 'the code to change as file:line:column');
    assert.ok((await first.locator('button.copy').count()) > 0, 'copy buttons');
    await shot(t, page, 'findings');

    const holder = await first.getAttribute('data-holder');
    await first.locator('a.retainers-link').click();
    await shown(page, 'node');
    assert.match(page.url(), new RegExp(`#node/h\\d+/${holder}\\?tree=retainers$`));
    const retainers = page.locator('#retainers tbody');
    const top = retainers.locator('tr[aria-level="1"]').first();
    assert.match(await top.textContent(), /inflightRequests in system \/ Context/);
    // keyboard: the tree has the focus; → expands a level
    await top.focus();
    await page.keyboard.press('ArrowRight');
    await retainers.locator('tr[aria-level="2"]:not(.note)').first().waitFor();
    assert.strictEqual(await top.getAttribute('aria-expanded'), 'true');
    await page.keyboard.press('ArrowDown');
    assert.strictEqual(await page.evaluate(() => document.activeElement.getAttribute('aria-level')), '2', '↓ moves into the children');
    await page.keyboard.press('ArrowLeft');
    assert.strictEqual(await page.evaluate(() => document.activeElement.getAttribute('aria-level')), '1', '← goes to the parent');
    await shot(t, page, 'retainers');

    // the references: the Set's table holds more entries than a page
    const refs = page.locator('table[aria-label=References] tbody');
    const table = refs.locator('tr[aria-level="1"]', { hasText: /^▸table :: / });
    await table.click();
    await page.keyboard.press('Enter');
    const more = refs.locator('tr.more');
    await more.waitFor();
    const before = await refs.locator('tr[aria-level="2"]').count();
    assert.strictEqual(before, 26, 'a page of 25 and the "more…" row');
    assert.match(await more.textContent(), /more… \(25 of \d+ shown\)/);
    await more.click();
    await refs.locator('tr[aria-level="2"]').nth(before).waitFor();
    assert.ok((await refs.locator('tr[aria-level="2"]').count()) > before, '"more…" adds the next page');
    clean(log);
    await page.close();
  });

  test('search by @id opens that object; search by name lists matches; / focuses the search', async () => {
    const { page, log } = await newPage(open);
    await page.goto(`${open.url}#summary`);
    await shown(page, 'summary');
    await page.locator('body').press('/');
    assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'search');
    const session = JSON.parse((await request(open.port, { path: '/api/session', headers: auth(open) })).text);
    const id = session.findings.findings[0].holder.id;
    await page.keyboard.type(`@${id}`);
    await page.keyboard.press('Enter');
    await shown(page, 'node');
    assert.ok(page.url().endsWith(`#node/${session.target}/${id}`));
    assert.match(await page.locator('main h2').first().textContent(), new RegExp(`@${id}$`));

    await page.fill('#search', 'RequestRecord');
    await page.keyboard.press('Enter');
    await shown(page, 'search');
    const rows = page.locator('table[aria-label="Search results"] tbody tr[aria-level="1"]');
    assert.ok((await rows.count()) > 10);
    assert.match(await rows.first().textContent(), /RequestRecord/);
    clean(log);
    await page.close();
  });

  test('Comparison shows RequestRecord with new objects', async (t) => {
    const { page, log } = await newPage(open);
    await page.goto(`${open.url}#comparison`);
    await shown(page, 'comparison');
    const row = page.locator('table[aria-label=Comparison] tbody tr', { hasText: /^▸RequestRecord/ });
    const cells = await row.locator('td').allTextContents();
    assert.ok(Number(cells[1].replace(/,/g, '')) >= 100, `# New of RequestRecord: ${cells[1]}`);
    assert.match(cells[3], /^\+\d/);
    await shot(t, page, 'comparison');
    // as in DevTools, the row expands into its new objects, each with its size as allocated
    await row.locator('.twisty').click();
    const children = page.locator('table[aria-label=Comparison] tbody tr[aria-level="2"]:not(.note)');
    await children.first().waitFor();
    assert.match(await children.first().textContent(), /RequestRecord/);
    assert.ok((await children.first().locator('td').nth(4).textContent()).trim() !== '', 'its size under Alloc. Size');
    // sort by a column: the server's order is replaced, in the URL
    await page.locator('table[aria-label=Comparison] thead button', { hasText: '# New' }).click();
    await page.waitForFunction(() => location.hash.includes('sort=newCount'));
    await shown(page, 'comparison');
    clean(log);
    await page.close();
  });

  test('the view is in the URL: reload reopens it, back goes back', async () => {
    const { page, log } = await newPage(open);
    await page.goto(`${open.url}#summary?filter=Request&sort=count`);
    await shown(page, 'summary');
    const names = async () => page.locator('table[aria-label=Summary] tbody tr[aria-level="1"] .cls').allTextContents();
    assert.ok((await names()).includes('RequestRecord'));
    // expand the class into its instances, which page with "more…"
    const body = page.locator('table[aria-label=Summary] tbody');
    await body
      .locator('tr', { hasText: /^▸RequestRecord/ })
      .locator('.twisty')
      .click();
    await body.locator('tr.more').waitFor();
    assert.strictEqual(await body.locator('tr[aria-level="2"]').count(), 26);
    await page.reload();
    await shown(page, 'summary');
    assert.strictEqual(await page.inputValue('main input[type=search]'), 'Request');
    assert.ok((await names()).every((n) => n.includes('Request')));
    await page.click('nav a[data-view=statistics]');
    await shown(page, 'statistics');
    await page.click('nav a[data-view=external]');
    await shown(page, 'external');
    await page.locator('table[aria-label="Held by"] tbody tr').first().waitFor();
    assert.match(await page.locator('table[aria-label=Kinds] tbody').innerText(), /ArrayBuffer backing stores/);
    await page.goBack();
    await page.goBack();
    await shown(page, 'summary');
    assert.ok(page.url().endsWith('#summary?filter=Request&sort=count'));
    await page.click('nav a[data-view=dominators]');
    await shown(page, 'dominators');
    assert.ok((await page.locator('svg[data-chart=treemap] rect.mark').count()) > 10, 'the treemap is drawn');
    // Strings: the duplicated strings' groups open to their copies; a holder's link opens it.
    await page.click('nav a[data-view=strings]');
    await shown(page, 'strings');
    const groups = page.locator('table[aria-label="Duplicated strings"] tbody');
    assert.ok((await groups.locator('tr[aria-level="1"]').count()) > 1, `groups are listed: ${await page.locator('main').innerText()}`);
    await groups.locator('tr[aria-level="1"]').first().locator('.twisty').click();
    const copy = groups.locator('tr[aria-level="2"]').first();
    await copy.waitFor();
    assert.ok((await page.locator('table[aria-label="Largest strings"] tbody tr[aria-level="1"]').count()) > 1);
    const holder = copy.locator('a.id').nth(1);
    if ((await holder.count()) > 0) {
      const target = await holder.textContent();
      await holder.click();
      await shown(page, 'node');
      assert.ok(page.url().endsWith(`/${String(target).slice(1)}`), 'the holder opens');
    }
    clean(log);
    await page.close();
  });

  test('API: 403 without the token, with a wrong one, with a foreign Host or Origin; CSP and no inline script', async () => {
    const { port, token } = open;
    const host = `127.0.0.1:${port}`;
    const ok = await request(port, { path: `/?token=${token}`, headers: { Host: host } });
    assert.strictEqual(ok.status, 200);
    assert.strictEqual(
      ok.headers['content-security-policy'],
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    assert.strictEqual(ok.headers['x-content-type-options'], 'nosniff');
    assert.strictEqual(ok.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(ok.text, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    assert.doesNotMatch(ok.text, /<style|\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
    assert.strictEqual((await request(port, { path: `/?token=${token}`, headers: { Host: `localhost:${port}` } })).status, 200);

    const api = { method: 'POST', path: '/api/query/summary', body: JSON.stringify({ snapshot: 'h1', limit: 1 }) };
    const json = { 'Content-Type': 'application/json' };
    assert.strictEqual((await request(port, { ...api, headers: { Host: host, ...json, 'X-Heapwise-Token': token } })).status, 200);
    const refused = {
      'no token': { Host: host, ...json },
      'wrong token': { Host: host, ...json, 'X-Heapwise-Token': token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
      'foreign Host': { Host: `evil.example:${port}`, ...json, 'X-Heapwise-Token': token },
      'foreign Origin': { Host: host, Origin: 'http://evil.example', ...json, 'X-Heapwise-Token': token },
    };
    for (const [why, headers] of Object.entries(refused)) {
      assert.strictEqual((await request(port, { ...api, headers })).status, 403, why);
    }
    assert.strictEqual((await request(port, { path: '/', headers: { Host: host } })).status, 403, 'the page without its token');
    assert.strictEqual((await request(port, { path: '/page.js', headers: { Host: host } })).status, 403, 'a file without the token');
    assert.strictEqual(
      (await request(port, { path: '/api/session', headers: { Host: `evil.example:${port}`, 'X-Heapwise-Token': token } })).status,
      403,
    );

    // errors are coded; only the session's snapshots and the read-only queries are reachable
    const call = (name, params) =>
      request(port, { method: 'POST', path: `/api/query/${name}`, headers: auth(open), body: JSON.stringify(params) });
    let r = await call('node', { snapshot: 'h1', id: 999999999 });
    assert.strictEqual(r.status, 404);
    assert.strictEqual(JSON.parse(r.text).error.code, 'ERR_HEAPWISE_NOT_FOUND');
    r = await call('summary', { snapshot: 'h1', sort: 'nope' });
    assert.strictEqual(r.status, 400);
    assert.strictEqual(JSON.parse(r.text).error.code, 'ERR_HEAPWISE_INVALID_ARGUMENT');
    r = await call('summary', { snapshot: series.files[0] });
    assert.strictEqual(r.status, 400, 'a file path is not a snapshot of the session');
    assert.strictEqual((await call('load', { file: series.files[0] })).status, 404);
  });

  test('hostile strings show as text, and no script or dialog runs', async (t) => {
    const snaps = writeHostileSnapshots(path.join(dir, 'hostile'));
    hostile = await startOpen([snaps.after]);
    const { page, log } = await newPage(hostile);
    await page.goto(`${hostile.url}#summary?filter=${encodeURIComponent('#')}`);
    await shown(page, 'summary');
    const text = await page.locator('main').textContent();
    for (const s of [HOSTILE[0], '<img/src=x/onerror=window.__pwned="img">']) assert.ok(text.includes(s), `shows ${s}`);
    // an object of a hostile class: its retainers (a hostile property name) and references
    const body = page.locator('table[aria-label=Summary] tbody');
    await body.locator('tr[aria-level="1"] .twisty').first().click();
    await body.locator('tr[aria-level="2"]:not(.note)').first().locator('.twisty').click();
    await body.locator('tr[aria-level="3"]', { hasText: 'Retainers' }).locator('.twisty').click();
    await body.locator('tr[aria-level="4"]:not(.note)').first().waitFor();
    assert.ok((await body.textContent()).includes('<script>'), 'the hostile property name as text');
    await page.fill('#search', 'onerror');
    await page.keyboard.press('Enter');
    await shown(page, 'search');
    assert.ok((await page.locator('main').textContent()).includes('onerror='));
    await shot(t, page, 'hostile');
    const state = await page.evaluate(() => ({
      pwned: window.__pwned === undefined ? null : String(window.__pwned),
      images: document.images.length,
      scripts: [...document.scripts].map((s) => new URL(s.src, location.href).pathname),
    }));
    assert.deepStrictEqual(state, { pwned: null, images: 0, scripts: ['/page.js'] });
    clean(log);
    await page.close();
    assert.strictEqual(await hostile.stop('SIGTERM'), 0, 'exit code 0 after SIGTERM');
    hostile = null;
  });

  test(`a ${LARGE} synthetic snapshot opens, its first view renders, and a retainers node expands`, async () => {
    const { writeSnapshot } = await import('../tools/synth/write.mjs');
    const file = path.join(dir, `synth-${LARGE}.heapsnapshot`);
    await writeSnapshot(file, { size: LARGE, seed: 1, threads: 2 });
    const big = await startOpen([file]);
    try {
      const { page, log } = await newPage(big);
      await page.goto(big.url);
      // the progress shows while it loads
      await page.waitForSelector('body[data-ready=true][data-view=summary]', { timeout: 600000 });
      const ms = Date.now() - big.started;
      const mb = (fs.statSync(file).size / 1e6).toFixed(0);
      console.log(`heapwise open: ${mb} MB synthetic snapshot, start to first view ${ms} ms`);
      assert.ok(
        (await page.locator('table[aria-label=Summary] tbody tr[aria-level="1"]').count()) === 26,
        'a page of 25 classes and "more…"',
      );
      // The largest object's retainers, one level expanded.
      const res = await request(big.port, {
        method: 'POST',
        path: '/api/query/top',
        headers: auth(big),
        body: JSON.stringify({ snapshot: 'h1', limit: 3 }),
      });
      const { objects } = JSON.parse(res.text);
      const id = objects.find((o) => o.node.distance > 1)?.node.id ?? objects[0].node.id;
      await page.goto(`${big.url.split('#')[0]}#node/h1/${id}?tree=retainers`);
      await shown(page, 'node');
      const top = page.locator('#retainers tbody tr[aria-level="1"]').first();
      await top.waitFor();
      const t0 = Date.now();
      await top.focus();
      await page.keyboard.press('ArrowRight');
      await page.locator('#retainers tbody tr[aria-level="2"]').first().waitFor();
      console.log(`heapwise open: ${mb} MB synthetic snapshot, expanding a retainers node (@${id}'s first retainer) ${Date.now() - t0} ms`);
      clean(log);
      await page.close();
    } finally {
      assert.strictEqual(await big.stop('SIGINT'), 0);
      fs.rmSync(file, { force: true });
    }
  });
});

/** The token header (and Host) of the API. */
function auth(server) {
  return { Host: `127.0.0.1:${server.port}`, 'X-Heapwise-Token': server.token, 'Content-Type': 'application/json' };
}
