'use strict';
// The npm packaging (issue 13): the platform packages in npm/ and the release workflow's matrix
// match package.json's napi.targets; loading without a binary names the package it expected; and
// the tarballs of `npm run package` (dist/, which scripts/test.sh makes before the JS tests)
// install into a fresh project and work on Node 18, 20, 22 and 24 with no Rust on PATH, and the
// linux-arm64-gnu binary cross-compiled here runs the CLI under qemu with an arm64 Node.
//
// Outside CI, the install checks skip with one line when dist/ is missing (run `npm run package`)
// and the arm64 check when qemu or the arm64 package is missing. Under CI=true they must run
// unless HEAPWISE_NO_CROSS says why they cannot (.ci/run sets it when zig or qemu cannot be
// installed).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const YAML = require('yaml');
const { PLATFORMS, platformKey, hostPlatform } = require('../lib/platform.js');

const ROOT = path.join(__dirname, '..');
const pkg = require('../package.json');
const DIST = path.join(ROOT, 'dist');
const CI = process.env.CI === 'true' || process.env.CI === '1';

test('platformKey names each Rust target as napi-rs names its package', () => {
  assert.strictEqual(platformKey('x86_64-unknown-linux-gnu'), 'linux-x64-gnu');
  assert.strictEqual(platformKey('aarch64-unknown-linux-musl'), 'linux-arm64-musl');
  assert.strictEqual(platformKey('x86_64-apple-darwin'), 'darwin-x64');
  assert.strictEqual(platformKey('aarch64-apple-darwin'), 'darwin-arm64');
  assert.strictEqual(platformKey('x86_64-pc-windows-msvc'), 'win32-x64-msvc');
  assert.throws(() => platformKey('riscv64gc-unknown-linux-gnu'), /unknown target/);
});

test('npm/ holds exactly one package per napi target, each at the main version with its os/cpu/libc and binary', () => {
  const dirs = fs.readdirSync(path.join(ROOT, 'npm')).sort();
  assert.deepStrictEqual(dirs, [...PLATFORMS].sort());
  for (const key of PLATFORMS) {
    const p = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', key, 'package.json'), 'utf8'));
    const [platform, arch, abi] = key.split('-');
    assert.strictEqual(p.name, `${pkg.name}-${key}`);
    assert.strictEqual(p.version, pkg.version, `${key} version`);
    assert.deepStrictEqual(p.os, [platform]);
    assert.deepStrictEqual(p.cpu, [arch]);
    if (platform === 'linux') assert.deepStrictEqual(p.libc, [abi === 'gnu' ? 'glibc' : 'musl']);
    else assert.strictEqual(p.libc, undefined);
    assert.strictEqual(p.main, `${pkg.napi.binaryName}.${key}.node`);
    assert.deepStrictEqual(p.files, [p.main]);
    assert.deepStrictEqual(p.engines, pkg.engines);
    assert.deepStrictEqual(p.repository, pkg.repository, 'npm provenance needs the repository');
  }
  // The seven platforms the issue names.
  for (const key of [
    'linux-x64-gnu',
    'linux-x64-musl',
    'linux-arm64-gnu',
    'linux-arm64-musl',
    'darwin-x64',
    'darwin-arm64',
    'win32-x64-msvc',
  ]) {
    assert.ok(PLATFORMS.includes(key), key);
  }
});

test('the release workflow builds every napi target on a runner of its own kind and publishes with provenance', () => {
  const wf = YAML.parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8'));
  const settings = wf.jobs.build.strategy.matrix.settings;
  assert.deepStrictEqual(settings.map((s) => s.target).sort(), [...pkg.napi.targets].sort());
  for (const s of settings) {
    assert.strictEqual(s.platform, platformKey(s.target), `${s.target}'s platform`);
    const kinds = { ubuntu: 'linux', macos: 'darwin', windows: 'win32' };
    const runnerOs = Object.entries(kinds).find(([prefix]) => s.host.startsWith(prefix))?.[1];
    assert.strictEqual(runnerOs, s.platform.split('-')[0], `${s.target} builds on ${s.host}`);
    if (s.platform.startsWith('linux-arm64')) assert.match(s.host, /arm/, `${s.target} on an arm64 runner`);
  }
  assert.deepStrictEqual(wf.on.push.tags, ['v*']);
  assert.strictEqual(wf.jobs.publish.permissions['id-token'], 'write');
  const publish = wf.jobs.publish.steps.map((s) => s.run || '').join('\n');
  assert.match(publish, /npm publish "dist\/\$t" --provenance --access public/);
  assert.match(publish, /scripts\/package\.mjs --prebuilt artifacts/);
  assert.deepStrictEqual(wf.jobs.install.strategy.matrix.node, [18, 20, 22, 24]);
});

test('without a binary, loading heapwise names the platform package it expected and how to build from source', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-nobinary-'));
  try {
    for (const entry of ['package.json', ...pkg.files]) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, filter: (src) => !src.endsWith('.node') });
    }
    const probe = `try { require(${JSON.stringify(dir)}); console.log('loaded') } catch (e) { console.log(JSON.stringify({ code: e.code, name: e.name, message: e.message, expectedPackage: e.expectedPackage, platform: e.platform })) }`;
    const env = { ...process.env };
    delete env.NAPI_RS_NATIVE_LIBRARY_PATH;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8', env, cwd: dir }));
    assert.strictEqual(out.code, 'ERR_HEAPWISE_NO_BINARY');
    assert.strictEqual(out.name, 'HeapwiseError');
    assert.strictEqual(out.platform, hostPlatform());
    assert.strictEqual(out.expectedPackage, `heapwise-${hostPlatform()}`);
    assert.ok(out.message.includes(`heapwise-${hostPlatform()}@${pkg.version}`), out.message);
    assert.match(out.message, /build from source/);
    assert.match(out.message, /npm install && npm run build/);
    assert.doesNotMatch(out.message, /wasm|wasi/i, 'no WASI package is published: the error must not send users to one');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Why the install checks cannot run, or null. */
function distMissing() {
  if (fs.existsSync(path.join(DIST, 'packages.json'))) return null;
  const reason = 'dist/ has no packages (run `npm run package`; scripts/test.sh does)';
  if (CI) throw new Error(`packaging tests cannot run under CI: ${reason}`);
  return reason;
}

const made = () => JSON.parse(fs.readFileSync(path.join(DIST, 'packages.json'), 'utf8'));

/** Runs scripts/install-check.mjs with `args`; its lines are the test's diagnostics. */
function installCheck(t, args) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'install-check.mjs'), DIST, ...args], {
    encoding: 'utf8',
    timeout: 15 * 60 * 1000,
  });
  for (const line of r.stdout.split('\n').filter(Boolean)) t.diagnostic(line);
  assert.strictEqual(r.status, 0, `install-check failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const missing = distMissing();
if (missing) console.log(`# packaging: install checks SKIPPED: ${missing}`);

test(
  'the packed main package ships the JS, types, README and LICENSE, and depends on every platform package at its version',
  { skip: missing || false },
  () => {
    const main = made().find((m) => !m.platform);
    const listing = execFileSync('tar', ['-tzf', path.join(DIST, main.tarball)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    for (const f of [
      'package/index.js',
      'package/index.d.ts',
      'package/binding.js',
      'package/binding.d.ts',
      'package/lib/cli/main.js',
      'package/lib/testing/index.d.ts',
      'package/README.md',
      'package/LICENSE',
    ]) {
      assert.ok(listing.includes(f), `${f} in ${main.tarball}`);
    }
    assert.ok(
      !listing.some((f) => f.endsWith('.node') || f.includes('__test__') || f.includes('/crates/') || f.includes('/src/')),
      listing.join(' '),
    );
    const packed = JSON.parse(execFileSync('tar', ['-xzOf', path.join(DIST, main.tarball), 'package/package.json'], { encoding: 'utf8' }));
    assert.deepStrictEqual(packed.optionalDependencies, Object.fromEntries(PLATFORMS.map((k) => [`heapwise-${k}`, pkg.version])));
    assert.strictEqual(packed.devDependencies, undefined);
    assert.strictEqual(packed.scripts, undefined, 'no lifecycle scripts run at install');
    assert.deepStrictEqual(packed.exports, pkg.exports);
    for (const m of made().filter((x) => x.platform && x.platform.endsWith('-gnu'))) {
      if (m.glibc)
        assert.ok(m.glibc.split('.').map(Number)[1] <= 17 || m.platform === hostPlatform(), `${m.package} needs glibc ${m.glibc}`);
    }
  },
);

test(
  'installed from the tarballs, heapwise works on Node 18, 20, 22 and 24 without Rust: require, import, testing, npx, CLI, types',
  { skip: missing || false, timeout: 20 * 60 * 1000 },
  async (t) => {
    const { ensureNode } = await import('../tools/node-versions/install.mjs');
    const others = [18, 22, 24].map((m) => ensureNode(m).bin).filter((b) => b !== process.execPath);
    const out = installCheck(
      t,
      others.flatMap((b) => ['--node', b]),
    );
    for (const v of ['v18.', 'v20.', 'v22.', 'v24.']) assert.ok(out.includes(`] ${v}`), `checked on ${v}`);
    assert.match(out, /types resolve under moduleResolution node16/);
    assert.match(out, /types resolve under moduleResolution bundler/);
    assert.match(out, /npx heapwise --version/);
  },
);

/** Why the arm64 binary cannot be run here, or null. */
function noArm64() {
  if (missing) return missing;
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the arm64 check runs on linux-x64';
  let reason = null;
  if (!made().some((m) => m.platform === 'linux-arm64-gnu')) reason = 'dist/ has no linux-arm64-gnu package (zig missing?)';
  else if (spawnSync('qemu-aarch64', ['--version']).status !== 0) reason = "no qemu-aarch64 (Debian's qemu-user)";
  else if (!fs.existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1'))
    reason = 'no arm64 C library (Debian: libc6-arm64-cross libstdc++6-arm64-cross)';
  if (!reason) return null;
  if (process.env.HEAPWISE_NO_CROSS) return `${reason}; ${process.env.HEAPWISE_NO_CROSS}`;
  if (CI)
    throw new Error(`the arm64 check cannot run under CI: ${reason} (.ci/run installs zig and qemu; set HEAPWISE_NO_CROSS when it cannot)`);
  return reason;
}

const arm64Missing = noArm64();
if (arm64Missing && !missing) console.log(`# packaging: arm64 check SKIPPED: ${arm64Missing}`);

test(
  'the linux-arm64-gnu binary cross-compiled here runs the CLI under qemu with the arm64 Node from npm',
  { skip: arm64Missing || false, timeout: 20 * 60 * 1000 },
  async (t) => {
    const { ensureNode } = await import('../tools/node-versions/install.mjs');
    const emulator = ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'];
    const node = ensureNode(20, { arch: 'arm64', emulator }).bin;
    const out = installCheck(t, ['--platform', 'linux-arm64-gnu', '--emulator', emulator.join(' '), '--node', node]);
    assert.match(out, /installed heapwise, heapwise-linux-arm64-gnu/);
    assert.match(out, /v20\.\d+\.\d+: heapwise --version .* and heapwise analyze FILE/);
  },
);
