'use strict';
// Runs one program of the leak zoo in a child process and writes a series of heap snapshots.
//
//   const { writeSeries } = require('./__test__/zoo/series.js');
//   const { dir, files, cleanup } = await writeSeries('module-set', { snapshots: 4 });
//
//   node __test__/zoo/series.js NAME OUTDIR [--snapshots 4] [--warmup 30] [--calls 100]
//
// The child (child.js, with --expose-gc) calls setup(), `warmup` steps, writes 0.heapsnapshot,
// then `snapshots - 1` times runs `callsPerStep` steps and writes the next snapshot, then calls
// teardown() and must exit on its own. A child still running after `timeoutMs` (60 s) is killed
// and the promise rejects with its stderr.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const PROGRAMS = path.join(__dirname, 'programs');
const CHILD = path.join(__dirname, 'child.js');

/** `name` is a program of programs/ (without `.js`) or a path to a .js file. */
function programFile(name) {
  if (name.endsWith('.js') || name.includes('/') || name.includes(path.sep)) return path.resolve(name);
  return path.join(PROGRAMS, `${name}.js`);
}

async function writeSeries(name, { snapshots = 4, warmup = 30, callsPerStep = 100, dir, timeoutMs = 60_000 } = {}) {
  const file = programFile(name);
  if (!fs.existsSync(file)) throw new Error(`no zoo program ${name} (${file})`);
  if (!(snapshots >= 1)) throw new Error(`snapshots must be at least 1, got ${snapshots}`);
  const ownDir = dir === undefined;
  const out = ownDir ? fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-zoo-')) : path.resolve(dir);
  fs.mkdirSync(out, { recursive: true });
  const cleanup = () => fs.rmSync(out, { recursive: true, force: true });
  const files = Array.from({ length: snapshots }, (_, i) => path.join(out, `${i}.heapsnapshot`));

  const args = ['--expose-gc', CHILD, file, out, String(snapshots), String(warmup), String(callsPerStep)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdout.resume();

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const { code, signal } = await new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    if (timedOut) throw new Error(`zoo program ${name} still running after ${timeoutMs} ms, killed\n${stderr}`);
    if (code !== 0) throw new Error(`zoo program ${name} exited with ${signal || `code ${code}`}\n${stderr}`);
    const missing = files.filter((f) => !fs.existsSync(f));
    if (missing.length) throw new Error(`zoo program ${name} wrote no ${missing.join(', ')}\n${stderr}`);
  } catch (error) {
    if (ownDir) cleanup();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { dir: out, files, callsPerStep, cleanup };
}

function parseCli(argv) {
  const options = {};
  const positional = [];
  const flags = { '--snapshots': 'snapshots', '--warmup': 'warmup', '--calls': 'callsPerStep' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] in flags) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) throw new Error(`${argv[i - 1]} needs a whole number`);
      options[flags[argv[i - 1]]] = value;
    } else if (argv[i].startsWith('--')) {
      throw new Error(`unknown option ${argv[i]}`);
    } else {
      positional.push(argv[i]);
    }
  }
  if (positional.length !== 2)
    throw new Error('usage: node __test__/zoo/series.js NAME OUTDIR [--snapshots 4] [--warmup 30] [--calls 100]');
  return { name: positional[0], dir: positional[1], options };
}

if (require.main === module) {
  let cli;
  try {
    cli = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  writeSeries(cli.name, { ...cli.options, dir: cli.dir }).then(
    ({ files }) => {
      for (const f of files) console.log(f);
    },
    (error) => {
      console.error(error.message);
      process.exitCode = 1;
    },
  );
}

module.exports = { writeSeries, programFile, PROGRAMS };
