#!/usr/bin/env node
'use strict';
// Runs heapwise on one file in this (child) process and prints one JSON line with what happened,
// so that a crash or a hang shows up in the parent as a failed case instead of taking it down.
//
//   node tools/corpus/run-one.js FILE [--sync] [--probe TEXT]
//
// Prints {ok: true, nodeCount, edgeCount, warnings, probe} or {ok: false, name, code, byteOffset,
// message, heapwiseError}. `--probe TEXT` returns the names of up to 5 nodes whose name contains
// TEXT, as JS strings (to check that strings arrive intact).
const path = require('node:path');
const heapwise = require(path.join(__dirname, '..', '..', 'index.js'));

async function main() {
  const args = process.argv.slice(2);
  const file = args[0];
  const sync = args.includes('--sync');
  const p = args.indexOf('--probe');
  const probe = p >= 0 ? args[p + 1] : null;
  let out;
  try {
    const heap = sync ? heapwise.analyzeSync(file) : await heapwise.analyze(file);
    out = {
      ok: true,
      nodeCount: heap.nodeCount,
      edgeCount: heap.edgeCount,
      warnings: heap.warnings,
      probe: probe === null ? null : heap.findByName(probe, 5).map((n) => n.name),
    };
    // Touch the views too: they must work on whatever was accepted.
    heap.summary();
    heap.statistics();
    heap.top(3);
    heap.close();
  } catch (e) {
    out = {
      ok: false,
      name: e && e.name,
      code: e && e.code,
      byteOffset: e && e.byteOffset,
      message: e && e.message,
      heapwiseError: e instanceof heapwise.HeapwiseError,
    };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
