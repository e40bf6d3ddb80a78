'use strict';
// What the runner fixtures test, shared by Jest and Vitest: a listener added per call to a
// module-level EventEmitter (the leak Jest used to hide: its heap has a plain object whose class
// key collides with the closures'), and a clean function.
const { EventEmitter } = require('node:events');

const configBus = new EventEmitter();
configBus.setMaxListeners(0);
let subscribers = 0;

function subscribe() {
  const subscriber = { id: ++subscribers, settings: { theme: 'dark', tags: ['a', 'b', 'c'] } };
  configBus.on('reload', function onReload() {
    return subscriber.settings.theme;
  });
}

function clean() {
  const batch = Array.from({ length: 50 }, (_, i) => ({ i, text: `row ${i}`.padEnd(64, '.') }));
  return batch.length;
}

// The options every runner uses: a few rounds (each writes a snapshot of the test process).
const OPTIONS = { warmup: 3, iterations: 3, repeat: 30 };

module.exports = { subscribe, clean, OPTIONS };
