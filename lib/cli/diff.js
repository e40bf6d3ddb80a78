'use strict';
// `heapwise diff BEFORE AFTER`: the JS API's diff() with the same options, printed as text,
// Markdown, JSON or an HTML page; exit code 1 when the verdict fails.
const { formatSignedBytes } = require('../format.js');
const { apiOptions } = require('./args.js');
const { progressBar, writeReport, renderReport } = require('./io.js');

/**
 * Runs `diff` with parsed options; resolves to the exit code.
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { diff } = require('../../index.js');
  const [before, after] = opts._;
  const d = await diff(before, after, { ...apiOptions('diff', opts), onProgress: progressBar(io) });
  const { renderText, renderMarkdown } = require('../report/diff.js');
  const out = renderReport(opts.format, d, {
    text: (x) => renderText(x, { allRows: opts.allRows }),
    markdown: (x) => renderMarkdown(x, { allRows: opts.allRows }),
    html: (x) => require('../report/html.js').renderDiffHtml(x),
  });
  const t = d.totals;
  const summary = () =>
    `${d.verdict.ok ? 'ok' : 'FAILED'}: size delta ${formatSignedBytes(d.sizeDelta)}, ${t.newCount} new / ${t.deletedCount} deleted objects`;
  if (!writeReport(io, opts.output, out, summary)) return 2;
  return d.verdict.ok ? 0 : 1;
}

module.exports = { run };
