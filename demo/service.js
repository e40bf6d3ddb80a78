'use strict';
// A small HTTP service that leaks memory the two ways Node's memory-leak guides describe, so that
// heapwise has something real to find (see demo/run.js):
//
//   (a) a module-level Set that grows on every request (`seenRequests`, one RequestRecord each);
//   (b) a closure leak: every request adds a 'tick' listener to a long-lived EventEmitter, and
//       that closure captures a RequestContext.
//
// Usage: node [--heapsnapshot-signal=SIGUSR2] demo/service.js [--snapshot-dir DIR]
// When listening it prints one line of JSON on stdout: {"port": N, "pid": N}.
//
// Routes:
//   GET  /anything           leaks one RequestRecord and one listener closure, answers JSON
//   POST /__snapshot?name=X   writes DIR/X.heapsnapshot with v8.writeHeapSnapshot and answers
//                             {"path": "..."} once the file is complete (not a leaking request)
// With --heapsnapshot-signal=SIGUSR2, `kill -USR2 <pid>` also writes a snapshot (into the cwd,
// with a name Node chooses).
// Dependency-free on purpose.
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const v8 = require('node:v8');
const crypto = require('node:crypto');
const { EventEmitter } = require('node:events');

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const snapshotDir = path.resolve(argValue('--snapshot-dir', process.cwd()));

// ---- leak (a): a module-level Set that only ever grows -------------------------------------
class RequestRecord {
  constructor(id, req) {
    this.id = id;
    this.method = req.method;
    this.url = req.url;
    this.headers = { ...req.headers };
    this.timestamp = Date.now();
    // ~1 KB of unique text per request ("we keep the body for auditing").
    this.payload = crypto.randomBytes(512).toString('hex');
  }
}
const seenRequests = new Set();

// ---- leak (b): a closure per request, registered on a long-lived emitter ---------------------
class RequestContext {
  constructor(record) {
    this.requestId = record.id;
    this.startedAt = process.hrtime.bigint();
    this.userAgent = record.headers['user-agent'] || '';
    // Per-request scratch state that nobody cleans up.
    this.scratch = Array.from({ length: 32 }, (_, i) => ({ slot: i, value: record.id * i }));
  }
}
const heartbeat = new EventEmitter();
heartbeat.setMaxListeners(0); // silences MaxListenersExceededWarning, the leak's usual symptom
let ticks = 0;
function use(ctx) {
  ticks += ctx.scratch.length;
}
setInterval(() => heartbeat.emit('tick'), 60_000).unref();

let nextId = 0;
function handleRequest(req, res) {
  const record = new RequestRecord(++nextId, req);
  seenRequests.add(record);
  const ctx = new RequestContext(record);
  heartbeat.on('tick', function onTick() {
    use(ctx);
  });
  const body = JSON.stringify({ ok: true, id: record.id, seen: seenRequests.size });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function handleSnapshot(req, res, url) {
  const name = url.searchParams.get('name') || `heap-${Date.now()}`;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name) || name.startsWith('.')) {
    return sendJson(res, 400, { error: 'name must be letters, digits, _ . - (max 64)' });
  }
  fs.mkdirSync(snapshotDir, { recursive: true });
  const file = path.join(snapshotDir, `${name}.heapsnapshot`);
  // Synchronous: the file is complete when this returns, so the answer can name it.
  const written = v8.writeHeapSnapshot(file);
  sendJson(res, 200, { path: written });
}

function sendJson(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  // Drain any request body before answering.
  req.resume();
  req.on('end', () => {
    try {
      if (url.pathname === '/__snapshot') {
        if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' });
        return handleSnapshot(req, res, url);
      }
      handleRequest(req, res);
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { error: String((e && e.message) || e) });
      else res.destroy();
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port, pid: process.pid }) + '\n');
});

// No SIGTERM handler: the default action (exit) is what demo/run.js uses to stop the service.
