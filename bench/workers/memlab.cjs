#!/usr/bin/env node
// memlab's full heap load of one snapshot, as a user of its API runs it:
// getFullHeapFromFile(file) from @memlab/heap-analysis = parse + preparePathFinder (shortest
// paths, dominators, retained sizes). Prints the counts as one JSON line.
//
//   MEMLAB_DIR=.cache/memlab node --max-old-space-size=16384 bench/workers/memlab.cjs FILE
'use strict';
const path = require('node:path');
const file = process.argv[2];
const dir = path.resolve(process.env.MEMLAB_DIR || path.join(__dirname, '..', '..', '.cache', 'memlab'));
const req = (m) => require(path.join(dir, 'node_modules', m));
if (!file) {
  console.error('usage: memlab.cjs SNAPSHOT');
  process.exit(2);
}

(async () => {
  const core = req('@memlab/core');
  core.config.muteConsole = true; // its progress output would only add terminal time
  const { getFullHeapFromFile } = req('@memlab/heap-analysis');
  const heap = await getFullHeapFromFile(file);
  let root = 0;
  heap.nodes.forEach((node) => {
    if (node.retainedSize > root) root = node.retainedSize;
  });
  console.log(JSON.stringify({ nodes: heap.nodes.length, edges: heap.edges.length, rootRetained: root }));
})().catch((e) => {
  console.error((e && e.stack) || e);
  process.exit(1);
});
