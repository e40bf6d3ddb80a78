#!/usr/bin/env node
// Writes an "app-like" heap snapshot: a Node process that looks like a small web service rather
// than one big Map. It loads many modules (built-in ones and 240 generated ones, each with its own
// classes, functions and constants), runs an HTTP server that a keep-alive client has sent
// requests to (live sockets, parsers, pending long-poll responses), and holds a mix of state:
// sessions, users and orders (class instances pointing at each other), an LRU cache, event
// emitters with listeners, pending promises, timers, Buffers and typed arrays (external memory),
// parsed JSON, dates, errors with stacks, regexps, duplicated and long strings, WeakRefs.
//
//   node bench/gen/app.cjs OUT.heapsnapshot [--scale S]
//
// Deterministic apart from what Node itself varies (ids, addresses); at scale 1 it writes about
// 50 MB on Node 20. --scale multiplies the state counts (not the module count).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const http = require('node:http');
const { EventEmitter } = require('node:events');

const argv = process.argv.slice(2);
let scale = 1;
const si = argv.indexOf('--scale');
if (si >= 0) {
  scale = Number(argv[si + 1]);
  argv.splice(si, 2);
}
if (!(scale > 0) || argv.length !== 1) {
  console.error('usage: app.cjs OUT.heapsnapshot [--scale S]');
  process.exit(2);
}
const OUT = path.resolve(argv[0]);
const n = (count) => Math.max(1, Math.round(count * scale));

// A small deterministic PRNG (mulberry32), so every run builds the same state.
let seed = 0x5eed;
function rand() {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

// -- modules: the built-ins a service typically loads, and generated application modules -----
globalThis.builtins = {};
for (const m of [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'crypto',
  'dns',
  'events',
  'fs/promises',
  'https',
  'net',
  'readline',
  'stream',
  'stream/promises',
  'string_decoder',
  'tls',
  'url',
  'util',
  'zlib',
  'querystring',
  'perf_hooks',
  'worker_threads',
  'diagnostics_channel',
]) {
  builtins[m] = require(m);
}

const modDir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-bench-app-'));
const MODULES = 240;
for (let m = 0; m < MODULES; m++) {
  const deps = m > 0 ? [`require('./mod${m - 1}.js')`, `require('./mod${(m * 7) % m}.js')`] : [];
  const src = `'use strict';
// generated application module ${m}
const deps = [${deps.join(', ')}];
const TABLE_${m} = Object.freeze(${JSON.stringify(Array.from({ length: 40 }, (_, i) => ({ code: `E${m}_${i}`, text: `message ${i} of module ${m}`, level: i % 4 })))});
const PATTERN_${m} = /^\\/api\\/v${m % 3}\\/(\\w+)\\/(\\d+)(?:\\?.*)?$/;
class Service${m} {
  constructor(options = {}) { this.name = 'service-${m}'; this.options = {retries: ${m % 5}, ...options}; this.calls = 0; this.cache = new Map(); }
  handle(req) { this.calls++; const m = PATTERN_${m}.exec(req.url || ''); return m ? {kind: m[1], id: Number(m[2]), svc: this.name} : null; }
  describe(code) { return TABLE_${m}.find(e => e.code === code) || null; }
  static create(opts) { return new Service${m}(opts); }
}
class Model${m} extends (deps[0] ? deps[0].Model : Object) {
  constructor(data) { super(data); this.m${m} = data && data.v; }
  toJSON() { return {model: ${m}, v: this.m${m}}; }
}
function helper${m}a(x) { return x * ${m + 1} + deps.length; }
function helper${m}b(s) { return String(s).split('').reverse().join('') + '${m}'; }
const handlers = {};
for (let i = 0; i < 12; i++) handlers['route' + i] = (req) => helper${m}a(i) + (req ? 1 : 0);
module.exports = {Service: Service${m}, Model: Model${m}, helper${m}a, helper${m}b, handlers, TABLE: TABLE_${m},
  instance: Service${m}.create({id: ${m}})};
`;
  fs.writeFileSync(path.join(modDir, `mod${m}.js`), src);
}
globalThis.appModules = [];
for (let m = 0; m < MODULES; m++) appModules.push(require(path.join(modDir, `mod${m}.js`)));
fs.rmSync(modDir, { recursive: true, force: true });

// -- application state ---------------------------------------------------------------------------
const FIRST = ['ada', 'grace', 'alan', 'edsger', 'barbara', 'ken', 'dennis', 'linus', 'margaret', 'donald'];
const CITIES = ['Berlin', 'Paris', 'Lagos', 'Lima', 'Osaka', 'Austin', 'Pune', 'Oslo'];
class Address {
  constructor(i) {
    this.street = `${i} Main Street`;
    this.city = pick(CITIES);
    this.zip = String(10000 + i);
  }
}
class User {
  constructor(i) {
    this.id = i;
    this.name = `${pick(FIRST)}-${i}`;
    this.email = `${this.name}@example.com`;
    this.createdAt = new Date(1700000000000 + i * 1000);
    this.address = new Address(i);
    this.roles = i % 10 === 0 ? ['admin', 'user'] : ['user'];
    this.prefs = { theme: i % 2 ? 'dark' : 'light', lang: 'en' };
    this.orders = [];
  }
}
class Product {
  constructor(i) {
    this.sku = `SKU-${i}`;
    this.title = `Product number ${i} `.repeat(1 + (i % 4));
    this.price = (i % 97) + 0.99;
    this.tags = [pick(CITIES), 'tag' + (i % 13)];
  }
}
class OrderItem {
  constructor(product, qty) {
    this.product = product;
    this.qty = qty;
  }
}
class Order {
  constructor(i, user, products) {
    this.id = `ord-${i}`;
    this.user = user;
    this.items = [];
    for (let k = 0; k < 1 + (i % 4); k++) this.items.push(new OrderItem(pick(products), 1 + (k % 3)));
    this.total = this.items.reduce((s, it) => s + it.product.price * it.qty, 0);
    this.status = pick(['new', 'paid', 'shipped', 'delivered']);
  }
}
class Session {
  constructor(i, user) {
    this.sid = 'sess_' + ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
    this.user = user;
    this.lastSeen = Date.now() - i;
    this.data = { cart: [], csrf: 'tok' + i, visits: i % 50 };
    this.touch = () => {
      this.lastSeen = Date.now();
    };
  }
}
class LRU {
  constructor(limit) {
    this.limit = limit;
    this.map = new Map();
    this.hits = 0;
  }
  get(k) {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
      this.hits++;
    }
    return v;
  }
  set(k, v) {
    this.map.set(k, v);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value);
  }
}
class Bus extends EventEmitter {}

globalThis.app = {};
app.products = Array.from({ length: n(2000) }, (_, i) => new Product(i));
app.users = new Map();
for (let i = 0; i < n(15000); i++) app.users.set(i, new User(i));
app.orders = [];
for (let i = 0; i < n(20000); i++) {
  const u = app.users.get(i % app.users.size);
  const o = new Order(i, u, app.products);
  u.orders.push(o);
  app.orders.push(o);
}
app.sessions = new Map();
for (let i = 0; i < n(8000); i++) {
  const s = new Session(i, app.users.get(i));
  app.sessions.set(s.sid, s);
}
app.cache = new LRU(n(6000));
for (let i = 0; i < n(10000); i++)
  app.cache.set('/api/v1/orders/' + i, JSON.stringify(app.orders[i % app.orders.length].items.map((it) => it.product.sku)));
app.config = JSON.parse(
  JSON.stringify({
    server: { port: 0, keepAlive: true, timeouts: { header: 60000, request: 300000 } },
    features: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`flag_${i}`, { on: i % 3 === 0, rollout: i % 100 }])),
    i18n: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`msg.${i}`, `Translated message number ${i}`])),
  }),
);
app.bus = new Bus();
app.bus.setMaxListeners(0);
for (let i = 0; i < n(1500); i++) app.bus.on('evt' + (i % 50), (payload) => payload && app.users.get(i));
app.pending = Array.from(
  { length: n(2000) },
  (_, i) =>
    new Promise((resolve) => {
      if (i < 0) resolve(i);
    }),
);
app.errors = Array.from({ length: n(300) }, (_, i) => new Error(`request ${i} failed: ECONNRESET`));
app.regexps = Array.from({ length: 200 }, (_, i) => new RegExp(`^/api/v${i % 4}/items/(\\d+)/${i}$`));
app.logLines = Array.from(
  { length: n(10000) },
  (_, i) => `${new Date(1700000000000 + i).toISOString()} INFO GET /api/v1/orders/${i} 200 ${i % 97}ms`,
);
app.longStrings = Array.from({ length: n(100) }, (_, i) => 'x'.repeat(8000 + i) + i); // long strings
app.dupStrings = Array.from({ length: n(10000) }, (_, i) =>
  ['GET', 'POST', 'application/json', 'text/html; charset=utf-8'][i % 4].slice(0),
); // duplicated
app.buffers = Array.from({ length: n(1000) }, (_, i) => Buffer.alloc(1024 + (i % 8) * 512, i & 0xff)); // external memory
app.bigBuffer = Buffer.alloc(n(4 << 20)); // a few huge objects
app.floats = Array.from({ length: n(200) }, (_, i) => new Float64Array(256 + i));
app.weak = Array.from({ length: n(1000) }, (_, i) => new WeakRef(app.orders[i]));
app.registry = new FinalizationRegistry(() => {});
for (let i = 0; i < n(500); i++) app.registry.register(app.users.get(i), i);
app.symbols = Array.from({ length: 200 }, (_, i) => Symbol('sym' + i));
// a few cycles and a deep chain
app.ring = (() => {
  const first = { i: 0 };
  let cur = first;
  for (let i = 1; i < n(3000); i++) {
    cur.next = { i, prev: cur };
    cur = cur.next;
  }
  cur.next = first;
  return first;
})();

// -- timers --------------------------------------------------------------------------------------
app.timers = [];
for (let i = 0; i < n(500); i++) app.timers.push(setTimeout(() => app.sessions.size + i, 3600e3 + i).unref());
for (let i = 0; i < 50; i++) app.timers.push(setInterval(() => app.cache.get('/api/v1/orders/' + i), 60e3 + i).unref());

// -- HTTP server and a keep-alive client ---------------------------------------------------------
const services = appModules.map((m) => m.instance);
app.longPoll = [];
const server = http.createServer((req, res) => {
  const svc = services[req.url.length % services.length];
  if (req.url.startsWith('/poll')) {
    app.longPoll.push(res);
    return;
  } // held open, like a long poll
  const session = app.sessions.get(req.headers['x-session']) || null;
  const body = JSON.stringify({ ok: true, route: svc.handle(req), user: session && session.user.name });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
app.server = server;

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  app.agent = agent;
  const sids = [...app.sessions.keys()];
  const get = (p) =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: p, agent, headers: { 'x-session': pick(sids) } }, (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks).toString()));
        })
        .on('error', reject);
    });
  for (let round = 0; round < 20; round++) {
    await Promise.all(Array.from({ length: 16 }, (_, i) => get(`/api/v${i % 3}/orders/${round * 16 + i}`)));
  }
  for (let i = 0; i < 8; i++) http.get({ host: '127.0.0.1', port, path: '/poll/' + i }).on('error', () => {});
  while (app.longPoll.length < 8) await new Promise((r) => setTimeout(r, 10));

  const tmp = `${OUT}.tmp-${process.pid}`;
  v8.writeHeapSnapshot(tmp);
  fs.renameSync(tmp, OUT);
  console.log(`wrote ${OUT} (${(fs.statSync(OUT).size / 1e6).toFixed(1)} MB)`);
  process.exit(0);
});
