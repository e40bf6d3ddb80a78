#!/usr/bin/env node
'use strict';
// The heapwise command line: a thin layer over the JS API (heapwise.js). Exit codes: 0 ok,
// 1 leak or threshold exceeded (diff/watch), 2 usage or input error.
const fs = require('node:fs');
const path = require('node:path');
const heapwise = require('./heapwise.js');
const { analyze, HeapwiseError } = heapwise;
const { formatBytes, formatSignedBytes, summaryTable } = require('./lib/format.js');
const { parseSize, parseCount } = require('./lib/size.js');

const USAGE = `usage: heapwise analyze FILE [--top N] [--nodes OUT.tsv] [--format text|json|markdown|html] [-o FILE]
       heapwise diff BEFORE AFTER [--final FILE] [--max-growth SIZE] [--max-new-objects N]
                     [--ignore PATTERN]... [--include-internal] [--top N]
                     [--format text|json|markdown|html] [-o FILE]
       heapwise watch DIR [--pid PID] [--interval 5s] [--max-growth SIZE] [--max-new-objects N]
                     [--growth K/N] [--once] [--format text|json|markdown|html] [-o FILE]

  analyze FILE        analyse a .heapsnapshot and print DevTools' Summary
    --format F        text (default), json (the same objects as the JS API), markdown, or html
                      (a self-contained page: sortable class table, statistics, dominator
                      treemap, retainer paths; use with -o); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout
    --top N           how many of the largest objects to show (default 10)
    --nodes OUT.tsv   write one line per node: id self_size shallow_size retained_size distance dominator_id

  diff BEFORE AFTER   compare two snapshots of one process (DevTools' Comparison view), list what
                      was allocated between them, the objects that grew and what retains them
    --final FILE      a third snapshot: leak candidates are objects allocated between BEFORE and
                      AFTER that are still alive in FILE (memlab's baseline/target/final)
    --max-growth SIZE fail when the heap's total size grew by more than SIZE: 1000, 512kB, 2MB,
                      1.5GiB (kB/MB/GB = 1000^n bytes, KiB/MiB/GiB = 1024^n)
    --max-new-objects N   fail when more than N objects are new (Comparison total # New)
    --max-class-count NAME=N      fail when class NAME gains more than N objects (repeatable)
    --max-class-size NAME=SIZE    fail when class NAME grows by more than SIZE (repeatable)
    --ignore PATTERN  leave out classes whose name contains PATTERN, or matches /regexp/flags
                      (repeatable)
    --min-retained-size SIZE      leave out growers / leak groups / allocated rows below SIZE
    --include-internal            keep internal classes ("(...)", "system / ...") in every list
    --top N           how many growers / leak groups to detail (default 10)
    --format F        text (default), json (the HeapDiff of the JS API), markdown (for a pull
                      request comment or $GITHUB_STEP_SUMMARY), or html (a self-contained page
                      with charts; use with -o); --json = --format json
    -o, --output FILE write the report to FILE instead of stdout

  watch DIR           follow the snapshots that land in DIR (and the memory of --pid's process
                      tree), report classes that keep growing, flag a leak when a --max-*
                      threshold is crossed; heapwise watch --help lists its options

  --help, --version

exit codes: 0 ok, 1 a diff threshold exceeded or a leak found, 2 usage or input error`;

const { FORMATS, eachArg, commonDefaults, commonOption } = require('./lib/args.js');

function fail(msg, code = 2) {
  process.stderr.write(`heapwise: ${msg}\n`);
  process.exitCode = code;
}

function parseArgs(argv) {
  const opts = { _: [], format: 'text', output: null, top: 10, nodes: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') opts.format = 'json';
    else if (a === '--format') {
      opts.format = value();
      if (!FORMATS.includes(opts.format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}`);
    } else if (a === '-o' || a === '--output') opts.output = value();
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
    let out;
    if (opts.format === 'json') out = JSON.stringify(result, null, 1) + '\n';
    else if (opts.format === 'markdown') out = require('./lib/report/markdown.js').renderAnalyzeMarkdown(result);
    else if (opts.format === 'html') {
      // the dominator tree's largest parts, read from the handle before it is closed
      result.dominatorTree = require('./lib/report/dominators.js').dominatorTree(a);
      try {
        result.fileSize = fs.statSync(file).size;
      } catch {
        // the size is only shown
      }
      out = require('./lib/report/html.js').renderAnalyzeHtml(result);
    } else out = renderText(result);
    writeReport(opts.output, out, () => `${formatBytes(result.totalSize)} in ${result.nodeCount.toLocaleString('en-US')} objects`);
  } finally {
    a.close();
  }
}

/**
 * Writes a report to `output`, or to stdout when there is none; `summary()` is the one line that
 * goes to stderr when the report went to a file.
 */
function writeReport(output, text, summary) {
  if (!output) {
    process.stdout.write(text);
    return true;
  }
  try {
    fs.writeFileSync(output, text);
  } catch (e) {
    fail(`cannot write ${output}: ${e.message}`);
    return false;
  }
  process.stderr.write(`heapwise: ${summary()}; report written to ${output}\n`);
  return true;
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

// ---------------------------------------------------------------------------------------------
// diff

/** Parses `diff`'s arguments (argv after the word `diff`); throws on a usage error. */
function parseDiffArgs(argv) {
  const opts = { _: [], final: null, top: 10, minRetainedSize: null, ...commonDefaults() };
  for (const a of eachArg(argv)) {
    if (commonOption(opts, a)) continue;
    if (a.arg === '--final') opts.final = a.value();
    else if (a.arg === '--min-retained-size') opts.minRetainedSize = parseSize(a.value());
    else if (a.arg === '--top') {
      opts.top = parseCount(a.value(), '--top');
      if (opts.top < 1) throw new Error('--top needs a whole number >= 1');
    } else if (a.arg === '--help' || a.arg === '-h') opts.help = true;
    else if (a.arg.startsWith('-') && a.arg !== '-') throw new Error(`unknown option ${a.raw} for diff`);
    else opts._.push(a.arg);
  }
  if (!opts.help && opts._.length !== 2) {
    throw new Error(`diff takes two snapshots, BEFORE and AFTER${opts._.length ? ` (got ${opts._.length})` : ''}`);
  }
  return opts;
}

/** The options object of the JS API's diff() for parsed CLI options. */
function diffOptions(opts) {
  const o = { includeInternal: opts.includeInternal, top: opts.top, onProgress: progressBar() };
  if (opts.final) o.final = opts.final;
  if (opts.ignore.length) o.ignore = opts.ignore;
  if (opts.minRetainedSize !== null) o.minRetainedSize = opts.minRetainedSize;
  if (opts.maxGrowthBytes !== null) o.maxGrowthBytes = opts.maxGrowthBytes;
  if (opts.maxNewObjects !== null) o.maxNewObjects = opts.maxNewObjects;
  if (Object.keys(opts.classLimits).length) o.classLimits = opts.classLimits;
  return o;
}

async function cmdDiff(opts) {
  if (typeof heapwise.diff !== 'function') {
    return fail('this build of heapwise has no diff (rebuild the addon: npm run build)');
  }
  const [before, after] = opts._;
  const d = await heapwise.diff(before, after, diffOptions(opts));
  const { renderText, renderMarkdown } = require('./lib/diff-report.js');
  let out;
  if (opts.format === 'json') out = JSON.stringify(d, null, 1) + '\n';
  else if (opts.format === 'markdown') out = renderMarkdown(d);
  else if (opts.format === 'html') out = require('./lib/report/html.js').renderDiffHtml(d);
  else out = renderText(d);
  const t = d.totals;
  const written = writeReport(opts.output, out, () => `${d.verdict.ok ? 'ok' : 'FAILED'}: size delta ${formatSignedBytes(d.sizeDelta)}, ` +
    `${t.newCount} new / ${t.deletedCount} deleted objects`);
  if (!written) return;
  if (!d.verdict.ok) process.exitCode = 1;
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === 'watch') {
    process.exitCode = await require('./lib/cli-watch.js').run(argv.slice(1));
    return;
  }
  if (argv[0] === 'diff') {
    let opts;
    try {
      opts = parseDiffArgs(argv.slice(1));
    } catch (e) {
      return fail(`${e.message}\n(heapwise --help shows the usage)`);
    }
    if (opts.help) {
      process.stdout.write(USAGE + '\n');
      return;
    }
    try {
      await cmdDiff(opts);
    } catch (e) {
      if (e instanceof HeapwiseError) fail(`${e.message} (${e.code})`);
      else fail(e && e.stack ? e.stack : String(e));
    }
    return;
  }
  let opts;
  try {
    opts = parseArgs(argv);
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
