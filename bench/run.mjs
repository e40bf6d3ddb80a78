#!/usr/bin/env node
// npm run bench: races heapwise against Chrome DevTools' heap snapshot worker code and memlab on
// the same files, each tool in a process of its own, tools alternating run by run, and checks the
// figures against the targets of issue 17. The fastest native peer, @heap-snapshot/tool, joins
// when HEAPWISE_BENCH_HEAP_SNAPSHOT names its binary. See bench/README.md.
//
//   npm run bench [-- --runs N] [--cases a,b,c,d,e,f,g] [--quick] [--rebuild]
//
// Everything it needs is installed or generated on demand under .cache/ (gitignored); the results
// go to .cache/bench/results-<timestamp>.json.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { REPO, BENCH_CACHE, log } from './lib/util.mjs';
import { ensureTools } from './lib/setup.mjs';
import { ensureInputs, warm } from './lib/inputs.mjs';
import { tools as toolCommands, cases as allCases, PEER_BIN, PEER_HOWTO } from './lib/cases.mjs';
import { measure, HAVE_TIME } from './lib/measure.mjs';
import { summarize, caseLines, targetLines, TARGETS } from './lib/report.mjs';

const CASES = 'abcdefg';
const USAGE = `usage: npm run bench -- [--runs N] [--cases a,b,c,d,e,f,g] [--quick] [--rebuild]
  --runs N      runs per tool and case (default 3; 1 with --quick; case f runs once)
  --cases LIST  which cases, comma-separated (default all):
                a  analyze the big snapshot (187 MB): heapwise vs DevTools vs memlab (vs @heap-snapshot/tool)
                b  analyze the app-like snapshot (57 MB): the same
                c  diff of two big snapshots of one process: heapwise diff (with and without findings) vs DevTools'
                   Comparison (vs heap-snapshot diff) vs one heapwise analyze of the larger file
                d  event loop and libuv pool of a service while heapwise analyzes the big snapshot, vs a baseline
                e  analyze an app-like snapshot of 1.1 GB: heapwise vs DevTools (vs @heap-snapshot/tool)
                f  analyze synthetic snapshots of 2, 8 and 16 GB: heapwise, once each
                g  watch a folder of the diff pair with a threshold: parses per snapshot
  environment   HEAPWISE_BENCH_HEAP_SNAPSHOT=/path/to/heap-snapshot races @heap-snapshot/tool (built from
                github.com/dinfuehr/heap-snapshot with cargo build --release) in cases a, b, c and e
  --quick       small inputs (.cache/bench/quick/), one run: a smoke test of the harness
  --rebuild     rebuild the addon first (otherwise it is built only when missing)`;

function parseArgs(argv) {
  const o = { runs: null, cases: [...CASES], quick: false, rebuild: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v == null) bad(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--quick') o.quick = true;
    else if (a === '--rebuild') o.rebuild = true;
    else if (a.startsWith('--runs')) {
      o.runs = Number(val());
      if (!Number.isInteger(o.runs) || o.runs < 1) bad('--runs must be a positive integer');
    } else if (a.startsWith('--cases')) {
      o.cases = val()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (!o.cases.length || o.cases.some((c) => !CASES.includes(c) || c.length !== 1))
        bad(`--cases takes letters among ${[...CASES].join(',')}`);
    } else bad(`unknown argument ${a}`);
  }
  o.runs ??= o.quick ? 1 : 3;
  return o;
}
function bad(msg) {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head} (uncommitted changes)` : head;
  } catch {
    return null;
  }
}
const stamp = (d) => d.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const rel = (p) => path.relative(REPO, p);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  const t0 = process.hrtime.bigint();
  const wanted = opts.cases;
  const needPeers = wanted.some((c) => 'abce'.includes(c));

  const setup = await ensureTools({ needMemlab: wanted.some((c) => 'ab'.includes(c)), needDevTools: needPeers, rebuild: opts.rebuild });
  const inputNames = [...new Set(wanted.flatMap((c) => allCases({})[c].inputs))];
  const inputs = ensureInputs(inputNames, { quick: opts.quick });
  const defs = allCases(inputs);

  const runDir = path.join(BENCH_CACHE, `runs-${stamp(started)}`);
  const cmds = toolCommands({ memlabDir: setup.memlabDir, scratch: runDir });
  fs.mkdirSync(runDir, { recursive: true });

  const machine = {
    platform: `${process.platform} ${process.arch}`,
    os: `${os.type()} ${os.release()}`,
    cpus: os.cpus().length,
    cpu_model: (os.cpus()[0] || {}).model || null,
    memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    load_avg_at_start: os.loadavg().map((x) => +x.toFixed(2)),
  };
  const heapwiseVersion = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const header = [
    `heapwise bench, ${started.toISOString().replace('T', ' ').replace(/\..*/, '')} UTC: heapwise ${heapwiseVersion} @ ${gitDescribe() ?? '?'}, ` +
      `DevTools ${setup.versions.devtools}, memlab ${setup.versions.memlab}, ` +
      (PEER_BIN ? `@heap-snapshot/tool ${PEER_BIN}` : '@heap-snapshot/tool not raced'),
    `machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_gib} GiB, ${machine.os}, Node ${machine.node}, load ${machine.load_avg_at_start.join(' ')}`,
    `${opts.runs} run(s) per tool, tools alternating; each figure: median (min–max). wall = process start to exit, ` +
      `CPU = user + sys, peak RSS = ${HAVE_TIME ? '/usr/bin/time -v "Maximum resident set size"' : 'process.resourceUsage().maxRSS'}; MB = MiB.`,
  ];
  if (opts.quick) header.push('--quick: small inputs, so the targets (set for the full-size files) are shown but do not apply.');
  if (!PEER_BIN) header.push(PEER_HOWTO);

  const results = {
    schema: 1,
    started: started.toISOString(),
    options: opts,
    machine,
    versions: {
      heapwise: heapwiseVersion,
      commit: gitDescribe(),
      addon: rel(setup.addon),
      devtools: setup.versions.devtools,
      memlab: setup.versions.memlab,
      heap_snapshot: PEER_BIN,
      node: process.version,
    },
    measured_with: HAVE_TIME ? '/usr/bin/time -v' : 'process.resourceUsage() (bench/lib/rusage.cjs)',
    inputs: Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [k, { ...v, files: v.files.map((f) => ({ ...f, path: rel(f.path) })) }]),
    ),
    targets: TARGETS,
    cases: {},
  };

  const printed = [];
  for (const key of wanted) {
    const def = defs[key];
    const plan = def.runs();
    // into the page cache, so that no tool pays for the disk; the synthetic sizes are warmed one
    // at a time before their run, those that fit in a third of the memory
    if (def.kind !== 'sizes') for (const n of def.inputs) for (const f of inputs[n].files) warm(f.path);
    const runCount = def.once ? 1 : opts.runs;
    log(`case (${key}) ${def.title}: ${runCount} × ${plan.map((p) => p[0]).join(', ')}`);
    const runs = [];
    for (let run = 1; run <= runCount; run++) {
      // rotate the order run by run, so that no tool always runs first (the service case keeps
      // its order: the baseline lasts as long as the analyze window before it)
      const k = def.kind === 'service' || def.kind === 'sizes' ? 0 : (run - 1) % plan.length;
      const order = plan.slice(k).concat(plan.slice(0, k));
      let lastWindow = null;
      for (const [i, [tool, ...args]] of order.entries()) {
        let callArgs = args;
        if (def.kind === 'sizes' && fs.statSync(args[0]).size < os.totalmem() / 3) warm(args[0]);
        if (tool === 'service baseline') callArgs = [Math.max(1, lastWindow ?? 2).toFixed(2)];
        const c = cmds[tool](...callArgs);
        if (c.before) c.before();
        const m = await measure({
          cmd: c.cmd,
          args: c.args,
          env: c.env,
          cwd: REPO,
          logBase: path.join(runDir, `${key}-${tool.replace(/\W+/g, '-')}-${run}${def.kind === 'sizes' ? `-${i}` : ''}`),
        });
        const result = m.ok ? c.result(m) : null;
        if (tool === 'service + analyze' && result) lastWindow = result.window_s;
        const { stdout, ...keep } = m;
        runs.push({ tool, run, ...keep, argv: [path.basename(m.argv[0]), ...m.argv.slice(1)], result });
        log(
          `  ${key} run ${run} ${tool}: ${m.wall_s.toFixed(2)} s, CPU ${m.cpu_s?.toFixed(2) ?? '?'} s, ` +
            `${m.max_rss_mb?.toFixed(0) ?? '?'} MB${m.ok ? '' : `, FAILED (${m.error || (m.signal != null ? `signal ${m.signal}` : `exit ${m.exit}`)}): ${m.stderr_tail}`}`,
        );
      }
    }
    const summary = summarize(key, def, runs, inputs);
    results.cases[key] = { title: def.title, inputs: def.inputs, summary, runs };
    printed.push('', ...caseLines(key, def, summary, inputs, runs));
  }

  const duration = Number(process.hrtime.bigint() - t0) / 1e9;
  results.finished = new Date().toISOString();
  results.duration_s = +duration.toFixed(1);
  const summaries = Object.fromEntries(Object.entries(results.cases).map(([k, v]) => [k, v.summary]));
  const out = [
    ...header,
    ...printed,
    '',
    ...targetLines(summaries, { peerHowto: PEER_BIN ? null : PEER_HOWTO }),
    '',
    `total ${duration.toFixed(0)} s; results: ${rel(path.join(BENCH_CACHE, `results-${stamp(started)}.json`))}, logs: ${rel(runDir)}/`,
  ];
  results.table = out.join('\n');
  const file = path.join(BENCH_CACHE, `results-${stamp(started)}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
  fs.copyFileSync(file, path.join(BENCH_CACHE, 'results-latest.json'));
  console.log(out.join('\n'));
  const failed = Object.values(results.cases)
    .flatMap((c) => c.runs)
    .filter((r) => !r.ok).length;
  if (failed) {
    console.error(`${failed} run(s) failed: see ${rel(runDir)}/*.err`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error((e && e.stack) || e);
  process.exit(1);
});
