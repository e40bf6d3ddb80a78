'use strict';
// A request tracker in the style of a Fastify plugin: every request is recorded "for metrics"
// in a module-level Set and never deleted when the response is sent.
const crypto = require('node:crypto');

const inflightRequests = new Set();

class RequestRecord {
  constructor(id, method, url) {
    this.id = id;
    this.method = method;
    this.url = url;
    this.startedAt = Date.now();
    this.traceId = crypto.randomBytes(400).toString('hex');
  }
}

let nextId = 1;

async function onRequest(method, url) {
  const record = new RequestRecord(nextId++, method, url);
  inflightRequests.add(record);
  await null; // the handler runs; the onResponse hook that should delete the record is missing
  return record.id;
}

module.exports = {
  step: () => onRequest('GET', `/items/${nextId}?expand=owner`),
};
