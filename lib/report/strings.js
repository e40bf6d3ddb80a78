'use strict';
// The duplicated and the largest strings as text and Markdown (analyze's reports; the HTML page
// draws them in lib/report/html.js). Input: the pages of HeapAnalysis.duplicatedStrings() and
// largestStrings(), as the CLI's JSON carries them (`duplicatedStrings`, `largestStrings`).
//
// Terms (docs/strings.md): a group's *copies* are string objects of one content; its *wasted*
// bytes are its total size minus its largest copy's; a string's *holder* is the first object on
// its retainer path that is not a string.
const { formatBytes, formatCount, clip } = require('../format.js');
const { mdCode } = require('./findings.js');

/** Strings each report section lists. */
const SHOWN = 5;

/**
 * Who holds a string: its holder's class and id, and its path.
 * @param {{ holder?: { className: string, id: number } | null, pathText: string }} c
 */
function holderText(c) {
  const who = c.holder ? `${clip(c.holder.className, 60)} @${c.holder.id}` : 'a root';
  return c.pathText ? `${who}, ${clip(c.pathText, 160)}` : who;
}

/**
 * The headline of the duplicated strings: `19,662 contents copied (166,533 copies), 4.3 MB wasted`.
 * @param {any} d a DuplicatedStringsPage
 */
function duplicatedHeadline(d) {
  return `${formatCount(d.total)} contents with copies (${formatCount(d.copies)} copies, ${formatBytes(d.totalSize)}), ${formatBytes(d.wastedSize)} wasted`;
}

/**
 * The text sections of `analyze`: the most wasteful groups and the largest strings.
 * @param {any} d a DuplicatedStringsPage (or undefined)
 * @param {any} l a LargestStringsPage (or undefined)
 * @returns {string[]}
 */
function stringsTextLines(d, l) {
  const L = [];
  if (d) {
    L.push('', `Duplicated strings: ${duplicatedHeadline(d)}`);
    for (const g of d.groups.slice(0, SHOWN)) {
      L.push(
        `  ${clip(g.content.preview, 80)}  ×${formatCount(g.copies)}  ${formatBytes(g.wastedSize)} wasted of ${formatBytes(g.totalSize)}`,
      );
      if (g.largest[0]) L.push(`    largest held by ${holderText(g.largest[0])}`);
    }
  }
  if (l && l.strings.length) {
    L.push('', `Largest strings (of ${formatCount(l.total)}, ${formatBytes(l.totalSize)})`);
    for (const s of l.strings.slice(0, SHOWN)) {
      const n = s.copy.node;
      const retained = n.retainedSize !== n.shallowSize ? ` (retains ${formatBytes(n.retainedSize)})` : '';
      L.push(`  ${formatBytes(n.shallowSize)}${retained}  ${clip(s.content.preview, 80)}  @${n.id}`);
      L.push(`    held by ${holderText(s.copy)}`);
    }
  }
  return L;
}

/**
 * The Markdown sections of `analyze`.
 * @param {any} d a DuplicatedStringsPage (or undefined)
 * @param {any} l a LargestStringsPage (or undefined)
 * @returns {string[]}
 */
function stringsMarkdownLines(d, l) {
  const L = [];
  if (d && d.groups.length) {
    L.push('', '### Duplicated strings', '', `${duplicatedHeadline(d)}.`, '');
    L.push('| Content | Copies | Wasted | Total | Largest copy held by |', '| --- | ---: | ---: | ---: | --- |');
    for (const g of d.groups.slice(0, SHOWN)) {
      const c = g.largest[0];
      L.push(
        `| ${mdCode(clip(g.content.preview, 80), true)} | ${formatCount(g.copies)} | ${formatBytes(g.wastedSize)} | ${formatBytes(g.totalSize)} | ${c ? mdCode(holderText(c), true) : ''} |`,
      );
    }
  }
  if (l && l.strings.length) {
    L.push('', '### Largest strings', '', '| Size | Content | Held by |', '| ---: | --- | --- |');
    for (const s of l.strings.slice(0, SHOWN)) {
      L.push(
        `| ${formatBytes(s.copy.node.shallowSize)} | ${mdCode(clip(s.content.preview, 80), true)} | ${mdCode(holderText(s.copy), true)} |`,
      );
    }
  }
  return L;
}

module.exports = { SHOWN, holderText, duplicatedHeadline, stringsTextLines, stringsMarkdownLines };
