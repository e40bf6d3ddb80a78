'use strict';
// Bench worker: how many times watch() parses a snapshot. Links the given snapshots (oldest
// first) into a temporary folder, watches it once with a size threshold (so that watch also
// compares each new snapshot with the first), counts the parses it reports through onProgress (a
// parse starts where the phase becomes "parse"), and prints one JSON line:
//   {snapshots, parses, parsesPerSnapshot, leak}
//
//   node bench/workers/watch.cjs FIRST.heapsnapshot SECOND.heapsnapshot ...
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { watch } = require('../../index.js');

async function main() {
  const files = process.argv.slice(2);
  if (files.length < 2) throw new Error('usage: node bench/workers/watch.cjs FIRST SECOND ...');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-bench-watch-'));
  try {
    const t = Date.now() / 1000 - files.length;
    files.forEach((f, i) => {
      const to = path.join(dir, `snapshot-${i}.heapsnapshot`);
      try {
        fs.linkSync(path.resolve(f), to);
      } catch {
        fs.symlinkSync(path.resolve(f), to);
      }
      fs.utimesSync(to, t + i, t + i);
    });
    let parses = 0;
    const last = new Map();
    const w = watch({
      dir,
      once: true,
      maxGrowthBytes: 1e15,
      onProgress: (p) => {
        const key = `${p.file} ${p.diff ? 'diff' : ''}`;
        if (p.phase === 'parse' && last.get(key) !== 'parse') parses++;
        last.set(key, p.phase);
      },
    });
    let leak = false;
    w.on('leak', () => (leak = true));
    w.on('error', (e) => {
      throw e;
    });
    await w.finish();
    const snapshots = w.series().snapshots.length;
    console.log(JSON.stringify({ snapshots, parses, parsesPerSnapshot: parses / snapshots, leak }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error((e && e.stack) || e);
  process.exit(1);
});
