'use strict';
// Process memory of a process tree, read from /proc (Linux): RSS and PSS summed over a process
// and all its descendants, plus the V8 heap figures of process.memoryUsage() when the watched
// process is the current one.
//
// RSS counts every page a process has in memory, so pages shared between processes (a forked
// worker's copy-on-write pages, shared libraries) are counted once per process; PSS divides each
// shared page among the processes that map it, so the PSS of a tree is what the tree really costs.
// PSS comes from /proc/PID/smaps_rollup (Linux 4.14 and later); where it is missing or not
// readable, the sample has `pss: null` and RSS comes from /proc/PID/status.
//
// Also read from /proc here: a process's parent and state, its tree, and whether it catches a
// signal (SigCgt), which `watch -- CMD` checks before it sends the snapshot signal.
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');

const PROC = '/proc';

/** True if this system has a /proc with per-process stat files (Linux). */
function hasProcfs() {
  try {
    return fs.statSync(`${PROC}/self/stat`).isFile();
  } catch {
    return false;
  }
}

/** True if a process with this pid exists (and is visible to us). */
function processExists(pid) {
  if (hasProcfs()) {
    try {
      fs.statSync(`${PROC}/${pid}`);
      return true;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/**
 * The fields of /proc/PID/stat after the command name, the state (field 3) first. The command
 * name is in parentheses and may itself contain spaces and parentheses, so fields are counted
 * from the last ')'. Null for a text without one.
 */
function statFields(statText) {
  const close = statText.lastIndexOf(')');
  return close < 0 ? null : statText.slice(close + 2).split(' ');
}

/** The parent pid (field 4) in the text of /proc/PID/stat, or null. */
function parentOf(statText) {
  const fields = statFields(statText);
  const ppid = fields && Number(fields[1]);
  return Number.isInteger(ppid) ? ppid : null;
}

/** The state letter of /proc/PID/stat (`R`, `S`, `Z` for a zombie, ...). */
function stateOf(statText) {
  const fields = statFields(statText);
  return fields && fields[0];
}

/** Field 22 of /proc/PID/stat of process `pid` (its start time, in clock ticks since boot), or null. */
async function startTime(pid) {
  try {
    const fields = statFields(await fsp.readFile(`${PROC}/${pid}/stat`, 'latin1'));
    return (fields && fields[19]) || null;
  } catch {
    return null;
  }
}

/**
 * The pids of `pid` and all its live descendants (children, grandchildren, ...), `pid` first;
 * empty if `pid` is gone or a zombie (exited, not yet reaped by its parent).
 */
async function processTree(pid) {
  let names;
  try {
    names = await fsp.readdir(PROC);
  } catch {
    return [pid];
  }
  const dead = new Set();
  const children = new Map();
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      let text;
      try {
        text = await fsp.readFile(`${PROC}/${name}/stat`, 'latin1');
      } catch {
        return; // exited meanwhile
      }
      const ppid = parentOf(text);
      if (ppid === null) return;
      const state = stateOf(text);
      if (state === 'Z' || state === 'X') {
        dead.add(Number(name));
        return;
      }
      let list = children.get(ppid);
      if (!list) children.set(ppid, (list = []));
      list.push(Number(name));
    }),
  );
  if (dead.has(pid) || !fs.existsSync(`${PROC}/${pid}`)) return [];
  const tree = [pid];
  const seen = new Set(tree);
  for (let i = 0; i < tree.length; i++) {
    for (const c of children.get(tree[i]) || []) {
      if (!seen.has(c)) {
        seen.add(c);
        tree.push(c);
      }
    }
  }
  return tree;
}

/** `Name:   1234 kB` lines of /proc files, in bytes. */
function kbField(text, name) {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

/**
 * Whether process `pid` has a handler for `signal` now (its bit in SigCgt of /proc/PID/status);
 * false when it has none or is gone.
 */
async function catchesSignal(pid, signal) {
  try {
    const status = await fsp.readFile(`${PROC}/${pid}/status`, 'latin1');
    const mask = status.match(/^SigCgt:\s*([0-9a-f]+)$/m);
    return mask !== null && ((BigInt(`0x${mask[1]}`) >> BigInt(os.constants.signals[signal] - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * RSS and PSS of one process, in bytes: `{ rss, pss }` (`pss` null where smaps_rollup is missing
 * or unreadable), or null if the process is gone or has no memory of its own (see below).
 */
async function processMemory(pid) {
  try {
    const text = await fsp.readFile(`${PROC}/${pid}/smaps_rollup`, 'latin1');
    const rss = kbField(text, 'Rss');
    const pss = kbField(text, 'Pss');
    if (rss !== null) return { rss, pss };
  } catch (e) {
    if (e.code === 'ESRCH') return null;
  }
  try {
    const text = await fsp.readFile(`${PROC}/${pid}/status`, 'latin1');
    const rss = kbField(text, 'VmRSS');
    // No VmRSS: no address space of its own. A kernel thread or a zombie, or a process that is
    // exiting (for a moment it is still running, its memory already released): not counted, as
    // if it had gone (counting it as 0 bytes would make a tree's RSS drop for one sample).
    return rss === null ? null : { rss, pss: null };
  } catch {
    return null;
  }
}

/**
 * One sample of the memory of `pid` and its descendants:
 * `{ time, rss, pss, processes, heapUsed, heapTotal, external, arrayBuffers }` (bytes; the last
 * four are process.memoryUsage()'s when `pid` is the current process, else what `runtime` says of
 * the tree's pids (`heapwise watch -- CMD`: the preload's figures of its Node processes, summed),
 * else null).
 * Returns null when the process does not exist (any more).
 * @param {number} pid
 * @param {{ runtime?: (pids: number[]) => { heapUsed: number, heapTotal: number, external: number, arrayBuffers: number } | null }} [options]
 */
async function sampleTree(pid, options = {}) {
  const time = Date.now();
  const self = pid === process.pid;
  const mu = self ? process.memoryUsage() : null;
  if (!hasProcfs()) {
    if (!self) return null;
    return {
      time,
      rss: mu.rss,
      pss: null,
      processes: 1,
      heapUsed: mu.heapUsed,
      heapTotal: mu.heapTotal,
      external: mu.external,
      arrayBuffers: mu.arrayBuffers,
    };
  }
  const pids = await processTree(pid);
  if (!pids.length) return null; // the watched process is gone
  const mems = await Promise.all(pids.map(processMemory));
  if (!mems[0]) return null;
  const rt = !self && options.runtime ? options.runtime(pids) : null;
  let rss = 0;
  let pss = 0;
  let pssKnown = true;
  let processes = 0;
  for (const m of mems) {
    if (!m) continue; // a descendant exited between listing and reading
    processes++;
    rss += m.rss;
    if (m.pss === null) pssKnown = false;
    else pss += m.pss;
  }
  return {
    time,
    rss,
    pss: pssKnown ? pss : null,
    processes,
    heapUsed: mu ? mu.heapUsed : rt ? rt.heapUsed : null,
    heapTotal: mu ? mu.heapTotal : rt ? rt.heapTotal : null,
    external: mu ? mu.external : rt ? rt.external : null,
    arrayBuffers: mu ? mu.arrayBuffers : rt ? rt.arrayBuffers : null,
  };
}

module.exports = {
  sampleTree,
  processTree,
  processMemory,
  processExists,
  parentOf,
  stateOf,
  startTime,
  catchesSignal,
  hasProcfs,
};
