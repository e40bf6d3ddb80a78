'use strict';
// `heapwise mcp`: serves the Model Context Protocol over stdin/stdout (lib/mcp/server.js) until
// the client closes the connection. Nothing else may write to stdout: it carries the protocol.

/**
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { serveStdio } = require('../mcp/server.js');
  io.stderr.write(`heapwise mcp: serving on stdio (memory for loaded snapshots: ${opts.maxMemory ?? 'half of this machine'})\n`);
  await serveStdio(opts.maxMemory ? { maxMemory: opts.maxMemory } : {});
  return 0;
}

module.exports = { run };
