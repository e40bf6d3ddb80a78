'use strict';
// Output shared by the commands: the progress bar on a terminal, and writing a report to a file
// or to stdout.
const fs = require('node:fs');

/**
 * @typedef {object} Io
 * @property {NodeJS.WriteStream | import('node:stream').Writable & { isTTY?: boolean, columns?: number }} stdout
 * @property {NodeJS.WriteStream | import('node:stream').Writable & { isTTY?: boolean, columns?: number }} stderr
 */

/**
 * A progress bar on stderr for `onProgress`, when stderr is a terminal.
 * @param {Io} io
 * @returns {((p: { phase: string, fraction: number }) => void) | undefined}
 */
function progressBar(io) {
  if (!io.stderr.isTTY) return undefined;
  return (p) => {
    const width = 30;
    const done = Math.round(p.fraction * width);
    io.stderr.write(`\r${p.phase.padEnd(10)} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${Math.round(p.fraction * 100)}%`);
    if (p.phase === 'done') io.stderr.write('\r' + ' '.repeat(60) + '\r');
  };
}

/**
 * Writes a report to `output`, or to stdout when there is none; `summary()` is the one line that
 * goes to stderr when the report went to a file. Returns false (after saying why) when the file
 * cannot be written.
 * @param {Io} io
 * @param {string | null} output
 * @param {string} text
 * @param {() => string} summary
 */
function writeReport(io, output, text, summary) {
  if (!output) {
    io.stdout.write(text);
    return true;
  }
  try {
    fs.writeFileSync(output, text);
  } catch (e) {
    io.stderr.write(`heapwise: cannot write ${output}: ${/** @type {Error} */ (e).message}\n`);
    return false;
  }
  io.stderr.write(`heapwise: ${summary()}; report written to ${output}\n`);
  return true;
}

/**
 * A command's report in the format asked for (`--format`): the API's object as indented JSON, or
 * what the command's renderer of that format gives (text when no format was asked for).
 * @template T
 * @param {string | undefined} format
 * @param {T} value
 * @param {{ text: (v: T) => string, markdown: (v: T) => string, html: (v: T) => string }} renderers
 * @returns {string}
 */
function renderReport(format, value, renderers) {
  if (format === 'json') return JSON.stringify(value, null, 1) + '\n';
  if (format === 'markdown' || format === 'html') return renderers[format](value);
  return renderers.text(value);
}

module.exports = { progressBar, writeReport, renderReport };
