'use strict';
// Leak findings (the engine's `findings`: holder, growth, what accumulates, the code to change)
// as text and Markdown, for every front end: `heapwise diff`, `heapwise watch`, `expectNoLeak`'s
// message and the demo. The HTML report renders the same fields (lib/report/html.js).
//
// Paths are the engine's `pathText` (one notation everywhere), shortened here only at scope
// boundaries (` → `), keeping the start and the whole end: the holder's name is never cut.
const path = require('node:path');
const { fileURLToPath } = require('node:url');
const { formatBytes, formatSignedBytes, formatCount } = require('../format.js');

const PATH_MAX = 120;

/** A script name as the reader knows it: `file:` URLs as paths, paths under cwd relative. */
function scriptLabel(name, cwd = process.cwd()) {
  let s = name;
  if (typeof s === 'string' && s.startsWith('file://')) {
    try {
      s = fileURLToPath(s);
    } catch {
      /* keep the URL */
    }
  }
  if (typeof s === 'string' && path.isAbsolute(s)) {
    const rel = path.relative(cwd, s);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) s = rel;
  }
  return s;
}

/** `file.js:12:5`, 1-based as editors show it (the API's locations are 0-based), or null. */
function formatLocation(loc) {
  if (!loc) return null;
  const file = loc.scriptName ? scriptLabel(loc.scriptName) : `script ${loc.scriptId}`;
  return `${file}:${loc.line + 1}:${loc.column + 1}`;
}

/**
 * A path in heapwise's notation (`pathText` of a result), at most about `max` characters: cut at
 * scope boundaries (` → `), keeping the first part and as many of the last parts as fit, and
 * always the last part whole.
 * @param {string} text
 */
function shortPath(text, max = PATH_MAX) {
  if (!text || text.length <= max) return text || '';
  const parts = text.split(' \u2192 ');
  if (parts.length < 3) return text;
  const tail = [parts[parts.length - 1]];
  let len = parts[0].length + tail[0].length + 6;
  for (let i = parts.length - 2; i > 0; i--) {
    if (len + parts[i].length + 3 > max) break;
    tail.unshift(parts[i]);
    len += parts[i].length + 3;
  }
  const skipped = parts.length - 1 - tail.length;
  return [parts[0], ...(skipped > 0 ? ['\u2026'] : []), ...tail].join(' \u2192 ');
}

/** `1 per call`, `2.5 per call`. */
function round(n) {
  return Math.abs(n - Math.round(n)) < 0.05 ? String(Math.round(n)) : n.toFixed(1);
}

/** How the finding grows, in words: `+90.3 kB and 100 members per snapshot (1 per call), in 3 of 3 steps`. */
function growthText(f) {
  const g = f.growth;
  const unit = g.chain ? 'links' : 'members';
  let s = `${formatSignedBytes(Math.round(g.bytesPerSnapshot))} and ${round(g.membersPerSnapshot)} ${unit} per snapshot`;
  if (g.membersPerCall != null) {
    s += ` (${round(g.membersPerCall)} per call${g.wholeMultiple ? ', a whole multiple of the calls' : ''})`;
  }
  s += `, rose in ${g.stepsGrown} of ${g.steps} ${g.steps === 1 ? 'step' : 'steps'}`;
  if (g.steady) s += ' (steady)';
  return s;
}

/** `{user, roles, prefs} ×100 (81.6 kB)`, … */
function accumulatesText(f, n = 3) {
  return f.accumulates
    .slice(0, n)
    .map((a) => `${a.className} \u00d7${formatCount(a.count)} (${formatBytes(a.size)})`)
    .join(', ');
}

/** Each code reference as `[file:line:col, role, text]`. */
function codeRows(f, n = 4) {
  return f.code.slice(0, n).map((c) => [formatLocation(c.location), c.role, c.text || (c.function ? `function ${c.function}` : '')]);
}

/** The text lines of one finding (numbered `i + 1`). */
function findingLines(f, i, indent = '  ') {
  const L = [];
  const pad = indent + ' '.repeat(String(i + 1).length + 2);
  L.push(`${indent}${i + 1}. ${f.leak ? 'LEAK' : 'grew'}  ${f.holder.description}`);
  L.push(`${pad}grows ${growthText(f)}`);
  if (f.accumulates.length) L.push(`${pad}accumulates ${accumulatesText(f)}`);
  const rows = codeRows(f);
  if (rows.length) {
    const w = Math.max(...rows.map((r) => r[0].length));
    rows.forEach(([where, role, text], k) =>
      L.push(`${pad}${k === 0 ? 'change ' : '       '}${where.padEnd(w)}  ${role.padEnd(11)} ${text}`),
    );
  }
  if (f.closure) L.push(`${pad}closure: ${f.closure.message}`);
  if (f.pathText) L.push(`${pad}path: ${shortPath(f.pathText)}`);
  return L;
}

/** The findings as text, leaks first (at most `max`; JSON lists them all). */
function renderFindingsText(findings, max = 5) {
  if (!findings || !findings.length) return ['Findings: nothing grew'];
  const L = [`Findings (where the growth is held, ranked; ${findings.filter((f) => f.leak).length} look like leaks)`];
  findings.slice(0, max).forEach((f, i) => L.push(...findingLines(f, i)));
  if (findings.length > max) L.push(`  \u2026 ${findings.length - max} more (--format json lists all)`);
  return L;
}

/** Inline code that survives any content (backticks, pipes in tables, newlines). */
function mdCode(s, inTable = false) {
  let text = String(s).replace(/\r?\n|\r/g, ' ');
  if (inTable) text = text.replace(/\|/g, '\\|');
  const runs = text.match(/`+/g) || [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return fence + pad + text + pad + fence;
}

/** Plain text with Markdown / HTML specials escaped. */
function mdText(s) {
  return String(s)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]<>|#~]/g, (c) => '\\' + c);
}

/** The findings as Markdown (a list, one finding an item). */
function renderFindingsMarkdown(findings, max = 5) {
  if (!findings || !findings.length) return ['_No object grew._'];
  const L = [];
  findings.slice(0, max).forEach((f, i) => {
    L.push(
      `${i + 1}. **${f.leak ? 'Leak' : 'Grew'}**: ${mdCode(f.holder.name)} (${mdText(f.holder.kind)}${f.holder.scope ? `, ${mdText(f.holder.scope)}` : ''})`,
    );
    L.push(`   - grows ${mdText(growthText(f))}`);
    if (f.accumulates.length) L.push(`   - accumulates ${mdText(accumulatesText(f))}`);
    for (const [where, role, text] of codeRows(f, 3)) L.push(`   - ${role}: ${mdCode(where)}${text ? ` ${mdCode(text)}` : ''}`);
    if (f.closure) L.push(`   - ${mdText(f.closure.message)}`);
    if (f.pathText) L.push(`   - path: ${mdCode(shortPath(f.pathText))}`);
  });
  if (findings.length > max) L.push('', `_${findings.length - max} more findings; \`--format json\` lists all._`);
  return L;
}

module.exports = {
  renderFindingsText,
  renderFindingsMarkdown,
  findingLines,
  growthText,
  accumulatesText,
  shortPath,
  formatLocation,
  scriptLabel,
  mdCode,
  mdText,
};
