#!/usr/bin/env node
'use strict';
// The heapwise command line: a thin layer over the JS API (heapwise.js). Exit codes: 0 ok,
// 1 leak or threshold exceeded (diff/watch), 2 usage or input error.
const fs = require('node:fs');
const path = require('node:path');
const { analyze, HeapwiseError } = require('./heapwise.js');
const { formatBytes, summaryTable } = require('./lib/format.js');

const USAGE = `usage: heapwise analyze FILE [--json] [--top N] [--nodes OUT.tsv]

  analyze FILE        analyse a .heapsnapshot and print DevTools' Summary
    --json            print the result as JSON (the same objects as the JS API)
    --top N           how many of the largest objects to show (default 10)
    --nodes OUT.tsv   write one line per node: id self_size shallow_size retained_size distance dominator_id
  --help, --version`;

function fail(msg, code = 2) {
  process.stderr.write(`heapwise: ${msg}\n`);
  process.exitCode = code;
}

function parseArgs(argv) {
  const opts = { _: [], json: false, top: 10, nodes: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') opts.json = true;
    else if (a === '--top') {
      opts.top = Number(value());
      if (!Number.isInteger(opts.top) || opts.top < 0) throw new Error('--top needs a whole number');
    } else if (a === '--nodes') opts.nodes = value();
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a === '--version' || a === '-v') opts.version = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else opts._.push(a);
  }
  return opts;
}

function progressBar() {
  if (!process.stderr.isTTY) return undefined;
  let shown = false;
  return (p) => {
    const width = 30;
    const done = Math.round(p.fraction * width);
    process.stderr.write(`\r${p.phase.padEnd(10)} [${'#'.repeat(done)}${' '.repeat(width - done)}] ${Math.round(p.fraction * 100)}%`);
    shown = true;
    if (p.phase === 'done' && shown) process.stderr.write('\r' + ' '.repeat(60) + '\r');
  };
}

async function cmdAnalyze(opts) {
  if (opts._.length !== 2) return fail(`analyze takes one FILE\n${USAGE}`);
  const file = opts._[1];
  const a = await analyze(file, { onProgress: progressBar() });
  try {
    if (opts.nodes) a.writeNodes(opts.nodes);
    const result = {
      schemaVersion: 1,
      file: path.resolve(file),
      nodeCount: a.nodeCount,
      edgeCount: a.edgeCount,
      totalSize: a.totalSize,
      statistics: a.statistics(),
      summary: a.summary(),
      top: a.top(opts.top),
      warnings: a.warnings,
    };
    if (opts.json) {
      process.stdout.write(JSON.stringify(result, null, 1) + '\n');
    } else {
      process.stdout.write(renderText(result));
    }
  } finally {
    a.close();
  }
}

function renderText(r) {
  const s = r.statistics;
  const lines = [];
  lines.push(`${r.file}`);
  lines.push(`${r.nodeCount.toLocaleString('en-US')} objects, ${r.edgeCount.toLocaleString('en-US')} references, total ${formatBytes(r.totalSize)}`);
  lines.push(`Statistics: code ${formatBytes(s.code)}, strings ${formatBytes(s.strings)}, JS arrays ${formatBytes(s.jsArrays)}, ` +
    `typed arrays ${formatBytes(s.typedArrays)}, system ${formatBytes(s.system)}, other JS ${formatBytes(s.otherJsObjects)}, ` +
    `other native ${formatBytes(s.otherNonJsObjects)}`);
  lines.push('');
  lines.push('Summary (largest retained size first)');
  lines.push(summaryTable(r.summary.slice(0, 25), r.totalSize));
  if (r.top.length) {
    lines.push('');
    lines.push(`Largest objects`);
    for (const t of r.top) {
      const n = t.node;
      const loc = t.location ? ` at ${t.location.scriptName || 'script ' + t.location.scriptId}:${t.location.line + 1}:${t.location.column + 1}` : '';
      lines.push(`  ${n.className} ${JSON.stringify(n.name).slice(0, 60)} @${n.id}  retained ${formatBytes(n.retainedSize)}${loc}`);
      const steps = t.retainerPath.slice(1).map((p) => `${p.edge}`).join(' → ');
      if (steps) lines.push(`    retained by: (root) → ${steps.length > 160 ? steps.slice(0, 157) + '…' : steps}`);
    }
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    return fail(`${e.message}\n${USAGE}`);
  }
  if (opts.version) {
    process.stdout.write(require('./package.json').version + '\n');
    return;
  }
  if (opts.help || opts._.length === 0) {
    process.stdout.write(USAGE + '\n');
    if (!opts.help) process.exitCode = 2;
    return;
  }
  const cmd = opts._[0];
  try {
    if (cmd === 'analyze') await cmdAnalyze(opts);
    else fail(`unknown command ${cmd}\n${USAGE}`);
  } catch (e) {
    if (e instanceof HeapwiseError) fail(`${e.message} (${e.code})`);
    else fail(e && e.stack ? e.stack : String(e));
  }
}

process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
});
main();
