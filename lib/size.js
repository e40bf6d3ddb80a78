'use strict';
// Size and count literals of the command line.

// Decimal units are powers of 1000 (as DevTools and `formatBytes` show sizes), binary ones powers
// of 1024. Unit names are case-insensitive ("2mb" = "2MB" = 2,000,000); "B" or nothing = bytes.
// Bare "k" / "m" / "g" are refused: tools disagree on whether they mean 1000 or 1024.
const UNITS = new Map([
  ['', 1], ['b', 1],
  ['kb', 1e3], ['mb', 1e6], ['gb', 1e9], ['tb', 1e12],
  ['kib', 1024], ['mib', 1024 ** 2], ['gib', 1024 ** 3], ['tib', 1024 ** 4],
]);

/**
 * Parses a size: `1000`, `512kB`, `2MB`, `1.5GiB`, `2 MB`, `10_000`. Returns whole bytes (rounded
 * to the nearest byte) or throws an Error that says what is accepted.
 */
function parseSize(text) {
  const s = String(text).trim();
  const m = /^(\d+(?:_\d+)*(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(s);
  const unit = m && UNITS.get(m[2].toLowerCase());
  if (!m || unit === undefined) {
    throw new Error(`invalid size ${JSON.stringify(String(text))}: expected a number of bytes with an optional unit, ` +
      'e.g. 1000, 512kB, 2MB, 1.5GiB (kB/MB/GB = 1000^n bytes, KiB/MiB/GiB = 1024^n)');
  }
  const bytes = Math.round(Number(m[1].replace(/_/g, '')) * unit);
  if (!Number.isSafeInteger(bytes)) throw new Error(`size ${JSON.stringify(String(text))} is too large`);
  return bytes;
}

/** Parses a whole, non-negative count (`1000`, `10_000`); throws otherwise. */
function parseCount(text, what = 'count') {
  const s = String(text).trim();
  if (!/^\d+(?:_\d+)*$/.test(s)) throw new Error(`${what} needs a whole number >= 0, got ${JSON.stringify(String(text))}`);
  const n = Number(s.replace(/_/g, ''));
  if (!Number.isSafeInteger(n)) throw new Error(`${what} ${JSON.stringify(String(text))} is too large`);
  return n;
}

module.exports = { parseSize, parseCount };
