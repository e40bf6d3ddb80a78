'use strict';
// DHAT's JSON (`dhatFileVersion` 2), as valgrind's `--tool=dhat` (dhat.out.PID) and the Rust
// `dhat` crate (dhat-heap.json) write it, read into a profile: the header, one entry per program
// point (`pps`) with its frames cleaned as DHAT's viewer (dh_view.js) shows them, and the totals.
// It checks what dh_view.js checks (its checkFields / checkPP) and throws a plain Error naming the
// field at fault; lib/dhat/index.js turns it into a HeapwiseError. docs/dhat.md lists the fields.

/** The only version DHAT writes today (dh_view.js: kExpectedFileVersion). */
const FILE_VERSION = 2;

/** The header fields dh_view.js requires, and those it requires when `bklt` is true. */
const HEADER_FIELDS = ['dhatFileVersion', 'mode', 'verb', 'bklt', 'bkacc', 'tu', 'Mtu', 'cmd', 'pid', 'te', 'pps', 'ftbl'];
const LIFETIME_HEADER_FIELDS = ['tg', 'tuth'];
/** A program point's fields: always, with block lifetimes (`bklt`), with block accesses (`bkacc`). */
const PP_FIELDS = ['tb', 'tbk', 'fs'];
const LIFETIME_PP_FIELDS = ['mb', 'mbk', 'gb', 'gbk', 'eb', 'ebk'];
const ACCESS_PP_FIELDS = ['rb', 'wb'];

/**
 * @typedef {{ bytes: number, blocks: number }} Amount
 * @typedef {{ address: string | null, function: string, location: string | null, text: string }} Frame
 * @typedef {object} ProgramPoint
 * @property {Amount} total     allocated over the run (`tb`, `tbk`)
 * @property {Amount | null} max  the most live at once at this point (`mb`, `mbk`)
 * @property {Amount | null} gmax live at t-gmax, the global peak (`gb`, `gbk`)
 * @property {Amount | null} end  live at t-end, when the profile was written (`eb`, `ebk`)
 * @property {Frame[]} frames   innermost first, without `[root]`
 */

/**
 * One entry of `ftbl` as dh_view.js shows it, split: `0x4C2DB6F: malloc (vg_replace_malloc.c:299)`,
 * `0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)`, or the dhat
 * crate's `0x5645151f486a: leaky::leak_buffer (src/main.rs:6:22)`.
 * @param {string} text
 * @returns {Frame}
 */
function parseFrame(text) {
  const m = /^(0x[0-9a-fA-F]+): (.*)$/s.exec(text);
  const rest = m ? m[2] : text;
  // The location is the last parenthesised group (a C++ function's own parentheses come before it).
  const loc = /^(.*?) \(([^()]*)\)$/s.exec(rest);
  return {
    address: m ? m[1] : null,
    function: loc ? loc[1] : rest,
    location: loc ? loc[2] : null,
    text: m ? rest : text,
  };
}

/**
 * @param {Record<string, unknown>} obj
 * @param {string[]} fields
 * @param {string} where
 */
function checkFields(obj, fields, where) {
  for (const f of fields) {
    if (!Object.prototype.hasOwnProperty.call(obj, f)) throw new Error(`${where} has no \`${f}\` field`);
  }
}

/**
 * @param {unknown} v
 * @param {string} what
 */
function count(v, what) {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error(`${what} is ${JSON.stringify(v)}, not a count`);
  return v;
}

/**
 * A profile from the parsed JSON. Throws an Error (the message says what is wrong) when it is not
 * DHAT's JSON of version 2.
 * @param {unknown} data
 */
function readDhat(data) {
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new Error(
      `not a DHAT profile: the JSON is ${Array.isArray(data) ? 'an array' : data === null ? 'null' : `a ${typeof data}`}, not an object`,
    );
  }
  const d = /** @type {Record<string, any>} */ (data);
  if (!('dhatFileVersion' in d)) {
    throw new Error(
      'not a DHAT profile: no `dhatFileVersion` field (expected the JSON of `valgrind --tool=dhat` or of the Rust `dhat` crate)',
    );
  }
  if (d.dhatFileVersion !== FILE_VERSION) {
    throw new Error(`unsupported dhatFileVersion ${JSON.stringify(d.dhatFileVersion)}: heapwise reads version ${FILE_VERSION}`);
  }
  checkFields(d, HEADER_FIELDS, 'the DHAT profile');
  const lifetimes = d.bklt === true;
  if (lifetimes) checkFields(d, LIFETIME_HEADER_FIELDS, 'the DHAT profile (with block lifetimes, `bklt`)');
  if (!Array.isArray(d.pps)) throw new Error('`pps` is not an array');
  if (!Array.isArray(d.ftbl) || d.ftbl.some((f) => typeof f !== 'string')) throw new Error('`ftbl` is not an array of strings');
  const frames = d.ftbl.map(parseFrame);
  /** @type {ProgramPoint[]} */
  const pps = d.pps.map((/** @type {any} */ pp, /** @type {number} */ i) => {
    const where = `pps[${i}]`;
    if (!pp || typeof pp !== 'object') throw new Error(`${where} is not an object`);
    checkFields(pp, PP_FIELDS, where);
    if (lifetimes) checkFields(pp, LIFETIME_PP_FIELDS, `${where} (with block lifetimes, \`bklt\`)`);
    if (d.bkacc === true) checkFields(pp, ACCESS_PP_FIELDS, `${where} (with block accesses, \`bkacc\`)`);
    if (!Array.isArray(pp.fs)) throw new Error(`${where}.fs is not an array`);
    const amount = (/** @type {string} */ b, /** @type {string} */ k) => ({
      bytes: count(pp[b], `${where}.${b}`),
      blocks: count(pp[k], `${where}.${k}`),
    });
    return {
      total: amount('tb', 'tbk'),
      max: lifetimes ? amount('mb', 'mbk') : null,
      gmax: lifetimes ? amount('gb', 'gbk') : null,
      end: lifetimes ? amount('eb', 'ebk') : null,
      frames: pp.fs
        .map((/** @type {unknown} */ f, /** @type {number} */ j) => {
          if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f >= frames.length) {
            throw new Error(`${where}.fs[${j}] is ${JSON.stringify(f)}, not an index into ftbl (${frames.length} frames)`);
          }
          return frames[f];
        })
        .filter((/** @type {Frame} */ f) => f.text !== '[root]'),
    };
  });
  const sum = (/** @type {'total' | 'gmax' | 'end'} */ k) =>
    lifetimes || k === 'total'
      ? pps.reduce(
          (s, p) => {
            const a = /** @type {Amount} */ (p[k]);
            return { bytes: s.bytes + a.bytes, blocks: s.blocks + a.blocks };
          },
          { bytes: 0, blocks: 0 },
        )
      : null;
  return {
    mode: String(d.mode),
    verb: String(d.verb),
    command: String(d.cmd),
    pid: typeof d.pid === 'number' ? d.pid : null,
    blockLifetimes: lifetimes,
    blockAccesses: d.bkacc === true,
    /** `tu`: the unit of `tg`/`te` (valgrind: instructions, `instrs`; the dhat crate: `µs`). */
    timeUnit: String(d.tu),
    times: { gmax: typeof d.tg === 'number' ? d.tg : null, end: typeof d.te === 'number' ? d.te : null },
    totals: { total: /** @type {Amount} */ (sum('total')), gmax: sum('gmax'), end: sum('end') },
    pps,
  };
}

module.exports = { readDhat, parseFrame, FILE_VERSION };
