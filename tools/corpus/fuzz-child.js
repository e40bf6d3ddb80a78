#!/usr/bin/env node
'use strict';
// Mutation fuzzing of heapwise through its JS API (issue 7, part 2), run as a child process by
// __test__/fuzz.test.js so that a crash or a hang is seen from outside.
//
//   node tools/corpus/fuzz-child.js fuzz SEEDS_DIR WORK_DIR SECONDS SEED
//   node tools/corpus/fuzz-child.js replay FILE...
//
// fuzz: mutates the seed snapshots (bit flips, byte inserts and deletes, digit changes, numbers
// set to edge values, truncation, splices of ranges of other seeds, swaps of numbers and of
// strings) for SECONDS, running analyzeSync on each input written to WORK_DIR/input.heapsnapshot
// (written before the call: if the process dies, the parent finds the input there). Each input
// must give a HeapwiseError with a known code other than ERR_HEAPWISE_INTERNAL, or a result whose
// invariants hold (see `checkResult`). A failing input is written to WORK_DIR/finding-*.heapsnapshot
// and reported on stdout as a JSON line {finding, file, problem}. Progress lines {execs} go to
// stdout every 250 ms; the last line is {done, execs, errors, results, findings}.
// replay: the same checks on the given files; one JSON line per file.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const heapwise = require(path.join(__dirname, '..', '..', 'index.js'));

const CODES = new Set([
  'ERR_HEAPWISE_IO',
  'ERR_HEAPWISE_EMPTY',
  'ERR_HEAPWISE_TRUNCATED',
  'ERR_HEAPWISE_NOT_JSON',
  'ERR_HEAPWISE_NOT_A_SNAPSHOT',
  'ERR_HEAPWISE_UNSUPPORTED_VERSION',
  'ERR_HEAPWISE_INVALID_DATA',
]);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (arr) => arr[Math.floor(next() * arr.length)] };
}

const INTERESTING = [
  '0',
  '1',
  '2',
  '3',
  '6',
  '7',
  '14',
  '255',
  '256',
  '65535',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '18446744073709551615',
  '18446744073709551616',
  '-1',
  '1.5',
  '1e3',
  '99999999999999999999999',
];
const TOKENS = ['[', ']', '{', '}', ',', ':', '"', '\\', '\\u', '\\ud800', '-', '.', 'e', '0', '9', '\n', 'null', '\u00ff'];

/** Offsets [start, end) of every number in `buf` (digit runs). */
function numberSpans(buf) {
  const spans = [];
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] >= 0x30 && buf[i] <= 0x39) {
      const s = i;
      while (i < buf.length && buf[i] >= 0x30 && buf[i] <= 0x39) i++;
      spans.push([s, i]);
    }
  }
  return spans;
}

function mutate(r, input, seeds) {
  let b = Buffer.from(input);
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds; k++) {
    const len = b.length;
    const at = r.int(Math.max(1, len));
    switch (r.int(10)) {
      case 0: // bit flip
        if (len) b[at] ^= 1 << r.int(8);
        break;
      case 1: // insert a byte or a JSON token
        b = Buffer.concat([
          b.subarray(0, at),
          Buffer.from(r.next() < 0.5 ? [r.int(256)] : Buffer.from(r.pick(TOKENS), 'latin1')),
          b.subarray(at),
        ]);
        break;
      case 2: // delete a few bytes
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(len, at + 1 + r.int(8)))]);
        break;
      case 3: // change a digit
      case 4: {
        const spans = numberSpans(b);
        if (!spans.length) break;
        const [s, e] = r.pick(spans);
        b[s + r.int(e - s)] = 0x30 + r.int(10);
        break;
      }
      case 5: {
        // a number set to an edge value
        const spans = numberSpans(b);
        if (!spans.length) break;
        const [s, e] = r.pick(spans);
        b = Buffer.concat([b.subarray(0, s), Buffer.from(r.pick(INTERESTING)), b.subarray(e)]);
        break;
      }
      case 6: {
        // swap two numbers (an edge target with a string index, a type with a count, ...)
        const spans = numberSpans(b);
        if (spans.length < 2) break;
        let [x, y] = [r.pick(spans), r.pick(spans)];
        if (x[0] > y[0]) [x, y] = [y, x];
        if (x[1] > y[0]) break;
        b = Buffer.concat([b.subarray(0, x[0]), b.subarray(y[0], y[1]), b.subarray(x[1], y[0]), b.subarray(x[0], x[1]), b.subarray(y[1])]);
        break;
      }
      case 7: // truncate
        b = b.subarray(0, at);
        break;
      case 8: {
        // splice: a range of another seed (or of this input) pasted over a range here
        const other = r.pick(seeds);
        const s = r.int(other.length);
        const piece = other.subarray(s, s + 1 + r.int(256));
        b = Buffer.concat([b.subarray(0, at), piece, b.subarray(Math.min(len, at + r.int(256)))]);
        break;
      }
      default: {
        // swap two strings of the strings section, or duplicate a range
        const text = b.toString('latin1');
        const start = text.indexOf('"strings":[');
        if (start < 0 || r.next() < 0.3) {
          const s = r.int(Math.max(1, len));
          const piece = b.subarray(s, s + 1 + r.int(64));
          b = Buffer.concat([b.subarray(0, at), piece, b.subarray(at)]);
          break;
        }
        const re = /"(?:[^"\\]|\\.)*"/g;
        re.lastIndex = start + 11;
        const found = [];
        for (let m = re.exec(text); m && found.length < 400; m = re.exec(text)) found.push([m.index, m.index + m[0].length]);
        if (found.length < 2) break;
        let [x, y] = [r.pick(found), r.pick(found)];
        if (x[0] > y[0]) [x, y] = [y, x];
        if (x[1] > y[0]) break;
        b = Buffer.concat([b.subarray(0, x[0]), b.subarray(y[0], y[1]), b.subarray(x[1], y[0]), b.subarray(x[0], x[1]), b.subarray(y[1])]);
      }
    }
  }
  return b;
}

/**
 * The checks on one file. Returns null when all is well, else a sentence saying what is wrong.
 * `outcome` gets 'error' or 'result'.
 */
function checkFile(file, tsvFile, outcome = {}) {
  let heap;
  try {
    heap = heapwise.analyzeSync(file);
  } catch (e) {
    outcome.kind = 'error';
    if (!(e instanceof heapwise.HeapwiseError)) return `not a HeapwiseError: ${e && e.stack}`;
    if (!CODES.has(e.code)) return `${e.code}: ${e.message}`;
    const size = fs.statSync(file).size;
    if (e.byteOffset !== null && !(Number.isInteger(e.byteOffset) && e.byteOffset >= 0 && e.byteOffset <= size)) {
      return `byteOffset ${e.byteOffset} outside the file (${size} bytes): ${e.message}`;
    }
    return null;
  }
  outcome.kind = 'result';
  try {
    return checkResult(heap, tsvFile);
  } catch (e) {
    return `a query failed on an accepted snapshot: ${e && (e.code || '')} ${e && e.message}`;
  } finally {
    heap.close();
  }
}

/**
 * Invariants of an accepted snapshot: every node's retained size >= its shallow size and <= the
 * root's; every node's dominator exists; distances are DevTools' kinds (-5 unreachable, a BFS
 * depth, or 100000000 + depth for system-only); the Summary's counts and shallow sizes are
 * covered by the nodes'; Statistics' total is totalSize; views and paths work.
 */
function checkResult(heap, tsvFile) {
  if (!Array.isArray(heap.warnings) || heap.warnings.some((w) => typeof w !== 'string')) return 'warnings is not a list of strings';
  heap.writeNodes(tsvFile);
  const lines = fs.readFileSync(tsvFile, 'utf8').trimEnd().split('\n').slice(1);
  if (lines.length !== heap.nodeCount) return `writeNodes wrote ${lines.length} nodes, nodeCount is ${heap.nodeCount}`;
  const rows = lines.map((l) => l.split('\t').map(Number));
  const ids = new Set(rows.map((r) => r[0]));
  const n = rows.length;
  let rootRetained = 0;
  for (const r of rows) rootRetained = Math.max(rootRetained, r[3]);
  let counted = 0;
  let shallowSum = 0;
  for (let i = 0; i < n; i++) {
    const [id, , shallow, retained, distance, dom] = rows[i];
    if ([id, shallow, retained, distance, dom].some((v) => !Number.isFinite(v))) return `node ${i}: a value is not a number: ${lines[i]}`;
    if (retained + 1e-6 < shallow) return `node @${id}: retained ${retained} < shallow ${shallow}`;
    if (!ids.has(dom)) return `node @${id}: dominator @${dom} does not exist`;
    const sane = distance === -5 || (distance >= 0 && distance <= n) || (distance >= 1e8 && distance <= 1e8 + n);
    if (!sane) return `node @${id}: distance ${distance}`;
    if (shallow > 0) {
      counted++;
      shallowSum += shallow;
    }
  }
  const summary = heap.summary();
  const count = summary.reduce((s, r) => s + r.count, 0);
  const shallow = summary.reduce((s, r) => s + r.shallowSize, 0);
  // At most, not equal: DevTools' Summary keeps one row per public class key, and when two
  // internal classes share one (possible in a corrupt file) the later row replaces the earlier;
  // heapwise does the same (checked against DevTools' own code on such fuzz inputs).
  if (count > counted) return `Summary counts add up to ${count}, only ${counted} nodes have a shallow size`;
  if (shallow > shallowSum + 1e-6 * Math.max(1, shallowSum))
    return `Summary shallow sizes add up to ${shallow}, the nodes' to only ${shallowSum}`;
  for (const r of summary) {
    if (!(r.count > 0) || r.retainedSize + 1e-6 < 0 || r.retainedSize > rootRetained + 1e-6 * Math.max(1, rootRetained)) {
      return `Summary row ${r.name}: count ${r.count}, retained ${r.retainedSize} (root retains ${rootRetained})`;
    }
  }
  const st = heap.statistics();
  if (Math.abs(st.total - heap.totalSize) > 1e-6 * Math.max(1, st.total))
    return `statistics.total ${st.total} != totalSize ${heap.totalSize}`;
  for (const { node, retainerPath } of heap.top(5)) {
    if (!ids.has(node.id)) return `top() returned a node @${node.id} that does not exist`;
    if (!Array.isArray(retainerPath)) return 'top(): retainerPath is not an array';
    heap.references(node.id);
    heap.retainers(node.id);
    heap.dominated(node.id);
    heap.location(node.id);
  }
  heap.findByName('a', 5);
  return null;
}

function fuzz(seedsDir, workDir, seconds, seed) {
  const seeds = fs
    .readdirSync(seedsDir)
    .filter((f) => f.endsWith('.heapsnapshot'))
    .sort()
    .map((f) => fs.readFileSync(path.join(seedsDir, f)));
  if (!seeds.length) throw new Error(`no seeds in ${seedsDir}`);
  const r = rng(seed);
  const input = path.join(workDir, 'input.heapsnapshot');
  const tsv = path.join(workDir, 'nodes.tsv');
  const deadline = Date.now() + seconds * 1000;
  let last = 0;
  const stats = { execs: 0, errors: 0, results: 0, findings: 0 };
  const seen = new Set();
  while (Date.now() < deadline) {
    const data = mutate(r, r.pick(seeds), seeds);
    fs.writeFileSync(input, data);
    const outcome = {};
    const problem = checkFile(input, tsv, outcome);
    stats.execs++;
    stats[outcome.kind === 'error' ? 'errors' : 'results']++;
    if (problem) {
      const key = problem.replace(/\d+/g, 'N');
      const hash = crypto.createHash('sha1').update(data).digest('hex').slice(0, 12);
      const file = path.join(workDir, `finding-${hash}.heapsnapshot`);
      fs.writeFileSync(file, data);
      stats.findings++;
      if (!seen.has(key)) console.log(JSON.stringify({ finding: true, file, problem, exec: stats.execs }));
      seen.add(key);
    }
    if (Date.now() - last > 250) {
      last = Date.now();
      console.log(JSON.stringify({ execs: stats.execs }));
    }
  }
  console.log(JSON.stringify({ done: true, ...stats }));
}

function replay(files) {
  const tsv = path.join(require('node:os').tmpdir(), `heapwise-replay-${process.pid}.tsv`);
  try {
    for (const file of files) {
      const outcome = {};
      const problem = checkFile(file, tsv, outcome);
      console.log(JSON.stringify({ file, problem, kind: outcome.kind }));
    }
  } finally {
    fs.rmSync(tsv, { force: true });
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'fuzz') fuzz(rest[0], rest[1], Number(rest[2]), Number(rest[3]));
else if (mode === 'replay') replay(rest);
else {
  console.error('usage: fuzz-child.js fuzz SEEDS WORK SECONDS SEED | replay FILE...');
  process.exit(2);
}

module.exports = { mutate, rng, checkResult };
