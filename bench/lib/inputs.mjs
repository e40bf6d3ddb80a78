// The benchmark's input snapshots, generated into .cache/bench/ (or .cache/bench/quick/) when
// missing or when their generator, its scale or the Node version changed (a stamp file next to
// each snapshot records them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { REPO, BENCH_CACHE, log } from './util.mjs';

const GEN = path.join(REPO, 'bench', 'gen');

// name -> generator, its arguments and the files it writes
function specs(quick) {
  const dir = quick ? path.join(BENCH_CACHE, 'quick') : BENCH_CACHE;
  const bigScale = quick ? 0.05 : 1,
    appScale = quick ? 0.1 : 1;
  const f = (name) => path.join(dir, `${name}.heapsnapshot`);
  return {
    big: { gen: 'big.cjs', scale: bigScale, files: [f('big')], args: [f('big')] },
    app: { gen: 'app.cjs', scale: appScale, files: [f('app')], args: [f('app')] },
    pair: {
      gen: 'big.cjs',
      scale: bigScale,
      files: [f('pair-before'), f('pair-after')],
      args: ['--pair', f('pair-before'), f('pair-after')],
    },
  };
}

function stampOf(spec) {
  const src = fs.readFileSync(path.join(GEN, spec.gen));
  return JSON.stringify({
    gen: spec.gen,
    sha1: crypto.createHash('sha1').update(src).digest('hex'),
    args: spec.args.map((a) => path.basename(a)),
    scale: spec.scale,
    node: process.version,
  });
}

/**
 * Makes sure the named inputs exist; returns {name: {files: [{path, bytes}], generated_s}}.
 * `names` is a subset of big, app, pair.
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
      log(`generating ${name}: node bench/gen/${spec.gen} ${spec.args.map((a) => path.relative(REPO, a)).join(' ')} --scale ${spec.scale}`);
      const t0 = Date.now();
      execFileSync(process.execPath, [path.join(GEN, spec.gen), ...spec.args, '--scale', String(spec.scale)], {
        cwd: REPO,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      generated_s = (Date.now() - t0) / 1000;
      fs.writeFileSync(stampFile, want);
    }
    out[name] = {
      files: spec.files.map((p) => ({ path: p, bytes: fs.statSync(p).size })),
      generator: `bench/gen/${spec.gen}`,
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
