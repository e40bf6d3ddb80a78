import { analyze, analyzeSync, diff, HeapwiseError, type HeapAnalysis, type HeapDiff } from 'heapwise';
import { expectNoLeak, HeapLeakError } from 'heapwise/testing';

async function main(): Promise<void> {
  const a: HeapAnalysis = await analyze('x.heapsnapshot', { onProgress: (p) => console.log(p.phase, p.fraction), signal: AbortSignal.timeout(1000) });
  const rows = a.summary();
  const n: number = rows[0].retainedSize;
  const top = a.top(5);
  const edge: string | undefined = top[0].retainerPath[1]?.edge;
  const d: HeapDiff = await diff('a', new URL('file:///b'), { final: 'c', maxGrowthBytes: 2e6, classLimits: { Foo: { maxCount: 10 } }, ignore: ['/^\\(/'] });
  const ok: boolean = d.verdict.ok;
  try { analyzeSync('y'); } catch (e) { if (e instanceof HeapwiseError) { const c: string = e.code; const off: number | null = e.byteOffset; console.log(c, off); } }
  await expectNoLeak(() => {}, {});
  console.log(n, edge, ok, HeapLeakError.name);
  a.close();
}
main();
