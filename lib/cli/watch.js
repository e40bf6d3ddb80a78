'use strict';
// `heapwise watch DIR`: follows the snapshots that land in a folder (and, with --pid, the memory
// of a process tree), prints a live compact table, and at the end a report of the series.
// `heapwise watch [flags] -- CMD ARGS…` starts the program and watches it (docs/watch-run.md):
// snapshots on a schedule (--snapshot-every), on the key `s` (stdin a terminal) or on SIGUSR2 sent
// to heapwise; Ctrl-C (SIGINT) or SIGTERM is forwarded to the program, and the report follows its
// exit. Exit codes: 0 no leak flagged, 1 a leak flagged (a finding, a --max-* threshold crossed
// between the first and the latest snapshot, a rising GC floor), 2 usage or input error (or a
// program that cannot be started). The program's own exit status is in the report, not in ours.
const path = require('node:path');
const { formatBytes, formatSignedBytes, formatCount, formatSignedCount, textTable, clip } = require('../format.js');

const { parseCommand, apiOptions, parseDuration } = require('./args.js');
const { shortPath } = require('../report/findings.js');
const { writeReport, renderReport } = require('./io.js');

/**
 * Parses watch's arguments (after the word `watch`); throws on a usage error.
 * @param {string[]} argv
 */
function parseWatchArgs(argv) {
  return parseCommand('watch', argv);
}

// ---------------------------------------------------------------------------------------------
// Text pieces

/** How the program ended: `code 0`, `signal SIGINT`. @param {{ code: number | null, signal: string | null }} e */
function exitText(e) {
  return e.signal ? `signal ${e.signal}` : `code ${e.code}`;
}

function timeText(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

/** One line for a growth entry (a finding): the engine's sentence, and where it is held. */
function growthLine(g) {
  return `${g.leak ? 'LEAK ' : ''}${g.message}${g.pathText ? `; held at ${shortPath(g.pathText)}` : ''}`;
}

function sampleText(s) {
  const parts = [`RSS ${formatBytes(s.rss)}`];
  if (s.pss !== null) parts.push(`PSS ${formatBytes(s.pss)}`);
  if (s.processes > 1) parts.push(`${s.processes} processes`);
  if (s.heapUsed !== null) parts.push(`heap ${formatBytes(s.heapUsed)}`);
  return parts.join(', ');
}

/** @typedef {{ first: number, last: number, min: number, max: number }} MemoryFact */

/**
 * The memory figures the samples have, as `[label, fact]` rows of the reports (`external` only
 * where asked: the Markdown table leaves it out).
 * @param {Record<string, MemoryFact | null>} mem
 * @param {boolean} withExternal
 * @returns {Array<[string, MemoryFact]>}
 */
function memoryRows(mem, withExternal) {
  /** @type {Array<[string, MemoryFact | null]>} */
  const rows = [
    ['RSS', mem.rss],
    ['PSS', mem.pss],
    ['JS heap used', mem.heapUsed],
    ...(withExternal ? /** @type {Array<[string, MemoryFact | null]>} */ ([['external', mem.external]]) : []),
    ['array buffers', mem.arrayBuffers],
  ];
  return /** @type {Array<[string, MemoryFact]>} */ (rows.filter(([, f]) => f));
}

/** Memory figures of the samples: first, last, smallest and largest RSS and PSS. */
function memoryFacts(samples) {
  if (!samples.length) return null;
  const pick = (f) => {
    const v = samples.map((s) => s[f]).filter((x) => x !== null && x !== undefined);
    if (!v.length) return null;
    return { first: v[0], last: v[v.length - 1], min: Math.min(...v), max: Math.max(...v) };
  };
  return {
    count: samples.length,
    rss: pick('rss'),
    pss: pick('pss'),
    heapUsed: pick('heapUsed'),
    external: pick('external'),
    arrayBuffers: pick('arrayBuffers'),
  };
}

function snapshotRows(series) {
  const first = series.snapshots[0];
  return series.snapshots.map((s) => [
    String(s.index),
    timeText(s.time),
    path.basename(s.file),
    formatCount(s.nodeCount),
    formatBytes(s.totalSize),
    formatSignedBytes(s.totalSize - first.totalSize),
  ]);
}

/** What was watched: the program, the folder, or the source's kind. @param {Record<string, any>} src */
function sourceText(src) {
  return src.command ? src.command.join(' ') : src.dir || (src.gcLog ? `GC log ${src.gcLog}` : src.kind);
}

/**
 * How the program run under watch ended (or did not start), or null.
 * @param {Record<string, any>} series
 */
function runText(series) {
  const r = series.run;
  if (!r) return null;
  if (r.error) return `the program could not be started: ${r.error}`;
  const nodes = (r.nodeProcesses || []).length;
  const how =
    r.exitCode === null && r.signal === null
      ? 'was still running at the end (ended by heapwise)'
      : `exited with ${exitText({ code: r.exitCode, signal: r.signal })}${r.exitCode ? ' (a failure)' : ''}`;
  return `the program (pid ${r.pid}) ${how}; ${nodes} Node process${nodes === 1 ? '' : 'es'} took heapwise's NODE_OPTIONS${r.keptDir ? `; snapshots kept in ${r.keptDir}` : ''}`;
}

/**
 * The rows of the layers table: layer, measured from, first → last, change, verdict.
 * @param {Record<string, any>} layers
 */
function layerRows(layers) {
  return layers.layers.map((/** @type {Record<string, any>} */ l) => [
    l.label,
    `${l.source} (${l.points})`,
    `${formatBytes(l.first)} \u2192 ${formatBytes(l.last)}`,
    formatSignedBytes(l.change),
    l.verdict === 'insufficient' ? 'too few points' : `${l.verdict}: rose in ${l.rose} of ${l.steps}, R\u00b2 ${l.r2.toFixed(2)}`,
  ]);
}

/** The GC floor line of the reports. @param {Record<string, any>} gc */
function gcText(gc) {
  return `${gc.verdict.kind}: ${gc.verdict.message}${gc.file ? ` (${gc.file})` : ''}`;
}

/** The report of a WatchSeries as text. */
function renderText(series) {
  const out = [];
  const src = series.source;
  out.push(`heapwise watch: ${sourceText(src)}${src.pid ? ` (process ${src.pid})` : ''}`);
  const run = runText(series);
  if (run) out.push(run);
  out.push(`${series.snapshots.length} snapshot${series.snapshots.length === 1 ? '' : 's'}, ${series.samples.length} memory samples`);
  if (series.layers) {
    out.push('');
    out.push(`Verdict across layers: ${series.layers.message}`);
    if (series.layers.layers.length)
      out.push(textTable(['layer', 'from', 'first \u2192 last', 'change', 'verdict'], layerRows(series.layers)));
  }
  if (series.gc) {
    out.push('');
    out.push(`GC floor: ${gcText(series.gc)}`);
  }
  if (series.snapshots.length) {
    out.push('');
    out.push(textTable(['#', 'time', 'file', 'objects', 'total', 'since first'], snapshotRows(series)));
  }
  const mem = memoryFacts(series.samples);
  if (mem) {
    out.push('');
    out.push('Process memory (first → last, largest)');
    for (const [label, f] of memoryRows(mem, true)) {
      out.push(
        `  ${label.padEnd(14)} ${formatBytes(f.first)} → ${formatBytes(f.last)} (${formatSignedBytes(f.last - f.first)}), largest ${formatBytes(f.max)}`,
      );
    }
  }
  out.push('');
  if (series.growth.length) {
    out.push('What grows (the findings: the object that holds each growth, leaks first)');
    for (const g of series.growth) out.push(`  ${growthLine(g)}`);
  } else {
    out.push('Nothing grew.');
  }
  if (series.skipped && series.skipped.length) {
    out.push('');
    out.push('Not analysed');
    for (const s of series.skipped) out.push(`  ${path.basename(s.file)}: ${s.message} (${s.code})`);
  }
  out.push('');
  if (series.leaks.length) {
    out.push('LEAK');
    for (const l of series.leaks) out.push(`  ${l.name}: ${l.reason}`);
  } else {
    out.push('ok: no leak flagged');
  }
  return out.join('\n') + '\n';
}

function mdEscape(s) {
  return String(s)
    .replace(/[\\`*_{}[\]<>|#]/g, (c) => '\\' + c)
    .replace(/\n/g, ' ');
}

/** The report of a WatchSeries as Markdown (for a pull request or $GITHUB_STEP_SUMMARY). */
function renderMarkdown(series) {
  const out = [];
  const verdict = series.leaks.length ? '**Leak flagged**' : 'No leak flagged';
  out.push(`### heapwise watch: ${verdict}`);
  out.push('');
  out.push(
    `${series.snapshots.length} snapshots of \`${mdEscape(sourceText(series.source))}\`${series.source.pid ? `, process ${series.source.pid}` : ''}.`,
  );
  const run = runText(series);
  if (run) out.push('', mdEscape(run));
  if (series.layers) {
    out.push('', `**Verdict across layers**: ${mdEscape(series.layers.message)}`);
    if (series.layers.layers.length) {
      out.push('', '| layer | from | first → last | change | verdict |', '| --- | --- | ---: | ---: | --- |');
      for (const r of layerRows(series.layers)) out.push(`| ${r.map(mdEscape).join(' | ')} |`);
    }
  }
  if (series.gc) out.push('', `**GC floor**: ${mdEscape(gcText(series.gc))}`);
  if (series.leaks.length) {
    out.push('');
    for (const l of series.leaks) out.push(`- ${mdEscape(l.reason)}`);
  }
  if (series.snapshots.length) {
    out.push('');
    out.push('| # | time | objects | total | since first |');
    out.push('| ---: | --- | ---: | ---: | ---: |');
    for (const r of snapshotRows(series)) out.push(`| ${r[0]} | ${r[1]} | ${r[3]} | ${r[4]} | ${r[5]} |`);
  }
  if (series.growth.length) {
    out.push('');
    out.push('| what grows | grew in | members | retained | held at |');
    out.push('| --- | ---: | ---: | ---: | --- |');
    for (const g of series.growth) {
      out.push(
        `| ${mdEscape(g.name)} | ${g.grewIn} of ${g.window} | ${formatSignedCount(g.countDelta)} | ${formatSignedBytes(g.sizeDelta)} | ${mdEscape(shortPath(g.pathText || ''))} |`,
      );
    }
  }
  const mem = memoryFacts(series.samples);
  if (mem) {
    out.push('');
    out.push('| memory | first | last | largest |');
    out.push('| --- | ---: | ---: | ---: |');
    for (const [label, f] of memoryRows(mem, false)) {
      out.push(`| ${label} | ${formatBytes(f.first)} | ${formatBytes(f.last)} | ${formatBytes(f.max)} |`);
    }
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Live output

/**
 * Live lines: on a terminal, a compact table with a progress line that is rewritten in place;
 * otherwise one plain line per event.
 */
function liveOutput(stream, tty) {
  let status = '';
  const clear = () => {
    if (tty && status) stream.write('\r\x1b[K');
  };
  const line = (text) => {
    clear();
    stream.write(text + '\n');
    if (tty && status) stream.write(status);
  };
  const setStatus = (text) => {
    if (!tty) return;
    clear();
    status = text ? clip(text, Math.max(20, (stream.columns || 100) - 1)) : '';
    if (status) stream.write(status);
  };
  let headerShown = false;
  let firstTotal = null;
  return {
    line,
    setStatus,
    snapshot(ev) {
      if (firstTotal === null) firstTotal = ev.totalSize;
      const growing = ev.growingNames.length ? ev.growingNames.slice(0, 3).join(', ') + (ev.growingNames.length > 3 ? ', …' : '') : '';
      if (tty) {
        if (!headerShown) {
          headerShown = true;
          line('     #  time      objects      total  since first  growing');
        }
        line(
          `${String(ev.index).padStart(6)}  ${timeText(ev.time)}  ${formatCount(ev.nodeCount).padStart(9)}  ${formatBytes(ev.totalSize).padStart(9)}  ` +
            `${formatSignedBytes(ev.totalSize - firstTotal).padStart(11)}  ${clip(growing, 40)}`,
        );
      } else {
        line(
          `snapshot ${ev.index} ${path.basename(ev.file)}: ${formatCount(ev.nodeCount)} objects, total ${formatBytes(ev.totalSize)} ` +
            `(${formatSignedBytes(ev.totalSize - firstTotal)} since the first)${growing ? `; growing: ${growing}` : ''}`,
        );
      }
    },
  };
}

/**
 * Runs `heapwise watch` with parsed options; resolves to the exit code.
 * @param {Record<string, any>} opts
 * @param {import('./io.js').Io} io
 */
async function run(opts, io) {
  const { stdout, stderr } = io;
  const heapwise = require('../../index.js');
  let renderHtml = null;
  if (opts.format === 'html') {
    try {
      renderHtml = require('../report/html.js').renderWatchHtml;
    } catch {
      renderHtml = null;
    }
    if (typeof renderHtml !== 'function') {
      stderr.write('heapwise: --format html needs the HTML report (lib/report/html.js), which this build lacks\n');
      return 2;
    }
  }
  // The live lines share stdout with the report only when that is text on stdout (and stdout is
  // not the program's).
  const liveStream = opts.format === 'text' && !opts.output && !Array.isArray(opts.command) ? stdout : stderr;
  const live = liveOutput(liveStream, !!liveStream.isTTY);
  const progress = liveStream.isTTY
    ? (p) => {
        const pct = Math.round(p.fraction * 100);
        live.setStatus(p.phase === 'done' ? '' : `${p.diff ? 'comparing' : 'analysing'} ${path.basename(p.file)}: ${p.phase} ${pct}%`);
      }
    : undefined;

  const running = Array.isArray(opts.command);
  // the keys: only when stdin is a terminal, which the program then does not read
  const keys = running && !!process.stdin.isTTY && typeof process.stdin.setRawMode === 'function';
  const intervalMs = opts.intervalMs || (running ? 1000 : 5000);
  let w;
  try {
    w = heapwise.watch({
      ...(running
        ? { command: opts.command, dir: opts.keepSnapshots || undefined, traceGc: !!opts.traceGc, stdin: keys ? 'ignore' : 'inherit' }
        : {}),
      ...(opts._[0] !== undefined ? { dir: opts._[0] } : {}),
      ...apiOptions('watch', opts),
      intervalMs,
      onProgress: progress,
    });
  } catch (e) {
    stderr.write(`heapwise: ${e.message}${e.code ? ` (${e.code})` : ''}\n`);
    return 2;
  }
  // The watcher's timers never keep a process alive; the command does, until the watch ends.
  const keepAlive = setInterval(() => {}, 1 << 30);
  // A snapshot's growth events follow it at once: its row (or line) lists the growing classes,
  // and a class gets a line of its own the first time it is found growing.
  let growingNow = [];
  const announced = new Set();
  w.on('snapshot', (ev) => {
    growingNow = [];
    setImmediate(() => {
      live.snapshot({ ...ev, growingNames: growingNow.map((g) => g.name) });
      for (const g of growingNow) {
        if (announced.has(g.name)) continue;
        announced.add(g.name);
        live.line(`  growing: ${growthLine(g)}`);
      }
    });
  });
  w.on('growth', (g) => growingNow.push(g));
  w.on('leak', (l) => live.line(`  LEAK: ${l.reason}`));
  w.on('skipped', (s) => live.line(`  ${path.basename(s.file)}: ${s.message} (${s.code})`));
  w.on('sample', (s) => {
    if (liveStream.isTTY) live.setStatus(`${sampleText(s)}; watching ${w.dir}`);
    else live.line(`memory: ${sampleText(s)}`);
  });
  let startFailed = false;
  w.on('error', (e) => {
    live.line(`heapwise: ${e.message}${e.code ? ` (${e.code})` : ''}`);
    if (e.code === 'ERR_HEAPWISE_PROCESS_EXITED') w.finish();
    if (running && /** @type {any} */ (e).command) startFailed = true;
  });
  w.on('start', (ev) => live.line(`heapwise: started ${ev.command.join(' ')} (pid ${ev.pid}); snapshots in ${ev.dir}`));
  w.on('signal', (ev) =>
    live.line(
      ev.pids.length ? `heapwise: snapshot asked of ${ev.pids.map((p) => `pid ${p}`).join(', ')}` : 'heapwise: no Node process to snapshot',
    ),
  );
  w.on('exit', (ev) => live.line(`heapwise: the program exited (${exitText(ev)}); analysing the snapshots`));
  let signals = 0;
  const onSignal = (/** @type {'SIGINT' | 'SIGTERM'} */ sig) => {
    signals++;
    live.setStatus('');
    if (running && signals === 1) {
      // forward it, wait for the program to exit, then finish
      live.line(`heapwise: ${sig}: passed to the program; the report follows its exit (again: stop at once)`);
      w.stop(sig);
      return;
    }
    if (w.closed || running) {
      // a second Ctrl-C while closing: stop at once
      if (running && w.pid) {
        try {
          process.kill(w.pid, 'SIGKILL');
        } catch {}
      }
      w.removeAllListeners('close');
      process.exit(130);
    }
    w.close();
  };
  const onSnapshotSignal = () => w.snapshot();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (running) process.on('SIGUSR2', onSnapshotSignal);
  /** @param {Buffer} key */
  const onKey = (key) => {
    const k = key.toString('latin1');
    if (k === 's') w.snapshot();
    else if (k === '\x03' || k === 'q') onSignal('SIGINT');
  };
  if (keys) {
    process.stdin.setRawMode(true);
    process.stdin.on('data', onKey);
  }
  if (liveStream.isTTY && !opts.once)
    live.setStatus(
      running
        ? `running ${opts.command.join(' ')}${keys ? ' (s: snapshot, q or Ctrl-C: end and print the report)' : ''}`
        : `watching ${w.dir} every ${intervalMs / 1000}s (Ctrl-C ends and prints the report)`,
    );
  try {
    await new Promise((resolve) => w.once('close', () => resolve(undefined)));
    await new Promise((resolve) => setImmediate(resolve)); // let the live lines queued last print
  } finally {
    clearInterval(keepAlive);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGUSR2', onSnapshotSignal);
    if (keys) {
      process.stdin.removeListener('data', onKey);
      process.stdin.setRawMode(false);
      process.stdin.pause();
    }
    live.setStatus('');
  }
  if (startFailed) return 2;
  const series = w.series();
  const out = renderReport(opts.format, series, {
    text: (x) => (liveStream === stdout && x.snapshots.length ? '\n' : '') + renderText(x),
    markdown: renderMarkdown,
    html: renderHtml,
  });
  const summary = () =>
    `${series.leaks.length ? 'LEAK flagged' : 'ok'}: ${series.snapshots.length} snapshots` +
    (series.run && series.layers ? `; ${series.layers.message}` : '');
  if (!writeReport(io, opts.output, out, summary)) return 2;
  return series.leaks.length ? 1 : 0;
}

module.exports = { run, parseWatchArgs, parseDuration, renderText, renderMarkdown };
