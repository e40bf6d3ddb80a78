'use strict';
// The browser scripts of heapwise's pages, put together from plain files with no build step: the
// formatters of lib/format.js (as source, so that a page prints sizes exactly as the CLI does),
// then the drawing code both pages share (draw.js: elements, charts, the one treemap), then the
// page's own script, all in one function scope. The HTML report inlines the result
// (lib/report/html.js, with client.js); `heapwise open` serves it as a file (lib/open, with page.js).
const fs = require('node:fs');
const path = require('node:path');
const format = require('../format.js');

const FORMATTERS = ['formatBytes', 'formatSignedBytes', 'formatCount', 'formatSignedCount', 'formatDistance', 'formatDuration'];

/**
 * One script: the formatters, lib/report/draw.js, then `file` (a path), wrapped in a function.
 * It never contains `</script` or `<!--`, so it may be inlined in a page.
 * @param {string} file
 */
function browserScript(file) {
  const formatters = FORMATTERS.map((name) => `const ${name} = ${/** @type {any} */ (format)[name].toString()};`).join('\n');
  const draw = fs.readFileSync(path.join(__dirname, 'draw.js'), 'utf8');
  const own = fs.readFileSync(file, 'utf8');
  const script = `(function () {\n'use strict';\n${formatters}\n${draw}\n${own}\n})();\n`;
  if (/<\/script|<!--/i.test(script)) throw new Error(`page script ${path.basename(file)} must not contain </script or <!--`);
  return script;
}

module.exports = { browserScript };
