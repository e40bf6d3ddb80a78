'use strict';
// Source maps for the code a finding points at: a location in generated code (TypeScript output,
// a bundle) is mapped back to the original file when the script has a source map, inline
// (`//# sourceMappingURL=data:application/json;base64,…`) or in a file (`//# sourceMappingURL=
// app.js.map`, or `app.js.map` next to `app.js`). The maps are read with @jridgewell/trace-mapping,
// the library Babel, Vite and Jest use, rather than a decoder of our own.
//
// A mapped location keeps what it was mapped from as `generated`; the line's text becomes the
// original source's line (from the map's `sourcesContent`, or the original file).
const fs = require('node:fs');
const path = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');
const { TraceMap, originalPositionFor, sourceContentFor } = require('@jridgewell/trace-mapping');
const { formatLocation } = require('./report/findings.js');

/** Scripts whose maps are looked for: files, not the runtime's modules. */
const MAPPABLE = /\.(c|m)?js$/i;

/**
 * @typedef {{ scriptId: number, line: number, column: number, scriptName?: string | null, generated?: object }} Location
 */

/** A script's file path from its name (a path or a `file:` URL), or null. */
function fileOf(scriptName) {
  if (typeof scriptName !== 'string' || !scriptName) return null;
  if (scriptName.startsWith('file://')) {
    try {
      return fileURLToPath(scriptName);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(scriptName) ? scriptName : null;
}

/** The `sourceMappingURL` of a script's text (the last one), or null. */
function mappingUrl(text) {
  const re = /\/\/[#@]\s*sourceMappingURL=(\S+)\s*$/gm;
  let m;
  let last = null;
  while ((m = re.exec(text))) last = m[1];
  return last;
}

/** Reads the source map of `file`: `{ map: TraceMap, dir }`, or null. */
function readMap(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const url = mappingUrl(text);
  let json = null;
  let base = path.dirname(file);
  try {
    if (url && url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const meta = url.slice(5, comma);
      const data = url.slice(comma + 1);
      json = meta.includes(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
    } else {
      const mapFile = url ? path.resolve(base, url.startsWith('file://') ? fileURLToPath(url) : decodeURIComponent(url)) : `${file}.map`;
      json = fs.readFileSync(mapFile, 'utf8');
      base = path.dirname(mapFile);
    }
    return { map: new TraceMap(json, pathToFileURL(path.join(base, '/')).href), dir: base };
  } catch {
    return null;
  }
}

/** Maps locations through source maps, reading each script's map once. */
class SourceMapper {
  constructor() {
    /** @type {Map<string, { map: TraceMap, dir: string } | null>} */
    this._maps = new Map();
  }

  _mapOf(file) {
    if (!this._maps.has(file)) this._maps.set(file, MAPPABLE.test(file) ? readMap(file) : null);
    return this._maps.get(file);
  }

  /**
   * The original location of `loc` (0-based line and column), with `generated` set to `loc`; or
   * `loc` itself when its script has no map or the map has nothing there.
   * @param {Location} loc
   * @returns {Location & { text?: string }}
   */
  location(loc) {
    const file = loc && fileOf(loc.scriptName);
    const m = file && this._mapOf(file);
    if (!m) return loc;
    const pos = originalPositionFor(m.map, { line: loc.line + 1, column: loc.column });
    if (!pos || pos.source == null || pos.line == null) return loc;
    const source = pos.source.startsWith('file://') ? fileURLToPath(pos.source) : pos.source;
    const mapped = { scriptId: loc.scriptId, line: pos.line - 1, column: pos.column || 0, scriptName: source, generated: loc };
    const content = sourceContentFor(m.map, pos.source);
    let lines = content ? content.split(/\r?\n/) : null;
    if (!lines) {
      try {
        lines = fs.readFileSync(source, 'utf8').split(/\r?\n/);
      } catch {
        lines = null;
      }
    }
    if (lines && lines[mapped.line] !== undefined) mapped.text = lines[mapped.line].trim().slice(0, 160);
    return mapped;
  }

  /**
   * The findings with every location mapped: code references (and their line's text),
   * what accumulates, the closures of a closure leak, and the "change file:line" of the message.
   * @template {{ code: any[], accumulates: any[], closure?: any, message: string }} F
   * @param {F[]} findings
   * @returns {F[]}
   */
  findings(findings) {
    for (const f of findings || []) {
      for (const c of f.code) {
        const l = this.location(c.location);
        if (l === c.location) continue;
        const { text, ...where } = /** @type {any} */ (l);
        // the message names the line as formatLocation writes it (the engine and the reports agree)
        f.message = f.message.split(formatLocation(c.location)).join(formatLocation(where));
        c.location = where;
        if (text !== undefined) c.text = text;
      }
      for (const a of f.accumulates) if (a.location) a.location = strip(this.location(a.location));
      if (f.closure) for (const c of f.closure.closures) if (c.location) c.location = strip(this.location(c.location));
    }
    return findings;
  }
}

function strip(l) {
  const { text: _text, ...where } = /** @type {any} */ (l);
  return where;
}

/** The findings of a result (a HeapDiff, a SeriesStep) with their locations source-mapped. */
function mapResult(result) {
  if (result && Array.isArray(result.findings)) new SourceMapper().findings(result.findings);
  return result;
}

module.exports = { SourceMapper, mapResult, mappingUrl };
