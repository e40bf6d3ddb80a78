'use strict';
// The self-contained HTML report of `heapwise analyze|diff|watch|gc --format html` (gc's page: lib/report/gc.js): one file, no
// network (inline CSS, inline script, SVG charts drawn by that script, a Content-Security-Policy
// that allows nothing else). The tables, retainer paths and verdict are written into the page as
// escaped HTML, so the report is readable with JavaScript off; the script adds sorting, filtering
// and the charts from the data block, a `<script type="application/json">` element whose JSON
// cannot end the element (lib/report/escape.js).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const format = require('../format.js');
const { formatLocation, scriptNames, nodeLabel, comparisonCells } = require('./diff.js');
const { html, raw, jsonForScript } = require('./escape.js');
const { growthText, accumulatesText } = require('./findings.js');
const { browserScript } = require('./assets.js');
const strings = require('./strings.js');

const { formatBytes, formatSignedBytes, formatCount, formatSignedCount, formatDistance } = format;

/** Rows of a class table written into the page (the script shows up to 1,000 of the embedded). */
const STATIC_ROWS = 200;
/** Class rows embedded in the data block at most (analyze's Summary, diff's Comparison). */
const MAX_EMBEDDED_ROWS = 5000;
/** Process-memory samples embedded at most (a long watch is thinned evenly). */
const MAX_SAMPLES = 5000;

let assets = null;
/** The page's CSS and script, read once from the files beside this one. */
function pageAssets() {
  if (assets) return assets;
  const css = fs.readFileSync(path.join(__dirname, 'page.css'), 'utf8');
  const script = browserScript(path.join(__dirname, 'client.js'));
  const hash = crypto.createHash('sha256').update(script, 'utf8').digest('base64');
  assets = { css, script, hash };
  return assets;
}

const pct = (v, total) => (total > 0 ? `${((100 * v) / total).toFixed(0)} %` : '');

/** The whole page. `model` goes into the data block; `body` is SafeHtml. */
function page({ kind, title, file, body, model }) {
  const { css, script, hash } = pageAssets();
  const version = require('../../package.json').version;
  const csp = `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="heapwise ${version}">
<title>${title}</title>
<style>
${raw(css)}</style>
</head>
<body data-kind="${kind}">
<header class="top">
<h1><span class="kind">heapwise ${kind}</span> ${title}</h1>
<div class="file">${file}</div>
</header>
<main>
<noscript><p class="note">JavaScript is off: the tables show their first rows without sorting or filtering, and the charts are not drawn.</p></noscript>
${body}
</main>
<footer>heapwise ${version} \u00b7 written ${new Date().toISOString()} \u00b7 self-contained: no network requests</footer>
<script type="application/json" id="heapwise-data">${raw(jsonForScript(model))}</script>
<script>${raw(script)}</script>
</body>
</html>
`.text;
}

// ---------------------------------------------------------------------------------------------
// Pieces written into the page

function fact(label, value, cls) {
  return html`<div class="fact ${cls || ''}"><div class="v">${value}</div><div class="l">${label}</div></div>`;
}

function card(title, sub, content, attrs = '') {
  return html`<section class="card"${raw(attrs)}><h2>${title}${sub ? html`<span class="sub">${sub}</span>` : ''}</h2>${content}</section>`;
}

/** A static table: head = [label...], rows = [[cell...]] (cells are text or SafeHtml). */
function staticTable(id, head, rows, { note = undefined } = {}) {
  return html`<div class="table-wrap" id="${id}"><table class="data"><thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c, i) => (i === 0 ? html`<td class="name">${c}</td>` : html`<td>${c}</td>`))}</tr>\n`)}</tbody></table>
${note ? html`<p class="note nojs-only">${note}</p>` : ''}</div>`;
}

/** A retainer path as steps: `(root)`, then each holder with the edge it holds the next by. */
/** The path of a result in heapwise's one notation (`pathText`), with the object's id. */
function pathHtml(item) {
  if (!item || !item.pathText) return '';
  const id = item.node ? html` <span class="muted">@${item.node.id}</span>` : '';
  return html`<div class="path">${item.pathText}${id}</div>`;
}

/** The findings of a diff: the holder, its growth, what accumulates, the code to change. */
function findingsHtml(findings) {
  if (!findings || !findings.length) return html`<p class="good-text">Nothing grew.</p>`;
  return html`<ol class="items">${findings.slice(0, 10).map(
    (
      f,
    ) => html`<li><div class="head">${f.leak ? html`<span class="bad-text">Leak</span> ` : ''}<span class="name">${format.clip(f.holder.description, 160)}</span></div>
<div>grows ${growthText(f)}</div>
${f.accumulates.length ? html`<div class="muted">accumulates ${accumulatesText(f)}</div>` : ''}
${f.code.length ? html`<ul class="code">${f.code.slice(0, 4).map((c) => html`<li><span class="loc">${formatLocation(c.location)}</span> <span class="muted">${c.role}</span> <code>${c.text || c.function || ''}</code></li>`)}</ul>` : ''}
${f.closure ? html`<div class="muted">${f.closure.message}</div>` : ''}${pathHtml(f)}</li>`,
  )}</ol>`;
}

function locHtml(loc, names) {
  const l = formatLocation(loc, names);
  return l ? html` <span class="loc">at ${l}</span>` : '';
}

/** An object's headline: its class (or closure name), its name or string text when that says more, its id. */
function nodeTitle(n) {
  const name = n.name && n.name !== n.className && n.type !== 'closure' ? ` ${JSON.stringify(format.clip(n.name, 100))}` : '';
  return html`<span class="name">${format.clip(nodeLabel(n), 100)}</span>${name ? html` <span class="muted">${name}</span>` : ''} <span class="muted">@${n.id}</span>`;
}

function warningsHtml(list) {
  if (!list || !list.length) return '';
  return html`<div class="warnings">${list.map((w) => html`<div>\u26a0 ${w}</div>`)}</div>`;
}

/** An even thinning of `list` to at most `max` items (first and last kept). */
function thin(list, max) {
  if (!Array.isArray(list) || list.length <= max) return list;
  const out = [];
  const step = (list.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(list[Math.round(i * step)]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// analyze

/**
 * The report of `heapwise analyze --format html`. `result` is the CLI's JSON result
 * (`{file, nodeCount, edgeCount, totalSize, statistics, summary, top, warnings}`) with an
 * optional `dominatorTree` (lib/report/dominators.js) and `fileSize`.
 */
function renderAnalyzeHtml(result) {
  const r = result;
  const total = r.totalSize;
  const summary = r.summary || [];
  const data = {
    ...r,
    ...(summary.length > MAX_EMBEDDED_ROWS ? { summary: summary.slice(0, MAX_EMBEDDED_ROWS) } : {}),
    // the card is drawn here; the page keeps only its numbers and paths (a string's text can be
    // a whole source file)
    ...(r.external ? { external: compactExternal(r.external) } : {}),
  };
  const s = r.statistics || {};
  const facts = html`<div class="facts">
${fact('total size', formatBytes(total))}
${r.fileSize ? fact('file size', formatBytes(r.fileSize)) : ''}
${fact('objects', formatCount(r.nodeCount))}
${fact('references', formatCount(r.edgeCount))}
${fact('classes', formatCount(summary.length))}
${s.native !== undefined ? fact('V8 heap / native', `${formatBytes(s.v8Heap)} / ${formatBytes(s.native)}`) : ''}
</div>`;
  const statRows = [
    ['Code', s.code],
    ['Strings', s.strings],
    ['JS arrays', s.jsArrays],
    ['Typed arrays', s.typedArrays],
    ['System objects', s.system],
    ['Other JS objects', s.otherJsObjects],
    ['Other native', s.otherNonJsObjects],
  ].filter((x) => typeof x[1] === 'number');
  const stats = card(
    'Statistics',
    `of ${formatBytes(total)}`,
    html`<div class="chart" id="chart-statistics">
${staticTable(
  'table-statistics',
  ['Category', 'Size', '%'],
  statRows.map(([k, v]) => [k, formatBytes(v), pct(v, total)]),
)}</div>`,
  );

  const summaryTable = card(
    'Summary',
    'one row per class, as DevTools\u2019 Summary view; click a header to sort',
    staticTable(
      'table-summary',
      ['Constructor', 'Distance', 'Count', 'Shallow Size', 'Retained Size'],
      summary
        .slice(0, STATIC_ROWS)
        .map((row) => [
          row.name,
          formatDistance(row.distance),
          `\u00d7${formatCount(row.count)}`,
          html`${formatBytes(row.shallowSize)}<span class="pct">${pct(row.shallowSize, total)}</span>`,
          html`${formatBytes(row.retainedSize)}<span class="pct">${pct(row.retainedSize, total)}</span>`,
        ]),
      {
        note:
          summary.length > STATIC_ROWS
            ? `the first ${STATIC_ROWS} of ${formatCount(summary.length)} classes, largest retained size first`
            : '',
      },
    ),
  );

  const tree = r.dominatorTree
    ? card(
        'Dominator tree',
        'what holds the memory: each box retains the boxes inside it; click to zoom in',
        html`<div id="chart-dominators"><p class="note">The treemap needs JavaScript.</p></div>`,
      )
    : '';

  const names = new Map();
  for (const t of r.top || []) if (t.location && t.location.scriptName) names.set(t.location.scriptId, t.location.scriptName);
  const top = (r.top || []).length
    ? card(
        'Largest objects',
        'by retained size, with the shortest retainer path from the root',
        html`<ol class="items">${r.top.map(
          (t) => html`<li><div class="head">${nodeTitle(t.node)} retained ${formatBytes(t.node.retainedSize)}
<span class="muted">(${pct(t.node.retainedSize, total)})</span>${locHtml(t.location, names)}</div>${pathHtml(t)}</li>`,
        )}</ol>`,
      )
    : '';

  const body = html`${warningsHtml(r.warnings)}
<section class="card"><h2>Heap</h2>${facts}</section>
<div class="grid2">${stats}${tree}</div>
${summaryTable}
${top}
${stringsHtml(r.duplicatedStrings, r.largestStrings)}
${r.external ? externalCard(r.external) : ''}`;
  return page({
    kind: 'analyze',
    title: path.basename(String(r.file || 'snapshot')),
    file: r.file || '',
    body,
    model: { kind: 'analyze', summaryRows: summary.length, data },
  });
}

/** The duplicated strings and the largest strings of an analyze result, as two cards. */
function stringsHtml(d, l) {
  const copyHtml = (c) => html`<div class="path">held by ${strings.holderText(c)} <span class="muted">@${c.node.id}</span></div>`;
  const dup =
    d && d.groups.length
      ? card(
          'Duplicated strings',
          strings.duplicatedHeadline(d),
          html`<ol class="items">${d.groups.slice(0, 10).map(
            (g) => html`<li><div class="head"><code>${format.clip(g.content.preview, 120)}</code> \u00d7${formatCount(g.copies)}
<span class="muted">${formatBytes(g.wastedSize)} wasted of ${formatBytes(g.totalSize)}</span></div>${g.largest[0] ? copyHtml(g.largest[0]) : ''}</li>`,
          )}</ol>`,
        )
      : '';
  const big =
    l && l.strings.length
      ? card(
          'Largest strings',
          `of ${formatCount(l.total)} strings, ${formatBytes(l.totalSize)}`,
          html`<ol class="items">${l.strings
            .slice(0, 10)
            .map(
              (s) =>
                html`<li><div class="head">${formatBytes(s.copy.node.shallowSize)} <code>${format.clip(s.content.preview, 120)}</code></div>${copyHtml(s.copy)}</li>`,
            )}</ol>`,
        )
      : '';
  return html`${dup}${big}`;
}

/**
 * externalMemory()'s result without the objects' names: numbers, classes and paths.
 * @param {import('../../index').ExternalMemory} x
 */
function compactExternal(x) {
  /** @param {import('../../index').ExternalItem} i */
  const item = (i) => ({ id: i.node.id, className: i.node.className, shallowSize: i.node.shallowSize, pathText: i.pathText });
  return {
    ...x,
    classes: x.classes.map((c) => ({ ...c, largest: c.largest.map(item) })),
    holders: {
      ...x.holders,
      items: x.holders.items.map((h) => ({
        ...h,
        holder: h.holder && { id: h.holder.id, className: h.holder.className },
        largest: item(h.largest),
      })),
    },
  };
}

/**
 * "Outside the JS heap": the totals by kind, the top holders, the detached embedder classes
 * (docs/external-memory.md).
 * @param {import('../../index').ExternalMemory} x
 */
function externalCard(x) {
  const { kindLabel } = require('./external.js');
  const kinds = staticTable(
    'table-external',
    ['Kind', 'Count', 'Size'],
    x.totals.map((t) => [kindLabel(t.kind), t.kind === 'extraNativeBytes' ? '' : formatCount(t.count), formatBytes(t.bytes)]),
  );
  const holders = staticTable(
    'table-external-holders',
    ['Held by', 'Kind', 'Count', 'Size'],
    x.holders.items.map((h) => [
      html`${h.holder ? `${h.holder.className} @${h.holder.id}` : '(roots only)'} <span class="muted">${h.holder && /[.[\u2192]/.test(h.pathText) ? h.pathText : `largest at ${h.largest.pathText}`}</span>`,
      kindLabel(h.kind),
      formatCount(h.count),
      formatBytes(h.bytes),
    ]),
  );
  const detached = x.classes.filter((c) => c.kind === 'detachedEmbedder');
  const detachedTable = detached.length
    ? staticTable(
        'table-external-detached',
        ['Detached class', 'Count', 'Size', 'Largest at'],
        detached.map((c) => [c.name, formatCount(c.count), formatBytes(c.bytes), c.largest[0] ? c.largest[0].pathText : '']),
      )
    : '';
  const r = x.reconcile;
  return card(
    'Outside the JS heap',
    `typed arrays ${formatBytes(r.typedArrays)} = backing stores; other native ${formatBytes(r.otherNonJsObjects)} = embedder + detached + extra native bytes`,
    html`${kinds}${holders}${detachedTable}`,
  );
}

// ---------------------------------------------------------------------------------------------
// diff

function verdictHtml(v) {
  if (!v) return '';
  if (v.ok)
    return html`<div class="verdict ok"><div class="title">\u2714 Verdict: ok</div><div>within every threshold; no leak found</div></div>`;
  return html`<div class="verdict failed" id="verdict"><div class="title">\u2716 Verdict: FAILED (${v.reasons.length} ${v.reasons.length === 1 ? 'reason' : 'reasons'})</div>
<ul>${v.reasons.map((x) => html`<li>${x.message}</li>`)}</ul></div>`;
}

/** The report of `heapwise diff --format html`: `d` is a HeapDiff (docs/diff-contract.md). */
function renderDiffHtml(d) {
  const names = scriptNames(d);
  const t = d.totals;
  const classes = d.classes || [];
  const data = classes.length > MAX_EMBEDDED_ROWS ? { ...d, classes: classes.slice(0, MAX_EMBEDDED_ROWS) } : d;
  const side = (label, s) =>
    s
      ? html`<div><b>${label}</b> <span class="mono">${s.file}</span> <span class="muted">${formatCount(s.nodeCount)} objects, total ${formatBytes(s.totalSize)}</span></div>`
      : '';
  const facts = html`<div class="facts">
${fact('size delta', formatSignedBytes(d.sizeDelta), d.sizeDelta > 0 ? 'bad' : 'good')}
${fact('before \u2192 after', `${formatBytes(d.before.totalSize)} \u2192 ${formatBytes(d.after.totalSize)}`)}
${fact('new objects', formatCount(t.newCount))}
${fact('deleted objects', formatCount(t.deletedCount))}
${fact('object delta', formatSignedCount(t.deltaCount), t.deltaCount > 0 ? 'bad' : '')}
${fact('allocated / freed', `${formatBytes(t.allocSize)} / ${formatBytes(t.freedSize)}`)}
${d.final ? fact('leak groups', formatCount(d.leaks.length), d.leaks.length ? 'bad' : 'good') : ''}
</div>`;
  const byDelta = [...classes].sort((a, b) => b.sizeDelta - a.sizeDelta || b.deltaCount - a.deltaCount);
  const comparison = card(
    'Comparison',
    'DevTools\u2019 Comparison view per class; click a header to sort',
    staticTable(
      'table-comparison',
      ['Class', '# New', '# Deleted', '# Delta', 'Alloc. Size', 'Freed Size', 'Size Delta'],
      byDelta.slice(0, STATIC_ROWS).map((r) => [r.name, ...comparisonCells(r)]),
      {
        note:
          classes.length > STATIC_ROWS
            ? `the first ${STATIC_ROWS} of ${formatCount(classes.length)} classes, largest size delta first`
            : '',
      },
    ),
  );

  const findings = card('Findings', 'where the growth is held, ranked: leaks first', findingsHtml(d.findings));

  const growers = (d.growers || []).length
    ? card(
        'Top growers',
        'objects in both snapshots whose retained size grew, and what holds them',
        html`<ol class="items">${d.growers.map(
          (
            g,
          ) => html`<li><div class="head">${nodeTitle(g.node)} retained ${formatBytes(g.retainedBefore)} \u2192 ${formatBytes(g.retainedAfter)}
<span class="bad-text">(${formatSignedBytes(g.growth)})</span>${locHtml(g.location, names)}</div>${pathHtml(g)}</li>`,
        )}</ol>`,
      )
    : '';

  /** @type {any} */
  let leaks = '';
  if (d.final) {
    leaks = card(
      'Leak candidates',
      'allocated between before and after, still alive in final; grouped by retainer path',
      d.leaks.length
        ? html`<ol class="items">${d.leaks.map(
            (g) => html`<li><div class="head"><span class="name">${format.clip(g.name, 100)}</span> \u00d7${formatCount(g.count)}
retained <span class="bad-text">${formatBytes(g.retainedSize)}</span>${locHtml(g.location, names)}</div>${pathHtml(g)}
${
  g.ids && g.ids.length
    ? html`<div class="muted mono">ids: ${g.ids
        .slice(0, 8)
        .map((id) => '@' + id)
        .join(', ')}${g.count > 8 ? ', \u2026' : ''}</div>`
    : ''
}</li>`,
          )}</ol>`
        : html`<p class="good-text">None: nothing allocated between before and after is alive in final.</p>`,
    );
  }

  const allocated = d.allocated || [];
  const allocCount = allocated.reduce((a, r) => a + r.count, 0);
  const allocatedCard = card(
    'Allocated between the snapshots',
    `${formatCount(allocCount)} objects in after with ids above before\u2019s largest`,
    allocated.length
      ? staticTable(
          'table-allocated',
          ['Constructor', 'Count', 'Shallow Size', 'Retained Size'],
          allocated
            .slice(0, STATIC_ROWS)
            .map((r) => [r.name, `\u00d7${formatCount(r.count)}`, formatBytes(r.shallowSize), formatBytes(r.retainedSize)]),
        )
      : html`<p class="muted">nothing</p>`,
  );

  const charts = html`<div class="grid2">
${card('What grew', 'treemap; click a box to zoom', html`<div id="chart-diff-treemap"><p class="note">The treemap needs JavaScript.</p></div>`)}
${card('Size delta by class', 'the 15 largest changes', html`<div class="chart" id="chart-deltas"><p class="note">The chart needs JavaScript.</p></div>`)}
</div>`;

  const warnings = [...(d.warnings || [])];
  if (d.sameProcess === false && !warnings.length)
    warnings.push('the snapshots are of different processes (unrelated ids): class-level numbers only');
  const body = html`${verdictHtml(d.verdict)}${warningsHtml(warnings)}
${findings}
<section class="card"><h2>Snapshots</h2>${side('before', d.before)}${side('after', d.after)}${side('final', d.final)}${facts}</section>
${charts}
${growers}
${leaks}
${comparison}
${allocatedCard}`;
  return page({
    kind: 'diff',
    title: `${path.basename(String(d.before.file))} \u2192 ${path.basename(String(d.after.file))}`,
    file: `${d.before.file} \u2192 ${d.after.file}${d.final ? ` \u2192 ${d.final.file}` : ''}`,
    body,
    model: { kind: 'diff', classRows: classes.length, data },
  });
}

// ---------------------------------------------------------------------------------------------
// watch

/** The report of `heapwise watch --format html`: `series` is a WatchSeries (see README). */
function renderWatchHtml(series) {
  const w = series;
  const snaps = w.snapshots || [];
  const samples = w.samples || [];
  const data = samples.length > MAX_SAMPLES ? { ...w, samples: thin(samples, MAX_SAMPLES) } : w;
  const first = snaps[0];
  const last = snaps[snaps.length - 1];
  const lastSample = samples[samples.length - 1];
  const firstSample = samples[0];
  const t0 = Math.min(...[w.startedAt, first && first.time, firstSample && firstSample.time].filter((x) => typeof x === 'number'));
  const t1 = Math.max(...[last && last.time, lastSample && lastSample.time].filter((x) => typeof x === 'number'));
  const span = Number.isFinite(t0) && Number.isFinite(t1) ? t1 - t0 : 0;
  const dur =
    span >= 3600e3
      ? `${(span / 3600e3).toFixed(1)} h`
      : span >= 60e3
        ? `${(span / 60e3).toFixed(1)} min`
        : `${(span / 1e3).toFixed(span < 10e3 ? 1 : 0)} s`;
  const src = w.source || {};
  const srcText =
    src.kind === 'command'
      ? `${(src.command || []).join(' ')}${src.pid ? `, process ${src.pid}` : ''}`
      : src.kind === 'capture'
        ? `capture of process ${src.pid ?? ''}`
        : src.kind === 'dir'
          ? `folder ${src.dir || ''}${src.pid ? `, process ${src.pid}` : ''}`
          : `${snaps.length} files`;
  const leaks = w.leaks || [];
  const growth = w.growth || [];

  const facts = html`<div class="facts">
${fact('snapshots', formatCount(snaps.length))}
${fact('over', dur)}
${first && last ? fact('heap first \u2192 last', `${formatBytes(first.totalSize)} \u2192 ${formatBytes(last.totalSize)}`, last.totalSize > first.totalSize ? 'bad' : '') : ''}
${firstSample && lastSample ? fact('RSS first \u2192 last', `${formatBytes(firstSample.rss)} \u2192 ${formatBytes(lastSample.rss)}`, lastSample.rss > firstSample.rss ? 'bad' : '') : ''}
${lastSample && typeof lastSample.pss === 'number' ? fact('PSS (last)', formatBytes(lastSample.pss)) : ''}
${fact('growing', formatCount(growth.length), growth.length ? 'bad' : 'good')}
${fact('leaks', formatCount(leaks.length), leaks.length ? 'bad' : 'good')}
</div>`;
  const verdict = leaks.length
    ? html`<div class="verdict failed" id="verdict"><div class="title">\u2716 Leak${leaks.length > 1 ? 's' : ''} flagged</div><ul>${leaks.map((l) => html`<li><span class="mono">${l.name}</span>: ${l.reason}</li>`)}</ul></div>`
    : html`<div class="verdict ok"><div class="title">\u2714 No leak flagged</div></div>`;

  const growthCard = card(
    'What grows',
    'the findings: the object that holds each growth, how fast it grows, the code that fills it',
    growth.length
      ? html`<ol class="items">${growth.map(
          (g) => html`<li><div class="head"><span class="name">${format.clip(g.description || g.name, 140)}</span>
${g.leak ? html`<span class="bad-text">leak</span> ` : ''}grew in ${g.grewIn} of ${g.window} steps: <span class="bad-text">${formatSignedCount(g.countDelta)} members, ${formatSignedBytes(g.sizeDelta)}</span></div>
<div class="muted">${g.message || ''}</div>${g.pathText ? html`<div class="muted mono">${g.pathText}</div>` : ''}</li>`,
        )}</ol>`
      : html`<p class="good-text">Nothing grew.</p>`,
  );

  const snapshotRows = snaps.map((s) => [
    path.basename(String(s.file)),
    new Date(s.time).toISOString(),
    formatCount(s.nodeCount),
    formatCount(s.edgeCount),
    formatBytes(s.totalSize),
  ]);
  const classes = last
    ? card(
        'Classes in the last snapshot',
        `${path.basename(String(last.file))}; the largest by retained size`,
        staticTable(
          'table-classes',
          ['Constructor', 'Count', 'Shallow Size', 'Retained Size'],
          (last.classes || [])
            .slice(0, STATIC_ROWS)
            .map((r) => [r.name, `\u00d7${formatCount(r.count)}`, formatBytes(r.shallowSize), formatBytes(r.retainedSize)]),
        ),
      )
    : '';

  // what `watch` could not use (partial files, a process that exited): strings or {message, code}
  const notes = [...(w.skipped || []), ...(w.errors || []), ...(w.warnings || [])].map((x) =>
    x && typeof x === 'object'
      ? `${x.file ? `${path.basename(String(x.file))}: ` : ''}${x.message || ''}${x.code ? ` (${x.code})` : ''}`
      : String(x),
  );
  const body = html`${verdict}${warningsHtml(notes)}
<section class="card"><h2>Series <span class="sub">${srcText}</span></h2>${facts}${watchRunHtml(w)}</section>
${watchLayersHtml(w)}
${card(
  'Memory over time',
  'JS heap from the snapshots; RSS and PSS of the process tree and the V8 heap counters from the samples; click a legend entry to hide it',
  html`<div id="chart-memory"><p class="note">The chart needs JavaScript.</p></div>`,
)}
<div class="grid2">
${card('What grows: members', 'members added up to each snapshot', html`<div id="chart-growth-count"><p class="note">The chart needs JavaScript.</p></div>`)}
${card('What grows: retained size', 'of each holder, per snapshot', html`<div id="chart-growth-size"><p class="note">The chart needs JavaScript.</p></div>`)}
</div>
${watchGcHtml(w)}
${growthCard}
${classes}
${card('Snapshots', '', staticTable('table-snapshots', ['File', 'Time', 'Objects', 'References', 'Total size'], snapshotRows))}`;
  return page({
    kind: 'watch',
    title: srcText,
    file: src.dir || (last ? last.file : ''),
    body,
    model: { kind: 'watch', data: w.gc ? { ...data, gcCharts: w.gc.groups.map(watchGcChart) } : data },
  });
}

/** How the program run under watch ended (`watch -- CMD`), as a line of the Series card. */
function watchRunHtml(w) {
  const r = w.run;
  if (!r) return '';
  if (r.error) return html`<p class="bad-text">The program could not be started: ${r.error}</p>`;
  const how =
    r.exitCode === null && r.signal === null
      ? 'was still running at the end (ended by heapwise)'
      : r.signal
        ? `exited on signal ${r.signal}`
        : `exited with code ${r.exitCode}`;
  return html`<p class="${r.exitCode ? 'bad-text' : 'muted'}">The program (pid ${String(r.pid)}) ${how}; ${String((r.nodeProcesses || []).length)} Node process(es) took heapwise's NODE_OPTIONS${r.keptDir ? `; snapshots kept in ${r.keptDir}` : ''}.</p>`;
}

/** The verdict across layers (lib/watch/layers.js) and its table. */
function watchLayersHtml(w) {
  const v = w.layers;
  if (!v) return '';
  const cls = v.kind === 'none' ? 'ok' : v.kind === 'insufficient' ? '' : 'failed';
  const rows = v.layers.map((l) => [
    l.label,
    `${l.source} (${l.points})`,
    `${formatBytes(l.first)} \u2192 ${formatBytes(l.last)}`,
    formatSignedBytes(l.change),
    l.verdict === 'insufficient' ? 'too few points' : `${l.verdict}: rose in ${l.rose} of ${l.steps}, R\u00b2 ${l.r2.toFixed(2)}`,
  ]);
  return html`<div class="verdict ${cls}" id="layers"><div class="title">Verdict across layers</div><div>${v.message}</div></div>
${rows.length ? card('Layers', 'each judged by the same rule: the low envelope of its values rises steadily, fits a line and still rises (docs/watch-run.md)', staticTable('table-layers', ['Layer', 'From', 'First \u2192 last', 'Change', 'Verdict'], rows)) : ''}`;
}

/** The GC floor of a watch: one chart per process and isolate. */
function watchGcHtml(w) {
  if (!w.gc) return '';
  return card(
    'GC floor',
    `${w.gc.verdict.kind}: ${w.gc.verdict.message}; the heap after each full GC, the dashed line fitted to it`,
    html`${w.gc.groups.map((_, i) => html`<div id="chart-watch-gc-${i}"><p class="note">The chart needs JavaScript.</p></div>`)}`,
  );
}

/** What the GC chart of a group draws: the floor [ms since the isolate started, bytes] and the fitted line. */
function watchGcChart(g) {
  const timed = g.floor.every((p) => p.time !== null);
  const x = (p, k) => (timed ? p.time : k + 1);
  const f = g.fit;
  let fit = [];
  if (f && g.floor.length >= 2) {
    const a = g.floor[0];
    const b = g.floor[g.floor.length - 1];
    fit =
      timed && f.bytesPerMs !== null
        ? [a, b].map((p) => [p.time, Math.round(f.interceptBytes + f.bytesPerMs * p.time)])
        : [
            [1, f.firstBytes],
            [g.floor.length, f.firstBytes + f.riseBytes],
          ];
  }
  return {
    title: g.pid === null ? 'v8.GCProfiler' : `process ${g.pid}, isolate ${g.isolate}`,
    timed,
    floor: g.floor.map((p, k) => [x(p, k), p.bytes]),
    fit,
  };
}

// page and its pieces serve the reports of other commands (lib/report/gc.js)
module.exports = { renderAnalyzeHtml, renderDiffHtml, renderWatchHtml, page, fact, card, staticTable, warningsHtml, thin };
