'use strict';
// Reports of `heapwise diff`: plain text for a terminal and Markdown for a pull-request comment or
// $GITHUB_STEP_SUMMARY, both from a HeapDiff (docs/diff-contract.md).
const path = require('node:path');
const { formatBytes, formatSignedBytes, formatCount, formatSignedCount, formatDistance, textTable, clip } = require('../format.js');
const {
  renderFindingsText,
  renderFindingsMarkdown,
  shortPath,
  formatLocation: locationText,
  scriptLabel,
  mdCode,
  mdText,
} = require('./findings.js');

/** `file.js:12:5` (1-based); `names` (scriptId -> name) names scripts whose location came without one. */
function formatLocation(loc, names) {
  if (!loc) return null;
  return locationText(loc.scriptName || !names ? loc : { ...loc, scriptName: names.get(loc.scriptId) });
}

/** Comparison rows that changed, unless `all`: a class with the same count and size is no news. */
function changedRows(d, all) {
  return all ? d.classes : d.classes.filter((r) => r.deltaCount !== 0 || r.sizeDelta !== 0);
}

const TABLE_ROWS = 25; // Comparison / allocated rows in the text report
const MD_ROWS = 10; // class rows in the Markdown report

// ---------------------------------------------------------------------------------------------
// Shared pieces

/**
 * Script names by script id, from every location of the diff that has one (script ids are the
 * isolate's, the same in every snapshot of one process).
 */
function scriptNames(d) {
  const names = new Map();
  if (d.sameProcess === false) return names;
  for (const x of [...(d.growers || []), ...(d.leaks || [])]) {
    if (x.location && x.location.scriptName && !names.has(x.location.scriptId)) names.set(x.location.scriptId, x.location.scriptName);
  }
  return names;
}

/** How a node reads: a closure as `name()`, anything else by its class. */
function nodeLabel(node) {
  if (!node) return '?';
  if (node.type === 'closure') return clip(`${node.name || '(anonymous)'}()`, 60);
  return clip(node.className || node.name || `(${node.type})`, 60);
}

/** The path of a result that has one (`pathText`, heapwise's one notation), shortened. */
function formatRetainerPath(item, max) {
  return item && item.pathText ? shortPath(item.pathText, max) : '';
}

/** The diff's warnings; says so when the snapshots are of different processes and nothing else does. */
function warningsOf(d) {
  const w = [...(d.warnings || [])];
  if (d.sameProcess === false && !w.length) w.push('the snapshots are of different processes (unrelated ids): class-level numbers only');
  return w;
}

function comparisonCells(r) {
  return [
    formatCount(r.newCount),
    formatCount(r.deletedCount),
    formatSignedCount(r.deltaCount),
    formatBytes(r.allocSize),
    formatBytes(r.freedSize),
    formatSignedBytes(r.sizeDelta),
  ];
}
const COMPARISON_HEAD = ['Class', '# New', '# Deleted', '# Delta', 'Alloc. Size', 'Freed Size', 'Size Delta'];

function sideLine(label, s, extra = '') {
  return `  ${label.padEnd(6)} ${s.file}  ${formatCount(s.nodeCount)} objects, total ${formatBytes(s.totalSize)}${extra}`;
}

// ---------------------------------------------------------------------------------------------
// Text

/** The terminal report. opts.rows: how many Comparison / allocated rows (default 25). */
function renderText(d, opts = {}) {
  const rows = opts.rows || TABLE_ROWS;
  const names = scriptNames(d);
  const t = d.totals;
  const L = [];
  L.push('heapwise diff');
  L.push(sideLine('before', d.before));
  L.push(sideLine('after', d.after, `  (${formatSignedBytes(d.sizeDelta)})`));
  if (d.final) L.push(sideLine('final', d.final));
  L.push(
    `Comparison: ${formatCount(t.newCount)} new, ${formatCount(t.deletedCount)} deleted (${formatSignedCount(t.deltaCount)} objects), ` +
      `allocated ${formatBytes(t.allocSize)}, freed ${formatBytes(t.freedSize)}, size delta ${formatSignedBytes(t.sizeDelta)}`,
  );

  L.push('');
  L.push(...renderFindingsText(d.findings || []));

  L.push('');
  const shown = changedRows(d, opts.allRows);
  const hidden = d.classes.length - shown.length;
  if (shown.length) {
    L.push(
      `Comparison (DevTools' Comparison view, largest Alloc. Size first; ${formatCount(shown.length)} classes changed` +
        `${hidden ? `, ${formatCount(hidden)} with objects replaced one for one not shown (--all-rows)` : ''})`,
    );
    L.push(
      textTable(
        COMPARISON_HEAD,
        shown.slice(0, rows).map((r) => [clip(r.name, 48), ...comparisonCells(r)]),
      ),
    );
    if (shown.length > rows) L.push(`  \u2026 ${shown.length - rows} more (--format json lists all)`);
  } else {
    L.push('Comparison: no class gained or lost objects');
  }

  if (d.growers.length) {
    L.push('');
    L.push('Top growers (objects in both snapshots whose retained size grew)');
    d.growers.forEach((g, i) => {
      const n = g.node;
      const loc = formatLocation(g.location, names);
      L.push(
        `  ${i + 1}. ${nodeLabel(n)} @${n.id}  retained ${formatBytes(g.retainedBefore)} \u2192 ${formatBytes(g.retainedAfter)} ` +
          `(${formatSignedBytes(g.growth)})${loc ? `  at ${loc}` : ''}`,
      );
      const p = formatRetainerPath(g);
      if (p) L.push(`     retained by: ${p}`);
    });
  }

  if (d.final) {
    L.push('');
    if (d.leaks.length) {
      L.push('Leak candidates (allocated between before and after, still alive in final; largest retained first)');
      d.leaks.forEach((g, i) => {
        const loc = formatLocation(g.location, names);
        L.push(
          `  ${i + 1}. ${clip(g.name, 60)} \u00d7${formatCount(g.count)}  retained ${formatBytes(g.retainedSize)}${loc ? `  at ${loc}` : ''}`,
        );
        const p = formatRetainerPath(g);
        if (p) L.push(`     retained by: ${p}`);
        if (g.ids && g.ids.length) {
          const shown = g.ids
            .slice(0, 5)
            .map((id) => '@' + id)
            .join(', ');
          L.push(`     ids: ${shown}${g.count > 5 ? `, \u2026 (${formatCount(g.count)} in all)` : ''}`);
        }
      });
    } else {
      L.push('Leak candidates: none (nothing allocated between before and after is alive in final)');
    }
  }

  L.push('');
  if (d.allocated.length) {
    const count = d.allocated.reduce((s, r) => s + r.count, 0);
    const shallow = d.allocated.reduce((s, r) => s + r.shallowSize, 0);
    L.push(
      `Allocated between the snapshots (in after, ids above before's largest): ${formatCount(count)} objects, ` +
        `shallow ${formatBytes(shallow)}; largest retained first`,
    );
    const withDistance = d.allocated.every((r) => typeof r.distance === 'number');
    const head = ['Constructor', ...(withDistance ? ['Distance'] : []), 'Count', 'Shallow Size', 'Retained Size'];
    L.push(
      textTable(
        head,
        d.allocated
          .slice(0, rows)
          .map((r) => [
            clip(r.name, 48),
            ...(withDistance ? [formatDistance(r.distance)] : []),
            `\u00d7${formatCount(r.count)}`,
            formatBytes(r.shallowSize),
            formatBytes(r.retainedSize),
          ]),
      ),
    );
    if (d.allocated.length > rows) L.push(`  \u2026 ${d.allocated.length - rows} more (--format json lists all)`);
  } else {
    L.push('Allocated between the snapshots: nothing');
  }

  L.push('');
  if (d.verdict.ok) {
    L.push('Verdict: ok');
  } else {
    L.push('Verdict: FAILED');
    for (const r of d.verdict.reasons) L.push(`  - ${r.message}`);
  }
  for (const w of warningsOf(d)) L.push(`warning: ${w}`);
  return L.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** The PR-comment / step-summary report. opts.rows: class rows (default 10). */
function renderMarkdown(d, opts = {}) {
  const rows = opts.rows || MD_ROWS;
  const names = scriptNames(d);
  const t = d.totals;
  const L = [];
  const problems = d.verdict.reasons.length;
  L.push(
    d.verdict.ok
      ? '## \u2705 heapwise diff: no leak found, heap within limits'
      : `## \u274c heapwise diff: ${problems === 1 ? '1 problem' : `${problems || 'some'} problems`}`,
  );
  L.push('');
  const file = (s) => mdCode(path.basename(s.file));
  L.push(
    `${file(d.before)} ${formatBytes(d.before.totalSize)} \u2192 ${file(d.after)} ${formatBytes(d.after.totalSize)} ` +
      `(**${formatSignedBytes(d.sizeDelta)}**); ${formatCount(t.newCount)} new, ${formatCount(t.deletedCount)} deleted objects ` +
      `(${formatSignedCount(t.deltaCount)})${d.final ? `; final ${file(d.final)} ${formatBytes(d.final.totalSize)}` : ''}`,
  );
  if (!d.verdict.ok) {
    L.push('');
    for (const r of d.verdict.reasons) L.push(`- ${mdText(r.message)}`);
  }
  L.push('');
  L.push('### Findings');
  L.push('');
  L.push(...renderFindingsMarkdown(d.findings || []));

  const grown = [...changedRows(d, opts.allRows)].sort((a, b) => b.sizeDelta - a.sizeDelta || b.deltaCount - a.deltaCount);
  L.push('');
  L.push('### Classes by size delta');
  L.push('');
  if (grown.length) {
    L.push('| ' + COMPARISON_HEAD.join(' | ') + ' |');
    L.push('| --- ' + '| ---: '.repeat(COMPARISON_HEAD.length - 1) + '|');
    for (const r of grown.slice(0, rows)) L.push(`| ${mdCode(clip(r.name, 80), true)} | ${comparisonCells(r).join(' | ')} |`);
    if (grown.length > rows) L.push('', `_${grown.length - rows} more classes changed; \`--format json\` lists all._`);
  } else {
    L.push('_No class gained or lost objects._');
  }

  if (d.growers.length) {
    L.push('');
    L.push('### Top growers');
    L.push('');
    d.growers.forEach((g, i) => {
      const loc = formatLocation(g.location, names);
      const p = formatRetainerPath(g);
      L.push(
        `${i + 1}. ${mdCode(`${nodeLabel(g.node)} @${g.node.id}`)}: ${formatBytes(g.retainedBefore)} \u2192 ` +
          `${formatBytes(g.retainedAfter)} (**${formatSignedBytes(g.growth)}**)${loc ? `, at ${mdCode(loc)}` : ''}${p ? '\\' : ''}`,
      );
      if (p) L.push(`   retained by ${mdCode(p)}`);
    });
  }

  if (d.final) {
    L.push('');
    L.push('### Leak candidates');
    L.push('');
    if (d.leaks.length) {
      L.push('_Allocated between before and after, still alive in final._');
      L.push('');
      d.leaks.forEach((g, i) => {
        const loc = formatLocation(g.location, names);
        const p = formatRetainerPath(g);
        L.push(
          `${i + 1}. ${mdCode(clip(g.name, 80))} \u00d7${formatCount(g.count)}, retained **${formatBytes(g.retainedSize)}**` +
            `${loc ? `, at ${mdCode(loc)}` : ''}${p ? '\\' : ''}`,
        );
        if (p) L.push(`   retained by ${mdCode(p)}`);
      });
    } else {
      L.push('_None: nothing allocated between before and after is alive in final._');
    }
  }

  if (d.allocated.length) {
    const count = d.allocated.reduce((s, r) => s + r.count, 0);
    L.push('');
    L.push(`<details><summary>Allocated between the snapshots: ${formatCount(count)} objects</summary>`);
    L.push('');
    L.push('| Constructor | Count | Shallow Size | Retained Size |');
    L.push('| --- | ---: | ---: | ---: |');
    for (const r of d.allocated.slice(0, rows)) {
      L.push(
        `| ${mdCode(clip(r.name, 80), true)} | ${formatCount(r.count)} | ${formatBytes(r.shallowSize)} | ${formatBytes(r.retainedSize)} |`,
      );
    }
    if (d.allocated.length > rows) L.push('', `_${d.allocated.length - rows} more classes; \`--format json\` lists all._`);
    L.push('');
    L.push('</details>');
  }

  for (const w of warningsOf(d)) L.push('', `> \u26a0\ufe0f ${mdText(w)}`);
  return L.join('\n') + '\n';
}

module.exports = {
  renderText,
  renderMarkdown,
  formatRetainerPath,
  formatLocation,
  mdCode,
  mdText,
  scriptLabel,
  // The pieces of the text report, for reports that lay a HeapDiff out differently (demo/run.js).
  scriptNames,
  nodeLabel,
  comparisonCells,
  COMPARISON_HEAD,
};
