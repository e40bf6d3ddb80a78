// Security rules of issue 7 that are properties of the shipped code (the HTML report's escaping
// is tested in a real browser by report-browser.test.js, watch's symlink rule by watch.test.js):
// nothing read from a snapshot is ever evaluated, and no path ever goes through a shell.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REPO = path.join(__dirname, '..');
const pkg = require('../package.json');

/** Every JS file the npm package ships (package.json "files"), recursively. */
function shippedJs() {
  const out = [];
  const walk = (p) => {
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else if (/\.(c|m)?js$/.test(p)) {
      out.push(p);
    }
  };
  for (const f of pkg.files) {
    const p = path.join(REPO, f);
    if (fs.existsSync(p)) walk(p);
  }
  return out;
}

test('the shipped JS never evaluates text: no eval, no Function constructor, vm only for the constant gc', () => {
  const files = shippedJs();
  assert.ok(files.length >= 10, `found the package's files (${files.length})`);
  for (const f of files) {
    const src = fs.readFileSync(f, 'utf8');
    const rel = path.relative(REPO, f);
    assert.doesNotMatch(src, /\beval\s*\(/, `${rel} calls eval`);
    assert.doesNotMatch(src, /\bnew\s+Function\s*\(/, `${rel} builds a Function from text`);
    // testing.js gets the GC function with vm.runInNewContext('gc'): a constant, never data.
    assert.doesNotMatch(src, /\bvm\.\w+\(\s*(?!['"]gc['"]\s*\))/, `${rel} runs something other than the constant 'gc' through vm`);
  }
});

test('the shipped JS passes nothing through a shell: exec only of constant command lines, no shell: true', () => {
  for (const f of shippedJs()) {
    const src = fs.readFileSync(f, 'utf8');
    const rel = path.relative(REPO, f);
    // The napi loader (index.js) runs the constant `ldd --version` to tell musl from glibc;
    // anything built from data would not be a plain quoted literal.
    if (/child_process/.test(src)) {
      assert.doesNotMatch(
        src,
        /\bexec(Sync)?\s*\(\s*(?!'[^'$`]*'|"[^"$`]*")/,
        `${rel} runs a command line built from data through a shell`,
      );
    }
    assert.doesNotMatch(src, /shell\s*:\s*true/, `${rel} asks for a shell`);
  }
});

test('paths with shell metacharacters are read as plain file names by the CLI', () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'heapwise-sec-'));
  try {
    const marker = path.join(dir, 'pwned');
    const evil = path.join(dir, `$(touch ${marker}); \`touch ${marker}\` | touch ${marker}.heapsnapshot`);
    const r = spawnSync(process.execPath, [path.join(REPO, 'lib', 'cli', 'main.js'), 'analyze', evil], { encoding: 'utf8' });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /ERR_HEAPWISE_IO/);
    assert.ok(!fs.existsSync(marker), 'no shell ran the path');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
