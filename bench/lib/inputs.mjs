// The benchmark's input snapshots, generated into .cache/bench/ (or .cache/bench/quick/) when
// missing or when their generator, its scale or the Node version changed (a stamp file next to
// each snapshot records them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { REPO, BENCH_CACHE, log } from './util.mjs';

const GEN = path.join(REPO, 'bench', 'gen');
const SYNTH = path.join(REPO, 'tools', 'synth', 'write.mjs');

// name -> generator (a script under bench/gen, or tools/synth/write.mjs), its arguments and the
// files it writes
function specs(quick) {
  const dir = quick ? path.join(BENCH_CACHE, 'quick') : BENCH_CACHE;
  const bigScale = quick ? 0.05 : 1,
    appScale = quick ? 0.1 : 1,
    // about 1.13 GB on Node 20: the "≥ 1 GB app-like file" of the targets
    largeScale = quick ? 0.5 : 24;
  const f = (name) => path.join(dir, `${name}.heapsnapshot`);
  const synth = (name, size) => ({ script: SYNTH, scale: size, files: [f(name)], args: [f(name), '--size', size, '--quiet'] });
  return {
    big: { script: path.join(GEN, 'big.cjs'), scale: bigScale, files: [f('big')], args: [f('big')] },
    app: { script: path.join(GEN, 'app.cjs'), scale: appScale, files: [f('app')], args: [f('app')] },
    large: { script: path.join(GEN, 'app.cjs'), scale: largeScale, files: [f('large')], args: [f('large')] },
    pair: {
      script: path.join(GEN, 'big.cjs'),
      scale: bigScale,
      files: [f('pair-before'), f('pair-after')],
      args: ['--pair', f('pair-before'), f('pair-after')],
    },
    synth2: synth('synth-2GB', quick ? '20MB' : '2GB'),
    synth8: synth('synth-8GB', quick ? '80MB' : '8GB'),
    synth16: synth('synth-16GB', quick ? '160MB' : '16GB'),
  };
}

function stampOf(spec) {
  const src = fs.readFileSync(spec.script);
  return JSON.stringify({
    gen: path.basename(spec.script),
    sha1: crypto.createHash('sha1').update(src).digest('hex'),
    args: spec.args.map((a) => path.basename(a)),
    scale: spec.scale,
    // the synthetic writer does not depend on the Node version; the others record what Node wrote
    node: spec.script === SYNTH ? null : process.version,
  });
}

/**
 * Makes sure the named inputs exist; returns {name: {files: [{path, bytes}], generated_s}}.
 * `names` is a subset of specs()' names.
 */
export function ensureInputs(names, { quick }) {
  const all = specs(quick);
  const out = {};
  for (const name of names) {
    const spec = all[name];
    const stampFile = `${spec.files[0]}.stamp.json`;
    const want = stampOf(spec);
    let have = null;
    try {
      have = fs.readFileSync(stampFile, 'utf8');
    } catch {}
    let generated_s = null;
    if (have !== want || !spec.files.every((f) => fs.existsSync(f))) {
      fs.mkdirSync(path.dirname(spec.files[0]), { recursive: true });
      const scale = spec.script === SYNTH ? [] : ['--scale', String(spec.scale)];
      // the app-like generator at 1 GB holds its state on the V8 heap
      const argv = ['--max-old-space-size=8192', spec.script, ...spec.args, ...scale];
      log(`generating ${name}: node ${argv.map((a) => (path.isAbsolute(a) ? path.relative(REPO, a) : a)).join(' ')}`);
      const t0 = Date.now();
      execFileSync(process.execPath, argv, {
        cwd: REPO,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      generated_s = (Date.now() - t0) / 1000;
      fs.writeFileSync(stampFile, want);
    }
    out[name] = {
      files: spec.files.map((p) => ({ path: p, bytes: fs.statSync(p).size })),
      generator: path.relative(REPO, spec.script),
      scale: spec.scale,
      generated_s,
    };
  }
  return out;
}

/** Reads a file once so that every tool then finds it in the page cache. */
export function warm(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}
