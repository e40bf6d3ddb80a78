'use strict';
// Reports of `heapwise gc`: text for a terminal, Markdown for a pull request or
// $GITHUB_STEP_SUMMARY, and the self-contained HTML page (lib/report/html.js's page, with the
// chart of the heap after each GC drawn by draw.js's lineChart), all from a GcReport (lib/gc).
const path = require('node:path');
const { formatBytes, formatSignedBytes, formatCount, formatDuration, textTable } = require('../format.js');
const { mdCode, mdText } = require('./findings.js');
const { html } = require('./escape.js');
const { page, fact, card, staticTable, warningsHtml, thin } = require('./html.js');

/** Full GCs listed in the text and Markdown reports (the first and the last ones). */
const TABLE_ROWS = 20;
/** GC events embedded per chart at most (full GCs are always kept). */
const MAX_CHART_POINTS = 4000;

const FORMAT_NAMES = {
  'trace-gc': 'node --trace-gc',
  'trace-gc-nvp': 'node --trace-gc-nvp',
  'gc-profiler': 'v8.GCProfiler',
};

/**
 * @typedef {import('../../index').GcReport} GcReport
 * @typedef {GcReport['groups'][number]} GcGroup
 */

/** @param {GcReport} r */
function sourceText(r) {
  return `${r.file ? path.basename(r.file) : 'GC log'} (${r.formats.map((f) => FORMAT_NAMES[f] || f).join(', ')})`;
}

/** @param {GcGroup} g */
function groupTitle(g) {
  return g.pid === null ? 'v8.GCProfiler' : `process ${g.pid}, isolate ${g.isolate}`;
}

/** The facts of a group, as [label, value] pairs: every front end says the same. */
function groupFacts(/** @type {GcGroup} */ g) {
  const t = g.totals;
  const kinds = Object.entries(t.byKind)
    .map(([k, n]) => `${formatCount(n)} ${k}`)
    .join(', ');
  const f = g.fit;
  const floor = g.floor;
  /** @type {Array<[string, string]>} */
  const out = [
    ['GCs', `${formatCount(t.count)}: ${kinds}`],
    [
      'pause',
      `${formatDuration(t.pauseMs)} in total` +
        (t.pausePercent !== null ? `, ${t.pausePercent.toFixed(1)} % of ${formatDuration(t.spanMs)}` : ''),
    ],
  ];
  if (floor.length) {
    out.push([
      'floor',
      `${formatBytes(floor[0].bytes)} \u2192 ${formatBytes(floor[floor.length - 1].bytes)} after ${formatCount(floor.length)} full GC${floor.length === 1 ? '' : 's'}`,
    ]);
  }
  if (f) {
    out.push([
      'slope',
      `${formatSignedBytes(f.slopePerGc)} per full GC` +
        (f.slopePerMinute !== null ? `, ${formatSignedBytes(f.slopePerMinute)} per minute` : ''),
    ]);
    const s = g.steadiness;
    out.push(['steadiness', `rose in ${s.rose} of ${s.steps} steps (${Math.round(100 * s.roseFraction)} %), R\u00b2 ${f.r2.toFixed(2)}`]);
  }
  out.push(['verdict', g.verdict.kind]);
  return out;
}

/** The rows of the full-GC table: the first and last TABLE_ROWS/2 when there are more. */
function floorRows(/** @type {GcGroup} */ g) {
  const rows = g.floor.map((p, k) => {
    const e = g.events[p.event];
    return [
      String(k + 1),
      e.time === null ? '' : formatDuration(e.time),
      e.kind + (e.reduce ? ' (reduce)' : ''),
      formatBytes(e.before),
      formatBytes(e.after),
      formatDuration(e.durationMs),
    ];
  });
  if (rows.length <= TABLE_ROWS) return { rows, skipped: 0 };
  const half = TABLE_ROWS / 2;
  return { rows: [...rows.slice(0, half), ...rows.slice(-half)], skipped: rows.length - TABLE_ROWS, at: half };
}

const FLOOR_HEAD = ['full GC', 'time', 'kind', 'heap before', 'heap after', 'pause'];

/**
 * The text report.
 * @param {GcReport} r
 */
function renderGcText(r) {
  const L = [];
  L.push(`heapwise gc: ${sourceText(r)}`);
  L.push(`${r.verdict.kind.toUpperCase()}: ${r.verdict.message}`);
  for (const g of r.groups) {
    L.push('', groupTitle(g));
    const facts = groupFacts(g);
    const w = Math.max(...facts.map(([l]) => l.length));
    for (const [label, value] of facts) L.push(`  ${label.padEnd(w)}  ${value}`);
    if (g.floor.length) {
      const { rows, skipped, at } = floorRows(g);
      L.push('');
      const table = textTable(FLOOR_HEAD, rows).split('\n');
      if (skipped) table.splice(1 + at, 0, `  \u2026 ${formatCount(skipped)} more full GCs (--format json lists all)`);
      L.push(...table);
    }
  }
  for (const w of r.warnings) L.push('', `warning: ${w}`);
  return L.join('\n') + '\n';
}

/**
 * The Markdown report.
 * @param {GcReport} r
 */
function renderGcMarkdown(r) {
  const L = [];
  L.push(`## heapwise gc: ${mdCode(r.file ? path.basename(r.file) : 'GC log')}`);
  L.push('');
  const mark = r.verdict.kind === 'rising' ? '\u274c' : r.verdict.kind === 'flat' ? '\u2705' : '\u2754';
  L.push(`${mark} **${r.verdict.kind}**: ${mdText(r.verdict.message)}`);
  L.push('');
  L.push(`Read from ${r.formats.map((f) => mdCode(FORMAT_NAMES[f] || f)).join(', ')}.`);
  for (const g of r.groups) {
    L.push('', `### ${mdText(groupTitle(g))}`, '');
    L.push('| | |', '| --- | --- |');
    for (const [label, value] of groupFacts(g)) L.push(`| ${mdText(label)} | ${mdText(value)} |`);
    if (g.floor.length) {
      const { rows, skipped, at } = floorRows(g);
      L.push('', `| ${FLOOR_HEAD.join(' | ')} |`, '| ---: | ---: | --- | ---: | ---: | ---: |');
      rows.forEach((row, i) => {
        if (skipped && i === at) L.push(`| \u2026 | | _${formatCount(skipped)} more_ | | | |`);
        L.push(`| ${row.map(mdText).join(' | ')} |`);
      });
    }
  }
  for (const w of r.warnings) L.push('', `> \u26a0\ufe0f ${mdCode(w)}`);
  return L.join('\n') + '\n';
}

/**
 * What a group's chart draws: the heap after every GC (thinned, the full GCs kept), the floor,
 * and the fitted floor line. x is the time (ms since the isolate started) when the log has
 * times, else the GC's number (v8.GCProfiler).
 * @param {GcGroup} g
 */
function chartModel(g) {
  const timed = g.events.every((e) => e.time !== null);
  const x = (/** @type {number} */ i) => (timed ? /** @type {number} */ (g.events[i].time) : i + 1);
  const full = new Set(g.floor.map((p) => p.event));
  const idx = g.events.map((_, i) => i);
  const kept = idx.length > MAX_CHART_POINTS ? [...new Set([...thin(idx, MAX_CHART_POINTS), ...full])].sort((a, b) => a - b) : idx;
  const f = g.fit;
  let fit = [];
  if (f && g.floor.length >= 2) {
    const a = g.floor[0],
      b = g.floor[g.floor.length - 1];
    fit =
      timed && f.bytesPerMs !== null
        ? [a, b].map((p) => [x(p.event), Math.round(f.interceptBytes + f.bytesPerMs * /** @type {number} */ (p.time))])
        : [
            [x(a.event), f.firstBytes],
            [x(b.event), f.firstBytes + f.riseBytes],
          ];
  }
  return {
    title: groupTitle(g),
    timed,
    after: kept.map((i) => [x(i), g.events[i].after]),
    floor: g.floor.map((p) => [x(p.event), p.bytes]),
    fit,
  };
}

/**
 * The HTML report: a self-contained page with, per process and isolate, the chart of the heap
 * after each GC over time (full GCs marked, the fitted floor line), the facts and the full GCs.
 * @param {GcReport} r
 */
function renderGcHtml(r) {
  const v = r.verdict;
  const verdict =
    v.kind === 'rising'
      ? html`<div class="verdict failed" id="verdict"><div class="title">\u2716 The heap after each full GC rises</div><ul><li>${v.message}</li></ul></div>`
      : html`<div class="verdict ok" id="verdict"><div class="title">\u2714 ${v.kind === 'flat' ? 'The heap after each full GC does not rise steadily' : 'Too few full GCs to tell'}</div><div>${v.message}</div></div>`;
  const groups = r.groups.map((g, i) => {
    const facts = html`<div class="facts">${groupFacts(g).map(([l, val]) =>
      fact(l, val, l === 'verdict' ? (val === 'rising' ? 'bad' : val === 'flat' ? 'good' : '') : ''),
    )}</div>`;
    const { rows, skipped } = floorRows(g);
    return html`${card(groupTitle(g), '', facts)}
${card(
  'Heap after each GC',
  `${chartModel(g).timed ? 'over time since the isolate started' : 'by GC number (v8.GCProfiler has no time per GC)'}; full GCs marked, the dashed line fitted to them; click a legend entry to hide it`,
  html`<div id="chart-gc-${i}" data-chart-host="gc"><p class="note">The chart needs JavaScript.</p></div>`,
)}
${g.floor.length ? card('Full GCs', skipped ? `the first and last ${rows.length / 2} of ${formatCount(g.floor.length)}` : '', staticTable(`table-floor-${i}`, FLOOR_HEAD, rows)) : ''}`;
  });
  const body = html`${verdict}${warningsHtml(r.warnings)}${groups}`;
  return page({
    kind: 'gc',
    title: sourceText(r),
    file: r.file || '',
    body,
    model: { kind: 'gc', data: { verdict: r.verdict, charts: r.groups.map(chartModel) } },
  });
}

module.exports = { renderGcText, renderGcMarkdown, renderGcHtml };
