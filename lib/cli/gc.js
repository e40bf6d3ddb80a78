'use strict';
// `heapwise gc LOG`: the JS API's gcLog() on a `node --trace-gc` / `--trace-gc-nvp` log or a
// v8.GCProfiler JSON, printed as text, Markdown, JSON or an HTML page; exit code 1 when the heap
// after each full GC rises steadily. It loads lib/gc, not index.js: no native addon is needed.
const { formatBytes } = require('../format.js');
const { writeReport, renderReport } = require('./io.js');

/**
 * Runs `gc` with parsed options; resolves to the exit code.
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { gcLog } = require('../gc/index.js');
  const r = await gcLog(opts._[0]);
  const report = require('../report/gc.js');
  const out = renderReport(opts.format, r, { text: report.renderGcText, markdown: report.renderGcMarkdown, html: report.renderGcHtml });
  const summary = () => {
    const floors = r.groups.flatMap((g) => g.floor);
    const last = floors.length ? `, last floor ${formatBytes(floors[floors.length - 1].bytes)}` : '';
    return `${r.verdict.kind}${last}`;
  };
  if (!writeReport(io, opts.output, out, summary)) return 2;
  return r.verdict.kind === 'rising' ? 1 : 0;
}

module.exports = { run };
