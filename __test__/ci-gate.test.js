'use strict';
// The README's "Failing the build when the heap grows" recipe, run as written: the workload
// writes before/after snapshots, `heapwise diff` gates on them by exit code.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const run = (args) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

for (const leak of [true, false]) {
  test(`the CI gate ${leak ? 'fails on a leaking' : 'passes a clean'} workload`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-gate-'));
    try {
      const w = run(['examples/leak-workload.js', dir, ...(leak ? ['--leak'] : [])]);
      assert.strictEqual(w.status, 0, w.stderr);
      const report = path.join(dir, 'heap-report.md');
      const d = run([
        'lib/cli/main.js',
        'diff',
        path.join(dir, 'before.heapsnapshot'),
        path.join(dir, 'after.heapsnapshot'),
        '--max-growth',
        '2MB',
        '--max-new-objects',
        '5000',
        '--format',
        'markdown',
        '-o',
        report,
      ]);
      assert.strictEqual(d.status, leak ? 1 : 0, d.stderr + d.stdout);
      const md = fs.readFileSync(report, 'utf8');
      if (leak) {
        assert.match(md, /Session/);
        assert.match(md, /more than the allowed/);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
