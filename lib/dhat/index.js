'use strict';
// dhatProfile() and dhatDiff(): DHAT profiles (valgrind's `--tool=dhat`, the Rust `dhat` crate)
// read (lib/dhat/parse.js), their allocation sites named and compared (lib/dhat/sites.js), for
// `heapwise dhat` and the JS API. It loads no native code: the CLI's `dhat` command works without
// the addon.
const { HeapwiseError, invalidArgument, wholeNumber, readSource } = require('../core.js');
const { readDhat } = require('./parse.js');
const { MATCH_FRAMES, sitesOf, topSites, changes } = require('./sites.js');

/**
 * @typedef {string | URL | Uint8Array | { text: string }} DhatSource
 * @typedef {import('../../index').DhatProfile} DhatProfile
 * @typedef {import('../../index').DhatDiff} DhatDiff
 */

/**
 * The profile of a DHAT file's text, with its sites; throws HeapwiseErrors.
 * @param {string} text
 * @param {string | null} file
 */
function parseProfile(text, file) {
  const where = file ? `the DHAT profile ${file}` : 'the DHAT profile';
  if (!text.trim()) throw new HeapwiseError(`${where} is empty`, 'ERR_HEAPWISE_EMPTY', 0);
  let data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const gz = text.charCodeAt(0) === 0x1f && text.charCodeAt(1) === 0xfffd ? ' (it looks gzip-compressed: gunzip it first)' : '';
    throw new HeapwiseError(`${where} is not JSON${gz}: ${/** @type {Error} */ (e).message}`, 'ERR_HEAPWISE_NOT_JSON');
  }
  let profile;
  try {
    profile = readDhat(data);
  } catch (e) {
    throw new HeapwiseError(`${where}: ${/** @type {Error} */ (e).message}`, 'ERR_HEAPWISE_INVALID_DATA');
  }
  return { file, profile, sites: sitesOf(profile) };
}

/**
 * @param {{ top?: number } | undefined} options
 * @param {string} fn
 */
function topOption(options, fn) {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw invalidArgument(`${fn}() options must be an object`);
  return wholeNumber(options && options.top, `${fn}() option top`, { min: 1, fallback: 10 });
}

/**
 * The report of one parsed profile.
 * @param {ReturnType<typeof parseProfile>} p
 * @param {number} top
 * @returns {DhatProfile}
 */
function profileReport({ file, profile, sites }, top) {
  const { pps, ...header } = profile;
  return {
    file,
    ...header,
    programPoints: pps.length,
    siteCount: sites.length,
    matchFrames: MATCH_FRAMES,
    top: {
      end: profile.blockLifetimes ? topSites(sites, 'end', top) : [],
      gmax: profile.blockLifetimes ? topSites(sites, 'gmax', top) : [],
      total: topSites(sites, 'total', top),
    },
  };
}

/**
 * Reads a DHAT profile: its totals (allocated, at t-gmax, at t-end) and the `top` sites with the
 * most bytes at t-end, at t-gmax and allocated in all.
 * @param {DhatSource} source
 * @param {{ top?: number }} [options]
 * @returns {Promise<DhatProfile>}
 */
async function dhatProfile(source, options) {
  const top = topOption(options, 'dhatProfile');
  const { text, file } = await readSource(source, { fn: 'dhatProfile', what: 'the DHAT profile' });
  return profileReport(parseProfile(text, file), top);
}

/**
 * @param {import('./parse.js').Amount | null} a
 * @param {import('./parse.js').Amount | null} b
 */
function totalChange(a, b) {
  if (!a || !b) return null;
  return { a, b, delta: { bytes: b.bytes - a.bytes, blocks: b.blocks - a.blocks } };
}

/**
 * Compares two DHAT profiles (A, then B: two builds of a program, or two runs): the totals'
 * differences, and the sites that grew, shrank, appeared or disappeared at t-end and at t-gmax,
 * sites matched by their frames (lib/dhat/sites.js).
 * @param {DhatSource} a
 * @param {DhatSource} b
 * @param {{ top?: number }} [options]
 * @returns {Promise<DhatDiff>}
 */
async function dhatDiff(a, b, options) {
  const top = topOption(options, 'dhatDiff');
  const [ra, rb] = await Promise.all([
    readSource(a, { fn: 'dhatDiff', what: 'the DHAT profile' }),
    readSource(b, { fn: 'dhatDiff', what: 'the DHAT profile' }),
  ]);
  const pa = parseProfile(ra.text, ra.file);
  const pb = parseProfile(rb.text, rb.file);
  const lifetimes = pa.profile.blockLifetimes && pb.profile.blockLifetimes;
  const ta = pa.profile.totals;
  const tb = pb.profile.totals;
  return {
    a: profileReport(pa, top),
    b: profileReport(pb, top),
    matchFrames: MATCH_FRAMES,
    totals: {
      total: /** @type {NonNullable<ReturnType<typeof totalChange>>} */ (totalChange(ta.total, tb.total)),
      gmax: totalChange(ta.gmax, tb.gmax),
      end: totalChange(ta.end, tb.end),
    },
    end: lifetimes ? changes(pa.sites, pb.sites, 'end', top) : null,
    gmax: lifetimes ? changes(pa.sites, pb.sites, 'gmax', top) : null,
  };
}

module.exports = { dhatProfile, dhatDiff };
