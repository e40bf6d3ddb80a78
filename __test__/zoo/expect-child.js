'use strict';
// Runs one zoo program under expectNoLeak (heapwise/testing) in a process of its own and prints
// the outcome as one line of JSON: { ok, message, findings } (findings as the error carries them).
//
//   node --expose-gc expect-child.js PROGRAM_FILE
const fs = require('node:fs');
const path = require('node:path');
const { expectNoLeak } = require('heapwise/testing');

async function main() {
  const program = require(path.resolve(process.argv[2]));
  if (program.setup) await program.setup();
  let out;
  try {
    const report = await expectNoLeak(() => program.step(), { warmup: 3, iterations: 3, repeat: 30 });
    out = { ok: true, message: '', findings: report.findings };
  } catch (e) {
    if (e.name !== 'HeapLeakError') throw e;
    out = { ok: false, message: e.message, findings: e.findings };
    // a failure keeps its snapshots and says where; the zoo expects failures, so it removes them
    fs.rmSync(e.directory, { recursive: true, force: true });
  } finally {
    if (program.teardown) await program.teardown();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
