'use strict';
// "Outside the JS heap": HeapAnalysis.externalMemory()'s result as text (the CLI) and Markdown
// (reports). Terms, as in docs/external-memory.md: a *kind* is what the bytes are (ArrayBuffer
// backing stores, external strings, extra native bytes, embedder objects, detached embedder
// objects); a *holder* is the object a user would change to free them.
const { formatBytes, formatCount, textTable, clip } = require('../format.js');
const { shortPath } = require('./findings.js');

/** The kinds' labels, in the order of `totals`. */
const KIND_LABELS = {
  arrayBuffers: 'ArrayBuffer backing stores',
  externalStrings: 'External strings',
  extraNativeBytes: 'Extra native bytes',
  embedder: 'Embedder objects',
  detachedEmbedder: 'Detached embedder objects',
};

/** @param {string} kind */
const kindLabel = (kind) => KIND_LABELS[/** @type {keyof typeof KIND_LABELS} */ (kind)] || kind;

/** @param {string} kind the kind's label inside a sentence */
const kindNoun = (kind) => kindLabel(kind).replace(/^(?!ArrayBuffer)./, (c) => c.toLowerCase());

/** @param {import('../../index').ExternalHolder} h */
const holderName = (h) => (h.holder ? `${clip(h.holder.className, 60)} @${h.holder.id}` : '(roots only)');

/**
 * Where a holder's items are: the holder's path, or the largest item's when the holder is a root
 * or a root-level object (its path, `global`, says nothing of where the bytes hang).
 * @param {import('../../index').ExternalHolder} h
 */
function holderWhere(h) {
  return h.holder && /[.[\u2192]/.test(h.pathText) ? `at ${h.pathText}` : `largest at ${h.largest.pathText}`;
}

/**
 * The relation to Statistics in one line: what each sum equals.
 * @param {import('../../index').ExternalMemory} x
 */
function reconcileLine(x) {
  const r = x.reconcile;
  const ok = r.typedArraysCheck === 0 && r.otherNonJsCheck === 0;
  return (
    `Statistics: typed arrays ${formatBytes(r.typedArrays)} = backing stores; other native ${formatBytes(r.otherNonJsObjects)} = ` +
    `embedder + detached + extra native bytes${r.stringDataInNative ? ' + external string data' : ''}; ` +
    `external strings are ${formatBytes(r.externalStringsInStrings)} of strings ${formatBytes(r.strings)}` +
    (ok ? '' : ` (differs by ${formatBytes(r.typedArraysCheck)} / ${formatBytes(r.otherNonJsCheck)})`)
  );
}

/**
 * The text section of `heapwise analyze`.
 * @param {import('../../index').ExternalMemory} x
 * @returns {string[]}
 */
function externalText(x) {
  const L = ['Outside the JS heap'];
  L.push(
    textTable(
      ['Kind', 'Count', 'Size'],
      x.totals.map((t) => [kindLabel(t.kind), t.kind === 'extraNativeBytes' ? '' : formatCount(t.count), formatBytes(t.bytes)]),
    ),
  );
  if (x.sharedArrayBuffers.count) {
    L.push(`  (${formatCount(x.sharedArrayBuffers.count)} SharedArrayBuffer stores, ${formatBytes(x.sharedArrayBuffers.bytes)})`);
  }
  L.push(`  ${reconcileLine(x)}`);
  if (x.holders.items.length) {
    L.push('', 'Held by (largest first)');
    for (const h of x.holders.items) {
      L.push(`  ${formatBytes(h.bytes)} in ${formatCount(h.count)} ${kindNoun(h.kind)}: ${holderName(h)}`);
      L.push(`    ${shortPath(holderWhere(h), 160)}`);
    }
  }
  const detached = x.classes.filter((c) => c.kind === 'detachedEmbedder');
  if (detached.length) {
    L.push('', 'Detached embedder objects');
    for (const c of detached) {
      L.push(`  ${c.name}: ${formatCount(c.count)}, ${formatBytes(c.bytes)}`);
      for (const i of c.largest) L.push(`    @${i.node.id} ${formatBytes(i.node.shallowSize)} at ${shortPath(i.pathText, 140)}`);
    }
  }
  return L;
}

/**
 * The Markdown section of the analyze report.
 * @param {import('../../index').ExternalMemory} x
 * @param {(s: string, inTable?: boolean) => string} mdCode
 * @returns {string[]}
 */
function externalMarkdown(x, mdCode) {
  const L = ['### Outside the JS heap', '', '| Kind | Count | Size |', '| --- | ---: | ---: |'];
  for (const t of x.totals) {
    L.push(`| ${kindLabel(t.kind)} | ${t.kind === 'extraNativeBytes' ? '' : formatCount(t.count)} | ${formatBytes(t.bytes)} |`);
  }
  L.push('', `_${reconcileLine(x)}._`);
  if (x.holders.items.length) {
    L.push('', '| Held by | Kind | Count | Size |', '| --- | --- | ---: | ---: |');
    for (const h of x.holders.items) {
      L.push(
        `| ${mdCode(holderName(h), true)} ${mdCode(shortPath(holderWhere(h), 120), true)} | ${kindLabel(h.kind)} | ` +
          `${formatCount(h.count)} | ${formatBytes(h.bytes)} |`,
      );
    }
  }
  const detached = x.classes.filter((c) => c.kind === 'detachedEmbedder');
  if (detached.length) {
    L.push('', '**Detached embedder objects**', '');
    for (const c of detached) {
      const at = c.largest[0] ? `, largest at ${mdCode(shortPath(c.largest[0].pathText, 120))}` : '';
      L.push(`- ${mdCode(c.name)}: ${formatCount(c.count)}, ${formatBytes(c.bytes)}${at}`);
    }
  }
  return L;
}

module.exports = { externalText, externalMarkdown, kindLabel, KIND_LABELS };
