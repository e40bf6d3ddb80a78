// Turns the measured runs into medians, paired ratios and target checks, and prints the tables.
import * as path from 'node:path';
import { stats } from './util.mjs';

// The issue's targets (issue 5, "Targets"), for the figures this benchmark measures.
// The targets of issue 17 (see bench/README.md). Each applies to one case; `max` is the largest
// value that meets it.
export const TARGETS = {
  analyzeWallVsDevTools: { max: 0.05, text: 'analyze 187 MB, wall ≤ 1/20 of DevTools' },
  analyzeWallVsPeer: { max: 1 / 3, text: 'analyze 187 MB, wall ≤ 1/3 of @heap-snapshot/tool' },
  analyzeRssVsFile: { max: 1.0, text: 'analyze 187 MB, peak RSS ≤ 1.0 × file size' },
  largeWallVsDevTools: { max: 0.05, text: 'analyze ≥ 1 GB app-like, wall ≤ 1/20 of DevTools' },
  largeWallVsPeer: { max: 1 / 3, text: 'analyze ≥ 1 GB app-like, wall ≤ 1/3 of @heap-snapshot/tool' },
  largeRssVsFile: { max: 0.8, text: 'analyze ≥ 1 GB app-like, peak RSS ≤ 0.8 × file size' },
  diffVsAnalyze: { max: 1.5, text: 'diff ≤ 1.5 × one analyze of the larger file (wall)' },
  diffRssVsFile: { max: 1.0, text: 'diff peak RSS ≤ the larger file' },
  findingsOverhead: { max: 1.2, text: 'findings add ≤ 20 % to a diff (wall, diff / diff without findings)' },
  watchParses: { max: 1, text: 'watch: parses per new snapshot ≤ 1' },
  synth2Wall: { max: 6, text: 'analyze 2 GB synthetic < 6 s' },
  synth8Wall: { max: 30, text: 'analyze 8 GB synthetic < 30 s' },
  synth16Completes: { max: 0, text: 'analyze 16 GB synthetic completes (failed runs)' },
  eventLoopP99: { max: 10, text: 'event-loop delay p99 during analyze ≤ 10 ms' },
};

const FIELDS = { wall: 'wall_s', cpu: 'cpu_s', rss: 'max_rss_mb' };

/** Per tool: stats of wall, CPU and RSS over its successful runs, and how many runs succeeded. */
function perTool(runs) {
  const out = {};
  for (const r of runs) (out[r.tool] ||= { runs: [] }).runs.push(r);
  for (const [tool, o] of Object.entries(out)) {
    const ok = o.runs.filter((r) => r.ok);
    out[tool] = { n: o.runs.length, ok: ok.length };
    for (const [k, f] of Object.entries(FIELDS)) out[tool][k] = stats(ok.map((r) => r[f]));
    out[tool].exits = o.runs.map((r) => (r.signal != null ? `signal ${r.signal}` : r.exit));
  }
  return out;
}

/** Ratios a/b of runs with the same run number (tools alternate, so these ran next to each other). */
function paired(runs, a, b, field) {
  const byRun = (t) => new Map(runs.filter((r) => r.tool === t && r.ok).map((r) => [r.run, r]));
  const A = byRun(a),
    B = byRun(b);
  const xs = [];
  for (const [run, ra] of A) {
    const rb = B.get(run);
    if (rb && ra[field] != null && rb[field]) xs.push(ra[field] / rb[field]);
  }
  return stats(xs);
}
function ratios(runs, a, b) {
  return { wall: paired(runs, a, b, 'wall_s'), cpu: paired(runs, a, b, 'cpu_s'), rss: paired(runs, a, b, 'max_rss_mb') };
}
const check = (value, target) => (value == null ? null : { value, target: target.max, pass: value <= target.max, text: target.text });

/** The summary of one case: per-tool stats, ratios, target checks. */
export function summarize(key, def, runs, inputs) {
  const s = { per_tool: perTool(runs), ratios: {}, targets: [] };
  if (def.kind === 'analyze') {
    const file = inputs[def.inputs[0]].files[0];
    s.file_bytes = file.bytes;
    s.ratios['heapwise analyze / devtools'] = ratios(runs, 'heapwise analyze', 'devtools');
    if (s.per_tool.memlab) s.ratios['heapwise analyze / memlab'] = ratios(runs, 'heapwise analyze', 'memlab');
    if (s.per_tool['heap-snapshot']) s.ratios['heapwise analyze / heap-snapshot'] = ratios(runs, 'heapwise analyze', 'heap-snapshot');
    s.rss_per_file = {};
    for (const [tool, t] of Object.entries(s.per_tool)) {
      if (t.rss) s.rss_per_file[tool] = (t.rss.median * 1048576) / file.bytes;
    }
    const goals = {
      a: ['analyzeWallVsDevTools', 'analyzeWallVsPeer', 'analyzeRssVsFile'],
      e: ['largeWallVsDevTools', 'largeWallVsPeer', 'largeRssVsFile'],
    }[key];
    if (goals) {
      const [dev, peer, rss] = goals;
      const w = s.ratios['heapwise analyze / devtools'].wall;
      if (w) s.targets.push({ figure: 'heapwise / devtools wall', ...check(w.median, TARGETS[dev]) });
      const p = s.ratios['heapwise analyze / heap-snapshot'];
      if (p && p.wall) s.targets.push({ figure: 'heapwise / heap-snapshot wall', ...check(p.wall.median, TARGETS[peer]) });
      else
        s.targets.push({
          figure: 'heapwise / heap-snapshot wall',
          value: null,
          target: TARGETS[peer].max,
          pass: null,
          text: TARGETS[peer].text,
        });
      const r = s.rss_per_file['heapwise analyze'];
      if (r != null) s.targets.push({ figure: 'heapwise peak RSS / file size', ...check(r, TARGETS[rss]) });
    }
  } else if (def.kind === 'diff') {
    s.file_bytes = inputs.pair.files.map((f) => f.bytes);
    const larger = Math.max(...s.file_bytes);
    s.ratios['heapwise diff / heapwise analyze'] = ratios(runs, 'heapwise diff', 'heapwise analyze');
    s.ratios['heapwise diff / heapwise diff, no findings'] = ratios(runs, 'heapwise diff', 'heapwise diff, no findings');
    s.ratios['heapwise diff / devtools diff'] = ratios(runs, 'heapwise diff', 'devtools diff');
    if (s.per_tool['heap-snapshot diff'])
      s.ratios['heapwise diff / heap-snapshot diff'] = ratios(runs, 'heapwise diff', 'heap-snapshot diff');
    const w = s.ratios['heapwise diff / heapwise analyze'].wall;
    if (w) s.targets.push({ figure: 'heapwise diff / analyze wall', ...check(w.median, TARGETS.diffVsAnalyze) });
    const rss = s.per_tool['heapwise diff'] && s.per_tool['heapwise diff'].rss;
    if (rss)
      s.targets.push({ figure: 'heapwise diff peak RSS / larger file', ...check((rss.median * 1048576) / larger, TARGETS.diffRssVsFile) });
    const fw = s.ratios['heapwise diff / heapwise diff, no findings'].wall;
    if (fw) s.targets.push({ figure: 'heapwise diff / diff without findings wall', ...check(fw.median, TARGETS.findingsOverhead) });
  } else if (def.kind === 'sizes') {
    // one run per file: its wall time, peak RSS and whether it completed
    s.per_file = runs.map((r) => {
      const f = def.inputs.map((n) => inputs[n].files[0]).find((x) => r.argv.some((a) => x.path.endsWith(a)));
      return {
        file: f ? path.basename(f.path) : '?',
        bytes: f ? f.bytes : null,
        ok: r.ok,
        wall_s: r.wall_s,
        max_rss_mb: r.max_rss_mb,
        nodes: r.result && r.result.nodes,
      };
    });
    const by = (name) => s.per_file.find((x) => x.file === `${name}.heapsnapshot`);
    for (const [name, goal] of [
      ['synth-2GB', 'synth2Wall'],
      ['synth-8GB', 'synth8Wall'],
    ]) {
      const x = by(name);
      if (x)
        s.targets.push({
          figure: `${name} wall s`,
          ...(x.ok ? check(x.wall_s, TARGETS[goal]) : { value: null, target: TARGETS[goal].max, pass: false, text: TARGETS[goal].text }),
        });
    }
    const x16 = by('synth-16GB');
    if (x16) s.targets.push({ figure: 'synth-16GB failed runs', ...check(x16.ok ? 0 : 1, TARGETS.synth16Completes) });
  } else if (def.kind === 'watch') {
    const r = runs.filter((x) => x.ok && x.result).map((x) => x.result.parsesPerSnapshot);
    s.parses_per_snapshot = stats(r);
    if (s.parses_per_snapshot) s.targets.push({ figure: 'parses per snapshot', ...check(s.parses_per_snapshot.max, TARGETS.watchParses) });
  } else if (def.kind === 'service') {
    const svc = (tool) => runs.filter((r) => r.tool === tool && r.ok && r.result);
    const A = svc('service + analyze'),
      B = svc('service baseline');
    const eld = (rs, k) => stats(rs.map((r) => r.result.eld_ms[k]));
    const ops = (rs, kind, k) => stats(rs.map((r) => r.result.ops[kind][k]));
    s.service = {};
    for (const [name, rs] of [
      ['service + analyze', A],
      ['service baseline', B],
    ]) {
      s.service[name] = {
        window_s: stats(rs.map((r) => r.result.window_s)),
        eld_p50_ms: eld(rs, 'p50'),
        eld_p99_ms: eld(rs, 'p99'),
        eld_max_ms: eld(rs, 'max'),
        ops: {},
      };
      for (const kind of ['fs', 'crypto', 'dns']) {
        s.service[name].ops[kind] = { per_s: ops(rs, kind, 'completed_per_s'), latency_p99_ms: ops(rs, kind, 'latency_p99_ms') };
      }
    }
    // completed operations per second, analyze run / the baseline run right after it
    s.ops_vs_baseline = {};
    for (const kind of ['fs', 'crypto', 'dns']) {
      const xs = [];
      for (const a of A) {
        const b = B.find((r) => r.run === a.run);
        if (b && b.result.ops[kind].completed_per_s) xs.push(a.result.ops[kind].completed_per_s / b.result.ops[kind].completed_per_s);
      }
      s.ops_vs_baseline[kind] = stats(xs);
    }
    const p99 = s.service['service + analyze'].eld_p99_ms;
    if (p99) s.targets.push({ figure: 'event-loop delay p99 (median run)', ...check(p99.median, TARGETS.eventLoopP99) });
  }
  return s;
}

// -- printing ------------------------------------------------------------------------------------
const sig = (x, d) => {
  if (x == null) return '-';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(Math.max(0, d - 2));
  return x.toFixed(d);
};
/** "median (min–max)", or just the value for one run. */
export function fmt(s, d = 2) {
  if (!s) return '-';
  return s.n > 1 && s.min !== s.max ? `${sig(s.median, d)} (${sig(s.min, d)}–${sig(s.max, d)})` : sig(s.median, d);
}
const mark = (t) => (t == null ? '' : `${t.pass ? '✓' : '✗'} (target ≤ ${+t.target.toFixed(3)})`);
function table(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((v, c) => String(v ?? '').padEnd(w[c]))
      .join('  ')
      .trimEnd(),
  );
}
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The lines printed for one case. */
export function caseLines(key, def, s, inputs, runs) {
  const lines = [];
  const files = def.inputs.flatMap((n) => inputs[n].files);
  lines.push(`(${key}) ${def.title}: ${files.map((f) => `${path.basename(f.path)} ${mb(f.bytes)}`).join(', ')}`);
  if (def.kind === 'service') return lines.concat(serviceLines(s, runs));
  if (def.kind === 'sizes') {
    const rows = [['file', 'size', 'wall s', 'peak RSS MB', 'RSS/file', 'ok', 'result']];
    for (const x of s.per_file)
      rows.push([
        x.file,
        x.bytes ? mb(x.bytes) : '-',
        sig(x.wall_s, 2),
        sig(x.max_rss_mb, 0),
        x.bytes && x.max_rss_mb ? ((x.max_rss_mb * 1048576) / x.bytes).toFixed(2) : '-',
        x.ok ? 'yes' : 'FAILED',
        x.nodes ? `${x.nodes.toLocaleString('en-US')} nodes` : '',
      ]);
    return lines.concat(table(rows).map((l) => '  ' + l));
  }
  if (def.kind === 'watch') {
    const last = runs.filter((r) => r.result).pop();
    const r = last && last.result;
    return lines.concat(
      r
        ? [
            `  ${r.snapshots} snapshots, ${r.parses} parses (${r.parsesPerSnapshot.toFixed(2)} per snapshot) ${mark(s.targets[0])}; wall ${sig(last.wall_s, 2)} s, peak RSS ${sig(last.max_rss_mb, 0)} MB`,
          ]
        : ['  FAILED'],
    );
  }
  const rows = [['tool', 'wall s', 'CPU s', 'peak RSS MB', def.kind === 'analyze' ? 'RSS/file' : '', 'ok', 'result']];
  for (const [tool, t] of Object.entries(s.per_tool)) {
    const last = runs.filter((r) => r.tool === tool && r.result).pop();
    const res = last ? last.result : null;
    const what = !res
      ? ''
      : res.nodes != null
        ? `${res.nodes.toLocaleString('en-US')} nodes`
        : res.newCount != null
          ? `+${res.newCount.toLocaleString('en-US')} / -${(res.deletedCount ?? 0).toLocaleString('en-US')} objects`
          : res.classes != null
            ? `${res.classes.toLocaleString('en-US')} classes`
            : '';
    let rpf = '';
    if (def.kind === 'analyze' && s.rss_per_file[tool] != null) {
      rpf = s.rss_per_file[tool].toFixed(2);
      const tg = s.targets.find((x) => x.figure === 'heapwise peak RSS / file size');
      if (tool === 'heapwise analyze' && tg) rpf += ' ' + mark(tg);
    }
    rows.push([tool, fmt(t.wall), fmt(t.cpu), fmt(t.rss, 0), rpf, `${t.ok}/${t.n}`, what]);
  }
  lines.push(...table(rows).map((l) => '  ' + l));
  const rrows = [['ratio (paired runs)', 'wall', 'CPU', 'peak RSS']];
  for (const [name, r] of Object.entries(s.ratios)) {
    const figure = {
      'heapwise analyze / devtools': 'heapwise / devtools wall',
      'heapwise analyze / heap-snapshot': 'heapwise / heap-snapshot wall',
      'heapwise diff / heapwise analyze': 'heapwise diff / analyze wall',
      'heapwise diff / heapwise diff, no findings': 'heapwise diff / diff without findings wall',
    }[name];
    const tg = s.targets.find((x) => x.figure === figure && x.value != null);
    rrows.push([name, `${fmt(r.wall, 3)}${tg ? ' ' + mark(tg) : ''}`, fmt(r.cpu, 3), fmt(r.rss, 3)]);
  }
  lines.push(...table(rrows).map((l) => '  ' + l));
  return lines;
}

function serviceLines(s, runs) {
  const tg = s.targets[0];
  const rows = [['run', 'window s', 'ELD p50 ms', 'ELD p99 ms', 'ELD max ms', 'peak RSS MB', 'ok']];
  const pool = [['libuv pool', 'fs ops/s', 'crypto ops/s', 'dns ops/s', 'fs latency p99 ms', 'crypto latency p99 ms']];
  for (const [name, v] of Object.entries(s.service)) {
    const t = s.per_tool[name] || { ok: 0, n: 0 };
    rows.push([
      name,
      fmt(v.window_s),
      fmt(v.eld_p50_ms),
      `${fmt(v.eld_p99_ms)}${name === 'service + analyze' && tg ? ' ' + mark(tg) : ''}`,
      fmt(v.eld_max_ms),
      fmt(t.rss, 0),
      `${t.ok}/${t.n}`,
    ]);
    pool.push([
      name,
      fmt(v.ops.fs.per_s, 0),
      fmt(v.ops.crypto.per_s, 0),
      fmt(v.ops.dns.per_s, 0),
      fmt(v.ops.fs.latency_p99_ms),
      fmt(v.ops.crypto.latency_p99_ms),
    ]);
  }
  const lines = [...table(rows), ...table(pool)].map((l) => '  ' + l);
  const o = s.ops_vs_baseline;
  lines.push(`  operations completed per second, analyze / baseline: fs ${fmt(o.fs, 3)}, crypto ${fmt(o.crypto, 3)}, dns ${fmt(o.dns, 3)}`);
  const sync = runs.filter((r) => r.tool === 'service + analyze' && r.result).map((r) => r.result.summary_sync_ms);
  if (sync.length)
    lines.push(
      `  (ELD: perf_hooks.monitorEventLoopDelay, 1 ms resolution, values include it; summary() afterwards, synchronous: ${fmt(stats(sync))} ms)`,
    );
  return lines;
}

// Which case measures each target.
const TARGET_CASE = {
  analyzeWallVsDevTools: 'a',
  analyzeWallVsPeer: 'a',
  analyzeRssVsFile: 'a',
  largeWallVsDevTools: 'e',
  largeWallVsPeer: 'e',
  largeRssVsFile: 'e',
  diffVsAnalyze: 'c',
  diffRssVsFile: 'c',
  findingsOverhead: 'c',
  watchParses: 'g',
  synth2Wall: 'f',
  synth8Wall: 'f',
  synth16Completes: 'f',
  eventLoopP99: 'd',
};

/** The closing block: every target of issue 17 with its figure, or why it has none. */
export function targetLines(summaries, { peerHowto } = {}) {
  const lines = ['targets of issue 17 (this run):'];
  let met = 0,
    measured = 0;
  for (const [name, target] of Object.entries(TARGETS)) {
    const key = TARGET_CASE[name];
    const s = summaries[key];
    const t = s && s.targets.find((x) => x.text === target.text);
    if (!s) lines.push(`  - ${target.text}: not measured (case ${key} was not run)`);
    else if (!t || t.value == null) {
      const why = name.endsWith('VsPeer') && peerHowto ? 'HEAPWISE_BENCH_HEAP_SNAPSHOT is not set' : 'no successful run';
      lines.push(`  ${t && t.pass === false ? '✗' : '-'} ${target.text}: not measured (${key}: ${why})`);
    } else {
      measured++;
      if (t.pass) met++;
      lines.push(
        `  ${t.pass ? '✓' : '✗'} ${target.text}: ${t.value.toFixed(t.value < 10 ? 3 : 2)} (${key}, ${t.figure}${t.pass || !t.target ? '' : `, ${(t.value / t.target).toFixed(2)}× the target`})`,
      );
    }
  }
  lines.push(`  ${met} of ${measured} measured targets met (${Object.keys(TARGETS).length} targets)`);
  if (peerHowto) lines.push(`  ${peerHowto}`);
  return lines;
}
