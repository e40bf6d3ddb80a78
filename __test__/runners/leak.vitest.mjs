// heapwise/testing under Vitest (run by __test__/runners.test.js, not by node --test).
import { test } from 'vitest';
import { expectNoLeak } from 'heapwise/testing';
import cases from './leak-cases.cjs';

const { subscribe, clean, OPTIONS } = cases;

test('a listener per call leaks', async () => {
  await expectNoLeak(subscribe, OPTIONS);
}, 60_000);

test('a clean function passes', async () => {
  await expectNoLeak(clean, OPTIONS);
}, 60_000);
