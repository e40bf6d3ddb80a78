// Turns the measured runs into medians, paired ratios and target checks, and prints the tables.
import * as path from 'node:path';
import { stats } from './util.mjs';

// The issue's targets (issue 5, "Targets"), for the figures this benchmark measures.
export const TARGETS = {
  analyzeWallVsDevTools: { max: 0.1, text: 'analyze 187 MB, wall ≤ 1/10 of DevTools' },
  analyzeRssVsFile: { max: 1.0, text: 'analyze 187 MB, peak RSS ≤ 1.0 × file size' },
  diffVsAnalyze: { max: 2.0, text: 'diff of two 187 MB ≤ 2 × one analyze (wall)' },
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
    s.ratios['heapwise analyze / memlab'] = ratios(runs, 'heapwise analyze', 'memlab');
    s.rss_per_file = {};
    for (const [tool, t] of Object.entries(s.per_tool)) {
      if (t.rss) s.rss_per_file[tool] = (t.rss.median * 1048576) / file.bytes;
    }
    if (key === 'a') {
      const w = s.ratios['heapwise analyze / devtools'].wall;
      if (w) s.targets.push({ figure: 'heapwise / devtools wall', ...check(w.median, TARGETS.analyzeWallVsDevTools) });
      const r = s.rss_per_file['heapwise analyze'];
      if (r != null) s.targets.push({ figure: 'heapwise peak RSS / file size', ...check(r, TARGETS.analyzeRssVsFile) });
    }
  } else if (def.kind === 'diff') {
    s.file_bytes = inputs.pair.files.map((f) => f.bytes);
    s.ratios['heapwise diff / heapwise analyze'] = ratios(runs, 'heapwise diff', 'heapwise analyze');
    s.ratios['heapwise diff / devtools diff'] = ratios(runs, 'heapwise diff', 'devtools diff');
    const w = s.ratios['heapwise diff / heapwise analyze'].wall;
    if (w) s.targets.push({ figure: 'heapwise diff / analyze wall', ...check(w.median, TARGETS.diffVsAnalyze) });
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
const mark = (t) => (t == null ? '' : `${t.pass ? '✓' : '✗'} (target ≤ ${t.target})`);
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
  const rows = [['tool', 'wall s', 'CPU s', 'peak RSS MB', def.kind === 'analyze' ? 'RSS/file' : '', 'ok', 'result']];
  for (const [tool, t] of Object.entries(s.per_tool)) {
    const last = runs.filter((r) => r.tool === tool && r.result).pop();
    const res = last ? last.result : null;
    const what = !res
      ? ''
      : def.kind === 'analyze' || tool === 'heapwise analyze'
        ? `${(res.nodes ?? 0).toLocaleString('en-US')} nodes`
        : `+${(res.newCount ?? 0).toLocaleString('en-US')} / -${(res.deletedCount ?? 0).toLocaleString('en-US')} objects`;
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
    const tg = s.targets.find(
      (x) =>
        (name === 'heapwise analyze / devtools' && x.figure === 'heapwise / devtools wall') ||
        (name === 'heapwise diff / heapwise analyze' && x.figure === 'heapwise diff / analyze wall'),
    );
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

/** The closing block: every target with its figure. */
export function targetLines(summaries) {
  const lines = ['targets of issue 5 (this run):'];
  for (const [key, s] of Object.entries(summaries)) {
    for (const t of s.targets) {
      lines.push(
        `  ${t.pass ? '✓' : '✗'} ${t.text}: ${t.value.toFixed(t.value < 10 ? 3 : 2)} (${key}, ${t.figure}${t.pass ? '' : `, ${(t.value / t.target).toFixed(2)}× the target`})`,
      );
    }
  }
  if (lines.length === 1) lines.push('  (none measured in the chosen cases)');
  lines.push('  (analyze 2 GB / 8 GB: not part of this benchmark)');
  return lines;
}
