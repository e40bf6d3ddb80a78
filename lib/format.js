'use strict';
// Text formatting shared by the CLI commands.

/** Bytes as DevTools shows them (decimal kB/MB), e.g. `12.3 kB`. */
function formatBytes(n) {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${Math.abs(v) < 100 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

/** A distance as DevTools shows it: the number, or `−` for system and unreachable ones. */
function formatDistance(d) {
  return d >= 0 && d < 100000000 ? String(d) : '\u2212';
}

/** The Summary rows as an aligned text table. */
function summaryTable(rows, total) {
  const pct = (v) => (total > 0 ? `${((100 * v) / total).toFixed(0).padStart(3)} %` : '');
  const head = ['Constructor', 'Distance', 'Count', 'Shallow Size', '', 'Retained Size', ''];
  const body = rows.map((r) => [
    r.name.length > 48 ? r.name.slice(0, 47) + '…' : r.name,
    formatDistance(r.distance),
    `×${r.count}`,
    formatBytes(r.shallowSize),
    pct(r.shallowSize),
    formatBytes(r.retainedSize),
    pct(r.retainedSize),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].map((l) => '  ' + l).join('\n');
}

/** A signed size: `+12.3 kB`, `-500 B`, `0 B`. */
function formatSignedBytes(n) {
  if (!Number.isFinite(n) || n === 0) return formatBytes(n);
  return (n > 0 ? '+' : '-') + formatBytes(Math.abs(n));
}

/** A count with thousands separators: `12,345`. */
function formatCount(n) {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : String(n);
}

/** A signed count: `+12`, `-3`, `0`. */
function formatSignedCount(n) {
  return n > 0 ? '+' + formatCount(n) : formatCount(n);
}

/**
 * An aligned text table: `head` is the header cells, `rows` arrays of strings; the first column
 * is left-aligned, the others right-aligned. Lines are indented by `indent`.
 */
function textTable(head, rows, indent = '  ') {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((b) => b[i].length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)].map((l) => indent + l).join('\n');
}

/** A duration in ms as people read it: `0.42 ms`, `12.3 ms`, `540 ms`, `12.3 s`, `4.5 min`, `1.2 h`. */
function formatDuration(ms) {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs < 1) return `${ms.toFixed(2)} ms`;
  if (abs < 100) return `${ms.toFixed(1)} ms`;
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60e3) return `${(ms / 1000).toFixed(1)} s`;
  if (abs < 3600e3) return `${(ms / 60e3).toFixed(1)} min`;
  return `${(ms / 3600e3).toFixed(1)} h`;
}

/** Shortens `s` to at most `max` characters (with an ellipsis). */
function clip(s, max) {
  s = String(s);
  return s.length > max ? s.slice(0, max - 1) + '\u2026' : s;
}

module.exports = {
  formatBytes,
  formatDistance,
  summaryTable,
  formatSignedBytes,
  formatCount,
  formatSignedCount,
  textTable,
  formatDuration,
  clip,
};
