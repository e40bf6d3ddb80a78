import {
  analyze,
  analyzeSync,
  diff,
  Series,
  watch,
  HeapwiseError,
  type HeapAnalysis,
  type HeapDiff,
  type Watcher,
  type WatchSeries,
} from 'heapwise';
import { expectNoLeak, HeapLeakError } from 'heapwise/testing';

async function main(): Promise<void> {
  const a: HeapAnalysis = await analyze('x.heapsnapshot', {
    onProgress: (p) => console.log(p.phase, p.fraction),
    signal: AbortSignal.timeout(1000),
  });
  const rows = a.summary();
  const n: number = rows[0].retainedSize;
  const top = a.top(5);
  const edge: string | undefined = top[0].retainerPath[1]?.edge;
  const d: HeapDiff = await diff('a', new URL('file:///b'), {
    final: 'c',
    maxGrowthBytes: 2e6,
    classLimits: { Foo: { maxCount: 10 } },
    ignore: ['/^\\(/'],
  });
  const ok: boolean = d.verdict.ok;
  const kind: 'growth' | 'new-objects' | 'class-count' | 'class-size' | 'leak-group' | 'finding' | undefined = d.verdict.reasons[0]?.kind;
  const holder: string | undefined = d.findings[0]?.holder.name;
  const line: number | undefined = d.findings[0]?.code[0]?.location.line;
  const s = new Series();
  const step = await s.add(new URL('file:///c.heapsnapshot'), { callsPerStep: 100, maxMemory: '1GB' });
  console.log(kind, holder, line, step.findings.length, s.length);
  try {
    analyzeSync('y');
  } catch (e) {
    if (e instanceof HeapwiseError) {
      const c: string = e.code;
      const off: number | null = e.byteOffset;
      console.log(c, off);
    }
  }
  await expectNoLeak(() => {}, {});
  try {
    const r = await expectNoLeak(async () => {}, { keepSnapshots: 'on-failure', maxNewObjects: 10 });
    const gc: string | null = r.gc;
    console.log(gc, r.findings.length);
  } catch (e) {
    if (e instanceof HeapLeakError) {
      const where: string | null = e.directory;
      console.log(where, e.snapshots.length, e.leaks[0]?.holder.name, e.reasons[0]?.kind);
    }
  }
  console.log(n, edge, ok, HeapLeakError.name);
  a.close();
}
main();

async function watching(): Promise<void> {
  const w: Watcher = watch({
    dir: '/var/snapshots',
    pid: 1234,
    intervalMs: 5000,
    callsPerStep: 100,
    maxGrowthBytes: 5e6,
    classLimits: { Session: { maxCount: 100 } },
  });
  w.on('growth', (g) => console.log(g.name, g.grewIn, g.window, g.pathText, g.finding.code[0]?.location.scriptName));
  w.on('leak', (l) => console.error(l.reason));
  w.on('error', (e) => console.error(e.code));
  for await (const ev of w) {
    if (ev.type === 'sample') {
      const pss: number | null = ev.pss;
      console.log(ev.rss, pss, ev.heapUsed);
    } else if (ev.type === 'snapshot') console.log(ev.index, ev.totalSize, ev.classes[0]?.name);
    else if (ev.type === 'error') console.log(ev.error.code);
  }
  const s: WatchSeries = w.series();
  const first: number | undefined = s.samples[0]?.rss;
  await w.close();
  const c = watch({ capture: { intervalMs: 60_000 } });
  await c[Symbol.asyncDispose]();
  await watch({ files: ['a.heapsnapshot', new URL('file:///b.heapsnapshot')] }).finish();
  console.log(first, s.leaks.length);
}
watching();
