// Vitest 4 for the runner test: the forks pool (a process per file; expectNoLeak turns on the GC
// itself with v8.setFlagsFromString, so no --expose-gc is needed), files run one at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The runner test points the cache at a temporary folder it removes (tests leave no files).
  cacheDir: process.env.HEAPWISE_VITEST_CACHE || undefined,
  test: {
    include: ['**/*.vitest.mjs'],
    pool: 'forks',
    fileParallelism: false,
  },
});
