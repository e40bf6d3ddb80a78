#!/usr/bin/env node
'use strict';
// A workload for `heapwise diff` in CI: warm up, snapshot, run, snapshot.
// usage: node examples/leak-workload.js [OUT_DIR] [--leak]
// Writes OUT_DIR/before.heapsnapshot and OUT_DIR/after.heapsnapshot (default OUT_DIR: tmp).
// Replace `handle` with a call into your own code.
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

const args = process.argv.slice(2);
const leak = args.includes('--leak');
const outDir = args.find((a) => !a.startsWith('--')) || 'tmp';
fs.mkdirSync(outDir, { recursive: true });

class Session {
  constructor(i) {
    this.id = i;
    this.user = 'user-' + i;
    this.data = 'x'.repeat(512) + i;
  }
}
const sessions = new Map(); // the bug: sessions are never removed when `leak` is set

function handle(i) {
  const s = new Session(i);
  sessions.set(i, s);
  if (!leak) sessions.delete(i);
  return s.user.length;
}

for (let i = 0; i < 2000; i++) handle(i); // warm up
if (!leak) sessions.clear();
v8.writeHeapSnapshot(path.join(outDir, 'before.heapsnapshot'));
for (let i = 2000; i < 12000; i++) handle(i);
v8.writeHeapSnapshot(path.join(outDir, 'after.heapsnapshot'));
