#!/usr/bin/env node
// The "before" report of the leak zoo (issue 12): what `heapwise diff` says today about each
// program of __test__/zoo/programs, with no assertion. For each program it writes a 4-snapshot
// series (series.js: warm-up, then 100 steps between snapshots), runs
// `node cli.js diff 0.heapsnapshot 1.heapsnapshot --format json`, and prints the top 3 growers
// (class, growth, retainer path as edge names, source location) and whether the program's holder
// RegExp (manifest.js) matches an edge or node name on the top grower's path, or the grower itself.
// Needs the addon (npm run build).
//
//   node tools/zoo/report.mjs [NAME...] [--calls 100] [--snapshots 4] [--keep]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { programs } = require('../../__test__/zoo/manifest.js');
const { writeSeries } = require('../../__test__/zoo/series.js');
const CLI = path.join(root, 'cli.js');

const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
}
const callsPerStep = option('--calls', 100);
const snapshots = option('--snapshots', 4);
const keep = args.includes('--keep') && args.splice(args.indexOf('--keep'), 1).length > 0;
const names = new Set(args);

function pathText(retainerPath) {
  return retainerPath.map((s) => s.edge ?? '(root)').join(' → ');
}

function locationText(location) {
  if (!location) return '-';
  const file = location.scriptName ? path.relative(root, location.scriptName) || location.scriptName : `script ${location.scriptId}`;
  return `${file.startsWith('..') ? location.scriptName : file}:${location.line + 1}:${location.column + 1}`;
}

function holderMatch(p, grower) {
  if (!p.holder || !grower) return null;
  // Edge names first (variables, properties), then the names of the objects on the path.
  const names = grower.retainerPath.map((step) => step.edge);
  names.push(...grower.retainerPath.map((step) => step.node && step.node.name), grower.node.name, grower.node.className);
  return names.find((n) => typeof n === 'string' && p.holder.test(n)) ?? null;
}

const summary = [];
for (const p of programs) {
  if (names.size && !names.has(p.name)) continue;
  const series = await writeSeries(p.name, { snapshots, callsPerStep });
  try {
    const r = spawnSync(process.execPath, [CLI, 'diff', series.files[0], series.files[1], '--format', 'json'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0 && r.status !== 1) throw new Error(`heapwise diff failed for ${p.name} (${r.status}): ${r.stderr}`);
    const d = JSON.parse(r.stdout);
    const top = d.growers.slice(0, 3);
    console.log(`\n== ${p.name} (${p.leaks ? 'leak' : 'control'}; holder ${p.holder ?? '-'}; lines ${p.holderLines.join(',') || '-'})`);
    console.log(
      `   total size ${d.sizeDelta >= 0 ? '+' : ''}${d.sizeDelta} B over ${callsPerStep} calls; verdict ${d.verdict.ok ? 'ok' : 'NOT ok'}`,
    );
    top.forEach((g, i) => {
      const loc = g.location;
      const onLine = loc && loc.scriptName === p.file && p.holderLines.includes(loc.line + 1) ? '  [holder line]' : '';
      console.log(`   ${i + 1}. ${g.node.className} "${g.node.name}" +${g.growth} B`);
      console.log(`      path: ${pathText(g.retainerPath)}`);
      console.log(`      at:   ${locationText(loc)}${onLine}`);
    });
    if (top.length === 0) console.log('   (no growers)');
    const match = p.leaks ? holderMatch(p, top[0]) : null;
    if (p.leaks) console.log(`   holder on top grower's path: ${match ? `yes (${JSON.stringify(match)})` : 'NO'}`);
    summary.push({
      name: p.name,
      leaks: p.leaks,
      growers: d.growers.length,
      top: top[0] ? `${top[0].node.className} +${top[0].growth}` : '-',
      match,
    });
  } finally {
    if (keep) console.log(`   (kept ${series.dir})`);
    else series.cleanup();
  }
}

console.log('\n== summary');
for (const s of summary) {
  const found = s.leaks ? (s.match ? 'holder found' : 'holder MISSED') : `control: ${s.growers} growers listed`;
  console.log(`   ${s.name.padEnd(20)} ${s.top.padEnd(22)} ${found}`);
}
const leaks = summary.filter((s) => s.leaks);
console.log(`   ${leaks.filter((s) => s.match).length} of ${leaks.length} leaks: holder on the top grower's path`);
