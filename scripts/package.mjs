#!/usr/bin/env node
// Builds heapwise's npm packages: one per platform (its `.node` binary and package.json from
// npm/<platform>/, made by `napi create-npm-dirs`) and the main package `heapwise` (the JS, the
// types, and `optionalDependencies` on every platform package at its own version, as napi-rs'
// `pre-publish` writes them). Tarballs go to dist/, with dist/packages.json describing each.
//
//   npm run package                          this machine's platform (plus the main package)
//   npm run package -- linux-arm64-gnu …     the given platforms (cross-compiled where needed)
//   npm run package -- --all-linux           the four Linux platforms
//   npm run package -- --with-cross          this machine's platform, plus linux-arm64-gnu and
//                                            linux-x64-musl when zig can cross-compile them (else
//                                            one line says they are left out); what npm test runs
//   npm run package -- --prebuilt DIR        take the binaries from DIR (the release workflow's
//                                            artifacts: DIR/**/heapwise.<platform>.node) for
//                                            every platform found there, building none
//
// How each binary is built (from napi.targets in package.json):
//   - Linux: `napi build -x` (cargo-zigbuild with zig, which the napi CLI installs on first use;
//     zig itself from PyPI: `pip install ziglang`, or a `zig` on PATH). glibc targets are linked
//     against glibc 2.17 (`x86_64-unknown-linux-gnu.2.17`), so they load on any glibc >= 2.17;
//     musl targets are static against musl. The floor is read back with `objdump -T` and checked.
//     Without zig, this machine's own platform is still built, natively, with a warning: its
//     binary then needs this machine's glibc (dist/packages.json records the floor it reached).
//   - macOS and Windows: a native `napi build` on that OS (the release workflow's runners). From
//     Linux, the macOS ones can also be cross-linked with zig (built, not run); Windows (MSVC)
//     cannot: cargo-xwin downloads Microsoft's CRT and SDK, which are not on the registries.
// The generated loader and types of every build must equal the committed binding.js and
// binding.d.ts, so that the JS in the tarball and the binary agree.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { platformKey, hostPlatform } = require('../lib/platform.js');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const DIST = path.join(ROOT, 'dist');
const WORK = path.join(ROOT, 'target', 'package');
/** The oldest glibc the Linux gnu binaries are linked against. */
export const GLIBC_FLOOR = '2.17';

const log = (msg) => process.stderr.write(`[package] ${msg}\n`);

/** Every platform of package.json's napi.targets: `{ triple, key, name, binary }`. */
export const TARGETS = PKG.napi.targets.map((triple) => {
  const key = platformKey(triple);
  return { triple, key, name: `${PKG.name}-${key}`, binary: `${PKG.napi.binaryName}.${key}.node` };
});

function run(file, args, opts = {}) {
  const r = spawnSync(file, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.status}`);
}

/** `zig` is available, on PATH or as PyPI's `ziglang` (which cargo-zigbuild also finds). */
function haveZig() {
  for (const [file, args] of [
    ['zig', ['version']],
    ['python3', ['-m', 'ziglang', 'version']],
  ]) {
    if (spawnSync(file, args, { stdio: 'ignore' }).status === 0) return true;
  }
  return false;
}

/**
 * The newest `GLIBC_x.y` symbol version a binary needs (`objdump -T`), or null when it needs none
 * (musl) or objdump is missing (`undefined`).
 * @returns {string | null | undefined}
 */
export function glibcFloor(file) {
  let out;
  try {
    out = execFileSync('objdump', ['-T', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch {
    return undefined;
  }
  const versions = [...out.matchAll(/GLIBC_(\d+)\.(\d+)(?:\.(\d+))?/g)].map((m) => [+m[1], +m[2], +(m[3] || 0)]);
  if (!versions.length) return null;
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const v = versions[versions.length - 1];
  return v[2] ? v.join('.') : `${v[0]}.${v[1]}`;
}

const older = (a, b) => {
  const [x, y] = [a, b].map((s) => s.split('.').map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] || 0) !== (y[i] || 0)) return (x[i] || 0) < (y[i] || 0);
  return false;
};

/** Builds the binary of `t` into WORK/build/<key>/ and returns its path. */
function build(t) {
  const out = path.join(WORK, 'build', t.key);
  fs.rmSync(out, { recursive: true, force: true });
  const args = ['napi', 'build', '--platform', '--release', '--output-dir', out, '--js', 'binding.js', '--dts', 'binding.d.ts'];
  const linux = t.key.startsWith('linux-');
  let zig = false;
  if (linux && haveZig()) {
    zig = true;
    args.push('-x', '--target', t.triple.endsWith('-gnu') ? `${t.triple}.${GLIBC_FLOOR}` : t.triple);
  } else if (linux && t.key === hostPlatform()) {
    log(`warning: no zig (\`pip install ziglang\`): ${t.key} is built natively, against this machine's glibc, not ${GLIBC_FLOOR}`);
    args.push('--target', t.triple);
  } else if (linux) {
    throw new Error(`cross-compiling ${t.key} needs zig: \`pip install ziglang\` or put zig on PATH`);
  } else if (t.key === hostPlatform()) {
    args.push('--target', t.triple);
  } else if (t.key.startsWith('darwin-') && process.platform !== 'darwin' && haveZig()) {
    // zig links Mach-O against its own libSystem stubs (and signs arm64 ad hoc); the release
    // workflow still builds these on macOS runners, where they can also be run.
    log(`${t.key}: cross-linked with zig, not run here`);
    args.push('-x', '--target', t.triple);
  } else {
    throw new Error(`${t.key} is built on its own OS (see .github/workflows/release.yml)`);
  }
  log(`building ${t.key}: npx ${args.join(' ')}`);
  run('npx', args, { shell: process.platform === 'win32' });
  for (const f of ['binding.js', 'binding.d.ts']) {
    if (fs.readFileSync(path.join(out, f), 'utf8') !== fs.readFileSync(path.join(ROOT, f), 'utf8')) {
      throw new Error(`the build's ${f} differs from the committed one: rebuild (npm run build) and commit it`);
    }
  }
  return { file: path.join(out, t.binary), zig };
}

/** Finds `name` under `dir` (any depth), or null. */
function findFile(dir, name) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const hit = findFile(p, name);
      if (hit) return hit;
    } else if (e.name === name) return p;
  }
  return null;
}

/** `npm pack` of the folder `dir` into dist/; returns the tarball's file name. */
function pack(dir) {
  const out = execFileSync('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', DIST], {
    cwd: dir,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  return JSON.parse(out)[0].filename;
}

/**
 * Stages and packs the platform package of `t` with `binary`; `pinned`: the binary was linked
 * against GLIBC_FLOOR (zig, or the release workflow's artifacts), so a newer need is an error.
 */
function packPlatform(t, binary, pinned) {
  const stage = path.join(WORK, 'npm', t.key);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const f of ['package.json', 'README.md']) fs.copyFileSync(path.join(ROOT, 'npm', t.key, f), path.join(stage, f));
  const pj = JSON.parse(fs.readFileSync(path.join(stage, 'package.json'), 'utf8'));
  if (pj.version !== PKG.version)
    throw new Error(`npm/${t.key}/package.json is at ${pj.version}, heapwise at ${PKG.version}: run npx napi version`);
  fs.copyFileSync(binary, path.join(stage, t.binary));
  fs.copyFileSync(path.join(ROOT, 'LICENSE'), path.join(stage, 'LICENSE'));
  const floor = t.key.endsWith('-gnu') ? glibcFloor(binary) : null;
  if (floor && older(GLIBC_FLOOR, floor)) {
    if (pinned) throw new Error(`${t.binary} needs GLIBC_${floor}, above the floor ${GLIBC_FLOOR}`);
    log(`warning: ${t.binary} needs GLIBC_${floor} (built without zig)`);
  }
  return { package: t.name, platform: t.key, tarball: pack(stage), binaryBytes: fs.statSync(binary).size, glibc: floor };
}

/** Stages and packs the main package, with `optionalDependencies` on every platform package. */
function packMain() {
  const stage = path.join(WORK, 'heapwise');
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  for (const f of [...PKG.files, 'README.md', 'LICENSE']) {
    fs.cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true, filter: (src) => !src.endsWith('.node') });
  }
  const pj = { ...PKG, optionalDependencies: Object.fromEntries(TARGETS.map((t) => [t.name, PKG.version])) };
  // What only a clone needs: the dev tools and the scripts that build and test.
  delete pj.devDependencies;
  delete pj.scripts;
  fs.writeFileSync(path.join(stage, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
  return { package: PKG.name, platform: null, tarball: pack(stage) };
}

function main(argv) {
  let prebuilt = null;
  const wanted = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--prebuilt') prebuilt = path.resolve(argv[++i] || '.');
    else if (argv[i] === '--all-linux') wanted.push(...TARGETS.filter((t) => t.key.startsWith('linux-')).map((t) => t.key));
    else if (argv[i] === '--with-cross') {
      wanted.push(hostPlatform());
      if (process.platform !== 'linux') log('--with-cross: cross-compiling is set up for Linux hosts only');
      else if (!haveZig()) log('--with-cross: no zig (`pip install ziglang`), so linux-arm64-gnu and linux-x64-musl are left out');
      else wanted.push(...['linux-arm64-gnu', 'linux-x64-musl'].filter((k) => k !== hostPlatform()));
    } else if (argv[i] === '-h' || argv[i] === '--help') {
      process.stdout.write(
        fs
          .readFileSync(fileURLToPath(import.meta.url), 'utf8')
          .split('\n')
          .slice(1, 16)
          .join('\n') + '\n',
      );
      return;
    } else wanted.push(argv[i]);
  }
  if (!wanted.length && !prebuilt) wanted.push(hostPlatform());
  const unknown = wanted.filter((k) => !TARGETS.some((t) => t.key === k));
  if (unknown.length) throw new Error(`unknown platform ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.key).join(', ')}`);
  fs.rmSync(DIST, { recursive: true, force: true });
  fs.mkdirSync(DIST, { recursive: true });
  const made = [];
  for (const t of TARGETS) {
    if (prebuilt) {
      const binary = findFile(prebuilt, t.binary);
      if (binary) made.push(packPlatform(t, binary, true));
    } else if (wanted.includes(t.key)) {
      const { file, zig } = build(t);
      made.push(packPlatform(t, file, zig));
    }
  }
  if (!made.length) throw new Error(`no binary found in ${prebuilt}`);
  made.push(packMain());
  fs.writeFileSync(path.join(DIST, 'packages.json'), JSON.stringify(made, null, 2) + '\n');
  for (const m of made) {
    const size = fs.statSync(path.join(DIST, m.tarball)).size;
    const glibc = m.glibc ? `, glibc >= ${m.glibc}` : '';
    log(
      `dist/${m.tarball}: ${(size / 1e6).toFixed(2)} MB${m.binaryBytes ? ` (binary ${(m.binaryBytes / 1e6).toFixed(2)} MB${glibc})` : ''}`,
    );
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`[package] error: ${e.message}\n`);
    process.exit(1);
  }
}
