// What the benchmark needs besides heapwise's sources, installed on demand and idempotently into
// <repo>/.cache/ (gitignored):
//
//   .cache/memlab/      memlab and its @memlab/* packages (npm install --ignore-scripts, with
//                       PUPPETEER_SKIP_DOWNLOAD=1: memlab depends on puppeteer, whose postinstall
//                       would download Chrome, which heap analysis does not need)
//   .cache/devtools/    Chrome DevTools' heap snapshot worker code, by tools/devtools/install.mjs
//   heapwise.<platform>.node, the addon, built with the napi CLI when missing
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureDevTools, DEVTOOLS_VERSION } from '../../tools/devtools/install.mjs';
import { npmCommand } from '../../tools/lib/install.mjs';
import { REPO, CACHE, log } from './util.mjs';

export const MEMLAB_VERSION = process.env.MEMLAB_VERSION || '2.0.5';
export const MEMLAB_DIR = path.resolve(process.env.HEAPWISE_MEMLAB_DIR || path.join(CACHE, 'memlab'));
const MEMLAB_PACKAGES = ['memlab', '@memlab/core', '@memlab/api', '@memlab/heap-analysis'];

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function memlabInstalled() {
  return MEMLAB_PACKAGES.every((p) => {
    const pj = readJson(path.join(MEMLAB_DIR, 'node_modules', p, 'package.json'));
    return pj && pj.version === MEMLAB_VERSION;
  });
}

/** Installs memlab into .cache/memlab when missing; returns the directory. */
export function ensureMemlab() {
  if (memlabInstalled()) return MEMLAB_DIR;
  fs.mkdirSync(MEMLAB_DIR, { recursive: true });
  const own = path.join(MEMLAB_DIR, 'package.json');
  if (!fs.existsSync(own)) {
    // its own package.json, so that npm does not walk up to the repository's
    fs.writeFileSync(own, JSON.stringify({ name: 'heapwise-bench-memlab', private: true, version: '0.0.0' }, null, 2) + '\n');
  }
  const t0 = Date.now();
  log(`installing memlab ${MEMLAB_VERSION} into ${path.relative(REPO, MEMLAB_DIR)} (npm install --ignore-scripts)`);
  const { file, pre } = npmCommand();
  execFileSync(
    file,
    [
      ...pre,
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...MEMLAB_PACKAGES.map((p) => `${p}@${MEMLAB_VERSION}`),
    ],
    { cwd: MEMLAB_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } },
  );
  if (!memlabInstalled()) throw new Error(`memlab ${MEMLAB_VERSION} is not complete in ${MEMLAB_DIR} after npm install`);
  log(`memlab installed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return MEMLAB_DIR;
}

/** The addon file the generated loader (binding.js) would load on this platform, if it exists. */
export function addonFile() {
  const files = fs.readdirSync(REPO).filter((f) => /^heapwise\..*\.node$/.test(f));
  const want = `heapwise.${process.platform}-${process.arch}`;
  return files.find((f) => f.startsWith(want))
    ? path.join(
        REPO,
        files.find((f) => f.startsWith(want)),
      )
    : null;
}

/** Builds the addon (release) when no .node file for this platform exists, or when `force`. */
export function ensureAddon({ force = false } = {}) {
  const found = addonFile();
  if (found && !force) return found;
  log(`${found ? 'rebuilding' : 'no heapwise addon for this platform: building'} the addon (napi build --platform --release)`);
  // the napi CLI from devDependencies when installed, else through npx
  const napiCli = path.join(REPO, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  const cliVersion = (readJson(path.join(REPO, 'package.json')).devDependencies || {})['@napi-rs/cli'] || 'latest';
  const [file, pre] = fs.existsSync(napiCli)
    ? [process.execPath, [napiCli]]
    : ['npx', ['--yes', '-p', `@napi-rs/cli@${cliVersion}`, 'napi']];
  execFileSync(file, [...pre, 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts'], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = addonFile();
  if (!built) throw new Error('the napi build did not produce heapwise.<platform>.node');
  return built;
}

/** Everything the chosen cases need; returns {memlabDir, devtoolsBundle, addon}. */
export async function ensureTools({ needMemlab, needDevTools, rebuild = false }) {
  const addon = ensureAddon({ force: rebuild });
  const memlabDir = needMemlab ? ensureMemlab() : null;
  const devtoolsBundle = needDevTools ? await ensureDevTools() : null;
  return { addon, memlabDir, devtoolsBundle, versions: { memlab: MEMLAB_VERSION, devtools: DEVTOOLS_VERSION } };
}
