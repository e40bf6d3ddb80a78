'use strict';
// A config watcher: each job subscribes to config changes on a shared bus, but the job never
// unsubscribes when it finishes.
const { EventEmitter } = require('node:events');

const bus = new EventEmitter();
bus.setMaxListeners(0);

class Job {
  constructor(id) {
    this.id = id;
    this.options = { retries: 3, timeoutMs: 5000, label: `job-${id}-`.padEnd(300, '.') };
  }

  reconfigure(config) {
    this.options.timeoutMs = config.timeoutMs;
  }
}

let jobCount = 0;

function runJob() {
  const job = new Job(++jobCount);
  bus.on('config-changed', (config) => job.reconfigure(config));
  return job.id;
}

module.exports = { step: runJob, bus };
