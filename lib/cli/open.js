'use strict';
// `heapwise open FILE [BASELINE…]`: serves the explorer (lib/open) on 127.0.0.1, prints its URL
// as soon as the server listens, opens a browser on it (unless --no-browser), then loads the
// snapshots. Runs until Ctrl-C or SIGTERM, then closes the server and frees the snapshots.
// Exit codes: 0 after Ctrl-C or SIGTERM, 2 when a file cannot be loaded (or a usage error).
const { spawn } = require('node:child_process');
const path = require('node:path');

/**
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 * @returns {Promise<number>}
 */
async function run(opts, io) {
  const { Session, OpenServer } = require('../open/server.js');
  const [file, ...baselines] = /** @type {string[]} */ (opts._);
  const session = new Session({ file, baselines, maxMemory: opts.maxMemory ?? undefined });
  const server = new OpenServer(session, { port: opts.port });
  try {
    await session.check();
    await server.listen();
  } catch (e) {
    session.close();
    throw e;
  }
  io.stdout.write(`heapwise open: ${server.url}\n`);
  io.stderr.write(`heapwise open: loading ${[...baselines, file].map((f) => path.basename(f)).join(', ')}; Ctrl-C stops\n`);
  if (!opts.noBrowser) openBrowser(server.url);

  return new Promise((resolve) => {
    let stopped = false;
    /** @param {number} code */
    const stop = async (code) => {
      if (stopped) return;
      stopped = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      session.close();
      await server.close();
      resolve(code);
    };
    const onSignal = () => stop(0);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    session.load().then(
      () => io.stderr.write(`heapwise open: ready (${((Date.now() - session.startedAt) / 1000).toFixed(1)} s)\n`),
      (/** @type {any} */ e) => {
        if (stopped) return;
        io.stderr.write(`heapwise: ${e && e.message ? e.message : String(e)}${e && e.code ? ` (${e.code})` : ''}\n`);
        stop(2);
      },
    );
  });
}

/**
 * Opens `url` in the default browser (open, xdg-open, start), detached; errors are ignored: the
 * URL is printed anyway.
 * @param {string} url
 */
function openBrowser(url) {
  /** @type {[string, string[]]} */
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener: the URL is on stdout
  }
}

module.exports = { run, openBrowser };
