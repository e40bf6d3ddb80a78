'use strict';
// The server of `heapwise open`: node:http on 127.0.0.1, one page (page.html, page.js, page.css)
// and a JSON API that answers through the query layer (lib/query), so the graph stays in Rust and
// the browser gets pages of it. The snapshots load after the server listens; the page polls
// GET /api/session for the progress, then asks POST /api/query/NAME.
//
// Security: the server listens on the loopback address only, and every request must carry the
// session's token (32 random bytes, base64url): in the URL for the page and its two files, in the
// X-Heapwise-Token header for the API. A request whose Host is not 127.0.0.1:PORT or
// localhost:PORT (DNS rebinding) or whose Origin is not the page's own (cross-site requests) gets
// 403 before anything else is looked at. The page runs under a CSP that allows nothing but this
// server's own files and API. The API answers only the read-only queries, and only about the
// snapshots of this session (by handle): no file path comes from the browser.
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { errorInfo } = require('../core.js');
const { Query, SNAPSHOT_PARAMS } = require('../query/index.js');
const { browserScript } = require('../report/assets.js');

/** The page's Content-Security-Policy: its own script, style and API, nothing else. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The queries the page may ask: the read-only ones about loaded snapshots (no load, close, peek or findings of paths). */
const ASKABLE = new Set([
  'snapshots',
  'summary',
  'instances',
  'statistics',
  'external',
  'node',
  'references',
  'retainers',
  'dominated',
  'retainer_paths',
  'find',
  'top',
  'strings',
  'explain',
  'diff',
]);

/** The largest request body the API reads (query parameters are small). */
const MAX_BODY = 64 * 1024;

/** How many findings the session computes. */
const FINDINGS = 10;

/**
 * @typedef {object} FileState
 * @property {string} file absolute path
 * @property {'target' | 'baseline'} role
 * @property {string | null} snapshot the handle once loaded
 * @property {boolean} keep loaded and kept (the target and the newest baseline); the older baselines are read by findings only
 * @property {'waiting' | 'loading' | 'ready' | 'read' | 'error'} state
 * @property {number} progress 0..1 of its load
 * @property {string} phase
 */

/** The files of one session, their load, and the findings computed once from them. */
class Session {
  /**
   * @param {{ file: string, baselines?: string[], maxMemory?: number }} options
   */
  constructor({ file, baselines = [], maxMemory }) {
    this.query = new Query(maxMemory ? { maxMemory } : {});
    this.abort = new AbortController();
    /** @type {FileState[]} */
    this.files = [
      ...baselines.map((f, i) => this.fileState(f, 'baseline', i === baselines.length - 1)),
      this.fileState(file, 'target', true),
    ];
    /** @type {{ code: string, message: string, byteOffset: number | null } | null} */
    this.error = null;
    /** @type {null | { state: 'waiting' | 'computing' | 'ready' | 'error', progress: number, phase: string, result?: any, error?: any }} */
    this.findings = baselines.length ? { state: 'waiting', progress: 0, phase: '' } : null;
    this.ready = false;
    this.startedAt = Date.now();
  }

  /** @param {string} f @param {'target' | 'baseline'} role @param {boolean} keep @returns {FileState} */
  fileState(f, role, keep) {
    return { file: path.resolve(f), role, snapshot: null, keep, state: 'waiting', progress: 0, phase: '' };
  }

  get target() {
    return this.files[this.files.length - 1];
  }

  /** The newest baseline (Comparison's "before"), or null. */
  get baseline() {
    return this.files.length > 1 ? this.files[this.files.length - 2] : null;
  }

  /** Checks every file's header (fast, any size): a missing or malformed file fails before the server starts. */
  async check() {
    for (const f of this.files) await this.query.run('peek', { file: f.file });
  }

  /**
   * Loads the target, then the newest baseline, then computes the findings over all of them.
   * Rejects with the first error (the session's `error` says it too).
   */
  async load() {
    const signal = this.abort.signal;
    try {
      for (const f of [this.target, this.baseline]) {
        if (!f) continue;
        f.state = 'loading';
        const answer = await this.query.run(
          'load',
          { file: f.file },
          { signal, onProgress: (p) => Object.assign(f, { progress: p.progress / p.total, phase: phaseOf(p.message) }) },
        );
        // The views hold this handle for the whole session: no later load may evict it.
        this.query.registry.pin(answer.snapshot);
        Object.assign(f, { snapshot: answer.snapshot, state: 'ready', progress: 1, phase: 'done' });
      }
      if (this.findings) {
        const fin = this.findings;
        fin.state = 'computing';
        const old = this.files.filter((f) => !f.keep);
        for (const f of old) f.state = 'loading';
        fin.result = await this.query.run(
          'findings',
          { files: this.files.map((f) => f.snapshot ?? f.file), limit: FINDINGS },
          { signal, onProgress: (p) => Object.assign(fin, { progress: p.progress / p.total, phase: p.message }) },
        );
        for (const f of old) Object.assign(f, { state: 'read', progress: 1, phase: 'done' });
        Object.assign(fin, { state: 'ready', progress: 1, phase: 'done' });
      }
      this.ready = true;
    } catch (e) {
      this.error = errorInfo(e);
      for (const f of this.files) if (f.state === 'loading') f.state = 'error';
      if (this.findings && this.findings.state !== 'ready') Object.assign(this.findings, { state: 'error', error: this.error });
      throw e;
    }
  }

  /** The handles of this session's loaded snapshots. */
  handles() {
    return new Set(this.files.map((f) => f.snapshot).filter(Boolean));
  }

  /** What GET /api/session answers. */
  state() {
    const fin = this.findings;
    return {
      version: require('../../package.json').version,
      ready: this.ready,
      error: this.error,
      elapsedMs: Date.now() - this.startedAt,
      target: this.target.snapshot,
      baseline: this.baseline ? this.baseline.snapshot : null,
      files: this.files.map(({ file, role, snapshot, state, progress, phase }) => ({ file, role, snapshot, state, progress, phase })),
      findings: fin
        ? {
            state: fin.state,
            progress: fin.progress,
            phase: fin.phase,
            ...(fin.state === 'ready' ? fin.result : {}),
            ...(fin.error ? { error: fin.error } : {}),
          }
        : null,
    };
  }

  /** Stops a load under way and frees every snapshot. */
  close() {
    this.abort.abort();
    this.query.closeAll();
  }
}

/** `loading x.heapsnapshot: dominators` → `dominators`. */
function phaseOf(/** @type {string} */ message) {
  const i = message.lastIndexOf(': ');
  return i < 0 ? message : message.slice(i + 2);
}

/** @param {string} code */
function statusOf(code) {
  return code === 'ERR_HEAPWISE_NOT_FOUND' ? 404 : code === 'ERR_HEAPWISE_INVALID_ARGUMENT' ? 400 : 500;
}

/** The page's files, read once: the HTML (with the token in its two file URLs), the script and the CSS. */
function pageFiles() {
  const here = __dirname;
  return {
    html: fs.readFileSync(path.join(here, 'page.html'), 'utf8'),
    script: browserScript(path.join(here, 'page.js')),
    css: fs.readFileSync(path.join(__dirname, '..', 'report', 'page.css'), 'utf8') + fs.readFileSync(path.join(here, 'page.css'), 'utf8'),
  };
}

/**
 * The server of one session. `listen()` resolves with the URL (token included) as soon as it
 * listens; the caller starts `session.load()` itself.
 */
class OpenServer {
  /**
   * @param {Session} session
   * @param {{ port?: number }} [options]
   */
  constructor(session, { port = 0 } = {}) {
    this.session = session;
    this.port = port;
    this.token = crypto.randomBytes(32).toString('base64url');
    this.files = pageFiles();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => this.json(res, 500, { error: errorInfo(e) }));
    });
    /** @type {Set<import('node:net').Socket>} */
    this.sockets = new Set();
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** @returns {Promise<string>} the page's URL */
  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = /** @type {import('node:net').AddressInfo} */ (this.server.address()).port;
        resolve(this.url);
      });
    });
  }

  get url() {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  /** Stops listening and drops the open connections. */
  close() {
    return new Promise((resolve) => {
      this.server.close(() => resolve(undefined));
      for (const s of this.sockets) s.destroy();
    });
  }

  /** True if `given` is the token (in constant time). @param {unknown} given */
  tokenOk(given) {
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && crypto.timingSafeEqual(a, b);
  }

  /** @param {http.IncomingMessage} req */
  allowed(req) {
    const hosts = [`127.0.0.1:${this.port}`, `localhost:${this.port}`];
    if (!hosts.includes(String(req.headers.host))) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return false;
    return true;
  }

  /**
   * @param {http.ServerResponse} res
   * @param {number} status
   * @param {string | Buffer} body
   * @param {string} type
   */
  send(res, status, body, type) {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  /** @param {http.ServerResponse} res @param {number} status @param {unknown} value */
  json(res, status, value) {
    if (res.headersSent) return res.destroy();
    this.send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
  }

  /** @param {http.ServerResponse} res @param {string} code @param {string} message */
  fail(res, code, message) {
    this.json(res, statusOf(code), { error: { code, message, byteOffset: null } });
  }

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async handle(req, res) {
    if (!this.allowed(req)) return this.send(res, 403, 'forbidden\n', 'text/plain; charset=utf-8');
    const url = new URL(req.url || '/', `http://127.0.0.1:${this.port}`);
    const api = url.pathname.startsWith('/api/');
    if (!this.tokenOk(api ? req.headers['x-heapwise-token'] : url.searchParams.get('token'))) {
      return this.send(res, 403, 'forbidden: this page needs the URL heapwise open printed\n', 'text/plain; charset=utf-8');
    }
    const method = req.method || 'GET';
    if (!api) {
      if (method !== 'GET') return this.send(res, 405, 'method not allowed\n', 'text/plain; charset=utf-8');
      if (url.pathname === '/') return this.send(res, 200, this.files.html.replaceAll('%TOKEN%', this.token), 'text/html; charset=utf-8');
      if (url.pathname === '/page.js') return this.send(res, 200, this.files.script, 'text/javascript; charset=utf-8');
      if (url.pathname === '/page.css') return this.send(res, 200, this.files.css, 'text/css; charset=utf-8');
      return this.send(res, 404, 'not found\n', 'text/plain; charset=utf-8');
    }
    if (url.pathname === '/api/session' && method === 'GET') return this.json(res, 200, this.session.state());
    const m = /^\/api\/query\/([a-z_]+)$/.exec(url.pathname);
    if (!m || !ASKABLE.has(m[1])) return this.fail(res, 'ERR_HEAPWISE_NOT_FOUND', `no API ${url.pathname}`);
    if (method !== 'POST') return this.fail(res, 'ERR_HEAPWISE_INVALID_ARGUMENT', `${url.pathname} takes a POST with JSON parameters`);
    let params;
    try {
      params = JSON.parse((await readBody(req)) || '{}');
    } catch (e) {
      return this.fail(res, 'ERR_HEAPWISE_INVALID_ARGUMENT', `the body must be JSON parameters: ${/** @type {Error} */ (e).message}`);
    }
    const handles = this.session.handles();
    for (const key of SNAPSHOT_PARAMS) {
      if (params && typeof params === 'object' && key in params && !handles.has(params[key])) {
        const known = [...handles].join(', ') || 'none yet';
        return this.fail(res, 'ERR_HEAPWISE_INVALID_ARGUMENT', `${key} must be a snapshot of this session (${known})`);
      }
    }
    // A closed connection (the page moved on) cancels the query.
    const ac = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) ac.abort();
    });
    try {
      this.json(res, 200, await this.session.query.run(m[1], params, { signal: ac.signal }));
    } catch (e) {
      const error = errorInfo(e);
      this.json(res, statusOf(error.code), { error });
    }
  }
}

/**
 * The body of a request as text, at most MAX_BODY bytes.
 * @param {http.IncomingMessage} req
 * @returns {Promise<string>}
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (/** @type {Buffer} */ c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`more than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

module.exports = { Session, OpenServer, CSP, ASKABLE };
