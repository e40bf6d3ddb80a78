#!/usr/bin/env node
// Checks that the zoo's leaks leak and its controls do not, without heapwise: each program runs
// in a child with --expose-gc; after 100 warm-up steps, heapUsed + arrayBuffers (after a full gc)
// is measured before and after three windows of CALLS steps. Prints the bytes per call of each
// window.
//
//   node tools/zoo/growth.mjs [NAME...] [--calls 300]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { programs } = require('../../__test__/zoo/manifest.js');

const CHILD = `
const program = require(process.argv[1]);
const calls = Number(process.argv[2]);
const used = () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
(async () => {
  if (program.setup) await program.setup();
  for (let i = 0; i < 100; i++) await program.step();
  const h = [used()];
  for (let w = 0; w < 3; w++) {
    for (let i = 0; i < calls; i++) await program.step();
    h.push(used());
  }
  if (program.teardown) await program.teardown();
  console.log(JSON.stringify(h));
})();
`;

const args = process.argv.slice(2);
const i = args.indexOf('--calls');
const calls = i >= 0 ? Number(args.splice(i, 2)[1]) : 300;
const names = new Set(args);
for (const p of programs) {
  if (names.size && !names.has(p.name)) continue;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', CHILD, p.file, String(calls)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    console.log(`${p.name.padEnd(20)} FAILED ${r.signal || r.status}\n${r.stderr}`);
    continue;
  }
  const h = JSON.parse(r.stdout.trim().split('\n').pop());
  const perCall = [1, 2, 3].map((w) => Math.round((h[w] - h[w - 1]) / calls));
  // Single windows are noisy (hash tables and arrays double, code is compiled): judge the mean.
  const mean = Math.round((h[3] - h[0]) / (3 * calls));
  const verdict = p.leaks
    ? mean > 200
      ? 'leaks, as expected'
      : 'EXPECTED A LEAK'
    : Math.abs(mean) < 60
      ? 'flat, as expected'
      : 'EXPECTED FLAT';
  console.log(
    `${p.name.padEnd(20)} ${perCall.map((b) => String(b).padStart(6)).join(' ')} B/call  mean ${String(mean).padStart(5)}  ${verdict}`,
  );
}
