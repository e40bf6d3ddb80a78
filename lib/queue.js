'use strict';
// A first-in, first-out queue that runs at most `limit` async jobs at a time. heapwise puts every
// analyze() and diff() through one, so that a burst of calls (a service asked for many reports at
// once) cannot start dozens of analyses that each want all cores and hundreds of MB. Waiting
// happens in JS (no thread is started for a queued job) and an aborted job leaves the queue at
// once.

class Queue {
  constructor(limit) {
    this.setLimit(limit);
    this.running = 0;
    this.waiting = [];
  }

  setLimit(limit) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`the concurrency limit must be a whole number >= 1, got ${limit}`);
    }
    this.limit = limit;
    this.drain();
  }

  /**
   * Runs `job()` (which returns a promise) when a slot is free. `onWait` is called if the job has
   * to wait; `signal` (an AbortSignal) removes a waiting job, rejecting with `abortError()`.
   */
  run(job, { signal, onWait, abortError } = {}) {
    return new Promise((resolve, reject) => {
      const entry = { job, resolve, reject, signal, onAbort: null };
      if (this.running < this.limit) {
        this.start(entry);
        return;
      }
      if (signal) {
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) {
            this.waiting.splice(i, 1);
            reject(abortError());
          }
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.waiting.push(entry);
      if (onWait) onWait(this.waiting.length);
    });
  }

  start(entry) {
    if (entry.onAbort) entry.signal.removeEventListener('abort', entry.onAbort);
    this.running++;
    let p;
    try {
      p = Promise.resolve(entry.job());
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(entry.resolve, entry.reject).finally(() => {
      this.running--;
      this.drain();
    });
  }

  drain() {
    while (this.running < this.limit && this.waiting && this.waiting.length) {
      this.start(this.waiting.shift());
    }
  }
}

module.exports = { Queue };
