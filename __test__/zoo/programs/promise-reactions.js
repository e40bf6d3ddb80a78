'use strict';
// Callers wait for "the service is ready" on a shared promise; the readiness signal never comes,
// so every waiting reaction (and what it captured) piles up on the pending promise.
let markReady;
const serviceReady = new Promise((resolve) => {
  markReady = resolve;
});

let ticket = 0;

function whenReady(task) {
  const pending = { ticket: ++ticket, task, queuedAt: Date.now(), payload: 'p'.repeat(800) + ticket };
  serviceReady.then(() => pending.task(pending.payload));
  return pending.ticket;
}

function step() {
  return whenReady((payload) => payload.length);
}

module.exports = { step, markReady: () => markReady() };
