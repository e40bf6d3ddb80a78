'use strict';
// gcLog(): a GC log read (lib/gc/parse.js) and analysed (lib/gc/floor.js), for `heapwise gc` and
// the JS API. It loads no native code: the CLI's `gc` command works without the addon.
const { HeapwiseError, readSource } = require('../core.js');
const { parseGcText } = require('./parse.js');
const { analyzeGcEvents } = require('./floor.js');

/**
 * Reads and analyses a GC log: a path or `file:` URL, or the log itself as `{ text }` or a
 * Buffer. Rejects with a HeapwiseError: ERR_HEAPWISE_IO (the file cannot be read),
 * ERR_HEAPWISE_EMPTY (nothing in it), ERR_HEAPWISE_INVALID_DATA (no GC line in it).
 * @param {string | URL | Uint8Array | { text: string }} source
 * @returns {Promise<import('../../index').GcReport>}
 */
async function gcLog(source) {
  const { text, file } = await readSource(source, { fn: 'gcLog', what: 'the GC log' });
  return analyzeGcLog(text, file);
}

/**
 * The report of a log's text; `file` is what the report names as its source.
 * @param {string} text
 * @param {string | null} [file]
 * @returns {import('../../index').GcReport}
 */
function analyzeGcLog(text, file = null) {
  const where = file ? `the GC log ${file}` : 'the GC log';
  if (!text.trim()) throw new HeapwiseError(`${where} is empty`, 'ERR_HEAPWISE_EMPTY', 0);
  let log;
  try {
    log = parseGcText(text);
  } catch (e) {
    throw new HeapwiseError(`${where}: ${/** @type {Error} */ (e).message}`, 'ERR_HEAPWISE_INVALID_DATA');
  }
  if (!log.events.length) {
    throw new HeapwiseError(
      `${where} has no GC line: expected the output of \`node --trace-gc\` or \`node --trace-gc-nvp\`, ` +
        'or the JSON of v8.GCProfiler (docs/gc.md)',
      'ERR_HEAPWISE_INVALID_DATA',
    );
  }
  const a = analyzeGcEvents(log.events, { profilerSpanMs: log.profilerSpanMs });
  return {
    file,
    formats: log.formats,
    verdict: a.verdict,
    groups: a.groups,
    thresholds: a.thresholds,
    warnings: [...log.warnings, ...a.warnings],
  };
}

module.exports = { gcLog, analyzeGcLog };
