'use strict';
// heapwise dhat, dhatProfile() and dhatDiff(): DHAT profiles written at test time by a tiny Rust
// program using the `dhat` crate, built twice (a build that leaks a buffer per iteration with
// Box::leak, and a fixed build that drops it), and by valgrind's DHAT on a tiny C program (when
// valgrind is installed); the frame-matching rule; bad input (exit 2). Everything is written into
// one temporary folder, removed at the end.
const { describe, test, before, after } = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { dhatProfile, dhatDiff } = require('../lib/dhat/index.js');
const { HeapwiseError } = require('../lib/core.js');
const { siteKey, MATCH_FRAMES } = require('../lib/dhat/sites.js');
const { parseFrame } = require('../lib/dhat/parse.js');

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

/** Runs `heapwise ARGS…`; returns {status, stdout, stderr}. */
function cli(...args) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

/** Whether `tool --version` runs. */
function has(tool) {
  return spawnSync(tool, ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * describe() when `tool` is installed; else skipped with the reason, or, under CI (as the other
 * tests do with Chromium, see helpers/browser.js), a failing test unless `optional`.
 */
function describeWithTool(name, tool, { optional = false } = {}, fn) {
  if (has(tool)) return describe(name, fn);
  if (process.env.CI && !optional) {
    return test(name, () => {
      throw new Error(`needs \`${tool}\`, which is not installed`);
    });
  }
  return describe(name, { skip: `\`${tool}\` is not installed` }, fn);
}

let dir;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heapwise-dhat-'));
});
after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// The program: fill_cache() makes a 1,000-byte buffer per iteration; the leaking build leaks it
// (Box::leak), the fixed one drops it. The same crate, function and file in both builds, so that
// the site matches though its lines and addresses differ.
const RUST_MAIN = (leak) => `#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[inline(never)]
fn fill_cache(i: usize) -> usize {
    let v: Vec<u8> = vec![i as u8; 1000];
    let n = v.len();
${leak ? '    Box::leak(v.into_boxed_slice());' : '    drop(v);'}
    n
}

fn main() {
    let _profiler = dhat::Profiler::new_heap();
    let mut sum = 0;
    for i in 0..50 {
        sum += fill_cache(i);
    }
    let kept: Vec<u64> = vec![7; 100];
    println!("{} {}", sum, kept.len());
}
`;

describeWithTool('the dhat crate: a leaking and a fixed build', 'cargo', {}, () => {
  const files = {};
  const printed = {};
  before(() => {
    const crate = path.join(dir, 'app');
    fs.mkdirSync(path.join(crate, 'src'), { recursive: true });
    fs.writeFileSync(
      path.join(crate, 'Cargo.toml'),
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ndhat = "0.3"\n',
    );
    const env = { ...process.env, CARGO_TARGET_DIR: path.join(dir, 'target'), CARGO_TERM_COLOR: 'never' };
    for (const [name, leak] of [
      ['leaky', true],
      ['fixed', false],
    ]) {
      fs.writeFileSync(path.join(crate, 'src', 'main.rs'), RUST_MAIN(leak));
      const build = spawnSync('cargo', ['build', '--quiet'], { cwd: crate, env, encoding: 'utf8' });
      assert.strictEqual(build.status, 0, build.stderr);
      const run = spawnSync(path.join(dir, 'target', 'debug', 'app'), [], { cwd: crate, encoding: 'utf8' });
      assert.strictEqual(run.status, 0, run.stderr);
      // DHAT's own summary, `dhat: At t-end:  51,024 bytes in 51 blocks`, to check the totals against
      printed[name] = Object.fromEntries(
        [...run.stderr.matchAll(/^dhat: (Total|At t-gmax|At t-end): +([\d,]+) bytes in ([\d,]+) blocks$/gm)].map((m) => [
          m[1],
          { bytes: Number(m[2].replace(/,/g, '')), blocks: Number(m[3].replace(/,/g, '')) },
        ]),
      );
      files[name] = path.join(dir, `${name}.json`);
      fs.renameSync(path.join(crate, 'dhat-heap.json'), files[name]);
    }
  });

  test('the totals: the leaking build has more at t-end; its top t-end site is fill_cache', async () => {
    const leaky = await dhatProfile(files.leaky);
    const fixed = await dhatProfile(files.fixed);
    assert.strictEqual(leaky.mode, 'rust-heap');
    assert.ok(leaky.blockLifetimes);
    for (const [name, p] of [
      ['leaky', leaky],
      ['fixed', fixed],
    ]) {
      assert.deepStrictEqual(
        p.totals,
        { total: printed[name].Total, gmax: printed[name]['At t-gmax'], end: printed[name]['At t-end'] },
        name,
      );
    }
    // 50 buffers of 1,000 bytes, and stdout's buffer (println!) in both
    assert.strictEqual(leaky.totals.end.bytes - fixed.totals.end.bytes, 50 * 1000);
    assert.ok(leaky.totals.end.bytes > fixed.totals.end.bytes);
    assert.ok(leaky.totals.total.bytes >= 50 * 1000 + 800);
    const top = leaky.top.end[0];
    assert.deepStrictEqual(top.end, { bytes: 50000, blocks: 50 });
    assert.match(top.key[0], /^app::fill_cache \(.*src\/main\.rs\)$/);
    assert.match(top.key[1], /^app::main /);
    assert.ok(top.frames.some((f) => f.function === 'app::fill_cache' && /main\.rs:\d+/.test(String(f.location))));
    assert.ok(top.frames.every((f) => f.text !== '[root]' && !f.text.startsWith('0x')));
  });

  test('the difference: fill_cache grew at t-end; the matched site is the same in both builds', async () => {
    const d = await dhatDiff(files.fixed, files.leaky);
    assert.strictEqual(d.matchFrames, MATCH_FRAMES);
    assert.strictEqual(d.totals.end.delta.bytes, 50000);
    const changed = [...d.end.grew, ...d.end.appeared];
    assert.strictEqual(changed.length, 1, JSON.stringify(d.end.counts));
    assert.match(changed[0].key[0], /^app::fill_cache /);
    assert.deepStrictEqual(changed[0].delta, { bytes: 50000, blocks: 50 });
    // matched, not appeared: the fixed build's fill_cache allocated the same, freed it
    assert.strictEqual(d.end.grew.length, 1);
    assert.deepStrictEqual(d.end.counts, { grew: 1, shrank: 0, appeared: 0, disappeared: 0 });
    // the other way round, it shrank
    const back = await dhatDiff(files.leaky, files.fixed);
    assert.strictEqual(back.end.shrank.length, 1);
    assert.strictEqual(back.totals.end.delta.bytes, -50000);
  });

  test('heapwise dhat: text, JSON, Markdown and the HTML page, exit 0', () => {
    const text = cli('dhat', files.fixed, files.leaky);
    assert.strictEqual(text.status, 0, text.stderr);
    assert.match(text.stdout, /at t-end\s+1,024 bytes in 1 blocks\s+51,024 bytes in 51 blocks\s+\+50,000 bytes, \+50 blocks/);
    assert.match(text.stdout, /grew\s+\+50,000 bytes/);
    assert.match(text.stdout, /app::fill_cache \(.*main\.rs:\d+:\d+\)/);
    const one = cli('dhat', files.leaky, '--top', '1');
    assert.strictEqual(one.status, 0, one.stderr);
    assert.match(one.stdout, /at t-end\s+51,024 bytes in 51 blocks/);
    assert.match(one.stdout, /1\. 50,000 bytes in 50 blocks/);
    const json = JSON.parse(cli('dhat', files.leaky, '--json').stdout);
    assert.strictEqual(json.totals.end.bytes, 51024);
    assert.match(cli('dhat', files.fixed, files.leaky, '--format', 'markdown').stdout, /\| grew \| \+50,000 \|/);
    const out = path.join(dir, 'report.html');
    const page = cli('dhat', files.fixed, files.leaky, '--format', 'html', '-o', out);
    assert.strictEqual(page.status, 0, page.stderr);
    assert.match(page.stderr, /at t-end \+50,000 bytes/);
    const htmlText = fs.readFileSync(out, 'utf8');
    assert.match(htmlText, /<table class="data">/);
    assert.match(htmlText, /app::fill_cache/);
    assert.doesNotMatch(htmlText, /<script[^>]+src=|<link[^>]+href=/);
  });
});

// Leaks 64 bytes 10 times in leak_here(); frees what it allocates in churn().
const C_PROGRAM = `#include <stdlib.h>
#include <string.h>
static void *keep[10];
__attribute__((noinline)) void leak_here(int i) { keep[i] = malloc(64); memset(keep[i], i, 64); }
__attribute__((noinline)) void churn(void) { for (int i = 0; i < 100; i++) { char *p = malloc(256); p[0] = 1; free(p); } }
int main(void) { for (int i = 0; i < 10; i++) leak_here(i); churn(); return keep[3] == 0; }
`;

describeWithTool("valgrind's DHAT", 'valgrind', { optional: true }, () => {
  let out;
  before(() => {
    const src = path.join(dir, 'leak.c');
    const bin = path.join(dir, 'leak');
    fs.writeFileSync(src, C_PROGRAM);
    const cc = spawnSync('cc', ['-g', '-O0', '-o', bin, src], { encoding: 'utf8' });
    out = path.join(dir, 'dhat.out.c');
    const target = cc.status === 0 ? [bin] : ['/bin/true'];
    const r = spawnSync('valgrind', ['--tool=dhat', `--dhat-out-file=${out}`, ...target], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
  });

  test('its profile reads: mode heap, the totals, the leaking function on top at t-end', async (t) => {
    const p = await dhatProfile(out);
    assert.strictEqual(p.mode, 'heap');
    assert.ok(p.blockLifetimes && p.blockAccesses);
    assert.strictEqual(p.timeUnit, 'instrs');
    if (!fs.existsSync(path.join(dir, 'leak'))) {
      t.diagnostic('no C compiler: read /bin/true under valgrind only');
      return;
    }
    assert.ok(p.totals.total.bytes >= 10 * 64 + 100 * 256);
    assert.ok(p.totals.end.bytes >= 640);
    const top = p.top.end.find((s) => s.key[0].startsWith('leak_here '));
    assert.ok(top, JSON.stringify(p.top.end.map((s) => s.key)));
    assert.deepStrictEqual(top.end, { bytes: 640, blocks: 10 });
    assert.strictEqual(top.frames[0].function, 'malloc'); // shown, but not part of the key
    assert.match(top.key[0], /^leak_here \(leak\.c\)$/);
    assert.match(top.key[1], /^main \(leak\.c\)$/);
    const r = cli('dhat', out);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /640 bytes in 10 blocks/);
  });
});

describe('the frame-matching rule', () => {
  const frames = (...texts) => texts.map(parseFrame);
  test('frames are split as the DHAT viewer shows them', () => {
    assert.deepStrictEqual(parseFrame('0x4C2DB6F: operator new(unsigned long) (vg_replace_malloc.c:334)'), {
      address: '0x4C2DB6F',
      function: 'operator new(unsigned long)',
      location: 'vg_replace_malloc.c:334',
      text: 'operator new(unsigned long) (vg_replace_malloc.c:334)',
    });
    assert.strictEqual(
      parseFrame('0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)').location,
      'in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so',
    );
  });
  test('the innermost 3 frames outside the allocator, without addresses or lines', () => {
    const a = frames(
      '0x1: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)',
      '0x2: operator new(unsigned long) (new_op.cc:50)',
      '0x3: v8::internal::Malloced::New(unsigned long) (allocation.cc:40)',
      '0x4: v8::internal::Isolate::Init() (isolate.cc:4100)',
      '0x5: v8::Isolate::Initialize() (api.cc:9000)',
      '0x6: main (app.cc:10)',
    );
    const b = frames(
      '0xa1: malloc (in /usr/libexec/valgrind/vgpreload_dhat-amd64-linux.so)',
      '0xa2: operator new(unsigned long) (new_op.cc:50)',
      '0xa3: v8::internal::Malloced::New(unsigned long) (allocation.cc:41)',
      '0xa4: v8::internal::Isolate::Init() (isolate.cc:4180)',
      '0xa5: v8::Isolate::Initialize() (api.cc:9012)',
      '0xa6: main2 (app.cc:12)',
    );
    assert.strictEqual(MATCH_FRAMES, 3);
    assert.deepStrictEqual(siteKey(a), [
      'v8::internal::Malloced::New(unsigned long) (allocation.cc)',
      'v8::internal::Isolate::Init() (isolate.cc)',
      'v8::Isolate::Initialize() (api.cc)',
    ]);
    // other addresses and lines, another outer caller: the same site
    assert.deepStrictEqual(siteKey(b), siteKey(a));
    // Rust's alloc crate and the dhat crate are the allocator
    const rust = frames(
      // the dhat crate's frames show up in some backtraces and not in others, with __rust_alloc
      '0x0: <dhat::Alloc as core::alloc::global::GlobalAlloc>::alloc (dhat-0.3.3/src/lib.rs:1176:9)',
      '0x0: __rustc::__rust_alloc (app/src/main.rs:2:15)',
      '0x1: <alloc::alloc::Global as core::alloc::Allocator>::allocate (alloc/src/alloc.rs:429:14)',
      '0x2: alloc::raw_vec::RawVecInner<A>::try_allocate_in (src/raw_vec/mod.rs:464:47)',
      '0x3: <u8 as alloc::vec::spec_from_elem::SpecFromElem>::from_elem (src/vec/spec_from_elem.rs:53:21)',
      '0x4: app::fill_cache (src/main.rs:6:22)',
      '0x5: app::main (src/main.rs:15:16)',
    );
    assert.deepStrictEqual(siteKey(rust), ['app::fill_cache (src/main.rs)', 'app::main (src/main.rs)']);
    // a frame with no symbol keeps its address
    assert.deepStrictEqual(siteKey(frames('0x9: ??? (in /usr/bin/ls)')), ['??? 0x9 (in /usr/bin/ls)']);
  });
});

describe('bad input: exit 2 with a clear message', () => {
  const cases = [
    ['missing.json', null, /cannot read the DHAT profile .*missing\.json: no such file \(ERR_HEAPWISE_IO\)/],
    ['empty.json', '  \n', /is empty \(ERR_HEAPWISE_EMPTY\)/],
    ['text.json', 'hello', /is not JSON: .*\(ERR_HEAPWISE_NOT_JSON\)/],
    ['array.json', '[]', /not a DHAT profile: the JSON is an array.*\(ERR_HEAPWISE_INVALID_DATA\)/],
    ['package.json', '{"name":"x"}', /not a DHAT profile: no `dhatFileVersion` field.*\(ERR_HEAPWISE_INVALID_DATA\)/],
    ['v3.json', '{"dhatFileVersion":3}', /unsupported dhatFileVersion 3: heapwise reads version 2 \(ERR_HEAPWISE_INVALID_DATA\)/],
    [
      'nofs.json',
      JSON.stringify({
        dhatFileVersion: 2,
        mode: 'heap',
        verb: 'Allocated',
        bklt: false,
        bkacc: false,
        tu: 'instrs',
        Mtu: 'Minstr',
        cmd: 'x',
        pid: 1,
        te: 1,
        pps: [{ tb: 1, tbk: 1 }],
        ftbl: ['[root]'],
      }),
      /pps\[0\] has no `fs` field \(ERR_HEAPWISE_INVALID_DATA\)/,
    ],
    [
      'badfs.json',
      JSON.stringify({
        dhatFileVersion: 2,
        mode: 'heap',
        verb: 'Allocated',
        bklt: false,
        bkacc: false,
        tu: 'instrs',
        Mtu: 'Minstr',
        cmd: 'x',
        pid: 1,
        te: 1,
        pps: [{ tb: 1, tbk: 1, fs: [5] }],
        ftbl: ['[root]'],
      }),
      /pps\[0\]\.fs\[0\] is 5, not an index into ftbl \(1 frames\)/,
    ],
  ];
  for (const [name, content, message] of cases) {
    test(name, async () => {
      const file = path.join(dir, name);
      if (content !== null) fs.writeFileSync(file, content);
      const r = cli('dhat', file);
      assert.strictEqual(r.status, 2, r.stdout);
      assert.match(r.stderr, message);
      await assert.rejects(dhatProfile(file), (e) => e instanceof HeapwiseError && e.code.startsWith('ERR_HEAPWISE_'));
    });
  }
  test('usage: no file, three files, a bad --top', () => {
    assert.match(cli('dhat').stderr, /dhat takes A, then one B at most/);
    assert.match(cli('dhat', 'a', 'b', 'c').stderr, /dhat takes A, then one B at most \(got 3 arguments\)/);
    assert.strictEqual(cli('dhat', 'a', '--top', '0').status, 2);
  });
  test('copy mode (no block lifetimes) reads: totals, no t-end', async () => {
    const p = await dhatProfile({
      text: JSON.stringify({
        dhatFileVersion: 2,
        mode: 'copy',
        verb: 'Copied',
        bklt: false,
        bkacc: false,
        tu: 'instrs',
        Mtu: 'Minstr',
        cmd: 'x',
        pid: 1,
        te: 9,
        pps: [{ tb: 100, tbk: 2, fs: [1] }],
        ftbl: ['[root]', '0x1: memcpy (vg_replace_strmem.c:1)'],
      }),
    });
    assert.deepStrictEqual(p.totals, { total: { bytes: 100, blocks: 2 }, gmax: null, end: null });
    assert.strictEqual(p.top.total.length, 1);
  });
});
