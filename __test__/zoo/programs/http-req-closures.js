'use strict';
// An HTTP server that queues a callback per request "to log it after the response", capturing
// req; the queue is never drained.
const http = require('node:http');

const pendingHandlers = [];
let server;
let agent;

function onRequest(req, res) {
  pendingHandlers.push(() => `${req.method} ${req.url}`);
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ ok: true, queued: pendingHandlers.length }));
}

async function setup() {
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  server = http.createServer(onRequest);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

let n = 0;

function step() {
  const { port } = server.address();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: `/orders/${++n}`, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
}

async function teardown() {
  agent.destroy();
  server.closeAllConnections?.();
  await new Promise((resolve) => server.close(resolve));
}

module.exports = { setup, step, teardown };
