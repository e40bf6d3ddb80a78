// Vitest 4 for the runner test: the forks pool (a process per file; expectNoLeak turns on the GC
// itself with v8.setFlagsFromString, so no --expose-gc is needed), files run one at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.vitest.mjs'],
    pool: 'forks',
    fileParallelism: false,
  },
});
