'use strict';
// `heapwise mcp`: a Model Context Protocol server over stdio, on the official SDK
// (@modelcontextprotocol/sdk). One tool per query of the query layer (lib/query: the same
// parameters, schemas and descriptions), a "how to investigate a leak" guide as a prompt and as a
// resource, progress notifications while snapshots load, cancellation through the request's
// signal, and every failure as a tool error carrying heapwise's code.
//
// A tool's answer is the query's JSON, as `structuredContent` and, for clients that read only
// text, as the same JSON in a text block. An error is `isError: true` with the text
// `CODE: message` and `structuredContent: { error: { code, message, byteOffset } }`.
const fs = require('node:fs');
const path = require('node:path');
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StdioServerTransport } = require('@modelcontextprotocol/sdk/server/stdio.js');
const { errorInfo } = require('../core.js');
const { Query, QUERIES } = require('../query/index.js');

const GUIDE = fs.readFileSync(path.join(__dirname, 'guide.md'), 'utf8');
const GUIDE_URI = 'heapwise://guide';

/**
 * A tool error with a heapwise code.
 * @param {string} code
 * @param {string} message
 * @param {number | null} [byteOffset]
 */
function toolError(code, message, byteOffset = null) {
  return {
    isError: true,
    content: [{ type: /** @type {const} */ ('text'), text: `${code}: ${message}` }],
    structuredContent: { error: { code, message, byteOffset } },
  };
}

/**
 * The MCP server over a query session (not yet connected to a transport).
 * @param {{ maxMemory?: number | string }} [options]
 */
function createServer(options = {}) {
  const query = new Query(options);
  const server = new McpServer(
    { name: 'heapwise', title: 'heapwise: V8 heap snapshots and memory leaks', version: require('../../package.json').version },
    {
      capabilities: { tools: {}, prompts: {}, resources: {} },
      instructions: `heapwise reads V8 heap snapshots with Chrome DevTools' exact numbers and finds what leaks. With 2+ snapshots of one process, call findings first; with one, top or summary. Read the prompt "investigate-leak" or the resource ${GUIDE_URI} for the method.`,
    },
  );
  // The SDK reports its own failures (arguments that do not match a schema, an unknown tool) as
  // tool errors with a bare message; they are argument errors, so they carry that code.
  const sdkServer = /** @type {any} */ (server);
  sdkServer.createToolError = (/** @type {string} */ message) => toolError('ERR_HEAPWISE_INVALID_ARGUMENT', message);

  for (const [name, q] of Object.entries(QUERIES)) {
    const readOnly = !['load', 'close'].includes(name);
    server.registerTool(
      name,
      {
        title: q.title,
        description: q.description,
        inputSchema: q.params,
        annotations: { readOnlyHint: readOnly, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      /** @type {any} */ (
        async (/** @type {any} */ args, /** @type {any} */ extra) => {
          const token = extra._meta?.progressToken;
          /** @type {import('../query/index.js').Ctx} */
          const ctx = { signal: extra.signal };
          if (token !== undefined) {
            ctx.onProgress = (p) => {
              extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...p } }).catch(() => undefined);
            };
          }
          try {
            const result = await query.run(name, args, ctx);
            return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result };
          } catch (e) {
            const { code, message, byteOffset } = errorInfo(e);
            return toolError(code, message, byteOffset);
          }
        }
      ),
    );
  }

  server.registerPrompt(
    'investigate-leak',
    {
      title: 'Investigate a memory leak',
      description: 'How to find what leaks with heapwise: which tools to call, in which order, and what to report.',
    },
    () => ({ messages: [{ role: 'user', content: { type: 'text', text: GUIDE } }] }),
  );
  server.registerResource(
    'guide',
    GUIDE_URI,
    { title: 'How to investigate a leak with heapwise', description: 'The method and the tools, in order.', mimeType: 'text/markdown' },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/markdown', text: GUIDE }] }),
  );
  return { server, query };
}

/**
 * Serves MCP over this process's stdin and stdout until the client disconnects.
 * @param {{ maxMemory?: number | string }} [options]
 */
async function serveStdio(options = {}) {
  const { server, query } = createServer(options);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  await new Promise((resolve) => {
    server.server.onclose = () => resolve(undefined);
    // The client went away: end the session (the SDK's stdio transport does not on its own).
    process.stdin.once('end', () => void server.close());
  });
  query.closeAll();
}

module.exports = { createServer, serveStdio, GUIDE, GUIDE_URI };
