// Headless Chromium for the tests: where it is (tools/chrome/find.cjs, the one place that says),
// whether the tests that need it run, skip or fail (describeWithChromium), and for the HTML report
// tests playwright-core (a dev dependency) driving it. `.ci/run` installs Debian's package when
// it is missing.
'use strict';
const { describe, test } = require('node:test');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const { findChrome, SEARCHED } = require('../../tools/chrome/find.cjs');

/** The Chromium binary to use, or null (with the reason) when there is none. */
function findChromium() {
  const found = findChrome();
  if (found) return { path: found };
  return { path: null, reason: `no Chromium (looked for ${SEARCHED}; Debian: apt-get install -y chromium)` };
}

/** Why headless Chromium cannot be driven here, or null when it can. */
function missing({ playwright }) {
  const chromium = findChromium();
  if (!chromium.path) return chromium.reason;
  if (playwright) {
    try {
      require.resolve('playwright-core');
    } catch {
      return 'playwright-core is not installed (npm install)';
    }
  }
  return null;
}

/**
 * node:test's describe() for a suite that needs headless Chromium (and playwright-core when
 * `options.playwright`). When there is none, the suite is skipped with one line that says why.
 * Under CI (CI set) a missing browser is a failure instead, one test with the reason, unless
 * HEAPWISE_NO_CHROMIUM says why it could not be installed (.ci/run sets it then). A suite already
 * skipped by its options is left alone. HEAPWISE_CHROMIUM=/nonexistent runs the tests as on a
 * machine without a browser.
 */
function describeWithChromium(name, { playwright = false, ...options }, fn) {
  const reason = options.skip ? null : missing({ playwright });
  if (!reason) return describe(name, options, fn);
  const why = process.env.HEAPWISE_NO_CHROMIUM;
  if (process.env.CI && !why) {
    return test(name, () => {
      throw new Error(`needs headless Chromium: ${reason} (.ci/run installs chromium; it sets HEAPWISE_NO_CHROMIUM to why when it cannot)`);
    });
  }
  return describe(name, { ...options, skip: `no headless browser: ${why ? `${reason}; ${why}` : reason}` }, fn);
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/**
 * Launches Chromium with a new user-data dir (a persistent context of playwright-core). Returns
 * {context, close()}; close() also removes the profile. `offline: false` lets pages reach a local
 * server (heapwise open's tests); the default allows no network at all.
 */
async function launch(executablePath, { offline = true } = {}) {
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
    // no network at all by default: only the report file itself may be read
    offline,
    timeout: 30000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens `file` in a new page of `context` and records what it does: requests (every URL; any
 * other than the file is aborted), console errors, page errors and dialogs; waits for the report's
 * script to finish (unless `javaScript: false` turns scripts off). Returns {page, url, requests,
 * errors, dialogs}.
 */
async function openReport(context, file, { javaScript = true } = {}) {
  const page = await context.newPage();
  page.setDefaultTimeout(5000);
  if (!javaScript) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
  }
  const url = pathToFileURL(file).href;
  const requests = [];
  const errors = [];
  const dialogs = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('websocket', (w) => requests.push(w.url()));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: 'load' });
  if (javaScript) await page.waitForSelector('body[data-ready=true]', { timeout: 10000 });
  return { page, url, requests, errors, dialogs };
}

module.exports = { findChromium, describeWithChromium, launch, openReport, ARGS };
