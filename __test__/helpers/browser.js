// Headless Chromium for the HTML report tests: playwright-core (a dev dependency) driving the
// system's Chromium (Debian's `chromium` package, /usr/bin/chromium; HEAPWISE_CHROMIUM names
// another binary). `.ci/run` installs the package when it is missing.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');

const CANDIDATES = [process.env.HEAPWISE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

/** The Chromium binary to use, or null (with the reason) when there is none. */
function findChromium() {
  for (const c of CANDIDATES) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return { path: c };
    } catch {
      // try the next
    }
  }
  return { path: null, reason: `no Chromium at ${CANDIDATES.join(', ')} (install Debian's package: apt-get install -y chromium)` };
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
 * {context, close()}; close() also removes the profile.
 */
async function launch(executablePath) {
  const { chromium } = require('playwright-core');
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
    // no network at all: only the report file itself may be read
    offline: true,
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

module.exports = { findChromium, launch, openReport, ARGS };
