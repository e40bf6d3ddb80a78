'use strict';
// The GC log of a watch: `--trace-gc` / `--trace-gc-nvp` lines read as they come, from the
// program's stdout (`heapwise watch --trace-gc -- CMD`) or from a file being written
// (`--gc-log FILE`, `watch({ gcLog })`, tailed), through lib/gc/parse.js's line reader; the floor
// after each full GC and its verdict through lib/gc/floor.js. The same rule as `heapwise gc`.
const fsp = require('node:fs/promises');
const { parseGcLine } = require('../gc/parse.js');
const { analyzeGcEvents } = require('../gc/floor.js');

/** Events kept at most (full GCs are always kept; beyond it every other young GC is dropped). */
const MAX_EVENTS = 20000;

class GcFeed {
  /** @param {string | null} file a GC log to tail, or null (lines are pushed with `line()`) */
  constructor(file) {
    this.file = file;
    this.offset = 0;
    this.partial = '';
    this.lineNo = 0;
    /** @type {Array<import('../gc/parse.js').GcEvent>} */
    this.events = [];
    /** @type {Set<string>} */
    this.formats = new Set();
    this.missing = false;
  }

  /** One line of a GC log; returns true when it was a GC line. @param {string} text */
  line(text) {
    this.lineNo++;
    const r = parseGcLine(text);
    if (!r) return false;
    this.formats.add(r.format);
    this.events.push({ ...r.event, line: this.lineNo });
    if (this.events.length > MAX_EVENTS) {
      let young = 0;
      this.events = this.events.filter((e) => e.kind === 'mark-compact' || e.kind === 'mark-sweep' || young++ % 2 === 0);
    }
    return true;
  }

  /**
   * Reads what was appended to the file since the last call (a file that shrank was rewritten:
   * it is read again from its start). Resolves to an error message when the file cannot be read
   * (once per kind of failure), else null.
   */
  async poll() {
    if (!this.file) return null;
    let fh;
    try {
      fh = await fsp.open(this.file, 'r');
    } catch (e) {
      if (this.missing) return null;
      this.missing = true;
      return `cannot read the GC log ${this.file}: ${e.code === 'ENOENT' ? 'no such file (yet)' : e.message}`;
    }
    this.missing = false;
    try {
      const { size } = await fh.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.partial = '';
      }
      while (this.offset < size) {
        const buf = Buffer.alloc(Math.min(size - this.offset, 1 << 20));
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (!bytesRead) break;
        this.offset += bytesRead;
        const lines = (this.partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
        this.partial = lines.pop() || '';
        for (const l of lines) this.line(l);
      }
    } finally {
      await fh.close();
    }
    return null;
  }

  /** The last, incomplete line counts too at the end of a watch. */
  flush() {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /**
   * The floor analysis as the series carries it: `null` with no GC event yet, else
   * `{ file, formats, verdict, groups, thresholds, warnings }` where each group has its floor,
   * fit, steadiness, totals and verdict (not every event: `--format json` of `heapwise gc` has
   * those).
   * @returns {import('../../index').WatchGc | null}
   */
  report() {
    if (!this.events.length) return null;
    const a = analyzeGcEvents(this.events);
    return {
      file: this.file,
      formats: /** @type {import('../../index').GcReport['formats']} */ ([...this.formats]),
      verdict: a.verdict,
      groups: a.groups.map(({ events, ...g }) => ({
        ...g,
        floor: g.floor.map((p) => ({ time: p.time, bytes: p.bytes, event: p.event })),
        eventCount: events.length,
      })),
      thresholds: a.thresholds,
      warnings: a.warnings,
    };
  }
}

module.exports = { GcFeed };
