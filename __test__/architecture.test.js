'use strict';
// The layering rules of ARCHITECTURE.md that code can check: no require() cycle among the
// package's shipped JS files, only the entry loads the generated binding, `heapwise --help` and
// `--version` work without any native addon, and the README's error table lists exactly the
// codes the addon defines (errorCodes()).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const pkg = require('../package.json');

/** The package's entry points: main, every `exports` target, the bin. */
function entryPoints() {
  const out = new Set([pkg.main]);
  for (const v of Object.values(pkg.exports)) {
    if (typeof v === 'string') continue; // ./package.json
    out.add(v.default);
  }
  for (const v of Object.values(pkg.bin)) out.add(v);
  return [...out].map((p) => path.resolve(ROOT, p));
}

/**
 * The package files a module requires (relative specifiers, resolved; `heapwise`/`heapwise/...`
 * self-references too). A template literal such as `./${command}.js` stands for every file of
 * its folder that it matches.
 */
function requiresOf(file) {
  const src = fs.readFileSync(file, 'utf8');
  const out = [];
  for (const m of src.matchAll(/\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/g)) {
    let spec = m[2];
    if (spec === 'heapwise' || spec.startsWith('heapwise/')) {
      const key = spec === 'heapwise' ? '.' : '.' + spec.slice('heapwise'.length);
      spec = path.relative(path.dirname(file), path.resolve(ROOT, pkg.exports[key].default));
      if (!spec.startsWith('.')) spec = './' + spec;
    }
    if (!spec.startsWith('.') || spec.endsWith('.node') || spec.endsWith('.json')) continue;
    if (spec.includes('${')) {
      const dir = path.resolve(path.dirname(file), path.dirname(spec));
      const re = new RegExp(
        '^' +
          path
            .basename(spec)
            .replace(/\$\{[^}]*\}/g, '.*')
            .replace(/\./g, '\\.')
            .replace(/\\\.\*/g, '.*') +
          '$',
      );
      // (over-approximated: any file of the folder it matches, but not the module itself)
      for (const f of fs.readdirSync(dir)) if (re.test(f) && path.join(dir, f) !== file) out.push(path.join(dir, f));
      continue;
    }
    out.push(require.resolve(path.resolve(path.dirname(file), spec)));
  }
  return out.filter((f) => f.endsWith('.js'));
}

test('no require() cycle among the shipped JS files, walked from the entry points', () => {
  const binding = path.join(ROOT, 'binding.js');
  const graph = new Map();
  const todo = entryPoints();
  while (todo.length) {
    const f = todo.pop();
    if (graph.has(f)) continue;
    // The generated loader requires only the platform's .node file or package.
    const deps = f === binding ? [] : requiresOf(f);
    graph.set(f, deps);
    todo.push(...deps);
  }
  assert.ok(graph.size > 10, `walked ${graph.size} files`);
  const state = new Map(); // 1 = on the stack, 2 = done
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f)) {
      if (state.get(d) === 1) {
        const cycle = [...stack.slice(stack.indexOf(d)), d].map((x) => path.relative(ROOT, x));
        assert.fail(`require cycle: ${cycle.join(' -> ')}`);
      }
      if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);

  // Only the entry loads the generated binding: everything else goes through the API.
  const loaders = [...graph].filter(([, deps]) => deps.includes(binding)).map(([f]) => path.relative(ROOT, f));
  assert.deepStrictEqual(loaders, ['index.js']);
  // Every shipped JS file is covered by `files`.
  for (const f of graph.keys()) {
    const rel = path.relative(ROOT, f);
    assert.ok(
      pkg.files.some((e) => rel === e || rel.startsWith(e + '/')),
      `${rel} is shipped`,
    );
  }
});

test('heapwise --help, CMD --help and --version work in a copy of the package without any .node file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-nonative-'));
  try {
    for (const entry of ['package.json', ...pkg.files]) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, filter: (src) => !src.endsWith('.node') });
    }
    const bin = path.join(dir, pkg.bin.heapwise);
    const run = (...args) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
    // The copy really has no addon: loading the API fails there.
    const api = spawnSync(process.execPath, ['-e', 'require(".")'], { cwd: dir, encoding: 'utf8' });
    assert.notStrictEqual(api.status, 0, 'the API cannot load without the addon');
    const help = run('--help');
    assert.strictEqual(help.status, 0, help.stderr);
    for (const cmd of ['analyze', 'diff', 'watch']) assert.match(help.stdout, new RegExp(`heapwise ${cmd} `));
    const version = run('--version');
    assert.strictEqual(version.status, 0, version.stderr);
    assert.strictEqual(version.stdout.trim(), pkg.version);
    for (const cmd of ['analyze', 'diff', 'watch']) {
      const r = run(cmd, '--help');
      assert.strictEqual(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: heapwise ${cmd} `));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("each command's help names every flag the parser gives it, and no other command's", () => {
  const { COMMANDS, FLAGS, commandHelp } = require('../lib/cli/args.js');
  for (const [cmd, spec] of Object.entries(COMMANDS)) {
    const help = commandHelp(cmd);
    for (const name of spec.flags.filter((f) => f !== 'help')) {
      assert.ok(help.includes(`--${name}`), `${cmd} --help mentions --${name}`);
      if (FLAGS[name].short) assert.ok(help.includes(`-${FLAGS[name].short}`), `${cmd} --help mentions -${FLAGS[name].short}`);
    }
    for (const m of help.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)) {
      // flags of node and V8 quoted in the text are not the command's own
      if (['heapsnapshot-signal', 'heapsnapshot-near-heap-limit', 'trace-gc', 'trace-gc-nvp'].includes(m[1])) continue;
      assert.ok(spec.flags.includes(m[1]), `${cmd} --help names --${m[1]}, which ${cmd} does not take`);
    }
  }
});

test("the README's error table lists exactly the addon's error codes, in its order", () => {
  const { errorCodes } = require('heapwise');
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Errors'), readme.indexOf('\n### ', readme.indexOf('### Errors') + 1));
  const documented = [...section.matchAll(/^\| `(ERR_HEAPWISE_[A-Z_]+)` \|/gm)].map((m) => m[1]);
  const defined = errorCodes().map((c) => c.code);
  assert.ok(defined.length >= 10, `${defined.length} codes`);
  assert.deepStrictEqual(documented, defined);
  for (const c of errorCodes()) assert.ok(c.meaning && typeof c.meaning === 'string', `${c.code} has a meaning`);
});
