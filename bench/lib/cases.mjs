// The benchmark cases: which commands run, on which inputs, and what each prints.
// Every command runs as a process of its own, from the repository's root; the argv recorded
// in the results can be pasted into a shell (with /usr/bin/time -v in front) to reproduce a run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './util.mjs';

const NODE = process.execPath;
// The peers are JavaScript that keeps the whole graph on the V8 heap: give them room, as
// ../shared/oracles/race.sh does. heapwise keeps its graph in native memory and needs no flag.
const PEER_HEAP = `--max-old-space-size=${process.env.NODE_HEAP_MB || 16384}`;
const rel = (p) => path.relative(REPO, p) || '.';

/**
 * The fastest native peer, dinfuehr/heap-snapshot (`@heap-snapshot/tool`, Rust): its npm binary
 * needs glibc 2.39, so it is built from source and named by this environment variable.
 */
export const PEER_ENV = 'HEAPWISE_BENCH_HEAP_SNAPSHOT';
export const PEER_BIN = process.env[PEER_ENV] ? path.resolve(process.env[PEER_ENV]) : null;
export const PEER_HOWTO =
  `${PEER_ENV} is not set, so @heap-snapshot/tool is not raced: build it with ` +
  `\`git clone https://github.com/dinfuehr/heap-snapshot && cd heap-snapshot && cargo build --release\` and set ` +
  `${PEER_ENV}=$PWD/target/release/heap-snapshot`;

// heapwise as a user calls it: analyze(), then what the Summary view shows.
const HW_ANALYZE =
  "require('./index.js').analyze(process.argv[1]).then(a => { const s = a.summary(); " +
  'console.log(JSON.stringify({nodes: a.nodeCount, edges: a.edgeCount, totalSize: a.totalSize, classes: s.length})); a.close(); })';
// diff of two snapshots of one process; includeInternal so that its Comparison has DevTools' rows.
const HW_DIFF =
  "require('./index.js').diff(process.argv[1], process.argv[2], {includeInternal: true}).then(d => " +
  'console.log(JSON.stringify({classes: d.classes.length, newCount: d.totals.newCount, deletedCount: d.totals.deletedCount, ' +
  'sizeDelta: d.sizeDelta, growers: d.growers.length, findings: d.findings.length})))';
// the same diff without the leak findings: what the findings cost is the difference
const HW_DIFF_NO_FINDINGS = HW_DIFF.replace('{includeInternal: true}', '{includeInternal: true, findings: false}');

function lastJsonLine(text) {
  const lines = text.split('\n').filter((l) => l.startsWith('{'));
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return null;
  }
}
function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Command builders: each returns {cmd, args, env, result(measurement) -> parsed figures}. */
export function tools({ memlabDir, scratch }) {
  return {
    'heapwise analyze': (file) => ({ cmd: NODE, args: ['-e', HW_ANALYZE, rel(file)], result: (m) => lastJsonLine(m.stdout) }),
    devtools: (file) => {
      const out = path.join(scratch, 'devtools.json');
      return {
        cmd: NODE,
        args: [PEER_HEAP, 'tools/devtools/oracle.mjs', rel(file), rel(out)],
        before: () => fs.rmSync(out, { force: true }),
        result: () => {
          const j = readJson(out);
          return j && { nodes: j.node_count, edges: j.edge_count, totalSize: j.total_size, classes: j.summary && j.summary.rows.length };
        },
      };
    },
    memlab: (file) => ({
      cmd: NODE,
      args: [PEER_HEAP, 'bench/workers/memlab.cjs', rel(file)],
      env: { MEMLAB_DIR: memlabDir },
      result: (m) => lastJsonLine(m.stdout),
    }),
    'heapwise diff': (a, b) => ({ cmd: NODE, args: ['-e', HW_DIFF, rel(a), rel(b)], result: (m) => lastJsonLine(m.stdout) }),
    'heapwise diff, no findings': (a, b) => ({
      cmd: NODE,
      args: ['-e', HW_DIFF_NO_FINDINGS, rel(a), rel(b)],
      result: (m) => lastJsonLine(m.stdout),
    }),
    'heap-snapshot': (file) => ({
      cmd: /** @type {string} */ (PEER_BIN),
      args: ['summary', rel(file)],
      result: (m) => (/Total \((\d+) constructors\)/.test(m.stdout) ? { classes: Number(RegExp.$1) } : null),
    }),
    // its diff takes the newer snapshot first, then the baseline
    'heap-snapshot diff': (a, b) => ({ cmd: /** @type {string} */ (PEER_BIN), args: ['diff', rel(b), rel(a)], result: () => ({}) }),
    'heapwise watch': (a, b) => ({ cmd: NODE, args: ['bench/workers/watch.cjs', rel(a), rel(b)], result: (m) => lastJsonLine(m.stdout) }),
    'devtools diff': (a, b) => {
      const out = path.join(scratch, 'devtools-diff.json');
      return {
        cmd: NODE,
        args: [PEER_HEAP, 'tools/devtools/oracle.mjs', '--diff', rel(a), rel(b), rel(out)],
        before: () => fs.rmSync(out, { force: true }),
        result: () => {
          const j = readJson(out);
          return (
            j && {
              classes: j.rows.length,
              newCount: j.totals.new_count,
              deletedCount: j.totals.deleted_count,
              sizeDelta: j.current_total_size - j.base_total_size,
            }
          );
        },
      };
    },
    'service + analyze': (file) => ({
      cmd: NODE,
      args: ['bench/workers/service.cjs', 'analyze', rel(file)],
      result: (m) => lastJsonLine(m.stdout),
    }),
    'service baseline': (seconds) => ({
      cmd: NODE,
      args: ['bench/workers/service.cjs', 'baseline', String(seconds)],
      result: (m) => lastJsonLine(m.stdout),
    }),
  };
}

/** The cases, keyed by their letter. `inputs` is what ensureInputs returned. */
export function cases(inputs) {
  const f = (name, i = 0) => inputs[name] && inputs[name].files[i].path;
  const peer = (...run) => (PEER_BIN ? [run] : []);
  return {
    a: {
      title: 'analyze, big snapshot',
      inputs: ['big'],
      kind: 'analyze',
      runs: () => [['heapwise analyze', f('big')], ['devtools', f('big')], ['memlab', f('big')], ...peer('heap-snapshot', f('big'))],
    },
    b: {
      title: 'analyze, app-like snapshot',
      inputs: ['app'],
      kind: 'analyze',
      runs: () => [['heapwise analyze', f('app')], ['devtools', f('app')], ['memlab', f('app')], ...peer('heap-snapshot', f('app'))],
    },
    c: {
      title: 'diff, two big snapshots of one process',
      inputs: ['pair'],
      kind: 'diff',
      runs: () => {
        const [a, b] = [f('pair', 0), f('pair', 1)];
        const larger = inputs.pair.files[0].bytes >= inputs.pair.files[1].bytes ? a : b;
        return [
          ['heapwise diff', a, b],
          ['heapwise diff, no findings', a, b],
          ['devtools diff', a, b],
          ...peer('heap-snapshot diff', a, b),
          ['heapwise analyze', larger],
        ];
      },
    },
    d: {
      title: 'event loop and libuv pool of a service while analyze runs',
      inputs: ['big'],
      kind: 'service',
      runs: () => [
        ['service + analyze', f('big')],
        ['service baseline', null],
      ],
    },
    e: {
      title: 'analyze, app-like snapshot of 1 GB and more',
      inputs: ['large'],
      kind: 'analyze',
      // memlab is left out here: on this file it takes minutes and is no target's yardstick
      runs: () => [['heapwise analyze', f('large')], ['devtools', f('large')], ...peer('heap-snapshot', f('large'))],
    },
    f: {
      title: 'analyze, synthetic snapshots of 2, 8 and 16 GB',
      inputs: ['synth2', 'synth8', 'synth16'],
      kind: 'sizes',
      once: true,
      runs: () => [
        ['heapwise analyze', f('synth2')],
        ['heapwise analyze', f('synth8')],
        ['heapwise analyze', f('synth16')],
      ],
    },
    g: {
      title: 'watch: parses per new snapshot (a folder of the diff pair, with a threshold, so it also compares)',
      inputs: ['pair'],
      kind: 'watch',
      runs: () => [['heapwise watch', f('pair', 0), f('pair', 1)]],
    },
  };
}
