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

// heapwise as a user calls it: analyze(), then what the Summary view shows.
const HW_ANALYZE =
  "require('./index.js').analyze(process.argv[1]).then(a => { const s = a.summary(); " +
  'console.log(JSON.stringify({nodes: a.nodeCount, edges: a.edgeCount, totalSize: a.totalSize, classes: s.length})); a.close(); })';
// diff of two snapshots of one process; includeInternal so that its Comparison has DevTools' rows.
const HW_DIFF =
  "require('./index.js').diff(process.argv[1], process.argv[2], {includeInternal: true}).then(d => " +
  'console.log(JSON.stringify({classes: d.classes.length, newCount: d.totals.newCount, deletedCount: d.totals.deletedCount, ' +
  'sizeDelta: d.sizeDelta, growers: d.growers.length})))';

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
  return {
    a: {
      title: 'analyze, big snapshot',
      inputs: ['big'],
      kind: 'analyze',
      runs: () => [
        ['heapwise analyze', f('big')],
        ['devtools', f('big')],
        ['memlab', f('big')],
      ],
    },
    b: {
      title: 'analyze, app-like snapshot',
      inputs: ['app'],
      kind: 'analyze',
      runs: () => [
        ['heapwise analyze', f('app')],
        ['devtools', f('app')],
        ['memlab', f('app')],
      ],
    },
    c: {
      title: 'diff, two big snapshots of one process',
      inputs: ['pair'],
      kind: 'diff',
      runs: () => [
        ['heapwise diff', f('pair', 0), f('pair', 1)],
        ['devtools diff', f('pair', 0), f('pair', 1)],
        ['heapwise analyze', f('pair', 0)],
      ],
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
  };
}
