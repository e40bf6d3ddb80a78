#!/usr/bin/env node
// Writes the benchmark's "big" snapshots. Two modes:
//
//   node bench/gen/big.cjs OUT.heapsnapshot [--scale S]
//     one snapshot with the shape of ../shared/oracles/make-test-snapshots.js --big: 400k class
//     instances in a Map, 100k closures over contexts, 50k nested plain objects, 20k strings, a
//     WeakMap (about 187 MB and 2.43M nodes at scale 1 on Node 20).
//
//   node bench/gen/big.cjs --pair BEFORE AFTER [--scale S]
//     two snapshots of one process (so object ids are comparable): the same shape, then 30k new
//     `Leak` objects in a Set and 50k of the Map's items deleted.
//
// --scale multiplies every count (0.05 for the --quick smoke test). Files are written under a
// temporary name and renamed, so an interrupted run never leaves a truncated snapshot behind.
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');

const argv = process.argv.slice(2);
let scale = 1;
const si = argv.indexOf('--scale');
if (si >= 0) {
  scale = Number(argv[si + 1]);
  argv.splice(si, 2);
}
const pair = argv[0] === '--pair';
if (pair) argv.shift();
if (!(scale > 0) || argv.length !== (pair ? 2 : 1)) {
  console.error('usage: big.cjs OUT.heapsnapshot [--scale S] | big.cjs --pair BEFORE AFTER [--scale S]');
  process.exit(2);
}
const n = (count) => Math.max(1, Math.round(count * scale));

function write(file) {
  const tmp = `${file}.tmp-${process.pid}`;
  v8.writeHeapSnapshot(tmp);
  fs.renameSync(tmp, file);
  console.log(`wrote ${file} (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`);
}

class Item {
  constructor(i) {
    this.id = i;
    this.payload = new Array(8).fill(i);
    this.label = 'item-' + i;
  }
}
globalThis.items = new Map();
for (let i = 0; i < n(400000); i++) items.set(i, new Item(i));
globalThis.closures = [];
for (let i = 0; i < n(100000); i++) {
  const captured = { n: i };
  closures.push(() => captured.n);
}
globalThis.nested = [];
for (let i = 0; i < n(50000); i++) nested.push({ a: { b: { c: [i, String(i)] } } });
globalThis.strs = [];
for (let i = 0; i < n(20000); i++) strs.push('s'.repeat(i % 200) + i);
globalThis.wm = new WeakMap();
for (let i = 0; i < n(20000); i++) wm.set(items.get(i), { meta: i });
write(argv[0]);

if (pair) {
  class Leak {
    constructor(i) {
      this.i = i;
      this.data = 'leak-' + i;
    }
  }
  globalThis.leaks = new Set();
  for (let i = 0; i < n(30000); i++) leaks.add(new Leak(i));
  for (let i = 0; i < n(50000); i++) items.delete(i);
  write(argv[1]);
}
