'use strict';
// Reports of `heapwise dhat`: text for a terminal, Markdown for a pull request or
// $GITHUB_STEP_SUMMARY, and a self-contained HTML page (lib/report/html.js's page, with tables),
// from a DhatProfile (one file) or a DhatDiff (two), as lib/dhat makes them.
const path = require('node:path');
const { formatBytes, formatCount, formatSignedCount, textTable } = require('../format.js');
const { mdCode, mdText } = require('./findings.js');
const { html } = require('./escape.js');
const { page, fact, card, staticTable } = require('./html.js');
const { isAllocatorFrame } = require('../dhat/sites.js');

/** Frames listed per site in the text and Markdown reports (JSON has them all). */
const FRAMES_SHOWN = 6;

/**
 * @typedef {import('../../index').DhatProfile} DhatProfile
 * @typedef {import('../../index').DhatDiff} DhatDiff
 * @typedef {import('../../index').DhatAmount} DhatAmount
 * @typedef {import('../../index').DhatFrame} DhatFrame
 * @typedef {import('../../index').DhatSiteChanges} DhatSiteChanges
 */

/** `36,701 bytes in 659 blocks`, as DHAT prints it. @param {DhatAmount | null} a */
const amountText = (a) => (a ? `${formatCount(a.bytes)} bytes in ${formatCount(a.blocks)} blocks` : 'not recorded');
/** `+29,731 bytes, -600 blocks`. @param {DhatAmount} d */
const deltaText = (d) => `${formatSignedCount(d.bytes)} bytes, ${formatSignedCount(d.blocks)} blocks`;

/** @param {DhatProfile} p */
function sourceText(p) {
  const name = p.file ? path.basename(p.file) : 'DHAT profile';
  return `${name} (${p.mode}${p.command ? `, ${p.command}` : ''}${p.pid !== null ? `, pid ${p.pid}` : ''})`;
}

/** The moments DHAT records, with their labels. */
const MOMENTS = /** @type {const} */ ([
  ['total', 'total'],
  ['gmax', 'at t-gmax'],
  ['end', 'at t-end'],
]);

/**
 * The frames a report lists: from the first one outside the allocator, FRAMES_SHOWN at most, and
 * how many allocator frames came before and how many frames after.
 * @param {DhatFrame[]} frames
 */
function shownFrames(frames) {
  let first = frames.findIndex((f) => !isAllocatorFrame(f));
  if (first < 0) first = 0;
  const shown = frames.slice(first, first + FRAMES_SHOWN);
  return { shown, allocator: first, more: frames.length - first - shown.length };
}

/** @param {DhatFrame[]} frames */
function frameLines(frames) {
  const { shown, allocator, more } = shownFrames(frames);
  return [
    ...(allocator ? [`(${allocator} allocator frame${allocator === 1 ? '' : 's'})`] : []),
    ...shown.map((f) => f.text),
    ...(more ? [`\u2026 ${more} more`] : []),
  ];
}

const pct = (/** @type {number} */ v, /** @type {number | undefined} */ total) => (total ? ` (${((100 * v) / total).toFixed(1)} %)` : '');

/**
 * The text of one profile.
 * @param {DhatProfile} p
 */
function renderProfileText(p) {
  const L = [`heapwise dhat: ${sourceText(p)}`, ''];
  for (const [k, label] of MOMENTS) L.push(`  ${label.padEnd(9)}  ${amountText(p.totals[k])}`);
  L.push(
    `  ${formatCount(p.siteCount)} site${p.siteCount === 1 ? '' : 's'} from ${formatCount(p.programPoints)} program point${p.programPoints === 1 ? '' : 's'}`,
  );
  const lists = [
    ['end', 'at t-end (still allocated when the profile was written)'],
    ['gmax', 'at t-gmax (the peak)'],
  ];
  if (!p.blockLifetimes) lists.push(['total', 'allocated in all (this mode records no lifetimes)']);
  for (const [k, title] of lists) {
    const sites = p.top[/** @type {'end' | 'gmax' | 'total'} */ (k)];
    const total = p.totals[/** @type {'end' | 'gmax' | 'total'} */ (k)];
    L.push('', `Top sites ${title}`);
    if (!sites.length) L.push('  none');
    sites.forEach((s, i) => {
      const a = /** @type {DhatAmount} */ (s[/** @type {'end' | 'gmax' | 'total'} */ (k)]);
      L.push(`  ${i + 1}. ${amountText(a)}${pct(a.bytes, total ? total.bytes : 0)}`);
      for (const line of frameLines(s.frames)) L.push(`       ${line}`);
    });
  }
  return L.join('\n') + '\n';
}

/** @param {DhatDiff} d */
function totalsRows(d) {
  return MOMENTS.filter(([k]) => d.totals[k]).map(([k, label]) => {
    const t = /** @type {import('../../index').DhatTotalChange} */ (d.totals[k]);
    return [label, amountText(t.a), amountText(t.b), deltaText(t.delta)];
  });
}

const CHANGE_KINDS = /** @type {const} */ (['grew', 'appeared', 'shrank', 'disappeared']);

/** @param {DhatSiteChanges} c */
function countsText(c) {
  return CHANGE_KINDS.map((k) => `${formatCount(c.counts[k])} ${k}`).join(', ');
}

/**
 * The text of a difference.
 * @param {DhatDiff} d
 */
function renderDiffText(d) {
  const L = [`heapwise dhat: A ${sourceText(d.a)}`, `           \u2192 B ${sourceText(d.b)}`, ''];
  L.push(textTable(['', 'A', 'B', 'B \u2212 A'], totalsRows(d)));
  for (const [k, title] of /** @type {const} */ ([
    ['end', 'at t-end'],
    ['gmax', 'at t-gmax'],
  ])) {
    const c = d[k];
    if (!c) continue;
    L.push('', `Sites ${title}: ${countsText(c)} (matched on ${d.matchFrames} frames outside the allocator)`);
    for (const kind of CHANGE_KINDS) {
      for (const s of c[kind]) {
        L.push(`  ${kind.padEnd(11)} ${formatSignedCount(s.delta.bytes)} bytes (${amountText(s.a)} \u2192 ${amountText(s.b)})`);
        for (const line of frameLines(s.frames)) L.push(`              ${line}`);
      }
    }
  }
  return L.join('\n') + '\n';
}

/** @param {DhatFrame[]} frames */
const mdFrames = (frames) =>
  frameLines(frames)
    .map((l) => mdCode(l, true))
    .join('<br>');

/**
 * The Markdown of one profile or a difference.
 * @param {DhatProfile | DhatDiff} r
 */
function renderDhatMarkdown(r) {
  const L = [];
  if ('totals' in r && 'a' in r) {
    const d = /** @type {DhatDiff} */ (r);
    L.push(`## heapwise dhat: ${mdText(sourceText(d.a))} \u2192 ${mdText(sourceText(d.b))}`, '');
    L.push('| | A | B | B \u2212 A |', '| --- | ---: | ---: | ---: |');
    for (const row of totalsRows(d)) L.push(`| ${row.map((c) => mdText(c)).join(' | ')} |`);
    for (const [k, title] of /** @type {const} */ ([
      ['end', 'at t-end'],
      ['gmax', 'at t-gmax'],
    ])) {
      const c = d[k];
      if (!c) continue;
      L.push('', `### Sites ${title}: ${mdText(countsText(c))}`, '');
      if (!CHANGE_KINDS.some((kind) => c[kind].length)) continue;
      L.push('| change | bytes | A | B | frames |', '| --- | ---: | ---: | ---: | --- |');
      for (const kind of CHANGE_KINDS) {
        for (const s of c[kind]) {
          L.push(
            `| ${kind} | ${formatSignedCount(s.delta.bytes)} | ${mdText(amountText(s.a))} | ${mdText(amountText(s.b))} | ${mdFrames(s.frames)} |`,
          );
        }
      }
    }
    return L.join('\n') + '\n';
  }
  const p = /** @type {DhatProfile} */ (r);
  L.push(`## heapwise dhat: ${mdText(sourceText(p))}`, '', '| | |', '| --- | ---: |');
  for (const [k, label] of MOMENTS) L.push(`| ${label} | ${mdText(amountText(p.totals[k]))} |`);
  for (const [k, title] of /** @type {const} */ ([
    ['end', 'at t-end'],
    ['gmax', 'at t-gmax'],
    ['total', 'allocated in all'],
  ])) {
    if (!p.top[k].length) continue;
    L.push('', `### Top sites ${title}`, '', '| # | bytes | blocks | frames |', '| ---: | ---: | ---: | --- |');
    p.top[k].forEach((s, i) => {
      const a = /** @type {DhatAmount} */ (s[k]);
      L.push(`| ${i + 1} | ${formatCount(a.bytes)} | ${formatCount(a.blocks)} | ${mdFrames(s.frames)} |`);
    });
  }
  return L.join('\n') + '\n';
}

/** @param {DhatFrame[]} frames */
const framesHtml = (frames) => html`<div class="path">${frameLines(frames).map((l, i) => html`${i ? html`<br>` : ''}${l}`)}</div>`;

/**
 * The HTML page of one profile or a difference: the totals, then the top sites (one file) or the
 * sites that changed at t-end and at t-gmax (two files), as tables.
 * @param {DhatProfile | DhatDiff} r
 */
function renderDhatHtml(r) {
  if ('totals' in r && 'a' in r) {
    const d = /** @type {DhatDiff} */ (r);
    const end = d.totals.end;
    const facts = html`<div class="facts">${[
      end ? fact('A at t-end', amountText(end.a)) : '',
      end ? fact('B at t-end', amountText(end.b)) : '',
      end
        ? fact(
            'change at t-end',
            `${formatSignedCount(end.delta.bytes)} bytes`,
            end.delta.bytes > 0 ? 'bad' : end.delta.bytes < 0 ? 'good' : '',
          )
        : '',
    ]}</div>`;
    const cards = /** @type {const} */ ([
      ['end', 'at t-end'],
      ['gmax', 'at t-gmax'],
    ]).map(([k, title]) => {
      const c = d[k];
      if (!c) return '';
      const rows = CHANGE_KINDS.flatMap((kind) =>
        c[kind].map((s) => [kind, formatSignedCount(s.delta.bytes), amountText(s.a), amountText(s.b), framesHtml(s.frames)]),
      );
      return card(`Sites ${title}`, countsText(c), staticTable(`table-dhat-${k}`, ['change', 'bytes', 'A', 'B', 'frames'], rows));
    });
    const body = html`${card('Totals', `A: ${sourceText(d.a)}; B: ${sourceText(d.b)}`, html`${facts}${staticTable('table-dhat-totals', ['', 'A', 'B', 'B \u2212 A'], totalsRows(d))}`)}${cards}`;
    return page({
      kind: 'dhat',
      title: `${d.a.file ? path.basename(d.a.file) : 'A'} \u2192 ${d.b.file ? path.basename(d.b.file) : 'B'}`,
      file: '',
      body,
      model: { kind: 'dhat', data: {} },
    });
  }
  const p = /** @type {DhatProfile} */ (r);
  const facts = html`<div class="facts">${MOMENTS.map(([k, label]) => fact(label, amountText(p.totals[k])))}</div>`;
  const cards = /** @type {const} */ ([
    ['end', 'at t-end'],
    ['gmax', 'at t-gmax'],
    ['total', 'allocated in all'],
  ]).map(([k, title]) => {
    const total = p.totals[k];
    const rows = p.top[k].map((s, i) => {
      const a = /** @type {DhatAmount} */ (s[k]);
      return [
        String(i + 1),
        formatCount(a.bytes),
        formatCount(a.blocks),
        total ? pct(a.bytes, total.bytes).trim() : '',
        framesHtml(s.frames),
      ];
    });
    return rows.length
      ? card(`Top sites ${title}`, '', staticTable(`table-dhat-${k}`, ['#', 'bytes', 'blocks', 'share', 'frames'], rows))
      : '';
  });
  const body = html`${card('Totals', `${formatCount(p.siteCount)} sites; ${formatBytes(p.totals.total.bytes)} allocated`, facts)}${cards}`;
  return page({ kind: 'dhat', title: sourceText(p), file: p.file || '', body, model: { kind: 'dhat', data: {} } });
}

module.exports = { renderProfileText, renderDiffText, renderDhatMarkdown, renderDhatHtml };
