'use strict';
// heapwise/testing under Jest (run by __test__/runners.test.js, not by node --test).
const { expectNoLeak } = require('heapwise/testing');
const { subscribe, clean, OPTIONS } = require('./leak-cases.cjs');

test('a listener per call leaks', async () => {
  await expectNoLeak(subscribe, OPTIONS);
}, 60_000);

test('a clean function passes', async () => {
  await expectNoLeak(clean, OPTIONS);
}, 60_000);
