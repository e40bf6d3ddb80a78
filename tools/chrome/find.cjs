'use strict';
// The one place that says where the Chrome / Chromium binary is: for tools/chrome/heap-snapshot.mjs
// and for the tests that need a headless browser (__test__/helpers/browser.js). In order:
// $HEAPWISE_CHROMIUM (that file, or none when it does not exist: a way to run the tests as on a
// machine without a browser), $CHROME_PATH, then the first of chromium, chromium-browser,
// google-chrome, google-chrome-stable on PATH (Debian: apt-get install -y chromium).
const fs = require('node:fs');
const path = require('node:path');

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Where findChrome() looks, for messages. */
const SEARCHED = `$HEAPWISE_CHROMIUM, $CHROME_PATH, or ${NAMES.join(', ')} on PATH`;

const executable = (file) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/** The Chrome / Chromium binary to use, or null when there is none. */
function findChrome(env = process.env) {
  for (const v of ['HEAPWISE_CHROMIUM', 'CHROME_PATH']) {
    if (env[v]) return executable(env[v]) ? env[v] : null;
  }
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const n of NAMES) if (executable(path.join(dir, n))) return path.join(dir, n);
  }
  return null;
}

module.exports = { findChrome, SEARCHED };
