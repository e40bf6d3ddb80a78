// Shared by the installers of test and benchmark dependencies (tools/devtools, tools/node-versions,
// bench/lib/setup.mjs): running npm without a shell, and a lock directory so that concurrent
// processes (node --test runs test files in parallel) do not install into one place at once.
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * npm without a shell: on Windows `npm` is a .cmd script that execFileSync cannot run directly,
 * so prefer running npm-cli.js with this node when it can be found. Returns `{file, pre}`: run
 * `file` with `[...pre, ...args]`.
 */
export function npmCommand() {
  const candidates = [];
  if (process.env.npm_execpath && process.env.npm_execpath.endsWith('npm-cli.js')) candidates.push(process.env.npm_execpath);
  const bin = path.dirname(process.execPath);
  candidates.push(path.join(bin, 'node_modules', 'npm', 'bin', 'npm-cli.js')); // Windows layout
  candidates.push(path.join(bin, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')); // POSIX layout
  for (const c of candidates) if (fs.existsSync(c)) return { file: process.execPath, pre: [c] };
  return { file: 'npm', pre: [] };
}

const LOCK_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * One attempt at taking the lock directory `lock`: true if taken. A stale lock (its owner has
 * exited, or it has had no owner pid for 30 s) is removed (`onStale(pid)` is told) and retried.
 */
function tryLock(lock, onStale) {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try {
        owner = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
      } catch {}
      let alive = true;
      if (owner > 0) {
        try {
          process.kill(owner, 0);
        } catch (err) {
          alive = err.code === 'EPERM';
        }
      } else {
        // pid file not written yet, or the owner died between mkdir and write: stale after 30 s
        try {
          alive = Date.now() - fs.statSync(lock).mtimeMs < 30000;
        } catch {
          alive = false;
        }
      }
      if (alive) return false;
      if (onStale) onStale(owner);
      fs.rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** Runs `fn()` (which may return a promise) holding the lock directory `lock`; waits for it up to 10 minutes. */
export async function withLock(lock, fn, { onStale } = {}) {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  while (!tryLock(lock, onStale)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** `withLock` for synchronous callers: waits by blocking the thread. */
export function withLockSync(lock, fn, { onStale } = {}) {
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  while (!tryLock(lock, onStale)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
