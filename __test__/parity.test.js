// DevTools parity: for every test snapshot, heapwise must report exactly what Chrome DevTools'
// own heap snapshot code (chrome-devtools-frontend, run by tools/devtools/oracle.mjs) computes:
// per node (self / shallow / retained size, distance, dominator), every Summary row, the
// Statistics view and the totals (helpers/parity-case.js). Snapshots of other Node versions and
// of Chrome: producers.test.js.
//
// The snapshots are written at test time by __test__/fixtures/write-snapshots.js into a temp dir.
// Env:
//   HEAPWISE_PARITY_ONLY=name,name     only these snapshots / scenarios (e.g. strings,worker)
//   HEAPWISE_PARITY_FILES=a:b          also check these existing .heapsnapshot files
//                                      (path.delimiter-separated)
//   HEAPWISE_PARITY_KEEP=1             keep the temp dir (snapshots, JSON and TSV of both sides)
//   HEAPWISE_CLI=path/to/main.js       run this heapwise CLI instead of <repo>/lib/cli/main.js
'use strict';
const { describe, before, after } = require('node:test');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { SCENARIOS, writeSnapshots } = require('./fixtures/write-snapshots');
const dt = require('./helpers/devtools');
const { parityCase } = require('./helpers/parity-case');

const only = (process.env.HEAPWISE_PARITY_ONLY || '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const scenarios = Object.keys(SCENARIOS).filter(
  (s) => !only.length || only.includes(s) || SCENARIOS[s].files.some((f) => only.includes(f)),
);
const extraFiles = (process.env.HEAPWISE_PARITY_FILES || '').split(path.delimiter).filter(Boolean);
const cases = [
  ...scenarios.flatMap((s) =>
    SCENARIOS[s].files.filter((f) => !only.length || only.includes(s) || only.includes(f)).map((f) => ({ name: f, scenario: s })),
  ),
  ...extraFiles.map((f) => ({ name: path.basename(f, '.heapsnapshot'), file: path.resolve(f) })),
];

describe('DevTools parity', () => {
  let dir;
  const files = new Map();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-parity-'));
    dt.ensureDevTools();
    const t0 = Date.now();
    if (scenarios.length) for (const { name, file } of writeSnapshots(dir, { only: scenarios })) files.set(name, file);
    for (const c of cases) if (c.file) files.set(c.name, c.file);
    process.stderr.write(`parity: ${files.size} snapshots in ${dir} (written in ${Date.now() - t0} ms)\n`);
  });

  after(() => {
    if (!dir) return;
    if (process.env.HEAPWISE_PARITY_KEEP) process.stderr.write(`parity: kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) parityCase(c.name, { file: () => files.get(c.name), dir: () => dir });
});
