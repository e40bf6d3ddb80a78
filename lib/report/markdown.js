'use strict';
// `heapwise analyze --format markdown`: the Summary, the Statistics and the largest objects with
// their retainer paths, for a pull-request comment or $GITHUB_STEP_SUMMARY.
const path = require('node:path');
const { formatBytes, formatCount, formatDistance, clip } = require('../format.js');
const { mdCode, formatRetainerPath, formatLocation } = require('./diff.js');
const { stringsMarkdownLines } = require('./strings.js');

const pct = (v, total) => (total > 0 ? `${((100 * v) / total).toFixed(0)} %` : '');

/** The Markdown report of an analyze result (the CLI's JSON shape). opts.rows: Summary rows (default 15). */
function renderAnalyzeMarkdown(r, opts = {}) {
  const rows = opts.rows || 15;
  const s = r.statistics;
  const L = [];
  L.push(`## heapwise analyze: ${mdCode(path.basename(String(r.file)))}`);
  L.push('');
  L.push(`**${formatBytes(r.totalSize)}** in ${formatCount(r.nodeCount)} objects and ${formatCount(r.edgeCount)} references.`);
  L.push('');
  L.push('| Code | Strings | JS arrays | Typed arrays | System | Other JS | Other native |');
  L.push('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  L.push(
    `| ${[s.code, s.strings, s.jsArrays, s.typedArrays, s.system, s.otherJsObjects, s.otherNonJsObjects].map(formatBytes).join(' | ')} |`,
  );
  L.push('');
  L.push('### Summary (largest retained size first)');
  L.push('');
  L.push('| Constructor | Distance | Count | Shallow Size | Retained Size |');
  L.push('| --- | ---: | ---: | ---: | ---: |');
  for (const row of r.summary.slice(0, rows)) {
    L.push(
      `| ${mdCode(clip(row.name, 80), true)} | ${formatDistance(row.distance)} | ${formatCount(row.count)} | ` +
        `${formatBytes(row.shallowSize)} ${pct(row.shallowSize, r.totalSize)} | ${formatBytes(row.retainedSize)} ${pct(row.retainedSize, r.totalSize)} |`,
    );
  }
  if (r.summary.length > rows) L.push('', `_${formatCount(r.summary.length - rows)} more classes; \`--format json\` lists all._`);
  if (r.top && r.top.length) {
    L.push('');
    L.push('### Largest objects');
    L.push('');
    r.top.forEach((t, i) => {
      const n = t.node;
      const loc = formatLocation(t.location);
      const p = formatRetainerPath(t);
      L.push(
        `${i + 1}. ${mdCode(`${clip(n.className, 80)} @${n.id}`)} retained **${formatBytes(n.retainedSize)}**` +
          `${loc ? `, at ${mdCode(loc)}` : ''}${p ? '\\' : ''}`,
      );
      if (p) L.push(`   retained by ${mdCode(p)}`);
    });
  }
  L.push(...stringsMarkdownLines(r.duplicatedStrings, r.largestStrings));
  if (r.external) L.push('', ...require('./external.js').externalMarkdown(r.external, mdCode));
  for (const w of r.warnings || []) L.push('', `> \u26a0\ufe0f ${mdCode(w)}`);
  return L.join('\n') + '\n';
}

module.exports = { renderAnalyzeMarkdown };
