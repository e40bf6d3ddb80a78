'use strict';
// A connection health checker: every new connection starts its own polling interval, and
// nothing clears it when the connection goes away.
let connectionSeq = 0;

function openConnection() {
  const conn = {
    id: ++connectionSeq,
    host: '10.0.0.' + (connectionSeq % 255),
    lastPing: 0,
    buffer: new Array(120).fill(connectionSeq),
  };
  const healthCheck = setInterval(() => {
    conn.lastPing = Date.now();
  }, 60 * 60 * 1000);
  healthCheck.unref();
  return conn.id;
}

module.exports = { step: openConnection };
