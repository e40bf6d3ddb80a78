'use strict';
// `heapwise analyze FILE`: the JS API's analyze(), printed as DevTools' Summary with the largest
// objects, the duplicated and the largest strings (or as JSON, Markdown, an HTML page).
const fs = require('node:fs');
const path = require('node:path');
const { formatBytes, summaryTable } = require('../format.js');
const { progressBar, writeReport, renderReport } = require('./io.js');
const { shortPath, formatLocation } = require('../report/findings.js');
const { stringsTextLines } = require('../report/strings.js');

/** Groups of duplicated strings and largest strings the JSON carries (the reports show 5). */
const STRINGS_IN_JSON = 50;

/**
 * Runs `analyze` with parsed options; resolves to the exit code.
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { analyze } = require('../../index.js');
  const file = opts._[0];
  const a = await analyze(file, { onProgress: progressBar(io) });
  try {
    if (opts.nodes) a.writeNodes(opts.nodes);
    // Independent of each other: they run at once, on threads of their own.
    const [duplicatedStrings, largestStrings, external] = await Promise.all([
      a.duplicatedStrings({ limit: STRINGS_IN_JSON }),
      a.largestStrings({ limit: STRINGS_IN_JSON }),
      a.externalMemory({ limit: 10 }),
    ]);
    /** @type {Record<string, any>} */
    const result = {
      schemaVersion: 1,
      file: path.resolve(file),
      nodeCount: a.nodeCount,
      edgeCount: a.edgeCount,
      totalSize: a.totalSize,
      statistics: a.statistics(),
      summary: a.summary(),
      top: a.top(opts.top),
      duplicatedStrings,
      largestStrings,
      external,
      warnings: a.warnings,
    };
    const out = renderReport(opts.format, result, {
      text: renderText,
      markdown: (r) => require('../report/markdown.js').renderAnalyzeMarkdown(r),
      html: (r) => {
        // the dominator tree's largest parts, read from the handle before it is closed
        r.dominatorTree = require('../report/dominators.js').dominatorTree(a);
        try {
          r.fileSize = fs.statSync(file).size;
        } catch {
          // the size is only shown
        }
        return require('../report/html.js').renderAnalyzeHtml(r);
      },
    });
    const summary = () => `${formatBytes(result.totalSize)} in ${result.nodeCount.toLocaleString('en-US')} objects`;
    return writeReport(io, opts.output, out, summary) ? 0 : 2;
  } finally {
    a.close();
  }
}

/** @param {Record<string, any>} r */
function renderText(r) {
  const s = r.statistics;
  const lines = [];
  lines.push(`${r.file}`);
  lines.push(
    `${r.nodeCount.toLocaleString('en-US')} objects, ${r.edgeCount.toLocaleString('en-US')} references, total ${formatBytes(r.totalSize)}`,
  );
  lines.push(
    `Statistics: code ${formatBytes(s.code)}, strings ${formatBytes(s.strings)}, JS arrays ${formatBytes(s.jsArrays)}, ` +
      `typed arrays ${formatBytes(s.typedArrays)}, system ${formatBytes(s.system)}, other JS ${formatBytes(s.otherJsObjects)}, ` +
      `other native ${formatBytes(s.otherNonJsObjects)}`,
  );
  lines.push('');
  lines.push('Summary (largest retained size first)');
  lines.push(summaryTable(r.summary.slice(0, 25), r.totalSize));
  if (r.top.length) {
    lines.push('');
    lines.push(`Largest objects`);
    for (const t of r.top) {
      const n = t.node;
      const loc = t.location ? ` at ${formatLocation(t.location)}` : '';
      lines.push(`  ${n.className} ${JSON.stringify(n.name).slice(0, 60)} @${n.id}  retained ${formatBytes(n.retainedSize)}${loc}`);
      if (t.pathText) lines.push(`    retained by: ${shortPath(t.pathText, 160)}`);
    }
  }
  lines.push(...stringsTextLines(r.duplicatedStrings, r.largestStrings));
  if (r.external) lines.push('', ...require('../report/external.js').externalText(r.external));
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n') + '\n';
}

module.exports = { run };
