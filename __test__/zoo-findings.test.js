'use strict';
// The leak zoo through every front end (issue 12): for each leaking program, the *top* finding
// names the holder (the manifest's regex) and points at a line of the program that defines or
// fills it; for each control, no finding is a leak. Front ends: a two-snapshot diff, diff with a
// final snapshot, a Series over four snapshots (what watch follows) and expectNoLeak in a
// process of its own. Programs run two at a time; every snapshot is removed afterwards.
const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const heapwise = require('heapwise');
const { programs } = require('./zoo/manifest.js');
const { writeSeries } = require('./zoo/series.js');

const CALLS = 100;
const series = new Map();

/** Runs `jobs` two at a time. */
async function twoAtATime(jobs) {
  const out = [];
  for (let i = 0; i < jobs.length; i += 2) out.push(...(await Promise.all(jobs.slice(i, i + 2).map((j) => j()))));
  return out;
}

test.before(async () => {
  const written = await twoAtATime(programs.map((p) => () => writeSeries(p.name, { snapshots: 4, callsPerStep: CALLS })));
  programs.forEach((p, i) => series.set(p.name, written[i]));
});
test.after(() => {
  for (const s of series.values()) s.cleanup();
});

/** What the finding points at in the program: 1-based lines of code refs in the program's file. */
function programLines(finding, p) {
  return finding.code
    .filter((c) => c.location.scriptName && path.resolve(c.location.scriptName) === p.file)
    .map((c) => c.location.line + 1);
}

/** Asserts what the issue asks of a front end's findings for program `p`. */
function check(p, findings, frontEnd) {
  const leaks = findings.filter((f) => f.leak);
  if (!p.leaks) {
    assert.deepStrictEqual(
      leaks.map((f) => f.message),
      [],
      `${frontEnd}: the control ${p.name} is not flagged`,
    );
    return;
  }
  const top = findings[0];
  assert.ok(top && top.leak, `${frontEnd}: ${p.name} has a leak finding first (${findings.map((f) => f.message).join(' | ')})`);
  assert.match(top.holder.name, p.holder, `${frontEnd}: ${p.name}'s top finding names the holder: ${top.holder.description}`);
  const lines = programLines(top, p);
  assert.ok(lines.length, `${frontEnd}: ${p.name}'s top finding points into the program: ${JSON.stringify(top.code)}`);
  assert.ok(
    p.holderLines.includes(lines[0]),
    `${frontEnd}: ${p.name}'s top finding points at line ${lines[0]}, one of ${p.holderLines.join(', ')}: ${top.message}`,
  );
}

for (const p of programs) {
  test(`${p.name}: two-snapshot diff`, async () => {
    const s = series.get(p.name);
    const d = await heapwise.diff(s.files[0], s.files[1], { callsPerStep: CALLS });
    check(p, d.findings, 'diff');
    assert.strictEqual(d.verdict.ok, !p.leaks, `diff's verdict without thresholds: ${d.verdict.reasons.map((r) => r.message).join(' | ')}`);
    if (p.leaks) {
      const reason = d.verdict.reasons.find((r) => r.kind === 'finding');
      assert.ok(reason && reason.finding === 0, 'the verdict points at the top finding');
      if (p.perCall) assert.strictEqual(Math.round(d.findings[0].growth.membersPerCall), p.perCall, 'members per call');
    }
    const quiet = await heapwise.diff(s.files[0], s.files[1], { onlyThresholds: true, top: 1 });
    assert.strictEqual(quiet.verdict.ok, true, 'onlyThresholds: the findings do not count');
  });

  test(`${p.name}: diff with a final snapshot`, async () => {
    const s = series.get(p.name);
    const d = await heapwise.diff(s.files[0], s.files[1], { final: s.files[2], callsPerStep: CALLS });
    check(p, d.findings, 'diff --final');
    if (p.leaks) assert.ok(d.findings[0].growth.steady, 'three snapshots: steady growth');
    if (p.name === 'closure-chain') {
      // memlab's grouping stops at 100 steps; the chain's links are past it, and it says so
      assert.ok(
        d.warnings.some((w) => /longer than 100 steps/.test(w)),
        d.warnings.join(' | '),
      );
    }
  });

  test(`${p.name}: watch over four snapshots`, async () => {
    const s = series.get(p.name);
    const w = heapwise.watch({ files: s.files, callsPerStep: CALLS });
    const growth = [];
    const leaks = [];
    for await (const ev of w) {
      if (ev.type === 'growth') growth.push(ev);
      if (ev.type === 'leak') leaks.push(ev);
    }
    // The findings at the last snapshot, in the engine's order.
    const last = growth.filter((g) => g.index === 3).map((g) => g.finding);
    check(p, last, 'watch');
    if (p.leaks) {
      assert.deepStrictEqual(last[0].growth.snapshots, [0, 1, 2, 3]);
      assert.ok(
        leaks.some((l) => l.kind === 'finding' && l.name === last[0].holder.name),
        'flagged as a leak',
      );
      assert.ok(
        growth.some((g) => g.index === 1 && g.name === last[0].holder.name),
        'found from the second snapshot on',
      );
    } else {
      assert.deepStrictEqual(leaks, [], 'a control is not flagged');
    }
  });

  test(`${p.name}: expectNoLeak`, { timeout: 60_000 }, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', path.join(__dirname, 'zoo', 'expect-child.js'), p.file],
      {
        timeout: 60_000,
        maxBuffer: 16 << 20,
      },
    );
    const out = JSON.parse(stdout.trim().split('\n').pop());
    assert.strictEqual(out.ok, !p.leaks, `expectNoLeak on ${p.name}: ${out.message}`);
    check(p, out.findings, 'expectNoLeak');
    if (p.leaks) {
      assert.ok(out.message.includes(out.findings[0].holder.name), 'the message names the holder');
      assert.match(out.message, new RegExp(`${path.basename(p.file).replace('.', '\\.')}:\\d+:\\d+`), 'and a line of the program');
    }
  });
}

test('a TypeScript leak: the finding points at the .ts line, through the inline source map', { timeout: 60_000 }, async () => {
  const ts = require('typescript');
  const source = path.join(__dirname, 'zoo', 'ts', 'session-store.ts');
  const text = fs.readFileSync(source, 'utf8');
  const out = ts.transpileModule(text, {
    fileName: source,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020,
      inlineSourceMap: true,
      inlineSources: true,
      sourceRoot: path.dirname(source),
    },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-zoo-ts-'));
  try {
    const js = path.join(dir, 'session-store.js');
    fs.writeFileSync(js, out.outputText);
    const setLine = text.split('\n').findIndex((l) => l.includes('sessionsById.set(')) + 1;
    const jsLine = out.outputText.split('\n').findIndex((l) => l.includes('sessionsById.set(')) + 1;
    assert.notStrictEqual(setLine, jsLine, 'the compiled lines differ from the source lines');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', path.join(__dirname, 'zoo', 'expect-child.js'), js], {
      timeout: 60_000,
      maxBuffer: 16 << 20,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop());
    assert.strictEqual(r.ok, false, 'the leak is found');
    const top = r.findings[0];
    assert.strictEqual(top.holder.name, 'sessionsById');
    const fills = top.code.find((c) => c.role === 'fills');
    assert.ok(fills, JSON.stringify(top.code));
    assert.strictEqual(fills.location.scriptName, source, 'mapped to the .ts file');
    assert.strictEqual(fills.location.line + 1, setLine, 'the .ts line that fills the Map');
    assert.strictEqual(fills.text, 'sessionsById.set(id, session);');
    assert.strictEqual(fills.location.generated.scriptName, js, 'the generated location is kept');
    assert.strictEqual(fills.location.generated.line + 1, jsLine);
    assert.match(r.message, new RegExp(`session-store\\.ts:${setLine}:`), 'the message names the .ts line');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
