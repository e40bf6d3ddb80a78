// Runs one command as a process of its own and measures it from outside:
//
//   /usr/bin/time -v -o RUN.time COMMAND...   (GNU time; Linux)
//
// wall seconds (the parent's monotonic clock around the process; /usr/bin/time's "Elapsed" is
// kept too), CPU seconds (user + system, all threads), peak RSS ("Maximum resident set size"),
// exit status or signal. Without /usr/bin/time (macOS, Windows, or HEAPWISE_BENCH_TIME=0), a Node
// command gets `--require bench/lib/rusage.cjs`, which writes process.resourceUsage() at exit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TIME = '/usr/bin/time';
export const HAVE_TIME =
  process.env.HEAPWISE_BENCH_TIME !== '0' &&
  process.platform === 'linux' &&
  (() => {
    try {
      fs.accessSync(TIME, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  })();
const RUSAGE_HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rusage.cjs');

const running = new Set();
function killTree(child) {
  try {
    if (process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {}
}
// Ctrl-C reaches only the foreground process group: end the measured one too.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const c of running) killTree(c);
    process.exit(130);
  });
}

/** Parses the report of GNU time -v. */
export function parseTimeV(text) {
  const num = (re) => {
    const m = text.match(re);
    return m ? Number(m[1]) : null;
  };
  const el = text.match(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)/);
  const sig = text.match(/Command terminated by signal (\d+)/);
  return {
    elapsed_s: el
      ? el[1]
          .trim()
          .split(':')
          .map(Number)
          .reduce((a, v) => a * 60 + v, 0)
      : null,
    user_s: num(/User time \(seconds\): ([\d.]+)/),
    sys_s: num(/System time \(seconds\): ([\d.]+)/),
    max_rss_kb: num(/Maximum resident set size \(kbytes\): (\d+)/),
    exit: num(/Exit status: (\d+)/),
    signal: sig ? Number(sig[1]) : null,
  };
}

/**
 * Runs `cmd args` in `cwd` and resolves to
 * {argv, wall_s, cpu_s, user_s, sys_s, max_rss_mb, exit, signal, ok, stdout, stderr_tail, via}.
 * stdout and stderr go to `logBase`.out / .err; `stdout` is the captured text (trimmed).
 */
export function measure({ cmd, args, cwd, env, logBase, timeoutMs = 30 * 60 * 1000 }) {
  fs.mkdirSync(path.dirname(logBase), { recursive: true });
  const outFile = `${logBase}.out`,
    errFile = `${logBase}.err`,
    timeFile = `${logBase}.time`;
  for (const f of [outFile, errFile, timeFile]) fs.rmSync(f, { force: true });
  let file = cmd,
    argv = args;
  const childEnv = { ...process.env, ...env };
  let via = 'time';
  if (HAVE_TIME) {
    file = TIME;
    argv = ['-v', '-o', timeFile, cmd, ...args];
  } else {
    via = 'resourceUsage';
    if (cmd !== process.execPath) throw new Error(`without ${TIME} only Node commands can be measured: ${cmd}`);
    argv = ['--require', RUSAGE_HOOK, ...args];
    childEnv.HEAPWISE_BENCH_RUSAGE = timeFile;
  }
  const out = fs.openSync(outFile, 'w'),
    err = fs.openSync(errFile, 'w');
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    // a process group of its own (POSIX), so that a timeout or Ctrl-C ends the measured process
    // and not only /usr/bin/time
    const detached = process.platform !== 'win32';
    const child = spawn(file, argv, { cwd, env: childEnv, stdio: ['ignore', out, err], detached });
    running.add(child);
    let timedOut = false,
      settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killTree(child);
    }, timeoutMs);
    const done = (code, signal, spawnError) => {
      if (settled) return;
      settled = true;
      running.delete(child);
      clearTimeout(timer);
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      fs.closeSync(out);
      fs.closeSync(err);
      let r = {};
      try {
        const text = fs.readFileSync(timeFile, 'utf8');
        r = HAVE_TIME ? parseTimeV(text) : JSON.parse(text);
      } catch {}
      const stdout = fs.readFileSync(outFile, 'utf8').trim();
      const stderr = fs.readFileSync(errFile, 'utf8');
      const exit = r.exit ?? code;
      const sig = r.signal ?? signal ?? null;
      const cpu = r.user_s != null && r.sys_s != null ? r.user_s + r.sys_s : null;
      resolve({
        argv: [cmd, ...args],
        wall_s: wall,
        elapsed_s: r.elapsed_s ?? null,
        cpu_s: cpu,
        user_s: r.user_s ?? null,
        sys_s: r.sys_s ?? null,
        max_rss_mb: r.max_rss_kb != null ? r.max_rss_kb / 1024 : null,
        exit: spawnError ? null : exit,
        signal: sig,
        ok: !spawnError && !timedOut && exit === 0 && sig == null && code === 0,
        error: spawnError ? String(spawnError.message) : timedOut ? `timed out after ${timeoutMs / 1000} s` : null,
        stdout,
        stderr_tail: stderr.split('\n').filter(Boolean).slice(-5).join('\n'),
        via,
      });
    };
    child.on('error', (e) => done(null, null, e));
    child.on('exit', (code, signal) => done(code, signal, null));
  });
}
