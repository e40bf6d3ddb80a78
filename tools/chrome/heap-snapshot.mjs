#!/usr/bin/env node
// Writes a real Chrome heap snapshot of a page: starts headless Chromium with
// --remote-debugging-pipe (the DevTools protocol over file descriptors 3 and 4, NUL-terminated
// JSON messages; no npm dependency), opens the page, waits for `window.__ready`, collects
// garbage and takes the snapshot exactly as DevTools' Memory panel does
// (HeapProfiler.takeHeapSnapshot, streamed as addHeapSnapshotChunk events).
//
//   node tools/chrome/heap-snapshot.mjs OUT.heapsnapshot [--page FILE.html] [--chrome PATH]
//
// The default page is tools/chrome/page.html: a small app with attached DOM, detached <li>s held
// by their views, detached subtrees held by a Map and by a closure, SVG, a form, listeners.
// The browser: --chrome, else what find.cjs finds ($HEAPWISE_CHROMIUM, else $CHROME_PATH, else the
// first of chromium, chromium-browser, google-chrome, google-chrome-stable on PATH).
//
// As a module: `await writeChromeSnapshot(out, {page, chrome, timeoutMs})` returns
// {file, bytes, browser (e.g. "Chrome/156.0.8078.79"), ms}; `findChrome()` returns the binary's
// path or null.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findChrome, SEARCHED } from './find.cjs';

export { findChrome };

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_PAGE = path.join(here, 'page.html');

/** A DevTools-protocol client over Chrome's pipe: send(method, params, sessionId) -> result. */
class PipeClient {
  constructor(writable, readable) {
    this.out = writable;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.closed = null;
    let buf = '';
    readable.setEncoding('utf8');
    readable.on('data', (d) => {
      buf += d;
      let end;
      while ((end = buf.indexOf('\0')) >= 0) {
        const msg = JSON.parse(buf.slice(0, end));
        buf = buf.slice(end + 1);
        if (msg.id !== undefined && this.pending.has(msg.id)) {
          const { resolve, reject, method } = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) reject(new Error(`${method}: ${msg.error.message} (${msg.error.code})`));
          else resolve(msg.result);
        } else if (msg.method) {
          for (const l of this.listeners) l(msg);
        }
      }
    });
    readable.on('close', () => this.fail(new Error('Chrome closed its DevTools pipe')));
    // A Chrome that exits at once (or crashes) breaks the pipe: the pending calls reject, and the
    // caller cleans up, instead of an unhandled 'error' event ending the process.
    readable.on('error', (e) => this.fail(e));
    writable.on('error', (e) => this.fail(new Error(`Chrome's DevTools pipe broke: ${e.message}`)));
  }

  fail(err) {
    this.closed = err;
    for (const { reject } of this.pending.values()) reject(err);
    this.pending.clear();
  }

  send(method, params = {}, sessionId) {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify(msg) + '\0');
    });
  }

  on(fn) {
    this.listeners.push(fn);
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `page` in headless Chrome and writes its heap snapshot to `out`. Rejects with Chrome's
 * stderr tail when Chrome cannot start, or after timeoutMs.
 */
export async function writeChromeSnapshot(out, { page = DEFAULT_PAGE, chrome = findChrome(), timeoutMs = 120000 } = {}) {
  if (!chrome) throw new Error(`no Chrome / Chromium found (looked for ${SEARCHED}; Debian: apt-get install -y chromium)`);
  const t0 = Date.now();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-chrome-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-extensions',
    '--disable-background-networking',
    '--disable-component-update',
    '--mute-audio',
    '--remote-debugging-pipe',
    `--user-data-dir=${profile}`,
    'about:blank',
  ];
  const proc = spawn(chrome, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-8000);
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const client = new PipeClient(proc.stdio[3], proc.stdio[4]);
  proc.on('error', (e) => client.fail(e));
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Chrome heap snapshot timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    const { product } = await client.send('Browser.getVersion');
    const { targetId } = await client.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await client.send('Target.attachToTarget', { targetId, flatten: true });
    const chunks = [];
    client.on((m) => {
      if (m.sessionId === sessionId && m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params.chunk);
    });
    await client.send('Page.enable', {}, sessionId);
    await client.send('Runtime.enable', {}, sessionId);
    await client.send('Page.navigate', { url: pathToFileURL(path.resolve(page)).href }, sessionId);
    for (;;) {
      const r = await client.send('Runtime.evaluate', { expression: 'window.__ready === true', returnByValue: true }, sessionId);
      if (r.result && r.result.value === true) break;
      await sleep(50);
    }
    await client.send('HeapProfiler.enable', {}, sessionId);
    await client.send('HeapProfiler.collectGarbage', {}, sessionId);
    await client.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false }, sessionId);
    await client.send('Browser.close').catch(() => {});
    return { product, text: chunks.join('') };
  })();
  try {
    const { product, text } = await Promise.race([work, timeout]);
    if (!text.startsWith('{"snapshot":')) throw new Error(`Chrome sent no heap snapshot (${text.length} characters)`);
    fs.writeFileSync(out, text);
    return { file: out, bytes: Buffer.byteLength(text), browser: product, ms: Date.now() - t0 };
  } catch (e) {
    e.message += stderr.trim() ? `\nChrome's stderr (last lines):\n${stderr.trim().split('\n').slice(-15).join('\n')}` : '';
    throw e;
  } finally {
    clearTimeout(timer);
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = await Promise.race([exited, sleep(5000).then(() => null)]);
      if (!gone) {
        proc.kill('SIGKILL');
        await exited;
      }
    }
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    argv.splice(i, 2);
    return v;
  };
  const page = opt('--page');
  const chrome = opt('--chrome');
  if (argv.length !== 1) {
    process.stderr.write('usage: node tools/chrome/heap-snapshot.mjs OUT.heapsnapshot [--page FILE.html] [--chrome PATH]\n');
    process.exit(2);
  }
  try {
    const r = await writeChromeSnapshot(argv[0], { page: page || DEFAULT_PAGE, chrome: chrome || findChrome() });
    process.stdout.write(`${r.file}\t${r.bytes} bytes\t${r.browser}\t${r.ms} ms\n`);
  } catch (e) {
    process.stderr.write(`chrome heap snapshot failed: ${(e && e.message) || e}\n`);
    process.exit(1);
  }
}
