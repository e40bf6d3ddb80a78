// Paths and small helpers shared by the benchmark modules.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = path.join(REPO, '.cache');
export const BENCH_CACHE = path.join(CACHE, 'bench');

export const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/** Median, min and max of the finite numbers in `xs` (null when there are none). */
export function stats(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}
