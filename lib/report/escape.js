'use strict';
// Escaping for the HTML report. Every string that comes from a snapshot (class names, string
// contents, property names, script URLs, file names) goes through one of these before it reaches
// the page: `esc` for HTML text and attribute values, `jsonForScript` for the data block.

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\u0000': '\uFFFD' };

/**
 * `s` as HTML text or a quoted attribute value: `& < > " '` become entities, NUL becomes U+FFFD
 * (the HTML parser would do so anyway). Lone surrogates are left to the UTF-8 encoder, which
 * writes U+FFFD for them.
 */
function esc(s) {
  return String(s).replace(/[&<>"'\u0000]/g, (c) => HTML_ESCAPES[c]);
}

/** A marker for HTML that is already safe (built by `html` or `esc`). */
class SafeHtml {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

/** Marks `text` as safe HTML: only for strings built from escaped pieces or constants. */
function raw(text) {
  return new SafeHtml(String(text));
}

function interpolate(v) {
  if (v instanceof SafeHtml) return v.text;
  if (Array.isArray(v)) return v.map(interpolate).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

/**
 * Tagged template for HTML: every interpolated value is escaped unless it is `SafeHtml` (what
 * `html` and `raw` return); arrays are joined; null, undefined and false print nothing.
 */
function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += interpolate(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

const SCRIPT_ESCAPES = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '/': '\\/', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * `value` as JSON fit for the inside of a `<script type="application/json">` element: `<`, `>`,
 * `&`, U+2028 and U+2029 are written as `\u` escapes and `/` as `\/`, so neither `</script>` nor
 * `<!--` can end or change the element, no `https://` appears in the page's source (a heap's
 * strings are full of URLs: none is one the page could load), and `JSON.parse` of the element's
 * text gives `value` back (lone surrogates included: JSON.stringify writes them as `\u` escapes).
 */
function jsonForScript(value) {
  return JSON.stringify(value).replace(/[<>&/\u2028\u2029]/g, (c) => SCRIPT_ESCAPES[c]);
}

module.exports = { esc, html, raw, SafeHtml, jsonForScript };
