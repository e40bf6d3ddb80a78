'use strict';
// The child process of series.js: loads one zoo program, runs it and writes heap snapshots.
//
//   node --expose-gc child.js PROGRAM_FILE DIR SNAPSHOTS WARMUP CALLS_PER_STEP
//
// setup(), WARMUP steps, DIR/0.heapsnapshot, then SNAPSHOTS - 1 times: CALLS_PER_STEP steps and
// DIR/<i>.heapsnapshot; then teardown(). Each step is awaited. It prints one line of JSON after
// the warm-up ({"warmup": n}) and one per snapshot ({"snapshot": path}), and exits on its own: a
// program whose teardown leaves something running makes it hang, which series.js reports.
const path = require('node:path');
const v8 = require('node:v8');

async function main() {
  const [file, dir, snapshotsArg, warmupArg, callsArg] = process.argv.slice(2);
  const snapshots = Number(snapshotsArg);
  const warmup = Number(warmupArg);
  const callsPerStep = Number(callsArg);
  const program = require(path.resolve(file));
  if (typeof program.step !== 'function') throw new Error(`${file} exports no step()`);

  const write = (i) => {
    const target = path.join(dir, `${i}.heapsnapshot`);
    v8.writeHeapSnapshot(target);
    process.stdout.write(JSON.stringify({ snapshot: target }) + '\n');
  };

  if (program.setup) await program.setup();
  try {
    for (let i = 0; i < warmup; i++) await program.step();
    // stdout (a pipe) is set up on its first write: do that before snapshot 0, so that its
    // stream objects are not counted as growth between snapshots 0 and 1.
    process.stdout.write(JSON.stringify({ warmup }) + '\n');
    write(0);
    for (let s = 1; s < snapshots; s++) {
      for (let i = 0; i < callsPerStep; i++) await program.step();
      write(s);
    }
  } finally {
    if (program.teardown) await program.teardown();
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
