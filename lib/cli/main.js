#!/usr/bin/env node
'use strict';
// The heapwise command line: one command per JS API function (analyze, diff, watch), each over
// the same options. Arguments are parsed by lib/cli/args.js; `--help` and `--version` are
// answered before anything loads the native addon. Exit codes: 0 ok, 1 leak or threshold
// exceeded (diff/watch), 2 usage or input error.
const { COMMANDS, parseCommand, commandHelp } = require('./args.js');
const { GLOBAL_HELP } = require('./help.js');
const { HeapwiseError } = require('../core.js');

/** @type {import('./io.js').Io} */
const io = { stdout: process.stdout, stderr: process.stderr };

/** @param {string} msg */
function fail(msg) {
  io.stderr.write(`heapwise: ${msg}\n`);
  return 2;
}

/**
 * @param {string[]} argv
 * @returns {Promise<number>} the exit code
 */
async function main(argv) {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(GLOBAL_HELP + '\n');
    return 2;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(GLOBAL_HELP + '\n');
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(require('../../package.json').version + '\n');
    return 0;
  }
  if (!Object.prototype.hasOwnProperty.call(COMMANDS, first)) {
    return fail(`unknown command ${JSON.stringify(first)}\n(heapwise --help shows the usage)`);
  }
  const command = /** @type {keyof COMMANDS} */ (first);
  let opts;
  try {
    opts = parseCommand(command, rest);
  } catch (e) {
    return fail(`${/** @type {Error} */ (e).message}\n(heapwise ${command} --help shows the usage)`);
  }
  if (opts.help) {
    io.stdout.write(commandHelp(command) + '\n');
    return 0;
  }
  try {
    return await require(`./${command}.js`).run(opts, io);
  } catch (e) {
    if (e instanceof HeapwiseError) return fail(`${e.message} (${e.code})`);
    const err = /** @type {Error} */ (e);
    return fail(err && err.stack ? err.stack : String(e));
  }
}

process.stdout.on('error', (e) => {
  if (/** @type {NodeJS.ErrnoException} */ (e).code === 'EPIPE') process.exit(0);
});
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
