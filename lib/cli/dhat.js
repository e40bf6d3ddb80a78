'use strict';
// `heapwise dhat A.json [B.json]`: the JS API's dhatProfile() on one DHAT profile, or dhatDiff()
// on two (two builds of a program), printed as text, Markdown, JSON or an HTML page. It loads
// lib/dhat, not index.js: no native addon is needed.
const { formatSignedCount, formatCount } = require('../format.js');
const { writeReport, renderReport } = require('./io.js');

/**
 * Runs `dhat` with parsed options; resolves to the exit code.
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { dhatProfile, dhatDiff } = require('../dhat/index.js');
  const report = require('../report/dhat.js');
  const [a, b] = opts._;
  const r = b === undefined ? await dhatProfile(a, { top: opts.top }) : await dhatDiff(a, b, { top: opts.top });
  const out = renderReport(opts.format, r, {
    text: (x) => ('matchFrames' in x && 'a' in x ? report.renderDiffText(x) : report.renderProfileText(/** @type {any} */ (x))),
    markdown: report.renderDhatMarkdown,
    html: report.renderDhatHtml,
  });
  const summary = () => {
    if ('a' in r) {
      const end = r.totals.end;
      return end
        ? `at t-end ${formatSignedCount(end.delta.bytes)} bytes (B − A)`
        : `${formatSignedCount(r.totals.total.delta.bytes)} bytes allocated (B − A)`;
    }
    const end = r.totals.end;
    return end ? `${formatCount(end.bytes)} bytes at t-end` : `${formatCount(r.totals.total.bytes)} bytes allocated`;
  };
  return writeReport(io, opts.output, out, summary) ? 0 : 2;
}

module.exports = { run };
