'use strict';
// `heapwise dhat A.json [B.json]`: the JS API's dhatProfile() on one DHAT profile, or dhatDiff()
// on two (two builds of a program), printed as text, Markdown, JSON or an HTML page. It loads
// lib/dhat, not index.js: no native addon is needed.
const { formatSignedCount, formatCount } = require('../format.js');
const { writeReport } = require('./io.js');

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
  let out;
  if (opts.format === 'json') out = JSON.stringify(r, null, 1) + '\n';
  else if (opts.format === 'markdown') out = report.renderDhatMarkdown(r);
  else if (opts.format === 'html') out = report.renderDhatHtml(r);
  else out = 'matchFrames' in r && 'a' in r ? report.renderDiffText(r) : report.renderProfileText(/** @type {any} */ (r));
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
