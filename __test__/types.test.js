'use strict';
// The published types (heapwise.d.ts, the generated index.d.ts, testing.d.ts) compile against
// typical use under `tsc --strict`, resolving `heapwise` and `heapwise/testing` through the
// package's own `exports` map.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('the .d.ts files type-check a typical program', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stdout + r.stderr);
});
