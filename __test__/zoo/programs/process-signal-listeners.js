'use strict';
// Each worker registers a shutdown hook on the process and never removes it.
process.setMaxListeners(0);

let started = 0;

function startWorker(id) {
  const state = { id, pending: new Array(16).fill(id), startedAt: Date.now() };
  process.on('SIGUSR2', function flushWorker() {
    return state.pending.length;
  });
  return state;
}

function step() {
  started += 1;
  return startWorker(started).id;
}

module.exports = { step };
